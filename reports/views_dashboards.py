"""Dashboards: province → bloc → agency → unit → person, my units, and my own figures."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations import assessment
from evaluations.models import Evaluation
from evaluations.scoring import ScoringInputError
from evaluations.views import scorecard
from orgunits import roles
from orgunits.models import OrgUnit, Person

from . import dashboards, permissions

UNIT_COLUMNS = [
    ("ten", _("Đơn vị")),
    ("nguoi", _("Số người")),
    ("xep-loai", _("Đã xếp loại")),
    ("htxs", _("HTXS")),
    ("htt", _("HTT")),
    ("ht", _("HT")),
    ("kht", _("KHT")),
    ("diem", _("Điểm trung bình")),
    ("cho-duyet", _("Chờ phê duyệt")),
]
PERSON_COLUMNS = [
    ("ten", _("Họ và tên")),
    ("giao", _("Sản phẩm chuẩn được giao")),
    ("duyet", _("Sản phẩm chuẩn đã duyệt")),
    ("cho-duyet", _("Chờ phê duyệt")),
    ("canh-bao", _("Cảnh báo")),
    ("diem", _("Điểm trung bình")),
]
TEAM_COLUMNS = [
    ("ten", _("Họ và tên")),
    ("ke-hoach", _("So với kế hoạch")),
    ("dinh-muc", _("So với định mức")),
    ("cho-duyet", _("Chờ phê duyệt")),
]


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def get_dashboard_unit_for_user(user, pk: int) -> OrgUnit:
    """A unit inside the reader's dashboard subtrees; 404 outside them."""
    unit = get_object_or_404(OrgUnit, pk=pk)
    if not permissions.covers(permissions.dashboard_paths(user), unit.path):
        raise Http404
    return unit


def sort_columns(request, param: str, columns, default: str = "ten") -> tuple[str, list[dict]]:
    """The current `?<param>=` and a link per column that sorts by it (again: reversed)."""
    current = request.GET.get(param, default)
    links = []
    for key, label in columns:
        query = request.GET.copy()
        query[param] = f"-{key}" if current == key else key
        query.pop("page", None)  # a new order starts on its first page
        state = "ascending" if current == key else "descending" if current == f"-{key}" else ""
        links.append({"label": label, "url": f"?{query.urlencode()}", "sort": state})
    return current, links


def _unit_context(request, unit: OrgUnit) -> dict:
    scopes = dashboards.available_scopes()
    scope = dashboards.pick_scope(request.GET.get("ky", ""), scopes)
    sort, unit_columns = sort_columns(request, "sort", UNIT_COLUMNS)
    sort_xa, commune_columns = sort_columns(request, "sort_xa", UNIT_COLUMNS)
    sort_people, person_columns = sort_columns(request, "sort_nguoi", PERSON_COLUMNS)
    context = {
        "unit": unit,
        "breadcrumb_units": dashboards.breadcrumb_units(
            unit, permissions.dashboard_paths(request.user)
        ),
        "scope": scope,
        "scope_choices": dashboards.scope_choices(scopes, scope),
        "unit_columns": unit_columns,
        "commune_columns": commune_columns,
        "person_columns": person_columns,
    }
    if scope is None:
        return context
    children = dashboards.child_rows(unit, scope, sort)
    trend = dashboards.trend_rows(unit, scope)
    return {
        **context,
        "scope_label": dashboards.scope_label(scope),
        "row": dashboards.unit_row(unit, scope),
        "children": children,
        "bands_chart": dashboards.bands_chart(children),
        "trend": trend,
        "trend_chart": dashboards.trend_chart(trend),
        "communes": dashboards.commune_rows(unit, scope, sort_xa),
        "late_units": dashboards.late_units(unit, scope),
        "outliers": dashboards.outliers(unit, scope),
        "people": dashboards.people_rows(unit, scope, sort_people),
    }


@login_required
def province_dashboard(request):
    require(permissions.can_view_province_dashboard(request.user))
    roots = dashboards.scope_roots(permissions.dashboard_paths(request.user))
    if len(roots) != 1:
        return render(request, "reports/dashboards/roots.html", {"roots": roots})
    return render(request, "reports/dashboards/unit.html", _unit_context(request, roots[0]))


@login_required
def unit_dashboard(request, unit_pk: int):
    require(permissions.can_view_province_dashboard(request.user))
    unit = get_dashboard_unit_for_user(request.user, unit_pk)
    return render(request, "reports/dashboards/unit.html", _unit_context(request, unit))


@login_required
def person_dashboard(request, person_pk: int):
    """A person's figures period by period, for those overseeing them (and themself)."""
    person = get_object_or_404(Person, pk=person_pk)
    history = dashboards.person_history(person.pk)
    paths = permissions.person_dashboard_paths(request.user)
    own = person.user_id == request.user.pk
    if not history or not (own or any(permissions.covers(paths, r.unit_path) for r in history)):
        raise Http404
    context = {
        "person": person,
        "history": history,
        "history_chart": dashboards.history_chart(history),
        "breadcrumb_units": dashboards.breadcrumb_units(history[0].unit, paths)
        + ([history[0].unit] if permissions.covers(paths, history[0].unit.path) else []),
        "can_open_units": permissions.can_view_province_dashboard(request.user),
    }
    return render(request, "reports/dashboards/person.html", context)


@login_required
def team_dashboard(request, unit_pk: int | None = None):
    require(permissions.can_view_team_dashboard(request.user))
    led = OrgUnit.objects.filter(
        path__in=roles.leader_paths(request.user, timezone.localdate())
    ).order_by("path")
    unit = get_object_or_404(led, pk=unit_pk) if unit_pk else led.first()
    period = dashboards.current_period_for(unit.path)
    me = getattr(request.user, "person", None)
    sort, columns = sort_columns(request, "sort", TEAM_COLUMNS, default="don-vi")
    search = request.GET.get("q", "").strip()[:120]
    status = request.GET.get("loc", "")
    context = {
        "unit": unit,
        "led_units": list(led),
        "period": period,
        "columns": columns,
        "search": search,
        "status": status if status in dashboards.TEAM_FILTERS else "",
    }
    if period is None:
        return render(request, "reports/dashboards/team.html", context)
    rows = dashboards.team_rows(unit, period, me.pk if me else None)
    # Large units run to hundreds of people: one page at a time, searched and sorted in SQL.
    shown = dashboards.team_filtered(rows, search=search, status=status, sort=sort)
    summary = dashboards.team_summary(rows)
    paginator = Paginator(shown, dashboards.TEAM_PAGE_SIZE)
    if not (search or context["status"]):
        paginator.count = summary.people  # already counted: spare the subtree a second scan
    page = paginator.get_page(request.GET.get("page"))
    context |= {
        "summary": summary,
        "page": page,
        "members": dashboards.team_members(list(page.object_list), period),
    }
    return render(request, "reports/dashboards/team.html", context)


@login_required
def personal_dashboard(request):
    require(permissions.can_view_personal_dashboard(request.user))
    person = request.user.person
    history = dashboards.person_history(person.pk)
    current = dashboards.personal_row(person.pk)
    context = {
        "person": person,
        "current": current,
        "plan": dashboards.against_plan(current) if current else None,
        "quota": dashboards.against_quota(current) if current else None,
        "history": history,
        "history_chart": dashboards.history_chart(history),
    }
    return render(request, "reports/dashboards/personal.html", context)


@login_required
def personal_projection(request):
    """The engine's live score of my current phiếu (it reads my plans and approved work)."""
    require(permissions.can_view_personal_dashboard(request.user))
    current = dashboards.personal_row(request.user.person.pk)
    evaluation = (
        Evaluation.objects.select_related("person", "period", "criteria_version", "unit")
        .filter(pk=current.evaluation_id)
        .first()
        if current and current.evaluation_id
        else None
    )
    card, error = None, ""
    if evaluation is not None:
        try:
            score = assessment.compute(evaluation)
            card = scorecard.from_result(score.result, score.lines.not_rated_reason)
        except (ValidationError, ScoringInputError) as problem:
            error = "; ".join(getattr(problem, "messages", [str(problem)]))
    context = {
        "evaluation": evaluation,
        "card": card,
        "error": error,
        "general_missing": evaluation is not None
        and not (evaluation.head_general or evaluation.self_general),
    }
    return render(request, "reports/partials/_dash_projection.html", context)
