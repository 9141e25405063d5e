"""Writing an owner's catalog, quotas and conversion tables as the workbook `imports` reads."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from orgunits.models import OrgUnit, Sector

from .models import ConversionRule, Product, Quota
from .workbook import CONVERSIONS, DATE_FORMAT, PRODUCTS, QUOTAS, SHEETS

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _number(value: Decimal | None):
    if value is None:
        return None
    value = value.normalize()
    return int(value) if value == value.to_integral() else value


def _product_rows(owner_filter):
    products = (
        Product.objects.filter(**owner_filter)
        .select_related("group")
        .prefetch_related("position_groups")
        .order_by("group__position", "code")
    )
    for p in products:
        yield [
            p.code,
            p.name,
            p.unit_of_measure,
            p.group.code,
            _number(p.coefficient),
            _number(p.complexity),
            _number(p.expected_hours),
            ", ".join(sorted(g.code for g in p.position_groups.all())),
            p.active_from,
            p.active_to,
            p.description,
        ]


def _quota_rows(unit: OrgUnit | None):
    if unit is None:
        return
    quotas = Quota.objects.filter(unit__path__startswith=unit.path).select_related("unit", "group")
    for q in quotas.order_by("unit__path", "group__code", "valid_from"):
        yield [q.unit.code, q.group.code, _number(q.per_month), q.valid_from, q.valid_to, q.note]


def _conversion_rows(owner_filter):
    rules = (
        ConversionRule.objects.filter(**{f"table__{k}": v for k, v in owner_filter.items()})
        .select_related("table", "product")
        .order_by("table__code", "task_type")
    )
    for r in rules:
        yield [
            r.table.code,
            r.table.name,
            r.task_type,
            r.product.code,
            _number(r.coefficient),
            r.note,
        ]


def export_workbook(owner: OrgUnit | Sector) -> bytes:
    """The owner's rows in the import format, so importing the file back changes nothing."""
    unit = owner if isinstance(owner, OrgUnit) else None
    owner_filter = {"owner_unit": unit, "owner_sector": None if unit else owner}
    workbook = Workbook()
    workbook.remove(workbook.active)
    sources = {
        PRODUCTS: _product_rows(owner_filter),
        QUOTAS: _quota_rows(unit),
        CONVERSIONS: _conversion_rows(owner_filter),
    }
    for kind, rows in sources.items():
        if kind == QUOTAS and unit is None:
            continue
        title, columns = SHEETS[kind]
        sheet = workbook.create_sheet(title)
        sheet.append([c.header for c in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        for row in rows or ():
            sheet.append(row)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, date | datetime):
                    cell.number_format = DATE_FORMAT
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
