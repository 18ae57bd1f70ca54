"""Reading a register file (CSV or XLSX) into text cells: :func:`read_register`.

:func:`read_register` only reads: every cell becomes the text the person meant (typed XLSX cells
are converted back to text), nothing is evaluated, and every row keeps its line in the file.
It checks the file first (:mod:`atelierflash.registre.controle`), reads it into a grid
(:mod:`atelierflash.registre.lecture_csv`, :mod:`atelierflash.registre.lecture_xlsx`), then
checks the header against the declared columns (:mod:`atelierflash.registre.colonnes`).
Checking values is the job of :mod:`atelierflash.validation`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from atelierflash.registre import demarches
from atelierflash.registre.colonnes import LINE_COLUMN, REGISTER, ColumnSet
from atelierflash.registre.controle import CSV_SUFFIXES, RegisterFileError, check_register_file
from atelierflash.registre.grille import Grid, column_ref
from atelierflash.registre.lecture_csv import read_csv
from atelierflash.registre.lecture_xlsx import read_xlsx
from atelierflash.texte import os_reason


# ---------------------------------------------------------------------------------------------
@dataclass
class RegisterTable:
    r"""A register as read from its file: text cells, line numbers, header mapping.

    Attributes
    ----------
    path : pathlib.Path
    format : str
        ``"csv"`` or ``"xlsx"``.
    encoding : str or None
        ``"utf-8"``, ``"utf-8-sig"`` (with BOM), ``"utf-16"`` or ``"cp1252"``; ``None`` for XLSX.
    separator : str or None
        ``","``, ``";"`` or ``"\t"``; ``None`` for XLSX.
    sheet : str or None
        The sheet read (XLSX only).
    rows : pandas.DataFrame
        One row per non-empty data row: the canonical columns present (registry order), then the
        unknown columns (file order, original header), all text (empty cell = ``""``), then
        ``line`` (int, the row's line in the file; the header is line 1 in a usual file).
    columns : tuple of str
        Canonical columns present, in registry order.
    unknown_columns : tuple of str
        Headers of the columns kept but not recognised, as named in ``rows``.
    header_map : dict of str to str
        Original header → canonical name, for the recognised columns.
    header_line : int
        The header's line in the file.
    demarches : bool
        Whether the file is a Démarches simplifiées export, read as candidatures
        (:mod:`atelierflash.registre.demarches`): its personal columns are not in ``rows``.
    """

    path: Path
    format: str
    encoding: str | None
    separator: str | None
    sheet: str | None
    rows: pd.DataFrame
    columns: tuple[str, ...]
    unknown_columns: tuple[str, ...]
    header_map: dict[str, str] = field(default_factory=dict)
    header_line: int = 1
    demarches: bool = False

    def __len__(self) -> int:
        return len(self.rows)


def read_register(path: str | os.PathLike, sheet: str | None = None) -> RegisterTable:
    """Read a register file into text cells with canonical column names.

    The header is the first non-empty row. Required columns: ``id``, ``titre`` and ``statut``
    (a file without them cannot be validated, so their absence is a file-level error), and at
    least one of ``communes_insee``, ``communes`` or ``epci_siren``. Unknown columns are kept.
    Completely empty rows are skipped; line numbers stay those of the file.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.csv`` (also ``.tsv``, ``.txt``) or ``.xlsx`` (``.xlsm``) file. CSV: UTF-8 with or
        without BOM, UTF-16 with BOM, else Windows-1252; separator ``,``, ``;`` or tab, detected.
    sheet : str, optional
        XLSX sheet to read (by name); the first sheet by default. Only for XLSX files.

    Returns
    -------
    RegisterTable

    Raises
    ------
    RegisterFileError
        Missing, empty or unreadable file, unsupported extension, unknown sheet, no header,
        two headers for one column, or a required column missing. The message is in French and
        names the file (and the line or column when relevant).
    """
    return read_table(path, REGISTER, sheet)


def read_table(
    path: str | os.PathLike, columns: ColumnSet, sheet: str | None = None
) -> RegisterTable:
    """Read a table of declared columns (see :func:`read_register`, which reads the register).

    Parameters
    ----------
    path : str or os.PathLike
        A ``.csv`` (``.tsv``, ``.txt``) or ``.xlsx`` (``.xlsm``) file.
    columns : ColumnSet
        The table's declared columns: headers are matched against them, required ones checked.
    sheet : str, optional
        XLSX sheet to read (by name, or by its :func:`normalize_key`); the first by default.

    Returns
    -------
    RegisterTable
        Text cells, line numbers and header mapping, as for the register.

    Raises
    ------
    RegisterFileError
        As :func:`read_register`, the required columns being those of ``columns``.
    """
    path = check_register_file(path, sheet)
    suffix = path.suffix.lower()
    try:
        if suffix in CSV_SUFFIXES:
            grid, encoding, separator = read_csv(path, columns)
            return _build_table(path, "csv", grid, encoding, separator, None, columns)
        grid, sheet_name = read_xlsx(path, sheet, columns)
        return _build_table(path, "xlsx", grid, None, None, sheet_name, columns)
    except PermissionError as exc:
        raise RegisterFileError(
            f"{path.name} : lecture refusée ({os_reason(exc)})", path=path
        ) from exc
    except OSError as exc:
        raise RegisterFileError(
            f"{path.name} : fichier illisible ({os_reason(exc)})", path=path
        ) from exc


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name} ({n})", n + 1
    taken.add(candidate)
    return candidate


def _build_table(
    path: Path,
    fmt: str,
    grid: Grid,
    encoding: str | None,
    separator: str | None,
    sheet: str | None,
    columns: ColumnSet = REGISTER,
) -> RegisterTable:
    name = path.name
    by_name = columns.by_name
    origins: dict[str, str] | None = None
    if columns is REGISTER and demarches.is_export(grid.header):
        header, records, origins = demarches.to_register(grid.header, grid.records)
        grid = Grid(grid.header_line, header, records, grid.column_ref)
    width = max([len(grid.header), *(len(cells) for _, cells in grid.records)])
    header = grid.header + [""] * (width - len(grid.header))

    def has_data(index: int) -> bool:
        return any(index < len(cells) and cells[index] for _, cells in grid.records)

    # 1. Which column each position feeds.
    seen: dict[str, int] = {}
    targets: list[str | None] = []  # canonical or kept unknown name; None = dropped
    header_map: dict[str, str] = {}
    unknown: list[str] = []
    taken = {c.name for c in columns.columns} | {LINE_COLUMN}
    for index, text in enumerate(header):
        canonical = columns.column_for_header(text) if text else None
        if canonical is not None:
            if canonical in seen:
                first = seen[canonical]
                raise RegisterFileError(
                    f"{name} : les colonnes « {header[first]} » "
                    f"({column_ref(first, grid.column_ref)}) et « {text} » "
                    f"({column_ref(index, grid.column_ref)}) désignent toutes deux "
                    f"« {canonical} » ({by_name[canonical].label_fr}) : "
                    "gardez-en une seule ou renommez l'autre",
                    path=path,
                    line=grid.header_line,
                    column=canonical,
                )
            seen[canonical] = index
            header_map[text] = canonical
            targets.append(canonical)
        elif text:
            kept = _unique(text, taken)
            unknown.append(kept)
            targets.append(kept)
        elif has_data(index):
            # A column of values without a header: kept, so that nothing typed is lost silently.
            kept = _unique(f"sans titre ({column_ref(index, grid.column_ref)})", taken)
            unknown.append(kept)
            targets.append(kept)
        else:
            targets.append(None)  # trailing separators, formatted but empty spreadsheet columns

    # 2. Required columns.
    problems: list[str] = []
    missing = [c for c in columns.required if c not in seen]
    if missing:
        listed = " ; ".join(f"« {c} » ({by_name[c].aliases_display()})" for c in missing)
        word = (
            "colonne obligatoire absente"
            if len(missing) == 1
            else ("colonnes obligatoires absentes")
        )
        problems.append(f"{word} : {listed}")
    if columns.one_of and not any(c in seen for c in columns.one_of):
        listed = ", ".join(f"« {c} » ({by_name[c].aliases_display()})" for c in columns.one_of)
        problems.append(f"{columns.one_of_reason} : il faut au moins l'une des colonnes {listed}")
    if problems:
        read = ", ".join(f"« {h} »" for h in grid.header if h) or "aucune"
        raise RegisterFileError(
            f"{name} : " + " ; ".join(problems) + f". Colonnes lues : {read}.",
            path=path,
            line=grid.header_line,
            column=missing[0] if missing else columns.one_of[0],
        )

    if origins is not None:
        # Messages and diffs name the export's own headers (« Déposé le »).
        header_map = {origins.get(c, c): c for c in header_map.values()}

    # 3. The frame: canonical columns in registry order, then unknown ones, then the line.
    present = tuple(c.name for c in columns.columns if c.name in seen)
    data: dict[str, list] = {c: [] for c in (*present, *unknown)}
    lines: list[int] = []
    for line, cells in grid.records:
        for index, target in enumerate(targets):
            if target is not None:
                data[target].append(cells[index] if index < len(cells) else "")
        lines.append(line)
    frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in data.items()})
    frame[LINE_COLUMN] = pd.Series(lines, dtype="int64")
    return RegisterTable(
        path=path,
        format=fmt,
        encoding=encoding,
        separator=separator,
        sheet=sheet,
        rows=frame,
        columns=present,
        unknown_columns=tuple(unknown),
        header_map=header_map,
        header_line=grid.header_line,
        demarches=origins is not None,
    )


# ---------------------------------------------------------------------------------------------
