"""Figures of the yearly selection: target, statuts, réalisés, durations, amounts, calendar.

Plotly figures built from the tables of :mod:`atelierflash.analyse.selection`, with the house
layout of :mod:`atelierflash.analyse.mise_en_page` (title, subtitle, source line, French
formats, DSFR colours). No Streamlit here: each function returns a ``go.Figure``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from atelierflash.analyse.mise_en_page import (
    CATEGORICAL,
    DSFR,
    EURO,
    REFERENCE_COLOUR,
    STATUT_COLOURS,
    bar_lengths_ms,
    base_figure,
    count_axis,
    french_list,
    horizontal_height,
    largest,
    month_axis,
    wrap,
    year_axis,
    year_labels,
)
from atelierflash.formats import (
    fmt_date,
    fmt_eur,
    fmt_int,
    fmt_partial_date,
)
from atelierflash.texte import html_escape


def selection_figure(table: pd.DataFrame, target, source: str, statuts) -> go.Figure:
    """Ateliers selected per year (stacked by statut) against the yearly target, with the cumul.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`atelierflash.analyse.selection_by_year`.
    target : OfficialFigure
        The official « environ 30 » per year.
    statuts : atelierflash.programme.Vocabulary
        The statuts' vocabulary (labels).
    """
    years = year_labels(table)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    # The statuts counted as selected are the table's statut columns ([statuts] of programme.toml).
    counted = [k for k in statuts.keys() if k in table.columns]
    for statut in reversed(counted):
        fig.add_trace(
            go.Bar(
                x=years,
                y=table[statut],
                name=f"{statuts.label_of(statut)}",
                marker_color=STATUT_COLOURS.get(statut, DSFR["bleu-cumulus"]),
                marker_line={"color": DSFR["blanc"], "width": 0.5},
                hovertemplate="%{x} : %{y:,d} ateliers « " + statuts.label_of(statut) + " »"
                "<extra></extra>",
            ),
            secondary_y=False,
        )
    fig.add_trace(
        go.Scatter(
            x=years,
            y=table["selectionnes"],
            mode="text",
            text=[fmt_int(v) for v in table["selectionnes"]],
            textposition="top center",
            showlegend=False,
            hoverinfo="skip",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=years,
            y=table["objectif"],
            mode="lines",
            name=f"Objectif : {target.display()} par an",
            line={"color": REFERENCE_COLOUR, "dash": "dash", "width": 2.5, "shape": "hvh"},
            hovertemplate="Objectif : " + target.display() + " par an<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=years,
            y=table["cumul"],
            mode="lines+markers",
            name="Cumul depuis " + (years[0] if years else "") + " (axe de droite)",
            line={"color": DSFR["violet-glycine-sun"], "width": 2},
            marker={"symbol": "diamond", "size": 8},
            hovertemplate="%{x} : %{y:,d} ateliers sélectionnés en cumul<extra></extra>",
        ),
        secondary_y=True,
    )
    top = max([target.value, *table["selectionnes"].tolist()]) * 1.2 + 1
    fig.update_layout(barmode="stack")
    fig.update_xaxes(year_axis("Année de sélection"))
    fig.update_yaxes(
        count_axis(top, {"title": "Ateliers sélectionnés dans l'année", "range": [0, top]}),
        secondary_y=False,
    )
    fig.update_yaxes(
        count_axis(
            largest(table["cumul"]), {"title": "Cumul", "showgrid": False, "tickmode": "auto"}
        ),
        secondary_y=True,
    )
    return base_figure(
        fig,
        title="Ateliers sélectionnés par année, face à l'objectif",
        subtitle="Compte des ateliers aux statuts "
        + french_list([statuts.label_of(k) for k in counted])
        + " (statut actuel), par année de sélection ; abandons et candidatures à part.",
        source=source,
        height=460,
        bottom=80,
    )


def pipeline_figure(table: pd.DataFrame, year_text: str, source: str) -> go.Figure:
    """Ateliers of a year per statut, in the pipeline's order.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`atelierflash.analyse.statut_pipeline`.
    year_text : str
        « 2024 » or « année inconnue ».
    """
    fig = go.Figure(
        go.Bar(
            x=[label for label in table["libelle"]],
            y=table["ateliers"],
            marker_color=[STATUT_COLOURS.get(k, CATEGORICAL[0]) for k in table["statut"]],
            marker_line={"color": DSFR["gris-625"], "width": 1},
            texttemplate="%{y:,d}",
            textposition="outside",
            hovertemplate="%{x} : %{y:,d} ateliers<extra></extra>",
            cliponaxis=False,
        )
    )
    fig.update_yaxes(count_axis(largest(table["ateliers"]), {"title": "Nombre d'ateliers"}))
    fig.update_xaxes(
        showgrid=False, title="Statut actuel (candidature → réalisé ; abandonné, non retenue)"
    )
    return base_figure(
        fig,
        title=f"Ateliers {year_text} par statut",
        subtitle="Compte des ateliers de l'année de sélection choisie : chaque atelier "
        "compte une fois, à son statut actuel.",
        source=source,
        height=380,
        bottom=85,
        legend=False,
    )


def realised_vs_official_figure(
    table: pd.DataFrame, realised_figure, communes_figure, source: str
) -> go.Figure:
    """Cumulative réalisés and communes covered since the launch, beside the official figures.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`atelierflash.analyse.realised_cumulative`.
    realised_figure, communes_figure : OfficialFigure
        « 114 » ateliers réalisés and « plus de 500 » communes.
    """
    years = year_labels(table)
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("Ateliers réalisés (cumul)", "Communes couvertes (cumul)"),
        horizontal_spacing=0.1,
    )
    for col, (column, per_year, figure, unit) in enumerate(
        (
            ("realises_cumul", "realises", realised_figure, "ateliers réalisés"),
            ("communes_cumul", "communes_nouvelles", communes_figure, "communes"),
        ),
        start=1,
    ):
        fig.add_trace(
            go.Bar(
                x=years,
                y=table[column],
                name="Registre (cumul)",
                marker_color=CATEGORICAL[0],
                customdata=table[[per_year]],
                texttemplate="%{y:,d}",
                textposition="outside",
                hovertemplate="%{x} : %{y:,d} " + unit + " en cumul "
                "(+%{customdata[0]:,d} dans l'année)<extra></extra>",
                showlegend=col == 1,
                legendgroup="registre",
                cliponaxis=False,
            ),
            row=1,
            col=col,
        )
        label = f"Chiffre officiel : {figure.display()} ({fmt_date(figure.date)})"
        fig.add_trace(
            go.Scatter(
                x=years,
                y=[figure.value] * len(years),
                mode="lines",
                name="Chiffre officiel publié",
                line={"color": REFERENCE_COLOUR, "dash": "dash", "width": 2.5, "shape": "hvh"},
                hovertemplate=label + "<extra></extra>",
                showlegend=col == 1,
                legendgroup="officiel",
            ),
            row=1,
            col=col,
        )
        fig.add_annotation(
            text=label,
            xref="x domain" if col == 1 else f"x{col} domain",
            yref="y" if col == 1 else f"y{col}",
            x=0,
            y=figure.value,
            xanchor="left",
            yanchor="bottom",
            showarrow=False,
            font={"color": DSFR["orange-terre-battue-sun"], "size": 12},
            bgcolor="rgba(255, 255, 255, 0.85)",
        )
        top = max([figure.value, *table[column].tolist()]) * 1.18 + 1
        fig.update_yaxes(count_axis(top, {"range": [0, top]}), row=1, col=col)
    fig.update_xaxes(year_axis())
    return base_figure(
        fig,
        title="Ateliers réalisés et communes couvertes, en cumul, face aux chiffres officiels",
        subtitle="Compte des ateliers au statut réalisé, par année de sélection ; une commune "
        "compte une fois, l'année de son premier atelier réalisé.",
        source=source,
        height=440,
        bottom=50,
        panel_titles=True,
    )


def durations_figure(
    durations: pd.DataFrame, min_months: float, max_months: float, span_source: str, source: str
) -> go.Figure:
    """Duration of each atelier per year of selection, against the announced span.

    Parameters
    ----------
    durations : pandas.DataFrame
        :func:`atelierflash.analyse.atelier_durations`; rows without a duration are skipped.
    min_months, max_months : float
        The announced span (4 to 8 months), drawn as a band.
    span_source : str
        Where the span comes from (in the band's label).
    """
    known = durations.dropna(subset=["duree_mois"])
    known = known.assign(_annee=year_labels(known) if len(known) else [])
    years = sorted(known["_annee"].unique(), key=lambda y: (y == "année inconnue", y))
    fig = go.Figure()
    for year in years:
        part = known[known["_annee"] == year]
        fig.add_trace(
            go.Box(
                x=[year] * len(part),
                y=part["duree_mois"].astype(float),
                name=year,
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                marker={"color": CATEGORICAL[0], "size": 7, "opacity": 0.8},
                line={"color": DSFR["bleu-ecume-sun"], "width": 1.5},
                fillcolor="rgba(65, 125, 196, 0.12)",
                customdata=[[html_escape(t)] for t in part["titre"]],
                hovertemplate="%{customdata[0]}<br>%{y:,.1f} mois<extra></extra>",
                showlegend=False,
            )
        )
    fig.add_hrect(
        y0=min_months,
        y1=max_months,
        fillcolor=DSFR["orange-terre-battue"],
        opacity=0.14,
        line_width=0,
        layer="below",
    )
    fig.add_annotation(
        text=f"Durée annoncée : {fmt_int(min_months)} à {fmt_int(max_months)} mois",
        xref="paper",
        x=1,
        xanchor="right",
        y=max_months,
        yanchor="bottom",
        showarrow=False,
        font={"color": DSFR["orange-terre-battue-sun"], "size": 12},
    )
    top = max([max_months, *known["duree_mois"].astype(float).tolist()]) * 1.15
    fig.update_yaxes(
        title="Durée (mois)", rangemode="tozero", range=[0, top], tickformat=",.0f", dtick=2
    )
    fig.update_xaxes(year_axis("Année de sélection"))
    return base_figure(
        fig,
        title="Durée des ateliers, du début à la fin (mois)",
        subtitle=f"Un point par atelier aux dates connues ; bande : durée annoncée "
        f"({span_source}). Une date connue au mois compte à partir du milieu du mois.",
        source=source,
        height=420,
        bottom=80,
        legend=False,
    )


def amounts_figure(table: pd.DataFrame, indicative: float, source: str) -> go.Figure:
    """Amounts per year: total of the known amounts and the mean per atelier.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`atelierflash.analyse.amounts_by_year`.
    indicative : float
        The indicative amount per atelier (about 20 000 €), drawn on the mean.
    """
    years = year_labels(table)
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("Total des montants renseignés", "Montant moyen par atelier"),
        horizontal_spacing=0.12,
    )
    fig.add_trace(
        go.Bar(
            x=years,
            y=table["montant_total_eur"],
            name="Total",
            marker_color=CATEGORICAL[0],
            customdata=table[["montants_connus", "ateliers"]],
            hovertemplate="%{x} : %{y:,.0f}" + EURO + "<br>%{customdata[0]:,d} montant(s) "
            "connu(s) sur %{customdata[1]:,d} atelier(s)<extra></extra>",
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    mean = table["montant_moyen_eur"].astype(float)
    fig.add_trace(
        go.Scatter(
            x=years,
            y=mean,
            mode="markers+lines",
            name="Moyenne du registre",
            marker={"color": DSFR["bleu-ecume-sun"], "size": 9},
            line={"color": DSFR["bleu-ecume-sun"], "width": 1.5},
            connectgaps=False,
            hovertemplate="%{x} : %{y:,.0f}" + EURO + " en moyenne<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Scatter(
            x=years,
            y=[indicative] * len(years),
            mode="lines",
            name=f"Montant indicatif : environ {fmt_eur(indicative)}",
            line={"color": REFERENCE_COLOUR, "dash": "dash", "width": 2.5, "shape": "hvh"},
            hovertemplate="Montant indicatif : " + fmt_eur(indicative) + "<extra></extra>",
        ),
        row=1,
        col=2,
    )
    euro_axis = {"tickformat": ",.0f", "ticksuffix": EURO, "rangemode": "tozero"}
    fig.update_yaxes(euro_axis, row=1, col=1)
    top = max([indicative, *mean.dropna().tolist()]) * 1.25
    fig.update_yaxes({**euro_axis, "range": [0, top]}, row=1, col=2)
    fig.update_xaxes(year_axis())
    return base_figure(
        fig,
        title="Montants des ateliers par année de sélection",
        subtitle="Seuls les montants renseignés dans le registre sont additionnés ; "
        "un atelier sans montant ne compte pas dans la moyenne.",
        source=source,
        height=420,
        bottom=50,
        left=90,
        panel_titles=True,
    )


def timeline_figure(
    ateliers: pd.DataFrame,
    year_text: str,
    source: str,
    statuts,
    today: dt.date,
) -> go.Figure:
    """The calendar of a year's ateliers, from start to end, with French month names.

    Parameters
    ----------
    ateliers : pandas.DataFrame
        Rows of ``Dataset.ateliers`` (``titre``, ``statut``, ``date_debut``, ``date_fin``);
        ateliers without a start are left out; one without an end runs to ``today``.
    statuts : atelierflash.programme.Vocabulary
        The statuts' vocabulary (labels).
    today : datetime.date
        End of the bars of ateliers still without an end date.
    """
    rows = []
    for record in ateliers.to_dict("records"):
        start, end = record.get("date_debut"), record.get("date_fin")
        if not hasattr(start, "first_day"):
            continue
        first = start.first_day()
        open_ended = not hasattr(end, "last_day")
        last = max(today, first) if open_ended else end.last_day()
        rows.append(
            {
                "titre": record["titre"],
                "statut": record["statut"],
                "debut": first,
                "fin": last,
                "ouvert": open_ended,
                "texte": f"{fmt_partial_date(start)} → "
                + ("(pas de date de fin)" if open_ended else fmt_partial_date(end)),
            }
        )
    frame = pd.DataFrame(rows, columns=["titre", "statut", "debut", "fin", "ouvert", "texte"])
    frame = frame.sort_values("debut", kind="stable")
    fig = go.Figure()
    for statut, part in frame.groupby("statut", sort=False):
        fig.add_trace(
            go.Bar(
                base=[d.isoformat() for d in part["debut"]],
                x=bar_lengths_ms(part["debut"], part["fin"]),
                y=[wrap(t, 60) for t in part["titre"]],
                orientation="h",
                name=statuts.label_of(statut),
                marker={
                    "color": STATUT_COLOURS.get(statut, CATEGORICAL[0]),
                    "line": {"color": DSFR["gris-425"], "width": 0.5},
                    "pattern": {"shape": ["/" if o else "" for o in part["ouvert"]]},
                },
                customdata=part[["texte"]],
                hovertemplate="%{y}<br>%{customdata[0]}<extra></extra>",
            )
        )
    categories = [wrap(t, 60) for t in frame["titre"]]
    fig.update_yaxes(
        categoryorder="array", categoryarray=categories[::-1], showgrid=False, type="category"
    )
    if len(frame):
        low, high = min(frame["debut"]), max(frame["fin"])
        margin = dt.timedelta(days=10)
        fig.update_xaxes(
            month_axis(low, high, range=[(low - margin).isoformat(), (high + margin).isoformat()])
        )
    return base_figure(
        fig,
        title=f"Calendrier des ateliers {year_text}",
        subtitle="Un atelier par ligne, du début à la fin ; hachures : atelier sans date de "
        "fin (barre jusqu'à aujourd'hui). Une date connue au mois couvre tout le mois.",
        source=source,
        height=horizontal_height(len(frame), 36, 300),
        bottom=50,
    )
