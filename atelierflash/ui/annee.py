"""The year selector of the « Sélection annuelle » page, kept in the URL (``?annee=2024``)."""

from __future__ import annotations

import streamlit as st

from atelierflash.ui import url

QUERY_YEAR = "annee"
_KEY = "annee_choisie"


def year_selector(years: list[int], default: int | None) -> int | None:
    """A select box of the years offered; the choice is written to the URL (a permalink).

    Parameters
    ----------
    years : list of int
        Years offered (see :func:`atelierflash.analyse.year_options`).
    default : int or None
        The year shown first when the URL names none (or a year no longer offered).

    Returns
    -------
    int or None
        ``None`` when no year is offered.
    """
    if not years:
        return None
    if st.session_state.get(_KEY) not in years:
        offered = url.one_of(years)
        st.session_state[_KEY] = url.read(
            QUERY_YEAR, lambda text: offered(url.year(text)), default, what="l'année affichée"
        )
    year = st.selectbox(
        "Année de sélection",
        years,
        key=_KEY,
        format_func=str,
        help="Les ateliers sont rattachés à leur année de sélection (colonne « annee » du "
        "registre).",
    )
    url.write(QUERY_YEAR, str(year))
    return year
