"""Reading a register file (CSV or XLSX) into text cells, and parsing cell values.

The register's columns are declared once, in :data:`COLUMNS`: canonical name, French label,
accepted header spellings (aliases) and description. Headers are matched with
:func:`normalize_key` (case-, accent-, space- and punctuation-insensitive), so "Année de
sélection", "ANNEE" and "année_de_selection" all designate ``annee``.

:func:`read_register` only reads: every cell becomes the text the person meant (typed XLSX cells
are converted back to text, e.g. a département typed as the number 7 becomes "07"), nothing is
evaluated, and every row keeps its line in the file. Checking values is the job of
:mod:`atelierflash.validation`, which uses the pure parsers defined here (:func:`parse_year`,
:func:`parse_date`, :func:`parse_dates`, :func:`parse_amount`, :func:`parse_bool_fr`,
:func:`split_values`); each raises ``ValueError`` with a French message meant to follow
"colonne X :".
"""

from __future__ import annotations

import calendar
import codecs
import csv
import datetime as dt
import io
import math
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import total_ordering
from pathlib import Path

import pandas as pd

# Re-exported: the same key serves header matching here and vocabularies elsewhere.
from atelierflash.fichier import (
    CSV_SUFFIXES,
    RegisterFileError,
    check_register_file,
)
from atelierflash.texte import normalize_key, os_reason

__all__ = [
    "COLUMNS",
    "COLUMNS_BY_NAME",
    "LOCATION_COLUMNS",
    "REGISTER",
    "REQUIRED_COLUMNS",
    "Column",
    "ColumnSet",
    "PartialDate",
    "RegisterFileError",
    "RegisterTable",
    "column_for_header",
    "normalize_key",
    "parse_amount",
    "parse_bool_fr",
    "parse_date",
    "parse_dates",
    "parse_year",
    "read_register",
    "read_table",
    "sheet_names",
    "split_values",
]


# ---------------------------------------------------------------------------------------------
# Column registry
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """One canonical column of the register.

    Attributes
    ----------
    name : str
        Canonical name, used as the DataFrame column name (``"communes_insee"``).
    label_fr : str
        French label for messages and templates.
    aliases : tuple of str
        Other accepted headers; matched through :func:`normalize_key`.
    description_fr : str
        What the column holds, in French.
    required : bool
        Whether a file without this column is refused.
    """

    name: str
    label_fr: str
    aliases: tuple[str, ...] = ()
    description_fr: str = ""
    required: bool = False

    def spellings(self) -> tuple[str, ...]:
        """Name, label and aliases: every header text that designates the column."""
        return (self.name, self.label_fr, *self.aliases)

    def aliases_display(self) -> str:
        """The aliases for a message, one per normalised key ("numéro" hides "numero")."""
        seen: dict[str, str] = {}
        for alias in self.aliases:
            seen.setdefault(normalize_key(alias), alias)
        return ", ".join(seen.values())


COLUMNS: tuple[Column, ...] = (
    Column(
        "id",
        "Identifiant",
        ("identifiant", "n°", "nº", "numéro", "numero"),
        "Identifiant unique et stable de l'atelier (par exemple AF-DOULLENS-2024).",
        required=True,
    ),
    Column(
        "titre",
        "Titre",
        ("intitulé", "intitulé de l'atelier", "nom de l'atelier", "titre de l'atelier"),
        "Intitulé de l'atelier.",
        required=True,
    ),
    Column(
        "annee",
        "Année",
        ("année", "millésime", "année de sélection"),
        "Année de sélection de l'atelier (AAAA).",
    ),
    Column(
        "statut",
        "Statut",
        ("état",),
        "Candidature, éligible, sélectionné, en cours, réalisé ou abandonné.",
        required=True,
    ),
    Column(
        "echelle",
        "Échelle",
        ("échelle",),
        "Bâtiment/îlot, communale ou intercommunale.",
    ),
    Column(
        "communes_insee",
        "Codes INSEE des communes",
        ("code insee", "codes insee", "code(s) insee", "code commune"),
        "Codes INSEE des communes concernées (5 caractères, séparés par « ; »).",
    ),
    Column(
        "communes",
        "Communes",
        ("commune", "commune(s)", "nom commune"),
        "Noms des communes concernées, séparés par « ; ».",
    ),
    Column(
        "departement",
        "Département",
        ("département", "dép", "dpt", "code département"),
        "Code du département (01, 2A, 974…), utile pour distinguer deux communes homonymes.",
    ),
    Column(
        "epci_siren",
        "EPCI (SIREN)",
        ("epci", "siren epci"),
        "SIREN de l'EPCI (9 chiffres), pour un atelier intercommunal.",
    ),
    Column(
        "themes",
        "Thèmes",
        ("thème", "thèmes", "thématique", "thématiques", "thématique(s)"),
        "Thèmes du programme, séparés par « ; ».",
    ),
    Column(
        "equipe",
        "Équipe",
        ("équipe", "groupement", "mandataire", "titulaire"),
        "Équipe (groupement titulaire de l'accord-cadre) chargée de l'atelier.",
    ),
    Column(
        "accord_cadre",
        "Accord-cadre",
        ("accord-cadre",),
        "Accord-cadre sous lequel le bon de commande est émis.",
    ),
    Column(
        "date_bon_commande",
        "Date du bon de commande",
        ("date bc", "date du bon de commande"),
        "Date d'émission du ou des bons de commande (JJ/MM/AAAA, séparées par « ; »).",
    ),
    Column(
        "motif_derogation",
        "Motif de dérogation",
        ("motif", "motif hors tour"),
        "Motif documenté lorsqu'un titulaire est passé hors tour (défaillance, refus, conflit "
        "d'intérêts).",
    ),
    Column(
        "date_debut",
        "Date de début",
        ("début", "date de début"),
        "Début de l'atelier (JJ/MM/AAAA ou MM/AAAA).",
    ),
    Column(
        "date_fin",
        "Date de fin",
        ("fin", "date de fin"),
        "Fin de l'atelier (JJ/MM/AAAA ou MM/AAAA).",
    ),
    Column(
        "dates_animation",
        "Dates d'animation",
        (),
        "Jours de l'animation sur site, séparés par « ; ».",
    ),
    Column(
        "montant_eur",
        "Montant (€)",
        ("montant", "montant (€)", "montant ht"),
        "Montant en euros (environ 20 000 € par atelier).",
    ),
    Column(
        "pilote",
        "Service pilote",
        ("service pilote",),
        "Service de l'État qui pilote l'atelier (DDT(M), D(R)EAL, DEAL, DGTM).",
    ),
    Column(
        "livrables",
        "Livrables",
        (),
        "Livrables convenus (feuille de route, esquisse de plan-guide…), séparés par « ; ».",
    ),
    Column(
        "description",
        "Description",
        (),
        "Présentation courte de l'atelier.",
    ),
    Column(
        "source_url",
        "Source (URL)",
        ("source", "url"),
        "Adresse de la page publique qui documente l'atelier.",
    ),
    Column(
        "public",
        "Public",
        ("publiable", "diffusion"),
        "« oui » si la ligne peut être publiée, « non » sinon.",
    ),
    Column(
        "notes_internes",
        "Notes internes",
        (),
        "Notes de suivi, jamais publiées.",
    ),
    Column(
        "fictif",
        "Fictif",
        (),
        "Colonne du registre de démonstration : « oui » sur les lignes fictives.",
    ),
)

COLUMNS_BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}

# A file must say where its ateliers are: codes, names, or the EPCI.
LOCATION_COLUMNS: tuple[str, ...] = ("communes_insee", "communes", "epci_siren")
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)

# The frame's own column for line numbers; an unknown header of that name gets a suffix.
LINE_COLUMN = "line"


@dataclass(frozen=True)
class ColumnSet:
    """The declared columns of one table of a workbook: the register's, or another's.

    The register is one such table (:data:`REGISTER`); the feuille de route's actions
    (:mod:`atelierflash.actions`) are another, read by the same :func:`read_table`.

    Attributes
    ----------
    columns : tuple of Column
        In the order a table shows them.
    one_of : tuple of str
        Canonical names of which a file must have at least one (the register's location
        columns); empty when there is no such rule.
    one_of_reason : str
        What lacks when none of ``one_of`` is there (« aucune colonne ne situe les ateliers »).
    """

    columns: tuple[Column, ...]
    one_of: tuple[str, ...] = ()
    one_of_reason: str = ""
    _index: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for column in self.columns:
            for spelling in column.spellings():
                key = normalize_key(spelling)
                previous = self._index.setdefault(key, column.name)
                if previous != column.name:
                    # A programming error in a declaration: fail at import, not on a user file.
                    raise RuntimeError(
                        f"l'en-tête « {spelling} » désigne à la fois « {previous} » et "
                        f"« {column.name} »"
                    )

    @property
    def by_name(self) -> dict[str, Column]:
        """Canonical name → column."""
        return {c.name: c for c in self.columns}

    @property
    def required(self) -> tuple[str, ...]:
        """The canonical names of the required columns."""
        return tuple(c.name for c in self.columns if c.required)

    def column_for_header(self, header: str | None) -> str | None:
        """The canonical column a header designates, or ``None`` (see :func:`column_for_header`)."""
        return self._index.get(normalize_key(header))


#: The register's columns.
REGISTER = ColumnSet(COLUMNS, LOCATION_COLUMNS, "aucune colonne ne situe les ateliers")


def column_for_header(header: str | None) -> str | None:
    """Return the canonical column of the register a header designates, or ``None``.

    Parameters
    ----------
    header : str or None
        A header as written in a file ("Code(s) INSEE", "ANNEE", "année_de_selection").

    Returns
    -------
    str or None
        The canonical name (``"communes_insee"``), ``None`` for an unknown header.
    """
    return REGISTER.column_for_header(header)


# ---------------------------------------------------------------------------------------------
# Reading a file
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

    def __len__(self) -> int:
        return len(self.rows)


_SEPARATORS = (",", ";", "\t")


@dataclass
class _Grid:
    """The raw reading of a file, before header checks."""

    header_line: int
    header: list[str]
    records: list[tuple[int, list[str]]]  # (line, cells) of non-empty data rows
    column_ref: str  # "number" (CSV) or "letter" (XLSX), for messages


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
            grid, encoding, separator = _read_csv(path, columns)
            return _build_table(path, "csv", grid, encoding, separator, None, columns)
        grid, sheet_name = _read_xlsx(path, sheet, columns)
        return _build_table(path, "xlsx", grid, None, None, sheet_name, columns)
    except PermissionError as exc:
        raise RegisterFileError(
            f"{path.name} : lecture refusée ({os_reason(exc)})", path=path
        ) from exc
    except OSError as exc:
        raise RegisterFileError(
            f"{path.name} : fichier illisible ({os_reason(exc)})", path=path
        ) from exc


def _clean_text(text: str) -> str:
    # NFC so that a name typed on a Mac (decomposed accents) equals the same name typed elsewhere.
    return unicodedata.normalize("NFC", text).strip()


# -- CSV ---------------------------------------------------------------------------------------
def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    name = path.name
    if raw.startswith(b"PK\x03\x04"):
        raise RegisterFileError(
            f"{name} : ce fichier est un classeur (XLSX ou ODS), pas un CSV : "
            "enregistrez-le avec l'extension .xlsx",
            path=path,
        )
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise RegisterFileError(
            f"{name} : ce fichier est un ancien classeur Excel (.xls), pas un CSV : "
            "enregistrez-le au format .xlsx ou .csv",
            path=path,
        )
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "texte Unicode" export: UTF-16 with BOM, tab-separated.
        candidates = [("utf-16", "utf-16")]
    elif raw.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", "utf-8-sig")]
    else:
        candidates = [("utf-8", "utf-8"), ("cp1252", "cp1252")]
    error: UnicodeDecodeError | None = None
    for codec, label in candidates:
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError as exc:
            error = exc
            continue
        if "\x00" in text:
            raise RegisterFileError(
                f"{name} : ce fichier ne ressemble pas à un fichier texte CSV (octets nuls)",
                path=path,
            )
        return text, label
    assert error is not None
    line = raw[: error.start].count(b"\n") + 1
    expected = " ou ".join(label for _, label in candidates)
    raise RegisterFileError(
        f"{name} : ligne {line} : encodage non reconnu (attendu {expected}) : "
        f"octet {raw[error.start]:#04x} illisible",
        path=path,
        line=line,
    )


_ALNUM = re.compile(r"[^\W_]")


def _choose_separator(text: str, columns: ColumnSet = REGISTER) -> str:
    """Pick the separator that best splits the header line.

    The header is what we know: the separator under which most header cells are recognised
    columns wins. When that does not decide (unknown headers only), csv.Sniffer restricted to
    the three candidates is asked, and if it fails, the most frequent candidate in the header
    line wins.
    """
    # The first line with a letter or digit: rows of bare separators may precede the header.
    lines = text.split("\n")
    header_line = next((line for line in lines if _ALNUM.search(line)), None)
    if header_line is None:
        header_line = next((line for line in lines if line.strip()), "")
    scores = {}
    for separator in _SEPARATORS:
        cells = next(csv.reader([header_line], delimiter=separator), [])
        scores[separator] = sum(1 for cell in cells if columns.column_for_header(cell) is not None)
    best = max(scores.values())
    winners = [s for s in _SEPARATORS if scores[s] == best]
    if best > 0 and len(winners) == 1:
        return winners[0]
    try:
        sniffed = csv.Sniffer().sniff(text[:65536], delimiters="".join(_SEPARATORS)).delimiter
    except csv.Error:
        sniffed = None
    if sniffed in _SEPARATORS and (best == 0 or sniffed in winners):
        return sniffed
    counts = {s: header_line.count(s) for s in (winners if best > 0 else _SEPARATORS)}
    return max(counts, key=lambda s: counts[s]) if any(counts.values()) else ","


# Python's csv module refuses a field over 131 072 characters by default, which refused a whole
# register for one long cell (while the same row in XLSX was read). The file is in memory
# anyway: accept any length here, and let validation report the cell (line, column, length).
csv.field_size_limit(2**31 - 1)


class _CsvError(Exception):
    """A csv.Error with the line where the faulty record starts."""

    def __init__(self, error: csv.Error, line: int):
        super().__init__(str(error))
        self.line = line


def _parse_csv(text: str, separator: str, strict: bool) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline="\n"), delimiter=separator, strict=strict)
    records: list[tuple[int, list[str]]] = []
    while True:
        # reader.line_num counts the lines consumed so far: the next record starts just after.
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return records
        except csv.Error as exc:
            raise _CsvError(exc, start) from exc
        records.append((start, cells))


def _parse_csv_records(text: str, separator: str, path: Path) -> list[tuple[int, list[str]]]:
    """All records with the physical line where each starts (quoted cells may span lines)."""
    try:
        return _parse_csv(text, separator, strict=True)
    except _CsvError as exc:
        if "unexpected end of data" in str(exc):
            # Non-strict parsing would swallow the rest of the file into one cell: refuse.
            raise RegisterFileError(
                f"{path.name} : ligne {exc.line} : guillemet ouvert et jamais refermé "
                "(la suite du fichier serait lue comme une seule cellule)",
                path=path,
                line=exc.line,
            ) from None
    try:
        # Strict parsing refuses sloppy quoting such as «"abc"def», which spreadsheets accept.
        return _parse_csv(text, separator, strict=False)
    except _CsvError as exc:
        raise RegisterFileError(
            f"{path.name} : ligne {exc.line} : CSV illisible ({exc})", path=path, line=exc.line
        ) from None


def _read_csv(path: Path, columns: ColumnSet = REGISTER) -> tuple[_Grid, str, str]:
    text, encoding = _decode(path.read_bytes(), path)
    # One newline convention, so that line numbers and multi-line cells agree.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise RegisterFileError(f"{path.name} : fichier vide", path=path)
    separator = _choose_separator(text, columns)
    header: list[str] | None = None
    header_line = 0
    records: list[tuple[int, list[str]]] = []
    for line, raw_cells in _parse_csv_records(text, separator, path):
        cells = [_clean_text(c) for c in raw_cells]
        if not any(cells):
            continue
        if header is None:
            header, header_line = cells, line
        else:
            records.append((line, cells))
    if header is None:
        raise RegisterFileError(f"{path.name} : aucune ligne d'en-tête", path=path)
    return _Grid(header_line, header, records, "number"), encoding, separator


# -- XLSX --------------------------------------------------------------------------------------
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
    return _clean_text(str(value))


def _read_xlsx(path: Path, sheet: str | None, columns: ColumnSet = REGISTER) -> tuple[_Grid, str]:
    return _with_workbook(path, lambda load: _read_workbook(load, path, sheet, columns))


def sheet_names(path: str | os.PathLike) -> list[str]:
    """The sheets of an XLSX workbook, in order (``[]`` for a CSV file).

    Raises
    ------
    RegisterFileError
        As :func:`read_register` (the same checks before any XML is parsed).
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
) -> tuple[_Grid, str]:
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
    return _Grid(header_line, header, records, "letter"), sheet_name


# -- Header checks and table -------------------------------------------------------------------
def _column_ref(index: int, style: str) -> str:
    if style == "letter":
        from openpyxl.utils import get_column_letter

        return f"colonne {get_column_letter(index + 1)}"
    return f"colonne {index + 1}"


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name} ({n})", n + 1
    taken.add(candidate)
    return candidate


def _build_table(
    path: Path,
    fmt: str,
    grid: _Grid,
    encoding: str | None,
    separator: str | None,
    sheet: str | None,
    columns: ColumnSet = REGISTER,
) -> RegisterTable:
    name = path.name
    by_name = columns.by_name
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
                    f"({_column_ref(first, grid.column_ref)}) et « {text} » "
                    f"({_column_ref(index, grid.column_ref)}) désignent toutes deux "
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
            kept = _unique(f"sans titre ({_column_ref(index, grid.column_ref)})", taken)
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
    )


# ---------------------------------------------------------------------------------------------
# Value parsers
# ---------------------------------------------------------------------------------------------
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


_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
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
