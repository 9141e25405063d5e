from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from orgunits.models import OrgUnit

from .. import permissions, services
from ..filters import ProductFilter
from ..forms import (
    BulkCoefficientForm,
    OwnerSelectForm,
    ProductForm,
    RetireForm,
    add_service_errors,
)
from ..models import UNITS_OF_MEASURE, Product
from .common import get_product_for_user, get_product_to_manage, require


@login_required
def product_list(request):
    products = (
        Product.objects.visible_to(request.user)
        .select_related("group", "owner_unit", "owner_sector")
        .prefetch_related("position_groups")
        .order_by("owner_sector__name", "owner_unit__path", "group__position", "code")
    )
    units = OrgUnit.objects.visible_to(request.user).only("id", "name", "depth", "path")
    filterset = ProductFilter(request.GET or None, queryset=products, units=units)
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    manageable = set(
        Product.objects.manageable_by(request.user)
        .filter(pk__in=[p.pk for p in page])
        .values_list("pk", flat=True)
    )
    template = (
        "catalog/partials/_product_rows.html" if request.htmx else "catalog/product_list.html"
    )
    context = {
        "filter": filterset,
        "page": page,
        "manageable": manageable,
        "can_manage": permissions.can_manage_catalogs(request.user),
    }
    return render(request, template, context)


@login_required
def product_detail(request, pk: int):
    product = get_product_for_user(request.user, pk)
    context = {
        "product": product,
        "position_groups": product.position_groups.all(),
        "conversion_rules": product.conversion_rules.select_related("table"),
        "can_manage": permissions.can_manage_owned(request.user, product),
    }
    return render(request, "catalog/product_detail.html", context)


def _product_fields(form: ProductForm) -> dict:
    fields = {k: v for k, v in form.cleaned_data.items() if k not in ("owner", "position_groups")}
    return {**fields, "position_groups": form.cleaned_data["position_groups"]}


@login_required
@require_http_methods(["GET", "POST"])
def product_create(request):
    require(permissions.can_manage_catalogs(request.user))
    form = ProductForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(
                by=request.user, **form.owner_kwargs(), **_product_fields(form)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm sản phẩm %(code)s.") % {"code": product.code})
            return redirect(product)
    context = {"form": form, "units_of_measure": UNITS_OF_MEASURE}
    return render(request, "catalog/product_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def product_update(request, pk: int):
    product = get_product_to_manage(request.user, pk)
    form = ProductForm(request.POST or None, instance=product, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(product=product, by=request.user, **_product_fields(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu sản phẩm %(code)s.") % {"code": product.code})
            return redirect(product)
    context = {"form": form, "product": product, "units_of_measure": UNITS_OF_MEASURE}
    return render(request, "catalog/product_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def product_retire(request, pk: int):
    product = get_product_to_manage(request.user, pk)
    form = RetireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.product_retire(product=product, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Đã ngừng áp dụng sản phẩm %(code)s.") % {"code": product.code}
            )
            return redirect(product)
    context = {
        "form": form,
        "title": _("Ngừng áp dụng sản phẩm %(code)s") % {"code": product.code},
        "intro": _(
            "Sản phẩm không bị xóa: các sản phẩm đã ghi nhận vẫn giữ nguyên; sau ngày này"
            " không thể ghi nhận thêm."
        ),
        "back": product.get_absolute_url(),
        "submit": _("Ngừng áp dụng"),
    }
    return render(request, "catalog/simple_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def product_bulk_coefficients(request):
    require(permissions.can_manage_catalogs(request.user))
    owner_form = OwnerSelectForm(request.GET or None, user=request.user)
    form = None
    if owner_form.is_valid():
        unit, sector = owner_form.cleaned_data["owner"]
        products = Product.objects.filter(
            owner_unit=unit, owner_sector=sector, active_to__isnull=True
        ).select_related("group")
        form = BulkCoefficientForm(request.POST or None, products=products)
        if request.method == "POST" and form.is_valid():
            try:
                changed = services.product_bulk_set_coefficients(
                    coefficients=form.coefficients(),
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Đã cập nhật hệ số của %(n)s sản phẩm.") % {"n": changed}
                )
                return redirect(request.get_full_path())
    context = {"owner_form": owner_form, "form": form}
    return render(request, "catalog/bulk_coefficients.html", context)
