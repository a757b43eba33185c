"""Build a report from the command line, with the Reports page's parameters.

    manage.py build_report (--province CODE | --region NAME | --nation) --year YYYY
        [--from YYYY-MM-DD --until YYYY-MM-DD | --preset NAME [--months N]]
        --level national|local|all --format html|pdf|xlsx -o FILE [--user NAME]

The province code is resolved with the period's dates (52 is Bình Định in 2024, Gia Lai from
1/7/2025). Without --user the command reads with full scope; with it, the user's read scope holds
(a province's staff get their province only).
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from programmes.access import sees_all_provinces, user_province, user_role
from programmes.models import Region
from programmes.units import unit_of_today_id
from reports import figures, render, signing
from reports.models import Level, Report
from reports.periods import PRESETS, period_for

REGION_NAMES = {"bac": "bac", "north": "bac", "trung": "trung", "central": "trung", "nam": "nam", "south": "nam"}


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {text}") from exc


class Command(BaseCommand):
    help = "Build the khuyến công report of a province, a region or the nation as HTML, PDF or Excel."

    def add_arguments(self, parser):
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--province", metavar="CODE", help="Official province code (resolved with the period).")
        where.add_argument("--region", help=f"One of: {', '.join(Region.values)} (or north, central, south).")
        where.add_argument("--nation", action="store_true")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--preset", choices=[name for name in PRESETS if name != "custom"])
        parser.add_argument(
            "--months", type=int, help="With --preset months (or year_and_months): the first N months (of --year)."
        )
        parser.add_argument("--from", dest="date_from", type=_date)
        parser.add_argument("--until", dest="date_until", type=_date)
        parser.add_argument("--level", choices=["national", "local", "all"], default="all")
        parser.add_argument("--format", choices=["html", "pdf", "xlsx"], required=True)
        parser.add_argument("-o", "--output", required=True, help="File to write.")
        parser.add_argument("--user", help="Build as this user (their read scope).")
        parser.add_argument("--signer-name", default="", help="The signer's full name, printed under the signature.")
        parser.add_argument(
            "--signer-title", default="", help='The signer\'s title, lines split by "|": "KT. GIÁM ĐỐC|PHÓ GIÁM ĐỐC".'
        )
        parser.add_argument(
            "--sign",
            metavar="FILE.p12",
            help="Sign the PDF (PAdES) with this PKCS#12 key; its passphrase from KC_SIGN_PASSPHRASE.",
        )

    def handle(self, *args, **options):
        if (options["date_from"] or options["date_until"]) and options["preset"]:
            raise CommandError("Give either --from/--until or --preset, not both.")
        preset = options["preset"] or ("custom" if options["date_from"] else "year")
        try:
            period = period_for(
                options["year"],
                preset,
                months=options["months"],
                date_from=options["date_from"],
                date_until=options["date_until"],
            )
            province = region = None
            if options["province"]:
                province = figures.resolve_province(options["province"], period.date_until)
            elif options["region"]:
                region = REGION_NAMES.get(options["region"].lower())
                if region is None:
                    raise CommandError(f"Unknown region {options['region']!r}: use {', '.join(Region.values)}.")
            self.check_scope(options["user"], province)
            cov = figures.coverage(period, level=Level(options["level"]), province=province, region=region or "")
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if options["sign"] and options["format"] != "pdf":
            raise CommandError("Only a PDF is signed: use --format pdf with --sign.")
        signer = Report(
            signer_name=options["signer_name"].strip(),
            signer_title="\n".join(line.strip() for line in options["signer_title"].split("|") if line.strip()),
        )
        doc, content = render.rendered(cov, options["format"], report=signer)
        if options["sign"]:
            passphrase = os.environ.get("KC_SIGN_PASSPHRASE")
            try:
                content = signing.sign_pdf(
                    content,
                    pkcs12=options["sign"],
                    passphrase=passphrase.encode() if passphrase else None,
                    signer_name=signer.signer_name,
                    location=doc.issuer.place,
                )
            except signing.SigningError as exc:
                raise CommandError(str(exc)) from exc
        Path(options["output"]).write_bytes(content)
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{options['output']}: {doc.title} – {cov.name} ({period.dates}), {len(content):,} bytes"
                )
            )

    def check_scope(self, username: str | None, province) -> None:
        if username is None:
            return
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None or user_role(user) is None:
            raise CommandError(f"No active user {username!r} with a role.")
        if sees_all_provinces(user):
            return
        own = user_province(user)
        if province is None or own is None or unit_of_today_id(province) != own.pk:
            raise CommandError(f"{username} may only build reports of {own}.")
