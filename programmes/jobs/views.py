"""“Việc của tôi”: the user's background jobs, each with its progress, cancel and download.

A running job's page refreshes itself every two seconds (no script); each job is its owner's only.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .models import Job

REFRESH_SECONDS = 2


def _context(request, **extra) -> dict:
    return {**admin.site.each_context(request), **extra}


def _job(request, pk) -> Job:
    return get_object_or_404(Job.objects.for_user(request.user), pk=pk)


def index(request):
    jobs = Paginator(Job.objects.for_user(request.user).defer("params"), 25).get_page(request.GET.get("p"))
    refresh = any(not job.finished for job in jobs)
    return TemplateResponse(
        request,
        "jobs/index.html",
        _context(request, title=_("My jobs"), jobs=jobs, refresh=REFRESH_SECONDS if refresh else None),
    )


def detail(request, pk):
    job = _job(request, pk)
    if job.state == Job.State.DONE and job.result_url and not job.result and request.GET.get("stay") is None:
        # An import's result is its batch page: go there once it is done ("?stay" shows the job).
        return HttpResponseRedirect(job.result_url)
    return TemplateResponse(
        request,
        "jobs/detail.html",
        _context(request, title=job.title, job=job, refresh=None if job.finished else REFRESH_SECONDS),
    )


@require_POST
def cancel(request, pk):
    job = _job(request, pk)
    try:
        services.job_cancel(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The job was cancelled; nothing of it is kept."))
    return HttpResponseRedirect(reverse("jobs:detail", args=[job.pk]))


def download(request, pk):
    job = _job(request, pk)
    if not job.downloadable:
        raise Http404(_("The result has expired or is not ready."))
    response = FileResponse(job.result.open("rb"), as_attachment=True, filename=job.result_name)
    response["Content-Type"] = job.result_type
    return response
