"""The Reports page: parameters, live preview and downloads; drafts, issuing, issued versions, unlocking.

Every view runs inside the admin (login, the admin's chrome). What a user may read follows the
register's read scope (`for_user`); what they may write goes through `reports.services`.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programmes.access import is_administrator, is_approver, user_role
from programmes.lib.text import file_slug
from programmes.replica import reads_replica

from . import document, jobs, render, services, signing
from .forms import IssueForm, NarrativeForm, ParametersForm, SignedUploadForm, UnlockForm, sent_to
from .models import IssuedReport, PeriodLock, Report, Scope, SignedReport

CONTENT_TYPES = render.CONTENT_TYPES


def _context(request, **extra) -> dict:
    return {**admin.site.each_context(request), **extra}


def _require_role(request) -> None:
    if user_role(request.user) is None:
        raise PermissionDenied


def _download(content: bytes | str, name: str, kind: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[kind])
    if kind != "html":
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@reads_replica
def index(request):
    """Parameters → preview of the live figures, downloads; the user's drafts and issued reports."""
    _require_role(request)
    user = request.user
    form = ParametersForm(request.GET or None, user=user, initial={"year": timezone.localdate().year})
    doc = None
    if request.GET and form.is_valid():
        kind = request.GET.get("format")
        if kind in CONTENT_TYPES:
            cov = form.cleaned_data["coverage"]
            if kind != "html" and jobs.is_big(cov):
                query = request.GET.urlencode()
                job = jobs.start(user=user, kind=kind, title=jobs.title_of(cov, kind), query=query)
                return HttpResponseRedirect(reverse("jobs:detail", args=[job.pk]))
            return _live_download(cov, kind, with_others=form.cleaned_data["other_programmes"])
        doc = document.build(form.cleaned_data["coverage"], with_others=form.cleaned_data["other_programmes"])
    drafts = Report.objects.for_user(user).select_related("province").order_by("-year", "-date_until", "-id")[:50]
    issued = (
        IssuedReport.objects.for_user(user)
        .select_related("report__province", "issued_by")
        .defer("pdf", "xlsx")
        .order_by("-issued_at")[:50]
    )
    may_draft = doc is not None and doc.coverage.scope == Scope.PROVINCE
    may_draft = may_draft and services.may_write_reports_of(user, doc.coverage.province)
    return TemplateResponse(
        request,
        "reports/index.html",
        _context(
            request,
            title=_("Reports"),
            form=form,
            doc=doc,
            doc_context=doc.context() if doc else {},
            drafts=drafts,
            issued=issued,
            may_draft=may_draft,
            query=request.GET.urlencode(),
        ),
    )


def _live_download(cov, kind: str, **document_fields) -> HttpResponse:
    doc, content = render.rendered(cov, kind, **document_fields)
    return _download(content, render.file_name(doc, kind), kind)


@require_POST
def draft_create(request):
    _require_role(request)
    form = ParametersForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("The report's parameters are not valid: %(errors)s") % {"errors": _errors(form)})
        return HttpResponseRedirect(reverse("reports:index"))
    cov = form.cleaned_data["coverage"]
    if cov.scope != Scope.PROVINCE:
        raise PermissionDenied(_("Drafts are written for a province."))
    report = Report(
        province=cov.province,
        year=cov.period.year,
        preset=cov.period.preset,
        date_from=cov.period.date_from,
        date_until=cov.period.date_until,
        level=cov.level,
        other_programmes=form.cleaned_data["other_programmes"],
    )
    try:
        services.report_save(report=report, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(reverse("reports:index"))
    messages.success(request, _("The draft was created: write its sections, then a manager issues it."))
    return HttpResponseRedirect(reverse("reports:draft", args=[report.pk]))


def _errors(form) -> str:
    return " ".join(str(message) for messages_ in form.errors.values() for message in messages_)


def draft(request, pk: int):
    """A draft: its narrative (staff), the live figures, issuing (managers), its issued versions."""
    _require_role(request)
    user = request.user
    report = get_object_or_404(Report.objects.for_user(user).select_related("province"), pk=pk)
    if request.method != "POST":
        return _draft_page(request, report)
    if not services.may_write_reports_of(user, report.province):
        raise PermissionDenied
    narrative = NarrativeForm(request.POST, instance=report)
    if narrative.is_valid():
        try:
            services.report_save(report=narrative.save(commit=False), user=user)
        except ValidationError as exc:
            narrative.add_error(None, exc)
        else:
            messages.success(request, _("The draft was saved."))
            return HttpResponseRedirect(request.path)
    return _draft_page(request, report, narrative=narrative)


def _narrative_data(report: Report, issuer) -> dict:
    """The draft's stored sections as posted data, so a refused issue shows them with their errors
    (whom it is sent to, when left empty, as its issuer's: what the document prints)."""
    data = {name: getattr(report, name) for name in NarrativeForm.Meta.fields}
    for name, text in sent_to(issuer).items():
        data[name] = data[name] or text
    return data


def _draft_page(request, report: Report, *, narrative=None, issue_form=None, unlock_form=None, upload_form=None):
    """The draft's page; a refused form comes back with its errors at the fields and what was typed."""
    user = request.user
    may_write = services.may_write_reports_of(user, report.province)
    doc = document.build(services.coverage_of(report), report=report)
    versions = list(report.issues.select_related("issued_by", "lock").defer("pdf", "xlsx").order_by("-version"))
    for newer, older in zip(versions, versions[1:], strict=False):
        older.replaced_by = newer
    signed = {}
    for copy in SignedReport.objects.filter(issued_report__report=report).defer("pdf").order_by("signed_at", "id"):
        signed[copy.issued_report_id] = copy  # the latest per version
    for copy in signed.values():
        for check in copy.signatures:
            when = parse_datetime(check.get("signed_at") or "")
            check["when"] = timezone.localtime(when).strftime("%d/%m/%Y %H:%M") if when else ""
    for item in versions:
        item.signed_copy = signed.get(item.pk)
    return TemplateResponse(
        request,
        "reports/draft.html",
        _context(
            request,
            title=report.title,
            report=report,
            narrative=narrative or NarrativeForm(instance=report, issuer=doc.issuer),
            may_write=may_write,
            may_issue=may_write and is_approver(user),
            may_unlock=is_administrator(user),
            issue_form=issue_form or IssueForm(initial={"issued_on": timezone.localdate()}),
            unlock_form=unlock_form or UnlockForm(),
            upload_form=upload_form or SignedUploadForm(),
            may_sign_on_server=signing.configured("signer") is not None,
            doc=doc,
            doc_context=doc.context(),
            versions=versions,
        ),
    )


@reads_replica
def draft_download(request, pk: int, kind: str):
    """The draft with today's figures (not frozen: an issued version is)."""
    _require_role(request)
    if kind not in ("pdf", "xlsx"):
        raise Http404
    report = get_object_or_404(Report.objects.for_user(request.user).select_related("province"), pk=pk)
    cov = services.coverage_of(report)
    if jobs.is_big(cov):
        job = jobs.start(user=request.user, kind=kind, title=jobs.title_of(cov, kind), draft=report.pk)
        return HttpResponseRedirect(reverse("jobs:detail", args=[job.pk]))
    return _live_download(cov, kind, report=report)


@require_POST
def issue(request, pk: int):
    _require_role(request)
    report = get_object_or_404(Report.objects.for_user(request.user).select_related("province"), pk=pk)
    form = IssueForm(request.POST)
    if form.is_valid():
        try:
            issued = services.report_issue(report=report, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            # The number and date at their fields here; a missing signer or section at its field
            # of the draft's form, above.
            issuer = document.issuer_of(services.coverage_of(report))
            narrative = NarrativeForm(instance=report, data=_narrative_data(report, issuer))
            narrative.is_valid()
            for name, messages_ in exc.message_dict.items():
                if name in services.NARRATIVE_FIELDS:
                    narrative.add_error(name, messages_)
                else:
                    form.add_error(name if name in form.fields else None, messages_)
            if narrative.errors:
                form.add_error(None, _("The draft is not complete: see the fields marked above."))
            return _draft_page(request, report, narrative=narrative, issue_form=form)
        else:
            messages.success(
                request,
                _("Report no. %(number)s was issued (version %(version)s); its period is locked.")
                % {"number": issued.number, "version": issued.version},
            )
            return HttpResponseRedirect(reverse("reports:draft", args=[pk]))
    return _draft_page(request, report, issue_form=form)


def issued_download(request, pk: int, kind: str):
    """The issued files, byte for byte as issued; "signed", its latest signed copy."""
    _require_role(request)
    if kind not in ("pdf", "xlsx", "signed"):
        raise Http404
    issued = get_object_or_404(IssuedReport.objects.for_user(request.user).select_related("report__province"), pk=pk)
    name = f"{file_slug(issued.number.replace('/', '-'))}-{issued.issued_on:%Y%m%d}-v{issued.version}"
    if kind == "signed":
        copy = services.latest_signed(issued)
        if copy is None:
            raise Http404
        response = _download(bytes(copy.pdf), f"{name}-da-ky-so.pdf", "pdf")
        response["X-Content-SHA256"] = copy.pdf_sha256
        return response
    response = _download(bytes(getattr(issued, kind)), f"{name}.{kind}", kind)
    response["X-Content-SHA256"] = issued.pdf_sha256 if kind == "pdf" else issued.xlsx_sha256
    return response


def _issued_for_signing(request, pk: int) -> IssuedReport:
    _require_role(request)
    return get_object_or_404(IssuedReport.objects.for_user(request.user).select_related("report__province"), pk=pk)


@require_POST
def sign(request, pk: int):
    """Sign the issued version on the server, with the key the Sở configured."""
    issued = _issued_for_signing(request, pk)
    try:
        services.report_sign(issued=issued, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Report no. %(number)s was signed digitally.") % {"number": issued.number})
    return HttpResponseRedirect(reverse("reports:draft", args=[issued.report_id]) + "#versions-title")


@require_POST
def upload_signed(request, pk: int):
    """Keep the PDF of the issued version signed elsewhere, if its signatures hold over the issued bytes."""
    issued = _issued_for_signing(request, pk)
    form = SignedUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.report_attach_signed(issued=issued, user=request.user, data=form.cleaned_data["pdf"].read())
        except ValidationError as exc:
            form.add_error("pdf", exc.messages)
        else:
            messages.success(
                request, _("The signed copy of report no. %(number)s was checked and kept.") % {"number": issued.number}
            )
            return HttpResponseRedirect(reverse("reports:draft", args=[issued.report_id]) + "#versions-title")
    form.issued_id = issued.pk
    return _draft_page(request, issued.report, upload_form=form)


@require_POST
def unlock(request, pk: int):
    _require_role(request)
    lock = get_object_or_404(
        PeriodLock.objects.for_user(request.user).select_related("issued_report__report__province"), pk=pk
    )
    form = UnlockForm(request.POST)
    if form.is_valid():
        try:
            services.period_unlock(lock=lock, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error("reason" if "unlock_reason" in getattr(exc, "error_dict", {}) else None, exc.messages)
        else:
            messages.success(request, _("The period was unlocked; the reason is kept in its history."))
            return HttpResponseRedirect(reverse("reports:draft", args=[lock.issued_report.report_id]))
    form.lock_id = lock.pk
    return _draft_page(request, lock.issued_report.report, unlock_form=form)
