"""Theme reports: a leader's under /reports/, a programme admin's under /reports/staff/."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.my_reports, name="mine"),
    path("<int:assessment_pk>/<slug:theme_slug>/", views.leader_theme, name="theme"),
    path(
        "<int:assessment_pk>/<slug:theme_slug>/download/",
        views.leader_theme_pdf,
        name="download",
    ),
    path("staff/assessments/<int:assessment_pk>/", views.admin_reports, name="admin_assessment"),
    path(
        "staff/assessments/<int:assessment_pk>/generate/",
        views.admin_generate,
        name="admin_generate",
    ),
    path(
        "staff/assessments/<int:assessment_pk>/<slug:theme_slug>/",
        views.admin_theme,
        name="admin_theme",
    ),
    path(
        "staff/assessments/<int:assessment_pk>/<slug:theme_slug>/download/",
        views.admin_theme_pdf,
        name="admin_download",
    ),
    path(
        "staff/programmes/<int:programme_pk>/generate/",
        views.programme_generate,
        name="programme_generate",
    ),
]
