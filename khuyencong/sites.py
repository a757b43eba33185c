"""The site's composition: the admin site, with a start page for each role instead of the list of tables.

It sits above the apps (the register, the reports, the imports) and reads each: the figures come
from `reports.status`, which reads `reports.figures`, so the start page and a report of the same
year say the same under the same label.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from programmes.access import Role, is_approver, may_import, sees_all_provinces, user_province, user_role
from programmes.models import Beneficiary, Disbursement, Facility, Plan, Project, ProjectAdjustment
from reports import reminders, status


def main_lists() -> list[tuple[str, str]]:
    """The lists people work in, linked from the start page (every role may read them all)."""
    return [
        (model._meta.verbose_name_plural, reverse(f"admin:programmes_{model._meta.model_name}_changelist"))
        for model in (Project, Disbursement, Beneficiary, Facility, Plan, ProjectAdjustment)
    ]


class RegisterAdminSite(admin.AdminSite):
    index_template = "admin/start_page.html"

    def index(self, request, extra_context=None):
        return super().index(request, {**start_page_context(request), **(extra_context or {})})

    def get_app_list(self, request, app_label=None):
        # Every admin page asks for it (each_context, for the side menu we turned off); build it
        # only where a page shows it, once per request.
        cache = request.__dict__.setdefault("_admin_app_lists", {})
        if app_label not in cache:
            build = super().get_app_list
            cache[app_label] = SimpleLazyObject(lambda: build(request, app_label))
        return cache[app_label]


def start_page_context(request) -> dict:
    """What each role starts from (`reports.status` does the reading, a constant number of queries).

    Staff: their đề án that may still be paid, with the money left, and what waits for their input.
    Managers: the same, with what waits for their approval first. Reviewers and administrators:
    the year's national figures by province, with links to the lists.
    """
    user = request.user
    role = user_role(user)
    context = {"role": role, "province": user_province(user), "lists": main_lists()}
    if role is None:
        return context
    if sees_all_provinces(user):
        years = status.plan_years(user)
        asked = request.GET.get("nam", "")
        year = int(asked) if asked.isdigit() and int(asked) in years else (years[0] if years else None)
        context.update(
            years=years,
            national=status.national_year(user, year) if year else None,
            waiting=status.work_waiting(user) if role == Role.ADMINISTRATOR else None,
        )
    else:
        context.update(
            money_left=status.money_left(user),
            waiting=status.work_waiting(user),
            reminders=reminders.for_province(user_province(user), status.today()),
        )
    context["approver"] = is_approver(user)
    context["may_import"] = may_import(user)
    return context
