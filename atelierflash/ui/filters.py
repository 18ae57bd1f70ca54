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
    setup = _Setup(dataset)
    with st.sidebar.expander("Filtres", expanded=not setup.from_url.is_default):
        values = {}
        if setup.low < setup.high:
            values["annees"] = st.slider(
                "Années de sélection",
                min_value=setup.low,
                max_value=setup.high,
                value=setup.defaults["annees"],
                key=_WIDGET_PREFIX + "annees",
            )
        values["sans_annee"] = st.checkbox(
            "Inclure les ateliers sans année connue",
            value=setup.defaults["sans_annee"],
            key=_WIDGET_PREFIX + "sans_annee",
        )
        for name in LIST_PARAMS:
            values[name] = st.multiselect(
                _TITLES[name],
                setup.options[name],
                default=list(setup.defaults[name]),
                format_func=setup.labels[name],
                key=_WIDGET_PREFIX + name,
                placeholder="Tous",
            )
    state = setup.state(values)
    _write_url(state)
    filtered = apply_filters(dataset.ateliers, state)
    st.sidebar.caption(f"{len(filtered)} atelier(s) sur {len(dataset.ateliers)} après filtres")
    return state, filtered


def read_filters(dataset: Dataset) -> tuple[FilterState, pd.DataFrame]:
    """The state the filters hold in this run, read before :func:`filter_sidebar` draws them.

    A page that must send its main element first (the map: its component's code is then
    fetched before the widgets' code) reads the filters here, draws them later, and checks that
    both agree (:func:`filter_sidebar` returns what the widgets hold; a page reruns once when
    they differ, e.g. on its first run after another page's filters).
    """
    setup = _Setup(dataset)
    values = {
        name: st.session_state.get(_WIDGET_PREFIX + name, default)
        for name, default in setup.defaults.items()
    }
    state = setup.state(values)
    return state, apply_filters(dataset.ateliers, state)


class _Setup:
    """What the filters of one run depend on: options, address, labels, year bounds, defaults."""

    def __init__(self, dataset: Dataset) -> None:
        ateliers = dataset.ateliers
        self.options = filter_options(ateliers)
        self.from_url = _state_from_url(self.options)
        self.labels = _labels(dataset)
        years = ateliers["annee"].dropna()
        launch = dataset.programme.launch_year
        self.low, self.high = (
            (int(years.min()), int(years.max())) if len(years) else (launch, launch)
        )
        url_state, low, high = self.from_url, self.low, self.high
        # A year from the address is brought back inside the slider's range.
        start = min(max(low, url_state.year_min or low), high)
        self.defaults = {
            "annees": (start, max(min(high, url_state.year_max or high), start)),
            "sans_annee": url_state.include_unknown_year,
            **{name: tuple(getattr(url_state, name)) for name in LIST_PARAMS},
        }

    def state(self, values: dict) -> FilterState:
        year_range = values["annees"] if self.low < self.high else (self.low, self.high)
        return FilterState(
            year_min=year_range[0] if year_range[0] > self.low else None,
            year_max=year_range[1] if year_range[1] < self.high else None,
            include_unknown_year=bool(values["sans_annee"]),
            **{name: tuple(values[name]) for name in LIST_PARAMS},
        )


def _state_from_url(options: dict[str, list[str]]) -> FilterState:
    """The filters named by the address; a value that cannot be used is ignored, with a notice."""
    url.show_replayed([YEAR_PARAM, UNKNOWN_YEAR_PARAM, *LIST_PARAMS.values()])
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
