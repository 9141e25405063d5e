"""The audit log is hash-chained, append-only at the database, verifiable and readable in scope."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from openpyxl import load_workbook

from kpi_portal import audit
from kpi_portal.models import AuditEvent, audit_hash

TABLE = AuditEvent._meta.db_table


def _write(units, by, count: int = 3, unit_code: str = "T-A") -> list[AuditEvent]:
    unit = units[unit_code]
    return [
        audit.record(
            by=by,
            action="test.touch",
            obj=unit,
            changes={"n": [i, i + 1], "ghi chú": "Được"},
            reason=f"lần {i}",
            unit_path=unit.path,
        )
        for i in range(count)
    ]


def _verify() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("audit_verify", stdout=out)
    except CommandError as error:
        return error.returncode, str(error)
    return 0, out.getvalue()


def test_each_event_is_chained_to_the_previous_one(units, system_admin):
    first, second, third = _write(units, system_admin)
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    stored = AuditEvent.objects.get(pk=third.pk)
    assert stored.hash == audit_hash(stored, stored.prev_hash) == third.hash
    assert len(third.hash) == 64


def test_bulk_record_chains_events_too(units, system_admin):
    (last,) = _write(units, system_admin, count=1)
    events = [
        audit.build(by=system_admin, action="test.bulk", obj=units["T-A"], reason=str(i))
        for i in range(3)
    ]
    audit.bulk_record(events)
    stored = list(AuditEvent.objects.filter(action="test.bulk").order_by("id"))
    assert stored[0].prev_hash == last.hash
    assert [e.prev_hash for e in stored[1:]] == [e.hash for e in stored[:-1]]
    assert _verify()[0] == 0


def test_audit_verify_reports_an_intact_chain(units, system_admin):
    _write(units, system_admin)
    code, output = _verify()
    assert code == 0
    assert f"Chuỗi nhật ký toàn vẹn: {AuditEvent.objects.count()} sự kiện" in output


@pytest.mark.parametrize(
    "statement", ["UPDATE {t} SET reason = 'sửa' WHERE id = %s", "DELETE FROM {t} WHERE id = %s"]
)
def test_database_refuses_to_change_or_delete_audit_events(units, system_admin, statement):
    (event,) = _write(units, system_admin, count=1)
    with (
        pytest.raises(DatabaseError, match="chỉ được ghi thêm"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(t=TABLE), [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).reason == "lần 0"


def test_database_refuses_to_truncate_the_audit_log(units, system_admin):
    _write(units, system_admin, count=1)
    with (
        pytest.raises(DatabaseError, match="chỉ được ghi thêm"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # Test databases allow TRUNCATE for the runner's flush; this session forbids it again.
        cursor.execute("SET LOCAL kpi.audit_truncate_allowed = 'off'")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {TABLE} CASCADE")
    assert AuditEvent.objects.exists()


def test_the_application_cannot_save_an_existing_event_again(units, system_admin):
    (event,) = _write(units, system_admin, count=1)
    event.reason = "sửa"
    with pytest.raises(ValueError):
        event.save()


def _tamper(sql: str, params) -> None:
    with connection.cursor() as cursor:
        # Deferred foreign-key checks count as pending trigger events and would block ALTER.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER kpi_portal_auditevent_no_change")
        cursor.execute(sql.format(t=TABLE), params)
        cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER kpi_portal_auditevent_no_change")


def test_audit_verify_catches_an_edited_event(units, system_admin):
    events = _write(units, system_admin)
    _tamper("UPDATE {t} SET reason = 'đã bị sửa' WHERE id = %s", [events[1].pk])
    code, message = _verify()
    assert code == 2
    assert f"#{events[1].pk}" in message and "bị sửa" in message


def test_audit_verify_catches_an_edit_with_a_recomputed_hash(units, system_admin):
    events = _write(units, system_admin)
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.reason = "đã bị sửa"
    _tamper(
        "UPDATE {t} SET reason = %s, hash = %s WHERE id = %s",
        [forged.reason, audit_hash(forged, forged.prev_hash), forged.pk],
    )
    code, message = _verify()
    assert code == 2 and f"#{events[2].pk}" in message


def test_audit_verify_catches_a_gap(units, system_admin):
    events = _write(units, system_admin)
    _tamper("DELETE FROM {t} WHERE id = %s", [events[1].pk])
    code, message = _verify()
    assert code == 2
    assert f"#{events[2].pk}" in message and "bị xóa" in message


# The viewer


def test_audit_viewer_permission_matrix(
    client_for, units, staff_a, head_a, hr_officer, system_admin
):
    assert client_for(None).get("/nhat-ky-he-thong/").status_code == 302
    assert client_for(staff_a).get("/nhat-ky-he-thong/").status_code == 403
    assert client_for(head_a).get("/nhat-ky-he-thong/").status_code == 403
    assert client_for(hr_officer).get("/nhat-ky-he-thong/").status_code == 200
    assert client_for(system_admin).get("/nhat-ky-he-thong/").status_code == 200


def test_hr_officer_sees_only_events_inside_their_subtree(
    client_for, units, hr_officer, system_admin
):
    inside = _write(units, system_admin, count=1, unit_code="T-B")[0]
    outside = _write(units, system_admin, count=1, unit_code="T-BTC")[0]
    inside_repr, outside_repr = inside.object_repr, outside.object_repr
    hr = client_for(hr_officer).get("/nhat-ky-he-thong/", {"action": "test.touch"})
    assert inside_repr in hr.content.decode() and outside_repr not in hr.content.decode()
    admin = client_for(system_admin).get("/nhat-ky-he-thong/", {"action": "test.touch"})
    assert outside_repr in admin.content.decode()


def test_audit_viewer_filters_by_text_and_dates(client_for, units, system_admin):
    _write(units, system_admin, count=2)
    client = client_for(system_admin)
    page = client.get("/nhat-ky-he-thong/", {"q": "lần 1", "action": "test."}).content.decode()
    assert "lần 1" in page and "lần 0" not in page
    empty = client.get("/nhat-ky-he-thong/", {"date_to": "01/01/2000", "action": "test."})
    assert "Không có sự kiện nào phù hợp." in empty.content.decode()
    bad = client.get("/nhat-ky-he-thong/", {"date_from": "không phải ngày"})
    assert bad.status_code == 200


def test_audit_excel_export_neutralises_formulas(client_for, units, system_admin):
    audit.record(
        by=system_admin,
        action="test.formula",
        obj=units["T-A"],
        reason='=HYPERLINK("http://x","y")',
        unit_path=units["T-A"].path,
    )
    response = client_for(system_admin).get(
        "/nhat-ky-he-thong/", {"action": "test.formula", "format": "xlsx"}
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][10] == '\'=HYPERLINK("http://x","y")'


def test_nav_shows_the_audit_link_only_to_those_who_may_read_it(
    client_for, units, staff_a, system_admin
):
    assert "/nhat-ky-he-thong/" in client_for(system_admin).get("/").content.decode()
    assert "/nhat-ky-he-thong/" not in client_for(staff_a).get("/").content.decode()
