"""The evaluation workflow (issue 6): task lines, the steps, quota, publication, appeal."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from evaluations import assessment, tasklines
from evaluations.models import (
    AppealStatus,
    EntryStatus,
    Evaluation,
    EvaluationRole,
    EvaluationState,
    PlanItem,
    PlanStatus,
    Rating,
    WorkEntry,
)
from kpi_portal.models import AuditEvent, Notification

pytestmark = pytest.mark.django_db

FULL = ["10", "10", "10"]


def give_work(user, period, product, assigned, done, *, planned=True, **review):
    """A plan item and its approved work, written directly: these tests are about scoring."""
    person = user.person
    item = None
    if planned:
        item = PlanItem.objects.create(
            period=period,
            person=person,
            product=product,
            quantity=Decimal(assigned),
            coefficient=product.coefficient,
            due_date=period.end,
            status=PlanStatus.ASSIGNED,
            created_by=user,
        )
    if Decimal(done) > 0:
        WorkEntry.objects.create(
            period=period,
            person=person,
            unit=person.primary_assignment_on(period.start).unit,
            author_role="staff",
            product=product,
            plan_item=item,
            quantity=Decimal(done),
            approved_quantity=Decimal(done),
            coefficient=product.coefficient,
            completed_on=period.start + timedelta(days=3),
            status=EntryStatus.APPROVED,
            **review,
        )
    return item


@pytest.fixture
def opened(period, products, quota):
    assessment.evaluations_open(period=period)
    return period


def evaluation_of(user, period):
    return Evaluation.objects.get(person__user=user, period=period)


def test_opening_a_period_creates_one_evaluation_per_active_person_once(
    opened, head_a, staff_a, units
):
    evaluations = Evaluation.objects.filter(period=opened)
    assert evaluations.count() == 13
    assert assessment.evaluations_open(period=opened) == 0
    mine = evaluation_of(staff_a, opened)
    assert (mine.unit.code, mine.deciding_unit.code, mine.role) == (
        "T-A",
        "T-SO",
        EvaluationRole.STAFF,
    )
    assert evaluation_of(head_a, opened).role == EvaluationRole.LEADER


def test_each_plan_item_is_a_line_and_work_outside_the_plan_adds_a_line_with_nothing_assigned(
    opened, staff_a, products
):
    give_work(staff_a, opened, products["VB"], "2", "2", major_errors=1)
    give_work(staff_a, opened, products["BC"], "0", "3", planned=False)
    lines = tasklines.build_lines(staff_a.person, opened)
    assert [(str(line.assigned), str(line.done)) for line in lines.lines] == [
        ("2.00", "2.00"),
        ("0", "3.00"),
    ]
    assert lines.lines[0].major_errors == 1
    assert "ngoài kế hoạch" in lines.labels[1]


def test_without_a_plan_the_quota_prorated_to_days_worked_is_the_baseline(opened, staff_a, units):
    from orgunits.models import Assignment

    Assignment.objects.filter(person=staff_a.person).update(
        start=date(2026, 3, 17)
    )  # 15 of 31 days
    lines = tasklines.build_lines(staff_a.person, opened)
    assert lines.lines[0].assigned == (Decimal("44") * 15 / 31).quantize(Decimal("0.01"))
    assert lines.lines[0].coefficient == 1


def test_with_neither_plan_nor_quota_the_person_is_not_rated_and_told_why(
    period, products, staff_a
):
    assessment.evaluations_open(period=period)
    evaluation = assessment.evaluation_refresh(evaluation=evaluation_of(staff_a, period))
    assert evaluation.computed_rating == Rating.NOT_RATED
    assert "định mức" in evaluation.not_rated_reason


def test_self_assessment_computes_the_live_score_from_approved_work(opened, staff_a, products):
    give_work(staff_a, opened, products["VB"], "4", "4", major_errors=1)
    evaluation = assessment.evaluation_self_assess(
        by=staff_a,
        evaluation=evaluation_of(staff_a, opened),
        general=["9.5", "9", "8"],
        notes=["", "", ""],
    )
    assert (evaluation.general_score, evaluation.task_score, evaluation.total) == (
        Decimal("26.50"),
        Decimal("64.17"),
        Decimal("90.67"),
    )
    assert evaluation.computed_rating == Rating.HTXS
    assert evaluation.state == EvaluationState.SELF_ASSESSED
    assert AuditEvent.objects.filter(
        action="evaluation.self_assess", object_id=str(evaluation.pk)
    ).exists()


def test_general_points_above_a_groups_maximum_are_refused(opened, staff_a):
    with pytest.raises(ValidationError, match="phải từ 0 đến 10"):
        assessment.evaluation_self_assess(
            by=staff_a,
            evaluation=evaluation_of(staff_a, opened),
            general=["11", "9", "9"],
            notes=[],
        )


def test_nobody_self_assesses_for_someone_else(opened, staff_a, staff_a2):
    with pytest.raises(PermissionDenied):
        assessment.evaluation_self_assess(
            by=staff_a2, evaluation=evaluation_of(staff_a, opened), general=FULL, notes=[]
        )


def test_the_head_must_give_a_reason_for_each_changed_point(opened, staff_a, head_a):
    evaluation = assessment.evaluation_self_assess(
        by=staff_a, evaluation=evaluation_of(staff_a, opened), general=FULL, notes=[]
    )
    with pytest.raises(ValidationError, match="phải ghi lý do"):
        assessment.evaluation_head_assess(
            by=head_a, evaluation=evaluation, general=["8", "10", "10"]
        )
    done = assessment.evaluation_head_assess(
        by=head_a,
        evaluation=evaluation,
        general=["8", "10", "10"],
        reasons=["Chậm báo cáo tháng", "", ""],
    )
    assert done.state == EvaluationState.HEAD_ASSESSED
    assert done.head_reasons[0] == "Chậm báo cáo tháng"


def test_a_leader_needs_an_organizing_score_from_the_superior(opened, head_a, head_agency):
    evaluation = assessment.evaluation_self_assess(
        by=head_a, evaluation=evaluation_of(head_a, opened), general=FULL, notes=[]
    )
    with pytest.raises(ValidationError, match="năng lực tổ chức"):
        assessment.evaluation_head_assess(by=head_agency, evaluation=evaluation, general=FULL)
    done = assessment.evaluation_head_assess(
        by=head_agency, evaluation=evaluation, general=FULL, organizing=Decimal("0.8")
    )
    assert done.organizing == Decimal("0.8")


def test_discipline_forces_not_completed_whatever_the_points(opened, staff_a, head_a, products):
    give_work(staff_a, opened, products["BC"], "2", "2")
    evaluation = assessment.evaluation_self_assess(
        by=staff_a, evaluation=evaluation_of(staff_a, opened), general=FULL, notes=[]
    )
    done = assessment.evaluation_head_assess(
        by=head_a, evaluation=evaluation, general=FULL, disciplined=True
    )
    assert (done.band_rating, done.computed_rating, done.capped_by) == (
        Rating.HTXS,
        Rating.KHT,
        "disciplined",
    )


def test_the_head_returns_a_self_assessment_with_a_note_and_the_person_is_told(
    opened, staff_a, head_a
):
    evaluation = assessment.evaluation_self_assess(
        by=staff_a, evaluation=evaluation_of(staff_a, opened), general=FULL, notes=[]
    )
    returned = assessment.evaluation_return(
        by=head_a, evaluation=evaluation, note="Bổ sung giải trình nhóm 2"
    )
    assert returned.state == EvaluationState.DRAFT
    assert Notification.objects.filter(recipient=staff_a, kind="evaluation.returned").exists()


def test_only_the_agencys_hr_officer_checks(opened, staff_a, head_a, hr_officer, org_dept_viewer):
    evaluation = assessment.evaluation_self_assess(
        by=staff_a, evaluation=evaluation_of(staff_a, opened), general=FULL, notes=[]
    )
    evaluation = assessment.evaluation_head_assess(by=head_a, evaluation=evaluation, general=FULL)
    with pytest.raises(PermissionDenied):
        assessment.evaluation_hr_check(by=org_dept_viewer, evaluation=evaluation)
    assert assessment.evaluation_hr_check(
        by=hr_officer, evaluation=evaluation, note="Đúng quy trình"
    ).state == (EvaluationState.HR_CHECKED)


# ---- the decision, the quota, publication and appeal --------------------------------------------


@pytest.fixture
def assessed(
    opened,
    products,
    head_a,
    head_agency,
    deputy_a,
    staff_a,
    staff_a2,
    staff_a1a,
    outsider_b,
    head_b,
    hr_officer,
    sector_admin,
):
    """In Sở Thử nghiệm: two HTXS and five HTT people of one group; everyone else assessed."""
    strong = {staff_a: "2", staff_a2: "2"}
    good = [staff_a1a]
    for user, done in strong.items():
        give_work(user, opened, products["VB"], "2", done)
    for user in good:
        give_work(user, opened, products["VB"], "5", "3")
    for user in (*strong, *good):
        evaluation = assessment.evaluation_self_assess(
            by=user, evaluation=evaluation_of(user, opened), general=FULL, notes=[]
        )
        reviewer = deputy_a if user is not staff_a1a else head_a
        assessment.evaluation_head_assess(by=reviewer, evaluation=evaluation, general=FULL)
    others = Evaluation.objects.filter(period=opened).exclude(person__user__in=[*strong, *good])
    for user in (outsider_b, head_b, hr_officer, sector_admin):  # named: row order varies
        give_work(user, opened, products["VB"], "5", "3")
    others.update(state=EvaluationState.HEAD_ASSESSED, head_general=FULL, organizing=Decimal("1"))
    return opened


def test_a_decision_is_refused_while_a_group_is_over_the_excellent_quota(
    assessed, head_agency, units
):
    queue = list(assessment.decision_queue(units["T-SO"], assessed))
    for evaluation in queue:
        assessment._store(evaluation, assessment.compute(evaluation))
    status = assessment.quota_status(queue)
    assert [(g.result.htxs, g.result.htt, g.result.cap, g.result.over_by) for g in status] == [
        (2, 5, 1, 1)
    ]
    with pytest.raises(ValidationError, match="vượt tỷ lệ Hoàn thành xuất sắc"):
        assessment.evaluations_decide(
            by=head_agency,
            deciding_unit=units["T-SO"],
            period=assessed,
            decision_number="15/QĐ-STN",
            decision_date=date(2026, 4, 2),
        )
    assert not Evaluation.objects.filter(period=assessed, state=EvaluationState.DECIDED).exists()


def test_the_decider_resolves_the_quota_by_downgrading_with_a_reason(
    assessed, head_agency, staff_a, units
):
    target = evaluation_of(staff_a, assessed)
    with pytest.raises(ValidationError, match="lý do hạ mức"):
        assessment.evaluations_decide(
            by=head_agency,
            deciding_unit=units["T-SO"],
            period=assessed,
            decision_number="15/QĐ-STN",
            decision_date=date(2026, 4, 2),
            downgrades={target.pk: " "},
        )
    decided = assessment.evaluations_decide(
        by=head_agency,
        deciding_unit=units["T-SO"],
        period=assessed,
        decision_number="15/QĐ-STN",
        decision_date=date(2026, 4, 2),
        downgrades={target.pk: "Vượt tỷ lệ 20%, xét theo tổng điểm"},
    )
    assert decided == 11  # the two Ban Tổ chức people are decided by T-BTC
    target.refresh_from_db()
    assert (target.computed_rating, target.rating) == (Rating.HTXS, Rating.HTT)
    assert target.decisions.get().snapshot["rating"] == Rating.HTT


def test_only_the_head_of_the_deciding_agency_decides(assessed, head_a, units):
    with pytest.raises(PermissionDenied):
        assessment.evaluations_decide(
            by=head_a,
            deciding_unit=units["T-SO"],
            period=assessed,
            decision_number="1/QĐ",
            decision_date=date(2026, 4, 2),
        )


@pytest.fixture
def published(assessed, head_agency, staff_a, units):
    target = evaluation_of(staff_a, assessed)
    assessment.evaluations_decide(
        by=head_agency,
        deciding_unit=units["T-SO"],
        period=assessed,
        decision_number="15/QĐ-STN",
        decision_date=date(2026, 4, 2),
        downgrades={target.pk: "Vượt tỷ lệ"},
    )
    assessment.evaluations_publish(by=head_agency, deciding_unit=units["T-SO"], period=assessed)
    return assessed


def test_a_decided_result_never_changes_when_the_data_changes_afterwards(
    published, staff_a2, products
):
    evaluation = evaluation_of(staff_a2, published)
    before = (evaluation.total, evaluation.rating)
    give_work(staff_a2, published, products["BC"], "0", "50", planned=False)
    products["VB"].coefficient = Decimal("0.5")
    products["VB"].save()
    refreshed = assessment.evaluation_refresh(evaluation=evaluation)
    assert (refreshed.total, refreshed.rating) == before


def test_publication_tells_each_person_their_grade(published, staff_a):
    assert evaluation_of(staff_a, published).state == EvaluationState.PUBLISHED
    note = Notification.objects.get(recipient=staff_a, kind="evaluation.published")
    assert "Hoàn thành tốt nhiệm vụ" in note.title


def test_an_accepted_appeal_rescores_into_a_new_decision_version(published, staff_a, head_agency):
    evaluation = evaluation_of(staff_a, published)
    appeal = assessment.appeal_file(
        by=staff_a, evaluation=evaluation, text="Đề nghị xem xét lại tỷ lệ"
    )
    with pytest.raises(ValidationError, match="đang được xem xét"):
        assessment.appeal_file(by=staff_a, evaluation=evaluation, text="Lần hai")
    resolved = assessment.appeal_resolve(
        by=head_agency,
        appeal=appeal,
        accept=True,
        resolution="Chấp nhận; nhóm còn chỉ tiêu",
        rating=Rating.HTXS,
    )
    assert resolved.status == AppealStatus.ACCEPTED
    evaluation.refresh_from_db()
    assert evaluation.rating == Rating.HTXS
    assert [d.number for d in evaluation.decisions.all()] == [1, 2]
    assert AuditEvent.objects.filter(action="appeal.accept").exists()


def test_an_appeal_after_the_working_day_limit_is_refused(published, staff_a):
    evaluation = evaluation_of(staff_a, published)
    Evaluation.objects.filter(pk=evaluation.pk).update(
        published_at=timezone.now() - timedelta(days=10)
    )
    with pytest.raises(ValidationError, match="quá thời hạn khiếu nại"):
        assessment.appeal_file(by=staff_a, evaluation=evaluation, text="Muộn")


def test_working_days_skip_weekends():
    assert assessment.add_working_days(date(2026, 11, 27), 5) == date(
        2026, 12, 4
    )  # Fri + 5 → next Fri


def test_the_year_is_the_mean_of_the_rated_periods_totals(published, staff_a2):
    annual = assessment.annual_compute(person=staff_a2.person, year=2026)
    march = evaluation_of(staff_a2, published)
    assert annual.total == march.total
    assert annual.periods_rated == 1
    assert annual.computed_rating == march.computed_rating


def test_a_collective_rating_uses_the_agencys_aggregated_completion(
    published, head_agency, system_admin, units
):
    collective = assessment.collective_assess(
        by=system_admin, unit=units["T-SO"], year=2026, general=FULL, head_capped=True
    )
    assert Decimal("0") < collective.task_completion < Decimal("1")
    expected = Decimal("30") + Decimal("70") * collective.task_completion
    assert abs(collective.total - expected) <= Decimal("0.01")
    with pytest.raises(PermissionDenied):
        assessment.collective_assess(by=head_agency, unit=units["T-SO"], year=2026, general=FULL)
