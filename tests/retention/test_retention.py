"""Retention: ``retention_days`` after release, a programme's raw data is deleted — exactly
the ratings, comments, drafts, raters' details and the emails to raters — and its released
reports are kept, frozen for good. Time is frozen so the boundary is exact."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.audit import audit_record, rater_ref
from accounts.models import AuditAction, AuditEvent, OutboxEmail, User
from assessments.models import (
    Assessment,
    Draft,
    Invitation,
    Programme,
    Rating,
    Reminder,
    ReminderRound,
    Response,
    ThemeComment,
)
from assessments.services.retention import programmes_due_for_purge, retention_purge
from assessments.tasks import purge_expired_data
from config.schedules import SCHEDULES
from reports.exports.services import cohort_export_request
from reports.models import ThemeReport
from reports.services import reports_generate
from tests.audit.conftest import reports_ready
from tests.factories import InvitationFactory, ProgrammeFactory, UserFactory
from tests.reports.test_pdf_report import assessment_with_feedback

# Released on a Monday evening in London; the 30 days run across the clocks going forward
# (30 March 2025): they are 30 times 24 hours, so the arithmetic is done in UTC.
RELEASED = datetime(2025, 3, 3, 17, 0, tzinfo=ZoneInfo("Europe/London")).astimezone(UTC)
TABLES = [
    User, Programme, Assessment, Invitation, Draft, Response, Rating, ThemeComment,
    ReminderRound, Reminder, OutboxEmail, ThemeReport, AuditEvent,
]  # fmt: skip


def _counts(**filters) -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


def _raw_data(programme, admin, *, leader, rater_name):
    """An assessment with ratings and comments, four raters in every state, drafts, emails
    to the raters and to the leader, a reminder, an audit event naming a rater, reports."""
    assessment = assessment_with_feedback(
        framework=programme.framework, leader=leader, programme=programme
    )
    made = {
        state: InvitationFactory(
            assessment=assessment,
            state=state,
            name=f"{rater_name} {state}",
            email=f"{rater_name.lower()}.{state}@example.org",
            token_nonce="n" * 32,
            decline_reason="Too busy" if state == Invitation.State.DECLINED else "",
        )
        for state in (
            Invitation.State.SUBMITTED,
            Invitation.State.DECLINED,
            Invitation.State.STARTED,
            Invitation.State.REVOKED,
        )
    }
    Draft.objects.create(assessment=assessment, answers={"1": 4})  # the leader's own
    Draft.objects.create(
        assessment=assessment, invitation=made[Invitation.State.STARTED], answers={"1": 2}
    )
    for invitation in made.values():
        OutboxEmail.objects.create(
            kind="rater_invitation", to=invitation.email, context={"invitation_id": invitation.pk}
        )
    OutboxEmail.objects.create(
        kind="account_invitation", to=leader.email, context={"user_id": leader.pk}
    )
    round_ = ReminderRound.objects.create(programme=programme, created_by=admin)
    Reminder.objects.create(round=round_, invitation=made[Invitation.State.STARTED])
    revoked = made[Invitation.State.REVOKED]
    audit_record(
        actor=admin,
        action=AuditAction.INVITATION_REVOKED,
        programme=programme,
        obj=revoked,
        detail={"rater": rater_ref(revoked)},
    )
    reports_ready(assessment)
    return assessment


@pytest.fixture
def world(framework, programme, programme_admin, leader):
    """Programme ``due``: released on RELEASED, kept 30 days. ``later``: released a week
    after, kept 30 days. ``unreleased``: a facilitator-released programme still waiting."""
    with time_machine.travel(RELEASED - timedelta(days=10), tick=False):
        programme.opens_at = RELEASED - timedelta(days=40)
        programme.closes_at = RELEASED - timedelta(days=1)
        programme.closed_at = programme.closes_at
        programme.released_at = RELEASED
        programme.retention_days = 30
        programme.save()
        due = _raw_data(programme, programme_admin, leader=leader, rater_name="Dee")

        later = ProgrammeFactory(
            framework=framework,
            opens_at=RELEASED - timedelta(days=40),
            closes_at=RELEASED - timedelta(days=1),
            released_at=RELEASED + timedelta(days=7),
            retention_days=30,
        )
        kept = _raw_data(later, programme_admin, leader=UserFactory(), rater_name="Kay")
        unreleased = ProgrammeFactory(
            framework=framework,
            opens_at=RELEASED - timedelta(days=400),
            closes_at=RELEASED - timedelta(days=370),
            release_mode=Programme.ReleaseMode.BY_FACILITATOR,
            retention_days=1,
        )
        waiting = _raw_data(unreleased, programme_admin, leader=UserFactory(), rater_name="Wyn")
    return {"due": due, "later": kept, "unreleased": waiting}


def test_nothing_is_deleted_a_moment_before_the_retention_period_ends(world):
    before = _counts()

    with time_machine.travel(RELEASED + timedelta(days=30, seconds=-1), tick=False):
        assert retention_purge() == []

    assert _counts() == before


def test_exactly_the_raw_data_of_the_due_programme_is_deleted(world):
    due = world["due"]
    programme = due.programme
    ratings = Rating.objects.filter(response__assessment=due).count()
    comments = ThemeComment.objects.filter(response__assessment=due).count()
    before = _counts()
    report_files = [
        Path(settings.MEDIA_ROOT, name)
        for name in ThemeReport.objects.filter(assessment=due).values_list("file", flat=True)
    ]

    with time_machine.travel(RELEASED + timedelta(days=30), tick=False):
        assert retention_purge() == [programme.pk]

    after = _counts()
    assert {table: before[table] - after[table] for table in before} == {
        "User": 0,
        "Programme": 0,
        "Assessment": 0,
        "Invitation": 0,  # kept, blanked: the response-rate counts
        "Draft": 2,  # the leader's and the rater's
        "Response": 0,  # a group and a day: the counts the reports were drawn from
        "Rating": ratings,
        "ThemeComment": comments,
        "ReminderRound": 0,
        "Reminder": 0,
        "OutboxEmail": 4,  # to the four raters; the leader's stays
        "ThemeReport": 0,
        "AuditEvent": -1,  # one more: the purge itself
    }
    assert ratings > 0 and comments == 3
    programme.refresh_from_db()
    assert programme.purged_at == RELEASED + timedelta(days=30)
    for invitation in Invitation.objects.filter(assessment=due):
        assert invitation.name == "Erased rater"
        assert invitation.email == f"erased-{invitation.pk}@invalid"
        assert invitation.decline_reason == "" and invitation.token_nonce == ""
    assert sorted(Invitation.objects.filter(assessment=due).values_list("state", flat=True)) == [
        "declined", "revoked", "started", "submitted",
    ]  # fmt: skip
    assert all(path.exists() for path in report_files)
    assert OutboxEmail.objects.filter(to="alex.leader@example.nhs.uk").exists()


def test_other_programmes_are_untouched(world):
    def snapshot(assessment):
        return (
            Rating.objects.filter(response__assessment=assessment).count(),
            ThemeComment.objects.filter(response__assessment=assessment).count(),
            Draft.objects.filter(assessment=assessment).count(),
            sorted(assessment.invitations.values_list("name", "email", "decline_reason")),
            OutboxEmail.objects.filter(
                context__invitation_id__in=list(assessment.invitations.values_list("pk", flat=True))
            ).count(),
        )

    kept = {key: snapshot(world[key]) for key in ("later", "unreleased")}

    with time_machine.travel(RELEASED + timedelta(days=30), tick=False):
        retention_purge()

    assert {key: snapshot(world[key]) for key in ("later", "unreleased")} == kept
    for key in ("later", "unreleased"):
        world[key].programme.refresh_from_db()
        assert world[key].programme.purged_at is None


def test_the_later_programme_goes_on_its_own_day(world):
    with time_machine.travel(RELEASED + timedelta(days=37), tick=False):
        purged = retention_purge()

    assert purged == [world["due"].programme_id, world["later"].programme_id]
    assert not programmes_due_for_purge(now=RELEASED + timedelta(days=3650))


def test_raters_names_leave_the_audit_log(world):
    with time_machine.travel(RELEASED + timedelta(days=30), tick=False):
        retention_purge()

    revoked = AuditEvent.objects.get(
        action=AuditAction.INVITATION_REVOKED, programme_id_ref=world["due"].programme_id
    )
    assert revoked.detail["rater"]["name"] == revoked.detail["rater"]["email"] == "[erased]"
    other = AuditEvent.objects.get(
        action=AuditAction.INVITATION_REVOKED, programme_id_ref=world["later"].programme_id
    )
    assert other.detail["rater"]["name"] == "Kay revoked"


def test_a_purge_runs_once(world):
    with time_machine.travel(RELEASED + timedelta(days=30), tick=False):
        retention_purge()
        assert retention_purge() == []

    assert AuditEvent.objects.filter(action=AuditAction.RETENTION_PURGED).count() == 1


def test_purged_reports_are_kept_and_never_regenerated(client, leader, programme_admin, world):
    due = world["due"]
    with time_machine.travel(RELEASED + timedelta(days=30), tick=False):
        retention_purge()
    due.refresh_from_db()

    with pytest.raises(ValidationError, match="cannot be generated again"):
        reports_generate(assessment=due)
    client.force_login(leader)
    download = client.get(f"/reports/{due.pk}/being/download/")
    page = client.get(f"/reports/{due.pk}/being/").content.decode()
    assert download.status_code == 200
    assert "can no longer be shown on screen" in page and "Download this report" in page
    client.force_login(programme_admin)
    refused = client.post(f"/reports/staff/assessments/{due.pk}/generate/", follow=True)
    assert "cannot be generated again" in refused.content.decode()
    reopen = client.post(
        f"/reports/staff/assessments/{due.pk}/reopen/", {"reason": "Late data"}, follow=True
    )
    assert "cannot be generated again" in reopen.content.decode()
    assert set(ThemeReport.objects.filter(assessment=due).values_list("status", flat=True)) == {
        ThemeReport.Status.READY
    }


def test_a_report_not_rendered_before_the_purge_is_failed_not_rendered_empty(world):
    due = world["due"]
    ThemeReport.objects.filter(assessment=due, theme__slug="being").update(
        status=ThemeReport.Status.QUEUED
    )

    with time_machine.travel(RELEASED + timedelta(days=30), tick=False):
        retention_purge()

    report = ThemeReport.objects.get(assessment=due, theme__slug="being")
    assert report.status == ThemeReport.Status.FAILED
    assert "retention" in report.last_error


def test_no_cohort_export_after_the_purge(world, programme_admin):
    with time_machine.travel(RELEASED + timedelta(days=30), tick=False):
        retention_purge()

    with pytest.raises(ValidationError, match="retention period"):
        cohort_export_request(
            programme=world["due"].programme, requested_by=programme_admin, kind="csv", named=False
        )


def test_the_daily_task_purges(world):
    with time_machine.travel(RELEASED + timedelta(days=31), tick=False):
        assert purge_expired_data.delay().get() == 1

    assert SCHEDULES["Delete raw data past its retention period"] == (
        "assessments.tasks.purge_expired_data",
        timedelta(days=1),
    )


def test_an_on_close_programme_counts_from_its_close(framework, programme_admin, assessment):
    from assessments.services.programmes import programme_close

    programme = assessment.programme
    with time_machine.travel(programme.closes_at, tick=False):
        programme_close(programme=programme, by=programme_admin)
    programme.refresh_from_db()
    assert programme.released_at == programme.closes_at

    with time_machine.travel(programme.closes_at + timedelta(days=programme.retention_days)):
        assert retention_purge() == [programme.pk]


def test_an_on_close_programme_without_a_stamped_release_counts_from_its_close(
    framework, programme_admin
):
    """Say its release mode was changed after it closed: the close is still its release."""
    programme = ProgrammeFactory(
        framework=framework,
        opens_at=RELEASED - timedelta(days=40),
        closes_at=RELEASED,
        retention_days=30,
    )

    assert programmes_due_for_purge(now=RELEASED + timedelta(days=30, seconds=-1)) == []
    assert programmes_due_for_purge(now=RELEASED + timedelta(days=30)) == [programme]
