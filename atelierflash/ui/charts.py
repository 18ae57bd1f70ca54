"""One way to show a chart: the figure, its table alternative, the CSV and XLSX of its numbers.

Every analytics chart goes through :func:`chart_block`, so each one has the same parts: the
plotly figure (its toolbar downloads a PNG with the title and source line), an expander with
the numbers as a real HTML table (screen readers read it), and the CSV and XLSX downloads of
the same numbers, written by :mod:`atelierflash.ecriture` (the one writer: formulas
neutralised, fiction marked). An empty selection shows a French message instead of an empty or
broken chart.
"""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from atelierflash import ecriture, tables
from atelierflash.texte import markdown_escape

EMPTY_SELECTION = (
    "Aucun atelier ne correspond aux filtres choisis : il n'y a rien à représenter. "
    "Élargissez la sélection dans le panneau « Filtres »."
)


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
        Built by :mod:`atelierflash.analyse`; ``None`` when there is nothing to draw.
    table : pandas.DataFrame
        The numbers behind the chart (a table of :mod:`atelierflash.analyse`).
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
        shown = tables.display_table(table, columns)
        st.table(markdown_safe(shown), hide_index=True)
        download_buttons(tables.export_table(table, columns), key=key, what="ces données")


def _plain_title(fig: go.Figure) -> str:
    text = fig.layout.title.text or ""
    return re.sub(r"<[^>]+>", "", text)


def markdown_safe(table: pd.DataFrame) -> pd.DataFrame:
    """``st.table`` reads Markdown in cells and headers: register text is shown as typed."""
    shown = table.map(lambda v: markdown_escape(v) if isinstance(v, str) else v)
    return shown.rename(columns=lambda c: markdown_escape(c) if isinstance(c, str) else c)


def _fictif() -> bool:
    from atelierflash.ui.data import get_dataset

    return bool(get_dataset().fictif)


def download_buttons(
    table: pd.DataFrame,
    *,
    key: str,
    what: str = "cette liste",
    fictif: bool | None = None,
    container=None,
) -> None:
    """The CSV and XLSX downloads of a table, side by side, written by the one writer.

    Parameters
    ----------
    table : pandas.DataFrame
        The rows to download, with the headers they should have (raw values, not formatted).
    key : str
        Unique on the page; also the files' name (``_FICTIF`` added for a fictional register).
    what : str
        Completes the labels: « Télécharger {what} (CSV) ».
    fictif : bool, optional
        Default: whether the active register is fictional.
    container : optional
        Where to draw the buttons (default: the current block).
    """
    fictif = _fictif() if fictif is None else fictif
    place = container or st
    left, right = place.columns(2)
    # The files go with the page (bytes, not a callable): Streamlit 1.67 writes a callable's
    # file only when clicked and greys its button until the file is back, so a click during
    # that round trip gave nothing (tests/browser/test_downloads_browser.py). The bytes are
    # kept per table (_file_bytes), so a rerun writes again only the tables that changed.
    left.download_button(
        f"Télécharger {what} (CSV)",
        data=_file_bytes(table, "csv", fictif, key),
        file_name=ecriture.file_name(key, "csv", fictif=fictif),
        mime=ecriture.CSV_MIME,
        key=f"{key}_csv",
        icon=":material/download:",
        on_click="ignore",
    )
    right.download_button(
        f"Télécharger {what} (XLSX)",
        data=_file_bytes(table, "xlsx", fictif, key),
        file_name=ecriture.file_name(key, "xlsx", fictif=fictif),
        mime=ecriture.XLSX_MIME,
        key=f"{key}_xlsx",
        icon=":material/download:",
        on_click="ignore",
    )


@st.cache_data(show_spinner=False, max_entries=256)
def _file_bytes(table: pd.DataFrame, kind: str, fictif: bool, sheet: str) -> bytes:
    """The CSV or XLSX file of a table, by the one writer (kept across reruns and sessions)."""
    if kind == "csv":
        return ecriture.csv_bytes(table, fictif=fictif)
    return ecriture.xlsx_bytes(table, fictif=fictif, sheet=sheet)


def png_hint() -> None:
    """One line telling where the PNG download is (once per page)."""
    st.caption(
        "Chaque graphique s'exporte en image PNG (titre et source compris) par l'icône "
        "d'appareil photo de sa barre d'outils ; ses chiffres sont dans le tableau qui le suit, "
        "téléchargeable en CSV (séparateur « ; », virgule décimale) ou en XLSX."
    )


def table_block(table: pd.DataFrame, *, key: str, columns: list[str] | None = None) -> None:
    """A visible table (French formats) with the CSV and XLSX downloads of its rows."""
    st.dataframe(tables.display_table(table, columns), hide_index=True, width="stretch")
    download_buttons(tables.export_table(table, columns), key=key)
