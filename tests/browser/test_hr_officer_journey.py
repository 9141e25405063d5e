"""The HR officer (cán bộ tổ chức): sets up 2FA at the first login, checks an assessed
evaluation (thẩm định), then reads and exports the audit trail of their own agency only."""

import io
from base64 import b32decode
from pathlib import Path

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook
from playwright.sync_api import expect

from catalog.models import ProductGroup
from evaluations import assessment
from evaluations.models import Evaluation, EvaluationState
from kpi_portal import audit
from kpi_portal.models import AuditEvent
from orgunits.models import OrgUnit, User
from tests import world
from tests.evaluations import conftest as evaluation_fixtures
from tests.evaluations.assessment_helpers import FULL, evaluation_of, give_work

pytestmark = pytest.mark.browser

position_group = evaluation_fixtures.position_group
products = evaluation_fixtures.products
quota = evaluation_fixtures.quota
period = evaluation_fixtures.period

NOTE = "Hồ sơ đầy đủ, đúng quy trình"


@pytest.fixture(autouse=True)
def product_groups(site):
    """A live-server test empties every table, the catalog's seeded groups too."""
    ProductGroup.objects.get_or_create(code="B", defaults={"name": "Nhóm B"})


@pytest.fixture
def head_assessed(period, products, quota):
    """staff_a's March evaluation, self-assessed and assessed by the head of Phòng A."""
    users = {u.username: u for u in User.objects.filter(username__in=["staff_a", "head_a"])}
    assessment.evaluations_open(period=period)
    give_work(users["staff_a"], period, products["VB"], "4", "4")
    evaluation = assessment.evaluation_self_assess(
        by=users["staff_a"],
        evaluation=evaluation_of(users["staff_a"], period),
        general=FULL,
        notes=["", "", ""],
    )
    return assessment.evaluation_head_assess(
        by=users["head_a"], evaluation=evaluation, general=FULL
    )


@pytest.fixture
def party_event():
    """Something that happened in Ban Tổ chức (Khối Đảng), outside the HR officer's agency."""
    unit = OrgUnit.objects.get(code="T-BTC")
    return audit.record(
        by=User.objects.get(username="system_admin"),
        action="orgunit.update",
        obj=unit,
        unit_path=unit.path,
        reason="Đổi tên viết tắt Ban Tổ chức",
    )


def test_hr_officer_sets_up_2fa_checks_an_evaluation_and_reads_the_agencys_audit_trail(
    page, site, settings, head_assessed, party_event
):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["hr_officer"]
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)

    # First login: the role requires a second factor, so no page opens before it is set up.
    page.goto(f"{site}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("hr_officer")
    page.get_by_label("Mật khẩu").fill(world.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Thiết lập xác thực hai lớp")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Mã xác thực").fill(str(totp(b32decode(secret))).zfill(6))
    page.get_by_role("button", name="Xác nhận và bật").click()
    expect(page.get_by_role("heading", name="Mã dự phòng")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="Tôi đã lưu các mã, tiếp tục").click()
    expect(page.get_by_role("heading", name="Xin chào")).to_be_visible()
    officer = User.objects.get(username="hr_officer")
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).count() == 1

    # Thẩm định: the head-assessed evaluation waits in the queue; the officer confirms it.
    menu = page.get_by_role("navigation", name="Điều hướng chính")
    menu.get_by_role("button", name="Đánh giá, xếp loại").click()
    menu.get_by_role("link", name="Thẩm định").click()
    expect(page.get_by_role("heading", name="Thẩm định kết quả đánh giá")).to_be_visible()
    page.get_by_role("link", name="Thẩm định Nguyễn Văn staff_a", exact=True).click()
    page.get_by_label("Ý kiến thẩm định").fill(NOTE)
    page.get_by_role("button", name="Xác nhận thẩm định").click()
    expect(page.get_by_text("Đã thẩm định phiếu của Nguyễn Văn staff_a.")).to_be_visible()
    checked = Evaluation.objects.get(pk=head_assessed.pk)
    assert (checked.state, checked.hr_by, checked.hr_note) == (
        EvaluationState.HR_CHECKED,
        officer,
        NOTE,
    )

    # The audit viewer shows the agency's events, the check among them, and nothing of Khối Đảng.
    menu.get_by_role("link", name="Nhật ký hệ thống").click()
    expect(page.get_by_role("heading", name="Nhật ký hệ thống")).to_be_visible()
    page.get_by_label("Hành động").fill("evaluation.hr_check")
    page.get_by_role("button", name="Lọc").click()
    rows = page.locator("#audit-events tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("hr_officer")
    expect(rows.first).to_contain_text("Nguyễn Văn staff_a")
    page.get_by_label("Hành động").fill("")
    page.get_by_label("Tìm trong nội dung").fill("Ban Tổ chức")
    page.get_by_role("button", name="Lọc").click()
    expect(page.get_by_text("Không có sự kiện nào phù hợp.")).to_be_visible()

    page.get_by_label("Tìm trong nội dung").fill("")
    page.get_by_role("button", name="Lọc").click()
    with page.expect_download() as excel:
        page.get_by_role("link", name="Xuất Excel").click()
    sheet = load_workbook(io.BytesIO(Path(excel.value.path()).read_bytes())).active
    actions = {row[4] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "evaluation.hr_check" in actions and "evaluation.head_assess" in actions
    ids = {str(row[0]) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert str(party_event.pk) not in ids
    assert AuditEvent.objects.filter(pk=party_event.pk).exists()  # hidden, not missing
    assert refused == []
