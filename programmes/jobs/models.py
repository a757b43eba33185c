"""A job: one piece of long work a user asked for, run by a worker (`programmes.jobs.tasks`).

The queue itself is django-tasks' (its database backend by default, RQ on Redis when configured);
this row is what the user sees: what they asked for, how far it is, its result or its reason for
failing, and when the result expires.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobQuerySet(models.QuerySet):
    def for_user(self, user):
        """A user's own jobs (a result is read with its owner's scope: nobody else downloads it)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def unfinished(self):
        return self.filter(state__in=[Job.State.QUEUED, Job.State.RUNNING])

    def expired(self, now=None):
        return self.filter(expires_at__lte=now or timezone.now())


class Job(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    FINISHED = (State.DONE, State.FAILED, State.CANCELLED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("job"), max_length=300)
    params = models.JSONField(_("parameters"), default=dict)
    language = models.CharField(_("language"), max_length=10, default="vi")
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.QUEUED)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    done = models.PositiveBigIntegerField(_("done"), default=0)
    total = models.PositiveBigIntegerField(_("total"), null=True, blank=True)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    error = models.TextField(_("reason"), blank=True)
    result = models.FileField(_("result"), upload_to="tac-vu/%Y/%m/", blank=True)
    result_name = models.CharField(_("file name"), max_length=255, blank=True)
    result_type = models.CharField(_("content type"), max_length=100, blank=True)
    # Where the result lives when it is not a file (an import batch's page).
    result_url = models.CharField(_("result page"), max_length=300, blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="jobs_job_user_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(done__lte=models.F("total")), name="jobs_job_done_within_total"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "done", "failed", "cancelled"]), name="jobs_job_state_known"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def finished(self) -> bool:
        return self.state in self.FINISHED

    @property
    def percent(self) -> int | None:
        """Whole percent done, None while the total is not known yet."""
        if not self.total:
            return 100 if self.state == self.State.DONE else None
        return min(100, self.done * 100 // self.total)

    @property
    def downloadable(self) -> bool:
        return (
            self.state == self.State.DONE
            and bool(self.result)
            and (self.expires_at is None or self.expires_at > timezone.now())
        )
