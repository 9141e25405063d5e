"""Every page of the shell renders in Vietnamese, with dates as dd/mm/yyyy."""

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

SHELL_PAGES = [
    ("home", "Xin chào"),
    ("accounts:profile", "Hồ sơ của tôi"),
    ("accounts:password_change", "Đổi mật khẩu"),
    ("orgunits:tree", "Cơ cấu tổ chức"),
]


@pytest.mark.parametrize(("name", "heading"), SHELL_PAGES)
def test_shell_page_renders_in_vietnamese(client_for, head_a, name, heading):
    response = client_for(head_a).get(reverse(name))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert heading in html
    assert "Đăng xuất" in html
    assert "Tỉnh Quảng Ngãi" in html


@pytest.mark.parametrize("name", ["accounts:login", "accounts:password_reset"])
def test_public_pages_render_in_vietnamese(client, name):
    html = client.get(reverse(name)).content.decode()
    assert '<html lang="vi">' in html
    assert "Mật khẩu" in html or "mật khẩu" in html


def test_home_shows_today_as_day_month_year(client_for, head_a):
    html = client_for(head_a).get(reverse("home")).content.decode()
    assert timezone.localdate().strftime("%d/%m/%Y") in html


def test_english_is_available_when_chosen(client_for, head_a):
    client = client_for(head_a)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in html
    assert "Log out" in html
    assert "Hello" in html


def test_an_english_browser_still_gets_vietnamese_until_english_is_chosen(client_for, head_a):
    client = client_for(head_a)
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in html
    assert "Xin chào" in html


def test_unknown_page_answers_404_in_vietnamese(client_for, head_a):
    response = client_for(head_a).get("/khong-ton-tai/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_admin_site_is_only_for_superusers(client_for, system_admin):
    assert client_for(system_admin).get("/quan-tri-ky-thuat/").status_code == 302


def test_static_assets_are_vendored_not_fetched_from_a_cdn(client_for, head_a):
    html = client_for(head_a).get(reverse("home")).content.decode()
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert "cdn" not in html.lower()
