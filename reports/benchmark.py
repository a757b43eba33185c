"""The reports' part of `manage.py benchmark`: figures, a province's PDF, the nation's workbook.

Measured on the national dataset, beside openpyxl alone writing the same cells in the same run:

- one province's 6-month figures (the largest province) ≤ 50 ms; the nation's ≤ 300 ms (median);
- the PDF of a province report listing about 50 đề án ≤ 1 s, and the largest city's half-year
  report, every level (Thành phố Hồ Chí Minh: 700 đề án, over 100 pages) ≤ 8 s, each with
  its parts — the figures and HTML, WeasyPrint's layout, WeasyPrint writing the PDF, the signature
  fields — and the peak memory of each in a fresh `build_report` process (≤ 300 MB);
- the Excel workbook of the nation's đề án list (≥ 30.000 rows) ≤ 2× the time openpyxl alone
  takes to write the same cells (and beside XlsxWriter alone, which writes it), and Python's peak
  allocation while writing it compared for the nation and for a region a fraction of its size
  (it must not grow with the rows).
"""

from __future__ import annotations

import datetime
import io
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from contextlib import contextmanager

from django.db.models import Count
from django.test import override_settings

from programmes.lib.benchmarking import BenchmarkPart, signed_in_client
from programmes.models import Project

from . import document, figures, render
from .models import Level
from .periods import period_for

FIGURES_PROVINCE_MS = 50
FIGURES_NATION_MS = 300
PDF_SECONDS = 1.0
BIG_PDF_SECONDS = 8.0
PDF_MB = 300
# The job page shows its bar moving within this long of the request (the worker polls every second).
JOB_FIRST_PROGRESS_SECONDS = 5.0
XLSX_RATIO = 2.0


def _median_ms(function, repeat: int) -> float:
    function()  # warm
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


MULTI_YEAR_EVERY = 30  # one đề án in this many made a đề án of two years for a measure (rolled back)


@contextmanager
def multi_year_projects():
    """One approved đề án in `MULTI_YEAR_EVERY` of the plans up to 2025 shared between its year and the
    next (half each), inside a transaction rolled back afterwards; yields their number."""
    from django.db import connection, transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE benchmark_shared ON COMMIT DROP AS SELECT id, year, kc_support, "
                "counterpart_funds, other_funds FROM programmes_project "
                "WHERE id %% %s = 0 AND year <= 2025 AND decision_date IS NOT NULL",
                [MULTI_YEAR_EVERY],
            )
            for year_offset, part in ((0, "{0} - {0} / 2"), (1, "{0} / 2")):
                amounts = ", ".join(part.format(name) for name in ("kc_support", "counterpart_funds", "other_funds"))
                cursor.execute(
                    "INSERT INTO programmes_projectallocation (project_id, year, kc_support, counterpart_funds, "
                    f"other_funds) SELECT id, year + {year_offset}, {amounts} FROM benchmark_shared"
                )
            cursor.execute(
                "UPDATE programmes_project SET final_year = project.year + 1 FROM benchmark_shared AS project "
                "WHERE programmes_project.id = project.id"
            )
            cursor.execute("ANALYZE programmes_projectallocation")
            cursor.execute("SELECT count(*) FROM benchmark_shared")
            shared = cursor.fetchone()[0]
        yield shared
        transaction.set_rollback(True)


class ReportsBenchmark(BenchmarkPart):
    def __init__(self, command, repeat: int):
        super().__init__(command)
        self.repeat = max(3, repeat)

    def run(self) -> list[str]:
        self.out.write("\nReports (reports.figures, reports.render)")
        year = self.busiest_year()
        largest = self.largest_province()
        self.figures(largest, year)
        self.pdf(year)
        self.national_pdf_job(year)
        self.workbook(year)
        return self.failures

    def national_pdf_job(self, year: int) -> None:
        """The nation's 6-month PDF as the reviewer gets it: a job run by a real worker process
        (`db_worker`), from the request to the first progress on the job's page and to the file."""
        import os
        import tempfile
        from urllib.parse import urlencode

        from django.contrib.auth import get_user_model
        from django.utils import translation

        from programmes.jobs.models import Job

        from . import jobs

        reviewer = get_user_model().objects.filter(username="bench_reviewer").first()
        if reviewer is None:
            self.out.write("  the national PDF as a job: no reviewer to ask for it (run the lists part once)")
            return
        query = urlencode({"scope": "nation", "year": year, "preset": "h1", "level": "all"})
        log = tempfile.TemporaryFile()  # noqa: SIM115  (closed below)
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "0.5"], stdout=log, stderr=subprocess.STDOUT,
            env=os.environ.copy(),
        )  # fmt: skip
        try:
            time.sleep(3)  # the worker's own start (Django's set-up), as on a server where it already runs
            with translation.override("vi"):
                job = jobs.start(user=reviewer, kind="pdf", title="Benchmark: cả nước, 6 tháng", query=query)
            asked = time.perf_counter()
            first = None
            while time.perf_counter() - asked < 600:
                row = Job.objects.filter(pk=job.pk).values("state", "stage", "done").get()
                if first is None and (row["stage"] or row["done"]):
                    first = time.perf_counter() - asked
                if row["state"] in Job.FINISHED:
                    break
                time.sleep(0.1)
            total = time.perf_counter() - asked
            job.refresh_from_db()
        finally:
            worker.terminate()
            worker.wait(timeout=60)
            log.close()
        if job.state != Job.State.DONE:
            self.out.write(self.style.WARNING(f"  the national PDF as a job: {job.state} ({job.error[:200]})"))
            self.failures.append(f"the national PDF as a job: {job.state}")
            return
        size = job.result.size / 1e6 if job.result else 0
        self.out.write(
            f"  the nation's 6-month PDF as a job: first progress after {first or total:.1f} s, "
            f"the file after {total:.1f} s ({size:.1f} MB)"
        )
        self.check("    the job's first progress on its page", first or total, JOB_FIRST_PROGRESS_SECONDS, "s")

    @staticmethod
    def busiest_year() -> int:
        return Project.objects.values("year").annotate(n=Count("pk")).order_by("-n").first()["year"]

    @staticmethod
    def largest_province():
        from programmes.models import Province

        busiest = Project.objects.values("current_province").annotate(n=Count("pk")).order_by("-n").first()
        return Province.objects.get(pk=busiest["current_province"])

    def figures(self, province, year: int) -> None:
        period = period_for(year, "h1")
        cases = [
            (
                f"6-month figures, {province.name} (largest province), {year}",
                {"province": province},
                FIGURES_PROVINCE_MS,
            ),
            (f"6-month figures, the nation, {year}", {}, FIGURES_NATION_MS),
        ]
        for label, where, target in cases:
            cov = figures.coverage(period, **where)
            self.check(label, _median_ms(lambda cov=cov: figures.summary(cov), self.repeat), target, "ms")
        # Again with multi-year đề án (issue 21, point 6): their shares are read by two more queries.
        with multi_year_projects() as shared:
            for label, where, target in cases:
                cov = figures.coverage(period, **where)
                ms = _median_ms(lambda cov=cov: figures.summary(cov), self.repeat)
                self.check(f"{label}, {shared:,} đề án of two years", ms, target, "ms")
            cov = figures.coverage(period, province=province)
            ms = _median_ms(lambda: sum(1 for _item in figures.project_rows(cov)), self.repeat)
            self.out.write(f"  {'Biểu 03 of ' + province.name + ', with them':<62} {ms:>9.1f} ms")

    def fifty_projects(self, year: int):
        """A province report that lists about 50 đề án: a province and level, from 1/1 to a day of the year."""
        from programmes.models import Province

        smallest = (
            Project.objects.filter(year=year).values("current_province").annotate(n=Count("pk")).order_by("n").first()
        )
        province = Province.objects.get(pk=smallest["current_province"])
        national = Project.objects.filter(current_province=province, year=year, plan__scheme__level="kcqg")
        days = sorted(national.filter(decision_date__isnull=False).values_list("decision_date", flat=True))
        until = days[min(49, len(days) - 1)] if days else datetime.date(year, 12, 31)
        until = max(until, datetime.date(year, 1, 1))
        period = period_for(year, "custom", date_from=datetime.date(year, 1, 1), date_until=until)
        return province, figures.coverage(period, province=province, level=Level.NATIONAL)

    def pdf(self, year: int) -> None:
        from programmes.models import Province

        province, cov = self.fifty_projects(year)
        self.one_pdf(cov, province, PDF_SECONDS, level="national")
        city = Province.objects.filter(code="79", valid_to__isnull=True).first() or self.largest_province()
        self.one_pdf(figures.coverage(period_for(year, "h1"), province=city), city, BIG_PDF_SECONDS, level="all")

    def one_pdf(self, cov, province, target: float, *, level: str) -> None:
        """A report's PDF, its parts timed: the figures and HTML, WeasyPrint's layout and PDF writing."""
        from . import signing

        def parts():
            times = {}
            start = time.perf_counter()
            markup = render.html(document.build(cov))
            times["figures and HTML"] = time.perf_counter() - start
            start = time.perf_counter()
            rendered = render.layout(markup)
            times["WeasyPrint layout"] = time.perf_counter() - start
            start = time.perf_counter()
            data = rendered.write_pdf(pdf_identifier=b"khuyencong")
            times["WeasyPrint writing"] = time.perf_counter() - start
            start = time.perf_counter()
            signing.reserve_fields(data, signing.field_boxes(rendered))
            times["signature fields"] = time.perf_counter() - start
            return times, len(rendered.pages)

        parts()  # warm
        runs = [parts() for _ in range(3 if target <= PDF_SECONDS else 2)]
        pages = runs[0][1]
        medians = {name: statistics.median(run[0][name] for run in runs) for name in runs[0][0]}
        total = sum(medians.values())
        doc = document.build(cov)
        rows = sum(1 for item in doc.project_items if isinstance(item, figures.ProjectRow))
        label = f"PDF, {province.name}, {rows} đề án, {pages} pages ({cov.period.dates})"
        self.check(label, total, target, "s")
        weasy = medians["WeasyPrint layout"] + medians["WeasyPrint writing"]
        self.out.write(
            "    " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in medians.items())
            + f"; WeasyPrint's share {weasy / total:.0%}, {medians['WeasyPrint layout'] / pages * 1000:.0f} ms a page"
        )  # fmt: skip
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        command = [
            sys.executable, "manage.py", "build_report", "--province", province.code, "--year", str(cov.period.year),
            "--from", f"{cov.period.date_from:%Y-%m-%d}", "--until", f"{cov.period.date_until:%Y-%m-%d}",
            "--level", level, "--format", "pdf", "-o", "/dev/null", "--verbosity", "0",
        ]  # fmt: skip
        subprocess.run(command, check=True)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if peak > before:
            self.check("    peak memory of build_report --format pdf (a fresh process)", peak / 1024, PDF_MB, "MB")
        else:
            self.out.write("    peak memory: no more than the larger child before it")

    def workbook(self, year: int) -> None:
        nation = figures.coverage(period_for(year, "year"))
        doc = document.build(nation, with_projects=False)
        start = time.perf_counter()
        ours = render.xlsx(doc, project_items=figures.project_rows(nation))
        ours_seconds = time.perf_counter() - start
        # The same cells, written by openpyxl alone (rows read beforehand, not timed).
        cells = [_cells(item) for item in figures.project_rows(nation)]
        rows = sum(1 for item in cells if isinstance(item[0], int))
        start = time.perf_counter()
        _plain_workbook(cells)
        plain_seconds = time.perf_counter() - start
        start = time.perf_counter()
        _plain_xlsxwriter(cells)
        xlsxwriter_seconds = time.perf_counter() - start
        self.out.write(
            f"  Excel of the nation's đề án list, {rows:,} rows: ours {ours_seconds:.2f} s (reading included), "
            f"openpyxl alone {plain_seconds:.2f} s, XlsxWriter alone {xlsxwriter_seconds:.2f} s, "
            f"{len(ours) / 1e6:.1f} MB"
        )
        self.check("  ratio ours / openpyxl alone", ours_seconds / plain_seconds, XLSX_RATIO, "×")
        self.out.write(f"  ratio ours / XlsxWriter alone {ours_seconds / xlsxwriter_seconds:.2f} ×")
        # Peak Python allocation while writing: the nation, and a region with fewer rows.
        peaks = {}
        for label, cov in (
            ("the nation", nation),
            ("the Southern region", figures.coverage(nation.period, region="nam")),
        ):
            tracemalloc.start()
            render.xlsx(document.build(cov, with_projects=False), project_items=figures.project_rows(cov))
            peaks[label] = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
        self.out.write(
            "  peak Python allocation while writing: "
            + ", ".join(f"{label} {peak:.1f} MB" for label, peak in peaks.items())
        )


def _cells(item) -> list:
    if isinstance(item, figures.ProjectRow):
        return [
            item.number, item.code, item.name, item.content_label, item.unit, "\n".join(item.beneficiaries),
            item.place, item.dates, item.total_cost / 1e6, item.support / 1e6, item.counterpart / 1e6,
            item.paid_in_period / 1e6, item.paid_to_date / 1e6, float(item.percent_paid or 0) / 100,
            item.status, item.note,
        ]  # fmt: skip
    return ["", "", item.label]


def _plain_workbook(cells) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Biểu 03")
    for row in cells:
        sheet.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def _plain_xlsxwriter(cells) -> bytes:
    import xlsxwriter

    stream = io.BytesIO()
    workbook = xlsxwriter.Workbook(stream, {"constant_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet("Biểu 03")
    for number, row in enumerate(cells):
        sheet.write_row(number, 0, row)
    workbook.close()
    return stream.getvalue()


# --- The Ministry's oversight: the status page, its API, the completeness matrix ----------------------------

STATUS_MS = 150
COMPLETENESS_MS = 100
QUALITY_MS = 300
CAPPED_LINES = 20_000  # lines given a support item for the data-quality panel's measure (rolled back)


class OversightBenchmark(BenchmarkPart):
    """The national status page and /api/v1/status/ for a 6-month period, a year and a period across 1/7/2025
    (≤ 150 ms median server time each), beside the report's own figures for the same period; the
    completeness matrix (≤ 100 ms); the nation's data-quality panel (≤ 300 ms). Server time: the request
    in process, DEBUG off, as a reviewer.
    The status page and API are measured computing their figures every time (the figures cache
    off), then the page once more as production answers it while the data is unchanged."""

    def __init__(self, command, repeat: int, reviewer):
        super().__init__(command)
        self.repeat = max(5, repeat)
        self.reviewer = reviewer

    def run(self) -> list[str]:
        from django.test import Client
        from rest_framework.authtoken.models import Token

        self.out.write("\nOversight (reports.status: the status page, the API, the completeness matrix)")
        year = ReportsBenchmark.busiest_year()
        client = signed_in_client(self.reviewer)
        token, _created = Token.objects.get_or_create(user=self.reviewer)
        api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
        periods = [
            ("6 months", period_for(year, "h1"), {"preset": "h1"}),
            ("a year", period_for(year, "year"), {"preset": "year"}),
            (
                "across 1/7/2025",
                period_for(2025, "custom", date_from=datetime.date(2025, 1, 1), date_until=datetime.date(2025, 12, 31)),
                {"preset": "custom", "date_from": "2025-01-01", "date_until": "2025-12-31"},
            ),
        ]
        with override_settings(KHUYENCONG_FIGURES_CACHE_SECONDS=0):  # the work itself, every time
            self.measure_periods(client, api, periods)
        # Production keeps the answer while the data is unchanged (reports.status.cached_while_unchanged).
        label, period, params = periods[0]
        query = {"year": period.year, "level": "all", "units": "then", **params}
        kept_ms = _median_ms(lambda: _ok(client.get("/admin/bao-cao/tinh-hinh/", query)), self.repeat)
        self.check(f"status page, the nation, {label}, data unchanged (kept)", kept_ms, STATUS_MS, "ms")
        matrix_ms = _median_ms(lambda: _ok(client.get("/admin/bao-cao/tien-do-bao-cao/", {"nam": year})), self.repeat)
        self.check(f"completeness matrix, {year}", matrix_ms, COMPLETENESS_MS, "ms")
        api_ms = _median_ms(lambda: _ok(api.get("/api/v1/completeness/", {"year": year})), self.repeat)
        self.check(f"GET /api/v1/completeness/, {year}", api_ms, COMPLETENESS_MS, "ms")
        self.quality(client)
        return self.failures

    def quality(self, client) -> None:
        """The nation's data-quality panel, with 20.000 lines of approved đề án given the machinery item and
        an eligible cost (one in fifty above its percent cap), in a transaction rolled back afterwards."""
        from django.db import connection, transaction
        from django.db.models import F

        from programmes import statuses
        from programmes.models import Beneficiary, SupportItem

        with transaction.atomic():
            ids = list(
                Beneficiary.objects.filter(project__status__in=statuses.APPROVED)
                .order_by("pk")
                .values_list("pk", flat=True)[:CAPPED_LINES]
            )
            item = SupportItem.objects.get(code="MMTB")
            Beneficiary.objects.filter(pk__in=ids).update(support_item=item, eligible_cost=F("support_amount") * 2)
            Beneficiary.objects.filter(pk__in=ids[::50]).update(eligible_cost=F("support_amount"))
            with connection.cursor() as cursor:  # the planner's statistics as a server in use keeps them
                cursor.execute("ANALYZE programmes_beneficiary")
            ms = _median_ms(lambda: _ok(client.get("/admin/bao-cao/chat-luong-du-lieu/")), self.repeat)
            self.check(f"data-quality panel, the nation ({len(ids):,} capped lines)", ms, QUALITY_MS, "ms")
            transaction.set_rollback(True)

    def measure_periods(self, client, api, periods) -> None:
        for label, period, params in periods:
            dates = period.dates
            figures_ms = _median_ms(lambda period=period: figures.summary(figures.coverage(period)), self.repeat)
            self.out.write(f"  {'report figures, the nation, ' + label + ' (' + dates + ')':<62} {figures_ms:>9.1f} ms")
            query = {"year": period.year, "level": "all", "units": "then", **params}
            page_ms = _median_ms(lambda query=query: _ok(client.get("/admin/bao-cao/tinh-hinh/", query)), self.repeat)
            self.check(f"status page, the nation, {label}", page_ms, STATUS_MS, "ms")
            api_query = {"from": f"{period.date_from:%Y-%m-%d}", "until": f"{period.date_until:%Y-%m-%d}"}
            api_ms = _median_ms(lambda q=api_query: _ok(api.get("/api/v1/status/", q)), self.repeat)
            self.check(f"GET /api/v1/status/, the nation, {label}", api_ms, STATUS_MS, "ms")


def _ok(response):
    if response.status_code != 200:
        raise RuntimeError(f"{response.status_code} from the benchmark's request")
    return response
