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
    """A register date known to the month or to the day, in French; ``""`` when missing.

    The one way a partial date becomes text in the app (fiche, figures, tables).

    Parameters
    ----------
    value : atelierflash.registre.PartialDate or None
        A date of ``Dataset.ateliers`` (``date_debut``, ``date_fin``, ``dates_animation``).

    Returns
    -------
    str
        « octobre 2019 » for a month, « 15 octobre 2019 » for a day.

    Examples
    --------
    >>> from atelierflash.registre import PartialDate
    >>> fmt_partial_date(PartialDate(2019, 10)), fmt_partial_date(PartialDate(2019, 10, 15))
    ('octobre 2019', '15 octobre 2019')
    >>> fmt_partial_date(PartialDate(2024, 1, 1))
    '1er janvier 2024'
    >>> fmt_partial_date(None)
    ''
    """
    if _is_missing_date(value):
        return ""
    if value.precision == "mois":
        return fmt_month(value.year, value.month)
    return fmt_date(value.first_day())


def iso_date(value) -> str:
    """A partial date as ISO 8601 text (``2019-10`` or ``2019-10-15``); ``""`` when missing.

    Examples
    --------
    >>> from atelierflash.registre import PartialDate
    >>> iso_date(PartialDate(2019, 10)), iso_date(None)
    ('2019-10', '')
    """
    return "" if _is_missing_date(value) else value.iso()


def _is_missing_date(value) -> bool:
    return not hasattr(value, "iso")


def year_label(year) -> str:
    """``2024`` → ``"2024"``; a missing year → ``"année inconnue"``."""
    if _is_missing(year):
        return "année inconnue"
    return str(int(year))
