"""The system admin (quản trị hệ thống): signs in with a recovery code when the phone is not at
hand, opens a new department, gives it a staff member with an account and grants that account
the HR officer's role there."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kpi_portal.models import AuditEvent
from orgunits.models import OrgUnit, Person, Role, RoleGrant, User
from orgunits.twofactor import services as two_factor
from tests import world

pytestmark = pytest.mark.browser


@pytest.fixture
def recovery_codes(site) -> list[str]:
    """The codes the system admin printed when setting up the authenticator."""
    admin = User.objects.get(username="system_admin")
    device = two_factor.totp_device_pending(user=admin)
    return two_factor.two_factor_enable(user=admin, device=device, by=admin)


def test_system_admin_opens_a_department_and_grants_a_new_account_a_role(
    page, site, settings, recovery_codes
):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["system_admin"]
    admin = User.objects.get(username="system_admin")

    page.goto(f"{site}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("system_admin")
    page.get_by_label("Mật khẩu").fill(world.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Nhập mã xác thực")).to_be_visible()
    page.get_by_label("Mã xác thực").fill(recovery_codes[0])
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", name="Xin chào")).to_be_visible()

    # Down the org tree to the agency, then a new department under it.
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Cơ cấu tổ chức"
    ).click()
    page.get_by_role("button", name="Mở rộng Tỉnh Thử nghiệm").click()
    page.get_by_role("button", name="Mở rộng Khối Chính quyền").click()
    page.get_by_role("link", name="Sở Thử nghiệm", exact=True).first.click()
    page.get_by_role("link", name="Thêm đơn vị trực thuộc").click()
    page.get_by_label("Mã đơn vị").fill("T-C")
    page.get_by_label("Tên đơn vị").fill("Phòng Kế hoạch - Tài chính")
    page.get_by_label("Loại đơn vị").select_option(label="Phòng, ban, khoa")
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_text("Đã thêm đơn vị.")).to_be_visible()
    department = OrgUnit.objects.get(code="T-C")
    assert department.get_parent() == OrgUnit.objects.get(code="T-SO")

    # A staff member of the new department, with an account named by the admin.
    page.get_by_role("link", name="Thêm cán bộ").click()
    page.get_by_label("Họ và tên").fill("Trần Thị Kế Hoạch")
    page.get_by_label("Loại cán bộ").select_option(label="Công chức")
    page.get_by_label("Mã HRMIS").fill("HR-TC-001")
    page.get_by_label("Tên đăng nhập").fill("tran_ke_hoach")
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_text("Đã thêm cán bộ.")).to_be_visible()
    person = Person.objects.get(hrmis_code="HR-TC-001")
    assert person.user.username == "tran_ke_hoach" and person.user.is_active
    assert person.primary_assignment_on(timezone.localdate()).unit == department

    # The new account becomes the department's HR officer from today.
    page.goto(f"{site}{department.get_absolute_url()}")
    page.get_by_role("link", name="Phân quyền, ủy quyền").click()
    page.get_by_role("link", name="Phân quyền", exact=True).click()
    page.get_by_label("Tài khoản").fill("tran_ke_hoach")
    page.get_by_label("Vai trò").select_option(Role.HR_OFFICER.value)
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_text("Đã phân quyền.")).to_be_visible()
    expect(page.get_by_text("Cán bộ tổ chức (thẩm định)")).to_be_visible()
    grant = RoleGrant.objects.get(user=person.user)
    assert (grant.role, grant.unit, grant.valid_from) == (
        Role.HR_OFFICER,
        department,
        timezone.localdate(),
    )
    actions = set(AuditEvent.objects.filter(actor=admin).values_list("action", flat=True))
    assert {"orgunit.create", "person.create", "role.grant"} <= actions
