"""Sealing: submitted envelopes become Responses in batches that leave no trail.

PRODUCT.md, promise 5; the threat model is in docs/anonymity.md. A rater's submit marks the
invitation submitted and leaves an encrypted Envelope naming only the assessment and the
rater group. Sealing opens envelopes later, in another transaction, and writes their
Responses, Ratings and ThemeComments with random ids, in a random order, with no date:

- an anonymous group (peers, direct reports, others) of one assessment is sealed once at
  least k of its envelopes are waiting, so every Response of a batch has at least k
  invitations it could have come from (its group's invitations submitted since the
  previous batch); the line manager, who is not anonymous, is sealed at once;
- at the close everything waiting is sealed; a group with fewer than k waiting is sealed
  together with the group's earlier Responses, rewritten with new ids in the same
  transaction, so the batch still has the whole group behind it;
- a Response sealed after the leader's reports were released is ``held``: the reports app
  decides whether it may join a new version (reports.versions; promise 8).

Afterwards PostgreSQL's dead rows of envelopes and drafts (ciphertext in any case) and of
rewritten ratings are vacuumed away. Sealing is idempotent and serialised per programme by a
row lock; ``envelopes_seal_request`` hands it to a worker after the submit commits, best
effort, and ``envelopes_sweep`` (scheduled) seals whatever is left.
"""

import logging
from collections import defaultdict
from collections.abc import Callable

from django.db import connection, transaction

from ..models import (
    Envelope,
    Programme,
    RaterGroup,
    Rating,
    Response,
    ThemeComment,
)
from ..signals import responses_resealed
from .responses import _shuffle, responses_write_answers

log = logging.getLogger(__name__)

# Tables whose dead rows could hold answers or the order of writing; vacuumed after sealing.
VACUUMED = (
    "assessments_envelope",
    "assessments_draft",
    "assessments_rating",
    "assessments_themecomment",
    "assessments_response",
)

# Functions (assessment ids) -> the ids whose new Responses are held; registered by the
# reports app, which knows what each leader has been shown.
_held_policies: list[Callable[[set[int]], set[int]]] = []


def held_policy_register(policy: Callable[[set[int]], set[int]]) -> None:
    if policy not in _held_policies:
        _held_policies.append(policy)


def _held(assessment_ids: set[int]) -> set[int]:
    held = set()
    for policy in _held_policies:
        held |= policy(assessment_ids)
    return held


def batch_size(*, group: str, k: int) -> int:
    """Envelopes of one group a batch needs before the close: k, one for the line manager."""
    return 1 if group == RaterGroup.LINE_MANAGER else k


def envelopes_seal(*, programme_id: int, final: bool = False) -> int:
    """Seal what may be sealed now (everything when ``final``); returns Responses written."""
    with transaction.atomic():
        programme = Programme.objects.select_for_update().filter(pk=programme_id).first()
        if programme is None:
            return 0
        waiting = defaultdict(list)
        for envelope in Envelope.objects.filter(assessment__programme=programme):
            waiting[(envelope.assessment_id, envelope.rater_group)].append(envelope)
        k = programme.anonymity_threshold
        batches = {
            key: envelopes
            for key, envelopes in waiting.items()
            if final or len(envelopes) >= batch_size(group=key[1], k=k)
        }
        if not batches:
            return 0
        held = _held({assessment_id for assessment_id, _ in batches})
        written: list = []
        mapping: dict = {}
        redactions: list = []
        for (assessment_id, group), envelopes in batches.items():
            if len(envelopes) < batch_size(group=group, k=k):
                written += _rewrite_group(assessment_id, group, mapping, redactions)
            for envelope in envelopes:
                answers, comments = envelope.contents()
                response = Response(
                    assessment_id=assessment_id,
                    rater_group=group,
                    held=assessment_id in held,
                )
                written.append((response, {"answers": answers, "comments": comments}))
        _shuffle(written)
        Response.objects.bulk_create([response for response, _ in written])
        responses_write_answers(written)
        for response_id, theme_id, when in redactions:
            ThemeComment.objects.filter(response_id=response_id, theme_id=theme_id).update(
                redacted_at=when
            )
        Envelope.objects.filter(pk__in=[e.pk for es in batches.values() for e in es]).delete()
        if mapping:
            responses_resealed.send(sender=Response, mapping=mapping)
        transaction.on_commit(_vacuum)
        log.info("Sealed %d responses of programme %s", len(written), programme_id)
        return len(written)


def _rewrite_group(assessment_id: int, group: str, mapping: dict, redactions: list) -> list:
    """The group's sealed Responses, read and deleted, to be written again with new ids.

    ``mapping`` gains old id -> new id; ``redactions`` the (new id, theme id, time) of
    redacted comments, to redact them again once written."""
    rewritten = []
    responses = list(Response.objects.filter(assessment_id=assessment_id, rater_group=group))
    ratings: defaultdict[object, dict] = defaultdict(dict)
    for response_id, statement_id, value in Rating.objects.filter(
        response__in=responses
    ).values_list("response_id", "statement_id", "value"):
        ratings[response_id][str(statement_id)] = value
    comments: defaultdict[object, dict] = defaultdict(dict)
    redacted: list = []
    for response_id, theme_id, text, redacted_at in ThemeComment.objects.filter(
        response__in=responses
    ).values_list("response_id", "theme_id", "text", "redacted_at"):
        comments[response_id][str(theme_id)] = text
        if redacted_at is not None:
            redacted.append((response_id, theme_id, redacted_at))
    for old in responses:
        new = Response(assessment_id=assessment_id, rater_group=group, held=old.held)
        mapping[old.pk] = new.pk
        rewritten.append((new, {"answers": ratings[old.pk], "comments": comments[old.pk]}))
    redactions += [(mapping[old_id], theme_id, when) for old_id, theme_id, when in redacted]
    Response.objects.filter(pk__in=[r.pk for r in responses]).delete()
    return rewritten


def _vacuum() -> None:
    """Remove dead rows (PostgreSQL), outside any transaction. Best effort."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    try:
        with connection.cursor() as cursor:
            for table in VACUUMED:
                cursor.execute(f"VACUUM {table}")
    except Exception:
        log.exception("VACUUM after sealing failed; dead rows are removed by autovacuum")


def envelopes_seal_request(*, programme_id: int) -> bool:
    """Hand sealing to a worker after a submit, bounded in time (``tasks_enqueue``): with
    the broker down the envelopes wait for the sweep, and the rater's submit goes on."""
    from config.celery import tasks_enqueue

    from ..tasks import seal_envelopes

    return tasks_enqueue(seal_envelopes, [(programme_id,)])


def envelopes_sweep() -> int:
    """Seal, in every programme, the batches that are complete. Returns Responses written."""
    programme_ids = set(
        Envelope.objects.values_list("assessment__programme_id", flat=True).distinct()
    )
    return sum(envelopes_seal(programme_id=pk) for pk in sorted(programme_ids))
