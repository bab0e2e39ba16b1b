"""Raters, with no account: the emailed link, then the form at token-free URLs."""

from django.urls import path, re_path

from assessments.views import rater as views

app_name = "rater"

urlpatterns = [
    path("form/", views.form_start, name="form"),
    path("form/review/", views.review, name="review"),
    path("form/<str:theme_slug>/", views.page, name="page"),
    path("form/<str:theme_slug>/<int:part>/", views.page, name="page_part"),
    path("done/", views.done, name="done"),
    path("decline/", views.decline, name="decline"),
    path("<str:token>/", views.link, name="link"),
    # Anything else under /feedback/ still gets this area's headers.
    re_path(r"^", views.not_found),
]
