"""Business actions: one function per action, the only write path to the register.

A package of one module per entity (`disbursements`, `beneficiaries`, `plans`, `indicators`,
`projects`, `bodies`, `users`) over the guard they all pass (`guard`); this module re-exports their
public names, so callers write `services.project_save(...)`, and keeps the one table of save and
delete services by model that every generic path dispatches through (`save`, `delete`: the
admin's forms, inlines and bulk actions, the imports and the voiding of an import). Every
`*_save` and `*_delete` takes the acting user and a `reason` that enters the history.

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

from ..models import (
    ActivityCatalogue,
    ActivityContent,
    Attachment,
    Beneficiary,
    Commune,
    ConsultancyService,
    Disbursement,
    Facility,
    Indicator,
    IndicatorKind,
    Organisation,
    Plan,
    PlanLine,
    Project,
    Province,
    Scheme,
    SupportCap,
    SupportItem,
)
from .beneficiaries import beneficiary_delete, beneficiary_save
from .bodies import (
    attachment_delete,
    attachment_save,
    consultancy_delete,
    consultancy_save,
    facility_delete,
    facility_save,
    organisation_delete,
    organisation_save,
    reference_delete,
    reference_save,
    scheme_delete,
    scheme_save,
    support_cap_delete,
    support_cap_save,
)
from .disbursements import (
    PaymentsRefused,
    disbursement_create,
    disbursement_delete,
    disbursement_save,
    disbursement_update,
    disbursements_create,
)
from .guard import Actor, projects_lock, province_id_of
from .indicators import indicator_delete, indicator_save
from .plans import plan_delete, plan_line_delete, plan_line_save, plan_save
from .projects import project_adjust, project_delete, project_save
from .users import user_set_role

REFERENCE_MODELS = (Province, Commune, ActivityCatalogue, ActivityContent, IndicatorKind, SupportItem)


def _services(save_service, delete_service, name: str):
    """The (save, delete) pair of a model whose services take the instance as `name`."""
    return (
        lambda obj, user, reason: save_service(**{name: obj}, user=user, reason=reason),
        lambda obj, user, reason: delete_service(**{name: obj}, user=user, reason=reason),
    )


# The one table of save and delete services: model → (save, delete), each called as
# service(instance, user, reason).
SERVICES = {
    Plan: _services(plan_save, plan_delete, "plan"),
    PlanLine: _services(plan_line_save, plan_line_delete, "line"),
    Project: _services(project_save, project_delete, "project"),
    Facility: _services(facility_save, facility_delete, "facility"),
    ConsultancyService: _services(consultancy_save, consultancy_delete, "service"),
    Beneficiary: _services(beneficiary_save, beneficiary_delete, "beneficiary"),
    Disbursement: _services(disbursement_save, disbursement_delete, "disbursement"),
    Attachment: _services(attachment_save, attachment_delete, "attachment"),
    Indicator: _services(indicator_save, indicator_delete, "indicator"),
    Organisation: _services(organisation_save, organisation_delete, "organisation"),
    Scheme: _services(scheme_save, scheme_delete, "scheme"),
    SupportCap: _services(support_cap_save, support_cap_delete, "cap"),
    **{model: _services(reference_save, reference_delete, "instance") for model in REFERENCE_MODELS},
}


def save(instance, *, user: Actor, reason: str = ""):
    """Save `instance` through its model's service (`SERVICES`)."""
    return SERVICES[type(instance)][0](instance, user, reason)


def delete(instance, *, user: Actor, reason: str = "") -> None:
    """Delete `instance` through its model's service (`SERVICES`)."""
    SERVICES[type(instance)][1](instance, user, reason)


__all__ = [
    "SERVICES",
    "Actor",
    "PaymentsRefused",
    "attachment_delete",
    "attachment_save",
    "beneficiary_delete",
    "beneficiary_save",
    "consultancy_delete",
    "consultancy_save",
    "delete",
    "disbursement_create",
    "disbursement_delete",
    "disbursement_save",
    "disbursement_update",
    "disbursements_create",
    "facility_delete",
    "facility_save",
    "indicator_delete",
    "indicator_save",
    "organisation_delete",
    "organisation_save",
    "plan_delete",
    "plan_line_delete",
    "plan_line_save",
    "plan_save",
    "project_adjust",
    "project_delete",
    "project_save",
    "projects_lock",
    "province_id_of",
    "reference_delete",
    "reference_save",
    "save",
    "scheme_delete",
    "scheme_save",
    "support_cap_delete",
    "support_cap_save",
    "user_set_role",
]
