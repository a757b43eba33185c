"""The lifecycle of a đề án and of a plan, as explicit transition tables (domain.md §4, §8).

Province staff register and prepare đề án and draft plans; only a province manager (or an
administrator) moves a đề án into, between or out of the approved states, stops it, approves or
re-opens a plan. Going back from an approved state needs a reason, kept in the history; going
back before approval is refused once money has been paid. The services ask this module; so do
the admin forms, to offer only the moves a user may make.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from django.utils.translation import gettext_lazy as _

from .access import is_approver
from .models import Plan
from .statuses import APPROVED as APPROVED_CHAIN
from .statuses import DECIDED, PREPARATION, STOPPABLE, ProjectStatus

S = ProjectStatus


class Who(Enum):
    STAFF = "staff"  # any province user of the province (and administrators)
    MANAGER = "manager"  # a province manager or an administrator


@dataclass(frozen=True)
class Move:
    who: Who
    reason_required: bool = False
    refused_once_paid: bool = False


def _build_project_moves() -> dict[tuple[str | None, str], Move]:
    moves: dict[tuple[str | None, str], Move] = {}
    # Creating a đề án: staff register or record an appraised one; a manager may enter one
    # already approved (or stopped), e.g. when recording earlier years.
    for status in PREPARATION:
        moves[(None, status)] = Move(Who.STAFF)
    for status in (*APPROVED_CHAIN, S.STOPPED):
        moves[(None, status)] = Move(Who.MANAGER)
    # Preparation: staff move freely between registration and appraisal.
    moves[(S.REGISTERED, S.APPRAISED)] = Move(Who.STAFF)
    moves[(S.APPRAISED, S.REGISTERED)] = Move(Who.STAFF)
    # Into and along the approved chain: a manager. Forward steps may skip a state (each keeps its date).
    for i, old in enumerate((*PREPARATION, *APPROVED_CHAIN)):
        for new in (*PREPARATION, *APPROVED_CHAIN)[i + 1 :]:
            if new in APPROVED_CHAIN:
                moves[(old, new)] = Move(Who.MANAGER)
    # Back from an approved state: a manager, with a reason; not before approval once money is paid.
    for i, old in enumerate(APPROVED_CHAIN):
        for new in APPROVED_CHAIN[:i]:
            moves[(old, new)] = Move(Who.MANAGER, reason_required=True)
        for new in PREPARATION:
            moves[(old, new)] = Move(Who.MANAGER, reason_required=True, refused_once_paid=True)
    # Stopping (ngừng): a manager, from any state before settlement; the payments made stay valid.
    for old in STOPPABLE:
        moves[(old, S.STOPPED)] = Move(Who.MANAGER, reason_required=True)
    # Re-opening a stopped đề án: a manager, with a reason.
    for new in APPROVED_CHAIN[:-1]:
        moves[(S.STOPPED, new)] = Move(Who.MANAGER, reason_required=True)
    for new in PREPARATION:
        moves[(S.STOPPED, new)] = Move(Who.MANAGER, reason_required=True, refused_once_paid=True)
    return moves


PROJECT_MOVES = _build_project_moves()

PLAN_MOVES: dict[tuple[str | None, str], Move] = {
    (None, Plan.Status.DRAFT): Move(Who.STAFF),
    (None, Plan.Status.APPROVED): Move(Who.MANAGER),
    (Plan.Status.DRAFT, Plan.Status.APPROVED): Move(Who.MANAGER),
    (Plan.Status.APPROVED, Plan.Status.DRAFT): Move(Who.MANAGER, reason_required=True),
}


def _allowed(move: Move | None, user) -> bool:
    """`user=None` is the system (a command with full scope): the table holds, the roles do not."""
    return move is not None and (move.who is Who.STAFF or user is None or is_approver(user))


def project_move_errors(user, old: str | None, new: str, *, reason: str = "", paid: int = 0) -> list[str]:
    """Return why `user` may not move a đề án from `old` (None: a new one) to `new`; [] if they may."""
    if old == new:
        return []
    move = PROJECT_MOVES.get((old, new))
    labels = {"old": S(old).label if old else "", "new": S(new).label}
    if move is None:
        if old is None:
            return [_("A new project cannot start as “%(new)s”.") % labels]
        return [_("A project cannot move from “%(old)s” to “%(new)s”.") % labels]
    if not _allowed(move, user):
        if new == S.STOPPED:
            return [_("Only a province manager may stop a project.")]
        if old in DECIDED and new not in DECIDED:
            return [_("Only a province manager may take a project back from an approved state.")]
        return [_("Only a province manager may approve a project.")]
    errors = []
    if move.refused_once_paid and paid:
        errors.append(
            _("Money has been disbursed on this project: it cannot go back to “%(new)s”; stop it instead.") % labels
        )
    if move.reason_required and user is not None and not reason.strip():
        errors.append(_("Give the reason for moving the project from “%(old)s” to “%(new)s”.") % labels)
    return errors


def project_targets(user, old: str | None, *, paid: int = 0) -> list[str]:
    """Return the statuses the user may choose for a đề án now in `old` (itself included)."""
    targets = [old] if old else []
    for new in S.values:
        move = PROJECT_MOVES.get((old, new))
        if new != old and _allowed(move, user) and not (move.refused_once_paid and paid):
            targets.append(new)
    return [status for status in S.values if status in targets]


def plan_move_errors(user, old: str | None, new: str, *, reason: str = "") -> list[str]:
    if old == new:
        return []
    move = PLAN_MOVES.get((old, new))
    if move is None:
        return [_("A plan cannot move to this status.")]
    if not _allowed(move, user):
        if old == Plan.Status.APPROVED:
            return [_("Only a province manager may re-open an approved plan.")]
        return [_("Only a province manager may approve a plan.")]
    if move.reason_required and user is not None and not reason.strip():
        return [_("Give the reason for re-opening the approved plan.")]
    return []
