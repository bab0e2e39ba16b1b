"""Theme reports: a leader's under /reports/, a programme admin's under /reports/staff/, a
facilitator's under /reports/facilitator/."""

from django.urls import path

from . import facilitator_views, impact_views, release_views, summary_views, views

app_name = "reports"

urlpatterns = [
    path("", views.my_reports, name="mine"),
    path(
        "staff/programmes/<int:pk>/impact/",
        impact_views.programme_impact_view,
        name="programme_impact",
    ),
    path(
        "staff/programmes/<int:pk>/impact/<slug:kind>/",
        impact_views.programme_impact_download,
        name="programme_impact_download",
    ),
    # The summary and "download all" (before the theme pages, whose slug would match).
    path("<int:assessment_pk>/summary/", summary_views.leader_summary, name="summary"),
    path(
        "<int:assessment_pk>/summary/download/",
        summary_views.leader_summary_pdf,
        name="summary_download",
    ),
    path(
        "<int:assessment_pk>/download-all/",
        summary_views.leader_download_all,
        name="download_all",
    ),
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
    # Before and after release: comments, releasing, reopening (before the theme pages,
    # whose slug would match these words).
    path(
        "staff/assessments/<int:assessment_pk>/comments/",
        release_views.comments,
        name="admin_comments",
    ),
    path(
        "staff/assessments/<int:assessment_pk>/comments/<uuid:comment_pk>/redact/",
        release_views.comment_redact,
        name="admin_comment_redact",
    ),
    path(
        "staff/assessments/<int:assessment_pk>/release/",
        release_views.release,
        name="admin_release",
    ),
    path(
        "staff/assessments/<int:assessment_pk>/reopen/",
        release_views.reopen,
        name="admin_reopen",
    ),
    path(
        "staff/programmes/<int:programme_pk>/release/",
        release_views.programme_release,
        name="programme_release",
    ),
    path(
        "staff/assessments/<int:assessment_pk>/summary/",
        summary_views.admin_summary,
        name="admin_summary",
    ),
    path(
        "staff/assessments/<int:assessment_pk>/summary/download/",
        summary_views.admin_summary_pdf,
        name="admin_summary_download",
    ),
    path(
        "staff/assessments/<int:assessment_pk>/download-all/",
        summary_views.admin_download_all,
        name="admin_download_all",
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
    # Facilitators: their leaders' reports.
    path("facilitator/", facilitator_views.leaders, name="facilitator_leaders"),
    path(
        "facilitator/<int:assessment_pk>/",
        facilitator_views.assessment,
        name="facilitator_assessment",
    ),
    path(
        "facilitator/<int:assessment_pk>/summary/",
        summary_views.facilitator_summary,
        name="facilitator_summary",
    ),
    path(
        "facilitator/<int:assessment_pk>/summary/download/",
        summary_views.facilitator_summary_pdf,
        name="facilitator_summary_download",
    ),
    path(
        "facilitator/<int:assessment_pk>/download-all/",
        summary_views.facilitator_download_all,
        name="facilitator_download_all",
    ),
    path(
        "facilitator/<int:assessment_pk>/<slug:theme_slug>/",
        facilitator_views.theme,
        name="facilitator_theme",
    ),
    path(
        "facilitator/<int:assessment_pk>/<slug:theme_slug>/download/",
        facilitator_views.theme_pdf,
        name="facilitator_download",
    ),
]
