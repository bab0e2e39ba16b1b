"""PostgreSQL refuses UPDATE and DELETE on the audit log.

The model and its queryset refuse the same through the ORM; this catches everything else
(``QuerySet.update`` on the base class, raw SQL, a careless migration). One UPDATE is
allowed: erasure and retention redact the personal columns (``actor_label``, ``detail``) of
existing rows, in a transaction that says so with ``SET LOCAL lpc360.audit_redaction = 'on'``
(``accounts.audit``). Even then, a change to any other column is refused.

TRUNCATE is not refused here: Django's test runner and ``flush`` empty tables with it. In
production the application's database role is not granted TRUNCATE on this table
(an operations step, not a migration).
"""

from django.db import migrations

TABLE = "accounts_auditevent"

CREATE = f"""
CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND current_setting('lpc360.audit_redaction', true) = 'on'
        AND (to_jsonb(NEW) - 'actor_label' - 'detail') = (to_jsonb(OLD) - 'actor_label' - 'detail')
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % on {TABLE} refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END $$;
DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};
CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only();
"""

DROP = f"""
DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};
DROP FUNCTION IF EXISTS {TABLE}_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (the quick start) relies on the model-level refusal.
    schema_editor.execute(CREATE, None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP, None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_auditevent")]
    operations = [migrations.RunPython(forwards, backwards)]
