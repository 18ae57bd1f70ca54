"""Checks of a register file before it is read: cheap, and importable without pandas.

:func:`check_register_file` refuses what cannot be a register (missing, empty, wrong extension)
and, for an XLSX file, what would cost more to open than a register can
(:func:`check_xlsx_archive`: zip bombs, XML entity bombs). :func:`atelierflash.registre.read_register`
runs it first; the command line runs it before loading the référentiel, so that a hostile file
is refused in a fraction of a second and a few megabytes.
"""

from __future__ import annotations

import codecs
import json
import os
import zipfile
from pathlib import Path

from atelierflash.texte import os_reason

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")

#: The most lines a register file may have (header and blank lines included). A register of
#: the programme has a few hundred rows (about 30 ateliers a year since 2019); 20 000 lines are
#: read and validated in about ten seconds, while 150 000 took half a minute and 750 Mio.
#: Above it, the file is refused at once, before anything costly is loaded.
MAX_LINES = 20_000
_CHUNK = 2**20


class RegisterFileError(ValueError):
    """The register file cannot be used; ``str()`` is a French message naming the file.

    Attributes
    ----------
    path : pathlib.Path
    line : int or None
        Line (CSV) or row (XLSX) concerned, when relevant.
    column : str or None
        Canonical column concerned, when relevant.
    """

    def __init__(
        self, message: str, *, path: Path, line: int | None = None, column: str | None = None
    ):
        super().__init__(message)
        self.path = path
        self.line = line
        self.column = column


def check_register_file(path: str | os.PathLike, sheet: str | None = None) -> Path:
    """Refuse, before reading anything costly, a file that cannot be a register.

    The cheap checks of :func:`read_register`, callable on their own (the command line runs them
    before loading the référentiel): the file exists, is not empty, has a supported extension,
    and an XLSX archive passes :func:`check_xlsx_archive` (no zip bomb, no XML DTD).

    Parameters
    ----------
    path : str or os.PathLike
    sheet : str, optional
        Refused for a CSV file.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    RegisterFileError
        French message naming the file.
    """
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if not path.exists():
        raise RegisterFileError(f"{name} : fichier introuvable ({path})", path=path)
    if not path.is_file():
        raise RegisterFileError(f"{name} : ce chemin n'est pas un fichier ({path})", path=path)
    if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
        hint = " ; enregistrez-le au format .xlsx ou .csv" if suffix in (".xls", ".ods") else ""
        raise RegisterFileError(
            f"{name} : format non pris en charge (« {suffix or 'sans extension'} ») : "
            f"attendu un fichier .csv ou .xlsx{hint}",
            path=path,
        )
    if sheet is not None and suffix in CSV_SUFFIXES:
        raise RegisterFileError(
            f"{name} : un fichier CSV n'a pas de feuilles (feuille demandée : « {sheet} »)",
            path=path,
        )
    try:
        if path.stat().st_size == 0:
            raise RegisterFileError(f"{name} : fichier vide", path=path)
        if suffix in XLSX_SUFFIXES:
            check_xlsx_archive(path)
        else:
            check_line_count(path)
    except PermissionError as exc:
        raise RegisterFileError(f"{name} : lecture refusée ({os_reason(exc)})", path=path) from exc
    except OSError as exc:
        raise RegisterFileError(
            f"{name} : fichier illisible ({os_reason(exc)})", path=path
        ) from exc
    return path


def too_many_lines(name: str, path: Path) -> RegisterFileError:
    """The refusal of a file over :data:`MAX_LINES` lines (CSV, or a sheet of an XLSX file)."""
    limit = f"{MAX_LINES:,}".replace(",", "\u202f")
    return RegisterFileError(
        f"{name} : plus de {limit} lignes, la limite d'un registre (un registre des Ateliers "
        "Flash en compte quelques centaines, une ligne par atelier) : vérifiez que c'est bien "
        "le registre (et non un export de toutes les communes, par exemple), retirez les "
        "lignes en trop, ou découpez-le, puis recommencez",
        path=path,
        line=MAX_LINES + 1,
    )


def check_line_count(path: str | os.PathLike) -> None:
    """Refuse a text file of more than :data:`MAX_LINES` lines, counted without decoding.

    Line ends are counted in the raw bytes (LF, or CR alone for old Mac files), so that a
    file too big for a register is refused in a fraction of a second whatever its encoding;
    a quoted cell over several lines counts each of them.

    Raises
    ------
    RegisterFileError
        The file has more lines than :data:`MAX_LINES`.
    OSError
        The file cannot be read.
    """
    path = Path(path)
    newlines = returns = 0
    last = b""
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            newlines += chunk.count(b"\n")
            returns += chunk.count(b"\r")
            last = chunk
            # A last line without its line end counts too, hence the « >= ».
            if max(newlines, returns) >= MAX_LINES:
                lines = max(newlines, returns) + (0 if last.endswith((b"\n", b"\r")) else 1)
                if lines > MAX_LINES or handle.read(1):
                    raise too_many_lines(path.name, path)


#: An XLSX file is a ZIP archive of XML files. Its central directory is checked before any
#: member is decompressed or any XML parsed: a register has a few dozen members of a few
#: megabytes, a zip bomb has thousands of members or a huge declared size or ratio.
XLSX_MAX_MEMBERS = 1_000
XLSX_MAX_UNCOMPRESSED = 100 * 2**20  # bytes, the whole archive as its directory declares it
XLSX_MAX_RATIO = 200  # uncompressed / compressed, for a member of more than XLSX_RATIO_FLOOR
XLSX_RATIO_FLOOR = 2**20
#: How much of each XML member is read to check its prolog (XML declaration, comments).
XLSX_PROLOG_BYTES = 64 * 2**10
_EOCD = b"PK\x05\x06"
_EOCD64 = b"PK\x06\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f} Mio".replace(",", "\u202f")


def _zip_directory_counts(path: Path) -> tuple[int, int] | None:
    """(members, directory size) from the archive's end record, without reading the directory.

    ``None`` when no end record is found (not a ZIP archive).
    """
    size = path.stat().st_size
    with path.open("rb") as handle:
        tail_size = min(size, 22 + 65535)
        handle.seek(size - tail_size)
        tail = handle.read(tail_size)
        at = tail.rfind(_EOCD)
        if at < 0 or len(tail) - at < 22:
            return None
        members = int.from_bytes(tail[at + 10 : at + 12], "little")
        directory = int.from_bytes(tail[at + 12 : at + 16], "little")
        if members == 0xFFFF or directory == 0xFFFFFFFF:
            # ZIP64: the real counts are in the ZIP64 end record the locator points to.
            locator = tail.rfind(_EOCD64_LOCATOR, 0, at)
            if locator < 0:
                return members, directory
            offset = int.from_bytes(tail[locator + 8 : locator + 16], "little")
            if offset >= size:
                return None
            handle.seek(offset)
            record = handle.read(56)
            if not record.startswith(_EOCD64) or len(record) < 56:
                return None
            members = int.from_bytes(record[32:40], "little")
            directory = int.from_bytes(record[40:48], "little")
        return members, directory


def _prolog_declares_dtd(head: bytes) -> bool | None:
    """Whether an XML document's prolog holds a ``<!DOCTYPE`` (``None``: prolog too long).

    Only comments, processing instructions and spaces may come before the root element; any
    ``<!`` there that is not a comment is a document type declaration, where entities live.
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", errors="replace")
    elif head.startswith(b"<\x00"):
        text = head.decode("utf-16-le", errors="replace")
    elif head.startswith(b"\x00<"):
        text = head.decode("utf-16-be", errors="replace")
    else:
        text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            return False if len(head) < XLSX_PROLOG_BYTES else None
        for opening, closing in (("<?", "?>"), ("<!--", "-->")):
            if text.startswith(opening, i):
                end = text.find(closing, i + len(opening))
                if end < 0:
                    return None if len(head) >= XLSX_PROLOG_BYTES else False
                i = end + len(closing)
                break
        else:
            return text.startswith("<!", i)


def check_xlsx_archive(path: str | os.PathLike) -> None:
    """Refuse an XLSX file that would cost more to open than a register can.

    Checked from the archive's directory, before any member is decompressed: the number of
    members, the total uncompressed size it declares, the compression ratio of each large
    member, encryption. Python's ``zipfile`` never produces more than a member's declared size,
    so the declared sizes bound what reading can cost. Then the first bytes of each XML member
    are read: a document type declaration (``<!DOCTYPE``, where XML entities are declared:
    « billion laughs », external entities) is refused. No register written by a spreadsheet has
    one. The XML itself is then parsed by openpyxl through ``defusedxml``, which refuses
    entities again.

    Parameters
    ----------
    path : str or os.PathLike

    Raises
    ------
    RegisterFileError
        French message naming the file and what to do.
    """
    path = Path(path)
    name = path.name
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise RegisterFileError(
            f"{name} : ce fichier est un ancien classeur Excel (.xls) ou un classeur protégé par "
            "mot de passe : enregistrez-le au format .xlsx, sans mot de passe",
            path=path,
        )
    counts = _zip_directory_counts(path) if magic.startswith(b"PK") else None
    if counts is None:
        raise RegisterFileError(
            f"{name} : ce fichier n'est pas un classeur XLSX (archive ZIP attendue) : "
            "ouvrez-le dans un tableur et enregistrez-le au format .xlsx ou .csv",
            path=path,
        )
    members, _ = counts
    if members > XLSX_MAX_MEMBERS:
        raise RegisterFileError(
            f"{name} : classeur refusé : {members} fichiers dans l'archive (au plus "
            f"{XLSX_MAX_MEMBERS} pour un registre) ; enregistrez le registre seul dans un "
            "nouveau classeur",
            path=path,
        )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise RegisterFileError(
            f"{name} : classeur XLSX endommagé (archive ZIP illisible : {exc}) : ouvrez-le dans "
            "un tableur et enregistrez-le à nouveau",
            path=path,
        ) from exc
    with archive:
        infos = archive.infolist()
        total = sum(i.file_size for i in infos)
        if total > XLSX_MAX_UNCOMPRESSED:
            raise RegisterFileError(
                f"{name} : classeur refusé : il déclare {_mib(total)} une fois décompressé (au "
                f"plus {_mib(XLSX_MAX_UNCOMPRESSED)} pour un registre ; archive piégée ou "
                "classeur à alléger)",
                path=path,
            )
        for info in infos:
            if info.flag_bits & 0x1:
                raise RegisterFileError(
                    f"{name} : classeur chiffré ou protégé par mot de passe : enregistrez-le "
                    "sans mot de passe",
                    path=path,
                )
            if info.file_size > XLSX_RATIO_FLOOR and info.file_size > XLSX_MAX_RATIO * max(
                info.compress_size, 1
            ):
                raise RegisterFileError(
                    f"{name} : classeur refusé : « {info.filename} » se décompresse "
                    f"{info.file_size // max(info.compress_size, 1)} fois (au plus "
                    f"{XLSX_MAX_RATIO} ; archive piégée)",
                    path=path,
                )
        for info in infos:
            if info.is_dir() or not info.filename.lower().endswith((".xml", ".rels", ".vml")):
                continue
            try:
                with archive.open(info) as member:
                    head = member.read(XLSX_PROLOG_BYTES)
            except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError) as exc:
                raise RegisterFileError(
                    f"{name} : classeur XLSX endommagé (« {info.filename} » illisible : {exc}) : "
                    "enregistrez-le à nouveau depuis le tableur",
                    path=path,
                ) from exc
            declares = _prolog_declares_dtd(head)
            if declares is None or declares:
                raise RegisterFileError(
                    f"{name} : classeur refusé : « {info.filename} » contient une déclaration "
                    "de type de document (DTD, entités XML) qu'aucun tableur n'écrit ; "
                    "enregistrez le registre dans un nouveau classeur",
                    path=path,
                )


def refusal_text(path: str | os.PathLike, error: RegisterFileError) -> str:
    """The validation report of a refused file, as ``ValidationReport.to_text`` writes it.

    For the command line, which refuses a file before importing the validation.
    """
    path = Path(path)
    message = str(error)
    prefix = "" if message.startswith(path.name) else f"{path.name} : "
    return f"Validation de {path}\n{prefix}erreur : {message}"


def refusal_json_text() -> str:
    """The JSON report of a refused file (no row, no action), as ``validate --json`` writes it."""
    none = {"ok": 0, "warning": 0, "error": 0}
    empty = {"rows": [], "summary": none, "actions": [], "summary_actions": dict(none)}
    return json.dumps(empty, ensure_ascii=False, indent=2)
