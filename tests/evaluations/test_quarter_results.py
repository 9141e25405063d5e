"""Kết luận 198-KL/TW: a leader's quarter is the mean of its months, decided by the decider."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from evaluations import assessment, services
from evaluations.models import Evaluation, EvaluationState, QuarterResult, Rating
from kpi_portal.models import AuditEvent, Notification

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.evaluations.view_fixtures"]


@pytest.fixture
def first_quarter(units):
    """January to March 2026 opened for everyone; nothing decided yet."""
    months = [
        services.period_containing(bloc=units["T-A"].bloc, on=date(2026, month, 10))
        for month in (1, 2, 3)
    ]
    for month in months:
        assessment.evaluations_open(period=month)
    return months


def decide_months(user, months, totals, **flags):
    """Each month of `user` decided with the given total (None: not rated), written directly."""
    for month, total in zip(months, totals, strict=True):
        rating = Rating.NOT_RATED if total is None else Rating.HT
        Evaluation.objects.filter(person__user=user, period=month).update(
            state=EvaluationState.DECIDED,
            total=None if total is None else Decimal(total),
            computed_rating=rating,
            rating=rating,
            **flags,
        )


def test_the_quarter_is_the_mean_of_the_months_rounded_and_banded_as_the_year(
    first_quarter, head_a
):
    decide_months(head_a, first_quarter, ["91.50", "88.25", "90.00"])
    result = assessment.quarter_compute(person=head_a.person, year=2026, quarter=1)
    # (91.50 + 88.25 + 90.00) / 3 = 89.9166…: 89.92, just short of Hoàn thành xuất sắc.
    assert result.total == Decimal("89.92")
    assert result.computed_rating == Rating.HTT
    assert result.months_rated == 3
    assert result.rating == ""


def test_a_month_not_rated_is_left_out_of_the_mean_and_rounding_is_half_up(first_quarter, deputy_a):
    decide_months(deputy_a, first_quarter, ["95.00", None, "86.01"])
    result = assessment.quarter_compute(person=deputy_a.person, year=2026, quarter=1)
    assert result.total == Decimal("90.51")  # 181.01 / 2 = 90.505
    assert (result.computed_rating, result.months_rated) == (Rating.HTXS, 2)


def test_discipline_in_any_month_makes_the_quarter_not_completed(first_quarter, head_a):
    decide_months(head_a, first_quarter[:2], ["95", "95"])
    decide_months(head_a, first_quarter[2:], ["95"], disciplined=True)
    result = assessment.quarter_compute(person=head_a.person, year=2026, quarter=1)
    assert result.total == Decimal("95.00")
    assert (result.computed_rating, result.capped_by) == (Rating.KHT, "disciplined")


def test_the_quarter_waits_until_every_month_is_decided(first_quarter, head_a):
    decide_months(head_a, first_quarter[:2], ["90", "90"])
    with pytest.raises(ValidationError, match="Tháng 03/2026 chưa được quyết định"):
        assessment.quarter_compute(person=head_a.person, year=2026, quarter=1)
    assert not QuarterResult.objects.exists()


def test_staff_have_no_quarterly_evaluation(first_quarter, staff_a):
    decide_months(staff_a, first_quarter, ["90", "90", "90"])
    with pytest.raises(ValidationError, match="không phải cấp trưởng, cấp phó"):
        assessment.quarter_compute(person=staff_a.person, year=2026, quarter=1)


def test_only_the_decider_decides_and_the_leader_is_told(first_quarter, head_a, head_agency, units):
    decide_months(head_a, first_quarter, ["80", "80", "80"])
    assessment.quarter_compute(person=head_a.person, year=2026, quarter=1)
    with pytest.raises(PermissionDenied):
        assessment.quarter_decide(by=head_a, deciding_unit=units["T-SO"], year=2026, quarter=1)
    count = assessment.quarter_decide(
        by=head_agency, deciding_unit=units["T-SO"], year=2026, quarter=1
    )
    assert count == 1
    result = QuarterResult.objects.get(person=head_a.person)
    assert (result.rating, result.decided_by) == (Rating.HTT, head_agency)
    assert AuditEvent.objects.filter(action="quarter.decide", actor=head_agency).count() == 1
    assert Notification.objects.filter(recipient=head_a, kind="quarter.decided").exists()
    with pytest.raises(ValidationError, match="đã được quyết định"):
        assessment.quarter_compute(person=head_a.person, year=2026, quarter=1)


# ---- the screen --------------------------------------------------------------------------------


def _url(name, *args) -> str:
    return reverse(f"evaluations:{name}", args=args)


@pytest.fixture
def leaders_decided(first_quarter, head_a, deputy_a):
    decide_months(head_a, first_quarter, ["91.50", "88.25", "90.00"])
    decide_months(deputy_a, first_quarter, ["95.00", None, "86.01"])
    return first_quarter


@pytest.mark.parametrize(
    ("persona", "expected"),
    [(None, 302), ("head_agency", 302), ("head_a", 404), ("hr_officer", 403), ("staff_a", 404)],
)
def test_only_the_decider_computes_and_decides_the_quarter(
    status_for, leaders_decided, units, persona, expected
):
    unit = units["T-SO"].pk
    assert status_for(persona, _url("quarter_compute", 2026, 1, unit), "post") == expected
    assert status_for(persona, _url("quarter_decide", 2026, 1, unit), "post") == expected
    assert QuarterResult.objects.exists() == (persona == "head_agency")


QUARTER_PAGE = {None: 302, "staff_a": 200, "head_a": 200, "head_agency": 200, "outsider_b": 200}


@pytest.mark.parametrize(("persona", "expected"), QUARTER_PAGE.items())
def test_the_quarter_page_is_for_everyone_logged_in(status_for, units, persona, expected):
    assert status_for(persona, _url("quarter", 2026, 1)) == expected


def test_an_impossible_quarter_is_not_found(as_user):
    assert as_user("head_a").get(_url("quarter", 2026, 5)).status_code == 404


def test_the_decider_computes_then_decides_and_the_leader_sees_the_quarter(
    as_user, leaders_decided, units, head_a
):
    client = as_user("head_agency")
    page = client.get(_url("quarter", 2026, 1))
    assert page.context["unit"] == units["T-SO"]
    assert {p.user.username for p, _ in page.context["rows"]} >= {"head_a", "deputy_a"}
    response = client.post(_url("quarter_compute", 2026, 1, units["T-SO"].pk), follow=True)
    html = response.content.decode()
    assert "Đã tính kết quả quý 1/2026 cho" in html
    assert "89.92" in html or "89,92" in html
    assert as_user("head_a").get(_url("quarter", 2026, 1)).context["own"] is None
    decided = client.post(_url("quarter_decide", 2026, 1, units["T-SO"].pk), follow=True)
    assert "Đã quyết định xếp loại quý 1/2026" in decided.content.decode()
    own = as_user("head_a").get(_url("quarter", 2026, 1)).context["own"]
    assert (own.total, own.rating) == (Decimal("89.92"), Rating.HTT)


def test_the_chain_sees_the_leaders_below_and_others_do_not(
    as_user, leaders_decided, head_a, deputy_a
):
    for leader in (head_a, deputy_a):
        assessment.quarter_compute(person=leader.person, year=2026, quarter=1)

    def seen_by(persona: str) -> set[str]:
        page = as_user(persona).get(_url("quarter", 2026, 1))
        return {r.person.user.username for r in page.context["in_scope"]}

    assert seen_by("head_a") == {"deputy_a"}
    assert seen_by("org_dept_viewer") == {"head_a", "deputy_a"}
    assert seen_by("staff_a") == set()
    assert seen_by("outsider_b") == set()
    assert seen_by("head_b") == set()
