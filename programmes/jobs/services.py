"""The writes of the job queue: start a job for a user, cancel it, run it (the worker), expire results.

Starting a job records what the user asked for and enqueues one django-tasks task once the row is
committed; the worker runs the kind's handler (`registry.HANDLERS`) as the owner, in the owner's
language, and keeps its result until `KHUYENCONG_JOB_RESULT_HOURS` have passed.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Job
from .progress import Progress
from .registry import HANDLERS, JobCancelled

logger = logging.getLogger(__name__)


def result_lifetime() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.KHUYENCONG_JOB_RESULT_HOURS)


def job_start(*, user, kind: str, title: str, params: dict, language: str | None = None) -> Job:
    """Record the job and queue it (after the transaction commits, so the worker finds the row)."""
    if kind not in HANDLERS:
        raise ValueError(f"Unknown job kind {kind!r}")
    if not user.is_authenticated:
        raise PermissionDenied
    job = Job.objects.create(
        user=user, kind=kind, title=str(title)[:300], params=params, language=language or translation.get_language()
    )
    transaction.on_commit(lambda: _enqueue(job))
    return job


def _enqueue(job: Job) -> None:
    from .tasks import run_job

    result = run_job.enqueue(str(job.pk))
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


def job_cancel(*, job: Job, user) -> Job:
    """Cancel a job of one's own: a waiting job never starts, a running one stops at its next step and
    its transaction rolls back, so nothing of it is written."""
    if job.user_id != user.pk:
        raise PermissionDenied
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.finished:
            raise ValidationError(_("The job has already finished."))
        if job.state == Job.State.QUEUED:
            job.state = Job.State.CANCELLED
            job.finished_at = timezone.now()
        job.cancel_requested = True
        job.save(update_fields=["state", "finished_at", "cancel_requested"])
    return job


def job_run(job_id) -> None:
    """Run one job (the worker's task). Every outcome ends in a state the user reads: done, cancelled,
    or failed with a reason in their language; an unexpected error is logged with its traceback."""
    jobs_expire()
    with transaction.atomic():
        job = Job.objects.select_for_update().select_related("user").filter(pk=job_id).first()
        if job is None or job.state != Job.State.QUEUED:
            return
        job.state = Job.State.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["state", "started_at"])
    with translation.override(job.language):
        try:
            if not job.user.is_active:
                raise PermissionDenied
            outcome = HANDLERS[job.kind](job, Progress(job))
            if outcome.file is not None:  # kept inside: a full disk or an unreachable bucket fails the job
                with outcome.file:
                    job.result.save(outcome.name, File(outcome.file), save=False)
        except JobCancelled:
            _finish(job, Job.State.CANCELLED)
        except ValidationError as exc:
            _finish(job, Job.State.FAILED, error=" ".join(exc.messages))
        except PermissionDenied:
            _finish(job, Job.State.FAILED, error=_("You no longer have the right to do this."))
        except Exception:
            logger.exception("Job %s (%s) failed", job.pk, job.kind)
            _finish(
                job,
                Job.State.FAILED,
                error=_("The job stopped because of an error on the server; the administrators can see it in the log.")
                + " "
                + _("(Job %(id)s.)") % {"id": job.pk},
            )
        else:
            job.result_name = outcome.name
            job.result_type = outcome.content_type
            job.result_url = outcome.url
            _finish(job, Job.State.DONE)


def _finish(job: Job, state: str, *, error: str = "") -> None:
    now = timezone.now()
    job.state = state
    job.error = error
    job.finished_at = now
    job.expires_at = now + result_lifetime() if state == Job.State.DONE else None
    stored = Job.objects.filter(pk=job.pk).values("done", "total").first() or {}
    job.done, job.total = stored.get("done", 0), stored.get("total")
    if state == Job.State.DONE:  # a finished job is whole, whatever its last progress write said
        job.total = job.done if job.total is None else job.total
        job.done = job.total
    job.save(
        update_fields=[
            "state", "error", "finished_at", "expires_at", "done", "total",
            "result", "result_name", "result_type", "result_url",
        ]
    )  # fmt: skip


def jobs_reap(*, now=None) -> int:
    """Fail the jobs still "running" past `KHUYENCONG_JOB_MAX_MINUTES`: their worker stopped (killed,
    restarted, the machine rebooted) and will never finish them. Return how many."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=settings.KHUYENCONG_JOB_MAX_MINUTES)
    with translation.override(settings.LANGUAGE_CODE):
        error = _(
            "The job was interrupted (the worker stopped before it ended); nothing of it is kept. Start it again."
        )
    return Job.objects.filter(state=Job.State.RUNNING, started_at__lt=cutoff).update(
        state=Job.State.FAILED, error=error, finished_at=now
    )


def jobs_expire(*, now=None) -> int:
    """Delete expired results (the files, then the rows) and jobs finished long ago; return how many.
    Fail the jobs a stopped worker left running first."""
    now = now or timezone.now()
    jobs_reap(now=now)
    old = Job.objects.filter(state__in=Job.FINISHED, finished_at__lte=now - result_lifetime())
    expired = Job.objects.expired(now) | old
    count = 0
    for job in expired.only("pk", "result"):
        if job.result:
            job.result.delete(save=False)
        count += 1
    expired.delete()
    return count
