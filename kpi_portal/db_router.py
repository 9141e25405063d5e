"""Send the reads of dashboards, reports and exports to a replica when one is configured.

Code opts in by wrapping its reads in `use_replica()`; everything else, and every write, stays
on `default`, so a request never reads its own just-written rows from a lagging replica.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections

REPLICA = "replica"
_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def use_replica() -> Iterator[None]:
    """Inside the block, reads go to the replica alias (when DATABASE_REPLICA_URL set it up)."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


def read_alias() -> str:
    return REPLICA if _reading_from_replica.get() and replica_configured() else "default"


def replica_alias() -> str:
    """For querysets built in one place and evaluated in another (API pagination): `.using()`."""
    return REPLICA if replica_configured() else "default"


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        return read_alias()

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # Both aliases hold the same data (a streaming replica), so any relation is allowed.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == "default"
