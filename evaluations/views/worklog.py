"""Nhật ký công việc: the daily log of completed products, its entries and their evidence."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Max, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from catalog.models import Product
from kpi_portal.models import AuditEvent

from .. import permissions, services
from ..forms import EntryForm
from ..models import (
    EntryStatus,
    FavouriteProduct,
    Period,
    PeriodState,
    PlanItem,
    PlanStatus,
    WorkEntry,
)
from .common import add_errors, current_period, done, get_entry_for_user, require, worker_of

RECENT_COUNT = 8
SEARCH_LIMIT = 20


@login_required
def worklog_current(request):
    return redirect("evaluations:worklog", current_period(worker_of(request.user)).pk)


@login_required
def worklog(request, period_pk: int):
    person = worker_of(request.user)
    period = get_object_or_404(Period, pk=period_pk)
    form = _entry_form(request, person, period)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.entry_create(
                by=request.user, evidence=form.cleaned_data["evidence"], **form.entry_fields()
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Đã ghi nhận “%(p)s” (bản nháp); nhớ gửi để thủ trưởng phê duyệt.")
                % {"p": entry.product.name},
            )
            return redirect("evaluations:worklog", entry.period_id)
    context = {**_log_context(person, period), **_picker_context(person, form)}
    return render(request, "evaluations/worklog.html", {**context, "form": form})


def _entry_form(request, person, period: Period, **kwargs) -> EntryForm:
    return EntryForm(
        request.POST or None,
        request.FILES or None,
        products=services.products_for(person, timezone.localdate()),
        plan_items=PlanItem.objects.filter(
            person=person, period=period, status=PlanStatus.ASSIGNED
        ),
        **kwargs,
    )


@dataclass(frozen=True)
class Bar:
    """Stacked progress-bar widths (percent of the target) for approved, submitted, the rest."""

    approved: int
    submitted: int
    other: int
    target: Decimal | None


def _bar(progress: services.Progress) -> Bar:
    target = progress.planned or progress.quota
    if not target:
        return Bar(0, 0, 0, None)
    widths, used = [], 0
    others = progress.logged - progress.approved - progress.submitted
    for amount in (progress.approved, progress.submitted, others):
        width = min(100 - used, int(amount / target * 100))
        widths.append(width)
        used += width
    return Bar(*widths, target=target)


def _log_context(person, period: Period) -> dict:
    entries = list(
        WorkEntry.objects.filter(person=person, period=period).select_related(
            "product", "plan_item"
        )
    )
    is_open = period.state == PeriodState.OPEN
    for entry in entries:
        entry.can_edit = is_open and entry.is_editable_by_author
        entry.can_delete = is_open and entry.status == EntryStatus.DRAFT
    progress = services.progress_of(person, period)
    unit = person.primary_assignment_on(timezone.localdate()).unit
    return {
        "period": period,
        "periods": Period.objects.for_bloc(unit.bloc).order_by("-start")[:24],
        "entries": entries,
        "progress": progress,
        "bar": _bar(progress),
        "is_open": is_open,
        "can_submit_all": is_open and any(e.can_edit for e in entries),
        "current_period": current_period(person),
    }


def _picker_context(person, form: EntryForm) -> dict:
    """Favourite and recent products on top of the search, with the one already picked."""
    products = form.fields["product"].queryset
    recent_ids = (
        WorkEntry.objects.filter(person=person)
        .values("product")
        .annotate(last=Max("pk"))
        .order_by("-last")
        .values_list("last", flat=True)[:RECENT_COUNT]
    )
    favourite_ids = set(
        FavouriteProduct.objects.filter(person=person).values_list("product_id", flat=True)
    )
    picked = form["product"].value()
    picked_id = int(picked) if str(picked or "").isdecimal() else None
    return {
        "recent": WorkEntry.objects.filter(pk__in=list(recent_ids))
        .select_related("product")
        .order_by("-pk"),
        "favourites": products.filter(pk__in=favourite_ids).order_by("name"),
        "favourite_ids": favourite_ids,
        "picked_id": picked_id,
        "picked": products.filter(pk=picked_id).first() if picked_id else None,
    }


@login_required
def product_search(request):
    """Search-as-you-type over the products the person may log today."""
    person = worker_of(request.user)
    query = request.GET.get("q", "").strip()
    products = Product.objects.none()
    if query:
        products = (
            services.products_for(person, timezone.localdate())
            .filter(Q(name__icontains=query) | Q(code__icontains=query))
            .order_by("name")[:SEARCH_LIMIT]
        )
    favourite_ids = set(
        FavouriteProduct.objects.filter(person=person).values_list("product_id", flat=True)
    )
    context = {"products": products, "query": query, "favourite_ids": favourite_ids}
    return render(request, "evaluations/partials/_product_results.html", context)


@login_required
@require_POST
def favourite_toggle(request, product_pk: int):
    person = worker_of(request.user)
    usable = services.products_for(person, timezone.localdate())
    product = get_object_or_404(usable, pk=product_pk)
    starred = services.favourite_toggle(by=request.user, product=product)
    if request.htmx:
        context = {"product": product, "starred": starred}
        return render(request, "evaluations/partials/_favourite_star.html", context)
    messages.success(request, _("Đã cập nhật danh sách sản phẩm hay dùng."))
    return redirect("evaluations:worklog_current")


def _own_entry(request, pk: int) -> WorkEntry:
    """An entry the user may see; acting on it further requires being its author."""
    entry = get_entry_for_user(request.user, pk)
    require(entry.person.user_id == request.user.pk)
    return entry


@login_required
@require_POST
def entry_repeat(request, pk: int):
    source = _own_entry(request, pk)
    try:
        entry = services.entry_repeat(by=request.user, source=source)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return done(request, reverse("evaluations:worklog", args=[source.period_id]))
    messages.success(
        request,
        _("Đã ghi lại “%(p)s” × %(q)s cho hôm nay (bản nháp).")
        % {"p": entry.product.name, "q": f"{entry.quantity.normalize():f}"},
    )
    return done(request, reverse("evaluations:worklog", args=[entry.period_id]))


@login_required
@require_POST
def entry_submit(request, pk: int):
    entry = _own_entry(request, pk)
    try:
        services.entry_submit(by=request.user, entry=entry)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã gửi “%(p)s” chờ phê duyệt.") % {"p": entry.product.name})
    return done(request, reverse("evaluations:worklog", args=[entry.period_id]))


@login_required
@require_POST
def entries_submit_all(request, period_pk: int):
    worker_of(request.user)
    period = get_object_or_404(Period, pk=period_pk)
    try:
        count = services.entries_submit_all(by=request.user, period=period)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã gửi %(c)s sản phẩm chờ phê duyệt.") % {"c": count})
    return done(request, reverse("evaluations:worklog", args=[period.pk]))


@login_required
@require_POST
def entry_delete(request, pk: int):
    entry = _own_entry(request, pk)
    try:
        services.entry_delete(by=request.user, entry=entry)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return done(request, entry.get_absolute_url())
    messages.success(request, _("Đã xóa “%(p)s”.") % {"p": entry.product.name})
    return done(request, reverse("evaluations:worklog", args=[entry.period_id]))


@login_required
def entry_edit(request, pk: int):
    entry = get_entry_for_user(request.user, pk)
    require(permissions.can_edit_entry(request.user, entry))
    form = _entry_form(request, entry.person, entry.period, initial=EntryForm.initial_from(entry))
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_update(
                by=request.user,
                entry=entry,
                evidence=form.cleaned_data["evidence"],
                **form.entry_fields(),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect(entry.get_absolute_url())
    context = {"entry": entry, "form": form, **_picker_context(entry.person, form)}
    return render(request, "evaluations/entry_form.html", context)


@login_required
def entry_detail(request, pk: int):
    entry = get_entry_for_user(request.user, pk)
    user = request.user
    own = entry.person.user_id == user.pk
    is_open = entry.period.state == PeriodState.OPEN
    context = {
        "entry": entry,
        "history": _history(entry),
        "delays_computed": services.computed_delays(entry),
        "can_edit": permissions.can_edit_entry(user, entry),
        "can_submit": permissions.can_edit_entry(user, entry),
        "can_delete": own and is_open and entry.status == EntryStatus.DRAFT,
        "can_repeat": own,
        "can_review": permissions.can_review_entry(user, entry),
        "can_download": bool(entry.evidence),
    }
    return render(request, "evaluations/entry_detail.html", context)


@login_required
def entry_evidence(request, pk: int):
    entry = get_entry_for_user(request.user, pk)
    if not entry.evidence or not permissions.can_download_evidence(request.user, entry):
        raise Http404
    try:
        handle = entry.evidence.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=entry.evidence_name or "minh-chung",
        content_type=entry.evidence_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


ACTION_LABELS = {
    "worklog.create": gettext_lazy("Ghi nhận"),
    "worklog.update": gettext_lazy("Sửa"),
    "worklog.submit": gettext_lazy("Gửi phê duyệt"),
    "worklog.approve": gettext_lazy("Phê duyệt"),
    "worklog.return": gettext_lazy("Trả lại"),
    "worklog.adjust": gettext_lazy("Điều chỉnh số lượng"),
    "worklog.exempt": gettext_lazy("Xác nhận lý do khách quan"),
    "worklog.delete": gettext_lazy("Xóa"),
}


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


def _history(entry: WorkEntry) -> list[AuditEvent]:
    """The entry's audit events, with readable field names and values."""
    events = list(
        AuditEvent.objects.filter(
            object_type="evaluations.workentry", object_id=str(entry.pk)
        ).select_related("actor", "on_behalf_of")
    )
    names = {
        "product": _names(events, "product", Product.objects.all()),
        "plan_item": _names(events, "plan_item", PlanItem.objects.select_related("product")),
    }
    for event in events:
        event.label = ACTION_LABELS.get(event.action, event.action)
        rows = (
            Change(_field_label(name), _readable(name, old, names), _readable(name, new, names))
            for name, (old, new) in event.changes.items()
        )
        event.rows = [row for row in rows if row.old != row.new]
    return events


def _names(events: list[AuditEvent], field: str, queryset) -> dict[int, str]:
    """One query for the objects a history names by id, shown by their own names."""
    ids = {
        value
        for event in events
        for value in event.changes.get(field, [])
        if isinstance(value, int)
    }
    return {obj.pk: str(obj) for obj in queryset.filter(pk__in=ids)} if ids else {}


def _field_label(name: str) -> str:
    try:
        return str(WorkEntry._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _readable(name: str, value, names: dict[str, dict[int, str]]) -> str:
    if value in (None, "", []):
        return "—"
    if name in names:
        return names[name].get(value, str(value))
    if name == "status" and value in EntryStatus.values:
        return str(EntryStatus(value).label)
    if isinstance(value, list):
        return ", ".join(str(services.FLAG_LABELS.get(v, v)) for v in value)
    if isinstance(value, str) and len(value) == 10 and (day := parse_date(value)):
        return day.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return _("có") if value else _("không")
    return str(value)
