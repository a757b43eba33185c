"""Reports: drafts with their narrative, issued versions frozen byte for byte, and period locks.

The figures are never stored on a draft: they are computed from the register (`reports.figures`)
each time a draft is shown. Issuing renders the PDF and the Excel workbook once and keeps their
bytes and SHA-256, so an issued report downloads exactly as it was issued whatever changes later;
it also locks the period (`PeriodLock`) so the data it rests on stays as reported.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programmes.models import FiledUnderProvince, Province, Region, RegisterModel, unit_of_today_field
from programmes.querysets import ScopedQuerySet


class Level(models.TextChoices):
    ALL = "all", _("National and local (KCQG and KCĐP)")
    NATIONAL = "national", _("National industry promotion (KCQG)")
    LOCAL = "local", _("Local industry promotion (KCĐP)")


class Scope(models.TextChoices):
    PROVINCE = "province", _("a province")
    REGION = "region", _("a region")
    NATION = "nation", _("the nation")


class Report(FiledUnderProvince, RegisterModel):
    """A report draft: what it covers, and the narrative sections staff write.

    Only a province's report is drafted and issued; the Ministry previews and downloads regional
    and national figures without a draft.
    """

    province = models.ForeignKey(
        Province, verbose_name=_("province / city"), on_delete=models.PROTECT, related_name="reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    preset = models.CharField(_("period"), max_length=20, blank=True)
    date_from = models.DateField(_("from"))
    date_until = models.DateField(_("until"))
    level = models.CharField(_("scheme level"), max_length=10, choices=Level.choices, default=Level.ALL)
    other_programmes = models.BooleanField(
        _("with the centre's other programmes"),
        default=False,
        help_text=_("Adds a table of energy saving, the other programmes and consultancy, beside khuyến công."),
    )
    title = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("The line under “BÁO CÁO”, e.g. “Kết quả thực hiện công tác khuyến công 6 tháng đầu năm 2026”."),
    )
    advantages = models.TextField(_("advantages (thuận lợi)"), blank=True)
    limitations = models.TextField(_("limitations (hạn chế, tồn tại)"), blank=True)
    causes = models.TextField(_("causes (nguyên nhân)"), blank=True)
    tasks = models.TextField(_("tasks and solutions for the next period"), blank=True)
    recommendations = models.TextField(_("recommendations (kiến nghị)"), blank=True)
    addressees = models.TextField(
        _("addressees (kính gửi)"),
        blank=True,
        help_text=_("One per line; empty: the Ministry and the province's People's Committee."),
    )
    recipients = models.TextField(
        _("recipients (nơi nhận)"),
        blank=True,
        help_text=_("One per line; empty: as for the issuer."),
    )
    # Lines of its own ("KT. GIÁM ĐỐC" above "PHÓ GIÁM ĐỐC"): text of several lines, kept as typed.
    signer_title = models.TextField(
        _("signer's title"), max_length=100, default="KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC", blank=True
    )
    signer_name = models.CharField(_("signer's name"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("historical report draft"), excluded_fields=["current_province"])

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-year", "-date_until", "-id"]
        indexes = [models.Index(fields=["current_province", "year"], name="report_scope_year_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(date_from__lte=F("date_until")), name="report_period_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.title} – {self.province.name}" if self.province_id else self.title


class IssuedReport(models.Model):
    """A version of a report as issued: its number and date, and its files, frozen."""

    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.PROTECT, related_name="issues")
    current_province = unit_of_today_field()
    version = models.PositiveSmallIntegerField(_("version"))
    number = models.CharField(_("number"), max_length=40, help_text=_("e.g. 123/BC-SCT"))
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now, editable=False)
    date_from = models.DateField(_("from"))
    date_until = models.DateField(_("until"))
    title = models.CharField(_("summary"), max_length=300)
    pdf = models.BinaryField(_("PDF"))
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)
    xlsx = models.BinaryField(_("Excel workbook"))
    xlsx_sha256 = models.CharField(_("SHA-256 of the workbook"), max_length=64)

    objects = ScopedQuerySet.as_manager()
    province_path = "current_province"

    class Meta:
        verbose_name = _("issued report")
        verbose_name_plural = _("issued reports")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "version"], name="issued_report_version_unique"),
            # A province issues a number once a year (its register of outgoing documents).
            models.UniqueConstraint(
                F("current_province"), ExtractYear("issued_on"), F("number"), name="issued_report_number_once_a_year"
            ),
        ]

    def __str__(self) -> str:
        return _("Report no. %(number)s of %(date)s") % {
            "number": self.number,
            "date": self.issued_on.strftime("%d/%m/%Y"),
        }

    @staticmethod
    def digest(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()


class PeriodLock(models.Model):
    """The period an issued report locked: the province's data dated inside it is read-only.

    Locks only ever end by an administrator's unlock, with a reason kept in the history.
    """

    issued_report = models.OneToOneField(
        IssuedReport, verbose_name=_("issued report"), on_delete=models.PROTECT, related_name="lock"
    )
    province = models.ForeignKey(
        Province, verbose_name=_("province / city"), on_delete=models.PROTECT, related_name="+"
    )
    current_province = unit_of_today_field()
    date_from = models.DateField(_("from"))
    date_until = models.DateField(_("until"))
    year = models.PositiveSmallIntegerField(_("year"))
    locked_at = models.DateTimeField(_("locked at"), default=timezone.now, editable=False)
    unlocked_at = models.DateTimeField(_("unlocked at"), null=True, blank=True, editable=False)
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("unlocked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    unlock_reason = models.CharField(_("reason for unlocking"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    province_path = "current_province"
    history = HistoricalRecords(verbose_name=_("historical period lock"), excluded_fields=["current_province"])

    class Meta:
        verbose_name = _("period lock")
        verbose_name_plural = _("period locks")
        ordering = ["-locked_at"]
        indexes = [
            models.Index(
                fields=["current_province", "date_until"],
                condition=Q(unlocked_at__isnull=True),
                name="period_lock_active_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(condition=Q(date_from__lte=F("date_until")), name="period_lock_in_order"),
            models.CheckConstraint(
                condition=Q(unlocked_at__isnull=True) | ~Q(unlock_reason=""), name="period_unlock_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return _("%(province)s, %(start)s – %(end)s") % {
            "province": self.province.name,
            "start": self.date_from.strftime("%d/%m/%Y"),
            "end": self.date_until.strftime("%d/%m/%Y"),
        }

    @property
    def is_active(self) -> bool:
        return self.unlocked_at is None


class ReportReview(models.Model):
    """A Ministry reviewer's answer to an issued version: accepted, or returned with a reason.

    Reviews are kept, never changed: the latest one of the latest version is the report's state
    (`reports.status.completeness`). Returning a report also unlocks its period for the province.
    """

    class Action(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("returned")

    issued_report = models.ForeignKey(
        IssuedReport, verbose_name=_("issued report"), on_delete=models.PROTECT, related_name="reviews"
    )
    current_province = unit_of_today_field()
    action = models.CharField(_("answer"), max_length=10, choices=Action.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), default=timezone.now, editable=False)

    objects = ScopedQuerySet.as_manager()
    province_path = "current_province"

    class Meta:
        verbose_name = _("report review")
        verbose_name_plural = _("report reviews")
        ordering = ["-reviewed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action="returned") | ~Q(reason=""), name="report_review_return_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} – {self.issued_report}"


class SignedReport(models.Model):
    """A digitally signed copy of an issued version's PDF: signed on the server with the Sở's key, or
    signed elsewhere and uploaded. Its first bytes are the issued PDF exactly (an incremental update
    over the frozen hash: `reports.signing.check_signed`); kept, never changed, the latest one is
    the version's signed original."""

    class Source(models.TextChoices):
        SERVER = "server", _("signed on the server")
        UPLOAD = "upload", _("signed elsewhere and uploaded")

    issued_report = models.ForeignKey(
        IssuedReport, verbose_name=_("issued report"), on_delete=models.PROTECT, related_name="signed"
    )
    current_province = unit_of_today_field()
    source = models.CharField(_("how it was signed"), max_length=10, choices=Source.choices)
    pdf = models.BinaryField(_("signed PDF"))
    pdf_sha256 = models.CharField(_("SHA-256 of the signed PDF"), max_length=64)
    signatures = models.JSONField(
        _("signatures"), default=list, help_text=_("Each signature as checked when it was kept.")
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("kept by"), on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("kept at"), default=timezone.now, editable=False)

    objects = ScopedQuerySet.as_manager()
    province_path = "current_province"

    class Meta:
        verbose_name = _("signed report")
        verbose_name_plural = _("signed reports")
        ordering = ["-signed_at", "-id"]

    def __str__(self) -> str:
        return _("Signed copy of %(report)s") % {"report": self.issued_report}


class Reminder(models.Model):
    """A reminder sent (`manage.py send_reminders`): kept so that nobody is told the same thing twice."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("report due soon")
        OVERDUE = "overdue", _("report overdue")
        LAGGING = "lagging", _("newly lagging project")
        DIGEST = "digest", _("weekly digest")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    key = models.CharField(_("about"), max_length=80, help_text=_("The report period or the project it is about."))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent to"), on_delete=models.CASCADE)
    current_province = unit_of_today_field()
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [models.UniqueConstraint(fields=["kind", "key", "user"], name="reminder_sent_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.key}"


__all__ = [
    "IssuedReport",
    "Level",
    "PeriodLock",
    "Region",
    "Reminder",
    "Report",
    "ReportReview",
    "Scope",
    "SignedReport",
]
