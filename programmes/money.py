"""The money rules of a đề án, in one place: the bottom of the house, called by the model and the services.

- a đề án's KC support is never below what is disbursed on it, nor below what its beneficiaries
  are allotted (`support_errors`: the model's validation and an adjustment ask it alike);
- payments never exceed the KC support in force (`disbursement_limit_errors`), and before
  acceptance advances never exceed KHUYENCONG_ADVANCE_CAP_PERCENT of it (TTLT 26/2014 Điều 8.2b);
- beneficiaries' support never exceeds the đề án's (`beneficiary_limit_errors`).

Each returns Vietnamese messages that name the amount still available; the database holds the
same limits (CHECK constraints fed by the running-total triggers), so a writer that skips these
checks is refused too. Nothing here imports a model: a đề án is read through its attributes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .lib.formatting import money


class PaymentKind(models.TextChoices):
    """What a payment is (Disbursement.Kind)."""

    ADVANCE = "tam_ung", gettext_lazy("advance")
    PAYMENT = "thanh_toan", gettext_lazy("payment")
    SETTLEMENT = "quyet_toan", gettext_lazy("settlement")


def support_errors(support: int | None, *, disbursed: int, allotted: int) -> list[str]:
    """Why a đề án's KC support of `support` cannot stand with what is disbursed and allotted on it."""
    if support is None:
        return []
    errors = []
    if support < disbursed:
        errors.append(
            _("%(disbursed)s đồng has already been disbursed; the support cannot be lower.")
            % {"disbursed": money(disbursed)}
        )
    if support < allotted:
        errors.append(
            _("%(allotted)s đồng is already allotted to beneficiaries; the support cannot be lower.")
            % {"allotted": money(allotted)}
        )
    return errors


@dataclass(frozen=True)
class DisbursementChange:
    """A disbursement as it would be after a write (amount 0 for a deletion)."""

    amount: int
    kind: str
    old_amount: int = 0
    old_kind: str | None = None


def disbursement_limit_errors(
    project,
    changes: Iterable[DisbursementChange],
    *,
    advanced: int | None = None,
    earlier: Iterable[DisbursementChange] = (),
) -> list[str]:
    """Return the messages that the changes would break the project's money limits with.

    `project.disbursed_amount` is the total in the database before the changes; `advanced`, when
    given, the advances already paid on it (read here otherwise); `earlier`, the changes accepted
    before these in the same file or request, so "still available" is what they have left.
    """
    earlier, new = list(earlier), list(changes)
    changes = [*earlier, *new]
    new_total = project.disbursed_amount + sum(c.amount - c.old_amount for c in changes)
    errors = []
    if new_total > project.kc_support:
        taken = sum(c.amount - c.old_amount for c in earlier)
        available = project.kc_support - project.disbursed_amount - taken + sum(c.old_amount for c in new)
        errors.append(
            _(
                "The disbursements exceed the approved KC support of %(support)s đồng. "
                "Still available to disburse: %(available)s đồng."
            )
            % {"support": money(project.kc_support), "available": money(max(available, 0))}
        )
    cap_percent = settings.KHUYENCONG_ADVANCE_CAP_PERCENT
    if project.accepted_on is None and any(c.kind == PaymentKind.ADVANCE for c in changes):
        if advanced is None:
            advanced = sum(project.disbursements.filter(kind=PaymentKind.ADVANCE).values_list("amount", flat=True))
        advanced += sum(
            (c.amount if c.kind == PaymentKind.ADVANCE else 0)
            - (c.old_amount if c.old_kind == PaymentKind.ADVANCE else 0)
            for c in changes
        )
        cap = project.kc_support * cap_percent // 100
        if advanced > cap:
            errors.append(
                _(
                    "Before acceptance, advances may not exceed %(percent)s%% of the KC support "
                    "(%(cap)s đồng); advances would total %(advanced)s đồng."
                )
                % {"percent": cap_percent, "cap": money(cap), "advanced": money(advanced)}
            )
    return errors


def beneficiary_limit_errors(project, delta: int) -> list[str]:
    """Return the message for beneficiary support that would exceed the project's KC support."""
    if project.beneficiary_support + delta <= project.kc_support:
        return []
    available = project.kc_support - project.beneficiary_support
    return [
        _(
            "Support to beneficiaries would exceed the project's KC support of %(support)s đồng. "
            "Still unallotted: %(available)s đồng."
        )
        % {"support": money(project.kc_support), "available": money(max(available, 0))}
    ]
