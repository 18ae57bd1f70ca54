"""AppTest of the « Suivi des étapes » page: the lists and charts, its date, its access."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.app.analytics_helpers import APP, chart, charts, metric, start
from tests.conftest import MINI_REGISTER, make_mini_referentiel

PAGE = "pages/suivi.py"
DAY = {"date": "2026-11-29"}


def test_page_lists_what_is_late_with_links_to_the_fiches(mini_app):
    at = mini_app(PAGE, query=DAY)
    assert at.title[0].value == "Suivi des étapes"
    # Ajaccio (en cours, bon 1 Feb 2024) and Saint-Denis (sélectionné, bon 1 Oct 2025): more
    # than 8 months after their bon de commande, no restitution.
    assert metric(at, "Ateliers à traiter") == "2"
    assert metric(at, "Ateliers en retard") == "2"
    assert metric(at, "Ateliers en cours") == "2"
    todo = at.dataframe[0].value
    assert todo["Identifiant"].tolist() == ["T-2024-1", "T-2025-1"]
    assert todo["Motif"].tolist() == ["Atelier en retard"] * 2
    assert todo["Jours"].tolist() == ["1\u202f032", "424"]
    assert todo["Fiche"].tolist() == ["atelier?id=T-2024-1", "atelier?id=T-2025-1"]
    assert at.query_params["date"] == "2026-11-29"


def test_every_chart_has_its_table_and_downloads(mini_app):
    at = mini_app(PAGE, query=DAY)
    funnel = chart(at, "Entonnoir des ateliers par année")
    target = [t for t in funnel["data"] if t["name"].startswith("Objectif")]
    assert target and set(target[0]["y"]) == {30}
    timeline = chart(at, "Ateliers en cours")
    assert {t["name"] for t in timeline["data"]} >= {"Au-delà de l'échéance, sans restitution"}
    drawn = len(charts(at))
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("Télécharger ces données (CSV)") == drawn
    assert labels.count("Télécharger ces données (XLSX)") == drawn
    assert "Télécharger la liste (CSV)" in labels


def test_the_filters_and_the_date_change_the_list(mini_app):
    at = mini_app(PAGE, query=DAY)
    at.sidebar.multiselect(key="filtre_statuts").select("en_cours").run()
    assert not at.exception, at.exception
    assert metric(at, "Ateliers à traiter") == "1"
    # On 1 March 2026, Saint-Denis's bon (1 Oct 2025) is five months old: not late yet.
    at = mini_app(PAGE, query={"date": "2026-03-01"})
    assert metric(at, "Ateliers à traiter") == "1"


def test_a_bad_date_in_the_address_is_ignored_with_a_notice(mini_app):
    at = mini_app(PAGE, query={"date": "2026-02-30"})
    assert any("date du suivi" in i.value for i in at.info)
    assert at.title[0].value == "Suivi des étapes"


@pytest.mark.parametrize("mode", ["public"])
def test_hidden_in_public_mode(mini_app, monkeypatch, mode):
    monkeypatch.setenv("ATELIERFLASH_MODE", mode)
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    assert not at.exception
    with pytest.raises(ValueError):
        at.switch_page(PAGE)
    # Run on its own (a deep link on a fresh server), the page shows nothing of itself.
    alone = AppTest.from_file(PAGE.join(APP.rsplit("app.py", 1)), default_timeout=300)
    alone.run()
    assert [e.value for e in alone.error] == ["Cette page n'existe pas sur ce site."]
    assert not alone.title and not alone.dataframe


@pytest.mark.referentiel
def test_the_demo_page_is_alive_at_first_launch(demo_app):
    at = demo_app(PAGE, query=DAY)
    titles = [spec["layout"]["title"]["text"] for spec in charts(at)]
    assert any("Délais entre étapes, par année" in t for t in titles)
    assert any("Délais entre étapes, par équipe" in t for t in titles)
    todo = at.dataframe[0].value
    motifs = set(todo["Motif"])
    assert {"Éligibilité en attente", "Bon de commande en attente"} <= motifs
    assert {"Atelier en retard", "Livrables manquants"} <= motifs
    # A candidature has no fiche (never published): no link, the others have one.
    waiting = todo[todo["Motif"] == "Éligibilité en attente"]
    assert waiting["Fiche"].isna().all()
    assert todo[todo["Motif"] == "Atelier en retard"]["Fiche"].notna().any()


# -- Suites des ateliers (issue 19 §2 and §3) ---------------------------------------------------
#: The mini register's first two realised ateliers with a restitution and points d'étape.
POINTS = {
    "T-2019-1": ("2020-03-10", "2020-09-15", "2021-03-20", "2022-03-18"),
    "T-2021-1": ("2022-02-01", "2022-08-10", "2023-02-15", ""),
    "T-2022-1": ("2022-10-05", "", "", ""),
}
#: (atelier, action, thème, statut à 6, à 12, à 24 mois)
ACTIONS = [
    ("T-2019-1", "Rénover la halle", "centre-bourg", "en cours", "réalisé", "réalisé"),
    ("T-2019-1", "Créer une maison de santé", "logement", "à venir", "en cours", "réalisé"),
    ("T-2019-1", "Piétonniser la place", "centre-bourg", "à venir", "à venir", "abandonné"),
    ("T-2021-1", "Étude de reconversion", "friches", "à venir", "", ""),
    ("T-2021-1", "Ouvrir un tiers-lieu", "ESS", "à discuter", "", ""),
]


@pytest.fixture
def suites_app(monkeypatch, tmp_path):
    """The app on the mini register as a workbook: points d'étape and an « Actions » sheet."""
    import csv
    import io

    import openpyxl

    import atelierflash.ui.data as data

    rows = list(csv.reader(io.StringIO(MINI_REGISTER)))
    header = rows[0] + [
        "date_restitution",
        "date_point_etape_6",
        "date_point_etape_12",
        "date_point_etape_24",
    ]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Registre"
    sheet.append(header)
    for row in rows[1:]:
        sheet.append(row + list(POINTS.get(row[0], ("", "", "", ""))))
    plan = book.create_sheet("Actions")
    plan.append(
        ["Atelier", "Action", "Thème", "Statut à 6 mois", "Statut à 12 mois", "Statut à 24 mois"]
    )
    for action in ACTIONS:
        plan.append(list(action))
    path = tmp_path / "mini.xlsx"
    book.save(path)
    monkeypatch.setenv("ATELIERFLASH_REGISTRE", str(path))
    monkeypatch.setattr(data, "load_referentiel", lambda progress=None: make_mini_referentiel())
    st.cache_resource.clear()
    yield start
    st.cache_resource.clear()


def test_the_reviews_due_are_listed_with_a_link_to_the_fiche(suites_app):
    at = suites_app(PAGE, query={"date": "2024-06-01"})
    todo = at.dataframe[0].value
    due = todo[todo["Motif"] == "Point d'étape dû"]
    # T-2021-1: 24 months reached on 01/02/2024, its point has no date. T-2019-1 has all its
    # points; T-2022-1 has no feuille de route.
    assert due["Identifiant"].tolist() == ["T-2021-1"]
    assert due["Fiche"].tolist() == ["atelier?id=T-2021-1"]
    assert due["Échéance"].tolist() == ["2024-02-01"]
    assert due["Jours"].tolist() == ["121"]
    assert "point d'étape à 24 mois dû le 01/02/2024" in due["Règle"].iloc[0]
    # A year after the last jalon, the missed review is no longer listed.
    at = suites_app(PAGE, query=DAY)
    todo = at.dataframe[0].value
    assert "Point d'étape dû" not in set(todo["Motif"])


def test_the_suites_section_has_its_charts_tables_and_downloads(suites_app):
    at = suites_app(PAGE, query=DAY)
    assert "Suites des ateliers" in [h.value for h in at.header]
    assert metric(at, "Ateliers avec une feuille de route") == "2"
    assert metric(at, "Actions par atelier") == "2,5"
    # T-2019-1: « Rénover la halle » en cours at its 6-month point, 189 days after 10/03/2020.
    assert metric(at, "Délai médian, 1re action démarrée") == "189 j"
    started = chart(at, "Actions démarrées à chaque point d'étape")
    # At 6 months, 1 of 5 actions started; at 12, 2 of 3; at 24, 2 of 3 (the third abandoned).
    assert [t["y"] for t in started["data"]] == [
        [20.0],
        [pytest.approx(200 / 3)],
        [pytest.approx(200 / 3)],
    ]
    realised = chart(at, "Actions réalisées à chaque point d'étape")
    assert [t["y"] for t in realised["data"]] == [
        [0.0],
        [pytest.approx(100 / 3)],
        [pytest.approx(200 / 3)],
    ]
    assert chart(at, "Délai jusqu'à la première action démarrée")
    drawn = len(charts(at))
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("Télécharger ces données (CSV)") == drawn
    assert labels.count("Télécharger ces données (XLSX)") == drawn
    per_atelier = at.dataframe[-1].value
    assert per_atelier["Identifiant"].tolist() == ["T-2019-1", "T-2021-1"]


def test_the_suites_grouping_is_a_permalink(suites_app):
    at = suites_app(PAGE, query={**DAY, "suites": "theme"})
    assert at.selectbox(key="suivi_suites_par").value == "theme"
    started = chart(at, "Actions démarrées à chaque point d'étape, par thème (de l'action)")
    groups = started["data"][0]["x"]
    assert len(groups) == 4  # centre-bourg, logement, friches, ESS
    at.selectbox(key="suivi_suites_par").select("equipe").run()
    assert not at.exception, at.exception
    assert at.query_params["suites"] == "equipe"
    assert chart(at, "Actions démarrées à chaque point d'étape, par équipe")


def test_without_feuille_de_route_the_section_says_so(mini_app):
    at = mini_app(PAGE, query=DAY)
    assert "Suites des ateliers" in [h.value for h in at.header]
    assert any("Aucun atelier de la sélection n'a de feuille de route" in i.value for i in at.info)


@pytest.mark.referentiel
def test_the_demo_s_suites_are_alive_at_first_launch(demo_app):
    at = demo_app(PAGE, query=DAY)
    todo = at.dataframe[0].value
    assert (todo["Motif"] == "Point d'étape dû").sum() >= 3
    # A non-public atelier has no fiche (as for the other motifs): the others link to theirs.
    assert todo[todo["Motif"] == "Point d'étape dû"]["Fiche"].notna().sum() >= 3
    started = chart(at, "Actions démarrées à chaque point d'étape")
    shares = [t["y"][0] for t in started["data"]]
    assert len(shares) == 3 and 0 < shares[0] < shares[1] < shares[2] < 100
    assert chart(at, "Délai jusqu'à la première action démarrée")
    assert float(metric(at, "Actions par atelier").replace(",", ".")) > 2
