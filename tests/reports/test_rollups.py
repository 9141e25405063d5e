"""Rollups equal a plain recomputation from the raw rows, however they were produced."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.services import quota_for
from evaluations import assessment, services
from evaluations.models import (
    EntryStatus,
    Evaluation,
    EvaluationState,
    Frequency,
    PlanItem,
    PlanStatus,
    Rating,
    WorkEntry,
)
from kpi_portal.models import AuditEvent
from orgunits.models import Assignment, JobPositionGroup, OrgUnit, Person
from reports import rollups, signals, tasks_rollups
from reports.models import PersonPeriodRollup, ScopeKind, UnitPeriodRollup
from reports.rollups import Scope

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.reports.rollup_data"]

RATED = {Rating.HTXS, Rating.HTT, Rating.HT, Rating.KHT}
WAITING = {
    EvaluationState.SELF_ASSESSED,
    EvaluationState.HEAD_ASSESSED,
    EvaluationState.HR_CHECKED,
}
DECIDED = {EvaluationState.DECIDED, EvaluationState.PUBLISHED}
IGNORED = {"id", "updated_at"}


# ---- the plain recomputation ---------------------------------------------------------------


def _unit_of(person: Person, evaluation, entries, on: date):
    if evaluation is not None:
        return evaluation.unit
    placed = (
        Assignment.objects.active_on(on)
        .filter(person=person, is_primary=True)
        .order_by("-start", "-id")
        .first()
    )
    if placed is not None:
        return placed.unit
    return max(entries, key=lambda e: e.pk).unit if entries else None


def _ratio(evaluation, key: str):
    value = evaluation.ratios.get(key) if evaluation else None
    return Decimal(value) if value is not None else None


def expected_people(period, today: date) -> dict[int, dict]:
    """Every person row of a period, computed in Python from the raw rows."""
    ref = rollups.reference_date(period, today)
    entries = defaultdict(list)
    for entry in WorkEntry.objects.filter(period=period).select_related("unit"):
        entries[entry.person_id].append(entry)
    plans = defaultdict(list)
    for item in PlanItem.objects.filter(period=period, status=PlanStatus.ASSIGNED):
        plans[item.person_id].append(item)
    evaluations = {
        e.person_id: e for e in Evaluation.objects.filter(period=period).select_related("unit")
    }
    placed = set(
        Assignment.objects.active_on(ref)
        .filter(is_primary=True, person__is_active=True)
        .values_list("person_id", flat=True)
    )
    rows = {}
    for person_id in set(entries) | set(plans) | set(evaluations) | placed:
        person = Person.objects.select_related("job_position").get(pk=person_id)
        evaluation, mine = evaluations.get(person_id), entries[person_id]
        unit = _unit_of(person, evaluation, mine, ref)
        if unit is None:
            continue
        if evaluation is not None:
            group_id = evaluation.position_group_id
        else:
            group_id = person.job_position.group_id if person.job_position_id else None
        monthly_quota = None
        if group_id is not None:
            monthly = quota_for(
                unit=unit, group=JobPositionGroup.objects.get(pk=group_id), on=period.start
            )
            months = 1 if period.kind == Frequency.MONTHLY else 3
            monthly_quota = monthly * months if monthly is not None else None
        by_status = defaultdict(list)
        for entry in mine:
            by_status[entry.status].append(entry)
        state = evaluation.state if evaluation else ""
        rows[person_id] = {
            "person_id": person_id,
            "period_id": period.pk,
            "unit_id": unit.pk,
            "unit_path": unit.path,
            "deciding_unit_id": evaluation.deciding_unit_id if evaluation else None,
            "bloc": unit.bloc,
            "position_group_id": group_id,
            "evaluation_id": evaluation.pk if evaluation else None,
            "assigned_standard": sum(
                (i.quantity * i.coefficient for i in plans[person_id]), Decimal(0)
            ),
            "done_standard": sum(
                (
                    (e.approved_quantity if e.approved_quantity is not None else e.quantity)
                    * e.coefficient
                    for e in by_status[EntryStatus.APPROVED]
                ),
                Decimal(0),
            ),
            "submitted_standard": sum(
                (e.quantity * e.coefficient for e in by_status[EntryStatus.SUBMITTED]),
                Decimal(0),
            ),
            "quota_standard": monthly_quota,
            "entries_approved": len(by_status[EntryStatus.APPROVED]),
            "entries_submitted": len(by_status[EntryStatus.SUBMITTED]),
            "entries_draft": len(by_status[EntryStatus.DRAFT]),
            "entries_returned": len(by_status[EntryStatus.RETURNED]),
            "late_submissions": sum(
                1
                for e in mine
                if e.status != EntryStatus.DRAFT
                and e.submitted_at is not None
                and timezone.localtime(e.submitted_at).date() > period.log_close
            ),
            "pending_approvals": len(by_status[EntryStatus.SUBMITTED]) + (state in WAITING),
            "flagged_entries": sum(1 for e in mine if e.status != EntryStatus.DRAFT and e.flags),
            "ratio_quantity": _ratio(evaluation, "quantity"),
            "ratio_quality": _ratio(evaluation, "quality"),
            "ratio_timeliness": _ratio(evaluation, "timeliness"),
            "general_score": evaluation.general_score if evaluation else None,
            "task_score": evaluation.task_score if evaluation else None,
            "total": evaluation.total if evaluation else None,
            "computed_rating": evaluation.computed_rating if evaluation else "",
            "rating": evaluation.rating if evaluation else "",
            "evaluation_state": state,
            "self_assessed_on_time": bool(
                evaluation
                and evaluation.self_assessed_at
                and timezone.localtime(evaluation.self_assessed_at).date()
                <= period.self_assessment_due
            ),
            "evaluation_overdue": bool(
                evaluation and state not in DECIDED and today > period.review_due
            ),
        }
    return rows


def _over_quota(period_ids) -> set[int]:
    over = set()
    for period_id in period_ids:
        evaluations = Evaluation.objects.filter(period_id=period_id)
        for unit_id in set(evaluations.values_list("deciding_unit_id", flat=True)):
            unit = OrgUnit.objects.get(pk=unit_id)
            queue = list(assessment.decision_queue(unit, evaluations.first().period))
            if any(g.result.over_by > 0 for g in assessment.quota_status(queue)):
                over.add(unit_id)
    return over


def expected_units(scope: Scope, people: list[dict]) -> dict[int, dict]:
    """Every unit row of a scope, added up in Python over the expected person rows."""
    period_ids = set(scope.periods().values_list("pk", flat=True))
    rows = [r for r in people if r["period_id"] in period_ids]
    over = _over_quota(period_ids)
    result = {}
    for unit in OrgUnit.objects.all():
        mine = [r for r in rows if r["unit_path"].startswith(unit.path)]
        if not mine:
            continue
        people_ids = {r["person_id"] for r in mine}
        logged = {
            r["person_id"]
            for r in mine
            if r["entries_approved"]
            + r["entries_submitted"]
            + r["entries_draft"]
            + r["entries_returned"]
        }
        rated = [r for r in mine if r["rating"] in RATED]
        totals = [r["total"] for r in rated if r["total"] is not None]
        computed = [r for r in mine if r["computed_rating"] in RATED]
        computed_htxs = sum(1 for r in mine if r["computed_rating"] == Rating.HTXS)
        evaluated = [r for r in mine if r["evaluation_id"] is not None]
        result[unit.pk] = {
            "unit_id": unit.pk,
            "unit_path": unit.path,
            "depth": unit.depth,
            "unit_kind": unit.kind,
            "bloc": unit.bloc,
            "scope_kind": scope.kind,
            "year": scope.year,
            "number": scope.number,
            "people": len(people_ids),
            "people_logged": len(logged),
            "people_rated": len({r["person_id"] for r in rated}),
            "count_htxs": sum(1 for r in rated if r["rating"] == Rating.HTXS),
            "count_htt": sum(1 for r in rated if r["rating"] == Rating.HTT),
            "count_ht": sum(1 for r in rated if r["rating"] == Rating.HT),
            "count_kht": sum(1 for r in rated if r["rating"] == Rating.KHT),
            "count_not_rated": len(mine) - len(rated),
            "total_sum": sum(totals, Decimal(0)),
            "total_count": len(totals),
            "mean_total": (
                (sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.01"), ROUND_HALF_UP)
                if totals
                else None
            ),
            "assigned_standard": sum((r["assigned_standard"] for r in mine), Decimal(0)),
            "done_standard": sum((r["done_standard"] for r in mine), Decimal(0)),
            "submitted_standard": sum((r["submitted_standard"] for r in mine), Decimal(0)),
            "pending_approvals": sum(r["pending_approvals"] for r in mine),
            "late_submissions": sum(r["late_submissions"] for r in mine),
            "flagged_entries": sum(r["flagged_entries"] for r in mine),
            "flagged_people": len({r["person_id"] for r in mine if r["flagged_entries"]}),
            "overdue_evaluations": sum(1 for r in mine if r["evaluation_overdue"]),
            "computed_rated": len(computed),
            "computed_htxs": computed_htxs,
            "published": bool(evaluated)
            and all(r["evaluation_state"] == EvaluationState.PUBLISHED for r in evaluated),
            "over_quota": unit.pk in over,
            "all_excellent": bool(computed) and computed_htxs == len(computed),
            "no_logs": not logged,
        }
    return result


def _stored(model, **filters) -> dict:
    keys = ("person_id",) if model is PersonPeriodRollup else ("unit_id", "scope_kind", "number")
    return {
        tuple(row[k] for k in keys): {k: v for k, v in row.items() if k not in IGNORED}
        for row in model.objects.filter(**filters).values()
    }


def _assert_all_equal(periods, today: date) -> None:
    people = []
    for period in periods:
        expected = expected_people(period, today)
        assert _stored(PersonPeriodRollup, period=period) == {(k,): v for k, v in expected.items()}
        people.extend(expected.values())
    scopes = {s for period in periods for s in rollups.scopes_of(period)}
    for scope in scopes:
        stored = _stored(
            UnitPeriodRollup, scope_kind=scope.kind, year=scope.year, number=scope.number
        )
        expected = expected_units(scope, people)
        assert stored == {(k, scope.kind, scope.number): v for k, v in expected.items()}, scope


# ---- tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 7, 42, 2026])
def test_rollups_equal_a_plain_recomputation_for_random_worlds(
    seed, periods, products, quota, fill_period
):
    rng = random.Random(seed)
    for period in periods:
        fill_period(rng, period, list(products.values()))
    today = periods[-1].review_due + timedelta(days=rng.choice([-5, 5]))
    for period in periods:
        rollups.rebuild_period(period.pk, cascade=True, today=today)
    _assert_all_equal(periods, today)
    assert UnitPeriodRollup.objects.filter(scope_kind=ScopeKind.QUARTER).exists()


def test_a_quarter_adds_up_its_months_and_counts_each_person_once(filled):
    for period in filled:
        rollups.rebuild_period(period.pk, cascade=True)
    province = OrgUnit.objects.get(code="T-ROOT")
    months = UnitPeriodRollup.objects.filter(unit=province, scope_kind=ScopeKind.MONTH)
    quarter = UnitPeriodRollup.objects.get(unit=province, scope_kind=ScopeKind.QUARTER, number=1)
    assert quarter.done_standard == sum(m.done_standard for m in months)
    assert quarter.count_htxs == sum(m.count_htxs for m in months)
    assert quarter.people == Person.objects.filter(hrmis_code__startswith="HR").count()


def test_a_unit_row_covers_its_whole_subtree(filled):
    rollups.rebuild_period(filled[1].pk)  # the month only
    scope = {"scope_kind": ScopeKind.MONTH, "year": 2026, "number": 3}
    rows = {r.unit.code: r for r in UnitPeriodRollup.objects.filter(**scope).select_related("unit")}
    assert rows["T-ROOT"].people == rows["T-CQ"].people + rows["T-DANG"].people
    assert rows["T-CQ"].people == rows["T-SO"].people  # the bloc's only agency
    assert rows["T-DANG"].done_standard == rows["T-BTC"].done_standard
    assert rows["T-A"].people >= rows["T-A1"].people >= rows["T-A1a"].people


def test_refreshing_one_person_after_an_approval_equals_a_full_rebuild(filled, staff_a, head_a):
    march = filled[1]
    rollups.rebuild_period(march.pk, cascade=True)
    entry = WorkEntry.objects.create(
        period=march,
        person=staff_a.person,
        unit=staff_a.person.primary_assignment_on(march.end).unit,
        author_role="staff",
        product=PlanItem.objects.filter(period=march).first().product,
        quantity=Decimal("3"),
        coefficient=Decimal("1.5"),
        completed_on=march.start,
        status=EntryStatus.SUBMITTED,
        submitted_at=timezone.now() - timedelta(days=400),
    )
    services.entry_review(by=head_a, entry=entry, review=services.Review(approve=True))
    rollups.refresh_person(staff_a.person.pk, march.pk)
    incremental = (
        _stored(PersonPeriodRollup, period=march),
        _stored(UnitPeriodRollup, year=2026),
    )
    rollups.rebuild_period(march.pk, cascade=True)
    assert incremental == (
        _stored(PersonPeriodRollup, period=march),
        _stored(UnitPeriodRollup, year=2026),
    )
    _assert_all_equal([march], timezone.localdate())


def test_refreshing_a_person_who_moved_unit_updates_both_subtrees(filled, staff_a, units):
    march = filled[1]
    rollups.rebuild_period(march.pk, cascade=True)
    Evaluation.objects.filter(person=staff_a.person, period=march).update(unit=units["T-B"])
    rollups.refresh_person(staff_a.person.pk, march.pk)
    incremental = _stored(UnitPeriodRollup, year=2026)
    rollups.rebuild_period(march.pk, cascade=True)
    assert incremental == _stored(UnitPeriodRollup, year=2026)


def test_rebuilding_a_period_twice_changes_nothing(filled):
    rollups.rebuild_period(filled[0].pk, cascade=True)
    first = _stored(UnitPeriodRollup, year=2026)
    rollups.rebuild_period(filled[0].pk, cascade=True)
    assert _stored(UnitPeriodRollup, year=2026) == first


def test_a_rebuild_is_a_handful_of_statements_not_one_per_row(filled):
    with CaptureQueriesContext(connection) as captured:
        rollups.rebuild_people(filled[1].pk)
    statements = [q["sql"].lstrip() for q in captured.captured_queries]
    assert len([sql for sql in statements if sql.startswith("WITH")]) == 1  # INSERT … SELECT
    assert len([sql for sql in statements if sql.startswith("CREATE TEMPORARY")]) == 1
    assert len(statements) <= 16  # plus the lock, settings, deletes and the temporary table


def test_the_command_rebuilds_a_month_a_quarter_a_year_or_everything(filled, capsys):
    call_command("rebuild_rollups", "--period", "2026-03")
    assert UnitPeriodRollup.objects.filter(scope_kind=ScopeKind.MONTH, number=3).exists()
    assert not PersonPeriodRollup.objects.filter(period=filled[0]).exists()
    call_command("rebuild_rollups", "--quarter", "2026-Q1")
    assert PersonPeriodRollup.objects.filter(period=filled[0]).exists()
    call_command("rebuild_rollups", "--year", "2026")
    call_command("rebuild_rollups", "--all")
    _assert_all_equal(filled, timezone.localdate())
    assert "2026-03" in capsys.readouterr().out


def test_the_command_refuses_an_unknown_period_with_a_clear_message(filled):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="2026-13"):
        call_command("rebuild_rollups", "--period", "2026-13")


def test_scopes_parse_and_print_their_codes():
    assert Scope.parse("2026-10") == Scope(ScopeKind.MONTH, 2026, 10)
    assert Scope.parse("2026-q3").code == "2026-Q3"
    assert Scope.parse("2026").code == "2026"
    for bad in ("2026-Q5", "26-01", "2026-00", "abc"):
        with pytest.raises(ValueError):
            Scope.parse(bad)


# ---- keeping rollups current -----------------------------------------------------------------


@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _submitted(period, users, count: int, product) -> list[WorkEntry]:
    rows = [
        WorkEntry(
            period=period,
            person=user.person,
            unit=user.person.primary_assignment_on(period.end).unit,
            author_role="staff",
            product=product,
            quantity=Decimal("1"),
            coefficient=product.coefficient,
            completed_on=period.start,
            status=EntryStatus.SUBMITTED,
            submitted_at=timezone.now(),
        )
        for index in range(count)
        for user in [users[index % len(users)]]
    ]
    return WorkEntry.objects.bulk_create(rows)


def test_two_hundred_approvals_enqueue_one_refresh_per_person(
    periods,
    products,
    head_a,
    staff_a,
    staff_a2,
    fresh_cache,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    # One debounce window, however slow the machine: the burst must not outlast it.
    monkeypatch.setattr(signals, "DEBOUNCE_SECONDS", 3600)
    march = periods[1]
    entries = _submitted(march, [staff_a, staff_a2], 200, products["BC"])
    with (
        mock.patch.object(tasks_rollups.rollup_refresh_person, "apply_async") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        for entry in entries:
            services.entry_review(by=head_a, entry=entry, review=services.Review(approve=True))
    queued = sorted(tuple(call.kwargs["args"]) for call in enqueue.call_args_list)
    assert queued == sorted([(staff_a.person.pk, march.pk), (staff_a2.person.pk, march.pk)])
    assert all(call.kwargs["countdown"] > 0 for call in enqueue.call_args_list)


def test_a_bulk_approval_sends_no_save_signal_so_the_sweep_refreshes_each_person_once(
    periods, products, head_a, staff_a, staff_a2, fresh_cache, django_capture_on_commit_callbacks
):
    march = periods[1]
    entries = _submitted(march, [staff_a, staff_a2], 200, products["BC"])
    cache.set(
        signals.SWEEP_KEY,
        AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
    )
    with (
        mock.patch.object(tasks_rollups.rollup_refresh_person, "apply_async") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.entries_bulk_approve(by=head_a, entry_ids=[e.pk for e in entries])
        assert enqueue.call_count == 0
        tasks_rollups.rollups_sweep()
        tasks_rollups.rollups_sweep()  # nothing new the second time
    assert enqueue.call_count == 2


def test_a_refresh_runs_only_once_the_transaction_commits(
    filled, head_a, staff_a, fresh_cache, django_capture_on_commit_callbacks
):
    march = filled[1]
    rollups.rebuild_period(march.pk, cascade=True)
    before = PersonPeriodRollup.objects.get(person=staff_a.person, period=march)
    entry = _submitted(march, [staff_a], 1, PlanItem.objects.first().product)[0]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.entry_review(by=head_a, entry=entry, review=services.Review(approve=True))
    assert PersonPeriodRollup.objects.get(pk=before.pk).entries_approved == before.entries_approved
    for callback in callbacks:
        callback()  # the eager task runs now
    after = PersonPeriodRollup.objects.get(person=staff_a.person, period=march)
    assert after.entries_approved == before.entries_approved + 1


def test_the_nightly_rebuild_is_scheduled_at_half_past_one_on_the_rollups_queue(settings):
    nightly = settings.CELERY_BEAT_SCHEDULE["reports-nightly-rollups"]
    assert nightly["task"] == "reports.tasks_rollups.rollups_nightly"
    assert (nightly["schedule"].hour, nightly["schedule"].minute) == ({1}, {30})
    route = settings.CELERY_TASK_ROUTES["reports.tasks_rollups.*"]
    assert route == {"queue": "rollups"}


def test_a_save_after_the_refresh_started_schedules_another_one(
    periods, products, head_a, staff_a, fresh_cache, django_capture_on_commit_callbacks
):
    march = periods[1]
    first, second = _submitted(march, [staff_a], 2, products["BC"])
    with mock.patch.object(rollups, "refresh_person") as refresh:
        with django_capture_on_commit_callbacks(execute=True):
            services.entry_review(by=head_a, entry=first, review=services.Review(approve=True))
        with django_capture_on_commit_callbacks(execute=True):
            services.entry_review(by=head_a, entry=second, review=services.Review(approve=True))
    assert refresh.call_count == 2


def test_a_refresh_that_pushes_an_agency_over_the_cap_flags_it_as_a_rebuild_would(
    filled, staff_a, units
):
    march = filled[1]
    Evaluation.objects.filter(period=march).update(
        computed_rating=Rating.HT, rating="", state=EvaluationState.HEAD_ASSESSED
    )
    rollups.rebuild_period(march.pk, cascade=True)
    month = {"unit": units["T-SO"], "scope_kind": ScopeKind.MONTH, "number": 3}
    assert not UnitPeriodRollup.objects.get(**month).over_quota
    Evaluation.objects.filter(period=march, person=staff_a.person).update(
        computed_rating=Rating.HTXS, total=Decimal("95")
    )
    rollups.refresh_person(staff_a.person.pk, march.pk)
    assert UnitPeriodRollup.objects.get(**month).over_quota
    incremental = _stored(UnitPeriodRollup, year=2026)
    rollups.rebuild_period(march.pk, cascade=True)
    assert incremental == _stored(UnitPeriodRollup, year=2026)
