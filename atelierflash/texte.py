"""Text normalisation shared by header matching, vocabularies and commune names."""

from __future__ import annotations

import re
import unicodedata

# Ligatures that NFKD does not decompose but French spreadsheets contain ("Ville en Œuvre").
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


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
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_LIGATURES))
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return _NON_ALNUM.sub(" ", ascii_text).strip()
