"""Themes: ateliers per family and theme, per échelle, themes per year and themes together.

The counting rules are those of :mod:`atelierflash.analyse.chiffres`; the figures are in
:mod:`atelierflash.analyse.thematiques_figures`.
"""

from __future__ import annotations

import pandas as pd

from atelierflash.analyse.chiffres import year_range
from atelierflash.programme import Programme


def ateliers_by_family(ateliers: pd.DataFrame, programme: Programme) -> pd.DataFrame:
    """Ateliers per theme family, and the theme mentions behind them.

    An atelier counts once in each family it touches, even with two themes of the same family;
    ``mentions`` counts its themes of that family.

    Returns
    -------
    pandas.DataFrame
        One row per family in the programme's order: ``famille`` (key), ``libelle``,
        ``ateliers``, ``mentions``, ``part_ateliers`` (share of the selection's ateliers).
    """
    total = len(ateliers)
    rows = []
    for term in programme.familles.terms:
        in_family = ateliers["themes"].map(
            lambda themes, f=term.key: sum(programme.family_of(t) == f for t in themes)
        )
        count = int((in_family > 0).sum()) if total else 0
        rows.append(
            {
                "famille": term.key,
                "libelle": term.label,
                "ateliers": count,
                "mentions": int(in_family.sum()) if total else 0,
                "part_ateliers": count / total if total else None,
            }
        )
    return pd.DataFrame(rows)


def ateliers_by_theme(ateliers: pd.DataFrame, programme: Programme) -> pd.DataFrame:
    """Theme mentions: the ateliers citing each theme.

    A multi-theme atelier counts in each of its themes, so the column sums to the number of
    mentions, not of ateliers.

    Returns
    -------
    pandas.DataFrame
        One row per theme in the programme's order: ``theme`` (key), ``libelle``, ``famille``,
        ``famille_libelle``, ``ateliers`` (ateliers citing it = its mentions),
        ``part_ateliers`` (share of the selection's ateliers).
    """
    total = len(ateliers)
    counts = _theme_counts(ateliers)
    rows = []
    for term in programme.themes.terms:
        count = counts.get(term.key, 0)
        rows.append(
            {
                "theme": term.key,
                "libelle": term.label,
                "famille": term.family,
                "famille_libelle": programme.familles.label_of(term.family),
                "ateliers": count,
                "part_ateliers": count / total if total else None,
            }
        )
    return pd.DataFrame(rows)


def _theme_counts(ateliers: pd.DataFrame) -> dict[str, int]:
    counts: dict[str, int] = {}
    for themes in ateliers["themes"]:
        for theme in dict.fromkeys(themes):
            counts[theme] = counts.get(theme, 0) + 1
    return counts


def ateliers_without_theme(ateliers: pd.DataFrame) -> int:
    """Ateliers of the selection that cite no theme."""
    return int((ateliers["themes"].map(len) == 0).sum())


def ateliers_by_echelle(ateliers: pd.DataFrame, programme: Programme) -> pd.DataFrame:
    """Ateliers per échelle (each atelier once).

    Returns
    -------
    pandas.DataFrame
        ``echelle`` (key, empty for unknown), ``libelle``, ``ateliers``, ``part_ateliers``; one
        row per échelle of the vocabulary, plus « non renseignée » when some ateliers lack it.
    """
    total = len(ateliers)
    values = ateliers["echelle"].fillna("").astype(str)
    rows = [(t.key, t.label, int((values == t.key).sum())) for t in programme.echelles.terms]
    unknown = int((values == "").sum())
    if unknown:
        rows.append(("", "non renseignée", unknown))
    return pd.DataFrame(
        [
            {"echelle": k, "libelle": label, "ateliers": n, "part_ateliers": _share(n, total)}
            for k, label, n in rows
        ]
    )


def _share(count: int, total: int) -> float | None:
    return count / total if total else None


def theme_year_counts(
    ateliers: pd.DataFrame, programme: Programme, first_year: int | None = None
) -> pd.DataFrame:
    """Theme mentions per year (ateliers citing the theme that year).

    Parameters
    ----------
    first_year : int, optional
        First year of the series (default: the programme's launch year).

    Returns
    -------
    pandas.DataFrame
        Long form, one row per (theme, year): ``theme``, ``libelle``, ``annee`` (int, or
        ``None`` for the ateliers without a known year, present only when there are some),
        ``ateliers``. Every theme and every year from ``first_year`` to the last year appear.
    """
    first_year = first_year or programme.launch_year
    years: list[int | None] = list(year_range(ateliers, first_year, None))
    if ateliers["annee"].isna().any():
        years.append(None)
    counts: dict[tuple[str, int | None], int] = {}
    for year, themes in zip(ateliers["annee"], ateliers["themes"], strict=True):
        key_year = None if pd.isna(year) else int(year)
        for theme in dict.fromkeys(themes):
            counts[(theme, key_year)] = counts.get((theme, key_year), 0) + 1
    rows = [
        {
            "theme": term.key,
            "libelle": term.label,
            "annee": year,
            "ateliers": counts.get((term.key, year), 0),
        }
        for term in programme.themes.terms
        for year in years
    ]
    table = pd.DataFrame(rows, columns=["theme", "libelle", "annee", "ateliers"])
    table["annee"] = table["annee"].astype("Int64")
    return table


def theme_cooccurrence(ateliers: pd.DataFrame, programme: Programme) -> pd.DataFrame:
    """Which themes go together: ateliers citing both themes of each pair.

    Returns
    -------
    pandas.DataFrame
        Square, indexed and labelled by theme keys in the programme's order; the diagonal holds
        the ateliers citing the theme, the rest the ateliers citing both (symmetric).
    """
    keys = programme.themes.keys()
    matrix = pd.DataFrame(0, index=keys, columns=keys, dtype=int)
    for themes in ateliers["themes"]:
        cited = [t for t in dict.fromkeys(themes) if t in matrix.index]
        for a in cited:
            for b in cited:
                matrix.loc[a, b] += 1
    matrix.index.name = "theme"
    return matrix


def theme_pairs(ateliers: pd.DataFrame, programme: Programme) -> pd.DataFrame:
    """The co-occurrence matrix as a list of pairs, most frequent first.

    Returns
    -------
    pandas.DataFrame
        ``theme_a``, ``theme_b`` (labels, in the programme's order), ``ateliers`` citing both;
        only pairs cited together at least once.
    """
    matrix = theme_cooccurrence(ateliers, programme)
    keys = list(matrix.index)
    rows = [
        {
            "theme_a": programme.themes.label_of(a),
            "theme_b": programme.themes.label_of(b),
            "ateliers": int(matrix.loc[a, b]),
        }
        for i, a in enumerate(keys)
        for b in keys[i + 1 :]
        if matrix.loc[a, b] > 0
    ]
    table = pd.DataFrame(rows, columns=["theme_a", "theme_b", "ateliers"])
    return table.sort_values("ateliers", ascending=False, kind="stable").reset_index(drop=True)
