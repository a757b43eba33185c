"""The app's URLs plus one view that fails, to see the 500 page a user would get."""

from django.urls import path

from khuyencong.urls import urlpatterns as app_urlpatterns


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [*app_urlpatterns, path("hong/", broken)]
