"""manage.py verify_backup FILE: restore into a scratch database and compare every table."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from programmes import backups


class Command(BaseCommand):
    help = (
        "Restore a backup into a scratch database and compare each table's rows and money sums with the "
        "backup's manifest (must be equal) and with the live database (changes since, for information)."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive, **options):
        broken, changed_since = backups.verify(archive)
        for line in changed_since:
            self.stdout.write(f"changed since the backup: {line}")
        if broken:
            raise CommandError("The restored copy differs from the backup:\n" + "\n".join(broken))
        tables = len(backups.read_manifest(archive)["tables"])
        self.stdout.write(f"OK: {archive} restores; {tables} tables, rows and money sums as backed up")
