"""What the unit and staff importers share: the abort signal and small helpers."""

from __future__ import annotations

from ..spreadsheets import Issue

CHUNK = 5000  # keeps IN (...) lists far below PostgreSQL's 65,535 bind parameters


class Abort(Exception):
    """Raised inside the transaction so that nothing already written survives."""

    def __init__(self, issues: list[Issue]):
        super().__init__(issues)
        self.issues = sorted(issues, key=lambda issue: issue.row or 0)


def chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def date_text(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""
