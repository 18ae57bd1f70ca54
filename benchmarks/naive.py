"""The naive baseline: the map a first folium page draws, and the data it needs.

The naive map is what a first folium map does: default ``folium.Map`` (OpenStreetMap tiles,
Leaflet, jQuery, Bootstrap and Font Awesome from CDNs), one ``GeoJson`` of the communes with the
package's unsimplified geometry at full precision and a ``GeoJsonTooltip``, rebuilt entirely on
each interaction and sent with ``st_folium``'s defaults.
"""

from __future__ import annotations

import lzma

import folium
import geopandas as gpd
import pandas as pd

from atelierflash import _geo
from atelierflash.dataset import Dataset


def synthetic_register(referentiel, programme, scale: int = 10, seed: int = 2019) -> pd.DataFrame:
    """``scale`` demonstration registers of consecutive seeds, identifiers made unique."""
    from atelierflash.demo import generate_demo

    frames = []
    for i in range(scale):
        frame = generate_demo(referentiel, programme, seed + i)
        frame["id"] = frame["id"] + f"-S{i:02d}"
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def raw_geometries(codes=None) -> dict[str, object]:
    """The package's own commune geometries (unsimplified, full precision), by INSEE code."""
    from atelierflash.referentiel import source_dir

    with lzma.open(source_dir() / "communes.csv.lzma") as handle:
        frame = pd.read_csv(
            handle,
            dtype=str,
            keep_default_na=False,
            na_values=[r"\N"],
            usecols=["code", "type", "geometry"],
        )
    frame = frame[frame["type"].isin(("COM", "ARM"))]
    if codes is not None:
        frame = frame[frame["code"].isin(set(codes))]
    geoms = _geo.from_hex_wkb(frame["geometry"].to_numpy())
    return dict(zip(frame["code"], geoms, strict=True))


# =============================================================================================
# The naive map
# =============================================================================================
def naive_map(dataset: Dataset, ateliers: pd.DataFrame, raw: dict[str, object]) -> folium.Map:
    """A first folium map: defaults everywhere, full geometry, tooltip fields per commune.

    For the benchmark only: like most folium maps, it puts register text into folium's
    templates unescaped.
    """
    programme = dataset.programme
    links = dataset.atelier_communes
    links = links[links["atelier_id"].isin(set(ateliers["id"]))]
    info = ateliers.set_index("id")
    rows = []
    for code, group in links.groupby("code", sort=False):
        ids = list(group["atelier_id"])
        rows.append(
            {
                "code": code,
                "commune": str(group["nom"].iloc[0]),
                "ateliers": " | ".join(str(info.loc[i, "titre"]) for i in ids),
                "annees": " | ".join(
                    "" if pd.isna(info.loc[i, "annee"]) else str(info.loc[i, "annee"]) for i in ids
                ),
                "themes": " | ".join(
                    "; ".join(programme.themes.label_of(t) for t in info.loc[i, "themes"])
                    for i in ids
                ),
                "geometry": raw.get(code),
            }
        )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    frame = frame[frame.geometry.notna()]
    m = folium.Map(location=[46.6, 2.4], zoom_start=6)
    if len(frame):
        folium.GeoJson(
            frame.to_json(),
            name="Ateliers",
            tooltip=folium.GeoJsonTooltip(["commune", "ateliers", "annees", "themes"]),
        ).add_to(m)
    return m
