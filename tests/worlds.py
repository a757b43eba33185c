"""The worlds the matrix tests write in, built once per module (as Django's setUpTestData does).

`build_world` makes one province's register: a plan of its local scheme, a đề án with a
beneficiary, a payment, an adjustment and an attachment, and an organisation of its own. The
module-scoped fixtures in conftest.py build it inside a transaction that is rolled back when the
module ends; each test runs in a savepoint within it and gets its own copy of the objects.
"""

from __future__ import annotations

import copy
import datetime
from contextlib import contextmanager

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test.utils import override_settings

from programmes import services
from programmes.models import Attachment, ConsultancyService, Organisation
from tests.factories import (
    BeneficiaryFactory,
    FacilityFactory,
    PlanFactory,
    ProjectFactory,
    disburse,
    local_scheme,
    old_province,
)


def build_world(province_code: str, tag: str) -> dict:
    province = old_province(province_code)
    plan = PlanFactory(province=province, scheme=local_scheme(province))
    project = ProjectFactory(plan=plan, code=f"{tag}-01", name=f"Đề án {tag}")
    beneficiary = BeneficiaryFactory(project=project, facility=FacilityFactory(province=province.current))
    disbursement = disburse(project, 50_000_000, voucher_number=f"{tag}-PC1")
    adjustment = services.project_adjust(
        project=project,
        decision_number=f"9/{tag}",
        decision_issuer="Sở Công Thương",
        decision_date=datetime.date(2024, 9, 1),
        kc_support=290_000_000,
    )
    attachment = Attachment.objects.create(
        project=project,
        kind=Attachment.Kind.DECISION,
        title=f"Quyết định {tag}",
        file=SimpleUploadedFile(f"{tag}.pdf", b"%PDF-1.4 demo"),
    )
    organisation = Organisation.objects.create(
        name=f"UBND xã {tag}", kind=Organisation.Kind.PEOPLES_COMMITTEE, province=province.current
    )
    consultancy = ConsultancyService.objects.create(
        province=province.current, year=2026, service=f"Tư vấn lập dự án {tag}", contracts=2, revenue=40_000_000
    )
    return {
        "consultancyservice": consultancy,
        "plan": plan,
        "project": project,
        "projectadjustment": adjustment,
        "facility": beneficiary.facility,
        "beneficiary": beneficiary,
        "disbursement": disbursement,
        "attachment": attachment,
        "organisation": organisation,
        "scheme": plan.scheme,
    }


@contextmanager
def kept_for_the_module(django_db_blocker, media_root):
    """Build rows that live until the module ends: inside a transaction rolled back then."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root), transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


def fresh(world):
    """A copy of the module's objects for one test (a test may change the objects it is given)."""
    return copy.deepcopy(world)
