"""Background work for accounts: sending the outbox, and asking GOV.UK Notify what became of
what it sent. Thin: each task calls one service."""

from smtplib import SMTPException

from celery import shared_task

from .outbox import outbox_send, outbox_sweep

# SMTPException and ConnectionError are both OSErrors; named for the reader.
SENDING_ERRORS = (SMTPException, ConnectionError, TimeoutError, OSError)


@shared_task(
    name="accounts.tasks.send_outbox_email",
    autoretry_for=SENDING_ERRORS,
    retry_backoff=30,  # 30 s, 60 s, 120 s, 240 s (jittered), then the row is marked failed
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=4,
)
def send_outbox_email(outbox_id: int) -> str | None:
    return outbox_send(outbox_id=outbox_id)


@shared_task(name="accounts.tasks.sweep_outbox")
def sweep_outbox() -> int:
    return outbox_sweep()


@shared_task(name="accounts.tasks.fetch_delivery_statuses")
def fetch_delivery_statuses() -> int:
    from .delivery import email_delivery

    if email_delivery() != "notify":
        return 0
    from .notify import notify_statuses_fetch

    return notify_statuses_fetch()
