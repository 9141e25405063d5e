"""Góp ý, kiến nghị during the pilot: send, route to the owners, answer, accept or decline."""

from __future__ import annotations

import io
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from catalog.models import CriteriaSet, CriteriaSetVersion, Product
from catalog.querysets import manage_reach
from kpi_portal import audit
from kpi_portal.notifications import notify
from orgunits.models import Assignment, OrgUnit, Role, RoleGrant, Sector
from orgunits.querysets import ancestor_paths, covers

from .models import Feedback, FeedbackKind, FeedbackStatus, FeedbackTopic
from .permissions import can_handle_feedback

User = get_user_model()

STATE_FIELDS = [
    "status",
    "answer",
    "answered_by",
    "resolution_version",
    "resolution_product",
    "resolution_note",
    "decline_reason",
]
OPEN_STATUSES = (FeedbackStatus.NEW, FeedbackStatus.REVIEWING, FeedbackStatus.ANSWERED)


def route_for(
    *, topic: str, criteria_set: CriteriaSet | None, product: Product | None, sender, on: date
) -> tuple[OrgUnit | None, Sector | None]:
    """The owner a feedback item goes to: (unit, None), (None, sector), or (None, None) = system."""
    owned = criteria_set if topic == FeedbackTopic.CRITERIA_SET else None
    owned = product if topic == FeedbackTopic.PRODUCT else owned
    if owned is not None:
        return owned.owner_unit, owned.owner_sector
    if topic in (FeedbackTopic.CRITERIA_SET, FeedbackTopic.PRODUCT):
        # No exact item: the admins of the sender's own unit own the catalogs that apply there.
        mine = Assignment.objects.active_on(on).filter(person__user=sender)
        assignment = mine.select_related("unit").order_by("-is_primary").first()
        return (assignment.unit if assignment else None), None
    return None, None


def system_admins(on: date) -> list:
    grants = RoleGrant.objects.active_on(on).filter(role=Role.SYSTEM_ADMIN)
    admins = list(User.objects.filter(pk__in=grants.values("user_id"), is_active=True))
    return admins or list(User.objects.filter(is_superuser=True, is_active=True))


def owners_of(item: Feedback, on: date | None = None) -> list:
    """Who answers the item: sector admins over its owner, else (or for software) system admins."""
    on = on or timezone.localdate()
    grants = RoleGrant.objects.active_on(on).filter(role=Role.SECTOR_ADMIN)
    if item.routed_to_unit_id:
        paths = ancestor_paths(item.routed_to_unit.path, OrgUnit.steplen)
        grants = grants.filter(unit__path__in=paths)
    elif item.routed_to_sector_id:
        grants = grants.filter(sector_id=item.routed_to_sector_id)
    else:
        return system_admins(on)
    owners = list(User.objects.filter(pk__in=grants.values("user_id"), is_active=True))
    return owners or system_admins(on)


def _check_target(topic: str, criteria_set, product, function_name: str) -> None:
    errors = {}
    if criteria_set is not None and topic != FeedbackTopic.CRITERIA_SET:
        errors["criteria_set"] = _("Chỉ chọn bộ tiêu chí khi góp ý về bộ tiêu chí.")
    if product is not None and topic != FeedbackTopic.PRODUCT:
        errors["product"] = _("Chỉ chọn sản phẩm khi góp ý về sản phẩm trong danh mục.")
    if function_name and topic != FeedbackTopic.FUNCTION:
        errors["function_name"] = _("Chỉ ghi tên chức năng khi góp ý về chức năng phần mềm.")
    if errors:
        raise ValidationError(errors)


def _notify_sender(item: Feedback, title: str) -> None:
    notify(
        recipients=[item.sender],
        kind="feedback.updated",
        title=title,
        body=item.title,
        url=item.get_absolute_url(),
    )


def _audit(*, by, item: Feedback, action: str, before: dict, reason: str = "") -> None:
    audit.record(
        by=by,
        action=action,
        obj=item,
        changes=audit.diff(before, audit.snapshot(item, STATE_FIELDS)),
        reason=reason,
        unit_path=item.routed_to_unit.path if item.routed_to_unit_id else "",
    )


def _require(by, item: Feedback, statuses=OPEN_STATUSES) -> dict:
    if not can_handle_feedback(by, item):
        raise ValidationError(_("Bạn không phụ trách góp ý này."))
    if item.status not in statuses:
        raise ValidationError(_("Góp ý đã được xử lý xong, không thể thay đổi."))
    return audit.snapshot(item, STATE_FIELDS)


@transaction.atomic
def feedback_send(
    *,
    by,
    kind: str,
    topic: str,
    title: str,
    body: str,
    criteria_set: CriteriaSet | None = None,
    product: Product | None = None,
    function_name: str = "",
) -> Feedback:
    """Record a difficulty or a proposal and tell its owners."""
    _check_target(topic, criteria_set, product, function_name)
    unit, sector = route_for(
        topic=topic,
        criteria_set=criteria_set,
        product=product,
        sender=by,
        on=timezone.localdate(),
    )
    item = Feedback(
        sender=by,
        kind=kind,
        topic=topic,
        title=title.strip(),
        body=body.strip(),
        criteria_set=criteria_set,
        product=product,
        function_name=function_name.strip(),
        routed_to_unit=unit,
        routed_to_sector=sector,
    )
    item.full_clean()
    item.save()
    _audit(by=by, item=item, action="feedback.send", before={})
    label = FeedbackKind(kind).label
    notify(
        recipients=[u for u in owners_of(item) if u.pk != by.pk],
        kind="feedback.received",
        title=_("Góp ý mới (%(kind)s): %(title)s") % {"kind": label, "title": item.title},
        body=item.target_label,
        url=item.get_absolute_url(),
    )
    _notify_sender(item, _("Đã gửi góp ý: %(title)s") % {"title": item.title})
    return item


@transaction.atomic
def feedback_start_review(*, by, item: Feedback) -> Feedback:
    """Mark a new item as under review, so the sender sees it was picked up."""
    item = Feedback.objects.select_for_update().get(pk=item.pk)
    before = _require(by, item, statuses=(FeedbackStatus.NEW,))
    item.status = FeedbackStatus.REVIEWING
    item.save(update_fields=["status", "updated_at"])
    _audit(by=by, item=item, action="feedback.review", before=before)
    _notify_sender(item, _("Góp ý đang được xem xét: %(title)s") % {"title": item.title})
    return item


@transaction.atomic
def feedback_answer(*, by, item: Feedback, answer: str) -> Feedback:
    """Reply to the sender; the item stays open for a later acceptance or refusal."""
    item = Feedback.objects.select_for_update().get(pk=item.pk)
    before = _require(by, item)
    if not answer.strip():
        raise ValidationError({"answer": _("Hãy nhập nội dung trả lời.")})
    item.answer = answer.strip()
    item.answered_by = by
    item.answered_at = timezone.now()
    item.status = FeedbackStatus.ANSWERED
    item.save()
    _audit(by=by, item=item, action="feedback.answer", before=before)
    _notify_sender(item, _("Góp ý đã được trả lời: %(title)s") % {"title": item.title})
    return item


def _check_resolution(by, item: Feedback, version, product) -> None:
    reach = manage_reach(by)

    def manages(owned) -> bool:
        if reach.everything:
            return True
        if owned.owner_sector_id:
            return owned.owner_sector_id in reach.sector_ids
        return covers(reach.unit_paths, owned.owner_unit.path)

    if version is not None:
        if item.criteria_set_id and version.criteria_set_id != item.criteria_set_id:
            raise ValidationError(
                {"resolution_version": _("Phiên bản phải thuộc bộ tiêu chí được góp ý.")}
            )
        if not manages(version.criteria_set):
            raise ValidationError({"resolution_version": _("Bạn không quản lý bộ tiêu chí này.")})
    if product is not None and not manages(product):
        raise ValidationError({"resolution_product": _("Bạn không quản lý sản phẩm này.")})


@transaction.atomic
def feedback_accept(
    *,
    by,
    item: Feedback,
    resolution_version: CriteriaSetVersion | None = None,
    resolution_product: Product | None = None,
    note: str = "",
) -> Feedback:
    """Accept the item, linking the criteria version or catalog change that resolves it."""
    item = Feedback.objects.select_for_update().get(pk=item.pk)
    before = _require(by, item)
    _check_resolution(by, item, resolution_version, resolution_product)
    item.status = FeedbackStatus.ACCEPTED
    item.resolution_version = resolution_version
    item.resolution_product = resolution_product
    item.resolution_note = note.strip()
    if not item.answered_by_id:
        item.answered_by, item.answered_at = by, timezone.now()
    item.full_clean()
    item.save()
    _audit(by=by, item=item, action="feedback.accept", before=before, reason=item.resolution_note)
    _notify_sender(item, _("Góp ý được chấp nhận: %(title)s") % {"title": item.title})
    return item


@transaction.atomic
def feedback_decline(*, by, item: Feedback, reason: str) -> Feedback:
    """Decline the item; the reason is mandatory and goes to the sender."""
    item = Feedback.objects.select_for_update().get(pk=item.pk)
    before = _require(by, item)
    if not reason.strip():
        raise ValidationError({"decline_reason": _("Không chấp nhận góp ý phải nêu lý do.")})
    item.status = FeedbackStatus.DECLINED
    item.decline_reason = reason.strip()
    if not item.answered_by_id:
        item.answered_by, item.answered_at = by, timezone.now()
    item.full_clean()
    item.save()
    _audit(by=by, item=item, action="feedback.decline", before=before, reason=item.decline_reason)
    _notify_sender(item, _("Góp ý không được chấp nhận: %(title)s") % {"title": item.title})
    return item


def register_rows(items) -> tuple[list[str], list[list]]:
    """Headers and rows of the register (sổ theo dõi góp ý), one row per item."""
    headers = [
        _("STT"),
        _("Ngày gửi"),
        _("Người gửi"),
        _("Loại"),
        _("Nội dung liên quan"),
        _("Đối tượng góp ý"),
        _("Tiêu đề"),
        _("Nội dung"),
        _("Nơi xử lý"),
        _("Trạng thái"),
        _("Trả lời"),
        _("Kết quả xử lý"),
    ]
    rows = []
    for number, item in enumerate(items, start=1):
        rows.append(
            [
                number,
                timezone.localtime(item.created_at).strftime("%d/%m/%Y"),
                str(item.sender),
                item.get_kind_display(),
                item.get_topic_display(),
                item.target_label,
                item.title,
                item.body,
                route_label(item),
                item.get_status_display(),
                item.answer,
                resolution_label(item),
            ]
        )
    return [str(h) for h in headers], rows


def route_label(item: Feedback) -> str:
    if item.routed_to_unit_id:
        return str(item.routed_to_unit)
    if item.routed_to_sector_id:
        return _("Ngành %(name)s") % {"name": item.routed_to_sector}
    return str(_("Quản trị hệ thống"))


def resolution_label(item: Feedback) -> str:
    parts = []
    if item.resolution_version_id:
        parts.append(_("Phiên bản %(v)s") % {"v": item.resolution_version})
    if item.resolution_product_id:
        parts.append(_("Sản phẩm %(p)s") % {"p": item.resolution_product})
    if item.resolution_note:
        parts.append(item.resolution_note)
    if item.decline_reason:
        parts.append(_("Lý do không chấp nhận: %(r)s") % {"r": item.decline_reason})
    return "; ".join(str(p) for p in parts)


# Spreadsheet programs run text starting with these as a formula (or a DDE command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def register_xlsx(items) -> bytes:
    """The register as an Excel workbook, written in openpyxl's write-only mode."""
    headers, rows = register_rows(items)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("Sổ theo dõi góp ý")))
    sheet.append([str(_("SỔ THEO DÕI GÓP Ý, KIẾN NGHỊ TRONG THỜI GIAN THÍ ĐIỂM"))])
    sheet.append([str(_("Lập ngày %(d)s") % {"d": timezone.localdate().strftime("%d/%m/%Y")})])
    sheet.append([])
    bold = Font(bold=True)
    heading = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=_inert(value))
            if isinstance(value, str):
                cell.data_type = "s"  # never let a leading "=" become a formula
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
