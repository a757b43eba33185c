"""The attachments' storage in an S3-compatible bucket (imported only when `KHUYENCONG_S3_BUCKET` is set)."""

from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage

from .storage import ATTACHMENT_URL


class AttachmentS3Storage(S3Storage):
    """Attachments in the shared bucket; their URLs lead to the scoped view, never to a signed bucket URL."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        return ATTACHMENT_URL + filepath_to_uri(name)
