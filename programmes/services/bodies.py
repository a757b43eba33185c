"""Facilities, organisations, schemes, support caps, attachments and the reference data."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from ..access import (
    is_administrator,
    is_approver,
)
from ..models import (
    Attachment,
    ConsultancyService,
    Facility,
    Organisation,
    Scheme,
    SchemeLevel,
    SupportCap,
)
from .guard import (
    Actor,
    delete_checked,
    delete_row,
    require,
    save_checked,
    save_row,
    stored_locked,
    with_author,
)


@transaction.atomic
def facility_save(*, facility: Facility, user: Actor = None, reason: str = "") -> Facility:
    return save_row(facility, user, reason=reason, message=_("A facility with this tax code already exists."))


@transaction.atomic
def facility_delete(*, facility: Facility, user: Actor = None, reason: str = "") -> None:
    delete_row(
        facility, user, reason=reason, message=_("The facility is a beneficiary of a project; it cannot be deleted.")
    )


@transaction.atomic
def consultancy_save(*, service: ConsultancyService, user: Actor = None, reason: str = "") -> ConsultancyService:
    """A province's consultancy of a year, kept by its staff like its facilities."""
    return save_row(
        service, user, reason=reason, message=_("This service is already recorded for this province and year.")
    )


@transaction.atomic
def consultancy_delete(*, service: ConsultancyService, user: Actor = None, reason: str = "") -> None:
    delete_row(service, user, reason=reason)


@transaction.atomic
def organisation_save(*, organisation: Organisation, user: Actor = None, reason: str = "") -> Organisation:
    """A province's own bodies are kept by its users; national bodies (no province) by administrators."""
    return save_row(
        organisation, user, reason=reason, message=_("An organisation with this name already exists in this province.")
    )


@transaction.atomic
def organisation_delete(*, organisation: Organisation, user: Actor = None, reason: str = "") -> None:
    delete_row(organisation, user, reason=reason, message=_("Projects or other bodies refer to this organisation."))


def _national_or_local(user, *rows, national: str, local: str) -> None:
    """A national row (KCQG, no province) is the administrators'; a province's row its managers'.
    Each of `rows` (the row as stored and as it would be; None skipped) must be the user's."""
    if user is None:
        return
    for row in rows:
        if row is None:
            continue
        if row.level == SchemeLevel.NATIONAL or row.province_id is None:
            require(is_administrator(user), national)
        else:
            require(is_approver(user), local)


def _check_scheme_rules(user, *schemes) -> None:
    _national_or_local(
        user,
        *schemes,
        national=_("National schemes are kept by administrators."),
        local=_("Only a province manager may change a local scheme."),
    )


@transaction.atomic
def scheme_save(*, scheme: Scheme, user: Actor = None, reason: str = "") -> Scheme:
    """Local schemes are kept by their province's managers; national schemes by administrators."""
    _check_scheme_rules(user, stored_locked(scheme), scheme)
    return save_row(scheme, user, reason=reason, message=_("A scheme with this code already exists."))


@transaction.atomic
def scheme_delete(*, scheme: Scheme, user: Actor = None, reason: str = "") -> None:
    require(user is None or is_administrator(user), _("Only an administrator may delete a scheme."))
    delete_row(scheme, user, reason=reason, message=_("Plans refer to this scheme; it cannot be deleted."))


def _check_cap_rules(user, *caps) -> None:
    _national_or_local(
        user,
        *caps,
        national=_("KCQG support caps are kept by administrators."),
        local=_("Only a province manager may change the province's support caps."),
    )


@transaction.atomic
def support_cap_save(*, cap: SupportCap, user: Actor = None, reason: str = "") -> SupportCap:
    """KCQG caps (the Ministry of Finance's circular) by administrators; a province's KCĐP caps (its HĐND
    resolution) by its managers. One rule per item, level and province in force on any day."""
    _check_cap_rules(user, stored_locked(cap), cap)
    return save_row(cap, user, reason=reason)


@transaction.atomic
def support_cap_delete(*, cap: SupportCap, user: Actor = None, reason: str = "") -> None:
    _check_cap_rules(user, stored_locked(cap))
    delete_row(cap, user, reason=reason)


@transaction.atomic
def attachment_save(*, attachment: Attachment, user: Actor = None, reason: str = "") -> Attachment:
    return save_row(attachment, user, reason=reason)


@transaction.atomic
def attachment_delete(*, attachment: Attachment, user: Actor = None, reason: str = "") -> None:
    delete_row(attachment, user, reason=reason)


@transaction.atomic
def reference_save(*, instance, user: Actor = None, reason: str = ""):
    """Provinces, communes and the activity catalogue: national reference data, administrators only."""
    require(user is None or is_administrator(user), _("Reference data is kept by administrators."))
    instance.full_clean()
    save_checked(
        with_author(instance, user, reason), message=_("This record conflicts with another one; nothing was saved.")
    )
    return instance


@transaction.atomic
def reference_delete(*, instance, user: Actor = None, reason: str = "") -> None:
    require(user is None or is_administrator(user), _("Reference data is kept by administrators."))
    delete_checked(
        with_author(instance, user, reason), message=_("Other records depend on this one; it cannot be deleted.")
    )
