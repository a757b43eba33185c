"""The imports' part of `manage.py benchmark`, on the national dataset.

- 10.000 disbursement rows with 100 bad ones scattered inside (unknown đề án, bad dates, negative
  amounts, amounts over the approved support, duplicate rows): every bad row reported, nothing
  written, in ≤ 15 s and ≤ 400 MB (`import_data --dry-run`, a fresh process: its time and peak RSS);
- the 10.000 good rows imported (`import_data`, a fresh process) in ≤ 15 s, beside django-import-
  export's stock import of the same rows into the same model (a plain ModelResource) in the same run;
- the support caps' check on a 10.000-row beneficiary import (KCQG đề án, machinery with its eligible
  cost: the rule, the percent and the per-facility sum over the facility's other đề án): the same rows
  imported without the item (nothing to check) and with it, in turn; the check adds ≤ 10 %;
- hostile files (a zip bomb, an XML bomb, a password-protected workbook) refused in ≤ 1 s each;
- the nation's đề án exported (`export_data projects`, a fresh process) to .xlsx and .csv: peak RSS
  beside the export of one province, which must not grow with the rows.

Every row written is removed again afterwards (the benchmark database is left as it was).
"""

from __future__ import annotations

import datetime
import io
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from programmes.audit import append_only_suspended
from programmes.lib.benchmarking import BenchmarkPart
from programmes.models import (
    Beneficiary,
    Disbursement,
    Facility,
    Organisation,
    Plan,
    PlanLine,
    Project,
    ProjectStatus,
    SchemeLevel,
)
from programmes.units import unit_of_today_id

from .files import RefusedFile, read_table

ROWS = 10_000
BAD = 100
CHECK_SECONDS = 15.0
CHECK_MB = 400
IMPORT_SECONDS = 15.0
CAPS_PERCENT = 10.0
HOSTILE_SECONDS = 1.0
VOUCHER = "BENCH-IMPORT-"
PROJECT = "BENCH-DA-"
HEADERS = ["Mã đề án", "Ngày giải ngân", "Số tiền (đồng)", "Nguồn", "Loại", "Số chứng từ", "Ghi chú"]


# Runs manage.py and, however it ends, prints its own peak resident set

# (VmHWM of /proc/self/status: ru_maxrss survives exec and would report the parent's size).
_WRAPPER = (
    "import runpy, sys\n"
    "sys.argv = ['manage.py', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_path('manage.py', run_name='__main__')\n"
    "finally:\n"
    "    peak = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')]\n"
    "    print('MAXRSS', peak[0] if peak else 0, file=sys.stderr)\n"
)


# Raw rows of the đề án table (as many columns as the export has), written by one library alone.
_RAW_WRITER = """
from programmes.models import Project
fields = [f.attname for f in Project._meta.concrete_fields][:{width}]
rows = Project.objects.order_by("pk").values_list(*fields).iterator(chunk_size=2000)
def plain(v):
    return v.replace(tzinfo=None) if getattr(v, "tzinfo", None) else v
if "{writer}" == "openpyxl":
    from openpyxl import Workbook
    book = Workbook(write_only=True); sheet = book.create_sheet()
    sheet.append(fields)
    for row in rows:
        sheet.append([plain(v) for v in row])
    book.save("{path}")
else:
    import xlsxwriter
    book = xlsxwriter.Workbook("{path}", {{"constant_memory": True}}); sheet = book.add_worksheet()
    sheet.write_row(0, 0, fields)
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, [plain(v) for v in row])
    book.close()
"""


def _child(command: list[str]) -> tuple[float, float, int, str]:
    """Run a fresh `manage.py` process: (seconds, its peak RSS in MB, exit status, output)."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", _WRAPPER, *command], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    peak = 0.0
    for line in result.stderr.splitlines():
        if line.startswith("MAXRSS "):
            peak = int(line.split()[1]) / 1024
    return seconds, peak, result.returncode, result.stdout + result.stderr


class ImportsBenchmark(BenchmarkPart):
    def __init__(self, command):
        super().__init__(command)
        self.folder = Path(tempfile.mkdtemp(prefix="khuyencong-bench-"))

    def run(self) -> list[str]:
        self.out.write("\nImports and exports (imports.services, imports.workbooks)")
        self.cleanup()
        self.warm()
        projects = self.projects()
        good = self.good_rows(projects)
        self.with_bad_rows(good, projects)
        self.valid_import(good)
        self.stock_import(good)
        self.caps_check(projects)
        self.cleanup()
        self.hostile_files()
        self.exports()
        return self.failures

    # --- Data -------------------------------------------------------------------------------------

    @staticmethod
    def projects() -> list[Project]:
        """10.000 approved đề án of this year with room for a payment, spread over every province's plans.

        The generated dataset's đề án are settled (their money paid), so the benchmark adds its own
        approved ones (scaffolding like generate_data, in bulk; removed again by `cleanup`).
        """
        year = timezone.localdate().year
        plans = list(Plan.objects.filter(year=year).select_related("scheme", "province").order_by("id"))
        contents = {line.plan_id: line.content_id for line in PlanLine.objects.filter(plan__in=plans)}
        units = {}
        for organisation in Organisation.objects.filter(province__isnull=False).order_by("id"):
            units.setdefault(unit_of_today_id(organisation.province), organisation.pk)
        plans = [plan for plan in plans if plan.pk in contents and plan.current_province_id in units]
        decided = datetime.date(year, 1, 15)
        projects = []
        for number in range(ROWS):
            plan = plans[number % len(plans)]
            projects.append(
                Project(
                    plan=plan,
                    province_id=plan.province_id,
                    current_province_id=plan.current_province_id,
                    year=year,
                    code=f"{PROJECT}{number:05d}",
                    name=f"Đề án đo hiệu năng nhập số {number}",
                    content_id=contents[plan.pk],
                    implementing_unit_id=units[plan.current_province_id],
                    kc_support=100_000_000,
                    counterpart_funds=0,
                    status=ProjectStatus.APPROVED,
                    registered_on=decided,
                    decision_date=decided,
                    decision_number=f"{number}/QĐ-BENCH",
                )  # fmt: skip
            )
        Project.objects.bulk_create(projects, batch_size=2_000)
        return list(Project.objects.filter(code__startswith=PROJECT).select_related("plan__scheme").order_by("code"))

    @staticmethod
    def good_rows(projects) -> list[list]:
        today = timezone.localdate()
        rows = []
        for number, project in enumerate(projects):
            day = max(project.decision_date, today - datetime.timedelta(days=30))
            rows.append([project.code, day, 1_000_000, "", "Thanh toán", f"{VOUCHER}{number:05d}", "benchmark"])
        return rows

    def write(self, name: str, rows) -> Path:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Giải ngân")
        sheet.append(HEADERS)
        for row in rows:
            sheet.append(row)
        path = self.folder / name
        workbook.save(path)
        return path

    def cleanup(self, projects: bool = True) -> None:
        """Remove what an earlier run left (the payments, their history, the batches, its đề án)."""
        from .models import ImportBatch

        with transaction.atomic():
            Disbursement.objects.filter(voucher_number__startswith=VOUCHER).delete()
            self.clear_beneficiaries()
            # The benchmark's own trail, on its own database: the owner lifts the guards to clear it.
            with append_only_suspended():
                Disbursement.history.filter(voucher_number__startswith=VOUCHER).delete()
                ImportBatch.objects.filter(file_name__startswith="bench-").delete()
            if projects:
                Project.objects.filter(code__startswith=PROJECT).delete()

    @staticmethod
    def clear_beneficiaries() -> None:
        with transaction.atomic():
            ids = list(Project.objects.filter(code__startswith=PROJECT).values_list("pk", flat=True))
            Beneficiary.objects.filter(project_id__in=ids).delete()
            with append_only_suspended():
                Beneficiary.history.filter(project_id__in=ids).delete()

    def warm(self) -> None:
        """Bring the tables a payment writes into the OS cache (pg_prewarm), as on a server in use:
        otherwise the first run after loading the dataset measures the disk, for ours and stock alike."""
        tables = ("programmes_project", "programmes_disbursement", "programmes_historicaldisbursement")
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
                cursor.execute(
                    "SELECT sum(pg_prewarm(oid::regclass, 'prefetch')) FROM pg_class WHERE oid IN ("
                    " SELECT relid FROM (SELECT unnest(%s::text[])::regclass AS relid) t"
                    " UNION SELECT indexrelid FROM pg_index WHERE indrelid = ANY(%s::text[]::regclass[]))",
                    [list(tables), list(tables)],
                )
                blocks = cursor.fetchone()[0]
            self.out.write(f"  (pg_prewarm: {blocks:,} blocks of the đề án and payment tables read ahead)")
        except Exception as exc:  # no pg_prewarm here: measure cold
            self.out.write(f"  (pg_prewarm unavailable, measured cold: {exc})")

    # --- The three imports ------------------------------------------------------------------------

    def with_bad_rows(self, good, projects) -> None:
        rows = [list(row) for row in good]
        bad_numbers = set()
        for index in range(BAD):
            position = 50 + index * (ROWS // BAD)  # scattered: one in every hundred
            row = rows[position]
            reason = index % 5
            if reason == 0:
                row[0] = f"KHONG-CO-{index}"  # unknown đề án
            elif reason == 1:
                row[1] = "31/02/2024"  # no such date
            elif reason == 2:
                row[2] = -1_000_000  # negative
            elif reason == 3:
                row[2] = projects[position].kc_support + 1  # over the approved support
            else:
                row[:] = list(rows[position - 1])  # a duplicate of the row above
            bad_numbers.add(position + 2)  # sheet rows start at 2
        path = self.write("bench-bad.xlsx", rows)
        before = Disbursement.objects.count()
        seconds, peak, status, output = _child(["import_data", "disbursements", str(path), "--dry-run"])
        reported = {int(match.group(1)) for match in re.finditer(r"^Dòng (\d+)\b", output, re.MULTILINE)}
        written = Disbursement.objects.count() - before
        self.out.write(
            f"  {ROWS:,} rows with {BAD} bad: exit status {status}, {len(reported)} rows reported "
            f"({'all' if reported == bad_numbers else 'NOT the bad ones'}), {written} written"
        )
        if reported != bad_numbers or written or status != 1:
            self.failures.append("the bad rows were not all reported, or something was written")
            missed, extra = sorted(bad_numbers - reported)[:10], sorted(reported - bad_numbers)[:10]
            self.out.write(f"    missed: {missed}, extra: {extra}")
            self.out.write("    " + "\n    ".join(output.splitlines()[:12]))
        self.check("  time to check them all (import_data --dry-run, a fresh process)", seconds, CHECK_SECONDS, "s")
        self.check("  peak memory (its maximum resident set)", peak, CHECK_MB, "MB")

    def valid_import(self, good) -> None:
        path = self.write("bench-good.xlsx", good)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM programmes_disbursement")
            before = cursor.fetchone()[0]
        seconds, peak, status, output = _child(["import_data", "disbursements", str(path)])
        written = Disbursement.objects.count() - before
        self.out.write(f"  the {ROWS:,} good rows imported: exit status {status}, {written:,} payments written")
        if written != len(good) or status != 0:
            self.failures.append(f"the valid import wrote {written} rows: {output[-500:]}")
        self.ours = seconds
        self.check("  time to import them (import_data, a fresh process)", seconds, IMPORT_SECONDS, "s")
        self.out.write(
            f"  peak memory {peak:.0f} MB; queries: 15 per file of new payments up to 1.000 rows, then 2 INSERTs"
            " per 1.000 payments and 1 lock query per 2.000 đề án (pinned in tests/test_exports.py)"
        )
        self.cleanup(projects=False)

    def stock_import(self, good) -> None:
        """django-import-export alone: a ModelResource, the same rows, the same model, no rule checked."""
        import tablib
        from import_export import fields, resources, widgets

        class StockDisbursementResource(resources.ModelResource):
            project = fields.Field(
                attribute="project", column_name="project", widget=widgets.ForeignKeyWidget(Project, "code")
            )

            class Meta:
                model = Disbursement
                fields = ("project", "paid_on", "amount", "source", "kind", "voucher_number", "note")
                import_id_fields = ("project", "voucher_number")

        levels = dict(
            Project.objects.filter(code__in=[row[0] for row in good]).values_list("code", "plan__scheme__level")
        )
        dataset = tablib.Dataset(headers=["project", "paid_on", "amount", "source", "kind", "voucher_number", "note"])
        for code, day, amount, _source, _kind, voucher, note in good:
            source = "nstw" if levels[code] == SchemeLevel.NATIONAL else "ns_tinh"
            dataset.append([code, day.isoformat(), amount, source, "thanh_toan", voucher, note])
        started = time.perf_counter()
        result = StockDisbursementResource().import_data(dataset, dry_run=False, use_transactions=True)
        seconds = time.perf_counter() - started
        written = Disbursement.objects.filter(voucher_number__startswith=VOUCHER).count()
        self.out.write(
            f"  django-import-export's stock import of the same rows: {seconds:.1f} s "
            f"({written:,} written, {len(result.invalid_rows)} invalid, errors: {result.has_errors()})"
        )
        self.out.write(f"  ratio ours (a fresh process, every rule checked) / stock: {self.ours / seconds:.2f}×")
        self.cleanup(projects=False)

    def caps_check(self, projects) -> None:
        """The support caps' share of a beneficiary import: the same 10.000 rows (two facilities on each
        KCQG đề án, 1 triệu of machinery on an eligible cost of 10 triệu) without and with the item."""
        from .formats import FORMATS

        national = [project for project in projects if project.plan.scheme.level == SchemeLevel.NATIONAL]
        facilities = {}
        for tax_code, province_id in (
            Facility.objects.filter(tax_code__isnull=False).order_by("pk").values_list("tax_code", "current_province")
        ):
            facilities.setdefault(province_id, []).append(tax_code)
        rows, taken = [], {}
        for project in national[: ROWS // 2]:
            codes = facilities[project.current_province_id]
            # Two different facilities for each đề án; each facility on few đề án.
            start = taken.get(project.current_province_id, 0)
            taken[project.current_province_id] = start + 2
            for offset in (0, 1):
                rows.append([project.code, codes[(start + offset) % len(codes)], 1_000_000, 10_000_000])
        headers = FORMATS["beneficiaries"].headers()
        place = {name: headers.index(name) for name in ("Mã đề án", "Mã số thuế", "Kinh phí hỗ trợ (đồng)")}

        def file(name: str, item: str):
            from openpyxl import Workbook

            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("Đơn vị thụ hưởng")
            sheet.append(headers)
            for code, tax_code, support, eligible in rows:
                cells = [None] * len(headers)
                cells[place["Mã đề án"]], cells[place["Mã số thuế"]] = code, tax_code
                cells[place["Kinh phí hỗ trợ (đồng)"]] = support
                if item:
                    cells[headers.index("Hạng mục hỗ trợ")] = item
                    cells[headers.index("Chi phí hợp lệ (đồng)")] = eligible
                sheet.append(cells)
            path = self.folder / name
            workbook.save(path)
            return path

        plain, capped = file("bench-beneficiaries.xlsx", ""), file("bench-beneficiaries-caps.xlsx", "MMTB")
        times = {"without": [], "with": []}
        for _round in range(2):
            for label, path in (("without", plain), ("with", capped)):
                seconds, _peak, status, output = _child(["import_data", "beneficiaries", str(path)])
                written = Beneficiary.objects.filter(project__code__startswith=PROJECT).count()
                self.clear_beneficiaries()
                if status != 0 or written != len(rows):
                    self.failures.append(f"the beneficiary import ({label} the item) wrote {written}: {output[-500:]}")
                    return
                times[label].append(seconds)
        without, with_caps = min(times["without"]), min(times["with"])
        self.out.write(
            f"  {len(rows):,} beneficiary rows (import_data, a fresh process, the faster of two): "
            f"{without:.1f} s without the support item, {with_caps:.1f} s with it (the cap checked on each)"
        )
        self.check("  what the support caps' check adds", (with_caps / without - 1) * 100, CAPS_PERCENT, "%")

    # --- Hostile files and exports ----------------------------------------------------------------

    def hostile_files(self) -> None:
        from openpyxl import Workbook

        buffer = io.BytesIO()
        Workbook().save(buffer)
        with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
            parts = {name: archive.read(name) for name in archive.namelist()}
        cases = {}
        bomb = dict(parts)
        bomb["xl/worksheets/sheet1.xml"] = b"<worksheet>" + b"0" * 500_000_000 + b"</worksheet>"
        cases["zip bomb (500 MB of XML in a small file)"] = bomb
        laughs = dict(parts)
        laughs["xl/worksheets/sheet1.xml"] = (
            b'<?xml version="1.0"?><!DOCTYPE z [<!ENTITY a "aaaaaaaaaa">'
            + b"".join(b'<!ENTITY a%d "%s">' % (i, b"&a;" * 10) for i in range(10))
            + b"]><worksheet/>"
        )
        cases["XML bomb (entities)"] = laughs
        files = {}
        for label, entries in cases.items():
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, content in entries.items():
                    archive.writestr(name, content)
            files[label] = out.getvalue()
        files["password-protected workbook (an OLE container)"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100_000
        for label, data in files.items():
            started = time.perf_counter()
            try:
                table = read_table("bench.xlsx", data)
                for _row in table.rows:
                    pass
                refused = False
            except RefusedFile:
                refused = True
            seconds = time.perf_counter() - started
            if not refused:
                self.failures.append(f"{label} was not refused")
            self.check(f"  {label}, {len(data) / 1e6:.1f} MB, refused", seconds, HOSTILE_SECONDS, "s")

    def exports(self) -> None:
        total = Project.objects.count()
        busiest = Project.objects.values("current_province__code").annotate(n=Count("pk")).order_by("n").first()
        code = busiest["current_province__code"]
        for suffix in ("csv", "xlsx"):
            peaks = {}
            for label, extra in (("the nation", []), (f"province {code}", ["--province", code])):
                path = self.folder / f"export.{suffix}"
                seconds, peak, status, output = _child(["export_data", "projects", "-o", str(path), *extra])
                if status:
                    self.failures.append(f"export_data failed: {output[-300:]}")
                peaks[label] = (seconds, peak, path.stat().st_size / 1e6 if path.exists() else 0)
            nation, province = peaks["the nation"], peaks[f"province {code}"]
            self.out.write(
                f"  export of the nation's {total:,} đề án to .{suffix}: {nation[0]:.1f} s, {nation[2]:.0f} MB file, "
                f"peak RSS {nation[1]:.0f} MB (one province, {busiest['n']:,} đề án: {province[1]:.0f} MB)"
            )
            if suffix == "xlsx":
                self.raw_writers(nation[0])

    def raw_writers(self, ours: float) -> None:
        """The baseline: the same number of rows and columns read straight from the table and written by
        each library alone (openpyxl write-only, XlsxWriter constant-memory), each in a fresh process."""
        from .formats import FORMATS

        width = len(FORMATS["projects"].headers())
        for writer in ("openpyxl", "xlsxwriter"):
            path = self.folder / f"raw-{writer}.xlsx"
            code = _RAW_WRITER.format(writer=writer, width=width, path=str(path))
            seconds, peak, status, output = _child(["shell", "-c", code])
            if status:
                self.failures.append(f"{writer} alone failed: {output[-300:]}")
                continue
            self.out.write(
                f"    {writer} alone, the same {width} columns of every đề án: {seconds:.1f} s, peak RSS {peak:.0f} MB"
                f" — ours / {writer} {ours / seconds:.2f} ×"
            )
