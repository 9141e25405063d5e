"""A sector admin reshapes the tree in Chromium: the HTMX forms, their errors and redirects."""

import pytest
from playwright.sync_api import expect

# The browser suite's fixtures (machine's Chromium, live server, login), found by name.
from tests.browser.conftest import (  # noqa: F401
    browser_context_args,
    browser_type_launch_args,
    login,
    site,
)

pytestmark = pytest.mark.browser


def test_sector_admin_adds_a_team_and_a_person_then_transfers_them(login):  # noqa: F811
    page = login("sector_admin")
    page.get_by_role("link", name="Cơ cấu tổ chức").click()
    page.get_by_placeholder("Tìm đơn vị theo tên").fill("Phòng A")
    page.get_by_role("button", name="Tìm").click()
    page.get_by_role("link", name="Phòng A").click()

    page.get_by_role("link", name="Thêm đơn vị trực thuộc").click()
    page.get_by_label("Mã đơn vị").fill("T-A9")
    page.get_by_label("Tên đơn vị").fill("Tổ A9")
    page.get_by_label("Loại đơn vị").select_option(label="Tổ")
    page.get_by_label("Hoạt động từ ngày").fill("31/02/2026")
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_text("Nhập ngày hợp lệ theo dạng dd/mm/yyyy.")).to_be_visible()
    page.get_by_label("Hoạt động từ ngày").fill("01/11/2026")
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", name="Tổ A9")).to_be_visible()
    expect(page.get_by_text("Đã thêm đơn vị.")).to_be_visible()

    page.get_by_role("link", name="Thêm cán bộ").click()
    page.get_by_label("Họ và tên").fill("Phạm Văn Mới")
    page.get_by_label("Loại cán bộ").select_option(label="Công chức")
    page.get_by_label("Mã HRMIS").fill("QNG-T-A9-01")
    page.get_by_label("Công tác tại đơn vị từ ngày").fill("01/11/2026")
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", name="Phạm Văn Mới")).to_be_visible()
    expect(page.get_by_role("cell", name="Tổ A9")).to_be_visible()

    page.get_by_role("link", name="Điều chuyển, bổ nhiệm").click()
    page.get_by_label("Đơn vị công tác mới").select_option(label="\u00a0" * 6 + "Phòng B (T-B)")
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_text("Đã ghi quá trình công tác mới.")).to_be_visible()
    expect(page.get_by_role("cell", name="Phòng B")).to_be_visible()
