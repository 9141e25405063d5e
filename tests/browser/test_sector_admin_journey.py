"""The sector admin (quản trị ngành): logs in with an authenticator code, adds a product to the
agency's catalog and issues a new version of its criteria set, leaving the old one untouched."""

from datetime import date
from decimal import Decimal

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from catalog import services as catalog
from catalog.models import CriteriaSet, Product, ProductGroup, VersionStatus
from kpi_portal.models import AuditEvent
from orgunits.models import OrgUnit, User
from orgunits.twofactor import services as two_factor
from tests import world

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def group_b(site) -> ProductGroup:
    """A live-server test empties every table, the catalog's seeded groups too."""
    return ProductGroup.objects.get_or_create(code="B", defaults={"name": "Nhóm B"})[0]


@pytest.fixture
def criteria_set(site) -> CriteriaSet:
    """Sở Thử nghiệm's criteria set, version 1 in force since 01/01/2026."""
    root = User.objects.get(username="system_admin")
    criteria_set = catalog.criteria_set_create(
        by=root,
        owner_unit=OrgUnit.objects.get(code="T-SO"),
        code="TC-STN",
        name="Bộ tiêu chí Sở Thử nghiệm",
        preset="nd335",
    )
    catalog.criteria_version_publish(
        version=criteria_set.versions.get(), by=root, valid_from=date(2026, 1, 1)
    )
    return criteria_set


@pytest.fixture
def authenticator(site):
    """The sector admin's phone app, set up earlier."""
    admin = User.objects.get(username="sector_admin")
    device = two_factor.totp_device_pending(user=admin)
    two_factor.two_factor_enable(user=admin, device=device, by=admin)
    return device


def _nav(page, entry: str):
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name=entry, exact=True
    ).click()


def test_sector_admin_adds_a_product_and_issues_a_new_criteria_version(
    page, site, settings, criteria_set, authenticator, group_b
):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["sector_admin"]
    agency = OrgUnit.objects.get(code="T-SO")
    admin = User.objects.get(username="sector_admin")

    page.goto(f"{site}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("sector_admin")
    page.get_by_label("Mật khẩu").fill(world.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Nhập mã xác thực")).to_be_visible()
    page.get_by_label("Mã xác thực").fill(str(totp(authenticator.bin_key)).zfill(6))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", name="Xin chào")).to_be_visible()

    # A product in the agency's catalog, with its hệ số quy đổi typed the Vietnamese way.
    _nav(page, "Danh mục sản phẩm")
    page.get_by_role("link", name="Thêm sản phẩm").click()
    page.get_by_label("Nơi ban hành").select_option(f"u{agency.pk}")
    page.get_by_label("Mã sản phẩm").fill("TD01")
    page.get_by_label("Tên sản phẩm, công việc").fill("Thẩm định hồ sơ dự án đầu tư")
    page.get_by_label("Đơn vị tính").fill("hồ sơ")
    page.get_by_label("Nhóm sản phẩm").select_option(str(group_b.pk))
    page.get_by_label("Hệ số quy đổi").fill("2,5")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã thêm sản phẩm TD01.")).to_be_visible()
    product = Product.objects.get(code="TD01")
    assert (product.owner_unit, product.coefficient) == (agency, Decimal("2.5"))
    assert AuditEvent.objects.filter(
        action="catalog.product_create", actor=admin, object_id=str(product.pk)
    ).exists()

    # A stricter deduction for major errors, as a new version from 01/07/2026.
    _nav(page, "Bộ tiêu chí")
    page.get_by_role("link", name="Bộ tiêu chí Sở Thử nghiệm").click()
    page.get_by_role("link", name="v1", exact=True).click()
    expect(page.get_by_text("Phiên bản đã ban hành không thể sửa hoặc xóa")).to_be_visible()
    page.get_by_role("button", name="Tạo phiên bản mới từ bản này").click()
    expect(page.get_by_text("Đã tạo bản dự thảo 2.")).to_be_visible()
    page.get_by_label("Mức trừ mỗi lỗi lớn").fill("0,5")
    page.get_by_label("Dự kiến áp dụng từ ngày").fill("01/07/2026")
    page.get_by_label("Nội dung thay đổi, căn cứ").fill("Tăng mức trừ lỗi lớn theo Công văn 12/SNV")
    page.get_by_role("button", name="Lưu bản dự thảo").click()
    expect(page.get_by_text("Đã lưu bản dự thảo.")).to_be_visible()
    expect(page.get_by_label("Áp dụng từ ngày")).to_have_value("01/07/2026")
    page.get_by_role("button", name="Ban hành phiên bản này").click()
    expect(page.get_by_text("Đã ban hành phiên bản 2.")).to_be_visible()
    expect(page.get_by_text("Phiên bản đã ban hành không thể sửa hoặc xóa")).to_be_visible()

    # The set's page compares the two versions; the first one is exactly as it was.
    page.get_by_role("link", name="TC-STN").click()
    page.get_by_label("Phiên bản cũ").select_option(label="v1")
    page.get_by_label("Phiên bản mới").select_option(label="v2")
    page.get_by_role("button", name="So sánh").click()
    change = page.locator("#version-diff tr", has_text="Mức trừ mỗi lỗi lớn")
    expect(change).to_contain_text("0,25")
    expect(change).to_contain_text("0,5")
    first, second = criteria_set.versions.order_by("number")
    assert (first.status, first.rules["error_deduction"]) == (VersionStatus.PUBLISHED, "0.25")
    assert (second.status, second.valid_from, second.published_by) == (
        VersionStatus.PUBLISHED,
        date(2026, 7, 1),
        admin,
    )
    assert Decimal(second.rules["error_deduction"]) == Decimal("0.5")
