from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

urlpatterns = [
    path("status/", views.StatusView.as_view(), name="status"),
    path("completeness/", views.CompletenessView.as_view(), name="completeness"),
    path("provinces/<str:code>/projects/", views.ProjectsView.as_view(), name="projects"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI with its script in a file of its own (no inline script under the CSP); it writes its
    # styles into a <style> element.
    path(
        "docs/",
        csp_update({"style-src-elem": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    # Redoc writes its styles into <style> elements and renders in a worker from a blob: URL.
    path(
        "redoc/",
        csp_update({"style-src-elem": ["'unsafe-inline'"], "worker-src": ["blob:"]})(
            SpectacularRedocView.as_view(url_name="api:schema")
        ),
        name="redoc",
    ),
]
