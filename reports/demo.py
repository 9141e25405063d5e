"""Demo history for the dashboards: earlier months of real seeded work, then every rollup.

Nothing here invents figures: the months back to the start of the previous quarter are seeded
by `evaluations.demo` itself (as if run on a day of the following month, so each one arrives
reviewed, decided and published), and the dashboards show what a recomputation would.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from evaluations import demo as evaluations_demo
from evaluations import services
from evaluations.models import Period, PeriodState

from . import rollups


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _previous_month(first: date) -> date:
    return _month_start(first - timedelta(days=1))


def history_months(today: date) -> list[date]:
    """First days of the months to add before last month, newest first."""
    current = services.period_for_work(bloc="", completed_on=today)
    last_month = _previous_month(current.start)
    quarter_first = 3 * ((current.start.month - 1) // 3) + 1
    earliest = date(current.start.year, quarter_first, 1)
    for _ in range(3):  # back one whole quarter
        earliest = _previous_month(earliest)
    months, month = [], _previous_month(last_month)
    while month >= earliest:
        months.append(month)
        month = _previous_month(month)
    return months


def _seeding_day(month: date) -> date:
    """A day in the following month, before its logging closes: `month` is then "last month"."""
    following = (month + timedelta(days=32)).replace(day=1)
    close_day = services.policy_for("").log_close_day
    return following.replace(day=min(20, close_day))


def _lock_history(months: list[date], today: date) -> int:
    """Published history months whose lock date has passed end locked, as the daily beat would."""
    periods = Period.objects.filter(
        bloc="",
        start__in=months,
        state=PeriodState.PUBLISHED,
        lock_date__lt=today,
    )
    for period in periods:
        services.period_set_state(
            period=period, state=PeriodState.LOCKED, by=None, reason="Dữ liệu trình diễn"
        )
    return len(periods)


def seed(today: date | None = None, limit: int | None = None) -> dict[str, int]:
    """Seed the history months (idempotent), lock them, and rebuild every rollup."""
    today = today or timezone.localdate()
    months = history_months(today)
    for month in months:  # newest first, so each month is seeded only as a finished month
        day = _seeding_day(month)
        evaluations_demo.seed(today=day, limit=limit)
        evaluations_demo.seed_evaluations(today=day, with_appeal=False)
    locked = _lock_history(months, today)
    return {"months": len(months), "locked": locked, "periods": rollups.rebuild_all()}
