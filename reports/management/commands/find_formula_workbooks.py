"""List the issued versions whose frozen workbook holds a formula, so that a manager re-issues them.

    manage.py find_formula_workbooks [--province CODE]

Until the renderer wrote every cell by `programmes.lib.spreadsheets`, a đề án or facility whose
name started with "=" became a live formula in the report's workbook, and issuing froze it.
A frozen version is never rewritten (its SHA-256 is the proof of what was issued): the command
names each such version — province, number, date, version and the formulas found — and the
manager issues the report again from its draft page with a new number. The old version stays,
marked "replaced by version N". Only the latest version of each report is listed: an older one
is already replaced. Exit status 1 when any is found (for cron), 0 otherwise.
"""

from __future__ import annotations

import io
import re
import zipfile

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max, OuterRef, Subquery

from programmes.models import Province
from reports.models import IssuedReport

_FORMULA = re.compile(rb"<f(?:\s[^>]*)?>(.*?)</f>", re.S)


def formulas_in(workbook: bytes) -> list[str]:
    """The formulas a workbook's sheets hold (read from the XML: a frozen file is never loaded as a workbook)."""
    found = []
    try:
        with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    found.extend(match.decode("utf-8", "replace") for match in _FORMULA.findall(archive.read(name)))
    except zipfile.BadZipFile:
        return ["(tệp hỏng)"]
    return found


class Command(BaseCommand):
    help = "List the issued report versions whose frozen Excel workbook holds formulas (to be re-issued)."

    def add_arguments(self, parser):
        parser.add_argument("--province", help="Only this province of today (its code).")

    def handle(self, *args, **options):
        latest = IssuedReport.objects.filter(report=OuterRef("report")).values("report").annotate(v=Max("version"))
        versions = IssuedReport.objects.filter(version=Subquery(latest.values("v"))).select_related("report__province")
        if options["province"]:
            province = Province.objects.filter(code=options["province"], valid_to__isnull=True).first()
            if province is None:
                raise CommandError(f"No province of today has the code {options['province']}.")
            versions = versions.filter(current_province=province)
        found = 0
        for issued in versions.order_by("current_province_id", "issued_on", "pk").iterator(chunk_size=50):
            formulas = formulas_in(bytes(issued.xlsx))
            if not formulas:
                continue
            found += 1
            shown = "; ".join(formula[:60] for formula in formulas[:3])
            self.stdout.write(
                f"{issued.report.province.name} · số {issued.number} ngày {issued.issued_on:%d/%m/%Y} · "
                f"phiên bản {issued.version} · báo cáo #{issued.report_id}: {len(formulas)} công thức ({shown})"
            )
        if found:
            self.stdout.write(
                f"{found} bản đã ban hành có công thức trong tệp Excel: mở bản thảo của từng báo cáo và ban hành lại "
                "với số mới; bản cũ được giữ và ghi “đã được thay thế”."
            )
            raise SystemExit(1)
        self.stdout.write("Không có bản đã ban hành nào có công thức trong tệp Excel.")
