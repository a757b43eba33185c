"""`generate_data` is deterministic, keeps every money invariant and writes its history."""

import hashlib

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F, Sum

from programmes.models import Beneficiary, Disbursement, Facility, Plan, Project

pytestmark = pytest.mark.django_db

SMALL = {"provinces": 3, "years": 3, "first_year": 2024, "projects": 120, "facilities": 90, "disbursements": 400}


def fingerprint() -> str:
    rows = Disbursement.objects.order_by("project__code", "voucher_number").values_list(
        "project__code", "voucher_number", "amount", "paid_on", "kind"
    )
    projects = Project.objects.order_by("code").values_list("code", "kc_support", "status", "plan__province__name")
    return hashlib.sha256(repr((list(rows), list(projects))).encode()).hexdigest()


def test_it_builds_the_requested_sizes_within_the_invariants():
    call_command("generate_data", verbosity=0, **SMALL)
    assert Project.objects.count() == 120
    assert Facility.objects.filter(note="generate_data").count() == 90
    assert abs(Disbursement.objects.count() - 400) <= 40
    assert not Project.objects.filter(disbursed_amount__gt=F("kc_support")).exists()
    assert not Project.objects.filter(beneficiary_support__gt=F("kc_support")).exists()
    totals = Disbursement.objects.aggregate(s=Sum("amount"))["s"]
    assert Project.objects.aggregate(s=Sum("disbursed_amount"))["s"] == totals
    assert (
        Project.objects.aggregate(s=Sum("beneficiary_support"))["s"]
        == Beneficiary.objects.aggregate(s=Sum("support_amount"))["s"]
    )
    # 2024 and 2025 are filed under the units before the merger, 2026 under the units of today.
    assert not Plan.objects.filter(year__lte=2025, province__valid_to__isnull=True).exists()
    assert not Plan.objects.filter(year=2026, province__valid_to__isnull=False).exists()
    assert Project.history.filter(history_change_reason="generate_data").count() == 120


def test_the_same_seed_gives_the_same_data():
    call_command("generate_data", verbosity=0, seed=7, **SMALL)
    first = fingerprint()
    call_command("generate_data", verbosity=0, seed=7, clear=True, **SMALL)
    assert fingerprint() == first
    call_command("generate_data", verbosity=0, seed=8, clear=True, **SMALL)
    assert fingerprint() != first


def test_the_triggers_work_again_after_a_run():
    call_command("generate_data", verbosity=0, **SMALL)
    project = Project.objects.filter(disbursements__isnull=False).first()
    before = project.disbursed_amount
    removed = Disbursement.objects.filter(project=project).first()
    removed.delete()
    project.refresh_from_db()
    assert project.disbursed_amount == before - removed.amount


def test_it_refuses_to_run_twice_without_clear():
    call_command("generate_data", verbosity=0, **SMALL)
    with pytest.raises(CommandError):
        call_command("generate_data", verbosity=0, **SMALL)


def test_a_dry_run_leaves_nothing():
    call_command("generate_data", verbosity=0, dry_run=True, **SMALL)
    assert not Project.objects.exists()


def test_it_adds_around_the_demo_of_make_run():
    """On the database `make run` fills (the demo), generating keeps the demo's plans and tax codes
    and adds the rest; it used to stop with an IntegrityError (the demo's national plan of Thanh Hóa)."""
    call_command("seed_demo", verbosity=0)
    demo_plans = set(Plan.objects.values_list("pk", "scheme_id", "province_id", "year", "decision_number"))
    demo_codes = set(Facility.objects.values_list("tax_code", flat=True))
    call_command(
        "generate_data", verbosity=0, provinces=34, years=1, first_year=2024, projects=80, facilities=60,
        disbursements=150,
    )  # fmt: skip
    assert demo_plans <= set(Plan.objects.values_list("pk", "scheme_id", "province_id", "year", "decision_number"))
    assert Project.objects.filter(code__startswith="GEN-").count() == 80
    assert demo_codes <= set(Facility.objects.values_list("tax_code", flat=True))
    assert not Project.objects.filter(disbursed_amount__gt=F("kc_support")).exists()
