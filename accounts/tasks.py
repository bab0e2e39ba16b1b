"""Background work for accounts: sending the outbox. Thin: each task calls one service."""

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
