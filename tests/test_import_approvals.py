"""Approved plans by import (issue 21, point 5): a plan's rows carrying its approval decision arrive
approved, checked like an approval in the admin (a manager's, with its number and date); rows that
disagree or half a decision are refused at the column; a plan approved already keeps its decision."""

import datetime

import pytest

from programmes.imports.models import ImportChange
from programmes.models import Plan, PlanLine
from tests.factories import PlanFactory, local_scheme, old_province
from tests.import_files import headers, xlsx
from tests.test_imports import run

pytestmark = pytest.mark.django_db
d = datetime.date
DECISION = ["1282/QĐ-UBND", "15/06/2023", "UBND tỉnh Thanh Hóa"]


@pytest.fixture(autouse=True)
def _scheme(db):
    """Thanh Hóa's local scheme of 2021–2025, which the plans are filed under."""
    local_scheme(old_province("38"))


def _file(rows):
    return xlsx(headers("plans"), rows)


def _rows(decision=DECISION, second=DECISION):
    return [
        ["38", 2023, "KCĐP", "ND45-3", 1_500_000_000, 5, *decision],
        ["38", 2023, "KCĐP", "ND45-4", 350_000_000, 2, *second],
    ]


def test_a_manager_imports_a_plan_approved_by_its_decision(thanhhoa_manager):
    _batch, outcome = run("plans", _file(_rows()), thanhhoa_manager)
    assert outcome.written, outcome.errors
    plan = Plan.objects.get(province=old_province("38"), year=2023, scheme__level="kcdp")
    assert (plan.status, plan.decision_number, plan.decision_date, plan.decision_issuer) == (
        Plan.Status.APPROVED, "1282/QĐ-UBND", d(2023, 6, 15), "UBND tỉnh Thanh Hóa",
    )  # fmt: skip
    assert PlanLine.objects.filter(plan=plan).count() == 2
    # The approval is recorded as the import's change of the plan, so voiding the import can undo it.
    (change,) = ImportChange.objects.filter(model="programmes.plan", action="updated")
    assert change.after["status"] == Plan.Status.APPROVED and change.before["status"] == Plan.Status.DRAFT
    # Again: nothing changes.
    _batch, again = run("plans", _file(_rows()), thanhhoa_manager, commit=False)
    assert again.ok and {row.action for row in again.rows} == {"unchanged"}


def test_only_a_manager_may_import_an_approval(thanhhoa_officer):
    _batch, outcome = run("plans", _file(_rows()), thanhhoa_officer)
    assert not outcome.ok
    assert any(column == "Số quyết định phê duyệt" for _number, column, _message in outcome.errors)
    assert not Plan.objects.filter(year=2023, province=old_province("38")).exists()


def test_rows_without_the_decision_join_the_plan_a_row_approves(thanhhoa_manager):
    _batch, outcome = run("plans", _file(_rows(second=["", "", ""])), thanhhoa_manager)
    assert outcome.written, outcome.errors
    assert Plan.objects.get(year=2023, province=old_province("38")).status == Plan.Status.APPROVED


@pytest.mark.parametrize(
    "decision, second, column, words",
    [
        (["1282/QĐ-UBND", "", ""], DECISION, "Số quyết định phê duyệt", "ngày"),
        (["", "15/06/2023", ""], DECISION, "Số quyết định phê duyệt", "số quyết định"),
        (DECISION, ["99/QĐ-UBND", "15/06/2023", ""], "Số quyết định phê duyệt", "khác"),
    ],
)
def test_half_a_decision_or_two_decisions_are_refused_at_the_column(thanhhoa_manager, decision, second, column, words):
    _batch, outcome = run("plans", _file(_rows(decision, second)), thanhhoa_manager)
    assert not outcome.ok
    assert any(c == column and words in message.lower() for _n, c, message in outcome.errors), outcome.errors
    assert not Plan.objects.filter(year=2023, province=old_province("38")).exists()


def test_a_plan_approved_already_keeps_its_decision(thanhhoa_manager):
    PlanFactory(year=2023, decision_number="7/QĐ-UBND", decision_date=d(2023, 2, 1))
    _batch, outcome = run("plans", _file(_rows()), thanhhoa_manager)
    assert not outcome.ok
    assert any("7/QĐ-UBND" in message for _n, _c, message in outcome.errors)
    same = [["38", 2023, "KCĐP", "ND45-3", 1_500_000_000, 5, "7/QĐ-UBND", "01/02/2023", ""]]
    _batch, outcome = run("plans", _file(same), thanhhoa_manager)
    assert outcome.written, outcome.errors


def test_voiding_the_import_reopens_and_removes_the_plan(thanhhoa_manager, administrator):
    from programmes.imports import services

    batch, outcome = run("plans", _file(_rows()), thanhhoa_manager)
    assert outcome.written
    services.batch_void(batch=batch, user=administrator, reason="Nhập nhầm năm")
    assert not Plan.objects.filter(year=2023, province=old_province("38")).exists()
