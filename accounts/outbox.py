"""Sending what ``accounts.emails.email_queue`` wrote to the outbox.

Rows are handed to a worker after the action commits. If the broker is down, the row stays
queued and ``outbox_sweep`` (every minute) hands it over again: a user action never fails
because Redis is unreachable, and no email is lost. ``outbox_send`` makes sure a row is sent
once, however many times it is handed over.
"""

import logging
from datetime import timedelta

from celery.exceptions import Retry
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .delivery import DeliveryRefused, email_deliver
from .emails import MessageNotNeeded, email_render
from .models import OutboxEmail

logger = logging.getLogger(__name__)

QUEUED = OutboxEmail.State.QUEUED
SENT = OutboxEmail.State.SENT
FAILED = OutboxEmail.State.FAILED


def outbox_max_attempts() -> int:
    return getattr(settings, "OUTBOX_MAX_ATTEMPTS", 5)


def outbox_enqueue(*, outbox_id: int) -> bool:
    """Hand one row to a worker. Best effort: False, and the row stays queued, if not.
    Never waits long for a broker that is down (``config.celery.tasks_enqueue``)."""
    from config.celery import tasks_enqueue

    from .tasks import send_outbox_email

    try:
        return tasks_enqueue(send_outbox_email, [(outbox_id,)])
    except Retry as exc:
        # Tasks run in process (the quick start) and the send failed: the row keeps its
        # error and attempt count for the sweeper, and the user's action goes on.
        logger.warning("Email %s left queued: %s", outbox_id, exc)
        return False
    except Exception:
        logger.exception("Email %s left queued: sending failed", outbox_id)
        return False


def outbox_sweep(*, now=None, older_than: timedelta = timedelta(minutes=1), limit=500) -> int:
    """Hand over again the rows still queued after ``older_than``: their hand-over was lost
    (broker down) or their retry was. Stops at the first broker failure; returns how many."""
    now = now or timezone.now()
    ids = list(
        OutboxEmail.objects.filter(state=QUEUED, created_at__lt=now - older_than)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    enqueued = 0
    for outbox_id in ids:
        if not outbox_enqueue(outbox_id=outbox_id):
            break
        enqueued += 1
    return enqueued


def outbox_send(*, outbox_id: int) -> str | None:
    """Send one queued row, once. Returns its new state, or None if it was not this call's.

    Two short steps keep a row from going twice. The claim counts the attempt and commits
    it, so an email that kills its worker still reaches the attempt limit. The send then
    locks the row (a second worker handed the same row skips it) and goes ahead only if the
    attempt count is still the one it claimed. An error (in rendering or sending) is
    recorded and re-raised, so the task retries it; after OUTBOX_MAX_ATTEMPTS the row is
    marked failed. An email that no longer makes sense is marked failed at once.
    """
    attempt = _outbox_claim(outbox_id)
    if attempt is None:
        return None
    error = None
    with transaction.atomic():
        row = (
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=outbox_id, state=QUEUED, attempts=attempt)
            .first()
        )
        if row is None:
            return None
        try:
            with transaction.atomic():  # a database error while rendering keeps the claim usable
                rendered = email_render(kind=row.kind, context=row.context)
            notification_id = email_deliver(
                to=row.to, kind=row.kind, rendered=rendered, reference=f"lpc360-outbox-{row.pk}"
            )
        except MessageNotNeeded as exc:
            _outbox_mark(row, state=FAILED, last_error=f"Not sent: {exc}.")
        except DeliveryRefused as exc:  # for good (Notify 400/403): no retry
            _outbox_mark(row, state=FAILED, last_error=f"Refused: {exc}"[:2000])
        except Exception as exc:
            error = exc
            state = FAILED if attempt >= outbox_max_attempts() else QUEUED
            _outbox_mark(row, state=state, last_error=f"{type(exc).__name__}: {exc}"[:2000])
        else:
            _outbox_mark(
                row,
                state=SENT,
                sent_at=timezone.now(),
                last_error="",
                notification_id=notification_id,
            )
    if error is not None and row.state == QUEUED:
        raise error
    return row.state


def _outbox_claim(outbox_id: int) -> int | None:
    """Count an attempt on a queued row. Returns the attempt's number, or None."""
    with transaction.atomic():
        row = (
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=outbox_id, state=QUEUED)
            .first()
        )
        if row is None:
            return None
        if row.attempts >= outbox_max_attempts():
            _outbox_mark(row, state=FAILED)
            return None
        # Conditional, for databases without row locks (SQLite): only one claim wins.
        claimed = OutboxEmail.objects.filter(pk=row.pk, state=QUEUED, attempts=row.attempts).update(
            attempts=F("attempts") + 1
        )
        return row.attempts + 1 if claimed else None


def _outbox_mark(row: OutboxEmail, **fields) -> None:
    for name, value in fields.items():
        setattr(row, name, value)
    OutboxEmail.objects.filter(pk=row.pk).update(**fields)
