"""The debrief: recorded by the leader's facilitator with the release in one step, or by a
leader without a facilitator; its notes are read only by the leader and that facilitator."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from accounts.audit import audit_event_summary
from accounts.models import AuditAction, AuditEvent
from assessments.models import Programme
from development.models import Debrief
from development.selectors import debrief_private, plan_overview
from development.services import debrief_record
from reports.services import report_is_released
from tests.audit.conftest import programme_closed, reports_ready
from tests.factories import AssessmentFactory, UserFactory

from .conftest import date_parts

NOTES = "Talked through the blind spot on listening; Alex will shadow a clinic."


@pytest.fixture
def facilitated(rated_assessment, facilitator, other_facilitator):
    """Alex's rated assessment, closed, released by the facilitator, reports ready."""
    programme = programme_closed(
        rated_assessment.programme, release_mode=Programme.ReleaseMode.BY_FACILITATOR
    )
    programme.facilitators.add(facilitator, other_facilitator)
    rated_assessment.facilitator = facilitator
    rated_assessment.save()
    reports_ready(rated_assessment)
    return rated_assessment


def _fresh(assessment):
    assessment.refresh_from_db()
    return assessment


def test_the_facilitator_records_the_debrief_and_releases_in_one_step(
    client, facilitator, leader, facilitated
):
    yesterday = timezone.localdate() - timedelta(days=1)
    client.force_login(facilitator)
    url = f"/development/facilitator/{facilitated.pk}/debrief/"
    page = client.get(url).content.decode()
    assert "Release the reports to Alex Leader now" in page

    response = client.post(
        url, {**date_parts("held_on", yesterday), "notes": NOTES, "release": "on"}, follow=True
    )

    assert "The debrief has been recorded and Alex Leader can now read" in response.content.decode()
    debrief = Debrief.objects.get(assessment=facilitated)
    assert (debrief.held_on, debrief.notes, debrief.recorded_by) == (yesterday, NOTES, facilitator)
    assert report_is_released(assessment=_fresh(facilitated))
    event = AuditEvent.objects.get(action=AuditAction.DEBRIEF_RECORDED)
    assert event.actor == facilitator and event.detail["held_on"] == yesterday.isoformat()
    assert NOTES not in str(event.detail)  # the audit log carries the date, never the notes
    assert audit_event_summary(event) == (
        f"Debrief with Alex Leader on {yesterday.isoformat()} recorded and reports released"
    )
    assert AuditEvent.objects.filter(action=AuditAction.RELEASED).count() == 1


def test_without_the_box_ticked_the_debrief_is_recorded_and_nothing_released(
    client, facilitator, facilitated
):
    client.force_login(facilitator)
    client.post(
        f"/development/facilitator/{facilitated.pk}/debrief/",
        {**date_parts("held_on", timezone.localdate()), "notes": ""},
    )
    assert Debrief.objects.filter(assessment=facilitated).exists()
    assert not report_is_released(assessment=_fresh(facilitated))


def test_a_refused_release_records_no_debrief_either(facilitator, assessment):
    # The programme is still open: the release is refused, and the debrief with it.
    with pytest.raises(ValidationError, match="once the programme has closed"):
        debrief_record(
            assessment=assessment,
            by=facilitator,
            held_on=timezone.localdate(),
            notes=NOTES,
            release=True,
        )
    assert not Debrief.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.DEBRIEF_RECORDED).exists()


def test_bad_dates_get_clear_messages_and_keep_what_was_typed(client, facilitator, facilitated):
    client.force_login(facilitator)
    url = f"/development/facilitator/{facilitated.pk}/debrief/"
    tomorrow = timezone.localdate() + timedelta(days=1)

    future = client.post(url, {**date_parts("held_on", tomorrow), "notes": NOTES})
    no_month = client.post(
        url, {"held_on_0": "3", "held_on_1": "", "held_on_2": "2026", "notes": NOTES}
    )

    assert future.status_code == no_month.status_code == 200
    assert "The date of the debrief must be today or in the past" in future.content.decode()
    assert "The date of the debrief must include a month" in no_month.content.decode()
    assert NOTES in no_month.content.decode() and 'value="2026"' in no_month.content.decode()
    assert not Debrief.objects.exists()


def _recorded(assessment, by):
    return debrief_record(assessment=assessment, by=by, held_on=timezone.localdate(), notes=NOTES)


def test_the_notes_are_read_by_the_leader_and_their_facilitator_only(
    client, leader, facilitator, other_facilitator, programme_admin, facilitated
):
    _recorded(facilitated, facilitator)
    leader_url = f"/development/{facilitated.pk}/debrief/"
    facilitator_url = f"/development/facilitator/{facilitated.pk}/debrief/"
    superuser = UserFactory(is_superuser=True, is_staff=True)

    client.force_login(leader)
    assert NOTES in client.get(leader_url).content.decode()
    client.force_login(facilitator)
    assert NOTES in client.get(facilitator_url).content.decode()
    for person in (programme_admin, other_facilitator, superuser):
        client.force_login(person)
        assert client.get(leader_url).status_code == 404, person
        assert client.get(facilitator_url).status_code == 404, person
        # The query layer refuses them too, whatever page asks.
        with pytest.raises(Http404):
            debrief_private(user=person, assessment=facilitated)

    # The admin's overview: the date, not the notes.
    client.force_login(programme_admin)
    overview = client.get(f"/development/staff/programmes/{facilitated.programme_id}/plans/")
    assert overview.status_code == 200
    assert timezone.localdate().strftime("%B") in overview.content.decode()
    assert NOTES not in overview.content.decode()
    assert set(plan_overview(programme=facilitated.programme)[facilitated.pk]) == {
        "debriefed_on",
        "plan",
        "submitted",
        "goals",
    }


def test_a_leader_without_a_facilitator_records_their_own_debrief(client, leader, released):
    released.facilitator = None
    released.save()
    client.force_login(leader)
    url = f"/development/{released.pk}/debrief/"
    page = client.get(url).content.decode()
    assert "You do not have a facilitator" in page and "Only you can read these notes." in page

    client.post(url, {**date_parts("held_on", timezone.localdate()), "notes": "My own notes"})

    debrief = Debrief.objects.get(assessment=released)
    assert debrief.notes == "My own notes" and debrief.recorded_by == leader


def test_a_leader_with_a_facilitator_does_not_record_it_and_no_one_before_release(
    client, leader, released, assessment
):
    client.force_login(leader)
    client.post(
        f"/development/{released.pk}/debrief/",
        {**date_parts("held_on", timezone.localdate()), "notes": "Mine"},
    )
    # ``assessment``: no facilitator, not released.
    page = client.get(f"/development/{assessment.pk}/debrief/").content.decode()
    client.post(
        f"/development/{assessment.pk}/debrief/",
        {**date_parts("held_on", timezone.localdate()), "notes": "Mine"},
    )

    assert "once your reports are released" in page
    assert not Debrief.objects.exists()


def test_someone_elses_leader_is_a_404_for_a_facilitator(client, facilitator, programme):
    programme.facilitators.add(facilitator)
    stranger = AssessmentFactory(programme=programme, facilitator=UserFactory())
    client.force_login(facilitator)
    assert client.get(f"/development/facilitator/{stranger.pk}/debrief/").status_code == 404
