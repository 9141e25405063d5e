"""Năm: an agency's annual results (compute, decide), one's own year, and đánh giá tập thể."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.services import criteria_version_for
from orgunits import permissions as org_permissions
from orgunits.models import OrgUnit, Person

from .. import assessment, permissions, tasklines
from ..forms_assessment import CollectiveForm, groups_of
from ..models import AnnualResult, CollectiveEvaluation, Evaluation, EvaluationState
from . import scorecard
from .common import require
from .decisions import get_deciding_unit_for_user

FIRST_YEAR, LAST_YEAR = 2020, 2100


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404


def _people(unit: OrgUnit, year: int):
    """Everyone the unit decided for in some period of the year."""
    ids = Evaluation.objects.filter(period__year=year, deciding_unit=unit).values("person")
    return Person.objects.filter(pk__in=ids).order_by("full_name")


def _mark(result: AnnualResult) -> AnnualResult:
    result.computed_label = scorecard.rating_label(result.computed_rating)
    result.computed_badge = scorecard.rating_badge(result.computed_rating)
    result.rating_label = scorecard.rating_label(result.rating) if result.rating else ""
    result.rating_badge = scorecard.rating_badge(result.rating)
    result.capped_text = scorecard.capped_text(result.capped_by)
    return result


@login_required
def annual(request, year: int):
    """Deciders see their agencies' people; everyone sees their own year."""
    _check_year(year)
    user = request.user
    picked = request.GET.get("tap_the", "")
    if picked.isdigit():
        return redirect("evaluations:collective", year, int(picked))
    units = list(permissions.deciding_units_for(user).order_by("path"))
    unit = next((u for u in units if str(u.pk) == request.GET.get("unit")), None)
    unit = unit or (units[0] if units else None)
    person = getattr(user, "person", None)
    own = None
    own_periods = []
    if person is not None:
        own = AnnualResult.objects.filter(
            person=person, year=year, decided_at__isnull=False
        ).first()
        own_periods = list(
            Evaluation.objects.filter(
                person=person, period__year=year, state=EvaluationState.PUBLISHED
            )
            .select_related("period")
            .order_by("period__start")
        )
        for evaluation in own_periods:
            evaluation.label = scorecard.rating_label(evaluation.rating)
            evaluation.badge = scorecard.rating_badge(evaluation.rating)
    context = {
        "year": year,
        "years": [year - 1, year, year + 1],
        "units": units,
        "unit": unit,
        "own": _mark(own) if own else None,
        "own_periods": own_periods,
        "has_person": person is not None,
    }
    if org_permissions.is_system_admin(user):
        context["collective_units"] = (
            OrgUnit.objects.filter(kind__in=assessment.DECIDING_KINDS)
            .only("pk", "name", "path", "depth")
            .order_by("path")
        )
    if unit is not None:
        people = list(_people(unit, year))
        results = {
            r.person_id: _mark(r) for r in AnnualResult.objects.filter(year=year, person__in=people)
        }
        context["rows"] = [(p, results.get(p.pk)) for p in people]
        context["undecided"] = sum(1 for r in results.values() if r.decided_at is None)
        context["collective"] = CollectiveEvaluation.objects.filter(unit=unit, year=year).first()
        context["can_assess_collective"] = permissions.can_assess_collective(user, unit)
    return render(request, "evaluations/assessment/annual.html", context)


def _back(year: int, unit: OrgUnit) -> str:
    return f"{reverse('evaluations:annual', args=[year])}?unit={unit.pk}"


@login_required
@require_POST
def annual_compute(request, year: int, unit_pk: int):
    """Compute (or recompute) each undecided person's year from their decided periods."""
    _check_year(year)
    unit = get_deciding_unit_for_user(request.user, unit_pk)
    computed, problems = 0, []
    for person in _people(unit, year):
        try:
            assessment.annual_compute(person=person, year=year)
        except ValidationError as error:
            problems.extend(error.messages)
        else:
            computed += 1
    messages.success(
        request, _("Đã tính kết quả năm %(y)s cho %(n)s người.") % {"y": year, "n": computed}
    )
    if problems:
        messages.warning(request, " ".join(problems[:5]))
    return redirect(_back(year, unit))


@login_required
@require_POST
def annual_decide(request, year: int, unit_pk: int):
    _check_year(year)
    unit = get_deciding_unit_for_user(request.user, unit_pk)
    try:
        count = assessment.annual_decide(by=request.user, deciding_unit=unit, year=year)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Đã quyết định xếp loại năm %(y)s của %(n)s người.") % {"y": year, "n": count},
        )
    return redirect(_back(year, unit))


@login_required
def collective(request, year: int, unit_pk: int):
    """Đánh giá tập thể: the superior body's points; the task part comes from the agency's work."""
    _check_year(year)
    units = OrgUnit.objects.visible_to(request.user).filter(kind__in=assessment.DECIDING_KINDS)
    unit = get_object_or_404(units, pk=unit_pk)
    require(permissions.can_assess_collective(request.user, unit))
    version = criteria_version_for(unit=unit, on=date(year, 1, 1))
    groups = groups_of(tasklines.rules_of(version), version.general_descriptions if version else ())
    form = CollectiveForm(request.POST or None, groups=groups)
    if request.method == "POST" and form.is_valid():
        try:
            result = assessment.collective_assess(
                by=request.user,
                unit=unit,
                year=year,
                general=form.points(),
                head_capped=form.cleaned_data["head_capped"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Đã đánh giá tập thể %(u)s năm %(y)s: %(r)s.")
                % {"u": unit.name, "y": year, "r": scorecard.rating_label(result.rating)},
            )
            return redirect("evaluations:collective", year, unit.pk)
    existing = CollectiveEvaluation.objects.filter(unit=unit, year=year).first()
    context = {
        "year": year,
        "unit": unit,
        "form": form,
        "existing": existing,
        "existing_label": scorecard.rating_label(existing.rating) if existing else "",
        "existing_badge": scorecard.rating_badge(existing.rating) if existing else "",
    }
    return render(request, "evaluations/assessment/collective.html", context)
