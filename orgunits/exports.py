"""Units and staff of a subtree written in the import format, so export → import changes nothing."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils import timezone

from .models import Assignment, AssignmentRole, Bloc, Gender, OrgUnit, StaffCategory, UnitKind
from .spreadsheets import STAFF, UNITS, format_bool, vietnamese_labels, workbook_bytes


def blank_template(kind: str) -> bytes:
    """The header row and a sheet explaining each column and its allowed values."""
    return workbook_bytes(kind, [], with_notes=True)


def units_workbook(root: OrgUnit | None = None) -> bytes:
    """`root` and every unit below it (no root: the whole tree), parents before children."""
    units = OrgUnit.objects.under(root) if root else OrgUnit.objects.all()
    units = list(units.select_related("sector"))
    code_at = {u.path: u.code for u in units}
    parent = OrgUnit.objects.get_parent(root) if root else None
    if parent is not None:
        code_at[parent.path] = parent.code
    kinds, blocs = vietnamese_labels(UnitKind), vietnamese_labels(Bloc)
    rows = (
        [
            unit.code,
            unit.name,
            unit.short_name,
            kinds[unit.kind],
            blocs.get(unit.bloc, ""),
            unit.sector.code if unit.sector else "",
            code_at.get(unit.path[: -OrgUnit.steplen], ""),
            unit.active_from,
            unit.active_to,
        ]
        for unit in units
    )
    return workbook_bytes(UNITS, rows)


def staff_assignments(root: OrgUnit | None = None, on: date | None = None):
    """Assignments in the subtree not ended before `on`: the current staff and planned moves."""
    on = on or timezone.localdate()
    return (
        Assignment.objects.filter(unit__path__startswith=root.path if root else "")
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .select_related("unit", "person__user", "person__job_position")
        .order_by("person__hrmis_code", "-is_primary", "start", "unit__code")
    )


def staff_workbook(root: OrgUnit | None = None, on: date | None = None) -> bytes:
    """One row per current assignment in the subtree; person columns repeat on each row."""
    genders, categories = vietnamese_labels(Gender), vietnamese_labels(StaffCategory)
    roles = vietnamese_labels(AssignmentRole)
    rows = (
        [
            person.hrmis_code,
            person.full_name,
            person.date_of_birth,
            genders.get(person.gender, ""),
            categories[person.category],
            person.position_title,
            person.job_position.code if person.job_position else "",
            format_bool(person.party_member),
            person.email,
            person.phone,
            person.user.username,
            assignment.unit.code,
            roles[assignment.role],
            format_bool(assignment.is_primary),
            assignment.start,
            assignment.end,
        ]
        for assignment in staff_assignments(root, on).iterator(chunk_size=2000)
        for person in [assignment.person]
    )
    return workbook_bytes(STAFF, rows)


def file_name(kind: str, root: OrgUnit | None = None) -> str:
    stem = {UNITS: "don-vi", STAFF: "can-bo"}[kind]
    if root is None:
        return f"mau-{stem}.xlsx"
    return f"{stem}-{root.code}-{timezone.localdate():%Y%m%d}.xlsx"
