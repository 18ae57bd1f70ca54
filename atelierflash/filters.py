"""The shared filters of every page, as pure data: state, URL form, application.

The Streamlit widgets live in :mod:`atelierflash.ui.filters`; this module only knows how a
filter state reads from and writes to URL query parameters and how it selects ateliers, so a
filtered view is a permalink and the logic is tested without a UI.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace

import pandas as pd

# URL parameter of each list filter (short, readable, stable: they are permalinks).
LIST_PARAMS = {
    "familles": "famille",
    "themes": "theme",
    "equipes": "equipe",
    "statuts": "statut",
    "regions": "region",
    "departements": "dep",
    "echelles": "echelle",
}
YEAR_PARAM = "annees"
UNKNOWN_YEAR_PARAM = "sans_annee"


@dataclass(frozen=True)
class FilterState:
    """What the user selected; an empty tuple means « all »."""

    year_min: int | None = None
    year_max: int | None = None
    include_unknown_year: bool = True
    familles: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    equipes: tuple[str, ...] = ()
    statuts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    departements: tuple[str, ...] = ()
    echelles: tuple[str, ...] = ()

    @property
    def is_default(self) -> bool:
        """True when nothing is filtered (every value « all »)."""
        return self == FilterState()

    def to_query_params(self) -> dict[str, str]:
        """The non-default parts as URL parameters (lists joined by commas)."""
        params: dict[str, str] = {}
        if self.year_min is not None or self.year_max is not None:
            params[YEAR_PARAM] = f"{self.year_min or ''}-{self.year_max or ''}"
        if not self.include_unknown_year:
            params[UNKNOWN_YEAR_PARAM] = "non"
        for name, param in LIST_PARAMS.items():
            values = getattr(self, name)
            if values:
                params[param] = ",".join(values)
        return params

    @classmethod
    def from_query_params(cls, params) -> FilterState:
        """Read a state back from URL parameters; unknown or malformed values are ignored."""
        kwargs: dict = {}
        years = _first(params.get(YEAR_PARAM))
        if years:
            with contextlib.suppress(ValueError):
                kwargs["year_min"], kwargs["year_max"] = parse_year_range(years)
        if _first(params.get(UNKNOWN_YEAR_PARAM)) == "non":
            kwargs["include_unknown_year"] = False
        for name, param in LIST_PARAMS.items():
            raw = _first(params.get(param))
            if raw:
                kwargs[name] = parse_values(raw)
        return cls(**kwargs)

    def restricted_to(self, options: dict[str, list[str]]) -> FilterState:
        """Drop values that are not among the options offered (e.g. a stale permalink)."""
        changes = {
            name: tuple(v for v in getattr(self, name) if v in options.get(name, ()))
            for name in LIST_PARAMS
        }
        return replace(self, **changes)


def parse_year_range(text: str) -> tuple[int | None, int | None]:
    """``"2020-2023"`` → ``(2020, 2023)``; either side may be empty (``"2021-"``).

    Raises
    ------
    ValueError
        When ``text`` is not two years (four ASCII digits) or empty sides around one ``-``:
        « ²- », « 99999999999999999999- », « 2024 », « 2023-2020 ».

    Examples
    --------
    >>> parse_year_range("2021-"), parse_year_range("-2023")
    ((2021, None), (None, 2023))
    """
    low, sep, high = str(text).partition("-")
    if not sep:
        raise ValueError(f"intervalle d'années attendu (« 2020-2023 ») : {text!r}")
    years = tuple(_year(part) for part in (low, high))
    if years[0] is not None and years[1] is not None and years[0] > years[1]:
        raise ValueError(f"intervalle d'années inversé : {text!r}")
    return years


def _year(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    # str.isdigit() accepts « ² » and other digits int() refuses: ASCII only, four of them.
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise ValueError(f"année attendue sur quatre chiffres : {text!r}")
    return int(text)


def parse_values(text: str) -> tuple[str, ...]:
    """``"a,b,,c"`` → ``("a", "b", "c")``: the values of a list filter in the URL."""
    return tuple(v for v in str(text).split(",") if v)


def _first(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return value[0] if value else None
    return str(value)


def apply_filters(ateliers: pd.DataFrame, state: FilterState) -> pd.DataFrame:
    """Select the ateliers matching ``state``.

    Multi-valued attributes (themes, familles, départements, régions) match when any of the
    atelier's values is selected.

    Parameters
    ----------
    ateliers : pandas.DataFrame
        ``Dataset.ateliers``.
    state : FilterState

    Returns
    -------
    pandas.DataFrame
        The matching rows, in their original order.
    """
    mask = pd.Series(True, index=ateliers.index)
    years = ateliers["annee"]
    if state.year_min is not None:
        mask &= years.isna() | (years >= state.year_min)
    if state.year_max is not None:
        mask &= years.isna() | (years <= state.year_max)
    if not state.include_unknown_year:
        mask &= years.notna()
    for name, column in (("statuts", "statut"), ("equipes", "equipe"), ("echelles", "echelle")):
        selected = getattr(state, name)
        if selected:
            mask &= ateliers[column].isin(selected)
    for name in ("themes", "familles", "departements", "regions"):
        selected = set(getattr(state, name))
        if selected:
            mask &= ateliers[name].map(lambda values, s=selected: bool(s.intersection(values)))
    return ateliers[mask.fillna(False).astype(bool)]


def filter_options(ateliers: pd.DataFrame) -> dict[str, list[str]]:
    """Values present in a dataset, for each list filter (sorted, stable)."""
    options: dict[str, list[str]] = {}
    for name, column in (("statuts", "statut"), ("equipes", "equipe"), ("echelles", "echelle")):
        options[name] = sorted(v for v in ateliers[column].dropna().unique() if v)
    for name in ("themes", "familles", "departements", "regions"):
        options[name] = sorted({v for values in ateliers[name] for v in values})
    return options
