"""``{{ amount|money }}``: yuan with thousands separators, 19,999.99 (Decimal kept)."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def money(value, places: int = 2) -> str:
    """19999.99 → "19,999.99"; ``money:0`` → "20,000"; blank for no value."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return f"{amount:,.{int(places)}f}"
