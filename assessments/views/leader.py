"""A signed-in leader's pages: their assessments, their progress, nominating raters.

A leader sees how many raters in each group have responded, never who: names appear
against a state only for the line manager, whose ratings are shown as theirs anyway.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from accounts.emails import uk_time

from ..access import assessment_for_leader, assessments_for_leader
from ..forms.nominations import RaterForm
from ..models import Invitation
from ..services.follow_ups import earlier_assessment, earlier_raters, nominations_copy_earlier
from ..services.invitations import (
    line_managers_with_state,
    rater_progress,
    raters_in_group_order,
    self_assessment_state,
)
from ..services.nominations import (
    LEADER_REMOVABLE_STATES,
    invitation_nominate,
    invitation_remove,
    invitation_replace,
    invitations_send,
    nominations_status,
    nominations_submit,
)


@login_required
def overview(request):
    assessments = assessments_for_leader(request.user).order_by("-programme__closes_at")
    return render(request, "assessments/leader/overview.html", {"assessments": assessments})


@login_required
def assessment_detail(request, pk):
    assessment = assessment_for_leader(request.user, pk)
    return render(
        request,
        "assessments/leader/assessment.html",
        {
            "assessment": assessment,
            "programme": assessment.programme,
            "closes": uk_time(assessment.programme.effective_close),
            "self_state": self_assessment_state(assessment=assessment),
            "self_assessment_url": _self_assessment_url(assessment),
            "nominations": nominations_status(assessment=assessment),
            "progress": rater_progress(assessment=assessment),
            "line_managers": line_managers_with_state(assessment=assessment),
        },
    )


@login_required
def nominations(request, pk):
    assessment = assessment_for_leader(request.user, pk)
    form = RaterForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_nominate(
                assessment=assessment, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{invitation.name} has been added to your raters.")
            return redirect("leader:nominations", pk=assessment.pk)
    return render(
        request, "assessments/leader/nominations.html", _nominations_context(assessment, form)
    )


@login_required
def rater_remove(request, pk, invitation_pk):
    assessment = assessment_for_leader(request.user, pk)
    invitation = _removable_invitation(assessment, invitation_pk)
    if request.method == "POST":
        try:
            invitation_remove(invitation=invitation, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{invitation.name} has been removed from your raters.")
        return redirect("leader:nominations", pk=assessment.pk)
    return render(
        request,
        "assessments/leader/rater_remove.html",
        {"assessment": assessment, "invitation": invitation},
    )


@login_required
def rater_replace(request, pk, invitation_pk):
    assessment = assessment_for_leader(request.user, pk)
    invitation = _removable_invitation(assessment, invitation_pk)
    form = RaterForm(
        _posted(request),
        initial={"rater_group": invitation.rater_group},
        submit_label="Replace rater",
    )
    if request.method == "POST" and form.is_valid():
        try:
            newcomer = invitation_replace(
                invitation=invitation, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{invitation.name} has been replaced by {newcomer.name}.")
            return redirect("leader:nominations", pk=assessment.pk)
    return render(
        request,
        "assessments/leader/rater_replace.html",
        {"assessment": assessment, "invitation": invitation, "form": form},
    )


@login_required
@require_POST
def send(request, pk):
    assessment = assessment_for_leader(request.user, pk)
    try:
        sent = invitations_send(assessment=assessment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{sent} invitation{'s' if sent != 1 else ''} sent.")
    return redirect("leader:nominations", pk=assessment.pk)


@login_required
@require_POST
def submit(request, pk):
    assessment = assessment_for_leader(request.user, pk)
    try:
        nominations_submit(assessment=assessment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "Your nominations have been sent for approval. Your raters will be invited "
            "once they are approved.",
        )
    return redirect("leader:nominations", pk=assessment.pk)


@require_POST
@login_required
def copy_earlier(request, pk):
    """Nominate again the raters of the leader's earlier programme (a follow-up)."""
    assessment = assessment_for_leader(request.user, pk)
    try:
        added, skipped = nominations_copy_earlier(assessment=assessment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        noun = "rater" if added == 1 else "raters"
        messages.success(request, f"{added} {noun} from last time added to your raters.")
        if skipped:
            messages.info(request, "Not added: " + "; ".join(skipped))
    return redirect("leader:nominations", pk=assessment.pk)


def _nominations_context(assessment, form):
    earlier = earlier_assessment(assessment=assessment)
    return {
        "earlier_programme": earlier.programme if earlier else None,
        "earlier_raters": earlier_raters(assessment=assessment),
        "assessment": assessment,
        "programme": assessment.programme,
        "form": form,
        "nominations": nominations_status(assessment=assessment),
        "raters": raters_in_group_order(assessment=assessment, include_revoked=True),
        "removable_states": LEADER_REMOVABLE_STATES,
    }


def _removable_invitation(assessment, invitation_pk) -> Invitation:
    return get_object_or_404(
        assessment.invitations.filter(state__in=LEADER_REMOVABLE_STATES), pk=invitation_pk
    )


def _self_assessment_url(assessment) -> str | None:
    try:
        return reverse("self_assessment:start", args=[assessment.pk])
    except NoReverseMatch:  # the self-assessment pages are not mounted
        return None


def _posted(request):
    """The submitted data, even when empty (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None
