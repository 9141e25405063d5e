from copy import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from . import permissions, selectors, services
from .filters import PersonFilter
from .forms import (
    DeactivateForm,
    DelegationForm,
    EndForm,
    PersonCreateForm,
    PersonEditForm,
    RevokeDelegationForm,
    RevokeGrantForm,
    RoleGrantForm,
    SecondaryAssignmentForm,
    TransferForm,
    UnitCloseForm,
    UnitEditForm,
    UnitForm,
    UnitMergeForm,
    UnitMoveForm,
)
from .models import Assignment, Delegation, OrgUnit, Person, RoleGrant
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
        "ancestors": OrgUnit.objects.get_ancestors(unit),
        "children": OrgUnit.objects.visible_to(request.user).filter(
            path__startswith=unit.path, depth=unit.depth + 1
        ),
        "members": members,
        "name_history": unit.name_history.all(),
        "merged_units": unit.merged_units.all(),
        "grants": RoleGrant.objects.active_on(on).filter(unit=unit).select_related("user"),
        **_unit_rights(request.user, unit),
    }
    return render(request, "orgunits/unit_detail.html", context)


def _unit_rights(user, unit: OrgUnit) -> dict[str, bool]:
    can_manage = permissions.can_manage_unit(user, unit)
    is_open = unit.active_to is None
    return {
        "can_manage": can_manage and is_open,
        "can_move": can_manage and is_open and not unit.is_root(),
        "can_see_access": permissions.can_grant_roles(user) or permissions.can_delegate(user, unit),
    }


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
    assignments = list(person.assignments.select_related("unit").order_by("-start"))
    can_manage = person.is_active and permissions.can_manage_person(request.user, person)
    context = {
        "person": person,
        "assignments": assignments,
        "can_manage": can_manage,
        # Few rows per person, so one predicate call per open assignment is cheap.
        "endable": {
            a.pk
            for a in assignments
            if can_manage and a.end is None and permissions.can_manage_unit(request.user, a.unit)
        },
    }
    return render(request, "orgunits/person_detail.html", context)


# Administration: each view checks the right, then hands the form's data to one service.


def get_assignment_for_user(user, pk: int) -> Assignment:
    people = Person.objects.visible_to(user)
    return get_object_or_404(
        Assignment.objects.select_related("person", "unit"), pk=pk, person__in=people
    )


def get_grant_for_user(user, pk: int) -> RoleGrant:
    units = OrgUnit.objects.visible_to(user)
    return get_object_or_404(RoleGrant.objects.select_related("unit"), pk=pk, unit__in=units)


def get_delegation_for_user(user, pk: int) -> Delegation:
    units = OrgUnit.objects.visible_to(user)
    return get_object_or_404(Delegation.objects.select_related("unit"), pk=pk, unit__in=units)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _open_unit_to_manage(request, pk: int) -> OrgUnit:
    """A unit the user may reshape; closed and merged units stay as history, read-only."""
    unit = get_unit_for_user(request.user, pk)
    _require(permissions.can_manage_unit(request.user, unit) and unit.active_to is None)
    return unit


def _add_errors(form, error: ValidationError) -> None:
    """Put a service's errors on the fields they name, the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _form_page(
    request, form, *, subject, title: str, perform, success: str, danger=False, next_url=None
):
    """Show the form; on a valid POST run `perform` and go to the object it returns."""
    if request.method == "POST" and form.is_valid():
        try:
            result = perform(form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, success)
            url = next_url or result.get_absolute_url()
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    template = "orgunits/partials/_admin_form.html" if request.htmx else "orgunits/admin_form.html"
    context = {
        "form": form,
        "subject": subject,
        "subject_is_unit": isinstance(subject, OrgUnit),
        "title": title,
        "danger": danger,
    }
    return render(request, template, context)


def _access_url(unit: OrgUnit) -> str:
    return reverse("orgunits:unit_access", args=[unit.pk])


def _data(form_data: dict, *drop: str) -> dict:
    return {k: v for k, v in form_data.items() if k not in drop}


@login_required
def unit_create(request, pk: int):
    parent = _open_unit_to_manage(request, pk)
    initial = {"bloc": parent.bloc, "sector": parent.sector, "active_from": timezone.localdate()}
    return _form_page(
        request,
        UnitForm(request.POST or None, initial=initial),
        subject=parent,
        title=_("Thêm đơn vị trực thuộc"),
        perform=lambda d: services.unit_create(by=request.user, parent=parent, **d),
        success=_("Đã thêm đơn vị."),
    )


@login_required
def unit_edit(request, pk: int):
    unit = _open_unit_to_manage(request, pk)
    return _form_page(
        request,
        UnitEditForm(request.POST or None, instance=copy(unit)),
        subject=unit,
        title=_("Sửa thông tin đơn vị"),
        perform=lambda d: services.unit_update(unit=unit, by=request.user, **d),
        success=_("Đã lưu thông tin đơn vị."),
    )


@login_required
def unit_move(request, pk: int):
    unit = _open_unit_to_manage(request, pk)
    _require(not unit.is_root())
    targets = selectors.manageable_units(request.user, timezone.localdate())
    return _form_page(
        request,
        UnitMoveForm(request.POST or None, unit=unit, targets=targets),
        subject=unit,
        title=_("Chuyển đơn vị sang đơn vị cấp trên khác"),
        perform=lambda d: services.unit_move(unit=unit, by=request.user, **d),
        success=_("Đã chuyển đơn vị."),
    )


@login_required
def unit_close(request, pk: int):
    unit = _open_unit_to_manage(request, pk)
    return _form_page(
        request,
        UnitCloseForm(request.POST or None),
        subject=unit,
        title=_("Ngừng hoạt động đơn vị"),
        perform=lambda d: services.unit_close(unit=unit, by=request.user, **d),
        success=_("Đơn vị đã ngừng hoạt động."),
        danger=True,
    )


@login_required
def unit_merge(request, pk: int):
    unit = _open_unit_to_manage(request, pk)
    targets = selectors.manageable_units(request.user, timezone.localdate())
    return _form_page(
        request,
        UnitMergeForm(request.POST or None, unit=unit, targets=targets),
        subject=unit,
        title=_("Sáp nhập đơn vị"),
        perform=lambda d: services.unit_merge(unit=unit, by=request.user, **d),
        success=_("Đã sáp nhập đơn vị."),
        danger=True,
    )


@login_required
def person_create(request, pk: int):
    unit = _open_unit_to_manage(request, pk)
    return _form_page(
        request,
        PersonCreateForm(request.POST or None),
        subject=unit,
        title=_("Thêm cán bộ vào đơn vị"),
        perform=lambda d: services.person_create(by=request.user, unit=unit, **d),
        success=_("Đã thêm cán bộ."),
    )


@login_required
def person_edit(request, pk: int):
    person = get_person_for_user(request.user, pk)
    _require(permissions.can_manage_person(request.user, person))
    return _form_page(
        request,
        PersonEditForm(request.POST or None, instance=copy(person)),
        subject=person,
        title=_("Sửa thông tin cán bộ"),
        perform=lambda d: services.person_update(person=person, by=request.user, **d),
        success=_("Đã lưu thông tin cán bộ."),
    )


@login_required
def person_transfer(request, pk: int):
    person = get_person_for_user(request.user, pk)
    _require(permissions.can_manage_person(request.user, person) and person.is_active)
    on = timezone.localdate()
    current = person.primary_assignment_on(on)
    initial = {"to_unit": current.unit_id, "role": current.role} if current else {}
    return _form_page(
        request,
        TransferForm(
            request.POST or None,
            initial=initial,
            targets=selectors.manageable_units(request.user, on),
        ),
        subject=person,
        title=_("Điều chuyển, bổ nhiệm"),
        perform=lambda d: services.assignment_transfer(person=person, by=request.user, **d).person,
        success=_("Đã ghi quá trình công tác mới."),
    )


@login_required
def person_add_secondary(request, pk: int):
    person = get_person_for_user(request.user, pk)
    _require(permissions.can_manage_person(request.user, person) and person.is_active)
    targets = selectors.manageable_units(request.user, timezone.localdate())
    return _form_page(
        request,
        SecondaryAssignmentForm(request.POST or None, targets=targets),
        subject=person,
        title=_("Thêm kiêm nhiệm"),
        perform=lambda d: (
            services.assignment_add_secondary(person=person, by=request.user, **d).person
        ),
        success=_("Đã thêm kiêm nhiệm."),
    )


@login_required
def assignment_end(request, pk: int):
    assignment = get_assignment_for_user(request.user, pk)
    _require(permissions.can_manage_unit(request.user, assignment.unit) and not assignment.end)
    return _form_page(
        request,
        EndForm(request.POST or None),
        subject=assignment.person,
        title=_("Kết thúc công tác tại %(unit)s") % {"unit": assignment.unit},
        perform=lambda d: (
            services.assignment_end(assignment=assignment, by=request.user, **d).person
        ),
        success=_("Đã kết thúc quá trình công tác."),
    )


@login_required
def person_deactivate(request, pk: int):
    person = get_person_for_user(request.user, pk)
    _require(permissions.can_manage_person(request.user, person) and person.is_active)
    return _form_page(
        request,
        DeactivateForm(request.POST or None),
        subject=person,
        title=_("Cho nghỉ việc"),
        perform=lambda d: services.person_deactivate(person=person, by=request.user, **d),
        success=_("Đã ghi nhận nghỉ việc; tài khoản bị khóa, hồ sơ đánh giá được giữ lại."),
        danger=True,
    )


@login_required
def unit_access(request, pk: int):
    unit = get_unit_for_user(request.user, pk)
    can_grant = permissions.can_grant_roles(request.user)
    can_delegate = permissions.can_delegate(request.user, unit)
    _require(can_grant or can_delegate)
    context = {
        "unit": unit,
        "grants": RoleGrant.objects.filter(unit=unit).select_related("user", "sector"),
        "delegations": unit.delegations.select_related("delegator", "delegate"),
        "today": timezone.localdate(),
        "can_grant": can_grant,
        "can_delegate": can_delegate,
    }
    return render(request, "orgunits/unit_access.html", context)


@login_required
def role_grant(request, pk: int):
    unit = get_unit_for_user(request.user, pk)
    _require(permissions.can_grant_roles(request.user))
    return _form_page(
        request,
        RoleGrantForm(request.POST or None, unit=unit),
        subject=unit,
        title=_("Phân quyền"),
        perform=lambda d: services.role_grant(
            by=request.user, unit=unit, user=d["account"], **_data(d, "account")
        ),
        success=_("Đã phân quyền."),
        next_url=_access_url(unit),
    )


@login_required
def role_revoke(request, pk: int):
    grant = get_grant_for_user(request.user, pk)
    ended = grant.valid_to is not None and grant.valid_to < timezone.localdate()
    _require(permissions.can_grant_roles(request.user) and not ended)
    return _form_page(
        request,
        RevokeGrantForm(request.POST or None),
        subject=grant.unit,
        title=_("Thu hồi quyền: %(grant)s") % {"grant": grant},
        perform=lambda d: services.role_revoke(grant=grant, by=request.user, **d),
        success=_("Đã thu hồi quyền."),
        next_url=_access_url(grant.unit),
        danger=True,
    )


@login_required
def delegation_create(request, pk: int):
    unit = get_unit_for_user(request.user, pk)
    _require(permissions.can_delegate(request.user, unit))
    return _form_page(
        request,
        DelegationForm(request.POST or None, unit=unit),
        subject=unit,
        title=_("Ủy quyền phê duyệt, đánh giá"),
        perform=lambda d: services.delegation_create(unit=unit, by=request.user, **d),
        success=_("Đã ủy quyền."),
        next_url=_access_url(unit),
    )


@login_required
def delegation_revoke(request, pk: int):
    delegation = get_delegation_for_user(request.user, pk)
    _require(permissions.can_delegate(request.user, delegation.unit) and not delegation.revoked_at)
    return _form_page(
        request,
        RevokeDelegationForm(request.POST or None),
        subject=delegation.unit,
        title=_("Thu hồi ủy quyền: %(delegation)s") % {"delegation": delegation},
        perform=lambda d: services.delegation_revoke(delegation=delegation, by=request.user, **d),
        success=_("Đã thu hồi ủy quyền."),
        next_url=_access_url(delegation.unit),
        danger=True,
    )
