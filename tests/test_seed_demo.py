"""`seed_demo` builds the published Thanh Hóa 2024 case and logins that see what their role should."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F, Sum
from django.urls import reverse

from programmes.models import Disbursement, PlanLine, Project, ProjectStatus, Province

pytestmark = pytest.mark.django_db
TRIEU = 1_000_000


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)
    return {user.username: user for user in get_user_model().objects.all()}


KC = {"plan__scheme__programme": "khuyen_cong"}  # the demo's energy-saving đề án is not khuyến công


def thanh_hoa_2024(level: str):
    return Disbursement.objects.filter(
        project__plan__province__current__code="38",
        project__plan__year=2024,
        project__plan__scheme__level=level,
        project__plan__scheme__programme="khuyen_cong",
    )


def test_it_reproduces_the_published_thanh_hoa_2024_figures(demo):
    local = thanh_hoa_2024("kcdp")
    assert local.aggregate(s=Sum("amount"))["s"] == 3_277 * TRIEU
    assert local.filter(paid_on__lte=datetime.date(2024, 6, 30)).aggregate(s=Sum("amount"))["s"] == 600 * TRIEU
    planned = PlanLine.objects.filter(plan__province__code="38", plan__year=2024, plan__scheme__level="kcdp", **KC)
    assert planned.aggregate(s=Sum("planned_amount"))["s"] == 3_277 * TRIEU
    machinery = Project.objects.filter(
        plan__province__code="38", plan__year=2024, plan__scheme__level="kcdp", content__code="ND45-3", **KC
    )
    assert machinery.count() == 8
    assert machinery.filter(accepted_on__lte=datetime.date(2024, 6, 30)).count() == 2
    assert (
        machinery.filter(accepted_on__lte=datetime.date(2024, 6, 30)).aggregate(s=Sum("beneficiaries__support_amount"))[
            "s"
        ]
        == 600 * TRIEU
    )
    assert thanh_hoa_2024("kcqg").aggregate(s=Sum("amount"))["s"] == 2_950 * TRIEU
    assert (
        not Project.objects.filter(plan__province__code="38", plan__year=2024)
        .exclude(status=ProjectStatus.SETTLED)
        .exists()
    )


def test_the_reports_figures_leave_the_demos_energy_saving_out(demo):
    """The demo's energy-saving đề án (200 triệu, paid) is beside khuyến công, not in it."""
    from reports import figures
    from reports.periods import period_for

    province = Province.objects.get(code="38", valid_to__isnull=False)
    cov = figures.coverage(period_for(2024, "year"), province=province)
    local = next(block for block in figures.summary(cov).blocks if block.level == "kcdp")
    assert (local.subtotal.planned_amount, local.subtotal.cumulative) == (3_277 * TRIEU, 3_277 * TRIEU)
    saving = figures.other_programmes(cov).programmes[0]
    assert (saving.planned, saving.approved, saving.paid) == (450 * TRIEU, 200 * TRIEU, 200 * TRIEU)


def test_running_it_twice_changes_nothing(demo):
    counts = (Project.objects.count(), Disbursement.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Project.objects.count(), Disbursement.objects.count()) == counts


def test_the_demo_data_carries_its_history(demo):
    project = Project.objects.get(code="TH-KCDP-2024-03")
    assert project.history.count() >= 3
    assert {h.history_user.username for h in project.history.all()} >= {"thanhhoa.lanhdao", "thanhhoa.chuyenvien"}


def visible_codes(client, user) -> set[str]:
    client.force_login(user)
    response = client.get(reverse("admin:programmes_project_changelist"))
    assert response.status_code == 200
    return set(response.context["cl"].queryset.values_list("code", flat=True))


@pytest.mark.parametrize(
    ("username", "prefixes", "can_change"),
    [
        ("quantri", {"TH", "QNA", "DN"}, True),
        ("bo.kiemtra", {"TH", "QNA", "DN"}, False),
        ("thanhhoa.lanhdao", {"TH"}, True),
        ("thanhhoa.chuyenvien", {"TH"}, True),
        ("danang.lanhdao", {"QNA", "DN"}, True),
        ("danang.chuyenvien", {"QNA", "DN"}, True),
    ],
)
def test_each_demo_login_sees_what_its_role_should(client, demo, username, prefixes, can_change):
    codes = visible_codes(client, demo[username])
    assert {code.split("-")[0] for code in codes} == prefixes
    project = Project.objects.filter(code__startswith=sorted(prefixes)[0]).first()
    response = client.get(reverse("admin:programmes_project_change", args=[project.pk]))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is can_change


def test_the_demo_password_logs_in(client, demo):
    response = client.post(reverse("admin:login"), {"username": "thanhhoa.chuyenvien", "password": "khuyencong2026"})
    assert response.status_code == 302 and client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("code", ["38", "48"])
def test_each_provinces_logins_have_money_left_to_pay(demo, code):
    """Every province of the README's logins has a đề án under way with money still to pay, so its
    officer's first payment is accepted (the Thanh Hóa demo used to have 0 đồng left)."""
    under_way = Project.objects.filter(
        current_province__code=code, status=ProjectStatus.IN_PROGRESS, disbursed_amount__lt=F("kc_support")
    )
    assert under_way.exists()
    project = under_way.first()
    assert project.kc_support - project.disbursed_amount >= 50 * TRIEU
