"""Programme admins: importing leaders from a file (upload → check → import), and removing
one leader.

Between the check and the import the rows stay in the admin's session, keyed by a random
token the confirmation form carries: the import writes exactly the rows that were checked,
and nothing the browser sends can change them.
"""

import csv
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.crypto import constant_time_compare

from ..access import programme_for_admin
from ..forms.imports import LeaderImportConfirmForm, LeaderImportForm
from ..models import Invitation, LeaderImport
from ..services.import_jobs import import_in_request_max_rows, leader_import_queue
from ..services.imports import (
    COLUMNS,
    LeaderFile,
    PlanChanged,
    assessment_remove,
    import_summary,
    leader_import_plan,
    leaders_import,
)


def _session_key(programme) -> str:
    return f"leader_import_{programme.pk}"


def _checked_import(request, programme):
    """The token and file of the import checked for this programme, or (None, None)."""
    stored = request.session.get(_session_key(programme))
    try:
        return stored["token"], LeaderFile.from_data(stored["file"])
    except (KeyError, TypeError, ValueError, IndexError):
        return None, None


@login_required
def leader_import(request, pk):
    programme = programme_for_admin(request.user, pk)
    form = LeaderImportForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    plan = None
    if request.method == "POST" and form.is_valid():
        leader_file = form.cleaned_data["file"]
        plan = leader_import_plan(programme=programme, leader_file=leader_file)
        if not plan.problems:
            request.session[_session_key(programme)] = {
                "token": secrets.token_urlsafe(24),
                "file": leader_file.as_data(),
            }
            return redirect("imports:check", pk=programme.pk)
        form.add_error(
            "file",
            f"Nothing has been imported: {len(plan.problems):,} "
            f"problem{'s' if len(plan.problems) > 1 else ''} in {plan.problem_rows:,} "
            f"row{'s' if plan.problem_rows > 1 else ''}, listed below. Fix the file and "
            "upload it again.",
        )
    return render(
        request,
        "assessments/imports/upload.html",
        {"programme": programme, "form": form, "plan": plan},
    )


@login_required
def leader_import_check(request, pk):
    programme = programme_for_admin(request.user, pk)
    token, leader_file = _checked_import(request, programme)
    if token is None:
        messages.warning(request, "There is no checked file to import. Upload the file again.")
        return redirect("imports:upload", pk=programme.pk)
    changed = False
    if request.method == "POST":
        form = LeaderImportConfirmForm(request.POST)
        if not form.is_valid() or not constant_time_compare(form.cleaned_data["token"], token):
            messages.warning(
                request,
                "That import was not the file last checked, so nothing has been imported. "
                "Check the file again before importing it.",
            )
            return redirect("imports:upload", pk=programme.pk)
        if len(leader_file.rows) > import_in_request_max_rows():
            job = leader_import_queue(
                programme=programme,
                leader_file=leader_file,
                fingerprint=form.cleaned_data["fingerprint"],
                by=request.user,
            )
            del request.session[_session_key(programme)]
            return redirect("imports:progress", pk=programme.pk, import_pk=job.pk)
        try:
            plan = leaders_import(
                programme=programme,
                leader_file=leader_file,
                by=request.user,
                fingerprint=form.cleaned_data["fingerprint"],
            )
        except PlanChanged as error:
            plan, changed = error.plan, True
        else:
            if not plan.problems:
                del request.session[_session_key(programme)]
                messages.success(request, import_summary(plan))
                return redirect("programmes:detail", pk=programme.pk)
    else:
        plan = leader_import_plan(programme=programme, leader_file=leader_file)
    form = LeaderImportConfirmForm(initial={"token": token, "fingerprint": plan.fingerprint()})
    return render(
        request,
        "assessments/imports/check.html",
        {"programme": programme, "plan": plan, "form": form, "changed": changed},
    )


@login_required
def leader_import_progress(request, pk, import_pk):
    """A big import, run by a worker: where it has got to."""
    programme = programme_for_admin(request.user, pk)
    job = get_object_or_404(programme.leader_imports, pk=import_pk)
    pending = job.status in (LeaderImport.Status.QUEUED, LeaderImport.Status.RUNNING)
    return render(
        request,
        "assessments/imports/progress.html",
        {"programme": programme, "job": job, "refresh_seconds": 3 if pending else None},
    )


@login_required
def leader_import_template(request, pk):
    programme_for_admin(request.user, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="leaders-template.csv"'
    response.write("\ufeff")  # so Excel opens it as UTF-8 and keeps accented names
    csv.writer(response).writerow(COLUMNS)
    return response


@login_required
def leader_remove(request, pk, assessment_pk):
    programme = programme_for_admin(request.user, pk)
    assessment = get_object_or_404(
        programme.assessments.select_related("leader", "facilitator"), pk=assessment_pk
    )
    error = None
    if request.method == "POST":
        try:
            assessment_remove(assessment=assessment, by=request.user)
        except ValidationError as refusal:
            error = refusal.messages[0]
        else:
            messages.success(
                request, f"{assessment.leader.full_name} has been removed from {programme.name}."
            )
            return redirect("programmes:detail", pk=programme.pk)
    responses = assessment.responses.count() + assessment.envelopes.count()
    raters = assessment.invitations.exclude(state=Invitation.State.REVOKED)
    return render(
        request,
        "assessments/imports/leader_remove.html",
        {
            "programme": programme,
            "assessment": assessment,
            "responses": responses,
            "raters": raters.count(),
            "raters_invited": raters.filter(state__in=Invitation.OPEN_STATES).count(),
            "error": error,
        },
    )
