from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = _("Industry promotion")

    def ready(self) -> None:
        from . import signals  # noqa: F401
