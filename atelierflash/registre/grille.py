"""The raw reading of a register file: a grid of text cells with their lines.

The CSV reader (:mod:`atelierflash.registre.lecture_csv`) and the XLSX reader
(:mod:`atelierflash.registre.lecture_xlsx`) each produce a :class:`Grid`;
:mod:`atelierflash.registre.lecture` checks its header and builds the table from it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass
class Grid:
    """The raw reading of a file, before header checks."""

    header_line: int
    header: list[str]
    records: list[tuple[int, list[str]]]  # (line, cells) of non-empty data rows
    column_ref: str  # "number" (CSV) or "letter" (XLSX), for messages


def clean_text(text: str) -> str:
    """The cell's text, NFC-normalised and stripped."""
    # NFC so that a name typed on a Mac (decomposed accents) equals the same name typed elsewhere.
    return unicodedata.normalize("NFC", text).strip()


def column_ref(index: int, style: str) -> str:
    """How a message names the column at ``index`` (0-based): ``colonne 3`` or ``colonne C``."""
    if style == "letter":
        from openpyxl.utils import get_column_letter

        return f"colonne {get_column_letter(index + 1)}"
    return f"colonne {index + 1}"
