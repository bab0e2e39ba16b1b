"""The audit log only grows: the ORM refuses updates and deletes on every database."""

import pytest
from django.db import transaction

from accounts.audit import audit_record, audit_redact_person, person_ref
from accounts.models import AppendOnlyViolation, AuditAction, AuditEvent
from tests.factories import AssessmentFactory


@pytest.fixture
def event(programme, programme_admin, leader):
    return audit_record(
        actor=programme_admin,
        action=AuditAction.REPORT_VIEWED,
        programme=programme,
        obj=leader,
        detail={"leader": person_ref(leader), "theme": "Being"},
    )


def test_an_event_records_who_did_what_to_which_object(event, programme, programme_admin, leader):
    stored = AuditEvent.objects.get(pk=event.pk)

    assert stored.actor == programme_admin
    assert stored.actor_label == "Pat Admin (pat.admin@example.nhs.uk)"
    assert stored.action == AuditAction.REPORT_VIEWED
    assert (stored.programme_id_ref, stored.programme_label) == (programme.pk, programme.name)
    assert (stored.object_type, stored.object_id) == ("accounts.user", str(leader.pk))
    assert stored.detail["leader"]["name"] == "Alex Leader"


def test_saving_an_existing_event_again_is_refused(event):
    event.actor_label = "Someone else"

    with pytest.raises(AppendOnlyViolation):
        event.save()

    assert AuditEvent.objects.get(pk=event.pk).actor_label.startswith("Pat Admin")


def test_deleting_an_event_is_refused(event):
    with pytest.raises(AppendOnlyViolation):
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_delete_and_bulk_update_are_refused(event):
    with pytest.raises(AppendOnlyViolation):
        AuditEvent.objects.filter(pk=event.pk).update(actor_label="x")
    with pytest.raises(AppendOnlyViolation):
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.actor_label = "x"
    with pytest.raises(AppendOnlyViolation), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["actor_label"])

    assert AuditEvent.objects.get(pk=event.pk).actor_label.startswith("Pat Admin")


def test_a_person_named_in_the_log_cannot_be_deleted(event, programme_admin):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        programme_admin.delete()


def test_redaction_replaces_the_name_and_email_and_keeps_the_rest(event, leader, programme_admin):
    changed = audit_redact_person(user=leader)

    stored = AuditEvent.objects.get(pk=event.pk)
    assert changed == 1
    assert stored.detail == {
        "leader": {"user_id": leader.pk, "name": "[erased]", "email": "[erased]"},
        "theme": "Being",
    }
    assert stored.actor == programme_admin and stored.actor_label.startswith("Pat Admin")
    assert (stored.action, stored.at, stored.object_id) == (event.action, event.at, event.object_id)


def test_redaction_of_an_actor_replaces_their_label(event, programme_admin):
    audit_redact_person(user=programme_admin)

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor_label == "Erased person"
    assert "Alex Leader" in str(stored.detail)  # someone else, untouched


def test_redaction_finds_the_name_in_free_text(programme, programme_admin, leader):
    AssessmentFactory(programme=programme, leader=leader)
    reopened = audit_record(
        actor=programme_admin,
        action=AuditAction.REOPENED,
        programme=programme,
        obj=programme,
        detail={"reason": "alex leader asked us to; write to ALEX.LEADER@example.nhs.uk"},
    )

    audit_redact_person(user=leader)

    assert AuditEvent.objects.get(pk=reopened.pk).detail == {
        "reason": "[erased] asked us to; write to [erased]"
    }
