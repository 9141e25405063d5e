from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import permissions, services
from ..forms import ConversionRuleForm, ConversionTableForm, add_service_errors
from ..models import ConversionTable
from .common import (
    get_rule_to_manage,
    get_table_for_user,
    get_table_to_manage,
    require,
)


@login_required
def conversion_table_list(request):
    tables = (
        ConversionTable.objects.visible_to(request.user)
        .select_related("owner_unit", "owner_sector")
        .annotate(rule_count=Count("rules"))
        .order_by("owner_sector__name", "owner_unit__path", "code")
    )
    context = {"tables": tables, "can_manage": permissions.can_manage_catalogs(request.user)}
    return render(request, "catalog/conversion_table_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def conversion_table_create(request):
    require(permissions.can_manage_catalogs(request.user))
    form = ConversionTableForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "owner"}
        try:
            table = services.conversion_table_create(
                by=request.user, **form.owner_kwargs(), **fields
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(table)
    context = {
        "form": form,
        "title": _("Thêm bảng quy đổi"),
        "back": reverse("catalog:conversion_table_list"),
    }
    return render(request, "catalog/simple_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def conversion_table_update(request, pk: int):
    table = get_table_to_manage(request.user, pk)
    form = ConversionTableForm(request.POST or None, instance=table, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.conversion_table_update(table=table, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(table)
    context = {"form": form, "title": str(table), "back": table.get_absolute_url()}
    return render(request, "catalog/simple_form.html", context)


@login_required
def conversion_table_detail(request, pk: int):
    table = get_table_for_user(request.user, pk)
    can_manage = permissions.can_manage_owned(request.user, table)
    context = {
        "table": table,
        "rules": table.rules.select_related("product"),
        "can_manage": can_manage,
        "form": ConversionRuleForm(table=table) if can_manage else None,
    }
    return render(request, "catalog/conversion_table_detail.html", context)


@login_required
@require_POST
def conversion_rule_create(request, pk: int):
    table = get_table_to_manage(request.user, pk)
    form = ConversionRuleForm(request.POST, table=table)
    if form.is_valid():
        try:
            services.conversion_rule_create(table=table, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm dòng quy đổi."))
            return redirect(table)
    context = {"table": table, "rules": table.rules.select_related("product"), "can_manage": True}
    return render(request, "catalog/conversion_table_detail.html", {**context, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def conversion_rule_update(request, pk: int):
    rule = get_rule_to_manage(request.user, pk)
    form = ConversionRuleForm(request.POST or None, instance=rule, table=rule.table)
    if request.method == "POST" and form.is_valid():
        try:
            services.conversion_rule_update(rule=rule, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(rule.table)
    context = {"form": form, "title": rule.task_type, "back": rule.table.get_absolute_url()}
    return render(request, "catalog/simple_form.html", context)


@login_required
@require_POST
def conversion_rule_delete(request, pk: int):
    rule = get_rule_to_manage(request.user, pk)
    table = rule.table
    services.conversion_rule_delete(rule=rule, by=request.user)
    messages.success(request, _("Đã xóa dòng quy đổi."))
    return redirect(table)
