"""The admin's configuration, with the site composed in khuyencong/sites.py."""

from django.contrib.admin.apps import AdminConfig


class RegisterAdminConfig(AdminConfig):
    """django.contrib.admin, with our site: a start page for each role (khuyencong.sites)."""

    default_site = "khuyencong.sites.RegisterAdminSite"

    def ready(self):
        super().ready()
        from django.contrib.auth.signals import user_logged_in
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from khuyencong.accounts.middleware import mark_at_login
        from khuyencong.middleware import IdleSessionMiddleware

        user_logged_in.connect(IdleSessionMiddleware.stamp, dispatch_uid="khuyencong.session_stamp")
        user_logged_in.connect(mark_at_login, dispatch_uid="khuyencong.second_factor_owed")
        # Keys and recovery codes change only through khuyencong.accounts.services (the users list's
        # actions, the user's own security page), never by editing their rows.
        for model in (TOTPDevice, StaticDevice):
            if self.default_site and model in self.module.site._registry:
                self.module.site.unregister(model)
