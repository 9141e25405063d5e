"""A staff member logs two products and submits; the head approves one and returns the other."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from catalog.models import Product, ProductGroup
from evaluations import services
from evaluations.models import EntryStatus, WorkEntry
from orgunits.models import OrgUnit, User

pytestmark = pytest.mark.browser

QUEUE_LABEL = "Chọn {product} của Nguyễn Văn staff_a"


@pytest.fixture
def catalog(site) -> dict[str, Product]:
    """Sở Thử nghiệm's products, and a hồ sơ staff_a logged last month (so it is "recent")."""
    agency = OrgUnit.objects.get(code="T-SO")
    group, _ = ProductGroup.objects.get_or_create(code="B", defaults={"name": "Nhóm B"})
    products = {
        code: Product.objects.create(
            owner_unit=agency,
            code=code,
            name=name,
            unit_of_measure=measure,
            group=group,
            coefficient=Decimal(coefficient),
            active_from=timezone.localdate() - timedelta(days=400),
        )
        for code, name, measure, coefficient in [
            ("BC", "Báo cáo định kỳ", "báo cáo", "1.0"),
            ("HS", "Giải quyết hồ sơ thủ tục hành chính", "hồ sơ", "0.3"),
        ]
    }
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=10)
    earlier = services.entry_create(
        by=User.objects.get(username="staff_a"),
        product=products["HS"],
        quantity=Decimal("5"),
        completed_on=last_month,
    )
    WorkEntry.objects.filter(pk=earlier.pk).update(
        status=EntryStatus.APPROVED, approved_quantity=Decimal("5")
    )
    return products


def _log_out(page):
    page.context.clear_cookies()


def test_staff_logs_two_products_the_head_approves_one_and_returns_the_other(login, site, catalog):
    # staff_a: one product found by search, one repeated from the recent list.
    page = login("staff_a")
    page.get_by_role("link", name="Nhật ký công việc").click()
    expect(page.get_by_role("heading", name="Nhật ký công việc")).to_be_visible()
    page.get_by_label("Tìm sản phẩm theo tên hoặc mã").fill("Báo cáo")
    results = page.locator("#product-results")
    results.get_by_role("radio", name="Báo cáo định kỳ").check()
    page.get_by_label("Số lượng").fill("2")
    page.get_by_role("button", name="Ghi nhận", exact=True).click()
    expect(page.get_by_text("Đã ghi nhận “Báo cáo định kỳ”")).to_be_visible()

    page.get_by_role("button", name="Ghi lại Giải quyết hồ sơ thủ tục hành chính").click()
    expect(page.get_by_text("Đã ghi lại “Giải quyết hồ sơ thủ tục hành chính” × 5")).to_be_visible()
    entries = page.locator("#entries")
    expect(entries.locator("li")).to_have_count(2)
    expect(entries.get_by_text("Nháp")).to_have_count(2)

    page.get_by_role("button", name="Gửi tất cả").click()
    expect(page.get_by_text("Đã gửi 2 sản phẩm chờ phê duyệt.")).to_be_visible()
    expect(entries.get_by_text("Chờ phê duyệt")).to_have_count(2)
    _log_out(page)

    # head_a: bulk-approve the report, return the case files with a reason.
    page = login("head_a")
    page.get_by_role("link", name="Phê duyệt", exact=True).click()
    expect(page.get_by_role("heading", name="Hàng chờ phê duyệt")).to_be_visible()
    page.get_by_label(QUEUE_LABEL.format(product="Báo cáo định kỳ")).check()
    page.get_by_role("button", name="Phê duyệt các mục đã chọn").click()
    expect(page.get_by_text("Đã phê duyệt 1 sản phẩm.")).to_be_visible()

    page.get_by_role("link", name="Xem, đánh giá Giải quyết hồ sơ thủ tục hành chính").click()
    modal = page.locator("#review-modal")
    expect(modal.get_by_role("button", name="Trả lại")).to_be_visible()
    modal.get_by_label("Ý kiến người duyệt (bắt buộc khi trả lại)").fill("Thiếu minh chứng")
    modal.get_by_role("button", name="Trả lại").click()
    expect(page.get_by_text("Đã lưu kết quả phê duyệt")).to_be_visible()
    expect(page.get_by_text("Không có sản phẩm nào chờ phê duyệt.")).to_be_visible()
    _log_out(page)

    # staff_a: both outcomes, the reason, and the notifications.
    page = login("staff_a")
    expect(page.locator("#unread-count")).to_have_text("2")
    page.get_by_role("link", name="Nhật ký công việc").click()
    entries = page.locator("#entries")
    approved = entries.locator("li", has_text="Báo cáo định kỳ")
    returned = entries.locator("li", has_text="Giải quyết hồ sơ thủ tục hành chính")
    expect(approved.get_by_text("Đã phê duyệt")).to_be_visible()
    expect(returned.get_by_text("Trả lại", exact=True)).to_be_visible()
    expect(returned.get_by_text("Lý do trả lại: Thiếu minh chứng")).to_be_visible()

    page.get_by_title("Thông báo chưa đọc").click()
    expect(page.get_by_role("heading", name="Thông báo")).to_be_visible()
    expect(page.get_by_role("link", name="1 sản phẩm của bạn đã được phê duyệt")).to_be_visible()
    expect(page.get_by_role("link", name="1 sản phẩm của bạn bị trả lại")).to_be_visible()
    expect(page.locator("#notifications").get_by_text("Thiếu minh chứng")).to_be_visible()
