"""One way to show a chart: the figure, its table alternative, the CSV of its numbers.

Every analytics chart goes through :func:`chart_block`, so each one has the same parts: the
plotly figure (its toolbar downloads a PNG with the title and source line), an expander with
the numbers as a real HTML table (screen readers read it), and a CSV download of the same
numbers. An empty selection shows a French message instead of an empty or broken chart.
"""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from atelierflash import figures

EMPTY_SELECTION = (
    "Aucun atelier ne correspond aux filtres choisis : il n'y a rien à représenter. "
    "Élargissez la sélection dans le panneau « Filtres »."
)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-!|~])")


def plotly_config(filename: str) -> dict:
    """The plotly toolbar: PNG download named after the chart, no plotly logo or lasso."""
    return {
        "displaylogo": False,
        "displayModeBar": True,
        "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
    }


def chart_block(
    fig: go.Figure | None,
    table: pd.DataFrame,
    *,
    key: str,
    columns: list[str] | None = None,
    empty: bool = False,
    empty_message: str = EMPTY_SELECTION,
    note: str | None = None,
) -> None:
    """Draw a chart with its table alternative and the CSV download of its numbers.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure or None
        Built by :mod:`atelierflash.figures`; ``None`` when there is nothing to draw.
    table : pandas.DataFrame
        The numbers behind the chart (a table of :mod:`atelierflash.stats`).
    key : str
        Unique on the page; also names the PNG and CSV files (« thematiques_themes »).
    columns : list of str, optional
        Columns of ``table`` to show and export (default: all).
    empty : bool
        Show ``empty_message`` instead of the chart (an empty selection).
    note : str, optional
        A caption under the chart (what is left out, how to read it).
    """
    if empty or fig is None:
        st.info(empty_message, icon=":material/info:")
        return
    st.plotly_chart(fig, width="stretch", theme=None, config=plotly_config(key), key=key)
    if note:
        st.caption(note)
    title = _plain_title(fig)
    with st.expander(f"Tableau des données : {title}"):
        shown = figures.display_table(table, columns)
        st.table(_markdown_safe(shown), hide_index=True)
        st.download_button(
            "Télécharger ces données (CSV)",
            figures.csv_bytes(figures.csv_table(table, columns)),
            file_name=f"{key}.csv",
            mime="text/csv",
            key=f"{key}_csv",
            icon=":material/download:",
        )


def _plain_title(fig: go.Figure) -> str:
    text = fig.layout.title.text or ""
    return re.sub(r"<[^>]+>", "", text)


def _markdown_safe(table: pd.DataFrame) -> pd.DataFrame:
    """``st.table`` reads Markdown in cells: register text is shown as typed."""
    return table.map(lambda v: _MARKDOWN_SPECIAL.sub(r"\\\1", v) if isinstance(v, str) else v)


def png_hint() -> None:
    """One line telling where the PNG download is (once per page)."""
    st.caption(
        "Chaque graphique s'exporte en image PNG (titre et source compris) par l'icône "
        "d'appareil photo de sa barre d'outils ; ses chiffres sont dans le tableau qui le suit, "
        "téléchargeable en CSV (séparateur « ; », virgule décimale)."
    )


def table_block(table: pd.DataFrame, *, key: str, columns: list[str] | None = None) -> None:
    """A visible table (French formats) with the CSV download of its rows."""
    st.dataframe(figures.display_table(table, columns), hide_index=True, width="stretch")
    st.download_button(
        "Télécharger cette liste (CSV)",
        figures.csv_bytes(figures.csv_table(table, columns)),
        file_name=f"{key}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
    )
