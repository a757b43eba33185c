"""Form fields for data entry as Vietnamese officials write it."""

import re

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from .lib.formatting import money
from .lib.text import normalise, text_problem, validate_text

_SPACES = re.compile(r"[\s\u00a0\u202f]+")


class DayInput(forms.DateInput):
    """A date typed and shown dd/mm/yyyy whatever the browser's language (a native date box follows the
    browser's: mm/dd/yyyy in an English one). Read by DATE_INPUT_FORMATS, which also take YYYY-MM-DD."""

    def __init__(self, attrs=None):
        # vDateField: the admin's calendar and "Hôm nay" beside it, where the page loads them.
        defaults = {
            "placeholder": _("dd/mm/yyyy"),
            "inputmode": "numeric",
            "autocomplete": "off",
            "size": 10,
            "class": "vDateField",
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%d/%m/%Y")


class MoneyInput(forms.TextInput):
    """Show an amount grouped (300.000.000) so that a missing or extra zero is seen at once."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "class": "vMoneyField", "autocomplete": "off", **(attrs or {})})

    class Media:
        js = ["js/money-input.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-thousands"] = get_format("THOUSAND_SEPARATOR")
        return context

    def format_value(self, value):
        if isinstance(value, int):
            return money(value)
        return super().format_value(value)


def parse_money(value: str) -> int:
    """Return whole đồng from "1.234.567" or "1234567"; refuse anything that could be misread.

    "1.5", "1..0", ".5", "300.000.00" and "1,5" are refused, never rescaled: the thousands
    separator of the user's language (a dot in Vietnamese) must group digits in threes, and đồng
    have no decimals. Spaces between groups are allowed ("300 000 000").
    """
    thousands, decimals = get_format("THOUSAND_SEPARATOR"), get_format("DECIMAL_SEPARATOR")
    text = _SPACES.sub("", value)
    negative = text.startswith("-")
    digits = text[1:] if negative else text
    grouped = re.compile(rf"\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+")
    if not (digits.isascii() and digits.isdigit()) and not grouped.fullmatch(digits):
        if decimals in digits and re.fullmatch(r"[\d.,]+", digits):
            raise ValidationError(MoneyField.default_error_messages["decimals"], code="decimals")
        raise ValidationError(MoneyField.default_error_messages["invalid"], code="invalid")
    amount = int(digits.replace(thousands, ""))
    if negative and amount:
        raise ValidationError(MoneyField.default_error_messages["negative"], code="negative")
    return amount


class MoneyField(forms.IntegerField):
    """Whole đồng, typed with or without thousand separators ("300.000.000" or "300000000")."""

    widget = MoneyInput
    default_error_messages = {
        "invalid": _("Enter the amount in whole đồng, e.g. 1.234.567 or 1234567."),
        "decimals": _("Enter whole đồng, without decimals (a dot separates thousands: 1.234.567)."),
        "negative": _("An amount cannot be negative."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        if len(str(value)) > 30:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return parse_money(str(value))

    def widget_attrs(self, widget):
        # No min/max/step attributes: they belong to number inputs.
        return {}


# --- Relations that answer junk ids with a form error ---------------------------------------------


class _JunkProofAutocomplete:
    """Django's autocomplete widget looks the posted ids up again to show them; junk ("abc", an id
    beyond the database's integers) made that lookup raise. Show nothing selected instead: the
    field itself reports the error."""

    def optgroups(self, name, value, attr=None):
        try:
            return super().optgroups(name, value, attr)
        except (ValueError, TypeError, OverflowError, ValidationError):
            return super().optgroups(name, [], attr)


class JunkProofAutocompleteSelect(_JunkProofAutocomplete, AutocompleteSelect):
    pass


class JunkProofAutocompleteSelectMultiple(_JunkProofAutocomplete, AutocompleteSelectMultiple):
    pass


class JunkProofModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """An id larger than the database's integers is "not a valid value", not an OverflowError (SQLite)."""

    def _check_values(self, value):
        try:
            return super()._check_values(value)
        except OverflowError:
            raise ValidationError(
                self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": ", ".join(value)}
            ) from None


class TextRuleMixin:
    """Apply the text rule (`lib.text.text_problem`) to every text field of a form whose model is not the
    register's (users, groups): the register's models apply it themselves, at the same fields."""

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            # As typed: some fields fold lookalikes silently (a username is made NFKC); refuse them instead.
            value = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            if isinstance(field, forms.CharField) and isinstance(value, str) and name not in self.errors:
                value = normalise(value, multiline=isinstance(field.widget, forms.Textarea))
                problem = text_problem(value, multiline=isinstance(field.widget, forms.Textarea))
                if problem:
                    self.add_error(name, ValidationError(problem, code="text_refused"))
        return cleaned


def text_validator(*, multiline: bool = False):
    """A field validator of the text rule, for a form field that no model of the register checks."""

    def validate(value):
        if isinstance(value, str):
            validate_text(value, multiline=multiline)

    return validate
