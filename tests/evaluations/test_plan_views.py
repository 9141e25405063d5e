"""Plans: a leader assigns nhiệm vụ được giao (one by one, in bulk, copied), staff propose."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations import services
from evaluations.models import Period, PeriodState, PlanItem, PlanStatus
from kpi_portal.models import AuditEvent
from orgunits.models import Person

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.evaluations.view_fixtures"]

TEAM_PLAN = {
    None: 302,
    "staff_a": 403,
    "outsider_b": 403,
    "head_a": 200,
    "deputy_a": 200,
    "delegate": 200,
    "expired_delegate": 403,
    "head_b": 200,
    "org_dept_viewer": 403,
    "hr_officer": 403,
}

MY_PLAN = {None: 302, "staff_a": 200, "head_a": 200, "outsider_b": 200, "root": 403}

# Deciding on, or removing, an item of staff_a's plan.
PLAN_ITEM_ACTION = {
    None: 302,
    "staff_a": 403,  # sees their own plan, does not decide on it
    "staff_a2": 404,
    "head_b": 404,
    "outsider_b": 404,
    "expired_delegate": 404,
    "org_dept_viewer": 403,
}


def _team(period) -> str:
    return reverse("evaluations:team_plan", args=[period.pk])


def _lines(product, quantity="4", due="", count=3) -> dict:
    data = {
        "line-TOTAL_FORMS": str(count),
        "line-INITIAL_FORMS": "0",
        "line-MIN_NUM_FORMS": "1",
        "line-MAX_NUM_FORMS": "1000",
        "line-0-product": product.pk,
        "line-0-quantity": quantity,
        "line-0-due_date": due,
    }
    return data


def _people(page) -> set[str]:
    return {row.assignment.person.user.username for row in page.context["page"]}


# ---- who may open what --------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "expected"), TEAM_PLAN.items())
def test_team_plan_is_for_leaders_and_live_delegates(status_for, period, persona, expected):
    assert status_for(persona, _team(period)) == expected


@pytest.mark.parametrize(("persona", "expected"), MY_PLAN.items())
def test_own_plan_is_for_anyone_working_somewhere(status_for, period, persona, expected):
    assert status_for(persona, reverse("evaluations:my_plan", args=[period.pk])) == expected


@pytest.mark.parametrize(("persona", "expected"), PLAN_ITEM_ACTION.items())
def test_only_the_persons_leaders_decide_on_a_proposal(status_for, proposal, persona, expected):
    url = reverse("evaluations:plan_decide", args=[proposal.pk])
    assert status_for(persona, url, "post", {"decision": "accept"}) == expected
    assert PlanItem.objects.get(pk=proposal.pk).status == PlanStatus.PROPOSED


@pytest.mark.parametrize(("persona", "expected"), PLAN_ITEM_ACTION.items())
def test_only_the_persons_leaders_remove_an_item(status_for, plan_item, persona, expected):
    url = reverse("evaluations:plan_remove", args=[plan_item.pk])
    assert status_for(persona, url, "post") == expected
    assert PlanItem.objects.filter(pk=plan_item.pk).exists()


def test_team_plan_lists_exactly_the_people_the_leader_approves_for(as_user, period):
    head = _people(as_user("head_a").get(_team(period)))
    assert head == {"staff_a", "staff_a2", "deputy_a", "staff_a1a"}
    deputy = _people(as_user("deputy_a").get(_team(period)))
    assert deputy == {"staff_a", "staff_a2", "staff_a1a"}  # never over the head
    assert _people(as_user("head_b").get(_team(period))) == {"outsider_b"}


def test_delegate_plans_for_the_heads_people_but_not_the_head(as_user, delegate, period):
    assert _people(as_user("delegate").get(_team(period))) == {
        "staff_a",
        "deputy_a",
        "staff_a1a",
    }


def test_team_plan_shows_items_totals_and_quota(as_user, plan_item, period, quota):
    page = as_user("head_a").get(_team(period))
    row = next(r for r in page.context["page"] if r.assignment.person_id == plan_item.person_id)
    assert row.items == [plan_item]
    assert (row.total, row.quota, row.share) == (Decimal("10"), Decimal("44"), 22)
    assert "10,00" in page.content.decode()


def test_team_plan_queries_do_not_grow_with_people(as_user, period, products, quota, head_a):
    client = as_user("head_a")
    client.get(_team(period))  # warm up: one-time lookups (content types, 2FA) on first request
    with CaptureQueriesContext(connection) as few:
        client.get(_team(period))
    for person in Person.objects.filter(user__username__in=["staff_a", "staff_a2", "deputy_a"]):
        services.plan_item_assign(
            by=head_a,
            person=person,
            period=period,
            product=products["BC"],
            quantity=Decimal("2"),
            due_date=period.end,
        )
    with CaptureQueriesContext(connection) as many:
        client.get(_team(period))
    assert len(many) == len(few)


# ---- assigning ----------------------------------------------------------------------------


def test_bulk_assign_gives_the_same_lines_to_each_ticked_person(
    as_user, staff_a, staff_a2, products, period
):
    data = {
        **_lines(products["BC"], "3", period.end.strftime("%d/%m/%Y")),
        "line-1-product": products["HS"].pk,
        "line-1-quantity": "20",
        "line-1-due_date": period.end.strftime("%d/%m/%Y"),
        "people": [staff_a.person.pk, staff_a2.person.pk],
    }
    response = as_user("head_a").post(_team(period), data)
    assert response.status_code == 302
    items = PlanItem.objects.filter(period=period, status=PlanStatus.ASSIGNED)
    assert sorted((i.person.user.username, i.product.code) for i in items) == [
        ("staff_a", "BC"),
        ("staff_a", "HS"),
        ("staff_a2", "BC"),
        ("staff_a2", "HS"),
    ]
    assert AuditEvent.objects.filter(action="plan.assign").count() == 4


def test_bulk_assign_to_a_units_people_of_one_job_position_group(
    as_user, units, products, period, position_group
):
    due = period.end.strftime("%d/%m/%Y")
    data = {**_lines(products["BC"], "1", due), "unit": units["T-A1"].pk}
    data["group"] = position_group.pk
    as_user("head_a").post(_team(period), data)
    people = set(PlanItem.objects.values_list("person__user__username", flat=True))
    assert people == {"staff_a1a"}


def test_bulk_assign_without_anyone_says_whom_to_choose(as_user, products, period):
    data = _lines(products["BC"], "1", period.end.strftime("%d/%m/%Y"))
    response = as_user("head_a").post(_team(period), data)
    assert response.status_code == 200
    assert "Hãy đánh dấu cán bộ trong danh sách" in response.content.decode()
    assert not PlanItem.objects.exists()


def test_bulk_assign_outside_the_period_is_refused_and_writes_nothing(
    as_user, staff_a, staff_a2, products, period
):
    late = (period.end + timedelta(days=90)).strftime("%d/%m/%Y")
    data = {**_lines(products["BC"], "1", late), "people": [staff_a.person.pk, staff_a2.person.pk]}
    response = as_user("head_a").post(_team(period), data)
    assert "Hạn hoàn thành phải nằm trong kỳ" in response.content.decode()
    assert not PlanItem.objects.exists()


def test_bulk_assign_cannot_reach_people_outside_the_scope(as_user, outsider_b, products, period):
    due = period.end.strftime("%d/%m/%Y")
    data = {**_lines(products["BC"], "1", due), "people": [outsider_b.person.pk]}
    response = as_user("head_a").post(_team(period), data)
    assert response.status_code == 200
    assert not PlanItem.objects.exists()


def test_copy_previous_period_plan(as_user, head_a, staff_a, products, period, units):
    previous = services.period_containing(bloc=units["T-A"].bloc, on=period.start - timedelta(1))
    Period.objects.filter(pk=previous.pk).update(state=PeriodState.OPEN)
    services.plan_item_assign(
        by=head_a,
        person=staff_a.person,
        period=previous,
        product=products["VB"],
        quantity=Decimal("2"),
        due_date=previous.end,
    )
    url = reverse("evaluations:plan_copy_previous", args=[period.pk])
    response = as_user("head_a").post(url, {"people": [staff_a.person.pk]}, follow=True)
    assert "Đã sao chép 1 nhiệm vụ" in response.content.decode()
    copied = PlanItem.objects.get(period=period)
    assert (copied.product, copied.quantity) == (products["VB"], Decimal("2"))


def test_copy_previous_with_nothing_to_copy_explains(as_user, staff_a, period, units):
    services.period_containing(bloc=units["T-A"].bloc, on=period.start - timedelta(1))
    url = reverse("evaluations:plan_copy_previous", args=[period.pk])
    response = as_user("head_a").post(url, {"people": [staff_a.person.pk]}, follow=True)
    assert "Kỳ trước không có nhiệm vụ nào được giao" in response.content.decode()


def test_copy_previous_for_someone_outside_the_scope_is_not_found(as_user, outsider_b, period):
    url = reverse("evaluations:plan_copy_previous", args=[period.pk])
    assert as_user("head_a").post(url, {"people": [outsider_b.person.pk]}).status_code == 404


# ---- proposals and removal ----------------------------------------------------------------


def test_pending_proposals_are_listed_for_the_leader(as_user, proposal, period):
    page = as_user("head_a").get(_team(period))
    assert list(page.context["proposals"]) == [proposal]
    assert as_user("head_b").get(_team(period)).context["proposals"].count() == 0


def test_accepting_a_proposal_assigns_it(as_user, proposal):
    url = reverse("evaluations:plan_decide", args=[proposal.pk])
    response = as_user("head_a").post(url, {"decision": "accept"})
    assert response.status_code == 302
    assert PlanItem.objects.get(pk=proposal.pk).status == PlanStatus.ASSIGNED


def test_declining_needs_a_reason(as_user, proposal):
    url = reverse("evaluations:plan_decide", args=[proposal.pk])
    client = as_user("head_a")
    refused = client.post(url, {"decision": "decline"}, follow=True)
    assert "Phải ghi lý do không chấp nhận đề xuất." in refused.content.decode()
    assert PlanItem.objects.get(pk=proposal.pk).status == PlanStatus.PROPOSED
    client.post(url, {"decision": "decline", "reason": "Không thuộc nhiệm vụ của phòng"})
    item = PlanItem.objects.get(pk=proposal.pk)
    assert (item.status, item.decline_reason) == (
        PlanStatus.DECLINED,
        "Không thuộc nhiệm vụ của phòng",
    )


def test_deciding_twice_says_it_was_already_handled(as_user, proposal):
    url = reverse("evaluations:plan_decide", args=[proposal.pk])
    as_user("head_a").post(url, {"decision": "accept"})
    response = as_user("deputy_a").post(url, {"decision": "accept"}, follow=True)
    assert "Đề xuất này đã được xử lý." in response.content.decode()


def test_removing_an_item(as_user, plan_item):
    as_user("head_a").post(reverse("evaluations:plan_remove", args=[plan_item.pk]))
    assert not PlanItem.objects.filter(pk=plan_item.pk).exists()
    assert AuditEvent.objects.filter(action="plan.remove").exists()


# ---- my plan ------------------------------------------------------------------------------


def test_staff_proposes_an_item_for_their_own_plan(as_user, staff_a, products, period):
    url = reverse("evaluations:my_plan", args=[period.pk])
    data = {
        "product": products["VB"].pk,
        "quantity": "2",
        "due_date": period.end.strftime("%d/%m/%Y"),
        "note": "Dự thảo quy chế",
    }
    response = as_user("staff_a").post(url, data)
    assert response.status_code == 302
    item = PlanItem.objects.get(person=staff_a.person)
    assert (item.status, item.note) == (PlanStatus.PROPOSED, "Dự thảo quy chế")


def test_my_plan_shows_assigned_proposed_and_declined_items(
    as_user, plan_item, proposal, head_a, period
):
    services.plan_item_decide(by=head_a, item=proposal, accept=False, reason="Trùng việc")
    html = as_user("staff_a").get(reverse("evaluations:my_plan", args=[period.pk])).content
    html = html.decode()
    assert "Được giao" in html and "Không chấp nhận" in html and "Trùng việc" in html


def test_my_plan_shows_nothing_of_anyone_else(as_user, plan_item, period):
    page = as_user("staff_a2").get(reverse("evaluations:my_plan", args=[period.pk]))
    assert page.context["items"] == []


def test_proposal_in_a_closed_period_is_refused(as_user, staff_a, products, period):
    Period.objects.filter(pk=period.pk).update(state=PeriodState.IN_REVIEW)
    url = reverse("evaluations:my_plan", args=[period.pk])
    data = {
        "product": products["VB"].pk,
        "quantity": "1",
        "due_date": period.end.strftime("%d/%m/%Y"),
    }
    as_user("staff_a").post(url, data)
    assert not PlanItem.objects.exists()
    assert as_user("staff_a").get(url).context["can_propose"] is False
