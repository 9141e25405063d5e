from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from . import permissions
from .filters import PersonFilter
from .models import Assignment, OrgUnit, Person, RoleGrant
from .querysets import scope_paths


def get_unit_for_user(user, pk: int) -> OrgUnit:
    return get_object_or_404(OrgUnit.objects.visible_to(user), pk=pk)


def get_person_for_user(user, pk: int) -> Person:
    return get_object_or_404(Person.objects.visible_to(user), pk=pk)


def _current_assignments(on):
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.active_on(on).select_related("unit"),
        to_attr="current_assignments",
    )


@login_required
def tree(request):
    visible = OrgUnit.objects.visible_to(request.user)
    query = request.GET.get("q", "").strip()
    if query:
        matches = visible.filter(name__icontains=query)[:50]
        return render(request, "orgunits/tree.html", {"matches": matches, "q": query})
    roots = _top_level(visible)
    return render(request, "orgunits/tree.html", {"roots": roots, "q": query})


def _top_level(visible):
    """The shallowest visible units: the tree starts from what the user oversees."""
    units = list(visible.order_by("path").only("id", "path", "depth", "name", "numchild", "kind"))
    tops = []
    for unit in units:
        if not tops or not unit.path.startswith(tops[-1].path):
            tops.append(unit)
    return tops


@login_required
def tree_children(request, pk: int):
    unit = get_unit_for_user(request.user, pk)
    children = OrgUnit.objects.visible_to(request.user).filter(
        path__startswith=unit.path, depth=unit.depth + 1
    )
    return render(request, "orgunits/partials/_tree_children.html", {"children": children})


@login_required
def unit_detail(request, pk: int):
    unit = get_unit_for_user(request.user, pk)
    on = timezone.localdate()
    members = (
        Assignment.objects.active_on(on)
        .filter(unit=unit)
        .select_related("person", "person__job_position")
        .order_by("-role", "person__full_name")
    )
    context = {
        "unit": unit,
        "ancestors": unit.get_ancestors(),
        "children": OrgUnit.objects.visible_to(request.user).filter(
            path__startswith=unit.path, depth=unit.depth + 1
        ),
        "members": members,
        "name_history": unit.name_history.all(),
        "merged_units": unit.merged_units.all(),
        "grants": RoleGrant.objects.active_on(on).filter(unit=unit).select_related("user"),
        "can_manage": permissions.can_manage_unit(request.user, unit),
    }
    return render(request, "orgunits/unit_detail.html", context)


@login_required
def directory(request):
    if not permissions.can_view_directory(request.user):
        raise PermissionDenied
    on = timezone.localdate()
    people = Person.objects.visible_to(request.user).select_related("job_position__group")
    people = people.prefetch_related(_current_assignments(on))
    units = OrgUnit.objects.visible_to(request.user)
    filterset = PersonFilter(request.GET or None, queryset=people, units=units, on=on)
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    template = (
        "orgunits/partials/_directory_rows.html" if request.htmx else "orgunits/directory.html"
    )
    return render(
        request, template, {"filter": filterset, "page": page, "scope": scope_paths(request.user)}
    )


@login_required
def person_detail(request, pk: int):
    person = get_person_for_user(request.user, pk)
    assignments = person.assignments.select_related("unit").order_by("-start")
    context = {
        "person": person,
        "assignments": assignments,
        "can_manage": any(
            permissions.can_manage_unit(request.user, a.unit) for a in assignments[:1]
        ),
    }
    return render(request, "orgunits/person_detail.html", context)
