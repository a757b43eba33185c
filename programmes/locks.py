"""Where period locks plug in: the one place every write asks whether a row's period is closed.

Issuing a report will make the data of its period read-only (the reports issue registers a
checker here). Every service calls `lock_errors` before it writes, so admin forms, inlines, bulk
actions, imports and commands are all held by the same lock without a second path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# A checker takes the row as it would be after the write and the row as stored (None for a new
# row; a deletion passes the stored row as `new`) and returns the message naming the report that
# locked its period, or None.
Checker = Callable[[object, object], str | None]

_checkers: list[Checker] = []
# A holder takes a stored row and returns the notices of the locks that hold it as it stands (a
# payment dated in a locked period, a đề án an issued report listed): shown before anyone types.
Holder = Callable[[object], list[str]]
_holders: list[Holder] = []
_memo: ContextVar[dict | None] = ContextVar("period_lock_memo", default=None)


def register(checker: Checker) -> Checker:
    """Register a period-lock checker (usable as a decorator)."""
    if checker not in _checkers:
        _checkers.append(checker)
    return checker


def unregister(checker: Checker) -> None:
    if checker in _checkers:
        _checkers.remove(checker)


def register_holder(holder: Holder) -> Holder:
    """Register what says which locks hold a stored row as it stands (usable as a decorator)."""
    if holder not in _holders:
        _holders.append(holder)
    return holder


def held_by(row) -> list[str]:
    """The notices of the locks holding `row` as it is stored ("đã khóa bởi Báo cáo số …"), none for a new
    row; read once per row object (a page asks several times)."""
    if row is None or getattr(row, "pk", None) is None:
        return []
    cached = getattr(row, "_held_by", None)
    if cached is None:
        cached = [notice for holder in _holders for notice in holder(row)]
        row._held_by = cached
    return cached


def lock_errors(new, stored=None) -> list[str]:
    """Return the messages of every lock that holds the row (`stored` before, `new` after the write)."""
    errors = []
    for checker in _checkers:
        message = checker(new, stored)
        if message and message not in errors:
            errors.append(message)
    return errors


@contextmanager
def memoised() -> Iterator[None]:
    """Within the block, a checker reads each lock once (`memo`): an import of thousands of rows
    reads the locks of a province once, as they stand when its transaction starts."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def memo(key, compute: Callable[[], object]):
    """Return `compute()`, computed once per key inside a `memoised()` block."""
    cache = _memo.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]
