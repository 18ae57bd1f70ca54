"""Figures of the « Suivi » page, built from the tables of :mod:`atelierflash.analyse.suivi`.

The house layout (title, subtitle, legend, source line, French separators) is the one of
:mod:`atelierflash.analyse.mise_en_page`; the tables beside each chart are the same DataFrames.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from atelierflash import palette
from atelierflash.analyse.mise_en_page import (
    CATEGORICAL,
    DSFR,
    REFERENCE_COLOUR,
    base_figure,
    count_axis,
    month_ticks,
    wrap,
    year_axis,
)
from atelierflash.formats import fmt_int
from atelierflash.texte import html_escape

#: Bars of the ateliers past their échéance (DSFR « rouge marianne » family, as the tables).
LATE_COLOUR = "#c9191e"


def funnel_figure(funnel: pd.DataFrame, target, statuts, selected, source: str) -> go.Figure:
    """Ateliers per year stacked by current statut, the selected ones against the target.

    Parameters
    ----------
    funnel : pandas.DataFrame
        :func:`atelierflash.analyse.suivi.entonnoir`.
    target : OfficialFigure
        The official « environ 30 » selected a year.
    statuts : atelierflash.programme.Vocabulary
        The statuts (labels, order).
    selected : tuple of str
        Statuts counted as selected (``Programme.selected_statuts``), drawn first from the axis.
    """
    years = [str(y) for y in sorted(funnel["annee"].unique())]
    wide = funnel.pivot_table(index="annee", columns="statut", values="n", aggfunc="sum")
    order = [k for k in statuts.keys() if k in selected][::-1]
    order += [k for k in statuts.keys() if k not in selected]
    fig = go.Figure()
    for statut in order:
        if statut not in wide.columns or wide[statut].sum() == 0:
            continue
        label = statuts.label_of(statut)
        fig.add_trace(
            go.Bar(
                x=years,
                y=wide[statut].tolist(),
                name=label,
                marker_color=palette.STATUT_COLOURS.get(statut, palette.MISSING_COLOUR),
                marker_line={"color": DSFR["gris-625"], "width": 0.5},
                hovertemplate="%{x} : %{y:,d} atelier(s) « " + label + " »<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=years,
            y=[target.value] * len(years),
            mode="lines",
            name=f"Objectif : {target.display()} sélectionnés par an",
            line={"color": REFERENCE_COLOUR, "dash": "dash", "width": 2.5, "shape": "hvh"},
            hovertemplate="Objectif : " + target.display() + " par an<extra></extra>",
        )
    )
    totals = wide.sum(axis=1) if len(wide.columns) else pd.Series(dtype=float)
    top = max([target.value, *totals.tolist()]) * 1.15 + 1
    fig.update_layout(barmode="stack")
    fig.update_xaxes(year_axis("Année (colonne « annee » du registre)"))
    fig.update_yaxes(count_axis(top, {"title": "Ateliers", "range": [0, top]}))
    return base_figure(
        fig,
        title="Entonnoir des ateliers par année, face à l'objectif",
        subtitle="Chaque atelier compte une fois, à son statut actuel ; les statuts comptés "
        "comme sélectionnés sont en bas de chaque barre, à lire face à l'objectif annuel.",
        source=source,
        height=440,
        bottom=80,
    )


def delays_figure(
    single: pd.DataFrame,
    norms: pd.DataFrame,
    by: str,
    labels: Mapping[str, str],
    source: str,
) -> go.Figure:
    """Delays between steps (one box per delay and group), with each delay's norm.

    Parameters
    ----------
    single : pandas.DataFrame
        :func:`atelierflash.analyse.suivi.delais_ateliers`.
    norms : pandas.DataFrame
        :func:`atelierflash.analyse.suivi.delais` (overall): ``libelle`` and ``norme_jours``.
    by : str
        ``"annee"`` or ``"equipe"``.
    labels : mapping of str to str
        Group key → label (team names); years are written as they are.
    """
    delays = list(dict.fromkeys(norms["libelle"]))
    known = single[single[by].notna()]
    groups = sorted(known[by].unique(), key=str)
    fig = go.Figure()
    for index, group in enumerate(groups):
        part = known[known[by] == group]
        name = labels.get(group, str(group)) if by == "equipe" else str(int(group))
        colour = CATEGORICAL[index % len(CATEGORICAL)]
        fig.add_trace(
            go.Box(
                x=[wrap(t, 22) for t in part["libelle"]],
                y=part["jours"].astype(float),
                name=name,
                boxpoints="all",
                jitter=0.3,
                pointpos=0,
                marker={"color": colour, "size": 5, "opacity": 0.8},
                line={"color": colour, "width": 1.5},
                customdata=[
                    [html_escape(i), html_escape(t)]
                    for i, t in zip(part["id"], part["titre"], strict=True)
                ],
                hovertemplate="%{customdata[0]} – %{customdata[1]}<br>%{y:,d} jours"
                "<extra>" + html_escape(name) + "</extra>",
            )
        )
    with_norm = norms[norms["norme_jours"].notna()]
    fig.add_trace(
        go.Scatter(
            x=[wrap(t, 22) for t in with_norm["libelle"]],
            y=with_norm["norme_jours"].astype(float),
            mode="markers",
            name="Norme (seuil du suivi)",
            marker={"symbol": "line-ew-open", "size": 46, "color": REFERENCE_COLOUR},
            marker_line={"width": 3},
            hovertemplate="Norme : %{y:,.0f} jours<extra></extra>",
        )
    )
    fig.update_layout(boxmode="group")
    fig.update_xaxes(
        categoryorder="array", categoryarray=[wrap(t, 22) for t in delays], showgrid=False
    )
    fig.update_yaxes(title="Jours (calendaires)", rangemode="tozero", tickformat=",d")
    what = "année de sélection" if by == "annee" else "équipe"
    return base_figure(
        fig,
        title=f"Délais entre étapes, par {what}",
        subtitle="Un point par atelier dont les deux dates sont connues au jour (une date "
        "connue au mois est laissée de côté) ; trait orange : la norme, seuil au-delà duquel "
        "l'étape suivante est « à traiter ».",
        source=source,
        height=460,
        bottom=70,
    )


def progress_timeline_figure(
    progress: pd.DataFrame, labels: Mapping[str, str], source: str, today: dt.date
) -> go.Figure:
    """Ateliers in progress: from the first bon de commande to today, the échéance marked.

    Parameters
    ----------
    progress : pandas.DataFrame
        :func:`atelierflash.analyse.suivi.ateliers_en_cours`.
    labels : mapping of str to str
        Team key → label.
    today : datetime.date
        The day of the suivi (end of the bars, vertical line).
    """
    now = pd.Timestamp(today)
    # One line per atelier: a title cut short (the full one is in the table and the fiche).
    rows = [
        html_escape(f"{i} · {t if len(t) <= 40 else t[:39] + '…'}")
        for i, t in zip(progress["id"], progress["titre"].astype(str), strict=True)
    ]
    ends = [max(now, d) for d in progress["depart"]]
    fig = go.Figure()
    for late, name, colour in (
        (False, "Dans les délais", CATEGORICAL[0]),
        (True, "Au-delà de l'échéance, sans restitution", LATE_COLOUR),
    ):
        mask = (progress["en_retard"] == late).to_numpy()
        if not mask.any():
            continue
        part = progress[mask]
        fig.add_trace(
            go.Bar(
                base=[d.date().isoformat() for d in part["depart"]],
                x=[
                    (end - start).total_seconds() * 1000 + 86_400_000
                    for start, end in zip(
                        part["depart"],
                        [e for e, m in zip(ends, mask, strict=True) if m],
                        strict=True,
                    )
                ],
                y=[r for r, m in zip(rows, mask, strict=True) if m],
                orientation="h",
                name=name,
                marker={"color": colour, "line": {"color": DSFR["blanc"], "width": 1}},
                customdata=[
                    [labels.get(e, e) if isinstance(e, str) else "", fmt_int(j)]
                    for e, j in zip(part["equipe"], part["jours"], strict=True)
                ],
                hovertemplate="%{y}<br>%{customdata[0]} ; %{customdata[1]} jours depuis le "
                "bon de commande<extra></extra>",
            )
        )
    for step, symbol, name in (
        ("debut", "triangle-right", "Début"),
        ("animation", "diamond", "Animation (premier jour)"),
        ("restitution", "star", "Restitution prévue"),
    ):
        known = progress[step].notna().to_numpy()
        if known.any():
            fig.add_trace(
                go.Scatter(
                    x=[d.date().isoformat() for d in progress.loc[known, step]],
                    y=[r for r, k in zip(rows, known, strict=True) if k],
                    mode="markers",
                    name=name,
                    marker={"symbol": symbol, "size": 9, "color": DSFR["gris-200"]},
                    hovertemplate=name + " : %{x|%d/%m/%Y}<extra></extra>",
                )
            )
    fig.add_trace(
        go.Scatter(
            x=[d.date().isoformat() for d in progress["echeance"]],
            y=rows,
            mode="markers",
            name="Échéance (norme du suivi)",
            marker={"symbol": "line-ns-open", "size": 16, "color": REFERENCE_COLOUR},
            marker_line={"width": 3},
            hovertemplate="Échéance : %{x|%d/%m/%Y}<extra></extra>",
        )
    )
    fig.update_layout(barmode="overlay")
    fig.update_yaxes(
        type="category", categoryorder="array", categoryarray=rows[::-1], showgrid=False
    )
    if len(progress):
        low = min(progress["depart"]).date()
        high = max([now, *progress["echeance"]]).date()
        ticks, texts = month_ticks(low, high)
        fig.update_xaxes(
            type="date",
            tickvals=[t.isoformat() for t in ticks],
            ticktext=texts,
            range=[
                (low - dt.timedelta(days=10)).isoformat(),
                (high + dt.timedelta(days=10)).isoformat(),
            ],
        )
    fig.add_vline(
        x=now.date().isoformat(), line={"color": DSFR["gris-425"], "dash": "dot", "width": 1.5}
    )
    return base_figure(
        fig,
        title="Ateliers en cours, du bon de commande à aujourd'hui",
        subtitle="Une ligne par atelier au statut ouvert ayant un bon de commande (à défaut, "
        "une date de début) ; trait orange : l'échéance du suivi ; pointillé : aujourd'hui. "
        "Une date connue au mois compte à partir du premier jour du mois.",
        source=source,
        height=max(300, 170 + 30 * len(progress)),
        bottom=50,
        left=260,
    )
