"""The khuyến công register: administrative units, catalogues, schemes, plans, đề án, facilities,
beneficiaries and disbursements.

Money is whole Vietnamese đồng in BigIntegerField, never negative. Two running totals on a đề án
(`disbursed_amount`, `beneficiary_support`) are kept by database triggers (see migration 0002)
and bounded by CHECK constraints, so no writer, concurrent or not, can push them past the
approved KC support.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from itertools import combinations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import statuses, units
from .access import PROVINCE_ROLES, Role
from .lib.files import attachment_errors
from .lib.formatting import money, ratio
from .lib.text import normalise, search_key, text_problem
from .money import PaymentKind, support_errors
from .querysets import ProjectQuerySet, ProvinceQuerySet, ScopedQuerySet
from .statuses import LIFECYCLE_DATES, STATUS_DATE_FIELD, ProjectStatus
from .storage import attachment_storage
from .units import MERGER_DATE, unit_of_today_id

money_validators = [MinValueValidator(0)]
year_validators = [MinValueValidator(1990), MaxValueValidator(2100)]


def money_field(verbose_name, **kwargs) -> models.BigIntegerField:
    """Return a whole-đồng amount field that refuses negatives."""
    kwargs.setdefault("default", 0)
    return models.BigIntegerField(verbose_name, validators=money_validators, **kwargs)


class Region(models.TextChoices):
    NORTH = "bac", _("Northern region")
    CENTRAL = "trung", _("Central and Central Highlands region")
    SOUTH = "nam", _("Southern region")


class SchemeLevel(models.TextChoices):
    NATIONAL = "kcqg", _("National industry promotion (KCQG)")
    LOCAL = "kcdp", _("Local industry promotion (KCĐP)")


SCHEME_LEVEL_ABBREVIATIONS = {SchemeLevel.NATIONAL: "KCQG", SchemeLevel.LOCAL: "KCĐP"}


class Programme(models.TextChoices):
    """The programme a scheme belongs to: a centre runs khuyến công and others beside it, whose money
    is never counted as khuyến công (reports and the status page show khuyến công unless asked)."""

    INDUSTRY_PROMOTION = "khuyen_cong", _("industry promotion (khuyến công)")
    ENERGY_EFFICIENCY = "nang_luong", _("energy efficiency and conservation")
    OTHER = "khac", _("another programme of the centre")


class RegisterModel(models.Model):
    """Base of the register's models: text stored in one normal form, business dates within bounds.

    Names and codes are stored NFC, trimmed, with inner spaces collapsed and invisible characters
    removed (`lib.text.normalise`), on every save: so uniqueness holds over that form, whichever
    path wrote the row. Validation refuses text that deceives (`lib.text.text_problem`: bidi and
    control characters, a byte order mark, lookalikes in single-line fields), at the field.
    Business dates (DateField) must lie within KHUYENCONG_DATE_MIN/MAX.
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.normalise_text()
        super().save(*args, **kwargs)

    def _loaded_relations(self, exclude):
        """`exclude` plus the foreign keys whose row needs no existence query: set by the code (not
        editable, copied from a parent) or given as an object read from the database. Django would
        check each with a query; the database's foreign keys refuse a missing row anyway."""
        skipped = set(exclude or ())
        for field in self._meta.concrete_fields:
            if not field.many_to_one:
                continue
            if not field.editable:
                skipped.add(field.name)
            elif field.is_cached(self):
                related = field.get_cached_value(self)
                if related is not None and related.pk is not None and related.pk == getattr(self, field.attname):
                    skipped.add(field.name)
        return skipped

    def normalise_text(self) -> None:
        for field in self._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField)) and not field.choices:
                value = getattr(self, field.attname)
                if isinstance(value, str):
                    setattr(self, field.attname, normalise(value, multiline=isinstance(field, models.TextField)))

    def clean_fields(self, exclude=None):
        self.normalise_text()
        errors = {}
        try:
            super().clean_fields(self._loaded_relations(exclude))
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if not isinstance(field, (models.CharField, models.TextField)) or field.choices:
                continue
            value = getattr(self, field.attname)
            if exclude and field.name in exclude or not isinstance(value, str) or field.name in errors:
                continue
            problem = text_problem(value, multiline=isinstance(field, models.TextField))
            if problem:
                errors.setdefault(field.name, []).append(ValidationError(problem, code="text_refused"))
        low, high = settings.KHUYENCONG_DATE_MIN, settings.KHUYENCONG_DATE_MAX
        for field in self._meta.concrete_fields:
            if type(field) is not models.DateField or (exclude and field.name in exclude):
                continue
            value = getattr(self, field.attname)
            if isinstance(value, datetime.date) and not (low <= value <= high):
                errors.setdefault(field.name, []).append(
                    ValidationError(
                        _("Enter a date between %(low)s and %(high)s.")
                        % {"low": f"{low:%d/%m/%Y}", "high": f"{high:%d/%m/%Y}"},
                        code="date_out_of_bounds",
                    )
                )
        if errors:
            raise ValidationError(errors)


class DecisionFields(RegisterModel):
    """Number/symbol, issuer and date of a decision, cited as in official documents."""

    decision_number = models.CharField(
        _("decision number"), max_length=60, blank=True, help_text=_("e.g. 1282/QĐ-UBND")
    )
    decision_issuer = models.CharField(
        _("issued by"), max_length=200, blank=True, help_text=_("e.g. UBND tỉnh Hòa Bình")
    )
    decision_date = models.DateField(_("decision date"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def decision_citation(self) -> str:
        if not self.decision_number:
            return ""
        text = _("Decision No. %(number)s") % {"number": self.decision_number}
        if self.decision_date:
            # Cited as in legal texts: "Quyết định số 1282/QĐ-UBND ngày 15/6/2023".
            day = self.decision_date
            text += " " + _("dated %(date)s") % {"date": f"{day.day}/{day.month}/{day.year}"}
        if self.decision_issuer:
            text += " " + _("of %(issuer)s") % {"issuer": self.decision_issuer}
        return text


class Searchable(RegisterModel):
    """Keep `search_text`, an accent-free key of `search_source`, for accent-insensitive search."""

    search_text = models.TextField(editable=False, default="")

    search_source: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.search_text = search_key(*(getattr(self, name) for name in self.search_source))
        super().save(*args, **kwargs)


# --- Administrative units -------------------------------------------------------------------


class Province(Searchable):
    """A provincial-level unit, valid for a period: the 63 before 1/7/2025 and the 34 after."""

    class Kind(models.TextChoices):
        PROVINCE = "tinh", _("province")
        CITY = "thanh_pho", _("centrally-run city")

    code = models.CharField(_("code"), max_length=2)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    region = models.CharField(_("region"), max_length=10, choices=Region.choices)
    valid_from = models.DateField(
        _("valid from"), null=True, blank=True, help_text=_("Empty: since before the records.")
    )
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Empty: still valid."))
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        help_text=_("The unit it became part of when it ceased."),
    )
    current = models.ForeignKey(
        "self",
        verbose_name=_("current unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lineage",
        help_text=_("The unit of today it belongs to (itself for a current unit)."),
    )

    objects = ProvinceQuerySet.as_manager()

    search_source = ("code", "name")

    class Meta:
        verbose_name = _("province / city")
        verbose_name_plural = _("provinces / cities")
        ordering = [F("valid_to").desc(nulls_first=True), "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_to__isnull=True), name="province_one_current_per_code"
            ),
            models.UniqueConstraint(fields=["code", "valid_to"], name="province_code_valid_to_unique"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_from__lte=F("valid_to")),
                name="province_validity_in_order",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(successor__isnull=False),
                name="province_ended_has_successor",
            ),
            # The key rows filed under a unit point at with its unit of today (models.FiledUnder).
            models.UniqueConstraint(fields=["id", "current"], name="province_unit_of_today_key"),
        ]

    def __str__(self) -> str:
        if self.valid_to is None:
            return self.name
        if self.valid_to == MERGER_DATE - datetime.timedelta(days=1):
            return _("%(name)s (before 1/7/2025)") % {"name": self.name}
        return _("%(name)s (until %(date)s)") % {"name": self.name, "date": self.valid_to.strftime("%d/%m/%Y")}

    def is_valid_on(self, day: datetime.date) -> bool:
        return units.valid_on(self, day)

    def is_valid_in_year(self, year: int) -> bool:
        """Whether the unit existed on some day of `year`."""
        return (self.valid_from is None or self.valid_from.year <= year) and (
            self.valid_to is None or year <= self.valid_to.year
        )


class Commune(Searchable):
    """A commune, ward or special zone of today (3.321 units from `vietnam-provinces`)."""

    class Kind(models.TextChoices):
        COMMUNE = "xa", _("commune")
        WARD = "phuong", _("ward")
        SPECIAL_ZONE = "dac_khu", _("special zone")

    code = models.CharField(_("code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    province = models.ForeignKey(
        Province, verbose_name=_("province / city"), on_delete=models.PROTECT, related_name="communes"
    )

    objects = ScopedQuerySet.as_manager()
    province_path = "province"

    search_source = ("code", "name")

    class Meta:
        verbose_name = _("commune / ward")
        verbose_name_plural = _("communes / wards")
        ordering = ["province__code", "code"]

    def __str__(self) -> str:
        return self.name


# --- Catalogues, organisations, schemes -----------------------------------------------------


class ActivityCatalogue(RegisterModel):
    """A version of the official list of activity contents (NĐ 45, QĐ 1881 groups, …)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=300)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("activity catalogue")
        verbose_name_plural = _("activity catalogues")
        ordering = ["valid_from", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_from__lte=F("valid_to")),
                name="catalogue_validity_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ActivityContent(Searchable):
    """One activity content (nội dung hoạt động khuyến công) of a catalogue version."""

    catalogue = models.ForeignKey(
        ActivityCatalogue, verbose_name=_("catalogue"), on_delete=models.PROTECT, related_name="contents"
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=500)
    short_name = models.CharField(_("short name"), max_length=120)
    group = models.ForeignKey(
        "self",
        verbose_name=_("programme group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text=_("The QĐ 1881 programme group this content is reported under."),
    )

    search_source = ("code", "name", "short_name")

    class Meta:
        verbose_name = _("activity content")
        verbose_name_plural = _("activity contents")
        ordering = ["catalogue__valid_from", "catalogue__code", "number"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "number"], name="content_number_unique_in_catalogue"),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.short_name}"


class Organisation(Searchable):
    """A body that approves, manages, implements or cooperates in khuyến công work."""

    class Kind(models.TextChoices):
        MINISTRY = "bo", _("Ministry")
        DEPARTMENT = "cuc", _("Ministry department (Cục)")
        REGIONAL_CENTRE = "tt_vung", _("Regional industry promotion centre")
        PEOPLES_COMMITTEE = "ubnd", _("People's Committee (UBND)")
        PROVINCIAL_DEPARTMENT = "so", _("Department of Industry and Trade (Sở)")
        PROVINCIAL_CENTRE = "tt_tinh", _("Provincial industry promotion centre")
        SERVICE_UNIT = "don_vi", _("Service unit")
        OTHER = "khac", _("Other organisation")

    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    province = models.ForeignKey(
        Province,
        verbose_name=_("province / city"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        help_text=_("Empty for national bodies."),
    )
    parent = models.ForeignKey("self", verbose_name=_("parent body"), on_delete=models.PROTECT, null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    province_path = "province__current"
    national_visible = True
    history = HistoricalRecords(verbose_name=_("historical organisation"), excluded_fields=["search_text"])

    search_source = ("name", "short_name")

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["province__code", "kind", "name"]
        constraints = [
            # Names are compared in their normal form (RegisterModel): one name per province, and
            # one among national bodies.
            models.UniqueConstraint(
                fields=["province", "name"],
                condition=Q(province__isnull=False),
                name="organisation_name_unique_in_province",
                violation_error_message=_("An organisation with this name already exists in this province."),
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(province__isnull=True),
                name="organisation_name_unique_national",
                violation_error_message=_("A national body with this name already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Scheme(Searchable):
    """A national (KCQG) or local (KCĐP) khuyến công programme, with its legal basis."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    level = models.CharField(_("level"), max_length=4, choices=SchemeLevel.choices)
    province = models.ForeignKey(
        Province,
        verbose_name=_("province / city"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="schemes",
        help_text=_("Required for a local scheme; empty for a national one."),
    )
    legal_basis = models.CharField(
        _("legal basis"), max_length=300, help_text=_("e.g. Quyết định số 1881/QĐ-TTg ngày 20/11/2020")
    )
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    programme = models.CharField(
        _("programme"),
        max_length=12,
        choices=Programme.choices,
        default=Programme.INDUSTRY_PROMOTION,
        help_text=_("Energy saving and the centre's other programmes are reported apart from khuyến công."),
    )

    objects = ScopedQuerySet.as_manager()
    province_path = "province__current"
    national_visible = True
    history = HistoricalRecords(verbose_name=_("historical scheme"), excluded_fields=["search_text"])

    search_source = ("code", "name")

    class Meta:
        verbose_name = _("scheme")
        verbose_name_plural = _("schemes")
        ordering = ["level", "start_year", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(start_year__lte=F("end_year")), name="scheme_years_in_order"),
            models.CheckConstraint(
                condition=(Q(level=SchemeLevel.NATIONAL) & Q(province__isnull=True))
                | (Q(level=SchemeLevel.LOCAL) & Q(province__isnull=False)),
                name="scheme_local_has_province",
            ),
            models.CheckConstraint(condition=Q(programme__in=Programme.values), name="scheme_programme_known"),
        ]

    def __str__(self) -> str:
        return self.name


# --- Where a row is filed ---------------------------------------------------------------------


def unit_of_today_field() -> models.ForeignKey:
    """The unit of today a row belongs to, stored beside the unit it is filed under."""
    return models.ForeignKey(
        Province,
        verbose_name=_("province / city of today"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,  # every list index leads with it
    )


class FiledUnder(models.Model):
    """The province and year a row is filed under, copied from its plan or đề án on every save.

    `province` is the unit valid at the time (old Quảng Nam for a 2024 plan), `current_province`
    the unit of today it belongs to (Đà Nẵng), `year` the plan's year. The read scope, the lists
    and their indexes use these columns, so a province's rows are found without a join; the
    database keeps them equal to the parent's (composite foreign keys with ON UPDATE CASCADE on
    PostgreSQL, triggers on SQLite: `programmes.triggers.FILED_UNDER`).
    """

    province = models.ForeignKey(
        Province,
        verbose_name=_("province / city"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
    )
    current_province = unit_of_today_field()
    year = models.PositiveSmallIntegerField(_("year"), editable=False)

    # The parents the columns are copied from, first one set wins (an attachment hangs on either).
    filed_under: tuple[str, ...] = ()
    province_path = "current_province"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.fill_filed_under()
        super().save(*args, **kwargs)

    def fill_filed_under(self) -> None:
        for name in self.filed_under:
            field = self._meta.get_field(name)
            # The parent may be assigned before it was saved (its id is then not yet copied here).
            parent = field.get_cached_value(self, None) if field.is_cached(self) else None
            if parent is None and getattr(self, field.attname) is not None:
                parent = getattr(self, name)
            if parent is None:
                continue
            if parent.current_province_id is None:
                parent.fill_filed_under()
            self.province_id = parent.province_id
            self.current_province_id = parent.current_province_id
            self.year = parent.year
            return


class FiledUnderProvince(models.Model):
    """A row filed under a province (any unit) that also stores the unit of today it belongs to."""

    current_province = unit_of_today_field()

    province_path = "current_province"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.fill_filed_under()
        super().save(*args, **kwargs)

    def fill_filed_under(self) -> None:
        if self.province_id is not None:
            self.current_province_id = unit_of_today_id(self.province)


# --- Plans ------------------------------------------------------------------------------------


class Plan(FiledUnderProvince, DecisionFields):
    """The annual khuyến công plan of one scheme in one province, approved by a decision."""

    class Status(models.TextChoices):
        DRAFT = "du_thao", _("draft")
        APPROVED = "da_duyet", _("approved")

    scheme = models.ForeignKey(Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="plans")
    province = models.ForeignKey(
        Province, verbose_name=_("province / city"), on_delete=models.PROTECT, related_name="plans"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("historical plan"), excluded_fields=["current_province"])

    class Meta:
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")
        ordering = ["-year", "province__code", "scheme__level"]
        indexes = [models.Index(fields=["current_province", "year"], name="plan_scope_year_idx")]
        permissions = [("approve_plan", _("Can approve annual plans"))]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "province", "year"], name="plan_unique_scheme_province_year"),
            models.UniqueConstraint(fields=["id", "province", "current_province", "year"], name="plan_filed_under_key"),
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="plan_year_sane"),
            models.CheckConstraint(
                condition=~Q(status="da_duyet") | (Q(decision_date__isnull=False) & ~Q(decision_number="")),
                name="plan_approved_has_decision",
            ),
        ]

    def __str__(self) -> str:
        return _("%(level)s plan %(year)s – %(province)s") % {
            "level": SCHEME_LEVEL_ABBREVIATIONS[self.scheme.level] if self.scheme_id else "",
            "year": self.year,
            "province": self.province.name if self.province_id else "",
        }

    def clean(self) -> None:
        errors = {}
        if self.scheme_id and self.year and not (self.scheme.start_year <= self.year <= self.scheme.end_year):
            errors["year"] = _("The scheme %(scheme)s runs from %(start)s to %(end)s.") % {
                "scheme": self.scheme,
                "start": self.scheme.start_year,
                "end": self.scheme.end_year,
            }
        if self.province_id and self.year and not self.province.is_valid_in_year(self.year):
            errors["province"] = _("%(province)s did not exist in %(year)s: choose the unit valid that year.") % {
                "province": self.province,
                "year": self.year,
            }
        if (
            self.scheme_id
            and self.province_id
            and self.scheme.province_id
            and self.scheme.province.current_id != self.province.current_id
        ):
            errors["scheme"] = _("This local scheme belongs to another province.")
        if self.status == self.Status.APPROVED:
            if not self.decision_number:
                errors["decision_number"] = _("An approved plan needs the number of its approval decision.")
            if not self.decision_date:
                errors["decision_date"] = _("An approved plan needs the date of its approval decision.")
        if errors:
            raise ValidationError(errors)


class PlanLine(FiledUnder, RegisterModel):
    """Planned money and number of đề án for one activity content of a plan."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="lines")
    content = models.ForeignKey(
        ActivityContent, verbose_name=_("activity content"), on_delete=models.PROTECT, related_name="plan_lines"
    )
    planned_amount = money_field(_("planned amount (đồng)"))
    planned_projects = models.PositiveSmallIntegerField(_("planned number of projects"), default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    filed_under = ("plan",)
    history = HistoricalRecords(
        verbose_name=_("historical plan line"), excluded_fields=["province", "current_province", "year"]
    )

    class Meta:
        verbose_name = _("plan line")
        verbose_name_plural = _("plan lines")
        ordering = ["plan", "content__code"]
        indexes = [models.Index(fields=["current_province", "year"], name="planline_scope_year_idx")]
        constraints = [
            models.UniqueConstraint(fields=["plan", "content"], name="planline_one_per_plan_content"),
            models.CheckConstraint(condition=Q(planned_amount__gte=0), name="planline_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} – {self.content}"


# --- Đề án ------------------------------------------------------------------------------------


def _dates_in_order(earlier: str, later: str) -> Q:
    return Q(**{f"{earlier}__isnull": True}) | Q(**{f"{later}__isnull": True}) | Q(**{f"{earlier}__lte": F(later)})


def _lifecycle_constraints() -> list[models.BaseConstraint]:
    constraints: list[models.BaseConstraint] = [
        models.CheckConstraint(condition=_dates_in_order(earlier, later), name=f"project_{earlier}_before_{later}"[:63])
        for earlier, later in combinations(LIFECYCLE_DATES, 2)
    ]
    constraints += [
        models.CheckConstraint(
            condition=~Q(status=status) | Q(**{f"{field}__isnull": False}),
            name=f"project_{status}_has_date",
        )
        for status, field in STATUS_DATE_FIELD.items()
    ]
    constraints.append(
        models.CheckConstraint(
            condition=~Q(status__in=list(statuses.APPROVED))
            | (Q(decision_date__isnull=False) & ~Q(decision_number="")),
            name="project_approved_has_decision",
        )
    )
    # A đề án is stopped after it was registered and, if approved, after its approval.
    constraints += [
        models.CheckConstraint(condition=_dates_in_order(earlier, "stopped_on"), name=f"project_{earlier}_before_stop")
        for earlier in ("registered_on", "decision_date")
    ]
    return constraints


class Project(FiledUnder, DecisionFields, Searchable):
    """A đề án khuyến công: the unit that money, beneficiaries and reports hang on.

    Its province is its plan's province: a đề án cannot be filed under another province's plan.
    `kc_support`, `counterpart_funds`, `other_funds` hold the amounts in force; each adjustment
    (ProjectAdjustment) keeps the values it replaced and the date from which it applies.
    """

    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        on_delete=models.PROTECT,
        related_name="projects",
        db_index=False,  # project_plan_figures_idx leads with it
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=500)
    content = models.ForeignKey(
        ActivityContent, verbose_name=_("activity content"), on_delete=models.PROTECT, related_name="projects"
    )
    implementing_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("implementing unit"),
        on_delete=models.PROTECT,
        related_name="implemented_projects",
    )
    cooperating_units = models.ManyToManyField(
        Organisation, verbose_name=_("cooperating units"), blank=True, related_name="cooperating_projects"
    )
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune / ward"), on_delete=models.PROTECT, null=True, blank=True
    )
    location = models.CharField(_("location"), max_length=300, blank=True)
    historic_district = models.CharField(
        _("district (before 1/7/2025)"),
        max_length=100,
        blank=True,
        help_text=_("The district named in the records before districts were abolished."),
    )
    is_group = models.BooleanField(
        _("group project"), default=False, help_text=_("Beneficiaries are fixed after approval (đề án nhóm).")
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    kc_support = money_field(_("KC support (đồng)"))
    counterpart_funds = money_field(_("counterpart funds (đồng)"))
    other_funds = money_field(_("other funds (đồng)"))
    disbursed_amount = models.BigIntegerField(_("disbursed (đồng)"), default=0, editable=False)
    beneficiary_support = models.BigIntegerField(
        _("support allotted to beneficiaries (đồng)"), default=0, editable=False
    )
    # A digest of the đề án's payments, kept by the same triggers as `disbursed_amount` (migration
    # 0016), so the lag rules (programmes.lags) read the đề án's row, not its payments.
    first_paid_on = models.DateField(_("first paid on"), null=True, editable=False)
    advanced_amount = models.BigIntegerField(_("advanced (đồng)"), default=0, editable=False)
    # A multi-year đề án (giai đoạn 2018–2020): the last year of its shares (ProjectAllocation), its
    # first being `year`, the plan's; empty for a đề án of one year. Written with the shares by
    # `services.project_save`; the database checks both at commit (migration 0022).
    final_year = models.PositiveSmallIntegerField(_("last year of its shares"), null=True, editable=False)

    status = models.CharField(
        _("status"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.REGISTERED
    )
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    appraised_on = models.DateField(_("appraised on"), null=True, blank=True)
    contracted_on = models.DateField(_("contract signed on"), null=True, blank=True)
    started_on = models.DateField(_("implementation started on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True)
    stop_reason = models.CharField(_("reason for stopping"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = ProjectQuerySet.as_manager()
    # Written by the database triggers alone (programmes.triggers); a save carries what is stored.
    KEPT_BY_TRIGGERS = ("disbursed_amount", "beneficiary_support", "first_paid_on", "advanced_amount")
    search_source = ("code", "name", "location")
    filed_under = ("plan",)
    history = HistoricalRecords(
        verbose_name=_("historical project"),
        excluded_fields=[
            "search_text",
            "province",
            "current_province",
            "year",
            "first_paid_on",
            "advanced_amount",
            "final_year",
        ],
    )

    class Meta:
        verbose_name = _("project (đề án)")
        verbose_name_plural = _("projects (đề án)")
        ordering = ["-year", "code"]
        permissions = [("approve_project", _("Can approve projects"))]
        # Each list order, for one province (leading current_province) and for the nation.
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["decision_date"]),
            models.Index(
                fields=["current_province", "year", "id"],
                include=["kc_support", "counterpart_funds", "disbursed_amount"],
                name="project_scope_year_idx",
            ),
            models.Index(fields=["year", "id"], name="project_year_idx"),
            models.Index(fields=["current_province", "code"], name="project_scope_code_idx"),
            # The data-quality panel's two problems of a đề án, each a small index of its own rows.
            # In the list's order: its first rows read in order, its count from the index alone.
            models.Index(
                fields=["code"], condition=Q(first_paid_on__lt=F("decision_date")), name="project_paid_early_idx"
            ),
            models.Index(
                fields=["code"],
                condition=Q(status__in=[ProjectStatus.ACCEPTED, ProjectStatus.SETTLED], beneficiary_support=0),
                name="project_done_unallotted_idx",
            ),
            models.Index(fields=["current_province", "kc_support", "id"], name="project_scope_support_idx"),
            models.Index(fields=["kc_support", "id"], name="project_support_idx"),
            models.Index(fields=["current_province", "disbursed_amount", "id"], name="project_scope_disbursed_idx"),
            models.Index(fields=["disbursed_amount", "id"], name="project_disbursed_idx"),
            # The start pages' and reports' figures, read from the index alone (PostgreSQL).
            models.Index(
                fields=["year", "current_province"],
                include=["id", "status", "end_date", "kc_support", "disbursed_amount"],
                name="project_year_figures_idx",
            ),
            models.Index(
                fields=["current_province", "status"],
                include=["id", "end_date", "kc_support", "counterpart_funds", "disbursed_amount"],
                name="project_scope_status_idx",
            ),
            models.Index(
                fields=["plan"], include=["id", "kc_support", "disbursed_amount"], name="project_plan_figures_idx"
            ),
            # The reports' figures of a year, for a province or the nation, and the lag rules over
            # them (the status page), from the index alone.
            models.Index(
                fields=["year", "current_province"],
                include=[
                    "id",
                    "province",
                    "plan",
                    "content",
                    "status",
                    "decision_date",
                    "started_on",
                    "accepted_on",
                    "stopped_on",
                    "settled_on",
                    "end_date",
                    "kc_support",
                    "counterpart_funds",
                    "disbursed_amount",
                    "first_paid_on",
                    "advanced_amount",
                    "final_year",
                ],
                name="project_report_idx",
            ),
            # A province's search reads its own rows' text from the index alone.
            models.Index(fields=["current_province", "id"], include=["search_text"], name="project_scope_search_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id", "province", "current_province", "year"], name="project_filed_under_key"
            ),
            # The key a payment's copy of its đề án's filing, plan and content points at.
            models.UniqueConstraint(
                fields=["id", "province", "current_province", "year", "plan", "content"], name="project_report_key"
            ),
            models.CheckConstraint(condition=Q(kc_support__gte=0), name="project_kc_support_not_negative"),
            models.CheckConstraint(condition=Q(counterpart_funds__gte=0), name="project_counterpart_not_negative"),
            models.CheckConstraint(condition=Q(other_funds__gte=0), name="project_other_funds_not_negative"),
            models.CheckConstraint(condition=Q(disbursed_amount__gte=0), name="project_disbursed_not_negative"),
            models.CheckConstraint(
                condition=Q(disbursed_amount__lte=F("kc_support")), name="project_disbursed_within_support"
            ),
            models.CheckConstraint(
                condition=Q(beneficiary_support__gte=0) & Q(beneficiary_support__lte=F("kc_support")),
                name="project_beneficiaries_within_support",
            ),
            models.CheckConstraint(
                condition=Q(advanced_amount__gte=0) & Q(advanced_amount__lte=F("disbursed_amount")),
                name="project_advances_within_disbursed",
            ),
            models.CheckConstraint(
                condition=_dates_in_order("start_date", "end_date"), name="project_start_before_end"
            ),
            *_lifecycle_constraints(),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    def clean(self) -> None:
        errors: dict[str, list] = {}

        def add(field, message):
            errors.setdefault(field, []).append(message)

        plan = self.plan if self.plan_id else None
        if plan and self.commune_id and self.commune.province_id != plan.province.current_id:
            add(
                "commune",
                _("The commune must be in the province of the plan (%(province)s).")
                % {"province": plan.province.current},
            )
        if (
            plan
            and self.implementing_unit_id
            and self.implementing_unit.province_id
            and self.implementing_unit.province.current_id != plan.province.current_id
        ):
            add("implementing_unit", _("The implementing unit belongs to another province."))
        if plan and self.content_id:
            catalogue = self.content.catalogue
            if (catalogue.valid_from and catalogue.valid_from.year > plan.year) or (
                catalogue.valid_to and catalogue.valid_to.year < plan.year
            ):
                add("content", _("This activity content was not in force in %(year)s.") % {"year": plan.year})
        if self.start_date and self.end_date and self.start_date > self.end_date:
            add("end_date", _("The end date is before the start date."))
        dated = [(field, getattr(self, field)) for field in LIFECYCLE_DATES if getattr(self, field)]
        for (earlier, earlier_date), (later, later_date) in zip(dated, dated[1:], strict=False):
            if earlier_date > later_date:
                add(
                    later,
                    _("This date is before the %(step)s date (%(date)s).")
                    % {"step": self._meta.get_field(earlier).verbose_name, "date": f"{earlier_date:%d/%m/%Y}"},
                )
        for earlier in ("registered_on", "decision_date"):
            earlier_date = getattr(self, earlier)
            if self.stopped_on and earlier_date and self.stopped_on < earlier_date:
                add(
                    "stopped_on",
                    _("This date is before the %(step)s date (%(date)s).")
                    % {"step": self._meta.get_field(earlier).verbose_name, "date": f"{earlier_date:%d/%m/%Y}"},
                )
        if self.pk and self.stopped_on:
            last = self.disbursements.order_by("-paid_on").values_list("paid_on", flat=True).first()
            if last and self.stopped_on < last:
                add(
                    "stopped_on",
                    _("A payment was made on %(date)s: the project cannot be stopped before it.")
                    % {"date": f"{last:%d/%m/%Y}"},
                )
        date_field = STATUS_DATE_FIELD.get(self.status)
        if date_field and not getattr(self, date_field):
            add(date_field, _("The status “%(status)s” needs this date.") % {"status": self.get_status_display()})
        if self.status in statuses.APPROVED and not self.decision_number:
            add("decision_number", _("An approved project needs the number of its approval decision."))
        for message in support_errors(
            self.kc_support, disbursed=self.disbursed_amount, allotted=self.beneficiary_support
        ):  # fmt: skip
            add("kc_support", message)
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        # clean() checks each CHECK constraint of a đề án with a message on the right field; Django's
        # generic check would run one query per constraint (about 40). The database checks them again.
        return

    @property
    def accepts_payments(self) -> bool:
        """Payable (`statuses.PAYABLE`), or stopped after its decision (what was paid up to its stop date)."""
        stopped_after_decision = bool(self.decision_date and self.stopped_on)
        return statuses.accepts_payments(self.status, decided_and_stopped_on=stopped_after_decision)

    @property
    def total_cost(self) -> int:
        return self.kc_support + self.counterpart_funds + self.other_funds

    @property
    def is_multi_year(self) -> bool:
        return self.final_year is not None

    def shares_in(self, year: int) -> bool:
        """Whether the đề án has a share of `year`'s plan: its own year, or a year of its shares."""
        return self.year == year or (self.final_year is not None and self.year <= year <= self.final_year)

    @property
    def disbursed_ratio(self) -> Decimal | None:
        return ratio(self.disbursed_amount, self.kc_support)


class ProjectAllocation(RegisterModel):
    """A multi-year đề án's share of one year (phân bổ kinh phí theo năm): what that year's plan
    carries of it. The shares of a đề án cover each year from its plan's year to its last one, and
    add up to its support, counterpart and other funds; the reports of a year count that year's
    share (`reports.figures`). A đề án of one year has none."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="allocations"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=year_validators)
    kc_support = money_field(_("KC support (đồng)"))
    counterpart_funds = money_field(_("counterpart funds (đồng)"))
    other_funds = money_field(_("other funds (đồng)"))

    history = HistoricalRecords(verbose_name=_("historical share of a year"))

    class Meta:
        verbose_name = _("share of a year")
        verbose_name_plural = _("shares by year")
        ordering = ["project", "year"]
        # The reports of a year read the shares of that year, then their đề án.
        indexes = [models.Index(fields=["year", "project"], name="allocation_year_idx")]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="allocation_one_per_project_year"),
            models.CheckConstraint(
                condition=Q(kc_support__gte=0) & Q(counterpart_funds__gte=0) & Q(other_funds__gte=0),
                name="allocation_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return _("%(code)s, share of %(year)s") % {"code": self.project.code, "year": self.year}

    @property
    def total_cost(self) -> int:
        return self.kc_support + self.counterpart_funds + self.other_funds


class ProjectAdjustment(FiledUnder, DecisionFields):
    """An adjustment decision (điều chỉnh): new values from `effective_on`, old values kept."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="adjustments"
    )
    effective_on = models.DateField(_("applies from"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    old_kc_support = money_field(_("KC support before (đồng)"))
    new_kc_support = money_field(_("KC support after (đồng)"))
    old_counterpart_funds = money_field(_("counterpart funds before (đồng)"))
    new_counterpart_funds = money_field(_("counterpart funds after (đồng)"))
    old_other_funds = money_field(_("other funds before (đồng)"))
    new_other_funds = money_field(_("other funds after (đồng)"))
    old_end_date = models.DateField(_("end date before"), null=True, blank=True)
    new_end_date = models.DateField(_("end date after"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = ScopedQuerySet.as_manager()
    filed_under = ("project",)
    history = HistoricalRecords(
        verbose_name=_("historical adjustment"), excluded_fields=["province", "current_province", "year"]
    )

    class Meta:
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        ordering = ["project", "effective_on"]
        indexes = [
            models.Index(fields=["current_province", "effective_on", "id"], name="adjustment_scope_date_idx"),
            models.Index(fields=["effective_on", "id"], name="adjustment_date_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["project", "effective_on"], name="adjustment_one_per_project_day"),
            models.CheckConstraint(
                condition=Q(old_kc_support__gte=0)
                & Q(new_kc_support__gte=0)
                & Q(old_counterpart_funds__gte=0)
                & Q(new_counterpart_funds__gte=0)
                & Q(old_other_funds__gte=0)
                & Q(new_other_funds__gte=0),
                name="adjustment_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(decision_date__isnull=False) & ~Q(decision_number=""),
                name="adjustment_has_decision",
            ),
            models.CheckConstraint(
                condition=Q(effective_on__gte=F("decision_date")), name="adjustment_applies_after_decision"
            ),
        ]

    def __str__(self) -> str:
        return _("Adjustment of %(code)s from %(date)s") % {
            "code": self.project.code,
            "date": self.effective_on.strftime("%d/%m/%Y"),
        }


# --- Facilities and beneficiaries --------------------------------------------------------------

tax_code_validator = RegexValidator(
    r"^\d{10}(-\d{3})?$",
    _("A tax code has 10 digits, or 10 digits, a hyphen and 3 digits (e.g. 2800123456-001)."),
)


class Facility(FiledUnderProvince, Searchable):
    """A rural-industry facility (cơ sở công nghiệp nông thôn) that receives support."""

    class Kind(models.TextChoices):
        SME = "dnnvv", _("small or medium enterprise")
        COOPERATIVE = "htx", _("cooperative")
        COOPERATIVE_UNION = "lhhtx", _("union of cooperatives")
        COOPERATIVE_GROUP = "tht", _("cooperative group")
        HOUSEHOLD_BUSINESS = "hkd", _("household business")
        ARTISAN = "nghe_nhan", _("artisan")
        CLUSTER_INVESTOR = "chu_dau_tu_ccn", _("industrial cluster investor")

    class Industry(models.TextChoices):
        PROCESSING = "a", _("a. Agricultural, forestry, fishery and food processing")
        CONSUMER_GOODS = "b", _("b. Consumer, export and import-substituting goods")
        CHEMICALS_MATERIALS = "c", _("c. Farm chemicals; building materials")
        MECHANICAL = "d", _("d. Mechanical, electrical, electronic parts; supporting industry")
        HANDICRAFTS = "dd", _("đ. Handicrafts")
        MINING = "e", _("e. Mining and mineral processing")
        CLEANER_PRODUCTION = "g", _("g. Cleaner production; pollution treatment")

    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    tax_code = models.CharField(
        _("tax code"), max_length=14, null=True, blank=True, unique=True, validators=[tax_code_validator]
    )
    province = models.ForeignKey(
        Province, verbose_name=_("province / city"), on_delete=models.PROTECT, related_name="facilities"
    )
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune / ward"), on_delete=models.PROTECT, null=True, blank=True
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    historic_district = models.CharField(_("district (before 1/7/2025)"), max_length=100, blank=True)
    industry = models.CharField(_("industry"), max_length=2, choices=Industry.choices, blank=True)
    representative = models.CharField(_("representative"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    workforce = models.PositiveIntegerField(_("workforce"), null=True, blank=True)
    revenue_before = models.BigIntegerField(
        _("revenue before support (đồng)"), null=True, blank=True, validators=money_validators
    )
    revenue_after = models.BigIntegerField(
        _("revenue after support (đồng)"), null=True, blank=True, validators=money_validators
    )
    assets_before = models.BigIntegerField(
        _("assets before support (đồng)"), null=True, blank=True, validators=money_validators
    )
    assets_after = models.BigIntegerField(
        _("assets after support (đồng)"), null=True, blank=True, validators=money_validators
    )
    workers_before = models.PositiveIntegerField(_("workers before support"), null=True, blank=True)
    workers_after = models.PositiveIntegerField(_("workers after support"), null=True, blank=True)
    products_before = models.PositiveIntegerField(_("products before support"), null=True, blank=True)
    products_after = models.PositiveIntegerField(_("products after support"), null=True, blank=True)
    # The years the figures before and after are of (e.g. 2023, the year before the đề án, and 2025).
    impact_year_before = models.PositiveSmallIntegerField(
        _("year of the figures before"), null=True, blank=True, validators=year_validators
    )
    impact_year_after = models.PositiveSmallIntegerField(
        _("year of the figures after"), null=True, blank=True, validators=year_validators
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # The name as compared (normalised, case-folded): a facility without a tax code is known by
    # its name in its province, so two may not share one there (the database keeps it so).
    name_key = models.CharField(max_length=600, null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    search_source = ("name", "tax_code", "address")
    history = HistoricalRecords(
        verbose_name=_("historical facility"), excluded_fields=["search_text", "current_province", "name_key"]
    )

    class Meta:
        verbose_name = _("rural-industry facility")
        verbose_name_plural = _("rural-industry facilities")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="facility_name_idx"),
            models.Index(fields=["current_province", "name", "id"], name="facility_scope_name_idx"),
            models.Index(fields=["current_province", "id"], include=["search_text"], name="facility_scope_search_idx"),
            # Facilities told apart by name within a province (the data-quality panel's twins).
            models.Index(fields=["current_province", "name_key"], name="facility_scope_name_key_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(tax_code__isnull=True) | Q(tax_code__regex=r"^[0-9]{10}(-[0-9]{3})?$"),
                name="facility_tax_code_format",
                violation_error_message=tax_code_validator.message,
            ),
            models.CheckConstraint(
                condition=(Q(revenue_before__isnull=True) | Q(revenue_before__gte=0))
                & (Q(revenue_after__isnull=True) | Q(revenue_after__gte=0))
                & (Q(assets_before__isnull=True) | Q(assets_before__gte=0))
                & (Q(assets_after__isnull=True) | Q(assets_after__gte=0)),
                name="facility_figures_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(impact_year_before__isnull=True)
                | Q(impact_year_after__isnull=True)
                | Q(impact_year_before__lte=F("impact_year_after")),
                name="facility_impact_years_in_order",
                violation_error_message=_("The year of the figures after support is before the year of those before."),
            ),
            models.UniqueConstraint(
                fields=["current_province", "name_key"],
                condition=Q(tax_code__isnull=True),
                name="facility_name_unique_without_tax_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.tax_code})" if self.tax_code else self.name

    def save(self, *args, **kwargs):
        if self.tax_code == "":
            self.tax_code = None
        self.name_key = self.key_of(self.name)
        super().save(*args, **kwargs)

    @staticmethod
    def key_of(name: str) -> str:
        """The name as facilities are told apart by it (what `name_key` stores)."""
        return normalise(name or "").casefold()

    def validate_constraints(self, exclude=None):
        # The name's uniqueness is checked by clean() with a message at the name.
        super().validate_constraints({*(exclude or ()), "name_key"})

    def clean(self) -> None:
        if self.tax_code:
            self.tax_code = self.tax_code.strip()
        before, after = self.impact_year_before, self.impact_year_after
        if before is not None and after is not None and before > after:
            raise ValidationError(
                {"impact_year_after": _("The year of the figures after support is before the year of those before.")}
            )
        if self.province_id and self.commune_id and self.commune.province_id != self.province.current_id:
            raise ValidationError({"commune": _("The commune is not in %(province)s.") % {"province": self.province}})
        if not self.tax_code and self.name and self.province_id:
            twin = Facility.objects.filter(
                current_province_id=unit_of_today_id(self.province),
                tax_code__isnull=True,
                name_key=self.key_of(self.name),
            ).exclude(pk=self.pk)
            if twin.exists():
                raise ValidationError(
                    {
                        "name": _(
                            "%(province)s already has a facility named “%(name)s” without a tax code: give this "
                            "one its tax code, or choose the facility already registered."
                        )
                        % {"province": self.province.name, "name": self.name}
                    }
                )


# --- Support caps (mức hỗ trợ tối đa) ---------------------------------------------------------


class SupportItem(Searchable):
    """What a beneficiary's support pays for (hạng mục hỗ trợ): the key of the caps in law.

    Not the activity content: one content (QĐ 1881's group 1) holds both a 30 % demonstration model
    and 50 % machinery, each with its own cap.
    """

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=300)
    number = models.PositiveSmallIntegerField(_("order"), default=0)

    search_source = ("code", "name")

    class Meta:
        verbose_name = _("support item")
        verbose_name_plural = _("support items")
        ordering = ["number", "code"]

    def __str__(self) -> str:
        return self.name


class CapUnit(models.TextChoices):
    """What an absolute cap counts: per facility, model, enterprise, booth, brand, cluster or đề án."""

    FACILITY = "co_so", _("facility")
    MODEL = "mo_hinh", _("model")
    ENTERPRISE = "doanh_nghiep", _("enterprise")
    BOOTH = "gian_hang", _("booth")
    BRAND = "nhan_hieu", _("brand")
    CLUSTER = "cum_cn", _("industrial cluster")
    PROJECT = "de_an", _("project")


# Units whose cap holds for a facility over all its đề án under the same rule (a facility's
# support for the item is summed); the others hold for one beneficiary line of one đề án.
CAP_UNITS_SUMMED = (CapUnit.FACILITY, CapUnit.ENTERPRISE)


class SupportCap(RegisterModel):
    """A cap of the law on one support item, for a funding level (and a province for KCĐP), in force
    from one date to another: `support ≤ min(percent × eligible cost, amount × multiplier)`.

    KCQG caps follow Thông tư 28/2018/TT-BTC; a province's KCĐP caps its HĐND resolution. A đề án
    keeps the rule in force on its approval date (programmes.caps).
    """

    class Condition(models.TextChoices):
        TECHNOLOGY_LINE = "day_chuyen", _("a whole technology line")

    level = models.CharField(_("level"), max_length=4, choices=SchemeLevel.choices)
    province = models.ForeignKey(
        Province,
        verbose_name=_("province / city"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_caps",
        help_text=_("Required for a KCĐP cap (the province's HĐND resolution); empty for KCQG."),
    )
    item = models.ForeignKey(SupportItem, verbose_name=_("support item"), on_delete=models.PROTECT, related_name="caps")
    document = models.CharField(
        _("legal document"), max_length=200, help_text=_("e.g. Thông tư 28/2018/TT-BTC; Nghị quyết 08/2024/NQ-HĐND")
    )
    article = models.CharField(_("article"), max_length=40, blank=True, help_text=_("e.g. Điều 8"))
    clause = models.CharField(_("clause"), max_length=40, blank=True, help_text=_("e.g. khoản 4"))
    valid_from = models.DateField(_("in force from"))
    valid_to = models.DateField(_("in force until"), null=True, blank=True, help_text=_("Empty: still in force."))
    percent = models.DecimalField(
        _("percent cap"), max_digits=5, decimal_places=2, null=True, blank=True,
        help_text=_("The highest share of the eligible cost, in %; empty: no percent cap."),
    )  # fmt: skip
    percent_base = models.CharField(
        _("percent of"), max_length=200, blank=True, help_text=_("e.g. chi phí máy móc thiết bị")
    )
    amount = models.BigIntegerField(
        _("absolute cap (đồng)"), null=True, blank=True, help_text=_("Empty: no absolute cap.")
    )
    unit = models.CharField(_("cap per"), max_length=12, choices=CapUnit.choices, default=CapUnit.FACILITY)
    multiplier = models.DecimalField(
        _("multiplier"), max_digits=4, decimal_places=2, null=True, blank=True,
        help_text=_("The absolute cap is multiplied by this when the condition holds (e.g. 1,5)."),
    )  # fmt: skip
    multiplier_condition = models.CharField(
        _("multiplier applies to"), max_length=12, choices=Condition.choices, blank=True
    )
    eligibility = models.TextField(_("eligibility notes"), blank=True)

    objects = ScopedQuerySet.as_manager()
    province_path = "province__current"
    national_visible = True
    history = HistoricalRecords(verbose_name=_("historical support cap"))

    class Meta:
        verbose_name = _("support cap")
        verbose_name_plural = _("support caps")
        ordering = ["level", "province", "item__number", "-valid_from"]
        indexes = [models.Index(fields=["item", "level", "valid_from"], name="support_cap_lookup_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(level=SchemeLevel.NATIONAL) & Q(province__isnull=True))
                | (Q(level=SchemeLevel.LOCAL) & Q(province__isnull=False)),
                name="support_cap_local_has_province",
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=False) | Q(amount__isnull=False), name="support_cap_has_a_limit"
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | (Q(percent__gt=0) & Q(percent__lte=100)),
                name="support_cap_percent_in_range",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="support_cap_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(multiplier__isnull=True) | (Q(multiplier__gte=1) & ~Q(multiplier_condition="")),
                name="support_cap_multiplier_has_condition",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="support_cap_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} – {self.basis}"

    @property
    def basis(self) -> str:
        """The legal basis as cited: "khoản 4 Điều 8 Thông tư 28/2018/TT-BTC"."""
        return " ".join(part for part in (self.clause, self.article, self.document) if part)

    def applies_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def clean(self) -> None:
        errors = {}
        if self.level == SchemeLevel.LOCAL and not self.province_id:
            errors["province"] = _("A KCĐP cap belongs to a province: choose it.")
        if self.level == SchemeLevel.NATIONAL and self.province_id:
            errors["province"] = _("A KCQG cap holds for every province: leave the province empty.")
        if self.percent is None and self.amount is None:
            errors["percent"] = _("Give a percent cap, an absolute cap, or both.")
        if self.percent is not None and self.percent > 0 and not self.percent_base:
            errors["percent_base"] = _("Say what the percent is of (e.g. chi phí máy móc thiết bị).")
        if self.multiplier is not None and not self.multiplier_condition:
            errors["multiplier_condition"] = _("Say when the multiplier applies.")
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            errors["valid_to"] = _("The end of validity is before its start.")
        if not errors and self.item_id and self.valid_from:
            overlapping = SupportCap.objects.filter(
                level=self.level, province_id=self.province_id, item_id=self.item_id
            ).exclude(pk=self.pk)
            overlapping = overlapping.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from))
            if self.valid_to:
                overlapping = overlapping.filter(valid_from__lte=self.valid_to)
            other = overlapping.first()
            if other is not None:
                errors["valid_from"] = _(
                    "Another cap on this item is in force over these dates (%(basis)s, from %(start)s): "
                    "end it before this one starts."
                ) % {"basis": other.basis, "start": f"{other.valid_from:%d/%m/%Y}"}
        if errors:
            raise ValidationError(errors)


class Beneficiary(FiledUnder, RegisterModel):
    """A facility supported by a đề án, with the support and counterpart amounts for it."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="beneficiaries"
    )
    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.PROTECT,
        related_name="beneficiary_links",
        db_index=False,  # beneficiary_facility_idx leads with it
    )
    support_amount = money_field(_("support (đồng)"))
    counterpart_amount = money_field(_("counterpart funds (đồng)"))
    # What the support pays for and its eligible cost (dự toán): the support cap's inputs.
    support_item = models.ForeignKey(
        SupportItem,
        verbose_name=_("support item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("What the support pays for; its cap in law is checked at approval."),
    )
    eligible_cost = models.BigIntegerField(
        _("eligible cost (đồng)"),
        null=True,
        blank=True,
        validators=money_validators,
        help_text=_(
            "The approved estimate the percent cap is taken of (not support plus counterpart if other funds exist)."
        ),
    )
    technology_line = models.BooleanField(
        _("whole technology line"), default=False, help_text=_("A whole line raises the machinery cap (× 1,5).")
    )
    cap_exception = models.CharField(
        _("decision allowing more than the cap"),
        max_length=60,
        blank=True,
        help_text=_("The number of the decision that allows this support above its cap, e.g. 123/QĐ-UBND."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    filed_under = ("project",)
    history = HistoricalRecords(
        verbose_name=_("historical beneficiary"), excluded_fields=["province", "current_province", "year"]
    )

    class Meta:
        verbose_name = _("beneficiary")
        verbose_name_plural = _("beneficiaries")
        ordering = ["project", "facility__name"]
        indexes = [
            models.Index(
                fields=["current_province", "id"],
                include=["support_amount", "counterpart_amount"],
                name="beneficiary_scope_idx",
            ),
            models.Index(
                fields=["current_province", "year", "id"],
                include=["support_amount", "counterpart_amount"],
                name="beneficiary_scope_year_idx",
            ),
            models.Index(fields=["year", "id"], name="beneficiary_year_idx"),
            # A search by facility: its beneficiaries and their totals, from the index alone.
            models.Index(
                fields=["facility"], include=["support_amount", "counterpart_amount"], name="beneficiary_facility_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["project", "facility"], name="beneficiary_once_per_project"),
            models.CheckConstraint(
                condition=Q(support_amount__gte=0) & Q(counterpart_amount__gte=0),
                name="beneficiary_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(eligible_cost__isnull=True) | Q(eligible_cost__gte=0),
                name="beneficiary_eligible_cost_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility} – {self.project.code}"

    def clean(self) -> None:
        if (
            self.project_id
            and self.facility_id
            and self.facility.province.current_id != self.project.plan.province.current_id
        ):
            raise ValidationError({"facility": _("The facility is in another province than the project.")})


# --- Disbursements ----------------------------------------------------------------------------


class Disbursement(FiledUnder, RegisterModel):
    """One payment of KC support on a đề án (advance, payment or settlement)."""

    Kind = PaymentKind

    class Source(models.TextChoices):
        CENTRAL = "nstw", _("central budget")
        PROVINCIAL = "ns_tinh", _("provincial budget")
        COMMUNE = "ns_xa", _("commune budget")

    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        related_name="disbursements",
        db_index=False,  # disbursement_project_idx leads with it
    )
    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disbursements",
        help_text=_("The beneficiary paid, where the payment is for one facility."),
    )
    # Copied from the đề án like the filed-under columns (and kept equal by the same key), so the
    # reports sum payments by plan and activity content without reading the đề án.
    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )
    content = models.ForeignKey(
        ActivityContent,
        verbose_name=_("activity content"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
    )
    paid_on = models.DateField(_("date"))
    amount = models.BigIntegerField(_("amount (đồng)"), validators=[MinValueValidator(1)])
    source = models.CharField(_("funding source"), max_length=8, choices=Source.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    voucher_number = models.CharField(_("voucher number"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # The one-time token of the form that entered the payment: the same form posted twice
    # (a double-click, parallel tabs) writes it once (services.disbursements_create).
    entry_token = models.UUIDField(_("entry token"), null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    filed_under = ("project",)
    history = HistoricalRecords(
        verbose_name=_("historical disbursement"),
        excluded_fields=["province", "current_province", "year", "plan", "content", "entry_token"],
    )

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["-paid_on", "-id"]
        indexes = [
            models.Index(fields=["paid_on", "id"], name="disbursement_paid_idx"),
            # The totals of a province's payments, of a year's, read from these indexes alone.
            models.Index(
                fields=["current_province", "paid_on", "id"], include=["amount"], name="disbursement_scope_paid_idx"
            ),
            # A year's payments by date (the lists), and up to a day per đề án (the lag rules'
            # payments of a plan year, programmes.lags), from the index alone.
            models.Index(
                fields=["year", "paid_on", "id"],
                include=["amount", "project", "kind"],
                name="disbursement_year_paid_idx",
            ),
            models.Index(
                fields=["current_province", "year", "paid_on", "id"],
                include=["amount"],
                name="disbursement_scope_year_idx",
            ),
            models.Index(fields=["amount", "id"], name="disbursement_amount_idx"),
            # A search by voucher number (the payment list's search box).
            models.Index(fields=["voucher_number"], condition=~Q(voucher_number=""), name="disbursement_voucher_idx"),
            models.Index(fields=["current_province", "amount", "id"], name="disbursement_scope_amount_idx"),
            # A search by đề án: its payments and their totals, from the index alone; and the lag
            # rules' payments of a đề án up to a day (programmes.lags), from the index alone too.
            models.Index(fields=["project", "paid_on"], include=["amount", "kind"], name="disbursement_project_idx"),
            # The reports' sums by plan and content over a period (reports.figures), from the index alone.
            models.Index(
                fields=["paid_on"],
                include=["year", "plan", "content", "amount", "province", "current_province", "project"],
                name="disbursement_report_idx",
            ),
            models.Index(
                fields=["current_province", "paid_on"],
                include=["year", "plan", "content", "amount", "province", "project"],
                name="disbursement_scope_report_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_amount_positive"),
            models.UniqueConstraint(
                fields=["project", "voucher_number"],
                condition=~Q(voucher_number=""),
                name="disbursement_voucher_unique_per_project",
            ),
            models.UniqueConstraint(
                fields=["entry_token"], condition=Q(entry_token__isnull=False), name="disbursement_entered_once"
            ),
        ]

    def __str__(self) -> str:
        return _("%(kind)s of %(amount)s đồng on %(date)s") % {
            "kind": self.get_kind_display(),
            "amount": money(self.amount),
            "date": self.paid_on.strftime("%d/%m/%Y"),
        }

    def fill_filed_under(self) -> None:
        super().fill_filed_under()
        project = self._meta.get_field("project")
        if project.is_cached(self) or self.project_id is not None:
            parent = self.project
            if parent is not None:
                self.plan_id, self.content_id = parent.plan_id, parent.content_id

    def validate_constraints(self, exclude=None):
        # The amount's CHECK is the field's MinValueValidator; the voucher's uniqueness is one query
        # here (Django's generic check would run one per constraint, each inside a savepoint). The
        # database checks both again.
        if (exclude and "voucher_number" in exclude) or not self.voucher_number or not self.project_id:
            return
        clash = Disbursement.objects.filter(project_id=self.project_id, voucher_number=self.voucher_number)
        if clash.exclude(pk=self.pk).exists():
            raise ValidationError({"voucher_number": _("This project already has a payment with this voucher number.")})

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if not self.project_id:
            return
        project = self.project
        if not project.accepts_payments:
            errors.setdefault("project", []).append(
                _("Money can only be disbursed on an approved project (status now: %(status)s).")
                % {"status": project.get_status_display()}
            )
        if self.paid_on:
            if project.decision_date and self.paid_on < project.decision_date:
                errors.setdefault("paid_on", []).append(
                    _("The date is before the approval decision (%(date)s).")
                    % {"date": f"{project.decision_date:%d/%m/%Y}"}
                )
            if self.paid_on > timezone.localdate():
                errors.setdefault("paid_on", []).append(_("The date is in the future."))
            if project.stopped_on and self.paid_on > project.stopped_on:
                errors.setdefault("paid_on", []).append(
                    _("The project was stopped on %(date)s.") % {"date": f"{project.stopped_on:%d/%m/%Y}"}
                )
        expected = SOURCES_BY_LEVEL[project.plan.scheme.level]
        if self.source and self.source not in expected:
            errors.setdefault("source", []).append(
                _("A %(level)s project is paid from: %(sources)s.")
                % {
                    "level": project.plan.scheme.get_level_display(),
                    "sources": ", ".join(str(self.Source(code).label) for code in expected),
                }
            )
        if self.facility_id and not project.beneficiaries.filter(facility_id=self.facility_id).exists():
            errors.setdefault("facility", []).append(_("This facility is not a beneficiary of the project."))
        if errors:
            raise ValidationError(errors)


SOURCES_BY_LEVEL = {
    SchemeLevel.NATIONAL: (Disbursement.Source.CENTRAL,),
    SchemeLevel.LOCAL: (Disbursement.Source.PROVINCIAL, Disbursement.Source.COMMUNE),
}


# --- Attachments ------------------------------------------------------------------------------


def attachment_path(instance: Attachment, filename: str) -> str:
    owner = f"de-an/{instance.project_id}" if instance.project_id else f"ke-hoach/{instance.plan_id}"
    return f"tep-dinh-kem/{owner}/{filename}"


class Attachment(FiledUnder, RegisterModel):
    """A scanned decision, contract or minutes attached to a đề án or a plan."""

    class Kind(models.TextChoices):
        DECISION = "quyet_dinh", _("decision")
        CONTRACT = "hop_dong", _("contract")
        ACCEPTANCE = "nghiem_thu", _("acceptance minutes")
        LIQUIDATION = "thanh_ly", _("liquidation minutes")
        SETTLEMENT = "quyet_toan", _("settlement documents")
        OTHER = "khac", _("other")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to=attachment_path, storage=attachment_storage, max_length=300)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    objects = ScopedQuerySet.as_manager()
    filed_under = ("project", "plan")
    history = HistoricalRecords(
        verbose_name=_("historical attachment"), excluded_fields=["province", "current_province", "year"]
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-uploaded_at"]
        indexes = [models.Index(fields=["current_province", "uploaded_at"], name="attachment_scope_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(project__isnull=False) & Q(plan__isnull=True))
                | (Q(project__isnull=True) & Q(plan__isnull=False)),
                name="attachment_belongs_to_project_or_plan",
                violation_error_message=_("Attach the file to a project or to a plan (one of them)."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # Check a newly uploaded file only (a stored one passed when it was uploaded).
        upload = self.file.file if self.file and not getattr(self.file, "_committed", True) else None
        if upload is not None:
            errors = attachment_errors(upload, settings.KHUYENCONG_ATTACHMENT_MAX_BYTES)
            if errors:
                raise ValidationError({"file": errors})


# --- Outputs (chỉ tiêu) -----------------------------------------------------------------------


class IndicatorKind(RegisterModel):
    """An output indicator of the catalogue: trainees, demonstration models, facilities supported…"""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40)
    number = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("output indicator")
        verbose_name_plural = _("output indicators")
        ordering = ["number", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class Indicator(FiledUnder, RegisterModel):
    """A planned and achieved output (chỉ tiêu) of a đề án, or of a plan line (plan and content).

    `achieved_on` dates the achieved figure: a report counts it when that date is on or before
    the end of its period, and an issued report locks it by that date.
    """

    kind = models.ForeignKey(IndicatorKind, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, null=True, blank=True, related_name="indicators"
    )
    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, null=True, blank=True, related_name="indicators"
    )
    content = models.ForeignKey(
        ActivityContent,
        verbose_name=_("activity content"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For a plan's indicator: the plan line (activity content) it belongs to."),
    )
    planned = models.PositiveIntegerField(_("planned"), default=0)
    achieved = models.PositiveIntegerField(_("achieved"), default=0)
    achieved_on = models.DateField(
        _("achieved as of"), null=True, blank=True, help_text=_("The date the achieved figure was recorded.")
    )

    objects = ScopedQuerySet.as_manager()
    filed_under = ("project", "plan")
    history = HistoricalRecords(
        verbose_name=_("historical indicator"), excluded_fields=["province", "current_province", "year"]
    )

    class Meta:
        verbose_name = _("output indicator value")
        verbose_name_plural = _("output indicator values")
        ordering = ["kind__number", "id"]
        indexes = [models.Index(fields=["current_province", "year"], name="indicator_scope_year_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(project__isnull=False) & Q(plan__isnull=True) & Q(content__isnull=True))
                | (Q(project__isnull=True) & Q(plan__isnull=False) & Q(content__isnull=False)),
                name="indicator_of_project_or_plan_line",
                violation_error_message=_("An indicator belongs to a project, or to a plan and one of its contents."),
            ),
            models.CheckConstraint(
                condition=Q(achieved=0) | Q(achieved_on__isnull=False),
                name="indicator_achieved_is_dated",
                violation_error_message=_("Give the date of the achieved figure."),
            ),
            models.UniqueConstraint(
                fields=["project", "kind"], condition=Q(project__isnull=False), name="indicator_once_per_project"
            ),
            models.UniqueConstraint(
                fields=["plan", "content", "kind"], condition=Q(plan__isnull=False), name="indicator_once_per_plan_line"
            ),
        ]

    def __str__(self) -> str:
        return str(self.kind) if self.kind_id else ""

    def clean(self) -> None:
        errors = {}
        if self.achieved and not self.achieved_on:
            errors["achieved_on"] = _("Give the date of the achieved figure.")
        if self.plan_id and not self.content_id:
            errors["content"] = _("Choose the plan line (activity content) of this indicator.")
        if errors:
            raise ValidationError(errors)


# --- Users -------------------------------------------------------------------------------------


# --- Consultancy services (dịch vụ tư vấn) -----------------------------------------------------


class ConsultancyService(FiledUnderProvince, RegisterModel):
    """Paid consultancy a province's centre provided in a year, and its revenue: another programme a
    centre runs beside khuyến công, reported beside it, never inside its figures."""

    province = models.ForeignKey(
        Province, verbose_name=_("province / city"), on_delete=models.PROTECT, related_name="consultancy"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=year_validators)
    service = models.CharField(
        _("service"), max_length=300, help_text=_("e.g. Tư vấn lập dự án đầu tư; tư vấn kiểm toán năng lượng")
    )
    contracts = models.PositiveIntegerField(_("number of contracts"), default=0)
    revenue = money_field(_("revenue (đồng)"))
    note = models.TextField(_("note"), blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("historical consultancy service"), excluded_fields=["current_province"])

    class Meta:
        verbose_name = _("consultancy service")
        verbose_name_plural = _("consultancy services")
        ordering = ["-year", "service", "id"]
        indexes = [models.Index(fields=["current_province", "year"], name="consultancy_scope_year_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(revenue__gte=0), name="consultancy_revenue_not_negative"),
            models.UniqueConstraint(
                fields=["province", "year", "service"],
                name="consultancy_service_once_a_year",
                violation_error_message=_("This service is already recorded for this province and year."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} ({self.year})"


class UserProfile(models.Model):
    """The role of a user and, for provincial roles, the province (of today) they work for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    province = models.ForeignKey(
        Province,
        verbose_name=_("province / city"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        limit_choices_to={"valid_to__isnull": True},
        help_text=_("Required for provincial roles: the province of today whose data the user keeps."),
    )

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=PROVINCE_ROLES) | Q(province__isnull=False),
                name="profile_provincial_role_has_province",
                violation_error_message=_("A provincial role needs a province."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"
