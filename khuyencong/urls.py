from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from khuyencong.health import health
from programmes.views import attachment_download

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("health/", health, name="health"),
    # Signing in with the second factor, and the user's own sign-in settings.
    path("tai-khoan/", include("khuyencong.accounts.urls")),
    # Attachments go through the province scope; there is no public media URL.
    path("tep-dinh-kem/<path:name>", attachment_download, name="attachment_download"),
    path("admin/bao-cao/", include("reports.urls")),
    path("admin/nhap-du-lieu/", include("programmes.imports.urls")),
    path("admin/viec-cua-toi/", include("programmes.jobs.urls")),
    path("admin/", admin.site.urls),
    # The read-only JSON API for other systems; fixed paths (reports/api).
    path("api/v1/", include("reports.api.urls")),
]
