"""The money and data invariants hold in validation (clear Vietnamese messages, nothing saved) and in
the database itself (a write that skips validation is refused)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from programmes import services
from programmes.models import Beneficiary, Disbursement, Facility, PlanLine, Project, ProjectStatus, SchemeLevel
from tests.factories import (
    BeneficiaryFactory,
    FacilityFactory,
    PlanFactory,
    PlanLineFactory,
    ProjectFactory,
    content,
    current_province,
    disburse,
    old_province,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]


def messages_of(exc_info) -> str:
    return " ".join(exc_info.value.messages)


class TestDisbursedNeverExceedsSupport:
    def test_it_accepts_disbursements_up_to_the_support(self):
        project = ProjectFactory(kc_support=300_000_000)
        disburse(project, 200_000_000)
        disburse(project, 100_000_000)
        project.refresh_from_db()
        assert project.disbursed_amount == 300_000_000

    def test_it_refuses_an_over_budget_disbursement_naming_what_is_left(self):
        project = ProjectFactory(kc_support=300_000_000)
        disburse(project, 123_456_789)
        with pytest.raises(ValidationError) as exc_info:
            disburse(project, 200_000_000)
        assert "Còn có thể giải ngân: 176.543.211 đồng" in messages_of(exc_info)
        project.refresh_from_db()
        assert project.disbursed_amount == 123_456_789
        assert Disbursement.objects.filter(project=project).count() == 1

    def test_the_database_refuses_an_over_budget_row_written_without_validation(self):
        project = ProjectFactory(kc_support=100_000_000)
        with pytest.raises(IntegrityError), transaction.atomic():
            Disbursement.objects.create(
                project=project,
                paid_on=datetime.date(2024, 5, 1),
                amount=100_000_001,
                source="ns_tinh",
                kind="thanh_toan",
            )
        assert Disbursement.objects.count() == 0
        project.refresh_from_db()
        assert project.disbursed_amount == 0

    def test_the_database_keeps_the_total_through_updates_and_deletes(self):
        project = ProjectFactory(kc_support=300_000_000)
        first = disburse(project, 100_000_000)
        disburse(project, 50_000_000)
        Disbursement.objects.filter(pk=first.pk).update(amount=120_000_000)
        project.refresh_from_db()
        assert project.disbursed_amount == 170_000_000
        Disbursement.objects.filter(pk=first.pk).delete()
        project.refresh_from_db()
        assert project.disbursed_amount == 50_000_000

    def test_the_database_keeps_the_totals_through_statements_of_many_rows(self):
        # On PostgreSQL the totals are kept per statement (migration 0013): each đề án is updated
        # once with the sum of the statement's rows. Many rows, two đề án, every kind of statement.
        first, second = ProjectFactory(kc_support=300_000_000), ProjectFactory(kc_support=300_000_000)

        def payment(project, amount):
            national = project.plan.scheme.level == SchemeLevel.NATIONAL
            row = Disbursement(
                project=project,
                paid_on=datetime.date(project.plan.year, 6, 1),
                amount=amount,
                kind=Disbursement.Kind.PAYMENT,
                source=Disbursement.Source.CENTRAL if national else Disbursement.Source.PROVINCIAL,
            )
            row.fill_filed_under()
            return row

        def totals():
            return [
                project.disbursed_amount
                for project in Project.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk")
            ]

        Disbursement.objects.bulk_create(
            [payment(first, 10_000_000) for _ in range(5)] + [payment(second, 1_000_000) for _ in range(3)]
        )
        assert totals() == [50_000_000, 3_000_000]
        Disbursement.objects.filter(project__in=[first, second]).update(amount=models.F("amount") * 2)
        assert totals() == [100_000_000, 6_000_000]
        Disbursement.objects.filter(project=second).update(note="chỉ sửa ghi chú")
        assert totals() == [100_000_000, 6_000_000]
        with pytest.raises(IntegrityError), transaction.atomic():
            # Each row fits, their sum does not: the whole statement is refused.
            Disbursement.objects.bulk_create([payment(first, 50_000_000) for _ in range(5)])
        assert totals() == [100_000_000, 6_000_000]
        Disbursement.objects.filter(project=first).order_by("pk")[:1].get().delete()
        assert totals() == [80_000_000, 6_000_000]
        Disbursement.objects.filter(project__in=[first, second]).delete()
        assert totals() == [0, 0]

    def test_an_update_that_would_overspend_is_refused(self):
        project = ProjectFactory(kc_support=300_000_000)
        disburse(project, 100_000_000)
        second = disburse(project, 100_000_000)
        with pytest.raises(ValidationError) as exc_info:
            services.disbursement_update(disbursement=second, amount=250_000_000)
        assert "Còn có thể giải ngân: 200.000.000 đồng" in messages_of(exc_info)
        second.refresh_from_db()
        assert second.amount == 100_000_000

    def test_it_refuses_zero_and_negative_amounts(self):
        project = ProjectFactory()
        for amount in (0, -5):
            with pytest.raises(ValidationError) as exc_info:
                disburse(project, amount)
            assert "amount" in exc_info.value.message_dict
        with pytest.raises(IntegrityError), transaction.atomic():
            Disbursement.objects.create(
                project=project, paid_on=datetime.date(2024, 5, 1), amount=-1, source="ns_tinh", kind="thanh_toan"
            )
        assert Disbursement.objects.count() == 0

    def test_it_refuses_money_on_a_project_not_yet_approved(self):
        project = ProjectFactory(status=ProjectStatus.REGISTERED, decision_number="", decision_date=None)
        with pytest.raises(ValidationError) as exc_info:
            disburse(project, 1_000_000)
        assert "Chỉ được giải ngân cho đề án đã được phê duyệt" in messages_of(exc_info)
        assert Disbursement.objects.count() == 0

    def test_it_refuses_a_payment_dated_before_the_approval(self):
        project = ProjectFactory()
        with pytest.raises(ValidationError) as exc_info:
            disburse(project, 1_000_000, paid_on=datetime.date(2024, 2, 1))
        assert "paid_on" in exc_info.value.message_dict

    def test_it_refuses_the_wrong_budget_for_the_scheme_level(self):
        project = ProjectFactory()  # a local (KCĐP) đề án
        with pytest.raises(ValidationError) as exc_info:
            disburse(project, 1_000_000, source=Disbursement.Source.CENTRAL)
        assert "source" in exc_info.value.message_dict

    def test_advances_before_acceptance_stay_within_seventy_percent(self):
        project = ProjectFactory(kc_support=300_000_000)
        disburse(project, 210_000_000, kind=Disbursement.Kind.ADVANCE)
        with pytest.raises(ValidationError) as exc_info:
            disburse(project, 1_000_000, kind=Disbursement.Kind.ADVANCE)
        assert "70%" in messages_of(exc_info)
        disburse(project, 90_000_000, kind=Disbursement.Kind.PAYMENT)

    def test_it_refuses_a_facility_that_is_not_a_beneficiary(self):
        project = ProjectFactory()
        stranger = FacilityFactory()
        with pytest.raises(ValidationError) as exc_info:
            disburse(project, 1_000_000, facility=stranger)
        assert "facility" in exc_info.value.message_dict


class TestAdjustment:
    def test_the_adjusted_amount_replaces_the_original_and_keeps_it_on_record(self):
        project = ProjectFactory(kc_support=300_000_000)
        adjustment = services.project_adjust(
            project=project,
            decision_number="55/QĐ-SCT",
            decision_issuer="Sở Công Thương Thanh Hóa",
            decision_date=datetime.date(2024, 8, 1),
            kc_support=250_000_000,
        )
        project.refresh_from_db()
        assert project.kc_support == 250_000_000
        assert (adjustment.old_kc_support, adjustment.new_kc_support) == (300_000_000, 250_000_000)
        disburse(project, 250_000_000, paid_on=datetime.date(2024, 9, 1))
        with pytest.raises(ValidationError):
            disburse(project, 1, paid_on=datetime.date(2024, 9, 2))

    def test_it_refuses_to_cut_the_support_below_what_was_disbursed(self):
        project = ProjectFactory(kc_support=300_000_000)
        disburse(project, 200_000_000)
        with pytest.raises(ValidationError) as exc_info:
            services.project_adjust(
                project=project,
                decision_number="56/QĐ-SCT",
                decision_issuer="Sở Công Thương",
                decision_date=datetime.date(2024, 8, 1),
                kc_support=150_000_000,
            )
        assert "200.000.000 đồng" in messages_of(exc_info)
        project.refresh_from_db()
        assert project.kc_support == 300_000_000
        assert project.adjustments.count() == 0

    def test_adjustments_are_recorded_in_date_order(self):
        project = ProjectFactory()
        kwargs = {"project": project, "decision_issuer": "Sở Công Thương", "kc_support": 280_000_000}
        services.project_adjust(decision_number="1/QĐ", decision_date=datetime.date(2024, 8, 1), **kwargs)
        with pytest.raises(ValidationError):
            services.project_adjust(decision_number="2/QĐ", decision_date=datetime.date(2024, 7, 1), **kwargs)


class TestBeneficiarySupport:
    def test_the_support_to_beneficiaries_never_exceeds_the_projects(self):
        project = ProjectFactory(kc_support=300_000_000, is_group=True)
        BeneficiaryFactory(project=project, support_amount=200_000_000)
        extra = Beneficiary(project=project, facility=FacilityFactory(), support_amount=150_000_000)
        with pytest.raises(ValidationError) as exc_info:
            services.beneficiary_save(beneficiary=extra)
        assert "100.000.000 đồng" in messages_of(exc_info)
        assert project.beneficiaries.count() == 1

    def test_the_database_refuses_it_too(self):
        project = ProjectFactory(kc_support=300_000_000, is_group=True)
        with pytest.raises(IntegrityError), transaction.atomic():
            Beneficiary.objects.create(project=project, facility=FacilityFactory(), support_amount=300_000_001)

    def test_a_facility_of_another_province_cannot_benefit(self):
        project = ProjectFactory()
        facility = FacilityFactory(province=current_province("48"))
        with pytest.raises(ValidationError) as exc_info:
            services.beneficiary_save(beneficiary=Beneficiary(project=project, facility=facility))
        assert "facility" in exc_info.value.message_dict


class TestPlans:
    def test_one_line_per_plan_and_content(self):
        line = PlanLineFactory()
        duplicate = PlanLine(plan=line.plan, content=line.content, planned_amount=5)
        with pytest.raises(ValidationError):
            duplicate.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            duplicate.save()

    def test_planned_money_is_never_negative(self):
        line = PlanLineFactory.build(plan=PlanFactory(), planned_amount=-1)
        with pytest.raises(ValidationError):
            line.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            line.save()

    def test_a_plan_is_filed_under_the_unit_valid_that_year(self):
        plan = PlanFactory.build(year=2026, province=old_province("49"), scheme=PlanFactory().scheme)
        with pytest.raises(ValidationError) as exc_info:
            plan.full_clean()
        assert "province" in exc_info.value.message_dict


class TestProjects:
    def test_money_on_a_project_is_never_negative(self):
        project = ProjectFactory.build(plan=PlanFactory(), kc_support=-1)
        with pytest.raises(ValidationError):
            project.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            project.save()

    def test_dates_must_be_in_order(self):
        project = ProjectFactory.build(
            plan=PlanFactory(), start_date=datetime.date(2024, 5, 1), end_date=datetime.date(2024, 4, 1)
        )
        with pytest.raises(ValidationError) as exc_info:
            project.full_clean()
        assert "end_date" in exc_info.value.message_dict
        with pytest.raises(IntegrityError), transaction.atomic():
            project.save()

    def test_lifecycle_steps_must_be_in_order(self):
        project = ProjectFactory()
        project.accepted_on = datetime.date(2024, 2, 1)  # before the approval of 01/03/2024
        project.status = ProjectStatus.ACCEPTED
        with pytest.raises(ValidationError) as exc_info:
            project.full_clean()
        assert "accepted_on" in exc_info.value.message_dict
        with pytest.raises(IntegrityError), transaction.atomic():
            Project.objects.filter(pk=project.pk).update(accepted_on=datetime.date(2024, 2, 1))

    def test_a_status_needs_the_date_of_its_step(self):
        project = ProjectFactory()
        project.status = ProjectStatus.SETTLED
        with pytest.raises(ValidationError) as exc_info:
            project.full_clean()
        assert "settled_on" in exc_info.value.message_dict

    def test_a_project_stays_in_the_province_of_its_plan(self):
        plan = PlanFactory()  # Thanh Hóa
        danang_commune = current_province("48").communes.first()
        project = ProjectFactory.build(plan=plan, content=content("ND45-3"), commune=danang_commune)
        project.implementing_unit = plan.province.current.organisations.first()
        with pytest.raises(ValidationError) as exc_info:
            project.full_clean()
        assert "commune" in exc_info.value.message_dict

    def test_the_support_cannot_be_edited_below_the_disbursed_amount(self):
        project = ProjectFactory(kc_support=300_000_000)
        disburse(project, 200_000_000)
        project.refresh_from_db()
        project.kc_support = 100_000_000
        with pytest.raises(ValidationError):
            services.project_save(project=project)
        with pytest.raises(IntegrityError), transaction.atomic():
            Project.objects.filter(pk=project.pk).update(kc_support=100_000_000)


class TestFacilities:
    @pytest.mark.parametrize("tax_code", ["2800123456", "2800123456-001"])
    def test_it_accepts_tax_codes_of_10_or_13_digits(self, tax_code):
        FacilityFactory.build(tax_code=tax_code).full_clean()

    @pytest.mark.parametrize("tax_code", ["280012345", "28001234567", "2800123456-01", "ABC1234567"])
    def test_it_refuses_malformed_tax_codes(self, tax_code):
        facility = FacilityFactory.build(tax_code=tax_code)
        with pytest.raises(ValidationError) as exc_info:
            facility.full_clean()
        assert "tax_code" in exc_info.value.message_dict
        with pytest.raises(IntegrityError), transaction.atomic():
            facility.save()
        assert not Facility.objects.filter(tax_code=tax_code).exists()

    def test_a_tax_code_is_unique(self):
        FacilityFactory(tax_code="2800999999")
        with pytest.raises(ValidationError):
            FacilityFactory.build(tax_code="2800999999").full_clean()


def test_an_adjustment_supersedes_the_amount_from_its_date_in_queries():
    project = ProjectFactory(kc_support=300_000_000)
    issuer = {"decision_issuer": "Sở Công Thương"}
    services.project_adjust(
        project=project,
        decision_number="1/QĐ",
        decision_date=datetime.date(2024, 8, 1),
        kc_support=250_000_000,
        **issuer,
    )
    services.project_adjust(
        project=project,
        decision_number="2/QĐ",
        decision_date=datetime.date(2024, 10, 1),
        kc_support=280_000_000,
        **issuer,
    )

    def support_on(day):
        return Project.objects.with_amounts_on(day).get(pk=project.pk).kc_support_on

    assert support_on(datetime.date(2024, 7, 31)) == 300_000_000
    assert support_on(datetime.date(2024, 8, 1)) == 250_000_000
    assert support_on(datetime.date(2024, 9, 30)) == 250_000_000
    assert support_on(datetime.date(2024, 10, 1)) == 280_000_000
    assert support_on(datetime.date(2025, 1, 1)) == 280_000_000
