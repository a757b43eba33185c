"""Form fields for data entry as Vietnamese officials write it."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from .lib.formatting import money


class MoneyInput(forms.TextInput):
    """Show an amount grouped (300.000.000) so that a missing or extra zero is seen at once."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "class": "vMoneyField", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, int):
            return money(value)
        return super().format_value(value)


class MoneyField(forms.IntegerField):
    """Whole đồng, typed with or without thousand separators ("300.000.000" or "300000000")."""

    widget = MoneyInput
    default_error_messages = {
        "decimals": _("Enter whole đồng, without decimals."),
    }

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "").replace("\u00a0", "")
            thousands, decimals = get_format("THOUSAND_SEPARATOR"), get_format("DECIMAL_SEPARATOR")
            value = value.replace(thousands, "")
            if decimals in value:
                raise ValidationError(self.error_messages["decimals"], code="decimals")
        return super().to_python(value)

    def widget_attrs(self, widget):
        # No min/max/step attributes: they belong to number inputs.
        return {}
