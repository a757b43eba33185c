"""Report periods: any from/until dates up to five years, and the presets officials ask for.

A period within one report year (a calendar year, or the Ministry's cut-off year from 15/12 of the
year before) is one **segment**. A longer window — "năm 2021 và 9 tháng đầu năm 2022", or any dates
across years — is cut into calendar years, and every figure of it is the sum of the figures of its
segments as if each were a report of its own year (`segments()`): the plans of each year covered,
each payment counted against the year it was made in, and money paid on đề án of an earlier year's
plan carried over, never divided by a plan.

The Ministry's reporting regime counts a 6-month report from 15/12 of the previous year to 14/06
and an annual one from 15/12 to 14/12 (report-layout.md §1a); the cut-off days are settings
(`KHUYENCONG_REPORT_CUTOFF_DAY`, `KHUYENCONG_REPORT_CUTOFF_MONTHS`) because whether khuyến công
follows them is not confirmed.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Period:
    year: int
    date_from: datetime.date
    date_until: datetime.date
    preset: str = ""

    @property
    def label(self) -> str:
        """How the period reads in a title: “6 tháng đầu năm 2024”, “năm 2024”, or the dates."""
        label = PRESET_TITLES.get(self.preset)
        if label is None:
            return _("from %(start)s to %(end)s") % {
                "start": self.date_from.strftime("%d/%m/%Y"),
                "end": self.date_until.strftime("%d/%m/%Y"),
            }
        months = self.date_until.month
        return str(label) % {"year": self.year, "months": months, "first": self.date_from.year}

    def segments(self) -> list[Period]:
        """The report years the period covers, each as a period of its own (one for most periods)."""
        if self.is_one_year():
            return [self]
        return [
            Period(
                year,
                max(self.date_from, datetime.date(year, 1, 1)),
                min(self.date_until, datetime.date(year, 12, 31)),
                "custom",
            )
            for year in range(self.date_from.year, self.date_until.year + 1)
        ]

    def is_one_year(self) -> bool:
        """Whether the period lies within one report year: its calendar year, or the cut-off year
        that starts on 15/12 of the year before."""
        return cutoff_dates(self.year)[0] <= self.date_from and self.date_until <= datetime.date(self.year, 12, 31)

    @property
    def years(self) -> list[int]:
        return [segment.year for segment in self.segments()]

    @property
    def plan_years(self) -> str:
        """The years whose plans the report sums: “năm 2024”, or “năm 2023–2024” over several."""
        years = self.years
        return f"năm {years[0]}" if len(years) == 1 else f"năm {years[0]}–{years[-1]}"

    @property
    def plan_heading(self) -> str:
        return f"Kế hoạch {self.plan_years}"

    @property
    def cumulative_heading(self) -> str:
        """“Lũy kế từ đầu năm”, or from the first day of the first year over several years."""
        if self.is_one_year():
            return "Lũy kế từ đầu năm"
        return f"Lũy kế từ {self.segments()[0].year_start():%d/%m/%Y}"

    @property
    def dates(self) -> str:
        return f"{self.date_from:%d/%m/%Y} – {self.date_until:%d/%m/%Y}"

    def year_start(self) -> datetime.date:
        """The first day counted as “since the start of the year” (15/12 of the year before for a cut-off period)."""
        return min(self.date_from, datetime.date(self.year, 1, 1))

    def last_year(self) -> Period:
        return Period(self.year - 1, _years_back(self.date_from), _years_back(self.date_until), self.preset)


def _years_back(day: datetime.date) -> datetime.date:
    if day.month == 2 and day.day == 29:
        return day.replace(year=day.year - 1, day=28)
    return day.replace(year=day.year - 1)


def _years_later(day: datetime.date, years: int) -> datetime.date:
    if day.month == 2 and day.day == 29:
        return day.replace(year=day.year + years, day=28) + datetime.timedelta(days=1)
    return day.replace(year=day.year + years)


MAX_YEARS = 5


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


PRESETS = {
    "h1": gettext_lazy("First 6 months"),
    "h2": gettext_lazy("Last 6 months"),
    "months": gettext_lazy("First N months"),
    "year_and_months": gettext_lazy("The year before and the first N months"),
    "year": gettext_lazy("The year"),
    "cutoff_h1": gettext_lazy("6 months, Ministry cut-off (15/12 → 14/06)"),
    "cutoff_year": gettext_lazy("Year, Ministry cut-off (15/12 → 14/12)"),
    "custom": gettext_lazy("Dates of your choice"),
}
PRESET_TITLES = {
    "h1": gettext_lazy("6 tháng đầu năm %(year)s"),
    "h2": gettext_lazy("6 tháng cuối năm %(year)s"),
    "months": gettext_lazy("%(months)s tháng đầu năm %(year)s"),
    "year_and_months": gettext_lazy("năm %(first)s và %(months)s tháng đầu năm %(year)s"),
    "year": gettext_lazy("năm %(year)s"),
    "cutoff_h1": gettext_lazy("6 tháng đầu năm %(year)s"),
    "cutoff_year": gettext_lazy("năm %(year)s"),
}


def cutoff_dates(year: int) -> tuple[datetime.date, datetime.date, datetime.date]:
    """The Ministry's cut-off days for `year`: start (15/12 of the year before), mid-year end, year end."""
    day = settings.KHUYENCONG_REPORT_CUTOFF_DAY
    mid_month, end_month = settings.KHUYENCONG_REPORT_CUTOFF_MONTHS
    start = datetime.date(year - 1, end_month, day)
    return (
        start,
        datetime.date(year, mid_month, day) - datetime.timedelta(days=1),
        start.replace(year=year) - (datetime.timedelta(days=1)),
    )


def period_for(
    year: int,
    preset: str = "year",
    *,
    months: int | None = None,
    date_from: datetime.date | None = None,
    date_until: datetime.date | None = None,
) -> Period:
    """Return the period of a preset (or of the dates given, preset "custom"); ValidationError if it makes no sense."""
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Choose a year between 2000 and 2100.")})
    if preset == "h1":
        return Period(year, datetime.date(year, 1, 1), datetime.date(year, 6, 30), preset)
    if preset == "h2":
        return Period(year, datetime.date(year, 7, 1), datetime.date(year, 12, 31), preset)
    if preset == "year":
        return Period(year, datetime.date(year, 1, 1), datetime.date(year, 12, 31), preset)
    if preset == "months":
        if months is None or not 1 <= months <= 12:
            raise ValidationError({"months": _("Give a number of months from 1 to 12.")})
        return Period(year, datetime.date(year, 1, 1), _month_end(year, months), preset if months < 12 else "year")
    if preset == "year_and_months":
        # “năm 2021 và 9 tháng đầu năm 2022”: `year` is the second year.
        if months is None or not 1 <= months <= 12:
            raise ValidationError({"months": _("Give a number of months from 1 to 12.")})
        return Period(year, datetime.date(year - 1, 1, 1), _month_end(year, months), preset)
    if preset in ("cutoff_h1", "cutoff_year"):
        start, mid, end = cutoff_dates(year)
        return Period(year, start, mid if preset == "cutoff_h1" else end, preset)
    if preset in ("custom", ""):
        if date_from is None or date_until is None:
            raise ValidationError({"date_from": _("Give the first and the last day of the period.")})
        if date_from > date_until:
            raise ValidationError({"date_until": _("The last day is before the first day.")})
        if date_until > _years_later(date_from, MAX_YEARS) - datetime.timedelta(days=1):
            raise ValidationError({"date_until": _("A report covers at most %(years)s years.") % {"years": MAX_YEARS}})
        period = Period(year, date_from, date_until, "custom")
        if not period.is_one_year():
            # Across years the report year is the last one (its plan, its lock, its number).
            period = Period(date_until.year, date_from, date_until, "custom")
        return period
    raise ValidationError({"preset": _("Unknown period “%(preset)s”.") % {"preset": preset}})
