"""Logging and submitting go through the services; evaluations hide what the page hides."""

import pytest
from django.urls import reverse

from evaluations.models import EntryStatus, Evaluation, WorkEntry
from kpi_portal.models import AuditEvent
from tests.evaluations.view_helpers import log

pytestmark = pytest.mark.django_db


def test_a_person_logs_and_submits_a_product_through_the_services(
    api_as, staff_a, products, workday, quota
):
    client = api_as("staff_a")
    data = {"product": products["VB"].pk, "quantity": "2", "completed_on": workday.isoformat()}
    created = client.post(reverse("api:entry-list"), data, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["coefficient"], body["period_code"]) == (
        "draft",
        "4.000",
        "2026-03",
    )
    entry = WorkEntry.objects.get(pk=body["id"])
    assert AuditEvent.objects.filter(action="worklog.create", object_id=str(entry.pk)).exists()
    submitted = client.post(reverse("api:entry-submit", args=[entry.pk]))
    assert submitted.status_code == 200
    assert WorkEntry.objects.get(pk=entry.pk).status == EntryStatus.SUBMITTED


def test_others_cannot_submit_an_entry_and_outsiders_do_not_see_it(
    api_as, staff_a, products, workday
):
    entry = log(staff_a, products["BC"], "1", workday)
    url = reverse("api:entry-submit", args=[entry.pk])
    assert api_as("head_a").post(url).status_code == 403
    assert api_as("outsider_b").post(url).status_code == 404
    assert WorkEntry.objects.get(pk=entry.pk).status == EntryStatus.DRAFT


def test_service_validation_errors_come_back_in_vietnamese_in_one_body_shape(
    api_as, staff_a, products, period
):
    response = api_as("staff_a").post(
        reverse("api:entry-list"),
        {"product": products["BC"].pk, "quantity": "1", "completed_on": "2099-01-01"},
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["loi"]
    assert error["ma"] == "invalid" and error["thong_bao"] == "Dữ liệu không hợp lệ."
    assert "không được sau hôm nay" in error["chi_tiet"]["completed_on"][0]


def test_a_product_outside_ones_catalog_reads_as_unknown(api_as, products, workday):
    response = api_as("party_viewer").post(
        reverse("api:entry-list"),
        {"product": products["BC"].pk, "quantity": "1", "completed_on": workday.isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert "product" in response.json()["loi"]["chi_tiet"]


def test_a_decided_rating_reaches_the_person_only_with_publication(
    api_as, assessed, head_agency, staff_a, units
):
    from datetime import date

    from evaluations import assessment

    target = Evaluation.objects.get(person__user=staff_a, period=assessed)
    assessment.evaluations_decide(
        by=head_agency,
        deciding_unit=units["T-SO"],
        period=assessed,
        decision_number="15/QĐ-STN",
        decision_date=date(2026, 4, 2),
        downgrades={target.pk: "Vượt tỷ lệ"},
    )
    url = reverse("api:evaluation-detail", args=[target.pk])
    assert api_as("staff_a").get(url).json()["decision"] is None
    assert api_as("head_agency").get(url).json()["decision"]["number"] == "15/QĐ-STN"
    assessment.evaluations_publish(by=head_agency, deciding_unit=units["T-SO"], period=assessed)
    assert api_as("staff_a").get(url).json()["decision"]["rating"] == "HTT"
    assert api_as("outsider_b").get(url).status_code == 404


def test_results_endpoint_lists_published_results_in_scope(api_as, published):
    url = reverse("api:results")
    body = api_as("head_a").get(url, {"ky": "2026-03"}).json()
    assert body["schema"] == "kpi-results/1.0"
    assert {r["unit_code"] for r in body["results"]} == {"T-A", "T-A1a"}
    assert api_as("system_admin").get(url, {"ky": "2026-03"}).json()["results"]
    bad = api_as("head_a").get(url, {"ky": "03/2026"})
    assert bad.status_code == 400 and "YYYY-MM" in bad.json()["loi"]["chi_tiet"]["ky"][0]
