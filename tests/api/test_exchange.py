"""export_results and sync_staff: the versioned schema, XML = JSON, and a lossless round trip."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kpi_portal.api import exchange
from orgunits.models import Assignment, Person

pytestmark = pytest.mark.django_db


def _export(tmp_path, fmt: str = "json"):
    target = tmp_path / f"ket-qua.{fmt}"
    call_command("export_results", "--period", "2026-03", "--format", fmt, "--output", str(target))
    return target


def _people_state() -> list[tuple]:
    people = Person.objects.order_by("hrmis_code").values_list(
        "hrmis_code", "full_name", "category", "email", "job_position__code", "party_member"
    )
    posts = Assignment.objects.order_by("person__hrmis_code", "start").values_list(
        "person__hrmis_code", "unit__code", "role", "is_primary", "start", "end"
    )
    return [*people, *posts]


def test_export_writes_published_results_in_the_documented_schema(tmp_path, published, staff_a):
    document = json.loads(_export(tmp_path).read_text())
    assert document["schema"] == "kpi-results/1.0" and document["period"] == "2026-03"
    mine = next(r for r in document["results"] if r["hrmis_code"] == staff_a.person.hrmis_code)
    assert mine["rating"] == "HTT" and mine["rating_label"] == "Hoàn thành tốt nhiệm vụ"
    assert mine["decision"] == {"number": "15/QĐ-STN", "date": "2026-04-02"}
    assert mine["unit_code"] == "T-A" and mine["scores"]["total"]
    assert mine["person"]["assignments"][0]["unit_code"] == "T-A"


def test_xml_carries_the_same_document_as_json(tmp_path, published):
    as_json = json.loads(_export(tmp_path).read_text())
    as_xml = exchange.from_xml(_export(tmp_path, "xml").read_bytes())
    for document in (as_json, as_xml):
        document.pop("generated_at")
    assert as_xml == as_json


def test_export_then_sync_is_lossless_and_idempotent(tmp_path, published, capsys):
    file = _export(tmp_path)
    before = _people_state()
    Person.objects.filter(hrmis_code="HR0000").update(full_name="Tên bị sửa sai", email="x@y.vn")
    call_command("sync_staff", str(file))
    assert _people_state() == before
    capsys.readouterr()
    call_command("sync_staff", str(file))
    assert "cập nhật 0" in capsys.readouterr().out
    assert _people_state() == before


def test_sync_from_xml_matches_sync_from_json(tmp_path, published):
    file, before = _export(tmp_path, "xml"), _people_state()
    Person.objects.filter(hrmis_code="HR0001").update(full_name="Khác")
    call_command("sync_staff", str(file))
    assert _people_state() == before


def test_sync_rejects_a_bad_file_whole_with_clear_errors_and_exit_2(tmp_path, units):
    document = {
        "schema": "kpi-staff/1.0",
        "people": [
            {
                "hrmis_code": "MOI001",
                "full_name": "Trần Thị Mới",
                "category": "cong_chuc",
                "assignments": [{"unit_code": "T-A", "role": "staff", "start": "2026-01-01"}],
            },
            {
                "hrmis_code": "MOI002",
                "full_name": "Lê Văn Lỗi",
                "category": "cong_chuc",
                "assignments": [{"unit_code": "KHONG-CO", "start": "01/01/2026"}],
            },
        ],
    }
    file = tmp_path / "can-bo.json"
    file.write_text(json.dumps(document, ensure_ascii=False))
    with pytest.raises(CommandError) as error:
        call_command("sync_staff", str(file))
    assert error.value.returncode == 2
    assert "yyyy-mm-dd" in str(error.value)
    assert not Person.objects.filter(hrmis_code__startswith="MOI").exists()


def test_sync_adds_new_people_from_a_staff_document(tmp_path, units):
    document = {
        "schema": "kpi-staff/1.0",
        "people": [
            {
                "hrmis_code": "MOI003",
                "full_name": "Phạm Văn Mới",
                "category": "vien_chuc",
                "assignments": [{"unit_code": "T-B", "role": "staff", "start": "2026-01-01"}],
            }
        ],
    }
    file = tmp_path / "can-bo.json"
    file.write_text(json.dumps(document, ensure_ascii=False))
    call_command("sync_staff", str(file))
    person = Person.objects.get(hrmis_code="MOI003")
    assert person.primary_assignment_on(person.assignments.get().start).unit.code == "T-B"


def test_a_file_in_another_schema_is_refused(tmp_path, units):
    file = tmp_path / "khac.json"
    file.write_text(json.dumps({"schema": "khac/2.0"}))
    with pytest.raises(CommandError, match=r"kpi-staff/1\.0"):
        call_command("sync_staff", str(file))


def test_export_refuses_a_malformed_period(units):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("export_results", "--period", "10/2026")
