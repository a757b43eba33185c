"""A refused form comes back with its errors at the field and what was typed, never a message and a redirect (issue 17).

The report's issue form (tests/test_report_issuing.py), the period's unlock form and the void of an import.
"""

import pytest
import time_machine
from django.urls import reverse

from programmes.imports import services as import_services
from programmes.imports.models import ImportBatch
from programmes.models import Project
from reports import services as report_services
from reports.models import PeriodLock
from tests.factories import BeneficiaryFactory, current_province, draft_report
from tests.import_files import headers, xlsx
from tests.report_data import d
from tests.test_imports import rows_for, run

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-12-06 10:00 +07:00", tick=False)
def test_a_refused_unlock_keeps_the_reason_typed(client, thanhhoa_manager, administrator):
    report = report_services.report_save(
        report=draft_report(province=current_province("38"), year=2026, preset="h1", date_from=d(2026, 1, 1),
                      date_until=d(2026, 6, 30)),
        user=thanhhoa_manager,
    )  # fmt: skip
    issued = report_services.report_issue(report=report, user=thanhhoa_manager, number="15/BC-SCT",
                                          issued_on=d(2026, 7, 5))  # fmt: skip
    client.force_login(administrator)
    typed = "Sửa chứng từ \u202egnp.exe"
    page = client.post(reverse("reports:unlock", args=[issued.lock.pk]), {"reason": typed})
    assert page.status_code == 200
    assert "reason" in page.context["unlock_form"].errors
    text = page.content.decode()
    assert "U+202E" in text and 'value="Sửa chứng từ' in text
    assert PeriodLock.objects.get().is_active
    done = client.post(reverse("reports:unlock", args=[issued.lock.pk]), {"reason": "Sửa chứng từ ghi sai ngày"})
    assert done.status_code == 302 and not PeriodLock.objects.get().is_active


def test_a_refused_void_keeps_the_reason_typed(client, thanhhoa, thanhhoa_manager, administrator):
    batch, outcome = run("projects", xlsx(headers("projects"), rows_for("projects", thanhhoa)), thanhhoa_manager)
    assert outcome.written
    BeneficiaryFactory(project=Project.objects.get(code="TH-2024-10"))  # a later record hangs on it
    client.force_login(administrator)
    url = reverse("imports:void", args=[batch.pk])
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 200 and "reason" in empty.context["void_form"].errors
    refused = client.post(url, {"reason": "Nhập nhầm tệp của huyện"})
    assert refused.status_code == 200
    form = refused.context["void_form"]
    assert form.non_field_errors() and "TH-2024-10" in " ".join(form.non_field_errors())
    assert "Nhập nhầm tệp của huyện" in refused.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED
    assert import_services.may_confirm(batch, administrator)
