"""The work-row mechanism (config.jobs) on its own, with a probe kind whose work a test sets.

The probe uses outbox rows as its table (any model with a state field and ``JobRow``'s fields
would do); its work is the test's, not an email.
"""

from dataclasses import replace
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from kombu import pools as kombu_pools

from accounts.models import OutboxEmail
from config.celery import app as celery_app
from config.jobs import (
    ClaimLost,
    JobKind,
    job_claim,
    job_fail,
    job_finish,
    job_run,
    job_task,
    jobs_sweep,
)
from tests.concurrency import race

MAX_ATTEMPTS = 3
STALE_AFTER = timedelta(minutes=15)
GRACE = timedelta(minutes=2)
work_calls: list[int] = []
work_plan: dict = {"fail": False}


def _work(row) -> str | None:
    work_calls.append(row.pk)
    if work_plan["fail"]:
        raise RuntimeError("the work exploded")
    return "sent" if job_finish(PROBE, row, sent_at=timezone.now()) else None


PROBE = JobKind(
    model=OutboxEmail,
    running="sending",
    done="sent",
    task="tests.config.test_jobs.probe_task",
    work=_work,
    max_attempts=lambda: MAX_ATTEMPTS,
    stale_after=lambda: STALE_AFTER,
    queued_grace=GRACE,
    state_field="state",
    waiting_since="created_at",
    has_updated_at=False,
)
probe_task = job_task(PROBE, name="tests.config.test_jobs.probe_task")


@pytest.fixture(autouse=True)
def _plan():
    work_calls.clear()
    work_plan["fail"] = False
    yield
    work_calls.clear()


def _row(**fields) -> OutboxEmail:
    return OutboxEmail.objects.create(kind="probe", to="someone@example.org", **fields)


def _state(row) -> tuple[str, int]:
    row.refresh_from_db()
    return row.state, row.attempts


# Claiming ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_of_two_claims_one_wins_and_counts_one_attempt():
    row = _row()

    first = job_claim(PROBE, row.pk)
    second = job_claim(PROBE, row.pk)

    assert first is not None and second is None
    assert _state(row) == ("sending", 1)
    assert row.claimed_at == first.claimed_at


@pytest.mark.django_db
def test_a_row_handed_over_twice_is_worked_on_once():
    row = _row()

    assert job_run(PROBE, row.pk) == "sent"
    assert job_run(PROBE, row.pk) is None

    assert work_calls == [row.pk]
    assert _state(row) == ("sent", 1)


@pytest.mark.django_db
def test_a_redelivery_takes_over_a_fresh_claim_and_a_stale_claim_is_free_for_anyone():
    row = _row()
    job_claim(PROBE, row.pk)  # then its worker is lost

    assert job_claim(PROBE, row.pk) is None  # fresh: its worker may still be at it
    assert job_claim(PROBE, row.pk, take_over=True) is not None  # the broker redelivered it
    with time_machine.travel(timezone.now() + STALE_AFTER + timedelta(seconds=1)):
        assert job_claim(PROBE, row.pk) is not None
    assert _state(row) == ("sending", 3)


@pytest.mark.django_db
def test_a_worker_whose_claim_was_taken_over_leaves_the_row_to_its_new_owner():
    row = _row()
    old = job_claim(PROBE, row.pk)
    new = job_claim(PROBE, row.pk, take_over=True)

    assert job_finish(PROBE, old) is False
    assert job_fail(PROBE, old, RuntimeError("late")) is False
    assert _state(row) == ("sending", 2)
    assert job_finish(PROBE, new) is True
    assert _state(row) == ("sent", 2)


@pytest.mark.django_db
def test_claim_lost_during_the_work_ends_the_run_without_touching_the_row():
    row = _row()

    def losing(claimed):
        job_claim(PROBE, claimed.pk, take_over=True)  # another worker takes it over
        raise ClaimLost("taken over")

    kind = replace(PROBE, work=losing)
    assert job_run(kind, row.pk) is None
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("sending", 2, "")


# Attempts --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_attempts_are_bounded_and_a_failed_row_is_never_tried_again():
    work_plan["fail"] = True
    row = _row()

    for attempt in range(1, MAX_ATTEMPTS):
        with pytest.raises(RuntimeError):
            job_run(PROBE, row.pk)  # raised: queued again, for a retry
        assert _state(row) == ("queued", attempt)
        assert row.last_error == "RuntimeError: the work exploded"
    assert job_run(PROBE, row.pk) == "failed"  # the last attempt does not raise
    assert _state(row) == ("failed", MAX_ATTEMPTS)

    work_plan["fail"] = False
    assert job_run(PROBE, row.pk) is None
    assert job_run(PROBE, row.pk, take_over=True) is None
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert jobs_sweep(PROBE) == []
    assert len(work_calls) == MAX_ATTEMPTS
    assert _state(row) == ("failed", MAX_ATTEMPTS)


@pytest.mark.django_db
def test_a_job_that_kills_its_worker_every_time_is_given_up():
    row = _row()
    # Each delivery claims the row, then its worker dies and the broker redelivers it.
    for _ in range(MAX_ATTEMPTS):
        assert job_claim(PROBE, row.pk, take_over=True) is not None
    assert job_claim(PROBE, row.pk, take_over=True) is None

    row.refresh_from_db()
    assert (row.state, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert f"Gave up after {MAX_ATTEMPTS} attempts" in row.last_error


@pytest.mark.django_db
def test_a_final_failure_is_recorded_without_using_up_the_attempts():
    row = _row()
    claimed = job_claim(PROBE, row.pk)

    assert job_fail(PROBE, claimed, ValueError("x"), final=True, message="Not needed.") is False
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("failed", 1, "Not needed.")


# The task, in process --------------------------------------------------------------------------


@pytest.mark.django_db
def test_in_process_the_task_retries_at_once_up_to_the_bound():
    work_plan["fail"] = True
    row = _row()

    assert probe_task.apply(args=(row.pk,)).get() == "failed"

    assert _state(row) == ("failed", MAX_ATTEMPTS)
    assert work_calls == [row.pk] * MAX_ATTEMPTS


@pytest.mark.django_db
def test_in_process_a_kind_may_leave_the_retry_to_the_sweeper():
    work_plan["fail"] = True
    row = _row()
    kind = replace(PROBE, eager_retry=False)
    task = job_task(kind, name="tests.config.test_jobs.probe_task_no_retry")

    assert task.apply(args=(row.pk,)).get() == "queued"
    assert _state(row) == ("queued", 1)
    assert work_calls == [row.pk]


# Sweeping --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sweep_hands_over_rows_never_handed_over_once_their_grace_is_past():
    row = _row()  # written, but its hand-over never ran (the broker was down)

    assert jobs_sweep(PROBE) == []  # too early: its hand-over may still be on its way
    with time_machine.travel(timezone.now() + GRACE + timedelta(seconds=1)):
        assert jobs_sweep(PROBE) == [row.pk]

    assert _state(row) == ("sent", 1)  # handed over: tasks run in process here


@pytest.mark.django_db
def test_the_sweep_recovers_a_row_whose_worker_died():
    row = _row()
    job_claim(PROBE, row.pk)  # and the worker dies

    assert jobs_sweep(PROBE) == []  # the claim is fresh: its task may still be running
    with time_machine.travel(timezone.now() + STALE_AFTER + timedelta(seconds=1)):
        assert jobs_sweep(PROBE) == [row.pk]

    assert _state(row) == ("sent", 2)


@pytest.mark.django_db
def test_the_sweep_gives_up_lost_rows_out_of_attempts_and_leaves_finished_ones():
    spent = _row(attempts=MAX_ATTEMPTS)
    done = _row(state="sent", attempts=1)
    failed = _row(state="failed", attempts=1)

    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert jobs_sweep(PROBE) == []

    assert _state(spent) == ("failed", MAX_ATTEMPTS)
    assert _state(done) == ("sent", 1) and _state(failed) == ("failed", 1)
    assert work_calls == []


@pytest.mark.django_db
def test_with_the_broker_down_the_sweep_leaves_rows_queued():
    row = _row()
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}
    celery_app.conf.update(task_always_eager=False, broker_url="redis://127.0.0.1:1/0")
    _forget_connections()
    try:
        with time_machine.travel(timezone.now() + GRACE + timedelta(seconds=1)):
            assert jobs_sweep(PROBE) == []
    finally:
        celery_app.conf.update(saved)
        _forget_connections()

    assert _state(row) == ("queued", 0)
    assert work_calls == []


def _forget_connections():
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


# PostgreSQL: claims racing for real, each thread with its own connection ------------------------

THREADS = 8


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL row locks"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_of_many_simultaneous_claims_exactly_one_wins():
    row = _row()

    results = race(lambda: job_claim(PROBE, row.pk), THREADS)

    assert len(results) == THREADS
    assert sum(result is not None for result in results) == 1
    assert _state(row) == ("sending", 1)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_of_many_simultaneous_runs_the_work_is_done_once():
    row = _row()

    results = race(lambda: job_run(PROBE, row.pk), THREADS)

    assert len(results) == THREADS
    assert results.count("sent") == 1 and results.count(None) == THREADS - 1
    assert work_calls == [row.pk]
    assert _state(row) == ("sent", 1)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_take_overs_never_go_past_the_bound():
    row = _row()

    results = race(lambda: job_claim(PROBE, row.pk, take_over=True), THREADS)

    assert sum(result is not None for result in results) == MAX_ATTEMPTS
    assert _state(row) == ("failed", MAX_ATTEMPTS)


@pytest.mark.django_db
def test_in_process_a_claim_that_keeps_failing_is_not_retried_forever(monkeypatch):
    import config.jobs

    row = _row()
    claims = []

    def broken_claim(kind, pk, **kwargs):
        claims.append(pk)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(config.jobs, "job_claim", broken_claim)

    assert probe_task.apply(args=(row.pk,)).get() == "queued"
    assert claims == [row.pk] * MAX_ATTEMPTS
    assert _state(row) == ("queued", 0)
