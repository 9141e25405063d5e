"""The results exchange schema "kpi-results/1.0" (docs/exchange-schema.md): build, render, read.

Each published result carries the person's staff record, so the same document feeds
`sync_staff` on the receiving side; "kpi-staff/1.0" is the same record list without results.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from xml.etree import ElementTree

from django.db import DatabaseError, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.models import Evaluation, EvaluationState, Frequency
from kpi_portal import audit
from orgunits.imports import ImportResult
from orgunits.imports.base import Abort
from orgunits.imports.staff import StaffImport
from orgunits.models import Assignment, OrgUnit
from orgunits.querysets import ALL
from orgunits.spreadsheets import STAFF, Issue

RESULTS_SCHEMA = "kpi-results/1.0"
STAFF_SCHEMA = "kpi-staff/1.0"
PERIOD_CODE = re.compile(r"^(\d{4})-(Q[1-4]|0[1-9]|1[0-2])$")


class BadPeriod(ValueError):
    pass


def parse_period_code(code: str) -> tuple[str, int, int]:
    """ "2026-10" → (month, 2026, 10); "2026-Q3" → (quarter, 2026, 3)."""
    match = PERIOD_CODE.match(code or "")
    if match is None:
        raise BadPeriod(_("Kỳ phải có dạng YYYY-MM hoặc YYYY-Qn, ví dụ 2026-10."))
    year, number = int(match.group(1)), match.group(2)
    if number.startswith("Q"):
        return Frequency.QUARTERLY, year, int(number[1:])
    return Frequency.MONTHLY, year, int(number)


def published_results(evaluations: QuerySet[Evaluation], period_code: str) -> QuerySet[Evaluation]:
    kind, year, number = parse_period_code(period_code)
    assignments = Assignment.objects.select_related("unit").order_by("start", "id")
    return (
        evaluations.filter(
            state=EvaluationState.PUBLISHED,
            period__kind=kind,
            period__year=year,
            period__number=number,
        )
        .select_related("person__user", "person__job_position", "unit", "period")
        .prefetch_related(Prefetch("person__assignments", queryset=assignments))
        .order_by("person__hrmis_code")
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def staff_record(person) -> dict[str, Any]:
    """A person and their assignments: everything `sync_staff` needs to recreate them."""
    return {
        "hrmis_code": person.hrmis_code,
        "full_name": person.full_name,
        "date_of_birth": _text(person.date_of_birth),
        "gender": person.gender,
        "category": person.category,
        "position_title": person.position_title,
        "job_position": person.job_position.code if person.job_position_id else None,
        "party_member": person.party_member,
        "email": person.email,
        "phone": person.phone,
        "username": person.user.username,
        "assignments": [
            {
                "unit_code": a.unit.code,
                "role": a.role,
                "is_primary": a.is_primary,
                "start": _text(a.start),
                "end": _text(a.end),
            }
            for a in person.assignments.all()
        ],
    }


def result_record(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "hrmis_code": evaluation.person.hrmis_code,
        "full_name": evaluation.person.full_name,
        "unit_code": evaluation.unit.code,
        "period": evaluation.period.code,
        "scores": {
            "general": _text(evaluation.general_score),
            "task": _text(evaluation.task_score),
            "total": _text(evaluation.total),
        },
        "rating": evaluation.rating,
        "rating_label": evaluation.get_rating_display(),
        "decision": {
            "number": evaluation.decision_number,
            "date": _text(evaluation.decision_date),
        },
        "published_at": _text(evaluation.published_at and evaluation.published_at.isoformat()),
        "person": staff_record(evaluation.person),
    }


def results_document(evaluations, period_code: str) -> dict[str, Any]:
    return {
        "schema": RESULTS_SCHEMA,
        "period": period_code,
        "generated_at": timezone.now().isoformat(),
        "results": [result_record(e) for e in evaluations],
    }


# ---- XML: the same tree, elements named after the keys, lists as repeated <item> -------------


def _to_xml(parent: ElementTree.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _to_xml(ElementTree.SubElement(parent, key), item)
    elif isinstance(value, list):
        for item in value:
            _to_xml(ElementTree.SubElement(parent, "item"), item)
    elif value is None:
        parent.set("nil", "true")
    elif isinstance(value, bool):
        parent.text = "true" if value else "false"
    else:
        parent.text = str(value)


def to_xml(document: dict[str, Any]) -> bytes:
    root = ElementTree.Element("kpi", {"schema": document["schema"]})
    _to_xml(root, {k: v for k, v in document.items() if k != "schema"})
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


LIST_KEYS = {"results", "people", "assignments"}
BOOL_KEYS = {"party_member", "is_primary"}


def _from_xml(element: ElementTree.Element) -> Any:
    if element.get("nil") == "true":
        return None
    if element.tag in LIST_KEYS:
        return [_from_xml(child) for child in element]
    if len(element):
        return {child.tag: _from_xml(child) for child in element}
    text = element.text or ""
    return text == "true" if element.tag in BOOL_KEYS else text


def from_xml(data: bytes) -> dict[str, Any]:
    """Documents with a DTD are refused: the schema needs none, and entities can explode."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValueError(_("Tệp XML không được chứa DOCTYPE hoặc ENTITY."))
    root = ElementTree.fromstring(data)  # noqa: S314 - no DTD left, so no entity expansion
    document = {child.tag: _from_xml(child) for child in root}
    document["schema"] = root.get("schema", "")
    return document


# ---- reading a staff list for sync_staff ------------------------------------------------------


def staff_rows(document: Any) -> tuple[list[tuple[int, dict]], list[Issue]]:
    """Rows in the staff sheet's shape (one per assignment), numbered by record from 1."""
    if not isinstance(document, dict) or document.get("schema") not in (
        RESULTS_SCHEMA,
        STAFF_SCHEMA,
    ):
        message = _("Tệp không theo lược đồ %(a)s hoặc %(b)s.") % {
            "a": RESULTS_SCHEMA,
            "b": STAFF_SCHEMA,
        }
        return [], [Issue(None, "schema", message)]
    if document["schema"] == RESULTS_SCHEMA:
        people = [r.get("person") for r in document.get("results") or []]
    else:
        people = document.get("people") or []
    rows, issues = [], []
    for number, person in enumerate(people, start=1):
        if not isinstance(person, dict) or not person.get("assignments"):
            issues.append(Issue(number, "assignments", _("thiếu quá trình công tác")))
            continue
        for post in person["assignments"]:
            rows.append((number, _row(person, post, number, issues)))
    return rows, issues


def _iso(value: Any, number: int, key: str, issues: list[Issue]) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        message = _("ngày không hợp lệ '%(value)s' (cần dạng yyyy-mm-dd)") % {"value": value}
        issues.append(Issue(number, key, message))
        return None


def _row(person: dict, post: dict, number: int, issues: list[Issue]) -> dict[str, Any]:
    fields = (
        "hrmis_code",
        "full_name",
        "gender",
        "category",
        "position_title",
        "job_position",
        "party_member",
        "email",
        "phone",
        "username",
    )
    row = {key: person.get(key) for key in fields}
    row["date_of_birth"] = _iso(person.get("date_of_birth"), number, "date_of_birth", issues)
    row.update(
        unit=post.get("unit_code"),
        role=post.get("role"),
        is_primary=post.get("is_primary", True),
        start=_iso(post.get("start"), number, "start", issues),
        end=_iso(post.get("end"), number, "end", issues),
    )
    return row


def import_staff_document(document: Any, *, filename: str) -> ImportResult:
    """The staff import of the Excel template, fed from a JSON/XML document: same guarantees."""
    rows, issues = staff_rows(document)
    if issues:
        return ImportResult(STAFF, issues)
    try:
        with transaction.atomic():
            counts, touched = StaffImport(rows, ALL).run(by=None, reason=filename)
            if touched:
                anchor = OrgUnit.objects.filter(path__in=touched).order_by("depth").first()
                audit.record(
                    by=None,
                    action="orgunits.import",
                    obj=anchor,
                    unit_path=anchor.path,
                    changes={"kind": STAFF, "format": document.get("schema"), **counts},
                    reason=filename,
                )
    except Abort as exc:
        return ImportResult(STAFF, exc.issues)
    except DatabaseError as exc:
        message = _("Không ghi được dữ liệu, chưa thay đổi gì: %(error)s") % {"error": exc}
        return ImportResult(STAFF, [Issue(None, "", message)])
    return ImportResult(STAFF, [], counts)
