from django.contrib import admin
from django.urls import path

from . import views

app_name = "imports"


def _admin(view):
    return admin.site.admin_view(view)


urlpatterns = [
    path("", _admin(views.index), name="index"),
    path("mau/<str:kind>.xlsx", _admin(views.template), name="template"),
    path("<int:pk>/", _admin(views.batch), name="batch"),
    path("<int:pk>/nhap/", _admin(views.confirm), name="confirm"),
    path("<int:pk>/kiem-tra-lai/", _admin(views.recheck), name="recheck"),
    path("<int:pk>/loi/", _admin(views.error_download), name="errors"),
    path("<int:pk>/tep/", _admin(views.file_download), name="file"),
    path("<int:pk>/huy/", _admin(views.void), name="void"),
]
