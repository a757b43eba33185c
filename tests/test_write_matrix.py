"""The write dimension of the access matrix: who may add, change and delete what, through the real admin.

role × model × (own province / other province / national row) × action. Every post that must be
refused has a control beside it: the same complete form, posted by the administrator (who may do
everything the register allows), must succeed — so a malformed post can never pass for a refusal.
"Own" is Thanh Hóa (2024, the pre-merger unit); "other" is Quảng Nam 2024, which the Đà Nẵng
officer keeps since the merger.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programmes import services
from programmes.models import (
    Attachment,
    Beneficiary,
    Disbursement,
    Facility,
    Organisation,
    Plan,
    PlanLine,
    Project,
    ProjectAdjustment,
    Scheme,
    SchemeLevel,
)
from tests.admin_posts import page_data
from tests.factories import (
    BeneficiaryFactory,
    FacilityFactory,
    PlanFactory,
    ProjectFactory,
    content,
    local_scheme,
    old_province,
)

pytestmark = pytest.mark.django_db

ROLES = ["thanhhoa_officer", "thanhhoa_manager", "danang_officer", "ministry_reviewer", "administrator"]
PROVINCE_OF = {"thanhhoa_officer": "thanhhoa", "thanhhoa_manager": "thanhhoa", "danang_officer": "quangnam"}
MANAGERS = {"thanhhoa_manager", "administrator"}
CODES = {"thanhhoa": "38", "quangnam": "49"}


@pytest.fixture
def world(two_province_world):
    return two_province_world


@pytest.fixture
def personas(module_personas):
    return module_personas


def keeps(role: str, region: str) -> bool:
    """Whether the role keeps (may write) the region's rows: its own province, or everything for administrators."""
    return role == "administrator" or PROVINCE_OF.get(role) == region


def may(role: str, model: str, region: str, action: str) -> bool:
    """The expected write rule (README's role table)."""
    if region == "national":
        return role == "administrator"
    if model == "projectadjustment":
        return action == "add" and keeps(role, region) and role in MANAGERS
    if model == "scheme":
        return keeps(role, region) and (role in MANAGERS if action != "delete" else role == "administrator")
    if model == "plan" and action == "change":
        return keeps(role, region) and role in MANAGERS  # the world's plan is approved
    return keeps(role, region)


def url(model: str, view: str, *args) -> str:
    return reverse(f"admin:programmes_{model}_{view}", args=args)


# --- What each model's change and add posts are -------------------------------------------------

CHANGED = {
    "plan": ("note", "Ghi chú mới"),
    "project": ("note", "Ghi chú mới"),
    "facility": ("phone", "0237 3850 000"),
    "beneficiary": ("note", "Ghi chú mới"),
    "disbursement": ("note", "Ghi chú mới"),
    "attachment": ("title", "Tên mới"),
    "organisation": ("short_name", "Tên tắt mới"),
    "scheme": ("legal_basis", "Quyết định mới"),
}


def national_row(model: str):
    if model == "organisation":
        return Organisation.objects.filter(province__isnull=True).first()
    return Scheme.objects.filter(level=SchemeLevel.NATIONAL).first()


def target(world, model: str, region: str):
    return national_row(model) if region == "national" else world[region][model]


def without_inlines(data: dict) -> dict:
    """Drop the inline rows of a posted page (the add form starts with none)."""
    prefixes = {key.rsplit("-", 1)[0] for key in data if key.endswith("-TOTAL_FORMS")}
    kept = {k: v for k, v in data.items() if not any(k.startswith(f"{p}-") for p in prefixes)}
    for prefix in prefixes:
        kept.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return kept


def add_data(admin_client, world, model: str, region: str) -> tuple[dict, dict]:
    """Return (POST data, FILES-free lookup identifying the new row) for adding a row in the region."""
    if model == "projectadjustment":
        project = world[region]["project"]
        data = {
            "project": project.pk,
            "decision_number": "99/QĐ-SCT",
            "decision_issuer": "Sở Công Thương",
            "decision_date": "01/11/2024",
            "effective_on": "01/11/2024",
            "reason": "Tăng quy mô",
            "new_kc_support": "295.000.000",
            "new_counterpart_funds": "350.000.000",
            "new_other_funds": "0",
            "new_end_date": "15/12/2024",
        }
        return data, {"project": project, "decision_number": "99/QĐ-SCT"}
    obj = target(world, model, region)
    data = without_inlines(page_data(admin_client.get(url(model, "change", obj.pk))))
    tag = f"NEW-{region}"
    if model == "plan":
        data.update(year=2023, status=Plan.Status.DRAFT, decision_number="", decision_date="")
        return data, {"province": obj.province, "year": 2023}
    if model == "project":
        data.update(code=tag, status="dang_ky", decision_number="", decision_date="")
        data.update(kc_support="100.000.000", counterpart_funds="120.000.000", other_funds="0")
        for key in ("contracted_on", "started_on", "accepted_on", "settled_on"):
            data.pop(key, None)
        return data, {"code": tag}
    if model == "facility":
        data.update(tax_code="3900000001" if region == "thanhhoa" else "3900000002", name=f"Cơ sở {tag}")
        return data, {"name": f"Cơ sở {tag}"}
    if model == "beneficiary":
        facility = FacilityFactory(province=obj.facility.province)
        data.update(facility=facility.pk, support_amount="10.000.000")
        return data, {"facility": facility}
    if model == "disbursement":
        data.update(voucher_number=tag, amount="1.000.000", facility="")
        return data, {"voucher_number": tag}
    if model == "attachment":
        data.update(title=tag, file=SimpleUploadedFile("qd.pdf", b"%PDF-1.4 test"))
        return data, {"title": tag}
    if model == "organisation":
        data.update(name=f"Tổ chức {tag}")
        return data, {"name": f"Tổ chức {tag}"}
    if model == "scheme":
        data.update(code=tag)
        return data, {"code": tag}
    raise AssertionError(model)


MODEL_CLASSES = {
    "plan": Plan,
    "project": Project,
    "projectadjustment": ProjectAdjustment,
    "facility": Facility,
    "beneficiary": Beneficiary,
    "disbursement": Disbursement,
    "attachment": Attachment,
    "organisation": Organisation,
    "scheme": Scheme,
}


def deletable(world, model: str, region: str):
    """Return a row of the model, in the region, that the register allows someone to delete."""
    if region == "national":
        if model == "organisation":
            return Organisation.objects.create(name="Cơ quan trung ương thử", kind=Organisation.Kind.OTHER)
        return Scheme.objects.create(
            code="KCQG-THU",
            name="Chương trình thử",
            level=SchemeLevel.NATIONAL,
            legal_basis="Quyết định thử",
            start_year=2031,
            end_year=2035,
        )
    province = old_province(CODES[region])
    if model == "plan":
        return PlanFactory(province=province, scheme=local_scheme(province), year=2022, status=Plan.Status.DRAFT)
    if model == "project":
        return ProjectFactory(
            plan=world[region]["plan"], status="dang_ky", decision_number="", decision_date=None, code=f"DEL-{region}"
        )
    if model == "facility":
        return FacilityFactory(province=province.current)
    if model == "beneficiary":
        return BeneficiaryFactory(project=world[region]["project"], support_amount=1_000_000)
    if model == "scheme":
        return local_scheme(province, 2031, 2035)
    return world[region][model]


REGIONS = ["thanhhoa", "quangnam", "national"]
NATIONAL_MODELS = {"organisation", "scheme"}
WRITABLE = ["plan", "project", "facility", "beneficiary", "disbursement", "attachment", "organisation", "scheme"]


def cases(models, regions=REGIONS):
    return [
        (role, model, region)
        for role in ROLES
        for model in models
        for region in regions
        if region != "national" or model in NATIONAL_MODELS
    ]


@pytest.mark.parametrize(("role", "model", "region"), cases(WRITABLE))
def test_change(client, personas, world, role, model, region):
    obj = target(world, model, region)
    field, value = CHANGED[model]
    client.force_login(personas["administrator"])
    data = page_data(client.get(url(model, "change", obj.pk)))
    data[field] = value
    before = getattr(obj, field)

    client.force_login(personas[role])
    response = client.post(url(model, "change", obj.pk), data)
    assert response.status_code < 500
    obj.refresh_from_db()
    if may(role, model, region, "change"):
        assert response.status_code == 302, response.context and response.context["errors"]
        assert getattr(obj, field) == value
        return
    assert getattr(obj, field) == before, f"{role} changed {model} of {region}"
    # Control: the same post by the administrator goes through.
    client.force_login(personas["administrator"])
    assert client.post(url(model, "change", obj.pk), data).status_code == 302
    obj.refresh_from_db()
    assert getattr(obj, field) == value


@pytest.mark.parametrize(("role", "model", "region"), cases([*WRITABLE, "projectadjustment"]))
def test_add(client, personas, world, role, model, region):
    client.force_login(personas["administrator"])
    data, lookup = add_data(client, world, model, region)
    model_class = MODEL_CLASSES[model]

    client.force_login(personas[role])
    response = client.post(url(model, "add"), data)
    assert response.status_code < 500
    if may(role, model, region, "add"):
        assert response.status_code == 302, response.context and response.context["errors"]
        assert model_class.objects.filter(**lookup).exists()
        return
    assert not model_class.objects.filter(**lookup).exists(), f"{role} added {model} in {region}"
    client.force_login(personas["administrator"])
    if "file" in data:
        data["file"].seek(0)
    response = client.post(url(model, "add"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert model_class.objects.filter(**lookup).exists()


@pytest.mark.parametrize("bulk", [False, True], ids=["delete", "bulk_delete"])
@pytest.mark.parametrize(("role", "model", "region"), cases([*WRITABLE, "projectadjustment"]))
def test_delete(client, personas, world, role, model, region, bulk):
    obj = deletable(world, model, region)
    model_class = type(obj)

    def post():
        if bulk:
            return client.post(
                url(model, "changelist"), {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
            )
        return client.post(url(model, "delete", obj.pk), {"post": "yes"})

    client.force_login(personas[role])
    response = post()
    assert response.status_code < 500
    if may(role, model, region, "delete") and model != "projectadjustment":
        assert not model_class.objects.filter(pk=obj.pk).exists(), f"{role} could not delete {model} of {region}"
        return
    assert model_class.objects.filter(pk=obj.pk).exists(), f"{role} deleted {model} of {region}"
    if model == "projectadjustment":
        return  # a decision on record: nobody deletes it (it is superseded by a further adjustment)
    client.force_login(personas["administrator"])
    post()
    assert not model_class.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize(("role", "model", "region"), cases([*WRITABLE, "projectadjustment"]))
def test_history_pages_show_and_never_write(client, personas, world, role, model, region):
    obj = target(world, model, region) if model != "projectadjustment" else world[region][model]
    if not obj.history.exists():
        obj.save()  # reference rows loaded by a migration start without a history row
    version = obj.history.order_by("history_id").first()
    history_url = reverse(f"admin:programmes_{model}_simple_history", args=[obj.pk, version.history_id])
    client.force_login(personas[role])
    visible = role in ("ministry_reviewer", "administrator") or PROVINCE_OF[role] == region or region == "national"
    page = client.get(history_url)
    assert page.status_code == (200 if visible else 404)
    if visible:
        assert page.context["has_change_permission"] is False
        assert b'name="_save"' not in page.content

    client.force_login(personas["administrator"])
    data = page_data(client.get(url(model, "change", obj.pk))) if model != "projectadjustment" else {}
    if model in CHANGED:
        data[CHANGED[model][0]] = CHANGED[model][1]
    before = type(obj).history.filter(id=obj.pk).count()
    client.force_login(personas[role])
    response = client.post(history_url, data)
    assert response.status_code == 403
    assert type(obj).history.filter(id=obj.pk).count() == before


SAVE_AS_NEW = {
    "facility": ("tax_code", "3900000099", "tax_code"),
    "disbursement": ("voucher_number", "SAN-1", "voucher_number"),
    "organisation": ("name", "Tổ chức lưu mới", "name"),
    "project": ("code", "SAN-1", "code"),
}


@pytest.mark.parametrize(("role", "model", "region"), cases(list(SAVE_AS_NEW), ["thanhhoa", "quangnam"]))
def test_save_as_new(client, personas, world, role, model, region):
    obj = target(world, model, region)
    field, value, lookup = SAVE_AS_NEW[model]
    client.force_login(personas["administrator"])
    data = without_inlines(page_data(client.get(url(model, "change", obj.pk))))
    data.update({field: value, "_saveasnew": "1"})
    if model == "disbursement":
        data["amount"] = "1.000.000"
    if model == "project":
        data.update(status="dang_ky", decision_number="", decision_date="")
        data.update(kc_support="100.000.000", counterpart_funds="120.000.000", other_funds="0")
    model_class = type(obj)

    client.force_login(personas[role])
    response = client.post(url(model, "change", obj.pk), data)
    assert response.status_code < 500
    if may(role, model, region, "add"):
        assert model_class.objects.filter(**{lookup: value}).exists(), response.context and response.context["errors"]
        return
    assert not model_class.objects.filter(**{lookup: value}).exists()
    client.force_login(personas["administrator"])
    client.post(url(model, "change", obj.pk), data)
    assert model_class.objects.filter(**{lookup: value}).exists()


# --- Inlines ------------------------------------------------------------------------------------


def inline_prefix(data: dict, prefix: str) -> int:
    return int(data[f"{prefix}-TOTAL_FORMS"])


def _inline_add(world, region, data, kind):
    project = world[region]["project"]
    if kind == "disbursements":
        index = inline_prefix(data, "disbursements")
        data.update(
            {
                f"disbursements-{index}-paid_on": "02/10/2024",
                f"disbursements-{index}-kind": "thanh_toan",
                f"disbursements-{index}-amount": "2.000.000",
                f"disbursements-{index}-source": "ns_tinh",
                f"disbursements-{index}-voucher_number": "INL-NEW",
                f"disbursements-{index}-project": project.pk,
                "disbursements-TOTAL_FORMS": index + 1,
            }
        )
        return lambda: Disbursement.objects.filter(voucher_number="INL-NEW").exists()
    if kind == "beneficiaries":
        facility = FacilityFactory(province=project.plan.province.current)
        index = inline_prefix(data, "beneficiaries")
        data.update(
            {
                f"beneficiaries-{index}-facility": facility.pk,
                f"beneficiaries-{index}-support_amount": "5.000.000",
                f"beneficiaries-{index}-counterpart_amount": "0",
                f"beneficiaries-{index}-project": project.pk,
                "beneficiaries-TOTAL_FORMS": index + 1,
            }
        )
        return lambda: Beneficiary.objects.filter(facility=facility).exists()
    plan = world[region]["plan"]
    index = inline_prefix(data, "lines")
    data.update(
        {
            f"lines-{index}-content": content("ND45-1").pk,
            f"lines-{index}-planned_amount": "100.000.000",
            f"lines-{index}-planned_projects": 1,
            f"lines-{index}-plan": plan.pk,
            "lines-TOTAL_FORMS": index + 1,
        }
    )
    return lambda: PlanLine.objects.filter(plan=plan, content__code="ND45-1").exists()


INLINES = ["disbursements", "beneficiaries", "lines"]


@pytest.mark.parametrize("action", ["add", "change", "delete"])
@pytest.mark.parametrize("kind", INLINES)
@pytest.mark.parametrize("region", ["thanhhoa", "quangnam"])
@pytest.mark.parametrize("role", ROLES)
def test_inline(client, personas, world, role, region, kind, action):
    parent_model = "plan" if kind == "lines" else "project"
    parent = world[region][parent_model]
    if kind == "lines":
        PlanLine.objects.create(plan=parent, content=content("ND45-3"), planned_amount=500_000_000)
    if kind == "beneficiaries" and action == "delete":
        # A beneficiary without payments (a paid one is never deleted, see test_invariants).
        services.beneficiary_delete(beneficiary=world[region]["beneficiary"], user=None)
        BeneficiaryFactory(project=world[region]["project"], support_amount=1_000_000)
    client.force_login(personas["administrator"])
    data = page_data(client.get(url(parent_model, "change", parent.pk)))

    if action == "add":
        done = _inline_add(world, region, data, kind)
    else:
        model_class = {"disbursements": Disbursement, "beneficiaries": Beneficiary, "lines": PlanLine}[kind]
        row = model_class.objects.filter(**{"plan" if kind == "lines" else "project": parent}).latest("pk")
        index = next(i for i in range(inline_prefix(data, kind)) if str(data.get(f"{kind}-{i}-id")) == str(row.pk))
        if action == "change":
            field, value = ("note", "Ghi chú dòng") if kind != "lines" else ("note", "Ghi chú dòng")
            data[f"{kind}-{index}-{field}"] = value

            def done():
                return model_class.objects.filter(pk=row.pk, note="Ghi chú dòng").exists()

        else:
            data[f"{kind}-{index}-DELETE"] = "on"

            def done():
                return not model_class.objects.filter(pk=row.pk).exists()

    allowed = keeps(role, region) and (kind != "lines" or role in MANAGERS)  # lines of an approved plan
    client.force_login(personas[role])
    response = client.post(url(parent_model, "change", parent.pk), data)
    assert response.status_code < 500
    if allowed:
        assert done(), response.context and response.context["errors"]
        return
    assert not done(), f"{role} {action} {kind} of {region}"
    client.force_login(personas["administrator"])
    response = client.post(url(parent_model, "change", parent.pk), data)
    assert done(), response.context and response.context["errors"]


def test_a_stop_date_reaches_the_history_with_its_reason(thanhhoa_manager):
    project = ProjectFactory(
        status="thuc_hien", contracted_on=datetime.date(2024, 3, 5), started_on=datetime.date(2024, 3, 10)
    )
    project.status, project.stopped_on, project.stop_reason = "ngung", datetime.date(2024, 9, 1), "Cơ sở rút lui"
    services.project_save(project=project, user=thanhhoa_manager, reason="Cơ sở rút lui")
    record = project.history.first()
    assert record.history_change_reason == "Cơ sở rút lui"
    assert record.history_user == thanhhoa_manager
