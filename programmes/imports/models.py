"""An import batch: who loaded which file when, what it changed, and whether it was voided."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import Province
from programmes.querysets import ScopedQuerySet


class ImportBatch(models.Model):
    """One uploaded file: kept from its preview; its changes recorded once it is imported."""

    class Kind(models.TextChoices):
        PLANS = "plans", _("annual plans")
        PROJECTS = "projects", _("projects (đề án)")
        FACILITIES = "facilities", _("facilities")
        BENEFICIARIES = "beneficiaries", _("beneficiaries")
        DISBURSEMENTS = "disbursements", _("disbursements")
        INDICATORS = "indicators", _("project outputs")
        SCHEMES = "schemes", _("schemes")

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("previewed, not imported")
        IMPORTED = "imported", _("imported")
        VOIDED = "voided", _("voided")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=60, default="web", help_text=_("The page or the command."))
    # The province of today of the importing user (empty: national scope, an administrator or a command).
    current_province = models.ForeignKey(
        Province, verbose_name=_("province / city"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField(_("file"), max_length=255)
    file_data = models.BinaryField(_("file content"), editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    # What the last check found: counts, notes (new plans, new organisations), the first rows' actions.
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    # [row number, column header, message] of every refused row at the last check.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    void_reason = models.CharField(_("reason for voiding"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    province_path = "current_province"

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["current_province", "-created_at"], name="importbatch_scope_idx")]

    def __str__(self) -> str:
        return _("Import no. %(number)s (%(kind)s, %(file)s)") % {
            "number": self.pk,
            "kind": self.get_kind_display(),
            "file": self.file_name,
        }

    @property
    def reason(self) -> str:
        """The reason written into the history of every row the batch changes."""
        return _("Import no. %(number)s (%(source)s, file %(file)s)") % {
            "number": self.pk,
            "source": self.source,
            "file": self.file_name,
        }


class ImportChange(models.Model):
    """A row an import created or updated, with the imported fields before and after: what voiding reverses."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        UPDATED = "updated", _("updated")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="changes")
    position = models.PositiveIntegerField()
    row_number = models.PositiveIntegerField(null=True, blank=True)
    model = models.CharField(max_length=60)  # app_label.model_name
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=8, choices=Action.choices)
    label = models.CharField(max_length=300)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("import change")
        verbose_name_plural = _("import changes")
        ordering = ["batch", "position"]
        constraints = [models.UniqueConstraint(fields=["batch", "position"], name="importchange_position_unique")]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.label}"
