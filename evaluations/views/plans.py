"""Kế hoạch: nhiệm vụ được giao to a leader's people, and a person's own plan and proposals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Product, Quota
from catalog.querysets import ancestor_paths
from orgunits.models import Assignment, Person
from orgunits.querysets import outermost

from .. import permissions, services
from ..forms import PlanDecisionForm, PlanLineFormSet, PlanTargetForm, ProposalForm
from ..models import Frequency, Period, PeriodState, PlanItem, PlanStatus
from .common import (
    add_errors,
    current_period,
    done,
    get_plan_item_for_user,
    plannable_assignments,
    require,
    scope_units,
    worker_of,
)

PAGE_SIZE = 50
ZERO = Decimal("0")


@login_required
def plan_current(request):
    """The plan screen of today's period: the team's for leaders, one's own for everyone else."""
    period = current_period(worker_of(request.user))
    name = "team_plan" if permissions.can_review(request.user) else "my_plan"
    return redirect(f"evaluations:{name}", period.pk)


@dataclass
class TeamRow:
    assignment: Assignment
    items: list
    total: Decimal
    quota: Decimal | None

    @property
    def share(self) -> int | None:
        return None if not self.quota else min(100, int(self.total / self.quota * 100))


@login_required
def team_plan(request, period_pk: int):
    user = request.user
    require(permissions.can_review(user))
    period = get_object_or_404(Period, pk=period_pk)
    today = timezone.localdate()
    assignments = plannable_assignments(user, today)
    units = scope_units(user, today)
    target = PlanTargetForm(request.POST or None, assignments=assignments, units=units)
    lines = PlanLineFormSet(
        request.POST or None,
        prefix="line",
        form_kwargs={"products": _plan_products(units, today), "due_default": period.end},
    )
    if request.method == "POST" and target.is_valid() and lines.is_valid():
        try:
            created = services.plan_bulk_assign(
                by=user,
                people=target.target_people(),
                period=period,
                lines=lines.lines(),
                note=target.cleaned_data["note"],
            )
        except ValidationError as error:
            add_errors(target, error)
        else:
            messages.success(request, _("Đã giao %(c)s nhiệm vụ.") % {"c": len(created)})
            return redirect("evaluations:team_plan", period.pk)
    context = _team_context(request, period, assignments)
    return render(
        request, "evaluations/team_plan.html", {**context, "target": target, "lines": lines}
    )


def _plan_products(units, on):
    """Products of the catalogs that apply anywhere in the leader's scope; services check each."""
    paths = list(units.values_list("path", flat=True))
    tops = outermost(paths)
    above = {a for p in tops for a in ancestor_paths(p)}
    sectors = units.exclude(sector=None).values("sector_id")
    query = Q(owner_unit__path__in=above) | Q(owner_sector_id__in=sectors)
    for path in tops:
        query |= Q(owner_unit__path__startswith=path)
    return Product.objects.active_on(on).filter(query).order_by("name")


def _team_context(request, period: Period, assignments) -> dict:
    query = request.GET.get("q", "").strip()
    rows = assignments.select_related("person__job_position", "unit").order_by(
        "unit__path", "person__full_name"
    )
    if query:
        rows = rows.filter(person__full_name__icontains=query)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    people = [a.person_id for a in page]
    items: dict[int, list[PlanItem]] = {pk: [] for pk in people}
    assigned = PlanItem.objects.filter(
        period=period, person_id__in=people, status=PlanStatus.ASSIGNED
    )
    for item in assigned.select_related("product"):
        items[item.person_id].append(item)
    quota_of = _quotas(list(page), period)
    page.object_list = [
        TeamRow(
            assignment=a,
            items=items[a.person_id],
            total=sum((i.standard_products for i in items[a.person_id]), ZERO),
            quota=quota_of(a),
        )
        for a in page
    ]
    proposals = PlanItem.objects.filter(
        period=period, status=PlanStatus.PROPOSED, person_id__in=assignments.values("person_id")
    ).select_related("person", "product")
    return {
        "period": period,
        "page": page,
        "q": query,
        "proposals": proposals,
        "decision_form": PlanDecisionForm(),
        "periods": Period.objects.filter(bloc=period.bloc, kind=period.kind).order_by("-start")[
            :24
        ],
        "can_change": period.state in services.REVIEWABLE_STATES,
    }


def _quotas(assignments: list[Assignment], period: Period):
    """One query for the page: each person's quota for the period, the nearest owner winning."""
    groups = {a.person.job_position.group_id for a in assignments if a.person.job_position_id}
    paths = {p for a in assignments for p in ancestor_paths(a.unit.path)}
    quotas = list(
        Quota.objects.active_on(period.start)
        .filter(unit__path__in=paths, group_id__in=groups)
        .select_related("unit")
        .order_by("-unit__depth", "-valid_from")
    )
    months = 1 if period.kind == Frequency.MONTHLY else 3

    def quota_of(assignment: Assignment) -> Decimal | None:
        if not assignment.person.job_position_id:
            return None
        group = assignment.person.job_position.group_id
        for quota in quotas:
            if quota.group_id == group and assignment.unit.path.startswith(quota.unit.path):
                return quota.per_month * months
        return None

    return quota_of


@login_required
@require_POST
def plan_copy_previous(request, period_pk: int):
    user = request.user
    require(permissions.can_review(user))
    period = get_object_or_404(Period, pk=period_pk)
    ids = {int(v) for v in request.POST.getlist("people") if v.isdecimal()}
    allowed = plannable_assignments(user, timezone.localdate()).values("person_id")
    people = list(Person.objects.filter(pk__in=ids).filter(pk__in=allowed))
    if not ids or len(people) != len(ids):
        raise Http404
    copied, problems = 0, []
    for person in people:
        try:
            copied += len(services.plan_copy_previous(by=user, person=person, period=period))
        except ValidationError as error:
            problems.extend(error.messages)
    if copied:
        messages.success(request, _("Đã sao chép %(c)s nhiệm vụ từ kỳ trước.") % {"c": copied})
    for problem in problems:
        messages.warning(request, problem)
    return done(request, reverse("evaluations:team_plan", args=[period.pk]))


@login_required
@require_POST
def plan_item_decide(request, pk: int):
    item = get_plan_item_for_user(request.user, pk)
    form = PlanDecisionForm(request.POST)
    form.is_valid()
    accept = request.POST.get("decision") == "accept"
    try:
        services.plan_item_decide(
            by=request.user, item=item, accept=accept, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        text = _("Đã chấp nhận đề xuất.") if accept else _("Đã không chấp nhận đề xuất.")
        messages.success(request, text)
    return done(request, reverse("evaluations:team_plan", args=[item.period_id]))


@login_required
@require_POST
def plan_item_remove(request, pk: int):
    item = get_plan_item_for_user(request.user, pk)
    try:
        services.plan_item_remove(by=request.user, item=item, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã xóa nhiệm vụ “%(p)s”.") % {"p": item.product.name})
    return done(request, reverse("evaluations:team_plan", args=[item.period_id]))


@login_required
def my_plan(request, period_pk: int):
    person = worker_of(request.user)
    period = get_object_or_404(Period, pk=period_pk)
    form = ProposalForm(
        request.POST or None,
        products=services.products_for(person, timezone.localdate()),
        due_default=period.end,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_item_propose(by=request.user, period=period, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Đã gửi đề xuất; thủ trưởng sẽ xem xét."))
            return redirect("evaluations:my_plan", period.pk)
    items = list(PlanItem.objects.filter(person=person, period=period).select_related("product"))
    context = {
        "period": period,
        "items": items,
        "total": sum((i.standard_products for i in items if i.status == PlanStatus.ASSIGNED), ZERO),
        "form": form,
        "can_propose": period.state == PeriodState.OPEN,
    }
    return render(request, "evaluations/my_plan.html", context)
