"""Candidatures from a Démarches simplifiées export (issue 18 §5), on fixtures written here.

The export's shape, as the service documents it: fixed columns (``ID``, ``Email``, ``État du
dossier`` with French labels, ``Déposé le``, ``Passé en instruction le``, ``Traité le``,
``Motivation de la décision``, ``Instructeurs``; timestamps ``2026-03-12 14:03:22 +0100``), then
one column per field of the form, headed by its label.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from atelierflash import registre, store
from atelierflash.programme import load_programme
from atelierflash.registre import PartialDate, demarches, read_register
from atelierflash.resolution import CommuneResolver
from atelierflash.validation import validate_file

TODAY = dt.date(2026, 11, 29)
PROGRAMME = load_programme()

HEADER = [
    "ID",
    "Email",
    "Civilité",
    "Nom",
    "Prénom",
    "État du dossier",
    "Dernière mise à jour le",
    "Déposé le",
    "Passé en instruction le",
    "Traité le",
    "Motivation de la décision",
    "Instructeurs",
    "Intitulé du projet",
    "Commune du projet",
    "Commune du projet (Code INSEE)",
    "Département",
    "Nom et téléphone du référent",
    "Thématique principale",
]
PERSONAL = ("camille.martin@example.org", "Martin", "Camille", "instructeur@dgaln.example", "06 12")

ROWS = [
    # id, state, deposited, instruction, treated, motivation, title, commune, insee, dep, theme
    [
        "1201",
        "En construction",
        "",
        "",
        "",
        "",
        "Halle",
        "Doullens (80600)",
        "80253",
        "80 - Somme",
        "friches",
    ],
    [
        "1202",
        "En instruction",
        "2026-03-12 14:03:22 +0100",
        "2026-03-20 09:00:00 +0100",
        "",
        "",
        "Bourg",
        "Abbeville (80100)",
        "",
        "80 - Somme",
        "centre-bourg",
    ],
    [
        "1203",
        "Accepté",
        "2026-01-05 10:00:00 +0100",
        "2026-01-10 10:00:00 +0100",
        "2026-02-02 16:45:10 +0100",
        "Dossier complet",
        "Entrée de ville",
        "",
        "",
        "",
        "entrées de ville",
    ],
    [
        "1204",
        "Refusé",
        "2025-11-30 23:59:59 +0100",
        "2025-12-01 08:00:00 +0100",
        "2026-01-15 11:00:00 +0100",
        "Projet hors champ",
        "Port",
        "Bastia (20200)",
        "2B033",
        "2B - Haute-Corse",
        "patrimoine",
    ],
    [
        "1205",
        "Classé sans suite",
        "2026-02-01 08:00:00 +0100",
        "",
        "2026-04-01 08:00:00 +0200",
        "",
        "Friche",
        "Saverdun (09700)",
        "09282",
        "09 - Ariège",
        "friches",
    ],
]


def _cells(row: list[str]) -> list[str]:
    ident, state, deposited, instruction, treated, motivation, title, commune, insee, dep, theme = (
        row
    )
    return [
        ident,
        "camille.martin@example.org",
        "Mme",
        "Martin",
        "Camille",
        state,
        "2026-04-02 10:00:00 +0200",
        deposited,
        instruction,
        treated,
        motivation,
        "instructeur@dgaln.example",
        title,
        commune,
        insee,
        dep,
        "M. Referent, 06 12 34 56 78",
        theme,
    ]


def export_csv(tmp_path, rows=ROWS, name="dossiers.csv"):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(_cells(row))
    path = tmp_path / name
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def resolver(mini_referentiel):
    return CommuneResolver(mini_referentiel)


def test_the_export_is_recognised_by_its_fixed_headers():
    assert demarches.is_export(["ID", "Email", "État du dossier", "Déposé le", "Commune"])
    assert demarches.is_export(["id", "etat du dossier", "DÉPOSÉ LE"])
    assert not demarches.is_export(["id", "titre", "statut", "communes_insee"])
    assert not demarches.is_export(["ID", "État du dossier"])


def test_an_export_reads_as_candidatures_without_personal_columns(tmp_path):
    table = read_register(export_csv(tmp_path))
    assert table.demarches
    rows = table.rows
    assert rows["id"].tolist() == ["DS-1201", "DS-1202", "DS-1203", "DS-1204", "DS-1205"]
    assert rows["line"].tolist() == [2, 3, 4, 5, 6]
    # Personal columns are never stored: neither as columns nor in any cell.
    assert table.unknown_columns == ()
    for column in rows.columns:
        for value in rows[column].astype(str):
            assert not any(p in value for p in PERSONAL), (column, value)
    assert set(table.columns) <= set(registre.COLUMNS_BY_NAME)
    # Messages name the export's own headers.
    assert table.header_map["Déposé le"] == "date_depot"
    assert table.header_map["Traité le"] == "date_eligibilite"
    assert table.header_map["État du dossier"] == "statut"
    assert table.header_map["Commune du projet (Code INSEE)"] == "communes_insee"


def test_states_dates_year_and_communes(tmp_path, mini_referentiel, resolver):
    report = validate_file(
        export_csv(tmp_path), mini_referentiel, PROGRAMME, resolver=resolver, today=TODAY
    )
    ateliers = report.ateliers.set_index("id")
    assert ateliers["statut"].to_dict() == {
        "DS-1201": "candidature",
        "DS-1202": "candidature",
        "DS-1203": "eligible",
        "DS-1204": "non_retenu",
        "DS-1205": "abandonne",
    }
    assert ateliers.loc["DS-1202", "date_depot"] == PartialDate(2026, 3, 12)
    assert ateliers.loc["DS-1204", "date_depot"] == PartialDate(2025, 11, 30)
    assert ateliers.loc["DS-1204", "date_eligibilite"] == PartialDate(2026, 1, 15)
    assert ateliers.loc["DS-1203", "date_eligibilite"] == PartialDate(2026, 2, 2)
    assert ateliers.loc["DS-1201", "date_depot"] is None
    # The year is the dépôt's; a draft (never deposited) has none.
    assert ateliers.loc["DS-1204", "annee"] == 2025 and ateliers.loc["DS-1202", "annee"] == 2026
    assert ateliers["annee"].isna().tolist() == [True, False, False, False, False]
    # Communes: the INSEE code, else the name (its postcode dropped) and the département.
    assert ateliers.loc["DS-1201", "communes"] == ("80253",)
    assert ateliers.loc["DS-1202", "communes"] == ("80001",)
    assert ateliers.loc["DS-1204", "communes"] == ("2B033",)
    assert ateliers.loc["DS-1205", "themes"] == ("friches",)
    assert ateliers.loc["DS-1203", "titre"] == "Entrée de ville"
    by_id = {r.id: r for r in report.rows}
    # No location for DS-1203: an error naming the row, as for any register.
    assert by_id["DS-1203"].status == "error"
    assert by_id["DS-1202"].status != "error" and by_id["DS-1204"].status != "error"
    # Never published.
    assert not ateliers["public"].any()
    assert report.to_json()["rows"][3]["statut"] == "non_retenu"
    assert "export Démarches simplifiées lu comme candidatures" in report.to_text()


def test_an_xlsx_export_with_typed_cells(tmp_path, mini_referentiel, resolver):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        [
            "ID",
            "Email",
            "État du dossier",
            "Déposé le",
            "Traité le",
            "Commune (Code INSEE)",
            "Projet",
        ]
    )
    sheet.append(
        [
            1301,
            "a@b.fr",
            "Accepté",
            dt.datetime(2026, 3, 12, 14, 3, 22),
            dt.datetime(2026, 4, 1, 9, 0),
            1053,
            "Gare",
        ]
    )
    path = tmp_path / "dossiers.xlsx"
    book.save(path)
    report = validate_file(path, mini_referentiel, PROGRAMME, resolver=resolver, today=TODAY)
    [atelier] = report.ateliers.to_dict("records")
    assert atelier["id"] == "DS-1301" and atelier["statut"] == "eligible"
    assert atelier["communes"] == ("01053",)  # the leading zero the spreadsheet dropped
    assert atelier["date_depot"] == PartialDate(2026, 3, 12) and atelier["annee"] == 2026
    assert atelier["titre"] == "Gare"


def test_hostile_text_stays_text(tmp_path, mini_referentiel, resolver):
    rows = [
        [
            "=cmd|' /C calc'!A0",
            "<script>alert(1)</script>",
            "=1+1",
            "",
            "",
            "",
            '<img src=x onerror="alert(1)">',
            "Doullens",
            "80253",
            "",
            "friches",
        ],
    ]
    path = export_csv(tmp_path, rows)
    report = validate_file(path, mini_referentiel, PROGRAMME, resolver=resolver, today=TODAY)
    [atelier] = report.ateliers.to_dict("records")
    assert atelier["id"] == "DS-=cmd|' /C calc'!A0"
    assert atelier["titre"] == '<img src=x onerror="alert(1)">'
    messages = " ".join(report.rows[0].messages)
    # An unknown state reads as a candidature; a date that is not one is an error, kept as text.
    assert atelier["statut"] == "candidature"
    assert "date invalide : « =1+1 »" in messages
    assert "balises HTML" in messages


def test_a_reimport_updates_by_id_and_the_diff_says_what_moved(tmp_path, mini_referentiel):
    s = store.Store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        first = store.prepare_import(export_csv(tmp_path), s, mini_referentiel, PROGRAMME)
        store.commit_import(s, first, "Camille")
        moved = [list(r) for r in ROWS]
        moved[1][1:5] = [
            "Accepté",
            "2026-03-12 14:03:22 +0100",
            "2026-03-20 09:00:00 +0100",
            "2026-05-04 10:00:00 +0200",
        ]
        path = export_csv(tmp_path, moved, name="dossiers_mai.csv")
        second = store.prepare_import(path, s, mini_referentiel, PROGRAMME)
        assert second.diff.added == [] and second.diff.removed == []
        changes = {(c.id, c.colonne): (c.avant, c.apres) for c in second.diff.changed}
        assert changes == {
            ("DS-1202", "État du dossier"): ("candidature", "éligible"),
            ("DS-1202", "Traité le"): ("", "2026-05-04"),
        }
        store.commit_import(s, second, "Camille")
        stored = s.table(2).rows.set_index("id")
        assert stored.loc["DS-1202", "statut"] == "éligible"
        assert not any(p in " ".join(stored.astype(str).to_numpy().ravel()) for p in PERSONAL)
    finally:
        s.dispose()
