"""Debrief and development plan pages: the leader's, their facilitator's, and the
programme admin's overview (which shows whether, never what)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from assessments.access import programme_for_admin
from assessments.models import Programme
from nhsuk.templatetags.nhsuk_forms import nhsuk_error_target
from reports.pdf import pdf_render
from reports.release import assessment_reports_releasable
from reports.services import report_is_released

from .access import assessment_for_plan_facilitator, assessment_for_plan_leader
from .forms import DebriefForm, goal_forms
from .selectors import (
    debrief_private,
    goals_private,
    plan_overview,
    plan_private,
    reports_reached_leader,
)
from .services import debrief_record, goal_comments_save, plan_save


def _debrief_initial(debrief) -> dict:
    return {"held_on": debrief.held_on, "notes": debrief.notes} if debrief else {}


def _error_list(forms_) -> list[dict]:
    """The error summary's entries: each field's errors, linked to the field."""
    entries = []
    for number, form in enumerate(forms_, start=1):
        for name, errors in form.errors.items():
            target = nhsuk_error_target(form[name]) if name != "__all__" else ""
            for error in errors:
                entries.append({"text": f"Goal {number}: {error}", "target": target})
    return entries


# The leader ----------------------------------------------------------------------------


@login_required
def leader_debrief(request, assessment_pk):
    """With a facilitator: the debrief they recorded, notes included. Without one: the
    leader records it themselves, once the reports are released to them."""
    assessment = assessment_for_plan_leader(request.user, assessment_pk)
    debrief = debrief_private(user=request.user, assessment=assessment)
    released = reports_reached_leader(assessment=assessment)
    may_record = assessment.facilitator_id is None and released
    form = None
    if may_record:
        form = DebriefForm(
            request.POST or None, releasable=False, initial=_debrief_initial(debrief)
        )
        if request.method == "POST" and form.is_valid():
            try:
                debrief_record(
                    assessment=assessment,
                    by=request.user,
                    held_on=form.cleaned_data["held_on"],
                    notes=form.cleaned_data["notes"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Your debrief has been recorded.")
                return redirect("development:leader_plan", assessment_pk=assessment.pk)
    return render(
        request,
        "development/leader_debrief.html",
        {"assessment": assessment, "debrief": debrief, "form": form, "released": released},
    )


@login_required
def leader_plan(request, assessment_pk):
    assessment = assessment_for_plan_leader(request.user, assessment_pk)
    released = reports_reached_leader(assessment=assessment)
    context = {"assessment": assessment, "released": released}
    if not released:
        return render(request, "development/leader_plan.html", context)
    plan = plan_private(user=request.user, assessment=assessment)
    goals = goals_private(user=request.user, assessment=assessment)
    framework = assessment.programme.framework
    forms_ = goal_forms(framework=framework, goals=goals)
    plan_errors: list[str] = []
    if request.method == "POST":
        submit = "submit" in request.POST
        forms_ = goal_forms(data=request.POST, framework=framework, goals=goals)
        checked = [form.is_valid() for form in forms_]  # every form, for every error
        valid = all(checked)
        if valid and submit:
            for form in forms_:
                if form.goal_input().started:
                    form.clean_for_submit()
            valid = not any(form.errors for form in forms_)
        if valid:
            try:
                plan_save(
                    assessment=assessment,
                    goals=[form.goal_input() for form in forms_],
                    submit=submit,
                )
            except ValidationError as error:
                plan_errors = error.messages
            else:
                messages.success(
                    request,
                    "Your plan has been submitted. Your facilitator can now comment on it."
                    if submit
                    else "Your draft has been saved. You can come back and finish it later.",
                )
                return redirect("development:leader_plan", assessment_pk=assessment.pk)
    comments = {goal.position: goal for goal in goals if goal.facilitator_comment}
    context.update(
        plan=plan,
        goal_forms=[
            {"number": n, "form": form, "commented": comments.get(n)}
            for n, form in enumerate(forms_, start=1)
        ],
        errors=[{"text": text, "target": "goal1"} for text in plan_errors] + _error_list(forms_),
        has_goals=bool(goals),
    )
    return render(request, "development/leader_plan.html", context)


def _plan_pdf(request, assessment, back):
    goals = goals_private(user=request.user, assessment=assessment)
    if not goals:
        messages.info(request, "There is no plan to download yet.")
        return redirect(back, assessment_pk=assessment.pk)
    plan = plan_private(user=request.user, assessment=assessment)
    pdf = pdf_render(
        template_name="development/plan_pdf.html",
        context={"assessment": assessment, "plan": plan, "goals": goals},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="development-plan.pdf"'
    return response


@login_required
def leader_plan_pdf(request, assessment_pk):
    assessment = assessment_for_plan_leader(request.user, assessment_pk)
    return _plan_pdf(request, assessment, "development:leader_plan")


# The facilitator -----------------------------------------------------------------------


@login_required
def facilitator_debrief(request, assessment_pk):
    """Record the debrief and, where the programme leaves the release to the facilitator,
    release the reports in the same step (ticked on the form, so it is confirmed)."""
    assessment = assessment_for_plan_facilitator(request.user, assessment_pk)
    debrief = debrief_private(user=request.user, assessment=assessment)
    released = report_is_released(assessment=assessment)
    by_facilitator = assessment.programme.release_mode == Programme.ReleaseMode.BY_FACILITATOR
    refusal = "" if released else assessment_reports_releasable(assessment=assessment)
    releasable = by_facilitator and not released and not refusal
    name = assessment.leader.full_name
    form = DebriefForm(
        request.POST or None,
        releasable=releasable,
        leader_name=name,
        initial=_debrief_initial(debrief),
    )
    if request.method == "POST" and form.is_valid():
        release = form.cleaned_data.get("release", False)
        try:
            debrief_record(
                assessment=assessment,
                by=request.user,
                held_on=form.cleaned_data["held_on"],
                notes=form.cleaned_data["notes"],
                release=release,
            )
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"The debrief has been recorded and {name} can now read their reports."
                if release
                else "The debrief has been recorded.",
            )
            return redirect("reports:facilitator_assessment", assessment_pk=assessment.pk)
    return render(
        request,
        "development/facilitator_debrief.html",
        {
            "assessment": assessment,
            "debrief": debrief,
            "form": form,
            "released": released,
            "by_facilitator": by_facilitator,
            "refusal": refusal if by_facilitator else "",
        },
    )


@login_required
def facilitator_plan(request, assessment_pk):
    """The leader's plan, with a comment box for each goal."""
    assessment = assessment_for_plan_facilitator(request.user, assessment_pk)
    plan = plan_private(user=request.user, assessment=assessment)
    goals = goals_private(user=request.user, assessment=assessment)
    errors = []
    if request.method == "POST" and plan is not None:
        comments = {}
        for goal in goals:
            text = request.POST.get(f"comment-{goal.pk}", "")
            if len(text) > 2000:
                errors.append(
                    {
                        "text": f"Goal {goal.position}: your comment must be 2000 characters or "
                        "fewer",
                        "target": f"comment-{goal.pk}",
                    }
                )
            comments[goal.pk] = text
        if not errors:
            goal_comments_save(plan=plan, comments=comments)
            messages.success(request, "Your comments have been saved.")
            return redirect("development:facilitator_plan", assessment_pk=assessment.pk)
        for goal in goals:
            goal.facilitator_comment = comments.get(goal.pk, goal.facilitator_comment)
    return render(
        request,
        "development/facilitator_plan.html",
        {"assessment": assessment, "plan": plan, "goals": goals, "errors": errors},
    )


@login_required
def facilitator_plan_pdf(request, assessment_pk):
    assessment = assessment_for_plan_facilitator(request.user, assessment_pk)
    return _plan_pdf(request, assessment, "development:facilitator_plan")


# The programme admin -------------------------------------------------------------------


@login_required
def programme_plans(request, programme_pk):
    """Which leaders have had their debrief and written a plan: dates and counts only."""
    programme = programme_for_admin(request.user, programme_pk)
    overview = plan_overview(programme=programme)
    rows = [
        {"assessment": a, **overview[a.pk]}
        for a in programme.assessments.select_related("leader", "facilitator").order_by(
            "leader__full_name"
        )
    ]
    return render(
        request, "development/programme_plans.html", {"programme": programme, "rows": rows}
    )
