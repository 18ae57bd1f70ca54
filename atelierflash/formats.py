"""French number, amount and date formats (thin space for thousands, comma for decimals)."""

from __future__ import annotations

import datetime as dt
import math

NNBSP = "\u202f"  # narrow no-break space: the French thousands separator

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def _is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(math.isnan(value))
    except (TypeError, ValueError):
        return str(value) in ("<NA>", "NaT")


def fmt_int(value) -> str:
    """``12345`` → ``"12 345"`` (narrow no-break space); missing → ``"–"``."""
    if _is_missing(value):
        return "–"
    return f"{round(float(value)):,}".replace(",", NNBSP)


def fmt_decimal(value, digits: int = 1) -> str:
    """``1234.5`` → ``"1 234,5"``."""
    if _is_missing(value):
        return "–"
    text = f"{float(value):,.{digits}f}"
    return text.replace(",", NNBSP).replace(".", ",")


def fmt_eur(value, digits: int = 0) -> str:
    """``20000`` → ``"20 000 €"`` (the euro sign after the number, as in French)."""
    if _is_missing(value):
        return "–"
    number = fmt_int(value) if digits == 0 else fmt_decimal(value, digits)
    return f"{number}\u00a0€"


def fmt_percent(value, digits: int = 0) -> str:
    """``0.256`` → ``"26 %"``."""
    if _is_missing(value):
        return "–"
    return f"{fmt_decimal(100 * float(value), digits)}\u00a0%"


def fmt_date(value: dt.date | None) -> str:
    """``date(2025, 11, 7)`` → ``"7 novembre 2025"``."""
    if value is None:
        return "–"
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def fmt_month(year: int, month: int) -> str:
    """``(2023, 8)`` → ``"août 2023"``."""
    return f"{MONTHS[month - 1]} {year}"


def fmt_partial_date(value) -> str:
    """A register date as precise as it is known: « août 2023 » or « 15 août 2023 ».

    ``value`` is an :class:`atelierflash.registre.PartialDate` (``year``, ``month``, ``day``
    or ``None``); a missing value gives ``""``.

    Examples
    --------
    >>> from atelierflash.registre import PartialDate
    >>> fmt_partial_date(PartialDate(2023, 8, None)), fmt_partial_date(PartialDate(2024, 1, 1))
    ('août 2023', '1er janvier 2024')
    >>> fmt_partial_date(None)
    ''
    """
    if _is_missing(value):
        return ""
    if getattr(value, "day", None) is None:
        return fmt_month(value.year, value.month)
    return fmt_date(value.first_day())
