"""Bad input in the admin gets a clear Vietnamese message on the form, and nothing is saved."""

import datetime

import pytest
from django.urls import reverse

from programmes.models import Disbursement, Project
from tests.factories import BeneficiaryFactory, ProjectFactory, disburse

pytestmark = pytest.mark.django_db


def disbursement_data(project, amount, **extra):
    return {
        "project": project.pk,
        "paid_on": "01/07/2024",
        "amount": amount,
        "source": "ns_tinh",
        "kind": "thanh_toan",
        "voucher_number": extra.pop("voucher_number", "PC-99"),
        "note": "",
        **extra,
    }


def test_an_over_budget_disbursement_is_refused_naming_what_is_left(client, thanhhoa_officer):
    project = ProjectFactory(kc_support=300_000_000)
    disburse(project, 250_000_000)
    client.force_login(thanhhoa_officer)
    response = client.post(reverse("admin:programmes_disbursement_add"), disbursement_data(project, 60_000_000))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["amount"]
    assert "Còn có thể giải ngân: 50.000.000 đồng" in " ".join(errors)
    assert Disbursement.objects.filter(project=project).count() == 1


def test_a_valid_disbursement_is_saved_with_its_author(client, thanhhoa_officer):
    project = ProjectFactory(kc_support=300_000_000)
    client.force_login(thanhhoa_officer)
    response = client.post(reverse("admin:programmes_disbursement_add"), disbursement_data(project, 60_000_000))
    assert response.status_code == 302
    disbursement = Disbursement.objects.get(project=project)
    assert disbursement.amount == 60_000_000
    assert disbursement.paid_on == datetime.date(2024, 7, 1)
    assert disbursement.history.first().history_user == thanhhoa_officer
    project.refresh_from_db()
    assert project.disbursed_amount == 60_000_000


def test_a_negative_amount_is_refused(client, thanhhoa_officer):
    project = ProjectFactory()
    client.force_login(thanhhoa_officer)
    response = client.post(reverse("admin:programmes_disbursement_add"), disbursement_data(project, -1))
    assert response.status_code == 200
    assert "amount" in response.context["adminform"].form.errors
    assert not Disbursement.objects.exists()


def project_form_data(client, project):
    """Return the project change form's current data, ready to post back."""
    response = client.get(reverse("admin:programmes_project_change", args=[project.pk]))
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form.initial.get(name)
        if value is None:
            continue
        if isinstance(value, datetime.date):
            value = value.strftime("%d/%m/%Y")
        if name == "cooperating_units":
            value = [o.pk for o in value]
        data[name] = value
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for key in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{formset.formset.prefix}-{key}"] = management[key].value()
        for index, inline_form in enumerate(formset.formset.forms):
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value is None:
                    continue
                if isinstance(value, datetime.date):
                    value = value.strftime("%d/%m/%Y")
                data[f"{formset.formset.prefix}-{index}-{name}"] = value
    return data


def add_inline_disbursements(data, amounts):
    start = int(data["disbursements-TOTAL_FORMS"])
    for offset, amount in enumerate(amounts):
        index = start + offset
        data.update(
            {
                f"disbursements-{index}-paid_on": "02/07/2024",
                f"disbursements-{index}-kind": "thanh_toan",
                f"disbursements-{index}-amount": amount,
                f"disbursements-{index}-source": "ns_tinh",
                f"disbursements-{index}-voucher_number": f"INL-{index}",
            }
        )
    data["disbursements-TOTAL_FORMS"] = start + len(amounts)


def add_inline_beneficiary(data, facility, amount) -> int:
    """Add a beneficiary row to posted project data; return its form index."""
    index = int(data["beneficiaries-TOTAL_FORMS"])
    data.update(
        {
            f"beneficiaries-{index}-facility": facility.pk,
            f"beneficiaries-{index}-support_amount": amount,
            f"beneficiaries-{index}-counterpart_amount": 0,
            "beneficiaries-TOTAL_FORMS": index + 1,
        }
    )
    return index


def test_several_inline_disbursements_together_cannot_overspend(client, thanhhoa_officer):
    project = ProjectFactory(kc_support=300_000_000)
    client.force_login(thanhhoa_officer)
    data = project_form_data(client, project)
    add_inline_disbursements(data, [200_000_000, 150_000_000])
    response = client.post(reverse("admin:programmes_project_change", args=[project.pk]), data)
    assert response.status_code == 200
    assert "Còn có thể giải ngân: 300.000.000 đồng" in response.content.decode()
    assert not Disbursement.objects.exists()


def test_inline_disbursements_within_the_support_are_saved(client, thanhhoa_officer):
    project = ProjectFactory(kc_support=300_000_000)
    client.force_login(thanhhoa_officer)
    data = project_form_data(client, project)
    add_inline_disbursements(data, [200_000_000, 100_000_000])
    response = client.post(reverse("admin:programmes_project_change", args=[project.pk]), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    project.refresh_from_db()
    assert project.disbursed_amount == 300_000_000


def test_inline_beneficiaries_cannot_exceed_the_support(client, thanhhoa_officer):
    project = ProjectFactory(kc_support=300_000_000, is_group=True)
    first = BeneficiaryFactory(project=project, support_amount=200_000_000)
    second = BeneficiaryFactory.build(project=project).facility
    second.save()
    client.force_login(thanhhoa_officer)
    data = project_form_data(client, project)
    index = add_inline_beneficiary(data, second, 150_000_000)
    response = client.post(reverse("admin:programmes_project_change", args=[project.pk]), data)
    assert response.status_code == 200
    # At the row that was typed, not above the table (issue 22).
    row = response.context["inline_admin_formsets"][0].formset.forms[index]
    assert "vượt kinh phí khuyến công của đề án" in str(row.errors["support_amount"]), response.context["errors"]
    assert list(project.beneficiaries.values_list("pk", flat=True)) == [first.pk]


def test_a_province_officer_cannot_approve_a_project(client, thanhhoa_officer):
    project = ProjectFactory(status="dang_ky", decision_number="", decision_date=None)
    client.force_login(thanhhoa_officer)
    data = project_form_data(client, project)
    data.update(
        status="phe_duyet", decision_number="12/QĐ-SCT", decision_issuer="Sở Công Thương", decision_date="01/03/2024"
    )
    response = client.post(reverse("admin:programmes_project_change", args=[project.pk]), data)
    assert response.status_code == 200
    assert "Chỉ lãnh đạo Sở mới được phê duyệt đề án." in response.context["adminform"].form.errors["status"]
    project.refresh_from_db()
    assert project.status == "dang_ky"


def test_a_province_manager_can_approve_a_project(client, thanhhoa_manager):
    project = ProjectFactory(status="dang_ky", decision_number="", decision_date=None)
    client.force_login(thanhhoa_manager)
    data = project_form_data(client, project)
    data.update(
        status="phe_duyet", decision_number="12/QĐ-SCT", decision_issuer="Sở Công Thương", decision_date="01/03/2024"
    )
    response = client.post(reverse("admin:programmes_project_change", args=[project.pk]), data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == "phe_duyet"
    assert Project.history.filter(id=project.pk).first().history_user == thanhhoa_manager


def test_the_support_of_an_approved_project_is_read_only(client, thanhhoa_officer):
    project = ProjectFactory()
    client.force_login(thanhhoa_officer)
    response = client.get(reverse("admin:programmes_project_change", args=[project.pk]))
    assert "kc_support" not in response.context["adminform"].form.fields
    assert "300.000.000" in response.content.decode()


def test_an_adjustment_through_the_admin_keeps_the_old_amount(client, thanhhoa_manager):
    project = ProjectFactory(kc_support=300_000_000)
    client.force_login(thanhhoa_manager)
    response = client.post(
        reverse("admin:programmes_projectadjustment_add"),
        {
            "project": project.pk,
            "decision_number": "77/QĐ-SCT",
            "decision_issuer": "Sở Công Thương",
            "decision_date": "01/09/2024",
            "effective_on": "01/09/2024",
            "reason": "Giảm quy mô",
            "new_kc_support": 240_000_000,
            "new_counterpart_funds": 350_000_000,
            "new_other_funds": 0,
            "new_end_date": "15/12/2024",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    project.refresh_from_db()
    adjustment = project.adjustments.get()
    assert (adjustment.old_kc_support, adjustment.new_kc_support, project.kc_support) == (
        300_000_000,
        240_000_000,
        240_000_000,
    )


def test_a_crafted_inline_post_with_another_provinces_facility_is_refused(client, thanhhoa_officer):
    from tests.factories import FacilityFactory, current_province

    project = ProjectFactory(kc_support=300_000_000, is_group=True)
    foreign = FacilityFactory(province=current_province("48"))
    client.force_login(thanhhoa_officer)
    data = project_form_data(client, project)
    index = add_inline_beneficiary(data, foreign, 1_000_000)
    response = client.post(reverse("admin:programmes_project_change", args=[project.pk]), data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    # Refused by the scoped choices themselves ("not one of the available choices").
    assert "hợp lệ" in " ".join(formset.forms[index].errors["facility"])
    assert not project.beneficiaries.exists()


def plan_data(plan, **changes):
    data = {
        "scheme": plan.scheme_id,
        "province": plan.province_id,
        "year": plan.year,
        "status": plan.status,
        "decision_number": plan.decision_number,
        "decision_issuer": plan.decision_issuer,
        "decision_date": plan.decision_date.strftime("%d/%m/%Y") if plan.decision_date else "",
        "note": "",
        "lines-TOTAL_FORMS": 0,
        "lines-INITIAL_FORMS": 0,
        "indicators-TOTAL_FORMS": 0,
        "indicators-INITIAL_FORMS": 0,
        "attachments-TOTAL_FORMS": 0,
        "attachments-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(("user_fixture", "approved"), [("thanhhoa_officer", False), ("thanhhoa_manager", True)])
def test_only_a_manager_approves_a_plan(client, request, user_fixture, approved):
    from tests.factories import PlanFactory

    plan = PlanFactory(status="du_thao", decision_number="", decision_date=None)
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.post(
        reverse("admin:programmes_plan_change", args=[plan.pk]),
        plan_data(
            plan,
            status="da_duyet",
            decision_number="125/QĐ-UBND",
            decision_issuer="UBND tỉnh Thanh Hóa",
            decision_date="10/01/2024",
        ),
    )
    plan.refresh_from_db()
    assert (plan.status == "da_duyet") is approved
    if not approved:
        assert "Chỉ lãnh đạo Sở mới được phê duyệt kế hoạch." in response.context["adminform"].form.errors["status"]


def test_an_approved_plan_needs_its_decision(client, thanhhoa_manager):
    from tests.factories import PlanFactory

    plan = PlanFactory(status="du_thao", decision_number="", decision_date=None)
    client.force_login(thanhhoa_manager)
    response = client.post(reverse("admin:programmes_plan_change", args=[plan.pk]), plan_data(plan, status="da_duyet"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Kế hoạch đã phê duyệt phải có số quyết định phê duyệt." in errors["decision_number"]
    plan.refresh_from_db()
    assert plan.status == "du_thao"
