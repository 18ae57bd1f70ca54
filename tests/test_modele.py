"""The blank workbook to fill in: sheets, headers, drop-down lists, « Lisez-moi », read back."""

from __future__ import annotations

import io

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from atelierflash import actions, modele, registre
from atelierflash.__main__ import main
from atelierflash.programme import load_programme
from atelierflash.validation import validate_file
from tests.conftest import make_mini_referentiel

PROGRAMME = load_programme()


@pytest.fixture(scope="module")
def book():
    return openpyxl.load_workbook(io.BytesIO(modele.template_bytes(PROGRAMME)))


def _lists(book) -> dict[str, list[str]]:
    """The hidden « Listes » sheet: list title → values."""
    sheet = book[modele.LISTS_SHEET]
    columns = {}
    for column in sheet.iter_cols(values_only=True):
        columns[column[0]] = [v for v in column[1:] if v is not None]
    return columns


def _drop_downs(book, sheet_name: str) -> dict[str, list[str]]:
    """Header of each validated column → the values its drop-down list offers."""
    sheet = book[sheet_name]
    headers = [c.value for c in sheet[1]]
    lists = book[modele.LISTS_SHEET]
    found = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list"
        reference = validation.formula1.removeprefix("=")
        title, cells = reference.split("!")
        assert title.strip("'") == modele.LISTS_SHEET
        first, last = cells.replace("$", "").split(":")
        values = [c.value for row in lists[f"{first}:{last}"] for c in row]
        (target,) = str(validation.sqref).split()
        column = target.split(":")[0].rstrip("0123456789")
        assert target == f"{column}2:{column}{modele.VALIDATED_ROWS + 1}"
        header = headers[[get_column_letter(i + 1) for i in range(len(headers))].index(column)]
        found[header] = values
    return found


def test_the_sheets_and_their_headers(book):
    assert book.sheetnames == ["Registre", "Actions", "Lisez-moi", "Listes"]
    assert book["Listes"].sheet_state == "hidden"
    assert [c.value for c in book["Registre"][1]] == [c.label_fr for c in registre.COLUMNS]
    assert [c.value for c in book["Actions"][1]] == [c.label_fr for c in actions.ACTIONS.columns]
    assert book["Registre"].freeze_panes == "A2"


def test_every_vocabulary_column_has_its_drop_down(book):
    p = PROGRAMME
    assert _drop_downs(book, "Registre") == {
        "Statut": p.statuts.labels(),
        "Échelle": p.echelles.labels(),
        "Thèmes": p.themes.labels(),
        "Équipe": p.equipes.labels(),
        "Accord-cadre": p.accords.labels(),
        "Public": ["oui", "non"],
    }
    assert _drop_downs(book, "Actions") == {
        "Thème": p.themes.labels(),
        "Priorité": ["élevée", "moyenne", "basse"],
        "Statut": [
            "à venir",
            "en cours",
            "réalisé",
            "en pause",
            "abandonné",
            "bloqué",
            "en retard",
            "à discuter",
        ],
        "Public": ["oui", "non"],
        # The statut at each point d'étape: the same list.
        **{f"Statut à {n} mois": p.statuts_action.labels() for n in (6, 12, 24)},
    }
    styles = {
        (ws, v.errorStyle)
        for ws in ("Registre", "Actions")
        for v in book[ws].data_validations.dataValidation
    }
    # The register's themes cell holds several themes: its list warns instead of refusing.
    assert ("Registre", "warning") in styles and ("Actions", "warning") not in styles
    assert set(_lists(book)) == {
        "statut",
        "échelle",
        "thème",
        "équipe (mandataire)",
        "accord-cadre",
        "oui / non",
        "priorité",
        "statut de l'action",
    }


def test_lisez_moi_explains_every_column(book):
    rows = list(book["Lisez-moi"].iter_rows(values_only=True))
    text = "\n".join(" ".join(str(v) for v in row if v) for row in rows)
    assert "Registre des Ateliers Flash : modèle à remplir" in text
    described = {(row[0], row[1]): row for row in rows if row and row[0] in ("Registre", "Actions")}
    for sheet, columns in (("Registre", registre.COLUMNS), ("Actions", actions.ACTIONS.columns)):
        for column in columns:
            row = described[(sheet, column.label_fr)]
            assert row[3] == column.description_fr
            assert (row[2] == "oui") is column.required
    assert "élevée ; moyenne ; basse" in described[("Actions", "Priorité")][4]


def test_the_template_reads_back_without_a_file_error(tmp_path, mini_referentiel):
    path = modele.write_template(tmp_path / "modele.xlsx", PROGRAMME)
    report = validate_file(path, mini_referentiel, PROGRAMME)
    assert report.usable and report.file_issues == [] and report.rows == []
    plan = actions.validate_actions_file(path, PROGRAMME, [])
    assert plan.usable and plan.file_issues == [] and plan.rows == []
    assert plan.table.sheet == "Actions"


def test_a_filled_template_validates(tmp_path, mini_referentiel):
    path = modele.write_template(tmp_path / "modele.xlsx", PROGRAMME)
    book = openpyxl.load_workbook(path)
    labels = [c.value for c in book["Registre"][1]]
    row = dict.fromkeys(labels, None)
    row.update(
        {
            "Identifiant": "T-A",
            "Titre": "Doullens (fictif)",
            "Année": 2019,
            "Statut": "en cours",
            "Codes INSEE des communes": "80253",
            "Thèmes": PROGRAMME.themes.labels()[0],
        }
    )
    book["Registre"].append([row[h] for h in labels])
    book["Actions"].append(["T-A", "Cœur de bourg", "Rénover la halle", "friches", "élevée"])
    book.save(path)
    report = validate_file(path, mini_referentiel, PROGRAMME)
    assert [r.status for r in report.rows] == ["ok"], report.to_text()
    plan = actions.validate_actions_file(path, PROGRAMME, ["T-A"])
    assert [r.status for r in plan.rows] == ["ok"]


def test_the_command_writes_the_template(tmp_path, monkeypatch, capsys):
    out = tmp_path / "modele.xlsx"
    assert main(["modele", "--out", str(out)]) == 0
    assert "Modèle écrit dans" in capsys.readouterr().out
    assert openpyxl.load_workbook(out).sheetnames[:2] == ["Registre", "Actions"]
    assert main(["modele", "--out", str(tmp_path / "modele.csv")]) == 2
    assert "extension .xlsx" in capsys.readouterr().err
    assert not (tmp_path / "modele.csv").exists()
    import atelierflash.referentiel as referentiel

    monkeypatch.setattr(referentiel, "load_referentiel", lambda *a, **k: make_mini_referentiel())
    assert main(["validate", str(out), "--json"]) == 0
