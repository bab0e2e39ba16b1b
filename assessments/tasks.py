"""Periodic work for assessments: reminders, closing programmes, deleting raw data past its
retention period. Thin: services do it."""

from celery import shared_task
from django.utils import timezone

from config.jobs import job_task

from .models import Programme
from .services.import_jobs import LEADER_IMPORTS, leader_imports_sweep
from .services.programmes import programme_close
from .services.reminders import reminders_send_due
from .services.retention import retention_purge


@shared_task(name="assessments.tasks.send_due_reminders")
def send_due_reminders() -> int:
    return reminders_send_due()


@shared_task(name="assessments.tasks.close_due_programmes")
def close_due_programmes() -> int:
    """Close every programme whose closing time has passed. Returns how many it closed."""
    now = timezone.now()
    due = Programme.objects.filter(closed_at__isnull=True, closes_at__lte=now)
    return sum(programme_close(programme=programme, now=now) for programme in due)


@shared_task(name="assessments.tasks.purge_expired_data")
def purge_expired_data() -> int:
    """Delete the raw data of programmes past their retention period. Returns how many."""
    return len(retention_purge())


@shared_task(name="assessments.tasks.seal_envelopes")
def seal_envelopes(programme_id: int) -> int:
    """Seal a programme's complete batches of submitted answers (after a submit)."""
    from .services.sealing import envelopes_seal

    return envelopes_seal(programme_id=programme_id)


@shared_task(name="assessments.tasks.sweep_envelopes")
def sweep_envelopes() -> int:
    """Seal complete batches whose hand-over was lost (broker down)."""
    from .services.sealing import envelopes_sweep

    return envelopes_sweep()


run_leader_import = job_task(LEADER_IMPORTS, name="assessments.tasks.run_leader_import")


@shared_task(name="assessments.tasks.sweep_leader_imports")
def sweep_leader_imports() -> int:
    return leader_imports_sweep()
