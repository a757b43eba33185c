from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    default = True  # this module also holds the admin's config below
    name = "programmes"
    verbose_name = _("Industry promotion")

    def ready(self) -> None:
        from . import signals  # noqa: F401


class RegisterAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with our site: a start page for each role (programmes.sites)."""

    default = False
    default_site = "programmes.sites.RegisterAdminSite"
