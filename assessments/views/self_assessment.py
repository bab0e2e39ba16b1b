"""The leader's self-assessment: one page per quality, a review, submit once, then a
summary."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.emails import uk_date
from assessments.access import assessment_for_leader
from assessments.forms.rating import ThemeRatingForm
from assessments.models import RaterGroup, Response
from assessments.services.rating_form import (
    NAVIGATION_ACTIONS,
    FormPlace,
    draft_contents,
    page_context,
    rating_outline,
    resume_url,
    review_context,
    self_response_summary,
    url_after_save,
)
from assessments.services.responses import (
    AnswersRefused,
    ResponseIncomplete,
    draft_save,
    refusal_for,
    response_submit,
)


def _place(assessment) -> FormPlace:
    pk = assessment.pk
    return FormPlace(
        title="Your self-assessment",
        question_prefix="Thinking about your own leadership:",
        comment_hint="Anything you want to remember about this theme when you read your report.",
        page_url=lambda theme, part=1: (
            reverse("self_assessment:page", args=[pk, theme.slug])
            if part == 1
            else reverse("self_assessment:page_part", args=[pk, theme.slug, part])
        ),
        review_url=reverse("self_assessment:review", args=[pk]),
        offers_not_observed=False,  # a leader always observes themselves
    )


def _refused(request, assessment, refusal: AnswersRefused):
    if refusal.reason == AnswersRefused.SUBMITTED:
        return redirect("self_assessment:done", assessment.pk)
    if refusal.reason == AnswersRefused.NOT_YET_OPEN:
        heading = "Your self-assessment is not open yet"
        message = f"It opens on {uk_date(refusal.on)}."
        status = 403
    else:
        heading = "Your self-assessment has closed"
        message = (
            f"The self-assessment closed on {uk_date(refusal.on)}. "
            "Your saved answers are kept but can no longer be submitted."
        )
        status = 410
    return render(
        request,
        "assessments/rating/unavailable.html",
        {"heading": heading, "message": message, "assessment": assessment},
        status=status,
    )


@login_required
def start(request, assessment_pk):
    """Resume at the first page with an unanswered statement (the review when none)."""
    assessment = assessment_for_leader(request.user, assessment_pk)
    refusal = refusal_for(assessment=assessment)
    if refusal is not None:
        return _refused(request, assessment, refusal)
    outline = rating_outline(framework=assessment.programme.framework)
    answers, _ = draft_contents(assessment=assessment)
    return redirect(resume_url(place=_place(assessment), outline=outline, answers=answers))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def page(request, assessment_pk, theme_slug, part=1):
    """One quality's statements (``part``: its place in the theme)."""
    assessment = assessment_for_leader(request.user, assessment_pk)
    outline = rating_outline(framework=assessment.programme.framework)
    theme = outline.theme(theme_slug)
    quality = outline.quality_at(theme, part) if theme is not None else None
    if quality is None:
        raise Http404("No such page")
    refusal = refusal_for(assessment=assessment)
    if refusal is not None:
        return _refused(request, assessment, refusal)
    place = _place(assessment)
    form = None
    if request.method == "POST":
        form = ThemeRatingForm(
            request.POST,
            outline=outline,
            theme=theme,
            quality=quality,
            not_observed=place.offers_not_observed,
        )
        if form.is_valid():
            try:
                draft_save(assessment=assessment, answers=form.answers(), comments=form.comments())
            except AnswersRefused as refused:
                return _refused(request, assessment, refused)
            action = request.POST.get("action", "save")
            action = action if action in NAVIGATION_ACTIONS else "save"
            return redirect(
                url_after_save(place=place, outline=outline, theme=theme, part=part, action=action)
            )
    # Read only now: a valid POST saves (and redirects) without it.
    answers, comments = draft_contents(assessment=assessment)
    if form is None:
        form = ThemeRatingForm(
            outline=outline,
            theme=theme,
            answers=answers,
            comment=comments.get(str(theme.pk), ""),
            not_observed=place.offers_not_observed,
            quality=quality,
        )
    context = page_context(
        place=place,
        outline=outline,
        theme=theme,
        form=form,
        answers=answers,
        saved="saved" in request.GET,
        part=part,
    )
    return render(request, "assessments/rating/page.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def review(request, assessment_pk):
    """The answers theme by theme; POST submits them."""
    assessment = assessment_for_leader(request.user, assessment_pk)
    refusal = refusal_for(assessment=assessment)
    if refusal is not None:
        return _refused(request, assessment, refusal)
    missing = None
    if request.method == "POST":
        try:
            response_submit(assessment=assessment)
        except AnswersRefused as refused:
            return _refused(request, assessment, refused)
        except ResponseIncomplete as incomplete:
            missing = incomplete.missing
        else:
            return redirect("self_assessment:done", assessment.pk)
    outline = rating_outline(framework=assessment.programme.framework)
    answers, comments = draft_contents(assessment=assessment)
    context = review_context(
        place=_place(assessment),
        outline=outline,
        answers=answers,
        comments=comments,
        missing=missing,
    )
    return render(request, "assessments/rating/review.html", context)


@login_required
def done(request, assessment_pk):
    """After submitting: a read-only summary of the leader's own answers."""
    assessment = assessment_for_leader(request.user, assessment_pk)
    response = Response.objects.filter(assessment=assessment, rater_group=RaterGroup.SELF).first()
    if response is None:
        return redirect("self_assessment:start", assessment.pk)
    outline = rating_outline(framework=assessment.programme.framework)
    context = {
        "assessment": assessment,
        "response": response,
        "themes": self_response_summary(outline=outline, response=response),
    }
    return render(request, "assessments/rating/done.html", context)
