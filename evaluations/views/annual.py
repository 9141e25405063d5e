"""Năm và quý: the year (compute, decide, publish, preview), leaders' quarters, tập thể."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.services import criteria_version_for
from kpi_portal import audit
from orgunits import permissions as org_permissions
from orgunits.models import OrgUnit, Person

from .. import assessment, permissions, tasklines
from ..forms_assessment import CollectiveForm, YearEndForm, groups_of
from ..models import (
    AnnualResult,
    CollectiveEvaluation,
    Evaluation,
    EvaluationState,
    QuarterResult,
)
from ..querysets import review_q
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


def _mark(result: AnnualResult | QuarterResult):
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
    if picked.isdecimal():
        return redirect("evaluations:collective", year, int(picked))
    units = list(permissions.deciding_units_for(user).order_by("path"))
    unit = next((u for u in units if str(u.pk) == request.GET.get("unit")), None)
    unit = unit or (units[0] if units else None)
    person = getattr(user, "person", None)
    own = None
    own_periods = []
    if person is not None:
        own = AnnualResult.objects.filter(
            person=person, year=year, published_at__isnull=False
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
        "can_preview": permissions.can_preview_annual(user),
        "quarters": range(1, 5),
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
        context["unpublished"] = sum(
            1 for r in results.values() if r.decided_at and not r.published_at
        )
        context["deadline"] = assessment.annual_deadline(unit, year)
        context["past_deadline"] = timezone.localdate() > context["deadline"]
        context["year_end_form"] = YearEndForm()
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


def _year_end_step(request, year: int, unit_pk: int, service, done_text: str):
    """Decide or publish the year; past the deadline the form carries the reason for the delay."""
    _check_year(year)
    unit = get_deciding_unit_for_user(request.user, unit_pk)
    form = YearEndForm(request.POST)
    late_reason = form.cleaned_data["late_reason"] if form.is_valid() else ""
    try:
        count = service(by=request.user, deciding_unit=unit, year=year, late_reason=late_reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done_text % {"y": year, "n": count})
    return redirect(_back(year, unit))


@login_required
@require_POST
def annual_decide(request, year: int, unit_pk: int):
    done_text = _("Đã quyết định xếp loại năm %(y)s của %(n)s người.")
    return _year_end_step(request, year, unit_pk, assessment.annual_decide, done_text)


@login_required
@require_POST
def annual_publish(request, year: int, unit_pk: int):
    done_text = _("Đã công bố kết quả xếp loại năm %(y)s của %(n)s người.")
    return _year_end_step(request, year, unit_pk, assessment.annual_publish, done_text)


def _period_rows(evaluations: list[Evaluation]) -> list[Evaluation]:
    for evaluation in evaluations:
        evaluation.label = scorecard.rating_label(evaluation.rating)
        evaluation.badge = scorecard.rating_badge(evaluation.rating)
    return evaluations


@login_required
def annual_result(request, pk: int):
    """One person's year in full: each decided period, the mean, the band, the decision."""
    results = AnnualResult.objects.visible_to(request.user).select_related(
        "person__user", "unit", "decided_by"
    )
    result = get_object_or_404(results, pk=pk)
    if not permissions.can_see_annual(request.user, result):
        raise Http404
    audit.record_access(request.user, result, result.unit.path)
    mean = assessment.annual_preview(person=result.person, year=result.year)
    context = {
        "result": _mark(result),
        "periods": _period_rows(mean.evaluations if mean else []),
        "is_owner": result.person.user_id == request.user.pk,
    }
    return render(request, "evaluations/assessment/annual_result.html", context)


@login_required
def annual_unit_results(request, year: int, unit_pk: int):
    """Published letter grades of one unit's year: names and ratings only."""
    _check_year(year)
    unit = get_object_or_404(OrgUnit, pk=unit_pk)
    if not permissions.can_view_unit_annual(request.user, unit, year):
        raise Http404
    published = AnnualResult.objects.filter(
        year=year, unit=unit, published_at__isnull=False
    ).select_related("person")
    openable = set(
        AnnualResult.objects.visible_to(request.user)
        .filter(pk__in=published)
        .values_list("pk", flat=True)
    )
    rows = [_mark(r) for r in published.order_by("person__full_name")]
    for row in rows:
        row.can_open = row.pk in openable
    context = {"year": year, "unit": unit, "rows": rows}
    return render(request, "evaluations/assessment/annual_unit_results.html", context)


@login_required
def annual_preview(request, year: int):
    """Xem trước: the year of the people a leader assesses, from the periods decided so far."""
    _check_year(year)
    user = request.user
    require(permissions.can_preview_annual(user))
    scoped = Evaluation.objects.visible_to(user).filter(
        review_q(user, timezone.localdate(), unit_field="unit"), period__year=year
    )
    people = Person.objects.filter(pk__in=scoped.values("person")).order_by("full_name")
    means = assessment.annual_previews(people=people.values("pk"), year=year)
    rows = []
    for person in people:
        mean = means.get(person.pk)
        rating = mean.result.rating if mean else ""
        rows.append(
            {
                "person": person,
                "mean": mean,
                "label": scorecard.rating_label(rating),
                "badge": scorecard.rating_badge(rating),
                "capped_text": scorecard.capped_text(mean.result.capped_by if mean else ""),
            }
        )
    context = {"year": year, "years": [year - 1, year, year + 1], "rows": rows}
    return render(request, "evaluations/assessment/annual_preview.html", context)


# ---- the leaders' quarter (Kết luận 198-KL/TW) ------------------------------------------------


def _check_quarter(year: int, quarter: int) -> None:
    _check_year(year)
    if not 1 <= quarter <= 4:
        raise Http404


def _quarter_back(year: int, quarter: int, unit: OrgUnit) -> str:
    return f"{reverse('evaluations:quarter', args=[year, quarter])}?unit={unit.pk}"


@login_required
def quarter(request, year: int, quarter: int):
    """A leader's own quarter, the deciders' leaders, and the leaders in the reader's scope."""
    _check_quarter(year, quarter)
    user = request.user
    units = list(permissions.deciding_units_for(user).order_by("path"))
    unit = next((u for u in units if str(u.pk) == request.GET.get("unit")), None)
    unit = unit or (units[0] if units else None)
    person = getattr(user, "person", None)
    own = QuarterResult.objects.filter(
        person=person, year=year, quarter=quarter, decided_at__isnull=False
    ).first()
    scoped = (
        QuarterResult.objects.visible_to(user)
        .filter(year=year, quarter=quarter)
        .exclude(person__user=user)
        .select_related("person", "unit")
        .order_by("unit__path", "person__full_name")
    )
    context = {
        "year": year,
        "quarter": quarter,
        "quarters": [(y, q) for y in (year - 1, year) for q in range(1, 5)],
        "units": units,
        "unit": unit,
        "own": _mark(own) if own else None,
        "has_person": person is not None,
        "in_scope": [_mark(r) for r in scoped] if not units else [],
    }
    if unit is not None:
        results = {
            r.person_id: _mark(r)
            for r in QuarterResult.objects.filter(deciding_unit=unit, year=year, quarter=quarter)
        }
        leaders = assessment.quarter_leaders(unit, year, quarter)
        context["rows"] = [(p, results.get(p.pk)) for p in leaders]
        context["undecided"] = sum(1 for r in results.values() if r.decided_at is None)
    return render(request, "evaluations/assessment/quarter.html", context)


@login_required
@require_POST
def quarter_compute(request, year: int, quarter: int, unit_pk: int):
    """Compute each leader's quarter from the decided months."""
    _check_quarter(year, quarter)
    unit = get_deciding_unit_for_user(request.user, unit_pk)
    computed, problems = 0, []
    for person in assessment.quarter_leaders(unit, year, quarter):
        try:
            assessment.quarter_compute(person=person, year=year, quarter=quarter)
        except ValidationError as error:
            problems.extend(error.messages)
        else:
            computed += 1
    messages.success(
        request,
        _("Đã tính kết quả quý %(q)s/%(y)s cho %(n)s người.")
        % {"q": quarter, "y": year, "n": computed},
    )
    if problems:
        messages.warning(request, " ".join(problems[:5]))
    return redirect(_quarter_back(year, quarter, unit))


@login_required
@require_POST
def quarter_decide(request, year: int, quarter: int, unit_pk: int):
    _check_quarter(year, quarter)
    unit = get_deciding_unit_for_user(request.user, unit_pk)
    try:
        count = assessment.quarter_decide(
            by=request.user, deciding_unit=unit, year=year, quarter=quarter
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Đã quyết định xếp loại quý %(q)s/%(y)s của %(n)s người.")
            % {"q": quarter, "y": year, "n": count},
        )
    return redirect(_quarter_back(year, quarter, unit))


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
