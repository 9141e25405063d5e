"""The review queue, one entry's review, bulk approval, conflicts and delegates."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations import services
from evaluations.models import EntryStatus, Period, PeriodState, WorkEntry
from kpi_portal.models import AuditEvent, Notification

from .view_helpers import bulk_submitted, log

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.evaluations.view_fixtures"]

QUEUE = {
    None: 302,
    "staff_a": 403,  # reviews nobody
    "outsider_b": 403,
    "head_a": 200,
    "deputy_a": 200,
    "delegate": 200,
    "expired_delegate": 403,
    "head_b": 200,  # their own people only
    "head_agency": 200,
    "org_dept_viewer": 403,  # watches, never approves
    "hr_officer": 403,
    "system_admin": 403,
}

REVIEW_PAGE = {
    None: 302,
    "staff_a": 403,  # nobody approves their own work
    "staff_a2": 404,
    "head_a": 200,
    "deputy_a": 200,
    "delegate": 200,
    "expired_delegate": 404,
    "head_agency": 200,
    "head_b": 404,
    "outsider_b": 404,
    "org_dept_viewer": 403,
    "hr_officer": 403,
    "party_viewer": 404,
}


def _review(entry, **overrides) -> dict:
    data = {
        "approved_quantity": str(entry.quantity),
        "quality_pass": "1",
        "major_errors": "0",
        "delays": str(services.computed_delays(entry)),
        "version": str(entry.version),
        "decision": "approve",
    }
    data.update(overrides)
    return data


def _url(entry) -> str:
    return reverse("evaluations:entry_review", args=[entry.pk])


# ---- who may open what --------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "expected"), QUEUE.items())
def test_review_queue_is_for_leaders_and_live_delegates(status_for, persona, expected):
    assert status_for(persona, reverse("evaluations:review_queue")) == expected


@pytest.mark.parametrize(("persona", "expected"), REVIEW_PAGE.items())
def test_review_page_answers_by_scope(status_for, submitted, persona, expected):
    assert status_for(persona, _url(submitted)) == expected


@pytest.mark.parametrize(("persona", "expected"), [("head_b", 404), ("outsider_b", 404)])
def test_outsiders_cannot_post_a_review(status_for, submitted, persona, expected):
    assert status_for(persona, _url(submitted), "post", _review(submitted)) == expected
    assert WorkEntry.objects.get(pk=submitted.pk).status == EntryStatus.SUBMITTED


def test_read_only_viewer_cannot_post_a_review(status_for, submitted):
    assert status_for("org_dept_viewer", _url(submitted), "post", _review(submitted)) == 403
    assert WorkEntry.objects.get(pk=submitted.pk).status == EntryStatus.SUBMITTED


# ---- the queue ----------------------------------------------------------------------------


def test_queue_lists_submitted_work_of_the_leaders_people_only(
    as_user, staff_a, head_a, outsider_b, products, period, workday
):
    mine = services.entry_submit(by=staff_a, entry=log(staff_a, products["BC"], "1", workday))
    theirs = services.entry_submit(
        by=outsider_b, entry=log(outsider_b, products["BC"], "1", workday)
    )
    own = services.entry_submit(by=head_a, entry=log(head_a, products["BC"], "1", workday))
    log(staff_a, products["HS"], "1", workday)  # a draft is not in anyone's queue

    def queue(persona):
        return set(as_user(persona).get(reverse("evaluations:review_queue")).context["page"])

    assert queue("head_a") == {mine}
    assert queue("head_b") == {theirs}
    assert queue("head_agency") == {mine, theirs, own}  # a head's work goes up


def test_queue_filters_by_name_and_flags(as_user, staff_a, staff_a2, products, period):
    entries = bulk_submitted([staff_a.person, staff_a2.person], products["BC"], period, 4)
    WorkEntry.objects.filter(pk=entries[0].pk).update(flags=["day_over_pace"])
    client, url = as_user("head_a"), reverse("evaluations:review_queue")
    by_name = client.get(url, {"q": "staff_a2"}).context["page"]
    assert {e.person_id for e in by_name} == {staff_a2.person.pk}
    flagged = client.get(url, {"flagged": "on"})
    assert list(flagged.context["page"]) == [entries[0]]
    assert "Tổng sản phẩm chuẩn trong ngày vượt xa định mức" in flagged.content.decode()


def test_queue_answers_htmx_filters_with_the_rows_only(as_user, submitted):
    response = as_user("head_a").get(
        reverse("evaluations:review_queue"), {"q": "staff"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "Phê duyệt các mục đã chọn" in html


def test_queue_shows_the_planned_due_date(as_user, staff_a, plan_item, period, workday):
    entry = log(staff_a, plan_item.product, "1", workday, plan_item=plan_item)
    services.entry_submit(by=staff_a, entry=entry)
    html = as_user("head_a").get(reverse("evaluations:review_queue")).content.decode()
    assert plan_item.due_date.strftime("%d/%m/%Y") in html


def test_queue_page_queries_do_not_grow_with_entries(as_user, staff_a, staff_a2, products, period):
    client, url = as_user("head_a"), reverse("evaluations:review_queue")
    bulk_submitted([staff_a.person], products["BC"], period, 3)
    client.get(url)  # warm up: one-time lookups (content types, 2FA) on the first request
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    bulk_submitted([staff_a.person, staff_a2.person], products["HS"], period, 45)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


# ---- bulk approval ------------------------------------------------------------------------


def test_bulk_approve_of_200_entries_is_one_request_with_bounded_queries(
    as_user, staff_a, staff_a2, products, period, django_assert_max_num_queries
):
    entries = bulk_submitted([staff_a.person, staff_a2.person], products["BC"], period, 200)
    client = as_user("head_a")
    data = {"entries": [e.pk for e in entries]}
    with django_assert_max_num_queries(40):
        response = client.post(reverse("evaluations:bulk_approve"), data)
    assert response.status_code == 302
    assert WorkEntry.objects.filter(status=EntryStatus.APPROVED).count() == 200
    assert AuditEvent.objects.filter(action="worklog.approve").count() == 200
    assert Notification.objects.filter(kind="worklog.approved").count() == 2


def test_bulk_approve_refuses_entries_outside_the_scope_and_changes_nothing(
    as_user, staff_a, outsider_b, products, period
):
    ours = bulk_submitted([staff_a.person], products["BC"], period, 2)
    theirs = bulk_submitted([outsider_b.person], products["BC"], period, 1)
    data = {"entries": [e.pk for e in ours + theirs]}
    response = as_user("head_a").post(reverse("evaluations:bulk_approve"), data)
    assert response.status_code == 404
    assert not WorkEntry.objects.filter(status=EntryStatus.APPROVED).exists()


def test_bulk_approve_by_a_read_only_viewer_is_forbidden(as_user, submitted):
    data = {"entries": [submitted.pk]}
    response = as_user("org_dept_viewer").post(reverse("evaluations:bulk_approve"), data)
    assert response.status_code == 403
    assert WorkEntry.objects.get(pk=submitted.pk).status == EntryStatus.SUBMITTED


def test_bulk_approve_of_an_already_reviewed_entry_explains_and_changes_nothing(
    as_user, head_a, staff_a, products, period
):
    first, second = bulk_submitted([staff_a.person], products["BC"], period, 2)
    services.entry_review(by=head_a, entry=first, review=services.Review(approve=True))
    client = as_user("deputy_a")
    response = client.post(
        reverse("evaluations:bulk_approve"), {"entries": [first.pk, second.pk]}, follow=True
    )
    assert "đã được xử lý" in response.content.decode()
    assert WorkEntry.objects.get(pk=second.pk).status == EntryStatus.SUBMITTED


def test_bulk_approve_with_nothing_ticked_says_so(as_user, submitted):
    response = as_user("head_a").post(reverse("evaluations:bulk_approve"), {}, follow=True)
    assert "Hãy đánh dấu ít nhất một sản phẩm" in response.content.decode()


# ---- one entry ----------------------------------------------------------------------------


def test_review_form_prefills_delays_from_the_planned_due_date(
    as_user, staff_a, plan_item, workday
):
    plan_item.due_date = plan_item.period.start
    plan_item.save()
    entry = log(staff_a, plan_item.product, "1", workday, plan_item=plan_item)
    entry = services.entry_submit(by=staff_a, entry=entry)
    form = as_user("head_a").get(_url(entry)).context["form"]
    assert form["delays"].value() == 1
    assert form["version"].value() == entry.version


def test_approve_with_verdicts_records_them(as_user, submitted, head_a):
    data = _review(submitted, major_errors="1", exceeded="on", note="Tốt")
    response = as_user("head_a").post(_url(submitted), data)
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == EntryStatus.APPROVED
    assert (submitted.major_errors, submitted.exceeded, submitted.reviewer) == (1, True, head_a)


def test_quality_fail_and_exemption_with_reason_are_recorded(as_user, submitted, head_a):
    data = _review(submitted, quality_pass="0", exempt="on", exempt_reason="Mất điện diện rộng")
    as_user("head_a").post(_url(submitted), data)
    submitted.refresh_from_db()
    assert (submitted.quality_pass, submitted.exempt, submitted.exempt_confirmed_by) == (
        False,
        True,
        head_a,
    )
    assert AuditEvent.objects.filter(action="worklog.exempt").exists()


def test_return_needs_a_reason(as_user, submitted):
    response = as_user("head_a").post(_url(submitted), _review(submitted, decision="return"))
    assert response.status_code == 200
    assert "Phải ghi lý do trả lại." in response.content.decode()
    assert WorkEntry.objects.get(pk=submitted.pk).status == EntryStatus.SUBMITTED


def test_return_with_a_reason_notifies_the_author(as_user, submitted, staff_a):
    data = _review(submitted, decision="return", note="Thiếu minh chứng")
    as_user("head_a").post(_url(submitted), data)
    submitted.refresh_from_db()
    assert (submitted.status, submitted.review_note) == (EntryStatus.RETURNED, "Thiếu minh chứng")
    note = Notification.objects.get(recipient=staff_a, kind="worklog.returned")
    assert note.body == "Thiếu minh chứng"


def test_adjusting_the_quantity_needs_a_reason(as_user, submitted):
    client = as_user("head_a")
    refused = client.post(_url(submitted), _review(submitted, approved_quantity="1"))
    assert "Điều chỉnh số lượng phải ghi lý do." in refused.content.decode()
    data = _review(submitted, approved_quantity="1", adjust_reason="Một báo cáo bị trùng")
    client.post(_url(submitted), data)
    submitted.refresh_from_db()
    assert submitted.approved_quantity == Decimal("1")
    assert AuditEvent.objects.filter(action="worklog.adjust").exists()


def test_changing_computed_delays_needs_a_reason(as_user, submitted):
    response = as_user("head_a").post(_url(submitted), _review(submitted, delays="2"))
    assert "Sửa số lần chậm tiến độ phải ghi lý do." in response.content.decode()


def test_second_review_with_the_same_version_shows_the_conflict_and_fresh_state(
    as_user, submitted, head_a
):
    stale = _review(submitted)
    as_user("head_a").post(_url(submitted), stale)
    response = as_user("deputy_a").post(_url(submitted), {**stale, "decision": "return"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "vừa được người khác thay đổi" in html
    assert "Đã phê duyệt" in html
    assert str(head_a) in html
    submitted.refresh_from_db()
    assert (submitted.status, submitted.reviewer) == (EntryStatus.APPROVED, head_a)


def test_conflict_answers_htmx_with_the_panel(as_user, submitted):
    stale = _review(submitted)
    as_user("head_a").post(_url(submitted), stale)
    response = as_user("deputy_a").post(_url(submitted), stale, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and "review-panel" in html
    assert "vừa được người khác thay đổi" in html


def test_successful_htmx_review_redirects_the_page_back_to_the_queue(as_user, submitted):
    queue = reverse("evaluations:review_queue") + "?q=staff"
    response = as_user("head_a").post(
        _url(submitted), {**_review(submitted), "next": queue}, headers={"HX-Request": "true"}
    )
    assert response["HX-Redirect"] == queue


def test_review_page_of_a_processed_entry_is_read_only(as_user, submitted, head_a):
    services.entry_review(by=head_a, entry=submitted, review=services.Review(approve=True))
    page = as_user("deputy_a").get(_url(submitted))
    assert page.status_code == 200
    assert page.context["can_review"] is False
    assert 'name="decision"' not in page.content.decode()


def test_review_in_a_locked_period_is_refused(as_user, submitted, period):
    Period.objects.filter(pk=period.pk).update(state=PeriodState.LOCKED)
    assert as_user("head_a").post(_url(submitted), _review(submitted)).status_code == 403
    assert WorkEntry.objects.get(pk=submitted.pk).status == EntryStatus.SUBMITTED


# ---- delegates ----------------------------------------------------------------------------


def test_delegate_sees_whom_they_act_for_and_the_review_records_it(
    as_user, delegate, submitted, head_a
):
    client = as_user("delegate")
    queue = client.get(reverse("evaluations:review_queue")).content.decode()
    assert "đang phê duyệt thay Nguyễn Văn head_a" in queue
    page = client.get(_url(submitted)).content.decode()
    assert "đang phê duyệt thay Nguyễn Văn head_a" in page
    client.post(_url(submitted), _review(submitted))
    submitted.refresh_from_db()
    assert (submitted.reviewer, submitted.reviewed_on_behalf_of) == (delegate, head_a)


def test_delegate_never_reviews_the_head_who_lent_the_rights(
    as_user, delegate, head_a, products, workday, period
):
    own = services.entry_submit(by=head_a, entry=log(head_a, products["BC"], "1", workday))
    assert as_user("delegate").get(_url(own)).status_code == 403
