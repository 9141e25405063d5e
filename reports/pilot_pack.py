"""The pilot's actions: last year's manual ratings, the adoption export and the sơ kết pack."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from kpi_portal import audit
from orgunits.models import OrgUnit, User

from . import exports, generators_pilot, permissions
from .models import ExportKind, ManualRatingBaseline, ReportExport
from .rollups import Scope

COUNT_FIELDS = ("count_htxs", "count_htt", "count_ht", "count_kht")
PACK_KINDS = (ExportKind.PILOT_PACK_PDF, ExportKind.PILOT_PACK_XLSX)


@transaction.atomic
def baseline_save(
    *, by: User, unit: OrgUnit, year: int, counts: dict[str, int], note: str = ""
) -> ManualRatingBaseline:
    """Enter or correct a unit's manual rating counts of one year."""
    if not permissions.can_enter_baseline(by, unit):
        raise PermissionDenied(_("Bạn không được nhập số liệu xếp loại của đơn vị này."))
    baseline = ManualRatingBaseline.objects.select_for_update().filter(unit=unit, year=year).first()
    created = baseline is None
    if created:
        baseline = ManualRatingBaseline(unit=unit, year=year)
    before = audit.snapshot(baseline, [*COUNT_FIELDS, "note"]) if not created else {}
    for name in COUNT_FIELDS:
        setattr(baseline, name, counts.get(name, 0))
    baseline.note, baseline.entered_by = note, by
    baseline.full_clean()
    baseline.save()
    audit.record(
        by=by,
        action="pilot.baseline_create" if created else "pilot.baseline_update",
        obj=baseline,
        unit_path=unit.path,
        changes=audit.diff(before, audit.snapshot(baseline, [*COUNT_FIELDS, "note"])),
    )
    return baseline


def adoption_export_request(*, by: User, unit: OrgUnit, scope: Scope) -> ReportExport:
    """Queue the adoption dashboard of a unit and scope as an Excel job."""
    if not permissions.can_view_adoption(by, unit):
        raise PermissionDenied
    params = {"unit": unit.pk, **generators_pilot.scope_params(scope)}
    return exports.export_request(by=by, kind=ExportKind.ADOPTION_XLSX, params=params)


@transaction.atomic
def pack_request(*, by: User, unit: OrgUnit, start: date, end: date) -> list[ReportExport]:
    """Queue the sơ kết pack of a date range, once as PDF and once as Excel."""
    if not permissions.can_request_pilot_pack(by, unit):
        raise PermissionDenied
    params = {
        "unit": unit.pk,
        "start": generators_pilot.day_param(start),
        "end": generators_pilot.day_param(end),
    }
    return [exports.export_request(by=by, kind=kind, params=params) for kind in PACK_KINDS]
