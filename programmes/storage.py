"""Attachments are served only through a view that applies the province scope (never as public media)."""

from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class AttachmentStorage(FileSystemStorage):
    """Files under MEDIA_ROOT whose URLs lead to the scoped download view."""

    def __init__(self, **kwargs):
        kwargs.setdefault("base_url", "/tep-dinh-kem/")
        super().__init__(**kwargs)


attachment_storage = AttachmentStorage()
