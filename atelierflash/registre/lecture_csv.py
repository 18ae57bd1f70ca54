"""Reading a CSV register into a :class:`~atelierflash.registre.grille.Grid`.

UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252; separator ``,``, ``;`` or tab,
chosen by the header; quoted cells may span lines and every record keeps the line where it
starts.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

from atelierflash.ecriture import unneutralize
from atelierflash.registre.colonnes import REGISTER, ColumnSet
from atelierflash.registre.controle import RegisterFileError
from atelierflash.registre.grille import Grid, clean_text

_SEPARATORS = (",", ";", "\t")


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


def read_csv(path: Path, columns: ColumnSet = REGISTER) -> tuple[Grid, str, str]:
    """Read a CSV file: its grid, its encoding and its separator."""
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
        # The apostrophe before a formula character is the writer's (or the person's) « text, not
        # formula », not text: the cell reads as the XLSX reader reads a quote-prefixed cell.
        cells = [unneutralize(clean_text(c)) for c in raw_cells]
        if not any(cells):
            continue
        if header is None:
            header, header_line = cells, line
        else:
            records.append((line, cells))
    if header is None:
        raise RegisterFileError(f"{path.name} : aucune ligne d'en-tête", path=path)
    return Grid(header_line, header, records, "number"), encoding, separator
