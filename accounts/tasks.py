"""Background work for accounts: sending the outbox, and asking GOV.UK Notify what became of
what it sent. Thin: each task calls one service."""

from celery import shared_task

from config.jobs import job_task

from .outbox import OUTBOX, outbox_sweep

# 30 s, 60 s, 120 s, 240 s, … up to 10 minutes, until OUTBOX_MAX_ATTEMPTS.
send_outbox_email = job_task(
    OUTBOX, name="accounts.tasks.send_outbox_email", backoff=30, backoff_max=600
)


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
