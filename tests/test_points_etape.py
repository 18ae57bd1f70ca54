"""Points d'étape (issue 19 §2): jalons as settings, a date per jalon on the register row, a
statut per jalon on each action, read, checked, stored, compared and offered by the template.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from atelierflash import actions, modele, registre, store
from atelierflash.programme import ProgrammeError, load_programme
from atelierflash.registre import PartialDate, column_for_header
from atelierflash.resolution import CommuneResolver
from atelierflash.validation import validate_file

TODAY = dt.date(2026, 11, 29)
PROGRAMME = load_programme()
POINTS = PROGRAMME.points_etape


# -- Declared once: settings, then generated columns ----------------------------------------------
def test_the_jalons_are_settings_and_give_one_step_and_one_action_column_each():
    assert [p.months for p in POINTS] == [6, 12, 24]
    assert [p.step.key for p in POINTS] == ["point_6", "point_12", "point_24"]
    assert [p.step.column for p in POINTS] == [
        "date_point_etape_6",
        "date_point_etape_12",
        "date_point_etape_24",
    ]
    assert [p.statut_column for p in POINTS] == [
        "statut_6_mois",
        "statut_12_mois",
        "statut_24_mois",
    ]
    # The steps come after the course's, in their own phase, so every step rule sees them.
    assert [s.key for s in PROGRAMME.etapes[-4:]] == ["fin", "point_6", "point_12", "point_24"]
    assert {p.step.phase for p in POINTS} == {"suites"}
    names = [c.name for c in registre.COLUMNS]
    assert names.index("date_fin") + 1 == names.index("date_point_etape_6")
    assert registre.COLUMNS_BY_NAME["date_point_etape_12"].label_fr == (
        "Date du point d'étape à 12 mois"
    )
    # Ordinary columns of the actions' one declaration, at its end.
    action_names = [c.name for c in actions.ACTIONS.columns]
    assert action_names[-3:] == ["statut_6_mois", "statut_12_mois", "statut_24_mois"]
    assert actions.ACTIONS.by_name["statut_24_mois"].label_fr == "Statut à 24 mois"
    assert all(actions.ACTIONS.by_name[p.statut_column].description_fr for p in POINTS)


@pytest.mark.parametrize("point", POINTS, ids=lambda p: str(p.months))
def test_headers_valid_and_invalid_examples(point):
    for header in point.step.headers:
        assert column_for_header(header) == point.step.column, header
    assert column_for_header("Date de bilan à 6 mois") == ("date_point_etape_6")
    for example in point.step.invalid_examples:
        assert column_for_header(example) != point.step.column, example
    for header in point.statut_headers:
        assert actions.ACTIONS.column_for_header(header) == point.statut_column, header
    assert point.statut_invalid_examples
    for example in point.statut_invalid_examples:
        assert actions.ACTIONS.column_for_header(example) != point.statut_column, example


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("points_etape_mois = [12, 6]", "mois croissants"),
        ('points_etape_mois = ["six"]', "nombres entiers de mois"),
        ('actions_demarrees = ["commencé?"]', "actions_demarrees"),
        ('actions_realisees = ["en_pause"]', "actions_realisees"),
    ],
)
def test_bad_settings_are_refused_in_french(tmp_path, setting, message):
    text = PROGRAMME.path.read_text(encoding="utf-8")
    name = setting.split(" = ")[0]
    lines = [setting if line.startswith(f"{name} = ") else line for line in text.splitlines()]
    bad = tmp_path / "programme.toml"
    bad.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ProgrammeError, match=message):
        load_programme(bad)


# -- The register row: a date per jalon, the course's rules -----------------------------------------
HEADER = (
    "id,titre,annee,statut,communes_insee,themes,Date de restitution,Date de fin,"
    "Point d'étape à 6 mois,Date du point d'étape à 12 mois,bilan à 24 mois"
)


@pytest.fixture(scope="module")
def resolver(mini_referentiel):
    return CommuneResolver(mini_referentiel)


@pytest.fixture
def validate(tmp_path, mini_referentiel, resolver):
    def run(*rows: str):
        path = tmp_path / "registre.csv"
        path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
        return validate_file(path, mini_referentiel, PROGRAMME, resolver=resolver, today=TODAY)

    return run


def points_messages(report, line=2):
    row = next(r for r in report.rows if r.line == line)
    columns = {p.step.column for p in POINTS}
    return [(i.level, i.column, i.text) for i in row.issues if i.column in columns]


def test_point_dates_are_read_under_office_headers(validate):
    report = validate("A1,T,2023,réalisé,80253,friches,2024-01-15,2024-03,2024-07-10,01/2025,")
    assert points_messages(report) == []
    atelier = report.ateliers.iloc[0]
    assert atelier["date_point_etape_6"] == PartialDate(2024, 7, 10)
    assert atelier["date_point_etape_12"] == PartialDate(2025, 1)
    assert atelier["date_point_etape_24"] is None
    assert report.to_json()["rows"][0]["status"] == "ok"


def test_a_point_before_the_restitution_is_a_warning(validate):
    report = validate("A1,T,2023,réalisé,80253,friches,2024-01-15,2024-03,2023-12-01,,")
    [(level, column, text)] = points_messages(report)
    assert (level, column) == ("warning", "date_point_etape_6")
    assert "« point d'étape à 6 mois » (01/12/2023) précède l'étape « restitution finale »" in text
    assert len(report.ateliers) == 1  # the row is kept


def test_a_point_before_the_end_but_after_the_restitution_is_fine(validate):
    # The points count from the restitution, not from the end of the atelier's paperwork.
    report = validate("A1,T,2023,réalisé,80253,friches,2024-01-15,2024-09,2024-07-10,,")
    assert points_messages(report) == []


def test_a_point_before_an_earlier_point_is_a_warning(validate):
    report = validate("A1,T,2023,réalisé,80253,friches,2024-01-15,,2024-09-01,2024-08-01,")
    [(level, column, text)] = points_messages(report)
    assert (level, column) == ("warning", "date_point_etape_12")
    assert "précède l'étape « point d'étape à 6 mois »" in text


def test_a_point_dated_after_today_is_a_warning(validate):
    report = validate(
        "A1,T,2023,réalisé,80253,friches,2024-01-15,,2024-07-01,2025-01-10,2026-12-15",
        "A2,T,2025,en cours,80253,friches,2026-01-15,,2026-12-15,,",
    )
    for line in (2, 3):
        [(level, column, text)] = points_messages(report, line)
        assert (level, column) == ("warning", points_messages(report, line)[0][1])
        assert "15/12/2026, après aujourd'hui" in text
        assert "le jour où il est tenu" in text


def test_an_unreadable_point_date_is_an_error(validate):
    report = validate("A1,T,2023,réalisé,80253,friches,2024-01-15,,bientôt,,")
    [(level, column, _)] = points_messages(report)
    assert (level, column) == ("error", "date_point_etape_6")


# -- The actions: a statut per jalon ---------------------------------------------------------------
ACTION_HEADER = (
    "Atelier;Action;Statut;Statut à 6 mois;statut au point à 12 mois;Avancement à 24 mois"
)
DATED = {"AF-A": {6, 12}, "AF-B": set()}


def check_actions(tmp_path: Path, *lines: str, points=DATED):
    path = tmp_path / "actions.csv"
    path.write_text("\n".join([ACTION_HEADER, *lines]) + "\n", encoding="utf-8")
    return actions.validate_actions_file(path, PROGRAMME, ("AF-A", "AF-B"), points=points)


def test_statuts_per_jalon_are_parsed_with_the_vocabulary(tmp_path):
    report = check_actions(tmp_path, "AF-A;Rénover la halle;réalisé;commencé;Terminée;")
    [row] = report.rows
    assert row.status == "ok", row.issues
    parsed = report.actions.iloc[0]
    assert (parsed["statut_6_mois"], parsed["statut_12_mois"]) == ("en_cours", "realise")
    assert parsed["statut_24_mois"] is None


def test_an_unknown_statut_at_a_jalon_is_an_error_of_that_action(tmp_path):
    report = check_actions(
        tmp_path, "AF-A;Rénover la halle;en cours;en cours;", "AF-A;Autre;;fini?;;"
    )
    good, bad = report.rows
    assert good.status == "ok" and bad.status == "error"
    [issue] = bad.issues
    assert issue.column == "statut_6_mois"
    assert "statut de l'action inconnu(e) : « fini? »" in issue.text
    assert "actions.csv, ligne 3" in report.to_text()
    assert "colonne « Statut à 6 mois » (statut_6_mois)" in report.to_text()


def test_a_statut_at_a_jalon_without_its_point_date_is_a_warning(tmp_path):
    report = check_actions(tmp_path, "AF-B;Étude;en cours;en cours;;", "AF-A;Halle;;;;à venir")
    first, second = report.rows
    [issue] = first.issues
    assert (issue.level, issue.column) == ("warning", "statut_6_mois")
    assert "aucune date du point d'étape à 6 mois" in issue.text
    [issue] = second.issues
    assert (issue.level, issue.column) == ("warning", "statut_24_mois")
    # Without the register's dates (a file validated alone), nothing is said.
    alone = check_actions(tmp_path, "AF-B;Étude;en cours;en cours;;", points=None)
    assert alone.rows[0].status == "ok"


def test_dated_points_of_a_register(validate):
    report = validate(
        "A1,T,2023,réalisé,80253,friches,2024-01-15,,2024-07-10,01/2025,",
        "A2,T,2023,réalisé,80253,friches,2024-01-15,,,,",
    )
    assert actions.dated_points(report.ateliers, PROGRAMME) == {"A1": {6, 12}, "A2": set()}
    # The same from text cells (a stored version's table).
    assert actions.dated_points(report.table.rows, PROGRAMME) == {"A1": {6, 12}, "A2": set()}


# -- The template, the store and its diff ------------------------------------------------------------
def test_the_template_offers_the_statuts_at_each_jalon():
    book = openpyxl.load_workbook(io.BytesIO(modele.template_bytes(PROGRAMME)))
    sheet = book["Actions"]
    headers = [c.value for c in sheet[1]]
    assert headers[-3:] == ["Statut à 6 mois", "Statut à 12 mois", "Statut à 24 mois"]
    validated = {
        str(v.sqref).split(":")[0].rstrip("0123456789")
        for v in sheet.data_validations.dataValidation
    }
    letters = [openpyxl.utils.get_column_letter(headers.index(h) + 1) for h in headers[-3:]]
    assert set(letters) <= validated
    assert "Date du point d'étape à 6 mois" in [c.value for c in book["Registre"][1]]


def test_a_version_holds_the_points_and_the_diff_shows_them(tmp_path, mini_referentiel, store_url):
    from tests.feuille_de_route import workbook

    s = store.Store(store_url)
    try:
        register = [
            ["T-A", "Centre-bourg de Doullens (fictif)", 2019, "réalisé", "80253", "centre-bourg"],
        ]
        rows = [["T-A", "Axe", "Rénover la halle", "", "", "", "", "en cours"]]
        first = workbook(tmp_path, "v1.xlsx", register=register, actions=rows)
        preview = store.prepare_import(first, s, mini_referentiel, PROGRAMME)
        store.commit_import(s, preview, "Camille")
        # Second version: the point at 6 months and each action's statut then.
        book = openpyxl.load_workbook(first)
        book["Registre"].cell(row=1, column=7, value="Point d'étape à 6 mois")
        book["Registre"].cell(row=2, column=7, value="2021-09-15")
        book["Actions"].cell(row=1, column=13, value="Statut à 6 mois")
        book["Actions"].cell(row=2, column=13, value="en cours")
        second = tmp_path / "v2.xlsx"
        book.save(second)
        preview = store.prepare_import(second, s, mini_referentiel, PROGRAMME)
        assert [r.status for r in preview.actions.rows] == ["ok"]
        changes = [(c.colonne, c.avant, c.apres) for c in preview.diff.changed]
        assert ("Point d'étape à 6 mois", "", "2021-09-15") in changes  # as the file spells it
        assert [(c.colonne, c.apres) for c in preview.diff.actions_changed] == [
            ("Statut à 6 mois", "en cours")
        ]
        info = store.commit_import(s, preview, "Camille")
        assert s.actions(info.version).rows["statut_6_mois"].tolist() == ["en cours"]
        assert s.table(info.version).rows["date_point_etape_6"].tolist() == ["2021-09-15"]
    finally:
        s.dispose()
