import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from evaluations import services
from evaluations.models import (
    Evaluation,
    EvaluationState,
    Period,
    PeriodState,
    PlanItem,
    WorkEntry,
)
from evaluations.scale import months_back, work_days
from orgunits.models import Assignment
from orgunits.querysets import ancestor_paths

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
STAFF = 60
DEMO_ACCOUNTS = 11  # orgunits.demo.DEMO_ACCOUNTS: seeded with the province, given work too


def seed(staff: int = STAFF) -> None:
    with open(os.devnull, "w") as quiet:
        call_command("seed_scale", staff=staff, months=2, stdout=quiet)


def counts() -> tuple[int, int, int, int]:
    return (
        Period.objects.count(),
        PlanItem.objects.count(),
        WorkEntry.objects.count(),
        Evaluation.objects.count(),
    )


@pytest.fixture(scope="module")
def province(django_db_setup, django_db_blocker):
    """Seeded once for the module inside a transaction that is rolled back at its end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            seed()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def seeded(province, db):
    return list(Period.objects.filter(evaluations__isnull=False).distinct().order_by("start"))


def test_seed_scale_writes_plans_entries_and_one_evaluation_per_person_and_period(seeded):
    people = STAFF + DEMO_ACCOUNTS
    assert len(seeded) == 2
    assert Evaluation.objects.count() == 2 * people
    today = timezone.localdate()
    for period in seeded:
        days = len(work_days(period, services.policy_for(period.bloc), today))
        per_person = WorkEntry.objects.filter(period=period).values("person_id")
        entries = {row["person_id"]: row["n"] for row in _counted(per_person)}
        plans = {
            row["person_id"]: row["n"]
            for row in _counted(PlanItem.objects.filter(period=period).values("person_id"))
        }
        assert len(entries) == people
        assert all(2 * days <= n <= 4 * days for n in entries.values())
        assert all(3 <= n <= 5 for n in plans.values())


def _counted(values):
    return values.annotate(n=Count("id"))


def test_past_period_is_reviewed_and_decided_and_current_one_is_open(seeded):
    past, current = seeded
    assert current.state == PeriodState.OPEN
    assert past.state != PeriodState.OPEN
    past_statuses = set(WorkEntry.objects.filter(period=past).values_list("status", flat=True))
    assert past_statuses <= {"approved", "returned"}
    assert set(Evaluation.objects.filter(period=past).values_list("state", flat=True)) <= {
        EvaluationState.PUBLISHED,
        EvaluationState.HEAD_ASSESSED,
        EvaluationState.SELF_ASSESSED,
    }
    approved = WorkEntry.objects.filter(period=past, status="approved")
    assert not approved.filter(approved_quantity__isnull=True).exists()
    assert not approved.filter(reviewer=F("person__user")).exists()
    # Work is left without a reviewer only where no head sits anywhere above its author.
    unreviewed = (
        approved.filter(reviewer__isnull=True).order_by().values_list("unit__path", flat=True)
    )
    for path in unreviewed.distinct():
        above = ancestor_paths(path, include_self=False)
        assert not Assignment.objects.filter(role="head", unit__path__in=above).exists()
    assert WorkEntry.objects.filter(period=current, status="submitted").exists()


def test_every_entry_falls_in_the_window_of_its_period(seeded):
    today = timezone.localdate()
    combos = (
        WorkEntry.objects.order_by()
        .values_list("unit__bloc", "completed_on", "period_id")
        .distinct()
    )
    for bloc, completed_on, period_id in combos:
        assert completed_on <= today
        assert completed_on.weekday() < 5
        period = services.period_for_work(bloc=bloc, completed_on=completed_on)
        assert period.pk == period_id


def test_every_entry_is_logged_in_the_unit_and_role_of_the_persons_primary_assignment(seeded):
    posts = {
        person_id: (unit_id, role)
        for person_id, unit_id, role in Assignment.objects.filter(is_primary=True).values_list(
            "person_id", "unit_id", "role"
        )
    }
    logged = (
        WorkEntry.objects.order_by().values_list("person_id", "unit_id", "author_role").distinct()
    )
    assert logged
    for person_id, unit_id, role in logged:
        assert posts[person_id] == (unit_id, role)
    evaluated = Evaluation.objects.order_by().values_list("person_id", "unit_id").distinct()
    for person_id, unit_id in evaluated:
        assert posts[person_id][0] == unit_id


def test_plan_linked_entries_use_the_persons_own_assigned_plan_items(seeded):
    linked = WorkEntry.objects.filter(plan_item__isnull=False).select_related("plan_item")
    assert linked.exists()
    for entry in linked[:500]:
        item = entry.plan_item
        assert (item.person_id, item.period_id, item.product_id, item.status) == (
            entry.person_id,
            entry.period_id,
            entry.product_id,
            "assigned",
        )


def test_a_second_run_adds_nothing(seeded):
    before = counts()
    seed()
    assert counts() == before


def test_more_staff_later_only_fills_the_newcomers(seeded):
    before_people = Evaluation.objects.values("person_id").distinct().count()
    seed(staff=STAFF + 10)
    assert Evaluation.objects.values("person_id").distinct().count() == before_people + 10
    twice = _counted(Evaluation.objects.values("period_id", "person_id")).filter(n__gt=1)
    assert not twice.exists()


def test_sqlite_is_refused_with_exit_status_2_in_vietnamese(monkeypatch):
    before = counts()
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError) as refused:
        seed()
    assert refused.value.returncode == 2
    assert "không chạy trên SQLite" in str(refused.value)
    monkeypatch.undo()
    assert counts() == before


def test_manage_py_exits_2_on_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="kpi_portal.settings.local", DEBUG="false")
    run = subprocess.run(
        [sys.executable, "manage.py", "seed_scale", "--staff", "10", "--months", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert "không chạy trên SQLite" in run.stderr


def test_window_starts_after_the_month_before_even_if_only_older_periods_exist(seeded):
    policy = services.policy_for("")
    (y4, m4), _skipped, (y2, m2), _past, _current = months_back(
        (seeded[-1].year, seeded[-1].number), 5
    )
    services.period_ensure(policy=policy, year=y4, number=m4)
    two_back = services.period_ensure(policy=policy, year=y2, number=m2)
    days = work_days(two_back, policy, timezone.localdate())
    assert days[0].month != m4
    assert days[-1] <= two_back.log_close
    assert all(services.period_for_work(bloc="", completed_on=d) == two_back for d in days)
