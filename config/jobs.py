"""Work rows: the one mechanism behind the outbox, theme report renders and cohort exports.

The database row is the job. A service writes it queued, in the same transaction as the
action that asks for it, and hands it to a worker after the commit, best effort
(``jobs_enqueue``): with the broker down the row stays queued and ``jobs_sweep`` hands it
over later. A worker claims the row with one conditional UPDATE (``job_claim``), so two
deliveries of the same job never work on it together, and every claim counts an attempt in
the row: a job that keeps killing its worker (and is requeued by ``reject_on_worker_lost``)
is given up once its kind's ``max_attempts`` is reached. The work then ends the claim with
``job_finish`` (done) or ``job_fail`` (queued again for another attempt, or failed); both
only touch the row while the claim is still the caller's, so a worker whose claim was taken
over leaves the row to its new owner.

``job_task`` builds the Celery task of a kind: claim, work, and on an error a retry with
exponential backoff. Tasks run in process when no broker is configured (the quick start,
tests); there is no broker to retry through then, so the retry happens at once, in process,
or the row is left queued for the sweeper, as the kind says (``eager_retry``).

A kind's row model has the fields of ``JobRow`` and a state field with the values "queued"
and "failed", its own ``running`` and ``done`` values, and its own choices.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

QUEUED = "queued"
FAILED = "failed"
LAST_ERROR_MAX_LENGTH = 2000
RETRIES_MAX = 10


class JobRow(models.Model):
    """The fields every work row has, besides its state: attempts counted at each claim,
    when the current claim was made (none while queued), and the last attempt's error."""

    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        abstract = True


class ClaimLost(Exception):
    """The row was taken over (or deleted) while this worker was working on it."""


@dataclass(frozen=True)
class JobKind:
    """What the mechanism needs to know about one kind of work row."""

    model: type[models.Model]
    running: str  # the state while a worker has the row claimed
    done: str  # the state once the work is done
    task: str  # dotted path of its Celery task (made with ``job_task``), imported when sent
    work: Callable[
        [Any], str | None
    ]  # does the work on a claimed row (of ``model``); ends the claim
    max_attempts: Callable[[], int]
    stale_after: Callable[[], timedelta]  # a claim older than this belongs to a dead worker
    # A queued row untouched for this long was probably never handed over.
    queued_grace: timedelta = timedelta(minutes=2)
    state_field: str = "status"
    waiting_since: str = "updated_at"  # the field the grace counts from
    has_updated_at: bool = True
    live: Callable[[datetime], Q] | None = None  # rows outside it are never claimed nor sent
    select_related: tuple[str, ...] = ()
    eager_retry: bool = True  # in process: retry at once (True) or leave it to the sweeper
    label: str = ""  # what the logs call one row; the model's verbose name if empty

    def state(self, *values: str) -> Q:
        return Q(**{f"{self.state_field}__in": values})

    def fields(self, now: datetime, **fields) -> dict:
        if self.has_updated_at:
            fields["updated_at"] = now
        return fields

    def rows(self, now: datetime):
        rows = self.model._default_manager.all()
        return rows.filter(self.live(now)) if self.live else rows


def _gave_up(limit: int) -> str:
    return f"Gave up after {limit} attempts; the last one did not finish."


# Working on one row ----------------------------------------------------------------------


def job_claim(kind: JobKind, pk: int, *, take_over: bool = False, now=None) -> Any:
    """Claim the row for its work; None when it is not this caller's to work on.

    Claimable: queued, or running under a claim older than ``stale_after`` (its worker is
    gone). ``take_over`` also claims a fresh running row: the broker redelivered this very
    job because the worker running it was lost. Each claim counts one attempt; once the
    bound is reached the row is marked failed instead.
    """
    now = now or timezone.now()
    claimable = kind.state(QUEUED) | (
        kind.state(kind.running) & Q(claimed_at__lt=now - kind.stale_after())
    )
    if take_over:
        claimable |= kind.state(kind.running)
    rows = kind.rows(now).filter(claimable, pk=pk)
    limit = kind.max_attempts()
    claimed = rows.filter(attempts__lt=limit).update(
        **kind.fields(
            now, **{kind.state_field: kind.running}, claimed_at=now, attempts=F("attempts") + 1
        )
    )
    if not claimed:
        rows.filter(attempts__gte=limit).update(
            **kind.fields(
                now, **{kind.state_field: FAILED}, claimed_at=None, last_error=_gave_up(limit)
            )
        )
        return None
    return kind.model._default_manager.select_related(*kind.select_related).get(pk=pk)


def job_claimed(kind: JobKind, row):
    """The row, as a queryset, while it is still under this caller's claim."""
    return kind.model._default_manager.filter(
        kind.state(kind.running), pk=row.pk, claimed_at=row.claimed_at
    )


def job_finish(kind: JobKind, row, **fields) -> bool:
    """Mark a claimed row done, with ``fields``. False if the claim was lost meanwhile."""
    now = timezone.now()
    values = kind.fields(now, **{kind.state_field: kind.done}, claimed_at=None, last_error="")
    values.update(fields)
    finished = bool(job_claimed(kind, row).update(**values))
    if finished:
        for name, value in values.items():
            setattr(row, name, value)
    return finished


def job_fail(kind: JobKind, row, error: BaseException, *, final=False, message=None) -> bool:
    """After a failed attempt: queued again for a retry (True), or failed for good (False).

    Failed for good when ``final`` or the row is out of attempts. The error is recorded.
    """
    final = final or row.attempts >= kind.max_attempts()
    state = FAILED if final else QUEUED
    message = (message or f"{type(error).__name__}: {error}")[:LAST_ERROR_MAX_LENGTH]
    values = kind.fields(timezone.now(), **{kind.state_field: state}, claimed_at=None)
    released = job_claimed(kind, row).update(last_error=message, **values)
    if released:
        for name, value in values.items():
            setattr(row, name, value)
        row.last_error = message
    return bool(released) and not final


def job_run(kind: JobKind, pk: int, *, take_over: bool = False) -> str | None:
    """Claim the row and do its work. Returns what the work returned (its new state, or a
    word for the log), "failed" when it failed for good, or None when it was not this
    caller's. An error after which the row is queued again is re-raised, for a retry."""
    row = job_claim(kind, pk, take_over=take_over)
    if row is None:
        return None
    try:
        return kind.work(row)
    except ClaimLost:
        log.warning("%s %s was taken over; leaving it to its new owner.", _name(kind), pk)
        return None
    except Exception as error:
        log.warning("%s %s failed (attempt %s)", _name(kind), pk, row.attempts, exc_info=True)
        if job_fail(kind, row, error):
            raise
        return FAILED


def _name(kind: JobKind) -> str:
    return kind.label or str(kind.model._meta.verbose_name).capitalize()


# Handing rows to workers ------------------------------------------------------------------


def jobs_enqueue(kind: JobKind, ids: list[int]) -> bool:
    """Send one task per row. False, and the rows stay queued for the sweeper, if the
    broker is down; never waits long for it (``config.celery.tasks_enqueue``)."""
    from config.celery import tasks_enqueue

    if not ids:
        return True
    try:
        return tasks_enqueue(import_string(kind.task), [(pk,) for pk in ids])
    except Exception:
        log.exception("%d %s row(s) left queued: handing over failed", len(ids), _name(kind))
        return False


def jobs_sweep(kind: JobKind, *, now=None, grace: timedelta | None = None, limit=None) -> list:
    """Hand over again the rows left behind; give up those out of attempts. Returns the ids
    handed over (none if the broker is down: they stay queued for the next sweep).

    Left behind: queued and untouched for the kind's ``queued_grace`` (the broker was down,
    or the message was lost), or running under a stale claim (the worker died).
    """
    now = now or timezone.now()
    grace = kind.queued_grace if grace is None else grace
    stale = kind.state(kind.running) & Q(claimed_at__lt=now - kind.stale_after())
    waiting = kind.state(QUEUED) & Q(**{f"{kind.waiting_since}__lt": now - grace})
    lost = kind.rows(now).filter(stale | waiting)
    attempts = kind.max_attempts()
    lost.filter(attempts__gte=attempts).update(
        **kind.fields(
            now, **{kind.state_field: FAILED}, claimed_at=None, last_error=_gave_up(attempts)
        )
    )
    ids = list(
        lost.filter(attempts__lt=attempts)
        .order_by(kind.waiting_since, "pk")
        .values_list("pk", flat=True)[:limit]
    )
    kind.model._default_manager.filter(Q(pk__in=ids) & (stale | waiting)).update(
        **kind.fields(now, **{kind.state_field: QUEUED}, claimed_at=None)
    )
    return ids if jobs_enqueue(kind, ids) else []


# The task ----------------------------------------------------------------------------------


def job_task(kind: JobKind, *, name: str, backoff: int = 10, backoff_max: int = 600, **options):
    """The Celery task that works on one row of ``kind``, named ``name`` (the kind's ``task``).

    Acknowledged late and requeued if its worker is lost: the row's attempts are the bound.
    An error that leaves the row queued is retried after ``backoff`` seconds, doubling up
    to ``backoff_max``; in process (no broker) at once, or never, as the kind says.
    """
    from celery import shared_task

    def run(self, pk: int) -> str:
        take_over = bool((self.request.delivery_info or {}).get("redelivered"))
        tries_left = kind.max_attempts()  # in process; bounded even if the claim itself fails
        while True:
            try:
                return job_run(kind, pk, take_over=take_over) or "not claimed"
            except Exception as error:
                if not self.request.is_eager:
                    countdown = min(backoff * 2**self.request.retries, backoff_max)
                    raise self.retry(exc=error, countdown=countdown) from error
                tries_left -= 1
                if not kind.eager_retry or tries_left <= 0:
                    log.exception("%s %s left queued for the sweeper", _name(kind), pk)
                    return QUEUED
                take_over = False  # in process: the next attempt, at once

    run.__name__ = run.__qualname__ = name.rsplit(".", 1)[-1]
    run.__module__ = name.rsplit(".", 1)[0]
    return shared_task(
        bind=True,
        name=name,
        acks_late=True,
        reject_on_worker_lost=True,
        # The row's attempts are the bound; this one only stops retrying errors outside the
        # work (the database down while claiming): the sweeper hands the row over later.
        max_retries=RETRIES_MAX,
        **options,
    )(run)
