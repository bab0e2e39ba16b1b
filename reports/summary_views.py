"""The summary report and "download all" on the web, for the leader and for staff.

The leader reads the summary of their latest released version only (``ReleasedSummary``) and
downloads it, or it with the released theme PDFs, as released. Programme admins and the
leader's facilitator read it live where they read the theme reports, and download the
summary rendered now with the theme PDFs generated so far; their reading is audited.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify

from accounts.audit import audit_record, person_ref
from accounts.models import AuditAction
from assessments.access import assessment_for_admin, assessment_for_leader

from .bundle import bundle_pdf, file_bytes
from .facilitator_views import AUDIT_AS as FACILITATOR
from .facilitator_views import _assessment as facilitator_assessment
from .models import ReleasedThemeReport, ThemeReport
from .summary import (
    BENCHMARK_MIN_LEADERS,
    benchmark_rows,
    released_summary,
    summary_body,
    summary_context,
    summary_pdf,
)
from .versions import versions_backfill

ADMIN = "programme admin"
# Per area: the URL names of the summary, its PDF, "download all" and a theme page.
URLS = {
    "": ("reports:summary", "reports:summary_download", "reports:download_all", "reports:theme"),
    "staff": (
        "reports:admin_summary",
        "reports:admin_summary_download",
        "reports:admin_download_all",
        "reports:admin_theme",
    ),
    "facilitator": (
        "reports:facilitator_summary",
        "reports:facilitator_summary_download",
        "reports:facilitator_download_all",
        "reports:facilitator_theme",
    ),
}


def _page(request, assessment, *, area, body):
    programme = assessment.programme
    _, pdf_name, bundle_name, _ = URLS[area]
    return render(
        request,
        "reports/summary.html",
        {
            "assessment": assessment,
            "leader_name": assessment.leader.full_name,
            "programme_name": programme.name,
            "framework_name": programme.framework.name,
            "themes_count": programme.framework.themes.count(),
            "quality_count": sum(t.qualities.count() for t in programme.framework.themes.all()),
            "body": body,
            "benchmark": benchmark_rows(assessment=assessment),
            "benchmark_min": BENCHMARK_MIN_LEADERS,
            "pdf_url": reverse(pdf_name, kwargs={"assessment_pk": assessment.pk}),
            "bundle_url": reverse(bundle_name, kwargs={"assessment_pk": assessment.pk}),
            "staff": area != "",
            "area": "facilitator" if area == "facilitator" else "",
        },
    )


def _pdf_response(pdf: bytes, assessment, name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"LPC360-{slugify(assessment.leader.full_name)}-{name}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _audit(request, assessment, *, action, audit_as) -> None:
    if request.user.pk != assessment.leader_id:
        audit_record(
            actor=request.user,
            action=action,
            programme=assessment.programme,
            obj=assessment,
            detail={"leader": person_ref(assessment.leader), "theme": "Summary", "as": audit_as},
        )


# The leader: released only ----------------------------------------------------------------


def _released(request, assessment_pk):
    assessment = assessment_for_leader(request.user, assessment_pk)
    versions_backfill(assessment=assessment)
    summary = released_summary(assessment=assessment)
    if summary is None:
        raise Http404("Not released")
    return assessment, summary


@login_required
def leader_summary(request, assessment_pk):
    assessment, summary = _released(request, assessment_pk)
    return _page(request, assessment, area="", body=summary.html)


@login_required
def leader_summary_pdf(request, assessment_pk):
    assessment, summary = _released(request, assessment_pk)
    return _pdf_response(file_bytes(summary.file), assessment, "summary")


@login_required
def leader_download_all(request, assessment_pk):
    assessment, summary = _released(request, assessment_pk)
    parts = [("Summary", file_bytes(summary.file))]
    for theme in ReleasedThemeReport.objects.filter(version=summary.version).select_related(
        "theme"
    ):
        parts.append((theme.theme.name, file_bytes(theme.file)))
    return _pdf_response(bundle_pdf(parts), assessment, "all-reports")


# Staff: live, where they read the theme reports ---------------------------------------------


def _staff_page(request, assessment, *, area, audit_as):
    _audit(request, assessment, action=AuditAction.REPORT_VIEWED, audit_as=audit_as)
    if assessment.programme.purged_at is not None:
        raise Http404("The ratings behind the summary have been deleted")
    context = summary_context(assessment=assessment)
    return _page(
        request, assessment, area=area, body=summary_body(context, theme_url=URLS[area][3])
    )


def _staff_pdf(request, assessment, *, audit_as, everything: bool):
    if assessment.programme.purged_at is not None:
        raise Http404("The ratings behind the summary have been deleted")
    _audit(request, assessment, action=AuditAction.REPORT_DOWNLOADED, audit_as=audit_as)
    parts = [("Summary", summary_pdf(summary_context(assessment=assessment)))]
    if not everything:
        return _pdf_response(parts[0][1], assessment, "summary")
    # The theme reports generated so far, in theme order (the page shows which are ready).
    for report in (
        ThemeReport.objects.filter(assessment=assessment, status=ThemeReport.Status.READY)
        .exclude(file="")
        .select_related("theme")
        .order_by("theme__order")
    ):
        parts.append((report.theme.name, file_bytes(report.file)))
    return _pdf_response(bundle_pdf(parts), assessment, "all-reports")


@login_required
def admin_summary(request, assessment_pk):
    assessment = assessment_for_admin(request.user, assessment_pk)
    return _staff_page(request, assessment, area="staff", audit_as=ADMIN)


@login_required
def admin_summary_pdf(request, assessment_pk):
    assessment = assessment_for_admin(request.user, assessment_pk)
    return _staff_pdf(request, assessment, audit_as=ADMIN, everything=False)


@login_required
def admin_download_all(request, assessment_pk):
    assessment = assessment_for_admin(request.user, assessment_pk)
    return _staff_pdf(request, assessment, audit_as=ADMIN, everything=True)


@login_required
def facilitator_summary(request, assessment_pk):
    assessment = facilitator_assessment(request.user, assessment_pk)
    return _staff_page(request, assessment, area="facilitator", audit_as=FACILITATOR)


@login_required
def facilitator_summary_pdf(request, assessment_pk):
    assessment = facilitator_assessment(request.user, assessment_pk)
    return _staff_pdf(request, assessment, audit_as=FACILITATOR, everything=False)


@login_required
def facilitator_download_all(request, assessment_pk):
    assessment = facilitator_assessment(request.user, assessment_pk)
    return _staff_pdf(request, assessment, audit_as=FACILITATOR, everything=True)
