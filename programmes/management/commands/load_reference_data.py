"""Install or refresh the reference data (provinces, communes, contents, bodies, national schemes).

Migration 0003 runs the same code on every new database; run this after upgrading the
`vietnam-provinces` package or editing programmes/reference_data.py. Existing rows are updated in
place, nothing is deleted.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from programmes.models import Commune, Organisation, Province
from programmes.reference_data import install_reference_data


class Command(BaseCommand):
    help = "Install or refresh provinces, communes, activity contents, national bodies and schemes."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report what would be there, then roll back.")

    def handle(self, *args, dry_run=False, **options):
        with transaction.atomic():
            install_reference_data(apps)
            summary = (
                f"{Province.objects.count()} provinces ({Province.objects.current_units().count()} of today), "
                f"{Commune.objects.count()} communes, {Organisation.objects.count()} organisations."
            )
            if dry_run:
                transaction.set_rollback(True)
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(("Dry run: " if dry_run else "") + summary))
