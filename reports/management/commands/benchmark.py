"""Measure the lists and start pages on the national dataset, beside a stock Django admin.

Run it with `make benchmark` (README): it builds or reuses the dataset in its own database and
calls this command with production settings (DEBUG off). For the Ministry reviewer, the officer
of the largest province and the officer of Hà Nội, each list (đề án, disbursements, beneficiaries,
facilities, plans, adjustments) and its variants (page 1, a year, a search, each sortable column,
the last page) is requested `--repeat` times through Django's full request handling: median and
p95 server time and the number of queries, beside a stock Django admin with the same read scope
over the same rows (`programmes.benchmark.stock_admin`), in the same run. Then a bounded load
run: gunicorn with production settings on loopback, N clients for a few seconds each.

The machine is shared and noisy: the ratios in one run are what count.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import clear_url_caches

from programmes import services
from programmes.access import Role
from programmes.benchmark.stock_admin import site as stock_site
from programmes.lib.benchmarking import signed_in_client, signed_in_session
from programmes.models import Beneficiary, Disbursement, Facility, Plan, Project, ProjectAdjustment, Province

# Issue 20, point 9: every list's median ≤ 60 ms, searches included (it was 150 ms before).
TARGET_MS = 60
TARGET_RATIO = 1.5
# (model, search term, stock admin's field for each of our sortable columns)
LISTS = [
    (Project, "may moc", {"code": "code", "year_column": "year", "support_column": "kc_support",
                          "disbursed_column": "disbursed_amount"}),
    (Disbursement, "may moc", {"paid_on": "paid_on", "amount_column": "amount"}),
    (Beneficiary, "thinh phat", {}),
    (Facility, "thinh phat", {"name": "name"}),
    (Plan, "nam", {}),
    (ProjectAdjustment, "may moc", {"effective_on": "effective_on"}),
]  # fmt: skip
YEAR = "2024"
LOAD_SCENARIOS = [
    # (label, who, path, clients, target requests/s, target p95 ms)
    ("officer's đề án list", "officer", "/admin/programmes/project/", 10, 60, 250),  # issue 20, point 9
    ("start page", "officer", "/admin/", 20, 60, 400),
]


def oversight_scenarios(year: int) -> list[tuple]:
    """The reviewer's national status page and its API for a 6-month period, at 10 clients (issue 18)."""
    return [
        ("status page, nation", "reviewer", f"/admin/bao-cao/tinh-hinh/?year={year}&preset=h1&level=all&units=then",
         10, 0, 400),
        ("GET /api/v1/status/", "reviewer", f"/api/v1/status/?from={year}-01-01&until={year}-06-30", 10, 0, 400),
    ]  # fmt: skip


@dataclass
class Timing:
    times: list[float] = field(default_factory=list)
    queries: int = 0
    status: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")

    @property
    def p95(self) -> float:
        if not self.times:
            return float("nan")
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# README, Production: the PostgreSQL settings for the national data size that are per database.
PRODUCTION_DATABASE_SETTINGS = (
    ("work_mem", "16MB"),
    ("effective_cache_size", "3GB"),
    ("random_page_cost", "1.1"),
)


class Command(BaseCommand):
    help = "Measure every list and start page beside a stock Django admin, then a gunicorn load run."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=10, help="Timed requests per variant (default 10).")
        parser.add_argument("--only", nargs="*", default=[], help="Model names to measure (default: all).")
        parser.add_argument("--load-seconds", type=float, default=15.0, help="Length of each load run.")
        parser.add_argument("--no-load", action="store_true", help="Skip the gunicorn load run.")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers in the load run.")
        parser.add_argument("--no-reports", action="store_true", help="Skip the reports' figures, PDF and Excel.")
        parser.add_argument("--reports-only", action="store_true", help="Measure the reports only.")
        parser.add_argument("--no-imports", action="store_true", help="Skip the imports and exports.")
        parser.add_argument("--no-oversight", action="store_true", help="Skip the status page, API and completeness.")
        parser.add_argument(
            "--oversight-only", action="store_true", help="Measure the status page, API and completeness only."
        )
        parser.add_argument("--imports-only", action="store_true", help="Measure the imports and exports only.")
        parser.add_argument(
            "--prepare",
            action="store_true",
            help="Create the database if missing, migrate, and generate the national dataset if absent.",
        )

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark measures PostgreSQL: set DATABASE_URL (see README).")
        if opts["prepare"]:
            self.prepare()
        if not Project.objects.filter(code__startswith="GEN-").exists():
            raise CommandError("No generated data here: run `make benchmark` (or generate_data) first.")
        if settings.DEBUG:
            self.stderr.write("Warning: DEBUG is on; the figures are not production figures.")
        # The pages are asked for in this process over plain HTTP: production settings but the TLS redirect.
        with override_settings(SECURE_SSL_REDIRECT=False):
            self.measure(opts)

    def measure(self, opts) -> None:
        self.repeat = opts["repeat"]
        self.failures: list[str] = []
        users = self.bench_users()
        self.stdout.write(
            f"Dataset: {Project.objects.count():,} đề án, {Disbursement.objects.count():,} disbursements, "
            f"{Facility.objects.count():,} facilities. {self.repeat} timed requests per line, server time in ms.\n"
        )
        only_imports = opts["imports_only"]
        only = opts["reports_only"] or only_imports or opts["oversight_only"]
        if not only:
            with override_settings(ROOT_URLCONF="khuyencong.benchmark_urls", ALLOWED_HOSTS=["*"]):
                clear_url_caches()
                try:
                    self.measure_pages(users, opts["only"])
                finally:
                    clear_url_caches()
        if not opts["no_reports"] and (not only or opts["reports_only"]):
            from reports.benchmark import ReportsBenchmark

            self.failures += ReportsBenchmark(self, self.repeat).run()
        if not opts["no_oversight"] and (not only or opts["oversight_only"]):
            from reports.benchmark import OversightBenchmark

            with override_settings(ALLOWED_HOSTS=["*"]):
                self.failures += OversightBenchmark(self, self.repeat, users[0][1]).run()
        if not opts["no_imports"] and (not only or only_imports):
            from programmes.imports.benchmark import ImportsBenchmark

            self.failures += ImportsBenchmark(self).run()
        if not opts["no_load"] and (not only or opts["oversight_only"]):
            self.load_run(users, opts["load_seconds"], opts["workers"], oversight_only=opts["oversight_only"])
        self.stdout.write("")
        if self.failures:
            self.stdout.write(self.style.WARNING(f"{len(self.failures)} figures miss their target:"))
            for failure in self.failures:
                self.stdout.write(f"  - {failure}")
        else:
            self.stdout.write(self.style.SUCCESS("Every figure meets its target."))

    def prepare(self) -> None:
        """Create the benchmark database if it is missing, migrate it, and fill it once (4–7 minutes)."""
        import psycopg
        from psycopg import sql

        params = connection.settings_dict
        name = params["NAME"]
        server = {
            "host": params.get("HOST") or None,
            "port": params.get("PORT") or None,
            "user": params.get("USER") or None,
            "password": params.get("PASSWORD") or None,
        }
        with psycopg.connect(dbname="postgres", autocommit=True, **{k: v for k, v in server.items() if v}) as admin_db:
            if not admin_db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                self.stdout.write(f"Creating database {name}…")
                admin_db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            # The README's production settings that a database may carry itself (the rest are the
            # server's: shared_buffers, max_connections), so the run measures what production runs.
            for setting, value in PRODUCTION_DATABASE_SETTINGS:
                admin_db.execute(
                    sql.SQL("ALTER DATABASE {} SET {} = {}").format(
                        sql.Identifier(name), sql.Identifier(setting), sql.Literal(value)
                    )
                )
        connection.close()  # the next connection reads the settings
        call_command("migrate", verbosity=0)
        # Production serves the collected, hashed static files (the pages name them): so does the run.
        call_command("collectstatic", interactive=False, verbosity=0)
        if not Project.objects.filter(code__startswith="GEN-").exists():
            self.stdout.write("Generating the national dataset (once; 4–7 minutes)…")
            call_command("generate_data")

    # --- Who -----------------------------------------------------------------------------------

    def bench_users(self) -> list[tuple[str, object]]:
        busiest = Project.objects.values("current_province").annotate(n=Count("pk")).order_by("-n").first()
        largest = Province.objects.get(pk=busiest["current_province"])
        hanoi = Province.objects.current_units().get(code="01")
        User = get_user_model()
        people = []
        for username, role, province, label in [
            ("bench_reviewer", Role.MINISTRY_REVIEWER, None, "reviewer"),
            ("bench_largest", Role.PROVINCE_STAFF, largest, f"officer of {largest.name}"),
            ("bench_hanoi", Role.PROVINCE_STAFF, hanoi, f"officer of {hanoi.name}"),
        ]:
            user, _created = User.objects.get_or_create(username=username)
            services.user_set_role(user=user, role=role, province=province)
            people.append((label, User.objects.get(pk=user.pk)))
        return people

    # --- Pages ---------------------------------------------------------------------------------

    def measure_pages(self, users, only) -> None:
        header = (
            f"{'list':<14} {'who':<28} {'variant':<22} {'median':>7} {'p95':>7} {'q':>3}   "
            f"{'stock':>7} {'p95':>7} {'q':>3} {'ratio':>6}"
        )
        for label, user in users:
            client = signed_in_client(user)
            self.stdout.write(header)
            start = self.timed(client, "/admin/")
            self.report("start page", label, "—", start, None)
            for model, term, sort_map in LISTS:
                if only and model.__name__ not in only:
                    continue
                for variant, ours, stock in self.variants(model, user, term, sort_map, client):
                    self.report(model._meta.model_name, label, variant, ours, stock)
            self.stdout.write("")

    def variants(self, model, user, term, sort_map, client):
        name = model._meta.model_name
        url = f"/admin/programmes/{name}/"
        stock_url = f"/stock-admin/programmes/{name}/"
        ours_first = self.timed(client, url)
        stock_first = self.timed(client, stock_url)
        yield "page 1", ours_first, stock_first
        if any(f.name == "year" for f in model._meta.fields):  # facilities have no plan year
            yield f"year {YEAR}", self.timed(client, url, {"nam": YEAR}), self.timed(client, stock_url, {"year": YEAR})
        yield f"search “{term}”", self.timed(client, url, {"q": term}), self.timed(client, stock_url, {"q": term})
        ours_columns = self.list_display(admin.site._registry[model], user)
        stock_columns = self.list_display(stock_site._registry[model], user)
        for column, stock_field in sort_map.items():
            ours_index = ours_columns.index(column)
            stock_index = stock_columns.index(stock_field)
            yield (
                f"sorted by {stock_field}",
                self.timed(client, url, {"o": str(ours_index)}),
                self.timed(client, stock_url, {"o": str(stock_index)}),
            )
        ours_last = ours_first.extra.get("pages", 1)
        stock_last = stock_first.extra.get("pages", 1)
        yield (
            f"last page ({ours_last}/{stock_last})",
            self.timed(client, url, {"p": str(ours_last)}),
            self.timed(client, stock_url, {"p": str(stock_last)}),
        )

    @staticmethod
    def list_display(model_admin, user) -> list[str]:
        """The columns as the change list numbers them in ?o= (the action checkbox first, if any)."""
        request = RequestFactory().get("/")
        request.user = user
        columns = [c if isinstance(c, str) else c.__name__ for c in model_admin.get_list_display(request)]
        return ["action_checkbox", *columns] if model_admin.get_actions(request) else columns

    def timed(self, client, url, params=None) -> Timing:
        timing = Timing()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params or {})
        timing.queries = len(captured)
        timing.status = response.status_code
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            timing.extra["pages"] = changelist.paginator.num_pages
        if response.status_code != 200:
            return timing
        client.get(url, params or {})  # warm
        for _ in range(self.repeat):
            started = time.perf_counter()
            client.get(url, params or {})
            timing.times.append((time.perf_counter() - started) * 1000)
        return timing

    def report(self, name, who, variant, ours: Timing, stock: Timing | None) -> None:
        ratio = ours.median / stock.median if stock and stock.times else None
        stock_part = (
            f"{stock.median:7.1f} {stock.p95:7.1f} {stock.queries:3d} {ratio:6.2f}"
            if stock and stock.times
            else f"{'—':>7} {'—':>7} {'—':>3} {'—':>6}"
        )
        if ours.status != 200:
            line = f"{name:<14} {who:<28} {variant:<22} HTTP {ours.status}"
            self.failures.append(f"{name} / {who} / {variant}: HTTP {ours.status}")
        else:
            ours_part = f"{ours.median:7.1f} {ours.p95:7.1f} {ours.queries:3d}"
            line = f"{name:<14} {who:<28} {variant:<22} {ours_part}   {stock_part}"
            misses = []
            if ours.median > TARGET_MS:
                misses.append(f"median {ours.median:.0f} ms > {TARGET_MS}")
            if ratio is not None and ratio > TARGET_RATIO:
                misses.append(f"{ratio:.2f}× stock > {TARGET_RATIO}")
            if misses:
                line += "  ✗"
                self.failures.append(f"{name} / {who} / {variant}: {', '.join(misses)}")
        self.stdout.write(line)

    # --- Load ----------------------------------------------------------------------------------

    def load_run(self, users, seconds: float, workers: int, *, oversight_only: bool = False) -> None:
        from reports.benchmark import ReportsBenchmark

        gunicorn = shutil.which("gunicorn") or os.path.join(os.path.dirname(sys.executable), "gunicorn")
        sessions = {}
        for who, user in (("officer", users[1][1]), ("reviewer", users[0][1])):
            sessions[who] = signed_in_session(user)
        scenarios = [] if oversight_only else list(LOAD_SCENARIOS)
        scenarios += oversight_scenarios(ReportsBenchmark.busiest_year())
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {
            **os.environ,
            "DEBUG": "False",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "benchmark-only-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": os.environ["DATABASE_URL"],
            # The production settings and gunicorn configuration, on loopback: no TLS there, so no redirect to it.
            "SECURE_SSL_REDIRECT": "False",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(workers),
        }
        command = [gunicorn, "-c", str(settings.BASE_DIR / "khuyencong" / "gunicorn_conf.py"), "khuyencong.wsgi"]
        self.stdout.write(
            f"\nLoad run: {' '.join(command[1:])}, DEBUG off, as {users[1][0]} (or the reviewer), {seconds:.0f} s each"
        )
        # The app logs every request (JSON lines, as to the journal in production): into a file, which
        # never fills as an unread pipe does (the workers then block on their next log line).
        log = tempfile.TemporaryFile()  # noqa: SIM115  (closed with the server below)
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            self.wait_for(port)
            for label, who, path, clients, target_rate, target_p95 in scenarios:
                cookie = f"{settings.SESSION_COOKIE_NAME}={sessions[who].session_key}"
                self.hammer(port, path, cookie, clients, 2.0)  # warm every worker
                rate, p50, p95, errors = self.hammer(port, path, cookie, clients, seconds)
                line = (
                    f"  {label:<22} {clients:>2} clients: {rate:6.1f} requests/s, p50 {p50:6.1f} ms, "
                    f"p95 {p95:6.1f} ms, {errors} errors (target ≥ {target_rate}/s, p95 ≤ {target_p95} ms)"
                )
                if rate < target_rate or p95 > target_p95 or errors:
                    line += "  ✗"
                    self.failures.append(f"load / {label}: {rate:.1f}/s, p95 {p95:.0f} ms, {errors} errors")
                self.stdout.write(line)
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
            for session in sessions.values():
                session.delete()

    @staticmethod
    def wait_for(port: int) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise CommandError("gunicorn did not start within 30 s.")

    @staticmethod
    def hammer(port: int, path: str, cookie: str, clients: int, seconds: float):
        """Run `clients` closed-loop clients for `seconds`; return requests/s, p50, p95 (ms), errors."""
        times: list[float] = []
        errors = [0]
        lock = threading.Lock()
        stop = time.monotonic() + seconds

        def client():
            while time.monotonic() < stop:
                started = time.perf_counter()
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
                    response = conn.getresponse()
                    response.read()
                    conn.close()
                    ok = response.status == 200
                except OSError:
                    ok = False
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if ok:
                        times.append(elapsed)
                    else:
                        errors[0] += 1

        threads = [threading.Thread(target=client) for _ in range(clients)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
        if not times:
            return 0.0, float("nan"), float("nan"), errors[0]
        ordered = sorted(times)
        return (
            len(times) / elapsed,
            statistics.median(ordered),
            ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
            errors[0],
        )
