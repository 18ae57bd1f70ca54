"""Figures of the teams: bons per holder, cumulative bons, ateliers on lanes, monthly load.

Plotly figures built from the tables of :mod:`atelierflash.analyse.equipes`, with the house
layout of :mod:`atelierflash.analyse.mise_en_page` (title, subtitle, source line, French
formats, DSFR colours). No Streamlit here: each function returns a ``go.Figure``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from atelierflash.analyse import equipes
from atelierflash.analyse.mise_en_page import (
    CATEGORICAL,
    DSFR,
    bar_lengths_ms,
    base_figure,
    month_axis,
)
from atelierflash.texte import html_escape


def holder_year_figure(
    table: pd.DataFrame, colours: Mapping[str, str], title: str, source: str
) -> go.Figure:
    """Bons per holder and year of issue (grouped bars)."""
    fig = go.Figure()
    years = [str(y) for y in sorted(table["annee"].unique())]
    for team, part in table.groupby("equipe", sort=False):
        fig.add_trace(
            go.Bar(
                x=[str(y) for y in part["annee"]],
                y=part["bons"],
                name=part["titulaire"].iloc[0],
                marker={"color": colours.get(team, CATEGORICAL[0])},
                customdata=part[["montant_eur"]],
                hovertemplate="%{x} : %{y} bon(s), %{customdata[0]:,.0f} €<extra>%{fullData.name}"
                "</extra>",
            )
        )
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=years)
    fig.update_yaxes(title="Bons de commande", rangemode="tozero", dtick=1 if len(years) else None)
    return base_figure(
        fig,
        title=title,
        subtitle="Bons de commande reçus par chaque titulaire, par année d'émission du bon.",
        source=source,
        height=360,
    )


def cumulative_orders_figure(
    table: pd.DataFrame, colours: Mapping[str, str], title: str, source: str
) -> go.Figure:
    """Cumulative bons per holder along the agreement's orders (step lines)."""
    fig = go.Figure()
    for team, part in table.groupby("equipe", sort=False):
        fig.add_trace(
            go.Scatter(
                x=[d.isoformat() for d in part["date"]],
                y=part["cumul_bons"],
                name=part["titulaire"].iloc[0],
                mode="lines",
                line={"shape": "hv", "color": colours.get(team, CATEGORICAL[0]), "width": 2.5},
                hovertemplate="%{x|%d/%m/%Y} : %{y} bon(s)<extra>%{fullData.name}</extra>",
            )
        )
    if len(table):
        fig.update_xaxes(month_axis(min(table["date"]), max(table["date"])))
    fig.update_yaxes(title="Bons (cumul)", rangemode="tozero")
    return base_figure(
        fig,
        title=title,
        subtitle="Nombre cumulé de bons reçus par chaque titulaire, bon après bon ; sous un "
        "tourniquet strict, les courbes restent à un bon d'écart au plus.",
        source=source,
        height=360,
    )


def team_timeline_figure(
    periods: pd.DataFrame,
    labels: Mapping[str, str],
    colours: Mapping[str, str],
    source: str,
) -> go.Figure:
    """Ateliers per team on lanes (one bar per atelier), on-site days as diamonds."""
    periods = periods.reset_index(drop=True)
    lane = equipes.lanes(periods)
    fig = go.Figure()
    categories: list[str] = []
    for team in dict.fromkeys(periods["equipe"]):
        idx = [i for i in range(len(periods)) if periods["equipe"].iloc[i] == team]
        part = periods.iloc[idx]
        name = labels.get(team, team)
        ys = [f"{name} · {lane[i] + 1}" for i in idx]
        categories += sorted(set(ys), key=lambda y: int(y.rsplit("· ", 1)[1]))
        fig.add_trace(
            go.Bar(
                base=[d.isoformat() for d in part["debut"]],
                x=bar_lengths_ms(part["debut"], part["fin"]),
                y=ys,
                orientation="h",
                name=name,
                marker={
                    "color": colours.get(team, CATEGORICAL[0]),
                    "line": {"color": DSFR["blanc"], "width": 1},
                    "pattern": {"shape": ["/" if o else "" for o in part["ouvert"]]},
                },
                customdata=list(
                    zip(
                        part["atelier"].map(html_escape),
                        part["titre"].map(html_escape),
                        strict=True,
                    )
                ),
                hovertemplate="%{customdata[0]} – %{customdata[1]}<extra>%{fullData.name}</extra>",
            )
        )
        days_x, days_y, days_id = [], [], []
        for i in idx:
            for day in periods["sur_site"].iloc[i]:
                days_x.append(day.isoformat())
                days_y.append(f"{name} · {lane[i] + 1}")
                days_id.append(periods["atelier"].iloc[i])
        if days_x:
            fig.add_trace(
                go.Scatter(
                    x=days_x,
                    y=days_y,
                    mode="markers",
                    name=f"{name} : jours sur site",
                    showlegend=False,
                    marker={"symbol": "diamond", "size": 7, "color": DSFR["gris-200"]},
                    customdata=days_id,
                    hovertemplate="%{customdata} : sur site le %{x|%d/%m/%Y}<extra></extra>",
                )
            )
    fig.update_layout(barmode="overlay")
    fig.update_yaxes(
        type="category", categoryorder="array", categoryarray=categories[::-1], showgrid=False
    )
    if len(periods):
        fig.update_xaxes(month_axis(min(periods["debut"]), max(periods["fin"])))
    return base_figure(
        fig,
        title="Ateliers en cours par équipe",
        subtitle="Une barre par atelier, du début à la fin ; une équipe a autant de lignes que "
        "d'ateliers menés en même temps au plus. Losanges : jours sur site. Hachures : atelier "
        "en cours sans date de fin.",
        source=source,
        height=max(260, 30 * len(categories)),
        left=200,
    )


def team_load_figure(load: pd.DataFrame, colours: Mapping[str, str], source: str) -> go.Figure:
    """Ateliers in progress per team and month (step lines)."""
    fig = go.Figure()
    for team, part in load.groupby("equipe", sort=False):
        fig.add_trace(
            go.Scatter(
                x=[m.isoformat() for m in part["mois"]],
                y=part["en_cours"],
                name=part["titulaire"].iloc[0],
                mode="lines",
                line={"shape": "hv", "color": colours.get(team, CATEGORICAL[0]), "width": 2.5},
                customdata=part[["sur_site"]],
                hovertemplate="%{x|%m/%Y} : %{y} atelier(s) en cours, dont %{customdata[0]} "
                "sur site<extra>%{fullData.name}</extra>",
            )
        )
    if len(load):
        fig.update_xaxes(month_axis(min(load["mois"]), max(load["mois"])))
    fig.update_yaxes(title="Ateliers en cours", rangemode="tozero")
    return base_figure(
        fig,
        title="Charge mensuelle : ateliers menés en même temps par chaque équipe",
        subtitle="Un atelier compte chaque mois de son début à sa fin (un mois entamé compte).",
        source=source,
        height=340,
    )
