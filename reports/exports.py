"""Export jobs: request (scope-checked, audited, queued), run in the background, retry, purge."""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from evaluations.models import Period
from kpi_portal import audit
from kpi_portal.tasks_outbox import enqueue
from orgunits.models import OrgUnit, Person, User

from . import generators, generators_pilot, permissions
from .exporters import pdf, xlsx
from .models import ExportFormat, ExportKind, ExportStatus, ReportExport

logger = logging.getLogger(__name__)

KEEP_FOR = timedelta(days=7)
UNIT, PERIOD, YEAR, QUARTER, PERSON = "unit", "period", "year", "quarter", "person"


@dataclass(frozen=True)
class KindSpec:
    """What a kind of report needs, and the file it makes for a unit or for one person."""

    needs: tuple[str, ...]
    format: str
    for_person: str | None = None  # the format when a person replaces the unit; None: unit only
    slug: str = "bao-cao"
    # Kinds requested from their own page (not "Báo cáo của tôi") name their own time span.
    listed: bool = True
    when: Callable[[dict], str] | None = None

    @property
    def quarterly(self) -> bool:
        return QUARTER in self.needs


SPECS: dict[str, KindSpec] = {
    ExportKind.UNIT_SUMMARY: KindSpec((UNIT, PERIOD), ExportFormat.XLSX, slug="bieu-tong-hop"),
    ExportKind.PERSON_DETAIL: KindSpec(
        (UNIT, PERIOD), ExportFormat.XLSX, ExportFormat.XLSX, "chi-tiet-nhiem-vu"
    ),
    ExportKind.WORKLOG: KindSpec(
        (UNIT, PERIOD), ExportFormat.XLSX, ExportFormat.XLSX, "nhat-ky-cong-viec"
    ),
    ExportKind.PROVINCE_QUARTER: KindSpec(
        (UNIT, YEAR, QUARTER), ExportFormat.XLSX, slug="bieu-tong-hop-quy"
    ),
    ExportKind.FORM01_PDF: KindSpec((UNIT, PERIOD), ExportFormat.ZIP, ExportFormat.PDF, "mau-01"),
    ExportKind.UNIT_SUMMARY_PDF: KindSpec((UNIT, PERIOD), ExportFormat.PDF, slug="bieu-tong-hop"),
    ExportKind.STANDING_COMMITTEE_PDF: KindSpec(
        (UNIT, YEAR, QUARTER), ExportFormat.ZIP, slug="bao-cao-quy"
    ),
    ExportKind.ADOPTION_XLSX: KindSpec(
        (UNIT, *generators_pilot.ADOPTION_NEEDS),
        ExportFormat.XLSX,
        slug="su-dung-phan-mem",
        listed=False,
        when=generators_pilot.adoption_when,
    ),
    ExportKind.PILOT_PACK_XLSX: KindSpec(
        (UNIT, *generators_pilot.PACK_NEEDS),
        ExportFormat.XLSX,
        slug="so-ket-thi-diem",
        listed=False,
        when=generators_pilot.pack_when,
    ),
    ExportKind.PILOT_PACK_PDF: KindSpec(
        (UNIT, *generators_pilot.PACK_NEEDS),
        ExportFormat.PDF,
        slug="so-ket-thi-diem",
        listed=False,
        when=generators_pilot.pack_when,
    ),
}


# ---- requesting ----------------------------------------------------------------------------


def _int(params: dict, name: str) -> int:
    try:
        return int(params[name])
    except (KeyError, TypeError, ValueError):
        raise ValidationError({name: _("Thiếu hoặc sai tham số báo cáo.")}) from None


def _clean(spec: KindSpec, params: dict) -> dict[str, int]:
    """The job's parameters as plain integers; a person replaces the unit where allowed."""
    clean: dict[str, int] = {}
    if spec.for_person and params.get(PERSON):
        clean[PERSON] = _int(params, PERSON)
    else:
        clean[UNIT] = _int(params, UNIT)
    for name in spec.needs:
        if name != UNIT:
            clean[name] = _int(params, name)
    if QUARTER in clean and not 1 <= clean[QUARTER] <= 4:
        raise ValidationError({QUARTER: _("Quý phải từ 1 đến 4.")})
    return clean


def _title(kind: str, subject: str, clean: dict, period: Period | None) -> str:
    if SPECS[kind].when:
        when = SPECS[kind].when(clean)
    else:
        when = str(period) if period else f"Quý {generators.ROMAN[clean[QUARTER]]}/{clean[YEAR]}"
    return f"{ExportKind(kind).label} — {subject} — {when}"[:255]


def _subject(by: User, clean: dict) -> tuple[str, str]:
    """The unit's or person's name, and the subtree path recorded on the audit event."""
    if PERSON in clean:
        person = Person.objects.visible_to(by).filter(pk=clean[PERSON]).first()
        if person is None:
            raise PermissionDenied(_("Bạn không được xuất báo cáo về người này."))
        placement = person.primary_assignment_on(timezone.localdate())
        return person.full_name, placement.unit.path if placement else ""
    unit = OrgUnit.objects.visible_to(by).filter(pk=clean[UNIT]).first()
    if unit is None or not permissions.can_export_unit(by, unit):
        raise PermissionDenied(_("Bạn không được xuất báo cáo của đơn vị này."))
    return unit.name, unit.path


@transaction.atomic
def export_request(*, by: User, kind: str, params: dict) -> ReportExport:
    """Record a report request within the requester's scope and queue it once committed."""
    if kind not in SPECS:
        raise ValidationError(_("Loại báo cáo không hợp lệ."))
    spec = SPECS[kind]
    clean = _clean(spec, params)
    subject, unit_path = _subject(by, clean)
    period = None
    if PERIOD in clean:
        period = Period.objects.filter(pk=clean[PERIOD]).first()
        if period is None:
            raise ValidationError({PERIOD: _("Không tìm thấy kỳ đánh giá.")})
    export = ReportExport(
        kind=kind,
        format=spec.for_person if PERSON in clean else spec.format,
        parameters=clean,
        title=_title(kind, subject, clean, period),
        requested_by=by,
        expires_at=timezone.now() + KEEP_FOR,
    )
    export.full_clean()
    export.save()
    audit.record(
        by=by,
        action="export.request",
        obj=export,
        unit_path=unit_path,
        changes={"kind": [None, kind], "parameters": [None, clean]},
    )
    _enqueue(export)
    return export


def _enqueue(export: ReportExport) -> None:
    from .tasks_exports import export_run as task

    enqueue(task, export.pk)  # after commit, or kept in the outbox while the broker is down


@transaction.atomic
def export_retry(*, by: User, export: ReportExport) -> ReportExport:
    """Queue a failed job again, with a fresh expiry; its error stays in the audit trail."""
    export = ReportExport.objects.select_for_update().get(pk=export.pk)
    if not permissions.can_retry_export(by, export):
        raise PermissionDenied
    if export.status != ExportStatus.FAILED:
        raise ValidationError(_("Chỉ chạy lại được báo cáo bị lỗi."))
    old_error = export.error
    export.status, export.progress, export.error = ExportStatus.QUEUED, 0, ""
    export.started_at = export.finished_at = None
    export.expires_at = timezone.now() + KEEP_FOR
    export.save()
    audit.record(
        by=by,
        action="export.retry",
        obj=export,
        reason=old_error,
        changes={"status": [ExportStatus.FAILED, ExportStatus.QUEUED]},
    )
    _enqueue(export)
    return export


# ---- running -------------------------------------------------------------------------------

# A running job touches its heartbeat when it starts and at each progress step. Generous,
# because a large Excel file reports no progress until it is written whole.
STALE_AFTER = timedelta(minutes=20)


def interrupted_text() -> str:
    return _(
        "Tiến trình xử lý bị dừng đột ngột (máy xử lý nền khởi động lại hoặc hết bộ nhớ) "
        "nên báo cáo chưa được tạo. Hãy bấm “Thử lại”."
    )


def _progress(export: ReportExport, percent: int) -> None:
    ReportExport.objects.filter(
        pk=export.pk, status=ExportStatus.RUNNING, attempts=export.attempts
    ).update(progress=min(99, percent), heartbeat_at=timezone.now())


def _safe(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z._-]+", "-", text).strip("-") or "x"


def _stem(export: ReportExport, scope: generators.Scope) -> str:
    spec = SPECS[export.kind]
    who = scope.person.hrmis_code if scope.person else scope.unit.code if scope.unit else ""
    if spec.when:
        when = spec.when(export.parameters)
    else:
        when = scope.period.code if scope.period else f"{scope.year}-Q{scope.quarter}"
    return _safe(f"{spec.slug}-{who}-{when}")


def _zip(members: list[tuple[str, Callable[[], bytes]]], export: ReportExport) -> bytes:
    """Each member rendered and compressed in turn: many small renders, never one giant one."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, build) in enumerate(members, start=1):
            archive.writestr(name, build())
            _progress(export, 5 + 90 * index // len(members))
    return buffer.getvalue()


def _form01(export: ReportExport, scope: generators.Scope) -> bytes:
    evaluations = generators.form01_evaluations(scope)
    viewer = scope.viewer
    if scope.person is not None:
        return pdf.render("form01", generators.form01(evaluations[0], viewer))
    members = [
        (
            f"{index:03d}-{_safe(e.person.hrmis_code)}.pdf",
            lambda e=e: pdf.render("form01", generators.form01(e, viewer)),
        )
        for index, e in enumerate(evaluations, start=1)
    ]
    return _zip(members, export)


def _standing_committee(export: ReportExport, scope: generators.Scope) -> bytes:
    """The overview, then one annex per agency: a province is never rendered as one document."""
    agencies = generators.quarter_agencies(scope)
    members = [
        (
            "00-bao-cao-tong-hop.pdf",
            lambda: pdf.render("standing_committee", generators.standing_committee(scope)),
        )
    ]
    members += [
        (
            f"{index:03d}-phu-luc-{_safe(agency.code)}.pdf",
            lambda agency=agency: pdf.render(
                "agency_quarter", generators.agency_quarter(scope, agency)
            ),
        )
        for index, agency in enumerate(agencies, start=1)
    ]
    return _zip(members, export)


BUILDERS: dict[str, Callable[[ReportExport, generators.Scope], bytes]] = {
    ExportKind.UNIT_SUMMARY: lambda e, s: xlsx.render(generators.unit_summary(s)),
    ExportKind.PERSON_DETAIL: lambda e, s: xlsx.render(generators.person_detail(s)),
    ExportKind.WORKLOG: lambda e, s: xlsx.render(generators.worklog(s)),
    ExportKind.PROVINCE_QUARTER: lambda e, s: xlsx.render(generators.province_quarter(s)),
    ExportKind.FORM01_PDF: _form01,
    ExportKind.UNIT_SUMMARY_PDF: lambda e, s: pdf.render(
        "unit_summary", generators.unit_summary(s)
    ),
    ExportKind.STANDING_COMMITTEE_PDF: _standing_committee,
    ExportKind.ADOPTION_XLSX: lambda e, s: xlsx.render(
        generators_pilot.adoption_table(s, e.parameters)
    ),
    ExportKind.PILOT_PACK_XLSX: lambda e, s: xlsx.render(generators_pilot.pack(s, e.parameters)),
    ExportKind.PILOT_PACK_PDF: lambda e, s: pdf.render(
        "pilot_pack", generators_pilot.pack(s, e.parameters)
    ),
}


def _is_stale(export: ReportExport, now) -> bool:
    last_sign = export.heartbeat_at or export.started_at
    return last_sign is None or last_sign < now - STALE_AFTER


def _interrupt(export: ReportExport, now) -> None:
    """Fail a running job whose worker died; the owner decides whether to run it again."""
    with translation.override("vi"):
        export.error = interrupted_text()
    export.status, export.finished_at = ExportStatus.FAILED, now
    export.save(update_fields=["status", "error", "finished_at"])
    audit.record(
        by=None,
        action="export.interrupted",
        obj=export,
        changes={"status": [ExportStatus.RUNNING, ExportStatus.FAILED]},
    )


def _start(export_id: int) -> ReportExport | None:
    """Mark a queued job as running; None when this message has nothing to build."""
    with transaction.atomic():
        export = (
            ReportExport.objects.select_for_update()
            .select_related("requested_by")
            .filter(pk=export_id)
            .first()
        )
        if export is None or export.status in (ExportStatus.DONE, ExportStatus.FAILED):
            return None
        now = timezone.now()
        if export.status == ExportStatus.RUNNING:
            # A redelivered message (acks_late): a silent job lost its worker and fails; a
            # job with a fresh heartbeat is still being built elsewhere. Neither is built twice.
            if _is_stale(export, now):
                _interrupt(export, now)
            return None
        export.status, export.progress, export.error = ExportStatus.RUNNING, 0, ""
        export.started_at = export.heartbeat_at = now
        export.attempts += 1
        export.save(
            update_fields=["status", "progress", "error", "started_at", "heartbeat_at", "attempts"]
        )
        return export


def _finish(export: ReportExport, **fields) -> ReportExport:
    """Record the outcome unless the watchdog gave this run up meanwhile (and its file with it)."""
    current = ReportExport.objects.filter(
        pk=export.pk, status=ExportStatus.RUNNING, attempts=export.attempts
    )
    if not current.update(finished_at=timezone.now(), **fields):
        logger.warning(
            "Export %s attempt %s ended after it was given up", export.pk, export.attempts
        )
        if fields.get("file"):
            export.file.delete(save=False)
    export.refresh_from_db()
    return export


def exports_watchdog(*, now=None) -> int:
    """Fail the running jobs whose worker went silent, so their owners can retry; beat calls it."""
    now = now or timezone.now()
    failed = 0
    stalled = ReportExport.objects.stalled(now - STALE_AFTER)
    for pk in list(stalled.values_list("pk", flat=True)):
        with transaction.atomic():
            export = stalled.select_for_update(skip_locked=True).filter(pk=pk).first()
            if export is not None:
                _interrupt(export, now)
                failed += 1
    return failed


def error_text(error: Exception) -> str:
    """What the requester reads about a failure: our own messages whole, anything else named."""
    if isinstance(error, generators.ExportError | PermissionDenied):
        return str(error)
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return _(
        "Không tạo được báo cáo do lỗi hệ thống (%(kind)s). Hãy thử lại; "
        "nếu vẫn lỗi, xin báo quản trị hệ thống."
    ) % {"kind": type(error).__name__}


def export_run(export_id: int) -> ReportExport | None:
    """Build the job's file and store it; a finished job is left alone, a failure is recorded."""
    export = _start(export_id)
    if export is None:
        return ReportExport.objects.filter(pk=export_id).first()
    try:
        with translation.override("vi"):
            scope = generators.resolve(export.parameters, export.requested_by)
            # Rights lost between the request and the run stop the job too.
            _subject(export.requested_by, export.parameters)
            content = BUILDERS[export.kind](export, scope)
            name = f"{_stem(export, scope)}.{export.format}"
            export.file.save(name, ContentFile(content), save=False)
    except Exception as error:  # the job must end in a state the page can show
        logger.exception("Export %s (%s) failed", export.pk, export.kind)
        with translation.override("vi"):
            message = error_text(error)
        return _finish(export, status=ExportStatus.FAILED, error=message)
    return _finish(
        export, status=ExportStatus.DONE, progress=100, file=export.file.name, filename=name
    )


def exports_purge(*, now=None) -> int:
    """Delete expired jobs with their files; the nightly beat calls it."""
    expired = list(ReportExport.objects.expired(now))
    for export in expired:
        if export.file:
            export.file.delete(save=False)
    ReportExport.objects.filter(pk__in=[e.pk for e in expired]).delete()
    return len(expired)


CONTENT_TYPES = {
    ExportFormat.XLSX: xlsx.CONTENT_TYPE,
    ExportFormat.PDF: pdf.CONTENT_TYPE,
    ExportFormat.ZIP: "application/zip",
}
