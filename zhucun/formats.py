"""Numbers as zhucun writes them in messages, pages and exports."""

from decimal import Decimal


def percent(ratio: Decimal) -> str:
    """0.20 → "20%"."""
    value = (ratio * 100).normalize()
    return f"{value:f}%"


def yuan(amount: Decimal) -> str:
    """15000 → "15,000元"."""
    amount = Decimal(amount)
    if amount == amount.to_integral_value():
        return f"{int(amount):,}元"
    return f"{amount:,.2f}元"


def days_text(days: Decimal) -> str:
    """Decimal("3.0") → "3"; Decimal("2.5") → "2.5"."""
    value = Decimal(days).normalize()
    return f"{value:f}"
