"""A database trigger that refuses to change or delete a published criteria version.

The model and the services refuse too; the trigger also stops bulk updates, raw SQL and
fixtures. Only retiring is allowed: status published → retired with its retirement columns.
SQLite (the laptop demo) gets an equivalent pair of triggers.
"""

from django.db import migrations

TABLE = "catalog_criteriasetversion"
MESSAGE = "Phiên bản bộ tiêu chí đã ban hành không được sửa hoặc xóa; hãy tạo bản mới."

POSTGRES = f"""
CREATE OR REPLACE FUNCTION catalog_criteria_version_frozen() RETURNS trigger AS $$
DECLARE
    probe {TABLE};
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'draft' THEN
        RETURN NEW;
    END IF;
    probe := NEW;
    probe.status := OLD.status;
    probe.retired_on := OLD.retired_on;
    probe.retired_at := OLD.retired_at;
    probe.retired_by_id := OLD.retired_by_id;
    IF probe IS DISTINCT FROM OLD
       OR (NEW IS DISTINCT FROM OLD
           AND NOT (OLD.status = 'published' AND NEW.status = 'retired')) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER catalog_criteria_version_frozen
BEFORE UPDATE OR DELETE ON {TABLE}
FOR EACH ROW EXECUTE FUNCTION catalog_criteria_version_frozen();
"""
POSTGRES_REVERSE = f"""
DROP TRIGGER IF EXISTS catalog_criteria_version_frozen ON {TABLE};
DROP FUNCTION IF EXISTS catalog_criteria_version_frozen();
"""

_FROZEN_COLUMNS = [
    "criteria_set_id",
    "number",
    "valid_from",
    "rules",
    "general_descriptions",
    "note",
    "based_on_id",
    "created_by_id",
    "created_at",
    "published_by_id",
    "published_at",
]
_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _FROZEN_COLUMNS)
_LIFECYCLE = " OR ".join(
    f"NEW.{c} IS NOT OLD.{c}" for c in ["status", "retired_on", "retired_at", "retired_by_id"]
)
SQLITE = [
    f"""CREATE TRIGGER catalog_criteria_version_no_delete BEFORE DELETE ON {TABLE}
    WHEN OLD.status <> 'draft' BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER catalog_criteria_version_no_update BEFORE UPDATE ON {TABLE}
    WHEN OLD.status <> 'draft' AND (({_CHANGED}) OR (({_LIFECYCLE})
        AND NOT (OLD.status = 'published' AND NEW.status = 'retired')))
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS catalog_criteria_version_no_delete;",
    "DROP TRIGGER IF EXISTS catalog_criteria_version_no_update;",
]


def create_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_product_groups_a_to_d")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
