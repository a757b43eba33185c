"""gunicorn's settings for the app (`gunicorn -c khuyencong/gunicorn_conf.py khuyencong.wsgi`).

Each reads the environment, so the systemd unit (README, "Putting it online") sets them there.
"""

import os

from gunicorn.http import wsgi

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# Long work runs as a job (programmes.jobs); a request that takes a minute is a fault, not a report.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Reuse a worker for this many requests, then replace it (memory a report's layout left behind).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# The app logs each request itself, as JSON with its id, user and duration (khuyencong.log).
accesslog = None
errorlog = "-"
# Only the proxy talks to gunicorn; the client's address is read by the app (KHUYENCONG_TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def _without_server_banner(default_headers):
    """gunicorn writes `Server: gunicorn` on every response and has no setting to leave it out; what
    runs the site is nobody's business."""

    def headers(self):
        return [line for line in default_headers(self) if not line.startswith("Server:")]

    return headers


wsgi.Response.default_headers = _without_server_banner(wsgi.Response.default_headers)
