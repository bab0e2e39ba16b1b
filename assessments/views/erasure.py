"""Programme admins: erasing a leader or a rater on request (GDPR), after a confirmation.

Reached through ``programme_for_admin``: a leader or rater outside the admin's programmes is
a 404. The page says what will be deleted and what cannot be; the POST needs the box ticked.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from ..access import programme_for_admin
from ..forms.erasure import ErasureConfirmForm
from ..models import Invitation
from ..services import erasure


def _posted(request):
    return request.POST if request.method == "POST" else None


@login_required
def leader_erase(request, pk, assessment_pk):
    programme = programme_for_admin(request.user, pk)
    assessment = get_object_or_404(
        programme.assessments.select_related("leader", "programme"), pk=assessment_pk
    )
    refusal = erasure.leader_erasure_refusal(assessment=assessment, by=request.user)
    form = ErasureConfirmForm(_posted(request))
    if request.method == "POST" and not refusal and form.is_valid():
        name = assessment.leader.full_name
        try:
            erasure.leader_erase(assessment=assessment, by=request.user)
        except ValidationError as error:
            refusal = " ".join(error.messages)
        else:
            messages.success(request, f"{name} has been erased.")
            return redirect("programmes:detail", pk=programme.pk)
    return render(
        request,
        "assessments/erasure/leader.html",
        {
            "programme": programme,
            "assessment": assessment,
            "leader": assessment.leader,
            "form": form,
            "refusal": refusal,
            "responses": assessment.responses.count(),
            "raters": assessment.invitations.count(),
            "reports": assessment.theme_reports.count(),
        },
    )


@login_required
def rater_erase(request, pk, assessment_pk, invitation_pk):
    programme = programme_for_admin(request.user, pk)
    invitation = get_object_or_404(
        Invitation.objects.select_related("assessment__leader"),
        assessment__programme=programme,
        assessment_id=assessment_pk,
        pk=invitation_pk,
    )
    refusal = (
        "This rater's details have already been erased."
        if erasure.rater_is_erased(invitation)
        else ""
    )
    form = ErasureConfirmForm(_posted(request))
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            erasure.rater_erase(invitation=invitation, by=request.user)
        except ValidationError as error:
            refusal = " ".join(error.messages)
        else:
            messages.success(request, "The rater's name and email address have been erased.")
            return redirect(
                "invitations:raters", programme_pk=programme.pk, assessment_pk=assessment_pk
            )
    return render(
        request,
        "assessments/erasure/rater.html",
        {
            "programme": programme,
            "assessment": invitation.assessment,
            "invitation": invitation,
            "submitted": invitation.state == Invitation.State.SUBMITTED,
            "form": form,
            "refusal": refusal,
        },
    )
