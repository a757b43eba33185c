"""“Xuất Excel” / “Xuất CSV” on the admin's lists: the filtered rows, in the import format, streamed.

`ExportMixin` gives a ModelAdmin an export URL per kind it offers; the export takes the list's
own filters, search and read scope (the changelist's queryset), so a user exports what the list
shows them, and the file imports back as a no-op.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.jobs import services as jobs
from programmes.replica import replica_reads

from .formats import FORMATS
from .workbooks import XLSX, csv_stream, iter_rows, xlsx_file


def rows_of(kind: str, queryset):
    """The export kind's rows for a list's queryset (a plan list exports its lines, a đề án list its outputs)."""
    format_ = FORMATS[kind]
    model = format_.model
    ids = queryset.order_by().values("pk")
    if queryset.model is model:
        return model._default_manager.filter(pk__in=ids)
    link = {"plan": "plan__in", "project": "project__in"}[queryset.model._meta.model_name]
    return model._default_manager.filter(**{link: ids})


def export_name(kind: str, file_type: str) -> str:
    return f"{kind}-{timezone.localdate():%Y%m%d}.{file_type}"


def export_response(kind: str, file_type: str, queryset):
    format_ = FORMATS[kind]
    name = export_name(kind, file_type)
    if file_type == "csv":
        pieces = csv_stream(format_, queryset, rows_per_piece=500)
        response = StreamingHttpResponse(pieces, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return FileResponse(xlsx_file(format_, iter_rows(format_, queryset)), as_attachment=True, filename=name,
                        content_type=XLSX)  # fmt: skip


class ExportMixin:
    """Export buttons for a changelist: `export_kinds` are the formats the list offers."""

    export_kinds: tuple[str, ...] = ()

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                "xuat/<str:kind>.<str:file_type>",
                self.admin_site.admin_view(self.export_view),
                name="{}_{}_export".format(*info),
            )
        ]
        return own + super().get_urls()

    def export_links(self, request) -> list[tuple[str, str]]:
        info = self.opts.app_label, self.opts.model_name
        query = request.GET.urlencode()
        links = []
        for kind in self.export_kinds:
            for file_type, label in (("xlsx", _("Export Excel")), ("csv", _("Export CSV"))):
                url = reverse("admin:{}_{}_export".format(*info), args=[kind, file_type])
                if len(self.export_kinds) > 1:
                    label = f"{label} – {FORMATS[kind].title}"
                links.append((f"{url}?{query}" if query else url, label))
        return links

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "export_links": self.export_links(request)}
        if self.export_kinds:
            extra_context["import_url"] = reverse("imports:index") + f"?kind={self.export_kinds[0]}"
        return super().changelist_view(request, extra_context)

    @replica_reads()
    def export_view(self, request, kind, file_type):
        if kind not in self.export_kinds or file_type not in ("xlsx", "csv"):
            raise Http404
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            info = self.opts.app_label, self.opts.model_name
            return HttpResponseRedirect(reverse("admin:{}_{}_changelist".format(*info)))
        rows = rows_of(kind, changelist.queryset)
        if rows.count() > settings.KHUYENCONG_JOB_EXPORT_ROWS:
            # Too long for a request: a worker writes the file, the user follows it on the job's page.
            job = jobs.job_start(
                user=request.user,
                kind="export",
                title=_("%(list)s – %(file)s") % {"list": FORMATS[kind].title, "file": _export_label(file_type)},
                params={
                    "app_label": self.opts.app_label,
                    "model_name": self.opts.model_name,
                    "kind": kind,
                    "file_type": file_type,
                    "query": request.GET.urlencode(),
                },
            )
            return HttpResponseRedirect(reverse("jobs:detail", args=[job.pk]))
        return export_response(kind, file_type, rows)


def _export_label(file_type: str) -> str:
    return _("Export Excel") if file_type == "xlsx" else _("Export CSV")
