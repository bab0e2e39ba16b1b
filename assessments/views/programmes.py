"""Programme admins' pages: their programmes, creating and editing one, its leaders, closing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from accounts.models import Role

from ..access import (
    assessments_for_facilitator,
    programme_for_admin,
    programme_for_staff,
    programmes_visible_to_staff,
)
from ..forms.programmes import (
    FollowUpForm,
    LeaderAddForm,
    LeaderFilterForm,
    ProgrammeForm,
    ProgrammeReopenForm,
)
from ..selectors import (
    nomination_status,
    programme_assessments_filtered,
    programme_rules,
    programme_totals,
)
from ..services.follow_ups import programme_follow_up_create
from ..services.programmes import (
    assessment_create,
    programme_close,
    programme_create,
    programme_reopen,
    programme_update,
)

LEADERS_PER_PAGE = 50


def _may_create_programmes(user):
    return user.is_superuser or user.has_role(Role.PROGRAMME_ADMIN)


def _programme_fields(form):
    return {name: form.cleaned_data[name] for name in ProgrammeForm.Meta.fields}


@login_required
def programme_list(request):
    programmes = programmes_visible_to_staff(request.user).select_related("framework")
    return render(
        request,
        "assessments/programmes/list.html",
        {
            "programmes": programmes,
            "may_create": _may_create_programmes(request.user),
            "facilitates": assessments_for_facilitator(request.user).exists(),
        },
    )


@login_required
def programme_new(request):
    if not _may_create_programmes(request.user):
        raise PermissionDenied
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = programme_create(
                created_by=request.user, rules=form.nomination_rules(), **_programme_fields(form)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{programme.name} has been created.")
            return redirect("programmes:detail", pk=programme.pk)
    return render(request, "assessments/programmes/form.html", {"form": form, "programme": None})


@login_required
def programme_edit(request, pk):
    programme = programme_for_admin(request.user, pk)
    form = ProgrammeForm(
        request.POST or None, instance=programme, rules=programme_rules(programme=programme)
    )
    if request.method == "POST" and form.is_valid():
        try:
            programme_update(
                programme=programme,
                rules=form.nomination_rules(),
                by=request.user,
                **_programme_fields(form),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The programme's settings have been saved.")
            return redirect("programmes:detail", pk=programme.pk)
    return render(
        request, "assessments/programmes/form.html", {"form": form, "programme": programme}
    )


@login_required
def programme_detail(request, pk):
    programme, runs_it = programme_for_staff(request.user, pk)
    # A facilitator who does not run the programme sees the leaders assigned to them only.
    within = None if runs_it else assessments_for_facilitator(request.user)
    rules = programme_rules(programme=programme)
    filter_form = LeaderFilterForm(request.GET or None)
    leaders = programme_assessments_filtered(
        programme=programme, rules=rules, within=within, **filter_form.filters()
    )
    page = Paginator(leaders, LEADERS_PER_PAGE).get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    rows = []
    for assessment in page:
        counts = {
            key.removeprefix("nominated_"): value
            for key, value in vars(assessment).items()
            if key.startswith("nominated_") and key != "nominated_total"
        }
        rows.append(
            {
                "assessment": assessment,
                "nominations": nomination_status(
                    counts=counts, rules=rules, minimum_total=programme.minimum_raters
                ),
            }
        )
    return render(
        request,
        f"assessments/programmes/{'detail' if runs_it else 'facilitated'}.html",
        {
            "programme": programme,
            "rules": rules,
            "rows": rows,
            "page": page,
            "filter_form": filter_form,
            "query_string": query_string.urlencode(),
            "totals": programme_totals(programme=programme, within=within),
        },
    )


@login_required
def leader_add(request, pk):
    programme = programme_for_admin(request.user, pk)
    form = LeaderAddForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        assessment, _ = assessment_create(
            programme=programme,
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            facilitator=form.cleaned_data["facilitator"],
            added_by=request.user,
        )
        messages.success(
            request, f"{assessment.leader.full_name} has been added and sent an invitation."
        )
        return redirect("programmes:detail", pk=programme.pk)
    return render(
        request, "assessments/programmes/leader_add.html", {"form": form, "programme": programme}
    )


@login_required
def programme_close_now(request, pk):
    """Check before you continue: what closing now does, then the close itself (POST)."""
    programme = programme_for_admin(request.user, pk)
    if request.method == "POST":
        if programme_close(programme=programme, by=request.user):
            messages.success(request, f"{programme.name} is closed. Raters can no longer submit.")
        else:
            messages.info(request, f"{programme.name} was already closed.")
        return redirect("programmes:detail", pk=programme.pk)
    if programme.is_closed:
        messages.info(request, f"{programme.name} is already closed.")
        return redirect("programmes:detail", pk=programme.pk)
    return render(
        request,
        "assessments/programmes/close.html",
        {"programme": programme, "totals": programme_totals(programme=programme)},
    )


@login_required
def programme_reopen_view(request, pk):
    """Reopen a closed programme for late feedback: audited, and says what leaders will see."""
    programme = programme_for_admin(request.user, pk)
    form = ProgrammeReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme_reopen(
                programme=programme,
                closes_at=form.cleaned_data["closes_at"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{programme.name} is open again.")
            return redirect("programmes:detail", pk=programme.pk)
    return render(
        request,
        "assessments/programmes/reopen.html",
        {"programme": programme, "form": form},
    )


@login_required
def programme_follow_up(request, pk):
    """Create a follow-up of a closed programme: same framework, settings and leaders."""
    earlier = programme_for_admin(request.user, pk)
    form = FollowUpForm(request.POST or None, earlier=earlier)
    if request.method == "POST" and form.is_valid():
        try:
            programme = programme_follow_up_create(
                earlier=earlier, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{programme.name} has been created, with the {programme.assessments.count()} "
                f"leaders of {earlier.name}.",
            )
            return redirect("programmes:detail", pk=programme.pk)
    return render(
        request, "assessments/programmes/follow_up.html", {"programme": earlier, "form": form}
    )
