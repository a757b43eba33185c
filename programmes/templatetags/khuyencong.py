"""Display filters: money in whole đồng (1.234.567), percentages rounded once (33,16%)."""

from django import template

from programmes.lib import formatting

register = template.Library()


@register.filter
def money(amount):
    return formatting.money(amount)


@register.filter
def percent(value):
    return formatting.percent(value)
