"""The import pages: upload → preview (every row's fate, every error) → confirm; batches and voiding.

Every view runs inside the admin. Who may import is `programmes.access.may_import`; each row is judged
and written by `programmes.services` with the user's own rights.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programmes.access import is_administrator, may_import
from programmes.jobs import services as jobs
from programmes.lib.text import file_slug

from . import services
from .files import file_type_of, row_estimate
from .formats import FORMATS
from .forms import UploadForm, VoidForm
from .models import ImportBatch
from .workbooks import XLSX, error_file, template_workbook

CSV = "text/csv; charset=utf-8"


def _context(request, **extra) -> dict:
    return {**admin.site.each_context(request), **extra}


def batches_for(user):
    """The batches a user sees: those who import see them in their read scope (an administrator all, a
    province's users their province's); Ministry reviewers import nothing and see no batch."""
    if not may_import(user):
        return ImportBatch.objects.none()
    return ImportBatch.objects.for_user(user).select_related("user", "current_province").defer("file_data")


def _batch(request, pk) -> ImportBatch:
    return get_object_or_404(batches_for(request.user), pk=pk)


def _require_importer(request) -> None:
    if not may_import(request.user):
        raise PermissionDenied


def index(request):
    _require_importer(request)
    form = UploadForm(request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        batch = services.batch_create(kind=form.cleaned_data["kind"], name=upload.name, data=data, user=request.user)
        if row_estimate(upload.name, data) > settings.KHUYENCONG_JOB_IMPORT_ROWS:
            # A big file is checked by a worker; the job's page leads to the batch when it is done.
            job = jobs.job_start(
                user=request.user,
                kind="import_check",
                title=_("Check of %(file)s") % {"file": batch.file_name},
                params={"batch": batch.pk},
            )
            return HttpResponseRedirect(reverse("jobs:detail", args=[job.pk]))
        services.batch_preview(batch=batch, user=request.user)
        return HttpResponseRedirect(reverse("imports:batch", args=[batch.pk]))
    batches = Paginator(batches_for(request.user), 25).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "imports/index.html",
        _context(request, title=_("Import from Excel"), form=form, formats=FORMATS.values(), batches=batches),
    )


def template(request, kind):
    if kind not in FORMATS:
        raise Http404
    response = HttpResponse(template_workbook(kind), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="mau-nhap-{kind}.xlsx"'
    return response


def batch(request, pk):
    return _batch_page(request, _batch(request, pk))


def _batch_page(request, batch: ImportBatch, *, void_form: VoidForm | None = None):
    """The batch's page; a refused void comes back with its errors at the field and the reason typed."""
    changes = None
    if batch.status != ImportBatch.Status.PREVIEWED:
        changes = Paginator(batch.changes.order_by("position"), 100).get_page(request.GET.get("p"))
    errors = batch.errors or []
    return TemplateResponse(
        request,
        "imports/batch.html",
        _context(
            request,
            title=str(batch),
            batch=batch,
            summary=batch.summary or {},
            errors=errors[:2000],
            errors_total=len(errors),
            file_error=bool(errors) and errors[0][0] == 0,
            changes=changes,
            may_confirm=batch.status == ImportBatch.Status.PREVIEWED
            and not errors
            and batch.rows > 0
            and services.may_confirm(batch, request.user),
            may_void=batch.status == ImportBatch.Status.IMPORTED and is_administrator(request.user),
            void_form=void_form or VoidForm(),
        ),
    )


@require_POST
def confirm(request, pk):
    batch = _batch(request, pk)
    _require_importer(request)
    if batch.rows > settings.KHUYENCONG_JOB_IMPORT_ROWS and batch.status == ImportBatch.Status.PREVIEWED:
        if not services.may_confirm(batch, request.user):
            raise PermissionDenied
        job = jobs.job_start(
            user=request.user,
            kind="import_confirm",
            title=_("Import of %(file)s") % {"file": batch.file_name},
            params={"batch": batch.pk},
        )
        return HttpResponseRedirect(reverse("jobs:detail", args=[job.pk]))
    try:
        outcome = services.batch_import(batch=batch, user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return HttpResponseRedirect(reverse("imports:batch", args=[batch.pk]))
    if outcome.written:
        messages.success(
            request,
            _("Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
            % {"created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged},
        )
    else:
        messages.error(request, _("Nothing was imported: the data changed since the preview. See the errors below."))
    return HttpResponseRedirect(reverse("imports:batch", args=[batch.pk]))


@require_POST
def recheck(request, pk):
    batch = _batch(request, pk)
    _require_importer(request)
    if batch.status == ImportBatch.Status.PREVIEWED:
        services.batch_preview(batch=batch, user=request.user)
    return HttpResponseRedirect(reverse("imports:batch", args=[batch.pk]))


def _download(content: bytes, name: str, file_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX if file_type == "xlsx" else CSV)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _stem(batch: ImportBatch) -> str:
    stem = batch.file_name.rsplit(".", 1)[0]
    return file_slug(stem) or f"nhap-{batch.pk}"


def error_download(request, pk):
    batch = _batch(request, pk)
    errors = batch.errors or []
    if not errors or errors[0][0] == 0:
        raise Http404
    content, extension = error_file(file_type_of(batch.file_name), bytes(batch.file_data), errors)
    return _download(content, f"{_stem(batch)}-loi.{extension}", extension)


def file_download(request, pk):
    batch = _batch(request, pk)
    extension = batch.file_name.rsplit(".", 1)[-1].lower()
    return _download(bytes(batch.file_data), f"{_stem(batch)}.{extension}", extension)


@require_POST
def void(request, pk):
    batch = _batch(request, pk)
    form = VoidForm(request.POST)
    if not form.is_valid():
        return _batch_page(request, batch, void_form=form)
    try:
        count = services.batch_void(batch=batch, user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:  # PermissionDenied goes on: a 403
        form.add_error(None, _("The import was not voided: %(reason)s") % {"reason": " ".join(exc.messages)})
        return _batch_page(request, batch, void_form=form)
    messages.success(request, _("The import was voided: %(count)s changes reversed.") % {"count": count})
    return HttpResponseRedirect(reverse("imports:batch", args=[batch.pk]))
