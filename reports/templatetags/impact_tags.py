"""Template filters for change figures."""

from django import template

from ..aggregation import format_gap

register = template.Library()


@register.filter
def signed(value) -> str:
    """A change for display: one decimal, signed, with a real minus sign ("+0.3", "−0.2")."""
    return format_gap(value)
