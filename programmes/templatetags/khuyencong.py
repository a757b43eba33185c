"""Display filters: money in whole đồng (1.234.567), percentages rounded once (33,16%), a dict's item."""

from django import template

from programmes.lib import formatting

register = template.Library()


@register.filter
def money(amount):
    return formatting.money(amount)


@register.filter
def percent(value):
    return formatting.percent(value)


@register.filter
def get_item(mapping, key):
    """`mapping[key]` in a template (None when absent)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag
def error_summary(adminform, inline_admin_formsets):
    """The problems of a refused admin form, as (anchor, where, message), for the banner above it."""
    from programmes.admin.base import error_summary as summary

    return summary(adminform, inline_admin_formsets or [])
