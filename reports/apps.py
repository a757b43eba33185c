from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from programmes import totals

        from . import figures, jobs, locks  # noqa: F401  (locks registers the period lock with programmes.locks,
        # jobs the report files with programmes.jobs)

        totals.register(figures.list_totals)
