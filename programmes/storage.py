"""Attachments are served only through a view that applies the province scope (never as public media).

Where files live is the `STORAGES` setting: on this machine's disk (`MEDIA_ROOT`) by default, or in an
S3-compatible bucket shared by every app server when `KHUYENCONG_S3_BUCKET` is set (django-storages):
the attachments under `tep-dinh-kem/`, the jobs' results beside them. Either way an attachment's URL
leads to the scoped download view, never to the bucket.
"""

from django.core.files.storage import FileSystemStorage, storages
from django.utils.deconstruct import deconstructible

ATTACHMENT_URL = "/tep-dinh-kem/"


@deconstructible
class AttachmentStorage(FileSystemStorage):
    """Files under MEDIA_ROOT whose URLs lead to the scoped download view."""

    def __init__(self, **kwargs):
        kwargs.setdefault("base_url", ATTACHMENT_URL)
        super().__init__(**kwargs)


def attachment_storage():
    """The attachments' storage, chosen by settings at run time (a callable, so migrations do not hold it)."""
    return storages["attachments"]
