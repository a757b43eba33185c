"""The Reports page and its downloads: scope by role, drafts, issuing, frozen downloads, unlocking."""

import pytest
from django.urls import reverse

from programmes.models import Disbursement
from reports.models import IssuedReport, PeriodLock, Report
from tests.factories import COMPLETE_NARRATIVE, current_province, old_province
from tests.report_data import d

pytestmark = pytest.mark.django_db


def h1(province, **extra):
    return {"scope": "province", "province": province.pk, "year": 2024, "preset": "h1", "level": "all", **extra}


def new_draft(client, province):
    """A draft made through the page, then written as far as issuing asks (signer, sections III–IV)."""
    client.post(reverse("reports:draft_create"), h1(province))
    Report.objects.filter(province=province).update(**COMPLETE_NARRATIVE)


def test_a_manager_previews_drafts_issues_and_downloads(client, thanhhoa_2024, thanhhoa_manager):
    client.force_login(thanhhoa_manager)
    thanh_hoa = current_province("38")
    page = client.get(reverse("reports:index"), h1(thanh_hoa))
    assert page.status_code == 200
    text = page.content.decode()
    assert "02/08" in text and "3.277" in text and "ĐVT: triệu đồng" in text
    assert page.context["may_draft"]
    for kind, start in (("pdf", b"%PDF"), ("xlsx", b"PK")):
        download = client.get(reverse("reports:index"), h1(thanh_hoa, format=kind))
        assert download.status_code == 200 and download.content.startswith(start)
    created = client.post(reverse("reports:draft_create"), h1(thanh_hoa))
    report = Report.objects.get()
    assert created["Location"] == reverse("reports:draft", args=[report.pk])
    saved = client.post(
        reverse("reports:draft", args=[report.pk]),
        {
            "title": report.title,
            "advantages": "Được tỉnh quan tâm",
            "recipients": "Bộ Công Thương;",
            "signer_title": "GIÁM ĐỐC",
        },
    )
    assert saved.status_code == 302
    # Without its signer's name and sections III–IV a report is not issued: each said at its field.
    refused = client.post(
        reverse("reports:issue", args=[report.pk]), {"number": "123/BC-SCT", "issued_on": "2024-07-05"}
    )
    assert refused.status_code == 200 and not IssuedReport.objects.exists()
    narrative = refused.context["narrative"]
    assert set(narrative.errors) == {"tasks", "recommendations", "signer_name"}
    assert narrative.errors["signer_name"] == ["Cần ghi họ và tên người ký trước khi ban hành."]
    assert narrative.errors["tasks"] == ["Cần viết mục III (nhiệm vụ, giải pháp kỳ tới) trước khi ban hành."]
    assert "Dự thảo chưa đầy đủ" in refused.content.decode()
    assert refused.context["issue_form"]["number"].value() == "123/BC-SCT"  # what was typed stays
    client.post(
        reverse("reports:draft", args=[report.pk]),
        {"title": report.title, "advantages": "Được tỉnh quan tâm", "recipients": "Bộ Công Thương;",
         "tasks": "Tiếp tục triển khai.", "recommendations": "Đề nghị hỗ trợ.", "signer_title": "GIÁM ĐỐC",
         "signer_name": "Lê Văn Bình"},
    )  # fmt: skip
    issued = client.post(
        reverse("reports:issue", args=[report.pk]), {"number": "123/BC-SCT", "issued_on": "2024-07-05"}
    )
    assert issued.status_code == 302
    version = IssuedReport.objects.get()
    pdf = client.get(reverse("reports:issued_download", args=[version.pk, "pdf"]))
    assert pdf.content == bytes(version.pdf) and pdf["X-Content-SHA256"] == version.pdf_sha256
    draft_page = client.get(reverse("reports:draft", args=[report.pk])).content.decode()
    assert version.pdf_sha256 in draft_page and "123/BC-SCT" in draft_page


def test_a_province_user_never_gets_another_province(client, thanhhoa_2024, danang_officer, thanhhoa_manager):
    client.force_login(thanhhoa_manager)
    new_draft(client, current_province("38"))
    report = Report.objects.get()
    client.post(reverse("reports:issue", args=[report.pk]), {"number": "9/BC-SCT", "issued_on": "2024-07-05"})
    version = IssuedReport.objects.get()
    client.force_login(danang_officer)
    # Thanh Hóa cannot even be chosen.
    page = client.get(reverse("reports:index"), h1(old_province("38")))
    assert page.context["doc"] is None and "province" in page.context["form"].errors
    assert client.get(reverse("reports:index"), h1(old_province("38"), format="pdf")).status_code == 200
    assert not client.get(reverse("reports:index"), h1(old_province("38"), format="pdf")).content.startswith(b"%PDF")
    for url in (
        reverse("reports:draft", args=[report.pk]),
        reverse("reports:draft_download", args=[report.pk, "pdf"]),
        reverse("reports:issued_download", args=[version.pk, "pdf"]),
        reverse("reports:issued_download", args=[version.pk, "xlsx"]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("reports:issue", args=[report.pk]), {"number": "1/BC", "issued_on": "2024-07-06"}
        ).status_code
        == 404
    )
    page = client.get(reverse("reports:index"))
    assert list(page.context["drafts"]) == [] and list(page.context["issued"]) == []
    assert client.post(reverse("reports:draft_create"), h1(current_province("38"))).status_code == 302
    assert Report.objects.count() == 1


def test_the_reviewer_reads_every_scope_and_cannot_issue(client, thanhhoa_2024, ministry_reviewer, thanhhoa_manager):
    client.force_login(thanhhoa_manager)
    new_draft(client, current_province("38"))
    report = Report.objects.get()
    client.force_login(ministry_reviewer)
    for params in (
        h1(old_province("38")),
        {"scope": "region", "region": "bac", "year": 2024, "preset": "year", "level": "all"},
        {"scope": "nation", "year": 2024, "preset": "year", "level": "all"},
    ):
        page = client.get(reverse("reports:index"), params)
        assert page.status_code == 200 and page.context["doc"] is not None, page.context["form"].errors
        assert not page.context["may_draft"]
    nation = client.get(reverse("reports:index"), {"scope": "nation", "year": 2024, "preset": "year", "level": "all"})
    assert "6.227" in nation.content.decode()
    assert client.get(reverse("reports:draft", args=[report.pk])).status_code == 200
    assert (
        client.post(
            reverse("reports:issue", args=[report.pk]), {"number": "1/BC", "issued_on": "2024-07-06"}
        ).status_code
        == 403
    )
    assert client.post(reverse("reports:draft", args=[report.pk]), {"title": "x"}).status_code == 403
    assert client.post(reverse("reports:draft_create"), h1(old_province("38"))).status_code == 403
    assert not IssuedReport.objects.exists()


def test_an_administrator_unlocks_with_a_reason(client, thanhhoa_2024, thanhhoa_manager, administrator):
    client.force_login(thanhhoa_manager)
    new_draft(client, current_province("38"))
    report = Report.objects.get()
    client.post(reverse("reports:issue", args=[report.pk]), {"number": "9/BC-SCT", "issued_on": "2024-07-05"})
    lock = PeriodLock.objects.get()
    assert client.post(reverse("reports:unlock", args=[lock.pk]), {"reason": "x"}).status_code == 403
    client.force_login(administrator)
    client.post(reverse("reports:unlock", args=[lock.pk]), {"reason": ""})
    lock.refresh_from_db()
    assert lock.is_active
    client.post(reverse("reports:unlock", args=[lock.pk]), {"reason": "Chứng từ ghi sai ngày"})
    lock.refresh_from_db()
    assert not lock.is_active and lock.unlock_reason == "Chứng từ ghi sai ngày" and lock.unlocked_by == administrator


def test_the_admin_refuses_a_payment_in_a_locked_period(client, thanhhoa_2024, thanhhoa_manager, thanhhoa_officer):
    client.force_login(thanhhoa_manager)
    new_draft(client, current_province("38"))
    client.post(
        reverse("reports:issue", args=[Report.objects.get().pk]), {"number": "9/BC-SCT", "issued_on": "2024-07-05"}
    )
    client.force_login(thanhhoa_officer)
    payment = Disbursement.objects.get(paid_on=d(2024, 5, 15))
    response = client.post(
        reverse("admin:programmes_disbursement_change", args=[payment.pk]),
        {
            "project": payment.project_id,
            "paid_on": "14/05/2024",
            "amount": "1.000.000.000",
            "source": payment.source,
            "kind": payment.kind,
            "voucher_number": payment.voucher_number,
            "note": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "9/BC-SCT" in response.content.decode()
    payment.refresh_from_db()
    assert payment.paid_on == d(2024, 5, 15)


@pytest.mark.parametrize(
    "params",
    [
        {"scope": "x"},
        {"scope": "province", "province": "999999", "year": "2024", "preset": "h1", "level": "all"},
        {"scope": "province", "province": "abc", "year": "99999999999", "preset": "h1", "level": "all"},
        {"scope": "nation", "year": "2024", "preset": "custom", "date_from": "2024-13-01", "level": "all"},
        {
            "scope": "nation",
            "year": "2024",
            "preset": "custom",
            "date_from": "2024-06-01",
            "date_until": "2024-01-01",
            "level": "all",
        },
        {
            "scope": "nation",
            "year": "2024",
            "preset": "custom",
            "date_from": "2019-01-01",
            "date_until": "2024-01-01",
            "level": "all",
        },
        {"scope": "nation", "year": "2024", "preset": "months", "months": "13", "level": "all"},
        {"scope": "region", "region": "tay", "year": "2024", "preset": "h1", "level": "all"},
        {"scope": "nation", "year": "2024", "preset": "zzz", "level": "kc", "format": "exe"},
        {"scope": "province", "province": "95", "year": "2026", "preset": "year", "level": "all"},
    ],
)
def test_junk_parameters_get_a_message_never_a_500(client, ministry_reviewer, params):
    client.force_login(ministry_reviewer)
    if params.get("province") == "95":
        params["province"] = old_province("95").pk  # Bạc Liêu, which ceased on 30/06/2025
    response = client.get(reverse("reports:index"), params)
    assert response.status_code == 200
    assert response.context["doc"] is None and response.context["form"].errors


def test_junk_urls_are_not_found(client, ministry_reviewer):
    client.force_login(ministry_reviewer)
    for path in (
        "/admin/bao-cao/ban-thao/999999/",
        "/admin/bao-cao/da-ban-hanh/1/zip/",
        "/admin/bao-cao/da-ban-hanh/999999/pdf/",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(reverse("reports:unlock", args=[999999]), {"reason": "x"}).status_code == 404
