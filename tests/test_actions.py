"""The feuille de route's actions: columns, reading (CSV and a workbook's sheet), rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from atelierflash import actions
from atelierflash.programme import load_programme
from atelierflash.registre import RegisterFileError, read_register

PROGRAMME = load_programme()
IDS = ("AF-A", "AF-B")
HEADER = (
    "Atelier;Axe;Action;Thème;Priorité;Porteur;Échéance;Statut;Budget (€);Financements;Public;Note"
)


def write(tmp_path: Path, lines: list[str], name: str = "actions.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def check(tmp_path: Path, *lines: str):
    return actions.validate_actions_file(write(tmp_path, list(lines)), PROGRAMME, IDS)


def only(report) -> actions.ActionResult:
    assert len(report.rows) == 1
    return report.rows[0]


GOOD = "AF-A;Cœur de bourg;Rénover la halle;centre-bourg;haute;commune;2026;en cours;120 000 €;DETR;oui;"


# -- columns ------------------------------------------------------------------------------------
def test_columns_are_declared_once_with_the_issue_names():
    names = [c.name for c in actions.ACTIONS.columns]
    assert names == [
        "atelier",
        "axe",
        "action",
        "theme",
        "priorite",
        "porteur",
        "echeance",
        "statut",
        "budget_eur",
        "financements",
        "public",
        "note",
        # One statut per point d'étape ([suivi] points_etape_mois).
        "statut_6_mois",
        "statut_12_mois",
        "statut_24_mois",
    ]
    assert actions.ACTIONS.required == ("atelier", "action")
    assert all(c.description_fr for c in actions.ACTIONS.columns)


def test_headers_are_matched_like_the_register_s():
    assert actions.ACTIONS.column_for_header("PRIORITE") == "priorite"
    assert actions.ACTIONS.column_for_header("Échéance ") == "echeance"
    assert actions.ACTIONS.column_for_header("identifiant de l'atelier") == "atelier"
    assert actions.ACTIONS.column_for_header("communes") is None


# -- a good action --------------------------------------------------------------------------------
def test_a_good_action_is_parsed(tmp_path):
    report = check(tmp_path, GOOD)
    row = only(report)
    assert row.status == "ok", row.issues
    assert (row.line, row.atelier, row.sheet) == (2, "AF-A", None)
    record = report.actions.iloc[0]
    assert record["theme"] == "revitalisation"
    assert record["priorite"] == "elevee"
    assert record["statut"] == "en_cours"
    assert record["echeance"] == "2026"
    assert record["echeance_fin"] == dt.date(2026, 12, 31)
    assert record["budget_eur"] == 120000
    assert bool(record["public"]) is True
    assert report.summary == {"ok": 1, "warning": 0, "error": 0}
    assert report.exit_code == 0


def test_public_defaults_to_no_and_a_date_deadline_keeps_its_precision(tmp_path):
    report = check(tmp_path, "AF-B;;Étude de friche;friches;faible;EPF;06/2027;à venir;;;;")
    assert only(report).status == "ok"
    record = report.actions.iloc[0]
    assert bool(record["public"]) is False
    assert (record["echeance"], record["echeance_fin"]) == ("2027-06", dt.date(2027, 6, 30))
    assert record["priorite"] == "basse"


# -- each rule: an error of that action (file, line, column) --------------------------------------
@pytest.mark.parametrize(
    ("line", "column", "fragment"),
    [
        ("AF-Z;;Rénover la halle;;;;;;;;;", "atelier", "atelier inconnu : « AF-Z »"),
        (";;Rénover la halle;;;;;;;;;", "atelier", "atelier non renseigné"),
        ("AF-A;Axe;;;;;;;;;;", "action", "action vide"),
        ("AF-A;;Une action;numérique;;;;;;;;", "theme", "thème inconnu(e) : « numérique »"),
        ("AF-A;;Une action;;urgente;;;;;;;", "priorite", "priorité inconnu(e) : « urgente »"),
        ("AF-A;;Une action;;;;;fini?;;;;", "statut", "statut de l'action inconnu(e)"),
        ("AF-A;;Une action;;;;;candidature;;;;", "statut", "« candidature »"),
        ("AF-A;;Une action;;;;bientôt;;;;;", "echeance", "échéance illisible : « bientôt »"),
        ("AF-A;;Une action;;;;31/02/2026;;;;;", "echeance", "échéance illisible"),
        ("AF-A;;Une action;;;;;;beaucoup;;;", "budget_eur", "montant invalide"),
        ("AF-A;;Une action;;;;;;;;peut-être;", "public", "attendu oui ou non"),
    ],
)
def test_each_rule_is_an_error_of_that_action(tmp_path, line, column, fragment):
    report = check(tmp_path, GOOD, line)
    good, bad = report.rows
    assert good.status == "ok"
    assert bad.status == "error"
    assert bad.line == 3
    [issue] = [i for i in bad.issues if i.level == "error"]
    assert issue.column == column
    assert fragment in issue.text
    assert report.exit_code == 1
    text = report.to_text()
    header = {c.name: c.label_fr for c in actions.ACTIONS.columns}[column]
    assert "actions.csv, ligne 3" in text
    assert f"colonne « {header} » ({column})" in text


def test_the_same_action_twice_for_an_atelier_is_a_warning(tmp_path):
    twin = "AF-A;Autre axe;  rénover LA halle ;;;;;;;;;"
    other = "AF-B;;Rénover la halle;;;;;;;;;"
    report = check(tmp_path, GOOD, twin, other)
    assert [r.status for r in report.rows] == ["ok", "warning", "ok"]
    [issue] = report.rows[1].issues
    assert issue.column == "action"
    assert "ligne 2" in issue.text
    assert report.exit_code == 0


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil.example")', "+cmd", "@SUM(1)", "-2+3"])
def test_text_a_spreadsheet_would_calculate_is_a_warning(tmp_path, text):
    report = check(tmp_path, f"AF-A;;{text};;;;;;;;;")
    row = only(report)
    assert row.status == "warning"
    assert [i.column for i in row.issues] == ["action"]
    assert "formule de tableur" in row.issues[0].text
    assert report.actions.iloc[0]["action"] == text  # kept as text


def test_a_contact_in_a_public_column_is_a_warning(tmp_path):
    row = only(check(tmp_path, "AF-A;;Une action;;;marie.dupont@mairie.fr;;;;;;"))
    assert row.status == "warning"
    assert row.issues[0].column == "porteur"


def test_an_unknown_atelier_is_not_checked_without_a_register(tmp_path):
    report = actions.validate_actions_file(
        write(tmp_path, ["AF-Z;;Une action;;;;;;;;;"]), PROGRAMME, None
    )
    assert only(report).status == "ok"


# -- the file ---------------------------------------------------------------------------------------
def test_a_file_without_the_action_column_cannot_be_used(tmp_path):
    path = tmp_path / "actions.csv"
    path.write_text("Atelier;Axe\nAF-A;Axe 1\n", encoding="utf-8")
    report = actions.validate_actions_file(path, PROGRAMME, IDS)
    assert not report.usable
    assert report.exit_code == 2
    assert "« action »" in str(report.file_issues[0])
    assert report.to_json() == {
        "actions": [],
        "summary_actions": {"ok": 0, "warning": 0, "error": 0},
    }


def test_json_shape(tmp_path):
    report = check(tmp_path, GOOD, "AF-Z;;Une action;;;;;;;;;")
    payload = report.to_json()
    assert payload["summary_actions"] == {"ok": 1, "warning": 0, "error": 1}
    assert payload["actions"][1] == {
        "line": 3,
        "sheet": None,
        "atelier": "AF-Z",
        "status": "error",
        "messages": [
            "colonne « Atelier » (atelier) : atelier inconnu : « AF-Z » (aucun atelier du "
            "registre n'a cet identifiant)"
        ],
    }


def workbook(tmp_path: Path, sheet: str = "Actions") -> Path:
    book = openpyxl.Workbook()
    register = book.active
    register.title = "Registre"
    register.append(["Identifiant", "Titre", "Statut", "Codes INSEE des communes"])
    register.append(["AF-A", "Atelier A", "réalisé", "80253"])
    register.append(["AF-B", "Atelier B", "en cours", "80253"])
    sheet_ = book.create_sheet(sheet)
    sheet_.append(HEADER.split(";"))
    sheet_.append(GOOD.split(";"))
    sheet_.append(["AF-B", None, "Étude", None, "basse", "EPCI", 2027, "réalisé", 5000])
    sheet_.append(["AF-Q", None, "Inconnu", None, "moyenne", None, None, None, None])
    path = tmp_path / "registre.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize("name", ["Actions", "Feuille de route", "FEUILLE DE ROUTE"])
def test_the_actions_sheet_of_a_workbook_is_found_and_read(tmp_path, name):
    path = workbook(tmp_path, name)
    assert actions.actions_sheet(path) == name
    report = actions.validate_actions_file(path, PROGRAMME, IDS)
    assert [r.status for r in report.rows] == ["ok", "ok", "error"]
    assert report.rows[2].sheet == name
    assert report.rows[2].line == 4
    assert f"registre.xlsx, feuille « {name} », ligne 4" in report.to_text()
    # The register's sheet is still the first one, unaffected.
    assert list(read_register(path).rows["id"]) == ["AF-A", "AF-B"]


def test_a_workbook_without_an_actions_sheet(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Identifiant"])
    path = tmp_path / "r.xlsx"
    book.save(path)
    assert actions.actions_sheet(path) is None
    assert actions.actions_sheet(write(tmp_path, [GOOD])) is None  # a CSV has no sheet


def test_a_broken_workbook_is_a_french_error(tmp_path):
    path = tmp_path / "casse.xlsx"
    path.write_bytes(b"PK\x03\x04 pas un classeur")
    with pytest.raises(RegisterFileError, match=r"casse\.xlsx"):
        actions.actions_sheet(path)
