"""Reading an XLSX register into a :class:`~atelierflash.registre.grille.Grid`.

Typed cells become the text the person meant (a département typed as the number 7 becomes
"07", a date formatted as a month becomes ``2024-03``); nothing is evaluated. openpyxl parses
through defusedxml, after :mod:`atelierflash.registre.controle` has checked the archive.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from pathlib import Path

from atelierflash.registre.colonnes import REGISTER, ColumnSet
from atelierflash.registre.controle import (
    CSV_SUFFIXES,
    MAX_LINES,
    RegisterFileError,
    check_register_file,
    too_many_lines,
)
from atelierflash.registre.grille import Grid, clean_text
from atelierflash.texte import normalize_key

_DATE_FORMAT_NOISE = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _is_month_format(number_format: str | None) -> bool:
    """Whether an Excel date format shows no day ("mmm yyyy", "mm/aaaa")."""
    if not number_format:
        return False
    pattern = _DATE_FORMAT_NOISE.sub("", number_format).lower()
    # French Excel writes "aaaa"/"jj" in some files; openpyxl keeps the stored codes.
    return (
        "d" not in pattern
        and "j" not in pattern
        and "m" in pattern
        and any(y in pattern for y in ("y", "a"))
    )


def _pad_number(value: int, column: str | None) -> str:
    """A typed integer as the code the person meant (leading zeros lost by the spreadsheet)."""
    if column == "communes_insee" and 1000 <= value <= 9999:
        return f"{value:05d}"
    if column == "departement" and 0 <= value <= 9:
        return f"{value:02d}"
    if column == "epci_siren" and 0 <= value < 10**9:
        return f"{value:09d}"
    return str(value)


def _xlsx_text(value: object, number_format: str | None, column: str | None) -> str:
    """Convert a typed XLSX cell to the text the person meant."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.datetime | dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        return day.strftime("%Y-%m") if _is_month_format(number_format) else day.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, float):
        if not (math.isfinite(value) and value.is_integer()):
            return repr(value)
        value = int(value)
    if isinstance(value, int):
        return _pad_number(value, column)
    return clean_text(str(value))


def read_xlsx(path: Path, sheet: str | None, columns: ColumnSet = REGISTER) -> tuple[Grid, str]:
    """Read one sheet of an XLSX file (the first by default): its grid and the sheet's name.

    ``columns``: the table's declared columns (the register's by default), whose names say how
    a typed number reads back (a code's leading zeros).
    """
    return _with_workbook(path, lambda load: _read_workbook(load, path, sheet, columns))


def sheet_names(path: str | os.PathLike) -> list[str]:
    """The sheets of an XLSX workbook, in order (``[]`` for a CSV file).

    Raises
    ------
    RegisterFileError
        As :func:`atelierflash.registre.read_register` (the same checks before any XML is
        parsed).
    """
    path = check_register_file(path)
    if path.suffix.lower() in CSV_SUFFIXES:
        return []

    def names(load_workbook) -> list[str]:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            return list(workbook.sheetnames)
        finally:
            workbook.close()

    return _with_workbook(path, names)


def _with_workbook(path: Path, read):
    """Run ``read(openpyxl.load_workbook)``; any failure becomes a French RegisterFileError."""
    # Imported here: reading a CSV register does not need openpyxl.
    import openpyxl
    from defusedxml import DefusedXmlException
    from openpyxl.utils.exceptions import InvalidFileException

    # openpyxl parses through defusedxml when it is installed (a pinned dependency) unless
    # OPENPYXL_DEFUSEDXML says otherwise: refuse to parse without it.
    if not openpyxl.DEFUSEDXML:
        raise RegisterFileError(
            f"{path.name} : lecture des classeurs XLSX désactivée : openpyxl n'utilise pas "
            "defusedxml (variable OPENPYXL_DEFUSEDXML ?)",
            path=path,
        )

    try:
        return read(openpyxl.load_workbook)
    except RegisterFileError:
        raise
    except Exception as exc:
        if _caused_by(exc, DefusedXmlException):
            # openpyxl wraps the refusal of defusedxml in its own ValueError.
            message = (
                "classeur refusé : son XML déclare des entités ou une DTD, qu'aucun tableur "
                "n'écrit ; enregistrez le registre dans un nouveau classeur"
            )
        else:
            # Past the archive checks, a broken workbook fails anywhere inside openpyxl
            # (truncated XML, missing part, odd cell): the reason, never a traceback.
            detail = (
                exc if isinstance(exc, InvalidFileException) else f"{type(exc).__name__} : {exc}"
            )
            message = (
                "classeur XLSX illisible ou endommagé : ouvrez-le dans un tableur et "
                f"enregistrez-le à nouveau (détail : {detail})"
            )
        raise RegisterFileError(f"{path.name} : {message}", path=path) from exc


def _caused_by(exc: BaseException, kind: type) -> bool:
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, kind):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _read_workbook(
    load_workbook, path: Path, sheet: str | None, columns: ColumnSet = REGISTER
) -> tuple[Grid, str]:
    name = path.name
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        names = workbook.sheetnames
        if sheet is None:
            sheet_name = names[0]
        elif sheet in names:
            sheet_name = sheet
        else:
            close = [n for n in names if normalize_key(n) == normalize_key(sheet)]
            if len(close) != 1:
                listed = ", ".join(f"« {n} »" for n in names)
                raise RegisterFileError(
                    f"{name} : feuille « {sheet} » introuvable (feuilles du classeur : {listed})",
                    path=path,
                )
            sheet_name = close[0]
        worksheet = workbook[sheet_name]
        # Some writers store a wrong dimension; without it rows are read as they are.
        worksheet.reset_dimensions()
        header: list[str] | None = None
        header_line = 0
        canonical: list[str | None] = []
        records: list[tuple[int, list[str]]] = []
        for line, row in enumerate(worksheet.iter_rows(), start=1):
            if line > MAX_LINES:
                # The archive's size is bounded (controle), not its rows: stop at the limit.
                raise too_many_lines(name, path)
            if header is None:
                cells = [_xlsx_text(c.value, getattr(c, "number_format", None), None) for c in row]
                if any(cells):
                    header, header_line = cells, line
                    canonical = [columns.column_for_header(h) for h in header]
                continue
            cells = [
                _xlsx_text(
                    cell.value,
                    getattr(cell, "number_format", None),
                    canonical[i] if i < len(canonical) else None,
                )
                for i, cell in enumerate(row)
            ]
            if any(cells):
                records.append((line, cells))
    finally:
        workbook.close()
    if header is None:
        raise RegisterFileError(
            f"{name} : feuille « {sheet_name} » vide : aucune ligne d'en-tête", path=path
        )
    return Grid(header_line, header, records, "letter"), sheet_name
