"""Request guards that turn junk into a 400 before any view sees it."""

from urllib.parse import unquote_to_bytes

from django.core.exceptions import BadRequest


class RefuseNulBytesMiddleware:
    """Answer 400 to a NUL byte in the path, the query string or a form field.

    No legitimate input carries one, PostgreSQL refuses to store it, and a lookup with it raises
    deep inside the ORM: refusing it here keeps every view free of that case.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or b"\x00" in unquote_to_bytes(raw.replace("+", " ")):
            raise BadRequest("NUL byte in the request")
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            for key, values in request.POST.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    raise BadRequest("NUL byte in the form")
        return self.get_response(request)
