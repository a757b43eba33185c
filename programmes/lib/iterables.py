"""Small helpers over iterables."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice


def chunked(values: Iterable, size: int) -> Iterator[list]:
    """`values` in lists of `size` (the last one shorter), read as they come: a stream stays a stream."""
    values = iter(values)
    while chunk := list(islice(values, size)):
        yield chunk
