"""The statuses of a đề án and every named set of them, decided once (domain.md §4): the bottom of the house.

registered → appraised → approved (a decision) → contracted → in progress → accepted (nghiệm
thu) → settled (quyết toán); stopped (ngừng) from any state before settlement. The model, the
lifecycle, the services, the start page, the figures and the imports read these sets; nothing
here imports another module of the project.

- **preparation**: registered, appraised — no decision yet;
- **approved**: carries an approval decision and is not stopped: approved, contracted, in
  progress, accepted, settled (the report's "đã phê duyệt");
- **decided**: approved or stopped: its money is fixed and changes only by adjustment;
- **under way**: approved and not yet accepted: the work is being done (late when past its end);
- **payable**: approved and not settled — approved, contracted, in progress, accepted. A settled
  đề án's books are closed (its settlement payment is entered before it is marked settled); a
  stopped one keeps what was paid up to its stop date and accepts such a payment only
  (`accepts_payments`); neither has money "left to pay";
- **closed**: settled or stopped.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectStatus(models.TextChoices):
    REGISTERED = "dang_ky", _("registered")
    APPRAISED = "tham_dinh", _("appraised")
    APPROVED = "phe_duyet", _("approved")
    CONTRACTED = "hop_dong", _("contracted")
    IN_PROGRESS = "thuc_hien", _("in progress")
    ACCEPTED = "nghiem_thu", _("accepted")
    SETTLED = "quyet_toan", _("settled")
    STOPPED = "ngung", _("stopped")


S = ProjectStatus

PREPARATION = (S.REGISTERED, S.APPRAISED)
APPROVED = (S.APPROVED, S.CONTRACTED, S.IN_PROGRESS, S.ACCEPTED, S.SETTLED)
DECIDED = (*APPROVED, S.STOPPED)
UNDER_WAY = (S.APPROVED, S.CONTRACTED, S.IN_PROGRESS)
PAYABLE = (S.APPROVED, S.CONTRACTED, S.IN_PROGRESS, S.ACCEPTED)
CLOSED = (S.SETTLED, S.STOPPED)
STOPPABLE = (*PREPARATION, *PAYABLE)

# The date field that records each step of the lifecycle. Approval is dated by its decision.
STATUS_DATE_FIELD = {
    S.REGISTERED: "registered_on",
    S.APPRAISED: "appraised_on",
    S.APPROVED: "decision_date",
    S.CONTRACTED: "contracted_on",
    S.IN_PROGRESS: "started_on",
    S.ACCEPTED: "accepted_on",
    S.SETTLED: "settled_on",
    S.STOPPED: "stopped_on",
}
# The steps' dates in the order they happen (each no later than the next).
LIFECYCLE_DATES = [STATUS_DATE_FIELD[status] for status in (*PREPARATION, *APPROVED)]


def accepts_payments(status: str, *, decided_and_stopped_on: bool = False) -> bool:
    """Whether a đề án in `status` accepts a payment: payable, or stopped after a decision (for what was
    paid up to its stop date, which the payment's own rule checks)."""
    return status in PAYABLE or (status == S.STOPPED and decided_and_stopped_on)
