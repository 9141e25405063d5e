"""Login lockout, password rules, inactivity timeout and browser-close sessions for admins."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from kpi_portal.security import client_ip
from tests.world import PASSWORD

LOGIN = reverse("accounts:login")


@pytest.fixture
def lockout_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5


def _try(client: Client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


def test_five_wrong_passwords_lock_the_account_with_a_vietnamese_message(lockout_on, staff_a):
    client = Client()
    for _ in range(4):
        response = _try(client, "staff_a", "sai-mat-khau")
        assert response.status_code == 200
        assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    response = _try(client, "staff_a", "sai-mat-khau")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Tài khoản tạm thời bị khóa đăng nhập" in page
    assert "30 phút" in page


def test_a_locked_account_cannot_log_in_even_with_the_right_password(lockout_on, staff_a):
    client = Client()
    for _ in range(5):
        _try(client, "staff_a", "sai-mat-khau")
    response = _try(client, "staff_a", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_holds_one_username_and_address_not_other_users(lockout_on, staff_a, head_a):
    client = Client()
    for _ in range(5):
        _try(client, "staff_a", "sai-mat-khau")
    response = _try(client, "head_a", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(head_a.pk)


def test_a_successful_login_resets_the_failure_count(lockout_on, staff_a):
    client = Client()
    for _ in range(4):
        _try(client, "staff_a", "sai-mat-khau")
    assert _try(client, "staff_a", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        assert _try(client, "staff_a", "sai-mat-khau").status_code == 200


@pytest.mark.parametrize("password", ["Ngan@2026", "1234567890123", "password123"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_sessions_end_after_the_configured_inactivity():
    assert django_settings.SESSION_COOKIE_AGE == 30 * 60
    assert django_settings.SESSION_SAVE_EVERY_REQUEST is True


@pytest.mark.parametrize("persona", ["system_admin", "sector_admin"])
def test_admin_sessions_end_when_the_browser_closes(db, client_for, request, persona):
    client = client_for(request.getfixturevalue(persona))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert client.session.get_expire_at_browser_close() is True
    assert response.cookies["sessionid"]["expires"] == ""
    assert response.cookies["sessionid"]["max-age"] == ""


def test_staff_sessions_survive_a_browser_restart_until_the_idle_timeout(client_for, staff_a):
    client = client_for(staff_a)
    response = client.get(reverse("home"))
    assert client.session.get_expire_at_browser_close() is False
    assert response.cookies["sessionid"]["max-age"] == 30 * 60


def test_behind_a_proxy_the_lockout_uses_the_address_the_proxy_saw(settings, rf):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "203.0.113.7"
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
