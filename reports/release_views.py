"""Programme admins: redacting comments before release, releasing, and reopening reports.

Every page is reached through ``assessment_for_admin`` or ``programme_for_admin``: a leader
or programme that is not the admin's is a 404. Actions are POST; reopening asks for a reason
on a page of its own.
"""

import hashlib
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from assessments.access import assessment_for_admin, programme_for_admin

from .forms import ReopenForm
from .release import (
    assessment_reports_releasable,
    assessment_reports_release,
    assessment_reports_reopen,
    comments_for_review,
    programme_reports_release,
    theme_comment_redact,
)
from .services import report_is_released


def _refused(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@login_required
def comments(request, assessment_pk):
    assessment = assessment_for_admin(request.user, assessment_pk)
    listed = sorted(
        comments_for_review(assessment=assessment),
        key=lambda c: (c.theme.order, c.redacted_at is not None, _order(assessment, c)),
    )
    themes = [
        {"theme": theme, "comments": list(items)}
        for theme, items in groupby(listed, key=lambda c: c.theme)
    ]
    return render(
        request,
        "reports/comments.html",
        {
            "assessment": assessment,
            "programme": assessment.programme,
            "themes": themes,
            "released": report_is_released(assessment=assessment),
        },
    )


def _order(assessment, comment) -> str:
    """The reports' order (a hash of the text): unrelated to who wrote it, or when."""
    key = f"{assessment.pk}:{comment.theme_id}:{comment.text}"
    return hashlib.sha256(key.encode()).hexdigest()


@login_required
@require_POST
def comment_redact(request, assessment_pk, comment_pk):
    assessment = assessment_for_admin(request.user, assessment_pk)
    comment = get_object_or_404(comments_for_review(assessment=assessment), pk=comment_pk)
    try:
        redacted = theme_comment_redact(comment=comment, by=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        if redacted:
            messages.success(request, "The comment has been redacted: no report will show it.")
        else:
            messages.info(request, "That comment was already redacted.")
    return redirect("reports:admin_comments", assessment_pk=assessment.pk)


def release_confirm(
    request,
    *,
    programme,
    heading,
    who,
    who_short,
    button,
    back_url,
    back_label,
    refusal="",
    comments_url="",
):
    """The "check before you continue" page of a release: what it does, then a POST."""
    return render(
        request,
        "reports/release_confirm.html",
        {
            "programme": programme,
            "heading": heading,
            "who": who,
            "who_short": who_short,
            "button": button,
            "back_url": back_url,
            "back_label": back_label,
            "refusal": refusal,
            "comments_url": comments_url,
        },
    )


@login_required
def release(request, assessment_pk):
    assessment = assessment_for_admin(request.user, assessment_pk)
    if request.method != "POST":
        name = assessment.leader.full_name
        return release_confirm(
            request,
            programme=assessment.programme,
            heading=f"Release the reports for {name}?",
            who=name,
            who_short=name,
            button="Release the reports",
            back_url=reverse("reports:admin_assessment", kwargs={"assessment_pk": assessment.pk}),
            back_label=f"Reports for {name}",
            refusal=assessment_reports_releasable(assessment=assessment),
            comments_url=reverse("reports:admin_comments", kwargs={"assessment_pk": assessment.pk}),
        )
    try:
        assessment_reports_release(assessment=assessment, by=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"{assessment.leader.full_name} can now read their reports.")
    return redirect("reports:admin_assessment", assessment_pk=assessment.pk)


@login_required
def reopen(request, assessment_pk):
    assessment = assessment_for_admin(request.user, assessment_pk)
    form = ReopenForm(
        request.POST if request.method == "POST" else None,
        action=reverse("reports:admin_reopen", kwargs={"assessment_pk": assessment.pk}),
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment_reports_reopen(
                assessment=assessment, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{assessment.leader.full_name}'s reports are reopened and being generated "
                "again. They cannot read them until you release them again.",
            )
            return redirect("reports:admin_assessment", assessment_pk=assessment.pk)
    return render(
        request,
        "reports/reopen.html",
        {
            "assessment": assessment,
            "programme": assessment.programme,
            "form": form,
            "released": report_is_released(assessment=assessment),
        },
    )


@login_required
def programme_release(request, programme_pk):
    programme = programme_for_admin(request.user, programme_pk)
    if request.method != "POST":
        refusal = (
            ""
            if programme.is_closed
            else ("Reports can be released once the programme has closed.")
        )
        return release_confirm(
            request,
            programme=programme,
            heading="Release every leader's reports?",
            who="Every leader whose reports are not released yet",
            who_short="a leader",
            button="Release every leader's reports",
            back_url=reverse("programmes:detail", kwargs={"pk": programme.pk}),
            back_label=f"Back to {programme.name}",
            refusal=refusal,
        )
    try:
        released = programme_reports_release(programme=programme, by=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        if released:
            messages.success(request, "Every leader can now read their reports.")
        else:
            messages.info(request, "The programme's reports were already released.")
    return redirect("programmes:detail", pk=programme.pk)
