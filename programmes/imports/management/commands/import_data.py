"""Import a file from the command line, with the checks of the import page.

    manage.py import_data disbursements giai-ngan-2024.xlsx --user thanhhoa.manager
    manage.py import_data projects de-an.csv --dry-run

Without --user the import runs with full scope (the system): the data's rules hold, the roles do
not, and the history names the command and the batch. The exit status is 1 when any row (or the
file) was refused; nothing is written then.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from programmes.imports import services
from programmes.imports.files import RefusedFile, check_size
from programmes.imports.formats import FORMATS

SOURCE = "manage.py import_data"


class Command(BaseCommand):
    help = "Import plans, projects, facilities, beneficiaries, disbursements or indicators from .xlsx or .csv."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(FORMATS))
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check every row; write nothing.")
        parser.add_argument("--user", help="Import with this user's rights (default: full scope).")

    def handle(self, *args, kind, file, dry_run, user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            check_size(path.stat().st_size)
        except RefusedFile as exc:
            raise CommandError(str(exc), returncode=1) from exc
        data = path.read_bytes()
        acting = None
        if user:
            acting = get_user_model().objects.filter(username=user).first()
            if acting is None:
                raise CommandError(f"No such user: {user}")
        progress = self.progress if sys.stderr.isatty() or options.get("verbosity", 1) > 1 else None
        if dry_run:
            outcome = services.check(kind, path.name, data, user=acting, progress=progress)
            batch = None
        else:
            try:
                batch = services.batch_create(kind=kind, name=path.name, data=data, user=acting, source=SOURCE)
            except Exception as exc:  # PermissionDenied: a reviewer
                raise CommandError(str(exc), returncode=1) from exc
            outcome = services.batch_import(batch=batch, user=acting, progress=progress)
        if progress:
            self.stderr.write("")
        for number, column, message in outcome.errors:
            place = f"Dòng {number}" if number else "Tệp"
            self.stdout.write(f"{place}{' · ' + column if column else ''}: {message}")
        summary = (
            f"{len(outcome.rows)} dòng: {outcome.created} mới, {outcome.updated} cập nhật, "
            f"{outcome.unchanged} không đổi, {outcome.bad_rows} dòng lỗi."
        )
        if not outcome.ok:
            raise CommandError(f"{summary} Không ghi gì vào cơ sở dữ liệu.", returncode=1)
        if dry_run:
            self.stdout.write(f"{summary} (Chạy thử: không ghi gì.)")
        else:
            self.stdout.write(self.style.SUCCESS(f"Lô nhập số {batch.pk}: {summary}"))

    def progress(self, stage, done, total):
        label = "Đọc" if stage == "read" else "Ghi"
        width = 30
        if total:
            filled = width * done // total
            bar = "#" * filled + "-" * (width - filled)
            self.stderr.write(f"\r{label} [{bar}] {done}/{total}", ending="")
        else:
            self.stderr.write(f"\r{label} {done} dòng", ending="")
        self.stderr.flush()
