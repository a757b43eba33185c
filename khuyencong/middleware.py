"""Request guards: junk turned into a 400 before any view sees it, the client's address behind a
trusted proxy, sessions that end when idle."""

import ipaddress
import time
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


class ClientAddressMiddleware:
    """The client's address behind the proxies named in KHUYENCONG_TRUSTED_PROXIES.

    nginx appends the address it saw to X-Forwarded-For; anything to its left was written by the client
    and proves nothing. So the chain is read from the right, skipping the trusted proxies, and the first
    address that is not one of them is the client: REMOTE_ADDR becomes it, for the lockout (django-axes),
    the logs and the audit entries alike. A request that did not come through a trusted proxy keeps its
    own REMOTE_ADDR whatever its headers say.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = [ipaddress.ip_network(net, strict=False) for net in settings.KHUYENCONG_TRUSTED_PROXIES]

    def is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.strip())
        except ValueError:
            return False
        return any(ip in net for net in self.trusted)

    def __call__(self, request):
        remote = request.META.get("REMOTE_ADDR", "")
        if self.trusted and self.is_trusted(remote):
            chain = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
            client = remote
            for hop in reversed(chain):
                try:
                    ipaddress.ip_address(hop)
                except ValueError:
                    break  # junk in the header: stop at the last address a trusted proxy vouched for
                client = hop
                if not self.is_trusted(hop):
                    break
            request.META["REMOTE_ADDR"] = client
        return self.get_response(request)


class IdleSessionMiddleware:
    """A session ends after KHUYENCONG_SESSION_IDLE_HOURS without a request (and with the browser).

    Django renews a session's expiry only when the session is saved; saving it on every request
    (SESSION_SAVE_EVERY_REQUEST) would write a row per page view. Instead the session is touched at most
    every few minutes, which renews its expiry then: the idle limit holds to within those minutes.
    """

    TOUCH_EVERY_SECONDS = 300
    KEY = "_kc_seen"

    @classmethod
    def stamp(cls, sender, request, user, **kwargs):
        """At login (user_logged_in): the login's own save carries the first stamp."""
        if request is not None and hasattr(request, "session"):
            request.session[cls.KEY] = int(time.time())

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty() and request.user.is_authenticated:
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= self.TOUCH_EVERY_SECONDS:
                session[self.KEY] = now
        return response
