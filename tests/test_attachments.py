"""Attachments are downloaded through the province scope; there is no public media URL."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from programmes.models import Attachment
from tests.factories import PlanFactory, ProjectFactory, local_scheme, old_province

pytestmark = pytest.mark.django_db


@pytest.fixture
def attachment(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    project = ProjectFactory()  # Thanh Hóa
    yield Attachment.objects.create(
        project=project,
        kind=Attachment.Kind.CONTRACT,
        title="Hợp đồng",
        file=SimpleUploadedFile("hop-dong.pdf", b"%PDF-1.4 hop dong"),
    )


def test_the_owner_province_downloads_it(client, thanhhoa_officer, attachment):
    client.force_login(thanhhoa_officer)
    response = client.get(attachment.file.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 hop dong"
    assert 'filename="hop-dong.pdf"' in response["Content-Disposition"]


def test_the_ministry_reviewer_downloads_it(client, ministry_reviewer, attachment):
    client.force_login(ministry_reviewer)
    assert client.get(attachment.file.url).status_code == 200


def test_another_province_gets_nothing(client, danang_officer, attachment):
    client.force_login(danang_officer)
    assert client.get(attachment.file.url).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, attachment):
    response = client.get(attachment.file.url)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_plan_attachment_is_scoped_by_the_plans_province(
    client, thanhhoa_officer, danang_officer, settings, tmp_path
):
    Attachment.file.field.storage.location = str(tmp_path)
    province = old_province("49")
    plan = PlanFactory(province=province, scheme=local_scheme(province))
    attachment = Attachment.objects.create(
        plan=plan, kind=Attachment.Kind.DECISION, title="QĐ giao kế hoạch", file=SimpleUploadedFile("qd.pdf", b"qd")
    )
    client.force_login(thanhhoa_officer)
    assert client.get(attachment.file.url).status_code == 404
    client.force_login(danang_officer)
    assert client.get(attachment.file.url).status_code == 200
