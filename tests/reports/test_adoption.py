"""The adoption dashboard: figures equal a plain recomputation, and only overseers read them."""

from __future__ import annotations

import io
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from evaluations.models import EntryStatus, WorkEntry
from orgunits.models import OrgUnit
from reports import adoption, exports, rollups
from reports.dashboards import DECIDING_KINDS
from reports.models import (
    ExportKind,
    ExportStatus,
    PersonPeriodRollup,
    ReportExport,
    ScopeKind,
    UnitAdoptionRollup,
)
from reports.rollups import Scope

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.reports.rollup_data"]

# After both months' review deadlines, so work still waiting for review is overdue.
TODAY = date(2026, 6, 1)
FEBRUARY = Scope(ScopeKind.MONTH, 2026, 2)
MARCH = Scope(ScopeKind.MONTH, 2026, 3)
QUARTER = Scope(ScopeKind.QUARTER, 2026, 1)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def review_everything(seed: int) -> None:
    """Reviewed entries get a review time some minutes to days after their submission."""
    rng = random.Random(seed)
    reviewed = WorkEntry.objects.filter(status__in=adoption.REVIEWED, submitted_at__isnull=False)
    for entry in reviewed:
        entry.reviewed_at = entry.submitted_at + timedelta(minutes=rng.randint(5, 60 * 24 * 9))
        WorkEntry.objects.filter(pk=entry.pk).update(reviewed_at=entry.reviewed_at)


@pytest.fixture
def adopted(filled):
    review_everything(11)
    for period in filled:
        rollups.rebuild_period(period.pk, cascade=True, today=TODAY)
    return filled


# ---- the plain recomputation ---------------------------------------------------------------


def _below(path: str, unit_path: str) -> bool:
    return unit_path.startswith(path)


def expected(unit: OrgUnit, scope: Scope) -> dict | None:
    """A unit's adoption figures, added up in Python from person rollups and entries."""
    periods = list(scope.periods())
    rows = [
        r
        for r in PersonPeriodRollup.objects.filter(period__in=periods)
        if _below(unit.path, r.unit_path)
    ]
    if not rows:
        return None
    entries = list(
        WorkEntry.objects.filter(
            period__in=periods, unit__path__startswith=unit.path
        ).select_related("unit", "period")
    )
    hours = sorted(
        (e.reviewed_at - e.submitted_at).total_seconds() / 3600
        for e in entries
        if e.status in adoption.REVIEWED and e.submitted_at and e.reviewed_at
    )
    overdue = [
        e for e in entries if e.status == EntryStatus.SUBMITTED and e.period.review_due < TODAY
    ]
    evaluated = [r for r in rows if r.evaluation_id]
    deciding_below = {
        r.unit_id: r
        for r in UnitAdoptionRollup.objects.filter(
            unit_path__startswith=unit.path,
            unit_kind__in=DECIDING_KINDS,
            scope_kind=scope.kind,
            year=scope.year,
            number=scope.number,
        )
    }
    unpublished = 0
    for deciding in deciding_below.values():
        below = [
            r
            for r in PersonPeriodRollup.objects.filter(period__in=periods, evaluation__isnull=False)
            if _below(deciding.unit_path, r.unit_path)
        ]
        unpublished += any(r.evaluation_state != "published" for r in below)
    return {
        "people": len({r.person_id for r in rows}),
        "people_logged": len({r.person_id for r in rows if r.entries_total}),
        "entries": sum(r.entries_total for r in rows),
        "evaluations": len(evaluated),
        "self_assessed_on_time": sum(r.self_assessed_on_time for r in evaluated),
        "evaluations_published": sum(r.evaluation_state == "published" for r in evaluated),
        "reviewed_entries": len(hours),
        "median": adoption.percentile(hours, 0.5),
        "p90": adoption.percentile(hours, 0.9),
        "overdue_entries": len(overdue),
        "own_overdue_entries": sum(e.unit_id == unit.pk for e in overdue),
        "overdue_queues": len({e.unit_id for e in overdue}),
        "units_unpublished": unpublished,
    }


def actual(row: UnitAdoptionRollup) -> dict:
    return {
        "people": row.people,
        "people_logged": row.people_logged,
        "entries": row.entries,
        "evaluations": row.evaluations,
        "self_assessed_on_time": row.self_assessed_on_time,
        "evaluations_published": row.evaluations_published,
        "reviewed_entries": row.reviewed_entries,
        "median": row.review_hours_median,
        "p90": row.review_hours_p90,
        "overdue_entries": row.overdue_entries,
        "own_overdue_entries": row.own_overdue_entries,
        "overdue_queues": row.overdue_queues,
        "units_unpublished": row.units_unpublished,
    }


def close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(Decimal(str(a)) - Decimal(str(b))) <= Decimal("0.01")


# ---- figures -------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", [FEBRUARY, MARCH, QUARTER], ids=lambda s: s.code)
def test_adoption_rows_equal_a_plain_recomputation_for_every_unit(adopted, units, scope):
    found = {
        r.unit_id: r
        for r in UnitAdoptionRollup.objects.filter(
            scope_kind=scope.kind, year=scope.year, number=scope.number
        )
    }
    checked = 0
    for unit in OrgUnit.objects.all():
        want = expected(unit, scope)
        if want is None:
            assert unit.pk not in found
            continue
        got = actual(found[unit.pk])
        for key in ("median", "p90"):
            assert close(got.pop(key), want.pop(key)), (unit.code, key)
        assert got == want, unit.code
        checked += 1
    assert checked >= 5
    root = found[units["T-ROOT"].pk]
    assert root.reviewed_entries > 0 and root.overdue_entries > 0 and root.evaluations > 0


def test_rebuilding_a_period_rebuilds_its_adoption_rows_too(filled, units):
    february = filled[0]
    rollups.rebuild_period(february.pk, today=TODAY)
    assert UnitAdoptionRollup.objects.filter(
        scope_kind=ScopeKind.MONTH, year=2026, number=2, unit=units["T-ROOT"]
    ).exists()
    assert not UnitAdoptionRollup.objects.filter(scope_kind=ScopeKind.QUARTER).exists()


def test_python_percentiles_of_the_sqlite_demo_equal_postgresql(adopted):
    period_ids = list(QUARTER.periods().values_list("pk", flat=True))
    in_python = {unit: (n, med, p90) for unit, n, med, p90 in adoption._latency_python(period_ids)}
    stored = UnitAdoptionRollup.objects.filter(
        scope_kind=ScopeKind.QUARTER, year=2026, number=1, reviewed_entries__gt=0
    )
    assert stored.exists()
    for row in stored:
        count, median, p90 = in_python[row.unit_id]
        assert count == row.reviewed_entries
        assert close(median, row.review_hours_median) and close(p90, row.review_hours_p90)


def test_percentile_interpolates_between_neighbours_as_postgresql_does():
    assert adoption.percentile([], 0.5) is None
    assert adoption.percentile([4.0], 0.9) == 4.0
    assert adoption.percentile([1.0, 2.0, 3.0, 10.0], 0.5) == 2.5
    assert adoption.percentile([0.0, 10.0], 0.9) == pytest.approx(9.0)


def test_lagging_units_come_first(adopted, units):
    rows = adoption.child_rows(units["T-SO"], QUARTER)
    assert [r.lag for r in rows] == sorted((r.lag for r in rows), reverse=True)


def test_trend_lists_the_months_oldest_first(adopted, units):
    rows = adoption.trend_rows(units["T-ROOT"], QUARTER)
    assert [(r.year, r.number) for r in rows] == [(2026, 2), (2026, 3)]


def test_overdue_queues_name_the_unit_heads(adopted, units):
    queues = {q.row.unit.code: q for q in adoption.overdue_queues(units["T-ROOT"], QUARTER)}
    overdue = WorkEntry.objects.filter(
        status=EntryStatus.SUBMITTED, unit=units["T-A"], period__review_due__lt=TODAY
    ).count()
    if overdue:
        assert queues["T-A"].row.own_overdue_entries == overdue
        assert queues["T-A"].heads  # head_a leads Phòng A


# ---- pages and permissions -----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["staff_a", "head_a", "hr_officer", "sector_admin"])
def test_people_without_dashboards_are_refused(adopted, client_for, persona, request, units):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("reports:adoption_dashboard")).status_code == 403
    url = reverse("reports:adoption_unit", args=[units["T-SO"].pk])
    assert client.get(url).status_code == 403


def test_anonymous_is_sent_to_login(client_for, settings, units):
    response = client_for(None).get(reverse("reports:adoption_dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse(settings.LOGIN_URL))


def test_org_viewer_reads_their_bloc_with_laggards_first(
    adopted, client_for, org_dept_viewer, units
):
    response = client_for(org_dept_viewer).get(
        reverse("reports:adoption_dashboard"), {"ky": QUARTER.code}
    )
    assert response.status_code == 200
    assert response.context["unit"] == units["T-CQ"]
    assert response.context["row"].people > 0
    page = response.content.decode()
    assert "Tình hình sử dụng phần mềm" in page and "Sở Thử nghiệm" in page


def test_org_viewer_gets_404_outside_their_bloc(adopted, client_for, org_dept_viewer, units):
    client = client_for(org_dept_viewer)
    assert client.get(reverse("reports:adoption_unit", args=[units["T-BTC"].pk])).status_code == 404
    export = reverse("reports:adoption_export", args=[units["T-BTC"].pk])
    assert client.post(export, {"ky": QUARTER.code}).status_code == 404


def test_system_admin_reads_any_unit(adopted, client_for, system_admin, units):
    client = client_for(system_admin)
    url = reverse("reports:adoption_unit", args=[units["T-A"].pk])
    response = client.get(url, {"ky": MARCH.code})
    assert response.status_code == 200
    assert response.context["scope"] == MARCH


def test_dashboard_without_figures_says_so(client_for, system_admin, units):
    response = client_for(system_admin).get(
        reverse("reports:adoption_unit", args=[units["T-A"].pk])
    )
    assert response.status_code == 200
    assert "Chưa có số liệu sử dụng phần mềm" in response.content.decode()


def test_excel_export_holds_the_dashboard(adopted, client_for, org_dept_viewer, units):
    client = client_for(org_dept_viewer)
    url = reverse("reports:adoption_export", args=[units["T-SO"].pk])
    response = client.post(url, {"ky": QUARTER.code})
    assert response.status_code == 302
    export = ReportExport.objects.get(requested_by=org_dept_viewer, kind=ExportKind.ADOPTION_XLSX)
    assert export.parameters == {"unit": units["T-SO"].pk, "year": 2026, "span": 3, "number": 1}
    assert exports.export_run(export.pk).status == ExportStatus.DONE
    export.refresh_from_db()
    assert export.filename.endswith(".xlsx")
    with export.file.open("rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    first = book.worksheets[0]
    cells = [c for row in first.iter_rows(values_only=True) for c in row if c is not None]
    assert "TÌNH HÌNH SỬ DỤNG PHẦN MỀM TRONG THỜI GIAN THÍ ĐIỂM" in cells
    assert "Phòng A" in cells and "Phòng B" in cells
    row = adoption.unit_row(units["T-SO"], QUARTER)
    assert f"Số cán bộ, công chức, viên chức: {row.people}" in cells
    assert [s.title for s in book.worksheets][1:] == [
        "Diễn biến qua các tháng",
        "Hàng chờ phê duyệt quá hạn",
        "Đơn vị chưa công bố kết quả",
    ]


def test_staff_cannot_request_the_adoption_export(adopted, client_for, staff_a, units):
    url = reverse("reports:adoption_export", args=[units["T-A"].pk])
    assert client_for(staff_a).post(url, {"ky": QUARTER.code}).status_code == 403
    assert not ReportExport.objects.filter(kind=ExportKind.ADOPTION_XLSX).exists()


def test_adoption_kinds_stay_off_the_generic_export_page(client_for, org_dept_viewer):
    response = client_for(org_dept_viewer).get(reverse("reports:export_list"))
    kinds = {value for value, _label in response.context["period_form"].kinds}
    assert ExportKind.ADOPTION_XLSX not in kinds and ExportKind.PILOT_PACK_PDF not in kinds


def test_rebuild_command_and_nightly_task_write_the_rows(filled, units):
    from django.core.management import call_command

    from reports.tasks_adoption import adoption_nightly

    rollups.rebuild_year(2026)
    call_command("rebuild_adoption", "--scope", "2026-Q1")
    assert UnitAdoptionRollup.objects.filter(scope_kind=ScopeKind.QUARTER).exists()
    assert adoption_nightly() > 0
    assert UnitAdoptionRollup.objects.filter(scope_kind=ScopeKind.MONTH, number=3).exists()


def test_rebuilding_the_rollups_of_a_quarter_or_a_year_refreshes_adoption_too(filled, units):
    from django.core.management import call_command

    def kinds() -> set[str]:
        return set(UnitAdoptionRollup.objects.values_list("scope_kind", flat=True))

    call_command("rebuild_rollups", "--quarter", "2026-Q1")
    assert kinds() == {ScopeKind.MONTH, ScopeKind.QUARTER, ScopeKind.YEAR}
    UnitAdoptionRollup.objects.all().delete()
    call_command("rebuild_rollups", "--year", "2026")
    assert kinds() == {ScopeKind.MONTH, ScopeKind.QUARTER, ScopeKind.YEAR}
