"""`/health/`: what a load balancer or a monitor asks — is this server able to do its work?

JSON with one entry per check and 200 when all pass, 503 when one fails: the database answers (and
whether the app's role could rewrite the audit trail), every migration is applied, the read replica
answers, with its lag, when there is one, and the job queue moves (its depth, and the age of the oldest job waiting: a
job waiting longer than KHUYENCONG_HEALTH_QUEUE_MINUTES means no worker is taking jobs; with RQ, the
workers' own heartbeats in Redis). No login: it says nothing about the data.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from programmes.audit import serving_role_problems
from programmes.replica import REPLICA


def _database() -> dict:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    # Whether the app's role could rewrite the audit trail (programmes.audit): said, not failed on, so
    # that a load balancer does not take a misconfigured but working server out of service.
    return {"ok": True, "role_may_rewrite_audit": serving_role_problems(connections[DEFAULT_DB_ALIAS])}


def _replica() -> dict:
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp())")
        (lag,) = cursor.fetchone()
    return {"ok": True, "lag_seconds": None if lag is None else round(float(lag), 1)}


def _migrations() -> dict:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return {"ok": not pending, "pending": [f"{m.app_label}.{m.name}" for m, _backwards in pending]}


def _queue() -> dict:
    limit = datetime.timedelta(minutes=settings.KHUYENCONG_HEALTH_QUEUE_MINUTES)
    now = timezone.now()
    if settings.KHUYENCONG_TASKS == "rq":
        import django_rq
        from rq import Worker

        queue = django_rq.get_queue("default")
        workers = Worker.all(queue=queue)
        beats = [w.last_heartbeat for w in workers if w.last_heartbeat]
        last = max(beats) if beats else None
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=datetime.UTC)
        ok = bool(workers) and last is not None and now - last < limit
        return {"ok": ok, "backend": "rq", "depth": queue.count, "workers": len(workers), "last_heartbeat": last}
    from django.db.models import Max, Min
    from django_tasks_db.models import DBTaskResult

    ready = DBTaskResult.objects.ready()
    waiting = ready.aggregate(oldest=Min("enqueued_at"))["oldest"]
    last = DBTaskResult.objects.aggregate(last=Max("started_at"))["last"]
    ok = waiting is None or now - waiting < limit
    return {"ok": ok, "backend": "database", "depth": ready.count(), "oldest_waiting": waiting, "last_started": last}


CHECKS = {"database": _database, "migrations": _migrations, "queue": _queue}
if REPLICA in settings.DATABASES and settings.KHUYENCONG_READ_REPLICA:
    CHECKS["replica"] = _replica


@never_cache
@require_GET
def health(request):
    result = {}
    for name, check in CHECKS.items():
        try:
            result[name] = check()
        except Exception as exc:  # a check that cannot run has failed; say which and why, briefly
            result[name] = {"ok": False, "error": exc.__class__.__name__}
    ok = all(entry["ok"] for entry in result.values())
    return JsonResponse({"ok": ok, **result}, status=200 if ok else 503)
