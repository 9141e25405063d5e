from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import permissions
from ..exports import CONTENT_TYPE, export_workbook
from ..forms import ImportForm, OwnerField, OwnerSelectForm
from ..imports import import_catalog
from .common import require


@login_required
@require_http_methods(["GET", "POST"])
def catalog_import(request):
    require(permissions.can_manage_catalogs(request.user))
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    result = None
    if request.method == "POST" and form.is_valid():
        unit, sector = form.cleaned_data["owner"]
        result = import_catalog(
            data=form.cleaned_data["file"].read(), owner=unit or sector, by=request.user
        )
        if result.ok:
            messages.success(request, _("Đã nhập danh mục. %(s)s") % {"s": result.summary()})
            return redirect("catalog:import")
    context = {"form": form, "result": result, "export_form": OwnerSelectForm(user=request.user)}
    return render(request, "catalog/import.html", context)


@login_required
def catalog_export(request):
    """Download the workbook of an owner the user manages; it is also the import format."""
    require(permissions.can_manage_catalogs(request.user))
    try:
        unit, sector = OwnerField(user=request.user).clean(request.GET.get("owner", ""))
    except ValidationError:
        # An owner outside the user's reach is as absent as a missing one.
        raise Http404 from None
    response = HttpResponse(export_workbook(unit or sector), content_type=CONTENT_TYPE)
    code = unit.code if unit else f"nganh-{sector.code}"
    response["Content-Disposition"] = f'attachment; filename="danh-muc-{code}.xlsx"'
    return response
