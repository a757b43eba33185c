"""Reusable query methods, exposed on every model through `as_manager()`."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q

from . import units
from .access import sees_all_provinces, user_province


class ScopedQuerySet(models.QuerySet):
    """Rows filtered to what a user may see.

    Each model names, in `province_path`, the path to the unit of today its rows are filed under:
    a stored column on the large tables (`current_province`, see `models.FiledUnder`), so the
    scope is an equality an index serves. A model with `national_visible = True` also shows rows
    that have no province (national bodies and schemes) to everyone.
    """

    def for_user(self, user) -> ScopedQuerySet:
        if sees_all_provinces(user):
            return self.all()
        province = user_province(user)
        if province is None:
            return self.none()
        condition = self._in_province(province)
        if getattr(self.model, "national_visible", False):
            condition |= Q(**{f"{self.model.province_path.split('__')[0]}__isnull": True})
        return self.filter(condition)

    def _in_province(self, province) -> Q:
        """Rows filed under `province` (a unit of today) or any unit merged into it."""
        return Q(**{self.model.province_path: province.pk})


class ProvinceQuerySet(models.QuerySet):
    def current_units(self) -> ProvinceQuerySet:
        return self.filter(valid_to__isnull=True)

    def valid_on(self, day: datetime.date) -> ProvinceQuerySet:
        """The units that existed on `day` (`units.valid_on` in SQL)."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def resolve(self, code: str, day: datetime.date):
        """Return the unit that had this code on this day (a code alone is ambiguous; `models.unit_on`).

        Raise Province.DoesNotExist when no unit had the code that day.
        """
        unit = units.unit_on(self.filter(code=units.province_code(code)), day)
        if unit is None:
            raise self.model.DoesNotExist(f"No province had the code {code} on {day:%d/%m/%Y}.")
        return unit

    def for_user(self, user) -> ProvinceQuerySet:
        """Return the units a user may file data under: their province and its predecessors."""
        if sees_all_provinces(user):
            return self.all()
        province = user_province(user)
        if province is None:
            return self.none()
        return self.filter(current_id=province.pk)


class ProjectQuerySet(ScopedQuerySet):
    def with_amounts_on(self, day: datetime.date) -> ProjectQuerySet:
        """Annotate the KC support, counterpart and other funds in force on `day`.

        An adjustment replaces the amounts from its `effective_on` date (it never adds to them), and
        keeps the values it replaced: the first adjustment taking effect after `day` holds, as its
        old values, the amounts in force on `day`; without one, the project's own amounts are.
        """
        from django.db.models import F, OuterRef, Subquery
        from django.db.models.functions import Coalesce

        adjustment = self.model._meta.get_field("adjustments").related_model
        later = adjustment.objects.filter(project=OuterRef("pk"), effective_on__gt=day).order_by("effective_on")
        return self.annotate(
            kc_support_on=Coalesce(Subquery(later.values("old_kc_support")[:1]), F("kc_support")),
            counterpart_funds_on=Coalesce(Subquery(later.values("old_counterpart_funds")[:1]), F("counterpart_funds")),
            other_funds_on=Coalesce(Subquery(later.values("old_other_funds")[:1]), F("other_funds")),
        )
