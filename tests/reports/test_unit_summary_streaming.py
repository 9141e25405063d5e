"""The unit summary streams its rows from the database; what it prints is what the records say."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.models import Evaluation, EvaluationState
from reports import generators
from tests.evaluations import conftest as evaluation_fixtures
from tests.reports.test_exports import decided  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

position_group = evaluation_fixtures.position_group
products = evaluation_fixtures.products
quota = evaluation_fixtures.quota
period = evaluation_fixtures.period


def summary(viewer, unit, period):
    return generators.unit_summary(generators.Scope(viewer=viewer, unit=unit, period=period))


def expected_notes(viewer, unit, period) -> list[str]:
    """The notes as read from full records with the same rule the single-person forms use."""
    evaluations = list(Evaluation.objects.filter(period=period, unit__path__startswith=unit.path))
    shown = [e for e in evaluations if generators.shows_decision(e, viewer)]
    shares = "; ".join(
        f"{band.label}: {sum(e.rating == band for e in shown)} người "
        f"({generators._fmt(100 * sum(e.rating == band for e in shown) / len(shown), 1)}%)"
        for band in generators.BANDS
    )
    return [
        f"Tổng số: {len(evaluations)} người; đã có kết quả: {len(shown)} người.",
        f"Trong đó: {shares}.",
    ]


def test_the_notes_count_only_the_ratings_the_viewer_may_see(decided, staff_a, head_a, units):  # noqa: F811
    Evaluation.objects.filter(period=decided, person=staff_a.person).update(
        state=EvaluationState.DECIDED
    )
    own = summary(staff_a, units["T-SO"], decided)
    chain = summary(head_a, units["T-SO"], decided)
    assert own.notes == expected_notes(staff_a, units["T-SO"], decided)
    assert chain.notes == expected_notes(head_a, units["T-SO"], decided)
    assert own.notes[0] != chain.notes[0]  # staff_a's own decision is not yet published
    mine = next(row for row in own.rows if row[1] == "Nguyễn Văn staff_a")
    assert (mine[8], mine[9]) == ("", "Đã quyết định")
    theirs = next(row for row in chain.rows if row[1] == "Nguyễn Văn staff_a")
    assert theirs[8] == "Hoàn thành xuất sắc nhiệm vụ"


def test_rows_are_read_in_one_query_when_written_and_match_the_records(decided, head_a, units):  # noqa: F811
    table = summary(head_a, units["T-SO"], decided)
    with CaptureQueriesContext(connection) as queries:
        rows = list(table.rows)
    assert len(queries) == 1
    records = Evaluation.objects.filter(period=decided, unit__path__startswith=units["T-SO"].path)
    assert len(table.rows) == len(rows) == records.count() > 5
    assert [row[0] for row in rows] == list(range(1, len(rows) + 1))
    by_name = {row[1]: row for row in rows}
    for e in records.select_related("person", "unit"):
        row = by_name[e.person.full_name]
        assert row[2:7] == [
            e.person.position_title,
            e.unit.name,
            e.general_score,
            e.task_score,
            e.total,
        ]
        assert row[10] == (e.downgrade_reason or e.not_rated_reason)
    assert list(table.rows) == rows  # a second pass (a retried write) reads the same rows


def test_a_unit_with_nothing_decided_says_so(period, head_a, units):
    table = summary(head_a, units["T-SO"], period)
    assert len(table.rows) == 0 and list(table.rows) == []
    assert table.notes == ["Tổng số: 0 người; chưa có kết quả được quyết định."]
