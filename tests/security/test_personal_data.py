"""A person downloads all their own data and nobody else's; looking at others' scores is logged."""

import json

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from evaluations.models import Evaluation
from kpi_portal.models import AuditEvent
from kpi_portal.notifications import notify
from orgunits import services as org_services
from orgunits.models import Person
from tests.evaluations.conftest import period, position_group, products, quota, workday
from tests.evaluations.test_assessment import give_work, opened

# Fixtures used by name below.
__all__ = ["opened", "period", "position_group", "products", "quota", "workday"]

URL = "/tai-khoan/du-lieu-ca-nhan/"


@pytest.fixture
def busy(opened, products, staff_a, staff_a2):
    give_work(staff_a, opened, products["BC"], "4", "3")
    give_work(staff_a2, opened, products["VB"], "2", "2")
    notify(recipients=[staff_a], kind="test", title="Thông báo cho staff_a")
    notify(recipients=[staff_a2], kind="test", title="Thông báo riêng của staff_a2")
    return opened


def test_personal_data_needs_a_login(client_for, units):
    response = client_for(None).get(URL)
    assert response.status_code == 302 and "dang-nhap" in response["Location"]


def test_the_overview_counts_each_section(client_for, staff_a, busy):
    response = client_for(staff_a).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nhật ký công việc" in page and "Phiếu đánh giá" in page and "?format=pdf" in page


def test_json_holds_everything_about_the_person_and_nothing_about_others(
    client_for, staff_a, staff_a2, busy
):
    response = client_for(staff_a).get(URL, {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    name, other = staff_a.person.full_name, staff_a2.person.full_name
    assert data["account"]["username"] == "staff_a" and "password" not in data["account"]
    assert data["profile"]["hrmis_code"] == staff_a.person.hrmis_code
    assert data["assignments"] and data["role_grants"] == []
    assert [e["person"] for e in data["evaluations"]] == [name]
    assert {e["person"] for e in data["work_entries"]} == {name}
    assert {p["person"] for p in data["plan_items"]} == {name}
    assert [n["title"] for n in data["notifications"]] == ["Thông báo cho staff_a"]
    assert other not in response.content.decode()
    assert "staff_a2" not in response.content.decode()


def test_the_pdf_summary_is_a_pdf_and_the_download_is_audited(client_for, staff_a, busy):
    response = client_for(staff_a).get(URL, {"format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    event = AuditEvent.objects.filter(action="personal_data.download").latest("id")
    assert event.actor == staff_a and event.reason == "pdf"


def test_an_hr_officer_downloads_only_their_own_grants(client_for, hr_officer, busy):
    data = json.loads(client_for(hr_officer).get(URL, {"format": "json"}).content)
    assert [g["role"]["code"] for g in data["role_grants"]] == ["hr_officer"]


def test_opening_someone_elses_scores_is_logged_but_not_ones_own(client_for, staff_a, head_a, busy):
    evaluation = Evaluation.objects.get(person=staff_a.person, period=busy)
    url = reverse("evaluations:evaluation_detail", args=[evaluation.pk])
    assert client_for(staff_a).get(url).status_code == 200
    assert not AuditEvent.objects.filter(action="evaluation.view_breakdown").exists()
    assert client_for(head_a).get(url).status_code == 200
    event = AuditEvent.objects.get(action="evaluation.view_breakdown")
    assert event.actor == head_a and event.object_id == str(evaluation.pk)
    assert event.unit_path == evaluation.unit.path


def test_staff_with_evaluations_cannot_be_deleted_only_deactivated(
    staff_a, system_admin, busy, workday
):
    person = Person.objects.get(user=staff_a)
    with pytest.raises(ProtectedError):
        person.delete()
    with pytest.raises(ProtectedError):
        staff_a.delete()
    org_services.person_deactivate(person=person, on=workday, by=system_admin, reason="nghỉ hưu")
    person.refresh_from_db()
    staff_a.refresh_from_db()
    assert not person.is_active and not staff_a.is_active
    assert Evaluation.objects.filter(person=person).exists()
