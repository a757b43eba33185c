"""Print the data-quality panel (reports.quality) of a province or the nation, for cron or a terminal:

    manage.py data_quality [--province CODE] [--rows N] [--fail-on-problems]

Each problem with its count and its first rows (what is wrong, and the address of the row in the
admin). It reads only; `--fail-on-problems` makes the exit status 1 when anything is to be put right,
so a cron job can mail its output only then.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from programmes.models import Province
from reports import quality


class Command(BaseCommand):
    help = "Print what needs putting right in a province's register (or the nation's): counts and first rows."

    def add_arguments(self, parser):
        parser.add_argument("--province", help="The official code of a province of today (default: the nation).")
        parser.add_argument("--rows", type=int, default=10, help="Rows listed per problem (default 10).")
        parser.add_argument("--fail-on-problems", action="store_true", help="Exit with status 1 when any is found.")

    def handle(self, *args, **options):
        province = None
        if options["province"]:
            province = Province.objects.current_units().filter(code=options["province"]).first()
            if province is None:
                raise CommandError(f"No province of today has the code {options['province']!r}.")
        with translation.override("vi"):
            panel = quality.panel(province)
            self.stdout.write(_("Data quality: %(unit)s") % {"unit": panel.unit})
            for problem in panel.problems:
                self.stdout.write(f"\n{problem.title}: {problem.count}")
                for entry in problem.entries[: options["rows"]]:
                    self.stdout.write(f"  - {entry.label}: {entry.detail} ({entry.url})")
            self.stdout.write(f"\n{_('Support above its cap allowed by a recorded decision')}: {panel.excepted}")
        if options["fail_on_problems"] and panel.total:
            raise SystemExit(1)
