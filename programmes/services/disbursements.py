"""Payments (giải ngân): one row or thousands through one rule path, all or none; update and delete."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from .. import locks
from ..access import (
    may_enter_provincial_data,
)
from ..audit import process_name
from ..models import (
    Disbursement,
    Facility,
    Project,
)
from ..money import DisbursementChange, disbursement_limit_errors
from .guard import (
    LOCK_CHUNK,
    Actor,
    authorise,
    lock_project,
    projects_lock,
    save_checked,
    with_author,
)


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


@transaction.atomic
def disbursements_create(*, payments: list[dict], user: Actor = None, reason: str = "") -> list[Disbursement]:
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
                authorise(user, disbursement)
                _check_disbursable(user, project)
                disbursement.full_clean(validate_constraints=False)
                key = (project.pk, disbursement.voucher_number)
                if disbursement.voucher_number and key in taken:
                    raise ValidationError(
                        {"voucher_number": _("This project already has a payment with this voucher number.")}
                    )
                change = DisbursementChange(amount=disbursement.amount, kind=disbursement.kind)
                limit_errors = disbursement_limit_errors(
                    project, [change], earlier=changes.get(project.pk, []), advanced=advanced.get(project.pk)
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
            created.append(with_author(disbursement, user, reason))
            results.append(disbursement)
            if token:
                entered[token] = disbursement
    if errors:
        raise PaymentsRefused(errors)
    try:
        with transaction.atomic():
            Disbursement.objects.bulk_create(created, batch_size=1_000)
            Disbursement.history.bulk_history_create(
                created,
                batch_size=1_000,
                default_user=user,
                default_change_reason=reason or ("" if user else process_name()),
            )
    except IntegrityError as exc:
        raise ValidationError(_("The disbursement would exceed the approved KC support; nothing was saved.")) from exc
    return results


def _pk(project) -> int:
    return project.pk if isinstance(project, Project) else project


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
def disbursement_update(*, disbursement: Disbursement, user: Actor = None, reason: str = "", **fields) -> Disbursement:
    old = Disbursement.objects.get(pk=disbursement.pk)
    # Lock both đề án (in id order, so two writers never wait on each other) before reading.
    new_project_id = fields["project"].pk if "project" in fields else disbursement.project_id
    for pk in sorted({old.project_id, new_project_id}):
        lock_project(pk)
    old = Disbursement.objects.get(pk=disbursement.pk)
    project = lock_project(new_project_id)
    for name, value in fields.items():
        setattr(disbursement, name, value)
    disbursement.project = project
    authorise(user, disbursement, old)
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
    save_checked(
        with_author(disbursement, user, reason),
        message=_("The disbursement would exceed the approved KC support; nothing was saved."),
    )
    return disbursement


@transaction.atomic
def disbursement_save(*, disbursement: Disbursement, user: Actor = None, reason: str = "") -> Disbursement:
    """Create or update one payment as a form or an import row gives it (the instance's own fields).

    A new one is `disbursements_create` of one row (its `entry_token`, when a form set it, makes a
    repeated post save once); the instance then carries the saved row's id. A stored one is
    `disbursement_update`.
    """
    if disbursement.pk:
        return disbursement_update(disbursement=disbursement, user=user, reason=reason)
    saved = disbursement_create(
        project=disbursement.project,
        paid_on=disbursement.paid_on,
        amount=disbursement.amount,
        source=disbursement.source,
        kind=disbursement.kind,
        facility=disbursement.facility,
        voucher_number=disbursement.voucher_number,
        note=disbursement.note,
        entry_token=disbursement.entry_token,
        user=user,
        reason=reason,
    )
    disbursement.pk = saved.pk
    disbursement._state.adding = False
    return saved


@transaction.atomic
def disbursement_delete(*, disbursement: Disbursement, user: Actor = None, reason: str = "") -> None:
    lock_project(disbursement.project_id)
    stored = Disbursement.objects.filter(pk=disbursement.pk).first()
    if stored is None:
        return
    authorise(user, stored)
    _check_disbursable(user, stored.project)
    with_author(stored, user, reason).delete()
