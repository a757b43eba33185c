"""What each kind's rows mean: resolve natural keys, find the row they update, write through the services.

An importer reads the file's keys once (`prepare`: one query per kind of key, whatever the number
of rows), then for each row works out the record it would write (`resolve`: new, updated or
unchanged, or a `RowError` naming the column), and writes it through `programmes.services`
(`write`), which check the write rule, the role and lifecycle, the period lock and the money
limits exactly as for a form. Nothing here writes to the database itself.
"""

from __future__ import annotations

import copy
import datetime
from abc import ABC, abstractmethod
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import BigIntegerField, Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from programmes import allocations, caps, services
from programmes.access import may_write_in_province
from programmes.lib import iterables
from programmes.lib.formatting import money
from programmes.lib.text import search_key, text_problem
from programmes.models import (
    ActivityContent,
    Beneficiary,
    Commune,
    Disbursement,
    Facility,
    Indicator,
    IndicatorKind,
    Organisation,
    Plan,
    PlanLine,
    Programme,
    Project,
    ProjectStatus,
    Province,
    Scheme,
    SchemeLevel,
    SupportItem,
)
from programmes.statuses import STATUS_DATE_FIELD
from programmes.units import province_code, unit_of_today_id, unit_on

from . import formats

S = ProjectStatus
CHUNK = 5_000


class RowError(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column, self.message = column, message


@dataclass
class Row:
    number: int
    values: dict
    errors: list[tuple[str, str]] = field(default_factory=list)
    action: str = ""  # "new", "updated", "unchanged"
    label: str = ""
    notes: list[str] = field(default_factory=list)
    target: object = None  # the record as the row would write it
    stored: object = None  # the record as stored (None: new)
    key: tuple = ()
    context: dict = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)  # the fields an update changes (attnames)

    def fail(self, column: str, message: str) -> None:
        if (column, message) not in self.errors:
            self.errors.append((column, message))


@dataclass
class Change:
    instance: object
    action: str  # ImportChange.Action
    before: dict
    after: dict
    row_number: int | None = None
    label: str = ""


def snapshot(instance, names) -> dict:
    """The named fields' values (attnames), as JSON."""
    result = {}
    for name in names:
        value = getattr(instance, name)
        result[name] = value.isoformat() if isinstance(value, datetime.date) else value
    return result


def described_changes(row: Row) -> list[str]:
    """What an update changes, field by field, as the preview shows it: "Số tiền (đồng): 100.000.000 →
    120.000.000" (money grouped, dates dd/mm/yyyy, choices and related records by name)."""
    if row.stored is None or not row.changed:
        return []
    fields = {f.attname: f for f in type(row.stored)._meta.concrete_fields}
    lines = []
    for name in row.changed:
        model_field = fields.get(name)
        if model_field is None:
            continue
        before, after = (_shown(model_field, record) for record in (row.stored, row.target))
        lines.append(f"{capfirst(model_field.verbose_name)}: {before} → {after}")
    return lines


def _shown(model_field, record) -> str:
    value = getattr(record, model_field.attname)
    if value is None or value == "":
        return "–"
    if model_field.is_relation:
        related = getattr(record, model_field.name, None) if model_field.is_cached(record) else None
        return str(related) if related is not None else str(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(model_field, BigIntegerField):  # money, whole đồng
        return money(value)
    return str(value)


def chunked(values, size=CHUNK):
    return iterables.chunked(values, size)


class Importer(ABC):
    format: type[formats.Format]
    model = None
    # Model field → the column its errors are reported under, where the format does not say it
    # (a format's column reports the errors of the field it fills: `columns`).
    more_columns: dict[str, str] = {}
    # The fields a row writes (compared for "unchanged", kept for voiding).
    written: tuple[str, ...] = ()

    def __init__(self, user, reason: str):
        self.columns = {}
        for column in self.format.columns():
            self.columns.setdefault(column.attribute.split("__")[0], column.column_name)
            self.columns.setdefault(column.key, column.column_name)
        self.columns.update(self.more_columns)
        self.user = user
        self.reason = reason
        self.today = timezone.localdate()
        self._provinces: dict[str, list[Province]] | None = None

    # --- Shared lookups -------------------------------------------------------------------------

    def provinces(self) -> dict[str, list[Province]]:
        if self._provinces is None:
            self._provinces = defaultdict(list)
            for province in Province.objects.select_related("current"):
                self._provinces[province.code].append(province)
        return self._provinces

    def province_at(self, code: str, day: datetime.date, column="Mã tỉnh") -> Province:
        """The unit that bore `code` on `day` (codes were reused after 1/7/2025; `units.unit_on`)."""
        bearers = self.provinces().get(province_code(code), [])
        unit = unit_on(bearers, day)
        if unit is not None:
            return unit
        if bearers:
            raise RowError(
                column,
                _("No province had the code %(code)s on %(date)s.") % {"code": code, "date": f"{day:%d/%m/%Y}"},
            )
        raise RowError(column, _("Unknown province code “%(code)s”.") % {"code": code})

    def province_in_year(self, code: str, year: int, column="Mã tỉnh") -> Province:
        """The unit with `code` in `year`: the one valid on 1 January, else the one founded that year."""
        try:
            return self.province_at(code, datetime.date(year, 1, 1), column)
        except RowError:
            return self.province_at(code, datetime.date(year, 12, 31), column)

    def check_scope(self, province_id: int | None, column: str, name: str = "") -> None:
        """Refuse a row filed under a province the user does not keep (the services check again)."""
        if self.user is not None and not may_write_in_province(self.user, province_id):
            raise RowError(
                column,
                _("This row belongs to another province (%(name)s): you may import only your province's data.")
                % {"name": name or "?"},
            )

    def unit_name(self, current_province_id: int | None) -> str:
        for units in self.provinces().values():
            for unit in units:
                if unit.pk == current_province_id:
                    return unit.name
        return ""

    # --- The steps ------------------------------------------------------------------------------

    @abstractmethod
    def prepare(self, rows: list[Row]) -> None:
        """Read every record the rows refer to, a constant number of queries for the file."""

    @abstractmethod
    def resolve(self, row: Row) -> None:
        """Set the row's target, stored record, key, label and action, or raise RowError."""

    def order(self, row: Row):
        return (row.number,)

    @abstractmethod
    def write(self, row: Row) -> list[Change]:
        """Write the row's target through its service; return what changed."""

    def compare(self, row: Row) -> None:
        """Set the row's action from the target against the stored record."""
        if row.stored is None:
            row.action = "new"
        else:
            row.changed = [name for name in self.written if getattr(row.target, name) != getattr(row.stored, name)]
            row.action = "updated" if row.changed else "unchanged"

    def change(self, row: Row, instance) -> Change:
        after = snapshot(instance, self.written)
        if row.stored is None:
            return Change(instance, "created", {}, after, row.number, row.label)
        return Change(instance, "updated", snapshot(row.stored, self.written), after, row.number, row.label)


def _schemes():
    return list(Scheme.objects.select_related("province"))


class _SchemeLookup:
    """The scheme a plan of a province, year and level belongs to."""

    def __init__(self):
        self.schemes = _schemes()

    def find(self, province: Province, year: int, level: str, programme: str | None = None) -> Scheme:
        """The scheme of the programme (khuyến công when None) for the row's level, province and year."""
        current = unit_of_today_id(province)
        programme = programme or Programme.INDUSTRY_PROMOTION
        for scheme in self.schemes:
            if scheme.level != level or not (scheme.start_year <= year <= scheme.end_year):
                continue
            if scheme.programme != programme:
                continue
            if level == SchemeLevel.NATIONAL and scheme.province_id is None:
                return scheme
            if (
                level == SchemeLevel.LOCAL
                and scheme.province_id is not None
                and unit_of_today_id(scheme.province) == current
            ):
                return scheme
        if programme != Programme.INDUSTRY_PROMOTION:
            raise RowError(
                "Chương trình",
                _("No %(level)s scheme of the programme “%(programme)s” covers %(year)s for %(province)s.")
                % {
                    "level": "KCQG" if level == SchemeLevel.NATIONAL else "KCĐP",
                    "programme": Programme(programme).label,
                    "year": year,
                    "province": province.name,
                },
            )
        if level == SchemeLevel.NATIONAL:
            raise RowError("Cấp", _("No national scheme covers %(year)s.") % {"year": year})
        raise RowError(
            "Cấp",
            _("%(province)s has no local industry-promotion scheme covering %(year)s.")
            % {"province": province.name, "year": year},
        )


def _contents() -> dict[str, ActivityContent]:
    return {content.code.casefold(): content for content in ActivityContent.objects.select_related("catalogue")}


def _content(contents, code: str) -> ActivityContent:
    content = contents.get(code.casefold())
    if content is None:
        raise RowError("Mã nội dung", _("Unknown activity content code “%(code)s”.") % {"code": code})
    return content


def _projects_by_code(codes) -> dict[str, Project]:
    found = {}
    for chunk in chunked(sorted(set(codes))):
        for project in Project.objects.filter(code__in=chunk).select_related("plan__scheme"):
            found[project.code] = project
    return found


class _ProjectRows(Importer):
    """A kind whose rows hang on a đề án named by its code."""

    def prepare(self, rows):
        self.projects = _projects_by_code(row.values["project"] for row in rows)

    def stored_rows(self, queryset):
        """The rows of `queryset` that hang on the file's đề án (one query per chunk of đề án)."""
        for chunk in chunked([project.pk for project in self.projects.values()]):
            yield from queryset.filter(project_id__in=chunk)

    def project(self, row: Row) -> Project:
        code = row.values["project"]
        project = self.projects.get(code)
        if project is None:
            raise RowError("Mã đề án", _("Unknown project code “%(code)s”.") % {"code": code})
        self.check_scope(project.current_province_id, "Mã đề án", self.unit_name(project.current_province_id))
        return project


# --- Plans ----------------------------------------------------------------------------------------


class _PlannedRows(Importer):
    """A kind whose rows name a province, a year and a level: the plan they belong to."""

    def prepare(self, rows):
        self.schemes = _SchemeLookup()
        self.contents = _contents()
        years = {row.values["year"] for row in rows}
        self.plans = {
            (plan.scheme_id, plan.province_id, plan.year): plan
            for plan in Plan.objects.filter(year__in=years).select_related("scheme", "province")
        }

    def place(self, row: Row) -> tuple[Province, Scheme, tuple]:
        """The row's province (its code read in the row's year, within the user's scope), the scheme
        of its level and the key of its plan in `plans`."""
        values = row.values
        year = values["year"]
        province = self.province_in_year(values["province"], year)
        self.check_scope(unit_of_today_id(province), "Mã tỉnh", province.name)
        scheme = self.schemes.find(province, year, values["level"], values.get("programme"))
        return province, scheme, (scheme.pk, province.pk, year)


class PlanImporter(_PlannedRows):
    format = formats.PlanFormat
    model = PlanLine
    written = ("planned_amount", "planned_projects")
    more_columns = {"scheme": "Cấp", "status": "Số quyết định phê duyệt"}

    def prepare(self, rows):
        super().prepare(rows)
        self.lines = {
            (line.plan_id, line.content_id): line
            for line in PlanLine.objects.filter(plan__in=[plan.pk for plan in self.plans.values()])
        }
        self.new_plans: dict[tuple, Plan] = {}
        self.decisions: dict[tuple, tuple] = {}  # the approval each plan's rows carry, by plan key

    def decision(self, row, plan_key, plan: Plan | None) -> tuple | None:
        """The approval decision the row carries for its plan (number, date, issuer), checked against the
        plan's other rows and the plan as stored; None: the row approves nothing."""
        values = row.values
        number, day, issuer = values["decision_number"], values["decision_date"], values["decision_issuer"]
        for column, text in (("Số quyết định phê duyệt", number), ("Cơ quan phê duyệt", issuer)):
            problem = text_problem(text or "", multiline=False)
            if problem:  # the cell's own fault first, before what it lacks beside it
                raise RowError(column, problem)
        if not number and not day:
            return None  # the plan's decision may stand on another of its rows
        if not number:
            raise RowError("Số quyết định phê duyệt", _("Give the number of the approval decision with its date."))
        if not day:  # at the number: the column that names the decision
            raise RowError("Số quyết định phê duyệt", _("Give the date of the approval decision with its number."))
        decision = (number, day, issuer or (plan.decision_issuer if plan else ""))
        if self.decisions.setdefault(plan_key, decision) != decision:
            raise RowError("Số quyết định phê duyệt", _("Another row of this plan gives another approval decision."))
        if plan is not None and plan.status == Plan.Status.APPROVED:
            if (plan.decision_number, plan.decision_date) != (number, day):
                raise RowError(
                    "Số quyết định phê duyệt",
                    _("The plan is already approved by decision %(number)s of %(date)s.")
                    % {
                        "number": plan.decision_number,
                        "date": f"{plan.decision_date:%d/%m/%Y}" if plan.decision_date else "",
                    },
                )
            return None  # approved by this very decision already
        return decision

    def resolve(self, row):
        values = row.values
        year = values["year"]
        province, scheme, plan_key = self.place(row)
        content = _content(self.contents, values["content"])
        plan = self.plans.get(plan_key)
        decision = self.decision(row, plan_key, plan)
        if plan is None:
            row.notes.append(_("new plan: %(plan)s") % {"plan": Plan(scheme=scheme, province=province, year=year)})
            row.context["plan_key"] = plan_key
            row.context["plan"] = (scheme, province, year)
        if decision is not None:
            row.context["approve"] = (plan_key, decision)
            row.notes.append(
                _("the plan approved by decision %(number)s of %(date)s")
                % {"number": decision[0], "date": f"{decision[1]:%d/%m/%Y}"}
            )
        row.key = (province.pk, year, values["level"], scheme.pk, content.pk)
        stored = self.lines.get((plan.pk, content.pk)) if plan else None
        target = copy.copy(stored) if stored else PlanLine(content=content)
        if plan:
            target.plan = plan
        target.planned_amount = values["planned_amount"]
        target.planned_projects = values["planned_projects"] or 0
        row.target, row.stored = target, stored
        row.label = f"{province.code} · {year} · {formats.LEVELS.render(values['level'])} · {content.code}"
        self.compare(row)

    def write(self, row):
        changes = []
        line = row.target
        if "plan_key" in row.context:
            plan = self.new_plans.get(row.context["plan_key"])
            if plan is None:
                scheme, province, year = row.context["plan"]
                plan = Plan(scheme=scheme, province=province, year=year, status=Plan.Status.DRAFT)
                services.save(plan, user=self.user, reason=self.reason)
                self.new_plans[row.context["plan_key"]] = plan
                changes.append(Change(plan, "created", {}, {}, row.number))
            line.plan = plan
        services.save(line, user=self.user, reason=self.reason)
        changes.append(self.change(row, line))
        if "approve" in row.context:
            changes.extend(self.approve(row, line.plan))
        return changes

    APPROVAL = ("status", "decision_number", "decision_date", "decision_issuer")

    def approve(self, row, plan: Plan) -> list[Change]:
        """Approve the plan by the row's decision, through the plan's service (a manager's, as in the admin),
        once per plan: after the row's line, so its other rows' lines join an approved plan."""
        plan_key, (number, day, issuer) = row.context["approve"]
        if plan.status == Plan.Status.APPROVED:
            return []
        before = snapshot(plan, self.APPROVAL)
        plan.status, plan.decision_number, plan.decision_date = Plan.Status.APPROVED, number, day
        plan.decision_issuer = issuer
        services.save(plan, user=self.user, reason=self.reason)
        return [Change(plan, "updated", before, snapshot(plan, self.APPROVAL), row.number)]


# --- Projects -------------------------------------------------------------------------------------


def _organisation_kind(name: str) -> str:
    key = search_key(name)
    if key.startswith("trung tam khuyen cong") or key.startswith("trung tam phat trien cong thuong"):
        return Organisation.Kind.PROVINCIAL_CENTRE
    if key.startswith("so cong thuong"):
        return Organisation.Kind.PROVINCIAL_DEPARTMENT
    if key.startswith(("ubnd", "uy ban nhan dan")):
        return Organisation.Kind.PEOPLES_COMMITTEE
    return Organisation.Kind.OTHER


class ProjectImporter(_PlannedRows):
    format = formats.ProjectFormat
    model = Project
    written = (
        "name",
        "plan_id",
        "content_id",
        "implementing_unit_id",
        "decision_number",
        "decision_date",
        "kc_support",
        "counterpart_funds",
        "start_date",
        "end_date",
        "status",
        "registered_on",
        "appraised_on",
        "contracted_on",
        "started_on",
        "accepted_on",
        "settled_on",
        "stopped_on",
    )
    # A status's dates come from the row's dates (ProjectImporter.fill_status_dates).
    more_columns = {
        "plan": "Năm",
        "stop_reason": "Trạng thái",
        "registered_on": "Trạng thái",
        "appraised_on": "Trạng thái",
        "contracted_on": "Ngày bắt đầu",
        "started_on": "Ngày bắt đầu",
        "accepted_on": "Ngày kết thúc",
        "settled_on": "Ngày kết thúc",
        "stopped_on": "Ngày kết thúc",
    }

    def prepare(self, rows):
        super().prepare(rows)
        self.projects = _projects_by_code(row.values["code"] for row in rows)
        currents = {unit_of_today_id(plan.province) for plan in self.plans.values()}
        self.organisations = {
            (unit_of_today_id(organisation.province), search_key(organisation.name)): organisation
            for organisation in Organisation.objects.filter(
                Q(province__current_id__in=currents) | Q(province_id__in=currents)
            ).select_related("province")
        }
        self.new_organisations: dict[tuple, Organisation] = {}

    def resolve(self, row):
        values = row.values
        year = values["year"]
        province, _scheme, plan_key = self.place(row)
        current = unit_of_today_id(province)
        plan = self.plans.get(plan_key)
        if plan is None:
            raise RowError(
                "Năm",
                _("%(province)s has no %(level)s plan for %(year)s: import or enter the plan first.")
                % {"province": province.name, "level": formats.LEVELS.render(values["level"]), "year": year},
            )
        content = _content(self.contents, values["content"])
        stored = self.projects.get(values["code"])
        if stored is not None:
            self.check_scope(stored.current_province_id, "Mã đề án", self.unit_name(stored.current_province_id))
        target = copy.copy(stored) if stored else Project(code=values["code"])
        target.plan, target.content = plan, content
        target.name = values["name"]
        org_key = (current, search_key(values["implementing_unit"]))
        organisation = self.organisations.get(org_key)
        if organisation is None:
            row.notes.append(_("new organisation: %(name)s") % {"name": values["implementing_unit"]})
            row.context["organisation"] = org_key
            target.implementing_unit_id = None
        else:
            target.implementing_unit = organisation
        target.decision_number = values["decision_number"]
        target.decision_date = values["decision_date"]
        target.kc_support = values["kc_support"]
        target.counterpart_funds = values["counterpart_funds"] or 0
        target.start_date, target.end_date = values["start_date"], values["end_date"]
        target.status = values["status"]
        self.fill_status_dates(target, stored)
        row.target, row.stored = target, stored
        row.key = (values["code"],)
        row.label = f"{values['code']} – {values['name']}"
        shares = self.shares(row, target, stored)
        if stored is not None and "organisation" in row.context:
            row.action = "updated"
        else:
            self.compare(row)
            if shares is not None and row.action == "unchanged":
                row.action = "updated"

    def shares(self, row, target: Project, stored: Project | None):
        """The row's shares by year (“Phân bổ kinh phí theo năm”), checked against the đề án as the row
        makes it; None when the cell is empty or repeats the stored shares (kept)."""
        cell = row.values.get("allocations")
        if cell is None:
            return None
        shares, complete = cell
        if not complete:
            shares = allocations.spread(target, shares)
        target.year = target.plan.year
        errors = allocations.share_errors(target, shares)
        if errors:
            raise RowError(self.format.fields["allocations"].column_name, " ".join(errors))
        if stored is not None and shares == services.projects.stored_shares(stored):
            return None
        row.context["shares"] = shares
        row.notes.append(
            _("shares by year: %(shares)s")
            % {"shares": "; ".join(f"{share.year}: {money(share.kc_support)}" for share in shares)}
        )
        return shares

    def fill_status_dates(self, project: Project, stored: Project | None) -> None:
        """The dates the row's status needs, from the row's dates (a stored date is kept)."""
        if stored is not None and stored.status == project.status:
            return
        known = [day for day in (project.decision_date, project.start_date) if day]
        earliest = min([*known, self.today])
        source = {
            "registered_on": earliest,
            "appraised_on": earliest,
            "contracted_on": project.start_date or project.decision_date,
            "started_on": project.start_date,
            "accepted_on": project.end_date,
            "settled_on": project.end_date,
            "stopped_on": project.end_date or self.today,
        }
        needed = STATUS_DATE_FIELD[project.status]
        steps = [needed]
        if project.status == S.SETTLED:
            steps.append("accepted_on")
        if project.status in (S.ACCEPTED, S.SETTLED) and project.start_date:
            steps.append("started_on")
        for name in steps:
            if name in source and getattr(project, name) is None:
                setattr(project, name, source[name])

    def write(self, row):
        changes = []
        project = row.target
        if "organisation" in row.context:
            key = row.context["organisation"]
            organisation = self.new_organisations.get(key)
            if organisation is None:
                name = row.values["implementing_unit"]
                organisation = Organisation(name=name, kind=_organisation_kind(name), province_id=key[0])
                services.save(organisation, user=self.user, reason=self.reason)
                self.new_organisations[key] = organisation
                changes.append(Change(organisation, "created", {}, {}, row.number))
            project.implementing_unit = organisation
        services.project_save(
            project=project, user=self.user, reason=self.reason, allocations=row.context.get("shares")
        )
        changes.append(self.change(row, project))
        return changes


# --- Facilities -----------------------------------------------------------------------------------


IMPACT_FIELDS = (
    "revenue_before",
    "revenue_after",
    "assets_before",
    "assets_after",
    "workers_before",
    "workers_after",
    "products_before",
    "products_after",
    "impact_year_before",
    "impact_year_after",
)


class FacilityImporter(Importer):
    format = formats.FacilityFormat
    model = Facility
    written = (
        "tax_code",
        "name",
        "kind",
        "province_id",
        "commune_id",
        "address",
        "industry",
        "representative",
        "phone",
        "workforce",
        *IMPACT_FIELDS,
    )

    def prepare(self, rows):
        codes = {row.values["tax_code"] for row in rows if row.values["tax_code"]}
        self.by_tax_code = {}
        for chunk in chunked(codes):
            for facility in Facility.objects.filter(tax_code__in=chunk).select_related("province"):
                self.by_tax_code[facility.tax_code] = facility
        # Without a tax code a facility is known by its name in its province: the normalised,
        # case-folded name, which the database keeps unique there (Facility.name_key).
        keys = {Facility.key_of(row.values["name"]) for row in rows if not row.values["tax_code"]}
        self.by_name = {}
        for chunk in chunked(keys):
            found = Facility.objects.filter(tax_code__isnull=True, name_key__in=chunk).select_related("province")
            for facility in found:
                self.by_name[(facility.current_province_id, facility.name_key)] = facility
        communes = {row.values["commune"] for row in rows if row.values["commune"]}
        self.communes = {commune.code: commune for commune in Commune.objects.filter(code__in=communes)}

    def resolve(self, row):
        values = row.values
        province = self.province_at(values["province"], self.today)
        current = unit_of_today_id(province)
        self.check_scope(current, "Mã tỉnh", province.name)
        tax_code = values["tax_code"] or None
        if tax_code:
            stored = self.by_tax_code.get(tax_code)
            row.key = ("tax", tax_code)
        else:
            stored = self.by_name.get((current, Facility.key_of(values["name"])))
            row.key = ("name", current, Facility.key_of(values["name"]))
        if stored is not None:
            self.check_scope(stored.current_province_id, "Mã số thuế", self.unit_name(stored.current_province_id))
        target = copy.copy(stored) if stored else Facility()
        # A facility filed under a unit that merged into this province keeps its unit.
        if stored is None or stored.current_province_id != current:
            target.province = province
        commune = None
        if values["commune"]:
            commune = self.communes.get(values["commune"])
            if commune is None:
                raise RowError("Mã xã", _("Unknown commune code “%(code)s”.") % {"code": values["commune"]})
            if commune.province_id != current:
                raise RowError("Mã xã", _("The commune %(commune)s is not in this province.") % {"commune": commune})
        target.commune = commune
        target.tax_code = tax_code
        for name in ("name", "kind", "address", "representative", "phone", "workforce"):
            setattr(target, name, values[name] if values[name] is not None else getattr(Facility(), name))
        target.industry = values["industry"] or ""
        for name in IMPACT_FIELDS:  # a blank cell keeps the facility's figure
            if values[name] is not None:
                setattr(target, name, values[name])
        row.target, row.stored = target, stored
        row.label = f"{tax_code or '—'} · {values['name']}"
        self.compare(row)

    def write(self, row):
        services.save(row.target, user=self.user, reason=self.reason)
        return [self.change(row, row.target)]


# --- Beneficiaries --------------------------------------------------------------------------------


class _SupportItems:
    """The support items by code or name, accent-insensitive; a part of a name if only one has it."""

    def __init__(self):
        self.items = list(SupportItem.objects.all())
        self.exact = {}
        for item in self.items:
            self.exact[search_key(item.code)] = item
            self.exact[search_key(item.name)] = item

    def find(self, text: str) -> SupportItem | None:
        if not text:
            return None
        key = search_key(text)
        if key in self.exact:
            return self.exact[key]
        found = [item for item in self.items if key in search_key(item.name)]
        if len(found) == 1:
            return found[0]
        if found:
            raise RowError(
                "Hạng mục hỗ trợ",
                _("“%(text)s” fits several support items (%(items)s): write its code.")
                % {"text": text, "items": ", ".join(f"{item.code} {item.name}" for item in found)},
            )
        raise RowError(
            "Hạng mục hỗ trợ",
            _("Unknown support item “%(text)s”; the items are: %(codes)s.")
            % {"text": text, "codes": ", ".join(item.code for item in self.items)},
        )


class BeneficiaryImporter(_ProjectRows):
    format = formats.BeneficiaryFormat
    model = Beneficiary
    written = (
        "support_amount", "counterpart_amount", "note", "support_item_id", "eligible_cost", "technology_line",
        "cap_exception",
    )  # fmt: skip

    def prepare(self, rows):
        super().prepare(rows)
        self.support_items = _SupportItems()
        codes = {row.values["facility"] for row in rows}
        self.facilities = {}
        for chunk in chunked(codes):
            for facility in Facility.objects.filter(tax_code__in=chunk).select_related("province"):
                self.facilities[facility.tax_code] = facility
        self.links = {(link.project_id, link.facility_id): link for link in self.stored_rows(Beneficiary.objects)}
        self.supported = caps.supported_before(facility.pk for facility in self.facilities.values())
        caps.preload(facility.pk for facility in self.facilities.values())  # the per-facility sums, from memory

    def resolve(self, row):
        values = row.values
        project = self.project(row)
        facility = self.facilities.get(values["facility"])
        if facility is None:
            raise RowError(
                "Mã số thuế",
                _("No facility has the tax code “%(code)s”: import the facility first.") % {"code": values["facility"]},
            )
        stored = self.links.get((project.pk, facility.pk))
        target = copy.copy(stored) if stored else Beneficiary(project=project, facility=facility)
        target.project = project
        target.support_amount = values["support_amount"]
        target.counterpart_amount = values["counterpart_amount"] or 0
        target.note = values["note"]
        target.support_item = self.support_items.find(values["support_item"])
        target.eligible_cost = values["eligible_cost"]
        target.technology_line = values["technology_line"]
        target.cap_exception = values["cap_exception"]
        row.target, row.stored = target, stored
        row.key = (project.pk, facility.pk)
        row.label = f"{project.code} · {facility.tax_code}"
        self.compare(row)
        if stored is None and (flag := caps.double_support(target, project, self.supported)):
            row.notes.append(flag)

    def order(self, row):
        # Per đề án, lowered amounts first: the total is checked after each row.
        lowered = row.stored is not None and row.target.support_amount < row.stored.support_amount
        return (row.target.project_id, not lowered, row.number)

    def write(self, row):
        services.save(row.target, user=self.user, reason=self.reason)
        return [self.change(row, row.target)]


# --- Disbursements --------------------------------------------------------------------------------

DEFAULT_SOURCE = {SchemeLevel.NATIONAL: Disbursement.Source.CENTRAL, SchemeLevel.LOCAL: Disbursement.Source.PROVINCIAL}


class DisbursementImporter(_ProjectRows):
    format = formats.DisbursementFormat
    model = Disbursement
    written = ("paid_on", "amount", "source", "kind", "voucher_number", "note")

    def prepare(self, rows):
        super().prepare(rows)
        # Lock the file's đề án before reading their payments: a file confirmed at the same moment
        # waits here, then finds the payments the other wrote and treats them as a re-import does.
        services.projects_lock(project.pk for project in self.projects.values())
        self.by_voucher, self.by_content = {}, {}
        payments = Disbursement.objects.only(
            "id", "project_id", "paid_on", "amount", "source", "kind", "voucher_number", "note", "facility_id"
        )
        for payment in self.stored_rows(payments):
            if payment.voucher_number:
                self.by_voucher[(payment.project_id, payment.voucher_number)] = payment
            else:
                key = (payment.project_id, payment.paid_on, payment.amount, payment.kind)
                self.by_content.setdefault(key, payment)

    def resolve(self, row):
        values = row.values
        project = self.project(row)
        source = values["source"] or DEFAULT_SOURCE[project.plan.scheme.level]
        voucher = values["voucher_number"]
        if voucher:
            stored = self.by_voucher.get((project.pk, voucher))
            row.key = (project.pk, "voucher", voucher)
        else:
            stored = self.by_content.get((project.pk, values["paid_on"], values["amount"], values["kind"]))
            row.key = (project.pk, values["paid_on"], values["amount"], values["kind"])
        target = copy.copy(stored) if stored else Disbursement()
        target.project = project
        target.paid_on, target.amount, target.source = values["paid_on"], values["amount"], source
        target.kind, target.voucher_number, target.note = values["kind"], voucher, values["note"]
        if values["amount"] == 0:
            raise RowError("Số tiền (đồng)", _("A payment must be more than 0 đồng."))
        row.target, row.stored = target, stored
        row.label = f"{project.code} · {values['paid_on']:%d/%m/%Y} · {money(values['amount'])} đồng"
        self.compare(row)

    def order(self, row):
        # Per đề án (in id order: the row locks are taken in that order), corrections first, then by date.
        return (row.target.project_id, row.stored is None, row.target.paid_on, row.number)

    def write(self, row):
        updated = services.save(row.target, user=self.user, reason=self.reason)
        return [self.change(row, updated)]

    def write_all(self, rows: list[Row], report) -> list[Change]:
        """Corrections one by one, then every new payment in one call of `disbursements_create`."""
        changes = []
        new = []
        for row in rows:
            if row.stored is None:
                new.append(row)
            else:
                changes.extend(report(row, self.write))
        payments = [
            {
                "project": row.target.project,
                "paid_on": row.target.paid_on,
                "amount": row.target.amount,
                "source": row.target.source,
                "kind": row.target.kind,
                "voucher_number": row.target.voucher_number,
                "note": row.target.note,
            }
            for row in new
        ]
        if not payments:
            return changes
        try:
            created = services.disbursements_create(payments=payments, user=self.user, reason=self.reason)
        except services.PaymentsRefused as refused:
            for index, error in refused.errors.items():
                report(new[index], error)
            return changes
        except ValidationError as error:  # the database refused the whole lot
            report(new[0], error)
            return changes
        changes.extend(self.change(row, payment) for row, payment in zip(new, created, strict=True))
        return changes


# --- Indicators -----------------------------------------------------------------------------------


class IndicatorImporter(_ProjectRows):
    format = formats.IndicatorFormat
    model = Indicator
    written = ("planned", "achieved", "achieved_on")

    def prepare(self, rows):
        super().prepare(rows)
        self.kinds = {}
        for kind in IndicatorKind.objects.all():
            self.kinds[search_key(kind.code)] = kind
            self.kinds[search_key(kind.name)] = kind
        self.stored = {
            (indicator.project_id, indicator.kind_id): indicator for indicator in self.stored_rows(Indicator.objects)
        }

    def resolve(self, row):
        values = row.values
        project = self.project(row)
        kind = self.kinds.get(search_key(values["indicator"]))
        if kind is None:
            raise RowError("Chỉ tiêu", _("Unknown indicator “%(name)s”.") % {"name": values["indicator"]})
        if values["unit"] and search_key(values["unit"]) != search_key(kind.unit):
            raise RowError(
                "Đơn vị", _("The indicator “%(name)s” is counted in %(unit)s.") % {"name": kind.name, "unit": kind.unit}
            )
        stored = self.stored.get((project.pk, kind.pk))
        target = copy.copy(stored) if stored else Indicator(project=project, kind=kind)
        target.project = project
        target.planned = values["planned"] or 0
        target.achieved = values["achieved"] or 0
        if values["achieved_on"]:
            target.achieved_on = values["achieved_on"]
        elif not target.achieved:
            target.achieved_on = None
        elif stored is None or stored.achieved != target.achieved or stored.achieved_on is None:
            target.achieved_on = self.today
        row.target, row.stored = target, stored
        row.key = (project.pk, kind.pk)
        row.label = f"{project.code} · {kind.name}"
        self.compare(row)

    def write(self, row):
        services.save(row.target, user=self.user, reason=self.reason)
        return [self.change(row, row.target)]


# --- Schemes --------------------------------------------------------------------------------------


class SchemeImporter(Importer):
    """Schemes by code: a KCĐP one with its province of today (its managers'), a KCQG one without
    (the administrators'): `services.scheme_save` holds the rule, as in the admin."""

    format = formats.SchemeFormat
    model = Scheme
    written = ("code", "name", "level", "province_id", "legal_basis", "start_year", "end_year", "programme")

    def prepare(self, rows):
        codes = {row.values["code"] for row in rows}
        self.stored = {
            scheme.code: scheme
            for chunk in chunked(sorted(codes))
            for scheme in Scheme.objects.filter(code__in=chunk).select_related("province")
        }

    def resolve(self, row):
        values = row.values
        stored = self.stored.get(values["code"])
        target = copy.copy(stored) if stored else Scheme()
        province = None
        if values["level"] == SchemeLevel.LOCAL:
            if not values["province"]:
                raise RowError("Mã tỉnh", _("A local (KCĐP) scheme needs the code of its province."))
            province = self.province_at(values["province"], self.today)
            self.check_scope(unit_of_today_id(province), "Mã tỉnh", province.name)
            if stored is not None and stored.province_id and unit_of_today_id(stored.province) == province.pk:
                province = stored.province  # a scheme of a unit that merged into this province keeps its unit
        elif values["province"]:
            raise RowError("Mã tỉnh", _("A national (KCQG) scheme has no province: leave the column empty."))
        for name in ("code", "name", "level", "legal_basis", "start_year", "end_year"):
            setattr(target, name, values[name])
        target.province = province
        target.programme = values["programme"] or Programme.INDUSTRY_PROMOTION
        row.key = ("scheme", values["code"])
        row.target, row.stored = target, stored
        row.label = f"{values['code']} · {values['name']}"
        self.compare(row)

    def write(self, row):
        services.save(row.target, user=self.user, reason=self.reason)
        return [self.change(row, row.target)]


IMPORTERS: dict[str, type[Importer]] = {
    "plans": PlanImporter,
    "projects": ProjectImporter,
    "facilities": FacilityImporter,
    "beneficiaries": BeneficiaryImporter,
    "disbursements": DisbursementImporter,
    "indicators": IndicatorImporter,
    "schemes": SchemeImporter,
}
