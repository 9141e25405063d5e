"""A PostgreSQL trigger refusing UPDATE, DELETE and TRUNCATE on the audit table."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION kpi_portal_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND current_setting('kpi.audit_truncate_allowed', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'Nhật ký hệ thống chỉ được ghi thêm, không được sửa hoặc xóa (%).', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER kpi_portal_auditevent_no_change
    BEFORE UPDATE OR DELETE ON kpi_portal_auditevent
    FOR EACH ROW EXECUTE FUNCTION kpi_portal_auditevent_append_only();

CREATE TRIGGER kpi_portal_auditevent_no_truncate
    BEFORE TRUNCATE ON kpi_portal_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_portal_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS kpi_portal_auditevent_no_truncate ON kpi_portal_auditevent;
DROP TRIGGER IF EXISTS kpi_portal_auditevent_no_change ON kpi_portal_auditevent;
DROP FUNCTION IF EXISTS kpi_portal_auditevent_append_only();
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        # The SQLite demo has no such trigger; the hash chain still reveals edits there.
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # the SQL holds a literal %

    return run


class Migration(migrations.Migration):
    dependencies = [("kpi_portal", "0002_audit_hash_chain_and_outbox")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
