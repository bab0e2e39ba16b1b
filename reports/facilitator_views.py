"""Facilitators: the leaders assigned to them, their reports, and releasing them.

A facilitator reaches only the assessments they facilitate in programmes they support
(``assessments_for_facilitator``): anything else is a 404. They read the reports before the
debrief, and in a programme that releases by facilitator they release each leader's reports
after it. Their reading is audited as anyone's but the leader's.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from assessments.access import assessments_for_facilitator
from assessments.models import Programme

from .release import assessment_reports_releasable, assessment_reports_release
from .services import report_is_released, theme_report_statuses
from .views import REFRESH_SECONDS, theme_page_render, theme_pdf_response

LEADERS_PER_PAGE = 50
AUDIT_AS = "facilitator"


def _assessment(user, pk):
    return get_object_or_404(
        assessments_for_facilitator(user).select_related("programme__framework", "leader"),
        pk=pk,
    )


def _row(assessment) -> dict:
    themes = theme_report_statuses(assessment=assessment)
    by_facilitator = assessment.programme.release_mode == Programme.ReleaseMode.BY_FACILITATOR
    refusal = assessment_reports_releasable(assessment=assessment)
    return {
        "assessment": assessment,
        "themes": themes,
        "ready": sum(t.ready for t in themes),
        "released": report_is_released(assessment=assessment),
        "by_facilitator": by_facilitator,
        "releasable": by_facilitator and not refusal,
        "refusal": refusal,
    }


@login_required
def leaders(request):
    assessments = assessments_for_facilitator(request.user).select_related(
        "programme__framework", "leader"
    )
    page = Paginator(
        assessments.order_by("-programme__closes_at", "leader__full_name"), LEADERS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request, "reports/facilitator/leaders.html", {"page": page, "rows": [_row(a) for a in page]}
    )


@login_required
def assessment(request, assessment_pk):
    assessment = _assessment(request.user, assessment_pk)
    row = _row(assessment)
    pending = any(t.pending for t in row["themes"])
    return render(
        request,
        "reports/facilitator/assessment.html",
        {**row, "refresh_seconds": REFRESH_SECONDS if pending else None},
    )


@login_required
def theme(request, assessment_pk, theme_slug):
    assessment = _assessment(request.user, assessment_pk)
    return theme_page_render(
        request, assessment, theme_slug, staff=True, audit_as=AUDIT_AS, area="facilitator"
    )


@login_required
def theme_pdf(request, assessment_pk, theme_slug):
    assessment = _assessment(request.user, assessment_pk)
    return theme_pdf_response(assessment, theme_slug, request=request, audit_as=AUDIT_AS)


@login_required
def release(request, assessment_pk):
    from django.urls import reverse

    from .release_views import release_confirm

    assessment = _assessment(request.user, assessment_pk)
    if request.method != "POST":
        name = assessment.leader.full_name
        refusal = assessment_reports_releasable(assessment=assessment)
        if assessment.programme.release_mode != Programme.ReleaseMode.BY_FACILITATOR:
            refusal = f"{assessment.programme.name} releases reports when it closes."
        return release_confirm(
            request,
            programme=assessment.programme,
            heading=f"Release the reports for {name}?",
            who=name,
            who_short=name,
            button="Release the reports",
            back_url=reverse(
                "reports:facilitator_assessment", kwargs={"assessment_pk": assessment.pk}
            ),
            back_label=f"Reports for {name}",
            refusal=refusal,
        )
    if assessment.programme.release_mode != Programme.ReleaseMode.BY_FACILITATOR:
        messages.error(
            request,
            f"{assessment.programme.name} releases reports when it closes, not after each debrief.",
        )
    else:
        try:
            assessment_reports_release(assessment=assessment, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{assessment.leader.full_name} can now read their reports.")
    return redirect("reports:facilitator_assessment", assessment_pk=assessment.pk)
