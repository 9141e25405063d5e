"""Thông báo: each user reads, follows and clears only their own notifications."""

import pytest
from django.urls import reverse

from kpi_portal.models import Notification
from kpi_portal.notifications import notify

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.evaluations.view_fixtures"]


@pytest.fixture
def note_for_staff(staff_a, period) -> Notification:
    notify(
        recipients=[staff_a],
        kind="worklog.returned",
        title="1 sản phẩm của bạn bị trả lại",
        body="Thiếu minh chứng",
        url=reverse("evaluations:worklog", args=[period.pk]),
    )
    return Notification.objects.get(recipient=staff_a)


@pytest.fixture
def note_for_head(head_a) -> Notification:
    notify(recipients=[head_a], kind="worklog.submitted", title="Có sản phẩm chờ phê duyệt")
    return Notification.objects.get(recipient=head_a)


@pytest.mark.parametrize(("persona", "expected"), [(None, 302), ("staff_a", 200), ("root", 200)])
def test_notifications_page_needs_a_login(status_for, persona, expected):
    assert status_for(persona, reverse("notifications")) == expected


def test_notifications_page_lists_only_ones_own(as_user, note_for_staff, note_for_head):
    html = as_user("staff_a").get(reverse("notifications")).content.decode()
    assert "1 sản phẩm của bạn bị trả lại" in html and "Thiếu minh chứng" in html
    assert "Có sản phẩm chờ phê duyệt" not in html


def test_opening_a_notification_marks_it_read_and_follows_its_link(as_user, note_for_staff):
    response = as_user("staff_a").get(reverse("notification_open", args=[note_for_staff.pk]))
    assert response.status_code == 302
    assert response["Location"] == note_for_staff.url
    note_for_staff.refresh_from_db()
    assert note_for_staff.read_at is not None


def test_opening_a_notification_never_redirects_off_site(as_user, note_for_staff):
    Notification.objects.filter(pk=note_for_staff.pk).update(url="https://example.com/x")
    response = as_user("staff_a").get(reverse("notification_open", args=[note_for_staff.pk]))
    assert response["Location"] == reverse("notifications")


@pytest.mark.parametrize("name", ["notification_open", "notification_read"])
def test_someone_elses_notification_is_not_found(as_user, note_for_head, name):
    client = as_user("staff_a")
    url = reverse(name, args=[note_for_head.pk])
    response = client.post(url) if name == "notification_read" else client.get(url)
    assert response.status_code == 404
    note_for_head.refresh_from_db()
    assert note_for_head.read_at is None


def test_mark_one_read(as_user, note_for_staff):
    as_user("staff_a").post(reverse("notification_read", args=[note_for_staff.pk]))
    note_for_staff.refresh_from_db()
    assert note_for_staff.read_at is not None


def test_mark_all_read_touches_only_ones_own(as_user, staff_a, note_for_staff, note_for_head):
    notify(recipients=[staff_a], kind="x", title="Thông báo thứ hai")
    response = as_user("staff_a").post(reverse("notifications_read_all"), follow=True)
    assert "Đã đánh dấu 2 thông báo là đã đọc." in response.content.decode()
    assert not Notification.objects.filter(recipient=staff_a, read_at__isnull=True).exists()
    note_for_head.refresh_from_db()
    assert note_for_head.read_at is None


def test_bell_links_to_the_notifications_with_the_unread_count(as_user, note_for_staff):
    html = as_user("staff_a").get(reverse("home")).content.decode()
    assert f'href="{reverse("notifications")}"' in html
    assert '<span class="badge text-bg-warning" id="unread-count">1</span>' in html


def test_menu_shows_work_log_review_and_periods_by_right(as_user, units):
    staff = as_user("staff_a").get(reverse("home")).content.decode()
    head = as_user("head_a").get(reverse("home")).content.decode()
    admin = as_user("system_admin").get(reverse("home")).content.decode()
    assert "Nhật ký công việc" in staff and "Phê duyệt" not in staff
    assert "Phê duyệt" in head and "Kỳ đánh giá" not in head
    assert "Kỳ đánh giá" in admin
