"""The one writer of every file the app offers or the command line writes.

Rules, each tested:

- **No formula.** A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return would run as a formula in a spreadsheet (CSV injection, OWASP). In a CSV it is
  prefixed with an apostrophe (:func:`neutralize`), which the register's CSV reader removes
  (:func:`unneutralize`: a version exported and imported again is unchanged); in an XLSX it is
  written as a text cell with Excel's « quote prefix » (shown as typed, never evaluated, not
  even once edited).
- **French spreadsheets.** CSV in UTF-8 with a BOM (Excel reads the accents), ``;`` between
  cells, a decimal comma, CRLF line ends. XLSX with typed cells: numbers (years, counts,
  amounts) as numbers, codes (INSEE, départements) as text, dates as dates.
- **Fiction says so.** A table of a fictional register gets a ``Fictif`` column set to « oui »
  on every row, its file name ends in ``_FICTIF`` and the workbook's title says it.
- **A file on disk is written whole or not at all** (:func:`write_bytes`): a temporary sibling
  renamed into place, and a French :class:`WriteError` naming the folder when it cannot be.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from atelierflash.texte import normalize_key, os_reason

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FICTION_COLUMN = "Fictif"
FICTION_WARNING = (
    "Données de démonstration fictives : ces ateliers sont inventés (communes réelles) et "
    "aucun n'est un Atelier Flash réel."
)
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DATE_FORMAT = "DD/MM/YYYY"
_XLSX_MAX_CELL = 32_767  # Excel's limit on the characters of one cell


class WriteError(OSError):
    """A file cannot be written; ``str()`` is a French message saying what to do."""


def neutralize(value: object) -> object:
    r"""Prefix a text that a spreadsheet would read as a formula with an apostrophe.

    A text that already begins with apostrophes before a formula character gets one more, so
    that :func:`unneutralize` (applied by the register's CSV reader) gives back exactly the
    text written: an exported version imported again changes nothing.

    Examples
    --------
    >>> neutralize('=HYPERLINK("http://evil.example")')
    '\'=HYPERLINK("http://evil.example")'
    >>> neutralize("Doullens"), neutralize(-3), neutralize("'=x"), neutralize("l'an")
    ('Doullens', -3, "''=x", "l'an")
    """
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unneutralize(text: str) -> str:
    r"""The text a CSV cell stands for: one apostrophe before a formula character removed.

    The inverse of :func:`neutralize`. An apostrophe typed before ``=``, ``+``, ``-``, ``@``
    (or a tab, a carriage return) is the spreadsheets' way of saying « text, not formula »:
    it is not part of the text, and a spreadsheet shows the cell without it (as the XLSX
    reader reads a quote-prefixed cell). Any other apostrophe is text and stays.

    Examples
    --------
    >>> unneutralize("'=HYPERLINK(1)"), unneutralize("''=x"), unneutralize("'Doullens'")
    ('=HYPERLINK(1)', "'=x", "'Doullens'")
    """
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def is_formula_like(value: object) -> bool:
    """Whether a cell's text would start a formula (what a download must never contain)."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def file_name(stem: str, extension: str, *, fictif: bool = False) -> str:
    """``ateliers_2024.csv``, or ``ateliers_2024_FICTIF.csv`` for a fictional register."""
    if fictif and not stem.endswith("_FICTIF"):
        stem += "_FICTIF"
    return f"{stem}.{extension}"


def _with_fiction(table: pd.DataFrame, fictif: bool) -> pd.DataFrame:
    _check_table(table)
    # A register spells its column its own way (« FICTIF », « Fictif ? »): it is the mark.
    if not fictif or any(normalize_key(c) == "fictif" for c in table.columns):
        return table
    return table.assign(**{FICTION_COLUMN: "oui"})


def _check_table(table: object) -> None:
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table doit être un pandas.DataFrame, pas {type(table).__name__}.")


def _plain(value: object) -> object:
    """A cell as a spreadsheet value: tuples joined, booleans in French, missing as empty."""
    if hasattr(value, "item") and not isinstance(value, str | pd.Timestamp):  # numpy scalars
        value = value.item()
    if isinstance(value, tuple | list):
        return " ; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def csv_bytes(table: pd.DataFrame, *, fictif: bool = False) -> bytes:
    """The CSV of ``table`` for French spreadsheets.

    Parameters
    ----------
    table : pandas.DataFrame
        Headers as they should read (French); any cell type.
    fictif : bool
        Mark every row as fictional (a ``Fictif`` column).

    Returns
    -------
    bytes
        UTF-8 with BOM, ``;`` separator, decimal comma, CRLF; formula-like text neutralised.
    """
    import csv

    frame = _with_fiction(table, fictif)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralize(str(c)) for c in frame.columns])
    for record in frame.itertuples(index=False):
        writer.writerow([_csv_cell(v) for v in record])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_cell(value: object) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)  # a number, even negative: not a formula
    if isinstance(value, float):
        return repr(value).replace(".", ",") if not value.is_integer() else str(int(value))
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(neutralize(str(value)))


def xlsx_bytes(
    table: pd.DataFrame,
    *,
    fictif: bool = False,
    sheet: str = "Données",
    title: str = "",
    more: Mapping[str, pd.DataFrame] | None = None,
) -> bytes:
    """The XLSX workbook of ``table``: one sheet (and ``more``), typed cells, header row frozen.

    Parameters
    ----------
    table : pandas.DataFrame
    fictif : bool
        Mark every row as fictional (a ``Fictif`` column) and say so in the workbook's title.
    sheet : str
        Name of the sheet (cut to Excel's 31 characters).
    title : str
        The workbook's title property.
    more : mapping of str to pandas.DataFrame, optional
        Further sheets (name → table) after the first, written the same way (a register
        version's « Actions » sheet).

    Returns
    -------
    bytes
        Integers and decimals as numbers, dates as dates (``JJ/MM/AAAA``), every text as a text
        cell (an INSEE code keeps its leading zero; a text that looks like a formula is never
        evaluated). A text over Excel's 32 767 characters per cell is cut, with « … ».
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.properties.title = (title + (" – données fictives" if fictif else "")).strip(" –")
    if fictif:
        book.properties.description = FICTION_WARNING
    for index, (name, part) in enumerate({sheet: table, **dict(more or {})}.items()):
        ws = book.active if index == 0 else book.create_sheet()
        ws.title = _sheet_title(name)
        _fill_sheet(ws, _with_fiction(part, fictif), get_column_letter)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _fill_sheet(ws, frame: pd.DataFrame, get_column_letter) -> None:
    ws.append([str(c) for c in frame.columns])
    for record in frame.itertuples(index=False):
        ws.append([_xlsx_value(v) for v in record])
    for row in ws.iter_rows(min_row=1):
        for cell in row:
            if isinstance(cell.value, str):
                # A text cell, even when it starts with « = »: openpyxl would store a formula.
                cell.data_type = "s"
                if is_formula_like(cell.value):
                    cell.quotePrefix = True
            elif isinstance(cell.value, dt.date):
                cell.number_format = _DATE_FORMAT
    ws.freeze_panes = "A2"
    for index, column in enumerate(frame.columns, start=1):
        width = max([len(str(column)), *(len(str(v)) for v in frame.iloc[:200, index - 1])])
        ws.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)


def _sheet_title(name: str) -> str:
    cleaned = "".join("-" if c in "[]:*?/\\" else c for c in str(name)).strip() or "Données"
    return cleaned[:31]


def _xlsx_value(value: object) -> object:
    value = _plain(value)
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, int | float | dt.date):
        return value
    text = str(value)
    if len(text) > _XLSX_MAX_CELL:
        text = text[: _XLSX_MAX_CELL - 1] + "…"
    # Control characters other than tab and line breaks are not allowed in XLSX.
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 32)


def rows_of_xlsx(data: bytes) -> list[list[object]]:
    """The cell values of a workbook's first sheet (tests and round-trips)."""
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    return [list(row) for row in ws.iter_rows(values_only=True)]


def rows_of_csv(data: bytes) -> list[list[str]]:
    """The cells of a CSV written by :func:`csv_bytes`."""
    import csv

    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def check_target(path: str | os.PathLike) -> Path:
    """Check that ``path`` can be a file written by :func:`write_bytes`, before any long work.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    pathlib.Path

    Raises
    ------
    WriteError
        When ``path`` is a folder, or its folder is missing or a plain file: a French message
        naming the path and what to do.
    """
    path = Path(path)
    if path.is_dir():
        raise WriteError(f"{path} est un dossier : donnez le chemin d'un fichier à écrire.")
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        raise WriteError(
            f"{folder} n'est pas un dossier mais un fichier : choisissez un chemin dans un "
            "dossier (le fichier existant n'a pas été modifié)."
        )
    if not folder.is_dir():
        raise WriteError(f"Le dossier {folder} n'existe pas : créez-le ou choisissez-en un autre.")
    return path


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole or not at all: every file the project writes on disk.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; its folder must exist (see :func:`check_target`).
    data : bytes

    Returns
    -------
    pathlib.Path

    Raises
    ------
    TypeError
        When ``data`` is not bytes.
    WriteError
        When the folder is missing, a plain file or not writable, or ``path`` is a folder: a
        French message naming the path and what to do. Nothing is left behind.
    """
    if not isinstance(data, bytes | bytearray):
        raise TypeError(f"data doit être des bytes, pas {type(data).__name__}.")
    path = check_target(path)
    folder = path.parent
    try:
        handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise WriteError(
            f"Impossible d'écrire dans le dossier {folder} ({os_reason(exc)}) : choisissez un "
            "dossier où vous avez le droit d'écrire."
        ) from exc
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o644)  # mkstemp's file is private; a written file is meant to be shared
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise WriteError(
            f"Impossible d'écrire {path} ({os_reason(exc)}) : libérez de la place ou choisissez "
            "un autre chemin."
        ) from exc
    return path


def formula_cells(data: bytes, kind: str) -> list[object]:
    """Cells of a written file that a spreadsheet would evaluate (should always be empty).

    ``kind`` is ``"csv"``, ``"xlsx"`` or ``"geojson"``. For an XLSX, a formula cell, or a
    formula-like text without the quote prefix, counts.
    """
    if kind == "csv":
        return [c for row in rows_of_csv(data) for c in row if is_formula_like(c)]
    if kind == "xlsx":
        from openpyxl import load_workbook

        found = []
        for ws in load_workbook(io.BytesIO(data)).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type == "f" or (
                        is_formula_like(cell.value) and not cell.quotePrefix
                    ):
                        found.append(cell.value)
        return found
    if kind == "geojson":
        import json

        found = []
        for feature in json.loads(data.decode("utf-8")).get("features", []):
            found.extend(v for v in feature.get("properties", {}).values() if is_formula_like(v))
        return found
    raise ValueError(f"type de fichier inconnu : {kind!r} (attendu csv, xlsx ou geojson)")
