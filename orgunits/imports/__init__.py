"""Importing units and staff from a workbook: check every row first, then write all or nothing.

Re-importing a file changes nothing: rows are matched by unit code, HRMIS code, and an
assignment's (person, unit, start date); only rows that differ are written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kpi_portal import audit

from .. import roles
from ..models import OrgUnit, Role, User
from ..querysets import ALL
from ..spreadsheets import UNITS, FileRejected, Issue, read_sheet
from .base import Abort
from .staff import StaffImport
from .units import UnitImport

__all__ = ["ImportResult", "import_workbook", "manage_paths"]


@dataclass
class ImportResult:
    kind: str
    issues: list[Issue] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.issues

    def summary(self) -> str:
        if not self.ok:
            return _("Không nhập được: %(n)d lỗi, chưa ghi dữ liệu nào.") % {"n": len(self.issues)}
        if self.kind == UNITS:
            return (
                _(
                    "Đơn vị: thêm mới %(created)d, cập nhật %(updated)d (chuyển đơn vị cha "
                    "%(moved)d), không đổi %(unchanged)d."
                )
                % self.counts
            )
        return (
            _(
                "Cán bộ: thêm mới %(people_created)d, cập nhật %(people_updated)d, không đổi "
                "%(people_unchanged)d; quá trình công tác: thêm mới %(assignments_created)d, "
                "cập nhật %(assignments_updated)d, không đổi %(assignments_unchanged)d."
            )
            % self.counts
        )


def import_workbook(
    data: bytes, *, by: User | None, filename: str, kind: str | None = None
) -> ImportResult:
    """Check the whole file, then apply it in one transaction; `by=None` is the command line."""
    try:
        sheet = read_sheet(data, kind)
    except FileRejected as exc:
        return ImportResult(kind or "", exc.issues)
    importer_class = UnitImport if sheet.kind == UNITS else StaffImport
    try:
        with transaction.atomic():
            importer = importer_class(sheet.rows, manage_paths(by))
            counts, touched_paths = importer.run(by=by, reason=filename)
            if touched_paths:
                _record_summary(by, filename, sheet.kind, counts, touched_paths)
    except Abort as exc:
        return ImportResult(sheet.kind, exc.issues)
    except DatabaseError as exc:
        # A concurrent change can still break a constraint after the checks passed.
        message = _("Không ghi được dữ liệu, chưa thay đổi gì: %(error)s") % {"error": exc}
        return ImportResult(sheet.kind, [Issue(None, "", message)])
    return ImportResult(sheet.kind, [], counts)


def manage_paths(user: User | None) -> tuple[str, ...]:
    """Subtrees whose units and people `user` may change, as `can_manage_unit` decides per unit."""
    if user is None:
        return ALL  # the command line runs with the server operator's rights
    on = timezone.localdate()
    if roles.is_system_admin(user, on):
        return ALL
    return tuple(roles.granted_paths(user, on, (Role.SECTOR_ADMIN,)))


def _record_summary(by, filename: str, kind: str, counts: dict, paths: list[str]) -> None:
    anchor = _root_most(paths)
    audit.record(
        by=by,
        action="orgunits.import",
        obj=anchor or by,
        unit_path=anchor.path if anchor else "",
        changes={"kind": kind, **counts},
        reason=filename,
    )


def _root_most(paths: list[str]) -> OrgUnit | None:
    """The lowest unit above everything touched, or the shallowest one when there are roots."""
    first, last = min(paths), max(paths)
    pairs = enumerate(zip(first, last, strict=False))
    shared = next((i for i, (a, b) in pairs if a != b), len(first))
    prefix = first[: shared // OrgUnit.steplen * OrgUnit.steplen]
    if prefix:
        return OrgUnit.objects.filter(path=prefix).first()
    return OrgUnit.objects.filter(path__in=paths).order_by("depth", "path").first()
