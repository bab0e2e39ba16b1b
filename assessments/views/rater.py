"""The rater's personal link and form. Raters have no account.

GET (and HEAD) of the emailed link only shows a landing page: mail scanners fetch links
before people do, so nothing changes until the rater presses Start (a POST). Start binds the
invitation to the browser session, and the form itself lives at token-free URLs, so the
token does not linger in history, logs or Referer headers. Unknown and malformed tokens
get the same 404, counted per client address; past a limit they get 429, while a real
link always opens (``assessments.link_guesses``).
"""

from functools import wraps

from django.http import Http404
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.utils.decorators import decorator_from_middleware
from django.views.decorators.http import require_http_methods

from accounts.emails import uk_date, uk_time
from assessments import tokens
from assessments.forms.rating import DeclineForm, ThemeRatingForm
from assessments.link_guesses import link_miss_record, link_miss_window
from assessments.models import Invitation, RaterGroup
from assessments.rater_groups import group_wording
from assessments.refusals import refusal_wording
from assessments.services.rating_form import (
    NAVIGATION_ACTIONS,
    FormPlace,
    draft_contents,
    page_context,
    rating_outline,
    resume_url,
    review_context,
    url_after_save,
)
from assessments.services.responses import (
    AnswersRefused,
    ResponseIncomplete,
    draft_save,
    invitation_decline,
    invitation_start,
    refusal_for,
    response_submit,
)
from config.compiled import CompiledLookup
from config.url_cache import reverse_cached

SESSION_INVITATION = "rater_invitation_id"
# A reissued link also ends sessions opened with the old one.
SESSION_TOKEN_HASH = "rater_token_hash"  # noqa: S105 (a session key, not a secret)


class _CsrfWithoutReferrer(CsrfViewMiddleware):
    """Django's CSRF check for pages served with ``Referrer-Policy: no-referrer``.

    Under that policy browsers send ``Origin: null`` (and no Referer) with the page's own
    form posts, which Django's origin check refuses. The CSRF token is still checked; the
    cookie-injection attack the origin check guards against is closed in production by the
    ``__Host-`` cookie prefix and HSTS.
    """

    def _origin_verified(self, request):
        return request.META.get("HTTP_ORIGIN") == "null" or super()._origin_verified(request)


_csrf_protect = decorator_from_middleware(_CsrfWithoutReferrer)


def rater_headers(view):
    """No Referer leaves these pages, and no copy is kept by browsers or proxies.

    Every view under /feedback/ goes through this, so every response carries the headers
    (a 404 included), and its forms are CSRF-checked by ``_CsrfWithoutReferrer``.
    """
    protected = _csrf_protect(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            response = protected(request, *args, **kwargs)
        except Http404:
            response = _not_found(request)
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "no-store"
        return response

    wrapped.csrf_exempt = True  # from the site-wide check: _csrf_protect does it instead
    return wrapped


def _not_found(request):
    return render(request, "assessments/rater/not_found.html", status=404)


def _rate_limited(request):
    response = render(
        request,
        "assessments/rater/rate_limited.html",
        {"minutes": max(1, link_miss_window() // 60)},
        status=429,
    )
    response["Retry-After"] = str(link_miss_window())
    return response


def _unavailable(request, invitation, refusal: AnswersRefused):
    """The plain page for a link that no longer (or not yet) opens the form."""
    wording = refusal_wording(
        refusal.reason, on=uk_date(refusal.on), leader=invitation.assessment.leader.full_name
    )
    if wording is None:
        return _not_found(request)
    heading, message = wording
    status = 403 if refusal.reason == AnswersRefused.NOT_YET_OPEN else 410
    context = {"heading": heading, "message": message}
    return render(request, "assessments/rating/unavailable.html", context, status=status)


def _no_session(request):
    return render(request, "assessments/rater/no_session.html", status=403)


def _invitation_for_token(token: str) -> Invitation | None:
    if not tokens.token_looks_valid(token):
        return None
    invitation = (
        Invitation.objects.select_related("assessment__programme", "assessment__leader")
        .filter(token_hash=tokens.token_hash(token))
        .first()
    )
    if invitation is None or invitation.state == Invitation.State.NOMINATED:
        return None
    return invitation


# What the form's pages read of the session's invitation: its state (refusal_for), its link's
# hash (a reissued link ends the session), the programme's dates and framework version, and
# the leader's name. Every page asks for it, so it is one narrow query (issue 15, item 9).
SESSION_INVITATION_FIELDS = (
    "id",
    "assessment_id",
    "rater_group",
    "state",
    "token_hash",
    "submitted_on",
    "declined_at",
    "revoked_at",
    "assessment__id",
    "assessment__programme_id",
    "assessment__leader_id",
    "assessment__programme__id",
    "assessment__programme__name",
    "assessment__programme__framework_id",
    "assessment__programme__opens_at",
    "assessment__programme__closes_at",
    "assessment__programme__closed_at",
    "assessment__programme__released_at",
    "assessment__leader__id",
    "assessment__leader__full_name",
)
# Compiled once per process (config/compiled.py); no ORDER BY: the model's default ordering
# would join the assessment's and programme's orderings into a lookup by primary key.
_SESSION_INVITATION = CompiledLookup(
    Invitation.objects.select_related("assessment__programme", "assessment__leader")
    .only(*SESSION_INVITATION_FIELDS)
    .order_by()
)


def _invitation_in_session(request) -> Invitation | None:
    pk = request.session.get(SESSION_INVITATION)
    if not isinstance(pk, int):
        return None
    return _SESSION_INVITATION.get(pk)


def _open_invitation(request):
    """(invitation, None) when this session may answer now, else (None, the page to show)."""
    invitation = _invitation_in_session(request)
    if invitation is None:
        return None, _no_session(request)
    refusal = refusal_for(assessment=invitation.assessment, invitation=invitation)
    if refusal is not None:
        return None, _unavailable(request, invitation, refusal)
    if request.session.get(SESSION_TOKEN_HASH) != invitation.token_hash:
        return None, _no_session(request)
    return invitation, None


def _bind_session(request, invitation) -> None:
    request.session.cycle_key()
    request.session[SESSION_INVITATION] = invitation.pk
    request.session[SESSION_TOKEN_HASH] = invitation.token_hash


def _place(invitation) -> FormPlace:
    leader = invitation.assessment.leader.full_name
    return FormPlace(
        title=f"Feedback for {leader}",
        question_prefix=f"Thinking about {leader}:",
        comment_hint=(
            f"{leader} will read your comment word for word, mixed with other people's "
            "comments and without your name. Avoid details that would identify you."
        ),
        page_url=lambda theme, part=1: (
            reverse_cached("rater:page", args=[theme.slug])
            if part == 1
            else reverse_cached("rater:page_part", args=[theme.slug, part])
        ),
        review_url=reverse_cached("rater:review"),
        decline_url=reverse_cached("rater:decline"),
    )


# The views.


@rater_headers
@require_http_methods(["GET", "HEAD", "POST"])
def link(request, token):
    """The emailed link: GET shows who asks and why; POST starts (or declines)."""
    invitation = _invitation_for_token(token)
    if invitation is None:
        if link_miss_record(request):
            return _rate_limited(request)
        return _not_found(request)
    assessment = invitation.assessment
    refusal = refusal_for(assessment=assessment, invitation=invitation)
    if refusal is not None:
        return _unavailable(request, invitation, refusal)
    if request.method == "POST":
        if request.POST.get("action") == "decline":
            _bind_session(request, invitation)
            return redirect("rater:decline")
        try:
            invitation_start(invitation=invitation)
        except AnswersRefused as refused:
            return _unavailable(request, invitation, refused)
        _bind_session(request, invitation)
        return redirect("rater:form")
    programme = assessment.programme
    context = {
        "invitation": invitation,
        "leader": assessment.leader.full_name,
        "programme": programme,
        "deadline": uk_time(programme.closes_at),
        "group": invitation.rater_group,
        "is_line_manager": invitation.rater_group == RaterGroup.LINE_MANAGER,
        "group_description": group_wording(invitation.rater_group).relationship,
        "threshold": programme.anonymity_threshold,
        "has_started": invitation.state == Invitation.State.STARTED,
    }
    return render(request, "assessments/rater/landing.html", context)


@rater_headers
def form_start(request):
    """Resume at the first page with an unanswered statement."""
    invitation, refused = _open_invitation(request)
    if refused:
        return refused
    outline = rating_outline(framework_id=invitation.assessment.programme.framework_id)
    answers, _ = draft_contents(assessment=invitation.assessment, invitation=invitation)
    return redirect(resume_url(place=_place(invitation), outline=outline, answers=answers))


@rater_headers
@require_http_methods(["GET", "HEAD", "POST"])
def page(request, theme_slug, part=1):
    """One quality's statements (``part``: its place in the theme)."""
    invitation, refused = _open_invitation(request)
    if refused:
        return refused
    assessment = invitation.assessment
    outline = rating_outline(framework_id=assessment.programme.framework_id)
    theme = outline.theme(theme_slug)
    quality = outline.quality_at(theme, part) if theme is not None else None
    if quality is None:
        return _not_found(request)
    place = _place(invitation)
    form = None
    if request.method == "POST":
        form = ThemeRatingForm(request.POST, outline=outline, theme=theme, quality=quality)
        if form.is_valid():
            try:
                draft_save(
                    assessment=assessment,
                    invitation=invitation,
                    answers=form.answers(),
                    comments=form.comments(),
                )
            except AnswersRefused as refusal:
                return _unavailable(request, invitation, refusal)
            action = request.POST.get("action", "save")
            action = action if action in NAVIGATION_ACTIONS else "save"
            return redirect(
                url_after_save(place=place, outline=outline, theme=theme, part=part, action=action)
            )
    # Read only now: a valid POST saves (and redirects) without it.
    answers, comments = draft_contents(assessment=assessment, invitation=invitation)
    if form is None:
        form = ThemeRatingForm(
            outline=outline,
            theme=theme,
            quality=quality,
            answers=answers,
            comment=comments.get(str(theme.pk), ""),
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


@rater_headers
@require_http_methods(["GET", "HEAD", "POST"])
def review(request):
    """The answers theme by theme; POST submits them, once."""
    invitation, refused = _open_invitation(request)
    if refused:
        sealed = _invitation_in_session(request)
        if request.method == "POST" and sealed and sealed.state == Invitation.State.SUBMITTED:
            return redirect("rater:done")  # a double click lands on the thanks too
        return refused
    assessment = invitation.assessment
    missing = None
    if request.method == "POST":
        try:
            response_submit(assessment=assessment, invitation=invitation)
        except AnswersRefused as refusal:
            if refusal.reason == AnswersRefused.SUBMITTED:
                return redirect("rater:done")
            return _unavailable(request, invitation, refusal)
        except ResponseIncomplete as incomplete:
            missing = incomplete.missing
        else:
            return redirect("rater:done")
    outline = rating_outline(framework_id=assessment.programme.framework_id)
    answers, comments = draft_contents(assessment=assessment, invitation=invitation)
    context = review_context(
        place=_place(invitation),
        outline=outline,
        answers=answers,
        comments=comments,
        missing=missing,
    )
    return render(request, "assessments/rating/review.html", context)


@rater_headers
def done(request):
    """Thanks, after submitting or declining."""
    invitation = _invitation_in_session(request)
    if invitation is None:
        return _no_session(request)
    if invitation.state not in (Invitation.State.SUBMITTED, Invitation.State.DECLINED):
        invitation, refused = _open_invitation(request)
        return refused or redirect("rater:form")
    context = {
        "leader": invitation.assessment.leader.full_name,
        "declined": invitation.state == Invitation.State.DECLINED,
        "submitted_on": uk_date(invitation.submitted_on),
    }
    return render(request, "assessments/rater/done.html", context)


@rater_headers
@require_http_methods(["GET", "HEAD", "POST"])
def decline(request):
    invitation, refused = _open_invitation(request)
    if refused:
        return refused
    form = DeclineForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_decline(invitation=invitation, reason=form.cleaned_data["reason"])
        except AnswersRefused as refusal:
            return _unavailable(request, invitation, refusal)
        return redirect("rater:done")
    context = {
        "form": form,
        "leader": invitation.assessment.leader.full_name,
        "error_links": [("#reason", message) for message in form.errors.get("reason", [])],
    }
    return render(request, "assessments/rater/decline.html", context)


@rater_headers
def not_found(request):
    """Everything else under /feedback/, so it too gets this area's headers."""
    if request.method in ("GET", "HEAD") and not request.path.endswith("/"):
        return redirect(request.path + "/")
    return _not_found(request)
