"""Read-heavy work on a PostgreSQL read replica (issue 20, point 8).

With `DATABASE_REPLICA_URL` set, the settings add a "replica" database and turn
`KHUYENCONG_READ_REPLICA` on. Reads of the register (plans, đề án, payments, facilities, …: the
`programmes` app but its user profiles) made inside `replica_reads()` go to the replica: the figures
of the report pages and files, the status and completeness pages, the API and the exports (views
decorated with `reads_replica`, the export and report jobs). Everything else reads the primary:
the reads of a write path (a service locks and reads what it changes there), report drafts, issued
versions, locks and reviews, sessions, users and roles, jobs and imports, so a replica a few
seconds behind never signs anyone out, shows an old draft or hides a job just started. Figures may
trail the primary by the replica's lag (seconds). Writes always go to the primary.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
REPLICATED_APPS = frozenset({"programmes"})
PRIMARY_ONLY = frozenset({"programmes.userprofile"})

_reading: ContextVar[bool] = ContextVar("replica_reads", default=False)


def enabled() -> bool:
    return bool(getattr(settings, "KHUYENCONG_READ_REPLICA", False)) and REPLICA in settings.DATABASES


@contextmanager
def replica_reads():
    """Within the block (or the decorated function), the register's and reports' reads may use the replica."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def reads_replica(view: Callable) -> Callable:
    """A view whose GET (or HEAD) reads the register from the replica."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        with replica_reads():
            return view(request, *args, **kwargs)

    return wrapped


def _in_transaction() -> bool:
    """Whether the primary is inside a transaction the code opened (a test's own does not count)."""
    blocks = connections[DEFAULT_DB_ALIAS].atomic_blocks
    return any(not block._from_testcase for block in blocks)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        # Inside a transaction (a service writing) every read stays on the primary, where it is locked.
        if (
            _reading.get()
            and not _in_transaction()
            and model._meta.app_label in REPLICATED_APPS
            and model._meta.label_lower not in PRIMARY_ONLY
            and enabled()
        ):
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        # An object read from the replica is saved to the primary, not back where it came from.
        if model._meta.app_label in REPLICATED_APPS:
            return DEFAULT_DB_ALIAS
        return None

    def allow_relation(self, obj1, obj2, **hints):
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}:
            return True
        return None
