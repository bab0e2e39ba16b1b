"""PostgreSQL refuses writes to a framework version that an assessment refers to.

The models refuse the same writes through the ORM; this catches everything else
(``QuerySet.update``, raw SQL, a careless migration). An UPDATE that changes nothing is
allowed, so re-running ``load_framework`` on a used version is harmless.
"""

from django.db import migrations

# How each framework table finds the framework version a row belongs to.
OWNER = {
    "framework_framework": "{row}.id",
    "framework_theme": "{row}.framework_id",
    "framework_scale": "{row}.framework_id",
    "framework_quality": "(SELECT t.framework_id FROM framework_theme t WHERE t.id = {row}.theme_id)",
    "framework_statement": (
        "(SELECT t.framework_id FROM framework_quality q JOIN framework_theme t"
        " ON t.id = q.theme_id WHERE q.id = {row}.quality_id)"
    ),
    "framework_scalepoint": "(SELECT s.framework_id FROM framework_scale s WHERE s.id = {row}.scale_id)",
}

IN_USE_FUNCTION = """
CREATE OR REPLACE FUNCTION lpc_framework_in_use(fid bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM assessments_assessment a
        JOIN assessments_programme p ON p.id = a.programme_id
        WHERE p.framework_id = fid
    )
$$;
"""


def trigger_sql(table, owner):
    old, new = owner.format(row="OLD"), owner.format(row="NEW")
    return f"""
CREATE OR REPLACE FUNCTION {table}_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND lpc_framework_in_use({old}) THEN
        RAISE EXCEPTION 'framework version in use: % on {table} refused', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND lpc_framework_in_use({new}) THEN
        RAISE EXCEPTION 'framework version in use: % on {table} refused', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS {table}_frozen_update ON {table};
CREATE TRIGGER {table}_frozen_update BEFORE UPDATE ON {table}
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION {table}_frozen();
DROP TRIGGER IF EXISTS {table}_frozen_insert_delete ON {table};
CREATE TRIGGER {table}_frozen_insert_delete BEFORE INSERT OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_frozen();
"""


def drop_sql(table):
    return f"""
DROP TRIGGER IF EXISTS {table}_frozen_update ON {table};
DROP TRIGGER IF EXISTS {table}_frozen_insert_delete ON {table};
DROP FUNCTION IF EXISTS {table}_frozen();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (the quick start) relies on the model-level refusal.
    schema_editor.execute(IN_USE_FUNCTION, None)
    for table, owner in OWNER.items():
        schema_editor.execute(trigger_sql(table, owner), None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in OWNER:
        schema_editor.execute(drop_sql(table), None)
    schema_editor.execute("DROP FUNCTION IF EXISTS lpc_framework_in_use(bigint);")


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial"), ("framework", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
