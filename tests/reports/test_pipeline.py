"""The theme report pipeline, with Celery running tasks in process (settings.test)."""

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from kombu import pools as kombu_pools

from assessments.models import Rating
from config.celery import app as celery_app
from reports import services
from reports.models import ThemeReport
from reports.services import (
    report_is_released,
    reports_generate,
    reports_generate_for_programme,
    reports_sweep,
    theme_report_claim,
)
from tests.factories import UserFactory
from tests.reports.test_pdf_report import assessment_with_feedback

Status = ThemeReport.Status


# The PDF is not the subject here: a tiny stand-in instead of a WeasyPrint render.
pytestmark = pytest.mark.usefixtures("fake_pdf")


@pytest.fixture
def generate(django_capture_on_commit_callbacks):
    """reports_generate, with its after-commit enqueue run (tasks run in process)."""

    def run(assessment):
        with django_capture_on_commit_callbacks(execute=True):
            return reports_generate(assessment=assessment)

    return run


def _forget_connections():
    """Drop the app's broker connections, so the next message uses the broker now set."""
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _files(assessment) -> list[Path]:
    root = Path(settings.MEDIA_ROOT, "reports", str(assessment.programme_id), str(assessment.pk))
    return sorted(root.iterdir()) if root.exists() else []


def _reports(assessment):
    return {r.theme.slug: r for r in ThemeReport.objects.filter(assessment=assessment)}


def test_generating_renders_one_ready_pdf_per_theme(rated_assessment, generate):
    reports = generate(rated_assessment)

    assert len(reports) == 4
    stored = _reports(rated_assessment)
    assert {r.status for r in stored.values()} == {Status.READY}
    assert _files(rated_assessment) == sorted(
        Path(settings.MEDIA_ROOT, r.file.name) for r in stored.values()
    )
    for report in stored.values():
        assert report.file.name.endswith(f"-{report.inputs_hash[:12]}.pdf")
        assert Path(settings.MEDIA_ROOT, report.file.name).read_bytes().startswith(b"%PDF")
        assert report.generated_at is not None and report.attempts == 1


def test_generating_again_with_the_same_data_renders_nothing(rated_assessment, generate):
    generate(rated_assessment)
    before = _reports(rated_assessment)
    mtimes = {path: path.stat().st_mtime_ns for path in _files(rated_assessment)}

    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        generate(rated_assessment)

    after = _reports(rated_assessment)
    for slug, report in after.items():
        assert report.status == Status.READY
        assert report.file.name == before[slug].file.name
        assert report.generated_at == before[slug].generated_at
    assert {path: path.stat().st_mtime_ns for path in _files(rated_assessment)} == mtimes


def test_a_changed_rating_renders_that_theme_again_and_removes_the_old_file(
    rated_assessment, generate
):
    generate(rated_assessment)
    before = _reports(rated_assessment)
    rating = Rating.objects.filter(
        response__assessment=rated_assessment,
        response__rater_group="peer",
        statement__quality__theme__slug="being",
        value__isnull=False,
    ).first()
    rating.value = 1 if rating.value != 1 else 5
    rating.save()

    generate(rated_assessment)

    after = _reports(rated_assessment)
    assert after["being"].inputs_hash != before["being"].inputs_hash
    assert after["being"].file.name != before["being"].file.name
    assert not Path(settings.MEDIA_ROOT, before["being"].file.name).exists()
    assert after["delivering"].file.name == before["delivering"].file.name
    assert _files(rated_assessment) == sorted(
        Path(settings.MEDIA_ROOT, r.file.name) for r in after.values()
    )


def test_a_programme_is_generated_for_every_leader(
    framework, leader, programme, django_capture_on_commit_callbacks
):
    assessment_with_feedback(framework=framework, leader=leader, programme=programme)
    assessment_with_feedback(framework=framework, leader=UserFactory(), programme=programme)

    with django_capture_on_commit_callbacks(execute=True):
        reports = reports_generate_for_programme(programme=programme)

    assert len(reports) == 8
    assert (
        ThemeReport.objects.filter(assessment__programme=programme, status=Status.READY).count()
        == 8
    )


def test_only_one_of_two_claims_of_a_report_wins(rated_assessment):
    reports_generate(assessment=rated_assessment)  # queued; no enqueue outside a captured commit
    report = ThemeReport.objects.filter(assessment=rated_assessment).first()

    first = theme_report_claim(report_id=report.pk)
    second = theme_report_claim(report_id=report.pk)

    assert first is not None and second is None
    report.refresh_from_db()
    assert report.status == Status.RENDERING and report.attempts == 1


def test_a_redelivered_job_takes_over_its_own_lost_claim(rated_assessment):
    reports_generate(assessment=rated_assessment)
    report = ThemeReport.objects.filter(assessment=rated_assessment).first()
    theme_report_claim(report_id=report.pk)  # then the worker is killed

    assert theme_report_claim(report_id=report.pk) is None
    assert theme_report_claim(report_id=report.pk, take_over=True) is not None
    report.refresh_from_db()
    assert report.attempts == 2


def test_a_render_that_always_fails_gives_up_and_the_others_still_render(
    rated_assessment, generate, monkeypatch
):
    real_render = services.pdf_render

    def failing_for_being(*, template_name, context):
        if context["theme"].slug == "being":
            raise RuntimeError("the renderer exploded")
        return real_render(template_name=template_name, context=context)

    monkeypatch.setattr(services, "pdf_render", failing_for_being)

    generate(rated_assessment)

    reports = _reports(rated_assessment)
    being = reports.pop("being")
    assert being.status == Status.FAILED
    assert being.attempts == services.max_attempts() == 3
    assert "RuntimeError: the renderer exploded" in being.last_error
    assert not being.file
    assert {r.status for r in reports.values()} == {Status.READY}


def test_a_poison_job_is_given_up_once_attempts_run_out(rated_assessment, settings):
    settings.REPORTS_MAX_ATTEMPTS = 2
    reports_generate(assessment=rated_assessment)
    report = ThemeReport.objects.filter(assessment=rated_assessment).first()
    # Each delivery claims the row and then kills its worker; the broker redelivers it.
    assert theme_report_claim(report_id=report.pk, take_over=True) is not None
    assert theme_report_claim(report_id=report.pk, take_over=True) is not None
    assert theme_report_claim(report_id=report.pk, take_over=True) is None

    report.refresh_from_db()
    assert report.status == Status.FAILED
    assert report.attempts == 2
    assert "Gave up after 2 attempts" in report.last_error


def test_with_the_broker_down_reports_stay_queued_until_the_sweeper_sends_them(
    rated_assessment, django_capture_on_commit_callbacks
):
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}
    celery_app.conf.update(task_always_eager=False, broker_url="redis://127.0.0.1:1/0")
    _forget_connections()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            reports_generate(assessment=rated_assessment)  # does not raise
    finally:
        celery_app.conf.update(saved)
        _forget_connections()

    assert {r.status for r in _reports(rated_assessment).values()} == {Status.QUEUED}

    assert reports_sweep() == []  # too early: they may still be on their way
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        sent = reports_sweep()

    assert len(sent) == 4
    assert {r.status for r in _reports(rated_assessment).values()} == {Status.READY}


def test_the_sweeper_recovers_a_render_whose_worker_died(rated_assessment):
    reports_generate(assessment=rated_assessment)
    report = ThemeReport.objects.filter(assessment=rated_assessment).first()
    theme_report_claim(report_id=report.pk)  # and the worker dies

    assert reports_sweep() == []  # the claim is fresh: its task may still be running
    later = timezone.now() + timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1)
    with time_machine.travel(later):
        assert report.pk in reports_sweep()

    report.refresh_from_db()
    assert report.status == Status.READY and report.attempts == 2


def test_released_on_close_or_when_the_programme_is_released(rated_assessment):
    programme = rated_assessment.programme
    assert not report_is_released(assessment=rated_assessment)

    programme.closed_at = timezone.now()
    programme.save()
    assert report_is_released(assessment=rated_assessment)

    programme.release_mode = programme.ReleaseMode.BY_FACILITATOR
    programme.save()
    assert not report_is_released(assessment=rated_assessment)

    programme.released_at = timezone.now()
    programme.save()
    assert report_is_released(assessment=rated_assessment)
