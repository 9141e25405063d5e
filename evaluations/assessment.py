"""The evaluation workflow: self → head → HR check → decision (quota) → publication → appeal."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.services import criteria_version_for
from kpi_portal import audit
from kpi_portal.notifications import notify
from kpi_portal.uploads import validate_evidence
from orgunits import permissions as org_permissions
from orgunits import roles
from orgunits.models import Assignment, OrgUnit, Person, Role, UnitKind, User

from . import scoring, services, tasklines
from .models import (
    AnnualResult,
    Appeal,
    AppealAttachment,
    AppealStatus,
    CollectiveEvaluation,
    DecisionVersion,
    Evaluation,
    EvaluationRole,
    EvaluationState,
    Period,
    PeriodPolicy,
    PeriodState,
    QuarterResult,
    Rating,
)

DECIDING_KINDS = (
    UnitKind.AGENCY,
    UnitKind.COMMUNE,
    UnitKind.WARD,
    UnitKind.SPECIAL_ZONE,
    UnitKind.PUBLIC_SERVICE,
)
OPEN_STATES = (
    EvaluationState.DRAFT,
    EvaluationState.SELF_ASSESSED,
    EvaluationState.HEAD_ASSESSED,
    EvaluationState.HR_CHECKED,
)


def add_working_days(start: date, days: int) -> date:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def deciding_unit_of(unit: OrgUnit) -> OrgUnit:
    """The nearest agency, commune or public-service unit at or above `unit`."""
    if unit.kind in DECIDING_KINDS:
        return unit
    for ancestor in reversed(list(OrgUnit.objects.get_ancestors(unit))):
        if ancestor.kind in DECIDING_KINDS:
            return ancestor
    return unit


# ---- opening -------------------------------------------------------------------------------


@transaction.atomic
def evaluations_open(*, period: Period, by: User | None = None) -> int:
    """One evaluation per active person with a primary assignment in the period; idempotent."""
    existing = set(Evaluation.objects.filter(period=period).values_list("person_id", flat=True))
    on = min(period.end, max(period.start, timezone.localdate()))
    assignments = (
        Assignment.objects.active_on(on)
        .filter(is_primary=True, person__is_active=True)
        .exclude(person_id__in=existing)
        .select_related("unit", "person__job_position")
    )
    deciding_cache: dict[int, OrgUnit] = {}
    version_cache: dict[int, object] = {}
    rows = []
    for a in assignments:
        if a.unit_id not in deciding_cache:
            deciding_cache[a.unit_id] = deciding_unit_of(a.unit)
            version_cache[a.unit_id] = criteria_version_for(unit=a.unit, on=period.start)
        rows.append(
            Evaluation(
                period=period,
                person=a.person,
                unit=a.unit,
                deciding_unit=deciding_cache[a.unit_id],
                position_group_id=a.person.job_position.group_id
                if a.person.job_position_id
                else None,
                role=EvaluationRole.LEADER
                if a.role in roles.LEADER_ROLES
                else EvaluationRole.STAFF,
                author_role=a.role,
                criteria_version=version_cache[a.unit_id],
            )
        )
    Evaluation.objects.bulk_create(rows, batch_size=2000)
    if rows:
        audit.record(
            by=by, action="evaluation.open", obj=period, changes={"evaluations": [0, len(rows)]}
        )
    return len(rows)


# ---- scoring -------------------------------------------------------------------------------


def _general(values, rules: scoring.ScoringRules) -> list[Decimal]:
    """Points per general group, validated against the version's maxima."""
    groups = rules.general_groups
    if len(values) != len(groups):
        raise ValidationError(_("Phải chấm đủ %(n)s nhóm tiêu chí chung.") % {"n": len(groups)})
    points = []
    for value, (name, maximum) in zip(values, groups, strict=True):
        try:
            point = Decimal(str(value))
        except (InvalidOperation, ValueError):
            raise ValidationError(_("Điểm nhóm “%(g)s” không phải là số.") % {"g": name}) from None
        if not Decimal("0") <= point <= maximum or point != point.quantize(Decimal("0.01")):
            raise ValidationError(
                _("Điểm nhóm “%(g)s” phải từ 0 đến %(m)s, tối đa hai chữ số thập phân.")
                % {"g": name, "m": maximum}
            )
        points.append(point)
    return points


def subordinate_ratings(evaluation: Evaluation) -> list[str]:
    """Ratings of the people a leader approves (their unit's staff and the units below)."""
    return subordinate_ratings_of([evaluation])[evaluation.pk]


def subordinate_ratings_of(leaders: list[Evaluation]) -> dict[int, list[str]]:
    """`subordinate_ratings` of several leaders' evaluations, from one read of their subtrees."""
    result: dict[int, list[str]] = {}
    for period_id in {leader.period_id for leader in leaders}:
        mine = [leader for leader in leaders if leader.period_id == period_id]
        subtrees = Q(pk__in=[])
        for path in {leader.unit.path for leader in mine}:
            subtrees |= Q(unit__path__startswith=path)
        others = list(
            Evaluation.objects.filter(subtrees, period_id=period_id).values_list(
                "pk", "unit__path", "author_role", "rating", "computed_rating"
            )
        )
        for leader in mine:
            scope = (leader.unit.path, roles.rank(leader.author_role), None)
            result[leader.pk] = [
                rating or computed
                for pk, path, role, rating, computed in others
                if pk != leader.pk
                and path.startswith(leader.unit.path)
                and roles.scope_covers(scope, path, role)
                and (rating or computed) not in ("", Rating.NOT_RATED)
            ]
    return result


@dataclass(frozen=True)
class Score:
    result: scoring.IndividualResult
    lines: tasklines.Lines


def compute(
    evaluation: Evaluation,
    general=None,
    organizing=None,
    *,
    lines: tasklines.Lines | None = None,
    subordinates: list[str] | None = None,
) -> Score:
    """The live score of an evaluation from its data (pure engine over today's rows).

    `lines` (the person's task lines) and, for a leader, `subordinates` (their staff's ratings)
    are passed when the caller read them for many people at once.
    """
    rules = tasklines.rules_of(evaluation.criteria_version)
    if lines is None:
        lines = tasklines.build_lines(evaluation.person, evaluation.period)
    general = (
        general if general is not None else (evaluation.head_general or evaluation.self_general)
    )
    points = _general(general, rules) if general else [Decimal("0")] * len(rules.general_groups)
    leader = None
    if evaluation.role == EvaluationRole.LEADER:
        organizing = organizing if organizing is not None else evaluation.organizing
        leader = scoring.LeaderFactors(
            subordinate_ratings=tuple(
                subordinates if subordinates is not None else subordinate_ratings(evaluation)
            ),
            organizing=Decimal(organizing if organizing is not None else 0),
        )
    flags = scoring.Flags(evaluation.disciplined, evaluation.degraded, evaluation.unit_corruption)
    if not lines.lines:
        result = scoring.IndividualResult(
            None, None, None, scoring.Rating.NOT_RATED, None, None, scoring.Rating.NOT_RATED
        )
        return Score(result, lines)
    result = scoring.score_individual(
        rules=rules,
        general=points,
        tasks=lines.lines,
        role=evaluation.role,
        leader=leader,
        flags=flags,
    )
    return Score(result, lines)


def _store(evaluation: Evaluation, score: Score) -> None:
    result = score.result
    evaluation.task_lines = tasklines.lines_as_json(score.lines)
    evaluation.general_score, evaluation.task_score, evaluation.total = (
        result.general,
        result.task,
        result.total,
    )
    evaluation.ratios = (
        {k: str(scoring.round_half_up(v, 4)) for k, v in vars(result.ratios).items()}
        if result.ratios
        else {}
    )
    evaluation.band_rating = str(result.band_rating)
    evaluation.computed_rating = str(result.rating)
    evaluation.capped_by = result.capped_by or ""
    evaluation.not_rated_reason = score.lines.not_rated_reason


def _locked(evaluation: Evaluation) -> Evaluation:
    return (
        Evaluation.objects.select_for_update(of=("self",))
        .select_related("period", "person__user", "unit", "deciding_unit", "criteria_version")
        .get(pk=evaluation.pk)
    )


def _require_open(evaluation: Evaluation, states=OPEN_STATES) -> None:
    if evaluation.state not in states or evaluation.period.state in (PeriodState.LOCKED,):
        raise ValidationError(
            _("Phiếu đánh giá đang ở bước “%(s)s”, không thể thực hiện thao tác này.")
            % {"s": evaluation.get_state_display()}
        )


@transaction.atomic
def evaluation_refresh(*, evaluation: Evaluation) -> Evaluation:
    """Recompute the live score of an undecided evaluation."""
    evaluation = _locked(evaluation)
    if evaluation.is_decided:
        return evaluation
    _store(evaluation, compute(evaluation))
    evaluation.save()
    return evaluation


# ---- who may do what -----------------------------------------------------------------------


def _acting(by: User, evaluation: Evaluation) -> tuple[bool, User | None]:
    today = timezone.localdate()
    for scope in roles.approval_scopes(by, today):
        if roles.scope_covers(scope, evaluation.unit.path, evaluation.author_role):
            acting = scope[2]
            return True, (User.objects.get(username=acting) if acting else None)
    return False, None


def can_assess(by: User, evaluation: Evaluation) -> bool:
    return evaluation.person.user_id != by.pk and _acting(by, evaluation)[0]


def can_hr_check(by: User, evaluation: Evaluation) -> bool:
    return roles.has_role(by, timezone.localdate(), Role.HR_OFFICER, evaluation.deciding_unit)


def can_decide(by: User, deciding_unit: OrgUnit) -> bool:
    """The head of the deciding unit (or a live delegate), or a leader above it."""
    today = timezone.localdate()
    for path, rank, _acting_for in roles.approval_scopes(by, today):
        if deciding_unit.path.startswith(path) and (deciding_unit.path != path or rank >= 2):
            return True
    return False


# ---- steps ---------------------------------------------------------------------------------


@transaction.atomic
def evaluation_self_assess(
    *, by: User, evaluation: Evaluation, general, notes, comment: str = ""
) -> Evaluation:
    """Mẫu 01: the person's own general points; the task summary comes from approved work."""
    evaluation = _locked(evaluation)
    if evaluation.person.user_id != by.pk:
        raise PermissionDenied
    _require_open(evaluation, (EvaluationState.DRAFT, EvaluationState.SELF_ASSESSED))
    rules = tasklines.rules_of(evaluation.criteria_version)
    points = _general(general, rules)
    before = {"self_general": evaluation.self_general, "state": evaluation.state}
    evaluation.self_general = [str(p) for p in points]
    evaluation.self_notes = [str(n)[:500] for n in notes][: len(points)]
    evaluation.self_comment = comment
    evaluation.self_assessed_at = timezone.now()
    evaluation.state = EvaluationState.SELF_ASSESSED
    _store(evaluation, compute(evaluation, general=points))
    evaluation.version += 1
    evaluation.save()
    audit.record(
        by=by,
        action="evaluation.self_assess",
        obj=evaluation,
        unit_path=evaluation.unit.path,
        changes=audit.diff(
            before, {"self_general": evaluation.self_general, "state": evaluation.state}
        ),
    )
    return evaluation


@transaction.atomic
def evaluation_head_assess(
    *,
    by: User,
    evaluation: Evaluation,
    general,
    reasons=(),
    comment: str = "",
    organizing: Decimal | None = None,
    disciplined: bool = False,
    degraded: bool = False,
    unit_corruption: bool = False,
) -> Evaluation:
    """The head adjusts general points (reasons kept), sets leader factors and overrides."""
    evaluation = _locked(evaluation)
    allowed, acting = _acting(by, evaluation)
    if not allowed or evaluation.person.user_id == by.pk:
        raise PermissionDenied
    _require_open(evaluation, (EvaluationState.SELF_ASSESSED, EvaluationState.HEAD_ASSESSED))
    rules = tasklines.rules_of(evaluation.criteria_version)
    points = _general(general, rules)
    reasons = [str(r)[:500] for r in reasons] + [""] * len(points)
    self_points = [Decimal(p) for p in evaluation.self_general]
    for index, (point, own) in enumerate(zip(points, self_points, strict=False)):
        if point != own and not reasons[index].strip():
            raise ValidationError(
                _("Điều chỉnh điểm nhóm “%(g)s” phải ghi lý do.")
                % {"g": rules.general_groups[index][0]}
            )
    is_leader = evaluation.role == EvaluationRole.LEADER
    if is_leader and (organizing is None or not Decimal(0) <= Decimal(organizing) <= Decimal(1)):
        raise ValidationError(
            _("Phải cho điểm năng lực tổ chức thực hiện từ 0 đến 1 đối với lãnh đạo.")
        )
    before = {
        "head_general": evaluation.head_general,
        "state": evaluation.state,
        "organizing": evaluation.organizing,
        "disciplined": evaluation.disciplined,
        "degraded": evaluation.degraded,
        "unit_corruption": evaluation.unit_corruption,
    }
    evaluation.head_general = [str(p) for p in points]
    evaluation.head_reasons = reasons[: len(points)]
    evaluation.head_comment = comment
    evaluation.organizing = Decimal(organizing) if organizing is not None else None
    evaluation.disciplined, evaluation.degraded = disciplined, degraded
    evaluation.unit_corruption = unit_corruption and evaluation.role == EvaluationRole.LEADER
    evaluation.head_by, evaluation.head_on_behalf_of = by, acting
    evaluation.head_assessed_at = timezone.now()
    evaluation.state = EvaluationState.HEAD_ASSESSED
    _store(evaluation, compute(evaluation, general=points, organizing=evaluation.organizing))
    evaluation.version += 1
    evaluation.save()
    after = {
        "head_general": evaluation.head_general,
        "state": evaluation.state,
        "organizing": evaluation.organizing,
        "disciplined": disciplined,
        "degraded": degraded,
        "unit_corruption": evaluation.unit_corruption,
    }
    audit.record(
        by=by,
        action="evaluation.head_assess",
        obj=evaluation,
        on_behalf_of=acting,
        unit_path=evaluation.unit.path,
        changes=audit.diff(before, after),
        reason="; ".join(r for r in reasons if r),
    )
    return evaluation


@transaction.atomic
def evaluation_return(*, by: User, evaluation: Evaluation, note: str) -> Evaluation:
    """The head sends the self-assessment back to the person with a note."""
    evaluation = _locked(evaluation)
    allowed, acting = _acting(by, evaluation)
    if not allowed:
        raise PermissionDenied
    _require_open(evaluation, (EvaluationState.SELF_ASSESSED, EvaluationState.HEAD_ASSESSED))
    if not note.strip():
        raise ValidationError(_("Phải ghi lý do trả lại phiếu."))
    old = evaluation.state
    evaluation.state, evaluation.return_note = EvaluationState.DRAFT, note
    evaluation.version += 1
    evaluation.save()
    audit.record(
        by=by,
        action="evaluation.return",
        obj=evaluation,
        reason=note,
        on_behalf_of=acting,
        unit_path=evaluation.unit.path,
        changes={"state": [old, evaluation.state]},
    )
    notify(
        recipients=[evaluation.person.user],
        kind="evaluation.returned",
        title=_("Phiếu tự đánh giá kỳ %(p)s bị trả lại") % {"p": evaluation.period},
        body=note,
        url=reverse("evaluations:evaluation_detail", args=[evaluation.pk]),
    )
    return evaluation


@transaction.atomic
def evaluation_hr_check(*, by: User, evaluation: Evaluation, note: str = "") -> Evaluation:
    """Thẩm định by the agency's HR officer (optional step)."""
    evaluation = _locked(evaluation)
    if not can_hr_check(by, evaluation):
        raise PermissionDenied
    _require_open(evaluation, (EvaluationState.HEAD_ASSESSED,))
    evaluation.state, evaluation.hr_by, evaluation.hr_note = EvaluationState.HR_CHECKED, by, note
    evaluation.hr_checked_at = timezone.now()
    evaluation.version += 1
    evaluation.save()
    audit.record(
        by=by,
        action="evaluation.hr_check",
        obj=evaluation,
        reason=note,
        unit_path=evaluation.unit.path,
        changes={"state": [EvaluationState.HEAD_ASSESSED, EvaluationState.HR_CHECKED]},
    )
    return evaluation


# ---- decision ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupQuota:
    group_id: int | None
    group_name: str
    result: scoring.QuotaResult


def quota_status(
    evaluations: list[Evaluation], downgrades: dict[int, str] | None = None
) -> list[GroupQuota]:
    """The "xuất sắc" cap per job-position group, counting chosen downgrades as HTT."""
    downgrades = downgrades or {}
    groups: dict[int | None, list[Evaluation]] = defaultdict(list)
    for evaluation in evaluations:
        groups[evaluation.position_group_id].append(evaluation)
    status = []
    for group_id, members in groups.items():
        rules = tasklines.rules_of(members[0].criteria_version)
        quota_members = [
            scoring.QuotaMember(id=e.pk, total=e.total, rating=_quota_rating(e, downgrades))
            for e in members
        ]
        name = (
            members[0].position_group.name
            if members[0].position_group_id
            else _("Chưa xác định nhóm")
        )
        status.append(
            GroupQuota(group_id, name, scoring.check_quota(rules=rules, members=quota_members))
        )
    return status


def _quota_rating(evaluation: Evaluation, downgrades: dict[int, str]) -> scoring.Rating:
    """Decided people count with their decided rating (a downgrade stays a downgrade)."""
    if evaluation.pk in downgrades:
        return scoring.Rating.HTT
    if evaluation.is_decided and evaluation.rating:
        return scoring.Rating(evaluation.rating)
    return scoring.Rating(evaluation.computed_rating or "CHUA_XEP_LOAI")


def decision_queue(deciding_unit: OrgUnit, period: Period):
    return (
        Evaluation.objects.filter(period=period, deciding_unit=deciding_unit)
        .select_related("person", "unit", "position_group", "criteria_version")
        .order_by("position_group__name", "-total", "person__full_name")
    )


@transaction.atomic
def evaluations_decide(
    *,
    by: User,
    deciding_unit: OrgUnit,
    period: Period,
    decision_number: str,
    decision_date: date,
    downgrades: dict[int, str] | None = None,
) -> int:
    """Decide every assessed evaluation of an agency; refused while a group is over its quota."""
    if not can_decide(by, deciding_unit):
        raise PermissionDenied
    if period.state not in (PeriodState.OPEN, PeriodState.IN_REVIEW, PeriodState.DECIDED):
        raise ValidationError(_("Kỳ %(p)s không còn nhận quyết định.") % {"p": period})
    if not decision_number.strip():
        raise ValidationError(_("Phải ghi số quyết định."))
    downgrades = {int(k): v for k, v in (downgrades or {}).items()}
    evaluations = list(decision_queue(deciding_unit, period).select_for_update(of=("self",)))
    waiting = [
        e for e in evaluations if e.state in (EvaluationState.DRAFT, EvaluationState.SELF_ASSESSED)
    ]
    if waiting:
        raise ValidationError(
            _("Còn %(n)s phiếu chưa được thủ trưởng đánh giá (ví dụ: %(who)s).")
            % {"n": len(waiting), "who": waiting[0].person.full_name}
        )
    for pk, reason in downgrades.items():
        target = next((e for e in evaluations if e.pk == pk), None)
        if target is None or target.computed_rating != Rating.HTXS:
            raise ValidationError(
                _("Chỉ hạ mức được người đang xếp loại Hoàn thành xuất sắc nhiệm vụ.")
            )
        if not reason.strip():
            raise ValidationError(
                _("Phải ghi lý do hạ mức đối với %(n)s.") % {"n": target.person.full_name}
            )
    recompute_staff_then_leaders(evaluations)
    over = [g for g in quota_status(evaluations, downgrades) if g.result.over_by > 0]
    if over:
        group = over[0]
        raise ValidationError(
            _(
                "Nhóm “%(g)s” vượt tỷ lệ Hoàn thành xuất sắc nhiệm vụ: "
                "tối đa %(cap)s người, đang có %(n)s; "
                "hãy chọn %(over)s người hạ mức."
            )
            % {
                "g": group.group_name,
                "cap": group.result.cap,
                "n": group.result.htxs,
                "over": group.result.over_by,
            }
        )
    now, decided = timezone.now(), 0
    for evaluation in evaluations:
        if evaluation.is_decided:
            continue
        reason = downgrades.get(evaluation.pk, "")
        evaluation.rating = Rating.HTT if reason else evaluation.computed_rating
        evaluation.downgrade_reason = reason
        evaluation.state = EvaluationState.DECIDED
        evaluation.decided_by, evaluation.decided_at = by, now
        evaluation.decision_number, evaluation.decision_date = decision_number, decision_date
        evaluation.version += 1
        evaluation.save()
        _version(evaluation, by, reason)
        audit.record(
            by=by,
            action="evaluation.decide",
            obj=evaluation,
            reason=reason,
            unit_path=evaluation.unit.path,
            changes={
                "rating": [evaluation.computed_rating, evaluation.rating],
                "decision_number": [None, decision_number],
            },
        )
        decided += 1
    return decided


def recompute_staff_then_leaders(evaluations: list[Evaluation]) -> None:
    """Leaders score on their people's ratings (the U factor), so their people go first."""
    for evaluation in sorted(evaluations, key=lambda e: e.role == EvaluationRole.LEADER):
        if evaluation.is_decided:
            continue
        _store(evaluation, compute(evaluation))
        if evaluation.role != EvaluationRole.LEADER:
            Evaluation.objects.filter(pk=evaluation.pk).update(
                computed_rating=evaluation.computed_rating
            )


def _version(evaluation: Evaluation, by: User, reason: str) -> DecisionVersion:
    number = evaluation.decisions.count() + 1
    snapshot = {
        "general": evaluation.head_general,
        "task_lines": evaluation.task_lines,
        "general_score": str(evaluation.general_score)
        if evaluation.general_score is not None
        else None,
        "task_score": str(evaluation.task_score) if evaluation.task_score is not None else None,
        "total": str(evaluation.total) if evaluation.total is not None else None,
        "ratios": evaluation.ratios,
        "band_rating": evaluation.band_rating,
        "computed_rating": evaluation.computed_rating,
        "capped_by": evaluation.capped_by,
        "rating": evaluation.rating,
        "decision_number": evaluation.decision_number,
        "criteria_version": evaluation.criteria_version_id,
    }
    return DecisionVersion.objects.create(
        evaluation=evaluation,
        number=number,
        rating=evaluation.rating,
        total=evaluation.total,
        snapshot=snapshot,
        decided_by=by,
        reason=reason,
    )


@transaction.atomic
def evaluations_publish(*, by: User, deciding_unit: OrgUnit, period: Period) -> int:
    """Publish an agency's decided results: people see their breakdown, the unit the grades."""
    if not can_decide(by, deciding_unit):
        raise PermissionDenied
    decided = list(
        Evaluation.objects.select_for_update()
        .filter(period=period, deciding_unit=deciding_unit, state=EvaluationState.DECIDED)
        .select_related("person__user")
    )
    if not decided:
        raise ValidationError(_("Không có kết quả nào đã quyết định để công bố."))
    now = timezone.now()
    for evaluation in decided:
        evaluation.state, evaluation.published_at = EvaluationState.PUBLISHED, now
        evaluation.version += 1
    Evaluation.objects.bulk_update(decided, ["state", "published_at", "version"])
    audit.bulk_record(
        [
            audit.build(
                by=by,
                action="evaluation.publish",
                obj=e,
                unit_path=deciding_unit.path,
                changes={"state": [EvaluationState.DECIDED, EvaluationState.PUBLISHED]},
            )
            for e in decided
        ]
    )
    for evaluation in decided:
        notify(
            recipients=[evaluation.person.user],
            kind="evaluation.published",
            title=_("Kết quả xếp loại kỳ %(p)s: %(r)s")
            % {"p": period, "r": evaluation.get_rating_display()},
            url=reverse("evaluations:evaluation_detail", args=[evaluation.pk]),
        )
    return len(decided)


# ---- appeals -------------------------------------------------------------------------------


def appeal_days(period: Period) -> int:
    """Working days to appeal after publication: the bloc's period policy decides."""
    return services.policy_for(period.bloc).appeal_days


def resolve_days(period: Period) -> int:
    """Working days the decider has to resolve an appeal: the bloc's period policy decides."""
    return services.policy_for(period.bloc).appeal_resolve_days


def appeal_deadline(evaluation: Evaluation) -> date | None:
    if evaluation.published_at is None:
        return None
    return add_working_days(
        timezone.localtime(evaluation.published_at).date(), appeal_days(evaluation.period)
    )


@transaction.atomic
def appeal_file(*, by: User, evaluation: Evaluation, text: str, files=()) -> Appeal:
    """Khiếu nại within the working-day limit after publication, with attachments."""
    evaluation = _locked(evaluation)
    if evaluation.person.user_id != by.pk:
        raise PermissionDenied
    if evaluation.state != EvaluationState.PUBLISHED:
        raise ValidationError(_("Chỉ khiếu nại được kết quả đã công bố."))
    deadline = appeal_deadline(evaluation)
    today = timezone.localdate()
    if deadline is None or today > deadline:
        raise ValidationError(
            _("Đã quá thời hạn khiếu nại (%(n)s ngày làm việc sau khi công bố).")
            % {"n": appeal_days(evaluation.period)}
        )
    if not text.strip():
        raise ValidationError(_("Phải ghi nội dung khiếu nại."))
    if evaluation.appeals.filter(status=AppealStatus.OPEN).exists():
        raise ValidationError(_("Đã có khiếu nại đang được xem xét."))
    kinds = [validate_evidence(f) for f in files]
    due_on = add_working_days(today, resolve_days(evaluation.period))
    appeal = Appeal.objects.create(evaluation=evaluation, text=text, due_on=due_on)
    for upload, kind in zip(files, kinds, strict=True):
        attachment = AppealAttachment(
            appeal=appeal, name=upload.name[:255], content_type=kind.content_type
        )
        attachment.file.save(upload.name, upload, save=True)
    audit.record(
        by=by, action="appeal.file", obj=appeal, reason=text, unit_path=evaluation.unit.path
    )
    notify(
        recipients=[evaluation.decided_by],
        kind="appeal.filed",
        title=_("%(n)s khiếu nại kết quả kỳ %(p)s")
        % {"n": evaluation.person.full_name, "p": evaluation.period},
        url=reverse("evaluations:evaluation_detail", args=[evaluation.pk]),
    )
    return appeal


@transaction.atomic
def appeal_resolve(
    *,
    by: User,
    appeal: Appeal,
    accept: bool,
    resolution: str,
    general=None,
    rating: str | None = None,
) -> Appeal:
    """Accept with a re-score (a new decision version) or reject with reasons."""
    appeal = Appeal.objects.select_for_update().select_related("evaluation").get(pk=appeal.pk)
    evaluation = _locked(appeal.evaluation)
    if not can_decide(by, evaluation.deciding_unit):
        raise PermissionDenied
    if appeal.status != AppealStatus.OPEN:
        raise ValidationError(_("Khiếu nại này đã được giải quyết."))
    if not resolution.strip():
        raise ValidationError(_("Phải ghi kết quả, lý do giải quyết khiếu nại."))
    before = {"rating": evaluation.rating, "total": evaluation.total, "late": False}
    if accept:
        if general is not None:
            rules = tasklines.rules_of(evaluation.criteria_version)
            evaluation.head_general = [str(p) for p in _general(general, rules)]
        _store(evaluation, compute(evaluation))
        evaluation.rating = rating if rating in Rating.values else evaluation.computed_rating
        evaluation.decided_by, evaluation.decided_at = by, timezone.now()
        evaluation.version += 1
        evaluation.save()
        _version(evaluation, by, resolution)
    appeal.resolved_late = appeal.is_overdue_on(timezone.localdate())
    appeal.status = AppealStatus.ACCEPTED if accept else AppealStatus.REJECTED
    appeal.resolution, appeal.resolved_by, appeal.resolved_at = resolution, by, timezone.now()
    appeal.save()
    after = {"rating": evaluation.rating, "total": evaluation.total, "late": appeal.resolved_late}
    audit.record(
        by=by,
        action="appeal.accept" if accept else "appeal.reject",
        obj=appeal,
        reason=resolution,
        unit_path=evaluation.unit.path,
        changes=audit.diff(before, after),
    )
    notify(
        recipients=[evaluation.person.user],
        kind="appeal.resolved",
        title=_("Khiếu nại kỳ %(p)s: %(s)s")
        % {"p": evaluation.period, "s": appeal.get_status_display()},
        body=resolution,
        url=reverse("evaluations:evaluation_detail", args=[evaluation.pk]),
    )
    return appeal


# ---- locking the period after the appeal window --------------------------------------------


def _lock_blocker(period: Period, facts: dict | None, pending: int, appeal_days: int, today):
    """Why the period cannot lock yet, from its evaluations' facts and its open appeals."""
    if period.state == PeriodState.LOCKED:
        return _("Kỳ %(p)s đã khóa.") % {"p": period}
    if not facts:
        return _("Kỳ %(p)s chưa có kết quả nào được công bố.") % {"p": period}
    if facts["unpublished"]:
        return _("Kỳ %(p)s còn %(n)s phiếu đánh giá chưa công bố.") % {
            "p": period,
            "n": facts["unpublished"],
        }
    # The window runs from each publication, so the latest one decides when it closes.
    if facts["latest"] is not None:
        window_ends = add_working_days(timezone.localtime(facts["latest"]).date(), appeal_days)
        if today <= window_ends:
            return _("Kỳ %(p)s còn trong thời hạn khiếu nại (đến hết ngày %(d)s).") % {
                "p": period,
                "d": window_ends.strftime("%d/%m/%Y"),
            }
    if pending:
        return _("Kỳ %(p)s còn %(n)s khiếu nại chưa giải quyết.") % {"p": period, "n": pending}
    return None


def period_lock_blockers(periods, today: date | None = None) -> dict[int, str | None]:
    """`period_lock_blocker` of each period by id, in three queries for any number of periods."""
    periods = list(periods)
    if not periods:
        return {}
    today = today or timezone.localdate()
    ids = [p.pk for p in periods]
    facts = {
        row["period"]: row
        for row in Evaluation.objects.filter(period__in=ids)
        .values("period")
        .annotate(
            unpublished=Count("pk", filter=~Q(state=EvaluationState.PUBLISHED)),
            latest=Max("published_at"),
        )
        .order_by()
    }
    pending = dict(
        Appeal.objects.filter(evaluation__period__in=ids, status=AppealStatus.OPEN)
        .values("evaluation__period")
        .annotate(n=Count("pk"))
        .values_list("evaluation__period", "n")
        .order_by()
    )
    blocs = {p.bloc for p in periods} | {""}
    policies = {p.bloc: p for p in PeriodPolicy.objects.filter(bloc__in=blocs)}
    return {
        period.pk: _lock_blocker(
            period,
            facts.get(period.pk),
            pending.get(period.pk, 0),
            services.policy_among(policies, period.bloc).appeal_days,
            today,
        )
        for period in periods
    }


def period_lock_blocker(period: Period, today: date | None = None) -> str | None:
    """Why the period cannot lock yet (in Vietnamese), or None once every appeal is settled."""
    return period_lock_blockers([period], today)[period.pk]


@transaction.atomic
def period_lock(*, period: Period, by: User | None, today: date | None = None) -> Period:
    """Lock a period once its appeal window has passed and every appeal is resolved.

    `by` is None for the daily beat; a person must be a system administrator.
    """
    if by is not None and not org_permissions.is_system_admin(by):
        raise PermissionDenied
    period = Period.objects.select_for_update().get(pk=period.pk)
    blocker = period_lock_blocker(period, today)
    if blocker:
        raise ValidationError(blocker)
    old, period.state = period.state, PeriodState.LOCKED
    period.save(update_fields=["state"])
    audit.record(
        by=by,
        action="period.lock",
        obj=period,
        reason=_("Hết thời hạn khiếu nại, các khiếu nại đã được giải quyết"),
        changes={"state": [old, PeriodState.LOCKED]},
    )
    return period


def periods_lock_after_appeals(*, today: date | None = None) -> int:
    """The daily beat: lock every period whose results are published and whose appeals are done."""
    today = today or timezone.localdate()
    candidates = list(
        Period.objects.exclude(state=PeriodState.LOCKED)
        .filter(end__lt=today, evaluations__state=EvaluationState.PUBLISHED)
        .distinct()
    )
    blockers = period_lock_blockers(candidates, today)
    locked = 0
    for period in candidates:
        if blockers[period.pk] is None:
            period_lock(period=period, by=None, today=today)
            locked += 1
    return locked


def overdue_appeals(deciding_units, today: date | None = None):
    """Open appeals past their 10-working-day resolution date, the oldest first."""
    return (
        Appeal.objects.filter(
            evaluation__deciding_unit__in=deciding_units,
            status=AppealStatus.OPEN,
            due_on__lt=today or timezone.localdate(),
        )
        .select_related("evaluation__person", "evaluation__period")
        .order_by("due_on", "pk")
    )


# ---- the year and the leaders' quarter -----------------------------------------------------

RATING_ORDER = [Rating.KHT, Rating.HT, Rating.HTT, Rating.HTXS]


def _decided_in_year(year: int):
    return Evaluation.objects.filter(
        period__year=year, state__in=(EvaluationState.DECIDED, EvaluationState.PUBLISHED)
    )


@dataclass(frozen=True)
class Mean:
    """A year or a quarter: the mean of the rated periods' totals, banded, with the overrides."""

    result: scoring.AnnualResult
    rated: int
    evaluations: list[Evaluation]


def mean_of(evaluations: list[Evaluation]) -> Mean:
    """The year rule of the engine over decided evaluations; any period's overrides apply."""
    rules = tasklines.rules_of(evaluations[-1].criteria_version)
    totals = [e.total if e.rating != Rating.NOT_RATED else None for e in evaluations]
    flags = scoring.Flags(
        disciplined=any(e.disciplined for e in evaluations),
        degraded=any(e.degraded for e in evaluations),
        unit_corruption=any(
            e.unit_corruption for e in evaluations if e.role == EvaluationRole.LEADER
        ),
    )
    result = scoring.score_annual(rules=rules, period_totals=totals, flags=flags)
    return Mean(result, sum(1 for t in totals if t is not None), evaluations)


def annual_previews(*, people, year: int) -> dict[int, Mean]:
    """The year of each person (a queryset or ids) as it stands today, in one query; nothing is
    stored. People with no decided period are left out."""
    by_person: dict[int, list[Evaluation]] = {}
    decided = (
        _decided_in_year(year)
        .filter(person__in=people)
        .select_related("period", "unit", "criteria_version")
        .order_by("person_id", "period__start")
    )
    for evaluation in decided:
        by_person.setdefault(evaluation.person_id, []).append(evaluation)
    return {person_id: mean_of(rows) for person_id, rows in by_person.items()}


def annual_preview(*, person, year: int) -> Mean | None:
    """One person's year as it stands today, from the periods decided so far."""
    return annual_previews(people=[person.pk], year=year).get(person.pk)


@transaction.atomic
def annual_compute(*, person, year: int) -> AnnualResult:
    """Year total = mean of rated periods' totals; any period's overrides apply to the year."""
    mean = annual_preview(person=person, year=year)
    if mean is None:
        raise ValidationError(
            _("%(n)s chưa có kỳ nào được quyết định trong năm %(y)s.") % {"n": person, "y": year}
        )
    last, result = mean.evaluations[-1], mean.result
    annual, _created = AnnualResult.objects.select_for_update().get_or_create(
        person=person,
        year=year,
        defaults={"unit": last.unit, "computed_rating": str(result.rating)},
    )
    if annual.decided_at is not None:
        raise ValidationError(
            _("Kết quả năm %(y)s của %(n)s đã được quyết định.") % {"y": year, "n": person}
        )
    annual.unit, annual.total = last.unit, result.total
    annual.computed_rating, annual.capped_by = str(result.rating), result.capped_by or ""
    annual.periods_rated = mean.rated
    annual.save()
    return annual


def annual_deadline(deciding_unit: OrgUnit, year: int) -> date:
    """The day by which the year is decided and published (the bloc's policy; default 15/12)."""
    return services.policy_for(deciding_unit.bloc).annual_deadline(year)


def _year_end_lateness(deciding_unit: OrgUnit, year: int, late_reason: str) -> str:
    """After the deadline a decision or publication still goes ahead, but only with a reason.

    Refusing outright would leave people without the rating their pay and emulation depend
    on; going ahead silently would make the deadline meaningless. So the decider states why,
    the reason stays on the result and in the audit log, and the result is shown as late.
    """
    deadline = annual_deadline(deciding_unit, year)
    if timezone.localdate() <= deadline:
        return ""
    if not late_reason.strip():
        raise ValidationError(
            _(
                "Đã quá hạn quyết định, công bố kết quả xếp loại năm %(y)s (ngày %(d)s). "
                "Phải ghi lý do chậm; lý do được lưu cùng kết quả và nhật ký hệ thống."
            )
            % {"y": year, "d": deadline.strftime("%d/%m/%Y")}
        )
    return late_reason.strip()


def _annual_people(deciding_unit: OrgUnit, year: int):
    return Evaluation.objects.filter(period__year=year, deciding_unit=deciding_unit).values(
        "person"
    )


@transaction.atomic
def annual_decide(*, by: User, deciding_unit: OrgUnit, year: int, late_reason: str = "") -> int:
    """Decide the year for an agency, applying the collective cap on heads where the rule is on."""
    if not can_decide(by, deciding_unit):
        raise PermissionDenied
    results = list(
        AnnualResult.objects.select_for_update()
        .filter(year=year, person__in=_annual_people(deciding_unit, year), decided_at__isnull=True)
        .select_related("person")
    )
    if not results:
        raise ValidationError(_("Chưa có kết quả năm nào được tính để quyết định."))
    late = _year_end_lateness(deciding_unit, year, late_reason)
    collective = CollectiveEvaluation.objects.filter(
        unit=deciding_unit, year=year, head_capped=True
    ).first()
    head_ids = set(
        Assignment.objects.active_on(date(year, 12, 31))
        .filter(unit=deciding_unit, role="head")
        .values_list("person", flat=True)
    )
    now = timezone.now()
    for annual in results:
        rating = annual.computed_rating
        if (
            collective
            and collective.rating
            and annual.person_id in head_ids
            and rating in RATING_ORDER
        ):
            rating = min(rating, collective.rating, key=RATING_ORDER.index)
        annual.rating, annual.decided_by, annual.decided_at = rating, by, now
        annual.late_reason = late or annual.late_reason
        annual.save()
        audit.record(
            by=by,
            action="annual.decide",
            obj=annual,
            reason=late,
            unit_path=deciding_unit.path,
            changes={"rating": [annual.computed_rating, rating], "late": [False, bool(late)]}
            if late
            else {"rating": [annual.computed_rating, rating]},
        )
    return len(results)


@transaction.atomic
def annual_publish(*, by: User, deciding_unit: OrgUnit, year: int, late_reason: str = "") -> int:
    """Publish an agency's decided year: the person and chain see it all, the unit the grades."""
    if not can_decide(by, deciding_unit):
        raise PermissionDenied
    results = list(
        AnnualResult.objects.select_for_update(of=("self",))
        .filter(
            year=year,
            person__in=_annual_people(deciding_unit, year),
            decided_at__isnull=False,
            published_at__isnull=True,
        )
        .select_related("person__user")
    )
    if not results:
        raise ValidationError(_("Không có kết quả năm nào đã quyết định để công bố."))
    late = _year_end_lateness(deciding_unit, year, late_reason)
    now = timezone.now()
    for annual in results:
        annual.published_at = now
        annual.late_reason = annual.late_reason or late
    AnnualResult.objects.bulk_update(results, ["published_at", "late_reason"])
    audit.bulk_record(
        [
            audit.build(
                by=by,
                action="annual.publish",
                obj=annual,
                reason=late,
                unit_path=deciding_unit.path,
                changes={"published": [False, True], "late": [False, True]}
                if late
                else {"published": [False, True]},
            )
            for annual in results
        ]
    )
    for annual in results:
        notify(
            recipients=[annual.person.user],
            kind="annual.published",
            title=_("Kết quả xếp loại năm %(y)s: %(r)s")
            % {"y": year, "r": annual.get_rating_display()},
            url=annual.get_absolute_url(),
        )
    return len(results)


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    last_month = 3 * quarter
    last_day = calendar.monthrange(year, last_month)[1]
    return date(year, last_month - 2, 1), date(year, last_month, last_day)


def _in_quarter(year: int, quarter: int):
    start, end = quarter_bounds(year, quarter)
    return Evaluation.objects.filter(period__start__gte=start, period__end__lte=end)


def quarter_leaders(deciding_unit: OrgUnit, year: int, quarter: int):
    """Leaders (cấp trưởng, cấp phó) the unit decided for in some month of the quarter."""
    ids = (
        _in_quarter(year, quarter)
        .filter(deciding_unit=deciding_unit, role=EvaluationRole.LEADER)
        .values("person")
    )
    return Person.objects.filter(pk__in=ids).order_by("full_name")


@transaction.atomic
def quarter_compute(*, person, year: int, quarter: int) -> QuarterResult:
    """Kết luận 198-KL/TW: a leader's quarter is the mean of its months, banded as the year."""
    evaluations = list(
        _in_quarter(year, quarter)
        .filter(person=person)
        .select_related("period", "unit", "deciding_unit", "criteria_version")
        .order_by("period__start")
    )
    label = {"n": person, "q": quarter, "y": year}
    if not evaluations:
        raise ValidationError(_("%(n)s không có kỳ đánh giá nào trong quý %(q)s/%(y)s.") % label)
    undecided = [e for e in evaluations if not e.is_decided]
    if undecided:
        raise ValidationError(
            _("%(n)s: kỳ %(p)s chưa được quyết định xếp loại.")
            % {"n": person, "p": undecided[0].period}
        )
    last = evaluations[-1]
    if last.role != EvaluationRole.LEADER:
        raise ValidationError(
            _("%(n)s không phải cấp trưởng, cấp phó vào cuối quý %(q)s/%(y)s.") % label
        )
    mean = mean_of(evaluations)
    result, _created = QuarterResult.objects.select_for_update().get_or_create(
        person=person,
        year=year,
        quarter=quarter,
        defaults={
            "unit": last.unit,
            "deciding_unit": last.deciding_unit,
            "computed_rating": str(mean.result.rating),
        },
    )
    if result.decided_at is not None:
        raise ValidationError(_("Kết quả quý %(q)s/%(y)s của %(n)s đã được quyết định.") % label)
    result.unit, result.deciding_unit = last.unit, last.deciding_unit
    result.total, result.months_rated = mean.result.total, mean.rated
    result.computed_rating = str(mean.result.rating)
    result.capped_by = mean.result.capped_by or ""
    result.save()
    return result


@transaction.atomic
def quarter_decide(*, by: User, deciding_unit: OrgUnit, year: int, quarter: int) -> int:
    """Decide the computed quarter results of an agency's leaders; each leader is told."""
    if not can_decide(by, deciding_unit):
        raise PermissionDenied
    results = list(
        QuarterResult.objects.select_for_update(of=("self",))
        .filter(deciding_unit=deciding_unit, year=year, quarter=quarter, decided_at__isnull=True)
        .select_related("person__user")
    )
    if not results:
        raise ValidationError(_("Chưa có kết quả quý nào được tính để quyết định."))
    now = timezone.now()
    for result in results:
        result.rating, result.decided_by, result.decided_at = result.computed_rating, by, now
        result.save()
        audit.record(
            by=by,
            action="quarter.decide",
            obj=result,
            unit_path=deciding_unit.path,
            changes={"rating": [None, result.rating]},
        )
        notify(
            recipients=[result.person.user],
            kind="quarter.decided",
            title=_("Kết quả xếp loại quý %(q)s/%(y)s: %(r)s")
            % {"q": quarter, "y": year, "r": result.get_rating_display()},
            url=reverse("evaluations:quarter", args=[year, quarter]),
        )
    return len(results)


@transaction.atomic
def collective_assess(*, by: User, unit: OrgUnit, year: int, general, head_capped: bool = False):
    """Đánh giá tập thể: the superior's general points plus the agency's aggregated completion."""
    parent = OrgUnit.objects.get_parent(unit)
    if parent is None or not (
        can_decide(by, parent) or roles.is_system_admin(by, timezone.localdate())
    ):
        raise PermissionDenied
    version = criteria_version_for(unit=unit, on=date(year, 1, 1))
    rules = tasklines.rules_of(version)
    points = _general(general, rules)
    assigned = done = Decimal("0")
    for evaluation in _decided_in_year(year).filter(deciding_unit=unit):
        for line in tasklines.lines_from_json(evaluation.task_lines):
            assigned += line.assigned * line.coefficient
            done += min(line.done, line.assigned) * line.coefficient
    completion = (done / assigned) if assigned else Decimal("0")
    task = scoring.round_half_up(rules.task_max * min(Decimal("1"), completion))
    total = sum(points, Decimal("0")) + task
    collective, _created = CollectiveEvaluation.objects.update_or_create(
        unit=unit,
        year=year,
        defaults={
            "general": [str(p) for p in points],
            "task_completion": completion.quantize(Decimal("0.0001")),
            "total": total,
            "rating": str(scoring.band_for(total, rules)),
            "head_capped": head_capped,
            "decided_by": by,
            "decided_at": timezone.now(),
        },
    )
    audit.record(
        by=by,
        action="collective.assess",
        obj=collective,
        unit_path=unit.path,
        changes={"total": [None, total], "rating": [None, collective.rating]},
    )
    return collective
