"""Periods open, close and lock on time; plans convert to standard products."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evaluations import services
from evaluations.models import Frequency, Period, PeriodPolicy, PeriodState, PlanItem, PlanStatus
from kpi_portal.models import AuditEvent, Notification

pytestmark = pytest.mark.django_db


def test_a_quarterly_bloc_gets_quarters_closing_on_the_25th_of_the_last_month(db):
    PeriodPolicy.objects.create(bloc="dang", frequency=Frequency.QUARTERLY)
    quarter = services.period_containing(bloc="dang", on=date(2026, 5, 10))
    assert (quarter.kind, quarter.number, quarter.start, quarter.end) == (
        "quarter",
        2,
        date(2026, 4, 1),
        date(2026, 6, 30),
    )
    assert quarter.log_close == date(2026, 6, 25)
    assert str(quarter) == "Quý 2/2026"


def test_the_province_policy_applies_to_blocs_without_their_own(db):
    month = services.period_containing(bloc="chinh_quyen", on=date(2026, 2, 3))
    assert (month.kind, month.bloc, month.end) == ("month", "", date(2026, 2, 28))
    assert str(month) == "Tháng 02/2026"


def test_the_daily_tick_opens_closes_and_locks_periods_at_their_deadlines(db):
    today = date(2026, 3, 26)
    result = services.periods_tick(today=today)
    march = Period.objects.get(year=2026, number=3, kind="month")
    assert result["opened"] >= 1
    assert march.state == PeriodState.IN_REVIEW  # logging closed on the 25th
    assert Period.objects.filter(
        year=2026, number=4
    ).exists()  # next month ready for late-month work
    Period.objects.filter(pk=march.pk).update(state=PeriodState.PUBLISHED)
    services.periods_tick(today=march.lock_date + timedelta(days=1))
    march.refresh_from_db()
    assert march.state == PeriodState.LOCKED
    assert AuditEvent.objects.filter(action="period.state", object_id=str(march.pk)).count() == 2


def test_the_tick_is_idempotent(db):
    services.periods_tick(today=date(2026, 3, 10))
    count = Period.objects.count()
    assert services.periods_tick(today=date(2026, 3, 10))["opened"] == 0
    assert Period.objects.count() == count


def test_periods_move_one_step_at_a_time_and_only_for_system_admins(period, system_admin, head_a):
    with pytest.raises(PermissionDenied):
        services.period_set_state(period=period, state=PeriodState.IN_REVIEW, by=head_a)
    with pytest.raises(ValidationError, match="Không thể chuyển kỳ"):
        services.period_set_state(period=period, state=PeriodState.PUBLISHED, by=system_admin)
    moved = services.period_set_state(period=period, state=PeriodState.IN_REVIEW, by=system_admin)
    assert moved.state == PeriodState.IN_REVIEW


def test_a_locked_period_reopens_only_with_a_recorded_reason(period, system_admin):
    Period.objects.filter(pk=period.pk).update(state=PeriodState.LOCKED)
    with pytest.raises(ValidationError, match="lý do"):
        services.period_reopen(period=period, by=system_admin, reason="  ")
    reopened = services.period_reopen(
        period=period, by=system_admin, reason="Sửa sai sót theo Công văn 12/SNV"
    )
    assert reopened.state == PeriodState.IN_REVIEW
    assert reopened.reopenings.get().reason.startswith("Sửa sai sót")
    assert AuditEvent.objects.get(action="period.reopen").reason.startswith("Sửa sai sót")


def test_an_assigned_item_converts_to_standard_products_with_the_catalog_coefficient(
    head_a, staff_a, products, period
):
    item = services.plan_item_assign(
        by=head_a,
        person=staff_a.person,
        period=period,
        product=products["HS"],
        quantity=Decimal("40"),
        due_date=period.end,
    )
    assert item.coefficient == Decimal("0.300")
    assert item.standard_products == Decimal("12")
    assert AuditEvent.objects.filter(action="plan.assign", object_id=str(item.pk)).exists()


def test_only_a_leader_above_the_person_assigns_work(staff_a2, head_b, staff_a, products, period):
    for user in (staff_a2, head_b):
        with pytest.raises(PermissionDenied):
            services.plan_item_assign(
                by=user,
                person=staff_a.person,
                period=period,
                product=products["BC"],
                quantity=Decimal("1"),
                due_date=period.end,
            )


def test_bulk_assignment_gives_every_person_the_same_lines_or_nobody_anything(
    head_a, staff_a, staff_a2, outsider_b, products, period
):
    lines = [
        (products["BC"], Decimal("2"), period.end),
        (products["HS"], Decimal("10"), period.end),
    ]
    items = services.plan_bulk_assign(
        by=head_a, people=[staff_a.person, staff_a2.person], period=period, lines=lines
    )
    assert len(items) == 4
    before = PlanItem.objects.count()
    with pytest.raises(PermissionDenied):
        services.plan_bulk_assign(
            by=head_a, people=[staff_a.person, outsider_b.person], period=period, lines=lines
        )
    assert PlanItem.objects.count() == before


def test_copying_last_periods_plan_shifts_the_due_dates(head_a, staff_a, products, period):
    previous = services.period_containing(bloc=period.bloc, on=period.start - timedelta(days=1))
    Period.objects.filter(pk=previous.pk).update(state=PeriodState.OPEN)
    previous.refresh_from_db()
    services.plan_item_assign(
        by=head_a,
        person=staff_a.person,
        period=previous,
        product=products["BC"],
        quantity=Decimal("3"),
        due_date=previous.start + timedelta(days=9),
    )
    copied = services.plan_copy_previous(by=head_a, person=staff_a.person, period=period)
    assert [(i.product_id, i.quantity) for i in copied] == [(products["BC"].pk, Decimal("3"))]
    assert copied[0].due_date == min(period.start + timedelta(days=9), period.end)


def test_a_person_proposes_an_item_and_the_head_declines_it_with_a_reason(
    staff_a, head_a, products, period
):
    item = services.plan_item_propose(
        by=staff_a,
        period=period,
        product=products["VB"],
        quantity=Decimal("1"),
        due_date=period.end,
    )
    assert item.status == PlanStatus.PROPOSED
    assert Notification.objects.filter(recipient=head_a, kind="plan.proposed").exists()
    with pytest.raises(ValidationError, match="lý do"):
        services.plan_item_decide(by=head_a, item=item, accept=False)
    declined = services.plan_item_decide(
        by=head_a, item=item, accept=False, reason="Đã giao cho đồng chí khác"
    )
    assert declined.status == PlanStatus.DECLINED
    assert Notification.objects.filter(recipient=staff_a, kind="plan.decided").exists()


def test_work_logged_against_an_item_after_its_due_date_counts_one_delay(
    staff_a, head_a, products, period
):
    item = services.plan_item_assign(
        by=head_a,
        person=staff_a.person,
        period=period,
        product=products["BC"],
        quantity=Decimal("2"),
        due_date=date(2026, 3, 5),
    )
    late = services.entry_create(
        by=staff_a,
        product=products["BC"],
        quantity=Decimal("1"),
        completed_on=date(2026, 3, 9),
        plan_item=item,
    )
    on_time = services.entry_create(
        by=staff_a,
        product=products["BC"],
        quantity=Decimal("1"),
        completed_on=date(2026, 3, 5),
        plan_item=item,
    )
    assert (services.computed_delays(late), services.computed_delays(on_time)) == (1, 0)
