"""PostgreSQL itself refuses UPDATE and DELETE on the audit log (a trigger), whatever the
client; it allows only the redaction of the personal columns, in a transaction that asks."""

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.audit import audit_record, audit_redact_person, person_ref
from accounts.models import AuditAction, AuditEvent

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)


@pytest.fixture
def event(programme, programme_admin, leader):
    return audit_record(
        actor=programme_admin,
        action=AuditAction.REPORT_DOWNLOADED,
        programme=programme,
        obj=leader,
        detail={"leader": person_ref(leader)},
    )


def _sql(statement, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def _redaction(on: bool):
    _sql("SELECT set_config('lpc360.audit_redaction', %s, true)", ["on" if on else "off"])


def test_raw_update_is_refused(event):
    with pytest.raises(IntegrityError, match="append-only"):
        _sql("UPDATE accounts_auditevent SET actor_label = 'x' WHERE id = %s", [event.pk])

    assert AuditEvent.objects.get(pk=event.pk).actor_label.startswith("Pat Admin")


def test_raw_delete_is_refused(event):
    with pytest.raises(IntegrityError, match="append-only"):
        _sql("DELETE FROM accounts_auditevent WHERE id = %s", [event.pk])

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_base_queryset_update_is_refused_by_the_database(event):
    from django.db.models import QuerySet

    with pytest.raises(IntegrityError), transaction.atomic():
        QuerySet.update(AuditEvent.objects.filter(pk=event.pk), action="released")


def test_redaction_may_change_only_the_personal_columns(event):
    with transaction.atomic():
        _redaction(on=True)
        assert _sql(
            "UPDATE accounts_auditevent SET actor_label = 'x', detail = '{}' WHERE id = %s",
            [event.pk],
        )
        for column, value in [
            ("action", "released"),
            ("at", "2000-01-01T00:00:00Z"),
            ("object_id", "999"),
            ("programme_id_ref", 999),
            ("actor_id", None),
        ]:
            with pytest.raises(IntegrityError, match="append-only"):
                statement = f"UPDATE accounts_auditevent SET {column} = %s WHERE id = %s"  # noqa: S608
                _sql(statement, [value, event.pk])
        with pytest.raises(IntegrityError, match="append-only"):
            _sql("DELETE FROM accounts_auditevent WHERE id = %s", [event.pk])
        _redaction(on=False)

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_label, stored.detail, stored.action) == ("x", {}, "report_downloaded")


def test_the_redaction_service_switches_redaction_off_again(event, leader):
    audit_redact_person(user=leader)
    assert AuditEvent.objects.get(pk=event.pk).detail["leader"]["name"] == "[erased]"

    # Same (test) transaction: the permission must not outlive the redaction.
    with pytest.raises(IntegrityError, match="append-only"):
        _sql("UPDATE accounts_auditevent SET actor_label = 'x' WHERE id = %s", [event.pk])
