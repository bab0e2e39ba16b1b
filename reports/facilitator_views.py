"""Facilitators: the leaders assigned to them, their reports, and releasing them.

A facilitator reaches only the assessments they facilitate in programmes they support
(``assessments_for_facilitator``): anything else is a 404. They read the reports before the
debrief; in a programme that releases by facilitator they release each leader's reports as
part of recording the debrief (``development.views.facilitator_debrief``). Their reading is
audited as anyone's but the leader's.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from assessments.access import assessments_for_facilitator
from assessments.models import Programme

from .release import assessment_reports_releasable
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
