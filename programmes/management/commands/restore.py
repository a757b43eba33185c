"""manage.py restore FILE --database-url URL: a backup into an empty database (and its files)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from programmes import backups


class Command(BaseCommand):
    help = "Restore a backup archive into an empty PostgreSQL database; --media-root unpacks its files there."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--database-url", required=True, help="postgres://… of an empty database")
        parser.add_argument("--media-root", type=Path, help="where to put the uploaded files (left out: not restored)")

    def handle(self, *args, archive, database_url, media_root, **options):
        backups.restore(archive, database_url, media_root)
        self.stdout.write(f"Restored {archive} into {database_url.rsplit('@', 1)[-1]}")
