from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Imports and exports, nested in the register's package; its label keeps tables, permissions and URLs."""

    name = "programmes.imports"
    label = "imports"
    verbose_name = _("Imports and exports")
