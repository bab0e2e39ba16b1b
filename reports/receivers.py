"""What the reports app does when assessments erases, purges or closes (assessments/signals.py).

Assessments never imports reports: it sends a signal, and these receivers, connected in
``ReportsConfig.ready()``, look after the reports' own rows and files.
"""

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from assessments.models import Programme

from .models import ReleasedThemeReport, ThemeReport
from .release import programme_reports_release
from .services import reports_generate_for_programme


def reports_erase_for_leader(*, assessments, **kwargs) -> dict:
    """A leader is being erased: their theme reports and released versions go with their
    assessments (the rows by cascade), and the PDF files of both once the erasure commits."""
    reports = ThemeReport.objects.filter(assessment__in=assessments)
    released = ReleasedThemeReport.objects.filter(version__assessment__in=assessments)
    files = [
        name for rows in (reports, released) for name in rows.values_list("file", flat=True) if name
    ]
    count = reports.count()

    def files_delete():
        for name in files:
            default_storage.delete(name)

    transaction.on_commit(files_delete)
    return {"reports": count}


def reports_fail_unrendered(*, programme: Programme, **kwargs) -> None:
    """A programme's raw data is being purged: a report not rendered by now never will be,
    its inputs are gone."""
    ThemeReport.objects.filter(assessment__programme=programme).exclude(
        status=ThemeReport.Status.READY
    ).update(
        status=ThemeReport.Status.FAILED,
        claimed_at=None,
        last_error="Not rendered before the raw data was deleted at the end of the retention "
        "period.",
        updated_at=timezone.now(),
    )


def reports_after_close(*, programme: Programme, by=None, **kwargs) -> None:
    """A programme has closed: ask for every leader's reports (rendered by the report workers
    after the transaction commits), and release an on-close programme at its close."""
    reports_generate_for_programme(programme=programme)
    if programme.release_mode == Programme.ReleaseMode.ON_CLOSE:
        programme_reports_release(programme=programme, by=by, now=programme.closed_at)
