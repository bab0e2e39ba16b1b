"""The leader's self-assessment, under /my/<assessment>/self/."""

from django.urls import path

from assessments.views import self_assessment as views

app_name = "self_assessment"

urlpatterns = [
    path("<int:assessment_pk>/self/", views.start, name="start"),
    path("<int:assessment_pk>/self/review/", views.review, name="review"),
    path("<int:assessment_pk>/self/done/", views.done, name="done"),
    path("<int:assessment_pk>/self/<slug:theme_slug>/", views.page, name="page"),
    path("<int:assessment_pk>/self/<slug:theme_slug>/<int:part>/", views.page, name="page_part"),
]
