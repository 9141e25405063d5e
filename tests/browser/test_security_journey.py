import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from orgunits.models import User
from orgunits.twofactor import services
from tests import world

pytestmark = pytest.mark.browser


def _submit_login(page, site, username: str, password: str):
    page.goto(f"{site}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def test_system_admin_logs_in_with_password_then_an_authenticator_code(page, site, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["system_admin"]
    admin = User.objects.get(username="system_admin")
    device = services.totp_device_pending(user=admin)
    services.two_factor_enable(user=admin, device=device, by=admin)
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)

    _submit_login(page, site, "system_admin", world.PASSWORD)
    expect(page.get_by_role("heading", name="Nhập mã xác thực")).to_be_visible()
    page.goto(f"{site}/to-chuc/")  # every other page still asks for the code
    expect(page.get_by_role("heading", name="Nhập mã xác thực")).to_be_visible()

    code = str(totp(device.bin_key)).zfill(device.digits)
    page.get_by_label("Mã xác thực").fill(code)
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url(f"{site}/to-chuc/")
    page.get_by_role("link", name="Trang chủ").first.click()
    expect(page.get_by_role("heading", name="Xin chào")).to_be_visible()
    page.get_by_role("link", name="Cơ cấu tổ chức").click()
    expect(page.get_by_role("heading", name="Cơ cấu tổ chức")).to_be_visible()
    assert refused == []  # nothing on these pages trips the Content-Security-Policy


def test_repeated_wrong_passwords_lock_the_login_with_a_vietnamese_message(page, site, settings):
    settings.AXES_ENABLED = True
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _submit_login(page, site, "staff_a", "mat-khau-sai-hoan-toan")
        expect(page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng")).to_be_visible()
    _submit_login(page, site, "staff_a", "mat-khau-sai-hoan-toan")
    expect(page.get_by_role("heading", name="Tài khoản tạm thời bị khóa đăng nhập")).to_be_visible()

    _submit_login(page, site, "staff_a", world.PASSWORD)
    expect(page.get_by_role("heading", name="Tài khoản tạm thời bị khóa đăng nhập")).to_be_visible()
