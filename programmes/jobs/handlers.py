"""The register's kinds of background work: list exports and imports (check, then confirm).

Each reads as its owner, with the owner's scope, as the page would: an export rebuilds the admin
list from the query string the user had on screen; an import runs the same services as the page.
"""

from __future__ import annotations

import codecs
import tempfile

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.test import RequestFactory
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..replica import replica_reads
from .registry import Outcome, register

STAGES = {"read": gettext_lazy("Reading the file"), "write": gettext_lazy("Checking and writing the rows")}


def admin_request(user, path: str, query: str):
    """A GET request for an admin page, as `user` made it with `query` (the list's filters and search)."""
    request = RequestFactory().get(path, QueryDict(query, mutable=False))
    request.user = user
    return request


def _counted(rows, progress, total: int):
    done = 0
    for row in rows:
        yield row
        done += 1
        progress(done, total)
    progress(done, total, force=True)


@register("export")
@replica_reads()
def export(job, progress) -> Outcome:
    from programmes.imports.exports import export_name, rows_of
    from programmes.imports.formats import FORMATS
    from programmes.imports.workbooks import XLSX, csv_stream, iter_rows, xlsx_file

    params = job.params
    model = apps.get_model(params["app_label"], params["model_name"])
    model_admin = admin.site._registry[model]
    path = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    request = admin_request(job.user, path, params.get("query", ""))
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    kind, file_type = params["kind"], params["file_type"]
    format_ = FORMATS[kind]
    queryset = rows_of(kind, model_admin.get_changelist_instance(request).queryset)
    total = queryset.count()
    progress.stage(_("Writing the rows"), total=total)
    name = export_name(kind, file_type)
    if file_type == "csv":
        target = tempfile.TemporaryFile()  # noqa: SIM115  (closed by the runner once kept)
        writer = codecs.getwriter("utf-8")(target)
        pieces = csv_stream(format_, queryset)
        writer.write(next(pieces))  # the BOM
        writer.write(next(pieces))  # the headers
        for piece in _counted(pieces, progress, total):
            writer.write(piece)
        target.seek(0)
        return Outcome(file=target, name=name, content_type="text/csv; charset=utf-8")
    target = xlsx_file(format_, _counted(iter_rows(format_, queryset), progress, total))
    return Outcome(file=target, name=name, content_type=XLSX)


def _import_progress(progress):
    last = {"stage": None}

    def report(stage: str, done: int, total: int | None) -> None:
        if stage != last["stage"]:
            last["stage"] = stage
            progress.stage(STAGES.get(stage, stage), total=total)
        progress(done, total)

    return report


def _batch(job):
    from programmes.imports.views import batches_for

    batch = batches_for(job.user).filter(pk=job.params["batch"]).first()
    if batch is None:
        raise PermissionDenied
    return batch


@register("import_check")
def import_check(job, progress) -> Outcome:
    from programmes.imports import services

    batch = _batch(job)
    services.batch_preview(batch=batch, user=job.user, progress=_import_progress(progress))
    return Outcome(url=reverse("imports:batch", args=[batch.pk]))


@register("import_confirm")
def import_confirm(job, progress) -> Outcome:
    from django.core.exceptions import ValidationError

    from programmes.imports import services

    batch = _batch(job)
    outcome = services.batch_import(batch=batch, user=job.user, progress=_import_progress(progress))
    if not outcome.written:
        raise ValidationError(_("Nothing was imported: the data changed since the preview. See the errors below."))
    return Outcome(url=reverse("imports:batch", args=[batch.pk]))
