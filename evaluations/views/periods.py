"""Kỳ đánh giá: periods, their deadlines and states, and the policy of each bloc."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgunits.models import Bloc

from .. import assessment, permissions, services
from ..forms import PeriodPolicyForm, PeriodReopenForm, PeriodStepForm
from ..models import Period, PeriodPolicy, PeriodReopening, PeriodState
from .common import add_errors, done, require

PAGE_SIZE = 24
PROVINCE_SLUG = "toan-tinh"  # the province-wide policy has a blank bloc


def _next_state(period: Period) -> PeriodState | None:
    order = services.STATE_ORDER
    index = order.index(period.state)
    return PeriodState(order[index + 1]) if index + 1 < len(order) else None


@login_required
def period_list(request):
    require(permissions.can_manage_periods(request.user))
    page = Paginator(Period.objects.order_by("-start", "bloc"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for period in page:
        period.next_state = _next_state(period)
        period.can_advance = period.next_state is not None and permissions.can_change_period(
            request.user, period
        )
        period.can_reopen = period.is_locked
    # Locking by hand is offered once the appeal window is over, before the lock date; the
    # lock action asks `period_lock_blocker` again, so this only decides the button.
    candidates = [p for p in page if not p.is_locked and p.next_state != PeriodState.LOCKED]
    lockable = permissions.lockable_periods(request.user, candidates)
    for period in page:
        period.can_lock = period.pk in lockable
    policies = {p.bloc: p for p in PeriodPolicy.objects.all()}
    rows = [
        (PROVINCE_SLUG if code == "" else code, policies.get(code) or PeriodPolicy(bloc=code))
        for code in ["", *Bloc.values]
    ]
    context = {
        "page": page,
        "policies": rows,
        "reopenings": PeriodReopening.objects.select_related("period", "reopened_by")[:10],
        "step_form": PeriodStepForm(),
    }
    return render(request, "evaluations/period_list.html", context)


@login_required
@require_POST
def period_advance(request, pk: int):
    period = get_object_or_404(Period, pk=pk)
    next_state = _next_state(period)
    require(next_state is not None and permissions.can_change_period(request.user, period))
    form = PeriodStepForm(request.POST)
    form.is_valid()
    try:
        if next_state == PeriodState.LOCKED:
            assessment.period_lock(period=period, by=request.user)
        else:
            services.period_set_state(
                period=period,
                state=next_state,
                by=request.user,
                reason=form.cleaned_data.get("reason", ""),
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Kỳ %(p)s đã chuyển sang “%(s)s”.") % {"p": period, "s": next_state.label},
        )
    return done(request, reverse("evaluations:period_list"))


@login_required
@require_POST
def period_lock(request, pk: int):
    """Lock a period by hand once its appeal window is over and every appeal is resolved."""
    require(permissions.can_manage_periods(request.user))
    period = get_object_or_404(Period, pk=pk)
    try:
        assessment.period_lock(period=period, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã khóa kỳ %(p)s.") % {"p": period})
    return done(request, reverse("evaluations:period_list"))


@login_required
def period_reopen(request, pk: int):
    require(permissions.can_manage_periods(request.user))
    period = get_object_or_404(Period, pk=pk)
    form = PeriodReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.period_reopen(
                period=period, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Đã mở lại kỳ %(p)s.") % {"p": period})
            return redirect("evaluations:period_list")
    return render(request, "evaluations/period_reopen.html", {"period": period, "form": form})


@login_required
def policy_edit(request, bloc: str):
    require(permissions.can_manage_periods(request.user))
    code = "" if bloc == PROVINCE_SLUG else bloc
    if code and code not in Bloc.values:
        raise Http404
    policy = PeriodPolicy.objects.filter(bloc=code).first() or PeriodPolicy(bloc=code)
    form = PeriodPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.period_policy_update(policy=policy, by=request.user, **fields)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Đã lưu quy định kỳ đánh giá: %(p)s.") % {"p": policy})
            return redirect("evaluations:period_list")
    return render(request, "evaluations/policy_form.html", {"policy": policy, "form": form})
