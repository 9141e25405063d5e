"""Units: upserted by code and written in tree order; a move into its own subtree is a loop."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .. import services
from ..models import Bloc, OrgUnit, Sector, UnitKind, User
from ..querysets import ALL, covers
from ..spreadsheets import (
    UNIT_COLUMNS,
    Issue,
    a_date,
    choice,
    parse_row,
    reference,
    text,
)
from .base import Abort

UNIT_HEADER = {c.key: c.header for c in UNIT_COLUMNS}
UNIT_KEYS = ("name", "short_name", "kind", "bloc", "sector", "active_from", "active_to")


@dataclass
class UnitRow:
    number: int
    code: str
    parent: str
    values: dict[str, Any]
    broken: bool = False
    unit: OrgUnit | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    moves: bool = False


class UnitImport:
    """Upsert units by code; parents may come later in the file, so rows go in tree order."""

    def __init__(self, rows: list[tuple[int, dict]], paths: tuple[str, ...]):
        self.raw = rows
        self.paths = paths
        self.issues: list[Issue] = []
        self.existing = {u.code: u for u in OrgUnit.objects.all()}
        self.code_at = {u.path: u.code for u in self.existing.values()}

    def run(self, *, by: User | None, reason: str) -> tuple[dict, list[str]]:
        rows = self._parse()
        parents = self._final_parents(rows)
        # Rows with a bad cell are already reported; they still place their code in the tree.
        sound = [row for row in rows if not row.broken]
        self._check_parents(sound, parents)
        self._check_cycles(sound, parents)
        self._check_scope(sound, rows, parents)
        if self.issues:
            raise Abort(self.issues)
        ordered = sorted(rows, key=lambda r: (_depth(r.code, parents), r.number))
        return self._apply(ordered, by, reason)

    def _issue(self, row: int, key: str, message: str) -> None:
        self.issues.append(Issue(row, UNIT_HEADER[key], message))

    def _parsers(self) -> dict:
        sectors = {s.code: s for s in Sector.objects.all()}
        default_start = OrgUnit._meta.get_field("active_from").get_default()
        return {
            "code": text(40, required=True),
            "name": text(255, required=True),
            "short_name": text(100),
            "kind": choice(UnitKind),
            "bloc": choice(Bloc, required=False),
            "sector": reference(sectors),
            "parent": text(40),
            "active_from": a_date(default=default_start),
            "active_to": a_date(),
        }

    def _parse(self) -> list[UnitRow]:
        parsers, first_row, rows = self._parsers(), {}, []
        for number, raw in self.raw:
            values, problems = parse_row(raw, parsers)
            for key, message in problems.items():
                self._issue(number, key, message)
            start, end = values.get("active_from"), values.get("active_to")
            if start and end and end < start:
                self._issue(number, "active_to", _("không được trước ngày hoạt động"))
            code = values.get("code")
            if not code:
                continue
            if code in first_row:
                self._issue(
                    number,
                    "code",
                    _("mã '%(code)s' trùng với dòng %(row)d")
                    % {"code": code, "row": first_row[code]},
                )
                continue
            first_row[code] = number
            existing = self.existing.get(code)
            parent = values.get("parent", self._parent_code(existing) if existing else "")
            rows.append(self._compare(UnitRow(number, code, parent, values, broken=bool(problems))))
        return rows

    def _parent_code(self, unit: OrgUnit) -> str:
        return self.code_at.get(unit.path[: -OrgUnit.steplen], "")

    def _compare(self, row: UnitRow) -> UnitRow:
        row.unit = self.existing.get(row.code)
        if row.unit is None:
            return row
        current = {key: getattr(row.unit, key) for key in UNIT_KEYS if key != "sector"}
        current["sector"] = row.unit.sector_id
        sector = row.values.get("sector")
        wanted = {**row.values, "sector": sector.pk if sector else None}
        row.changes = {
            k: row.values[k] for k in UNIT_KEYS if k in wanted and current[k] != wanted[k]
        }
        row.moves = row.parent != self._parent_code(row.unit)
        return row

    def _final_parents(self, rows: list[UnitRow]) -> dict[str, str]:
        parents = {code: self._parent_code(unit) for code, unit in self.existing.items()}
        parents.update({row.code: row.parent for row in rows})
        return parents

    def _check_parents(self, rows: list[UnitRow], parents: dict[str, str]) -> None:
        for row in rows:
            if row.parent and row.parent not in parents:
                self._issue(
                    row.number, "parent", _("không tồn tại '%(code)s'") % {"code": row.parent}
                )
            elif not row.parent and row.unit is not None and row.moves:
                old = self._parent_code(row.unit)
                self._issue(
                    row.number,
                    "parent",
                    _("không được để trống (đơn vị đang trực thuộc '%(code)s')") % {"code": old},
                )

    def _check_cycles(self, rows: list[UnitRow], parents: dict[str, str]) -> None:
        """Each loop is reported once, on every row that belongs to it."""
        number_of = {row.code: row.number for row in rows}
        settled: set[str] = set()
        for row in rows:
            chain, code = [], row.code
            while code and code not in settled and code not in chain:
                chain.append(code)
                code = parents.get(code, "")
            settled.update(chain)
            if not code or code not in chain:
                continue
            loop = chain[chain.index(code) :]
            message = _("vòng lặp đơn vị cha (%(loop)s): không thể đặt đơn vị dưới cấp dưới của nó")
            for member in loop:
                if member in number_of:
                    detail = message % {"loop": " → ".join([*loop, loop[0]])}
                    self._issue(number_of[member], "parent", detail)

    def _check_scope(self, sound: list[UnitRow], rows: list[UnitRow], parents: dict) -> None:
        if self.paths == ALL:
            return
        in_file = {row.code: row for row in rows}
        flagged = {issue.row for issue in self.issues}  # one message per wrong parent is enough
        for row in (row for row in sound if row.number not in flagged):
            if row.unit is not None and not covers(self.paths, row.unit.path):
                message = _("đơn vị '%(code)s' nằm ngoài phạm vi quản lý của bạn")
                self._issue(row.number, "code", message % {"code": row.code})
            elif (row.unit is None or row.moves) and not self._may_hold(
                row.parent, in_file, parents
            ):
                message = (
                    _("đơn vị cha '%(code)s' nằm ngoài phạm vi quản lý của bạn")
                    if row.parent
                    else _("chỉ quản trị hệ thống được tạo đơn vị gốc")
                )
                self._issue(row.number, "parent", message % {"code": row.parent})

    def _may_hold(self, code: str, in_file: dict[str, UnitRow], parents: dict[str, str]) -> bool:
        """Whether new children may go under `code`, once the file's own new units exist."""
        seen = set()
        while code:
            if code in seen:
                return True  # a loop, already reported by the cycle check
            if code in self.existing:
                return covers(self.paths, self.existing[code].path)
            seen.add(code)
            code = parents.get(code, "") if code in in_file else ""
        return False

    def _apply(self, rows: list[UnitRow], by, reason: str) -> tuple[dict, list[str]]:
        counts = Counter({"created": 0, "updated": 0, "moved": 0, "unchanged": 0})
        touched = []
        for row in rows:
            try:
                outcome = self._apply_row(row, by, reason)
            except ValidationError as exc:
                raise Abort([Issue(row.number, "", "; ".join(exc.messages))]) from exc
            counts[outcome] += 1
            counts["moved"] += row.moves and outcome == "updated"
            if outcome != "unchanged":
                touched.append(row.code)
        paths = list(OrgUnit.objects.filter(code__in=touched).values_list("path", flat=True))
        return dict(counts), paths

    def _apply_row(self, row: UnitRow, by, reason: str) -> str:
        parent = OrgUnit.objects.get(code=row.parent) if row.parent else None
        if row.unit is None:
            values = {k: row.values[k] for k in UNIT_KEYS}
            services.unit_create(by=by, parent=parent, code=row.code, **values)
            return "created"
        if not row.changes and not row.moves:
            return "unchanged"
        unit = OrgUnit.objects.get(pk=row.unit.pk)  # earlier moves may have rewritten its path
        if row.moves:
            unit = services.unit_move(unit=unit, new_parent=parent, by=by, reason=reason)
        if row.changes:
            services.unit_update(unit=unit, by=by, reason=reason, **row.changes)
        return "updated"


def _depth(code: str, parents: dict[str, str]) -> int:
    depth = 0
    while code:
        depth, code = depth + 1, parents.get(code, "")
    return depth
