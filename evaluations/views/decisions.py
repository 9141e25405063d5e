"""Quyết định, công bố: an agency's queue, the "xuất sắc" quota per group, decision, publication."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgunits.models import OrgUnit

from .. import assessment, permissions, tasklines
from ..forms_assessment import DecisionForm
from ..models import Evaluation, EvaluationRole, EvaluationState, Period, Rating
from . import scorecard
from .appeals import overdue_of
from .assessment import PERIOD_CHOICES, STATE_ORDER, mark_rows, pick_period
from .common import add_errors, require

WAITING = (EvaluationState.DRAFT, EvaluationState.SELF_ASSESSED)
READY = (EvaluationState.HEAD_ASSESSED, EvaluationState.HR_CHECKED)


def get_deciding_unit_for_user(user, pk: int) -> OrgUnit:
    """A unit the user sees (else 404) and decides for (else 403)."""
    units = OrgUnit.objects.visible_to(user).filter(kind__in=assessment.DECIDING_KINDS)
    unit = get_object_or_404(units, pk=pk)
    require(permissions.can_decide_for(user, unit))
    return unit


@dataclass
class UnitRow:
    unit: OrgUnit
    counts: list[tuple[str, int, str]]
    total: int
    waiting: int
    ready: int
    decided: int


@login_required
def decision_list(request):
    """The units the user decides for, with the period's evaluations counted by state."""
    units = permissions.deciding_units_for(request.user)
    require(units.exists())
    scoped = Evaluation.objects.visible_to(request.user).filter(deciding_unit__in=units)
    periods = list(
        Period.objects.filter(pk__in=scoped.values("period")).order_by("-start")[:PERIOD_CHOICES]
    )
    period = pick_period(request, periods)
    counted: dict[int, dict[str, int]] = {}
    if period:
        tally = scoped.filter(period=period).values_list("deciding_unit", "state")
        for unit_id, state, n in tally.annotate(n=Count("pk")).order_by():
            counted.setdefault(unit_id, {})[state] = n
    rows = []
    for unit in OrgUnit.objects.filter(pk__in=counted).order_by("path"):
        counts = counted[unit.pk]
        rows.append(
            UnitRow(
                unit=unit,
                counts=[
                    (s.label, counts[s], scorecard.STATE_BADGES[s])
                    for s in STATE_ORDER
                    if s in counts
                ],
                total=sum(counts.values()),
                waiting=sum(counts.get(s, 0) for s in WAITING),
                ready=sum(counts.get(s, 0) for s in READY),
                decided=counts.get(EvaluationState.DECIDED, 0),
            )
        )
    context = {
        "periods": periods,
        "period": period,
        "rows": rows,
        "overdue": overdue_of(request.user, units),
    }
    return render(request, "evaluations/assessment/decision_list.html", context)


def _live_queue(unit: OrgUnit, period: Period) -> list[Evaluation]:
    """The queue with undecided scores recomputed in memory (nothing saved), people first."""
    queue = list(assessment.decision_queue(unit, period))
    for evaluation in queue:
        evaluation.period = period  # the engine reads it for every row: spare a query each
    undecided = [e for e in queue if not e.is_decided]
    lines = tasklines.build_lines_for([e.person for e in undecided], period)
    leaders = [e for e in undecided if e.role == EvaluationRole.LEADER]
    subordinates = assessment.subordinate_ratings_of(leaders)
    for evaluation in sorted(undecided, key=lambda e: e.role == EvaluationRole.LEADER):
        try:
            result = assessment.compute(
                evaluation,
                lines=lines[evaluation.person_id],
                subordinates=subordinates.get(evaluation.pk),
            ).result
        except ValidationError:
            continue
        evaluation.general_score, evaluation.task_score = result.general, result.task
        evaluation.total, evaluation.computed_rating = result.total, str(result.rating)
        evaluation.capped_by = result.capped_by or ""
    return queue


def _decision_context(unit: OrgUnit, period: Period, queue, form) -> dict:
    quota = [(group, group.result.over_by > 0) for group in assessment.quota_status(queue)]
    rows = mark_rows(queue)
    for row in rows:
        row.is_waiting = row.state in WAITING
        row.capped_text = scorecard.capped_text(row.capped_by)
    return {
        "unit": unit,
        "period": period,
        "rows": rows,
        "quota": quota,
        "form": form,
        "waiting": sum(1 for r in rows if r.is_waiting),
        "can_submit": any(not r.is_decided for r in rows),
        "can_publish": any(r.state == EvaluationState.DECIDED for r in rows),
        "published": sum(1 for r in rows if r.state == EvaluationState.PUBLISHED),
    }


@login_required
def decision_detail(request, period_pk: int, unit_pk: int):
    """The decision: the queue, the quota per job-position group, suggested downgrades."""
    unit = get_deciding_unit_for_user(request.user, unit_pk)
    period = get_object_or_404(Period, pk=period_pk)
    queue = _live_queue(unit, period)
    suggested = {
        pk for group in assessment.quota_status(queue) for pk in group.result.suggest_downgrade
    }
    candidates = [e for e in queue if not e.is_decided and e.computed_rating == Rating.HTXS]
    form = DecisionForm(request.POST or None, candidates=candidates, suggested=suggested)
    if request.method == "POST" and form.is_valid():
        try:
            count = assessment.evaluations_decide(
                by=request.user,
                deciding_unit=unit,
                period=period,
                decision_number=form.cleaned_data["decision_number"],
                decision_date=form.cleaned_data["decision_date"],
                downgrades=form.downgrades(),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Đã quyết định xếp loại %(n)s phiếu đánh giá; hãy công bố kết quả.")
                % {"n": count},
            )
            return redirect("evaluations:decision_detail", period.pk, unit.pk)
    context = _decision_context(unit, period, queue, form)
    return render(request, "evaluations/assessment/decision_detail.html", context)


@login_required
@require_POST
def decision_publish(request, period_pk: int, unit_pk: int):
    unit = get_deciding_unit_for_user(request.user, unit_pk)
    period = get_object_or_404(Period, pk=period_pk)
    try:
        count = assessment.evaluations_publish(by=request.user, deciding_unit=unit, period=period)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã công bố kết quả xếp loại của %(n)s người.") % {"n": count})
    return redirect("evaluations:decision_detail", period.pk, unit.pk)
