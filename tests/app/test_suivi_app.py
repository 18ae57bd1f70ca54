"""AppTest of the « Suivi des étapes » page: the lists and charts, its date, its access."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.analytics_helpers import APP, chart, charts, metric

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
