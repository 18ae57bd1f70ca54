"""Shared filters: URL round trip and selection on a small literal register."""

import pandas as pd

from atelierflash.filters import FilterState, apply_filters, filter_options

ATELIERS = pd.DataFrame(
    {
        "id": ["A", "B", "C", "D"],
        "annee": pd.array([2020, 2023, None, 2025], dtype="Int64"),
        "statut": ["realise", "realise", "realise", "en_cours"],
        "equipe": ["atelier_ourcq", "polau", None, "ville_ouverte"],
        "echelle": ["communale", "intercommunale", "batiment_ilot", "communale"],
        "themes": [("friches",), ("logement", "friches"), ("risques",), ()],
        "familles": [("territoriales",), ("sociales", "territoriales"), ("environnementales",), ()],
        "departements": [("80",), ("77", "51"), ("2A",), ("974",)],
        "regions": [("32",), ("11", "44"), ("94",), ("04",)],
    }
)


def ids(state):
    return list(apply_filters(ATELIERS, state)["id"])


def test_default_state_keeps_everything_and_has_no_params():
    assert ids(FilterState()) == ["A", "B", "C", "D"]
    assert FilterState().to_query_params() == {}
    assert FilterState().is_default


def test_year_range_keeps_unknown_year_unless_excluded():
    assert ids(FilterState(year_min=2021, year_max=2024)) == ["B", "C"]
    assert ids(FilterState(year_min=2021, include_unknown_year=False)) == ["B", "D"]


def test_list_filters_match_any_value():
    assert ids(FilterState(themes=("friches",))) == ["A", "B"]
    assert ids(FilterState(familles=("sociales",))) == ["B"]
    assert ids(FilterState(departements=("51", "974"))) == ["B", "D"]
    assert ids(FilterState(regions=("94",))) == ["C"]
    assert ids(FilterState(equipes=("polau",))) == ["B"]
    assert ids(FilterState(statuts=("en_cours",))) == ["D"]
    assert ids(FilterState(echelles=("communale",), statuts=("realise",))) == ["A"]


def test_query_params_round_trip():
    state = FilterState(
        year_min=2020,
        year_max=2024,
        include_unknown_year=False,
        themes=("friches", "logement"),
        departements=("2A", "974"),
    )
    params = state.to_query_params()
    assert params == {
        "annees": "2020-2024",
        "sans_annee": "non",
        "theme": "friches,logement",
        "dep": "2A,974",
    }
    assert FilterState.from_query_params(params) == state
    # Streamlit's query params may hold lists.
    assert FilterState.from_query_params({k: [v] for k, v in params.items()}) == state


def test_stale_permalink_values_are_dropped():
    state = FilterState.from_query_params({"theme": "friches,inexistant", "annees": "x-y"})
    restricted = state.restricted_to(filter_options(ATELIERS))
    assert restricted.themes == ("friches",)
    assert restricted.year_min is None and restricted.year_max is None


def test_filter_options_lists_present_values():
    options = filter_options(ATELIERS)
    assert options["equipes"] == ["atelier_ourcq", "polau", "ville_ouverte"]
    assert options["regions"] == ["04", "11", "32", "44", "94"]
