"""Text normalisation shared by header matching, vocabularies and commune names."""

from __future__ import annotations

import re
import unicodedata

# Ligatures that NFKD does not decompose but French spreadsheets contain ("Ville en Œuvre").
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# Regular expressions rather than per-character Python: the référentiel has 75 000 names.
_COMBINING = re.compile(r"[\u0300-\u036f]+")


def normalize_key(text: object) -> str:
    """Return a comparison key: lower case, no accents, punctuation runs as one space.

    Parameters
    ----------
    text : object
        Any value; ``None`` gives an empty key.

    Returns
    -------
    str
        ``"Année de sélection"`` → ``"annee de selection"``; ``"Code(s) INSEE"`` → ``"code s insee"``.
    """
    if text is None:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_LIGATURES).casefold())
    return _NON_ALNUM.sub(" ", _COMBINING.sub("", decomposed)).strip()


def cell_text(value: object) -> str:
    """A register cell as text: the string itself, ``""`` for a missing value.

    Parameters
    ----------
    value : object
        A cell of ``Dataset.ateliers`` (a string, ``None`` or a missing float).

    Returns
    -------
    str

    Examples
    --------
    >>> cell_text("Doullens"), cell_text(None), cell_text(float("nan"))
    ('Doullens', '', '')
    """
    return value if isinstance(value, str) else ""
