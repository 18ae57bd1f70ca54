"""Validation of register files on the hand-drawn référentiel."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from atelierflash.programme import load_programme
from atelierflash.resolution import CommuneResolver
from atelierflash.validation import validate_file

TODAY = dt.date(2026, 11, 29)
PROGRAMME = load_programme()

HEADER = "id,titre,annee,statut,echelle,communes_insee,communes,departement,themes,equipe,date_bon_commande,date_debut,date_fin,montant_eur,public"


@pytest.fixture(scope="module")
def resolver(mini_referentiel):
    return CommuneResolver(mini_referentiel)


@pytest.fixture
def validate(tmp_path, mini_referentiel, resolver):
    def run(text: str, name: str = "registre.csv", encoding: str = "utf-8"):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return validate_file(path, mini_referentiel, PROGRAMME, resolver=resolver, today=TODAY)

    return run


def rows_by_id(report):
    return {r.id: r for r in report.rows}


def test_clean_row_is_ok_with_parsed_values(validate):
    report = validate(
        HEADER + "\nA1,Site Sueur,2024,réalisé,bâtiment/îlot,80253,,,Aménagement des friches; ESS,"
        'Ville Ouverte,2023-08-10,2023-08,2024-03,"20 000,00 €",\n'
    )
    row = report.rows[0]
    assert (row.line, row.id, row.status, row.communes) == (2, "A1", "ok", ("80253",))
    atelier = report.ateliers.iloc[0]
    assert atelier["statut"] == "realise"
    assert atelier["echelle"] == "batiment_ilot"
    assert atelier["themes"] == ("friches", "economie")
    assert atelier["familles"] == ("territoriales", "sociales")
    assert atelier["equipe"] == "ville_ouverte"
    assert atelier["accord_cadre"] == "ac_2021"
    assert atelier["montant_eur"] == 20000.0
    assert bool(atelier["public"]) is True
    assert report.exit_code == 0


def test_json_has_exact_shape(validate):
    report = validate(HEADER + "\nA1,T,2024,réalisé,communale,80253,,,friches,,,,2024-06,,\n")
    payload = json.loads(report.to_json_text())
    assert set(payload) == {"rows", "summary"}
    assert payload["rows"] == [
        {
            "line": 2,
            "id": "A1",
            "statut": "realise",
            "status": "ok",
            "communes": ["80253"],
            "messages": [],
        }
    ]
    assert payload["summary"] == {"ok": 1, "warning": 0, "error": 0}


@pytest.mark.parametrize(
    ("cells", "column", "fragment"),
    [
        ("A1,T,2017,réalisé,communale,80253,,,friches", "annee", "année hors période : 2017"),
        ("A1,T,2028,réalisé,communale,80253,,,friches", "annee", "de 2019 à 2027"),
        ("A1,T,2024,fini,communale,80253,,,friches", "statut", "valeurs acceptées"),
        ("A1,T,2024,réalisé,régionale,80253,,,friches", "echelle", "bâtiment/îlot"),
        ("A1,T,2024,réalisé,communale,80253,,,numérique", "themes", "thème inconnu"),
        ("A1,T,2024,réalisé,communale,,,,friches", "communes", "aucune commune"),
        ("A1,T,2024,,communale,80253,,,friches", "statut", "non renseigné"),
    ],
)
def test_row_errors_name_the_column(validate, cells, column, fragment):
    report = validate(HEADER + "\n" + cells + ",,,,,,\n")
    row = report.rows[0]
    assert row.status == "error"
    assert any(f"colonne « {column} »" in m and fragment in m for m in row.messages), row.messages
    assert report.exit_code == 1


def test_vocabulary_error_lists_accepted_values(validate):
    report = validate(HEADER + "\nA1,T,2024,fini,communale,80253,,,friches,,,,,,\n")
    message = report.rows[0].messages[0]
    for label in PROGRAMME.statuts.labels():
        assert label in message


def test_duplicate_id_is_an_error_pointing_to_first_line(validate):
    report = validate(
        HEADER
        + "\nA1,T,2024,réalisé,communale,80253,,,friches,,,,2024-06,,"
        + "\nA1,U,2024,réalisé,communale,80001,,,friches,,,,2024-06,,\n"
    )
    assert report.rows[0].status == "ok"
    assert report.rows[1].status == "error"
    assert "en double (déjà ligne 2)" in report.rows[1].messages[0]


def test_end_before_start_is_an_error(validate):
    report = validate(
        HEADER + "\nA1,T,2024,réalisé,communale,80253,,,friches,,,2024-05,2024-03-01,,\n"
    )
    assert any("précède la date de début" in m for m in report.rows[0].messages)
    assert report.rows[0].status == "error"


def test_month_precision_dates_in_same_month_are_fine(validate):
    report = validate(
        HEADER + "\nA1,T,2024,réalisé,communale,80253,,,friches,,,08/2023,2023-08-20,,\n"
    )
    assert report.rows[0].status == "ok", report.rows[0].messages


def test_missing_year_is_a_warning_and_unknown_year(validate):
    report = validate(HEADER + "\nA1,T,,réalisé,communale,80253,,,friches,,,,,,\n")
    row = report.rows[0]
    assert row.status == "warning"
    assert "année inconnue" in row.messages[0]
    assert report.ateliers["annee"].isna().all()


def test_team_outside_agreement_in_force_is_a_warning(validate):
    # In 2019-2021 only the single provider held the agreement.
    report = validate(
        HEADER + "\nA1,T,2020,réalisé,communale,80253,,,friches,POLAU,2020-03-02,,,,\n"
    )
    row = report.rows[0]
    assert row.status == "warning"
    assert any("n'est pas titulaire" in m and "2020-03-02" in m for m in row.messages)


def test_unknown_columns_are_kept_and_reported(validate):
    report = validate(
        "id,titre,statut,communes_insee,Commentaire DDT\nA1,T,réalisé,80253,à revoir\n"
    )
    assert any("Commentaire DDT" in str(i) for i in report.file_issues)
    assert report.ateliers.iloc[0]["Commentaire DDT"] == "à revoir"


def test_html_and_formulas_stay_literal(validate):
    report = validate(
        HEADER + '\nA1,"<img src=x onerror=alert(1)>",2024,réalisé,communale,80253,,,friches,,,,,,'
        "\nA2,=1+1,2024,réalisé,communale,80001,,,friches,,,,,,\n"
    )
    titles = list(report.ateliers["titre"])
    assert titles == ["<img src=x onerror=alert(1)>", "=1+1"]


def test_public_rule_by_statut(validate):
    report = validate(
        HEADER
        + "\nA1,T,2026,candidature,communale,80253,,,friches,,,,,,"
        + "\nA2,T,2026,sélectionné,communale,80001,,,friches,,,,,,"
        + "\nA3,T,2026,en cours,communale,80620,,,friches,,,,,,non"
        + "\nA4,T,2026,abandonné,communale,77182,,,friches,,,,,,oui\n"
    )
    public = dict(zip(report.ateliers["id"], report.ateliers["public"], strict=True))
    assert public == {"A1": False, "A2": True, "A3": False, "A4": False}
    assert rows_by_id(report)["A4"].status == "warning"


def test_unusable_file_exit_code_2_with_french_message(validate, tmp_path, mini_referentiel):
    report = validate("titre,annee\nT,2024\n", name="sans_id.csv")
    assert report.exit_code == 2
    assert not report.usable
    assert "sans_id.csv" in str(report.file_issues[0])
    missing = validate_file(tmp_path / "absent.csv", mini_referentiel, PROGRAMME, today=TODAY)
    assert missing.exit_code == 2


def test_messy_windows_register(validate):
    """Windows-1252, semicolons, French headers, names instead of codes, Corsica, overseas."""
    text = (
        "Identifiant;Intitulé;Année;État;Échelle;Commune(s);Département;Thématiques;Équipe\n"
        "M1;Centre ancien;2022;Réalisée;communale;St-Étienne;Loire;centre-bourg;POLAU\n"
        "M2;Friche;2023;réalisé;bâtiment;Ferte Gaucher;77;friche;Ville Ouverte\n"
        "M3;Littoral;2024;en cours;communale;Saint-Denis;974;risques;\n"
        "M4;Homonyme;2024;en cours;communale;Saint-Denis;;risques;\n"
        "M5;Ajaccio;2023;réalisé;communale;Ajaccio;2a;patrimoine;\n"
        "M6;Fusion;2023;réalisé;communale;Annecy-le-Vieux;74;logement;\n"
        "M7;Faute;2023;réalisé;communale;Doulens;80;logement;\n"
    )
    report = validate(text, name="registre_ddt.csv", encoding="cp1252")
    rows = rows_by_id(report)
    assert rows["M1"].communes == ("42218",) and rows["M1"].status == "ok"
    assert rows["M2"].communes == ("77182",) and rows["M2"].status == "ok"
    assert rows["M3"].communes == ("97411",) and rows["M3"].status == "ok"
    assert rows["M4"].status == "error" and "93066" in rows["M4"].messages[0]
    assert rows["M5"].communes == ("2A004",)
    assert rows["M6"].communes == ("74010",) and rows["M6"].status == "warning"
    assert rows["M7"].status == "error" and "Doullens" in " ".join(rows["M7"].messages)
    text_report = report.to_text()
    assert "registre_ddt.csv, ligne 5" in text_report
    assert "point-virgule" in text_report
