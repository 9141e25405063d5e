"""Nhật ký hệ thống: system admins read every event, HR officers those inside their subtrees."""

from __future__ import annotations

import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from orgunits import roles
from orgunits.models import Role
from orgunits.querysets import prefix_q

from .forms import StyledFormMixin
from .models import AuditEvent

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Spreadsheet programs run text starting with these as a formula (or a DDE command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def audit_scope(user) -> tuple[str, ...] | None:
    """None for the whole province, else the HR-officer subtrees (empty: no access)."""
    if not user.is_authenticated:
        return ()
    today = timezone.localdate()
    if roles.is_system_admin(user, today):
        return None
    return tuple(sorted(roles.granted_paths(user, today, (Role.HR_OFFICER,))))


def can_view_audit(user) -> bool:
    return audit_scope(user) != ()


class AuditFilterForm(StyledFormMixin, forms.Form):
    date_from = forms.DateField(label=gettext_lazy("Từ ngày"), required=False)
    date_to = forms.DateField(label=gettext_lazy("Đến ngày"), required=False)
    actor = forms.CharField(label=gettext_lazy("Người thực hiện"), required=False, max_length=150)
    action = forms.CharField(label=gettext_lazy("Hành động"), required=False, max_length=64)
    object_type = forms.CharField(
        label=gettext_lazy("Loại đối tượng"), required=False, max_length=64
    )
    q = forms.CharField(label=gettext_lazy("Tìm trong nội dung"), required=False, max_length=200)

    def filter(self, events):
        """The events matching the valid filters; invalid ones are ignored."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("date_from"):
            events = events.filter(at__date__gte=data["date_from"])
        if data.get("date_to"):
            events = events.filter(at__date__lte=data["date_to"])
        if data.get("actor"):
            events = events.filter(
                Q(actor__username__icontains=data["actor"])
                | Q(actor__person__full_name__icontains=data["actor"])
            )
        if data.get("action"):
            events = events.filter(action__startswith=data["action"])
        if data.get("object_type"):
            events = events.filter(object_type=data["object_type"])
        if data.get("q"):
            text = data["q"]
            events = events.filter(
                Q(object_repr__icontains=text) | Q(reason__icontains=text) | Q(object_id=text)
            )
        return events


def visible_events(user):
    """The events the user may read; raises PermissionDenied for everyone else."""
    scope = audit_scope(user)
    if scope == ():
        raise PermissionDenied
    events = AuditEvent.objects.select_related("actor", "on_behalf_of")
    return events if scope is None else events.filter(prefix_q(scope, "unit_path"))


@login_required
def audit_list(request):
    events = visible_events(request.user)
    form = AuditFilterForm(request.GET or None)
    events = form.filter(events) if request.GET else events
    if request.GET.get("format") == "xlsx":
        return _xlsx_response(events)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "kpi_portal/audit/list.html", {"form": form, "page": page})


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def _xlsx_response(events) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Nhật ký hệ thống"))
    header = [
        _("Mã"),
        _("Thời điểm"),
        _("Người thực hiện"),
        _("Thay mặt"),
        _("Hành động"),
        _("Loại đối tượng"),
        _("Mã đối tượng"),
        _("Đối tượng"),
        _("Đơn vị"),
        _("Thay đổi"),
        _("Lý do"),
        _("Mã băm"),
    ]
    sheet.append(header)
    for event in events[:EXPORT_LIMIT].iterator(chunk_size=2000):
        row = [
            event.id,
            timezone.localtime(event.at).strftime("%d/%m/%Y %H:%M:%S"),
            event.actor.username if event.actor else "",
            event.on_behalf_of.username if event.on_behalf_of else "",
            event.action,
            event.object_type,
            event.object_id,
            event.object_repr,
            event.unit_path,
            _changes_text(event.changes),
            event.reason,
            event.hash,
        ]
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="nhat-ky-he-thong-{stamp}.xlsx"'
    return response


def _changes_text(changes) -> str:
    if not isinstance(changes, dict):
        return str(changes)
    return "; ".join(f"{key}: {value}" for key, value in changes.items())
