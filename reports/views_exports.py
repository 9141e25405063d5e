"""Báo cáo của tôi: request exports, watch them run, download them, retry the failed ones."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgunits.permissions import is_system_admin

from . import exports, permissions
from .forms import ExportRequestForm
from .models import ReportExport

PAGE_SIZE = 50
LIST_TEMPLATE = "reports/exports/export_list.html"


@dataclass(frozen=True)
class ExportRow:
    export: ReportExport
    can_download: bool
    can_retry: bool


def get_export_for_user(user, pk: int) -> ReportExport:
    """Only the requester's own jobs (a system administrator's: anyone's); others 404."""
    if is_system_admin(user):
        jobs = ReportExport.objects.all()
    else:
        jobs = ReportExport.objects.requested_by(user)
    return get_object_or_404(jobs, pk=pk)


def _row(user, export: ReportExport) -> ExportRow:
    return ExportRow(
        export,
        permissions.can_download_export(user, export),
        permissions.can_retry_export(user, export),
    )


def _page(user, bound: ExportRequestForm | None = None) -> dict:
    forms = {q: ExportRequestForm(user=user, quarterly=q) for q in (False, True)}
    if bound is not None:
        forms[bound.quarterly] = bound
    jobs = ReportExport.objects.requested_by(user)[:PAGE_SIZE]
    return {
        "period_form": forms[False],
        "quarter_form": forms[True] if forms[True].kinds else None,
        "rows": [_row(user, export) for export in jobs],
    }


@login_required
def export_list(request):
    if not permissions.can_request_exports(request.user):
        raise PermissionDenied
    return render(request, LIST_TEMPLATE, _page(request.user))


@login_required
@require_POST
def export_create(request):
    kind = request.POST.get("kind", "")
    if kind not in exports.SPECS:
        raise Http404
    quarterly = exports.SPECS[kind].quarterly
    form = ExportRequestForm(request.POST, user=request.user, quarterly=quarterly, kind=kind)
    if kind not in form.kind_values:
        raise PermissionDenied
    if form.has_error("unit", "invalid_choice"):
        raise Http404  # a unit outside the user's scope answers as if it did not exist
    if form.is_valid():
        try:
            export = exports.export_request(by=request.user, kind=kind, params=form.params())
        except PermissionDenied as denied:
            raise Http404 from denied
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Đã nhận yêu cầu “%(t)s”.") % {"t": export.title})
            return redirect("reports:export_list")
    return render(request, LIST_TEMPLATE, _page(request.user, form))


@login_required
def export_status(request, pk: int):
    """The job's table row; it keeps polling itself while the job is queued or running."""
    export = get_export_for_user(request.user, pk)
    row = _row(request.user, export)
    return render(request, "reports/partials/_export_row.html", {"row": row})


@login_required
def export_download(request, pk: int):
    export = get_export_for_user(request.user, pk)
    if not permissions.can_download_export(request.user, export):
        raise Http404
    try:
        handle = export.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=export.filename,
        content_type=exports.CONTENT_TYPES[export.format],
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def export_retry(request, pk: int):
    export = get_export_for_user(request.user, pk)
    if not permissions.can_retry_export(request.user, export):
        raise PermissionDenied
    try:
        exports.export_retry(by=request.user, export=export)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã gửi lại yêu cầu “%(t)s”.") % {"t": export.title})
    return redirect("reports:export_list")
