"""Display helpers: money in whole đồng, percentages rounded once, at display."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import get_format


def money(amount: int | None) -> str:
    """Return whole đồng with the locale's grouping: 1.234.567 in Vietnamese.

    Groups of three with the language's separator (what number_format does for both languages we
    serve), written directly: a list page formats a few hundred amounts.
    """
    if amount is None:
        return ""
    return f"{int(amount):,}".replace(",", get_format("THOUSAND_SEPARATOR"))


def number(value: int | None) -> str:
    """Return a count with the locale's grouping: 12.345 in Vietnamese."""
    return money(value)


def ratio(part: int | None, whole: int | None) -> Decimal | None:
    """Return part/whole as an exact percentage, unrounded; None when the whole is zero."""
    if not whole:
        return None
    return Decimal(int(part or 0)) * 100 / Decimal(int(whole))


def percent(value: Decimal | None, places: int = 2) -> str:
    """Return a percentage for display, rounded half-up once: 33,16% in Vietnamese."""
    if value is None:
        return "–"
    quantum = Decimal(1).scaleb(-places)
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    whole, _point, fraction = f"{rounded:,.{places}f}".partition(".")
    text = whole.replace(",", get_format("THOUSAND_SEPARATOR"))
    if places:
        text += get_format("DECIMAL_SEPARATOR") + fraction
    return f"{text}%"


def millions(amount: int | None) -> str:
    """Return đồng as triệu đồng, the unit of published reports: 3.277 or 332,224 (at most 3 decimals).

    Whole triệu print without decimals; other amounts keep the thousands of đồng, rounded half-up.
    """
    if amount is None:
        return ""
    value = (Decimal(int(amount)) / 1_000_000).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    whole, _point, fraction = f"{abs(value):,.3f}".partition(".")
    text = whole.replace(",", get_format("THOUSAND_SEPARATOR"))
    fraction = fraction.rstrip("0")
    if fraction:
        text += get_format("DECIMAL_SEPARATOR") + fraction
    return f"-{text}" if value < 0 else text
