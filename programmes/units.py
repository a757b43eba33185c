"""Administrative units over time: codes, the day a unit existed, its unit of today. The bottom of the house.

The 63 provinces valid until 30/6/2025 and the 34 from 1/7/2025 (Nghị quyết 202/2025/QH15) are
both kept, with validity dates, a successor and the unit of today each belongs to (domain.md §5).
A code alone is ambiguous — 52 is Bình Định in 2024 and Gia Lai from 1/7/2025 — so a code is
always read with a day, by one rule (`unit_on`): `Province.objects.resolve` reads the units from
the database, the imports from the units they hold in memory. Nothing here imports a model: a
unit is read through its attributes.
"""

from __future__ import annotations

import datetime

# The day the 34 provinces of today began (Nghị quyết 202/2025/QH15).
MERGER_DATE = datetime.date(2025, 7, 1)


def province_code(code) -> str:
    """A province code as stored: two digits ("1" is "01")."""
    code = str(code).strip()
    return code.zfill(2) if code.isdigit() else code


def valid_on(unit, day: datetime.date) -> bool:
    """Whether the unit existed on `day` (`ProvinceQuerySet.valid_on` is the same rule in SQL)."""
    return (unit.valid_from is None or unit.valid_from <= day) and (unit.valid_to is None or day <= unit.valid_to)


def unit_on(units, day: datetime.date):
    """Of the units that bore one code, the one that bore it on `day`; None when none did."""
    for unit in units:
        if valid_on(unit, day):
            return unit
    return None


def unit_of_today_id(province) -> int:
    """The id of the unit of today a province belongs to (itself for a unit of today)."""
    return province.current_id or province.pk
