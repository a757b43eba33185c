"""Keep the role groups and their permissions in step with the models after every migrate; name the
writer of a history row written outside a request (`programmes.audit`)."""

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import connections
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from .audit import name_unattributed, serving_role_grant

REFERENCE_MODELS = [
    "province",
    "commune",
    "activitycatalogue",
    "activitycontent",
    "organisation",
    "scheme",
    "indicatorkind",
    "supportitem",
    "supportcap",
]
PROVINCE_DATA_MODELS = [
    "plan",
    "planline",
    "project",
    "projectadjustment",
    "facility",
    "beneficiary",
    "disbursement",
    "attachment",
    "indicator",
    "consultancyservice",
    "projectallocation",
]
CRUD = ("view", "add", "change", "delete")


def role_permissions() -> dict[str, set[str]]:
    """Return the codenames of the programmes permissions each role group holds."""
    view_all = {f"view_{model}" for model in REFERENCE_MODELS + PROVINCE_DATA_MODELS}
    staff = view_all | {f"{action}_{model}" for model in PROVINCE_DATA_MODELS for action in CRUD}
    # Provincial staff register the local bodies they work with (UBND xã, service units).
    staff |= {"add_organisation", "change_organisation", "delete_organisation"}
    manager = staff | {"approve_plan", "approve_project", "add_scheme", "change_scheme"}
    # A province's KCĐP caps (its HĐND resolution) are its managers' (programmes.services.support_cap_save).
    manager |= {"add_supportcap", "change_supportcap", "delete_supportcap"}
    return {
        "province_staff": staff,
        "province_manager": manager,
        "ministry_reviewer": view_all,
    }


def sync_role_groups(using: str = "default") -> None:
    Group = global_apps.get_model("auth", "Group")
    Permission = global_apps.get_model("auth", "Permission")
    for group_name, codenames in role_permissions().items():
        group, _ = Group.objects.using(using).get_or_create(name=group_name)
        permissions = Permission.objects.using(using).filter(
            content_type__app_label="programmes", codename__in=codenames
        )
        group.permissions.set(permissions)


@receiver(post_migrate)
def create_role_groups(sender, using="default", **kwargs) -> None:
    if getattr(sender, "name", None) != "programmes":
        return
    # Our receiver may run before django.contrib.auth's: make sure the permissions exist first.
    create_permissions(sender, verbosity=0, using=using)
    sync_role_groups(using)
    role = getattr(settings, "KHUYENCONG_SERVING_ROLE", "")
    if role and connections[using].vendor == "postgresql":
        serving_role_grant(role, connection=connections[using])


@receiver(pre_create_historical_record)
def name_the_writer(sender, history_instance, **kwargs) -> None:
    name_unattributed(history_instance)
