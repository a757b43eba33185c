from django.contrib import admin
from django.urls import path

from . import oversight, views

app_name = "reports"


def _admin(view):
    return admin.site.admin_view(view)


urlpatterns = [
    path("", _admin(views.index), name="index"),
    path("ban-thao/", _admin(views.draft_create), name="draft_create"),
    path("ban-thao/<int:pk>/", _admin(views.draft), name="draft"),
    path("ban-thao/<int:pk>/ban-hanh/", _admin(views.issue), name="issue"),
    path("ban-thao/<int:pk>/tai-ve/<str:kind>/", _admin(views.draft_download), name="draft_download"),
    path("da-ban-hanh/<int:pk>/ky-so/", _admin(views.sign), name="sign"),
    path("da-ban-hanh/<int:pk>/tai-len-ban-ky-so/", _admin(views.upload_signed), name="upload_signed"),
    path("da-ban-hanh/<int:pk>/<str:kind>/", _admin(views.issued_download), name="issued_download"),
    path("khoa/<int:pk>/mo-khoa/", _admin(views.unlock), name="unlock"),
    path("tinh-hinh/", _admin(oversight.status_page), name="status"),
    path("tien-do-bao-cao/", _admin(oversight.completeness_page), name="completeness"),
    path("chat-luong-du-lieu/", _admin(oversight.quality_page), name="quality"),
    path("y-kien/<int:pk>/", _admin(oversight.review_page), name="review"),
    path("y-kien/<int:pk>/<str:action>/", _admin(oversight.review), name="review_action"),
]
