"""Key figures of a register: the home page's headline, the official comparison, coverage.

Also the two counting basics every other concern shares: the (atelier, commune) links of a
selection (:func:`selection_links`) and the years of a yearly series (:func:`year_range`).

Every function takes a (possibly filtered) selection of ``Dataset.ateliers`` and, where
communes matter, ``Dataset.atelier_communes``; it returns a plain value or DataFrame whose
columns the figures and the table alternatives share (``atelierflash.tables.COLUMNS`` gives
their French headers). Counting rules, stated once:

- an atelier counts once per theme it cites (a *mention*) and once per family it touches;
- an intercommunal atelier counts once per région, département or population class it
  touches, and each of its communes counts once (a commune shared by ateliers counts once);
- an atelier without a known year counts in totals, never in a yearly series;
- yearly series run over every year from the programme's launch, years without ateliers at 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from atelierflash.dataset import Dataset


@dataclass(frozen=True)
class KeyFigures:
    """Headline figures computed from a register (never typed in)."""

    ateliers: int
    realises: int
    communes: int
    departements: int
    regions: int
    population: int
    montant_total: float
    montant_connu: int  # ateliers whose amount is known
    annee_inconnue: int


def key_figures(ateliers: pd.DataFrame, atelier_communes: pd.DataFrame) -> KeyFigures:
    """Compute the headline figures of a (possibly filtered) selection.

    Parameters
    ----------
    ateliers : pandas.DataFrame
        ``Dataset.ateliers`` or a filtered subset.
    atelier_communes : pandas.DataFrame
        ``Dataset.atelier_communes``; only the links of ``ateliers`` are counted, and a commune
        shared by several ateliers counts once.
    """
    links = atelier_communes[atelier_communes["atelier_id"].isin(ateliers["id"])]
    communes = links.drop_duplicates("code")
    amounts = pd.to_numeric(ateliers["montant_eur"], errors="coerce")
    return KeyFigures(
        ateliers=len(ateliers),
        realises=int((ateliers["statut"] == "realise").sum()),
        communes=len(communes),
        departements=communes["departement"].nunique(),
        regions=communes["region"].nunique(),
        population=int(communes["population"].fillna(0).sum()),
        montant_total=float(amounts.sum()),
        montant_connu=int(amounts.notna().sum()),
        annee_inconnue=int(ateliers["annee"].isna().sum()),
    )


def dataset_key_figures(dataset: Dataset) -> KeyFigures:
    """:func:`key_figures` of a whole dataset."""
    return key_figures(dataset.ateliers, dataset.atelier_communes)


def official_comparison(dataset: Dataset) -> pd.DataFrame:
    """The register's figures beside the official ones, with the gap stated plainly.

    Returns
    -------
    pandas.DataFrame
        Columns ``indicateur``, ``registre``, ``officiel`` (as published, e.g. « plus de 500 »),
        ``ecart`` (register − official value), ``source``, ``date``.
    """
    figures = dataset.programme.figures
    ateliers = dataset.ateliers
    realises = ateliers[ateliers["statut"] == "realise"]
    kf = key_figures(realises, dataset.atelier_communes)
    rows = [
        ("ateliers_realises", "Ateliers réalisés", kf.ateliers),
        ("communes_accompagnees", "Communes accompagnées (ateliers réalisés)", kf.communes),
    ]
    records = []
    for key, label, value in rows:
        fig = figures[key]
        records.append(
            {
                "indicateur": label,
                "registre": value,
                "officiel": fig.display(),
                "ecart": value - fig.value,
                "source": fig.source,
                "date": fig.date,
            }
        )
    return pd.DataFrame(records)


@dataclass(frozen=True)
class CoverageFigures:
    """Key figures of the thematic page, computed from a selection.

    Attributes
    ----------
    ateliers : int
    communes : int
        Distinct communes (a commune of two ateliers counts once).
    population : int
        Sum of the distinct communes' population (unknown populations count 0).
    communes_rurales : int
        Distinct communes under the rural threshold.
    communes_population_connue : int
    part_rurale : float or None
        ``communes_rurales / communes_population_connue``; ``None`` without any commune.
    seuil_rural : int
    sans_annee : int
        Ateliers of the selection without a known year.
    """

    ateliers: int
    communes: int
    population: int
    communes_rurales: int
    communes_population_connue: int
    part_rurale: float | None
    seuil_rural: int
    sans_annee: int


def selection_links(ateliers: pd.DataFrame, atelier_communes: pd.DataFrame) -> pd.DataFrame:
    """The (atelier, commune) links of the ateliers of a selection."""
    return atelier_communes[atelier_communes["atelier_id"].isin(ateliers["id"])]


def coverage_figures(
    ateliers: pd.DataFrame, atelier_communes: pd.DataFrame, rural_threshold: int
) -> CoverageFigures:
    """Ateliers, distinct communes, population covered and the share of rural communes.

    Parameters
    ----------
    ateliers : pandas.DataFrame
        ``Dataset.ateliers`` or a filtered subset.
    atelier_communes : pandas.DataFrame
        ``Dataset.atelier_communes``.
    rural_threshold : int
        A commune under this population is rural (``programme.analyses["seuil_rural"]``).

    Returns
    -------
    CoverageFigures
    """
    communes = selection_links(ateliers, atelier_communes).drop_duplicates("code")
    population = pd.to_numeric(communes["population"], errors="coerce")
    known = population.dropna()
    rural = int((known < rural_threshold).sum())
    return CoverageFigures(
        ateliers=len(ateliers),
        communes=len(communes),
        population=int(known.sum()),
        communes_rurales=rural,
        communes_population_connue=len(known),
        part_rurale=rural / len(known) if len(known) else None,
        seuil_rural=int(rural_threshold),
        sans_annee=int(ateliers["annee"].isna().sum()),
    )


def year_range(ateliers: pd.DataFrame, first_year: int, last_year: int | None) -> list[int]:
    """Every year of a yearly series: from the launch (or an earlier atelier) to the last one.

    Parameters
    ----------
    ateliers : pandas.DataFrame
        A selection of ``Dataset.ateliers`` (``annee``; unknown years are ignored).
    first_year : int
        The programme's launch.
    last_year : int, optional
        A year the series must reach even without ateliers (the current year).
    """
    years = ateliers["annee"].dropna()
    high = int(years.max()) if len(years) else first_year
    if last_year is not None:
        high = max(high, int(last_year))
    low = min(first_year, int(years.min())) if len(years) else first_year
    return list(range(low, high + 1))
