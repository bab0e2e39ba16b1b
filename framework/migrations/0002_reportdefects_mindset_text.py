"""Correct the Mindset behaviour's text in databases loaded before the fixture was fixed.

The seed's column layout ran two clauses together ("...in self and others insight and
affiliation with others"); the fixture now restores the comma (see its "corrections"). A
database that loaded version 1 earlier still holds the old text, and once programmes use
that version it is frozen: ``load_framework`` would refuse to load the corrected fixture and
stop the deploy. This migration is the one sanctioned exception to the freeze: it restores
punctuation lost in extraction, never wording, and only where a row still holds exactly
the old text of version 1. It runs before ``load_framework`` (deploys migrate first), which
then finds the version unchanged.

On PostgreSQL the freeze triggers (``assessments`` 0002) are switched off for these two
tables inside this migration's transaction only; the ORM's own refusal lives in ``save()``,
which ``update()`` does not call.
"""

from django.db import migrations, transaction

FRAMEWORK = {"slug": "leadership-for-personalised-care", "version": "1"}
CORRECTIONS = {
    (
        "Open-minded, curious, encourages learning and a lack of defensiveness in self and "
        "others insight and affiliation with others"
    ): (
        "Open-minded, curious, encourages learning and a lack of defensiveness in self and "
        "others, insight and affiliation with others"
    ),
}
TABLES = ("framework_quality", "framework_statement")


def apply_corrections(apps, connection) -> int:
    """Replace each old text of version 1 by its correction; the number of rows changed."""
    Quality = apps.get_model("framework", "Quality")
    Statement = apps.get_model("framework", "Statement")
    postgres = connection.vendor == "postgresql"
    changed = 0
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if postgres:
            # ALTER TABLE refuses while deferred foreign key checks are pending: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for old, new in CORRECTIONS.items():
            changed += Quality.objects.filter(
                theme__framework__slug=FRAMEWORK["slug"],
                theme__framework__version=FRAMEWORK["version"],
                description=old,
            ).update(description=new)
            changed += Statement.objects.filter(
                quality__theme__framework__slug=FRAMEWORK["slug"],
                quality__theme__framework__version=FRAMEWORK["version"],
                text=old,
            ).update(text=new)
        if postgres:
            for table in TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    return changed


def forwards(apps, schema_editor):
    apply_corrections(apps, schema_editor.connection)


class Migration(migrations.Migration):
    # After the freeze triggers exist, so that switching them off and on is well defined.
    dependencies = [
        ("framework", "0001_initial"),
        ("assessments", "0002_freeze_used_framework_versions"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
