"""The data-quality panel (issue 21, point 7): each problem found and linked, in the user's scope, in a
fixed number of queries; the page for each role; the command for cron."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes import services
from programmes.models import Beneficiary, Project, ProjectStatus, SupportItem
from reports import quality
from tests.factories import (
    BeneficiaryFactory,
    FacilityFactory,
    PlanFactory,
    ProjectFactory,
    current_province,
    disburse,
    national_scheme,
    unit_for_year,
)

pytestmark = pytest.mark.django_db
TRIEU = 1_000_000


def _problems(province=None):
    return {problem.key: problem for problem in quality.panel(province).problems}


def _world():
    """One of each problem in Thanh Hóa, and an over-cap line in Đà Nẵng."""
    machinery = SupportItem.objects.get(code="MMTB")
    national = ProjectFactory(plan=PlanFactory(scheme=national_scheme(2024)), code="TH-QG-1", kc_support=2_000 * TRIEU)
    over = BeneficiaryFactory(project=national, support_amount=100 * TRIEU, support_item=machinery,
                              eligible_cost=1_000 * TRIEU)  # fmt: skip
    Beneficiary.objects.filter(pk=over.pk).update(support_amount=900 * TRIEU)  # as an old record might be
    BeneficiaryFactory(project=national, support_amount=400 * TRIEU, support_item=machinery,
                       eligible_cost=1_000 * TRIEU, cap_exception="45/QĐ-UBND")  # fmt: skip
    BeneficiaryFactory(project=national, support_amount=10 * TRIEU, support_item=machinery, eligible_cost=None)
    early = ProjectFactory(code="TH-SOM-1")
    disburse(early, 10 * TRIEU, paid_on=datetime.date(2024, 3, 5))
    Project.objects.filter(pk=early.pk).update(decision_date=datetime.date(2024, 4, 1))
    FacilityFactory(name="Cơ sở mộc Hưng Long", tax_code=None)
    FacilityFactory(name="cơ sở mộc hưng long")
    ProjectFactory(code="TH-NT-1", status=ProjectStatus.ACCEPTED, accepted_on=datetime.date(2024, 11, 1),
                   contracted_on=datetime.date(2024, 3, 5), started_on=datetime.date(2024, 3, 10))  # fmt: skip
    danang = ProjectFactory(
        plan=PlanFactory(scheme=national_scheme(2024), province=unit_for_year("48", 2024)),
        code="DN-QG-1",
        kc_support=2_000 * TRIEU,
    )
    far = BeneficiaryFactory(project=danang, support_amount=100 * TRIEU, support_item=machinery,
                             eligible_cost=1_000 * TRIEU)  # fmt: skip
    Beneficiary.objects.filter(pk=far.pk).update(support_amount=800 * TRIEU)
    return over, danang


def test_each_problem_is_found_and_linked_to_its_row():
    over, _danang = _world()
    found = _problems(current_province("38"))
    assert found["over_cap"].count == 1
    (entry,) = found["over_cap"].entries
    assert entry.url == reverse("admin:programmes_beneficiary_change", args=[over.pk])
    assert "vượt mức tối đa 300 triệu đồng/cơ sở theo khoản 4 Điều 8 Thông tư 28/2018/TT-BTC" in entry.detail
    assert found["eligible_cost"].count == 1
    assert [e.label for e in found["paid_before_decision"].entries] == ["TH-SOM-1"]
    assert "05/03/2024" in found["paid_before_decision"].entries[0].detail
    assert [e.label for e in found["twin_facilities"].entries] == ["Cơ sở mộc Hưng Long"]
    assert [e.label for e in found["accepted_without_beneficiaries"].entries] == ["TH-NT-1"]
    assert quality.panel(current_province("38")).excepted == 1


def test_a_province_panel_holds_its_own_rows_and_the_nation_every_province():
    _world()
    assert _problems(current_province("38"))["over_cap"].count == 1
    assert [e.label for e in _problems(current_province("48"))["over_cap"].entries][0].startswith("DN-QG-1")
    assert _problems()["over_cap"].count == 2


def test_the_panel_asks_a_fixed_number_of_queries():
    _world()
    with CaptureQueriesContext(connection) as small:
        quality.panel()
    for number in range(5):
        project = ProjectFactory(plan=PlanFactory(scheme=national_scheme(2024)), kc_support=2_000 * TRIEU)
        line = BeneficiaryFactory(project=project, support_item=SupportItem.objects.get(code="MMTB"),
                                  eligible_cost=100 * TRIEU, support_amount=10 * TRIEU)  # fmt: skip
        Beneficiary.objects.filter(pk=line.pk).update(support_amount=(400 + number) * TRIEU)
    with CaptureQueriesContext(connection) as large:
        quality.panel()
    # The caps; the capped lines; the listed facilities' names; the count and the first rows of the other three.
    assert len(small) == len(large) == 9, [query["sql"] for query in large.captured_queries]
    assert _problems()["over_cap"].count == 7


def test_officers_see_their_province_and_reviewers_choose(client, thanhhoa_officer, danang_officer, ministry_reviewer):
    _world()
    url = reverse("reports:quality")
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    client.force_login(thanhhoa_officer)
    page = client.get(url, {"tinh": "48"}).content.decode()  # the parameter is a reviewer's only
    assert "TH-QG-1" in page and "DN-QG-1" not in page and 'name="tinh"' not in page
    client.force_login(danang_officer)
    page = client.get(url).content.decode()
    assert "DN-QG-1" in page and "TH-QG-1" not in page
    client.force_login(ministry_reviewer)
    page = client.get(url).content.decode()
    assert "TH-QG-1" in page and "DN-QG-1" in page and 'name="tinh"' in page
    page = client.get(url, {"tinh": "48"}).content.decode()
    assert "DN-QG-1" in page and "TH-QG-1" not in page


def test_the_command_prints_the_panel_and_fails_when_asked(capsys):
    _world()
    out = io.StringIO()
    call_command("data_quality", "--province", "38", stdout=out)
    text = out.getvalue()
    assert "Chất lượng dữ liệu: Thanh Hóa" in text and "TH-SOM-1" in text and "TH-NT-1" in text
    with pytest.raises(SystemExit) as exit_:
        call_command("data_quality", "--fail-on-problems", stdout=io.StringIO())
    assert exit_.value.code == 1


def test_a_clean_register_has_nothing_to_put_right():
    line = BeneficiaryFactory(project=ProjectFactory(plan=PlanFactory(scheme=national_scheme(2024))))
    services.beneficiary_save(beneficiary=line, user=None)
    panel = quality.panel()
    assert panel.total == 0 and panel.excepted == 0
    call_command("data_quality", "--fail-on-problems", stdout=io.StringIO())  # exit status 0


def test_a_facility_over_its_cap_only_by_the_sum_of_its_projects_is_found():
    machinery = SupportItem.objects.get(code="MMTB")
    facility = FacilityFactory()
    lines = []
    for support in (200 * TRIEU, 150 * TRIEU):  # each within 300 triệu and 50 %, together above
        project = ProjectFactory(plan=PlanFactory(scheme=national_scheme(2024)), kc_support=1_000 * TRIEU)
        lines.append(
            BeneficiaryFactory(
                project=project,
                facility=facility,
                support_amount=support,
                support_item=machinery,
                eligible_cost=1_000 * TRIEU,
            )  # fmt: skip
        )
    BeneficiaryFactory(project=lines[0].project, support_amount=250 * TRIEU, support_item=machinery,
                       eligible_cost=1_000 * TRIEU)  # another facility, within  # fmt: skip
    over = _problems()["over_cap"]
    assert over.count == 2
    assert {entry.url for entry in over.entries} == {
        reverse("admin:programmes_beneficiary_change", args=[line.pk]) for line in lines
    }
    assert all("350.000.000 đồng vượt mức tối đa 300 triệu đồng/cơ sở" in entry.detail for entry in over.entries)
