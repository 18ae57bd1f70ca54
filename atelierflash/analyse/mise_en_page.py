"""The figures' one house layout: colours, fonts, title block, source line, axes, month ticks.

Every figure of the analytics wing is finished by :func:`base_figure` and shares these rules:

- French formats: decimal comma and narrow no-break space for thousands (``layout.separators``),
  « € » after amounts, French month names on date axes (ticks written here, never left to the
  browser's locale: :func:`month_ticks`, :func:`month_axis`), years as categories (never
  « 2 019 »: :func:`year_axis`);
- the DSFR illustrative colours (« couleurs illustratives » of the State design system), in an
  order chosen so that neighbouring series stay apart for protanopes, deuteranopes and
  tritanopes (checked by ``tests/test_figures.py``); sequential scales are lightness ramps;
- a title that says what is counted (ateliers, theme mentions, communes), a subtitle for the
  counting rule, and the source and date of the data under the plot area (:func:`source_note`).

The tables shown beside the charts (table alternative and CSV) come from the same DataFrames;
:func:`atelierflash.tables.display_table` and :func:`atelierflash.tables.export_table` give them
French headers.
"""

from __future__ import annotations

import datetime as dt
import textwrap

import pandas as pd
import plotly.graph_objects as go

from atelierflash import palette
from atelierflash.formats import NNBSP, fmt_date, year_label
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


def base_figure(
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


def french_list(items: list[str]) -> str:
    """``["a", "b", "c"]`` → ``"a, b ou c"``."""
    return " ou ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def source_of(fig: go.Figure) -> str:
    """The source line of a figure built here (for tests and checks)."""
    for annotation in fig.layout.annotations:
        if annotation.name == "source":
            return annotation.text.replace("<br>", " ")
    return ""


def count_axis(maximum: float, axis: dict | None = None) -> dict:
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


def largest(*values) -> float:
    """Largest of numbers and sequences of numbers (0 when empty)."""
    numbers = []
    for value in values:
        if isinstance(value, pd.Series | list | tuple):
            numbers.extend(float(v) for v in value if not pd.isna(v))
        elif value is not None and not pd.isna(value):
            numbers.append(float(value))
    return max(numbers, default=0.0)


def year_axis(title: str | None = None) -> dict:
    """An axis of years as categories (never « 2 019 »)."""
    return {"type": "category", "title": title, "showgrid": False}


def year_labels(table: pd.DataFrame) -> list[str]:
    """The labels of a table's ``annee`` column (« année inconnue » for a missing year)."""
    return [year_label(y) for y in table["annee"]]


def horizontal_height(rows: int, per_row: int = 34, minimum: int = 320) -> int:
    """The plot height of horizontal bars: ``per_row`` pixels a row, at least ``minimum``."""
    return max(minimum, 170 + per_row * rows)


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


def month_axis(low: dt.date, high: dt.date, **settings) -> dict:
    """A date axis from ``low`` to ``high`` ticked by French months (:func:`month_ticks`).

    Parameters
    ----------
    low, high : datetime.date
        The first and last days drawn.
    **settings
        More axis settings (a ``range``…).

    Returns
    -------
    dict
        For ``fig.update_xaxes``.
    """
    ticks, texts = month_ticks(low, high)
    return {
        "type": "date",
        "tickvals": [t.isoformat() for t in ticks],
        "ticktext": texts,
        **settings,
    }


def bar_lengths_ms(starts, ends) -> list[float]:
    """Lengths of date bars from each start to the end of each end day, in milliseconds.

    Plotly draws a horizontal bar on a date axis from ``base`` over ``x`` milliseconds; the end
    day is drawn whole (one day more than the difference of the dates).
    """
    return [
        (pd.Timestamp(end) - pd.Timestamp(start)).total_seconds() * 1000 + 86_400_000
        for start, end in zip(starts, ends, strict=True)
    ]
