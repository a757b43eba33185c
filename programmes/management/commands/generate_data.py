"""Generate a deterministic national dataset for benchmarks.

By default: the 34 provinces of today over 10 years (2017–2026), about 300.000 đề án, 500.000
facilities and 1.000.000 disbursements, with plans, plan lines and beneficiaries to match. Years up
to 2025 are filed under the pre-merger units (so a province of today rolls up its predecessors);
2026 under the units of today.

The same --seed gives the same data. Everything is written in one transaction with PostgreSQL COPY
(executemany on SQLite), history rows included (change reason "generate_data"), so an interrupted
run leaves nothing. The money invariants hold by construction: each đề án's running totals are
computed here, written with it, and checked against the rows before the transaction commits.
Generated rows carry "GEN" in their codes; --clear removes them first.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import F, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from programmes.audit import append_only_suspended
from programmes.lib.bulk import BulkLoader
from programmes.lib.text import search_key
from programmes.models import (
    ActivityContent,
    Beneficiary,
    Commune,
    Disbursement,
    Facility,
    Organisation,
    Plan,
    PlanLine,
    Project,
    ProjectStatus,
    Province,
    Scheme,
    SchemeLevel,
)
from programmes.triggers import running_totals_suspended

PREFIX = "GEN"
CHANGE_REASON = "generate_data"
# Relative weights of the NĐ 45 contents among đề án: machinery and demonstration models dominate.
CONTENT_WEIGHTS = {1: 10, 2: 6, 3: 45, 4: 15, 5: 6, 6: 6, 7: 6, 8: 1, 9: 5}
# Contents whose đề án support named facilities.
FACILITY_CONTENTS = {1, 3, 5, 7}
FACILITY_KINDS = ["hkd"] * 5 + ["dnnvv"] * 3 + ["htx", "tht"]
INDUSTRIES = [choice for choice, _label in Facility.Industry.choices]
NAME_WORDS = ["Hưng", "Thịnh", "Phát", "Đức", "Thành", "Minh", "An", "Phúc", "Long", "Tiến", "Đồng", "Quang"]
TRADES = ["chế biến nông sản", "mây tre đan", "cơ khí", "may mặc", "gốm sứ", "chế biến gỗ", "thực phẩm", "dệt"]
HISTORY_MODELS = (Plan, PlanLine, Project, Facility, Beneficiary, Disbursement)


def split(total: int, parts: int, rng: random.Random) -> list[int]:
    """Split `total` into `parts` whole numbers that add up exactly (roughly even, a little noise)."""
    if parts <= 0:
        return []
    weights = [rng.uniform(0.8, 1.2) for _ in range(parts)]
    scale = total / sum(weights)
    shares = [int(w * scale) for w in weights]
    shares[-1] += total - sum(shares)
    return shares


def filed_under(parent: dict) -> dict:
    """The province, unit of today and year a row takes from its plan or đề án (models.FiledUnder)."""
    return {key: parent[key] for key in ("province_id", "current_province_id", "year")}


def days_after(day: datetime.date, low: int, high: int, rng: random.Random) -> datetime.date:
    return day + datetime.timedelta(days=rng.randint(low, max(low, high)))


class Command(BaseCommand):
    help = "Generate a deterministic national dataset (default ~300.000 đề án, 1.000.000 disbursements)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--provinces", type=int, default=34, help="How many provinces of today (1–34).")
        parser.add_argument("--first-year", type=int, default=2017)
        parser.add_argument("--years", type=int, default=10)
        parser.add_argument("--projects", type=int, default=300_000)
        parser.add_argument("--facilities", type=int, default=500_000)
        parser.add_argument("--disbursements", type=int, default=1_000_000)
        parser.add_argument("--no-history", action="store_true", help="Skip the history rows (faster).")
        parser.add_argument("--clear", action="store_true", help="Delete earlier generated rows first.")
        parser.add_argument("--dry-run", action="store_true", help="Generate, report, then roll back.")

    def handle(self, *args, **opts):
        self.rng = random.Random(opts["seed"])
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.verbosity = opts["verbosity"]
        self.with_history = not opts["no_history"]
        last_year = opts["first_year"] + opts["years"] - 1
        if not 1 <= opts["provinces"] <= 34:
            raise CommandError("--provinces must be between 1 and 34.")
        if opts["first_year"] < 2014:
            raise CommandError("--first-year must be 2014 or later (the national schemes start in 2014).")
        if last_year > self.today.year:
            raise CommandError(f"The last year ({last_year}) is in the future.")
        if opts["projects"] < 1 or opts["disbursements"] < 0 or opts["facilities"] < 0:
            raise CommandError("Sizes must be positive.")

        started = time.monotonic()
        self.counts: dict[str, int] = defaultdict(int)
        with transaction.atomic():
            if opts["clear"]:
                self.clear()
            elif Project.objects.filter(code__startswith=f"{PREFIX}-").exists():
                raise CommandError("Generated data is already present: add --clear to replace it.")
            self.loader = BulkLoader()
            with running_totals_suspended():
                self.generate(opts, range(opts["first_year"], last_year + 1))
                self.loader.finish()
            self.verify()
            if opts["dry_run"]:
                transaction.set_rollback(True)
        if not opts["dry_run"]:
            self.analyse()
        elapsed = time.monotonic() - started
        c = self.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"{'Would generate' if opts['dry_run'] else 'Generated'} in {elapsed:.1f} s: {c['plans']} plans, "
                f"{c['plan_lines']} plan lines, {c['projects']} projects, {c['facilities']} facilities, "
                f"{c['beneficiaries']} beneficiaries, {c['disbursements']} disbursements, {c['history']} history rows."
            )
        )

    def analyse(self) -> None:
        """Refresh the planner's statistics: after a bulk load they describe empty tables, and the
        first lists would be planned as if they were. On PostgreSQL, VACUUM also marks the new pages
        all-visible, so counts and totals can be read from the indexes alone (VACUUM cannot run in a
        transaction: inside one, as in the tests, ANALYZE only)."""
        tables = ", ".join(model._meta.db_table for model in HISTORY_MODELS)
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                cursor.execute("ANALYZE")
            elif connection.in_atomic_block:
                cursor.execute(f"ANALYZE {tables}")
            else:
                cursor.execute(f"VACUUM (ANALYZE) {tables}")
        self.log("Statistics refreshed (VACUUM ANALYZE).")

    def log(self, message: str) -> None:
        if self.verbosity >= 2:
            self.stdout.write(message)

    # --- clearing and checking --------------------------------------------------------------

    def clear(self) -> None:
        generated = Project.objects.filter(code__startswith=f"{PREFIX}-")
        with running_totals_suspended():
            Disbursement.objects.filter(project__in=generated)._raw_delete(Disbursement.objects.db)
            Beneficiary.objects.filter(project__in=generated)._raw_delete(Beneficiary.objects.db)
        with append_only_suspended():
            for model in HISTORY_MODELS:
                model.history.filter(history_change_reason=CHANGE_REASON)._raw_delete(model.objects.db)
        generated._raw_delete(Project.objects.db)
        PlanLine.objects.filter(plan__note=CHANGE_REASON)._raw_delete(PlanLine.objects.db)
        Plan.objects.filter(note=CHANGE_REASON)._raw_delete(Plan.objects.db)
        Facility.objects.filter(note=CHANGE_REASON)._raw_delete(Facility.objects.db)
        Scheme.objects.filter(code__startswith=f"{PREFIX}-").delete()

    def verify(self) -> None:
        """Refuse to commit if a running total disagrees with its rows (it never should)."""
        disbursed = Disbursement.objects.filter(project=OuterRef("pk")).values("project").annotate(s=Sum("amount"))
        allotted = (
            Beneficiary.objects.filter(project=OuterRef("pk")).values("project").annotate(s=Sum("support_amount"))
        )
        advanced = disbursed.filter(kind=Disbursement.Kind.ADVANCE)
        first = Disbursement.objects.filter(project=OuterRef("pk")).values("project").annotate(d=Min("paid_on"))
        wrong = (
            Project.objects.filter(code__startswith=f"{PREFIX}-")
            .annotate(
                rows_disbursed=Coalesce(Subquery(disbursed.values("s")), Value(0)),
                rows_allotted=Coalesce(Subquery(allotted.values("s")), Value(0)),
                rows_advanced=Coalesce(Subquery(advanced.values("s")), Value(0)),
                rows_first=Subquery(first.values("d")),
            )
            .filter(
                ~Q(rows_disbursed=F("disbursed_amount"))
                | ~Q(rows_allotted=F("beneficiary_support"))
                | ~Q(rows_advanced=F("advanced_amount"))
                | ~Q(rows_first=F("first_paid_on"))
                | Q(rows_first__isnull=True, first_paid_on__isnull=False)
                | Q(rows_first__isnull=False, first_paid_on__isnull=True)
            )
        )
        if wrong.exists():
            raise CommandError("Generated running totals disagree with their rows; nothing was saved.")

    # --- generation -------------------------------------------------------------------------

    def generate(self, opts, years: range) -> None:
        rng = self.rng
        provinces = list(Province.objects.current_units().order_by("code")[: opts["provinces"]])
        lineage = defaultdict(list)
        for unit in Province.objects.filter(current__in=provinces).select_related("successor").order_by("code"):
            lineage[unit.current_id].append(unit)
        self.contents = {c.number: c for c in ActivityContent.objects.filter(catalogue__code="ND45")}
        self.centres = {
            o.province_id: o.pk for o in Organisation.objects.filter(kind=Organisation.Kind.PROVINCIAL_CENTRE)
        }
        communes = defaultdict(list)
        for commune_id, province_id in Commune.objects.values_list("id", "province_id"):
            communes[province_id].append(commune_id)
        self.schemes: dict = {}

        cells = [(p.pk, y) for p in provinces for y in years]
        project_quota = dict(zip(cells, split(opts["projects"], len(cells), rng), strict=True))
        facility_quota = dict(
            zip([p.pk for p in provinces], split(opts["facilities"], len(provinces), rng), strict=True)
        )
        self.per_project = opts["disbursements"] / opts["projects"]
        self.facility_seq = Facility.objects.filter(note=CHANGE_REASON).count()
        # What a database holds besides generated rows (the demo of `make run`): its plans and tax codes
        # are left as they are and generated around (their cells skipped, a taken tax code suffixed).
        self.kept_plans = set(Plan.objects.exclude(note=CHANGE_REASON).values_list("scheme_id", "province_id", "year"))
        self.kept_tax_codes = set(
            Facility.objects.exclude(note=CHANGE_REASON).exclude(tax_code=None).values_list("tax_code", flat=True)
        )

        for province in provinces:
            facility_ids = self.generate_facilities(province, facility_quota[province.pk], communes[province.pk])
            for year in years:
                plans = self.generate_plans(self.units_for_year(lineage[province.pk], year), year)
                self.generate_projects(province, year, plans, project_quota[(province.pk, year)], facility_ids)
            self.log(f"{province.name}: {self.counts['projects']} projects so far")

    def units_for_year(self, units: list[Province], year: int) -> list[Province]:
        if year <= 2025:
            valid = [u for u in units if u.valid_to is not None and u.is_valid_in_year(year)]
            # A unit renamed within the year (Huế in 2025) files under its newest name.
            return [u for u in valid if u.successor not in valid]
        return [u for u in units if u.valid_to is None]

    def scheme_for(self, level: str, unit: Province, year: int) -> Scheme:
        start = 2016 + (year - 2016) // 5 * 5
        key = (level, unit.pk if level == SchemeLevel.LOCAL else None, start)
        if key not in self.schemes:
            if level == SchemeLevel.NATIONAL:
                self.schemes[key] = Scheme.objects.get(level=level, start_year__lte=year, end_year__gte=year)
            else:
                self.schemes[key], _ = Scheme.objects.get_or_create(
                    code=f"{PREFIX}-KCDP-{unit.code}-{unit.pk}-{start}",
                    defaults={
                        "name": f"Chương trình khuyến công {unit.name} giai đoạn {start}–{start + 4}",
                        "level": SchemeLevel.LOCAL,
                        "province": unit,
                        "legal_basis": "Quyết định của UBND tỉnh (dữ liệu sinh tự động)",
                        "start_year": start,
                        "end_year": start + 4,
                    },
                )
        return self.schemes[key]

    def write(self, model, rows: list[dict], counter: str) -> None:
        self.loader.write(model, rows)
        self.counts[counter] += len(rows)
        if self.with_history:
            history = [
                {**row, "history_date": self.now, "history_change_reason": CHANGE_REASON, "history_type": "+"}
                for row in rows
            ]
            self.loader.write(model.history.model, history, with_pk=False)
            self.counts["history"] += len(history)

    def generate_facilities(self, province: Province, count: int, communes: list[int]) -> list[int]:
        rng, rows = self.rng, []
        for _ in range(count):
            self.facility_seq += 1
            name = f"Cơ sở {rng.choice(TRADES)} {rng.choice(NAME_WORDS)} {rng.choice(NAME_WORDS)} {self.facility_seq}"
            tax_code = f"{province.code}{self.facility_seq:08d}"
            if tax_code in self.kept_tax_codes:
                tax_code += "-001"  # a branch's form of the code: unique, and never the demo's
            rows.append(
                {
                    "id": self.loader.reserve_id(Facility),
                    "name": name,
                    "kind": rng.choice(FACILITY_KINDS),
                    "tax_code": tax_code,
                    "province_id": province.pk,
                    "current_province_id": province.pk,
                    "commune_id": rng.choice(communes) if communes else None,
                    "industry": rng.choice(INDUSTRIES),
                    "workforce": rng.randint(3, 120),
                    "note": CHANGE_REASON,
                    "search_text": search_key(name, tax_code),
                    "name_key": Facility.key_of(name),
                    "created_at": self.now,
                }
            )
        self.write(Facility, rows, "facilities")
        return [row["id"] for row in rows]

    def generate_plans(self, units: list[Province], year: int) -> list[dict]:
        rng, plans = self.rng, []
        for unit in units:
            for level in (SchemeLevel.LOCAL, SchemeLevel.NATIONAL):
                national = level == SchemeLevel.NATIONAL
                scheme = self.scheme_for(level, unit, year)
                if (scheme.pk, unit.pk, year) in self.kept_plans:
                    self.log(f"{unit.name} {year}: the database's own {level} plan is kept; none generated beside it")
                    continue
                plans.append(
                    {
                        "id": self.loader.reserve_id(Plan),
                        "scheme_id": scheme.pk,
                        "province_id": unit.pk,
                        "current_province_id": unit.current_id,
                        "year": year,
                        "status": Plan.Status.APPROVED,
                        "decision_number": f"{rng.randint(100, 3999)}/QĐ-{'BCT' if national else 'UBND'}",
                        "decision_issuer": "Bộ Công Thương" if national else f"UBND {unit.name}",
                        "decision_date": datetime.date(year - 1, 12, rng.randint(1, 28)),
                        "note": CHANGE_REASON,
                        "created_at": self.now,
                        "_level": level,
                    }
                )
        self.write(Plan, [{k: v for k, v in p.items() if not k.startswith("_")} for p in plans], "plans")
        return plans

    def generate_projects(
        self, province: Province, year: int, plans: list[dict], quota: int, facility_ids: list[int]
    ) -> None:
        rng = self.rng
        numbers, weights = zip(*CONTENT_WEIGHTS.items(), strict=True)
        last_day = min(datetime.date(year, 12, 20), self.today)
        projects, beneficiaries, disbursements = [], [], []
        lines: dict = defaultdict(lambda: [0, 0])
        plans_by_id = {plan["id"]: plan for plan in plans}
        if not plans:  # every plan of the cell is the database's own
            return
        for seq in range(quota):
            plan = plans[seq % len(plans)]
            level = plan["_level"]
            number = rng.choices(numbers, weights)[0]
            code = f"{PREFIX}-{province.code}-{year}-{'QG' if level == SchemeLevel.NATIONAL else 'DP'}-{seq + 1:05d}"
            support = rng.randint(50, 1000) * 1_000_000 if number == 3 else rng.randint(30, 400) * 1_000_000
            decided = datetime.date(year, rng.randint(1, 3), rng.randint(1, 28))
            contracted = days_after(decided, 10, 40, rng)
            started = days_after(contracted, 1, 10, rng)
            accepted = days_after(started, 90, 200, rng)
            settled = days_after(accepted, 10, 40, rng)
            status = ProjectStatus.SETTLED
            if settled > self.today:
                settled, status = None, ProjectStatus.ACCEPTED
            if accepted > last_day:
                accepted, settled, status = None, None, ProjectStatus.IN_PROGRESS
            name = f"Hỗ trợ {self.contents[number].short_name.lower()} – {rng.choice(TRADES)} ({seq + 1})"
            project = {
                "id": self.loader.reserve_id(Project),
                "plan_id": plan["id"],
                **filed_under(plan),
                "code": code,
                "name": name,
                "content_id": self.contents[number].pk,
                "implementing_unit_id": self.centres[province.pk],
                "kc_support": support,
                "counterpart_funds": support * rng.randint(100, 180) // 100 if number == 3 else 0,
                "other_funds": 0,
                "status": status,
                "registered_on": datetime.date(year - 1, 5, rng.randint(1, 19)),
                "decision_number": f"{rng.randint(1, 999)}/QĐ-SCT",
                "decision_issuer": "Sở Công Thương",
                "decision_date": decided,
                "contracted_on": contracted,
                "started_on": started,
                "accepted_on": accepted,
                "settled_on": settled,
                "start_date": started,
                "end_date": accepted or datetime.date(year, 12, 31),
                "search_text": search_key(code, name),
                "is_group": False,
                "created_at": self.now,
            }
            chosen: list[int] = []
            if number in FACILITY_CONTENTS and facility_ids:
                chosen = rng.sample(facility_ids, k=min(len(facility_ids), rng.randint(1, 3)))
                for facility_id, share in zip(chosen, split(support, len(chosen), rng), strict=True):
                    beneficiaries.append(
                        {
                            "id": self.loader.reserve_id(Beneficiary),
                            "project_id": project["id"],
                            **filed_under(project),
                            "facility_id": facility_id,
                            "support_amount": share,
                            "counterpart_amount": share,
                        }
                    )
                project["is_group"] = len(chosen) > 1
            project["beneficiary_support"] = support if chosen else 0
            paid = self.disbursements_for(project, level, chosen)
            project["disbursed_amount"] = sum(row["amount"] for row in paid)
            # The digest the payment triggers keep (migration 0016), written here as they would.
            project["advanced_amount"] = sum(row["amount"] for row in paid if row["kind"] == "tam_ung")
            project["first_paid_on"] = min((row["paid_on"] for row in paid), default=None)
            disbursements.extend(paid)
            projects.append(project)
            line = lines[(plan["id"], number)]
            line[0] += support
            line[1] += 1
        self.write(
            PlanLine,
            [
                {
                    "id": self.loader.reserve_id(PlanLine),
                    "plan_id": plan_id,
                    **filed_under(plans_by_id[plan_id]),
                    "content_id": self.contents[number].pk,
                    "planned_amount": amount,
                    "planned_projects": count,
                }
                for (plan_id, number), (amount, count) in lines.items()
            ],
            "plan_lines",
        )
        self.write(Project, projects, "projects")
        self.write(Beneficiary, beneficiaries, "beneficiaries")
        self.write(Disbursement, disbursements, "disbursements")

    def disbursements_for(self, project: dict, level: str, facility_ids: list[int]) -> list[dict]:
        rng = self.rng
        count = int(self.per_project) + (1 if rng.random() < self.per_project - int(self.per_project) else 0)
        if count == 0:
            return []
        support = project["kc_support"]
        advance = support * 70 // 100
        started, accepted, settled = project["started_on"], project["accepted_on"], project["settled_on"]
        if accepted is None:
            # Still under way: advances only, up to 70 %.
            amounts = [a for a in split(advance, count, rng) if a > 0]
            kinds = ["tam_ung"] * len(amounts)
            last = min(self.today, started + datetime.timedelta(days=120))
            days = sorted(days_after(started, 0, (last - started).days, rng) for _ in amounts)
        else:
            rest = [a for a in split(support - advance, count - 1, rng) if a > 0]
            amounts = [advance, *rest] if rest else [support]
            kinds = ["tam_ung"] + ["thanh_toan"] * len(rest) if rest else ["thanh_toan"]
            if rest and settled:
                kinds[-1] = "quyet_toan"
            end = settled or min(self.today, accepted + datetime.timedelta(days=30))
            first = days_after(started, 0, 20, rng) if rest else days_after(accepted, 0, (end - accepted).days, rng)
            days = [first] + sorted(days_after(accepted, 0, (end - accepted).days, rng) for _ in rest)
        single = facility_ids[0] if len(facility_ids) == 1 else None
        return [
            {
                "id": self.loader.reserve_id(Disbursement),
                "project_id": project["id"],
                **filed_under(project),
                "plan_id": project["plan_id"],
                "content_id": project["content_id"],
                "paid_on": day,
                "amount": amount,
                "kind": kind,
                "source": "nstw" if level == SchemeLevel.NATIONAL else "ns_tinh",
                "facility_id": single if kind != "tam_ung" else None,
                "voucher_number": f"{project['code']}-{index + 1}",
                "note": "",
                "created_at": self.now,
            }
            for index, (amount, kind, day) in enumerate(zip(amounts, kinds, days, strict=True))
        ]
