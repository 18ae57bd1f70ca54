"""Plotly figures of the programme analytics, built from the tables of :mod:`atelierflash.stats`.

No Streamlit here: every function takes a DataFrame (and the texts to print) and returns a
``plotly.graph_objects.Figure``, tested as an object. Every figure shares the same rules:

- French formats: decimal comma and narrow no-break space for thousands (``layout.separators``),
  « € » after amounts, French month names on date axes (ticks written here, never left to the
  browser's locale), years as categories (never « 2 019 »);
- the DSFR illustrative colours (« couleurs illustratives » of the State design system), in an
  order chosen so that neighbouring series stay apart for protanopes, deuteranopes and
  tritanopes (checked by ``tests/test_figures.py``); sequential scales are lightness ramps;
- a title that says what is counted (ateliers, theme mentions, communes), a subtitle for the
  counting rule, and the source and date of the data under the plot area.

The tables shown beside the charts (table alternative and CSV) come from the same DataFrames;
:func:`atelierflash.tables.display_table` and :func:`atelierflash.tables.export_table` give them French headers.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from atelierflash import equipes, palette
from atelierflash.formats import (
    NNBSP,
    fmt_date,
    fmt_eur,
    fmt_int,
    fmt_partial_date,
    fmt_percent,
    year_label,
)
from atelierflash.texte import html_escape

# Colours: the one DSFR palette (:mod:`atelierflash.palette`); the figures use these names.
DSFR = palette.DSFR
#: Categorical series, in order: any prefix stays distinguishable under colour blindness.
CATEGORICAL = palette.CATEGORICAL
#: Sequential scale (heat maps): a lightness ramp of « bleu écume », from grey-white for 0.
SEQUENTIAL = palette.SEQUENTIAL
STATUT_COLOURS = palette.STATUT_COLOURS
#: Reference lines (targets, official figures, announced spans).
REFERENCE_COLOUR = DSFR["orange-terre-battue"]
TEXT_COLOUR = DSFR["gris-200"]
GRID_COLOUR = DSFR["gris-925"]

FONT_FAMILY = "Marianne, Arial, sans-serif"
#: Plotly's ``separators``: decimal mark then thousands separator (narrow no-break space).
SEPARATORS = "," + NNBSP
EURO = "\u00a0€"
MONTHS_SHORT = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)

_TOP = 96  # room for the title and its subtitle
_SOURCE_GAP = 34  # pixels between the bottom of the x axis block and the source line


# ---------------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------------
def source_note(dataset, *, official=None, today: dt.date | None = None) -> str:
    """The « Source » line printed under a chart.

    Parameters
    ----------
    dataset : atelierflash.dataset.Dataset
        Its register: label, file name and the file's date (the data's state).
    official : iterable of OfficialFigure, optional
        Official figures drawn on the chart: their source and date are added.
    today : datetime.date, optional
        Used when the register file has no date (it does not exist).

    Returns
    -------
    str
        « Source : registre « Démonstration (données fictives) », fichier ateliers_demo.csv du
        29 novembre 2026 ; calculs atelierflash. »
    """
    path = dataset.source.path
    try:
        day = dt.date.fromtimestamp(path.stat().st_mtime)
    except OSError:
        day = today or dt.date.today()
    text = (
        f"Source : registre « {dataset.source.label} », fichier {path.name} du {fmt_date(day)}"
        " ; calculs atelierflash."
    )
    if dataset.fictif:
        text += " Données fictives."
    for figure in official or ():
        text += f" Chiffre officiel : {figure.source}, {fmt_date(figure.date)}."
    return text


def wrap(label: str, width: int = 30) -> str:
    """Break a long label into lines for an axis (``<br>`` between lines), escaped."""
    lines = textwrap.wrap(str(label), width=width) or [str(label)]
    return "<br>".join(html_escape(line) for line in lines)


def _base_figure(
    fig: go.Figure,
    *,
    title: str,
    subtitle: str,
    source: str,
    height: int,
    bottom: int = 60,
    left: int | None = None,
    legend: bool = True,
    panel_titles: bool = False,
) -> go.Figure:
    """Apply the house layout: title, subtitle, legend, source line, French separators, fonts.

    The top block is laid out in pixels from the top of the figure (title, subtitle lines,
    legend rows, panel titles), so nothing overlaps whatever the figure's height.
    """
    subtitle_lines = textwrap.wrap(subtitle, width=125) or [""]
    names = _legend_names(fig) if legend else []
    legend_rows = _legend_rows(names)
    legend_top = 62 + 18 * (len(subtitle_lines) - 1)
    top = legend_top + 26 * legend_rows + (30 if panel_titles else 0) + 14
    height = height + top - _TOP
    source_lines = _source_lines(source)
    margin_bottom = bottom + _SOURCE_GAP + 14 * len(source_lines)
    fig.update_layout(
        title={
            "text": f"<b>{title}</b>",
            "subtitle": {
                "text": "<br>".join(subtitle_lines),
                "font": {"size": 13, "color": DSFR["gris-425"]},
            },
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "y": 1,
            "yanchor": "top",
            "yref": "container",
            "pad": {"l": 12, "t": 12},
            "font": {"size": 17, "color": TEXT_COLOUR},
        },
        separators=SEPARATORS,
        font={"family": FONT_FAMILY, "size": 13, "color": TEXT_COLOUR},
        paper_bgcolor=DSFR["blanc"],
        plot_bgcolor=DSFR["blanc"],
        height=height,
        margin={"t": top, "b": margin_bottom, "l": left or 60, "r": 24},
        showlegend=bool(names),
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 1 - legend_top / height,
            "yanchor": "top",
            "x": 0,
            "xanchor": "left",
            "xref": "paper",
            "traceorder": "normal",
        },
        hoverlabel={"font": {"family": FONT_FAMILY}},
        colorway=list(CATEGORICAL),
    )
    fig.add_annotation(
        text="<br>".join(source_lines),
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="top",
        yshift=-bottom,
        showarrow=False,
        align="left",
        font={"size": 11, "color": DSFR["gris-425"]},
        name="source",
    )
    fig.update_xaxes(gridcolor=GRID_COLOUR, zerolinecolor=DSFR["gris-625"], automargin=True)
    fig.update_yaxes(gridcolor=GRID_COLOUR, zerolinecolor=DSFR["gris-625"], automargin=True)
    return fig


def _legend_names(fig: go.Figure) -> list[str]:
    names = []
    for trace in fig.data:
        if trace.showlegend is False or not trace.name:
            continue
        if trace.type in ("heatmap",):
            continue
        if trace.name not in names:
            names.append(trace.name)
    return names


def _legend_rows(names: list[str], width: float = 900) -> int:
    """Rows a horizontal legend takes (estimated from the labels' lengths)."""
    if not names:
        return 0
    rows, used = 1, 0.0
    for name in names:
        item = 46 + 7.2 * len(name)
        if used and used + item > width:
            rows, used = rows + 1, 0.0
        used += item
    return rows


def _source_lines(source: str, width: int = 140) -> list[str]:
    # The source names the register's file: text from outside, escaped like any label.
    return [html_escape(line) for line in textwrap.wrap(source, width=width)] or [""]


def _french_list(items: list[str]) -> str:
    """``["a", "b", "c"]`` → ``"a, b ou c"``."""
    return " ou ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def source_of(fig: go.Figure) -> str:
    """The source line of a figure built here (for tests and checks)."""
    for annotation in fig.layout.annotations:
        if annotation.name == "source":
            return annotation.text.replace("<br>", " ")
    return ""


def _count_axis(maximum: float, axis: dict | None = None) -> dict:
    """A count axis: integer ticks with a thin space for thousands, never « 2,5 ateliers ».

    Parameters
    ----------
    maximum : float
        The largest value drawn: small counts get one tick per unit.
    """
    settings: dict = {"tickformat": ",d", "rangemode": "tozero"}
    maximum = 0 if maximum is None or pd.isna(maximum) else float(maximum)
    if maximum <= 6:
        settings.update({"tick0": 0, "dtick": 1})
    if maximum == 0:
        settings["range"] = [0, 1]
    return {**settings, **(axis or {})}


def _max(*values) -> float:
    """Largest of numbers and sequences of numbers (0 when empty)."""
    numbers = []
    for value in values:
        if isinstance(value, pd.Series | list | tuple):
            numbers.extend(float(v) for v in value if not pd.isna(v))
        elif value is not None and not pd.isna(value):
            numbers.append(float(value))
    return max(numbers, default=0.0)


def _year_axis(title: str | None = None) -> dict:
    return {"type": "category", "title": title, "showgrid": False}


def _years(table: pd.DataFrame) -> list[str]:
    return [year_label(y) for y in table["annee"]]


def _horizontal_height(rows: int, per_row: int = 34, minimum: int = 320) -> int:
    return max(minimum, 170 + per_row * rows)


#: The house layout and axes, for the figure modules of the analytics wing
#: (``atelierflash/analyse/``): one layout, never copied.
base_figure = _base_figure
count_axis = _count_axis
year_axis = _year_axis


# ---------------------------------------------------------------------------------------------
# Thématiques
# ---------------------------------------------------------------------------------------------
def families_figure(table: pd.DataFrame, source: str, ateliers: int) -> go.Figure:
    """Ateliers per theme family (horizontal bars).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`atelierflash.stats.ateliers_by_family`.
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
    fig.update_xaxes(_count_axis(_max(table["ateliers"]), {"title": "Nombre d'ateliers"}))
    return _base_figure(
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
        :func:`atelierflash.stats.ateliers_by_theme`.
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
        _count_axis(_max(table["ateliers"]), {"title": "Mentions (ateliers citant le thème)"})
    )
    fig.update_layout(barmode="stack", legend={"traceorder": "normal"})
    return _base_figure(
        fig,
        title="Mentions de thèmes : ateliers citant chaque thème",
        subtitle=(
            "Un atelier à plusieurs thèmes compte dans chacun : "
            f"{fmt_int(mentions)} mentions pour {fmt_int(ateliers)} ateliers."
        ),
        source=source,
        height=_horizontal_height(len(table), 44),
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
    fig.update_yaxes(_count_axis(_max(table["ateliers"]), {"title": "Nombre d'ateliers"}))
    fig.update_xaxes(showgrid=False)
    return _base_figure(
        fig,
        title="Ateliers par échelle",
        subtitle="Compte des ateliers : chaque atelier compte une fois.",
        source=source,
        height=360,
        legend=False,
    )


def areas_figure(
    table: pd.DataFrame, source: str, *, level: str, max_rows: int | None = None
) -> go.Figure:
    """Ateliers and distinct communes per région or département (two panels, shared rows).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`atelierflash.stats.ateliers_by_region` or ``ateliers_by_departement``, sorted.
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
            _count_axis(_max(table[column]), {"range": [0, _max(table[column]) * 1.15 + 0.5]}),
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
    return _base_figure(
        fig,
        title=f"Ateliers et communes par {where}",
        subtitle=(
            f"Un atelier intercommunal compte une fois dans chaque {where} touché(e) ; "
            "une commune compte une fois, même avec plusieurs ateliers." + shown
        ),
        source=source,
        height=_horizontal_height(len(table), 30 if is_region else 24),
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
            _count_axis(_max(table[column]), {"range": [0, _max(table[column]) * 1.15 + 0.5]}),
            row=1,
            col=col,
        )
    fig.update_xaxes(showgrid=False, tickangle=0)
    return _base_figure(
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


def theme_year_heatmap(table: pd.DataFrame, source: str) -> go.Figure:
    """Theme × year heat map of theme mentions.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`atelierflash.stats.theme_year_counts` (long form).
    """
    themes = list(dict.fromkeys(table["libelle"]))
    years = list(dict.fromkeys(_years(table)))
    table = table.assign(_annee=_years(table))
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
            colorbar=_colorbar("Mentions", _max(table["ateliers"])),
            xgap=2,
            ygap=2,
        )
    )
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(_year_axis("Année de sélection"))
    return _base_figure(
        fig,
        title="Thèmes par année : mentions (ateliers citant le thème)",
        subtitle="Un atelier à plusieurs thèmes compte dans chacun ; les années sans atelier "
        "restent à 0.",
        source=source,
        height=_horizontal_height(len(themes), 46, 420),
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
        :func:`atelierflash.stats.theme_cooccurrence`.
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
            colorbar=_colorbar("Ateliers", _max(list(values[~np.isnan(values)]))),
            xgap=2,
            ygap=2,
        )
    )
    fig.update_yaxes(autorange="reversed", showgrid=False, type="category")
    fig.update_xaxes(showgrid=False, type="category", side="top")
    return _base_figure(
        fig,
        title="Thèmes associés : ateliers citant les deux thèmes",
        subtitle="Compte des ateliers pour chaque paire de thèmes (colonnes numérotées comme "
        "les lignes) ; en diagonale, le nombre d'ateliers citant le thème.",
        source=source,
        height=_horizontal_height(len(keys), 52, 440),
        bottom=20,
        panel_titles=True,
        legend=False,
    )


# ---------------------------------------------------------------------------------------------
# Équipes et tourniquet (tables from atelierflash.equipes)
# ---------------------------------------------------------------------------------------------
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
    return _base_figure(
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
        ticks, texts = month_ticks(min(table["date"]), max(table["date"]))
        fig.update_xaxes(type="date", tickvals=[t.isoformat() for t in ticks], ticktext=texts)
    fig.update_yaxes(title="Bons (cumul)", rangemode="tozero")
    return _base_figure(
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
                x=[
                    (pd.Timestamp(f) - pd.Timestamp(d)).total_seconds() * 1000 + 86_400_000
                    for d, f in zip(part["debut"], part["fin"], strict=True)
                ],
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
        low, high = min(periods["debut"]), max(periods["fin"])
        ticks, texts = month_ticks(low, high)
        fig.update_xaxes(type="date", tickvals=[t.isoformat() for t in ticks], ticktext=texts)
    return _base_figure(
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
        ticks, texts = month_ticks(min(load["mois"]), max(load["mois"]))
        fig.update_xaxes(type="date", tickvals=[t.isoformat() for t in ticks], ticktext=texts)
    fig.update_yaxes(title="Ateliers en cours", rangemode="tozero")
    return _base_figure(
        fig,
        title="Charge mensuelle : ateliers menés en même temps par chaque équipe",
        subtitle="Un atelier compte chaque mois de son début à sa fin (un mois entamé compte).",
        source=source,
        height=340,
    )


# ---------------------------------------------------------------------------------------------
# Sélection annuelle
# ---------------------------------------------------------------------------------------------
def selection_figure(table: pd.DataFrame, target, source: str, statuts) -> go.Figure:
    """Ateliers selected per year (stacked by statut) against the yearly target, with the cumul.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`atelierflash.stats.selection_by_year`.
    target : OfficialFigure
        The official « environ 30 » per year.
    statuts : atelierflash.programme.Vocabulary
        The statuts' vocabulary (labels).
    """
    years = _years(table)
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
    fig.update_xaxes(_year_axis("Année de sélection"))
    fig.update_yaxes(
        _count_axis(top, {"title": "Ateliers sélectionnés dans l'année", "range": [0, top]}),
        secondary_y=False,
    )
    fig.update_yaxes(
        _count_axis(
            _max(table["cumul"]), {"title": "Cumul", "showgrid": False, "tickmode": "auto"}
        ),
        secondary_y=True,
    )
    return _base_figure(
        fig,
        title="Ateliers sélectionnés par année, face à l'objectif",
        subtitle="Compte des ateliers aux statuts "
        + _french_list([statuts.label_of(k) for k in counted])
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
        :func:`atelierflash.stats.statut_pipeline`.
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
    fig.update_yaxes(_count_axis(_max(table["ateliers"]), {"title": "Nombre d'ateliers"}))
    fig.update_xaxes(showgrid=False, title="Statut actuel (candidature → réalisé ; abandonné)")
    return _base_figure(
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
        :func:`atelierflash.stats.realised_cumulative`.
    realised_figure, communes_figure : OfficialFigure
        « 114 » ateliers réalisés and « plus de 500 » communes.
    """
    years = _years(table)
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
        fig.update_yaxes(_count_axis(top, {"range": [0, top]}), row=1, col=col)
    fig.update_xaxes(_year_axis())
    return _base_figure(
        fig,
        title="Ateliers réalisés et communes couvertes, en cumul, face aux chiffres officiels",
        subtitle="Compte des ateliers au statut réalisé, par année de sélection ; une commune "
        "compte une fois, l'année de son premier atelier réalisé.",
        source=source,
        height=440,
        bottom=50,
        panel_titles=True,
    )


def spread_figure(table: pd.DataFrame, source: str) -> go.Figure:
    """Régions and départements reached per year, and how many are new.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`atelierflash.stats.geographic_spread`.
    """
    years = _years(table)
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
        fig.update_yaxes(_count_axis(_max(table[reached])), row=1, col=col)
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(_year_axis())
    return _base_figure(
        fig,
        title="Régions et départements atteints par année",
        subtitle="Compte des territoires touchés par les ateliers sélectionnés de l'année ; "
        "un atelier intercommunal compte dans chacun de ses départements.",
        source=source,
        height=420,
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
        :func:`atelierflash.stats.atelier_durations`; rows without a duration are skipped.
    min_months, max_months : float
        The announced span (4 to 8 months), drawn as a band.
    span_source : str
        Where the span comes from (in the band's label).
    """
    known = durations.dropna(subset=["duree_mois"])
    known = known.assign(_annee=_years(known) if len(known) else [])
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
    fig.update_xaxes(_year_axis("Année de sélection"))
    return _base_figure(
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
        :func:`atelierflash.stats.amounts_by_year`.
    indicative : float
        The indicative amount per atelier (about 20 000 €), drawn on the mean.
    """
    years = _years(table)
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
    fig.update_xaxes(_year_axis())
    return _base_figure(
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
        durations_ms = [
            (pd.Timestamp(f) - pd.Timestamp(d)).total_seconds() * 1000 + 86_400_000
            for d, f in zip(part["debut"], part["fin"], strict=True)
        ]
        fig.add_trace(
            go.Bar(
                base=[d.isoformat() for d in part["debut"]],
                x=durations_ms,
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
    return _base_figure(
        fig,
        title=f"Calendrier des ateliers {year_text}",
        subtitle="Un atelier par ligne, du début à la fin ; hachures : atelier sans date de "
        "fin (barre jusqu'à aujourd'hui). Une date connue au mois couvre tout le mois.",
        source=source,
        height=_horizontal_height(len(frame), 36, 300),
        bottom=50,
    )


def month_ticks(low: dt.date, high: dt.date, max_ticks: int = 14) -> tuple[list, list]:
    """Month ticks between two days, labelled in French (« janv. 2024 », « févr. »…).

    The year is written on the first tick and on every January; the step grows (1, 2, 3, 6,
    12 months, ticks on months aligned to the step) to keep at most ``max_ticks`` ticks.
    """
    months = (high.year - low.year) * 12 + high.month - low.month + 1
    step = next((s for s in (1, 2, 3, 6, 12) if months / s <= max_ticks), 12)
    ticks, texts = [], []
    year, month = low.year, low.month
    while (year, month) <= (high.year, high.month):
        if (month - 1) % step == 0:
            ticks.append(dt.date(year, month, 1))
            label = MONTHS_SHORT[month - 1]
            if not texts or month == 1:
                label += f" {year}"
            texts.append(label)
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return ticks, texts
