"""django-import-export widgets for the way Vietnamese officials fill a spreadsheet.

`clean` turns a cell (a real date or number cell of an .xlsx, or text from either file type)
into a value, or raises ValueError with the Vietnamese reason; `render` turns a stored value
back into the cell an export writes (a real date or number: the export's writer formats it).
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import widgets

from programmes import allocations
from programmes.forms import parse_money
from programmes.lib.text import normalise, search_key, text_problem

_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def unescape(text: str) -> str:
    """Take off the ' an export puts before text starting with =, +, - or @ (programmes.lib.spreadsheets.csv_text)."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        return text[1:]
    return text


class TextWidget(widgets.CharWidget):
    """Text, stored NFC with spaces collapsed; a number typed in a text column (a voucher number) is kept as typed."""

    cell = "text"  # how an export writes the column's cells (programmes.imports.workbooks.xlsx_file)

    def __init__(self, max_length: int | None = None):
        super().__init__(coerce_to_string=True, allow_blank=True)
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, datetime.date):
            value = value.strftime("%d/%m/%Y")
        text = unescape(normalise(str(value)))
        if self.max_length and len(text) > self.max_length:
            raise ValueError(_("At most %(limit)s characters.") % {"limit": self.max_length})
        return text

    def render(self, value, obj=None, **kwargs):
        return value or ""


class SharesWidget(TextWidget):
    """A multi-year đề án's shares by year in one cell (`programmes.allocations.parse`): read as
    (shares, whether the counterpart and other funds were given), blank as None."""

    def __init__(self):
        super().__init__(max_length=1000)

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        if not text:
            return None
        problem = text_problem(text)  # the text rule, as for any text cell (`services._parse`)
        if problem:
            raise ValueError(problem)
        return allocations.parse(text)


class DateWidget(widgets.Widget):
    """A real date cell, or text dd/mm/yyyy (also d/m/yyyy)."""

    cell = "date"

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        match = _DATE.fullmatch(str(value).strip())
        if match:
            day, month, year = (int(part) for part in match.groups())
            try:
                return datetime.date(year, month, day)
            except ValueError:
                pass
        raise ValueError(_("“%(value)s” is not a date: write dd/mm/yyyy, e.g. 15/03/2024.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return value


class MoneyWidget(widgets.Widget):
    """Whole đồng: a number cell, or text "1.234.567" / "1234567" with the forms' strictness."""

    cell = "number"
    # What a refusal says: of an amount here, of a count in CountWidget.
    wrong = gettext_lazy("Enter the amount in whole đồng, e.g. 1.234.567 or 1234567.")
    decimals = gettext_lazy("Enter whole đồng, without decimals (a dot separates thousands: 1.234.567).")
    negative = gettext_lazy("An amount cannot be negative.")

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, bool):
            raise ValueError(str(self.wrong))
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError(str(self.decimals))
            value = int(value)
        if isinstance(value, int):
            amount = value
        else:
            text = str(value)
            if len(text) > 30:
                raise ValueError(str(self.wrong))
            try:
                with translation.override("vi"):  # a file's separators are Vietnamese whatever the UI language
                    amount = parse_money(text)
            except ValidationError as exc:
                if exc.code == "negative":
                    raise ValueError(str(self.negative)) from exc
                if exc.code == "decimals":
                    raise ValueError(str(self.decimals)) from exc
                raise ValueError(str(self.wrong)) from exc
        if amount < 0:
            raise ValueError(str(self.negative))
        if amount > 10**15:
            raise ValueError(_("The amount is implausibly large."))
        return amount

    def render(self, value, obj=None, **kwargs):
        return value


class CountWidget(MoneyWidget):
    """A whole number that is not negative (projects, workers, an indicator's figure)."""

    wrong = gettext_lazy("Enter a whole number, e.g. 12 or 1.234.")
    decimals = gettext_lazy("Enter a whole number, without decimals.")
    negative = gettext_lazy("A number cannot be negative.")

    def clean(self, value, row=None, **kwargs):
        amount = super().clean(value, row, **kwargs)
        if amount is not None and amount > 2_000_000_000:
            raise ValueError(_("The number is implausibly large."))
        return amount


class ChoiceWidget(widgets.Widget):
    """One of a fixed list, written as its Vietnamese label; the label's case and accents do not matter."""

    cell = "text"

    def __init__(self, labels: dict[str, str], aliases: dict[str, str] | None = None):
        super().__init__()
        self.labels = labels  # stored value → the label an export writes
        self.lookup = {search_key(label): value for value, label in labels.items()}
        self.lookup.update({search_key(value): value for value in labels})
        self.lookup.update({search_key(alias): value for alias, value in (aliases or {}).items()})

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        found = self.lookup.get(search_key(str(value)))
        if found is None:
            raise ValueError(
                _("“%(value)s” is not one of: %(allowed)s.")
                % {"value": value, "allowed": " · ".join(self.labels.values())}
            )
        return found

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value, value or "")


class YesNoWidget(widgets.Widget):
    """A flag: "Có" (or x, 1) for yes; empty or "Không" (or 0) for no."""

    cell = "text"
    YES = {"co", "x", "1", "yes", "true"}
    NO = {"", "khong", "0", "no", "false"}

    def clean(self, value, row=None, **kwargs):
        if is_blank(value) or value is False:
            return False
        if value is True:
            return True
        key = str(int(value)) if isinstance(value, (int, float)) else search_key(str(value))
        if key in self.YES:
            return True
        if key in self.NO:
            return False
        raise ValueError(_("Write “Có” or leave the cell empty (“%(value)s” is neither).") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return "Có" if value else ""


class KeyWidget(widgets.Widget):
    """A natural key (a code, a tax code) kept as text; the importer resolves it with one query per file."""

    cell = "text"

    def __init__(self, attribute: str):
        super().__init__()
        self.attribute = attribute

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return unescape(normalise(str(value)))

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return getattr(value, self.attribute, value)
