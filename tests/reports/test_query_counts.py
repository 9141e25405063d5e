"""Every list of the reports screens costs the same number of queries for a few rows or many."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations import services as evaluation_services
from orgunits import services as org_services
from orgunits.models import OrgUnit, Person, UnitKind, User
from reports import pilot, quarterly, rollups
from reports.models import (
    ExportKind,
    ExportStatus,
    FeedbackKind,
    FeedbackTopic,
    ManualRatingBaseline,
    PersonPeriodRollup,
    QuarterlyReport,
    ReportExport,
    ReportingBody,
    UnitAdoptionRollup,
    UnitPeriodRollup,
)
from tests import world
from tests.query_counts import few_and_many

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.reports.rollup_data"]

HTMX = {"HTTP_HX_REQUEST": "true"}

# URL name → the test that shows its queries do not grow with its rows.
LIST_VIEWS = {
    "reports:province_dashboard": "test_unit_dashboards_use_constant_queries",
    "reports:unit_dashboard": "test_unit_dashboards_use_constant_queries",
    "reports:person_dashboard": "test_a_persons_history_uses_constant_queries",
    "reports:personal_dashboard": "test_a_persons_history_uses_constant_queries",
    "reports:team_dashboard": (
        "tests/reports/test_dashboards.py::"
        "test_the_head_dashboard_uses_the_same_number_of_queries_for_a_few_or_many_people"
    ),
    "reports:team_dashboard_unit": "test_the_team_dashboard_of_a_chosen_unit_uses_constant_queries",
    "reports:export_list": "test_export_list_uses_constant_queries",
    "reports:feedback_mine": "test_feedback_lists_use_constant_queries",
    "reports:feedback_inbox": "test_feedback_lists_use_constant_queries",
    # Its ?xuat=xlsx workbook: test_the_feedback_register_workbook_uses_constant_queries.
    "reports:feedback_register": "test_feedback_lists_use_constant_queries",
    "reports:quarterly_mine": "test_quarterly_lists_use_constant_queries",
    "reports:quarterly_tracking": "test_quarterly_lists_use_constant_queries",
    "reports:quarterly_detail": "test_a_quarterly_report_with_many_versions_uses_constant_queries",
    "reports:adoption_dashboard": "test_adoption_dashboards_use_constant_queries",
    "reports:adoption_unit": "test_adoption_dashboards_use_constant_queries",
    "reports:adoption_baselines": "test_baselines_use_constant_queries",
}

NOT_LIST_VIEWS = {
    "reports:personal_projection": "HTMX fragment: one live score",
    "reports:export_create": "POST action (re-renders the export list on errors)",
    "reports:export_status": "HTMX fragment: one export's row",
    "reports:export_download": "download of one file",
    "reports:export_retry": "POST action",
    "reports:feedback_create": "form",
    "reports:feedback_detail": "one feedback item",
    "reports:feedback_start_review": "POST action",
    "reports:feedback_answer": "POST action",
    "reports:feedback_accept": "POST action",
    "reports:feedback_decline": "POST action",
    "reports:quarterly_edit": "form for one report (with its figures)",
    "reports:quarterly_submit": "POST action",
    "reports:quarterly_return": "POST action",
    "reports:quarterly_accept": "POST action",
    "reports:quarterly_consolidated": "download of one generated document",
    "reports:adoption_export": "POST action (queues an export)",
    "reports:pilot_pack": "form (queues an export)",
}


def _grow(client, url: str, add, **headers) -> tuple[int, int, str]:
    """Queries for the page as it is and after `add()`, and the page after."""
    few, many, body = few_and_many(client, url, add, **headers)
    return few, many, body.decode()


@pytest.fixture
def rolled(filled):
    for period in filled:
        rollups.rebuild_period(period.pk, cascade=True)
    return filled


def _root() -> User:
    return User.objects.get(username="root")


def _new_unit(parent: OrgUnit, code: str, name: str, kind=UnitKind.DEPARTMENT) -> OrgUnit:
    return org_services.unit_create(
        by=_root(),
        parent=parent,
        code=code,
        name=name,
        kind=kind,
        bloc=parent.bloc,
        active_from=parent.active_from,
    )


def _copy_unit_rollups(model: OrgUnit, unit: OrgUnit, table=UnitPeriodRollup, **changes) -> None:
    """Every rollup row of `model` again for `unit`, as if it had the same people and work."""
    rows = []
    for row in table.objects.filter(unit=model):
        row.pk, row.unit, row.unit_path, row.depth = None, unit, unit.path, unit.depth
        row.unit_kind = unit.kind
        for name, value in changes.items():
            setattr(row, name, value)
        rows.append(row)
    table.objects.bulk_create(rows)


def _person(code: str, name: str) -> Person:
    user = User.objects.create(username=code.lower(), staff_code=code)
    return Person.objects.create(user=user, full_name=name, category="cong_chuc", hrmis_code=code)


def _copy_person_rollups(model: Person, unit: OrgUnit, count: int, prefix: str) -> None:
    """`count` more people of `unit` whose rollups are the model person's."""
    rows = list(PersonPeriodRollup.objects.filter(person=model))
    copies = []
    for n in range(count):
        person = _person(f"{prefix}{n:03d}", f"Phạm Thị {prefix} {n:03d}")
        for row in rows:
            copy = PersonPeriodRollup.objects.get(pk=row.pk)
            copy.pk, copy.person, copy.evaluation = None, person, None
            copy.unit, copy.unit_path = unit, unit.path
            copies.append(copy)
    PersonPeriodRollup.objects.bulk_create(copies)


# ---- dashboards ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["province_dashboard", "unit_dashboard"])
def test_unit_dashboards_use_constant_queries(rolled, client_for, system_admin, units, name):
    """More child units, communes, flagged units and people of the unit itself."""
    args = [units["T-SO"].pk] if name == "unit_dashboard" else []
    url = reverse(f"reports:{name}", args=args) + "?ky=2026-Q1"
    parent = units["T-SO"] if args else units["T-ROOT"]

    def more():
        for n in range(10):
            unit = _new_unit(units["T-SO"], f"T-P{n:02d}", f"Phòng mới {n:02d}")
            _copy_unit_rollups(units["T-A"], unit, over_quota=True, no_logs=n % 2 == 0)
        for n in range(8):
            commune = _new_unit(units["T-SO"], f"T-X{n:02d}", f"Xã mới {n:02d}", UnitKind.COMMUNE)
            _copy_unit_rollups(units["T-A"], commune)
        for n in range(6):
            bloc = _new_unit(units["T-ROOT"], f"T-K{n:02d}", f"Khối mới {n:02d}", UnitKind.BLOC)
            _copy_unit_rollups(units["T-CQ"], bloc)
        _copy_person_rollups(head, parent, 15, "DB")

    head = Person.objects.get(user__username="head_agency")
    _copy_person_rollups(head, parent, 2, "DA")
    few, many, html = _grow(client_for(system_admin), url, more)
    assert html.count("Xã mới") >= 8
    if args:
        assert html.count("Phòng mới") >= 10
        assert html.count("Phạm Thị DB") >= 15  # the province has no people of its own
    else:
        assert html.count("Khối mới") >= 6
    assert few == many


@pytest.mark.parametrize("name", ["person_dashboard", "personal_dashboard"])
def test_a_persons_history_uses_constant_queries(rolled, client_for, staff_a, units, name):
    """Each period the person was rolled up in is a row (and a point of the chart)."""
    args = [staff_a.person.pk] if name == "person_dashboard" else []
    url = reverse(f"reports:{name}", args=args)
    model = PersonPeriodRollup.objects.filter(person=staff_a.person).first()

    def more():
        for month in range(4, 13):
            made = evaluation_services.period_containing(
                bloc=units["T-A"].bloc, on=date(2025, month, 5)
            )
            copy = PersonPeriodRollup.objects.get(pk=model.pk)
            copy.pk, copy.period, copy.evaluation = None, made, None
            copy.save()

    viewer = User.objects.get(username="head_agency") if args else staff_a
    few, many, html = _grow(client_for(viewer), url, more)
    assert all(f"{month:02d}/2025" in html for month in (4, 8, 12))
    assert few == many


def test_the_team_dashboard_of_a_chosen_unit_uses_constant_queries(
    rolled, client_for, head_a, units
):
    url = reverse("reports:team_dashboard_unit", args=[units["T-A"].pk])
    staff = Person.objects.get(user__username="staff_a")
    few, many, html = _grow(
        client_for(head_a), url, lambda: _copy_person_rollups(staff, units["T-A"], 40, "TD")
    )
    assert html.count("Phạm Thị TD") >= 40
    assert few == many


# ---- exports and feedback --------------------------------------------------------------------


def _exports(user: User, count: int, first: int = 0) -> None:
    statuses = list(ExportStatus)
    ReportExport.objects.bulk_create(
        ReportExport(
            kind=ExportKind.UNIT_SUMMARY,
            format="xlsx",
            title=f"Biểu tổng hợp số {n:02d}",
            status=statuses[n % len(statuses)],
            requested_by=user,
            expires_at=timezone.now() + timedelta(days=7 - n % 9),
        )
        for n in range(first, first + count)
    )


def test_export_list_uses_constant_queries(client_for, head_a, units):
    _exports(head_a, 3)
    few, many, html = _grow(
        client_for(head_a), reverse("reports:export_list"), lambda: _exports(head_a, 30, 3)
    )
    assert html.count("Biểu tổng hợp số") >= 33
    assert few == many


def _feedback(sender: User, count: int, first: int = 0) -> None:
    for n in range(first, first + count):
        pilot.feedback_send(
            by=sender,
            kind=FeedbackKind.DIFFICULTY if n % 2 else FeedbackKind.PROPOSAL,
            topic=FeedbackTopic.FUNCTION,
            function_name="Nhật ký công việc",
            title=f"Góp ý số {n:02d}",
            body="Nút gửi khó thấy trên điện thoại.",
        )


@pytest.mark.parametrize(
    ("name", "reader"),
    [
        ("feedback_mine", "staff_a"),
        ("feedback_inbox", "system_admin"),
        ("feedback_register", "system_admin"),
    ],
)
def test_feedback_lists_use_constant_queries(client_for, staff_a, staff_a2, units, name, reader):
    _feedback(staff_a, 2)

    def more():
        _feedback(staff_a, 20, 2)
        _feedback(staff_a2, 5, 30)

    client = client_for(User.objects.get(username=reader))
    few, many, html = _grow(client, reverse(f"reports:{name}"), more)
    assert html.count("Góp ý số") >= 22
    assert few == many


# ---- quarterly reports -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reader"), [("quarterly_mine", "hr_officer"), ("quarterly_tracking", "party_viewer")]
)
def test_quarterly_lists_use_constant_queries(rolled, client_for, units, name, reader):
    """More reporting bodies, half of them with a submitted report."""
    bodies = world.reporting_bodies()
    url = reverse(f"reports:{name}") + "?quy=2026-Q1"
    hr_officer = User.objects.get(username="hr_officer")

    def more():
        for n in range(10):
            unit = _new_unit(units["T-SO"], f"T-BC{n:02d}", f"Đơn vị báo cáo {n:02d}")
            body = ReportingBody.objects.create(
                unit=unit, kind="government", receiver=units["T-BTC"]
            )
            body.covers.set([unit])
            org_services.role_grant(
                user=hr_officer,
                role="hr_officer",
                unit=unit,
                valid_from=world.START,
                by=_root(),
            )
            if n % 2:
                report = quarterly.quarterly_report_save(
                    by=hr_officer,
                    body=body,
                    year=2026,
                    quarter=1,
                    general_assessment="Tốt",
                    difficulties="",
                    proposals="",
                )
                quarterly.quarterly_report_submit(by=hr_officer, report=report)

    assert bodies
    few, many, html = _grow(client_for(User.objects.get(username=reader)), url, more)
    assert html.count("Đơn vị báo cáo") >= 10
    assert few == many


def test_a_quarterly_report_with_many_versions_uses_constant_queries(rolled, client_for, units):
    body = world.reporting_bodies()["T-SO"]
    hr_officer = User.objects.get(username="hr_officer")
    party_viewer = User.objects.get(username="party_viewer")

    def cycle(text: str) -> QuarterlyReport:
        report = quarterly.quarterly_report_save(
            by=hr_officer,
            body=body,
            year=2026,
            quarter=1,
            general_assessment=text,
            difficulties="Chưa quen phần mềm.",
            proposals="Tập huấn thêm.",
        )
        return quarterly.quarterly_report_submit(by=hr_officer, report=report)

    report = cycle("Lần đầu")
    url = reverse("reports:quarterly_detail", args=[report.pk])

    def more():
        for n in range(8):
            quarterly.quarterly_report_return(
                by=party_viewer, report=report, comment=f"Bổ sung lần {n:02d}"
            )
            cycle(f"Bản sửa {n}")

    few, many, html = _grow(client_for(party_viewer), url, more)
    assert html.count("Bổ sung lần") >= 8
    assert few == many


# ---- the pilot -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["adoption_dashboard", "adoption_unit"])
def test_adoption_dashboards_use_constant_queries(rolled, client_for, system_admin, units, name):
    args = [units["T-SO"].pk] if name == "adoption_unit" else []
    url = reverse(f"reports:{name}", args=args) + "?ky=2026-Q1"

    def more():
        for n in range(10):
            agency = _new_unit(units["T-CQ"], f"T-SN{n:02d}", f"Sở mới {n:02d}", UnitKind.AGENCY)
            _copy_unit_rollups(units["T-SO"], agency, UnitAdoptionRollup)
            _copy_unit_rollups(units["T-SO"], agency, published=False)
            unit = _new_unit(units["T-SO"], f"T-P{n:02d}", f"Phòng mới {n:02d}")
            _copy_unit_rollups(units["T-A"], unit, UnitAdoptionRollup)

    few, many, html = _grow(client_for(system_admin), url, more)
    # The province lists the new agencies among those not yet published; Sở its new units.
    assert html.count("Phòng mới" if args else "Sở mới") >= 10
    assert few == many


def test_baselines_use_constant_queries(client_for, hr_officer, units):
    url = reverse("reports:adoption_baselines")

    def baselines(years):
        ManualRatingBaseline.objects.bulk_create(
            ManualRatingBaseline(unit=units["T-SO"], year=year, entered_by=hr_officer)
            for year in years
        )

    baselines([2024])
    few, many, html = _grow(client_for(hr_officer), url, lambda: baselines(range(2014, 2024)))
    assert html.count('<th scope="row" class="fw-normal">Sở Thử nghiệm</th>') == 11
    assert few == many


def test_the_feedback_register_workbook_uses_constant_queries(client_for, staff_a, system_admin):
    from io import BytesIO

    from openpyxl import load_workbook

    _feedback(staff_a, 2)
    url = reverse("reports:feedback_register") + "?xuat=xlsx"
    few, many, body = few_and_many(client_for(system_admin), url, lambda: _feedback(staff_a, 20, 2))
    sheet = load_workbook(BytesIO(body)).active
    titles = [cell.value for row in sheet.iter_rows() for cell in row]
    assert sum(1 for t in titles if str(t).startswith("Góp ý số")) == 22
    assert few == many
