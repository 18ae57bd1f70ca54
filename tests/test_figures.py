"""Figures tested as plotly objects: data drawn, French formats, titles, sources, colours."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest

from atelierflash import analyse, ecriture, palette, tables
from atelierflash.palette import CATEGORICAL, DSFR, SEQUENTIAL

NNBSP = "\u202f"


@pytest.fixture(scope="module")
def source(mini_dataset):
    return analyse.source_note(mini_dataset)


def _french_layout(fig):
    assert fig.layout.separators == "," + NNBSP  # decimal comma, thin space for thousands
    assert fig.layout.title.text.startswith("<b>")
    assert analyse.source_of(fig).startswith("Source : registre")


def _bar_total(fig) -> float:
    return sum(sum(t.x if t.orientation == "h" else t.y) for t in fig.data if t.type == "bar")


# -- source, escaping, small helpers -----------------------------------------------------------
def test_source_note_names_register_file_date_and_official_source(mini_dataset):
    text = analyse.source_note(mini_dataset)
    assert "« Registre de test (fictif) »" in text
    assert "mini.csv du " in text
    day = dt.date.fromtimestamp(mini_dataset.source.path.stat().st_mtime)
    assert analyse.MONTHS_SHORT and f"{day.year}" in text
    assert text.endswith("Données fictives.")
    target = mini_dataset.programme.figures["ateliers_realises"]
    with_official = analyse.source_note(mini_dataset, official=[target])
    assert "Chiffre officiel : Page « Les Ateliers Flash »" in with_official
    assert "7 novembre 2025" in with_official


def test_register_text_is_escaped_for_plotly():
    assert analyse.wrap("<img src=x onerror=alert(1)> (fictif)", 60) == (
        "&lt;img src=x onerror=alert(1)&gt; (fictif)"
    )
    assert analyse.wrap("Aménagement des friches et reconversion", 20) == (
        "Aménagement des<br>friches et<br>reconversion"
    )


def test_month_ticks_are_french_with_the_year_on_january():
    ticks, texts = analyse.month_ticks(dt.date(2023, 11, 15), dt.date(2024, 3, 1))
    assert ticks[0] == dt.date(2023, 11, 1)
    assert texts == ["nov. 2023", "déc.", "janv. 2024", "févr.", "mars"]
    ticks, texts = analyse.month_ticks(dt.date(2019, 1, 1), dt.date(2026, 12, 31))
    assert len(ticks) <= 14 and texts[0] == "janv. 2019"


# -- Thématiques -------------------------------------------------------------------------------
def test_families_figure_counts_ateliers_and_says_families_overlap(mini_dataset, source):
    table = analyse.ateliers_by_family(mini_dataset.ateliers, mini_dataset.programme)
    fig = analyse.families_figure(table, source, 7)
    _french_layout(fig)
    assert "Ateliers par famille" in fig.layout.title.text
    assert "se recoupent" in fig.layout.title.subtitle.text
    bar = fig.data[0]
    assert (
        dict(zip(bar.y, bar.x, strict=True))["Transitions territoriales et<br>urbaines"] == 4
    )  # bars drawn bottom-up, labels wrapped
    assert sum(bar.x) == 10
    assert fig.layout.xaxis.tickformat == ",d" and fig.layout.xaxis.dtick == 1


def test_themes_figure_says_it_counts_mentions(mini_dataset, source):
    table = analyse.ateliers_by_theme(mini_dataset.ateliers, mini_dataset.programme)
    fig = analyse.themes_figure(table, source, 7)
    _french_layout(fig)
    assert "Mentions de thèmes" in fig.layout.title.text
    assert "10 mentions pour 7 ateliers" in fig.layout.title.subtitle.text
    assert [t.name for t in fig.data] == [
        "Transitions territoriales et urbaines",
        "Transitions culturelles, sociales et économiques",
        "Transitions environnementales et énergétiques",
    ]
    assert [t.marker.color for t in fig.data] == list(CATEGORICAL[:3])
    assert _bar_total(fig) == 10


def test_echelles_figure(mini_dataset, source):
    table = analyse.ateliers_by_echelle(mini_dataset.ateliers, mini_dataset.programme)
    fig = analyse.echelles_figure(table, source)
    _french_layout(fig)
    assert list(fig.data[0].x) == ["bâtiment/îlot", "communale", "intercommunale"]
    assert list(fig.data[0].y) == [2, 4, 1]
    assert list(fig.data[0].customdata) == ["29\u00a0%", "57\u00a0%", "14\u00a0%"]


def test_areas_figure_has_an_ateliers_panel_and_a_communes_panel(mini_dataset, source):
    ref = mini_dataset.referentiel
    links = mini_dataset.atelier_communes
    table = analyse.ateliers_by_departement(
        mini_dataset.ateliers, links, ref.departements, ref.regions
    )
    fig = analyse.areas_figure(table, source, level="departement")
    _french_layout(fig)
    ateliers, communes = fig.data
    assert ateliers.xaxis == "x" and communes.xaxis == "x2"
    assert ateliers.y[0] == "80 – Somme"
    assert (ateliers.x[0], communes.x[0]) == (3, 3)
    assert "intercommunal compte une fois" in fig.layout.title.subtitle.text
    cut = analyse.areas_figure(table, source, level="departement", max_rows=2)
    assert len(cut.data[0].y) == 2
    assert "Les 2 départements comptant le plus d'ateliers, sur 5" in cut.layout.title.subtitle.text


def test_population_classes_figure(mini_dataset, source):
    table = analyse.ateliers_by_population_class(
        mini_dataset.ateliers, mini_dataset.atelier_communes, [2000, 10000, 50000]
    )
    fig = analyse.population_classes_figure(table, source)
    _french_layout(fig)
    communes, ateliers = fig.data
    assert list(communes.y) == [1, 3, 1, 2]
    assert list(ateliers.y) == [1, 4, 1, 2]
    assert communes.x[1] == f"2{NNBSP}000 à<br>9{NNBSP}999 hab."


def test_theme_year_heatmap_has_every_year_and_the_unknown_one(mini_dataset, source):
    table = analyse.theme_year_counts(mini_dataset.ateliers, mini_dataset.programme)
    fig = analyse.theme_year_heatmap(table, source)
    _french_layout(fig)
    heat = fig.data[0]
    assert list(heat.x) == [str(y) for y in range(2019, 2027)] + ["année inconnue"]
    z = np.array(heat.z)
    assert z.shape == (9, 9) and z.sum() == 10
    assert z[:, 1].sum() == 0  # 2020: no atelier, still a column
    assert "mentions" in fig.layout.title.text
    assert fig.layout.xaxis.type == "category"  # never « 2 019 »


def test_cooccurrence_heatmap_blanks_the_diagonal(mini_dataset, source):
    programme = mini_dataset.programme
    matrix = analyse.theme_cooccurrence(mini_dataset.ateliers, programme)
    fig = analyse.cooccurrence_heatmap(matrix, programme.themes, source)
    _french_layout(fig)
    heat = fig.data[0]
    assert heat.z[0][0] is None
    assert heat.text[0][0] == "2 au total"  # revitalisation cited by 2 ateliers
    friches, risques = 2, 8
    assert heat.z[friches][risques] == 1 == heat.z[risques][friches]
    assert heat.y[2] == "3. Aménagement des friches" and heat.x[2] == "3"
    assert "ateliers citant les deux thèmes" in fig.layout.title.text


# -- Sélection annuelle ------------------------------------------------------------------------
def test_selection_figure_against_the_target_with_the_cumul(mini_dataset, source):
    programme = mini_dataset.programme
    table = analyse.selection_by_year(mini_dataset.ateliers, programme)
    target = programme.figures["selection_annuelle"]
    fig = analyse.selection_figure(table, target, source, programme.statuts)
    _french_layout(fig)
    names = [t.name for t in fig.data]
    assert names[:3] == ["réalisé", "en cours", "sélectionné"]
    assert "Objectif : environ 30 par an" in names
    bars = [t for t in fig.data if t.type == "bar"]
    assert sum(sum(t.y) for t in bars) == 5
    assert list(bars[0].x) == [str(y) for y in range(2019, 2027)]
    objective = next(t for t in fig.data if (t.name or "").startswith("Objectif"))
    assert set(objective.y) == {30}
    cumul = next(t for t in fig.data if (t.name or "").startswith("Cumul"))
    assert cumul.yaxis == "y2" and list(cumul.y)[-1] == 5
    assert fig.layout.barmode == "stack"


def test_pipeline_figure_colours_statuts(mini_dataset, source):
    table = analyse.statut_pipeline(mini_dataset.ateliers, mini_dataset.programme, 2024)
    fig = analyse.pipeline_figure(table, "2024", source)
    _french_layout(fig)
    bar = fig.data[0]
    assert list(bar.x) == [
        "candidature",
        "éligible",
        "sélectionné",
        "en cours",
        "réalisé",
        "abandonné",
        "non retenue",
    ]
    assert list(bar.y) == [0, 0, 0, 1, 0, 0, 0]
    assert bar.marker.color[-2] == DSFR["beige-gris-galet"]
    assert bar.marker.color[-1] == DSFR["gris-850"]
    assert fig.layout.title.text == "<b>Ateliers 2024 par statut</b>"


def test_realised_figure_draws_the_official_figures_with_their_date(mini_dataset, source):
    programme = mini_dataset.programme
    table = analyse.realised_cumulative(mini_dataset.ateliers, mini_dataset.atelier_communes, 2019)
    fig = analyse.realised_vs_official_figure(
        table,
        programme.figures["ateliers_realises"],
        programme.figures["communes_accompagnees"],
        source,
    )
    _french_layout(fig)
    lines = [t for t in fig.data if t.type == "scatter"]
    assert [set(t.y) for t in lines] == [{114}, {500}]
    texts = [a.text for a in fig.layout.annotations]
    assert "Chiffre officiel : 114 (7 novembre 2025)" in texts
    assert "Chiffre officiel : plus de 500 (7 novembre 2025)" in texts
    bars = [t for t in fig.data if t.type == "bar"]
    assert list(bars[0].y)[-1] == 3 and list(bars[1].y)[-1] == 3


def test_spread_figure(mini_dataset, source):
    table = analyse.geographic_spread(mini_dataset.ateliers, mini_dataset.atelier_communes, 2019)
    fig = analyse.spread_figure(table, source)
    _french_layout(fig)
    reached, new = fig.data[0], fig.data[1]
    assert list(reached.y) == [1, 0, 1, 1, 0, 1, 1, 0]
    assert list(new.y) == [1, 0, 0, 0, 0, 1, 1, 0]
    assert fig.data[2].xaxis == "x2"


def test_durations_figure_draws_the_announced_span(mini_dataset, source):
    durations = analyse.atelier_durations(mini_dataset.ateliers, 4, 8)
    fig = analyse.durations_figure(durations, 4, 8, "page du ministère", source)
    _french_layout(fig)
    assert [t.name for t in fig.data] == ["2019", "2021", "2022"]  # years with a duration
    assert [list(t.y) for t in fig.data] == [[5.0], [6.0], [6.0]]
    band = fig.layout.shapes[0]
    assert (band.y0, band.y1) == (4, 8)
    assert any(a.text == "Durée annoncée : 4 à 8 mois" for a in fig.layout.annotations)
    assert "%{y:,.1f} mois" in fig.data[0].hovertemplate  # decimal comma via separators


def test_amounts_figure_writes_euros_after_the_number(mini_dataset, source):
    table = analyse.amounts_by_year(mini_dataset.ateliers, 2019)
    fig = analyse.amounts_figure(table, 20000, source)
    _french_layout(fig)
    assert fig.layout.yaxis.ticksuffix == "\u00a0€"
    assert fig.layout.yaxis.tickformat == ",.0f"
    assert "%{y:,.0f}\u00a0€" in fig.data[0].hovertemplate
    assert fig.data[2].name == f"Montant indicatif : environ 20{NNBSP}000\u00a0€"
    assert list(fig.data[0].y)[2] == 21500


def test_timeline_figure_uses_french_months_and_hatches_open_ateliers(mini_dataset, source):
    ateliers = mini_dataset.ateliers[mini_dataset.ateliers["annee"].isin([2022, 2024])]
    fig = analyse.timeline_figure(
        ateliers, "2022-2024", source, mini_dataset.programme.statuts, dt.date(2024, 12, 31)
    )
    _french_layout(fig)
    assert fig.layout.xaxis.type == "date"
    assert fig.layout.xaxis.ticktext[0] == "avr. 2022"
    assert "janv. 2024" in fig.layout.xaxis.ticktext
    realised, ongoing = fig.data
    assert realised.y[0] == "&lt;img src=x onerror=alert(1)&gt; (fictif)"  # escaped
    assert realised.customdata[0][0] == "avril 2022 → octobre 2022"
    assert ongoing.marker.pattern.shape == ("/",)
    assert ongoing.customdata[0][0] == "mars 2024 → (pas de date de fin)"


# -- Colours -----------------------------------------------------------------------------------
_MACHADO = {  # Machado, Oliveira & Fernandes (2009), severity 1, linear RGB
    "protanopie": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deutéranopie": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopie": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}  # fmt: skip


def _linear(hex_colour: str) -> np.ndarray:
    rgb = np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    linear = np.clip(linear, 0, 1)
    xyz = (
        np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
        @ linear
        / np.array([0.95047, 1.0, 1.08883])
    )
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("vision", [None, *_MACHADO])
def test_categorical_colours_stay_apart_for_colour_blind_readers(vision):
    matrix = np.eye(3) if vision is None else np.array(_MACHADO[vision])
    seen = [_lab(matrix @ _linear(c)) for c in CATEGORICAL]
    # Every prefix of the palette (2, 3… series) keeps a CIE76 distance of at least 20.
    for a, b in itertools.combinations(range(len(seen)), 2):
        assert np.linalg.norm(seen[a] - seen[b]) >= 20, (vision, CATEGORICAL[a], CATEGORICAL[b])


def test_palettes_are_dsfr_colours_and_the_sequential_scale_is_a_lightness_ramp():
    dsfr = set(DSFR.values())
    assert set(CATEGORICAL) <= dsfr and set(SEQUENTIAL) <= dsfr
    assert set(palette.STATUT_COLOURS.values()) <= dsfr
    lightness = [_lab(_linear(c))[0] for c in SEQUENTIAL]
    assert lightness == sorted(lightness, reverse=True)  # readable without hue
    pipeline = [palette.STATUT_COLOURS[k] for k in ("candidature", "eligible", "realise")]
    assert [_lab(_linear(c))[0] for c in pipeline] == sorted(
        (_lab(_linear(c))[0] for c in pipeline), reverse=True
    )


# -- Table alternatives and CSV ----------------------------------------------------------------
def test_display_table_uses_french_headers_and_formats(mini_dataset):
    amounts = analyse.amounts_by_year(mini_dataset.ateliers, 2019)
    shown = tables.display_table(amounts)
    assert list(shown.columns) == [
        "Année",
        "Ateliers",
        "Montants connus",
        "Total des montants",
        "Montant moyen",
    ]
    assert shown.iloc[2].tolist() == [
        "2021",
        "1",
        "1",
        f"21{NNBSP}500\u00a0€",
        f"21{NNBSP}500\u00a0€",
    ]
    assert shown.iloc[1]["Montant moyen"] == "–"
    selection = tables.display_table(
        analyse.selection_by_year(mini_dataset.ateliers, mini_dataset.programme)
    )
    assert selection.iloc[0]["Écart à l'objectif"] == "−29"
    themes = tables.display_table(
        analyse.ateliers_by_theme(mini_dataset.ateliers, mini_dataset.programme),
        ["libelle", "ateliers", "part_ateliers"],
    )
    assert themes.iloc[2].tolist() == ["Aménagement des friches", "2", "29\u00a0%"]
    years = tables.display_table(
        analyse.theme_year_counts(mini_dataset.ateliers, mini_dataset.programme), ["annee"]
    )
    assert years["Année"].iloc[-1] == "année inconnue"


def test_csv_is_for_french_spreadsheets(mini_dataset):
    amounts = analyse.amounts_by_year(mini_dataset.ateliers, 2019)
    data = ecriture.csv_bytes(tables.export_table(amounts))
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "Année;Ateliers;Montants connus;Total des montants;Montant moyen"
    assert (
        lines[3] == "2021;1;1;21500;21500"
    )  # raw numbers (a decimal comma when there are decimals)
    counts = analyse.theme_year_counts(mini_dataset.ateliers, mini_dataset.programme)
    last = ecriture.csv_bytes(tables.export_table(counts)).decode("utf-8-sig").splitlines()[-1]
    assert last.split(";")[2] == "année inconnue"
