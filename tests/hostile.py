"""Hostile and broken register files, generated (nothing large is kept in the repository).

Each generator writes one file into a folder and returns its path. :data:`BATTERY` lists them
with a fragment of the French message each must get; ``tests/test_hostile_files.py`` walks it.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HEADER = "id,titre,annee,statut,echelle,communes_insee,themes,public\n"
GOOD_ROW = (
    "H-2024-1,Centre-bourg de Doullens,2024,réalisé,communale,80253,Aménagement des friches,oui\n"
)

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Registre" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
_SHEET_OPEN = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_CLOSE = "</sheetData></worksheet>"


def _inline_row(number: int, cells: list[str]) -> str:
    columns = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = [f'<row r="{number}">']
    for index, text in enumerate(cells):
        out.append(f'<c r="{columns[index]}{number}" t="inlineStr"><is><t>{text}</t></is></c>')
    out.append("</row>")
    return "".join(out)


def _sheet(rows: list[list[str]], *, prolog: str = "") -> str:
    body = "".join(_inline_row(i, cells) for i, cells in enumerate(rows, start=1))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + prolog
        + _SHEET_OPEN
        + body
        + _SHEET_CLOSE
    )


def _workbook(path: Path, sheet: str | bytes, extra: dict[str, str | bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        types, rels = _CONTENT_TYPES, _WORKBOOK_RELS
        if extra and "xl/sharedStrings.xml" in extra:
            # The package and the workbook name the shared strings, so that openpyxl reads them.
            types = types.replace(
                "</Types>",
                '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
            rels = rels.replace(
                "</Relationships>",
                '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/'
                '2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
            )
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", rels)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


HEADER_CELLS = HEADER.strip().split(",")
GOOD_CELLS = GOOD_ROW.strip().split(",")


def good_xlsx(folder: Path) -> Path:
    """A well-formed XLSX register of one row (the control of the XLSX cases)."""
    return _workbook(folder / "bon.xlsx", _sheet([HEADER_CELLS, GOOD_CELLS]))


def long_xlsx(folder: Path, rows: int) -> Path:
    """A well-formed XLSX register of ``rows`` rows (header aside)."""
    cells = [[f"L-{i}", *GOOD_CELLS[1:]] for i in range(rows)]
    return _workbook(folder / f"long_{rows}.xlsx", _sheet([HEADER_CELLS, *cells]))


# -- Bombs ----------------------------------------------------------------------------------------
ZIP_BOMB_BYTES = 2**30  # 1 Gio of XML whitespace, about 1 Mio compressed


_BUILT: dict[int, bytes] = {}


def zip_bomb_xlsx(folder: Path, size: int = ZIP_BOMB_BYTES) -> Path:
    """A workbook whose sheet decompresses to ``size`` bytes (spaces inside the root element).

    Compressing 1 Gio takes seconds: each size is built once per test session.
    """
    path = folder / "bombe_zip.xlsx"
    if size in _BUILT:
        path.write_bytes(_BUILT[size])
        return path
    head = (_sheet([HEADER_CELLS])[: -len(_SHEET_CLOSE)]).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            member.write(head)
            chunk = b" " * 2**20
            for _ in range(size // len(chunk)):
                member.write(chunk)
            member.write(_SHEET_CLOSE.encode())
    _BUILT[size] = path.read_bytes()
    return path


def lying_zip_bomb_xlsx(folder: Path) -> Path:
    """A workbook whose directory declares a 4 kio sheet whose data inflates to 64 Mio.

    Python's zipfile stops at the declared size, so the reader sees a truncated sheet.
    """
    path = folder / "bombe_zip_menteuse.xlsx"
    head = (_sheet([HEADER_CELLS])[: -len(_SHEET_CLOSE)]).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            member.write(head + b" " * (64 * 2**20))
    declared = 4096
    data = bytearray(path.read_bytes())
    crc = zlib.crc32((head + b" " * declared)[:declared]).to_bytes(4, "little")
    name = b"xl/worksheets/sheet1.xml"
    # Local header (sizes at 14..26) and central directory entry (sizes at 16..28) of the sheet.
    for signature, crc_at, size_at, name_at in (
        (b"PK\x03\x04", 14, 22, 30),
        (b"PK\x01\x02", 16, 24, 46),
    ):
        at = -1
        while True:
            at = data.find(signature, at + 1)
            if at < 0:
                break
            if data[at + name_at : at + name_at + len(name)] == name:
                data[at + crc_at : at + crc_at + 4] = crc
                data[at + size_at : at + size_at + 4] = declared.to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def huge_xlsx(folder: Path) -> Path:
    """A workbook of 101 Mio stored without compression (no bomb: just too large)."""
    path = folder / "enorme.xlsx"
    head = (_sheet([HEADER_CELLS])[: -len(_SHEET_CLOSE)]).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            member.write(head)
            for _ in range(101):
                member.write(b" " * 2**20)
            member.write(_SHEET_CLOSE.encode())
    return path


def many_members_xlsx(folder: Path, members: int = 5_000) -> Path:
    """A workbook with thousands of empty members (a directory that costs to read)."""
    extra = {f"xl/media/vide{i}.bin": b"" for i in range(members)}
    return _workbook(folder / "bombe_membres.xlsx", _sheet([HEADER_CELLS, GOOD_CELLS]), extra)


_LAUGHS = (
    "<!DOCTYPE worksheet [\n"
    '<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n"
)


def entity_bomb_xlsx(folder: Path) -> Path:
    """« Billion laughs » in the sheet: nine levels of ten entities (10⁹ « lol »)."""
    sheet = _sheet([HEADER_CELLS, ["&lol9;", *GOOD_CELLS[1:]]], prolog=_LAUGHS)
    return _workbook(folder / "bombe_entites.xlsx", sheet)


def external_entity_xlsx(folder: Path) -> Path:
    """An external entity (XXE) reading a local file into a shared string."""
    prolog = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    sheet = _sheet([HEADER_CELLS, ["&xxe;", *GOOD_CELLS[1:]]], prolog=prolog)
    return _workbook(folder / "entite_externe.xlsx", sheet)


def hidden_dtd_xlsx(folder: Path) -> Path:
    """An entity bomb whose DTD hides behind a 100 kio comment (past a naive prefix check)."""
    prolog = "<!--" + "x" * 100_000 + "-->\n" + _LAUGHS
    sheet = _sheet([HEADER_CELLS, ["&lol9;", *GOOD_CELLS[1:]]], prolog=prolog)
    return _workbook(folder / "dtd_cachee.xlsx", sheet)


def entity_bomb_in_shared_strings_xlsx(folder: Path) -> Path:
    """The entity bomb in xl/sharedStrings.xml (parsed before any sheet)."""
    strings = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + _LAUGHS
        + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    return _workbook(
        folder / "bombe_chaines.xlsx",
        _sheet([HEADER_CELLS, GOOD_CELLS]),
        {"xl/sharedStrings.xml": strings},
    )


# -- The battery ----------------------------------------------------------------------------------
def _text(name: str, content: str, encoding: str = "utf-8") -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content.encode(encoding))
        return path

    return make


def _bytes(name: str, content: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content)
        return path

    return make


@dataclass(frozen=True)
class Case:
    """One bad file and a fragment of the French message it must get."""

    name: str
    make: Callable[[Path], Path]
    expected: str
    unusable: bool  # the whole file is refused (exit code 2), not only some rows


BATTERY: tuple[Case, ...] = (
    Case("vide", _text("vide.csv", ""), "fichier vide", True),
    Case("blancs", _text("blancs.csv", "\n\n  \n"), "fichier vide", True),
    Case("binaire", _bytes("binaire.csv", bytes(range(256)) * 64), "encodage non reconnu", True),
    Case("image", _bytes("photo.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200), "octets nuls", True),
    Case(
        "xls renomme",
        _bytes("ancien.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512),
        "ancien classeur Excel",
        True,
    ),
    Case(
        "csv renomme xlsx",
        _text("pas_un_classeur.xlsx", HEADER + GOOD_ROW),
        "n'est pas un classeur XLSX",
        True,
    ),
    Case(
        "classeur renomme csv",
        lambda f: _bytes("classeur.csv", good_xlsx(f).read_bytes())(f),
        "est un classeur",
        True,
    ),
    Case(
        "html",
        _text("page.xlsx", "<html><body><table><tr><td>id</td></tr></table></body></html>"),
        "n'est pas un classeur XLSX",
        True,
    ),
    Case(
        "zip tronque",
        lambda f: _bytes("tronque.xlsx", good_xlsx(f).read_bytes()[:300])(f),
        "n'est pas un classeur XLSX",
        True,
    ),
    Case("extension", _text("registre.ods", HEADER + GOOD_ROW), "format non pris en charge", True),
    Case(
        "encodage",
        _bytes(
            "encodage.csv",
            (
                HEADER
                + "H-1,Caf\xe9 \x81,2024,réalisé,communale,80253,Aménagement des friches,oui\n"
            ).encode("cp1252", errors="ignore")[:-10]
            + b"\x81\x8d\x8f\x90\x9d\n",
        ),
        "encodage non reconnu",
        True,
    ),
    Case(
        "separateur inconnu",
        _text("pipes.csv", HEADER.replace(",", "|") + GOOD_ROW.replace(",", "|")),
        "colonne",
        True,
    ),
    Case("sans en-tete", _text("sans_entete.csv", GOOD_ROW * 3), "colonne", True),
    Case(
        "en-tete manquant",
        _text("sans_statut.csv", "id,titre,annee,communes_insee\nH-1,Titre,2024,80253\n"),
        "statut",
        True,
    ),
    Case(
        "en-tete double",
        _text("double.csv", "id,titre,statut,statut,communes_insee\nH-1,T,réalisé,réalisé,80253\n"),
        "statut",
        True,
    ),
    Case(
        "guillemet ouvert",
        _text(
            "guillemet.csv",
            HEADER + 'H-1,"Titre jamais fermé,2024,réalisé,communale,80253,x,oui\n' + GOOD_ROW,
        ),
        "guillemet ouvert",
        True,
    ),
    Case("zip bomb", zip_bomb_xlsx, "décompressé", True),
    Case("zip bomb menteuse", lying_zip_bomb_xlsx, "classeur", True),
    Case("trop de membres", many_members_xlsx, "fichiers dans l'archive", True),
    Case("entity bomb", entity_bomb_xlsx, "DTD", True),
    Case("entity bomb sharedStrings", entity_bomb_in_shared_strings_xlsx, "DTD", True),
    Case("entite externe", external_entity_xlsx, "DTD", True),
    Case("dtd cachee", hidden_dtd_xlsx, "DTD", True),
    Case(
        "identifiants en double",
        _text("doublons.csv", HEADER + GOOD_ROW + GOOD_ROW),
        "identifiant",
        False,
    ),
    Case(
        "commune inconnue",
        _text(
            "inconnue.csv",
            "id,titre,annee,statut,communes,public\nH-1,T,2024,réalisé,Commune-Qui-N-Existe-Pas,oui\n",
        ),
        "commune",
        False,
    ),
    Case(
        "commune ambigue",
        _text(
            "ambigue.csv",
            "id,titre,annee,statut,communes,public\nH-1,T,2024,réalisé,Saint-Denis,oui\n",
        ),
        "Saint-Denis",
        False,
    ),
    Case(
        "date impossible",
        _text(
            "date.csv",
            "id,titre,annee,statut,communes_insee,date_debut\nH-1,T,2024,réalisé,80253,31/02/2024\n",
        ),
        "date",
        False,
    ),
    Case(
        "montant negatif",
        _text(
            "montant.csv",
            "id,titre,annee,statut,communes_insee,montant_eur\nH-1,T,2024,réalisé,80253,-20000\n",
        ),
        "montant",
        False,
    ),
    Case(
        "annee impossible",
        _text("annee.csv", "id,titre,annee,statut,communes_insee\nH-1,T,1850,réalisé,80253\n"),
        "année",
        False,
    ),
    Case(
        "statut inconnu",
        _text("statut.csv", "id,titre,annee,statut,communes_insee\nH-1,T,2024,fini,80253\n"),
        "statut",
        False,
    ),
    Case(
        "code insee faux",
        _text("insee.csv", "id,titre,annee,statut,communes_insee\nH-1,T,2024,réalisé,99999\n"),
        "99999",
        False,
    ),
    Case(
        "formule",
        _text(
            "formule.csv",
            'id,titre,annee,statut,communes_insee\nH-1,"=HYPERLINK(""http://evil.example"",""clic"")",2024,réalisé,80253\n',
        ),
        "comme une formule de tableur",
        False,
    ),
    Case(
        "html dans une cellule",
        _text(
            "html.csv",
            "id,titre,annee,statut,communes_insee\nH-1,<script>alert(1)</script>,2024,réalisé,80253\n",
        ),
        "balises HTML",
        False,
    ),
    Case("enorme", huge_xlsx, "décompressé", True),
)
