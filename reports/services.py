"""The write path of reports: drafts, issuing (freeze and lock) and unlocking.

Same rules as `programmes.services`: each takes the acting user, locks the row first, then checks
the write rule, the role, validation, and records the author (and reason) in the history.

- staff and managers write their province's drafts; reviewers write nothing;
- a manager (or an administrator) issues: the PDF and workbook are rendered once, their bytes
  and SHA-256 kept, and the period locked for the province (`reports.locks`);
- only an administrator unlocks a period, with a reason that enters the history;
- a manager signs the latest issued version digitally, on the server with the Sở's configured key
  or by uploading the PDF signed elsewhere; either is kept beside the issued one, never over it.
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.access import is_administrator, is_approver, is_reviewer, may_write_in_province
from programmes.lib.text import normalise, text_problem
from programmes.services.guard import with_author
from programmes.units import unit_of_today_id

from . import document, figures, render, signing
from .models import IssuedReport, PeriodLock, Report, ReportReview, SignedReport
from .periods import Period


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def may_write_reports_of(user, province) -> bool:
    """Whether the user writes the reports of this unit (a province's own staff; the system itself)."""
    return user is None or may_write_in_province(user, unit_of_today_id(province))


def _may_write(user, report: Report) -> bool:
    return may_write_reports_of(user, report.province)


def coverage_of(report: Report) -> figures.Coverage:
    period = Period(report.year, report.date_from, report.date_until, report.preset)
    return figures.coverage(period, level=report.level, province=report.province)


@transaction.atomic
def report_save(*, report: Report, user=None) -> Report:
    """Create or update a draft (what it covers and its narrative)."""
    stored = Report.objects.select_for_update().filter(pk=report.pk).first() if report.pk else None
    for instance in (stored, report):
        if instance is not None:
            _require(_may_write(user, instance), _("You may not change this report."))
    report.full_clean()
    coverage_of(report)  # a unit that did not exist in the period is refused with its reason
    if not report.title:
        report.title = document.default_title(coverage_of(report))
    if stored is None and user is not None:
        report.created_by = user
    report.updated_at = timezone.now()
    with_author(report, user).save()
    return report


@transaction.atomic
def report_delete(*, report: Report, user=None) -> None:
    stored = Report.objects.select_for_update().filter(pk=report.pk).first()
    if stored is None:
        return
    _require(_may_write(user, stored), _("You may not change this report."))
    if stored.issues.exists():
        raise ValidationError(_("This report has been issued; an issued report is kept."))
    stored.delete()


# A report's number and symbol (NĐ 30/2020, Phụ lục I): its number in the issuer's register of the
# year, "/", the type "BC" and the issuer's abbreviations joined by "-": 15/BC-SCT, 7/BC-SCT-QLCN.
REPORT_NUMBER = re.compile(r"^[0-9]{1,6}/BC(-[A-ZĐ0-9]{1,20}){1,4}$")


def clean_report_number(number: str) -> str:
    """Return the number as stored (15/BC-SCT), or raise ValidationError at the field saying why."""
    text = normalise(number or "")
    if not text:
        raise ValidationError({"number": _("Give the report's number, e.g. 15/BC-SCT.")})
    problem = text_problem(text)
    if problem:
        raise ValidationError({"number": problem})
    text = re.sub(r"\s+", "", text).upper()
    if not REPORT_NUMBER.match(text):
        raise ValidationError(
            {
                "number": _(
                    "Write the number and symbol as on the document, e.g. 15/BC-SCT: the number, “/”, “BC” "
                    "and the abbreviation of the issuing body, joined by “-”."
                )
            }
        )
    return text


def issue_date_errors(issued_on: datetime.date | None, report: Report) -> list[str]:
    """Why a report of this period cannot carry this date of issue (none when it can)."""
    if issued_on is None:
        return [_("Give the date of issue.")]
    today = timezone.localdate()
    if issued_on > today:
        return [
            _("A report is not issued in the future: the date of issue is today (%(today)s) at the latest.")
            % {"today": today.strftime("%d/%m/%Y")}
        ]
    if issued_on < report.date_until:
        return [
            _("A report is issued after the last day of its period (%(date)s).")
            % {"date": report.date_until.strftime("%d/%m/%Y")}
        ]
    if not settings.KHUYENCONG_DATE_MIN <= issued_on <= settings.KHUYENCONG_DATE_MAX:
        return [_("Enter a date between %(low)s and %(high)s.") % {
            "low": f"{settings.KHUYENCONG_DATE_MIN:%d/%m/%Y}", "high": f"{settings.KHUYENCONG_DATE_MAX:%d/%m/%Y}"
        }]  # fmt: skip
    return []


def _number_taken(report: Report, number: str, issued_on: datetime.date) -> bool:
    return IssuedReport.objects.filter(
        current_province_id=report.current_province_id, number=number, issued_on__year=issued_on.year
    ).exists()


# What a report may not be issued without: who signs it, and its sections III and IV (the figures
# of I and the evaluation of II are the province's to judge; III and IV are what the Ministry reads).
NARRATIVE_REQUIRED = ("tasks", "recommendations", "signer_title", "signer_name")
NARRATIVE_FIELDS = frozenset(("title", "advantages", "limitations", "causes", "addressees", "recipients",
                              *NARRATIVE_REQUIRED))  # fmt: skip


def narrative_errors(report: Report) -> dict[str, list[str]]:
    """The parts of the draft a report is not issued without, each with its message."""
    messages = {
        "tasks": _("Write section III (tasks and solutions for the next period) before issuing."),
        "recommendations": _("Write section IV (recommendations) before issuing."),
        "signer_title": _("Give the signer's title (e.g. KT. GIÁM ĐỐC, then PHÓ GIÁM ĐỐC) before issuing."),
        "signer_name": _("Give the signer's full name before issuing."),
    }
    return {name: [messages[name]] for name in NARRATIVE_REQUIRED if not getattr(report, name, "").strip()}


@transaction.atomic
def report_issue(*, report: Report, user, number: str, issued_on: datetime.date) -> IssuedReport:
    """Issue a version of the report: freeze its PDF and workbook, and lock its period.

    A number is issued once a year by a province (its register of outgoing documents). Issuing
    again makes a new version with its own number and date that replaces the earlier one (which
    is kept, marked as replaced); the period's lock passes to the new version, so a report holds
    one lock however often it is issued.
    """
    stored = Report.objects.select_for_update().select_related("province").get(pk=report.pk)
    _require(_may_write(user, stored), _("You may not issue this report."))
    _require(user is None or is_approver(user), _("Only a province manager may issue a report."))
    errors = {}
    try:
        number = clean_report_number(number)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    date_errors = issue_date_errors(issued_on, stored)
    if date_errors:
        errors["issued_on"] = date_errors
    errors.update(narrative_errors(stored))
    if not errors and _number_taken(stored, number, issued_on):
        errors["number"] = [
            _("Report no. %(number)s has already been issued in %(year)s; give the next number.")
            % {"number": number, "year": issued_on.year}
        ]
    if errors:
        raise ValidationError(errors)
    doc = document.build(coverage_of(stored), report=stored, number=number, issued_on=issued_on)
    pdf = render.pdf(doc)
    xlsx = render.xlsx(doc)
    version = (stored.issues.aggregate(last=Max("version"))["last"] or 0) + 1
    try:
        with transaction.atomic():
            issued = IssuedReport.objects.create(
                report=stored,
                current_province_id=stored.current_province_id,
                version=version,
                number=number,
                issued_on=issued_on,
                issued_by=user,
                date_from=stored.date_from,
                date_until=stored.date_until,
                title=doc.title,
                pdf=pdf,
                pdf_sha256=IssuedReport.digest(pdf),
                xlsx=xlsx,
                xlsx_sha256=IssuedReport.digest(xlsx),
            )
    except IntegrityError as exc:  # issued at the same moment by someone else
        raise ValidationError(
            {"number": _("Report no. %(number)s has already been issued in %(year)s; give the next number.")
             % {"number": number, "year": issued_on.year}}
        ) from exc  # fmt: skip
    lock = (
        PeriodLock.objects.select_for_update()
        .filter(issued_report__report=stored, unlocked_at__isnull=True)
        .select_related("issued_report")
        .first()
    )
    if lock is not None:
        replaced = lock.issued_report
        lock.issued_report = issued
        why = _("Passed to report no. %(number)s (version %(version)s), which replaces no. %(old)s") % {
            "number": number, "version": version, "old": replaced.number
        }  # fmt: skip
    else:
        lock = PeriodLock(
            issued_report=issued,
            province=stored.province,
            current_province_id=stored.current_province_id,
            date_from=stored.date_from,
            date_until=stored.date_until,
            year=stored.year,
        )
        why = _("Locked by issuing report no. %(number)s") % {"number": number}
    with_author(lock, user, why).save()
    return issued


@transaction.atomic
def period_unlock(*, lock: PeriodLock, user, reason: str) -> PeriodLock:
    """Unlock a period an issued report locked; administrators only, with a reason kept in the history."""
    stored = PeriodLock.objects.select_for_update().get(pk=lock.pk)
    _require(user is None or is_administrator(user), _("Only an administrator may unlock a period."))
    return _unlock(stored, user, reason)


def _unlock(stored: PeriodLock, user, reason: str) -> PeriodLock:
    """The one unlock path (an administrator's unlock, a reviewer's return): the reason enters the history."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"unlock_reason": _("Give the reason for unlocking the period.")})
    if stored.unlocked_at is not None:
        raise ValidationError(_("This period is already unlocked."))
    stored.unlocked_at = timezone.now()
    stored.unlocked_by = user
    stored.unlock_reason = reason[:300]
    with_author(stored, user, reason[:100]).save()
    return stored


# --- The Ministry's answer: accept or return --------------------------------------------------------


def _reviewable(issued: IssuedReport, user) -> IssuedReport:
    """The issued version locked, if `user` may answer it: a Ministry reviewer, the latest version."""
    _require(is_reviewer(user), _("Only a Ministry reviewer accepts or returns a report."))
    stored = IssuedReport.objects.select_for_update().select_related("report").get(pk=issued.pk)
    latest = stored.report.issues.aggregate(last=Max("version"))["last"]
    if stored.version != latest:
        raise ValidationError(_("A later version of this report has been issued: answer that one."))
    return stored


@transaction.atomic
def report_accept(*, issued: IssuedReport, user, reason: str = "") -> ReportReview:
    """A Ministry reviewer accepts an issued report (its latest version)."""
    stored = _reviewable(issued, user)
    last = stored.reviews.order_by("-reviewed_at", "-id").first()
    if last is not None and last.action == ReportReview.Action.ACCEPTED:
        raise ValidationError(_("This report has already been accepted."))
    problem = text_problem(normalise(reason or ""))
    if problem:
        raise ValidationError({"reason": problem})
    return ReportReview.objects.create(
        issued_report=stored,
        current_province_id=stored.current_province_id,
        action=ReportReview.Action.ACCEPTED,
        reason=normalise(reason or "")[:300],
        reviewed_by=user,
    )


@transaction.atomic
def report_return(*, issued: IssuedReport, user, reason: str) -> ReportReview:
    """A Ministry reviewer returns an issued report with a reason: the province sees the reason, and the
    report's period unlocks for it (the unlock path, recorded) so that the data can be corrected and the
    report issued again."""
    stored = _reviewable(issued, user)
    reason = normalise(reason or "")
    if not reason:
        raise ValidationError({"reason": _("Give the reason for returning the report.")})
    problem = text_problem(reason)
    if problem:
        raise ValidationError({"reason": problem})
    review = ReportReview.objects.create(
        issued_report=stored,
        current_province_id=stored.current_province_id,
        action=ReportReview.Action.RETURNED,
        reason=reason[:300],
        reviewed_by=user,
    )
    lock = PeriodLock.objects.select_for_update().filter(issued_report=stored, unlocked_at__isnull=True).first()
    if lock is not None:
        _unlock(lock, user, _("Returned by the Ministry: %(reason)s") % {"reason": reason})
    return review


# --- Digital signatures -------------------------------------------------------------------------


def _signable(issued: IssuedReport, user) -> IssuedReport:
    """The issued version locked, if `user` may sign it: a manager of its province, the latest version."""
    stored = IssuedReport.objects.select_for_update().select_related("report__province").get(pk=issued.pk)
    _require(_may_write(user, stored.report), _("You may not sign this report."))
    _require(user is None or is_approver(user), _("Only a province manager may sign a report."))
    latest = stored.report.issues.aggregate(last=Max("version"))["last"]
    if stored.version != latest:
        raise ValidationError(_("A later version of this report has been issued: sign that one."))
    return stored


def latest_signed(issued: IssuedReport) -> SignedReport | None:
    return issued.signed.order_by("-signed_at", "-id").first()


def _keep_signed(stored: IssuedReport, user, data: bytes, source: str) -> SignedReport:
    checks = signing.check_signed(data, bytes(stored.pdf))
    if IssuedReport.digest(data[: len(bytes(stored.pdf))]) != stored.pdf_sha256:  # the frozen hash, again
        raise ValidationError({"pdf": _("The signed file does not begin with the issued version.")})
    return SignedReport.objects.create(
        issued_report=stored,
        current_province_id=stored.current_province_id,
        source=source,
        pdf=data,
        pdf_sha256=IssuedReport.digest(data),
        signatures=[check.as_dict() for check in checks],
        signed_by=user,
    )


@transaction.atomic
def report_sign(*, issued: IssuedReport, user) -> SignedReport:
    """Sign the latest issued version on the server: the signer's field (ô 7c) with the configured key,
    then the seal's (ô 8) when the Sở configured one; over the last signed copy if there is one."""
    stored = _signable(issued, user)
    config = signing.configured("signer")
    if config is None:
        raise ValidationError(_("No signing key is configured on this server: sign the PDF elsewhere and upload it."))
    previous = latest_signed(stored)
    data = bytes(previous.pdf) if previous is not None else bytes(stored.pdf)
    done = {check["field"] for check in (previous.signatures if previous is not None else [])}
    report = stored.report
    try:
        if signing.SIGNER_FIELD not in done:
            data = signing.sign_pdf(data, config=config, signer_name=report.signer_name,
                                    location=report.province.name, field=signing.SIGNER_FIELD)  # fmt: skip
        seal = signing.configured("seal")
        if seal is not None and signing.SEAL_FIELD not in done:
            data = signing.sign_pdf(data, config=seal, location=report.province.name, field=signing.SEAL_FIELD)
    except signing.SigningError as exc:
        raise ValidationError(str(exc)) from exc
    if previous is not None and data == bytes(previous.pdf):
        raise ValidationError(_("This version is already signed with every key the server holds."))
    try:
        return _keep_signed(stored, user, data, SignedReport.Source.SERVER)
    except signing.SigningError as exc:  # the server's own key does not validate: say so, keep nothing
        raise ValidationError(str(exc)) from exc


@transaction.atomic
def report_attach_signed(*, issued: IssuedReport, user, data: bytes) -> SignedReport:
    """Keep a PDF of the latest issued version signed elsewhere, if its signatures validate over the
    issued bytes exactly; otherwise a ValidationError at the file says which check failed."""
    stored = _signable(issued, user)
    if len(data) > settings.KHUYENCONG_SIGNED_PDF_MAX_BYTES:
        raise ValidationError({"pdf": _("The file is larger than %(size)s MB.")
                               % {"size": settings.KHUYENCONG_SIGNED_PDF_MAX_BYTES // 1_000_000}})  # fmt: skip
    try:
        return _keep_signed(stored, user, data, SignedReport.Source.UPLOAD)
    except signing.SigningError as exc:
        raise ValidationError({"pdf": str(exc)}) from exc
