"""Styling by dimension: the legend's categories and the colour of each atelier.

Order and colours depend on the dataset only (never on the filters), so a filter never
repaints a category. Colours come from :mod:`atelierflash.palette`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from atelierflash import palette

DIMENSIONS = {
    "famille": "Famille de thèmes",
    "annee": "Année de sélection",
    "equipe": "Équipe",
    "statut": "Statut",
}


@dataclass(frozen=True)
class Category:
    """One entry of the legend."""

    key: str
    label: str
    colour: str
    count: int = 0


def _interpolate(start: str, end: str, t: float) -> str:
    a = [int(start[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(end[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))


def atelier_category_keys(ateliers: pd.DataFrame, dimension: str) -> pd.Series:
    """The style key of each atelier for ``dimension`` (``""`` when unknown).

    ``famille`` is the family of the atelier's first theme (its main one): an atelier has one
    colour, the fiche lists every theme.
    """
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension inconnue : « {dimension} » ({', '.join(DIMENSIONS)})")
    if dimension == "famille":
        values = ateliers["familles"].map(lambda f: f[0] if len(f) else "")
    elif dimension == "annee":
        values = ateliers["annee"].map(lambda y: "" if pd.isna(y) else str(int(y)))
    else:
        values = ateliers[dimension].map(lambda v: v if isinstance(v, str) and v else "")
    return values.astype(object)


def categories_for(dataset, ateliers: pd.DataFrame, dimension: str) -> list[Category]:
    """Legend entries of ``dimension`` for the whole dataset, with counts in ``ateliers``.

    The order and colours depend on the dataset only, so a filter never repaints a category.
    """
    programme = dataset.programme
    counts = atelier_category_keys(ateliers, dimension).value_counts().to_dict()
    entries: list[tuple[str, str, str]] = []
    if dimension == "famille":
        for i, key in enumerate(programme.familles.keys()):
            entries.append((key, programme.familles.label_of(key), palette.CATEGORICAL[i]))
        entries.append(("", "Sans thème renseigné", palette.MISSING_COLOUR))
    elif dimension == "equipe":
        for i, key in enumerate(programme.equipes.keys()):
            entries.append((key, programme.equipes.label_of(key), palette.CATEGORICAL[i]))
        entries.append(("", "Équipe non renseignée", palette.MISSING_COLOUR))
    elif dimension == "statut":
        for key in programme.statuts.keys():
            entries.append(
                (
                    key,
                    programme.statuts.label_of(key),
                    palette.STATUT_COLOURS.get(key, palette.MISSING_COLOUR),
                )
            )
        entries.append(("", "Statut non renseigné", palette.MISSING_COLOUR))
    else:
        years = sorted({int(y) for y in dataset.ateliers["annee"].dropna()})
        span = max(len(years) - 1, 1)
        for i, year in enumerate(years):
            entries.append((str(year), str(year), _interpolate(*palette.YEAR_RAMP, i / span)))
        entries.append(("", "Année inconnue", palette.MISSING_COLOUR))
    return [Category(k, label, colour, int(counts.get(k, 0))) for k, label, colour in entries]
