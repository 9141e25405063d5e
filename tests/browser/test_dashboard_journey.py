"""An organization-department viewer opens the dashboard and drills down to one person."""

import pytest
from playwright.sync_api import expect

from reports import rollups

pytestmark = pytest.mark.browser
pytest_plugins = ["tests.reports.rollup_data"]


@pytest.fixture
def figures(site, filled):
    """Two months of work in the persona world, committed and rolled up."""
    for period in filled:
        rollups.rebuild_period(period.pk, cascade=True)
    return site


def test_a_viewer_drills_down_from_the_bloc_to_one_person(login, figures):
    page = login("org_dept_viewer")
    page.get_by_role("button", name="Báo cáo, thống kê").click()
    page.get_by_role("link", name="Toàn tỉnh, khối").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Khối Chính quyền")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quý 1/2026")
    chart = page.locator("#bands-chart")
    expect(chart).to_be_visible()
    expect(chart).to_have_attribute("data-drawn", "true")  # Chart.js drew it
    table = page.locator("#bang-don-vi")
    expect(table.get_by_role("link", name="Sở Thử nghiệm")).to_be_visible()

    table.get_by_role("link", name="Sở Thử nghiệm").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sở Thử nghiệm")
    crumbs = page.get_by_role("navigation", name="Đường dẫn")
    expect(crumbs.get_by_role("link", name="Khối Chính quyền")).to_be_visible()
    expect(crumbs.get_by_role("link", name="Tỉnh Thử nghiệm")).to_have_count(0)

    page.locator("#bang-don-vi").get_by_role("link", name="Phòng A").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Phòng A")
    page.locator("#bang-nguoi").get_by_role("link", name="Nguyễn Văn staff_a", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Nguyễn Văn staff_a")
    history = page.locator("#bang-cac-ky")
    expect(history.get_by_text("Tháng 03/2026")).to_be_visible()
    expect(history.get_by_text("Tháng 02/2026")).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Đường dẫn").get_by_role("link", name="Phòng A")
    ).to_be_visible()
