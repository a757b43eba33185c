"""The site's URLs plus the stock admin the benchmark compares against (never served otherwise)."""

from django.urls import path

from khuyencong.urls import urlpatterns as site_urlpatterns

from .stock_admin import site as stock_site

urlpatterns = [*site_urlpatterns, path("stock-admin/", stock_site.urls)]
