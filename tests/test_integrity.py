"""Integrity the database holds by itself (issue 5, point 5) and input as officials type it (point 6).

Each database test first shows the write the rule is about succeeding where it is allowed, so a
refusal cannot come from a malformed statement.
"""

import datetime
import io
import threading
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.test import override_settings
from django.urls import reverse

from programmes import services
from programmes.forms import MoneyField
from programmes.models import Attachment, Beneficiary, Disbursement, Facility, Organisation, Project
from tests.admin_posts import disbursement_post
from tests.factories import BeneficiaryFactory, FacilityFactory, ProjectFactory, current_province, disburse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL triggers and row locks")


def raw(sql: str, params=()) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def paid_beneficiary() -> Beneficiary:
    beneficiary = BeneficiaryFactory(project=ProjectFactory(kc_support=300_000_000))
    disburse(beneficiary.project, 50_000_000, facility=beneficiary.facility)
    return beneficiary


# --- 5. Integrity in the database ---------------------------------------------------------------


class TestRunningTotals:
    @postgresql_only
    def test_a_direct_update_of_the_disbursed_total_is_refused(self):
        project = ProjectFactory(kc_support=300_000_000)
        disburse(project, 200_000_000)
        assert raw("UPDATE programmes_project SET name = name || ' (sửa)' WHERE id = %s", [project.pk]) == 1

        with pytest.raises(IntegrityError, match="kept by their triggers only"):
            raw("UPDATE programmes_project SET disbursed_amount = 0 WHERE id = %s", [project.pk])
        with pytest.raises(IntegrityError, match="kept by their triggers only"):
            raw("UPDATE programmes_project SET beneficiary_support = 1 WHERE id = %s", [project.pk])

        project.refresh_from_db()
        assert project.disbursed_amount == 200_000_000
        # So the next payment is still measured against what was really paid.
        with pytest.raises(ValidationError):
            disburse(project, 150_000_000)

    @postgresql_only
    def test_a_new_project_cannot_be_inserted_with_money_already_counted(self):
        project = ProjectFactory.build()
        project.plan.save()
        project.disbursed_amount = 100_000_000
        with pytest.raises(IntegrityError, match="starts with no money"), transaction.atomic():
            project.save()

    @postgresql_only
    def test_the_totals_are_kept_once_per_statement(self):
        # Migration 0013: a bulk write updates each đề án once, not once per row (the imports' speed).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tgrelid::regclass::text, tgname, (tgtype & 1) = 1 FROM pg_trigger "
                "WHERE NOT tgisinternal AND tgname LIKE '%%total%%' AND tgrelid IN "
                "('programmes_disbursement'::regclass, 'programmes_beneficiary'::regclass) ORDER BY 1, 2"
            )
            found = cursor.fetchall()
        assert found == [
            (table, f"{table}_total_{event}", False)
            for table in ("programmes_beneficiary", "programmes_disbursement")
            for event in ("delete", "insert", "update")
        ]

    def test_the_totals_follow_the_rows_through_raw_sql(self):
        project = ProjectFactory(kc_support=300_000_000)
        payment = disburse(project, 100_000_000)
        raw("UPDATE programmes_disbursement SET amount = 120000000 WHERE id = %s", [payment.pk])
        project.refresh_from_db()
        assert project.disbursed_amount == 120_000_000


class TestPaymentDigest:
    """Migration 0016: the payment triggers keep a đề án's first payment day and its advances (the
    lag rules read them) through every kind of write, raw SQL included; nobody else writes them."""

    @staticmethod
    def digest(project):
        project.refresh_from_db()
        return project.first_paid_on, project.advanced_amount, project.disbursed_amount

    def test_it_follows_inserts_updates_and_deletes(self):
        project = ProjectFactory(kc_support=300_000_000)
        assert self.digest(project) == (None, 0, 0)
        advance = disburse(project, 100_000_000, kind=Disbursement.Kind.ADVANCE, paid_on=datetime.date(2024, 6, 1))
        assert self.digest(project) == (datetime.date(2024, 6, 1), 100_000_000, 100_000_000)
        payment = disburse(project, 50_000_000, paid_on=datetime.date(2024, 5, 10))
        assert self.digest(project) == (datetime.date(2024, 5, 10), 100_000_000, 150_000_000)
        Disbursement.objects.filter(pk=payment.pk).update(paid_on=datetime.date(2024, 7, 1))
        assert self.digest(project) == (datetime.date(2024, 6, 1), 100_000_000, 150_000_000)
        Disbursement.objects.filter(pk=advance.pk).update(kind=Disbursement.Kind.PAYMENT)
        assert self.digest(project) == (datetime.date(2024, 6, 1), 0, 150_000_000)
        Disbursement.objects.filter(pk=payment.pk).update(kind=Disbursement.Kind.ADVANCE, amount=60_000_000)
        assert self.digest(project) == (datetime.date(2024, 6, 1), 60_000_000, 160_000_000)
        Disbursement.objects.filter(pk=advance.pk).delete()
        assert self.digest(project) == (datetime.date(2024, 7, 1), 60_000_000, 60_000_000)
        Disbursement.objects.filter(pk=payment.pk).delete()
        assert self.digest(project) == (None, 0, 0)

    def test_it_follows_raw_sql_and_statements_of_many_rows_across_projects(self):
        first, second = ProjectFactory(kc_support=300_000_000), ProjectFactory(kc_support=300_000_000)
        disburse(first, 10_000_000, kind=Disbursement.Kind.ADVANCE, paid_on=datetime.date(2024, 5, 2))
        disburse(first, 20_000_000, kind=Disbursement.Kind.ADVANCE, paid_on=datetime.date(2024, 5, 3))
        disburse(second, 5_000_000, paid_on=datetime.date(2024, 8, 1))
        # One statement moves every payment of the first đề án to the second.
        raw(
            "UPDATE programmes_disbursement SET project_id = %s WHERE project_id = %s",
            [second.pk, first.pk],
        )
        assert self.digest(first) == (None, 0, 0)
        assert self.digest(second) == (datetime.date(2024, 5, 2), 30_000_000, 35_000_000)
        raw("UPDATE programmes_disbursement SET amount = amount * 2 WHERE project_id = %s", [second.pk])
        assert self.digest(second) == (datetime.date(2024, 5, 2), 60_000_000, 70_000_000)
        raw("DELETE FROM programmes_disbursement WHERE project_id = %s AND kind = 'tam_ung'", [second.pk])
        assert self.digest(second) == (datetime.date(2024, 8, 1), 0, 10_000_000)

    @postgresql_only
    def test_a_direct_write_of_the_digest_is_refused(self):
        project = ProjectFactory(kc_support=300_000_000)
        disburse(project, 100_000_000, kind=Disbursement.Kind.ADVANCE, paid_on=datetime.date(2024, 6, 1))
        for assignment in ("advanced_amount = 0", "first_paid_on = NULL", "first_paid_on = '2030-01-01'"):
            with pytest.raises(IntegrityError, match="kept by their triggers only"):
                raw(f"UPDATE programmes_project SET {assignment} WHERE id = %s", [project.pk])
        assert self.digest(project) == (datetime.date(2024, 6, 1), 100_000_000, 100_000_000)

    def test_advances_never_exceed_what_was_disbursed(self):
        project = ProjectFactory(kc_support=300_000_000)
        disburse(project, 100_000_000, kind=Disbursement.Kind.ADVANCE)
        with pytest.raises(IntegrityError), transaction.atomic():
            Project.objects.filter(pk=project.pk).update(advanced_amount=200_000_000)
        assert self.digest(project)[1:] == (100_000_000, 100_000_000)

    def test_the_service_never_writes_the_digest_from_a_stale_form(self, thanhhoa_manager):
        project = ProjectFactory(kc_support=300_000_000)
        stale = Project.objects.get(pk=project.pk)
        disburse(project, 100_000_000, kind=Disbursement.Kind.ADVANCE, paid_on=datetime.date(2024, 6, 1))
        stale.name = "Tên mới của đề án"
        services.project_save(project=stale, user=thanhhoa_manager)
        assert self.digest(project) == (datetime.date(2024, 6, 1), 100_000_000, 100_000_000)


class TestPaidBeneficiaries:
    def test_the_database_refuses_to_delete_a_paid_beneficiary(self):
        unpaid = BeneficiaryFactory()
        assert raw("DELETE FROM programmes_beneficiary WHERE id = %s", [unpaid.pk]) == 1

        beneficiary = paid_beneficiary()
        with pytest.raises(IntegrityError):
            raw("DELETE FROM programmes_beneficiary WHERE id = %s", [beneficiary.pk])
        assert Beneficiary.objects.filter(pk=beneficiary.pk).exists()

    def test_the_database_refuses_to_change_a_paid_beneficiarys_facility(self):
        beneficiary = paid_beneficiary()
        other = FacilityFactory(province=beneficiary.facility.province)
        assert raw("UPDATE programmes_beneficiary SET support_amount = 60000000 WHERE id = %s", [beneficiary.pk]) == 1

        with pytest.raises(IntegrityError):
            raw("UPDATE programmes_beneficiary SET facility_id = %s WHERE id = %s", [other.pk, beneficiary.pk])
        beneficiary.refresh_from_db()
        assert beneficiary.facility_id != other.pk

    def test_the_database_refuses_a_payment_to_a_facility_that_is_no_beneficiary(self):
        project = ProjectFactory()
        stranger = FacilityFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Disbursement.objects.create(
                project=project,
                facility=stranger,
                paid_on=datetime.date(2024, 6, 1),
                amount=1_000_000,
                source=Disbursement.Source.PROVINCIAL,
                kind=Disbursement.Kind.PAYMENT,
            )

    def test_the_service_explains_why_a_paid_beneficiary_stays(self, thanhhoa_manager):
        beneficiary = paid_beneficiary()
        with pytest.raises(ValidationError) as refused:
            services.beneficiary_delete(beneficiary=beneficiary, user=thanhhoa_manager)
        assert "Đã giải ngân cho cơ sở này" in " ".join(refused.value.messages)

        beneficiary.facility = FacilityFactory(province=beneficiary.facility.province)
        with pytest.raises(ValidationError) as refused:
            services.beneficiary_save(beneficiary=beneficiary, user=thanhhoa_manager)
        assert "facility" in refused.value.message_dict

    def test_the_bulk_delete_action_keeps_a_paid_beneficiary_and_everything_else(self, client, thanhhoa_officer):
        paid = paid_beneficiary()
        unpaid = BeneficiaryFactory(project=paid.project, support_amount=10_000_000)
        client.force_login(thanhhoa_officer)
        response = client.post(
            reverse("admin:programmes_beneficiary_changelist"),
            {"action": "delete_selected", "_selected_action": [paid.pk, unpaid.pk], "post": "yes"},
            follow=True,
        )
        assert response.status_code == 200
        assert Beneficiary.objects.filter(pk__in=[paid.pk, unpaid.pk]).count() == 2
        assert "Đã giải ngân cho cơ sở này" in response.content.decode()


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_reference_data")
def test_a_payment_racing_a_beneficiary_delete_leaves_no_payment_without_its_beneficiary():
    """One thread pays the facility while another deletes its beneficiary link, many times over:
    either the payment lands and the link stays, or the link goes and the payment is refused."""
    rounds = 6
    for round_number in range(rounds):
        beneficiary = BeneficiaryFactory(project=ProjectFactory(kc_support=300_000_000))
        barrier = threading.Barrier(2)
        outcomes: dict[str, str] = {}

        def pay(beneficiary=beneficiary, outcomes=outcomes, barrier=barrier, n=round_number):
            try:
                barrier.wait(timeout=10)
                disburse(beneficiary.project, 10_000_000, facility=beneficiary.facility, voucher_number=f"PC-{n}")
                outcomes["pay"] = "ok"
            except (ValidationError, DatabaseError):
                outcomes["pay"] = "refused"
            finally:
                connections.close_all()

        def delete(beneficiary=beneficiary, outcomes=outcomes, barrier=barrier):
            try:
                barrier.wait(timeout=10)
                services.beneficiary_delete(beneficiary=beneficiary)
                outcomes["delete"] = "ok"
            except (ValidationError, DatabaseError):
                outcomes["delete"] = "refused"
            finally:
                connections.close_all()

        threads = [threading.Thread(target=pay), threading.Thread(target=delete)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert sorted(outcomes.values()) == ["ok", "refused"], outcomes
        project = Project.objects.get(pk=beneficiary.project_id)
        link_kept = Beneficiary.objects.filter(pk=beneficiary.pk).exists()
        paid = Disbursement.objects.filter(project=project, facility=beneficiary.facility_id).exists()
        assert link_kept == paid == (outcomes["pay"] == "ok")
        assert project.disbursed_amount == (10_000_000 if paid else 0)


# --- 6. Input as officials type it --------------------------------------------------------------


class TestAmounts:
    @pytest.mark.parametrize("typed", ["1.5", "1..0", ".5", "300.000.00", "1,5", "1.5.0", "12a", "abc", "1e6", "--5"])
    def test_misplaced_separators_and_letters_are_refused_never_rescaled(self, typed):
        with pytest.raises(ValidationError) as refused:
            MoneyField().clean(typed)
        assert refused.value.messages[0].startswith("Nhập")

    def test_a_negative_amount_is_refused_in_vietnamese(self):
        with pytest.raises(ValidationError) as refused:
            MoneyField().clean("-1.000")
        assert "âm" in refused.value.messages[0]

    @pytest.mark.parametrize("typed", ["1.5", "1..0", ".5", "300.000.00"])
    def test_the_admin_refuses_them_and_keeps_what_was_typed(self, client, thanhhoa_officer, typed):
        project = ProjectFactory()
        client.force_login(thanhhoa_officer)
        response = client.post(reverse("admin:programmes_disbursement_add"), disbursement_post(project, amount=typed))
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["amount"]
        assert f'value="{typed}"' in response.content.decode()
        assert not Disbursement.objects.exists()

    def test_amount_boxes_are_text_inputs_showing_grouped_amounts(self, client, thanhhoa_officer):
        project = ProjectFactory(kc_support=1_234_567_000)
        client.force_login(thanhhoa_officer)
        page = client.get(reverse("admin:programmes_project_change", args=[project.pk])).content.decode()
        assert "1.234.567.000" in page
        assert 'type="number"' not in page


class TestNames:
    SPELLINGS = [
        "Hợp tác xã Mây tre đan Nga Sơn",  # NFC
        "Hợp tác xã Mây tre đan Nga Sơn".encode().decode().replace("ợ", "o\u031b\u0323"),  # NFD ợ
        "Hợp tác xã  Mây tre đan Nga Sơn",  # double space
        "Hợp tác xã Mây\u200b tre đan Nga Sơn",  # zero-width space
        "  Hợp tác xã Mây tre đan Nga Sơn\t",  # padding
    ]

    def test_the_spellings_really_differ(self):
        assert len(set(self.SPELLINGS)) == len(self.SPELLINGS)

    def test_one_organisation_name_per_province_whatever_the_spelling(self, thanhhoa_officer):
        province = current_province("38")
        first = services.organisation_save(
            organisation=Organisation(name=self.SPELLINGS[0], kind=Organisation.Kind.OTHER, province=province),
            user=thanhhoa_officer,
        )
        assert first.name == self.SPELLINGS[0]
        for spelling in self.SPELLINGS[1:]:
            with pytest.raises(ValidationError) as refused:
                services.organisation_save(
                    organisation=Organisation(name=spelling, kind=Organisation.Kind.OTHER, province=province),
                    user=thanhhoa_officer,
                )
            assert "đã có" in " ".join(refused.value.messages), spelling
        assert Organisation.objects.filter(province=province, name__contains="Mây tre").count() == 1

    def test_the_database_compares_the_normal_form_too(self):
        province = current_province("38")
        Organisation.objects.create(name=self.SPELLINGS[0], kind=Organisation.Kind.OTHER, province=province)
        with pytest.raises(IntegrityError), transaction.atomic():
            Organisation.objects.create(name=self.SPELLINGS[3], kind=Organisation.Kind.OTHER, province=province)

    def test_project_codes_and_tax_codes_are_unique_over_the_normal_form(self):
        ProjectFactory(code="KCĐP-2024-01")
        with pytest.raises(ValidationError) as refused:
            services.project_save(project=ProjectFactory.build(code=" KCĐP-2024-01\u200b"))
        assert "code" in refused.value.message_dict

        FacilityFactory(tax_code="0101234567")
        with pytest.raises(ValidationError) as refused:
            services.facility_save(facility=FacilityFactory.build(tax_code=" 0101234567 "))
        assert "tax_code" in refused.value.message_dict
        assert Facility.objects.filter(tax_code="0101234567").count() == 1


class TestDates:
    @pytest.mark.parametrize("day", [datetime.date(1, 1, 1), datetime.date(1999, 12, 31), datetime.date(9999, 12, 31)])
    def test_dates_outside_the_bounds_are_refused(self, day):
        project = ProjectFactory.build(registered_on=day)
        project.plan.save()
        with pytest.raises(ValidationError) as refused:
            services.project_save(project=project)
        assert "01/01/2000" in " ".join(refused.value.message_dict["registered_on"])

    @override_settings(KHUYENCONG_DATE_MIN=datetime.date(1990, 1, 1))
    def test_the_bounds_are_settings(self):
        project = ProjectFactory.build(registered_on=datetime.date(1995, 5, 5), decision_date=None)
        project.status = Project.status.field.default
        project.decision_number = ""
        project.plan.save()
        project.plan = project.plan
        services.project_save(project=project)
        assert project.registered_on == datetime.date(1995, 5, 5)

    def test_the_admin_answers_a_form_error_for_year_0001(self, client, thanhhoa_officer):
        project = ProjectFactory()
        client.force_login(thanhhoa_officer)
        response = client.post(
            reverse("admin:programmes_disbursement_add"), disbursement_post(project, paid_on="01/01/0001")
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["paid_on"]

    def test_a_stop_date_before_registration_is_refused_by_the_database_too(self):
        project = ProjectFactory(status=Project.status.field.default, decision_number="", decision_date=None)
        with pytest.raises(IntegrityError), transaction.atomic():
            Project.objects.filter(pk=project.pk).update(stopped_on=project.registered_on - datetime.timedelta(days=1))


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def office(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


class TestAttachments:
    ACCEPTED = [
        ("quyet-dinh.pdf", pdf()),
        ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32),
        ("anh.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 32),
        ("bien-ban.docx", office({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"})),
        ("du-toan.xlsx", office({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<w/>"})),
        ("bao-cao.odt", office({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})),
        ("so-lieu.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32),
    ]
    REFUSED = [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 32),
        ("quyet-dinh.pdf", b"MZ\x90\x00" + b"\x00" * 32),  # a program renamed
        ("bang.xlsx", office({"evil.js": b"x"})),  # a zip that is no workbook
        ("bao-cao.docx", office({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<w/>"})),  # Excel as Word
        ("ghi-chu.txt", b"plain"),
        ("khong-duoi", pdf()),
        ("trang.html", b"<html><script>alert(1)</script>"),
    ]

    def attach(self, name, content, user):
        attachment = Attachment(
            project=ProjectFactory(),
            kind=Attachment.Kind.OTHER,
            title="Tài liệu",
            file=SimpleUploadedFile(name, content),
        )
        return services.attachment_save(attachment=attachment, user=user)

    @pytest.mark.parametrize(("name", "content"), ACCEPTED)
    def test_records_a_department_files_are_accepted(self, settings, tmp_path, thanhhoa_officer, name, content):
        settings.MEDIA_ROOT = tmp_path
        assert self.attach(name, content, thanhhoa_officer).pk

    @pytest.mark.parametrize(("name", "content"), REFUSED)
    def test_other_types_and_disguised_files_are_refused(self, settings, tmp_path, thanhhoa_officer, name, content):
        settings.MEDIA_ROOT = tmp_path
        with pytest.raises(ValidationError) as refused:
            self.attach(name, content, thanhhoa_officer)
        assert refused.value.message_dict["file"]
        assert not Attachment.objects.exists()

    def test_files_over_the_size_limit_are_refused(self, settings, tmp_path, thanhhoa_officer):
        settings.MEDIA_ROOT = tmp_path
        settings.KHUYENCONG_ATTACHMENT_MAX_BYTES = 1024
        self.attach("nho.pdf", pdf() + b"\x00" * 900, thanhhoa_officer)
        with pytest.raises(ValidationError) as refused:
            self.attach("lon.pdf", pdf() + b"\x00" * 2000, thanhhoa_officer)
        assert "MB" in " ".join(refused.value.message_dict["file"]) or "KB" in " ".join(
            refused.value.message_dict["file"]
        )
