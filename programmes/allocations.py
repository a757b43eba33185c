"""A multi-year đề án's shares by year (phân bổ kinh phí theo năm): what each year's plan carries of it.

A đề án "giai đoạn 2018–2020" is filed under its first year's plan and shares its money among the
years from that one to its last: one share a year, each year present (a year may carry nothing),
adding up to its KC support, counterpart and other funds. A report of a year counts that year's
share as the year's approved money and the payments made that year as performed against the
year's plan, not as money carried over (`reports.figures`).

This module holds the rules as pure functions over the values, for the service
(`services.project_save`, `services.project_adjust`), the admin's table of shares and the
imports alike; the database checks the same at commit (migration 0022).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .lib.formatting import money

MONEY = ("kc_support", "counterpart_funds", "other_funds")


@dataclass(frozen=True)
class Share:
    year: int
    kc_support: int = 0
    counterpart_funds: int = 0
    other_funds: int = 0

    def amount(self, field: str) -> int:
        return getattr(self, field)


def shares_of(rows) -> list[Share]:
    """The shares as stored (ProjectAllocation rows or dicts), in year order."""
    shares = []
    for row in rows:
        get = row.get if isinstance(row, dict) else lambda name, _row=row: getattr(_row, name)
        shares.append(Share(int(get("year")), *(int(get(name) or 0) for name in MONEY)))
    return sorted(shares, key=lambda share: share.year)


MONEY_LABELS = {
    "kc_support": gettext_noop("KC support"),
    "counterpart_funds": gettext_noop("counterpart funds"),
    "other_funds": gettext_noop("other funds"),
}


def share_errors(project, shares: list[Share]) -> list[str]:
    """What is wrong with `shares` for `project` (its plan's year, its money as it would be saved).

    No shares: a đề án of one year. Otherwise a share for each year from the plan's year on, at
    least two, within the years of the plan's scheme, adding up to each of the đề án's amounts.
    """
    if not shares:
        return []
    errors = []
    years = [share.year for share in shares]
    first, last = project.plan.year if project.plan_id else project.year, max(years)
    if len(shares) < 2:
        errors.append(_("A project shared among years needs the shares of at least two years."))
    if min(years) != first:
        errors.append(_("The shares start in the year of the project's plan (%(year)s).") % {"year": first})
    elif sorted(years) != list(range(first, last + 1)):
        errors.append(_("Give one share for each year from %(first)s to %(last)s.") % {"first": first, "last": last})
    scheme = project.plan.scheme if project.plan_id else None
    if scheme is not None and last > scheme.end_year:
        errors.append(
            _("The scheme %(scheme)s ends in %(end)s: a share cannot be of a later year.")
            % {"scheme": scheme.code, "end": scheme.end_year}
        )
    for field in MONEY:
        total, expected = sum(share.amount(field) for share in shares), getattr(project, field) or 0
        if any(share.amount(field) < 0 for share in shares):
            errors.append(_("A share cannot be negative."))
        elif total != expected:
            errors.append(
                _("The shares of %(what)s add up to %(sum)s đồng, not the project's %(total)s đồng.")
                % {"what": _(MONEY_LABELS[field]), "sum": money(total), "total": money(expected)}
            )
    return errors


def share_year(first: int, last: int, day) -> int:
    """The year whose share an adjustment applying from `day` changes, for a đề án shared from `first`
    to `last`: that day's year, within those (an adjustment after the last year changes the last
    share). `reports.figures` asks the same in SQL of the adjustments after a period."""
    return min(max(day.year, first), last)


def adjusted_shares(project, shares: list[Share], day, new: dict[str, int]) -> tuple[list[Share], list[str]]:
    """The shares after an adjustment applying from `day` sets the đề án's amounts to `new`: each
    difference goes to the share of `share_year(day)`; refused when that share would fall below zero."""
    year = share_year(project.year, project.final_year, day)
    changed, errors = [], []
    for share in shares:
        if share.year != year:
            changed.append(share)
            continue
        values = {}
        for field in MONEY:
            values[field] = share.amount(field) + new[field] - getattr(project, field)
            if values[field] < 0:
                errors.append(
                    _(
                        "This adjustment changes the share of %(year)s, which has %(amount)s đồng of %(what)s: "
                        "it cannot take away more."
                    )
                    % {"year": year, "amount": money(share.amount(field)), "what": _(MONEY_LABELS[field])}
                )
        changed.append(Share(share.year, **values))
    return changed, errors


_AMOUNT = r"(\d[\d.\s]*?)"
_PART = re.compile(
    rf"^\s*(\d{{4}})\s*[:=]\s*{_AMOUNT}\s*(?:/\s*{_AMOUNT}\s*)?(?:/\s*{_AMOUNT}\s*)?(?:đồng|đ)?\s*$", re.IGNORECASE
)


def parse(text: str) -> tuple[list[Share], bool]:
    """The shares typed in one cell: "2018: 300.000.000; 2019: 400.000.000" (KC support by year), or
    with the counterpart and other funds after slashes, "2018: 300.000.000 / 120.000.000 / 0"
    (whole đồng, dots or spaces between thousands). Returns the shares and whether the cell gave
    the counterpart and other funds (else `spread` shares them like the support). Raises ValueError
    with the message for the user."""
    shares, complete = [], True
    for part in re.split(r"[;\n]", text or ""):
        if not part.strip():
            continue
        found = _PART.match(part)
        if not found:
            raise ValueError(
                _("Write each year's share as “year: amount”, separated by “;”, e.g. %(example)s.")
                % {"example": "2018: 300.000.000; 2019: 400.000.000"}
            )
        year, *amounts = found.groups()
        complete = complete and amounts[1] is not None
        shares.append(Share(int(year), *(int(re.sub(r"[.\s]", "", amount or "0")) for amount in amounts)))
    return sorted(shares, key=lambda share: share.year), complete


def spread(project, shares: list[Share]) -> list[Share]:
    """The counterpart and other funds shared among the years like the KC support (whole đồng, the
    last year taking what rounding leaves)."""
    total = sum(share.kc_support for share in shares)
    spread_shares, given = [], {"counterpart_funds": 0, "other_funds": 0}
    for number, share in enumerate(shares):
        values = {}
        for field in given:
            whole = getattr(project, field) or 0
            if number == len(shares) - 1:
                values[field] = whole - given[field]
            else:
                values[field] = whole * share.kc_support // total if total else 0
            given[field] += values[field]
        spread_shares.append(Share(share.year, share.kc_support, **values))
    return spread_shares


def written(shares: list[Share]) -> str:
    """The shares as `parse` reads them back (the export's cell)."""
    return "; ".join(
        f"{share.year}: " + " / ".join(f"{share.amount(field):,}".replace(",", ".") for field in MONEY)
        for share in shares
    )
