"""How report figures print: triệu đồng (3.277), percentages (33,16%), a dash for nothing."""

from django import template

from programmes.lib import formatting

register = template.Library()


@register.filter
def trieu(amount):
    """Whole đồng as triệu đồng; a dash for zero, as published tables do."""
    if not amount:
        return "-"
    return formatting.millions(amount)


@register.filter
def pct(value):
    return "-" if value is None else formatting.percent(value)


@register.filter
def count(value):
    return "-" if not value else formatting.number(value)


@register.filter
def level_pct(row, level):
    """A status row's paid/approved percentage for a level ("" for the total)."""
    return pct(row.percent(level or None))
