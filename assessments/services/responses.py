"""Writes to drafts and responses: saving answers, sealing them, starting and declining.

Every write locks the row that owns the answers (the invitation, or the assessment for the
leader's self-assessment) and re-checks under that lock that answers are still accepted,
so two tabs, a double click or many concurrent requests end with at most one Response and
no draft left behind for a form that is already submitted.
"""

import random

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..boxes import box_seal
from ..models import (
    COMMENT_MAX_LENGTH,
    Assessment,
    Draft,
    Envelope,
    Invitation,
    Programme,
    RaterGroup,
    Rating,
    Response,
    ThemeComment,
)
from .rating_form import NOT_OBSERVED, RatingOutline, rating_outline


class AnswersRefused(Exception):
    """The form no longer (or not yet) accepts answers.

    ``reason`` is one of the REASON_* codes; ``on`` is the date or time it happened, when
    there is one (the close, the submission day, the decline).
    """

    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"
    SUBMITTED = "submitted"
    DECLINED = "declined"
    REVOKED = "revoked"
    NOT_INVITED = "not_invited"

    def __init__(self, reason: str, *, on=None):
        super().__init__(reason)
        self.reason = reason
        self.on = on


class ResponseIncomplete(ValidationError):
    """Submit with statements left unanswered; ``missing`` lists their ids in form order."""

    def __init__(self, missing: list[int]):
        super().__init__(
            "Answer every statement before you submit (%(count)d left).",
            code="incomplete",
            params={"count": len(missing)},
        )
        self.missing = missing


def refusal_for(*, assessment: Assessment, invitation: Invitation | None = None, now=None):
    """Why answers are not accepted now, or None when they are.

    For a rater the invitation's own state speaks first (a submitted rater is told so even
    after the close); for the self-assessment, a submitted self response.
    """
    if invitation is not None:
        state = invitation.state
        if state == Invitation.State.SUBMITTED:
            return AnswersRefused(AnswersRefused.SUBMITTED, on=invitation.submitted_on)
        if state == Invitation.State.DECLINED:
            return AnswersRefused(AnswersRefused.DECLINED, on=invitation.declined_at)
        if state == Invitation.State.REVOKED:
            return AnswersRefused(AnswersRefused.REVOKED, on=invitation.revoked_at)
        if state not in Invitation.OPEN_STATES:
            return AnswersRefused(AnswersRefused.NOT_INVITED)
    elif assessment.self_submitted_on is not None:
        return AnswersRefused(AnswersRefused.SUBMITTED, on=assessment.self_submitted_on)
    programme = assessment.programme
    state = programme.state_at(now)
    if state in (Programme.State.CLOSED, Programme.State.RELEASED):
        return AnswersRefused(AnswersRefused.CLOSED, on=programme.effective_close)
    if state == Programme.State.DRAFT:
        return AnswersRefused(AnswersRefused.NOT_YET_OPEN, on=programme.opens_at)
    return None


def _lock(*, assessment: Assessment, invitation: Invitation | None):
    """Lock the owner of the answers and return fresh copies of what the checks read."""
    if invitation is not None:
        if invitation.assessment_id != assessment.pk:
            raise ValueError("The invitation belongs to another assessment.")
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    else:
        Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
    assessment = Assessment.objects.select_related("programme__framework").get(pk=assessment.pk)
    return assessment, invitation


def _lock_with_draft(*, assessment: Assessment, invitation: Invitation):
    """``_lock`` for a rater in one query, with their draft (None when there is none)."""
    if invitation.assessment_id != assessment.pk:
        raise ValueError("The invitation belongs to another assessment.")
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("assessment__programme", "draft")
        .get(pk=invitation.pk)
    )
    try:
        draft = invitation.draft
    except Draft.DoesNotExist:
        draft = None
    return invitation.assessment, invitation, draft


def _draft_filter(*, assessment: Assessment, invitation: Invitation | None) -> dict:
    if invitation is not None:
        return {"invitation": invitation}
    return {"assessment": assessment, "invitation__isnull": True}


def _clean_answers(*, outline: RatingOutline, answers: dict) -> dict:
    """Statement id (str) → value, "" (Not observed) or None (clear). Refuses anything else."""
    values = outline.scale_values
    errors, cleaned = [], {}
    for key, value in answers.items():
        key = str(key)
        if key not in outline.statement_keys:
            errors.append(f"Statement {key} is not in this form.")
        elif value is None or value == NOT_OBSERVED or value in values:
            cleaned[key] = value
        else:
            errors.append(f"{value!r} is not an answer on the scale.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_comments(*, outline: RatingOutline, comments: dict) -> dict:
    errors, cleaned = [], {}
    for key, text in comments.items():
        key = str(key)
        text = (text or "").strip()
        if key not in outline.theme_keys:
            errors.append(f"Theme {key} is not in this form.")
        elif len(text) > COMMENT_MAX_LENGTH:
            errors.append(f"A comment can be at most {COMMENT_MAX_LENGTH} characters.")
        else:
            cleaned[key] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


def draft_save(
    *, assessment: Assessment, invitation: Invitation | None = None, answers: dict, comments: dict
) -> Draft:
    """Merge one page's answers and comments into the draft, creating it if needed.

    ``answers`` maps statement ids to a scale value, "" for Not observed, or None to clear
    an answer; ``comments`` maps theme ids to text ("" clears it). What the page does not
    mention is kept. A rater who saves moves from invited to started.
    Raises ValidationError for ids or values outside the framework, AnswersRefused when
    the form no longer accepts answers.
    """
    with transaction.atomic():
        if invitation is not None:
            # One query: the invitation locked, with its assessment, programme and draft.
            assessment, invitation, draft = _lock_with_draft(
                assessment=assessment, invitation=invitation
            )
        else:
            assessment, invitation = _lock(assessment=assessment, invitation=None)
            draft = Draft.objects.filter(assessment=assessment, invitation__isnull=True).first()
        refusal = refusal_for(assessment=assessment, invitation=invitation)
        if refusal is not None:
            raise refusal
        outline = rating_outline(framework_id=assessment.programme.framework_id)
        answers = _clean_answers(outline=outline, answers=answers)
        comments = _clean_comments(outline=outline, comments=comments)
        if invitation is not None and invitation.state == Invitation.State.INVITED:
            invitation.state = Invitation.State.STARTED
            invitation.started_at = timezone.now()
            invitation.save(update_fields=["state", "started_at"])
        # The owner's row is locked, so no one else writes this draft before we do: it is
        # read with the lock and written in one statement (an UPDATE, or the first INSERT).
        new = draft is None
        if new:
            draft = Draft(assessment=assessment, invitation=invitation)
        saved_answers, saved_comments = draft.contents()
        for key, value in answers.items():
            if value is None:
                saved_answers.pop(key, None)
            else:
                saved_answers[key] = value
        for key, text in comments.items():
            if text:
                saved_comments[key] = text
            else:
                saved_comments.pop(key, None)
        draft.contents_set(answers=saved_answers, comments=saved_comments)
        if new:
            draft.save(force_insert=True)
        else:
            draft.save(update_fields=["box", "updated_at"])
        return draft


def response_submit(
    *, assessment: Assessment, invitation: Invitation | None = None
) -> Response | Envelope:
    """Submit the draft, once.

    A rater's answers go into an encrypted Envelope that names no invitation, and the
    invitation keeps only "submitted on <day>"; the envelope is sealed into a Response later,
    in a batch of at least k (``services.sealing``; PRODUCT.md, promise 5). The leader's own
    answers are theirs: they become the self Response at once. The draft is deleted.
    Raises ResponseIncomplete when a statement is unanswered (nothing changes),
    AnswersRefused when the form is closed or was already submitted.
    """
    try:
        with transaction.atomic():
            return _submit_locked(assessment=assessment, invitation=invitation)
    except IntegrityError as error:
        # The one-self-response constraint caught a second self submit the lock missed.
        if (
            invitation is None
            and Response.objects.filter(assessment=assessment, rater_group=RaterGroup.SELF).exists()
        ):
            raise AnswersRefused(AnswersRefused.SUBMITTED, on=timezone.localdate()) from error
        raise


def _submit_locked(*, assessment: Assessment, invitation: Invitation | None):
    assessment, invitation = _lock(assessment=assessment, invitation=invitation)
    refusal = refusal_for(assessment=assessment, invitation=invitation)
    if refusal is not None:
        raise refusal
    draft = (
        Draft.objects.select_for_update()
        .filter(**_draft_filter(assessment=assessment, invitation=invitation))
        .first()
    )
    answers, comments = draft.contents() if draft else ({}, {})
    outline = rating_outline(framework_id=assessment.programme.framework_id)
    missing = outline.missing_statements(answers)
    if missing:
        raise ResponseIncomplete([s.pk for s in missing])
    pairs = _answers_checked(outline=outline, answers=answers, comments=comments)
    today = timezone.localdate()
    if draft is not None:
        draft.delete()
    if invitation is None:
        response = Response.objects.create(assessment=assessment, rater_group=RaterGroup.SELF)
        responses_write_answers([(response, pairs)])
        Assessment.objects.filter(pk=assessment.pk).update(self_submitted_on=today)
        return response
    from .sealing import envelopes_seal_request

    envelope = Envelope.objects.create(
        assessment=assessment,
        rater_group=invitation.rater_group,
        box=box_seal(pairs, purpose=Envelope.PURPOSE),
    )
    invitation.state = Invitation.State.SUBMITTED
    invitation.submitted_on = today
    invitation.started_at = None
    invitation.save(update_fields=["state", "submitted_on", "started_at"])
    programme_id = assessment.programme_id
    transaction.on_commit(lambda: envelopes_seal_request(programme_id=programme_id))
    return envelope


def _answers_checked(*, outline: RatingOutline, answers: dict, comments: dict) -> dict:
    """The answers as stored in an envelope: {"answers": {statement id: value or None for
    Not observed}, "comments": {theme id: text}}, every statement answered on the scale."""
    scale_values = outline.scale_values
    checked = {}
    for theme in outline.themes:
        for statement in outline.statements_of(theme):
            value = answers[str(statement.pk)]
            if value != NOT_OBSERVED and value not in scale_values:
                raise ValidationError(f"Statement {statement.pk} has an answer off the scale.")
            checked[str(statement.pk)] = None if value == NOT_OBSERVED else value
    texts = {
        str(theme.pk): text[:COMMENT_MAX_LENGTH]
        for theme in outline.themes
        if (text := (comments.get(str(theme.pk)) or "").strip())
    }
    return {"answers": checked, "comments": texts}


def responses_write_answers(written: list[tuple[Response, dict]]) -> None:
    """Write the Ratings and ThemeComments of saved Responses, shuffled together so the
    order of rows on disk follows no response (``secrets``-grade shuffle)."""
    ratings = [
        Rating(response=response, statement_id=int(statement), value=value)
        for response, contents in written
        for statement, value in contents["answers"].items()
    ]
    comments = [
        ThemeComment(response=response, theme_id=int(theme), text=text)
        for response, contents in written
        for theme, text in contents["comments"].items()
    ]
    _shuffle(ratings)
    _shuffle(comments)
    Rating.objects.bulk_create(ratings)
    ThemeComment.objects.bulk_create(comments)


def _shuffle(items: list) -> None:
    random.SystemRandom().shuffle(items)


def invitation_start(*, invitation: Invitation, now=None) -> Invitation:
    """Mark a rater as having started (invited → started). Idempotent for started.

    Raises AnswersRefused when the form no longer accepts answers.
    """
    now = now or timezone.now()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("assessment__programme")
            .get(pk=invitation.pk)
        )
        refusal = refusal_for(assessment=invitation.assessment, invitation=invitation, now=now)
        if refusal is not None:
            raise refusal
        if invitation.state == Invitation.State.INVITED:
            invitation.state = Invitation.State.STARTED
            invitation.started_at = now
            invitation.save(update_fields=["state", "started_at"])
    return invitation


def invitation_decline(*, invitation: Invitation, reason: str = "", now=None) -> Invitation:
    """Record that the rater will not give feedback and delete anything they had saved."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if len(reason) > COMMENT_MAX_LENGTH:
        raise ValidationError(f"A reason can be at most {COMMENT_MAX_LENGTH} characters.")
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("assessment__programme")
            .get(pk=invitation.pk)
        )
        refusal = refusal_for(assessment=invitation.assessment, invitation=invitation, now=now)
        if refusal is not None:
            raise refusal
        Draft.objects.filter(invitation=invitation).delete()
        invitation.state = Invitation.State.DECLINED
        invitation.declined_at = now
        invitation.decline_reason = reason
        invitation.save(update_fields=["state", "declined_at", "decline_reason"])
    return invitation
