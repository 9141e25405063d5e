from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import permissions, services
from ..forms import QuotaForm, add_service_errors
from ..models import Quota
from .common import get_quota_to_manage, require


@login_required
def quota_list(request):
    quotas = Quota.objects.visible_to(request.user).select_related("unit", "group")
    query = request.GET.get("q", "").strip()
    if query:
        quotas = quotas.filter(unit__name__icontains=query)
    page = Paginator(quotas, 50).get_page(request.GET.get("page"))
    manageable = set(
        Quota.objects.manageable_by(request.user)
        .filter(pk__in=[q.pk for q in page])
        .values_list("pk", flat=True)
    )
    context = {
        "page": page,
        "q": query,
        "manageable": manageable,
        "can_manage": permissions.can_manage_quota(request.user),
    }
    return render(request, "catalog/quota_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def quota_create(request):
    require(permissions.can_manage_quota(request.user))
    form = QuotaForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.quota_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm định mức."))
            return redirect("catalog:quota_list")
    context = {"form": form, "title": _("Thêm định mức"), "back": reverse("catalog:quota_list")}
    return render(request, "catalog/simple_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def quota_update(request, pk: int):
    quota = get_quota_to_manage(request.user, pk)
    form = QuotaForm(request.POST or None, instance=quota, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.quota_update(quota=quota, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu định mức."))
            return redirect("catalog:quota_list")
    context = {
        "form": form,
        "title": _("Sửa định mức: %(unit)s — %(group)s")
        % {"unit": quota.unit, "group": quota.group},
        "back": reverse("catalog:quota_list"),
    }
    return render(request, "catalog/simple_form.html", context)
