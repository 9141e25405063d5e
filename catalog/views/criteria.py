import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from orgunits.models import JobPositionGroup, OrgUnit

from .. import permissions, services
from ..criteria import rule_lines, rules_diff
from ..forms import (
    CriteriaSetForm,
    CriteriaVersionForm,
    LookupForm,
    PublishForm,
    RulesUploadForm,
    VersionRetireForm,
    add_service_errors,
)
from ..models import CriteriaSet, Quota, VersionStatus
from .common import (
    get_set_for_user,
    get_set_to_manage,
    get_version_for_user,
    get_version_to_manage,
    require,
)

MAX_RULES_FILE = 100 * 1024


@login_required
def criteria_set_list(request):
    sets = (
        CriteriaSet.objects.visible_to(request.user)
        .select_related("owner_unit", "owner_sector")
        .prefetch_related("versions")
        .order_by("owner_sector__name", "owner_unit__path", "code")
    )
    context = {"sets": sets, "can_manage": permissions.can_manage_catalogs(request.user)}
    return render(request, "catalog/criteria_set_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def criteria_set_create(request):
    require(permissions.can_manage_catalogs(request.user))
    form = CriteriaSetForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "owner"}
        try:
            criteria_set = services.criteria_set_create(
                by=request.user, **form.owner_kwargs(), **fields
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã tạo bộ tiêu chí với bản dự thảo đầu tiên."))
            return redirect(criteria_set)
    context = {
        "form": form,
        "title": _("Thêm bộ tiêu chí"),
        "back": reverse("catalog:criteria_set_list"),
    }
    return render(request, "catalog/simple_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def criteria_set_update(request, pk: int):
    criteria_set = get_set_to_manage(request.user, pk)
    form = CriteriaSetForm(request.POST or None, instance=criteria_set, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.criteria_set_update(
            criteria_set=criteria_set,
            by=request.user,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
        )
        return redirect(criteria_set)
    context = {"form": form, "title": str(criteria_set), "back": criteria_set.get_absolute_url()}
    return render(request, "catalog/simple_form.html", context)


@login_required
def criteria_set_detail(request, pk: int):
    criteria_set = get_set_for_user(request.user, pk)
    versions = list(criteria_set.versions.select_related("published_by", "created_by"))
    context = {
        "criteria_set": criteria_set,
        "versions": versions,
        "can_manage": permissions.can_manage_owned(request.user, criteria_set),
        "has_draft": any(v.is_draft for v in versions),
    }
    return render(request, "catalog/criteria_set_detail.html", context)


@login_required
def criteria_set_diff(request, pk: int):
    criteria_set = get_set_for_user(request.user, pk)
    versions = criteria_set.versions
    old = get_object_or_404(versions, pk=request.GET.get("a") or 0)
    new = get_object_or_404(versions, pk=request.GET.get("b") or 0)
    changes = rules_diff(old.rules, new.rules, old.general_descriptions, new.general_descriptions)
    context = {"criteria_set": criteria_set, "old": old, "new": new, "changes": changes}
    template = (
        "catalog/partials/_version_diff.html" if request.htmx else "catalog/version_diff.html"
    )
    return render(request, template, context)


@login_required
def version_detail(request, pk: int):
    version = get_version_for_user(request.user, pk)
    can_manage = permissions.can_manage_owned(request.user, version.criteria_set)
    context = {
        "version": version,
        "criteria_set": version.criteria_set,
        "lines": rule_lines(version.rules, version.general_descriptions),
        "can_edit": can_manage and version.is_draft,
        "can_new_draft": can_manage
        and not version.is_draft
        and not version.criteria_set.versions.filter(status=VersionStatus.DRAFT).exists(),
        "can_retire": can_manage and version.status == VersionStatus.PUBLISHED,
        "publish_form": PublishForm(initial={"valid_from": version.valid_from}),
    }
    return render(request, "catalog/version_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def version_edit(request, pk: int):
    version = get_version_to_manage(request.user, pk)
    if not version.is_draft:
        messages.error(request, _("Phiên bản đã ban hành không được sửa; hãy tạo bản mới."))
        return redirect(version)
    form = CriteriaVersionForm(request.POST or None, version=version)
    if request.method == "POST" and form.is_valid():
        try:
            services.criteria_version_update(
                version=version,
                by=request.user,
                rules=form.cleaned_data["rules"],
                general_descriptions=form.cleaned_data["general_descriptions"],
                valid_from=form.cleaned_data["valid_from"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu bản dự thảo."))
            return redirect(version)
    context = {"form": form, "version": version, "criteria_set": version.criteria_set}
    return render(request, "catalog/version_form.html", context)


@login_required
@require_POST
def version_publish(request, pk: int):
    version = get_version_to_manage(request.user, pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ngày áp dụng không hợp lệ (dd/mm/yyyy)."))
        return redirect(version)
    try:
        services.criteria_version_publish(
            version=version, by=request.user, valid_from=form.cleaned_data["valid_from"]
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Đã ban hành phiên bản %(n)s.") % {"n": version.number})
    return redirect(version)


@login_required
@require_POST
def version_new_draft(request, pk: int):
    version = get_version_to_manage(request.user, pk)
    try:
        draft = services.criteria_version_new_draft(from_version=version, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(version)
    messages.success(request, _("Đã tạo bản dự thảo %(n)s.") % {"n": draft.number})
    return redirect("catalog:version_edit", pk=draft.pk)


@login_required
@require_http_methods(["GET", "POST"])
def version_retire(request, pk: int):
    version = get_version_to_manage(request.user, pk)
    form = VersionRetireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.criteria_version_retire(version=version, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(version)
    context = {
        "form": form,
        "title": _("Ngừng áp dụng %(version)s") % {"version": version},
        "intro": _("Các kỳ đánh giá đã gắn với phiên bản này vẫn chấm theo phiên bản này."),
        "back": version.get_absolute_url(),
        "submit": _("Ngừng áp dụng"),
    }
    return render(request, "catalog/simple_form.html", context)


@login_required
@require_POST
def version_discard(request, pk: int):
    version = get_version_to_manage(request.user, pk)
    criteria_set = version.criteria_set
    try:
        services.criteria_version_discard(version=version, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(version)
    messages.success(request, _("Đã hủy bản dự thảo."))
    return redirect(criteria_set)


@login_required
def version_export(request, pk: int):
    version = get_version_for_user(request.user, pk)
    payload = {"rules": version.rules, "general_descriptions": version.general_descriptions}
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False, indent=2), content_type="application/json"
    )
    name = f"{version.criteria_set.code}-v{version.number}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def version_import(request, pk: int):
    """Load rules from a JSON file into a draft; a published version refuses like any edit."""
    version = get_version_to_manage(request.user, pk)
    form = RulesUploadForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ValidationError(_("Hãy chọn tệp JSON."))
        payload = _read_rules_file(form.cleaned_data["file"])
        services.criteria_version_update(
            version=version,
            by=request.user,
            rules=payload.get("rules", payload),
            general_descriptions=payload.get("general_descriptions"),
            valid_from=version.valid_from,
            note=version.note,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Đã nạp quy tắc từ tệp vào bản dự thảo."))
    return redirect(version)


def _read_rules_file(upload) -> dict:
    if upload.size > MAX_RULES_FILE:
        raise ValidationError(_("Tệp JSON vượt quá 100 KB."))
    try:
        payload = json.loads(upload.read().decode("utf-8"), parse_float=str)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValidationError(_("Tệp không phải JSON hợp lệ (UTF-8).")) from None
    if not isinstance(payload, dict):
        raise ValidationError(_("Tệp JSON phải chứa một đối tượng quy tắc."))
    return payload


@login_required
def criteria_lookup(request):
    units = OrgUnit.objects.visible_to(request.user).only("id", "name", "depth", "path")
    form = LookupForm(request.GET or None, units=units, initial={"on": timezone.localdate()})
    context = {"form": form}
    if form.is_valid():
        unit, on = form.cleaned_data["unit"], form.cleaned_data["on"]
        context["unit"], context["on"], context["searched"] = unit, on, True
        context["version"] = services.criteria_version_for(unit=unit, on=on)
        quotas = Quota.objects.per_group_for(unit, on)
        context["quotas"] = [
            (group, quotas.get(group.pk)) for group in JobPositionGroup.objects.all()
        ]
    return render(request, "catalog/lookup.html", context)
