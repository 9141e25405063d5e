"""Kỳ đánh giá: system admins move periods through their states and edit each bloc's policy."""

import pytest
from django.urls import reverse

from evaluations.models import Period, PeriodPolicy, PeriodReopening, PeriodState
from kpi_portal.models import AuditEvent
from orgunits.models import Bloc

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.evaluations.view_fixtures"]

ADMIN_ONLY = {
    None: 302,
    "system_admin": 200,
    "staff_a": 403,
    "head_a": 403,
    "head_agency": 403,
    "hr_officer": 403,
    "org_dept_viewer": 403,
    "sector_admin": 403,
    "outsider_b": 403,
}


@pytest.mark.parametrize(("persona", "expected"), ADMIN_ONLY.items())
def test_period_list_is_for_system_admins(status_for, period, persona, expected):
    assert status_for(persona, reverse("evaluations:period_list")) == expected


@pytest.mark.parametrize(("persona", "expected"), ADMIN_ONLY.items())
def test_policy_form_is_for_system_admins(status_for, units, persona, expected):
    url = reverse("evaluations:policy_edit", args=[Bloc.PARTY])
    assert status_for(persona, url) == expected


@pytest.mark.parametrize("persona", ["head_a", "org_dept_viewer", "sector_admin"])
def test_others_cannot_move_a_period(status_for, period, persona):
    url = reverse("evaluations:period_advance", args=[period.pk])
    assert status_for(persona, url, "post") == 403
    assert Period.objects.get(pk=period.pk).state == PeriodState.OPEN


def test_period_list_shows_deadlines_and_the_next_step(as_user, period):
    html = as_user("system_admin").get(reverse("evaluations:period_list")).content.decode()
    assert period.log_close.strftime("%d/%m/%Y") in html
    assert period.lock_date.strftime("%d/%m/%Y") in html
    assert "Chuyển sang “Đang đánh giá”" in html


def test_next_step_moves_the_period_and_is_audited(as_user, period, system_admin):
    url = reverse("evaluations:period_advance", args=[period.pk])
    response = as_user("system_admin").post(url, {"reason": "Hết hạn sớm"}, follow=True)
    assert "Đang đánh giá" in response.content.decode()
    assert Period.objects.get(pk=period.pk).state == PeriodState.IN_REVIEW
    event = AuditEvent.objects.get(
        action="period.state", object_id=str(period.pk), actor=system_admin
    )
    assert event.reason == "Hết hạn sớm"


def test_locked_period_cannot_be_moved_further(as_user, period):
    Period.objects.filter(pk=period.pk).update(state=PeriodState.LOCKED)
    url = reverse("evaluations:period_advance", args=[period.pk])
    assert as_user("system_admin").post(url).status_code == 403


def test_reopening_a_locked_period_needs_a_reason(as_user, period):
    Period.objects.filter(pk=period.pk).update(state=PeriodState.LOCKED)
    url = reverse("evaluations:period_reopen", args=[period.pk])
    client = as_user("system_admin")
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 200
    assert "Phải ghi lý do mở lại kỳ đã khóa." in refused.content.decode()
    assert Period.objects.get(pk=period.pk).state == PeriodState.LOCKED
    client.post(url, {"reason": "Sửa sai sót theo kết luận thanh tra"})
    assert Period.objects.get(pk=period.pk).state == PeriodState.IN_REVIEW
    assert (
        PeriodReopening.objects.get(period=period).reason == "Sửa sai sót theo kết luận thanh tra"
    )


def test_reopening_an_open_period_explains_why_not(as_user, period):
    url = reverse("evaluations:period_reopen", args=[period.pk])
    response = as_user("system_admin").post(url, {"reason": "thử"})
    assert "Chỉ mở lại được kỳ đã khóa." in response.content.decode()


def test_reopen_form_is_for_system_admins(status_for, period):
    url = reverse("evaluations:period_reopen", args=[period.pk])
    assert status_for("head_a", url) == 403
    assert status_for(None, url) == 302


def test_policy_of_a_bloc_is_saved_and_audited(as_user, units, system_admin):
    url = reverse("evaluations:policy_edit", args=[Bloc.PARTY])
    data = {
        "frequency": "quarter",
        "log_close_day": "20",
        "self_assessment_days": "3",
        "review_days": "5",
        "lock_days": "30",
        "daily_pace_factor": "2.5",
        "working_day_hours": "8",
        "appeal_days": "5",
        "appeal_resolve_days": "10",
        "annual_deadline_day": "15",
        "annual_deadline_month": "12",
    }
    response = as_user("system_admin").post(url, data)
    assert response.status_code == 302
    policy = PeriodPolicy.objects.get(bloc=Bloc.PARTY)
    assert (policy.frequency, policy.log_close_day) == ("quarter", 20)
    event = AuditEvent.objects.get(action="period.policy", object_id=str(policy.pk))
    assert event.changes["log_close_day"] == [None, 20]


def test_province_wide_policy_edit_changes_only_what_differs(as_user, units):
    PeriodPolicy.objects.create(bloc="")
    url = reverse("evaluations:policy_edit", args=["toan-tinh"])
    data = {
        "frequency": "month",
        "log_close_day": "24",
        "self_assessment_days": "2",
        "review_days": "3",
        "lock_days": "20",
        "daily_pace_factor": "3",
        "working_day_hours": "8",
        "appeal_days": "5",
        "appeal_resolve_days": "10",
        "annual_deadline_day": "15",
        "annual_deadline_month": "12",
    }
    as_user("system_admin").post(url, data)
    assert PeriodPolicy.objects.get(bloc="").log_close_day == 24
    event = AuditEvent.objects.get(action="period.policy")
    assert event.changes == {"log_close_day": [25, 24]}


def test_policy_rejects_a_closing_day_past_the_28th(as_user, units):
    url = reverse("evaluations:policy_edit", args=[Bloc.GOVERNMENT])
    data = {
        "frequency": "month",
        "log_close_day": "30",
        "self_assessment_days": "2",
        "review_days": "3",
        "lock_days": "20",
        "daily_pace_factor": "3",
        "working_day_hours": "8",
        "appeal_days": "5",
        "appeal_resolve_days": "10",
        "annual_deadline_day": "15",
        "annual_deadline_month": "12",
    }
    response = as_user("system_admin").post(url, data)
    assert response.status_code == 200
    assert "Ngày khóa ghi nhận phải từ 1 đến 28." in response.content.decode()
    assert not PeriodPolicy.objects.exists()


def test_unknown_bloc_has_no_policy_page(status_for, units):
    assert status_for("system_admin", reverse("evaluations:policy_edit", args=["khac"])) == 404
