"""Figures of the themes: families, theme mentions, échelles, themes per year, pairs.

Plotly figures built from the tables of :mod:`atelierflash.analyse.thematiques`, with the house
layout of :mod:`atelierflash.analyse.mise_en_page` (title, subtitle, source line, French
formats, DSFR colours). No Streamlit here: each function returns a ``go.Figure``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from atelierflash.analyse.mise_en_page import (
    CATEGORICAL,
    SEQUENTIAL,
    base_figure,
    count_axis,
    horizontal_height,
    largest,
    wrap,
    year_axis,
    year_labels,
)
from atelierflash.formats import (
    fmt_int,
    fmt_percent,
)


def families_figure(table: pd.DataFrame, source: str, ateliers: int) -> go.Figure:
    """Ateliers per theme family (horizontal bars).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`atelierflash.analyse.ateliers_by_family`.
    source : str
        :func:`source_note`.
    ateliers : int
        Ateliers of the selection (said in the subtitle: families overlap).
    """
    table = table.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=table["ateliers"],
            y=[wrap(label, 34) for label in table["libelle"]],
            orientation="h",
            marker_color=[CATEGORICAL[i % len(CATEGORICAL)] for i in range(len(table))[::-1]],
            text=table["ateliers"],
            texttemplate="%{x:,d}",
            textposition="outside",
            customdata=table[["mentions"]],
            hovertemplate="%{y}<br>%{x:,d} ateliers (%{customdata[0]:,d} mentions de thèmes)"
            "<extra></extra>",
            cliponaxis=False,
        )
    )
    fig.update_xaxes(count_axis(largest(table["ateliers"]), {"title": "Nombre d'ateliers"}))
    return base_figure(
        fig,
        title="Ateliers par famille de thèmes",
        subtitle=(
            "Compte des ateliers : un atelier compte une fois par famille touchée ; "
            f"les familles se recoupent (total des barres ≥ {fmt_int(ateliers)} ateliers)."
        ),
        source=source,
        height=340,
        bottom=80,
        legend=False,
    )


def themes_figure(table: pd.DataFrame, source: str, ateliers: int) -> go.Figure:
    """Theme mentions: ateliers citing each theme, coloured by family.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`atelierflash.analyse.ateliers_by_theme`.
    ateliers : int
        Ateliers of the selection (the subtitle compares mentions and ateliers).
    """
    mentions = int(table["ateliers"].sum())
    fig = go.Figure()
    families = list(dict.fromkeys(table["famille"]))
    for index, family in enumerate(families):
        part = table[table["famille"] == family].iloc[::-1]
        fig.add_trace(
            go.Bar(
                x=part["ateliers"],
                y=[wrap(label, 40) for label in part["libelle"]],
                orientation="h",
                name=part["famille_libelle"].iloc[0],
                marker_color=CATEGORICAL[index % len(CATEGORICAL)],
                texttemplate="%{x:,d}",
                textposition="outside",
                hovertemplate="%{y}<br>%{x:,d} ateliers citent ce thème<extra></extra>",
                cliponaxis=False,
            )
        )
    order = [wrap(label, 40) for label in table["libelle"]][::-1]
    fig.update_yaxes(categoryorder="array", categoryarray=order)
    fig.update_xaxes(
        count_axis(largest(table["ateliers"]), {"title": "Mentions (ateliers citant le thème)"})
    )
    fig.update_layout(barmode="stack", legend={"traceorder": "normal"})
    return base_figure(
        fig,
        title="Mentions de thèmes : ateliers citant chaque thème",
        subtitle=(
            "Un atelier à plusieurs thèmes compte dans chacun : "
            f"{fmt_int(mentions)} mentions pour {fmt_int(ateliers)} ateliers."
        ),
        source=source,
        height=horizontal_height(len(table), 44),
        bottom=80,
    )


def echelles_figure(table: pd.DataFrame, source: str) -> go.Figure:
    """Ateliers per échelle (each atelier once)."""
    fig = go.Figure(
        go.Bar(
            x=table["libelle"],
            y=table["ateliers"],
            marker_color=CATEGORICAL[0],
            texttemplate="%{y:,d}",
            textposition="outside",
            customdata=[fmt_percent(p) for p in table["part_ateliers"]],
            hovertemplate="%{x}<br>%{y:,d} ateliers (%{customdata})<extra></extra>",
            cliponaxis=False,
        )
    )
    fig.update_yaxes(count_axis(largest(table["ateliers"]), {"title": "Nombre d'ateliers"}))
    fig.update_xaxes(showgrid=False)
    return base_figure(
        fig,
        title="Ateliers par échelle",
        subtitle="Compte des ateliers : chaque atelier compte une fois.",
        source=source,
        height=360,
        legend=False,
    )


def theme_year_heatmap(table: pd.DataFrame, source: str) -> go.Figure:
    """Theme × year heat map of theme mentions.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`atelierflash.analyse.theme_year_counts` (long form).
    """
    themes = list(dict.fromkeys(table["libelle"]))
    years = list(dict.fromkeys(year_labels(table)))
    table = table.assign(_annee=year_labels(table))
    matrix = table.pivot(index="libelle", columns="_annee", values="ateliers").loc[themes, years]
    fig = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy(),
            x=years,
            y=[wrap(label, 40) for label in themes],
            colorscale=_colorscale(),
            zmin=0,
            texttemplate="%{z:,d}",
            hovertemplate="%{y}<br>%{x} : %{z:,d} ateliers citent ce thème<extra></extra>",
            colorbar=_colorbar("Mentions", largest(table["ateliers"])),
            xgap=2,
            ygap=2,
        )
    )
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(year_axis("Année de sélection"))
    return base_figure(
        fig,
        title="Thèmes par année : mentions (ateliers citant le thème)",
        subtitle="Un atelier à plusieurs thèmes compte dans chacun ; les années sans atelier "
        "restent à 0.",
        source=source,
        height=horizontal_height(len(themes), 46, 420),
        bottom=80,
        legend=False,
    )


def _colorbar(title: str, maximum: float) -> dict:
    bar = {"title": {"text": title}, "tickformat": ",d", "thickness": 14}
    if maximum <= 6:
        bar.update({"tick0": 0, "dtick": 1})
    return bar


def _colorscale() -> list[list]:
    steps = len(SEQUENTIAL) - 1
    return [[i / steps, colour] for i, colour in enumerate(SEQUENTIAL)]


def cooccurrence_heatmap(matrix: pd.DataFrame, themes, source: str) -> go.Figure:
    """Which themes go together: ateliers citing both themes (diagonal left blank).

    Parameters
    ----------
    matrix : pandas.DataFrame
        :func:`atelierflash.analyse.theme_cooccurrence`.
    themes : atelierflash.programme.Vocabulary
        The themes' vocabulary (labels).
    """
    keys = list(matrix.index)
    values = matrix.to_numpy().astype(float)
    diagonal = values.diagonal().copy()
    for i in range(len(keys)):
        values[i, i] = math.nan
    z = [[None if math.isnan(v) else v for v in row] for row in values]
    text = [
        [
            f"{fmt_int(diagonal[i])} au total" if i == j else fmt_int(values[i, j])
            for j in range(len(keys))
        ]
        for i in range(len(keys))
    ]
    rows = [f"{i}. {wrap(themes.label_of(k), 40)}" for i, k in enumerate(keys, start=1)]
    columns = [str(i) for i in range(1, len(keys) + 1)]
    hover = [[f"{themes.label_of(a)}<br>+ {themes.label_of(b)}" for b in keys] for a in keys]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=columns,
            y=rows,
            customdata=hover,
            text=text,
            texttemplate="%{text}",
            colorscale=_colorscale(),
            zmin=0,
            hovertemplate="%{customdata}<br>%{text} atelier(s)<extra></extra>",
            colorbar=_colorbar("Ateliers", largest(list(values[~np.isnan(values)]))),
            xgap=2,
            ygap=2,
        )
    )
    fig.update_yaxes(autorange="reversed", showgrid=False, type="category")
    fig.update_xaxes(showgrid=False, type="category", side="top")
    return base_figure(
        fig,
        title="Thèmes associés : ateliers citant les deux thèmes",
        subtitle="Compte des ateliers pour chaque paire de thèmes (colonnes numérotées comme "
        "les lignes) ; en diagonale, le nombre d'ateliers citant le thème.",
        source=source,
        height=horizontal_height(len(keys), 52, 440),
        bottom=20,
        panel_titles=True,
        legend=False,
    )
