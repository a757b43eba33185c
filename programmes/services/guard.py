"""The guard every service passes: lock, check the write rule and the period locks, validate, save with the author."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from .. import locks
from ..access import (
    may_write_in_province,
)
from ..models import (
    Project,
)

# Who acts: a user, or None for the system itself (a command run with full scope: the rules of the
# data hold, the role rules do not).
Actor = AbstractBaseUser | None


def province_id_of(instance) -> int | None:
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


def authorise(user, new, stored=None) -> None:
    """Refuse a write the user may not make (write rule), or that a period lock holds.

    `stored` is the row as it is in the database (None for a new row), `new` as it would be.
    """
    if user is not None:
        for instance in (stored, new):
            if instance is not None and not may_write_in_province(user, province_id_of(instance)):
                raise PermissionDenied(_("You may not change this record."))
    errors = locks.lock_errors(new, stored)
    if errors:
        raise ValidationError(errors)


def with_author(instance, user, reason: str = ""):
    if user is not None:
        instance._history_user = user
    if reason:
        instance._change_reason = reason
    return instance


def save_checked(instance, *, message: str, **save_kwargs) -> None:
    """Save inside a savepoint, turning a tripped database constraint into `message`."""
    try:
        with transaction.atomic():
            instance.save(**save_kwargs)
    except IntegrityError as exc:
        raise ValidationError(message) from exc


def delete_checked(instance, *, message: str) -> None:
    try:
        with transaction.atomic():
            instance.delete()
    except (IntegrityError, models.ProtectedError) as exc:
        raise ValidationError(message) from exc


def stored_locked(instance):
    """Return the row as stored, locked for the rest of the transaction; None for a new row."""
    if not instance.pk:
        return None
    manager = type(instance)._default_manager
    return manager.select_for_update(of=("self",)).filter(pk=instance.pk).order_by().first()


def lock_project(project: Project | int) -> Project:
    pk = project.pk if isinstance(project, Project) else project
    return Project.objects.select_for_update(of=("self",)).select_related("plan__scheme", "plan__province").get(pk=pk)


# Kept by the model itself on save (derived from the other fields): not a change of their own.
DERIVED_FIELDS = {"search_text", "name_key"}


def unchanged(stored, instance) -> bool:
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


def save_row(instance, user, *, reason: str = "", message: str | None = None):
    """Save a row without money: lock it, check the write rule and lock, validate, write."""
    stored = stored_locked(instance)
    authorise(user, instance, stored)
    instance.full_clean()
    if unchanged(stored, instance):
        return instance
    save_checked(
        with_author(instance, user, reason),
        message=message or _("This record conflicts with another one; nothing was saved."),
    )
    return instance


def delete_row(instance, user, *, reason: str = "", message: str | None = None) -> None:
    stored = stored_locked(instance)
    if stored is None:
        return
    authorise(user, stored)
    delete_checked(
        with_author(stored, user, reason),
        message=message or _("Other records depend on this one; it cannot be deleted."),
    )


def require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


LOCK_CHUNK = 2_000


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
