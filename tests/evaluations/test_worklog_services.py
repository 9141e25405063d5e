"""Logging, submitting and reviewing work: the rules of issue 5, at the service layer."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from evaluations import services
from evaluations.models import EntryStatus, PeriodState, WorkEntry
from evaluations.services import ConflictError, Review
from kpi_portal.models import AuditEvent, Notification
from orgunits.models import Delegation, Person

from .conftest import WORKDAY

pytestmark = pytest.mark.django_db


def log(user, product, quantity="2", **extra):
    fields = {
        "product": product,
        "quantity": Decimal(quantity),
        "completed_on": WORKDAY,
    }
    return services.entry_create(by=user, **{**fields, **extra})


def submitted(user, product, quantity="2"):
    return services.entry_submit(by=user, entry=log(user, product, quantity))


def test_a_logged_product_is_a_draft_converted_with_the_catalog_coefficient(
    staff_a, products, period
):
    entry = log(staff_a, products["VB"], "2")
    assert entry.status == EntryStatus.DRAFT
    assert entry.period == period
    assert entry.unit.code == "T-A"
    assert entry.coefficient == Decimal("4.000")
    assert entry.standard_products == Decimal("8")
    assert AuditEvent.objects.filter(action="worklog.create", object_id=str(entry.pk)).exists()


def test_a_product_from_another_units_catalog_is_refused(outsider_b, staff_a, products, units):
    from catalog.models import Product, ProductGroup

    other = Product.objects.create(
        owner_unit=units["T-BTC"],
        code="X",
        name="Sản phẩm của Ban Tổ chức",
        unit_of_measure="báo cáo",
        group=ProductGroup.objects.get(code="B"),
        coefficient=Decimal("1"),
        active_from="2025-01-01",
    )
    with pytest.raises(ValidationError, match="không thuộc danh mục áp dụng"):
        log(staff_a, other)


def test_a_completion_date_in_the_future_is_refused(staff_a, products, period):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError, match="không được sau hôm nay"):
        log(staff_a, products["BC"], completed_on=tomorrow)
    assert not WorkEntry.objects.filter(person__user=staff_a).exists()


def test_work_finished_after_logging_closed_counts_in_the_next_period(units, period):
    after_close = period.log_close + timedelta(days=1)
    following = services.period_for_work(bloc=units["T-A"].bloc, completed_on=after_close)
    assert following.start == period.end + timedelta(days=1)
    assert services.period_for_work(bloc=units["T-A"].bloc, completed_on=period.log_close) == period


def test_monthly_periods_close_logging_on_the_25th_by_default(period):
    assert period.log_close.day == 25
    assert period.self_assessment_due > period.log_close
    assert period.review_due > period.self_assessment_due
    assert period.lock_date > period.end


def test_head_approves_an_entry_and_an_audit_event_records_it(staff_a, head_a, products, period):
    entry = submitted(staff_a, products["BC"])
    reviewed = services.entry_review(by=head_a, entry=entry, review=Review(approve=True))
    assert reviewed.status == EntryStatus.APPROVED
    assert reviewed.approved_quantity == Decimal("2")
    event = AuditEvent.objects.get(action="worklog.approve", object_id=str(entry.pk))
    assert event.actor == head_a
    assert event.changes["status"] == ["submitted", "approved"]


def test_nobody_approves_their_own_entries(head_a, products, period):
    entry = submitted(head_a, products["BC"])
    with pytest.raises(PermissionDenied, match="tự phê duyệt"):
        services.entry_review(by=head_a, entry=entry, review=Review(approve=True))


def test_a_heads_own_entries_go_to_the_leader_above_not_to_the_deputy(
    head_a, deputy_a, head_agency, products, period
):
    entry = submitted(head_a, products["BC"])
    with pytest.raises(PermissionDenied):
        services.entry_review(by=deputy_a, entry=entry, review=Review(approve=True))
    assert (
        services.entry_review(by=head_agency, entry=entry, review=Review(approve=True)).status
        == "approved"
    )


def test_a_deputy_approves_staff_of_the_unit_and_of_units_below(
    deputy_a, staff_a, staff_a1a, products, period
):
    for author in (staff_a, staff_a1a):
        entry = submitted(author, products["BC"])
        assert (
            services.entry_review(by=deputy_a, entry=entry, review=Review(approve=True)).status
            == "approved"
        )


def test_head_of_a_sibling_unit_cannot_approve(staff_a, head_b, products, period):
    entry = submitted(staff_a, products["BC"])
    with pytest.raises(PermissionDenied):
        services.entry_review(by=head_b, entry=entry, review=Review(approve=True))
    assert not WorkEntry.objects.review_queue(head_b).filter(pk=entry.pk).exists()


def delegate(head, to, start, end, unit):
    return Delegation.objects.create(
        unit=unit,
        delegator=head.person,
        delegate=to.person,
        valid_from=start,
        valid_to=end,
        reason="Đi công tác",
    )


def test_a_delegate_approves_within_the_dates_and_records_on_whose_behalf(
    staff_a, staff_a2, head_a, products, period, units
):
    today = timezone.localdate()
    delegate(head_a, staff_a2, today - timedelta(days=1), today + timedelta(days=1), units["T-A"])
    entry = submitted(staff_a, products["BC"])
    reviewed = services.entry_review(by=staff_a2, entry=entry, review=Review(approve=True))
    assert reviewed.reviewed_on_behalf_of == head_a
    assert (
        AuditEvent.objects.get(action="worklog.approve", object_id=str(entry.pk)).on_behalf_of
        == head_a
    )


def test_a_delegation_outside_its_dates_grants_nothing(
    staff_a, staff_a2, head_a, products, period, units
):
    today = timezone.localdate()
    delegate(head_a, staff_a2, today - timedelta(days=10), today - timedelta(days=1), units["T-A"])
    entry = submitted(staff_a, products["BC"])
    with pytest.raises(PermissionDenied):
        services.entry_review(by=staff_a2, entry=entry, review=Review(approve=True))


def test_a_delegate_cannot_approve_the_head_who_delegated(
    staff_a2, head_a, products, period, units
):
    today = timezone.localdate()
    delegate(head_a, staff_a2, today, today, units["T-A"])
    entry = submitted(head_a, products["BC"])
    with pytest.raises(PermissionDenied):
        services.entry_review(by=staff_a2, entry=entry, review=Review(approve=True))


@pytest.mark.parametrize(
    ("review", "message"),
    [
        (Review(approve=False), "lý do trả lại"),
        (
            Review(approve=True, approved_quantity=Decimal("1")),
            "Điều chỉnh số lượng phải ghi lý do",
        ),
        (Review(approve=True, exempt=True), "lý do khách quan"),
        (Review(approve=True, delays=2), "chậm tiến độ phải ghi lý do"),
    ],
)
def test_a_review_that_needs_a_reason_is_refused_without_one(
    staff_a, head_a, products, period, review, message
):
    entry = submitted(staff_a, products["BC"])
    with pytest.raises(ValidationError, match=message):
        services.entry_review(by=head_a, entry=entry, review=review)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED


def test_an_adjusted_quantity_and_an_exemption_are_recorded_with_who_confirmed(
    staff_a, head_a, products, period
):
    entry = submitted(staff_a, products["VB"], "3")
    review = Review(
        approve=True,
        approved_quantity=Decimal("2"),
        adjust_reason="Một văn bản chưa ban hành",
        major_errors=1,
        exempt=True,
        exempt_reason="Chờ ý kiến Bộ",
    )
    reviewed = services.entry_review(by=head_a, entry=entry, review=review)
    assert reviewed.standard_products == Decimal("8")
    assert reviewed.exempt_confirmed_by == head_a
    actions = set(
        AuditEvent.objects.filter(object_id=str(entry.pk)).values_list("action", flat=True)
    )
    assert {"worklog.approve", "worklog.adjust", "worklog.exempt"} <= actions


def test_a_returned_entry_can_be_fixed_and_resubmitted(staff_a, head_a, products, period):
    entry = submitted(staff_a, products["BC"], "5")
    services.entry_review(
        by=head_a, entry=entry, review=Review(approve=False, note="Thiếu minh chứng")
    )
    fixed = services.entry_update(
        by=staff_a,
        entry=entry,
        product=products["BC"],
        quantity=Decimal("4"),
        completed_on=WORKDAY,
        doc_number="12/BC-TN",
    )
    assert services.entry_submit(by=staff_a, entry=fixed).status == EntryStatus.SUBMITTED
    assert Notification.objects.filter(recipient=staff_a, kind="worklog.returned").exists()


def test_an_approved_entry_can_no_longer_be_edited_by_its_author(staff_a, head_a, products, period):
    entry = submitted(staff_a, products["BC"])
    services.entry_review(by=head_a, entry=entry, review=Review(approve=True))
    with pytest.raises(ValidationError, match="nháp hoặc bị trả lại"):
        services.entry_update(by=staff_a, entry=entry, quantity=Decimal("9"))


def test_the_second_of_two_reviews_of_the_same_version_gets_a_conflict(
    staff_a, head_a, deputy_a, products, period
):
    entry = submitted(staff_a, products["BC"])
    version = entry.version
    services.entry_review(
        by=head_a, entry=entry, review=Review(approve=True), expected_version=version
    )
    with pytest.raises(ConflictError, match="người khác"):
        services.entry_review(
            by=deputy_a,
            entry=entry,
            review=Review(approve=False, note="x"),
            expected_version=version,
        )


def test_the_review_queue_lists_submitted_entries_of_the_reviewers_people_only(
    staff_a, staff_a1a, outsider_b, head_a, products, period
):
    mine = [submitted(staff_a, products["BC"]), submitted(staff_a1a, products["HS"])]
    log(staff_a, products["BC"])  # a draft is not in the queue
    other = submitted(outsider_b, products["BC"])
    queue = set(WorkEntry.objects.review_queue(head_a).values_list("pk", flat=True))
    assert queue == {e.pk for e in mine}
    assert other.pk not in queue


def test_bulk_approval_of_200_entries_uses_a_bounded_number_of_queries(
    staff_a, staff_a2, head_a, products, period, django_assert_max_num_queries
):
    ids = [
        submitted(author, products["HS"], "1").pk
        for author in (staff_a, staff_a2)
        for _ in range(100)
    ]
    with django_assert_max_num_queries(25):
        assert services.entries_bulk_approve(by=head_a, entry_ids=ids) == 200
    assert WorkEntry.objects.filter(pk__in=ids, status=EntryStatus.APPROVED).count() == 200
    assert (
        AuditEvent.objects.filter(
            action="worklog.approve", object_id__in=[str(i) for i in ids]
        ).count()
        == 200
    )
    # One message per person, not one per entry.
    assert (
        Notification.objects.filter(
            kind="worklog.approved", recipient__in=[staff_a, staff_a2]
        ).count()
        == 2
    )


def test_bulk_approval_is_all_or_nothing_when_one_entry_is_out_of_scope(
    staff_a, outsider_b, head_a, products, period
):
    ids = [submitted(staff_a, products["HS"]).pk, submitted(outsider_b, products["HS"]).pk]
    with pytest.raises(PermissionDenied):
        services.entries_bulk_approve(by=head_a, entry_ids=ids)
    assert not WorkEntry.objects.filter(pk__in=ids, status=EntryStatus.APPROVED).exists()


def test_a_locked_period_refuses_logging_submitting_and_reviewing(
    staff_a, head_a, products, period
):
    draft = log(staff_a, products["BC"])
    waiting = submitted(staff_a, products["BC"])
    type(period).objects.filter(pk=period.pk).update(state=PeriodState.LOCKED)
    with pytest.raises(ValidationError, match="Đã khóa"):
        log(staff_a, products["BC"])
    with pytest.raises(ValidationError, match="Đã khóa"):
        services.entry_submit(by=staff_a, entry=draft)
    with pytest.raises(ValidationError, match="Đã khóa"):
        services.entry_review(by=head_a, entry=waiting, review=Review(approve=True))


def test_submitting_a_day_far_above_the_quota_pace_flags_it_for_the_reviewer(
    staff_a, products, quota, period
):
    # Quota 44 a month is 2 a day; 3 × 4.0 = 12 is more than three times that pace.
    entry = services.entry_submit(by=staff_a, entry=log(staff_a, products["VB"], "3"))
    assert "day_over_pace" in entry.flags
    assert "hours_over_day" in entry.flags  # 3 × 16 expected hours
    modest = services.entry_submit(by=staff_a, entry=log(staff_a, products["HS"], "1"))
    assert "hours_over_day" in modest.flags  # the day's total is still over


def test_submitting_notifies_the_nearest_leaders_once(
    staff_a, head_a, deputy_a, head_agency, products, period
):
    log(staff_a, products["BC"])
    log(staff_a, products["HS"])
    services.entries_submit_all(by=staff_a, period=period)
    notified = set(
        Notification.objects.filter(kind="worklog.submitted").values_list(
            "recipient__username", flat=True
        )
    )
    assert notified == {"head_a", "deputy_a"}


def test_evidence_that_is_a_renamed_executable_is_refused_and_nothing_is_written(
    staff_a, products, period
):
    fake = SimpleUploadedFile(
        "bao-cao.pdf", b"MZ\x90\x00" + b"\x00" * 100, content_type="application/pdf"
    )
    with pytest.raises(ValidationError, match="không đúng định dạng cho phép"):
        log(staff_a, products["BC"], evidence=fake)
    assert not WorkEntry.objects.filter(person__user=staff_a).exists()


def test_evidence_over_10_mb_is_refused(staff_a, products, period, settings):
    big = SimpleUploadedFile(
        "bien-ban.pdf", b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024), content_type="application/pdf"
    )
    with pytest.raises(ValidationError, match="vượt giới hạn"):
        log(staff_a, products["BC"], evidence=big)


def test_real_pdf_evidence_is_stored_under_a_random_private_name(
    staff_a, products, period, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    pdf = SimpleUploadedFile(
        "Bien ban hop.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf"
    )
    entry = log(staff_a, products["BC"], evidence=pdf)
    assert entry.evidence_name == "Bien ban hop.pdf"
    assert entry.evidence_type == "application/pdf"
    assert "Bien" not in entry.evidence.name
    assert entry.evidence.name.startswith("evidence/")


def test_repeating_a_recent_entry_logs_the_same_product_and_quantity_today(
    staff_a, products, period
):
    first = log(staff_a, products["HS"], "3")
    again = services.entry_repeat(by=staff_a, source=first, completed_on=WORKDAY)
    assert (again.product, again.quantity, again.status) == (
        first.product,
        first.quantity,
        EntryStatus.DRAFT,
    )
    assert again.pk != first.pk


def test_progress_counts_standard_products_against_plan_and_quota(
    staff_a, head_a, products, quota, period
):
    person = Person.objects.get(user=staff_a)  # fresh: the fixtures gave it a job position
    services.plan_item_assign(
        by=head_a,
        person=person,
        period=period,
        product=products["VB"],
        quantity=Decimal("5"),
        due_date=period.end,
    )
    entry = submitted(staff_a, products["VB"], "2")
    services.entry_review(by=head_a, entry=entry, review=Review(approve=True))
    log(staff_a, products["HS"], "10")
    progress = services.progress_of(person, period)
    assert progress.planned == Decimal("20")
    assert progress.approved == Decimal("8")
    assert progress.logged == Decimal("11")
    assert progress.quota == Decimal("44")
    assert progress.approved_share_of_target == 40
