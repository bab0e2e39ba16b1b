"""A signed-in leader's pages, under /my/. (The self-assessment is under /my/<pk>/self/.)"""

from django.urls import path

from ..views import leader as views

app_name = "leader"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<int:pk>/", views.assessment_detail, name="assessment"),
    path("<int:pk>/raters/", views.nominations, name="nominations"),
    path("<int:pk>/raters/send/", views.send, name="send"),
    path("<int:pk>/raters/submit/", views.submit, name="submit"),
    path("<int:pk>/raters/copy/", views.copy_earlier, name="copy_earlier"),
    path("<int:pk>/raters/<int:invitation_pk>/remove/", views.rater_remove, name="rater_remove"),
    path("<int:pk>/raters/<int:invitation_pk>/replace/", views.rater_replace, name="rater_replace"),
]
