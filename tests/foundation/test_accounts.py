import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.world import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_with_the_right_password_lands_on_the_home_page(client, staff_a):
    response = client.post(
        reverse("accounts:login"), {"username": "staff_a", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Xin chào" in response.content.decode()


def test_login_with_a_wrong_password_says_so_in_vietnamese(client, staff_a):
    response = client.post(reverse("accounts:login"), {"username": "staff_a", "password": "sai"})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


def test_logout_ends_the_session(client_for, staff_a):
    client = client_for(staff_a)
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("home")).status_code == 302


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_password_change_requires_the_old_password_and_a_strong_new_one(client, staff_a):
    client.login(username="staff_a", password=PASSWORD)
    weak = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    assert weak.status_code == 200
    assert "Mật khẩu quá ngắn" in weak.content.decode()
    new = "Quang-Ngai-2026-an-toan"
    done = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert done.status_code == 302
    staff_a.refresh_from_db()
    assert staff_a.check_password(new)


def test_password_reset_mails_a_one_time_link_that_sets_a_new_password(client, staff_a):
    staff_a.email = "staff_a@example.gov.vn"
    staff_a.save()
    client.post(reverse("accounts:password_reset"), {"email": "staff_a@example.gov.vn"})
    assert len(mail.outbox) == 1
    assert "tài khoản staff_a trên Phần mềm KPI" in mail.outbox[0].body
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    new = "Mat-khau-moi-2026-rat-dai"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    staff_a.refresh_from_db()
    assert staff_a.check_password(new)


def test_profile_shows_the_person_and_saves_notification_choice(client_for, staff_a):
    client = client_for(staff_a)
    page = client.get(reverse("accounts:profile"))
    assert "Nguyễn Văn staff_a" in page.content.decode()
    client.post(reverse("accounts:profile"), {"email": "moi@example.gov.vn"})
    staff_a.refresh_from_db()
    assert staff_a.email == "moi@example.gov.vn"
    assert staff_a.email_notifications is False


def test_profile_rejects_a_malformed_email_in_vietnamese(client_for, staff_a):
    page = client_for(staff_a).post(reverse("accounts:profile"), {"email": "không-phải-email"})
    assert page.status_code == 200
    assert "Nhập địa chỉ email hợp lệ" in page.content.decode()
