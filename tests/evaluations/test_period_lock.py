"""The period locks after the appeal window; appeals resolved after 10 working days are late."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from evaluations import assessment, services, tasks
from evaluations.models import (
    Appeal,
    AppealStatus,
    Evaluation,
    EvaluationState,
    Period,
    PeriodPolicy,
    PeriodState,
    Rating,
)
from kpi_portal.models import AuditEvent

from .assessment_helpers import evaluation_of

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.evaluations.view_fixtures", "tests.evaluations.assessment_fixtures"]


def _url(name, *args) -> str:
    return reverse(f"evaluations:{name}", args=args)


def published_days_ago(period: Period, days: int) -> None:
    Evaluation.objects.filter(period=period).update(
        published_at=timezone.now() - timedelta(days=days)
    )


@pytest.fixture
def all_published(published, units):
    """March published everywhere: the Party bloc's agency decided apart, written directly."""
    Evaluation.objects.filter(period=published).exclude(deciding_unit=units["T-SO"]).update(
        state=EvaluationState.PUBLISHED,
        rating=Rating.NOT_RATED,
        published_at=timezone.now(),
    )
    return published


@pytest.fixture
def window_over(all_published):
    """Fifteen calendar days after publication: past five working days whatever today is."""
    published_days_ago(all_published, 15)
    return all_published


@pytest.fixture
def appeal(all_published, staff_a) -> Appeal:
    return assessment.appeal_file(
        by=staff_a, evaluation=evaluation_of(staff_a, all_published), text="Xem xét lại"
    )


def state_of(period: Period) -> str:
    return Period.objects.get(pk=period.pk).state


# ---- locking -----------------------------------------------------------------------------------


def test_a_period_without_results_is_never_locked_early(period, system_admin):
    assert "chưa có kết quả nào được công bố" in assessment.period_lock_blocker(period)
    with pytest.raises(ValidationError):
        assessment.period_lock(period=period, by=system_admin)
    assert state_of(period) == PeriodState.OPEN


def test_the_period_stays_open_while_results_are_unpublished(decided):
    assert "chưa công bố" in assessment.period_lock_blocker(decided)
    assert assessment.periods_lock_after_appeals() == 0
    assert state_of(decided) != PeriodState.LOCKED


def test_the_period_stays_open_during_the_appeal_window(all_published):
    assert "còn trong thời hạn khiếu nại" in assessment.period_lock_blocker(all_published)
    with pytest.raises(ValidationError, match="thời hạn khiếu nại"):
        assessment.period_lock(period=all_published, by=None)
    assert state_of(all_published) == PeriodState.OPEN


def test_the_period_stays_open_while_an_appeal_is_pending(appeal, all_published):
    published_days_ago(all_published, 15)
    assert "1 khiếu nại chưa giải quyết" in assessment.period_lock_blocker(all_published)
    assert assessment.periods_lock_after_appeals() == 0


def test_the_daily_tick_locks_once_the_window_is_over_and_appeals_are_resolved(
    appeal, all_published, head_agency
):
    published_days_ago(all_published, 15)
    assessment.appeal_resolve(
        by=head_agency, appeal=appeal, accept=False, resolution="Đúng quy định"
    )
    result = tasks.periods_tick()
    assert result["locked_after_appeals"] == 1
    assert state_of(all_published) == PeriodState.LOCKED
    event = AuditEvent.objects.get(action="period.lock", object_id=str(all_published.pk))
    assert event.actor is None
    assert event.changes["state"][1] == PeriodState.LOCKED
    assert assessment.periods_lock_after_appeals() == 0  # a locked period stays as it is


def test_a_period_locks_once(window_over):
    assessment.period_lock(period=window_over, by=None)
    with pytest.raises(ValidationError, match="đã khóa"):
        assessment.period_lock(period=window_over, by=None)
    assert AuditEvent.objects.filter(action="period.lock").count() == 1


def test_only_a_system_admin_locks_by_hand(window_over, head_agency, system_admin):
    with pytest.raises(PermissionDenied):
        assessment.period_lock(period=window_over, by=head_agency)
    assessment.period_lock(period=window_over, by=system_admin)
    assert state_of(window_over) == PeriodState.LOCKED
    assert AuditEvent.objects.get(action="period.lock").actor == system_admin


@pytest.mark.parametrize(
    ("persona", "expected"),
    [(None, 302), ("head_agency", 403), ("hr_officer", 403), ("sector_admin", 403)],
)
def test_the_lock_action_is_for_system_admins(status_for, window_over, persona, expected):
    assert status_for(persona, _url("period_lock", window_over.pk), "post") == expected
    assert state_of(window_over) == PeriodState.OPEN


def test_the_period_list_offers_the_lock_once_possible(as_user, all_published):
    def offered() -> bool:
        page = as_user("system_admin").get(_url("period_list"))
        return next(p for p in page.context["page"] if p.pk == all_published.pk).can_lock

    assert not offered()
    published_days_ago(all_published, 15)
    assert offered()
    response = as_user("system_admin").post(_url("period_lock", all_published.pk), follow=True)
    assert "Đã khóa kỳ Tháng 03/2026." in response.content.decode()
    assert state_of(all_published) == PeriodState.LOCKED


def test_locking_by_hand_too_early_is_refused_in_vietnamese(as_user, appeal, all_published):
    response = as_user("system_admin").post(_url("period_lock", all_published.pk), follow=True)
    assert "còn trong thời hạn khiếu nại" in response.content.decode()
    Period.objects.filter(pk=all_published.pk).update(state=PeriodState.PUBLISHED)
    published_days_ago(all_published, 15)
    advanced = as_user("system_admin").post(_url("period_advance", all_published.pk), follow=True)
    assert "1 khiếu nại chưa giải quyết" in advanced.content.decode()
    assert state_of(all_published) == PeriodState.PUBLISHED


# ---- appeals past their 10 working days --------------------------------------------------------


def overdue(appeal: Appeal) -> Appeal:
    Appeal.objects.filter(pk=appeal.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    appeal.refresh_from_db()
    return appeal


def test_an_appeal_resolved_in_time_is_not_late(appeal, head_agency):
    resolved = assessment.appeal_resolve(
        by=head_agency, appeal=appeal, accept=False, resolution="Đúng quy định"
    )
    assert not resolved.resolved_late
    assert "late" not in AuditEvent.objects.get(action="appeal.reject").changes


def test_an_overdue_appeal_is_still_resolved_but_recorded_late(appeal, head_agency, staff_a):
    resolved = assessment.appeal_resolve(
        by=head_agency,
        appeal=overdue(appeal),
        accept=True,
        resolution="Chấp nhận",
        rating=Rating.HTXS,
    )
    assert resolved.resolved_late
    assert evaluation_of(staff_a, appeal.evaluation.period).rating == Rating.HTXS
    event = AuditEvent.objects.get(action="appeal.accept")
    assert event.changes["late"] == [False, True]


def test_the_decider_sees_overdue_appeals_first_on_the_decision_and_appeal_pages(as_user, appeal):
    client = as_user("head_agency")
    for name in ("decision_list", "appeal_list"):
        assert client.get(_url(name)).context["overdue"] == []
    overdue(appeal)
    for name in ("decision_list", "appeal_list"):
        page = client.get(_url(name))
        assert page.context["overdue"] == [appeal]
        assert 'id="overdue-appeals"' in page.content.decode()
    detail = client.get(_url("appeal_detail", appeal.pk))
    assert detail.context["is_overdue"]
    assert "giải quyết quá hạn" in detail.content.decode()


def test_someone_outside_the_agency_is_never_shown_its_overdue_appeals(as_user, appeal):
    overdue(appeal)
    assert as_user("head_b").get(_url("appeal_list")).status_code == 403


# ---- the windows come from the bloc's period policy ---------------------------------------------


def test_the_appeal_window_and_resolution_term_follow_the_period_policy(all_published, staff_a):
    PeriodPolicy.objects.create(bloc="", appeal_days=2, appeal_resolve_days=3)
    evaluation = evaluation_of(staff_a, all_published)
    published = timezone.localtime(evaluation.published_at).date()
    assert assessment.appeal_deadline(evaluation) == assessment.add_working_days(published, 2)
    appeal = assessment.appeal_file(by=staff_a, evaluation=evaluation, text="Xem xét lại")
    assert appeal.due_on == assessment.add_working_days(timezone.localdate(), 3)


def test_a_shorter_policy_window_refuses_a_late_appeal_and_names_its_length(all_published, staff_a):
    PeriodPolicy.objects.create(bloc="", appeal_days=1)
    published_days_ago(all_published, 7)
    with pytest.raises(ValidationError, match="1 ngày làm việc"):
        assessment.appeal_file(
            by=staff_a, evaluation=evaluation_of(staff_a, all_published), text="Xem xét lại"
        )


def test_the_lock_date_waits_for_an_open_appeal(appeal, all_published):
    Period.objects.filter(pk=all_published.pk).update(
        state=PeriodState.PUBLISHED, lock_date=timezone.localdate() - timedelta(days=1)
    )
    assert services.periods_tick()["locked"] == 0
    assert state_of(all_published) == PeriodState.PUBLISHED
    Appeal.objects.filter(pk=appeal.pk).update(status=AppealStatus.REJECTED)
    assert services.periods_tick()["locked"] == 1
    assert state_of(all_published) == PeriodState.LOCKED
