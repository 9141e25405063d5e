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
from orgunits import services as org_services
from orgunits.models import Assignment, AssignmentRole, OrgUnit, Role, RoleGrant, User

from . import quarterly, rollups
from .models import QuarterlyReport, ReportingBody


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
    periods = rollups.rebuild_all()
    return {"months": len(months), "locked": locked, "periods": periods, **seed_quarterly(today)}


# ---- quarterly reports between bodies ---------------------------------------------------------

RECEIVER = "QNG-BTC"
# unit, covered roots, kind: Sở Nội vụ for the government bloc, a Party and an MTTQ body.
REPORTING_BODIES = [
    ("QNG-SNV", ["QNG-CQ"], "government"),
    ("QNG-VPTU", ["QNG-DANG"], "party"),
    ("QNG-MTTQ", ["QNG-MT"], "mttq"),
]
PREPARER, REVIEWER, ADMIN = "sonoivu", "bantochuc", "quantri"
NARRATIVE = {
    "general_assessment": (
        "Các cơ quan, đơn vị triển khai ghi nhận sản phẩm và đánh giá theo tháng đúng kế hoạch "
        "thí điểm; tỷ lệ cán bộ có ghi nhận sản phẩm tăng so với quý trước."
    ),
    "difficulties": "Một số xã còn thiếu máy tính; định mức của vài vị trí việc làm chưa sát.",
    "proposals": "Đề nghị tổ chức tập huấn bổ sung cho cán bộ tổ chức cấp xã.",
}


def _bodies() -> list[ReportingBody]:
    receiver = OrgUnit.objects.filter(code=RECEIVER).first()
    bodies = []
    for code, roots, kind in REPORTING_BODIES:
        unit = OrgUnit.objects.filter(code=code).first()
        if receiver is None or unit is None:
            continue
        body, created = ReportingBody.objects.get_or_create(
            unit=unit, defaults={"kind": kind, "receiver": receiver}
        )
        if created:
            body.covers.set(OrgUnit.objects.filter(code__in=roots))
        bodies.append(body)
    return bodies


def _preparer(body: ReportingBody, today: date) -> User | None:
    """The demo's Sở Nội vụ login prepares its report; elsewhere the body's head does."""
    if body.unit.code == "QNG-SNV":
        user = User.objects.filter(username=PREPARER).first()
        admin = User.objects.filter(username=ADMIN).first()
        granted = RoleGrant.objects.filter(user=user, role=Role.HR_OFFICER, unit=body.unit)
        if user is not None and admin is not None and not granted.exists():
            org_services.role_grant(
                user=user, role=Role.HR_OFFICER, unit=body.unit, valid_from=today, by=admin
            )
        return user
    head = (
        Assignment.objects.active_on(today)
        .filter(unit=body.unit, role=AssignmentRole.HEAD, person__user__is_active=True)
        .select_related("person__user")
        .first()
    )
    return head.person.user if head else None


def seed_quarterly(today: date) -> dict[str, int]:
    """Last quarter's reports: Sở Nội vụ's submitted, the MTTQ's returned, the Party's accepted."""
    year, quarter = quarterly.last_ended_quarter(today)
    reviewer = User.objects.filter(username=REVIEWER).first()
    created = 0
    for body in _bodies():
        preparer = _preparer(body, today)
        exists = QuarterlyReport.objects.filter(body=body, year=year, quarter=quarter).exists()
        if preparer is None or reviewer is None or exists:
            continue
        report = quarterly.quarterly_report_save(
            by=preparer, body=body, year=year, quarter=quarter, **NARRATIVE
        )
        report = quarterly.quarterly_report_submit(by=preparer, report=report)
        if body.kind == "mttq":
            quarterly.quarterly_report_return(
                by=reviewer,
                report=report,
                comment="Đề nghị bổ sung phần đánh giá các hội đoàn thể cấp xã.",
            )
        elif body.kind == "party":
            quarterly.quarterly_report_accept(by=reviewer, report=report)
        created += 1
    return {"quarterly_reports": created}
