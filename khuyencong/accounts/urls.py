from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("xac-thuc/", views.verify, name="verify"),
    path("thiet-lap-xac-thuc/", views.setup, name="setup"),
    path("bao-mat/", views.security, name="security"),
    path("ma-khoi-phuc/", views.recovery_renew, name="recovery_renew"),
    path("tat-xac-thuc/", views.remove, name="remove"),
]
