"""Programme admins: erasing a leader or a rater on request. Mounted under /programmes/."""

from django.urls import path

from ..views import erasure as views

app_name = "erasure"

urlpatterns = [
    path("<int:pk>/leaders/<int:assessment_pk>/erase/", views.leader_erase, name="leader"),
    path(
        "<int:pk>/leaders/<int:assessment_pk>/raters/<int:invitation_pk>/erase/",
        views.rater_erase,
        name="rater",
    ),
]
