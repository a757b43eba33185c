"""Report files as background jobs: a region's or the nation's report, or a province's with many đề án.

The job keeps what the user asked for (the report page's parameters, or a draft), rebuilds the
coverage with the owner's scope as the page would, and renders through `render.rendered`, reporting
its stages (figures, layout, writing) as steps of the bar.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programmes.access import user_role
from programmes.jobs import services as jobs
from programmes.jobs.registry import Outcome, register
from programmes.replica import replica_reads

from . import figures, render, services
from .models import Report, Scope

STAGE_LABELS = {
    "figures": gettext_lazy("Computing the figures"),
    "layout": gettext_lazy("Laying out the pages"),
    "write": gettext_lazy("Writing the file"),
}


def is_big(cov) -> bool:
    """Whether rendering `cov` is work for a job: a region or the nation, or more đề án than the setting."""
    if cov.scope != Scope.PROVINCE:
        return True
    return figures.report_projects(cov).count() > settings.KHUYENCONG_JOB_REPORT_ROWS


def start(*, user, kind: str, title: str, query: str = "", draft: int | None = None):
    params = {"kind": kind, "query": query} if draft is None else {"kind": kind, "draft": draft}
    return jobs.job_start(user=user, kind="report", title=title, params=params)


@register("report")
@replica_reads()
def report_file(job, progress) -> Outcome:
    from .forms import ParametersForm

    user, params = job.user, job.params
    if user_role(user) is None:
        raise PermissionDenied
    kind = params["kind"]
    fields = {}
    if "draft" in params:
        report = Report.objects.for_user(user).select_related("province").filter(pk=params["draft"]).first()
        if report is None:
            raise PermissionDenied
        cov, fields["report"] = services.coverage_of(report), report
    else:
        form = ParametersForm(QueryDict(params["query"]), user=user)
        if not form.is_valid():
            raise ValidationError([str(m) for messages in form.errors.values() for m in messages])
        cov, fields["with_others"] = form.cleaned_data["coverage"], form.cleaned_data["other_programmes"]
    stages = render.STAGES[kind]

    def step(stage: str) -> None:
        progress.stage(STAGE_LABELS[stage], total=len(stages))
        progress(stages.index(stage), len(stages), force=True)

    doc, content = render.rendered(cov, kind, step=step, **fields)
    progress(len(stages), len(stages), force=True)
    return Outcome(file=io.BytesIO(content), name=render.file_name(doc, kind), content_type=render.CONTENT_TYPES[kind])


def title_of(cov, kind: str) -> str:
    return _("Report of %(unit)s, %(period)s (%(format)s)") % {
        "unit": cov.name,
        "period": cov.period.label,
        "format": kind.upper(),
    }
