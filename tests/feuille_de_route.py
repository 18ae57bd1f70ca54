"""Small literal fixtures of the feuille de route: a register workbook with its Actions sheet."""

from __future__ import annotations

from pathlib import Path

import openpyxl

REGISTER_HEADER = ["Identifiant", "Titre", "Année", "Statut", "Codes INSEE des communes", "Thèmes"]
REGISTER_ROWS = [
    ["T-A", "Centre-bourg de Doullens (fictif)", 2019, "réalisé", "80253", "centre-bourg"],
    ["T-B", "Friche d'Abbeville (fictif)", 2021, "en cours", "80001", "friches"],
]
ACTIONS_HEADER = [
    "Atelier",
    "Axe",
    "Action",
    "Thème",
    "Priorité",
    "Porteur",
    "Échéance",
    "Statut",
    "Budget (€)",
    "Financements",
    "Public",
    "Note",
]
#: Line 2 ok, line 3 ok (a typed year and amount), line 4 an unknown atelier (error), line 5 the
#: same action as line 2 (warning).
ACTIONS_ROWS = [
    [
        "T-A",
        "Cœur de bourg",
        "Rénover la halle",
        "centre-bourg",
        "haute",
        "commune",
        "2026",
        "en cours",
        "120 000 €",
        "DETR",
        "oui",
        "",
    ],
    [
        "T-B",
        "Friche",
        "Étude de reconversion",
        "friches",
        "faible",
        "EPF",
        2027,
        "à venir",
        45000,
        "Fonds friches",
        None,
        None,
    ],
    ["T-Z", "", "Action d'un atelier absent", "", "moyenne", "", "", "", "", "", "", ""],
    ["T-A", "Autre axe", "rénover la halle", "", "", "", "", "", "", "", "", ""],
]


def workbook(
    folder: Path,
    name: str = "registre.xlsx",
    *,
    sheet: str = "Actions",
    actions: list[list] | None = None,
    register: list[list] | None = None,
) -> Path:
    """A register workbook: its register sheet first, then the actions sheet."""
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Registre"
    first.append(REGISTER_HEADER)
    for row in REGISTER_ROWS if register is None else register:
        first.append(row)
    second = book.create_sheet(sheet)
    second.append(ACTIONS_HEADER)
    for row in ACTIONS_ROWS if actions is None else actions:
        second.append(row)
    path = folder / name
    book.save(path)
    return path


def actions_csv(folder: Path, rows: list[list] | None = None, name: str = "actions.csv") -> Path:
    """The actions as a separate CSV file (``;``)."""
    lines = [";".join(ACTIONS_HEADER)]
    for row in ACTIONS_ROWS if rows is None else rows:
        lines.append(";".join("" if c is None else str(c) for c in row))
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
