"""Progress a worker reports while it works, and the cancel flag it reads back.

Work that writes runs in one transaction (an import is all or nothing), so progress goes through a
second connection (the "jobs" alias on PostgreSQL) that the page can read while the work goes on. On
SQLite, whose one writer holds the file, progress inside a transaction is not written: the page
shows the stage without a count until the transaction ends.
"""

from __future__ import annotations

import time

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

from .registry import JobCancelled

PROGRESS_ALIAS = "jobs"


def _alias(depth: int) -> str | None:
    """The connection to write progress through: the default one unless the work has opened a
    transaction of its own (deeper than `depth`, where the job started)."""
    default = connections[DEFAULT_DB_ALIAS]
    if len(default.atomic_blocks) <= depth:
        return DEFAULT_DB_ALIAS
    if default.vendor == "postgresql" and PROGRESS_ALIAS in connections.databases:
        return PROGRESS_ALIAS
    return None


class Progress:
    """Call with (done, total) as rows go; `stage(text)` when the work changes step."""

    interval = 0.5  # seconds between writes: the page refreshes every two seconds

    def __init__(self, job):
        self.job = job
        self._last = 0.0
        self._depth = len(connections[DEFAULT_DB_ALIAS].atomic_blocks)

    def __call__(self, done: int, total: int | None = None, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        fields = {"done": max(0, done)}
        if total is not None:
            fields.update(done=min(fields["done"], total), total=total)
        self._write(**fields)

    def stage(self, text: str, *, total: int | None = None) -> None:
        self._last = time.monotonic()
        self._write(stage=str(text)[:100], done=0, total=total)

    def _write(self, **fields) -> None:
        from .models import Job

        alias = _alias(self._depth)
        if alias is None:
            return
        try:
            rows = Job.objects.using(alias).filter(pk=self.job.pk, state=Job.State.RUNNING)
            rows.update(**fields)
            cancelled = rows.filter(cancel_requested=True).exists()
        except OperationalError:  # SQLite busy: progress is a hint, the work goes on
            return
        if cancelled:
            raise JobCancelled
