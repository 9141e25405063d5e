"""Small pieces of hand-written SQL shared by the rollup modules (rollups, adoption)."""

from __future__ import annotations

from django.db import connection

from orgunits.models import OrgUnit


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def execute(sql: str, params: dict | list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def in_list(name: str, values) -> tuple[str, dict]:
    """An IN list with one named parameter per value (portable, unlike `= ANY`)."""
    params = {f"{name}_{i}": value for i, value in enumerate(values)}
    if not params:
        return "(NULL)", {}
    return "(" + ", ".join(f"%({key})s" for key in params) + ")", params


def deepest_level() -> int:
    deepest = OrgUnit.objects.order_by("-depth").values_list("depth", flat=True).first()
    return deepest or 1


def path_lengths(levels: int) -> str:
    """Path lengths of every tree level, to join a row to each ancestor of its unit."""
    return " UNION ALL ".join(f"SELECT {n * OrgUnit.steplen} AS n" for n in range(1, levels + 1))
