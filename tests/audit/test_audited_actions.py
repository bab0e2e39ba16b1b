"""Every audited action writes one audit event: who, what, on which object, in which
programme. One test per action, each through the page or service a person uses."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.audit import audit_event_summary
from accounts.models import AuditAction, AuditEvent, Role
from assessments.forms.imports import leader_file_read
from assessments.models import Programme, ThemeComment
from assessments.services.erasure import leader_erase, rater_erase
from assessments.services.imports import leaders_import
from assessments.services.programmes import programme_close
from assessments.services.retention import retention_purge
from assessments.services.staff import programme_staff_add, programme_staff_remove
from reports.models import CohortExport
from reports.release import assessment_reports_reopen
from tests.assessments.imports.conftest import csv_upload

from .conftest import programme_closed, reports_ready


def _only_event(action) -> AuditEvent:
    events = list(AuditEvent.objects.filter(action=action))
    assert len(events) == 1, f"expected one {action} event, found {len(events)}"
    return events[0]


@pytest.fixture
def ready_export(programme, programme_admin):
    export = CohortExport(
        programme=programme,
        requested_by=programme_admin,
        kind=CohortExport.Kind.XLSX,
        named=True,
        status=CohortExport.Status.READY,
        expires_at=timezone.now() + timedelta(days=1),
    )
    export.file.save("cohort.xlsx", ContentFile(b"PK test"), save=False)
    export.save()
    return export


def test_export_requested(programme_admin_client, programme, programme_admin, assessment):
    response = programme_admin_client.post(
        f"/programmes/{programme.pk}/exports/new/", {"kind": "csv", "leaders": "anonymised"}
    )

    assert response.status_code == 302
    event = _only_event(AuditAction.EXPORT_REQUESTED)
    assert event.actor == programme_admin and event.programme_id_ref == programme.pk
    assert event.object_type == "reports.cohortexport"
    assert event.detail == {"kind": "CSV files (zip)", "named": False}


def test_export_downloaded(programme_admin_client, programme, ready_export):
    response = programme_admin_client.get(
        f"/programmes/{programme.pk}/exports/{ready_export.pk}/download/"
    )

    assert response.status_code == 200
    event = _only_event(AuditAction.EXPORT_DOWNLOADED)
    assert event.object_id == str(ready_export.pk)
    assert event.detail == {"kind": "Excel workbook (XLSX)", "named": True}


def test_report_viewed_by_an_admin(programme_admin_client, programme, programme_admin, assessment):
    programme_closed(programme)

    response = programme_admin_client.get(f"/reports/staff/assessments/{assessment.pk}/being/")

    assert response.status_code == 200
    event = _only_event(AuditAction.REPORT_VIEWED)
    assert event.actor == programme_admin
    assert (event.object_type, event.object_id) == ("assessments.assessment", str(assessment.pk))
    assert event.detail["theme"] == "Being"
    assert event.detail["leader"]["name"] == "Alex Leader"


def test_report_downloaded_by_an_admin(programme_admin_client, programme, assessment):
    programme_closed(programme)
    reports_ready(assessment)

    response = programme_admin_client.get(
        f"/reports/staff/assessments/{assessment.pk}/being/download/"
    )

    assert response.status_code == 200
    assert _only_event(AuditAction.REPORT_DOWNLOADED).detail["as"] == "programme admin"


def test_report_viewed_and_downloaded_by_the_facilitator(client, facilitator, assessment):
    reports_ready(assessment)
    client.force_login(facilitator)

    assert client.get(f"/reports/facilitator/{assessment.pk}/being/").status_code == 200
    assert client.get(f"/reports/facilitator/{assessment.pk}/being/download/").status_code == 200

    assert _only_event(AuditAction.REPORT_VIEWED).actor == facilitator
    assert _only_event(AuditAction.REPORT_DOWNLOADED).detail["as"] == "facilitator"


def test_the_leader_reading_their_own_reports_is_not_audited(client, leader, assessment):
    from reports.release import programme_reports_release

    programme_closed(assessment.programme)
    reports_ready(assessment)
    programme_reports_release(programme=assessment.programme, by=None)
    client.force_login(leader)

    assert client.get(f"/reports/{assessment.pk}/being/").status_code == 200
    assert client.get(f"/reports/{assessment.pk}/being/download/").status_code == 200

    assert not AuditEvent.objects.exclude(action=AuditAction.RELEASED).exists()


def test_released_by_the_facilitator(client, facilitator, assessment):
    programme_closed(assessment.programme, release_mode=Programme.ReleaseMode.BY_FACILITATOR)
    reports_ready(assessment)
    client.force_login(facilitator)

    # The release is part of recording the debrief (development.views.facilitator_debrief).
    today = timezone.localdate()
    client.post(
        f"/development/facilitator/{assessment.pk}/debrief/",
        {
            "held_on_0": today.day,
            "held_on_1": today.month,
            "held_on_2": today.year,
            "release": "on",
        },
    )

    event = _only_event(AuditAction.RELEASED)
    assert event.actor == facilitator and event.object_id == str(assessment.pk)
    debrief = _only_event(AuditAction.DEBRIEF_RECORDED)
    assert debrief.actor == facilitator and debrief.detail["released"] is True


def test_released_at_the_close_of_an_on_close_programme(programme, programme_admin, assessment):
    programme_close(programme=programme, by=programme_admin)

    event = _only_event(AuditAction.RELEASED)
    assert event.actor == programme_admin
    assert (event.object_type, event.object_id) == ("assessments.programme", str(programme.pk))


def test_reopened(programme, programme_admin, assessment):
    programme_close(programme=programme, by=programme_admin)

    assessment_reports_reopen(assessment=assessment, by=programme_admin, reason="A name slipped in")

    event = _only_event(AuditAction.REOPENED)
    assert event.detail["reason"] == "A name slipped in"


@pytest.mark.parametrize(
    ("action", "audited"),
    [("revoke", AuditAction.INVITATION_REVOKED), ("reissue", AuditAction.INVITATION_REISSUED)],
)
def test_invitation_revoked_and_reissued(
    programme_admin_client, programme, assessment, rater, action, audited
):
    url = f"/programmes/{programme.pk}/leaders/{assessment.pk}/raters/{rater.pk}/{action}/"

    assert programme_admin_client.post(url).status_code == 302

    event = _only_event(audited)
    assert (event.object_type, event.object_id) == ("assessments.invitation", str(rater.pk))
    assert event.detail["rater"] == {
        "invitation_id": rater.pk,
        "name": "Robin Rater",
        "email": "robin.rater@example.org",
        "group": "Peer",
    }


def test_comment_redacted(programme_admin_client, assessment):
    comment = ThemeComment.objects.filter(response__assessment=assessment).first()

    programme_admin_client.post(
        f"/reports/staff/assessments/{assessment.pk}/comments/{comment.pk}/redact/"
    )

    event = _only_event(AuditAction.COMMENT_REDACTED)
    assert event.detail["theme"] == "Being"
    assert comment.text not in str(event.detail)  # the log never copies the comment


def test_role_granted_and_revoked(programme, programme_admin):
    person, _ = programme_staff_add(
        programme=programme,
        role=Role.FACILITATOR,
        email="new.fac@example.nhs.uk",
        full_name="Nia Newfac",
        by=programme_admin,
    )
    programme_staff_remove(
        programme=programme, role=Role.FACILITATOR, user=person, by=programme_admin
    )

    granted = _only_event(AuditAction.ROLE_GRANTED)
    revoked = _only_event(AuditAction.ROLE_REVOKED)
    for event in (granted, revoked):
        assert event.actor == programme_admin
        assert (event.object_type, event.object_id) == ("accounts.user", str(person.pk))
        assert event.detail["role"] == "facilitator"
        assert event.detail["person"]["name"] == "Nia Newfac"


def test_adding_someone_already_there_is_not_a_role_change(programme, programme_admin):
    programme_staff_add(
        programme=programme,
        role=Role.PROGRAMME_ADMIN,
        email=programme_admin.email,
        by=programme_admin,
    )

    assert not AuditEvent.objects.exists()


def test_leader_erased(programme, programme_admin, assessment, leader):
    leader_erase(assessment=assessment, by=programme_admin)

    event = _only_event(AuditAction.LEADER_ERASED)
    assert (event.object_type, event.object_id) == ("accounts.user", str(leader.pk))
    assert event.detail["assessments"] == 1 and event.detail["responses"] == 11
    assert "Alex" not in str(event.detail)


def test_rater_erased(programme_admin, rater):
    rater_erase(invitation=rater, by=programme_admin)

    event = _only_event(AuditAction.RATER_ERASED)
    assert event.object_id == str(rater.pk)
    assert "Robin" not in str(event.detail) and "robin" not in str(event.detail)


def test_retention_purged(programme, programme_admin, assessment):
    programme_close(programme=programme, by=programme_admin)

    with time_machine.travel(timezone.now() + timedelta(days=programme.retention_days + 1)):
        retention_purge()

    event = _only_event(AuditAction.RETENTION_PURGED)
    assert event.actor is None and event.actor_label == "LPC 360 (scheduled task)"
    assert event.detail["deleted"]["comments"] == 3


def test_programme_closed_early_by_an_admin(programme, programme_admin, assessment):
    assert programme_close(programme=programme, by=programme_admin)
    assert not programme_close(programme=programme, by=programme_admin)  # already closed

    event = _only_event(AuditAction.PROGRAMME_CLOSED)
    assert event.actor == programme_admin
    assert (event.object_type, event.object_id) == ("assessments.programme", str(programme.pk))
    assert event.programme_id_ref == programme.pk
    assert audit_event_summary(event) == "Closed early, before its closing time"


def test_programme_closed_when_its_time_passed(programme, assessment):
    with time_machine.travel(programme.closes_at + timedelta(minutes=1)):
        programme_close(programme=programme)

    event = _only_event(AuditAction.PROGRAMME_CLOSED)
    assert event.actor is None and event.actor_label == "LPC 360 (scheduled task)"
    assert audit_event_summary(event) == "Closed at its closing time"


def _leader_file(rows):
    return leader_file_read(upload=csv_upload(rows))


def test_leaders_imported(programme, programme_admin):
    rows = [
        ["Ada Lovelace", "ada@example.nhs.uk", "Mo Manager", "mo@example.nhs.uk", ""],
        ["Ben Okafor", "ben@example.nhs.uk", "", "", ""],
    ]
    leaders_import(programme=programme, leader_file=_leader_file(rows), by=programme_admin)

    event = _only_event(AuditAction.LEADERS_IMPORTED)
    assert event.actor == programme_admin
    assert event.programme_id_ref == programme.pk
    assert event.detail["added"] == 2 and event.detail["line_managers"] == 1
    assert event.detail["filename"] == "leaders.csv"
    assert audit_event_summary(event) == (
        "2 leaders added, 1 line manager nominated, from leaders.csv"
    )


def test_an_import_refused_for_its_problems_records_nothing(programme, programme_admin):
    rows = [["Bad Email", "not-an-email", "", "", ""]]
    plan = leaders_import(programme=programme, leader_file=_leader_file(rows), by=programme_admin)

    assert plan.problems
    assert not AuditEvent.objects.filter(action=AuditAction.LEADERS_IMPORTED).exists()
