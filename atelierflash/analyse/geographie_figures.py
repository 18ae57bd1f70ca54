"""Figures of the geography: régions and départements, sizes of commune, the spread.

Plotly figures built from the tables of :mod:`atelierflash.analyse.geographie`, with the house
layout of :mod:`atelierflash.analyse.mise_en_page` (title, subtitle, source line, French
formats, DSFR colours). No Streamlit here: each function returns a ``go.Figure``.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from atelierflash.analyse.mise_en_page import (
    CATEGORICAL,
    DSFR,
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
)
from atelierflash.texte import html_escape


def areas_figure(
    table: pd.DataFrame, source: str, *, level: str, max_rows: int | None = None
) -> go.Figure:
    """Ateliers and distinct communes per région or département (two panels, shared rows).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`atelierflash.analyse.ateliers_by_region` or ``ateliers_by_departement``, sorted.
    level : str
        ``"region"`` or ``"departement"``.
    max_rows : int, optional
        Draw only the first rows (the table alternative keeps them all); said in the subtitle.
    """
    is_region = level == "region"
    total = len(table)
    if max_rows is not None and total > max_rows:
        table = table.head(max_rows)
    if is_region:
        labels = [html_escape(n) for n in table["nom"]]
    else:
        labels = [
            f"{code} – {html_escape(nom)}"
            for code, nom in zip(table["departement"], table["nom"], strict=True)
        ]
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        subplot_titles=("Ateliers", "Communes distinctes"),
        horizontal_spacing=0.04,
    )
    for col, (column, unit) in enumerate((("ateliers", "ateliers"), ("communes", "communes")), 1):
        fig.add_trace(
            go.Bar(
                x=table[column],
                y=labels,
                orientation="h",
                name=unit,
                marker_color=CATEGORICAL[col - 1],
                texttemplate="%{x:,d}",
                textposition="outside",
                hovertemplate="%{y}<br>%{x:,d} " + unit + "<extra></extra>",
                cliponaxis=False,
                showlegend=False,
            ),
            row=1,
            col=col,
        )
        fig.update_xaxes(
            count_axis(largest(table[column]), {"range": [0, largest(table[column]) * 1.15 + 0.5]}),
            row=1,
            col=col,
        )
    fig.update_yaxes(autorange="reversed", showgrid=False, type="category")
    where = "région" if is_region else "département"
    shown = (
        f" Les {fmt_int(len(table))} {where}s comptant le plus d'ateliers, sur "
        f"{fmt_int(total)} ; tous dans le tableau."
        if len(table) < total
        else ""
    )
    return base_figure(
        fig,
        title=f"Ateliers et communes par {where}",
        subtitle=(
            f"Un atelier intercommunal compte une fois dans chaque {where} touché(e) ; "
            "une commune compte une fois, même avec plusieurs ateliers." + shown
        ),
        source=source,
        height=horizontal_height(len(table), 30 if is_region else 24),
        bottom=40,
        panel_titles=True,
        legend=False,
    )


def population_classes_figure(table: pd.DataFrame, source: str) -> go.Figure:
    """Distinct communes and ateliers per size of commune (two panels)."""
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("Communes distinctes", "Ateliers"),
        horizontal_spacing=0.08,
    )
    for col, (column, unit) in enumerate((("communes", "communes"), ("ateliers", "ateliers")), 1):
        fig.add_trace(
            go.Bar(
                x=[wrap(label, 12) for label in table["libelle"]],
                y=table[column],
                name=unit,
                marker_color=CATEGORICAL[col - 1],
                texttemplate="%{y:,d}",
                textposition="outside",
                hovertemplate="%{x}<br>%{y:,d} " + unit + "<extra></extra>",
                cliponaxis=False,
                showlegend=False,
            ),
            row=1,
            col=col,
        )
        fig.update_yaxes(
            count_axis(largest(table[column]), {"range": [0, largest(table[column]) * 1.15 + 0.5]}),
            row=1,
            col=col,
        )
    fig.update_xaxes(showgrid=False, tickangle=0)
    return base_figure(
        fig,
        title="Communes et ateliers par taille de commune",
        subtitle=(
            "Population municipale. Chaque commune compte une fois ; un atelier compte une "
            "fois dans chaque classe où se trouve l'une de ses communes."
        ),
        source=source,
        height=400,
        bottom=60,
        panel_titles=True,
        legend=False,
    )


def spread_figure(table: pd.DataFrame, source: str) -> go.Figure:
    """Régions and départements reached per year, and how many are new.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`atelierflash.analyse.geographic_spread`.
    """
    years = year_labels(table)
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=("Régions", "Départements"), horizontal_spacing=0.1
    )
    for col, (reached, new, unit) in enumerate(
        (
            ("regions", "nouvelles_regions", "régions"),
            ("departements", "nouveaux_departements", "départements"),
        ),
        start=1,
    ):
        fig.add_trace(
            go.Bar(
                x=years,
                y=table[reached],
                name="Atteints dans l'année",
                marker_color=DSFR["bleu-cumulus-850"],
                texttemplate="%{y:,d}",
                textposition="outside",
                hovertemplate="%{x} : %{y:,d} " + unit + " atteints<extra></extra>",
                showlegend=col == 1,
                legendgroup="atteints",
                cliponaxis=False,
            ),
            row=1,
            col=col,
        )
        fig.add_trace(
            go.Bar(
                x=years,
                y=table[new],
                name="dont nouveaux (jamais atteints avant)",
                marker_color=DSFR["bleu-ecume-sun"],
                width=0.4,
                hovertemplate="%{x} : %{y:,d} " + unit + " nouveaux<extra></extra>",
                showlegend=col == 1,
                legendgroup="nouveaux",
            ),
            row=1,
            col=col,
        )
        fig.update_yaxes(count_axis(largest(table[reached])), row=1, col=col)
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(year_axis())
    return base_figure(
        fig,
        title="Régions et départements atteints par année",
        subtitle="Compte des territoires touchés par les ateliers sélectionnés de l'année ; "
        "un atelier intercommunal compte dans chacun de ses départements.",
        source=source,
        height=420,
        bottom=50,
        panel_titles=True,
    )
