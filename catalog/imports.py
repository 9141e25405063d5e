"""Importing a catalog workbook: every row is checked first, then all is written or nothing.

Rows are matched by their natural keys (product code; unit, group and start of a quota;
table code and task type of a conversion line), so importing a file twice, or importing
what `exports.export_workbook` wrote, changes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from orgunits.models import JobPositionGroup, OrgUnit, Sector, User

from . import services
from .models import (
    COMPLEXITY_LEVELS,
    ConversionRule,
    ConversionTable,
    Product,
    ProductGroup,
    Quota,
)
from .workbook import (
    CONVERSIONS,
    PRODUCTS,
    QUOTAS,
    SHEETS,
    CellError,
    FileRejected,
    Issue,
    Sheet,
    parse_codes,
    parse_date,
    parse_decimal,
    parse_text,
    read_sheets,
)

PRODUCT_KEYS = [
    "name",
    "unit_of_measure",
    "group",
    "coefficient",
    "complexity",
    "expected_hours",
    "active_from",
    "active_to",
    "description",
]


@dataclass
class ImportResult:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: int = 0
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues

    def summary(self) -> str:
        labels = {PRODUCTS: _("sản phẩm"), QUOTAS: _("định mức"), CONVERSIONS: _("dòng quy đổi")}
        parts = [
            _("%(kind)s: thêm %(created)s, cập nhật %(updated)s")
            % {"kind": labels[k], "created": self.created[k], "updated": self.updated[k]}
            for k in (PRODUCTS, QUOTAS, CONVERSIONS)
        ]
        parts.append(_("không đổi: %(n)s") % {"n": self.unchanged})
        return "; ".join(parts) + "."


class _Rollback(Exception):
    pass


@dataclass
class _Row:
    sheet: str
    number: int
    values: dict[str, Any]


def _header(kind: str, key: str) -> str:
    return next(c.header for c in SHEETS[kind][1] if c.key == key)


class CatalogImport:
    """One import of one workbook for one owner (a unit or a sector)."""

    def __init__(self, *, owner: OrgUnit | Sector, by: User | None):
        self.owner = owner
        self.owner_unit = owner if isinstance(owner, OrgUnit) else None
        self.owner_sector = owner if isinstance(owner, Sector) else None
        self.by = by
        self.result = ImportResult()
        self.groups = {g.code.casefold(): g for g in ProductGroup.objects.all()}
        self.position_groups = {g.code.casefold(): g for g in JobPositionGroup.objects.all()}
        self.levels = {level for level, _label in COMPLEXITY_LEVELS}

    def owner_filter(self) -> dict[str, Any]:
        return {"owner_unit": self.owner_unit, "owner_sector": self.owner_sector}

    def run(self, data: bytes) -> ImportResult:
        try:
            sheets = read_sheets(data)
        except FileRejected as rejected:
            self.result.issues = rejected.issues
            return self.result
        planned = {sheet.kind: self._check(sheet) for sheet in sheets}
        self._check_conversion_products(planned)
        if self.result.issues:
            return self.result
        try:
            with transaction.atomic():
                self._apply(planned)
                if self.result.issues:
                    raise _Rollback
        except _Rollback:
            self._discard()
        except IntegrityError:
            # Someone saved the same codes between the check and the write: say so, not a 500.
            self._discard()
            message = _(
                "Danh mục vừa được người khác thay đổi trong lúc nhập (trùng mã sản phẩm, định "
                "mức hoặc dòng quy đổi). Chưa có gì được ghi; vui lòng nhập lại tệp."
            )
            self.result.issues.append(Issue("", None, "", message))
        return self.result

    def _discard(self) -> None:
        self.result.created.clear()
        self.result.updated.clear()
        self.result.unchanged = 0

    # ---- checking ------------------------------------------------------------------------

    def _issue(self, row: _Row | None, kind: str, key: str, message: str, sheet: str = "") -> None:
        title = SHEETS[kind][0]
        self.result.issues.append(
            Issue(title, row.number if row else None, _header(kind, key) if key else "", message)
        )

    def _check(self, sheet: Sheet) -> list[_Row]:
        checker = {
            PRODUCTS: self._check_product,
            QUOTAS: self._check_quota,
            CONVERSIONS: self._check_conversion,
        }[sheet.kind]
        rows, seen = [], {}
        for number, raw in sheet.rows:
            row = _Row(sheet.kind, number, {})
            key = checker(row, raw)
            if key is None:
                continue
            if key in seen:
                self._issue(
                    row,
                    sheet.kind,
                    "",
                    _("Trùng với dòng %(n)s của cùng trang.") % {"n": seen[key]},
                )
                continue
            seen[key] = number
            rows.append(row)
        return rows

    def _cell(self, row: _Row, raw: dict, key: str, parse, **kwargs) -> Any:
        try:
            value = parse(raw.get(key), **kwargs)
        except CellError as exc:
            self._issue(row, row.sheet, key, str(exc))
            return _INVALID
        row.values[key] = value
        return value

    def _check_product(self, row: _Row, raw: dict) -> Any:
        before = len(self.result.issues)
        code = self._cell(row, raw, "code", parse_text, required=True, max_length=32)
        self._cell(row, raw, "name", parse_text, required=True)
        self._cell(row, raw, "unit_of_measure", parse_text, required=True, max_length=64)
        self._cell(row, raw, "description", parse_text, max_length=2000)
        group = self._cell(row, raw, "group", parse_text, required=True)
        if group not in (_INVALID, "") and group.casefold() not in self.groups:
            self._issue(row, PRODUCTS, "group", _("Nhóm “%(g)s” không có.") % {"g": group})
        self._cell(row, raw, "coefficient", parse_decimal, required=True)
        complexity = self._cell(row, raw, "complexity", parse_decimal, places=1)
        if complexity not in (_INVALID, None) and complexity not in self.levels:
            self._issue(row, PRODUCTS, "complexity", _("Chỉ nhận 1,0; 1,2; 1,5 hoặc 2,0."))
        self._cell(row, raw, "expected_hours", parse_decimal, places=2)
        start = self._cell(row, raw, "active_from", parse_date)
        end = self._cell(row, raw, "active_to", parse_date)
        if isinstance(start, date) and isinstance(end, date) and end < start:
            self._issue(row, PRODUCTS, "active_to", _("Phải sau hoặc trùng ngày bắt đầu."))
        codes = parse_codes(raw.get("position_groups"))
        unknown = [c for c in codes if c.casefold() not in self.position_groups]
        if unknown:
            self._issue(
                row,
                PRODUCTS,
                "position_groups",
                _("Không có nhóm vị trí việc làm: %(codes)s.") % {"codes": ", ".join(unknown)},
            )
        row.values["position_groups"] = codes
        if len(self.result.issues) > before:
            return None
        return code.casefold()

    def _check_quota(self, row: _Row, raw: dict) -> Any:
        before = len(self.result.issues)
        if self.owner_unit is None:
            self._issue(row, QUOTAS, "", _("Định mức chỉ nhập được cho danh mục của một đơn vị."))
            return None
        unit_code = self._cell(row, raw, "unit", parse_text, required=True)
        unit = OrgUnit.objects.filter(code=unit_code).first() if unit_code else None
        if unit_code not in (_INVALID, "") and unit is None:
            self._issue(row, QUOTAS, "unit", _("Không có đơn vị mã “%(c)s”.") % {"c": unit_code})
        elif unit is not None and not unit.path.startswith(self.owner_unit.path):
            self._issue(
                row,
                QUOTAS,
                "unit",
                _("Đơn vị “%(c)s” không thuộc %(owner)s.") % {"c": unit_code, "owner": self.owner},
            )
        row.values["unit"] = unit
        group = self._cell(row, raw, "group", parse_text, required=True)
        if group not in (_INVALID, "") and group.casefold() not in self.position_groups:
            self._issue(
                row, QUOTAS, "group", _("Không có nhóm vị trí việc làm “%(g)s”.") % {"g": group}
            )
        self._cell(row, raw, "per_month", parse_decimal, required=True, places=2)
        start = self._cell(row, raw, "valid_from", parse_date, required=True)
        end = self._cell(row, raw, "valid_to", parse_date)
        if isinstance(start, date) and isinstance(end, date) and end < start:
            self._issue(row, QUOTAS, "valid_to", _("Phải sau hoặc trùng ngày bắt đầu."))
        self._cell(row, raw, "note", parse_text)
        if len(self.result.issues) > before:
            return None
        return (unit.pk, group.casefold(), start)

    def _check_conversion(self, row: _Row, raw: dict) -> Any:
        before = len(self.result.issues)
        table = self._cell(row, raw, "table_code", parse_text, required=True, max_length=32)
        self._cell(row, raw, "table_name", parse_text, required=True)
        task = self._cell(row, raw, "task_type", parse_text, required=True)
        self._cell(row, raw, "product", parse_text, required=True, max_length=32)
        self._cell(row, raw, "coefficient", parse_decimal, required=True)
        self._cell(row, raw, "note", parse_text)
        if len(self.result.issues) > before:
            return None
        return (table.casefold(), task.casefold())

    def _check_conversion_products(self, planned: dict[str, list[_Row]]) -> None:
        in_file = {row.values["code"].casefold() for row in planned.get(PRODUCTS, [])}
        existing = {c.casefold() for c in self._usable_products().values_list("code", flat=True)}
        names: dict[str, tuple[str, int]] = {}
        for row in planned.get(CONVERSIONS, []):
            code = row.values["product"].casefold()
            if code not in in_file and code not in existing:
                self._issue(
                    row,
                    CONVERSIONS,
                    "product",
                    _("Không có sản phẩm mã “%(c)s” trong danh mục áp dụng.")
                    % {"c": row.values["product"]},
                )
            table = row.values["table_code"].casefold()
            name = row.values["table_name"]
            if table in names and names[table][0] != name:
                self._issue(
                    row,
                    CONVERSIONS,
                    "table_name",
                    _("Khác tên bảng ở dòng %(n)s cho cùng mã bảng.") % {"n": names[table][1]},
                )
            names.setdefault(table, (name, row.number))

    def _usable_products(self):
        if self.owner_unit is not None:
            return Product.objects.applicable_to(self.owner_unit)
        return Product.objects.filter(owner_sector=self.owner_sector)

    # ---- writing -------------------------------------------------------------------------

    def _apply(self, planned: dict[str, list[_Row]]) -> None:
        self._apply_products(planned.get(PRODUCTS, []))
        quotas = planned.get(QUOTAS, [])
        # Updates go first, so a quota shortened in the same file makes room for its successor.
        existing = [r for r in quotas if self._find_quota(r) is not None]
        for row in existing + [r for r in quotas if r not in existing]:
            self._guard(row, self._apply_quota)
        for row in planned.get(CONVERSIONS, []):
            self._guard(row, self._apply_conversion)

    def _guard(self, row: _Row, apply) -> None:
        try:
            apply(row)
        except ValidationError as exc:
            for message in exc.messages:
                self._issue(row, row.sheet, "", message)

    def _count(self, kind: str, created: bool, changed: bool) -> None:
        if created:
            self.result.created[kind] += 1
        elif changed:
            self.result.updated[kind] += 1
        else:
            self.result.unchanged += 1

    def _apply_products(self, rows: list[_Row]) -> None:
        """Write every product of the sheet at once; rows are matched to stored products by code."""
        stored: dict[str, Product] = {}
        for product in (
            Product.objects.filter(**self.owner_filter())
            .select_related("group")
            .prefetch_related("position_groups")
        ):
            stored.setdefault(product.code.casefold(), product)  # as .first() in model order
        writes, written = [], []
        for row in rows:
            write = self._product_write(row, stored.get(row.values["code"].casefold()))
            if write is None:
                self._count(PRODUCTS, False, False)
            else:
                writes.append(write)
                written.append(row)
        new = {id(w) for w in writes if w.product.pk is None}
        try:
            services.product_bulk_save(by=self.by, writes=writes, reason=_("Nhập từ Excel"))
        except services.ProductBulkError as exc:
            for index, messages in exc.problems.items():
                for message in messages:
                    self._issue(written[index], PRODUCTS, "", message)
            # The other rows are still written, so the later sheets are checked against them
            # and every problem of the file is listed; the whole import is rolled back after.
            writes = [w for i, w in enumerate(writes) if i not in exc.problems]
            services.product_bulk_save(by=self.by, writes=writes, reason=_("Nhập từ Excel"))
        for write in writes:
            self._count(PRODUCTS, id(write) in new, True)

    def _product_write(self, row: _Row, product: Product | None) -> services.ProductWrite | None:
        """What to write for a row, or None when the stored product already says the same."""
        values = dict(row.values)
        code = values.pop("code")
        groups = [self.position_groups[c.casefold()] for c in values.pop("position_groups")]
        values["group"] = self.groups[values["group"].casefold()]
        values["complexity"] = values["complexity"] or Decimal("1.0")
        if product is None:
            values["active_from"] = values["active_from"] or timezone.localdate()
            new = Product(**self.owner_filter(), code=code, **values)
            return services.ProductWrite(new, position_groups=groups)
        values["active_from"] = values["active_from"] or product.active_from
        changes = {k: v for k, v in values.items() if getattr(product, k) != v}
        same_groups = {g.pk for g in groups} == {g.pk for g in product.position_groups.all()}
        if not changes and same_groups:
            return None
        return services.ProductWrite(product, changes, None if same_groups else groups)

    def _find_quota(self, row: _Row) -> Quota | None:
        group = self.position_groups[row.values["group"].casefold()]
        return Quota.objects.filter(
            unit=row.values["unit"], group=group, valid_from=row.values["valid_from"]
        ).first()

    def _apply_quota(self, row: _Row) -> None:
        quota = self._find_quota(row)
        fields = {k: row.values[k] for k in ("per_month", "valid_to", "note")}
        if quota is None:
            group = self.position_groups[row.values["group"].casefold()]
            services.quota_create(
                by=self.by,
                unit=row.values["unit"],
                group=group,
                valid_from=row.values["valid_from"],
                **fields,
            )
            self._count(QUOTAS, True, False)
            return
        changes = {k: v for k, v in fields.items() if getattr(quota, k) != v}
        if changes:
            services.quota_update(quota=quota, by=self.by, reason=_("Nhập từ Excel"), **changes)
        self._count(QUOTAS, False, bool(changes))

    def _table(self, row: _Row) -> ConversionTable:
        code, name = row.values["table_code"], row.values["table_name"]
        table = ConversionTable.objects.filter(code__iexact=code, **self.owner_filter()).first()
        if table is None:
            return services.conversion_table_create(
                by=self.by, **self.owner_filter(), code=code, name=name
            )
        if table.name != name:
            table = services.conversion_table_update(table=table, by=self.by, name=name)
        return table

    def _product(self, code: str) -> Product:
        own = Product.objects.filter(code__iexact=code, **self.owner_filter()).first()
        if own is not None:
            return own
        candidates = self._usable_products().filter(code__iexact=code)
        # The nearest catalog wins: the deepest owning unit, then the sector's.
        return candidates.order_by(F("owner_unit__depth").desc(nulls_last=True)).first()

    def _apply_conversion(self, row: _Row) -> None:
        table = self._table(row)
        product = self._product(row.values["product"])
        fields = {
            "product": product,
            "coefficient": row.values["coefficient"],
            "note": row.values["note"],
        }
        rule = ConversionRule.objects.filter(
            table=table, task_type__iexact=row.values["task_type"]
        ).first()
        if rule is None:
            services.conversion_rule_create(
                table=table, by=self.by, task_type=row.values["task_type"], **fields
            )
            self._count(CONVERSIONS, True, False)
            return
        changes = {k: v for k, v in fields.items() if getattr(rule, k) != v}
        if changes:
            services.conversion_rule_update(rule=rule, by=self.by, **changes)
        self._count(CONVERSIONS, False, bool(changes))


class _Invalid:
    def __repr__(self) -> str:
        return "<invalid>"


_INVALID: Any = _Invalid()


def import_catalog(*, data: bytes, owner: OrgUnit | Sector, by: User | None) -> ImportResult:
    """Import a workbook for `owner`; on any problem nothing is written and every issue listed."""
    return CatalogImport(owner=owner, by=by).run(data)
