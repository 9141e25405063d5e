"""The pilot's pages: adoption dashboard, its Excel export, the sơ kết pack, last year's ratings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgunits.models import OrgUnit

from . import adoption, dashboards, permissions, pilot_pack
from .forms_adoption import BaselineForm, PackForm
from .models import ManualRatingBaseline
from .views_dashboards import get_dashboard_unit_for_user, require

BASELINE_LIMIT = 200


def _context(request, unit: OrgUnit) -> dict:
    scopes = adoption.available_scopes()
    scope = adoption.pick_scope(request.GET.get("ky", ""), scopes)
    context = {
        "unit": unit,
        "breadcrumb_units": dashboards.breadcrumb_units(
            unit, permissions.dashboard_paths(request.user)
        ),
        "scope": scope,
        "scope_choices": dashboards.scope_choices(scopes, scope),
    }
    if scope is None:
        return context
    trend = adoption.trend_rows(unit, scope)
    return {
        **context,
        "scope_label": dashboards.scope_label(scope),
        "row": adoption.unit_row(unit, scope),
        "children": adoption.child_rows(unit, scope),
        "trend": trend,
        "trend_chart": adoption.trend_chart(trend),
        "queues": adoption.overdue_queues(unit, scope),
        "unpublished": adoption.unpublished_units(unit, scope),
        "can_pack": permissions.can_request_pilot_pack(request.user, unit),
    }


@login_required
def adoption_dashboard(request):
    require(permissions.can_view_adoption(request.user))
    roots = dashboards.scope_roots(permissions.dashboard_paths(request.user))
    if len(roots) != 1:
        return render(request, "reports/adoption/roots.html", {"roots": roots})
    return render(request, "reports/adoption/unit.html", _context(request, roots[0]))


@login_required
def adoption_unit(request, unit_pk: int):
    require(permissions.can_view_adoption(request.user))
    unit = get_dashboard_unit_for_user(request.user, unit_pk)
    return render(request, "reports/adoption/unit.html", _context(request, unit))


@login_required
@require_POST
def adoption_export(request, unit_pk: int):
    require(permissions.can_view_adoption(request.user))
    unit = get_dashboard_unit_for_user(request.user, unit_pk)
    scope = adoption.pick_scope(request.POST.get("ky", ""), adoption.available_scopes())
    if scope is None:
        messages.error(request, _("Chưa có số liệu sử dụng phần mềm để xuất."))
        return redirect("reports:adoption_unit", unit.pk)
    try:
        export = pilot_pack.adoption_export_request(by=request.user, unit=unit, scope=scope)
    except PermissionDenied as denied:
        raise Http404 from denied
    messages.success(request, _("Đã nhận yêu cầu “%(t)s”.") % {"t": export.title})
    return redirect("reports:export_list")


@login_required
def pack_request(request):
    require(permissions.can_request_pilot_pack(request.user))
    form = PackForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pilot_pack.pack_request(
                by=request.user, unit=data["unit"], start=data["start"], end=data["end"]
            )
        except PermissionDenied as denied:
            raise Http404 from denied
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Đã nhận yêu cầu báo cáo sơ kết thí điểm (PDF và Excel)."))
            return redirect("reports:export_list")
    context = {"form": form, "can_enter_baseline": permissions.can_enter_baseline(request.user)}
    return render(request, "reports/adoption/pack.html", context)


@login_required
def baselines(request):
    """Last year's manual ratings: the list in the user's reach and the form to enter one."""
    require(permissions.can_enter_baseline(request.user))
    form = BaselineForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pilot_pack.baseline_save(
                by=request.user,
                unit=data["unit"],
                year=data["year"],
                counts=form.counts(),
                note=data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Đã lưu số liệu xếp loại năm trước."))
            return redirect("reports:adoption_baselines")
    units = form.fields["unit"].queryset
    rows = (
        ManualRatingBaseline.objects.filter(unit__in=units)
        .select_related("unit")
        .order_by("-year", "unit__path")[:BASELINE_LIMIT]
    )
    return render(request, "reports/adoption/baselines.html", {"form": form, "rows": rows})
