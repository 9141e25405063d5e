"""The task lines of many people read at once are the lines of each read alone."""

from datetime import date
from decimal import Decimal

import pytest

from catalog.models import Quota
from catalog.services import quota_for
from evaluations import tasklines
from orgunits.models import Assignment, Person

from .assessment_helpers import give_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(period, products, quota, units, position_group, staff_a, staff_a2, staff_a1a, deputy_a):
    """One of each case in March 2026, their plan items and work written interleaved by key."""
    # Phòng A sets its own quota, nearer than the Sở's; an older one has lapsed before March.
    Quota.objects.create(
        unit=units["T-A"],
        group=position_group,
        per_month=Decimal("30"),
        valid_from=date(2025, 1, 1),
    )
    Quota.objects.create(
        unit=units["T-A1a"],
        group=position_group,
        per_month=Decimal("99"),
        valid_from=date(2025, 1, 1),
        valid_to=date(2026, 2, 28),
    )
    give_work(staff_a, period, products["VB"], "2", "2", major_errors=1)
    give_work(staff_a2, period, products["HS"], "0", "4", planned=False)
    give_work(staff_a, period, products["BC"], "0", "3", planned=False)
    give_work(staff_a, period, products["HS"], "5", "0")
    # staff_a1a joined on 17 March: 15 of 31 days at Phòng A's quota.
    Assignment.objects.filter(person=staff_a1a.person).update(start=date(2026, 3, 17))
    # deputy_a left before March: no assignment in the period, so no quota.
    Assignment.objects.filter(person=deputy_a.person).update(
        start=date(2024, 1, 1), end=date(2026, 2, 27)
    )
    head_b = Person.objects.get(user__username="head_b")
    Person.objects.filter(pk=head_b.pk).update(job_position=None)
    party = Person.objects.get(user__username="party_viewer")  # no quota in the Party bloc
    return [
        Person.objects.get(pk=user.person.pk) for user in (staff_a, staff_a2, staff_a1a, deputy_a)
    ] + [Person.objects.get(pk=head_b.pk), party]


def _shape(lines: tasklines.Lines) -> list[tuple[str, str, str]]:
    return [
        (label, str(line.assigned), str(line.done))
        for label, line in zip(lines.labels, lines.lines, strict=True)
    ]


def test_lines_for_many_people_are_each_persons_own_lines(people, period):
    together = tasklines.build_lines_for(people, period)
    assert set(together) == {p.pk for p in people}
    for person in people:
        assert together[person.pk] == tasklines.build_lines(person, period), person
    staff_a, staff_a2, staff_a1a, deputy_a, head_b, party = (together[p.pk] for p in people)
    assert _shape(staff_a) == [
        ("Dự thảo văn bản quy phạm pháp luật", "2.00", "2.00"),
        ("Giải quyết hồ sơ thủ tục hành chính", "5.00", "0"),
        ("Báo cáo định kỳ (ngoài kế hoạch)", "0", "3.00"),
    ]
    assert staff_a.lines[0].major_errors == 1
    assert _shape(staff_a2) == [
        ("Định mức sản phẩm chuẩn của kỳ", "30.00", "0"),
        ("Giải quyết hồ sơ thủ tục hành chính (ngoài kế hoạch)", "0", "4.00"),
    ]
    assert _shape(staff_a1a) == [("Định mức sản phẩm chuẩn của kỳ", "14.52", "0")]  # 30 × 15/31
    for nobody in (deputy_a, head_b, party):
        assert nobody.lines == ()
        assert "định mức" in nobody.not_rated_reason


def test_the_batched_quota_follows_the_catalog_rule_for_each_person(people, period):
    """Nearest owner wins, lapsed quotas do not count, prorated to days worked."""
    staff_a, staff_a2, staff_a1a = people[:3]
    assert tasklines.baseline_quotas(people, period) == {
        staff_a.pk: Decimal("30.00"),
        staff_a2.pk: Decimal("30.00"),
        staff_a1a.pk: Decimal("14.52"),
    }
    for person in (staff_a, staff_a2, staff_a1a):
        last = person.primary_assignment_on(period.end)
        on = max(last.start, period.start)
        assert quota_for(unit=last.unit, group=person.job_position.group, on=on) == 30


def test_lines_for_many_people_take_a_fixed_number_of_queries(
    people, period, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        tasklines.build_lines_for(people, period)
