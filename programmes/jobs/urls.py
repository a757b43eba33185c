from django.contrib import admin
from django.urls import path

from . import views

app_name = "jobs"


def _admin(view):
    return admin.site.admin_view(view)


urlpatterns = [
    path("", _admin(views.index), name="index"),
    path("<uuid:pk>/", _admin(views.detail), name="detail"),
    path("<uuid:pk>/huy/", _admin(views.cancel), name="cancel"),
    path("<uuid:pk>/tai-ve/", _admin(views.download), name="download"),
]
