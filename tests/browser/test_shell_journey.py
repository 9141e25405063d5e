import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_staff_member_logs_in_opens_the_org_tree_and_logs_out(login, site):
    page = login("head_a")
    expect(page.get_by_role("heading", name="Xin chào")).to_be_visible()
    page.get_by_role("link", name="Cơ cấu tổ chức").click()
    expect(page.get_by_role("heading", name="Cơ cấu tổ chức")).to_be_visible()
    page.get_by_role("link", name="Phòng A").first.click()
    expect(page.get_by_role("heading", name="Phòng A")).to_be_visible()
    expect(page.get_by_role("cell", name="Nguyễn Văn staff_a", exact=True)).to_be_visible()
    page.get_by_role("button", name="Nguyễn Văn head_a").click()
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible()
