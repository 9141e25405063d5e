"""Two-factor authentication: required roles, the code prompt, recovery codes, opting in and out."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kpi_portal.models import AuditEvent
from orgunits.twofactor import services
from tests.world import PASSWORD

REQUIRED = ["system_admin", "sector_admin", "hr_officer", "org_dept_viewer"]
VERIFY = reverse("twofactor:verify")
SETUP = reverse("twofactor:setup")


@pytest.fixture(autouse=True)
def two_factor_required(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = REQUIRED


def code_for(device: TOTPDevice) -> str:
    return str(totp(device.bin_key, step=device.step, digits=device.digits)).zfill(device.digits)


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    device = services.totp_device_pending(user=user)
    codes = services.two_factor_enable(user=user, device=device, by=user)
    return device, codes


@pytest.mark.parametrize(
    "path", [reverse("home"), reverse("orgunits:tree"), reverse("accounts:profile")]
)
def test_an_admin_with_an_authenticator_is_sent_to_the_code_page_from_every_page(
    client_for, system_admin, path
):
    enrolled(system_admin)
    response = client_for(system_admin).get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{VERIFY}?next=")


def test_a_valid_code_lets_the_admin_through_to_the_page_asked_for(client_for, system_admin):
    device, _codes = enrolled(system_admin)
    client = client_for(system_admin)
    wrong = client.post(VERIFY, {"code": "000000", "next": "/to-chuc/"})
    assert "Mã không đúng hoặc đã hết hạn" in wrong.content.decode()
    assert client.get(reverse("home")).status_code == 302
    device.refresh_from_db()
    device.throttle_reset()  # django-otp makes a caller wait after a failure
    response = client.post(VERIFY, {"code": code_for(device), "next": "/to-chuc/"})
    assert response.status_code == 302
    assert response["Location"] == "/to-chuc/"
    assert client.get(reverse("home")).status_code == 200


def test_repeated_wrong_codes_are_slowed_down(client_for, system_admin):
    device, _codes = enrolled(system_admin)
    client = client_for(system_admin)
    client.post(VERIFY, {"code": "000000"})
    response = client.post(VERIFY, {"code": code_for(device)})
    assert "hãy chờ ít giây" in response.content.decode()


def test_the_code_page_never_redirects_to_another_site(client_for, system_admin):
    device, _codes = enrolled(system_admin)
    client = client_for(system_admin)
    response = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.parametrize("persona", REQUIRED)
def test_required_roles_without_an_authenticator_are_sent_to_set_one_up(
    db, client_for, request, persona
):
    response = client_for(request.getfixturevalue(persona)).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


def test_setting_up_shows_a_qr_code_and_the_secret_and_then_ten_recovery_codes_once(
    client_for, hr_officer
):
    client = client_for(hr_officer)
    page = client.get(SETUP).content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(user=hr_officer, confirmed=False)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1)
    assert len(secret.replace(" ", "")) == 32
    response = client.post(SETUP, {"code": code_for(device)})
    assert response["Location"] == reverse("twofactor:recovery_codes")
    codes_page = client.get(response["Location"]).content.decode()
    assert len(re.findall(r"<li>[a-z0-9]{8}</li>", codes_page)) == 10
    assert client.get(reverse("twofactor:recovery_codes")).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action="two_factor.enable", object_id=str(hr_officer.pk))


def test_a_recovery_code_works_exactly_once(system_admin):
    _device, codes = enrolled(system_admin)
    first = Client()
    first.force_login(system_admin)
    assert first.post(VERIFY, {"code": codes[0]}).status_code == 302
    assert first.get(reverse("home")).status_code == 200
    second = Client()
    second.force_login(system_admin)
    response = second.post(VERIFY, {"code": codes[0]})
    assert "Mã không đúng hoặc đã hết hạn" in response.content.decode()
    assert StaticToken.objects.filter(device__user=system_admin).count() == 9


def test_two_factor_is_optional_for_staff(client_for, staff_a, head_a):
    assert client_for(staff_a).get(reverse("home")).status_code == 200
    assert client_for(head_a).get(reverse("home")).status_code == 200


def test_staff_who_opt_in_are_asked_for_the_code_too(client_for, staff_a):
    enrolled(staff_a)
    response = client_for(staff_a).get(reverse("home"))
    assert response["Location"].startswith(VERIFY)


def test_disabling_needs_the_password_and_removes_every_device(client_for, staff_a):
    device, _codes = enrolled(staff_a)
    client = client_for(staff_a)
    client.post(VERIFY, {"code": code_for(device)})
    disable = reverse("twofactor:disable")
    wrong = client.post(disable, {"password": "khong-dung-mat-khau"})
    assert "Mật khẩu không đúng" in wrong.content.decode()
    assert TOTPDevice.objects.filter(user=staff_a).exists()
    assert client.post(disable, {"password": PASSWORD}).status_code == 302
    assert not TOTPDevice.objects.filter(user=staff_a).exists()
    assert client.get(reverse("home")).status_code == 200


def test_logout_health_and_static_stay_reachable_before_the_code(client_for, system_admin):
    enrolled(system_admin)
    client = client_for(system_admin)
    assert client.get(reverse("healthz")).status_code in (200, 503)
    assert client.get("/static/js/app.js").status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302


def test_an_htmx_request_before_the_code_is_told_to_go_to_the_code_page(client_for, system_admin):
    enrolled(system_admin)
    response = client_for(system_admin).get(reverse("home"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(VERIFY)


def test_a_recovery_code_does_not_count_as_a_wrong_authenticator_code(client_for, system_admin):
    device, codes = enrolled(system_admin)
    client = client_for(system_admin)
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
