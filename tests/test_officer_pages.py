"""The officer's working day (issue 22), as the server sends it: refusals at the row and a banner that
says what is wrong, locked periods said and shown read only before any typing, and Vietnamese where
Django's own catalogue had English or odd wording.

What the browser draws (widths, axe, English-language Chromium) is in tests/test_browser_layout.py.
"""

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from programmes.models import Disbursement
from reports.models import Report
from tests.factories import ProjectFactory, current_province, disburse
from tests.report_data import d
from tests.test_admin_forms import add_inline_disbursements, disbursement_data, project_form_data
from tests.test_report_pages import new_draft

pytestmark = pytest.mark.django_db


def test_an_over_budget_payment_row_is_refused_at_its_amount_and_named_in_the_banner(client, thanhhoa_officer):
    project = ProjectFactory(kc_support=300_000_000)
    disburse(project, 250_000_000)
    client.force_login(thanhhoa_officer)
    data = project_form_data(client, project)
    add_inline_disbursements(data, [80_000_000])
    response = client.post(reverse("admin:programmes_project_change", args=[project.pk]), data)
    assert response.status_code == 200
    formset = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "disbursements")
    assert not formset.non_form_errors(), "the refusal belongs to the row typed, not above the table"
    row = formset.forms[1]
    assert "Còn có thể giải ngân: 50.000.000 đồng" in " ".join(row.errors["amount"])
    html = response.content.decode()
    banner = html[html.index('id="error-summary"') : html.index("</div>", html.index('id="error-summary"'))]
    assert "Chưa lưu: 1 lỗi cần sửa." in banner
    assert 'href="#id_disbursements-1-amount"' in banner
    assert "Giải ngân, dòng 2 – Số tiền (đồng)" in banner and "Còn có thể giải ngân: 50.000.000 đồng" in banner
    assert Disbursement.objects.filter(project=project).count() == 1


def test_a_refused_field_is_named_in_the_banner_with_a_link_to_it(client, thanhhoa_officer):
    project = ProjectFactory(kc_support=300_000_000)
    client.force_login(thanhhoa_officer)
    data = disbursement_data(project, "12.500.000", paid_on="31/02/2024", voucher_number="")
    response = client.post(reverse("admin:programmes_disbursement_add"), data)
    html = response.content.decode()
    assert 'href="#id_paid_on"' in html and "Ngày:" in html
    assert "Vui lòng sửa" not in re.sub(r'<p class="errornote">.*?</p>', "", html, flags=re.S)


def issue_h1(client, manager) -> None:
    """Thanh Hóa's report of the first half of 2024, drafted and issued by its manager: 01/01–30/06/2024 is locked."""
    client.force_login(manager)
    new_draft(client, current_province("38"))
    report = Report.objects.get()
    client.post(reverse("reports:issue", args=[report.pk]), {"number": "9/BC-SCT", "issued_on": "2024-07-05"})


@pytest.fixture
def locked_h1(client, thanhhoa_2024, thanhhoa_manager):
    issue_h1(client, thanhhoa_manager)


def test_a_locked_payment_says_so_and_is_read_only_before_any_typing(client, locked_h1, thanhhoa_officer):
    client.force_login(thanhhoa_officer)
    payment = Disbursement.objects.get(paid_on=d(2024, 5, 15))
    page = client.get(reverse("admin:programmes_disbursement_change", args=[payment.pk]))
    html = page.content.decode()
    notice = re.search(r'<p class="lock-notice" role="status">(.*?)</p>', html, re.S).group(1)
    assert "Đã khóa bởi Báo cáo số 9/BC-SCT ngày 05/07/2024 (kỳ 01/01/2024 – 30/06/2024)" in notice
    assert 'name="amount"' not in html and 'name="_save"' not in html, "no field to type in, no Save"
    assert reverse("admin:programmes_disbursement_delete", args=[payment.pk]) not in html
    # Sent from a page opened before the lock: nothing saved, the page says why.
    sent = client.post(page.request["PATH_INFO"], {"amount": "1", "paid_on": "15/05/2024"}, follow=True)
    assert "Chưa lưu được gì." in sent.content.decode() and "9/BC-SCT" in sent.content.decode()
    payment.refresh_from_db()
    assert payment.amount != 1


def test_a_listed_project_shows_its_locked_payments_read_only_and_the_others_open(client, locked_h1, thanhhoa_officer):
    payments = Disbursement.objects.filter(project__province__code="38", project__year=2024)
    later = payments.filter(paid_on__gt=d(2024, 6, 30), project__disbursements__paid_on__lte=d(2024, 6, 30)).first()
    assert later, "the published 2024 figures have đề án paid in both halves"
    project = later.project
    payment = project.disbursements.filter(paid_on__lte=d(2024, 6, 30)).first()
    client.force_login(thanhhoa_officer)
    response = client.get(reverse("admin:programmes_project_change", args=[project.pk]))
    html = response.content.decode()
    assert "Đề án có trong Báo cáo số 9/BC-SCT ngày 05/07/2024" in html
    formset = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "disbursements")
    rows = {form.instance.pk: form for form in formset.forms}
    assert all(field.disabled for field in rows[payment.pk].fields.values()), "locked row: every box, Xóa too"
    assert not any(field.disabled for field in rows[later.pk].fields.values()), "August is not locked"
    form = response.context["adminform"].form
    assert "name" not in form.fields and "plan" not in form.fields, "what the report printed is read only"
    assert "note" in form.fields


def test_django_wording_is_corrected_and_its_missing_strings_are_vietnamese(client, thanhhoa_officer, administrator):
    ProjectFactory()
    client.force_login(thanhhoa_officer)
    listing = client.get(reverse("admin:programmes_project_changelist")).content.decode()
    assert "<title>Danh sách đề án |" in listing and "để thay đổi" not in listing
    assert "Chuyển đến nội dung chính" in listing and "Skip to main content" not in listing
    assert 'aria-label="Đường dẫn trang"' in listing and "Breadcrumbs" not in listing
    assert "Chọn mọi dòng của trang này để thực hiện thao tác" in listing
    scripts = client.get(reverse("admin:jsi18n")).content.decode()
    assert "\\u0110\\u00e3 ch\\u1ecdn" in scripts or "Đã chọn" in scripts, "'0 của 14 được chọn' reads 'Đã chọn 0/14'"
    client.force_login(administrator)
    user_page = client.get(reverse("admin:auth_user_change", args=[administrator.pk])).content.decode()
    for english in ("Reset password", "Raw passwords are not stored", "Can add", "Choose all"):
        assert english not in user_page, english
    assert "Đặt lại mật khẩu" in user_page
    assert "| đề án | được thêm đề án" in user_page, "permissions named in Vietnamese"


def test_groups_are_named_by_their_role(client, administrator, thanhhoa_officer):
    client.force_login(administrator)
    Group.objects.get_or_create(name="province_staff")
    page = client.get(reverse("admin:auth_group_changelist")).content.decode()
    assert "Chuyên viên Sở / Trung tâm KC" in page


def test_a_whole_number_field_says_so_in_plain_vietnamese(client, thanhhoa_officer):
    from django import forms

    with pytest.raises(forms.ValidationError) as refused:
        forms.IntegerField().clean("abc")
    assert refused.value.messages == ["Nhập một số nguyên."]


def test_the_csrf_refusal_is_a_vietnamese_page_that_says_what_to_do(thanhhoa_officer):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("admin:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Biểu mẫu đã hết hạn" in html and "tải lại trang" in html
    assert "CSRF verification failed" not in html and "Forbidden" not in html


def test_the_english_finder_finds_english_and_leaves_vietnamese_codes_and_names_alone():
    from tests.english import english_runs

    assert english_runs("Skip to main content") == ["Skip to main content"]
    assert english_runs("Toggle theme (current theme: auto)")
    assert english_runs("0 của 14 được chọn · Select all objects on this page for an action")
    assert not english_runs("Chọn đề án khuyến công · TH-KCDP-2024-01 · ND45-3 · 1.234.567 đồng · Excel, PDF")
    assert not english_runs("province_staff · Tin tức · Theo năm · HTX chè Như Thanh (3800000007)")


def test_what_is_left_to_pay_counts_the_earlier_rows_of_the_same_file(thanhhoa_officer):
    """An import's second row for a đề án: "còn có thể giải ngân" is what the first row has left."""
    from programmes import services
    from programmes.services.disbursements import PaymentsRefused

    project = ProjectFactory(kc_support=300_000_000)
    row = {"project": project, "paid_on": d(2024, 7, 1), "source": "ns_tinh", "kind": "thanh_toan"}
    with pytest.raises(PaymentsRefused) as refused:
        services.disbursements_create(
            payments=[{**row, "amount": 260_000_000}, {**row, "amount": 100_000_000}], user=thanhhoa_officer
        )
    assert list(refused.value.errors) == [1], "the first row fits; the second is refused"
    assert "Còn có thể giải ngân: 40.000.000 đồng" in " ".join(refused.value.errors[1].messages)
    assert not Disbursement.objects.filter(project=project).exists()


def test_a_page_reads_the_locks_once_whatever_its_number_of_rows(
    client, thanhhoa_2024, thanhhoa_manager, thanhhoa_officer
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    few, many = ProjectFactory(kc_support=900_000_000), ProjectFactory(kc_support=900_000_000)
    for day in (3, 4):
        disburse(few, 1_000_000, paid_on=d(2024, 5, day))
    for day in range(3, 11):
        disburse(many, 1_000_000, paid_on=d(2024, 5, day))
    issue_h1(client, thanhhoa_manager)
    client.force_login(thanhhoa_officer)
    counts = []
    for project in (few, many):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("admin:programmes_project_change", args=[project.pk]))
        assert page.status_code == 200 and "Đề án có trong Báo cáo số 9/BC-SCT" in page.content.decode()
        counts.append(sum("reports_periodlock" in q["sql"] for q in queries.captured_queries))
    assert counts[0] == counts[1] == 1, counts


def test_every_admin_form_opens_on_the_banner_of_what_is_wrong(client, administrator):
    """Not only the register's: the user page too (Django's own form)."""
    client.force_login(administrator)
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "can.bo",
            "password1": "Mat-khau-2026!",
            "password2": "khac-han",
            "usable_password": "true",
            **{
                f"profile-{key}": value
                for key, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0), ("MAX_NUM_FORMS", 1))
            },
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="error-summary"' in html and "Chưa lưu: 1 lỗi cần sửa." in html
    assert 'href="#id_password2"' in html
