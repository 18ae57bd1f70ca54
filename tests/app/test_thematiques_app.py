"""AppTest of the « Thématiques » page: it runs, follows the filters, handles an empty selection."""

from __future__ import annotations

import pytest

from tests.app.analytics_helpers import as_shown, chart, charts, demo_rows, metric

PAGE = "pages/thematiques.py"
NNBSP = "\u202f"


def test_page_runs_with_key_figures_counted_by_hand(mini_app):
    at = mini_app(PAGE)
    assert at.title[0].value == "Thématiques des ateliers"
    assert metric(at, "Ateliers") == "7"
    assert metric(at, "Communes couvertes") == "7"  # Doullens once
    assert metric(at, "Population couverte") == f"269{NNBSP}700"
    assert metric(at, "Part de communes rurales") == "14\u00a0%"  # Outrebois, 1 of 7
    specs = charts(at)
    assert len(specs) == 8
    for spec in specs:
        assert spec["layout"]["separators"] == "," + NNBSP
        assert any(a["text"].startswith("Source : registre") for a in spec["layout"]["annotations"])
    # Every chart has its table (expander) and its CSV download.
    assert len(at.expander) >= 8
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("Télécharger ces données (CSV)") == 8
    assert labels.count("Télécharger ces données (XLSX)") == 8
    families = at.table[0].value.map(as_shown)  # the table alternative of the first chart
    assert list(families.columns) == [
        "Libellé",
        "Ateliers",
        "Mentions de thèmes",
        "Part des ateliers",
    ]
    assert families.iloc[0].tolist() == [
        "Transitions territoriales et urbaines",
        "4",
        "4",
        "57\u00a0%",
    ]


def test_theme_chart_counts_mentions(mini_app):
    at = mini_app(PAGE)
    themes = chart(at, "Mentions de thèmes")
    assert sum(sum(trace["x"]) for trace in themes["data"]) == 10
    assert "10 mentions pour 7 ateliers" in themes["layout"]["title"]["subtitle"]["text"]


def test_theme_filter_changes_the_numbers_and_the_url(mini_app):
    at = mini_app(PAGE)
    at.sidebar.multiselect(key="filtre_themes").select("friches").run()
    assert not at.exception, at.exception
    assert metric(at, "Ateliers") == "2"  # 2021 Abbeville, 2022 Doullens + Outrebois
    assert metric(at, "Communes couvertes") == "3"
    assert at.query_params["theme"] == "friches"
    families = chart(at, "Ateliers par famille")
    bar = families["data"][0]
    counts = dict(zip(bar["y"], bar["x"], strict=True))
    assert counts["Transitions territoriales et<br>urbaines"] == 2


def test_filters_from_a_permalink_are_applied(mini_app):
    at = mini_app(PAGE, query={"region": "32"})
    assert metric(at, "Ateliers") == "3"
    regions = chart(at, "par région")
    assert regions["data"][0]["y"] == ["Hauts-de-France"]


def test_empty_selection_shows_a_message_not_an_error(mini_app):
    at = mini_app(PAGE, query={"annees": "2020-2020", "sans_annee": "non"})
    assert metric(at, "Ateliers") == "0"
    assert metric(at, "Part de communes rurales") == "–"
    assert charts(at) == []
    assert any("Aucun atelier ne correspond aux filtres" in i.value for i in at.info)


@pytest.mark.referentiel
def test_demo_register_theme_friches_matches_a_hand_count(demo_app):
    rows = demo_rows()
    friches = sum(
        "Aménagement des friches" in [t.strip() for t in r["themes"].split(";")] for r in rows
    )
    at = demo_app(PAGE)
    assert metric(at, "Ateliers") == str(len(rows))
    themes = chart(at, "Mentions de thèmes")
    drawn = {y: x for trace in themes["data"] for y, x in zip(trace["y"], trace["x"], strict=True)}
    assert drawn["Aménagement des friches"] == friches == 68
