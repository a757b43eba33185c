"""The site's URLs plus the stock admin the benchmark compares against (never served otherwise)."""

from django.urls import path

from programmes.benchmark.stock_admin import site as stock_site

from .urls import urlpatterns as site_urlpatterns

urlpatterns = [*site_urlpatterns, path("stock-admin/", stock_site.urls)]
