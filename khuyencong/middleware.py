"""Request guards that turn junk into a 400 before any view sees it."""

from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _

# Browsers and proxies cap addresses near 8 KB; no page of the app builds a longer query string.
MAX_QUERY_STRING = 8192


class RefuseJunkRequestsMiddleware:
    """Answer 400 to a NUL byte in the path, the query string or a form field, and to a query string
    longer than any page of the app builds.

    No legitimate input carries a NUL byte, PostgreSQL refuses to store one, and a lookup with it
    raises deep inside the ORM; a search term of 100.000 characters is too complex a pattern for
    SQLite. Refusing both here keeps every view (ours and Django's) free of those cases.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = request.META.get("QUERY_STRING", "")
        if len(raw) > MAX_QUERY_STRING:
            return self.refuse(request, "query string too long")
        if "\x00" in request.path or b"\x00" in unquote_to_bytes(raw.replace("+", " ")):
            return self.refuse(request, "NUL byte in the request")
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            for key, values in request.POST.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    raise BadRequest("NUL byte in the form")
        return self.get_response(request)

    def refuse(self, request, why: str):
        """The API answers in JSON, as its schema says; pages show the app's 400 page."""
        if request.path.startswith("/api/"):
            detail = _("The request holds characters or values the application does not accept.")
            return JsonResponse({"detail": detail}, status=400)
        raise BadRequest(why)


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Vietnamese for everyone unless the user picked another language with the switch.

    A Sở's computers often run an English browser; its Accept-Language header says nothing about
    the language the official works in. Only the language cookie (set by the switch on every page,
    the login page included) changes the language.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
