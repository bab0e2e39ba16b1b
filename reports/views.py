"""Theme reports on the web: progress, the HTML report and the PDF download.

Leaders reach only their own assessments' reports, and only once released; programme admins
reach the reports of the programmes they run, and ask for them to be generated. Files are
served through these views only — never from a public media URL.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from accounts.audit import audit_record, person_ref
from accounts.models import AuditAction
from assessments.access import (
    assessment_for_admin,
    assessment_for_leader,
    assessments_for_leader,
    programme_for_admin,
)

from .models import ThemeReport
from .release import assessment_reports_releasable
from .report_context import theme_report_content
from .services import (
    report_is_released,
    reports_frozen,
    reports_generate,
    reports_generate_for_programme,
    theme_report_statuses,
)
from .summary import released_summary
from .versions import (
    late_responses_held,
    leader_theme_statuses,
    released_theme,
    versions_backfill,
    versions_latest,
)

# While anything is queued or rendering, progress pages reload themselves (no script).
REFRESH_SECONDS = 5
FROZEN_MESSAGE = (
    "Released reports that are ready are not generated again: they stay as the leader was "
    "given them. To change them, reopen them."
)


@login_required
def my_reports(request):
    """The leader's released reports: only what was released, as it was released."""
    rows = []
    for assessment in assessments_for_leader(request.user).order_by("-programme__closes_at"):
        versions_backfill(assessment=assessment)
        themes, released, preparing = leader_theme_statuses(assessment=assessment)
        rows.append(
            {
                "assessment": assessment,
                "released": released,
                "preparing": preparing,
                "themes": themes,
                "summary": released_summary(assessment=assessment),
            }
        )
    pending = any(row["preparing"] for row in rows)
    return render(
        request,
        "reports/my_reports.html",
        {"rows": rows, "refresh_seconds": REFRESH_SECONDS if pending else None},
    )


@login_required
def leader_theme(request, assessment_pk, theme_slug):
    """The theme exactly as it was last released to the leader (never a live computation)."""
    assessment = assessment_for_leader(request.user, assessment_pk)
    versions_backfill(assessment=assessment)
    theme = _theme(assessment, theme_slug)
    released = released_theme(assessment=assessment, theme=theme)
    if released is None and _purged_before_versions(assessment):
        return theme_page_render(request, assessment, theme_slug, staff=False)
    if released is None:
        raise Http404("Not released")
    programme = assessment.programme
    return render(
        request,
        "reports/theme_report.html",
        {
            "assessment": assessment,
            "theme": theme,
            "theme_number": theme.order,
            "programme_name": programme.name,
            "leader_name": assessment.leader.full_name,
            "report": released,
            "released_body": released.html,
            "staff": False,
            "area": "",
        },
    )


@login_required
def leader_theme_pdf(request, assessment_pk, theme_slug):
    assessment = assessment_for_leader(request.user, assessment_pk)
    versions_backfill(assessment=assessment)
    released = released_theme(assessment=assessment, theme=_theme(assessment, theme_slug))
    if released is None and _purged_before_versions(assessment):
        return theme_pdf_response(assessment, theme_slug)
    if released is None:
        raise Http404("Not released")
    return _pdf_file_response(released.file, assessment, released.theme)


def _purged_before_versions(assessment) -> bool:
    """Released before versions existed and purged since: the PDFs kept are what was
    released, and there is no data left to make a version from."""
    return assessment.programme.purged_at is not None and reports_frozen(assessment=assessment)


@login_required
def admin_reports(request, assessment_pk):
    assessment = assessment_for_admin(request.user, assessment_pk)
    themes = theme_report_statuses(assessment=assessment)
    pending = any(t.pending for t in themes)
    return render(
        request,
        "reports/admin_assessment.html",
        {
            "assessment": assessment,
            "programme": assessment.programme,
            "released": report_is_released(assessment=assessment),
            "release_refusal": assessment_reports_releasable(assessment=assessment),
            "version": versions_latest(assessment=assessment, filled=False),
            "held": late_responses_held(assessment=assessment),
            "themes": themes,
            "refresh_seconds": REFRESH_SECONDS if pending else None,
        },
    )


@login_required
@require_POST
def admin_generate(request, assessment_pk):
    assessment = assessment_for_admin(request.user, assessment_pk)
    if not assessment.programme.is_closed:
        messages.error(request, "Reports can be generated once the programme has closed.")
        return redirect("reports:admin_assessment", assessment_pk=assessment.pk)
    try:
        reports = reports_generate(assessment=assessment)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        if reports:
            messages.success(
                request, f"Reports for {assessment.leader.full_name} are being generated."
            )
        if reports_frozen(assessment=assessment):
            messages.info(request, FROZEN_MESSAGE)
    return redirect("reports:admin_assessment", assessment_pk=assessment.pk)


@login_required
def admin_theme(request, assessment_pk, theme_slug):
    assessment = assessment_for_admin(request.user, assessment_pk)
    return theme_page_render(
        request, assessment, theme_slug, staff=True, audit_as="programme admin"
    )


@login_required
def admin_theme_pdf(request, assessment_pk, theme_slug):
    assessment = assessment_for_admin(request.user, assessment_pk)
    return theme_pdf_response(assessment, theme_slug, request=request, audit_as="programme admin")


@login_required
@require_POST
def programme_generate(request, programme_pk):
    programme = programme_for_admin(request.user, programme_pk)
    if not programme.is_closed:
        messages.error(request, "Reports can be generated once the programme has closed.")
        return redirect("programmes:detail", pk=programme.pk)
    try:
        reports = reports_generate_for_programme(programme=programme)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"{len(reports)} theme reports are being generated.")
        if programme.released_at is not None:
            messages.info(request, FROZEN_MESSAGE)
    return redirect("programmes:detail", pk=programme.pk)


def _theme(assessment, theme_slug):
    return get_object_or_404(assessment.programme.framework.themes, slug=theme_slug)


def _audit_read(request, assessment, theme, *, action, audit_as) -> None:
    """Reading a leader's report is audited, unless the reader is the leader."""
    if audit_as and request.user.pk != assessment.leader_id:
        audit_record(
            actor=request.user,
            action=action,
            programme=assessment.programme,
            obj=assessment,
            detail={"leader": person_ref(assessment.leader), "theme": theme.name, "as": audit_as},
        )


def theme_page_render(request, assessment, theme_slug, *, staff, audit_as="", area=""):
    """``area`` is "facilitator" for a facilitator's pages; staff pages are an admin's."""
    theme = _theme(assessment, theme_slug)
    report = ThemeReport.objects.filter(
        assessment=assessment, theme=theme, status=ThemeReport.Status.READY
    ).first()
    _audit_read(request, assessment, theme, action=AuditAction.REPORT_VIEWED, audit_as=audit_as)
    common = {"assessment": assessment, "report": report, "staff": staff, "area": area}
    if assessment.programme.purged_at is not None:
        # The ratings behind the page are gone; the PDF rendered from them is kept.
        return render(
            request,
            "reports/theme_report_purged.html",
            {**common, "theme": theme, "programme": assessment.programme},
        )
    content = theme_report_content(assessment=assessment, theme=theme)
    return render(request, "reports/theme_report.html", {**content.context, **common})


def theme_pdf_response(assessment, theme_slug, *, request=None, audit_as=""):
    theme = _theme(assessment, theme_slug)
    report = get_object_or_404(
        ThemeReport, assessment=assessment, theme=theme, status=ThemeReport.Status.READY
    )
    if request is not None:
        _audit_read(
            request, assessment, theme, action=AuditAction.REPORT_DOWNLOADED, audit_as=audit_as
        )
    return _pdf_file_response(report.file, assessment, theme)


def _pdf_file_response(file, assessment, theme):
    try:
        handle = file.open("rb")
    except (FileNotFoundError, ValueError) as missing:
        raise Http404("The file is missing") from missing
    filename = f"LPC360-{slugify(assessment.leader.full_name)}-{theme.slug}.pdf"
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/pdf"
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
