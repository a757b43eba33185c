"""Business actions: one function per action, the only write path to the register.

Admin forms, inlines, bulk actions, imports and commands all call these. Each service takes the
acting user and, in this order:

1. locks the row where money moves (`select_for_update` on the đề án), then reads it as stored;
2. checks the **write rule** (`access.may_write_in_province`: the stored row and the row as it
   would be, so nothing moves into or out of a province the user does not keep), the role and
   lifecycle rules (`lifecycle`), and the period lock (`locks`);
3. validates (`full_clean`, field-level messages);
4. writes, recording the author (and the reason, where one is given) in the history.

`user=None` is the system itself (a command run with full scope): the rules of the data still
hold, the role rules do not apply. The database enforces the money limits again (CHECK
constraints fed by triggers, a composite foreign key from payments to beneficiaries); an
IntegrityError from them becomes the same Vietnamese message.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from . import lifecycle, locks, money, statuses
from .access import (
    PROVINCE_ROLES,
    Role,
    is_administrator,
    is_approver,
    may_enter_provincial_data,
    may_write_in_province,
)
from .models import (
    ActivityCatalogue,
    ActivityContent,
    Attachment,
    Beneficiary,
    Commune,
    Disbursement,
    Facility,
    Indicator,
    IndicatorKind,
    Organisation,
    Plan,
    PlanLine,
    Project,
    ProjectAdjustment,
    ProjectStatus,
    Province,
    Scheme,
    SchemeLevel,
    UserProfile,
)
from .money import DisbursementChange, beneficiary_limit_errors, disbursement_limit_errors

S = ProjectStatus

# Fields a province officer may still change on a đề án once it is approved; the rest of the
# approval (decision, money, dates of each step) is the manager's, and money changes only by
# an adjustment decision.
STAFF_EDITABLE_AFTER_APPROVAL = {"name", "location", "historic_district", "commune", "note", "implementing_unit"}
MONEY_FIELDS = ("kc_support", "counterpart_funds", "other_funds")
REFERENCE_MODELS = (Province, Commune, ActivityCatalogue, ActivityContent, IndicatorKind)


# --- The guard ----------------------------------------------------------------------------------


def _province_id(instance) -> int | None:
    """Return the id of the province of today the row is filed under; None for a national row.

    A row filed under a plan or đề án takes its province from that parent as it would be saved.
    """
    if hasattr(instance, "fill_filed_under"):
        instance.fill_filed_under()
    *steps, last = instance.province_path.split("__")
    target = instance
    for step in steps:
        target = getattr(target, step, None)
        if target is None:
            return None
    return getattr(target, f"{last}_id", None)


def _authorise(user, new, stored=None) -> None:
    """Refuse a write the user may not make (write rule), or that a period lock holds.

    `stored` is the row as it is in the database (None for a new row), `new` as it would be.
    """
    if user is not None:
        for instance in (stored, new):
            if instance is not None and not may_write_in_province(user, _province_id(instance)):
                raise PermissionDenied(_("You may not change this record."))
    errors = locks.lock_errors(new, stored)
    if errors:
        raise ValidationError(errors)


def _with_author(instance, user, reason: str = ""):
    if user is not None:
        instance._history_user = user
    if reason:
        instance._change_reason = reason
    return instance


def _save_checked(instance, *, message: str, **save_kwargs) -> None:
    """Save inside a savepoint, turning a tripped database constraint into `message`."""
    try:
        with transaction.atomic():
            instance.save(**save_kwargs)
    except IntegrityError as exc:
        raise ValidationError(message) from exc


def _delete_checked(instance, *, message: str) -> None:
    try:
        with transaction.atomic():
            instance.delete()
    except (IntegrityError, models.ProtectedError) as exc:
        raise ValidationError(message) from exc


def _stored(instance):
    """Return the row as stored, locked for the rest of the transaction; None for a new row."""
    if not instance.pk:
        return None
    manager = type(instance)._default_manager
    return manager.select_for_update(of=("self",)).filter(pk=instance.pk).order_by().first()


def _lock_project(project: Project | int) -> Project:
    pk = project.pk if isinstance(project, Project) else project
    return Project.objects.select_for_update(of=("self",)).select_related("plan__scheme", "plan__province").get(pk=pk)


# Kept by the model itself on save (derived from the other fields): not a change of their own.
DERIVED_FIELDS = {"search_text", "name_key"}


def _unchanged(stored, instance) -> bool:
    """Whether saving `instance` would store what is already stored (then no write, no history row).

    A form saved as it was shown (the đề án's form saved to add a payment in its table, a reload)
    writes nothing: a history row says something changed.
    """
    if stored is None:
        return False
    if hasattr(instance, "normalise_text"):
        instance.normalise_text()
    return all(
        getattr(stored, field.attname) == getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if not field.primary_key and field.name not in DERIVED_FIELDS
    )


def _save(instance, user, *, reason: str = "", message: str | None = None):
    """Save a row without money: lock it, check the write rule and lock, validate, write."""
    stored = _stored(instance)
    _authorise(user, instance, stored)
    instance.full_clean()
    if _unchanged(stored, instance):
        return instance
    _save_checked(
        _with_author(instance, user, reason),
        message=message or _("This record conflicts with another one; nothing was saved."),
    )
    return instance


def _delete(instance, user, *, message: str | None = None) -> None:
    stored = _stored(instance)
    if stored is None:
        return
    _authorise(user, stored)
    _delete_checked(
        _with_author(stored, user),
        message=message or _("Other records depend on this one; it cannot be deleted."),
    )


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


# --- Disbursements ------------------------------------------------------------------------------


def _check_disbursable(user, project: Project) -> None:
    if not may_enter_provincial_data(user):
        raise PermissionDenied(_("You may not change this record."))


class PaymentsRefused(ValidationError):
    """Some of the payments given to `disbursements_create` were refused; nothing was written.

    `errors` maps the index of each refused payment to its ValidationError or PermissionDenied.
    """

    def __init__(self, errors: dict[int, Exception]):
        self.errors = errors
        messages = []
        for error in errors.values():
            messages.extend(error.messages if isinstance(error, ValidationError) else [str(error)])
        super().__init__(messages)


def disbursement_create(
    *,
    project: Project,
    paid_on: datetime.date,
    amount: int,
    source: str,
    kind: str,
    facility: Facility | None = None,
    voucher_number: str = "",
    note: str = "",
    entry_token: uuid.UUID | None = None,
    user=None,
    reason: str = "",
) -> Disbursement:
    """Record one payment: `disbursements_create` with one row (the same checks, in the same order).

    `entry_token` is the one-time token of the form that entered it: posted again, the form
    returns the payment its first post wrote instead of writing a second one.
    """
    payment = {
        "project": project,
        "paid_on": paid_on,
        "amount": amount,
        "source": source,
        "kind": kind,
        "facility": facility,
        "voucher_number": voucher_number,
        "note": note,
        "entry_token": entry_token,
    }
    try:
        return disbursements_create(payments=[payment], user=user, reason=reason)[0]
    except PaymentsRefused as refused:
        raise refused.errors[0] from None


LOCK_CHUNK = 2_000


@transaction.atomic
def disbursements_create(*, payments: list[dict], user=None, reason: str = "") -> list[Disbursement]:
    """Record payments, all or none; the write path of every new payment (a form's one, an import's thousands).

    Returns the payments in the order given: each new one, or the one an earlier post of the same
    form (its `entry_token`) wrote. Locks every đề án paid (`projects_lock`), then checks each
    payment as `disbursement_create` always has — the write rule, the role, the period lock (read
    once), the model's validation, the voucher's uniqueness, the money limits counting the
    payments before it in the list — and writes them in bulk with their history. Raises
    `PaymentsRefused` naming every refused payment; then nothing is written. The
    database checks the limits again (the payments' trigger keeps each đề án's total).
    """
    projects = projects_lock(_pk(payment["project"]) for payment in payments)
    project_ids = sorted(projects)
    # A form posted twice (a double-click, a reload, two tabs) carries the same one-time token:
    # read under the đề án's lock, so the second post finds the first's payment and returns it.
    tokens = {payment["entry_token"] for payment in payments if payment.get("entry_token")}
    entered = {payment.entry_token: payment for payment in Disbursement.objects.filter(entry_token__in=tokens)}
    taken = set()
    if any(payment.get("voucher_number") for payment in payments):
        # The vouchers already used on these đề án (the partial unique index on project, voucher).
        for start in range(0, len(project_ids), LOCK_CHUNK):
            taken.update(
                Disbursement.objects.filter(project_id__in=project_ids[start : start + LOCK_CHUNK])
                .exclude(voucher_number="")
                .values_list("project_id", "voucher_number")
            )
    advanced = _advances(projects, payments)
    changes: dict[int, list[DisbursementChange]] = {}
    errors: dict[int, Exception] = {}
    created: list[Disbursement] = []
    results: list[Disbursement] = []
    with locks.memoised():
        for index, fields in enumerate(payments):
            token = fields.get("entry_token")
            if token and token in entered:
                results.append(entered[token])  # already written by this form's earlier post
                continue
            project = projects.get(_pk(fields["project"]))
            if project is None:
                errors[index] = ValidationError({"project": _("This project does not exist.")})
                continue
            disbursement = Disbursement(**{**fields, "project": project})
            try:
                _authorise(user, disbursement)
                _check_disbursable(user, project)
                disbursement.full_clean(validate_constraints=False)
                key = (project.pk, disbursement.voucher_number)
                if disbursement.voucher_number and key in taken:
                    raise ValidationError(
                        {"voucher_number": _("This project already has a payment with this voucher number.")}
                    )
                change = DisbursementChange(amount=disbursement.amount, kind=disbursement.kind)
                limit_errors = disbursement_limit_errors(
                    project, [*changes.get(project.pk, []), change], advanced=advanced.get(project.pk)
                )
                if limit_errors:
                    raise ValidationError({"amount": limit_errors})
            except (ValidationError, PermissionDenied) as error:
                errors[index] = error
                continue
            if disbursement.voucher_number:
                taken.add(key)
            changes.setdefault(project.pk, []).append(change)
            disbursement.fill_filed_under()  # bulk_create calls no save(): copy the đề án's filing here
            created.append(_with_author(disbursement, user, reason))
            results.append(disbursement)
            if token:
                entered[token] = disbursement
    if errors:
        raise PaymentsRefused(errors)
    try:
        with transaction.atomic():
            Disbursement.objects.bulk_create(created, batch_size=1_000)
            Disbursement.history.bulk_history_create(
                created, batch_size=1_000, default_user=user, default_change_reason=reason
            )
    except IntegrityError as exc:
        raise ValidationError(_("The disbursement would exceed the approved KC support; nothing was saved.")) from exc
    return results


def _pk(project) -> int:
    return project.pk if isinstance(project, Project) else project


def projects_lock(ids: Iterable[int]) -> dict[int, Project]:
    """Lock these đề án for the rest of the transaction and read them as stored, by id.

    One query per 2.000, in id order, so that two writers locking overlapping sets never wait on
    each other in a circle (every writer of payments locks this way).
    """
    project_ids = sorted(set(ids))
    projects: dict[int, Project] = {}
    for start in range(0, len(project_ids), LOCK_CHUNK):
        chunk = project_ids[start : start + LOCK_CHUNK]
        locked = (
            Project.objects.select_for_update(of=("self",)).select_related("plan__scheme").filter(pk__in=chunk)
        ).order_by("pk")
        projects.update((project.pk, project) for project in locked)
    return projects


def _advances(projects: dict[int, Project], payments: list[dict]) -> dict[int, int]:
    """The advances already paid on each đề án that receives an advance before its acceptance (one query)."""
    needed = {
        _pk(payment["project"])
        for payment in payments
        if payment.get("kind") == Disbursement.Kind.ADVANCE
        and _pk(payment["project"]) in projects
        and projects[_pk(payment["project"])].accepted_on is None
    }
    if not needed:
        return {}
    totals = dict.fromkeys(needed, 0)
    rows = (
        Disbursement.objects.filter(project_id__in=needed, kind=Disbursement.Kind.ADVANCE)
        .values("project_id")
        .annotate(total=models.Sum("amount"))
        .values_list("project_id", "total")
    )
    totals.update(rows)
    return totals


@transaction.atomic
def disbursement_update(*, disbursement: Disbursement, user=None, reason: str = "", **fields) -> Disbursement:
    old = Disbursement.objects.get(pk=disbursement.pk)
    # Lock both đề án (in id order, so two writers never wait on each other) before reading.
    new_project_id = fields["project"].pk if "project" in fields else disbursement.project_id
    for pk in sorted({old.project_id, new_project_id}):
        _lock_project(pk)
    old = Disbursement.objects.get(pk=disbursement.pk)
    project = _lock_project(new_project_id)
    for name, value in fields.items():
        setattr(disbursement, name, value)
    disbursement.project = project
    _authorise(user, disbursement, old)
    _check_disbursable(user, project)
    disbursement.full_clean()
    if project.pk == old.project_id:
        change = DisbursementChange(disbursement.amount, disbursement.kind, old.amount, old.kind)
    else:
        change = DisbursementChange(disbursement.amount, disbursement.kind)
    return _save_within_limits(disbursement, project, change, user, reason)


def _save_within_limits(
    disbursement: Disbursement, project: Project, change: DisbursementChange, user, reason: str = ""
) -> Disbursement:
    errors = disbursement_limit_errors(project, [change])
    if errors:
        raise ValidationError({"amount": errors})
    _save_checked(
        _with_author(disbursement, user, reason),
        message=_("The disbursement would exceed the approved KC support; nothing was saved."),
    )
    return disbursement


@transaction.atomic
def disbursement_delete(*, disbursement: Disbursement, user=None) -> None:
    _lock_project(disbursement.project_id)
    stored = Disbursement.objects.filter(pk=disbursement.pk).first()
    if stored is None:
        return
    _authorise(user, stored)
    _check_disbursable(user, stored.project)
    _with_author(stored, user).delete()


# --- Beneficiaries ------------------------------------------------------------------------------


def _check_beneficiary_rules(user, project: Project) -> None:
    if project.status in statuses.CLOSED:
        raise ValidationError(
            _("The project is %(status)s: its beneficiaries can no longer change.")
            % {"status": project.get_status_display()}
        )
    if user is not None and project.is_group and project.status in statuses.DECIDED and not is_approver(user):
        raise PermissionDenied(_("Only a province manager may change the beneficiaries of an approved group project."))


@transaction.atomic
def beneficiary_save(*, beneficiary: Beneficiary, user=None) -> Beneficiary:
    """Create or update a beneficiary link, keeping support within the project's.

    A paid beneficiary keeps its đề án and facility: the payments reference the link (the database
    refuses the change too).
    """
    stored_project_id = (
        Beneficiary.objects.filter(pk=beneficiary.pk).values_list("project_id", flat=True).first()
        if beneficiary.pk
        else None
    )
    # Lock both đề án when the link moves (in id order, so two movers cannot deadlock), then read it.
    for project_id in sorted({stored_project_id or beneficiary.project_id, beneficiary.project_id}):
        locked = _lock_project(project_id)
        if project_id == beneficiary.project_id:
            project = locked
    beneficiary.project = project
    stored = Beneficiary.objects.filter(pk=beneficiary.pk).first() if beneficiary.pk else None
    _authorise(user, beneficiary, stored)
    _check_beneficiary_rules(user, project)
    moved = stored is not None and (stored.project_id, stored.facility_id) != (
        beneficiary.project_id,
        beneficiary.facility_id,
    )
    if moved and Disbursement.objects.filter(project_id=stored.project_id, facility_id=stored.facility_id).exists():
        raise ValidationError(
            {"facility": _("Money has been disbursed to this facility on this project; it cannot be replaced.")}
        )
    beneficiary.full_clean()
    old_amount = stored.support_amount if stored is not None and stored.project_id == project.pk else 0
    errors = beneficiary_limit_errors(project, beneficiary.support_amount - old_amount)
    if errors:
        raise ValidationError({"support_amount": errors})
    _save_checked(
        _with_author(beneficiary, user),
        message=_("Support to beneficiaries would exceed the project's KC support; nothing was saved."),
    )
    return beneficiary


@transaction.atomic
def beneficiary_delete(*, beneficiary: Beneficiary, user=None) -> None:
    # Lock first: a payment to this facility takes the same lock, so none can land meanwhile.
    project = _lock_project(beneficiary.project_id)
    stored = Beneficiary.objects.filter(pk=beneficiary.pk).first()
    if stored is None:
        return
    _authorise(user, stored)
    _check_beneficiary_rules(user, project)
    message = _("Money has been disbursed to this facility; remove those disbursements first.")
    if project.disbursements.filter(facility_id=stored.facility_id).exists():
        raise ValidationError(message)
    _delete_checked(_with_author(stored, user), message=message)


# --- Plans --------------------------------------------------------------------------------------


@transaction.atomic
def plan_save(*, plan: Plan, user=None, reason: str = "") -> Plan:
    """Create or update an annual plan; approving or re-opening one takes a manager."""
    stored = _stored(plan)
    _authorise(user, plan, stored)
    if user is not None:
        errors = lifecycle.plan_move_errors(user, stored.status if stored else None, plan.status, reason=reason)
        if errors:
            raise ValidationError({"status": errors})
        if stored is not None and stored.status == Plan.Status.APPROVED and plan.status == stored.status:
            _require(is_approver(user), _("Only a province manager may change an approved plan."))
    plan.full_clean()
    _save_checked(
        _with_author(plan, user, reason), message=_("This scheme already has a plan for this province and year.")
    )
    return plan


def _check_plan_open(user, plan: Plan) -> None:
    if user is not None and plan.status == Plan.Status.APPROVED and not is_approver(user):
        raise PermissionDenied(_("Only a province manager may change an approved plan."))


@transaction.atomic
def plan_delete(*, plan: Plan, user=None) -> None:
    stored = _stored(plan)
    if stored is None:
        return
    _check_plan_open(user, stored)
    _delete(stored, user, message=_("The plan has projects; it cannot be deleted."))


@transaction.atomic
def plan_line_save(*, line: PlanLine, user=None) -> PlanLine:
    Plan.objects.select_for_update(of=("self",)).filter(pk=line.plan_id).order_by().first()
    _check_plan_open(user, line.plan)
    stored = PlanLine.objects.filter(pk=line.pk).select_related("plan").first() if line.pk else None
    if stored is not None:
        _check_plan_open(user, stored.plan)
    return _save(line, user, message=_("This plan already has a line for this activity content."))


@transaction.atomic
def plan_line_delete(*, line: PlanLine, user=None) -> None:
    _check_plan_open(user, line.plan)
    _delete(line, user)


# --- Outputs (chỉ tiêu) ------------------------------------------------------------------------


@transaction.atomic
def indicator_save(*, indicator: Indicator, user=None) -> Indicator:
    """Create or update a planned/achieved output of a đề án or of a plan line.

    A plan's targets follow its plan (a manager's once approved); a đề án's are kept by its staff.
    """
    if indicator.plan_id:
        Plan.objects.select_for_update(of=("self",)).filter(pk=indicator.plan_id).order_by().first()
        _check_plan_open(user, indicator.plan)
    elif indicator.project_id:
        _lock_project(indicator.project_id)
    return _save(indicator, user, message=_("This indicator is already recorded here."))


@transaction.atomic
def indicator_delete(*, indicator: Indicator, user=None) -> None:
    if indicator.plan_id:
        _check_plan_open(user, indicator.plan)
    _delete(indicator, user)


# --- Projects -----------------------------------------------------------------------------------


def _project_edit_errors(user, stored: Project, project: Project) -> dict[str, list[str]]:
    """Return the fields of a decided đề án this user may not change, with the reason."""
    errors: dict[str, list[str]] = {}
    if stored.status not in statuses.DECIDED:
        return errors
    for field in MONEY_FIELDS:
        if getattr(project, field) != getattr(stored, field):
            errors[field] = [_("After approval, money changes only through an adjustment decision.")]
    if user is not None and not is_approver(user):
        for field in Project._meta.concrete_fields:
            name = field.attname
            if (
                field.editable
                and name not in STAFF_EDITABLE_AFTER_APPROVAL
                and name not in MONEY_FIELDS
                and name != "status"
                and getattr(project, name) != getattr(stored, name)
            ):
                errors.setdefault(field.name, []).append(
                    _("Once the project is approved, only a province manager may change this.")
                )
    return errors


def _stop_errors(project: Project) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not project.stop_reason.strip():
        errors["stop_reason"] = [_("Give the reason for stopping the project.")]
    # The stop date against the last payment is the model's rule (Project.clean), run by full_clean.
    return errors


@transaction.atomic
def project_save(*, project: Project, user=None, reason: str = "") -> Project:
    """Create or update a đề án, following the lifecycle (lifecycle.PROJECT_MOVES)."""
    stored = _lock_project(project) if project.pk else None
    _authorise(user, project, stored)
    errors: dict[str, list[str]] = {}
    if stored is not None:
        # The running totals belong to the database triggers, never to a form.
        project.disbursed_amount = stored.disbursed_amount
        project.beneficiary_support = stored.beneficiary_support
        errors.update(_project_edit_errors(user, stored, project))
    old_status = stored.status if stored else None
    move_errors = lifecycle.project_move_errors(
        user, old_status, project.status, reason=reason, paid=stored.disbursed_amount if stored else 0
    )
    if move_errors:
        errors.setdefault("status", []).extend(move_errors)
    if project.status == S.STOPPED and old_status != S.STOPPED and stored is not None:
        errors.update(_stop_errors(project))
    if old_status == S.STOPPED and project.status != S.STOPPED:
        # Re-opened: the stop stays in the history, not on the row.
        project.stopped_on, project.stop_reason = None, ""
    if errors:
        raise ValidationError(errors)
    project.full_clean()
    if _unchanged(stored, project):
        return project
    _save_checked(
        _with_author(project, user, reason),
        message=_("The project's KC support cannot be lower than what is disbursed or allotted."),
    )
    return project


@transaction.atomic
def project_delete(*, project: Project, user=None) -> None:
    stored = _lock_project(project)
    _authorise(user, stored)
    if user is not None and stored.status in statuses.DECIDED:
        _require(is_approver(user), _("Only a province manager may delete an approved project."))
    if stored.disbursements.exists() or stored.adjustments.exists():
        raise ValidationError(_("The project has disbursements or adjustments on record; stop it instead."))
    for beneficiary in stored.beneficiaries.all():
        _delete_checked(_with_author(beneficiary, user), message=_("The project has payments; stop it instead."))
    _delete_checked(_with_author(stored, user), message=_("Other records depend on this project."))


@transaction.atomic
def project_adjust(
    *,
    project: Project,
    decision_number: str,
    decision_issuer: str,
    decision_date: datetime.date,
    effective_on: datetime.date | None = None,
    reason: str = "",
    kc_support: int | None = None,
    counterpart_funds: int | None = None,
    other_funds: int | None = None,
    end_date: datetime.date | None = None,
    user=None,
) -> ProjectAdjustment:
    """Record an adjustment decision and apply its values to the project from `effective_on`.

    The adjusted amount replaces the approved one (it never adds to it); the replaced values stay
    on the adjustment so reports for earlier dates use them. Only a manager adjusts.
    """
    project = _lock_project(project)
    effective_on = effective_on or decision_date
    adjustment = ProjectAdjustment(
        project=project,
        decision_number=decision_number,
        decision_issuer=decision_issuer,
        decision_date=decision_date,
        effective_on=effective_on,
        reason=reason,
        old_kc_support=project.kc_support,
        new_kc_support=project.kc_support if kc_support is None else kc_support,
        old_counterpart_funds=project.counterpart_funds,
        new_counterpart_funds=project.counterpart_funds if counterpart_funds is None else counterpart_funds,
        old_other_funds=project.other_funds,
        new_other_funds=project.other_funds if other_funds is None else other_funds,
        old_end_date=project.end_date,
        new_end_date=project.end_date if end_date is None else end_date,
    )
    _authorise(user, adjustment)
    if user is not None:
        _require(is_approver(user), _("Only a province manager may record an adjustment."))
    errors: dict[str, list[str]] = {}
    if project.status not in statuses.PAYABLE:
        errors["project"] = [_("Only an approved project that is not settled or stopped can be adjusted.")]
    if effective_on and project.decision_date and effective_on < project.decision_date:
        errors["effective_on"] = [_("An adjustment cannot apply before the project's approval.")]
    latest = project.adjustments.order_by("-effective_on").first()
    if effective_on and latest and effective_on <= latest.effective_on:
        errors["effective_on"] = [
            _("A later adjustment already applies from %(date)s.") % {"date": f"{latest.effective_on:%d/%m/%Y}"}
        ]
    support = money.support_errors(
        adjustment.new_kc_support, disbursed=project.disbursed_amount, allotted=project.beneficiary_support
    )
    if support:
        errors["new_kc_support"] = support
    if errors:
        raise ValidationError(errors)
    adjustment.full_clean()
    _with_author(adjustment, user).save()

    project.kc_support = adjustment.new_kc_support
    project.counterpart_funds = adjustment.new_counterpart_funds
    project.other_funds = adjustment.new_other_funds
    project.end_date = adjustment.new_end_date
    project.full_clean()
    _save_checked(
        _with_author(project, user, _("Adjustment %(number)s") % {"number": decision_number}),
        message=_("The project's KC support cannot be lower than what is disbursed or allotted."),
    )
    return adjustment


# --- Facilities, organisations, schemes, attachments --------------------------------------------


@transaction.atomic
def facility_save(*, facility: Facility, user=None) -> Facility:
    return _save(facility, user, message=_("A facility with this tax code already exists."))


@transaction.atomic
def facility_delete(*, facility: Facility, user=None) -> None:
    _delete(facility, user, message=_("The facility is a beneficiary of a project; it cannot be deleted."))


@transaction.atomic
def organisation_save(*, organisation: Organisation, user=None) -> Organisation:
    """A province's own bodies are kept by its users; national bodies (no province) by administrators."""
    return _save(organisation, user, message=_("An organisation with this name already exists in this province."))


@transaction.atomic
def organisation_delete(*, organisation: Organisation, user=None) -> None:
    _delete(organisation, user, message=_("Projects or other bodies refer to this organisation."))


def _check_scheme_rules(user, scheme: Scheme) -> None:
    if user is None:
        return
    if scheme.level == SchemeLevel.NATIONAL or scheme.province_id is None:
        _require(is_administrator(user), _("National schemes are kept by administrators."))
    else:
        _require(is_approver(user), _("Only a province manager may change a local scheme."))


@transaction.atomic
def scheme_save(*, scheme: Scheme, user=None) -> Scheme:
    """Local schemes are kept by their province's managers; national schemes by administrators."""
    stored = _stored(scheme)
    for instance in (stored, scheme):
        if instance is not None:
            _check_scheme_rules(user, instance)
    return _save(scheme, user, message=_("A scheme with this code already exists."))


@transaction.atomic
def scheme_delete(*, scheme: Scheme, user=None) -> None:
    _require(user is None or is_administrator(user), _("Only an administrator may delete a scheme."))
    _delete(scheme, user, message=_("Plans refer to this scheme; it cannot be deleted."))


@transaction.atomic
def attachment_save(*, attachment: Attachment, user=None) -> Attachment:
    return _save(attachment, user)


@transaction.atomic
def attachment_delete(*, attachment: Attachment, user=None) -> None:
    _delete(attachment, user)


@transaction.atomic
def reference_save(*, instance, user=None):
    """Provinces, communes and the activity catalogue: national reference data, administrators only."""
    _require(user is None or is_administrator(user), _("Reference data is kept by administrators."))
    instance.full_clean()
    _save_checked(_with_author(instance, user), message=_("This record conflicts with another one; nothing was saved."))
    return instance


@transaction.atomic
def reference_delete(*, instance, user=None) -> None:
    _require(user is None or is_administrator(user), _("Reference data is kept by administrators."))
    _delete_checked(instance, message=_("Other records depend on this one; it cannot be deleted."))


# --- Users --------------------------------------------------------------------------------------


@transaction.atomic
def user_set_role(*, user, role: str, province: Province | None = None):
    """Give a user a role (and, for provincial roles, a province of today)."""
    if role in PROVINCE_ROLES:
        if province is None:
            raise ValidationError({"province": _("A provincial role needs a province.")})
        if province.valid_to is not None:
            raise ValidationError({"province": _("Choose a province of today (after 1/7/2025).")})
    else:
        province = None
    UserProfile.objects.update_or_create(user=user, defaults={"role": role, "province": province})
    user.is_staff = True
    user.is_superuser = role == Role.ADMINISTRATOR
    user.save(update_fields=["is_staff", "is_superuser"])
    user.groups.set(Group.objects.filter(name=role))
    user._profile_cache = None
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        if hasattr(user, cache):
            delattr(user, cache)
    return user


# The one dispatch the admin's generic paths (bulk delete) use: model → its delete service.
DELETE_SERVICES = {
    Plan: lambda obj, user: plan_delete(plan=obj, user=user),
    PlanLine: lambda obj, user: plan_line_delete(line=obj, user=user),
    Project: lambda obj, user: project_delete(project=obj, user=user),
    Facility: lambda obj, user: facility_delete(facility=obj, user=user),
    Beneficiary: lambda obj, user: beneficiary_delete(beneficiary=obj, user=user),
    Disbursement: lambda obj, user: disbursement_delete(disbursement=obj, user=user),
    Attachment: lambda obj, user: attachment_delete(attachment=obj, user=user),
    Indicator: lambda obj, user: indicator_delete(indicator=obj, user=user),
    Organisation: lambda obj, user: organisation_delete(organisation=obj, user=user),
    Scheme: lambda obj, user: scheme_delete(scheme=obj, user=user),
}
