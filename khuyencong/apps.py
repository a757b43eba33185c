"""The admin's configuration, with the site composed in khuyencong/sites.py."""

from django.contrib.admin.apps import AdminConfig


class RegisterAdminConfig(AdminConfig):
    """django.contrib.admin, with our site: a start page for each role (khuyencong.sites)."""

    default_site = "khuyencong.sites.RegisterAdminSite"
