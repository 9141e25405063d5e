"""The "Nhập/xuất dữ liệu" page: blank templates, subtree exports and the checked upload."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kpi_portal.forms import StyledFormMixin

from . import exports, permissions
from .forms import UnitChoiceField
from .imports import ImportResult, import_workbook
from .models import OrgUnit
from .spreadsheets import MAX_BYTES, STAFF, UNITS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KIND_CHOICES = [(UNITS, _("Đơn vị")), (STAFF, _("Cán bộ và quá trình công tác"))]


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"), help_text=_("Tối đa 10 MB."))
    kind = forms.ChoiceField(
        label=_("Loại dữ liệu"),
        choices=[("", _("Tự nhận biết theo dòng tiêu đề")), *KIND_CHOICES],
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("Tệp vượt quá 10 MB."))
        return upload


class ExportForm(StyledFormMixin, forms.Form):
    unit = UnitChoiceField(label=_("Đơn vị (kèm các đơn vị trực thuộc)"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.visible_to(user)


def _require_manager(user) -> None:
    if not permissions.can_manage_unit(user):
        raise PermissionDenied


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _kind(kind: str) -> str:
    if kind not in (UNITS, STAFF):
        raise Http404
    return kind


def _page(request, form: ImportForm, result: ImportResult | None = None):
    context = {"form": form, "result": result, "export_form": ExportForm(user=request.user)}
    if request.htmx:
        return render(request, "orgunits/partials/_import_panel.html", context)
    return render(request, "orgunits/import_export.html", context)


@login_required
def import_export(request):
    _require_manager(request.user)
    return _page(request, ImportForm())


@login_required
def import_template(request, kind: str):
    _require_manager(request.user)
    kind = _kind(kind)
    return _xlsx(exports.blank_template(kind), exports.file_name(kind))


@login_required
def export(request, kind: str):
    """A subtree the user can see; a unit outside it answers 404 like any hidden row."""
    _require_manager(request.user)
    kind = _kind(kind)
    form = ExportForm(request.GET, user=request.user)
    if not form.is_valid():
        raise Http404
    unit = form.cleaned_data["unit"]
    data = exports.units_workbook(unit) if kind == UNITS else exports.staff_workbook(unit)
    return _xlsx(data, exports.file_name(kind, unit))


@login_required
@require_POST
def import_upload(request):
    _require_manager(request.user)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form)
    upload = form.cleaned_data["file"]
    result = import_workbook(
        upload.read(), by=request.user, filename=upload.name, kind=form.cleaned_data["kind"] or None
    )
    if result.ok and not request.htmx:
        messages.success(request, result.summary())
        return redirect("orgunits:import_export")
    return _page(request, ImportForm() if result.ok else form, result)
