"""The pilot's journey: a proposal on a catalog product is accepted with a catalog change, and
the quarterly report goes from Sở Nội vụ to Ban Tổ chức, back for changes, and into the
consolidated province report. Each step also refreshes a picture of the user guide."""

import io
import re
from pathlib import Path

import pytest
from docx import Document
from playwright.sync_api import expect
from pypdf import PdfReader

from catalog.models import ProductGroup
from reports import quarterly
from reports.models import Feedback, FeedbackStatus, QuarterlyReport, QuarterlyState
from tests import world
from tests.evaluations import conftest as evaluation_fixtures

from .guide_shots import shot

pytestmark = pytest.mark.browser

position_group = evaluation_fixtures.position_group
products = evaluation_fixtures.products


@pytest.fixture(autouse=True)
def product_groups(site):
    """A live-server test empties every table, the catalog's seeded groups too."""
    ProductGroup.objects.get_or_create(code="B", defaults={"name": "Nhóm B"})


@pytest.fixture
def bodies(site):
    return world.reporting_bodies()


def _log_out(page):
    page.context.clear_cookies()


def _nav(page, entry: str):
    menu = page.get_by_role("navigation", name="Điều hướng chính")
    menu.get_by_role("button", name="Báo cáo, thống kê").click()
    menu.get_by_role("link", name=entry, exact=True).click()


def test_a_proposal_is_accepted_and_the_quarterly_report_reaches_the_province(
    login, site, products, bodies
):
    product = products["BC"]

    # staff_a proposes a higher hệ số quy đổi for a product of the catalog.
    page = login("staff_a")
    page.goto(f"{site}/bao-cao/gop-y/gui/?san_pham={product.pk}")
    page.get_by_label("Loại").select_option(label="Đề xuất, kiến nghị")
    page.get_by_label("Tiêu đề").fill("Đề nghị tăng hệ số quy đổi báo cáo định kỳ")
    page.locator("#id_body").fill("Báo cáo định kỳ mất gấp đôi thời gian.")
    shot(page, "staff", "gop-y")
    page.get_by_role("button", name="Gửi góp ý").click()
    expect(page.get_by_text("Đã gửi góp ý.")).to_be_visible()
    item = Feedback.objects.get(title="Đề nghị tăng hệ số quy đổi báo cáo định kỳ")
    assert item.product == product
    _log_out(page)

    # sector_admin changes the product in the catalog, then accepts the proposal with it.
    page = login("sector_admin")
    page.goto(f"{site}/danh-muc/san-pham/{product.pk}/sua/")
    page.get_by_label("Hệ số quy đổi").fill("1,5")
    page.get_by_role("button", name="Lưu").click()
    product.refresh_from_db()
    assert str(product.coefficient).startswith("1.5")
    page.goto(f"{site}{item.get_absolute_url()}")
    accept = page.get_by_role("region", name="Chấp nhận", exact=True)
    accept.get_by_label("Sản phẩm được sửa, bổ sung trong danh mục").select_option(str(product.pk))
    accept.get_by_label("Ghi chú xử lý").fill("Đã nâng hệ số quy đổi lên 1,5.")
    accept.get_by_role("button", name="Chấp nhận góp ý").click()
    expect(page.get_by_text("Đã chấp nhận góp ý.")).to_be_visible()
    item.refresh_from_db()
    assert (item.status, item.resolution_product) == (FeedbackStatus.ACCEPTED, product)
    _log_out(page)

    # Sở Nội vụ's HR officer prepares the last quarter's report and sends it.
    year, number = quarterly.last_ended_quarter()
    page = login("hr_officer")
    _nav(page, "Báo cáo quý")
    expect(page.get_by_role("heading", name="Báo cáo quý gửi Ban Tổ chức")).to_be_visible()
    page.get_by_role("link", name="Lập báo cáo").click()
    page.get_by_label("Đánh giá chung").fill("Các đơn vị triển khai đúng kế hoạch thí điểm.")
    page.get_by_label("Khó khăn, vướng mắc").fill("Một số phòng chưa ghi nhận đều.")
    shot(page, "hr_officer", "bao-cao-quy")
    page.get_by_role("button", name="Gửi Ban Tổ chức").click()
    expect(page.get_by_text("Đã gửi báo cáo quý đến Ban Tổ chức.")).to_be_visible()
    _log_out(page)

    # Ban Tổ chức sees who has reported and returns the report with a comment.
    page = login("party_viewer")
    _nav(page, "Theo dõi báo cáo quý")
    expect(page.get_by_text("Đã gửi: 1/2 cơ quan")).to_be_visible()
    shot(page, "org_viewer", "theo-doi-bao-cao-quy")
    page.get_by_role("link", name="Xem xét").click()
    page.get_by_label("Ý kiến của Ban Tổ chức").fill("Bổ sung kiến nghị về tập huấn.")
    page.get_by_role("button", name="Trả lại để sửa").click()
    expect(page.get_by_text("Đã trả lại báo cáo")).to_be_visible()
    _log_out(page)

    # The HR officer reads the comment, fixes the report and sends it again.
    page = login("hr_officer")
    _nav(page, "Báo cáo quý")
    page.get_by_role("link", name="Sửa báo cáo").click()
    expect(page.get_by_text("Bổ sung kiến nghị về tập huấn.")).to_be_visible()
    page.get_by_label("Kiến nghị, đề xuất").fill("Đề nghị tập huấn thêm cho cán bộ cấp xã.")
    page.get_by_role("button", name="Gửi Ban Tổ chức").click()
    expect(page.get_by_text("Đã gửi báo cáo quý đến Ban Tổ chức.")).to_be_visible()
    _log_out(page)

    # Ban Tổ chức accepts the second version and downloads the consolidated report.
    page = login("party_viewer")
    _nav(page, "Theo dõi báo cáo quý")
    page.get_by_role("link", name="Xem xét").click()
    page.get_by_role("button", name="Tiếp nhận").click()
    expect(page.get_by_text("Đã tiếp nhận báo cáo.")).to_be_visible()
    report = QuarterlyReport.objects.get(body=bodies["T-SO"], year=year, quarter=number)
    assert (report.state, report.version) == (QuarterlyState.ACCEPTED, 2)
    _nav(page, "Theo dõi báo cáo quý")
    with page.expect_download() as pdf_file:
        page.get_by_role("link", name="Báo cáo tổng hợp (PDF)").click()
    text = " ".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(Path(pdf_file.value.path()).read_bytes())).pages
    )
    assert "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI" in " ".join(text.split())
    with page.expect_download() as word_file:
        page.get_by_role("link", name="Báo cáo tổng hợp (Word)").click()
    assert re.search(r"\.docx$", word_file.value.suggested_filename)
    document = Document(io.BytesIO(Path(word_file.value.path()).read_bytes()))
    assert any(
        "Đề nghị tập huấn thêm" in cell.text
        for t in document.tables
        for r in t.rows
        for cell in r.cells
    )
