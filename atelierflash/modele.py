"""The blank workbook to fill in: the register and its actions, with drop-down lists.

``python -m atelierflash modele --out modele.xlsx`` and the « Données » page offer it. Sheets:

- « Registre »: the register's columns (:data:`atelierflash.registre.COLUMNS`), French labels;
- « Actions »: the feuille de route's columns (:data:`atelierflash.actions.ACTIONS`);
- « Lisez-moi »: what each column means, from the same declarations, and the accepted values;
- « Listes » (hidden): one column per vocabulary of ``data/programme.toml``, which the
  drop-down lists (Excel data validation) of the two first sheets point to.

Both tables are read back by the register's reader as they are (the first sheet is the
register, the « Actions » sheet the actions). Everything written is our own text (labels,
descriptions, vocabularies); it goes through the one writer's :func:`ecriture.neutralize` all
the same, and to disk through :func:`ecriture.write_bytes`.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

from atelierflash import ecriture
from atelierflash.actions import ACTIONS
from atelierflash.programme import Programme
from atelierflash.registre import REGISTER, ColumnSet

__all__ = [
    "ACTIONS_SHEET",
    "FILE_NAME",
    "LISTS_SHEET",
    "README_SHEET",
    "REGISTER_SHEET",
    "VALIDATED_ROWS",
    "DropDown",
    "drop_downs",
    "template_bytes",
    "write_template",
]

REGISTER_SHEET = "Registre"
ACTIONS_SHEET = "Actions"
README_SHEET = "Lisez-moi"
LISTS_SHEET = "Listes"
#: The data rows (after the header) that carry the drop-down lists.
VALIDATED_ROWS = 2000
FILE_NAME = "modele_registre_ateliers_flash.xlsx"

_YES_NO = ("oui", "non")


@dataclass(frozen=True)
class DropDown:
    """One drop-down list: a column of a sheet, the values it offers, and whether it is strict.

    ``strict`` False lets a person type something else after a warning: the themes cell of the
    register holds several themes separated by « ; », the list offers one.
    """

    sheet: str
    column: str  # canonical name
    title: str  # the list's name in « Listes » (a vocabulary's label)
    values: tuple[str, ...]
    strict: bool = True


def drop_downs(programme: Programme) -> tuple[DropDown, ...]:
    """Every drop-down list of the template, from the vocabularies of ``programme``."""

    def vocabulary(sheet: str, column: str, name: str, strict: bool = True) -> DropDown:
        vocab = programme.vocabularies[name]
        return DropDown(sheet, column, vocab.label, tuple(vocab.labels()), strict)

    return (
        vocabulary(REGISTER_SHEET, "statut", "statuts"),
        vocabulary(REGISTER_SHEET, "echelle", "echelles"),
        vocabulary(REGISTER_SHEET, "themes", "themes", strict=False),
        vocabulary(REGISTER_SHEET, "equipe", "equipes"),
        vocabulary(REGISTER_SHEET, "accord_cadre", "accords"),
        DropDown(REGISTER_SHEET, "public", "oui / non", _YES_NO),
        vocabulary(ACTIONS_SHEET, "theme", "themes"),
        vocabulary(ACTIONS_SHEET, "priorite", "priorites"),
        vocabulary(ACTIONS_SHEET, "statut", "statuts_action"),
        DropDown(ACTIONS_SHEET, "public", "oui / non", _YES_NO),
        # The statut at each point d'étape: the same list as « Statut ».
        *(
            vocabulary(ACTIONS_SHEET, point.statut_column, "statuts_action")
            for point in programme.points_etape
        ),
    )


def template_bytes(programme: Programme) -> bytes:
    """The blank workbook (XLSX bytes); see the module's description for its sheets."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    tables = {REGISTER_SHEET: REGISTER, ACTIONS_SHEET: ACTIONS}
    sheets = {}
    for index, (title, columns) in enumerate(tables.items()):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = title
        sheet.append([ecriture.neutralize(c.label_fr) for c in columns.columns])
        for position, column in enumerate(columns.columns, start=1):
            cell = sheet.cell(row=1, column=position)
            cell.font = Font(bold=True)
            letter = get_column_letter(position)
            sheet.column_dimensions[letter].width = max(14, min(40, len(column.label_fr) + 6))
        sheet.freeze_panes = "A2"
        sheets[title] = sheet

    readme = book.create_sheet(README_SHEET)
    _readme(readme, programme, tables, Font)
    lists = book.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"

    titles: dict[str, int] = {}
    for spec in drop_downs(programme):
        if spec.title not in titles:  # one column of « Listes » per vocabulary
            titles[spec.title] = len(titles) + 1
            number = titles[spec.title]
            lists.cell(row=1, column=number, value=ecriture.neutralize(spec.title))
            for row, value in enumerate(spec.values, start=2):
                lists.cell(row=row, column=number, value=ecriture.neutralize(value))
        letter = get_column_letter(titles[spec.title])
        source = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(spec.values) + 1}"
        columns = tables[spec.sheet]
        position = [c.name for c in columns.columns].index(spec.column) + 1
        target = get_column_letter(position)
        validation = DataValidation(
            type="list",
            formula1=f"={source}",
            allow_blank=True,
            showDropDown=False,  # openpyxl's name: False *shows* the in-cell arrow
            showErrorMessage=True,
            errorStyle="stop" if spec.strict else "warning",
            errorTitle=f"{columns.by_name[spec.column].label_fr} : valeur inconnue",
            error=(
                "Choisissez une valeur de la liste."
                if spec.strict
                else "Valeur hors de la liste : plusieurs thèmes se séparent par « ; »."
            ),
            promptTitle=columns.by_name[spec.column].label_fr,
            prompt=_short(columns.by_name[spec.column].description_fr),
            showInputMessage=True,
        )
        validation.add(f"{target}2:{target}{VALIDATED_ROWS + 1}")
        sheets[spec.sheet].add_data_validation(validation)

    for row in readme.iter_rows(min_row=1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _short(text: str) -> str:
    # Excel refuses an input message over 255 characters.
    return text if len(text) <= 250 else text[:249] + "…"


def _readme(sheet, programme: Programme, tables: dict[str, ColumnSet], font) -> None:
    rows: list[tuple[str, ...]] = [
        (f"Registre des {programme.info.get('nom', 'Ateliers Flash')} : modèle à remplir",),
        (
            "Une ligne par atelier dans la feuille « Registre » ; une ligne par action de la "
            "feuille de route dans la feuille « Actions » (colonne « Atelier » : l'identifiant "
            "de l'atelier). Les listes déroulantes proposent les valeurs admises ; les variantes "
            "usuelles (« haute », « faible »…) sont comprises à l'import. Importez le classeur "
            "sur la page « Données » ou avec python -m atelierflash import.",
        ),
        (),
        ("Feuille", "Colonne", "Obligatoire", "Description", "Valeurs admises"),
    ]
    lists = {(d.sheet, d.column): d.values for d in drop_downs(programme)}
    for title, columns in tables.items():
        for column in columns.columns:
            rows.append(
                (
                    title,
                    column.label_fr,
                    "oui" if column.required else "",
                    column.description_fr,
                    " ; ".join(lists.get((title, column.name), ())),
                )
            )
    for values in rows:
        sheet.append([ecriture.neutralize(v) for v in values])
    sheet["A1"].font = font(bold=True, size=14)
    for cell in sheet[4]:
        cell.font = font(bold=True)
    for letter, width in zip("ABCDE", (12, 28, 12, 70, 60), strict=True):
        sheet.column_dimensions[letter].width = width


def write_template(path: str | os.PathLike, programme: Programme) -> Path:
    """Write the blank workbook to ``path`` (whole or not at all, French error)."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ecriture.WriteError(f"{path.name} : le modèle est un classeur : extension .xlsx")
    return ecriture.write_bytes(path, template_bytes(programme))
