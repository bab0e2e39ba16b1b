"""Programme admins: the programme's admins and facilitators, and each leader's facilitator."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from accounts.models import Role

from ..access import programme_for_admin
from ..forms.imports import FacilitatorForm, StaffAddForm
from ..services.staff import (
    ROLE_NOUNS,
    assessment_facilitator_set,
    programme_staff,
    programme_staff_add,
    programme_staff_remove,
)

LEADERS_PER_PAGE = 50


@login_required
def staff(request, pk):
    programme = programme_for_admin(request.user, pk)
    form = StaffAddForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        role = form.cleaned_data["role"]
        try:
            user, added = programme_staff_add(
                programme=programme,
                role=role,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            noun = ROLE_NOUNS[role]
            if added:
                messages.success(request, f"{user.full_name} is now a {noun} of {programme.name}.")
            else:
                messages.info(request, f"{user.full_name} was already a {noun} of this programme.")
            return redirect("imports:staff", pk=programme.pk)
    facilitators = programme.facilitators.annotate(
        leaders=Count(
            "facilitated_assessments", filter=Q(facilitated_assessments__programme=programme)
        )
    ).order_by("full_name")
    leaders = Paginator(
        programme.assessments.select_related("leader", "facilitator").order_by("leader__full_name"),
        LEADERS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "assessments/staff/staff.html",
        {
            "programme": programme,
            "form": form,
            "admins": programme.admins.order_by("full_name"),
            "facilitators": facilitators,
            "leaders": leaders,
            "roles": {"admin": Role.PROGRAMME_ADMIN.value, "facilitator": Role.FACILITATOR.value},
        },
    )


@login_required
def staff_remove(request, pk, role, user_pk):
    programme = programme_for_admin(request.user, pk)
    try:
        role = Role(role)
        members = programme_staff(programme=programme, role=role)
    except (ValueError, KeyError) as unknown:
        raise Http404 from unknown
    person = get_object_or_404(members, pk=user_pk)
    error = None
    if request.method == "POST":
        try:
            cleared = programme_staff_remove(
                programme=programme, role=role, user=person, by=request.user
            )
        except ValidationError as refusal:
            error = refusal.messages[0]
        else:
            text = f"{person.full_name} is no longer a {ROLE_NOUNS[role]} of {programme.name}."
            if cleared:
                text += (
                    " 1 leader now has no facilitator."
                    if cleared == 1
                    else f" {cleared} leaders now have no facilitator."
                )
            messages.success(request, text)
            if person == request.user and role == Role.PROGRAMME_ADMIN:
                return redirect("programmes:list")
            return redirect("imports:staff", pk=programme.pk)
    return render(
        request,
        "assessments/staff/remove.html",
        {
            "programme": programme,
            "person": person,
            "role": role,
            "noun": ROLE_NOUNS[role],
            "leaders": programme.assessments.filter(facilitator=person).count(),
            "error": error,
        },
    )


@login_required
def leader_facilitator(request, pk, assessment_pk):
    programme = programme_for_admin(request.user, pk)
    assessment = get_object_or_404(
        programme.assessments.select_related("leader", "facilitator"), pk=assessment_pk
    )
    form = FacilitatorForm(
        request.POST if request.method == "POST" else None,
        programme=programme,
        initial={"facilitator": assessment.facilitator},
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment_facilitator_set(
                assessment=assessment,
                facilitator=form.cleaned_data["facilitator"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            facilitator = form.cleaned_data["facilitator"]
            messages.success(
                request,
                f"{assessment.leader.full_name}'s facilitator is now {facilitator.full_name}."
                if facilitator
                else f"{assessment.leader.full_name} has no facilitator now.",
            )
            return redirect("imports:staff", pk=programme.pk)
    return render(
        request,
        "assessments/staff/leader_facilitator.html",
        {"programme": programme, "assessment": assessment, "form": form},
    )
