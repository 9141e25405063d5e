"""The sơ kết pack and last year's manual ratings: who may, what the documents hold."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from catalog import services as catalog_services
from kpi_portal.models import AuditEvent
from reports import exports, generators_pilot, pilot, pilot_pack, rollups
from reports.models import (
    ExportKind,
    ExportStatus,
    FeedbackKind,
    FeedbackTopic,
    ManualRatingBaseline,
    ReportExport,
)

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.reports.rollup_data"]

START = date(2026, 2, 1)
TITLE = "BÁO CÁO SƠ KẾT THÍ ĐIỂM"
COUNTS = {"count_htxs": 3, "count_htt": 10, "count_ht": 6, "count_kht": 1}


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def pilot_data(filled, units, system_admin, staff_a, products):
    """Two rated months, a baseline, a feedback item, a new criteria version, a catalog edit."""
    for period in filled:
        rollups.rebuild_period(period.pk, cascade=True, today=date(2026, 6, 1))
    pilot_pack.baseline_save(by=system_admin, unit=units["T-SO"], year=2025, counts=COUNTS)
    pilot.feedback_send(
        by=staff_a,
        title="Đề nghị bổ sung sản phẩm",
        kind=FeedbackKind.PROPOSAL,
        topic=FeedbackTopic.PROCESS,
        body="Bổ sung sản phẩm tiếp công dân.",
    )
    criteria_set = catalog_services.criteria_set_create(
        by=system_admin,
        owner_unit=units["T-SO"],
        code="SK",
        name="Bộ tiêu chí thí điểm Sở Thử nghiệm",
        preset="nd335",
    )
    catalog_services.criteria_version_publish(
        version=criteria_set.versions.get(), by=system_admin, valid_from=date(2026, 7, 1)
    )
    catalog_services.product_update(
        product=products["BC"], by=system_admin, reason="Góp ý thí điểm", name="Báo cáo tháng"
    )
    return filled


def request_pack(client, unit, end=None):
    return client.post(
        reverse("reports:pilot_pack"),
        {
            "unit": unit.pk,
            "start": "01/02/2026",
            "end": (end or timezone.localdate()).strftime("%d/%m/%Y"),
        },
    )


def run(export: ReportExport) -> bytes:
    assert exports.export_run(export.pk).status == ExportStatus.DONE
    export.refresh_from_db()
    with export.file.open("rb") as handle:
        return handle.read()


# ---- last year's manual ratings ------------------------------------------------------------


def test_system_admin_enters_and_corrects_a_baseline_with_an_audit_trail(system_admin, units):
    pilot_pack.baseline_save(by=system_admin, unit=units["T-A"], year=2025, counts=COUNTS)
    again = pilot_pack.baseline_save(
        by=system_admin, unit=units["T-A"], year=2025, counts={**COUNTS, "count_kht": 4}
    )
    assert ManualRatingBaseline.objects.filter(unit=units["T-A"]).count() == 1
    assert again.count_kht == 4 and again.rated == 23
    actions = list(
        AuditEvent.objects.filter(object_type="reports.manualratingbaseline")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["pilot.baseline_create", "pilot.baseline_update"]


def test_hr_officer_enters_baselines_of_their_agency_only(hr_officer, units):
    pilot_pack.baseline_save(by=hr_officer, unit=units["T-A"], year=2025, counts=COUNTS)
    with pytest.raises(PermissionDenied):
        pilot_pack.baseline_save(by=hr_officer, unit=units["T-BTC"], year=2025, counts=COUNTS)


def test_baseline_page_rejects_empty_and_negative_counts(client_for, system_admin, units):
    client = client_for(system_admin)
    url = reverse("reports:adoption_baselines")
    empty = {"unit": units["T-SO"].pk, "year": 2025, **dict.fromkeys(COUNTS, 0)}
    response = client.post(url, empty)
    assert response.status_code == 200
    assert "ít nhất một mức xếp loại" in response.content.decode()
    response = client.post(url, {**empty, "count_htt": -2})
    assert response.status_code == 200 and response.context["form"].errors["count_htt"]
    response = client.post(url, {**empty, **COUNTS})
    assert response.status_code == 302
    assert ManualRatingBaseline.objects.get(unit=units["T-SO"], year=2025).count_htt == 10


@pytest.mark.parametrize("persona", ["staff_a", "head_a", "org_dept_viewer"])
def test_baseline_page_is_refused_without_the_right(client_for, persona, request):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("reports:adoption_baselines")).status_code == 403


def test_hr_officer_cannot_post_a_unit_outside_their_reach(client_for, hr_officer, units):
    response = client_for(hr_officer).post(
        reverse("reports:adoption_baselines"),
        {"unit": units["T-BTC"].pk, "year": 2025, **COUNTS},
    )
    assert response.status_code == 200 and response.context["form"].errors["unit"]
    assert not ManualRatingBaseline.objects.exists()


# ---- the pack ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["staff_a", "head_a", "hr_officer", "sector_admin"])
def test_pack_is_refused_to_people_without_dashboards(client_for, persona, request, units):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("reports:pilot_pack")).status_code == 403
    assert request_pack(client, units["T-SO"]).status_code == 403


def test_pack_form_offers_only_the_viewers_subtree(client_for, org_dept_viewer, units):
    client = client_for(org_dept_viewer)
    assert client.get(reverse("reports:pilot_pack")).status_code == 200
    response = request_pack(client, units["T-BTC"])
    assert response.status_code == 200 and response.context["form"].errors["unit"]
    assert not ReportExport.objects.exists()


def test_pack_refuses_a_range_that_ends_before_it_starts(client_for, org_dept_viewer, units):
    response = request_pack(client_for(org_dept_viewer), units["T-SO"], end=date(2026, 1, 1))
    assert response.status_code == 200 and response.context["form"].errors["end"]


def test_one_action_queues_the_pack_as_pdf_and_excel(client_for, org_dept_viewer, units):
    response = request_pack(client_for(org_dept_viewer), units["T-SO"])
    assert response.status_code == 302
    jobs = ReportExport.objects.filter(requested_by=org_dept_viewer)
    assert {j.kind for j in jobs} == {ExportKind.PILOT_PACK_PDF, ExportKind.PILOT_PACK_XLSX}
    assert all("01/02/2026" in j.title for j in jobs)


def sheet_cells(sheet) -> list:
    return [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]


def test_excel_pack_compares_ratings_with_last_year_and_lists_feedback_and_changes(
    pilot_data, org_dept_viewer, units
):
    jobs = pilot_pack.pack_request(
        by=org_dept_viewer, unit=units["T-SO"], start=START, end=timezone.localdate()
    )
    excel = next(j for j in jobs if j.kind == ExportKind.PILOT_PACK_XLSX)
    book = load_workbook(io.BytesIO(run(excel)))
    first = sheet_cells(book.worksheets[0])
    assert any(str(c).startswith(TITLE) for c in first)
    assert "02/2026" in first and "03/2026" in first
    comparison = [list(r) for r in book.worksheets[2].iter_rows(values_only=True)]
    own = next(r for r in comparison if r[0] == "Sở Thử nghiệm (toàn phạm vi)")
    pilot_counts = generators_pilot.pilot_counts(units["T-SO"], START, timezone.localdate())
    rated = sum(pilot_counts.values())
    assert rated > 0
    assert own[1] == 20 and own[2] == pytest.approx(0.15)  # 3 of last year's 20 were HTXS
    assert own[6] == rated
    assert own[7] == pytest.approx(pilot_counts["HTXS"] / rated)
    register = sheet_cells(book.worksheets[3])
    assert "Đề nghị bổ sung sản phẩm" in register
    versions = sheet_cells(book.worksheets[4])
    assert "Bộ tiêu chí thí điểm Sở Thử nghiệm" in versions
    changes = sheet_cells(book.worksheets[5])
    assert "Sửa sản phẩm, hệ số quy đổi" in changes and "Góp ý thí điểm" in changes


def test_pdf_pack_opens_with_its_vietnamese_headings(pilot_data, org_dept_viewer, units):
    jobs = pilot_pack.pack_request(
        by=org_dept_viewer, unit=units["T-SO"], start=START, end=timezone.localdate()
    )
    pdf = next(j for j in jobs if j.kind == ExportKind.PILOT_PACK_PDF)
    data = run(pdf)
    assert pdf.filename.endswith(".pdf")
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    assert TITLE in flat
    assert "Tình hình sử dụng phần mềm" in flat
    assert "so với năm 2025 (đánh giá thủ công)" in flat
    assert "Sổ theo dõi góp ý, kiến nghị" in flat
    assert "Phiên bản bộ tiêu chí ban hành trong thí điểm" in flat


def test_pack_fails_cleanly_once_the_requester_lost_the_right(pilot_data, org_dept_viewer, units):
    from orgunits.models import RoleGrant

    jobs = pilot_pack.pack_request(
        by=org_dept_viewer, unit=units["T-SO"], start=START, end=timezone.localdate()
    )
    RoleGrant.objects.filter(user=org_dept_viewer).delete()
    org_dept_viewer.__dict__.pop("_scope_cache", None)
    result = exports.export_run(jobs[0].pk)
    assert result.status == ExportStatus.FAILED
    assert result.error
