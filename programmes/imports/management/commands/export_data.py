"""Export a kind's rows (the import format) to .xlsx or .csv, streamed: the nation's đề án in flat memory.

manage.py export_data projects -o de-an.xlsx
manage.py export_data disbursements --province 38 --year 2024 -o giai-ngan-thanh-hoa.csv
"""

from __future__ import annotations

import shutil

from django.core.management.base import BaseCommand, CommandError

from programmes.imports.formats import FORMATS
from programmes.imports.workbooks import csv_stream, iter_rows, xlsx_file
from programmes.models import Province


class Command(BaseCommand):
    help = "Export plans, projects, facilities, beneficiaries, disbursements or indicators to .xlsx or .csv."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(FORMATS))
        parser.add_argument("-o", "--output", required=True, help="The file to write (.xlsx or .csv).")
        parser.add_argument("--province", help="Only this province of today (its official code).")
        parser.add_argument("--year", type=int, help="Only this year (rows filed under a year).")

    def handle(self, *args, kind, output, province, year, **options):
        format_ = FORMATS[kind]
        queryset = format_.model._default_manager.all()
        if province:
            unit = Province.objects.filter(code=province, valid_to__isnull=True).first()
            if unit is None:
                raise CommandError(f"No province of today has the code {province}.")
            queryset = queryset.filter(current_province=unit)
        if year:
            if kind == "facilities":
                raise CommandError("Facilities are not filed under a year.")
            queryset = queryset.filter(year=year)
        if output.endswith(".csv"):
            with open(output, "w", encoding="utf-8", newline="") as target:
                for chunk in csv_stream(format_, queryset, rows_per_piece=1_000):
                    target.write(chunk)
        elif output.endswith(".xlsx"):
            with xlsx_file(format_, iter_rows(format_, queryset)) as source, open(output, "wb") as target:
                shutil.copyfileobj(source, target)
        else:
            raise CommandError("Write to a .xlsx or a .csv file.")
