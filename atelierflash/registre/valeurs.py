"""The parsers of register cell values, pure and without pandas.

:mod:`atelierflash.validation` uses them (:func:`parse_year`, :func:`parse_date`,
:func:`parse_dates`, :func:`parse_amount`, :func:`parse_bool_fr`, :func:`split_values`); each
raises ``ValueError`` with a French message meant to follow "colonne X :".
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import total_ordering

from atelierflash.texte import normalize_key


def _text(text: str | None, function: str) -> str:
    """The stripped text of a parser's argument; ``None`` gives ``""``."""
    if text is None:
        return ""
    if not isinstance(text, str):
        raise TypeError(f"{function} attend du texte, pas {type(text).__name__}")
    return text.strip()


_SPLIT = re.compile(r"[;|,\n\r]+")
_SPLIT_NO_COMMA = re.compile(r"[;|\n\r]+")


def split_values(text: str | None, *, commas: bool = True) -> list[str]:
    """Split a multi-valued cell into its values.

    Parameters
    ----------
    text : str or None
        The cell; values are separated by ``;``, ``|``, ``,`` or line breaks. Hyphens are not
        separators ("Saint-Denis" stays whole).
    commas : bool, default True
        Whether a comma separates values. Pass ``False`` for columns whose values may contain a
        comma (the theme « Protection, restauration et gestion de l'écosystème terrestre… »).

    Returns
    -------
    list of str
        The stripped, non-empty values, in order.
    """
    cleaned = _text(text, "split_values")
    pattern = _SPLIT if commas else _SPLIT_NO_COMMA
    return [part.strip() for part in pattern.split(cleaned) if part.strip()]


_YEAR = re.compile(r"(\d{4})(?:[.,]0+)?")


def parse_year(text: str | None) -> int | None:
    """Parse a year.

    Parameters
    ----------
    text : str or None
        "2022", or "2022.0" as a spreadsheet may write it.

    Returns
    -------
    int or None
        ``None`` for an empty cell.

    Raises
    ------
    ValueError
        « année invalide : « 22 » (attendu AAAA, par exemple 2022) ».
    """
    cleaned = _text(text, "parse_year")
    if not cleaned:
        return None
    match = _YEAR.fullmatch(cleaned)
    if match is None:
        raise ValueError(f"année invalide : « {cleaned} » (attendu AAAA, par exemple 2022)")
    return int(match.group(1))


@total_ordering
@dataclass(frozen=True)
class PartialDate:
    """A date known to the day or only to the month ("2023-08").

    Ordering follows the calendar; a month sorts before the days of that month.

    Attributes
    ----------
    year, month : int
    day : int or None
        ``None`` for a month-precision date.
    """

    year: int
    month: int
    day: int | None = None

    def __post_init__(self) -> None:
        try:
            dt.date(self.year, self.month, self.day or 1)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"date impossible : année {self.year}, mois {self.month}, jour {self.day}"
            ) from exc

    @property
    def precision(self) -> str:
        """``"jour"`` or ``"mois"``."""
        return "mois" if self.day is None else "jour"

    def first_day(self) -> dt.date:
        """The date itself, or the first day of its month."""
        return dt.date(self.year, self.month, self.day or 1)

    def last_day(self) -> dt.date:
        """The date itself, or the last day of its month."""
        if self.day is not None:
            return dt.date(self.year, self.month, self.day)
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def iso(self) -> str:
        """``"2023-08"`` or ``"2023-08-15"``."""
        month = f"{self.year:04d}-{self.month:02d}"
        return month if self.day is None else f"{month}-{self.day:02d}"

    def display(self) -> str:
        """French form: ``"08/2023"`` or ``"15/08/2023"``."""
        month = f"{self.month:02d}/{self.year:04d}"
        return month if self.day is None else f"{self.day:02d}/{month}"

    def __str__(self) -> str:
        return self.iso()

    def _key(self) -> tuple[int, int, int]:
        return (self.year, self.month, self.day or 0)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self._key() < other._key()


# A time after the day is ignored; Démarches simplifiées writes « 2026-03-12 14:03:22 +0100 ».
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?: ?(?:Z|[+-]\d{2}:?\d{2}))?)?"
_YEAR_FIRST = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME)
_DAY_FIRST = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})" + _TIME)
_MONTH_YEAR_FIRST = re.compile(r"(\d{4})-(\d{1,2})")
_MONTH_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{4})")
# Matched on normalize_key() text: "1er août 2023" → "1er aout 2023".
_WORDS = re.compile(r"(?:(\d{1,2})(?:er)? )?([a-z]+) (\d{4})")
_MONTH_NAMES = {
    "janvier": 1,
    "janv": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}


def _date_error(text: str) -> ValueError:
    return ValueError(f"date invalide : « {text} » (attendu JJ/MM/AAAA, AAAA-MM-JJ ou MM/AAAA)")


def parse_date(text: str | None) -> PartialDate | None:
    """Parse a date to the day or to the month.

    Parameters
    ----------
    text : str or None
        Day precision: "29/01/2024", "9/1/2024" (also with "-" or "."), "2024-01-29",
        "2024-01-29T10:00:00", "29 janvier 2024". Month precision: "2023-08", "08/2023",
        "8/2023", "août 2023".

    Returns
    -------
    PartialDate or None
        ``None`` for an empty cell.

    Raises
    ------
    ValueError
        « date invalide : « 31/02/2023 » (attendu JJ/MM/AAAA, AAAA-MM-JJ ou MM/AAAA) », for an
        unknown format as for an impossible date.
    """
    cleaned = _text(text, "parse_date")
    if not cleaned:
        return None
    parts: tuple[int, int, int | None] | None = None
    if match := _YEAR_FIRST.fullmatch(cleaned):
        parts = (int(match.group(1)), int(match.group(3)), int(match.group(4)))
    elif match := _DAY_FIRST.fullmatch(cleaned):
        parts = (int(match.group(4)), int(match.group(3)), int(match.group(1)))
    elif match := _MONTH_YEAR_FIRST.fullmatch(cleaned):
        parts = (int(match.group(1)), int(match.group(2)), None)
    elif match := _MONTH_DAY_FIRST.fullmatch(cleaned):
        parts = (int(match.group(2)), int(match.group(1)), None)
    elif (match := _WORDS.fullmatch(normalize_key(cleaned))) and match.group(2) in _MONTH_NAMES:
        day = int(match.group(1)) if match.group(1) else None
        parts = (int(match.group(3)), _MONTH_NAMES[match.group(2)], day)
    if parts is None:
        raise _date_error(cleaned)
    try:
        return PartialDate(*parts)
    except ValueError:
        raise _date_error(cleaned) from None


def parse_dates(text: str | None) -> list[PartialDate]:
    """Parse a cell holding several dates ("2024-01-29; 2024-01-30").

    Parameters
    ----------
    text : str or None
        Dates separated by ``;``, ``|``, ``,`` or line breaks.

    Returns
    -------
    list of PartialDate
        In the cell's order; empty for an empty cell.

    Raises
    ------
    ValueError
        The message of :func:`parse_date` for the first invalid date.
    """
    dates = []
    for part in split_values(_text(text, "parse_dates")):
        parsed = parse_date(part)
        if parsed is not None:
            dates.append(parsed)
    return dates


_CURRENCY = re.compile(r"^(?:€|eur)\s*|\s*(?:€|eur|euros?|ht)\.?$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")  # \s covers the non-breaking (\u00a0) and thin (\u202f) spaces


def _amount_error(text: str) -> ValueError:
    return ValueError(
        f"montant invalide : « {text} » (attendu un nombre d'euros, par exemple 20 000 ou "
        "20 000,00 €)"
    )


def parse_amount(text: str | None) -> float | None:
    """Parse an amount in euros.

    Parameters
    ----------
    text : str or None
        "20 000,00 €", "20000", "20 000 €", "20.000,50", "20,000.50", "20000.5"; thousands
        may be grouped with regular, non-breaking or thin spaces. A single "," or "." followed
        by exactly three digits ("20,000") is ambiguous and refused.

    Returns
    -------
    float or None
        ``None`` for an empty cell.

    Raises
    ------
    ValueError
        Negative, ambiguous or non-numeric amount (French message).
    """
    original = _text(text, "parse_amount")
    if not original:
        return None
    cleaned = _SPACES.sub(" ", original)
    previous = None
    while previous != cleaned:  # "20 000 € HT": strip the unit words one by one
        previous, cleaned = cleaned, _CURRENCY.sub("", cleaned).strip()
    if cleaned.startswith(("-", "−")):
        raise ValueError(f"montant négatif : « {original} »")
    if not cleaned or not re.fullmatch(r"[\d ,.]+", cleaned):
        raise _amount_error(original)
    commas, dots = cleaned.count(","), cleaned.count(".")
    decimal: str | None = None
    thousands: str | None = None
    if commas and dots:
        decimal = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        if cleaned.count(decimal) != 1:
            raise _amount_error(original)
    elif commas + dots == 1:
        decimal = "," if commas else "."
        integer, fraction = cleaned.split(decimal)
        if len(fraction) == 3 and re.fullmatch(r"\d{1,3}", integer):
            raise ValueError(
                f"montant ambigu : « {original} » (séparateur de milliers ou de décimales ? "
                "écrivez par exemple 20 000 ou 20 000,00)"
            )
    elif commas or dots:
        thousands = "," if commas else "."
    integer, _, fraction = cleaned.partition(decimal) if decimal else (cleaned, "", "")
    if fraction and not re.fullmatch(r"\d+", fraction):
        raise _amount_error(original)
    group = re.escape(thousands) if thousands else " "
    if not re.fullmatch(rf"\d+|\d{{1,3}}(?:{group}\d{{3}})+", integer):
        raise _amount_error(original)
    digits = re.sub(r"\D", "", integer)
    return float(f"{digits}.{fraction or '0'}")


_TRUE = frozenset({"oui", "o", "true", "vrai", "1", "x", "yes", "y"})
_FALSE = frozenset({"non", "n", "false", "faux", "0", "no"})


def parse_bool_fr(text: str | None) -> bool | None:
    """Parse a yes/no cell.

    Parameters
    ----------
    text : str or None
        oui/non, o/n, vrai/faux, true/false, 1/0, or « x » for oui (a ticked box);
        case- and accent-insensitive.

    Returns
    -------
    bool or None
        ``None`` for an empty cell.

    Raises
    ------
    ValueError
        « valeur invalide : « peut-être » (attendu oui ou non) ».
    """
    cleaned = _text(text, "parse_bool_fr")
    if not cleaned:
        return None
    key = normalize_key(cleaned)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"valeur invalide : « {cleaned} » (attendu oui ou non)")
