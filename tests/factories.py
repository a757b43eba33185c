"""Factories for the register. Reference data (provinces, contents, bodies) comes from migrations."""

import datetime
import itertools

import factory
from django.contrib.auth import get_user_model

from programmes import services
from programmes.models import (
    ActivityContent,
    Beneficiary,
    Disbursement,
    Facility,
    Organisation,
    Plan,
    PlanLine,
    Project,
    ProjectStatus,
    Province,
    Scheme,
    SchemeLevel,
)

_tax_codes = itertools.count(2800000001)


def current_province(code: str) -> Province:
    return Province.objects.get(code=code, valid_to__isnull=True)


def old_province(code: str) -> Province:
    return Province.objects.get(code=code, valid_to=datetime.date(2025, 6, 30))


def unit_for_year(code: str, year: int) -> Province:
    """Return the unit that carried this code in the year (old units up to 2025)."""
    return old_province(code) if year <= 2025 else current_province(code)


def national_scheme(year: int) -> Scheme:
    return Scheme.objects.get(level=SchemeLevel.NATIONAL, start_year__lte=year, end_year__gte=year)


def local_scheme(province: Province, start_year: int = 2021, end_year: int = 2025) -> Scheme:
    scheme, _ = Scheme.objects.get_or_create(
        code=f"KCDP-{province.code}-{start_year}-{end_year}-{province.pk}",
        defaults={
            "name": f"Chương trình khuyến công {province.name} {start_year}–{end_year}",
            "level": SchemeLevel.LOCAL,
            "province": province,
            "legal_basis": "Quyết định của UBND tỉnh",
            "start_year": start_year,
            "end_year": end_year,
        },
    )
    return scheme


def content(code: str) -> ActivityContent:
    return ActivityContent.objects.get(code=code)


def provincial_centre(province: Province) -> Organisation:
    return Organisation.objects.get(province=province.current, kind=Organisation.Kind.PROVINCIAL_CENTRE)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("password")


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        django_get_or_create = ("scheme", "province", "year")

    year = 2024
    province = factory.LazyAttribute(lambda o: unit_for_year("38", o.year))
    scheme = factory.LazyAttribute(
        lambda o: local_scheme(o.province, *((2021, 2025) if o.year <= 2025 else (2026, 2030)))
    )
    status = Plan.Status.APPROVED
    decision_number = factory.Sequence(lambda n: f"{1000 + n}/QĐ-UBND")
    decision_issuer = "UBND tỉnh"
    decision_date = factory.LazyAttribute(lambda o: datetime.date(o.year, 2, 15))


class PlanLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanLine

    plan = factory.SubFactory(PlanFactory)
    content = factory.LazyFunction(lambda: content("ND45-3"))
    planned_amount = 1_000_000_000
    planned_projects = 3


class ProjectFactory(factory.django.DjangoModelFactory):
    """An approved đề án of 300 triệu đồng support, by default in Thanh Hóa, 2024."""

    class Meta:
        model = Project

    plan = factory.SubFactory(PlanFactory)
    code = factory.Sequence(lambda n: f"DA-{n:05d}")
    name = factory.Sequence(lambda n: f"Hỗ trợ ứng dụng máy móc thiết bị tiên tiến số {n}")
    content = factory.LazyFunction(lambda: content("ND45-3"))
    implementing_unit = factory.LazyAttribute(lambda o: provincial_centre(o.plan.province))
    kc_support = 300_000_000
    counterpart_funds = 350_000_000
    status = ProjectStatus.APPROVED
    registered_on = factory.LazyAttribute(lambda o: datetime.date(o.plan.year, 1, 10))
    decision_number = factory.Sequence(lambda n: f"{200 + n}/QĐ-SCT")
    decision_issuer = "Sở Công Thương"
    decision_date = factory.LazyAttribute(lambda o: datetime.date(o.plan.year, 3, 1))
    start_date = factory.LazyAttribute(lambda o: datetime.date(o.plan.year, 3, 1))
    end_date = factory.LazyAttribute(lambda o: datetime.date(o.plan.year, 12, 15))


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facility

    name = factory.Sequence(lambda n: f"Cơ sở sản xuất số {n}")
    kind = Facility.Kind.HOUSEHOLD_BUSINESS
    tax_code = factory.LazyFunction(lambda: str(next(_tax_codes)))
    province = factory.LazyFunction(lambda: current_province("38"))
    industry = Facility.Industry.PROCESSING


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Beneficiary

    project = factory.SubFactory(ProjectFactory)
    facility = factory.SubFactory(FacilityFactory, province=factory.SelfAttribute("..project.plan.province.current"))
    support_amount = 100_000_000
    counterpart_amount = 120_000_000


def disburse(project: Project, amount: int, *, kind=Disbursement.Kind.PAYMENT, paid_on=None, **kwargs) -> Disbursement:
    """Disburse through the service, as every real write does."""
    source = (
        Disbursement.Source.CENTRAL
        if project.plan.scheme.level == SchemeLevel.NATIONAL
        else Disbursement.Source.PROVINCIAL
    )
    return services.disbursement_create(
        project=project,
        amount=amount,
        kind=kind,
        source=kwargs.pop("source", source),
        paid_on=paid_on or datetime.date(project.plan.year, 6, 1),
        **kwargs,
    )


# What a report is not issued without (reports.services.NARRATIVE_REQUIRED): who signs it, sections III–IV.
COMPLETE_NARRATIVE = {
    "tasks": "Tiếp tục triển khai các đề án khuyến công theo kế hoạch.",
    "recommendations": "Đề nghị Bộ Công Thương quan tâm hỗ trợ kinh phí khuyến công quốc gia.",
    "signer_title": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
    "signer_name": "Nguyễn Văn An",
}


def draft_report(**fields):
    """A report draft (unsaved) with everything issuing asks for; `fields` first."""
    from reports.models import Report

    return Report(**{**COMPLETE_NARRATIVE, **fields})
