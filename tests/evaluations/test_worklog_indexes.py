"""The work log's indexes: each one earns its place on ~40 million rows a year (issue 9)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _indexes(table: str) -> dict[str, tuple[list[str], bool]]:
    """Index name -> (its columns in order, whether it is partial)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, array_agg(a.attname ORDER BY k.n), x.indpred IS NOT NULL
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
            JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
            WHERE x.indrelid = %s::regclass
            GROUP BY i.relname, x.indpred IS NOT NULL
            """,
            [table],
        )
        return {name: (columns, partial) for name, columns, partial in cursor.fetchall()}


def test_no_full_index_of_the_work_log_repeats_the_start_of_another_but_the_periods():
    indexes = _indexes("evaluations_workentry")
    full = {name: columns for name, (columns, partial) in indexes.items() if not partial}
    redundant = [
        columns
        for name, columns in full.items()
        for other, longer in full.items()
        if name != other and len(columns) < len(longer) and longer[: len(columns)] == columns
    ]
    # Kept on purpose: a quarter read out of a year walks it in period order (docs/performance.md).
    assert redundant == [["period_id"]]


def test_rarely_set_user_references_are_indexed_only_where_set():
    indexes = _indexes("evaluations_workentry")
    assert indexes["entry_exempt_confirmed_by"] == (["exempt_confirmed_by_id"], True)
    assert indexes["entry_on_behalf_of"] == (["reviewed_on_behalf_of_id"], True)


def test_the_period_and_person_lookups_keep_an_index_that_leads_with_them():
    leading = {columns[0] for columns, partial in _indexes("evaluations_workentry").values()}
    assert {"period_id", "person_id", "unit_id"} <= leading
