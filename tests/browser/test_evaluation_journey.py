"""A month's evaluation end to end: self → head → decision over quota → publication → appeal."""

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog.models import Product, ProductGroup, Quota
from evaluations import assessment, services
from evaluations.models import Evaluation, EvaluationState, Period, PeriodState
from orgunits.models import JobPosition, JobPositionGroup, OrgUnit, Person, User
from tests.evaluations.assessment_helpers import FULL, evaluation_of, give_work
from tests.evaluations.view_helpers import PDF_BYTES

pytestmark = pytest.mark.browser

MARCH = date(2026, 3, 10)


def _march_with_everyone_but_staff_a_assessed() -> Period:
    """Sở Thử nghiệm in March 2026: staff_a has done the work; the others are all assessed."""
    agency = OrgUnit.objects.get(code="T-SO")
    group = JobPositionGroup.objects.create(code="T-CV", name="Chuyên viên")
    position = JobPosition.objects.create(code="T-CV", name="Chuyên viên", group=group)
    Person.objects.filter(hrmis_code__startswith="HR").update(job_position=position)
    Quota.objects.create(
        unit=agency, group=group, valid_from=date(2025, 1, 1), per_month=Decimal("44")
    )
    product_group, _ = ProductGroup.objects.get_or_create(code="B", defaults={"name": "Nhóm B"})
    drafts = Product.objects.create(
        owner_unit=agency,
        code="VB",
        name="Dự thảo văn bản quy phạm pháp luật",
        unit_of_measure="văn bản",
        group=product_group,
        coefficient=Decimal("4"),
        active_from=date(2025, 1, 1),
    )
    period = services.period_for_work(bloc=agency.bloc, completed_on=MARCH)
    Period.objects.filter(pk=period.pk).update(state=PeriodState.OPEN)
    period.refresh_from_db()
    users = {u.username: u for u in User.objects.filter(username__in=_NAMES)}
    for name in ("staff_a", "staff_a2"):
        give_work(users[name], period, drafts, "2", "2")
    for name in ("staff_a1a", "head_a", "deputy_a", "head_agency", "outsider_b"):
        give_work(users[name], period, drafts, "5", "3")
    assessment.evaluations_open(period=period)
    for name, reviewer in (("staff_a2", "deputy_a"), ("staff_a1a", "head_a")):
        evaluation = assessment.evaluation_self_assess(
            by=users[name], evaluation=evaluation_of(users[name], period), general=FULL, notes=[]
        )
        assessment.evaluation_head_assess(by=users[reviewer], evaluation=evaluation, general=FULL)
    Evaluation.objects.filter(period=period).exclude(
        person__user__username__in=["staff_a", "staff_a2", "staff_a1a"]
    ).update(
        state=EvaluationState.HEAD_ASSESSED,
        self_general=FULL,
        head_general=FULL,
        organizing=Decimal("1"),
    )
    return period


_NAMES = ["staff_a", "staff_a2", "staff_a1a", "head_a", "deputy_a", "head_agency", "outsider_b"]


def _menu(page, entry: str):
    menu = page.get_by_role("navigation", name="Điều hướng chính")
    menu.get_by_role("button", name="Đánh giá, xếp loại").click()
    menu.get_by_role("link", name=entry).click()


def _log_out(page):
    page.context.clear_cookies()


def test_self_assessment_to_a_resolved_appeal(login, site, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    _march_with_everyone_but_staff_a_assessed()
    evidence = tmp_path / "xac-nhan.pdf"
    evidence.write_bytes(PDF_BYTES)

    # staff_a: Mẫu 01 with the live score, then sends it.
    page = login("staff_a")
    _menu(page, "Phiếu đánh giá của tôi")
    expect(
        page.get_by_role("heading", name="Phiếu đánh giá, xếp loại — Tháng 03/2026")
    ).to_be_visible()
    expect(page.locator("#score-total")).to_have_text("70,00")
    for index in range(3):
        page.locator(f"#id_point_{index}").fill("10")
    page.locator("#id_note_0").fill("Chấp hành tốt nội quy")
    expect(page.locator("#score-total")).to_have_text("100,00")
    expect(page.locator("#score-rating")).to_have_text("Hoàn thành xuất sắc nhiệm vụ")
    page.get_by_role("button", name="Gửi phiếu tự đánh giá").click()
    expect(page.get_by_text("Đã lưu phiếu tự đánh giá kỳ Tháng 03/2026")).to_be_visible()
    expect(page.locator("#evaluation-state")).to_have_text("Đã tự đánh giá")
    _log_out(page)

    # head_a: lowers one point, which needs a reason, and sees the score move.
    page = login("head_a")
    _menu(page, "Đánh giá của thủ trưởng")
    page.get_by_role("link", name="Đánh giá Nguyễn Văn staff_a", exact=True).click()
    page.locator("#id_point_2").fill("9.5")
    expect(page.locator("#score-total")).to_have_text("99,50")
    page.get_by_role("button", name="Lưu đánh giá của thủ trưởng").click()
    expect(page.get_by_text("Điểm khác điểm tự chấm: phải ghi lý do điều chỉnh.")).to_be_visible()
    page.locator("#id_reason_2").fill("Chưa có sáng kiến trong tháng")
    page.get_by_role("button", name="Lưu đánh giá của thủ trưởng").click()
    expect(
        page.get_by_text("Đã lưu đánh giá của thủ trưởng đối với Nguyễn Văn staff_a.")
    ).to_be_visible()
    _log_out(page)

    # head_agency: the group is over the "xuất sắc" cap; the decision waits for a downgrade.
    page = login("head_agency")
    _menu(page, "Quyết định, công bố")
    page.get_by_role("link", name="Mở Sở Thử nghiệm").click()
    over = page.locator("#quota-table tbody tr", has_text="Chuyên viên")
    expect(over).to_have_class(re.compile("table-danger"))
    pick = page.get_by_label("Hạ mức Nguyễn Văn staff_a", exact=True)
    expect(pick).to_be_checked()
    pick.uncheck()
    page.get_by_label("Số quyết định").fill("15/QĐ-STN")
    page.get_by_role("button", name="Quyết định xếp loại").click()
    expect(page.get_by_text("vượt tỷ lệ Hoàn thành xuất sắc nhiệm vụ")).to_be_visible()
    page.get_by_label("Hạ mức Nguyễn Văn staff_a", exact=True).check()
    page.get_by_label("Lý do hạ mức Nguyễn Văn staff_a", exact=True).fill(
        "Vượt tỷ lệ 20%, xét theo tổng điểm"
    )
    page.get_by_role("button", name="Quyết định xếp loại").click()
    expect(page.get_by_text("Đã quyết định xếp loại 11 phiếu đánh giá")).to_be_visible()
    page.get_by_role("button", name="Công bố kết quả").click()
    expect(page.get_by_text("Đã công bố kết quả xếp loại của 11 người.")).to_be_visible()
    _log_out(page)

    # staff_a: sees the downgrade and files a khiếu nại with a file.
    page = login("staff_a")
    _menu(page, "Phiếu đánh giá của tôi")
    expect(page.locator("#final-rating")).to_have_text("Hoàn thành tốt nhiệm vụ")
    expect(page.get_by_text("Vượt tỷ lệ 20%, xét theo tổng điểm")).to_be_visible()
    page.get_by_label("Nội dung khiếu nại").fill("Đề nghị xem xét lại: nhóm còn chỉ tiêu xuất sắc")
    page.get_by_label("Tệp đính kèm").set_input_files(str(evidence))
    page.get_by_role("button", name="Gửi khiếu nại").click()
    expect(page.get_by_text("Đã gửi khiếu nại")).to_be_visible()
    expect(page.get_by_role("link", name="xac-nhan.pdf")).to_be_visible()
    _log_out(page)

    # head_agency: accepts with a re-score.
    page = login("head_agency")
    _menu(page, "Khiếu nại")
    page.get_by_role("link", name="Xem, giải quyết Nguyễn Văn staff_a").click()
    page.get_by_label("Chấp nhận, đánh giá lại").check()
    page.get_by_label("Nội dung, lý do giải quyết").fill("Chấp nhận; nhóm còn chỉ tiêu")
    page.get_by_label("Xếp loại sau khi đánh giá lại").select_option("HTXS")
    page.get_by_role("button", name="Lưu kết quả giải quyết").click()
    expect(page.get_by_text("Đã giải quyết khiếu nại của Nguyễn Văn staff_a.")).to_be_visible()
    _log_out(page)

    # staff_a: the final result.
    page = login("staff_a")
    _menu(page, "Phiếu đánh giá của tôi")
    expect(page.locator("#final-rating")).to_have_text("Hoàn thành xuất sắc nhiệm vụ")
    expect(page.get_by_text("Kết quả giải quyết: Chấp nhận; nhóm còn chỉ tiêu")).to_be_visible()


def test_the_calculator_adds_a_line_and_scores_the_issues_example(login, site):
    page = login("outsider_b")
    _menu(page, "Tính thử điểm")
    page.get_by_role("button", name="Thêm dòng nhiệm vụ").click()
    expect(page.locator("#id_line-1-coefficient")).to_be_visible()
    page.locator("#id_line-1-DELETE").check()
    page.locator("#id_point_0").fill("9.5")
    page.locator("#id_point_1").fill("9")
    page.locator("#id_point_2").fill("8")
    page.locator("#id_line-0-coefficient").fill("1.5")
    page.locator("#id_line-0-assigned").fill("4")
    page.locator("#id_line-0-done").fill("4")
    page.locator("#id_line-0-major_errors").fill("1")
    page.locator("#id_line-0-major_errors").blur()
    # The live result follows the change without a reload.
    expect(page.locator("#score-total")).to_have_text("90,67")
    expect(page.locator("#score-task")).to_have_text("64,17")
    expect(page.locator("#score-rating")).to_have_text("Hoàn thành xuất sắc nhiệm vụ")
    page.locator("#id_line-0-assigned").fill("-1")
    page.get_by_role("button", name="Tính điểm").click()
    expect(page.locator("#id_line-0-assigned + .invalid-feedback")).to_have_text(
        "Phải từ 0 trở lên."
    )
