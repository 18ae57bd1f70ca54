"""The year selector of the « Sélection annuelle » page, kept in the URL (``?annee=2024``)."""

from __future__ import annotations

import streamlit as st

QUERY_YEAR = "annee"
_KEY = "annee_choisie"


def year_selector(years: list[int], default: int | None) -> int | None:
    """A select box of the years offered; the choice is written to the URL (a permalink).

    Parameters
    ----------
    years : list of int
        Years offered (see :func:`atelierflash.stats.year_options`).
    default : int or None
        The year shown first when the URL names none (or a year no longer offered).

    Returns
    -------
    int or None
        ``None`` when no year is offered.
    """
    if not years:
        return None
    wanted = st.query_params.get(QUERY_YEAR)
    from_url = int(wanted) if wanted and wanted.isdigit() and int(wanted) in years else None
    if st.session_state.get(_KEY) not in years:
        st.session_state[_KEY] = from_url if from_url is not None else default
    year = st.selectbox(
        "Année de sélection",
        years,
        key=_KEY,
        format_func=str,
        help="Les ateliers sont rattachés à leur année de sélection (colonne « annee » du "
        "registre).",
    )
    if st.query_params.get(QUERY_YEAR) != str(year):
        st.query_params[QUERY_YEAR] = str(year)
    return year
