"""Figures of the « Suites des ateliers » section, built from :mod:`atelierflash.analyse.suites`.

The house layout (title, subtitle, legend, source line, French separators) is the one of
:mod:`atelierflash.analyse.mise_en_page`; the tables beside each chart are the same DataFrames.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from atelierflash.analyse.mise_en_page import (
    CATEGORICAL,
    DSFR,
    REFERENCE_COLOUR,
    base_figure,
    wrap,
)
from atelierflash.analyse.suites import jalon_label
from atelierflash.formats import fmt_int
from atelierflash.texte import html_escape

_MEASURES = {
    "part_demarrees": ("demarrees", "démarrées (en cours ou réalisées)"),
    "part_realisees": ("realisees", "réalisées"),
}
_DAYS_PER_MONTH = 365.25 / 12


def suites_points_figure(
    points: pd.DataFrame, measure: str, grouping: str, source: str
) -> go.Figure:
    """Share of the actions started (or realised) at each jalon, one bar per jalon and group.

    Parameters
    ----------
    points : pandas.DataFrame
        :func:`atelierflash.analyse.suites.suites_points` (overall or per group).
    measure : str
        ``"part_demarrees"`` or ``"part_realisees"``.
    grouping : str
        The groups' French name (« Année de sélection », « Ensemble du programme »).
    source : str
        The source line.
    """
    if measure not in _MEASURES:
        raise ValueError(f"mesure inconnue : {measure!r} (attendu {sorted(_MEASURES)})")
    count, what = _MEASURES[measure]
    # A group without any statut at any point would be an empty slot: the table keeps it.
    counted = points.groupby("groupe_libelle", sort=False)["actions"].transform("sum") > 0
    points = points[counted]
    groups = list(dict.fromkeys(points["groupe_libelle"]))
    fig = go.Figure()
    for index, (jalon, part) in enumerate(points.groupby("jalon", sort=True)):
        label = jalon_label(int(jalon))
        shares = [None if pd.isna(v) else 100 * float(v) for v in part[measure]]
        fig.add_trace(
            go.Bar(
                x=[wrap(html_escape(g), 18) for g in part["groupe_libelle"]],
                y=shares,
                name=f"Point d'étape à {int(jalon)} mois",
                marker_color=CATEGORICAL[index % len(CATEGORICAL)],
                marker_line={"color": DSFR["blanc"], "width": 0.5},
                text=["" if s is None else f"{s:.0f} %" for s in shares],
                textposition="outside",
                cliponaxis=False,
                customdata=[
                    [fmt_int(c), fmt_int(n), fmt_int(a)]
                    for c, n, a in zip(part[count], part["actions"], part["ateliers"], strict=True)
                ],
                hovertemplate="%{x} · "
                + label
                + " : %{y:.0f} % (%{customdata[0]} sur %{customdata[1]} action(s) de "
                "%{customdata[2]} atelier(s))<extra></extra>",
            )
        )
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_xaxes(
        categoryorder="array", categoryarray=[wrap(html_escape(g), 18) for g in groups]
    )
    fig.update_yaxes(
        title="Part des actions (%)", range=[0, 112], ticksuffix=" %", tickvals=[0, 25, 50, 75, 100]
    )
    title = "Actions démarrées" if count == "demarrees" else "Actions réalisées"
    return base_figure(
        fig,
        title=f"{title} à chaque point d'étape, par {grouping.lower()}"
        if grouping != "Ensemble du programme"
        else f"{title} à chaque point d'étape",
        subtitle=f"Part des actions {what} parmi celles dont le statut est renseigné au point "
        "d'étape (6, 12 et 24 mois après la restitution) ; une barre absente : aucun statut "
        "renseigné à ce point (les groupes sans aucun statut renseigné sont dans le tableau).",
        source=source,
        height=420,
        bottom=90,
    )


def first_start_figure(per_atelier: pd.DataFrame, jalons: list[int], source: str) -> go.Figure:
    """Days from the restitution to the first point where an action is started, per atelier.

    Parameters
    ----------
    per_atelier : pandas.DataFrame
        :func:`atelierflash.analyse.suites.suites_ateliers` (``premier_demarrage_jours``).
    jalons : list of int
        The jalons in months, drawn as reference lines.
    """
    known = per_atelier[per_atelier["premier_demarrage_jours"].notna()]
    days = known["premier_demarrage_jours"].astype(float).to_numpy()
    fig = go.Figure()
    fig.add_trace(
        go.Box(
            x=days,
            y=["Ateliers"] * len(days),
            orientation="h",
            name="Un point par atelier",
            boxpoints="all",
            jitter=0.4,
            pointpos=0,
            marker={"color": CATEGORICAL[0], "size": 7, "opacity": 0.8},
            line={"color": CATEGORICAL[0], "width": 1.5},
            customdata=[
                [html_escape(i), html_escape(str(t))]
                for i, t in zip(known["id"], known["titre"], strict=True)
            ],
            hovertemplate="%{customdata[0]} – %{customdata[1]}<br>%{x:,d} jours<extra></extra>",
        )
    )
    top = max([*days.tolist(), *(m * _DAYS_PER_MONTH for m in jalons), 1.0])
    for months in jalons:
        x = float(np.round(months * _DAYS_PER_MONTH))
        fig.add_vline(x=x, line={"color": REFERENCE_COLOUR, "dash": "dash", "width": 1.5})
        fig.add_annotation(
            x=x, y=1, yref="paper", text=jalon_label(months), showarrow=False, yanchor="bottom"
        )
    fig.update_xaxes(title="Jours depuis la restitution", range=[0, top * 1.08], tickformat=",d")
    fig.update_yaxes(showticklabels=False)
    return base_figure(
        fig,
        title="Délai jusqu'à la première action démarrée",
        subtitle="De la restitution au premier point d'étape où une action est en cours ou "
        "réalisée (jours calendaires, dates connues au jour) : l'action a démarré au plus tard "
        "ce jour-là ; tirets orange : les jalons.",
        source=source,
        height=320,
        bottom=80,
        legend=False,
    )
