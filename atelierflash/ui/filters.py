"""Shared filter widgets, kept in the URL query parameters (permalinks).

Every page calls :func:`filter_sidebar` once; the state is read from the URL on first load and
written back on every change, so a filtered view can be shared and reopened.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from atelierflash.dataset import Dataset
from atelierflash.filters import (
    LIST_PARAMS,
    UNKNOWN_YEAR_PARAM,
    YEAR_PARAM,
    FilterState,
    apply_filters,
    filter_options,
    parse_values,
    parse_year_range,
)
from atelierflash.ui import url

_WIDGET_PREFIX = "filtre_"


def _labels(dataset: Dataset) -> dict[str, callable]:
    p = dataset.programme
    ref = dataset.referentiel
    dep_names = dict(zip(ref.departements["code"], ref.departements["nom"], strict=True))
    reg_names = dict(zip(ref.regions["code"], ref.regions["nom"], strict=True))
    return {
        "statuts": p.statuts.label_of,
        "equipes": p.equipes.label_of,
        "echelles": p.echelles.label_of,
        "themes": p.themes.label_of,
        "familles": p.familles.label_of,
        "departements": lambda c: f"{c} – {dep_names.get(c, c)}",
        "regions": lambda c: reg_names.get(c, c),
    }


_TITLES = {
    "familles": "Familles de thèmes",
    "themes": "Thèmes",
    "equipes": "Équipes",
    "statuts": "Statuts",
    "regions": "Régions",
    "departements": "Départements",
    "echelles": "Échelles",
}


def filter_sidebar(dataset: Dataset) -> tuple[FilterState, pd.DataFrame]:
    """Draw the shared filters in the sidebar and return the state and the filtered ateliers."""
    ateliers = dataset.ateliers
    options = filter_options(ateliers)
    from_url = _state_from_url(options)
    labels = _labels(dataset)
    years = ateliers["annee"].dropna()
    launch = dataset.programme.launch_year
    low, high = (int(years.min()), int(years.max())) if len(years) else (launch, launch)

    with st.sidebar.expander("Filtres", expanded=not from_url.is_default):
        if low < high:
            # A year from the address is brought back inside the slider's range.
            start = min(max(low, from_url.year_min or low), high)
            default = (start, max(min(high, from_url.year_max or high), start))
            year_range = st.slider(
                "Années de sélection",
                min_value=low,
                max_value=high,
                value=default,
                key=_WIDGET_PREFIX + "annees",
            )
        else:
            year_range = (low, high)
        include_unknown = st.checkbox(
            "Inclure les ateliers sans année connue",
            value=from_url.include_unknown_year,
            key=_WIDGET_PREFIX + "sans_annee",
        )
        chosen = {}
        for name in LIST_PARAMS:
            chosen[name] = tuple(
                st.multiselect(
                    _TITLES[name],
                    options[name],
                    default=list(getattr(from_url, name)),
                    format_func=labels[name],
                    key=_WIDGET_PREFIX + name,
                    placeholder="Tous",
                )
            )
    state = FilterState(
        year_min=year_range[0] if year_range[0] > low else None,
        year_max=year_range[1] if year_range[1] < high else None,
        include_unknown_year=include_unknown,
        **chosen,
    )
    _write_url(state)
    filtered = apply_filters(ateliers, state)
    st.sidebar.caption(f"{len(filtered)} atelier(s) sur {len(ateliers)} après filtres")
    return state, filtered


def _state_from_url(options: dict[str, list[str]]) -> FilterState:
    """The filters named by the address; a value that cannot be used is ignored, with a notice."""
    year_min, year_max = url.read(
        YEAR_PARAM, parse_year_range, (None, None), what="les années de sélection"
    )
    include_unknown = url.read(
        UNKNOWN_YEAR_PARAM,
        lambda text: url.one_of(("non", "oui"))(text) == "oui",
        True,
        what="les ateliers sans année connue",
    )
    chosen = {}
    for name, param in LIST_PARAMS.items():
        wanted = url.read(param, parse_values, (), what=_TITLES[name].lower())
        chosen[name] = tuple(v for v in wanted if v in options[name])
        unknown = [v for v in wanted if v not in options[name]]
        if unknown:
            url.notice(param, ",".join(unknown), _TITLES[name].lower())
    return FilterState(
        year_min=year_min, year_max=year_max, include_unknown_year=include_unknown, **chosen
    )


def _write_url(state: FilterState) -> None:
    wanted = state.to_query_params()
    for param in [YEAR_PARAM, UNKNOWN_YEAR_PARAM, *LIST_PARAMS.values()]:
        url.write(param, wanted.get(param))
