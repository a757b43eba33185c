"""The lifecycle of a đề án, pair by pair and role by role, through the one write path.

The expected rule is written out here independently of `programmes.lifecycle`, from domain.md §4
and §8: staff register and appraise; only a manager (or an administrator) moves a đề án into,
between or out of the approved states or stops it; going back from an approved state needs a
reason, and going back before approval is refused once money has been paid.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from programmes import services
from programmes.models import Disbursement, Plan, ProjectStatus
from tests.factories import PlanFactory, ProjectFactory, disburse

pytestmark = pytest.mark.django_db

S = ProjectStatus
ORDER = [S.REGISTERED, S.APPRAISED, S.APPROVED, S.CONTRACTED, S.IN_PROGRESS, S.ACCEPTED, S.SETTLED]
PREPARATION = {S.REGISTERED, S.APPRAISED}
DATES = {
    "registered_on": datetime.date(2024, 1, 10),
    "appraised_on": datetime.date(2024, 2, 1),
    "decision_date": datetime.date(2024, 3, 1),
    "contracted_on": datetime.date(2024, 3, 5),
    "started_on": datetime.date(2024, 3, 10),
    "accepted_on": datetime.date(2024, 8, 1),
    "settled_on": datetime.date(2024, 8, 20),
}
STEP_DATE = dict(zip(ORDER, DATES, strict=True))


def expected(role: str, old: str, new: str, paid: bool) -> bool:
    if role == "ministry_reviewer":
        return False
    if role == "thanhhoa_officer":
        return {old, new} == PREPARATION
    # A manager or an administrator.
    if new == S.STOPPED:
        return old != S.SETTLED
    if old == S.STOPPED:
        return new != S.SETTLED and not (paid and new in PREPARATION)
    if ORDER.index(new) > ORDER.index(old):
        return True
    return not (paid and new in PREPARATION)


def dated(project, status):
    """Give the project the dates its status needs (every step up to it)."""
    for step in ORDER[: ORDER.index(status) + 1] if status != S.STOPPED else ORDER[:3]:
        setattr(project, STEP_DATE[step], DATES[STEP_DATE[step]])
    for step in ORDER[ORDER.index(status) + 1 :] if status != S.STOPPED else ORDER[3:]:
        setattr(project, STEP_DATE[step], None)
    if status in PREPARATION:
        project.decision_number = ""
    else:
        project.decision_number = "12/QĐ-SCT"
    if status == S.STOPPED:
        project.stopped_on, project.stop_reason = datetime.date(2024, 9, 1), "Cơ sở rút lui"
    else:
        project.stopped_on, project.stop_reason = None, ""
    project.status = status


def adjust(project, kc_support: int, user):
    return services.project_adjust(
        project=project,
        decision_number="3/QĐ-SCT",
        decision_issuer="Sở Công Thương",
        decision_date=datetime.date(2024, 5, 1),
        kc_support=kc_support,
        user=user,
    )


def project_in(status: str, paid: bool):
    project = ProjectFactory(status=S.APPROVED)
    if paid:
        disburse(project, 10_000_000, paid_on=datetime.date(2024, 3, 15))
    project.refresh_from_db()
    if status != S.APPROVED:
        dated(project, status)
        services.project_save(project=project, user=None, reason="chuẩn bị")
    return project


ALL = [*ORDER, S.STOPPED]
PAIRS = [(old, new, paid) for old in ALL for new in ALL if old != new for paid in (False, True)]
# Money is only ever paid on a đề án that was approved.
PAIRS = [(old, new, paid) for old, new, paid in PAIRS if not (paid and old in PREPARATION)]


@pytest.mark.parametrize("role", ["thanhhoa_officer", "thanhhoa_manager", "ministry_reviewer", "administrator"])
@pytest.mark.parametrize(("old", "new", "paid"), PAIRS)
def test_the_lifecycle_table(personas, role, old, new, paid):
    project = project_in(old, paid)
    dated(project, new)
    try:
        services.project_save(project=project, user=personas[role], reason="Theo quyết định số 5/QĐ-SCT")
        allowed = True
    except (ValidationError, PermissionDenied):
        allowed = False
    project.refresh_from_db()
    assert allowed is expected(role, old, new, paid), f"{role}: {old} → {new} (paid={paid})"
    assert (project.status == new) is allowed


@pytest.mark.parametrize(
    ("old", "new"), [(S.APPROVED, S.APPRAISED), (S.ACCEPTED, S.IN_PROGRESS), (S.STOPPED, S.APPROVED)]
)
def test_going_back_needs_a_reason_kept_in_the_history(thanhhoa_manager, old, new):
    project = project_in(old, paid=False)
    dated(project, new)
    with pytest.raises(ValidationError) as refused:
        services.project_save(project=project, user=thanhhoa_manager, reason="  ")
    assert "lý do" in " ".join(refused.value.message_dict["status"])
    services.project_save(project=project, user=thanhhoa_manager, reason="Quyết định hủy số 9/QĐ-SCT")
    record = project.history.first()
    assert (record.status, record.history_change_reason, record.history_user) == (
        new,
        "Quyết định hủy số 9/QĐ-SCT",
        thanhhoa_manager,
    )


class TestStopping:
    def stop(self, project, user, day=datetime.date(2024, 9, 1), reason="Cơ sở ngừng sản xuất"):
        project.status, project.stopped_on, project.stop_reason = S.STOPPED, day, reason
        return services.project_save(project=project, user=user, reason=reason)

    def test_a_project_with_money_paid_is_stopped_and_its_payments_stay(self, thanhhoa_manager):
        project = project_in(S.IN_PROGRESS, paid=True)
        self.stop(project, thanhhoa_manager)
        project.refresh_from_db()
        assert project.status == S.STOPPED and project.disbursed_amount == 10_000_000
        assert project.disbursements.count() == 1

    def test_later_payments_are_refused_earlier_ones_accepted(self, thanhhoa_manager, thanhhoa_officer):
        project = project_in(S.IN_PROGRESS, paid=True)
        self.stop(project, thanhhoa_manager)
        with pytest.raises(ValidationError) as refused:
            disburse(project, 1_000_000, paid_on=datetime.date(2024, 9, 2), user=thanhhoa_officer)
        assert "01/09/2024" in " ".join(refused.value.message_dict["paid_on"])
        disburse(project, 1_000_000, paid_on=datetime.date(2024, 8, 30), user=thanhhoa_officer)

    def test_the_stop_date_cannot_precede_a_payment(self, thanhhoa_manager):
        project = project_in(S.IN_PROGRESS, paid=True)
        with pytest.raises(ValidationError) as refused:
            self.stop(project, thanhhoa_manager, day=datetime.date(2024, 3, 12))
        assert "15/03/2024" in " ".join(refused.value.message_dict["stopped_on"])

    def test_the_stop_date_cannot_precede_registration(self, thanhhoa_manager):
        project = project_in(S.REGISTERED, paid=False)
        with pytest.raises(ValidationError) as refused:
            self.stop(project, thanhhoa_manager, day=datetime.date(2023, 12, 1))
        assert "stopped_on" in refused.value.message_dict

    def test_stopping_needs_a_reason(self, thanhhoa_manager):
        project = project_in(S.IN_PROGRESS, paid=True)
        with pytest.raises(ValidationError) as refused:
            self.stop(project, thanhhoa_manager, reason="")
        assert "stop_reason" in refused.value.message_dict

    def test_staff_cannot_stop(self, thanhhoa_officer):
        project = project_in(S.IN_PROGRESS, paid=True)
        with pytest.raises(ValidationError) as refused:
            self.stop(project, thanhhoa_officer)
        assert "Chỉ lãnh đạo Sở mới được ngừng đề án." in refused.value.message_dict["status"]


class TestMoneyAfterApproval:
    def test_staff_cannot_raise_the_support_of_an_approved_project(self, thanhhoa_officer):
        project = ProjectFactory(kc_support=100_000_000)
        project.kc_support = 2_000_000_000
        with pytest.raises(ValidationError) as refused:
            services.project_save(project=project, user=thanhhoa_officer)
        assert "kc_support" in refused.value.message_dict

    def test_nor_can_a_manager_except_by_adjustment(self, thanhhoa_manager):
        project = ProjectFactory(kc_support=100_000_000)
        project.kc_support = 200_000_000
        with pytest.raises(ValidationError):
            services.project_save(project=project, user=thanhhoa_manager)
        adjust(project, 200_000_000, thanhhoa_manager)
        project.refresh_from_db()
        assert project.kc_support == 200_000_000

    def test_staff_cannot_adjust(self, thanhhoa_officer):
        project = ProjectFactory(kc_support=100_000_000)
        with pytest.raises(PermissionDenied):
            adjust(project, 2_000_000_000, thanhhoa_officer)
        project.refresh_from_db()
        assert project.kc_support == 100_000_000

    def test_staff_cannot_create_a_project_already_contracted(self, thanhhoa_officer):
        project = ProjectFactory.build(
            kc_support=5_000_000_000, status=S.CONTRACTED, contracted_on=DATES["contracted_on"]
        )
        project.plan.save()
        with pytest.raises(ValidationError) as refused:
            services.project_save(project=project, user=thanhhoa_officer)
        assert "status" in refused.value.message_dict
        assert not type(project).objects.filter(code=project.code).exists()


class TestPlans:
    @pytest.mark.parametrize(
        ("role", "old", "new", "allowed"),
        [
            ("thanhhoa_officer", None, Plan.Status.DRAFT, True),
            ("thanhhoa_officer", None, Plan.Status.APPROVED, False),
            ("thanhhoa_officer", Plan.Status.DRAFT, Plan.Status.APPROVED, False),
            ("thanhhoa_officer", Plan.Status.APPROVED, Plan.Status.DRAFT, False),
            ("thanhhoa_manager", None, Plan.Status.APPROVED, True),
            ("thanhhoa_manager", Plan.Status.DRAFT, Plan.Status.APPROVED, True),
            ("thanhhoa_manager", Plan.Status.APPROVED, Plan.Status.DRAFT, True),
            ("ministry_reviewer", Plan.Status.DRAFT, Plan.Status.APPROVED, False),
        ],
    )
    def test_plan_moves(self, personas, role, old, new, allowed):
        plan = PlanFactory.build(status=old or new, year=2023)
        plan.scheme.save()
        if old is not None:
            plan.save()
        plan.status = new
        try:
            services.plan_save(plan=plan, user=personas[role], reason="Điều chỉnh kế hoạch")
            done = True
        except (ValidationError, PermissionDenied):
            done = False
        assert done is allowed

    def test_reopening_a_plan_needs_a_reason(self, thanhhoa_manager):
        plan = PlanFactory(status=Plan.Status.APPROVED)
        plan.status = Plan.Status.DRAFT
        with pytest.raises(ValidationError):
            services.plan_save(plan=plan, user=thanhhoa_manager)


def test_a_payment_on_an_unapproved_project_is_refused(thanhhoa_officer):
    project = ProjectFactory(status=S.REGISTERED, decision_number="", decision_date=None)
    with pytest.raises(ValidationError):
        disburse(project, 1_000_000, user=thanhhoa_officer)
    assert not Disbursement.objects.exists()
