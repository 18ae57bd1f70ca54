"""Aggregations of a dataset for pages and charts (no Streamlit)."""

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
