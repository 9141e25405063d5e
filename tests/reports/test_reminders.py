"""Reminders and escalation: only those who have not acted, one digest per person and day."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail

from evaluations import assessment
from evaluations.models import EntryStatus, Evaluation, EvaluationState, WorkEntry
from kpi_portal.models import Notification
from reports import reminders
from reports.models import ReminderLog
from tests.evaluations import conftest as evaluation_fixtures

pytestmark = pytest.mark.django_db

position_group = evaluation_fixtures.position_group
products = evaluation_fixtures.products
period = evaluation_fixtures.period

# March 2026 under the default policy: logging closes on the 25th, self-assessment is due on the
# 27th, review on the 30th, and the period locks on 20 April.
LOG_CLOSE, SELF_DUE, REVIEW_DUE, LOCK = (
    date(2026, 3, 25),
    date(2026, 3, 27),
    date(2026, 3, 30),
    date(2026, 4, 20),
)


def entry(user, period, product, status=EntryStatus.DRAFT) -> WorkEntry:
    return WorkEntry.objects.create(
        period=period,
        person=user.person,
        unit=user.person.primary_assignment_on(period.start).unit,
        author_role="staff",
        product=product,
        quantity=Decimal("1"),
        coefficient=product.coefficient,
        completed_on=date(2026, 3, 10),
        status=status,
    )


def digests(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind="reminder.digest"))


def body(user) -> str:
    return "\n".join(n.body for n in digests(user))


def test_the_deadlines_of_the_test_period_are_the_default_policys(period):
    assert (period.log_close, period.self_assessment_due, period.review_due, period.lock_date) == (
        LOG_CLOSE,
        SELF_DUE,
        REVIEW_DUE,
        LOCK,
    )


def test_only_those_who_logged_nothing_are_reminded_before_the_log_deadline(
    period, products, staff_a, staff_a2, org_dept_viewer
):
    entry(staff_a, period, products["BC"])
    reminders.reminders_send(today=LOG_CLOSE - timedelta(days=1))
    assert digests(staff_a) == []
    assert "chưa ghi nhận sản phẩm nào trong kỳ Tháng 03/2026" in body(staff_a2)
    assert "hạn ghi nhận: 25/03/2026" in body(staff_a2)
    assert digests(org_dept_viewer)  # the province-wide period covers the Party bloc too
    assert digests(staff_a2)[0].url == "/cong-viec/nhat-ky/"


def test_nobody_is_reminded_before_the_window_opens(period, staff_a2, settings):
    settings.REMINDER_DAYS_BEFORE = 2
    reminders.reminders_send(today=LOG_CLOSE - timedelta(days=3))
    assert not Notification.objects.exists()


def test_one_digest_a_day_however_often_the_job_runs_and_again_the_next_day(period, staff_a2):
    first = LOG_CLOSE - timedelta(days=2)
    reminders.reminders_send(today=first)
    reminders.reminders_send(today=first)
    assert len(digests(staff_a2)) == 1
    assert ReminderLog.objects.get(user=staff_a2, day=first).kinds == ["log"]
    reminders.reminders_send(today=first + timedelta(days=1))
    assert len(digests(staff_a2)) == 2


def test_those_who_have_not_self_assessed_are_reminded_and_those_who_have_are_not(
    period, products, staff_a, staff_a2
):
    assessment.evaluations_open(period=period)
    assessment.evaluation_self_assess(
        by=staff_a,
        evaluation=Evaluation.objects.get(person__user=staff_a, period=period),
        general=["9", "9", "9"],
        notes=[],
    )
    reminders.reminders_send(today=SELF_DUE - timedelta(days=1))
    assert digests(staff_a) == []
    assert "chưa tự đánh giá kỳ Tháng 03/2026; hạn tự đánh giá: 27/03/2026" in body(staff_a2)


def test_the_nearest_reviewers_hear_of_waiting_entries_and_their_superior_does_not(
    period, products, staff_a, head_a, deputy_a, head_agency, staff_a2
):
    entry(staff_a, period, products["BC"], EntryStatus.SUBMITTED)
    entry(staff_a, period, products["HS"], EntryStatus.SUBMITTED)
    reminders.reminders_send(today=REVIEW_DUE - timedelta(days=1))
    for reviewer in (head_a, deputy_a):
        assert "Kỳ Tháng 03/2026: 2 sản phẩm chờ phê duyệt" in body(reviewer)
    assert digests(head_agency) == [] and digests(staff_a2) == []


def test_a_queue_overdue_by_more_than_the_escalation_days_goes_to_the_reviewers_superior(
    period, products, staff_a, head_a, head_agency, settings
):
    settings.ESCALATION_DAYS = 3
    entry(staff_a, period, products["BC"], EntryStatus.SUBMITTED)
    reminders.reminders_send(today=REVIEW_DUE + timedelta(days=3))
    assert digests(head_agency) == []
    result = reminders.reminders_send(today=REVIEW_DUE + timedelta(days=4))
    assert result["escalated"] == 1
    assert "Phòng A còn 1 sản phẩm chưa phê duyệt, quá hạn 4 ngày" in body(head_agency)
    assert digests(head_a) == []


def test_the_head_of_the_deciding_unit_is_reminded_of_evaluations_awaiting_decision(
    period, products, head_agency, head_a, units
):
    assessment.evaluations_open(period=period)
    Evaluation.objects.filter(deciding_unit=units["T-SO"]).update(
        state=EvaluationState.HEAD_ASSESSED
    )
    waiting = Evaluation.objects.filter(deciding_unit=units["T-SO"]).count()
    reminders.reminders_send(today=LOCK - timedelta(days=1))
    assert f"Sở Thử nghiệm: {waiting} phiếu đánh giá kỳ Tháng 03/2026 chờ quyết định" in body(
        head_agency
    )
    assert digests(head_a) == []


def test_everything_of_a_day_comes_in_one_notification_and_one_email(
    period, products, staff_a, head_a, settings
):
    settings.REMINDER_DAYS_BEFORE = 5
    head_a.email = "truong.phong@example.vn"
    head_a.save()
    entry(staff_a, period, products["BC"], EntryStatus.SUBMITTED)
    reminders.reminders_send(today=LOG_CLOSE)
    (digest,) = digests(head_a)
    assert digest.title == "Nhắc việc ngày 25/03/2026: 2 việc cần làm"
    sent = [m for m in mail.outbox if m.to == ["truong.phong@example.vn"]]
    assert len(sent) == 1
    assert "chưa ghi nhận sản phẩm" in sent[0].body and "chờ phê duyệt" in sent[0].body
    assert ReminderLog.objects.get(user=head_a).emailed


def test_a_person_who_turned_email_off_gets_the_in_app_reminder_only(period, staff_a2):
    staff_a2.email, staff_a2.email_notifications = "nhan.vien@example.vn", False
    staff_a2.save()
    reminders.reminders_send(today=LOG_CLOSE)
    assert len(digests(staff_a2)) == 1
    assert mail.outbox == []
    assert not ReminderLog.objects.get(user=staff_a2).emailed


def test_the_beat_sends_reminders_at_seven_every_morning_on_the_notifications_queue(settings):
    from celery.schedules import crontab

    from kpi_portal.celery import app

    app.loader.import_default_modules()  # what a worker does: discovers each app's tasks
    entry = settings.CELERY_BEAT_SCHEDULE["reports-daily-reminders"]
    assert entry["schedule"] == crontab(minute=0, hour=7)
    assert entry["task"] in app.tasks
    assert app.amqp.router.route({}, entry["task"])["queue"].name == "notifications"
    purge = settings.CELERY_BEAT_SCHEDULE["reports-purge-exports"]["task"]
    for name in (purge, "reports.tasks_exports.export_run"):
        assert app.amqp.router.route({}, name)["queue"].name == "exports"


def test_the_reminder_task_reports_what_it_sent(period, staff_a2):
    from reports.tasks_reminders import reminders_send

    assert reminders_send.delay().get() == {"notified": 0, "emailed": 0, "escalated": 0}
