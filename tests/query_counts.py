"""Counting the SQL queries of one GET, before and after the list it shows grows."""

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url: str, **headers) -> tuple[int, bytes]:
    """Queries of one GET (a streamed body is read inside the count) and the body."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, (url, response.status_code)
    return len(captured), body


def few_and_many(client, url: str, grow: Callable[[], object], **headers) -> tuple[int, int, bytes]:
    """Queries with the rows already there, then after `grow()` adds many, and the last body."""
    count_queries(client, url, **headers)  # warm per-process caches (content types, sessions)
    few, _body = count_queries(client, url, **headers)
    grow()
    many, body = count_queries(client, url, **headers)
    return few, many, body


def add_units(by, parent_code: str, count: int, prefix: str) -> list:
    """`count` teams "Đội <prefix> <i>" under a unit (by code), through the real service."""
    from orgunits import services
    from orgunits.models import OrgUnit, UnitKind

    made = []
    for i in range(count):
        parent = OrgUnit.objects.get(code=parent_code)  # re-read: each add changes the tree
        made.append(
            services.unit_create(
                by=by,
                parent=parent,
                code=f"{prefix}-{i:03d}",
                name=f"Đội {prefix} {i:03d}",
                kind=UnitKind.TEAM,
                bloc=parent.bloc,
                active_from=parent.active_from,
            )
        )
    return made
