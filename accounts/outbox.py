"""Sending what ``accounts.emails.email_queue`` wrote to the outbox.

Each row is a job of ``config.jobs``: handed to a worker after the action commits; if the
broker is down, the row stays queued and ``outbox_sweep`` (every minute) hands it over
again, so a user action never fails because Redis is unreachable, and no email is lost. A
worker claims the row ("sending", one attempt counted) before sending, so a row handed over
twice is sent once; an error is recorded and retried until ``OUTBOX_MAX_ATTEMPTS``.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.jobs import JobKind, job_fail, job_finish, job_run, jobs_enqueue, jobs_sweep

from .delivery import DeliveryRefused, email_deliver
from .emails import MessageNotNeeded, email_render
from .models import OutboxEmail

logger = logging.getLogger(__name__)

QUEUED = OutboxEmail.State.QUEUED
SENDING = OutboxEmail.State.SENDING
SENT = OutboxEmail.State.SENT
FAILED = OutboxEmail.State.FAILED


def outbox_max_attempts() -> int:
    return settings.OUTBOX_MAX_ATTEMPTS


def outbox_claim_stale_after() -> timedelta:
    """A claim older than the hard time limit belongs to a worker that is gone."""
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def outbox_enqueue(*, outbox_id: int) -> bool:
    """Hand one row to a worker. Best effort: False, and the row stays queued, if not.
    Never waits long for a broker that is down (``config.jobs.jobs_enqueue``)."""
    return jobs_enqueue(OUTBOX, [outbox_id])


def outbox_sweep(*, now=None, older_than: timedelta = timedelta(minutes=1), limit=500) -> int:
    """Hand over again the rows still queued after ``older_than`` (their hand-over or their
    retry was lost), and those claimed by a worker that died. Returns how many."""
    return len(jobs_sweep(OUTBOX, now=now, grace=older_than, limit=limit))


def outbox_send(*, outbox_id: int) -> str | None:
    """Send one queued row, once. Returns its new state, or None if it was not this call's.

    An error (in rendering or sending) is recorded and re-raised, so the task retries it;
    after OUTBOX_MAX_ATTEMPTS the row is marked failed. An email that no longer makes sense
    is marked failed at once.
    """
    return job_run(OUTBOX, outbox_id)


def _outbox_work(row: OutboxEmail) -> str | None:
    """The work on a claimed row: render it and deliver it."""
    try:
        with transaction.atomic():  # a database error while rendering keeps the claim usable
            rendered = email_render(kind=row.kind, context=row.context)
    except MessageNotNeeded as exc:
        job_fail(OUTBOX, row, exc, final=True, message=f"Not sent: {exc}.")
        return FAILED
    try:
        notification_id = email_deliver(
            to=row.to, kind=row.kind, rendered=rendered, reference=f"lpc360-outbox-{row.pk}"
        )
    except DeliveryRefused as exc:  # for good (Notify 400/403): no retry
        job_fail(OUTBOX, row, exc, final=True, message=f"Refused: {exc}"[:2000])
        return FAILED
    finished = job_finish(OUTBOX, row, sent_at=timezone.now(), notification_id=notification_id)
    return SENT if finished else None


OUTBOX = JobKind(
    model=OutboxEmail,
    running=SENDING,
    done=SENT,
    task="accounts.tasks.send_outbox_email",
    work=_outbox_work,
    max_attempts=outbox_max_attempts,
    stale_after=outbox_claim_stale_after,
    queued_grace=timedelta(minutes=1),
    state_field="state",
    waiting_since="created_at",
    has_updated_at=False,
    # In process (the quick start): one attempt, and the user's action goes on; the sweeper
    # tries again.
    eager_retry=False,
    label="Email",
)
