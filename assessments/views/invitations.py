"""Programme admins' pages for one leader's raters, and approving nominations.

Everything is reached through a programme the user administers (facilitators may also
approve): a leader, rater or programme that is not theirs is a 404. Every action is POST.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.delivery import addresses_delivery

from ..access import assessment_for_approver, programme_for_admin
from ..forms.nominations import RaterForm
from ..models import Assessment
from ..services.invitations import (
    invitation_reissue,
    invitation_resend,
    invitation_revoke,
    rater_progress,
    raters_in_group_order,
    self_assessment_state,
)
from ..services.nominations import (
    REMOVABLE_STATES,
    invitation_nominate,
    invitation_remove,
    invitations_send,
    nominations_approve,
    nominations_status,
)
from ..services.reminders import reminder_round_send


def _assessment_for_admin(user, programme_pk, assessment_pk) -> Assessment:
    programme = programme_for_admin(user, programme_pk)
    return get_object_or_404(
        Assessment.objects.select_related("programme", "leader"),
        programme=programme,
        pk=assessment_pk,
    )


def _back(assessment):
    return redirect(
        "invitations:raters",
        programme_pk=assessment.programme_id,
        assessment_pk=assessment.pk,
    )


def _outcome(request, action, success: str) -> None:
    """Run a service call, and tell the user how it went."""
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)


@login_required
def raters(request, programme_pk, assessment_pk):
    assessment = _assessment_for_admin(request.user, programme_pk, assessment_pk)
    form = RaterForm(_posted(request), leader_name=assessment.leader.full_name)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_nominate(
                assessment=assessment, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{invitation.name} has been added.")
            return _back(assessment)
    raters = raters_in_group_order(assessment=assessment, include_revoked=True)
    delivery = addresses_delivery([r.email for r in raters] + [assessment.leader.email])
    for rater in raters:
        rater.email_delivery = delivery.get(rater.email.lower())
    return render(
        request,
        "assessments/invitations/raters.html",
        {
            "assessment": assessment,
            "programme": assessment.programme,
            "form": form,
            "self_state": self_assessment_state(assessment=assessment),
            "nominations": nominations_status(assessment=assessment),
            "progress": rater_progress(assessment=assessment),
            "raters": raters,
            "leader_email_delivery": delivery.get(assessment.leader.email.lower()),
            "removable_states": REMOVABLE_STATES,
        },
    )


@login_required
@require_POST
def rater_action(request, programme_pk, assessment_pk, invitation_pk, action):
    assessment = _assessment_for_admin(request.user, programme_pk, assessment_pk)
    invitation = get_object_or_404(assessment.invitations, pk=invitation_pk)
    service, success = {
        "resend": (invitation_resend, f"The invitation has been sent again to {invitation.name}."),
        "reissue": (
            invitation_reissue,
            f"{invitation.name} has been sent a new link. The old link no longer works.",
        ),
        "revoke": (
            invitation_revoke,
            f"{invitation.name}'s invitation has been revoked. Their link no longer works.",
        ),
        "remove": (invitation_remove, f"{invitation.name} has been removed."),
    }[action]
    _outcome(request, lambda: service(invitation=invitation, by=request.user), success)
    return _back(assessment)


@login_required
@require_POST
def send(request, programme_pk, assessment_pk):
    assessment = _assessment_for_admin(request.user, programme_pk, assessment_pk)
    _outcome(
        request,
        lambda: invitations_send(assessment=assessment, by=request.user),
        "Invitations have been sent to everyone nominated.",
    )
    return _back(assessment)


@login_required
@require_POST
def remind(request, programme_pk, assessment_pk):
    assessment = _assessment_for_admin(request.user, programme_pk, assessment_pk)
    _outcome(
        request,
        lambda: reminder_round_send(
            programme=assessment.programme, assessment=assessment, by=request.user
        ),
        f"{assessment.leader.full_name}'s raters who have not finished have been reminded, "
        f"and {assessment.leader.full_name} too if they have something left to do.",
    )
    return _back(assessment)


@login_required
@require_POST
def programme_remind(request, programme_pk):
    programme = programme_for_admin(request.user, programme_pk)
    _outcome(
        request,
        lambda: reminder_round_send(programme=programme, by=request.user),
        "Every rater in the programme who has not finished has been reminded, and every "
        "leader with something left to do.",
    )
    return redirect("programmes:detail", pk=programme.pk)


@login_required
def approve(request, programme_pk, assessment_pk):
    assessment = assessment_for_approver(request.user, programme_pk, assessment_pk)
    if request.method == "POST":
        try:
            invited = nominations_approve(assessment=assessment, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"{assessment.leader.full_name}'s nominations are approved. "
                f"{invited} invitation{'s' if invited != 1 else ''} sent.",
            )
        return redirect(request.path)
    return render(
        request,
        "assessments/invitations/approve.html",
        {
            "assessment": assessment,
            "programme": assessment.programme,
            "nominations": nominations_status(assessment=assessment),
            "raters": raters_in_group_order(assessment=assessment),
            "is_admin": assessment.programme.admins.filter(pk=request.user.pk).exists()
            or request.user.is_superuser,
        },
    )


def _posted(request):
    """The submitted data, even when empty (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None
