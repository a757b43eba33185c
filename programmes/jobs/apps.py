from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Long work (big exports, report files, imports) run by a worker, with progress the user can follow."""

    name = "programmes.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self):
        from django.contrib import admin
        from django_tasks_db.models import DBTaskResult

        from . import handlers  # noqa: F401  (registers the register's own kinds of work)

        # The queue's own rows are the engine's: users follow their jobs on "Việc của tôi".
        if admin.site.is_registered(DBTaskResult):
            admin.site.unregister(DBTaskResult)
