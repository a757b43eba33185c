"""Where kinds of work plug in: a lower app offers the queue, each app registers what it runs.

A handler takes the job and its `Progress` and returns an `Outcome` (a file to keep, or a page the
result lives on). It reads with the job's owner and their scope, exactly as the page would, and
writes only through the services, with the owner as the acting user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO


class JobCancelled(Exception):
    """Raised by `Progress` when the user cancelled: the handler's transaction rolls back."""


@dataclass
class Outcome:
    file: IO[bytes] | None = None
    name: str = ""
    content_type: str = ""
    url: str = ""


Handler = Callable[..., Outcome]
HANDLERS: dict[str, Handler] = {}


def register(kind: str) -> Callable[[Handler], Handler]:
    def decorator(handler: Handler) -> Handler:
        HANDLERS[kind] = handler
        return handler

    return decorator
