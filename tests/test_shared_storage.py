"""Uploaded and generated files on shared S3-compatible storage (issue 20, point 8), against moto's S3.

With `KHUYENCONG_S3_BUCKET` set the settings put the attachments and the jobs' results in the bucket
(django-storages); an attachment's link still leads to the scoped view, never to the bucket.
"""

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto import mock_aws

from programmes.jobs.models import Job
from programmes.models import Attachment
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

BUCKET = "khuyencong-tinh"
OPTIONS = {
    "bucket_name": BUCKET,
    "region_name": "us-east-1",
    "access_key": "kc-test",
    "secret_key": "kc-test-secret",
    "default_acl": "private",
    "querystring_auth": True,
    "file_overwrite": False,
}


@pytest.fixture
def bucket(settings, monkeypatch):
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
        s3.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**OPTIONS, "location": "tep-tao-ra"}},
            "attachments": {"BACKEND": "programmes.storage_s3.AttachmentS3Storage", "OPTIONS": OPTIONS},
        }
        # The field took its storage when the models loaded; give it the bucket's, as a server started so would.
        monkeypatch.setattr(Attachment.file.field, "storage", storages["attachments"])
        yield s3


def keys(s3) -> set[str]:
    return {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_an_attachment_lives_in_the_bucket_and_downloads_through_the_scope(
    bucket, client, thanhhoa_officer, danang_officer
):
    attachment = Attachment.objects.create(
        project=ProjectFactory(), kind=Attachment.Kind.CONTRACT, title="Hợp đồng",
        file=SimpleUploadedFile("hop-dong.pdf", b"%PDF-1.4 hop dong"),
    )  # fmt: skip
    assert attachment.file.name in keys(bucket)
    assert attachment.file.url == f"/tep-dinh-kem/{attachment.file.name}"  # the scoped view, not the bucket
    client.force_login(thanhhoa_officer)
    response = client.get(attachment.file.url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 hop dong"
    client.force_login(danang_officer)
    assert client.get(attachment.file.url).status_code == 404


def test_a_jobs_result_lives_in_the_bucket(bucket, client, thanhhoa_officer):
    job = Job.objects.create(user=thanhhoa_officer, kind="export", title="Đề án – Excel", state=Job.State.DONE,
                             result_name="de-an.xlsx", result_type="application/vnd.ms-excel")  # fmt: skip
    job.result.save("de-an.xlsx", ContentFile(b"PK workbook"), save=True)
    assert f"tep-tao-ra/{job.result.name}" in keys(bucket)
    client.force_login(thanhhoa_officer)
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"PK workbook"
