"""Logging helpers for the settings' LOGGING."""

import logging


class OneLineForbidden(logging.Filter):
    """A refused request (403) is logged as one line, without a traceback.

    Django logs every PermissionDenied at WARNING with the exception's traceback; a logged-in user
    could fill the log cheaply by asking for what they may not see. The line keeps the path, the
    status and the user's request; the traceback says nothing an operator needs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
