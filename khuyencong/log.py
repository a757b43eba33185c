"""Logging: one JSON object per line in production, with the request's id, user and duration."""

import contextvars
import logging
import re
import time
import uuid

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
requests_log = logging.getLogger("khuyencong.request")


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


# The request being served, for every log record written while it is (RequestContext adds it).
current: contextvars.ContextVar[dict | None] = contextvars.ContextVar("khuyencong_request", default=None)


class RequestContext(logging.Filter):
    """Adds request_id, user and client address to every record written during a request (or by a job
    or a command: "-")."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = current.get() or {}
        if context.get("user") == "-" and context.get("request") is not None:
            # The user once the request has read it (django.contrib.auth caches it there); never a query here.
            user = context["request"].__dict__.get("_cached_user")
            if user is not None and user.is_authenticated:
                context["user"] = user.get_username()
        for key in ("request_id", "user", "address"):
            if not hasattr(record, key):
                setattr(record, key, context.get(key, "-"))
        return True


class RequestLogMiddleware:
    """One line per request: method, path, status, duration, user, client address and request id.

    The id comes from the proxy's X-Request-ID (nginx: `proxy_set_header X-Request-ID $request_id`) when
    it is a plain token, else it is made here; the response carries it back, so a user's report of an
    error can be found in the log.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        asked = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = asked if REQUEST_ID.fullmatch(asked) else uuid.uuid4().hex
        address = request.META.get("REMOTE_ADDR", "-")
        context = {"request_id": request_id, "user": "-", "address": address, "request": request}
        token = current.set(context)
        try:
            response = self.get_response(request)
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                context["user"] = user.get_username()
            response["X-Request-ID"] = request_id
            requests_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            current.reset(token)
