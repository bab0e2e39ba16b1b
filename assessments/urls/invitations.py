"""Programme admins: one leader's raters. Mounted under /programmes/."""

from django.urls import path, re_path

from ..views import invitations as views

app_name = "invitations"

leader = "<int:programme_pk>/leaders/<int:assessment_pk>"

urlpatterns = [
    path(f"{leader}/raters/", views.raters, name="raters"),
    path(f"{leader}/raters/send/", views.send, name="send"),
    path(f"{leader}/raters/remind/", views.remind, name="remind"),
    path(f"{leader}/raters/approve/", views.approve, name="approve"),
    re_path(
        r"^(?P<programme_pk>[0-9]+)/leaders/(?P<assessment_pk>[0-9]+)/raters/"
        r"(?P<invitation_pk>[0-9]+)/(?P<action>resend|reissue|revoke|remove)/$",
        views.rater_action,
        name="rater_action",
    ),
    path("<int:programme_pk>/reminders/send/", views.programme_remind, name="programme_remind"),
]
