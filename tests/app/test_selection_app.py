"""AppTest of the « Sélection annuelle » page: year selector, filters, official figures."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.app.analytics_helpers import chart, charts, demo_rows, metric

PAGE = "pages/selection-annuelle.py"


def _select_year(at, year: int):
    at.selectbox(key="annee_choisie").select(year).run()
    assert not at.exception, at.exception
    return at


def test_page_runs_on_the_current_year_by_default(mini_app):
    at = mini_app(PAGE)
    assert at.title[0].value == "Sélection annuelle"
    years = at.selectbox(key="annee_choisie").options
    assert years == [str(y) for y in range(2019, 2027)]  # 2020 and 2023 offered, empty
    this_year = dt.date.today().year
    if str(this_year) in years:
        assert at.selectbox(key="annee_choisie").value == this_year
    assert metric(at, "Ateliers réalisés (registre)") == "4"  # the one without a year too
    assert metric(at, "Communes couvertes par les réalisés") == "4"
    assert len(charts(at)) >= 6
    assert any("114 selon le chiffre officiel" in m.value for m in at.markdown)
    assert any("le registre compte 110 ateliers de moins" in m.value for m in at.markdown)


def test_year_selector_changes_the_numbers_and_the_url(mini_app):
    at = _select_year(mini_app(PAGE), 2024)
    assert metric(at, "Ateliers sélectionnés en 2024") == "1"
    assert metric(at, "Sélectionnés de 2019 à 2024") == "4"
    assert at.query_params["annee"] == "2024"
    pipeline = chart(at, "Ateliers 2024 par statut")
    assert pipeline["data"][0]["y"] == [0, 0, 0, 1, 0, 0, 0]  # en cours
    assert any(h.value == "Les ateliers 2024" for h in at.header)
    listed = at.dataframe[0].value
    assert listed["Titre"].tolist() == ["Ajaccio littoral (fictif)"]
    assert listed["Montant"].tolist() == ["20\u202f000\u00a0€"]
    at = _select_year(at, 2022)
    assert metric(at, "Ateliers sélectionnés en 2022") == "1"
    assert at.dataframe[0].value["Communes"].tolist() == ["Doullens, Outrebois"]


def test_a_year_without_ateliers_shows_zeros_and_a_message(mini_app):
    at = _select_year(mini_app(PAGE), 2023)
    assert metric(at, "Ateliers sélectionnés en 2023") == "0"
    assert any("Aucun atelier de la sélection" in i.value and "2023" in i.value for i in at.info)
    assert not at.exception


def test_year_from_a_permalink(mini_app):
    at = mini_app(PAGE, query={"annee": "2021"})
    assert at.selectbox(key="annee_choisie").value == 2021
    assert metric(at, "Ateliers sélectionnés en 2021") == "1"


def test_filters_change_the_comparison_with_the_official_figures(mini_app):
    at = mini_app(PAGE, query={"annee": "2022"})
    at.sidebar.multiselect(key="filtre_regions").select("32").run()
    assert not at.exception, at.exception
    assert metric(at, "Ateliers réalisés (registre)") == "3"  # 2019, 2021, 2022 in the Somme
    assert metric(at, "Communes couvertes par les réalisés") == "3"
    assert any("Filtres actifs" in c.value for c in at.caption)
    realised = chart(at, "face aux chiffres officiels")
    assert realised["data"][0]["y"][-1] == 3


def test_empty_selection_stops_with_a_message(mini_app):
    at = mini_app(PAGE, query={"annees": "2020-2020", "sans_annee": "non"})
    assert charts(at) == []
    assert any("Aucun atelier ne correspond aux filtres" in i.value for i in at.info)


@pytest.mark.referentiel
def test_demo_register_year_2022_matches_a_hand_count(demo_app):
    rows = [r for r in demo_rows() if r["annee"] == "2022"]
    selected = sum(r["statut"] in ("sélectionné", "en cours", "réalisé") for r in rows)
    at = _select_year(demo_app(PAGE), 2022)
    assert metric(at, "Ateliers sélectionnés en 2022") == str(selected) == "20"
    pipeline = chart(at, "Ateliers 2022 par statut")
    statuts = [
        "candidature",
        "éligible",
        "sélectionné",
        "en cours",
        "réalisé",
        "abandonné",
        "non retenue",
    ]
    assert pipeline["data"][0]["y"] == [sum(r["statut"] == s for r in rows) for s in statuts]
    assert len(at.dataframe[0].value) == len(rows)  # the year's list: every atelier of 2022
