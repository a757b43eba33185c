"""manage.py backup --output DIR: the database and the uploaded files in one timestamped archive."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from programmes import backups


class Command(BaseCommand):
    help = "Back up the database (pg_dump, custom format) and MEDIA_ROOT into one archive; prints its path last."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, type=Path, help="folder of the archives")
        parser.add_argument(
            "--keep",
            type=int,
            default=settings.KHUYENCONG_BACKUP_KEEP,
            help="archives kept in the folder, the newest (default KHUYENCONG_BACKUP_KEEP; 0 keeps all)",
        )

    def handle(self, *args, output, keep, **options):
        archive = backups.backup(output, keep)
        self.stdout.write(str(archive))
