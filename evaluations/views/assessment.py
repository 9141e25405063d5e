"""Phiếu đánh giá (Mẫu 01): self-assessment, the head's assessment, thẩm định, unit results."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kpi_portal import audit
from orgunits import roles
from orgunits.models import OrgUnit, Role
from orgunits.querysets import prefix_q

from .. import assessment, permissions
from ..forms_assessment import (
    AppealForm,
    HeadAssessmentForm,
    HrCheckForm,
    ReturnForm,
    SelfAssessmentForm,
    evaluation_groups,
)
from ..models import Evaluation, EvaluationState, Period, PeriodState
from ..querysets import review_q
from . import scorecard
from .common import acting_head, add_errors, require, safe_next, worker_of

DETAIL = "evaluations/assessment/evaluation_detail.html"
PAGE_SIZE = 100
PERIOD_CHOICES = 24
# Work waiting for the reader first, finished work last.
STATE_ORDER = [
    EvaluationState.SELF_ASSESSED,
    EvaluationState.HEAD_ASSESSED,
    EvaluationState.HR_CHECKED,
    EvaluationState.DRAFT,
    EvaluationState.DECIDED,
    EvaluationState.PUBLISHED,
]


def get_evaluation_for_user(user, pk: int) -> Evaluation:
    evaluations = Evaluation.objects.visible_to(user).select_related(
        "period",
        "person__user",
        "unit",
        "deciding_unit",
        "position_group",
        "criteria_version",
        "head_by",
        "head_on_behalf_of",
        "hr_by",
        "decided_by",
    )
    return get_object_or_404(evaluations, pk=pk)


def pick_period(request, periods) -> Period | None:
    """The period asked for in `?period=` if it is offered, else the latest offered."""
    asked = request.GET.get("period", "")
    chosen = next((p for p in periods if str(p.pk) == asked), None)
    return chosen or (periods[0] if periods else None)


def state_ordering() -> Case:
    return Case(
        *(When(state=state, then=Value(i)) for i, state in enumerate(STATE_ORDER)),
        output_field=IntegerField(),
    )


def mark_rows(rows) -> list[Evaluation]:
    """Labels and colours the list templates print, so they never compute them."""
    rows = list(rows)
    for row in rows:
        row.state_badge = scorecard.STATE_BADGES.get(row.state, "text-bg-light")
        shown = row.rating or row.computed_rating
        row.shown_rating = scorecard.rating_label(shown) if shown else ""
        row.rating_badge = scorecard.rating_badge(shown)
    return rows


# ---- one evaluation ----------------------------------------------------------------------------


@login_required
def evaluation_current(request):
    """The person's evaluation of the latest period that is not locked yet."""
    person = worker_of(request.user)
    mine = Evaluation.objects.filter(person=person).order_by("-period__start")
    current = mine.exclude(period__state=PeriodState.LOCKED).first() or mine.first()
    if current is None:
        return render(request, "evaluations/assessment/evaluation_none.html")
    return redirect(current)


def _score(evaluation: Evaluation):
    """Decided results are frozen; open ones are recomputed from today's approved work."""
    if not evaluation.is_decided:
        try:
            live = assessment.compute(evaluation)
        except ValidationError:
            pass
        else:
            return (
                scorecard.from_result(live.result, live.lines.not_rated_reason),
                scorecard.lines_of(live.lines),
            )
    return scorecard.from_evaluation(evaluation), scorecard.stored_lines(evaluation.task_lines)


def _general_rows(evaluation: Evaluation) -> list[dict]:
    def at(values, i):
        return values[i] if i < len(values) else None

    return [
        {
            "group": group,
            "own": at(evaluation.self_general, group.index),
            "note": at(evaluation.self_notes, group.index) or "",
            "head": at(evaluation.head_general, group.index),
            "reason": at(evaluation.head_reasons, group.index) or "",
        }
        for group in evaluation_groups(evaluation)
    ]


def detail_context(request, evaluation: Evaluation, **forms) -> dict:
    user = request.user
    score, lines = _score(evaluation)
    rights = {
        "can_self_assess": permissions.can_self_assess(user, evaluation),
        "can_head_assess": permissions.can_head_assess(user, evaluation),
        "can_return": permissions.can_return_evaluation(user, evaluation),
        "can_hr_check": permissions.can_hr_check_evaluation(user, evaluation),
        "can_file_appeal": permissions.can_file_appeal(user, evaluation),
        "can_see_decision": permissions.can_see_decision(user, evaluation),
    }
    if rights["can_self_assess"]:
        forms.setdefault("self_form", SelfAssessmentForm(evaluation=evaluation))
    if rights["can_head_assess"]:
        forms.setdefault("head_form", HeadAssessmentForm(evaluation=evaluation))
        forms.setdefault("return_form", ReturnForm())
    if rights["can_hr_check"]:
        forms.setdefault("hr_form", HrCheckForm())
    if rights["can_file_appeal"]:
        forms.setdefault("appeal_form", AppealForm())
    is_owner = evaluation.person.user_id == user.pk
    appeals = list(evaluation.appeals.prefetch_related("attachments"))
    for appeal in appeals:
        appeal.can_resolve = permissions.can_resolve_appeal(user, appeal)
    return {
        "evaluation": evaluation,
        "score": score,
        "lines": lines,
        "totals": scorecard.totals_of(lines),
        "general_rows": _general_rows(evaluation),
        "state_badge": scorecard.STATE_BADGES.get(evaluation.state, ""),
        "final_label": scorecard.rating_label(evaluation.rating),
        "final_badge": scorecard.rating_badge(evaluation.rating),
        "is_owner": is_owner,
        "is_leader": evaluation.role == "leader",
        "acting_head": acting_head(user, evaluation) if rights["can_head_assess"] else None,
        "deadline": assessment.appeal_deadline(evaluation),
        "appeals": appeals,
        "decisions": evaluation.decisions.select_related("decided_by")
        if rights["can_see_decision"]
        else [],
        "mine": Evaluation.objects.filter(person=evaluation.person)
        .select_related("period")
        .order_by("-period__start")[:PERIOD_CHOICES]
        if is_owner
        else [],
        "is_published": evaluation.state == EvaluationState.PUBLISHED,
        "show_return_note": is_owner
        and evaluation.state == EvaluationState.DRAFT
        and bool(evaluation.return_note),
        "awaiting_publication": is_owner and evaluation.state == EvaluationState.DECIDED,
        "appeal_days": assessment.appeal_days(evaluation.period),
        **rights,
        **forms,
    }


@login_required
def evaluation_detail(request, pk: int):
    evaluation = get_evaluation_for_user(request.user, pk)
    audit.record_access(request.user, evaluation, evaluation.unit.path)
    return render(request, DETAIL, detail_context(request, evaluation))


@login_required
@require_POST
def evaluation_self_assess(request, pk: int):
    evaluation = get_evaluation_for_user(request.user, pk)
    require(permissions.can_self_assess(request.user, evaluation))
    form = SelfAssessmentForm(request.POST, evaluation=evaluation)
    if form.is_valid():
        try:
            assessment.evaluation_self_assess(
                by=request.user,
                evaluation=evaluation,
                general=form.points(),
                notes=form.notes(),
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Đã lưu phiếu tự đánh giá kỳ %(p)s; thủ trưởng sẽ đánh giá tiếp.")
                % {"p": evaluation.period},
            )
            return redirect(evaluation)
    return render(request, DETAIL, detail_context(request, evaluation, self_form=form))


@login_required
@require_POST
def evaluation_preview(request, pk: int):
    """The live score for the points being typed, computed by the engine and never saved."""
    user = request.user
    evaluation = get_evaluation_for_user(user, pk)
    if request.POST.get("step") == "head":
        require(permissions.can_head_assess(user, evaluation))
        form = HeadAssessmentForm(request.POST, evaluation=evaluation)
    else:
        require(permissions.can_self_assess(user, evaluation))
        form = SelfAssessmentForm(request.POST, evaluation=evaluation)
    form.is_valid()
    errors = _score_errors(form)
    score = None
    if not errors:
        data = form.cleaned_data
        # Overrides the head is ticking count in the preview; nothing here is saved.
        for flag in ("disciplined", "degraded", "unit_corruption"):
            if flag in data:
                setattr(evaluation, flag, data[flag])
        try:
            live = assessment.compute(
                evaluation, general=form.points(), organizing=data.get("organizing")
            )
        except ValidationError as error:
            errors = error.messages
        else:
            score = scorecard.from_result(live.result, live.lines.not_rated_reason)
    context = {"score": score, "errors": errors, "preview": True}
    return render(request, "evaluations/assessment/partials/_score.html", context)


def _score_errors(form) -> list[str]:
    names = [f"point_{g.index}" for g in form.groups] + ["organizing"]
    return [
        f"{form.fields[name].label}: {error}"
        for name in names
        if name in form.fields
        for error in form.errors.get(name, [])
    ]


@login_required
@require_POST
def evaluation_head_assess(request, pk: int):
    evaluation = get_evaluation_for_user(request.user, pk)
    require(permissions.can_head_assess(request.user, evaluation))
    form = HeadAssessmentForm(request.POST, evaluation=evaluation)
    if form.is_valid():
        try:
            assessment.evaluation_head_assess(
                by=request.user, evaluation=evaluation, **form.service_kwargs()
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Đã lưu đánh giá của thủ trưởng đối với %(n)s.")
                % {"n": evaluation.person.full_name},
            )
            return redirect(_team_url(request, evaluation))
    return render(request, DETAIL, detail_context(request, evaluation, head_form=form))


def _team_url(request, evaluation: Evaluation) -> str:
    default = f"{reverse('evaluations:team_evaluations')}?period={evaluation.period_id}"
    return safe_next(request, default)


@login_required
@require_POST
def evaluation_return(request, pk: int):
    evaluation = get_evaluation_for_user(request.user, pk)
    require(permissions.can_return_evaluation(request.user, evaluation))
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            assessment.evaluation_return(
                by=request.user, evaluation=evaluation, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Đã trả lại phiếu cho %(n)s.") % {"n": evaluation.person.full_name},
            )
            return redirect(_team_url(request, evaluation))
    return render(request, DETAIL, detail_context(request, evaluation, return_form=form))


@login_required
@require_POST
def evaluation_hr_check(request, pk: int):
    evaluation = get_evaluation_for_user(request.user, pk)
    require(permissions.can_hr_check_evaluation(request.user, evaluation))
    form = HrCheckForm(request.POST)
    if form.is_valid():
        try:
            assessment.evaluation_hr_check(
                by=request.user, evaluation=evaluation, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Đã thẩm định phiếu của %(n)s.") % {"n": evaluation.person.full_name},
            )
            return redirect(f"{reverse('evaluations:hr_queue')}?period={evaluation.period_id}")
    return render(request, DETAIL, detail_context(request, evaluation, hr_form=form))


# ---- lists -------------------------------------------------------------------------------------


def _list_context(request, scoped, extra_states=None) -> dict:
    """A period picker over the periods of `scoped`, and that period's rows grouped by state."""
    periods = list(
        Period.objects.filter(pk__in=scoped.values("period")).order_by("-start")[:PERIOD_CHOICES]
    )
    period = pick_period(request, periods)
    rows = scoped.filter(period=period) if period else scoped.none()
    if extra_states:
        rows = rows.filter(state__in=extra_states)
    counts = dict(rows.values_list("state").annotate(n=Count("pk")).order_by())
    ordered = rows.select_related("person", "unit", "position_group").order_by(
        state_ordering(), "unit__path", "person__full_name"
    )
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = mark_rows(page.object_list)
    return {
        "periods": periods,
        "period": period,
        "page": page,
        "counts": [
            (s.label, counts[s], scorecard.STATE_BADGES[s]) for s in STATE_ORDER if s in counts
        ],
    }


@login_required
def team_evaluations(request):
    """Đánh giá của thủ trưởng: the evaluations of the people a leader (or delegate) assesses."""
    user = request.user
    require(permissions.can_review(user))
    today = timezone.localdate()
    scoped = Evaluation.objects.visible_to(user).filter(review_q(user, today, unit_field="unit"))
    context = _list_context(request, scoped)
    for row in context["page"]:
        row.can_act = row.state in (EvaluationState.SELF_ASSESSED, EvaluationState.HEAD_ASSESSED)
    context["acting_for"] = roles.delegations_to(user, today)
    return render(request, "evaluations/assessment/team_list.html", context)


@login_required
def hr_queue(request):
    """Thẩm định: assessed evaluations of the agencies where the user is the HR officer."""
    user = request.user
    require(permissions.can_hr_check_any(user))
    paths = roles.granted_paths(user, timezone.localdate(), (Role.HR_OFFICER,))
    scoped = Evaluation.objects.visible_to(user).filter(
        prefix_q(tuple(sorted(paths)), "deciding_unit__path")
    )
    context = _list_context(
        request, scoped, (EvaluationState.HEAD_ASSESSED, EvaluationState.HR_CHECKED)
    )
    for row in context["page"]:
        row.can_act = row.state == EvaluationState.HEAD_ASSESSED
    return render(request, "evaluations/assessment/hr_list.html", context)


@login_required
def unit_results(request, period_pk: int, unit_pk: int):
    """Published letter grades of one unit: names and ratings only, for colleagues and the chain."""
    user = request.user
    period = get_object_or_404(Period, pk=period_pk)
    unit = get_object_or_404(OrgUnit, pk=unit_pk)
    if not permissions.can_view_unit_results(user, unit, period):
        raise Http404
    published = Evaluation.objects.filter(
        period=period, unit=unit, state=EvaluationState.PUBLISHED
    ).select_related("person")
    openable = set(
        Evaluation.objects.visible_to(user).filter(pk__in=published).values_list("pk", flat=True)
    )
    rows = mark_rows(published.order_by("person__full_name"))
    for row in rows:
        row.can_open = row.pk in openable
    waiting = (
        Evaluation.objects.filter(period=period, unit=unit)
        .exclude(state=EvaluationState.PUBLISHED)
        .count()
    )
    context = {"period": period, "unit": unit, "rows": rows, "waiting": waiting}
    return render(request, "evaluations/assessment/unit_results.html", context)
