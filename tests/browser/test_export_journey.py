"""An organization-department viewer requests the quarterly Excel and PDF and downloads both."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from catalog.models import ProductGroup
from tests.evaluations import conftest as evaluation_fixtures
from tests.reports import test_exports

pytestmark = pytest.mark.browser

position_group = evaluation_fixtures.position_group
products = evaluation_fixtures.products
quota = evaluation_fixtures.quota
period = evaluation_fixtures.period
decided = test_exports.decided
private_media = test_exports.private_media


@pytest.fixture(autouse=True)
def product_groups(site):
    """A live-server test empties every table, the catalog's seeded groups too."""
    ProductGroup.objects.get_or_create(code="B", defaults={"name": "Nhóm B"})


def test_a_viewer_requests_the_quarterly_excel_and_pdf_and_downloads_both(
    login, site, decided, units, tmp_path
):
    page = login("org_dept_viewer")
    page.get_by_role("link", name="Báo cáo của tôi").click()
    expect(page.get_by_role("heading", name="Báo cáo của tôi", level=1)).to_be_visible()
    quarterly = page.get_by_role("region", name="Báo cáo quý")

    def request(button: str) -> None:
        quarterly.get_by_label("Đơn vị").select_option(str(units["T-CQ"].pk))
        quarterly.get_by_label("Năm").select_option("2026")
        quarterly.get_by_label("Quý").select_option("1")
        quarterly.get_by_role("button", name=button).click()
        expect(page.get_by_text("Đã nhận yêu cầu")).to_be_visible()

    request("Biểu tổng hợp quý toàn tỉnh (Excel)")
    request("Báo cáo quý gửi Ban Thường vụ (PDF)")
    jobs = page.locator("#export-rows tr")
    expect(jobs).to_have_count(2)
    expect(jobs.get_by_text("Hoàn thành")).to_have_count(2)
    expect(page.locator("#export-rows [hx-trigger]")).to_have_count(0)  # nothing left to poll

    with page.expect_download() as excel:
        page.get_by_role("link", name=re.compile(r"^Tải về Biểu tổng hợp quý")).click()
    excel_path = tmp_path / excel.value.suggested_filename
    excel.value.save_as(excel_path)
    sheet = load_workbook(excel_path)["Quý 1-2026"]
    assert "QUÝ I NĂM 2026" in sheet["A1"].value
    assert any(row[1] == "Sở Thử nghiệm" for row in sheet.iter_rows(values_only=True))

    with page.expect_download() as report:
        page.get_by_role("link", name=re.compile(r"^Tải về Báo cáo quý")).click()
    assert report.value.suggested_filename.endswith(".zip")
    data = Path(report.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        overview = PdfReader(io.BytesIO(archive.read("00-bao-cao-tong-hop.pdf")))
        text = "\n".join(p.extract_text() for p in overview.pages)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "QUÝ I NĂM 2026" in text
