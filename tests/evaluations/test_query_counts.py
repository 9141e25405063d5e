"""Every list of the evaluations screens costs the same number of queries for a few rows or many."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Product, ProductGroup
from evaluations import assessment, services
from evaluations.models import (
    AnnualResult,
    Appeal,
    DecisionVersion,
    Evaluation,
    EvaluationState,
    Period,
    PeriodReopening,
    PeriodState,
    PlanItem,
    PlanStatus,
    QuarterResult,
    Rating,
)
from orgunits import services as org_services
from orgunits.models import AssignmentRole, JobPosition, OrgUnit, Person, UnitKind, User
from tests.query_counts import few_and_many

from .assessment_helpers import DECISION_DATE, FULL, give_work
from .view_helpers import bulk_submitted, log

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.evaluations.view_fixtures", "tests.evaluations.assessment_fixtures"]

HTMX = {"HTTP_HX_REQUEST": "true"}

# URL name → the test that shows its queries do not grow with its rows.
LIST_VIEWS = {
    "evaluations:worklog": (
        "tests/evaluations/test_worklog_views.py::"
        "test_work_log_page_queries_do_not_grow_with_entries"
    ),
    "evaluations:product_search": "test_product_search_uses_constant_queries",
    "evaluations:entry_detail": "test_entry_history_uses_constant_queries",
    "evaluations:review_queue": "test_review_queue_and_its_htmx_rows_use_constant_queries",
    "evaluations:team_plan": "test_team_plan_uses_constant_queries",
    "evaluations:my_plan": "test_my_plan_uses_constant_queries",
    "evaluations:period_list": "test_period_list_uses_constant_queries",
    "evaluations:evaluation_detail": "test_evaluation_with_many_task_lines_uses_constant_queries",
    "evaluations:team_evaluations": "test_team_evaluations_use_constant_queries",
    "evaluations:hr_queue": "test_hr_queue_uses_constant_queries",
    "evaluations:decision_list": "test_decision_list_uses_constant_queries",
    "evaluations:decision_detail": "test_decision_queue_uses_constant_queries",
    "evaluations:unit_results": "test_unit_results_use_constant_queries",
    "evaluations:appeal_list": "test_appeal_list_uses_constant_queries",
    "evaluations:appeal_detail": "test_appeal_with_many_files_and_decisions_uses_constant_queries",
    "evaluations:annual": "test_year_page_uses_constant_queries",
    "evaluations:annual_result": "test_a_persons_year_uses_constant_queries",
    "evaluations:annual_unit_results": "test_annual_unit_results_use_constant_queries",
    "evaluations:annual_preview": "test_annual_preview_uses_constant_queries",
    "evaluations:quarter": "test_quarter_page_uses_constant_queries",
}

NOT_LIST_VIEWS = {
    "evaluations:worklog_current": "redirect to the work log of today's period",
    "evaluations:submit_all": "POST action",
    "evaluations:favourite_toggle": "POST action (one star)",
    "evaluations:entry_edit": "form for one entry",
    "evaluations:entry_delete": "POST action",
    "evaluations:entry_submit": "POST action",
    "evaluations:entry_repeat": "POST action",
    "evaluations:entry_evidence": "download of one file",
    "evaluations:bulk_approve": "POST action",
    "evaluations:entry_review": "form for one entry (page or modal)",
    "evaluations:plan_current": "redirect to today's plan",
    "evaluations:plan_copy_previous": "POST action",
    "evaluations:plan_decide": "POST action",
    "evaluations:plan_remove": "POST action",
    "evaluations:period_advance": "POST action",
    "evaluations:period_reopen": "form for one period",
    "evaluations:period_lock": "POST action",
    "evaluations:policy_edit": "form for one bloc's policy",
    "evaluations:evaluation_current": "redirect to the person's current evaluation",
    "evaluations:evaluation_self_assess": "POST action (re-renders the evaluation on errors)",
    "evaluations:evaluation_preview": "POST fragment: one live score",
    "evaluations:evaluation_head_assess": "POST action (re-renders the evaluation on errors)",
    "evaluations:evaluation_return": "POST action (re-renders the evaluation on errors)",
    "evaluations:evaluation_hr_check": "POST action (re-renders the evaluation on errors)",
    "evaluations:appeal_file": "POST action (re-renders the evaluation on errors)",
    "evaluations:decision_publish": "POST action",
    "evaluations:appeal_attachment": "download of one file",
    "evaluations:calculator": "form; its task lines come from the request, not the database",
    "evaluations:annual_compute": "POST action",
    "evaluations:annual_decide": "POST action",
    "evaluations:annual_publish": "POST action",
    "evaluations:quarter_compute": "POST action",
    "evaluations:quarter_decide": "POST action",
    "evaluations:collective": "form for one unit's year",
}


def _grow(client, url: str, add, **headers) -> tuple[int, int, str]:
    """Queries for the page as it is and after `add()`, and the page after."""
    few, many, body = few_and_many(client, url, add, **headers)
    return few, many, body.decode()


def _hire(unit: OrgUnit, count: int, prefix: str, role=AssignmentRole.STAFF) -> list[Person]:
    """`count` people in `unit` with Sở Thử nghiệm's job position, through the real service."""
    root = User.objects.get(username="root")
    position = JobPosition.objects.get(code="T-CV")
    return [
        org_services.person_create(
            by=root,
            username=f"{prefix.lower()}{i:03d}",
            unit=unit,
            start=unit.active_from,
            role=role,
            full_name=f"Lê Văn {prefix} {i:03d}",
            category="cong_chuc",
            hrmis_code=f"{prefix}{i:03d}",
            job_position=position,
        )
        for i in range(count)
    ]


def _evaluations(period: Period, people: list[Person], **fields) -> list[Evaluation]:
    assessment.evaluations_open(period=period)
    rows = Evaluation.objects.filter(period=period, person__in=people)
    if fields:
        rows.update(**fields)
    return list(rows)


# ---- work log, plans, periods ----------------------------------------------------------------


def test_product_search_uses_constant_queries(as_user, products, staff_a, units):
    group = ProductGroup.objects.get(code="B")

    def more(first: int, count: int):
        Product.objects.bulk_create(
            Product(
                owner_unit=units["T-SO"],
                code=f"TK{n:02d}",
                name=f"Tra cứu hồ sơ {n:02d}",
                unit_of_measure="hồ sơ",
                group=group,
                coefficient=Decimal("0.5"),
                active_from=date(2025, 1, 1),
            )
            for n in range(first, first + count)
        )

    more(0, 2)
    url = reverse("evaluations:product_search") + "?q=tra cứu"
    few, many, html = _grow(as_user("staff_a"), url, lambda: more(2, 18))
    assert html.count('<li class="list-group-item') == 20
    assert few == many


def test_entry_history_uses_constant_queries(as_user, staff_a, products, workday, quota):
    entry = log(staff_a, products["BC"], "1", workday)

    def edit_often():
        for n in range(12):
            product = products["VB"] if n % 2 else products["HS"]
            services.entry_update(by=staff_a, entry=entry, product=product, quantity=Decimal(n + 2))
            entry.refresh_from_db()

    few, many, html = _grow(as_user("staff_a"), entry.get_absolute_url(), edit_often)
    assert html.count("Dự thảo văn bản quy phạm pháp luật") >= 6
    assert few == many


@pytest.mark.parametrize("htmx", [False, True])
def test_review_queue_and_its_htmx_rows_use_constant_queries(
    as_user, staff_a, staff_a2, products, period, htmx
):
    """The full page is also covered in test_review_views; here the HTMX rows as well."""
    bulk_submitted([staff_a.person], products["BC"], period, 3)
    headers = HTMX if htmx else {}

    def more():
        bulk_submitted([staff_a.person, staff_a2.person], products["HS"], period, 40)

    url = reverse("evaluations:review_queue")
    few, many, html = _grow(as_user("head_a"), url, more, **headers)
    assert html.count('id="pick-entry-') == 43
    assert few == many


def test_team_plan_uses_constant_queries(as_user, head_a, products, period, quota, units):
    """More people, each with assigned items, and more proposals waiting for the leader."""
    url = reverse("evaluations:team_plan", args=[period.pk])

    def more():
        for person in _hire(units["T-A1"], 20, "KH"):
            for product in (products["BC"], products["VB"]):
                give_work(person.user, period, product, "2", "0")
            PlanItem.objects.create(
                period=period,
                person=person,
                product=products["HS"],
                quantity=Decimal("3"),
                coefficient=products["HS"].coefficient,
                due_date=period.end,
                status=PlanStatus.PROPOSED,
                created_by=person.user,
            )

    few, many, html = _grow(as_user("head_a"), url, more)
    assert html.count("Lê Văn KH") >= 40  # a row each, and their proposals
    assert few == many


def test_my_plan_uses_constant_queries(as_user, staff_a, head_a, products, period, quota):
    url = reverse("evaluations:my_plan", args=[period.pk])

    def more():
        for n in range(20):
            services.plan_item_assign(
                by=head_a,
                person=staff_a.person,
                period=period,
                product=products["VB"] if n % 2 else products["BC"],
                quantity=Decimal(n + 1),
                due_date=period.end,
            )

    few, many, html = _grow(as_user("staff_a"), url, more)
    assert html.count("Dự thảo văn bản quy phạm pháp luật") >= 10
    assert few == many


def test_period_list_uses_constant_queries(as_user, units, period, system_admin):
    """Periods in every state, with evaluations and reopenings, all on the first page."""
    url = reverse("evaluations:period_list")

    def more():
        states = list(PeriodState)
        people = list(Person.objects.filter(hrmis_code__startswith="HR"))
        for month in range(1, 13):
            made = services.period_containing(bloc=units["T-A"].bloc, on=date(2027, month, 5))
            state = states[month % len(states)]
            Period.objects.filter(pk=made.pk).update(state=state)
            Evaluation.objects.bulk_create(
                Evaluation(
                    period=made,
                    person=person,
                    unit=units["T-A"],
                    deciding_unit=units["T-SO"],
                    role="staff",
                    author_role="staff",
                    state=EvaluationState.PUBLISHED,
                    published_at=timezone.now() - timedelta(days=60),
                )
                for person in people[: month % 3]
            )
            PeriodReopening.objects.create(period=made, reopened_by=system_admin, reason="Sửa")
        services.period_containing(bloc=units["T-BTC"].bloc, on=date(2027, 6, 5))

    few, many, html = _grow(as_user("system_admin"), url, more)
    assert "12/2027" in html and "1/2027" in html
    assert few == many


# ---- evaluations, decisions, appeals ---------------------------------------------------------


def test_evaluation_with_many_task_lines_uses_constant_queries(as_user, mine, staff_a, products):
    """The owner's page: live task lines, decision versions and the picker of their periods."""

    def more():
        for n in range(15):
            give_work(staff_a, mine.period, products["BC"], str(n + 2), "1")
        DecisionVersion.objects.bulk_create(
            DecisionVersion(
                evaluation=mine,
                number=n,
                rating=Rating.HTT,
                snapshot={},
                reason=f"Lần {n}",
                decided_by=User.objects.get(username="head_agency"),
            )
            for n in range(1, 11)
        )

    few, many, html = _grow(as_user("staff_a"), mine.get_absolute_url(), more)
    assert html.count("Báo cáo định kỳ") >= 15
    assert few == many


def test_team_evaluations_use_constant_queries(as_user, opened, units):
    url = reverse("evaluations:team_evaluations") + f"?period={opened.pk}"
    few, many, html = _grow(
        as_user("head_a"), url, lambda: _evaluations(opened, _hire(units["T-A1"], 20, "TE"))
    )
    assert html.count("Lê Văn TE") >= 20
    assert few == many


def test_hr_queue_uses_constant_queries(as_user, opened, units):
    url = reverse("evaluations:hr_queue") + f"?period={opened.pk}"

    def more():
        people = _hire(units["T-A1"], 20, "TD")
        _evaluations(opened, people, state=EvaluationState.HEAD_ASSESSED)

    _evaluations(opened, _hire(units["T-A1"], 2, "TC"), state=EvaluationState.HEAD_ASSESSED)
    few, many, html = _grow(as_user("hr_officer"), url, more)
    assert html.count("Lê Văn TD") >= 20
    assert few == many


def test_decision_list_uses_constant_queries(as_user, opened, units):
    """A row per public-service unit the agency head decides for."""
    root = User.objects.get(username="root")
    url = reverse("evaluations:decision_list") + f"?period={opened.pk}"

    def more():
        for n in range(8):
            unit = org_services.unit_create(
                by=root,
                parent=units["T-SO"],
                code=f"T-SN{n}",
                name=f"Trung tâm sự nghiệp {n}",
                kind=UnitKind.PUBLIC_SERVICE,
                bloc=units["T-SO"].bloc,
                active_from=units["T-SO"].active_from,
            )
            _hire(unit, 2, f"SN{n}")
        assessment.evaluations_open(period=opened)

    few, many, html = _grow(as_user("head_agency"), url, more)
    assert html.count("Trung tâm sự nghiệp") >= 8
    assert few == many


def test_decision_queue_uses_constant_queries(as_user, assessed, units, products):
    url = reverse("evaluations:decision_detail", args=[assessed.pk, units["T-SO"].pk])

    def more():
        people = _hire(units["T-A1"], 15, "QD")
        for n in range(4):  # teams with a head each: leaders are scored on their staff
            team = org_services.unit_create(
                by=User.objects.get(username="root"),
                parent=units["T-A"],
                code=f"T-QL{n}",
                name=f"Tổ QL {n}",
                kind=UnitKind.TEAM,
                bloc=units["T-A"].bloc,
                active_from=units["T-A"].active_from,
            )
            people += _hire(team, 1, f"QL{n}", role=AssignmentRole.HEAD)
            people += _hire(team, 2, f"QN{n}")
        for person in people:
            give_work(person.user, assessed, products["VB"], "3", "3")
        _evaluations(assessed, people, state=EvaluationState.HEAD_ASSESSED, self_general=FULL)

    few, many, html = _grow(as_user("head_agency"), url, more)
    assert html.count("Lê Văn QD") >= 15
    assert html.count("Lê Văn QL") >= 4
    assert few == many


def test_unit_results_use_constant_queries(as_user, published, units):
    url = reverse("evaluations:unit_results", args=[published.pk, units["T-A"].pk])

    def more():
        people = _hire(units["T-A"], 20, "KQ")
        _evaluations(published, people, state=EvaluationState.PUBLISHED, rating=Rating.HTT)

    few, many, html = _grow(as_user("head_a"), url, more)
    assert html.count("Lê Văn KQ") == 20
    assert few == many


def _appeal(evaluation: Evaluation, n: int) -> Appeal:
    return Appeal.objects.create(
        evaluation=evaluation, text=f"Đề nghị xem lại {n}", due_on=DECISION_DATE + timedelta(n)
    )


def test_appeal_list_uses_constant_queries(as_user, published, units):
    url = reverse("evaluations:appeal_list")
    first = Evaluation.objects.filter(period=published, state=EvaluationState.PUBLISHED).first()
    _appeal(first, 0)

    def more():
        people = _hire(units["T-A1"], 20, "KN")
        for n, evaluation in enumerate(
            _evaluations(published, people, state=EvaluationState.PUBLISHED, rating=Rating.HT)
        ):
            _appeal(evaluation, n + 1)

    few, many, html = _grow(as_user("head_agency"), url, more)
    assert html.count("Lê Văn KN") >= 20
    assert few == many


def test_appeal_with_many_files_and_decisions_uses_constant_queries(as_user, published, staff_a):
    evaluation = Evaluation.objects.get(period=published, person=staff_a.person)
    appeal = _appeal(evaluation, 0)
    url = reverse("evaluations:appeal_detail", args=[appeal.pk])

    def more():
        appeal.attachments.bulk_create(
            appeal.attachments.model(
                appeal=appeal,
                file=f"khieu-nai/tep-{n}.pdf",
                name=f"minh-chung-{n}.pdf",
                content_type="application/pdf",
            )
            for n in range(10)
        )
        DecisionVersion.objects.bulk_create(
            DecisionVersion(
                evaluation=evaluation,
                number=n,
                rating=Rating.HTT,
                snapshot={},
                reason=f"Lần {n}",
                decided_by=User.objects.get(username="head_agency"),
            )
            for n in range(5, 15)
        )

    few, many, html = _grow(as_user("head_agency"), url, more)
    assert html.count("minh-chung-") == 10
    assert few == many


# ---- the year and the quarter ----------------------------------------------------------------


def _years(people: list[Person], unit: OrgUnit, **fields) -> list[AnnualResult]:
    return AnnualResult.objects.bulk_create(
        AnnualResult(
            person=person,
            year=2026,
            unit=unit,
            total=Decimal("85"),
            computed_rating=Rating.HTT,
            periods_rated=1,
            **fields,
        )
        for person in people
    )


def test_year_page_uses_constant_queries(as_user, published, units):
    url = reverse("evaluations:annual", args=[2026]) + f"?unit={units['T-SO'].pk}"

    def more():
        people = _hire(units["T-A1"], 20, "NA")
        _evaluations(published, people, state=EvaluationState.PUBLISHED, rating=Rating.HTT)
        _years(people[::2], units["T-A1"], decided_at=timezone.now(), rating=Rating.HTT)

    few, many, html = _grow(as_user("head_agency"), url, more)
    assert html.count("Lê Văn NA") >= 20
    assert few == many


def test_a_persons_year_uses_constant_queries(as_user, published, staff_a, units):
    """Each decided month of the year is a row of the person's annual result."""
    (result,) = _years([staff_a.person], units["T-A"], published_at=timezone.now())
    url = reverse("evaluations:annual_result", args=[result.pk])
    march = Evaluation.objects.get(period=published, person=staff_a.person)

    def more():
        for month in (1, 2, 4, 5, 6, 7, 8, 9):
            made = services.period_containing(bloc=units["T-A"].bloc, on=date(2026, month, 5))
            Evaluation.objects.create(
                period=made,
                person=staff_a.person,
                unit=units["T-A"],
                deciding_unit=units["T-SO"],
                criteria_version=march.criteria_version,
                role="staff",
                author_role="staff",
                state=EvaluationState.PUBLISHED,
                total=Decimal("80") + month,
                rating=Rating.HTT,
            )

    few, many, html = _grow(as_user("head_agency"), url, more)
    assert all(f"{month:02d}/2026" in html for month in (1, 2, 4, 9))
    assert few == many


def test_annual_unit_results_use_constant_queries(as_user, published, units):
    url = reverse("evaluations:annual_unit_results", args=[2026, units["T-A"].pk])
    _years(
        [Person.objects.get(user__username="staff_a")], units["T-A"], published_at=timezone.now()
    )

    def more():
        _years(_hire(units["T-A"], 20, "NK"), units["T-A"], published_at=timezone.now())

    few, many, html = _grow(as_user("head_a"), url, more)
    assert html.count("Lê Văn NK") == 20
    assert few == many


def test_annual_preview_uses_constant_queries(as_user, published, units):
    url = reverse("evaluations:annual_preview", args=[2026])

    def more():
        people = _hire(units["T-A1"], 20, "XT")
        _evaluations(published, people, state=EvaluationState.PUBLISHED, rating=Rating.HT, total=70)

    few, many, html = _grow(as_user("head_a"), url, more)
    assert html.count("Lê Văn XT") == 20
    assert few == many


@pytest.mark.parametrize("persona", ["head_agency", "head_a"])
def test_quarter_page_uses_constant_queries(as_user, published, units, persona):
    """The decider's leaders, or for a head who decides nothing the leaders in their scope."""
    url = reverse("evaluations:quarter", args=[2026, 1]) + f"?unit={units['T-SO'].pk}"

    def more():
        root = User.objects.get(username="root")
        for n in range(12):
            team = org_services.unit_create(
                by=root,
                parent=units["T-A"],
                code=f"T-QT{n}",
                name=f"Tổ quý {n}",
                kind=UnitKind.TEAM,
                bloc=units["T-A"].bloc,
                active_from=units["T-A"].active_from,
            )
            _hire(team, 1, f"QL{n}", role=AssignmentRole.HEAD)
        leaders = list(Person.objects.filter(hrmis_code__startswith="QL"))
        _evaluations(published, leaders, state=EvaluationState.PUBLISHED, rating=Rating.HTT)
        QuarterResult.objects.bulk_create(
            QuarterResult(
                person=person,
                year=2026,
                quarter=1,
                unit=person.primary_assignment_on(published.end).unit,
                deciding_unit=units["T-SO"],
                total=Decimal("88"),
                computed_rating=Rating.HTT,
                months_rated=1,
                decided_at=timezone.now(),
            )
            for person in leaders
        )

    few, many, html = _grow(as_user(persona), url, more)
    assert html.count("Lê Văn QL") >= 12
    assert few == many
