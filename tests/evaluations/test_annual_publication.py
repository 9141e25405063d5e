"""The year: publication and who sees what, the year-end date, and the heads' preview."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from catalog.models import Product
from evaluations import assessment
from evaluations.forms import EntryForm
from evaluations.forms_assessment import AppealForm
from evaluations.models import AnnualResult, PeriodPolicy, PlanItem
from kpi_portal.models import AuditEvent, Notification
from orgunits.models import Person

from .assessment_helpers import evaluation_of

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.evaluations.view_fixtures", "tests.evaluations.assessment_fixtures"]


def _url(name, *args) -> str:
    return reverse(f"evaluations:{name}", args=args)


@pytest.fixture
def computed(published, units):
    """Everyone of Sở Thử nghiệm has a computed year 2026 (March, published)."""
    people = Person.objects.filter(
        evaluations__deciding_unit=units["T-SO"], evaluations__period__year=2026
    ).distinct()
    for person in people:
        assessment.annual_compute(person=person, year=2026)
    return published


@pytest.fixture
def year_decided(computed, head_agency, units):
    assessment.annual_decide(by=head_agency, deciding_unit=units["T-SO"], year=2026)
    return computed


@pytest.fixture
def past_deadline(units):
    """The province-wide policy moves the year-end date to 1 November, already gone by."""
    return PeriodPolicy.objects.create(bloc="", annual_deadline_day=1, annual_deadline_month=11)


def annual_of(user) -> AnnualResult:
    return AnnualResult.objects.get(person__user=user, year=2026)


# ---- publication ------------------------------------------------------------------------------


def test_publishing_the_year_tells_each_person_and_is_audited(year_decided, head_agency, units):
    count = assessment.annual_publish(by=head_agency, deciding_unit=units["T-SO"], year=2026)
    assert count == AnnualResult.objects.filter(published_at__isnull=False).count() == 11
    assert AuditEvent.objects.filter(action="annual.publish", actor=head_agency).count() == 11
    note = Notification.objects.get(recipient__username="staff_a2", kind="annual.published")
    assert "Kết quả xếp loại năm 2026" in note.title
    with pytest.raises(ValidationError, match="Không có kết quả năm nào đã quyết định"):
        assessment.annual_publish(by=head_agency, deciding_unit=units["T-SO"], year=2026)


def test_only_decided_years_are_published(computed, head_agency, units):
    with pytest.raises(ValidationError, match="Không có kết quả năm nào đã quyết định"):
        assessment.annual_publish(by=head_agency, deciding_unit=units["T-SO"], year=2026)


def test_nobody_but_the_decider_publishes(year_decided, head_a, hr_officer, units):
    for user in (head_a, hr_officer):
        with pytest.raises(PermissionDenied):
            assessment.annual_publish(by=user, deciding_unit=units["T-SO"], year=2026)
    assert not AnnualResult.objects.filter(published_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("persona", "expected"), [(None, 302), ("head_a", 404), ("hr_officer", 403), ("staff_a", 404)]
)
def test_the_publish_action_is_for_the_decider(status_for, year_decided, units, persona, expected):
    url = _url("annual_publish", 2026, units["T-SO"].pk)
    assert status_for(persona, url, "post") == expected
    assert not AnnualResult.objects.filter(published_at__isnull=False).exists()


def test_the_decider_publishes_from_the_year_page(as_user, year_decided, units):
    client = as_user("head_agency")
    page = client.get(f"{_url('annual', 2026)}?unit={units['T-SO'].pk}")
    assert page.context["unpublished"] == 11
    assert "Công bố kết quả năm" in page.content.decode()
    response = client.post(_url("annual_publish", 2026, units["T-SO"].pk), follow=True)
    assert "Đã công bố kết quả xếp loại năm 2026 của 11 người." in response.content.decode()


# ---- who sees what ----------------------------------------------------------------------------

BEFORE = {"staff_a2": 404, "head_a": 200, "head_agency": 200, "staff_a": 404, "outsider_b": 404}
AFTER = {"staff_a2": 200, "head_a": 200, "head_agency": 200, "staff_a": 404, "outsider_b": 404}


def test_the_person_sees_their_year_only_once_published_the_chain_from_the_start(
    status_for, as_user, year_decided, head_agency, units, staff_a2
):
    url = _url("annual_result", annual_of(staff_a2).pk)
    assert {p: status_for(p, url) for p in BEFORE} == BEFORE
    assert as_user("staff_a2").get(_url("annual", 2026)).context["own"] is None
    assessment.annual_publish(by=head_agency, deciding_unit=units["T-SO"], year=2026)
    assert {p: status_for(p, url) for p in AFTER} == AFTER
    assert status_for(None, url) == 302
    own = as_user("staff_a2").get(_url("annual", 2026)).context["own"]
    assert own.pk == annual_of(staff_a2).pk


def test_the_person_and_the_chain_see_the_full_breakdown(
    as_user, year_decided, head_agency, units, staff_a2
):
    assessment.annual_publish(by=head_agency, deciding_unit=units["T-SO"], year=2026)
    march = evaluation_of(staff_a2, year_decided)
    for persona in ("staff_a2", "head_a"):
        page = as_user(persona).get(_url("annual_result", annual_of(staff_a2).pk))
        assert [e.pk for e in page.context["periods"]] == [march.pk]
        html = page.content.decode()
        assert f"{march.task_score:.2f}".replace(".", ",") in html
        assert page.context["result"].total == march.total


def test_the_unit_sees_letter_grades_only(as_user, year_decided, head_agency, units, staff_a2):
    url = _url("annual_unit_results", 2026, units["T-A"].pk)
    assert as_user("staff_a").get(url).context["rows"] == []  # nothing published yet
    assessment.annual_publish(by=head_agency, deciding_unit=units["T-SO"], year=2026)
    page = as_user("staff_a").get(url)
    rows = {r.person.user.username: r for r in page.context["rows"]}
    assert "staff_a2" in rows and not rows["staff_a2"].can_open
    assert rows["staff_a"].can_open  # one's own line opens one's own breakdown
    html = page.content.decode()
    assert rows["staff_a2"].rating_label in html
    total = f"{annual_of(staff_a2).total:.2f}"
    assert total not in html and total.replace(".", ",") not in html
    assert as_user("head_a").get(url).context["rows"][0].can_open


UNIT_GRADES = {
    None: 302,
    "staff_a": 200,
    "head_agency": 200,
    "org_dept_viewer": 200,
    "outsider_b": 404,
    "party_viewer": 404,
}


@pytest.mark.parametrize(("persona", "expected"), UNIT_GRADES.items())
def test_unit_results_of_the_year_answer_by_scope(
    status_for, year_decided, units, persona, expected
):
    assert status_for(persona, _url("annual_unit_results", 2026, units["T-A"].pk)) == expected


# ---- the year-end date ------------------------------------------------------------------------


def test_the_year_end_date_defaults_to_15_december_and_is_set_per_bloc(units):
    assert PeriodPolicy(bloc="").annual_deadline(2026) == date(2026, 12, 15)
    assert assessment.annual_deadline(units["T-SO"], 2026) == date(2026, 12, 15)
    PeriodPolicy.objects.create(bloc="", annual_deadline_day=31, annual_deadline_month=2)
    assert assessment.annual_deadline(units["T-SO"], 2026) == date(2026, 2, 28)


def test_after_the_date_a_decision_needs_a_reason_that_is_kept_and_audited(
    computed, past_deadline, head_agency, units, staff_a2
):
    with pytest.raises(ValidationError, match="Đã quá hạn quyết định, công bố kết quả"):
        assessment.annual_decide(by=head_agency, deciding_unit=units["T-SO"], year=2026)
    assert not AnnualResult.objects.filter(decided_at__isnull=False).exists()
    reason = "Chờ kết luận thanh tra về một trường hợp kỷ luật"
    assessment.annual_decide(
        by=head_agency, deciding_unit=units["T-SO"], year=2026, late_reason=reason
    )
    assert annual_of(staff_a2).late_reason == reason
    event = AuditEvent.objects.filter(action="annual.decide", object_id=str(annual_of(staff_a2).pk))
    assert event.get().reason == reason
    assert event.get().changes["late"] == [False, True]


def test_after_the_date_publication_also_needs_a_reason(
    year_decided, past_deadline, head_agency, units, staff_a2
):
    with pytest.raises(ValidationError, match="Phải ghi lý do chậm"):
        assessment.annual_publish(by=head_agency, deciding_unit=units["T-SO"], year=2026)
    assessment.annual_publish(
        by=head_agency, deciding_unit=units["T-SO"], year=2026, late_reason="Chậm ký"
    )
    assert annual_of(staff_a2).late_reason == "Chậm ký"
    assert annual_of(staff_a2).published_at is not None


def test_before_the_date_no_reason_is_asked_and_nothing_is_flagged(year_decided, staff_a2):
    assert annual_of(staff_a2).late_reason == ""
    event = AuditEvent.objects.filter(action="annual.decide").first()
    assert "late" not in event.changes


def test_the_year_page_warns_past_the_date_and_refuses_without_a_reason(
    as_user, computed, past_deadline, units
):
    client = as_user("head_agency")
    page = client.get(f"{_url('annual', 2026)}?unit={units['T-SO'].pk}")
    assert page.context["past_deadline"]
    assert 'name="late_reason"' in page.content.decode()
    refused = client.post(_url("annual_decide", 2026, units["T-SO"].pk), follow=True)
    assert "Phải ghi lý do chậm" in refused.content.decode()
    accepted = client.post(
        _url("annual_decide", 2026, units["T-SO"].pk), {"late_reason": "Chờ thanh tra"}, follow=True
    )
    assert "Đã quyết định xếp loại năm 2026 của 11 người." in accepted.content.decode()


def test_the_policy_form_sets_the_year_end_date(as_user, units):
    data = {
        "frequency": "month",
        "log_close_day": "25",
        "self_assessment_days": "2",
        "review_days": "3",
        "lock_days": "20",
        "daily_pace_factor": "3",
        "working_day_hours": "8",
        "appeal_days": "5",
        "appeal_resolve_days": "10",
        "annual_deadline_day": "10",
        "annual_deadline_month": "12",
    }
    as_user("system_admin").post(_url("policy_edit", "toan-tinh"), data)
    assert assessment.annual_deadline(units["T-SO"], 2026) == date(2026, 12, 10)
    bad = as_user("system_admin").post(
        _url("policy_edit", "toan-tinh"), {**data, "annual_deadline_month": "13"}
    )
    assert "Hạn xếp loại năm phải là một ngày hợp lệ" in bad.content.decode()


# ---- the heads' preview -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [(None, 302), ("head_a", 200), ("head_b", 200), ("staff_a", 403), ("hr_officer", 403)],
)
def test_the_preview_is_for_leaders(status_for, published, persona, expected):
    assert status_for(persona, _url("annual_preview", 2026)) == expected


def test_a_head_who_does_not_decide_previews_the_year_of_their_people(as_user, published, staff_a2):
    page = as_user("head_a").get(_url("annual_preview", 2026))
    rows = {row["person"].user.username: row for row in page.context["rows"]}
    march = evaluation_of(staff_a2, published)
    preview = rows["staff_a2"]["mean"]
    assert (preview.result.total, preview.rated) == (march.total, 1)
    assert preview.result.rating == march.rating
    assert "head_a" not in rows and "head_agency" not in rows and "outsider_b" not in rows
    assert not AnnualResult.objects.exists()  # a preview stores nothing
    assert "staff_a2" not in {
        row["person"].user.username
        for row in as_user("head_b").get(_url("annual_preview", 2026)).context["rows"]
    }


def test_the_preview_reads_every_person_s_periods_in_one_query(published, staff_a, staff_a2):
    people = Person.objects.filter(pk__in=[staff_a.person.pk, staff_a2.person.pk])
    with CaptureQueriesContext(connection) as captured:
        means = assessment.annual_previews(people=people.values("pk"), year=2026)
    assert len(captured.captured_queries) == 1
    assert means[staff_a2.person.pk] == assessment.annual_preview(person=staff_a2.person, year=2026)


# ---- lazy help texts --------------------------------------------------------------------------


def test_upload_help_texts_follow_the_language_of_the_request():
    empty = {"products": Product.objects.none(), "plan_items": PlanItem.objects.none()}
    with translation.override("en"):
        assert "at most 10 MB each" in str(AppealForm().fields["files"].help_text)
        assert "at most 10 MB" in str(EntryForm(**empty).fields["evidence"].help_text)
    with translation.override("vi"):
        assert "mỗi tệp tối đa 10 MB" in str(AppealForm().fields["files"].help_text)
        assert "tối đa 10 MB" in str(EntryForm(**empty).fields["evidence"].help_text)
