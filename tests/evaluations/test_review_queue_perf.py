"""The review queue at scale: a fixed number of queries, the right page, a capped count."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations import services
from evaluations.models import EntryStatus, WorkEntry
from orgunits import permissions as org_permissions
from orgunits.models import Assignment

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.evaluations.view_fixtures"]

QUEUE = reverse("evaluations:review_queue")


def submitted_in_turn(people, product, period, count: int, *, shuffle: int = 1) -> list[WorkEntry]:
    """`count` submitted entries a minute apart, created out of their submission order."""
    start = timezone.now() - timedelta(days=3)
    placements = {p.pk: services.placement_of(p, timezone.localdate()) for p in people}
    rows = []
    for index in range(count):
        person = people[index % len(people)]
        placement = placements[person.pk]
        # A stride coprime with `count` visits every minute once, in a scrambled order.
        minute = (index * shuffle) % count
        rows.append(
            WorkEntry(
                period=period,
                person=person,
                unit=placement.unit,
                author_role=placement.role,
                product=product,
                quantity=Decimal("1"),
                coefficient=product.coefficient,
                completed_on=period.start,
                status=EntryStatus.SUBMITTED,
                submitted_at=start + timedelta(minutes=minute),
                version=1,
            )
        )
    return WorkEntry.objects.bulk_create(rows)


def _oldest_first(entries) -> list[int]:
    return [e.pk for e in sorted(entries, key=lambda e: (e.submitted_at, e.pk))]


def _queries(client, url: str, **params) -> CaptureQueriesContext:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return captured


def test_queue_page_costs_the_same_queries_for_sixty_entries_as_for_twelve_hundred(
    as_user, staff_a, staff_a2, products, period
):
    client = as_user("head_a")
    people = [staff_a.person, staff_a2.person]
    submitted_in_turn(people, products["BC"], period, 60)
    client.get(QUEUE)  # one-time lookups (content types) on the first request
    few = _queries(client, QUEUE)
    submitted_in_turn(people, products["HS"], period, 1140)
    many = _queries(client, QUEUE)
    assert len(many) == len(few)
    assert len(many) <= 20  # was 36 before the two-step page and the per-request rights


def test_queue_page_joins_only_the_fifty_rows_it_shows(as_user, staff_a, products, period):
    submitted_in_turn([staff_a.person], products["BC"], period, 120)
    sql = [q["sql"] for q in _queries(as_user("head_a"), QUEUE)]
    (picking,) = [s for s in sql if s.endswith("LIMIT 50")]
    assert '"catalog_product"' not in picking
    (joined,) = [s for s in sql if 'JOIN "catalog_product"' in s]
    assert '"evaluations_workentry"."id" IN (' in joined


def test_queue_shows_the_oldest_submissions_fifty_a_page_in_order(
    as_user, staff_a, staff_a2, products, period
):
    entries = submitted_in_turn(
        [staff_a.person, staff_a2.person], products["BC"], period, 120, shuffle=7
    )
    expected = _oldest_first(entries)
    client = as_user("head_a")
    pages = [[e.pk for e in client.get(QUEUE, {"page": n}).context["page"]] for n in (1, 2, 3)]
    assert pages == [expected[:50], expected[50:100], expected[100:]]
    html = client.get(QUEUE, {"page": 3}).content.decode()
    assert "120 sản phẩm chờ phê duyệt." in html
    assert "Hiển thị 101–120 trên tổng số 120" in html


def test_queue_keeps_same_minute_submissions_in_id_order(as_user, staff_a, products, period):
    entries = submitted_in_turn([staff_a.person], products["BC"], period, 3)
    WorkEntry.objects.filter(pk__in=[e.pk for e in entries]).update(
        submitted_at=entries[0].submitted_at
    )
    page = as_user("head_a").get(QUEUE).context["page"]
    assert [e.pk for e in page] == sorted(e.pk for e in entries)


def test_queue_of_more_than_a_thousand_says_more_than_a_thousand_without_counting_them_all(
    as_user, staff_a, staff_a2, products, period
):
    entries = submitted_in_turn([staff_a.person, staff_a2.person], products["BC"], period, 1060)
    client = as_user("head_a")
    first = client.get(QUEUE)
    html = first.content.decode()
    assert "Hơn 1.000 sản phẩm chờ phê duyệt" in html
    assert "Hiển thị 1–50 trên hơn 1.000" in html
    assert "1.060" not in html
    assert first.context["page"].paginator.num_pages == 21  # the 1,001st entry is one page on
    counted = [q["sql"] for q in _queries(client, QUEUE) if "COUNT(" in q["sql"].upper()]
    (capped,) = [sql for sql in counted if "LIMIT 1001" in sql]
    assert "ORDER BY" not in capped  # counting needs no sort of the whole queue
    # Past the first thousand the count reaches the next thousand, so the end is exact again.
    last = client.get(QUEUE, {"page": 22})
    assert [e.pk for e in last.context["page"]] == _oldest_first(entries)[1050:]
    assert "1.060 sản phẩm chờ phê duyệt." in last.content.decode()


def test_queue_filters_still_narrow_the_two_step_page(as_user, staff_a, staff_a2, products, period):
    entries = submitted_in_turn([staff_a.person, staff_a2.person], products["BC"], period, 80)
    WorkEntry.objects.filter(pk=entries[5].pk).update(flags=["day_over_pace"])
    client = as_user("head_a")
    by_name = client.get(QUEUE, {"q": "staff_a2"})
    shown = list(by_name.context["page"])
    assert {e.person_id for e in shown} == {staff_a2.person.pk}
    assert "40 sản phẩm chờ phê duyệt." in by_name.content.decode()
    assert [e.pk for e in client.get(QUEUE, {"flagged": "on"}).context["page"]] == [entries[5].pk]


def test_queue_answers_a_bad_page_number_with_the_first_or_last_page(
    as_user, staff_a, products, period
):
    entries = submitted_in_turn([staff_a.person], products["BC"], period, 60)
    client = as_user("head_a")
    assert client.get(QUEUE, {"page": "abc"}).context["page"].number == 1
    last = client.get(QUEUE, {"page": "99"}).context["page"]
    assert last.number == 2
    assert [e.pk for e in last] == _oldest_first(entries)[50:]


def test_empty_queue_says_so(as_user):
    html = as_user("head_a").get(QUEUE).content.decode()
    assert "Không có sản phẩm nào chờ phê duyệt." in html
    assert "sản phẩm chờ phê duyệt." not in html.replace("Không có sản phẩm nào chờ phê duyệt.", "")


# ---- the user's rights, asked once per page ---------------------------------------------------


def test_queue_page_asks_for_the_reviewers_grants_and_scopes_once(
    as_user, staff_a, products, period
):
    submitted_in_turn([staff_a.person], products["BC"], period, 5)
    client = as_user("head_a")
    client.get(QUEUE)  # the first page of a session also checks the session policy once
    captured = _queries(client, QUEUE)
    heads = [q["sql"].split(" WHERE ")[0] for q in captured]  # what each query reads from
    assert sum('FROM "orgunits_rolegrant"' in s for s in heads) == 1
    # The leader's assignments (approval scopes): one read for the nav, the view and the filter.
    assert sum('"orgunits_assignment"."role" AS "role" FROM' in s for s in heads) == 1


def test_a_lost_leadership_shows_on_the_next_request(as_user, head_a, staff_a, products, period):
    submitted_in_turn([staff_a.person], products["BC"], period, 3)
    client = as_user("head_a")
    assert client.get(QUEUE).status_code == 200
    Assignment.objects.filter(person=head_a.person, role="head").update(
        end=timezone.localdate() - timedelta(days=1)
    )
    assert client.get(QUEUE).status_code == 403


def test_rights_are_asked_afresh_outside_a_request(head_a):
    assert org_permissions.is_leader(head_a)
    Assignment.objects.filter(person=head_a.person, role="head").update(
        end=timezone.localdate() - timedelta(days=1)
    )
    assert not org_permissions.is_leader(head_a)
