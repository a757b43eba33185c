"""Where the list totals plug in: the sums under the admin's lists come from the figures module.

Every amount a page shows is summed in one place, `reports/figures.py`. The admin's lists live
here, below the reports, so they ask and the reports answer (the shape of `programmes.locks`):
`reports.apps` registers `figures.list_totals` when the apps are ready. Each answer is a dict of
whole-đồng sums (and counts) over the queryset it is given: the list's filtered rows.
"""

from __future__ import annotations

from collections.abc import Callable

Answer = Callable[[str, object], dict]

_answer: Answer | None = None


def register(answer: Answer) -> Answer:
    global _answer
    _answer = answer
    return answer


def of(kind: str, queryset) -> dict:
    """The sums of `kind` ("projects", "plans", "plan_rows", "beneficiaries", "disbursements") over `queryset`."""
    if _answer is None:
        raise RuntimeError("No figures module answers the list totals (is the reports app installed?)")
    return _answer(kind, queryset)
