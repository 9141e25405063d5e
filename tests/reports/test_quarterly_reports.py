"""Quarterly reports between bodies: figures from the rollups, who may do what, the audit trail,
the consolidated province report, and reminders for bodies that have not reported."""

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from kpi_portal.models import AuditEvent, Notification
from reports import quarterly, reminders, rollups
from reports.models import (
    QuarterlyReport,
    QuarterlyState,
    ScopeKind,
    UnitPeriodRollup,
)
from tests import world

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.reports.rollup_data"]

YEAR, QUARTER = 2026, 1  # the rollup fixtures fill February and March 2026
DEADLINE = date(2026, 4, 15)  # 31 March + the default 15 days


@pytest.fixture
def bodies(units):
    return world.reporting_bodies()


@pytest.fixture
def government(bodies):
    return bodies["T-SO"]


@pytest.fixture
def rolled(filled):
    for period in filled:
        rollups.rebuild_period(period.pk, cascade=True)
    return filled


def draft(body, by, text="Các cơ quan thực hiện nghiêm túc.") -> QuarterlyReport:
    return quarterly.quarterly_report_save(
        by=by,
        body=body,
        year=YEAR,
        quarter=QUARTER,
        general_assessment=text,
        difficulties="Một số xã chưa quen phần mềm.",
        proposals="Đề nghị tập huấn thêm.",
    )


def submitted(body, by) -> QuarterlyReport:
    return quarterly.quarterly_report_submit(by=by, report=draft(body, by))


def actions(report) -> list[str]:
    events = AuditEvent.objects.filter(
        object_type="reports.quarterlyreport", object_id=str(report.pk)
    ).order_by("pk")
    return list(events.values_list("action", flat=True))


# ---- figures -------------------------------------------------------------------------------


def test_figures_are_the_quarter_rollups_of_the_covered_subtree(rolled, government, units):
    row = UnitPeriodRollup.objects.get(
        unit=units["T-CQ"], scope_kind=ScopeKind.QUARTER, year=YEAR, number=QUARTER
    )
    below = UnitPeriodRollup.objects.filter(
        unit_path__startswith=units["T-CQ"].path,
        scope_kind=ScopeKind.QUARTER,
        year=YEAR,
        number=QUARTER,
    )
    figures = quarterly.figures(government, YEAR, QUARTER)

    assert figures["has_data"] and figures["people"] == row.people > 0
    for name in ("people_logged", "people_rated", "count_htxs", "count_htt", "count_ht"):
        assert figures[name] == getattr(row, name)
    assert (figures["count_kht"], figures["count_not_rated"]) == (
        row.count_kht,
        row.count_not_rated,
    )
    assert figures["share_evaluated"] == round(100 * row.people_rated / row.people, 1)
    assert figures["mean_total"] == (float(row.mean_total) if row.mean_total is not None else None)
    assert figures["over_quota_count"] == below.filter(over_quota=True).count()
    assert figures["scope"] == ["Khối Chính quyền"]


def test_a_body_without_rollups_reports_empty_figures(government):
    figures = quarterly.figures(government, YEAR, QUARTER)

    assert not figures["has_data"]
    assert figures["people"] == 0 and figures["share_evaluated"] is None


def test_submission_takes_the_figures_and_keeps_each_version(rolled, government, hr_officer):
    report = submitted(government, hr_officer)

    assert report.state == QuarterlyState.SUBMITTED and report.version == 1
    assert report.figures["people"] == quarterly.figures(government, YEAR, QUARTER)["people"]
    version = report.versions.get()
    assert (version.number, version.outcome, version.submitted_by) == (
        1,
        QuarterlyState.SUBMITTED,
        hr_officer,
    )
    assert version.general_assessment == "Các cơ quan thực hiện nghiêm túc."


# ---- the flow and its audit trail -----------------------------------------------------------


def test_returned_report_is_fixed_and_resubmitted_then_accepted_all_audited(
    government, hr_officer, party_viewer
):
    report = submitted(government, hr_officer)
    quarterly.quarterly_report_return(
        by=party_viewer, report=report, comment="Bổ sung số liệu khối xã."
    )
    report.refresh_from_db()
    assert report.state == QuarterlyState.RETURNED and report.is_editable

    draft(government, hr_officer, text="Đã bổ sung số liệu khối xã.")
    quarterly.quarterly_report_submit(by=hr_officer, report=report)
    quarterly.quarterly_report_accept(by=party_viewer, report=report)
    report.refresh_from_db()

    assert (report.state, report.version, report.reviewed_by) == (
        QuarterlyState.ACCEPTED,
        2,
        party_viewer,
    )
    history = list(report.versions.order_by("number").values_list("number", "outcome"))
    assert history == [(1, QuarterlyState.RETURNED), (2, QuarterlyState.ACCEPTED)]
    assert report.versions.get(number=1).review_comment == "Bổ sung số liệu khối xã."
    assert actions(report) == [
        "quarterly_report.create",
        "quarterly_report.submit",
        "quarterly_report.return",
        "quarterly_report.edit",
        "quarterly_report.submit",
        "quarterly_report.accept",
    ]


def test_returning_without_a_comment_is_refused_and_changes_nothing(
    government, hr_officer, party_viewer
):
    report = submitted(government, hr_officer)

    with pytest.raises(ValidationError, match="nêu ý kiến"):
        quarterly.quarterly_report_return(by=party_viewer, report=report, comment="  ")
    report.refresh_from_db()
    assert report.state == QuarterlyState.SUBMITTED


def test_a_submitted_report_cannot_be_edited_until_returned(government, hr_officer):
    submitted(government, hr_officer)

    with pytest.raises(ValidationError, match="chỉ sửa được khi bị trả lại"):
        draft(government, hr_officer, text="Sửa sau khi gửi")


def test_submitting_needs_the_general_assessment(government, hr_officer):
    report = draft(government, hr_officer, text="")

    with pytest.raises(ValidationError):
        quarterly.quarterly_report_submit(by=hr_officer, report=report)


def test_the_reviewers_hear_of_a_submission_and_the_preparers_of_the_outcome(
    government, hr_officer, head_agency, party_viewer
):
    report = submitted(government, hr_officer)
    assert Notification.objects.filter(
        recipient=party_viewer, kind="quarterly_report.submitted"
    ).exists()

    quarterly.quarterly_report_return(by=party_viewer, report=report, comment="Thiếu phụ lục.")

    reviewed = Notification.objects.filter(kind="quarterly_report.reviewed")
    assert set(reviewed.values_list("recipient__username", flat=True)) == {
        "hr_officer",
        "head_agency",
    }


# ---- permissions --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["party_viewer", "org_dept_viewer", "staff_a", "system_admin"])
def test_only_the_bodys_preparers_edit_and_submit(request, government, hr_officer, name):
    user = request.getfixturevalue(name)
    with pytest.raises(PermissionDenied):
        draft(government, user)
    report = draft(government, hr_officer)
    with pytest.raises(PermissionDenied):
        quarterly.quarterly_report_submit(by=user, report=report)


def test_the_head_of_the_body_prepares_its_report_too(government, head_agency):
    assert submitted(government, head_agency).state == QuarterlyState.SUBMITTED


@pytest.mark.parametrize("name", ["hr_officer", "head_agency", "org_dept_viewer", "system_admin"])
def test_only_ban_to_chuc_returns_and_accepts(request, government, hr_officer, name):
    report = submitted(government, hr_officer)
    user = request.getfixturevalue(name)

    with pytest.raises(PermissionDenied):
        quarterly.quarterly_report_accept(by=user, report=report)
    with pytest.raises(PermissionDenied):
        quarterly.quarterly_report_return(by=user, report=report, comment="Không được")


@pytest.mark.parametrize(
    ("name", "status"),
    [
        (None, 302),
        ("staff_a", 404),
        ("outsider_b", 404),
        ("org_dept_viewer", 404),
        ("sector_admin", 404),
        ("hr_officer", 200),
        ("party_viewer", 200),
        ("system_admin", 200),
    ],
)
def test_report_page_answers_only_the_body_ban_to_chuc_and_admins(
    request, client_for, government, hr_officer, name, status
):
    report = submitted(government, hr_officer)
    user = request.getfixturevalue(name) if name else None

    response = client_for(user).get(reverse("reports:quarterly_detail", args=[report.pk]))

    assert response.status_code == status


def test_a_draft_stays_hidden_from_ban_to_chuc(client_for, government, hr_officer, party_viewer):
    report = draft(government, hr_officer)

    response = client_for(party_viewer).get(reverse("reports:quarterly_detail", args=[report.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("name", ["hr_officer", "org_dept_viewer", "system_admin", "staff_a"])
def test_accept_and_return_urls_answer_404_outside_ban_to_chuc(
    request, client_for, government, hr_officer, name
):
    report = submitted(government, hr_officer)
    client = client_for(request.getfixturevalue(name))

    for url in ("reports:quarterly_accept", "reports:quarterly_return"):
        response = client.post(reverse(url, args=[report.pk]), {"comment": "x"})
        assert response.status_code == 404
    report.refresh_from_db()
    assert report.state == QuarterlyState.SUBMITTED


def test_edit_page_answers_404_outside_the_body(client_for, government, party_viewer, hr_officer):
    url = reverse("reports:quarterly_edit", args=[government.pk, YEAR, QUARTER])

    assert client_for(party_viewer).get(url).status_code == 404
    assert client_for(hr_officer).get(url).status_code == 200


def test_preparer_saves_and_submits_through_the_page(client_for, government, hr_officer):
    url = reverse("reports:quarterly_edit", args=[government.pk, YEAR, QUARTER])
    data = {"general_assessment": "Tốt", "difficulties": "", "proposals": "", "gui": "1"}

    response = client_for(hr_officer).post(url, data)

    report = QuarterlyReport.objects.get(body=government, year=YEAR, quarter=QUARTER)
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert report.state == QuarterlyState.SUBMITTED


def test_a_future_quarter_is_refused_with_a_message(client_for, government, hr_officer):
    url = reverse("reports:quarterly_edit", args=[government.pk, 2099, 4])

    response = client_for(hr_officer).post(url, {"general_assessment": "Sớm quá"})

    assert response.status_code == 400
    assert "quý chưa bắt đầu" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "status"),
    [("party_viewer", 200), ("system_admin", 200), ("hr_officer", 404), ("org_dept_viewer", 404)],
)
def test_tracking_page_is_for_ban_to_chuc_and_admins(request, client_for, bodies, name, status):
    url = reverse("reports:quarterly_tracking") + f"?quy={YEAR}-Q{QUARTER}"

    assert client_for(request.getfixturevalue(name)).get(url).status_code == status


def test_tracking_shows_every_body_with_state_deadline_and_overdue(bodies, hr_officer):
    submitted(bodies["T-SO"], hr_officer)

    rows = {
        row.body.unit.code: row
        for row in quarterly.tracking(
            bodies["T-SO"].__class__.objects.all(), YEAR, QUARTER, today=date(2026, 4, 20)
        )
    }

    assert rows["T-SO"].state == QuarterlyState.SUBMITTED and not rows["T-SO"].overdue
    assert rows["T-BTC"].report is None and rows["T-BTC"].overdue
    assert rows["T-BTC"].deadline == DEADLINE


# ---- the consolidated province report --------------------------------------------------------


def _accepted_government(rolled, government, hr_officer, party_viewer) -> QuarterlyReport:
    report = submitted(government, hr_officer)
    return quarterly.quarterly_report_accept(by=party_viewer, report=report)


def test_consolidated_pdf_has_the_heading_each_body_and_its_figures(
    rolled, government, hr_officer, party_viewer, client_for
):
    report = _accepted_government(rolled, government, hr_officer, party_viewer)
    url = reverse("reports:quarterly_consolidated", args=[YEAR, QUARTER, "pdf"])

    response = client_for(party_viewer).get(url)

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    assert "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI" in flat and "QUÝ I NĂM 2026" in flat
    assert "Kính gửi: Ban Thường vụ Tỉnh ủy" in flat
    assert "Sở Thử nghiệm" in flat and "Ban Tổ chức" in flat
    assert f"{report.figures['people']}" in flat
    assert "Chưa tổng hợp số liệu của: Ban Tổ chức" in flat
    assert AuditEvent.objects.filter(action="quarterly_report.consolidate").exists()


def test_consolidated_docx_has_the_heading_each_body_and_its_figures(
    rolled, government, hr_officer, party_viewer, client_for
):
    report = _accepted_government(rolled, government, hr_officer, party_viewer)
    url = reverse("reports:quarterly_consolidated", args=[YEAR, QUARTER, "docx"])

    response = client_for(party_viewer).get(url)

    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI" in paragraphs and "QUÝ I NĂM 2026" in paragraphs
    assert "III. ĐÁNH GIÁ CHUNG" in paragraphs and "V. KIẾN NGHỊ, ĐỀ XUẤT" in paragraphs
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    government_row = next(row for row in rows if row[1] == "Sở Thử nghiệm")
    assert government_row[2] == "Đã tiếp nhận"
    assert government_row[3] == f"{report.figures['people']}"
    assert any(row[1] == "Ban Tổ chức" and row[2].startswith("Chưa lập") for row in rows)
    assert any("Các cơ quan thực hiện nghiêm túc." in row for row in rows)


@pytest.mark.parametrize("name", ["hr_officer", "org_dept_viewer", "system_admin"])
def test_only_ban_to_chuc_consolidates(request, client_for, bodies, name):
    url = reverse("reports:quarterly_consolidated", args=[YEAR, QUARTER, "pdf"])

    assert client_for(request.getfixturevalue(name)).get(url).status_code == 404


# ---- reminders ----------------------------------------------------------------------------


def _reminders(user) -> str:
    return "\n".join(
        Notification.objects.filter(recipient=user, kind="reminder.digest").values_list(
            "body", flat=True
        )
    )


def test_preparers_are_reminded_before_the_deadline(bodies, hr_officer, head_agency, party_viewer):
    reminders.reminders_send(today=date(2026, 4, 14))

    for preparer in (hr_officer, head_agency):
        assert "Báo cáo quý 1/2026 của Sở Thử nghiệm chưa gửi Ban Tổ chức" in _reminders(preparer)
    assert "chưa gửi báo cáo quý" not in _reminders(party_viewer)


def test_overdue_bodies_are_named_to_ban_to_chuc_and_submitted_ones_are_not(
    bodies, hr_officer, party_viewer
):
    submitted(bodies["T-SO"], hr_officer)

    reminders.reminders_send(today=date(2026, 4, 20))

    assert "1 cơ quan chưa gửi báo cáo quý 1/2026, đã quá hạn: Ban Tổ chức." in _reminders(
        party_viewer
    )
    assert "Sở Thử nghiệm chưa gửi" not in _reminders(hr_officer)


def test_a_returned_report_is_reminded_until_sent_again(bodies, hr_officer, party_viewer):
    report = submitted(bodies["T-SO"], hr_officer)
    quarterly.quarterly_report_return(by=party_viewer, report=report, comment="Sửa lại.")

    reminders.reminders_send(today=date(2026, 4, 16))

    assert "bị trả lại, chưa gửi lại" in _reminders(hr_officer)
    assert "Đã quá hạn 1 ngày." in _reminders(hr_officer)


def test_no_reminder_long_before_the_deadline(bodies, hr_officer):
    reminders.reminders_send(today=date(2026, 4, 2))

    assert "Báo cáo quý" not in _reminders(hr_officer)
