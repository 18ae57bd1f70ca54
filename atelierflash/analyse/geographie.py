"""Geography: ateliers and communes per région, département and size of commune; the spread.

The counting rules are those of :mod:`atelierflash.analyse.chiffres`; the figures are in
:mod:`atelierflash.analyse.geographie_figures`.
"""

from __future__ import annotations

import bisect
import itertools

import pandas as pd

from atelierflash.analyse.chiffres import selection_links, year_range
from atelierflash.analyse.selection import is_selected
from atelierflash.formats import fmt_int
from atelierflash.programme import Programme


def ateliers_by_region(
    ateliers: pd.DataFrame, atelier_communes: pd.DataFrame, regions: pd.DataFrame
) -> pd.DataFrame:
    """Ateliers and distinct communes per région.

    An atelier whose communes lie in two régions counts once in each; a commune counts once.

    Parameters
    ----------
    ateliers, atelier_communes : pandas.DataFrame
    regions : pandas.DataFrame
        ``Referentiel.regions`` (``code``, ``nom``).

    Returns
    -------
    pandas.DataFrame
        ``region``, ``nom``, ``ateliers``, ``communes``, ``population`` (distinct communes),
        sorted by ateliers then name; only régions reached.
    """
    names = dict(zip(regions["code"], regions["nom"], strict=True))
    table = _by_area(ateliers, atelier_communes, "region")
    table.insert(1, "nom", table["region"].map(lambda c: names.get(c, c)))
    return _sort_counts(table)


def ateliers_by_departement(
    ateliers: pd.DataFrame,
    atelier_communes: pd.DataFrame,
    departements: pd.DataFrame,
    regions: pd.DataFrame,
) -> pd.DataFrame:
    """Ateliers and distinct communes per département (same rules as the régions).

    Returns
    -------
    pandas.DataFrame
        ``departement``, ``nom``, ``region_nom``, ``ateliers``, ``communes``, ``population``.
    """
    dep_names = dict(zip(departements["code"], departements["nom"], strict=True))
    dep_regions = dict(zip(departements["code"], departements["region"], strict=True))
    reg_names = dict(zip(regions["code"], regions["nom"], strict=True))
    table = _by_area(ateliers, atelier_communes, "departement")
    table.insert(1, "nom", table["departement"].map(lambda c: dep_names.get(c, c)))
    table.insert(
        2,
        "region_nom",
        table["departement"].map(lambda c: reg_names.get(dep_regions.get(c), "")),
    )
    return _sort_counts(table)


def _by_area(ateliers: pd.DataFrame, atelier_communes: pd.DataFrame, column: str) -> pd.DataFrame:
    links = selection_links(ateliers, atelier_communes).dropna(subset=[column])
    if links.empty:
        return pd.DataFrame(
            {column: pd.Series(dtype=str), "ateliers": [], "communes": [], "population": []}
        ).astype({"ateliers": int, "communes": int, "population": int})
    grouped = links.groupby(column)
    distinct = links.drop_duplicates("code").groupby(column)
    table = pd.DataFrame(
        {
            "ateliers": grouped["atelier_id"].nunique(),
            "communes": grouped["code"].nunique(),
            "population": pd.to_numeric(distinct["population"].sum(min_count=1), errors="coerce")
            .fillna(0)
            .astype(int),
        }
    )
    return table.rename_axis(column).reset_index()


def _sort_counts(table: pd.DataFrame) -> pd.DataFrame:
    return table.sort_values(["ateliers", "communes", "nom"], ascending=[False, False, True])[
        list(table.columns)
    ].reset_index(drop=True)


def population_class_labels(bounds: list[int] | tuple[int, ...]) -> list[str]:
    """French labels of the classes cut at ``bounds`` (``[2000, 10000, 50000]``).

    Returns
    -------
    list of str
        ``["moins de 2 000 hab.", "2 000 à 9 999 hab.", "10 000 à 49 999 hab.",
        "50 000 hab. et plus"]``: a class includes its lower bound.
    """
    bounds = sorted(int(b) for b in bounds)
    if not bounds:
        return ["toutes tailles"]
    labels = [f"moins de {fmt_int(bounds[0])} hab."]
    for low, high in itertools.pairwise(bounds):
        labels.append(f"{fmt_int(low)} à {fmt_int(high - 1)} hab.")
    labels.append(f"{fmt_int(bounds[-1])} hab. et plus")
    return labels


def population_class(population, bounds: list[int] | tuple[int, ...]) -> int | None:
    """Index of the class of ``population`` (``None`` when unknown)."""
    if population is None or pd.isna(population):
        return None
    return bisect.bisect_right(sorted(int(b) for b in bounds), int(population))


def ateliers_by_population_class(
    ateliers: pd.DataFrame, atelier_communes: pd.DataFrame, bounds: list[int] | tuple[int, ...]
) -> pd.DataFrame:
    """Distinct communes and ateliers per size of commune.

    Each commune counts once in its class; an atelier counts once in each class one of its
    communes falls into (an intercommunal atelier can touch two classes).

    Parameters
    ----------
    bounds : list of int
        Class bounds (``programme.analyses["classes_population"]``).

    Returns
    -------
    pandas.DataFrame
        ``classe`` (0, 1, …; -1 for unknown population), ``libelle``, ``communes``,
        ``ateliers``, ``population``; every class, empty ones at 0; the unknown class only when
        needed.
    """
    labels = population_class_labels(bounds)
    links = selection_links(ateliers, atelier_communes).copy()
    links["classe"] = links["population"].map(lambda p: population_class(p, bounds))
    links["classe"] = links["classe"].fillna(-1).astype(int)
    rows = []
    classes = list(range(len(labels)))
    if (links["classe"] == -1).any():
        classes.append(-1)
    for index in classes:
        part = links[links["classe"] == index]
        distinct = part.drop_duplicates("code")
        rows.append(
            {
                "classe": index,
                "libelle": labels[index] if index >= 0 else "population inconnue",
                "communes": len(distinct),
                "ateliers": part["atelier_id"].nunique(),
                "population": int(pd.to_numeric(distinct["population"]).fillna(0).sum()),
            }
        )
    return pd.DataFrame(rows)


def geographic_spread(
    ateliers: pd.DataFrame,
    atelier_communes: pd.DataFrame,
    first_year: int,
    last_year: int | None = None,
    referentiel=None,
    programme: Programme | None = None,
) -> pd.DataFrame:
    """Régions, départements and communes reached per year by the selected ateliers.

    Selected: the statuts of ``[statuts] selectionnes`` in ``programme`` (default: the
    project's ``data/programme.toml``).

    « Nouveaux » are those no selected atelier of an earlier year had reached. Ateliers
    without a known year are left out.

    Returns
    -------
    pandas.DataFrame
        ``annee``, ``ateliers`` (selected), ``regions``, ``nouvelles_regions``,
        ``departements``, ``nouveaux_departements``, ``communes``, ``nouvelles_communes``,
        ``regions_cumul``, ``departements_cumul``, ``liste_nouvelles_regions`` and
        ``liste_nouveaux_departements`` (names when ``referentiel`` is given, else codes;
        comma-separated).
    """
    reg_names: dict = {}
    dep_names: dict = {}
    if referentiel is not None:
        reg_names = dict(zip(referentiel.regions["code"], referentiel.regions["nom"], strict=True))
        dep_names = {
            code: f"{code} – {nom}"
            for code, nom in zip(
                referentiel.departements["code"], referentiel.departements["nom"], strict=True
            )
        }
    selected = ateliers[is_selected(ateliers, programme) & ateliers["annee"].notna()]
    links = selection_links(selected, atelier_communes).merge(
        selected[["id", "annee"]], left_on="atelier_id", right_on="id"
    )
    seen: dict[str, set] = {"region": set(), "departement": set(), "code": set()}
    rows = []
    for year in year_range(ateliers, first_year, last_year):
        of_year = links[links["annee"] == year]
        row: dict = {"annee": year, "ateliers": int((selected["annee"] == year).sum())}
        new: dict[str, list] = {}
        for column, total, fresh in (
            ("region", "regions", "nouvelles_regions"),
            ("departement", "departements", "nouveaux_departements"),
            ("code", "communes", "nouvelles_communes"),
        ):
            reached = set(of_year[column].dropna())
            new[column] = sorted(reached - seen[column])
            seen[column] |= reached
            row[total] = len(reached)
            row[fresh] = len(new[column])
        row["regions_cumul"] = len(seen["region"])
        row["departements_cumul"] = len(seen["departement"])
        row["liste_nouvelles_regions"] = ", ".join(reg_names.get(c, c) for c in new["region"])
        row["liste_nouveaux_departements"] = ", ".join(
            dep_names.get(c, c) for c in new["departement"]
        )
        rows.append(row)
    return pd.DataFrame(rows)
