"""The basemap, drawn whatever the register: départements, régions' borders and DROM insets.

Départements are drawn from the référentiel (coverage-simplified), the régions as one mesh of
their shared borders; no tiles unless the user asks for « Plan IGN ». The overseas
départements are drawn in square insets west of Brittany (a Mercator similarity each).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon

from atelierflash import palette
from atelierflash.carte.encoding import encode_geometries, encode_lines

BASEMAP_TOLERANCE = 0.01
BASEMAP_FACTOR = 1_000
DROM = ("971", "972", "973", "974", "976")
#: Metropolitan France with the column of insets on its west (south, west, north, east).
INSET_COLUMN = (41.5, -9.0, 51.0)  # south, west, north: boxes are squares on screen
INSET_GAP = 0.35  # in Mercator degrees
NATIONAL_BOUNDS = ((41.3, -9.2), (51.15, 9.7))

_R2D = 180.0 / math.pi


def merc_y(lat: float | np.ndarray) -> float | np.ndarray:
    """Web Mercator ordinate in « degrees » (same unit as longitude on screen)."""
    return _R2D * np.log(np.tan(np.pi / 4 + np.asarray(lat) / _R2D / 2))


def inv_merc_y(y: float | np.ndarray) -> float | np.ndarray:
    """Inverse of :func:`merc_y`."""
    return _R2D * (2 * np.arctan(np.exp(np.asarray(y) / _R2D)) - np.pi / 2)


@dataclass(frozen=True)
class Inset:
    """An overseas département drawn in a box near the mainland (a Mercator similarity).

    Attributes
    ----------
    code, nom : str
    bounds : tuple
        True extent ``(south, west, north, east)``, where a click on the inset zooms.
    box : tuple
        The inset's frame ``(south, west, north, east)`` near the mainland.
    x0, y0 : float
        Centre of the true extent (longitude, Mercator ordinate).
    cx, cy : float
        Centre of the frame (longitude, Mercator ordinate).
    k : float
        Scale from true to inset (Mercator units).
    """

    code: str
    nom: str
    bounds: tuple[float, float, float, float]
    box: tuple[float, float, float, float]
    x0: float
    y0: float
    cx: float
    cy: float
    k: float

    def project(self, lon: float | np.ndarray, lat: float | np.ndarray) -> tuple:
        """Inset position of true coordinates."""
        x = self.cx + (np.asarray(lon) - self.x0) * self.k
        y = inv_merc_y(self.cy + (merc_y(lat) - self.y0) * self.k)
        return x, y

    def as_payload(self) -> dict:
        """The inset as ``carte.js`` reads it: frame, true extent and the similarity ``t``."""
        s, w, n, e = self.box
        bs, bw, bn, be = self.bounds
        return {
            "code": self.code,
            "nom": self.nom,
            "box": [[round(s, 4), round(w, 4)], [round(n, 4), round(e, 4)]],
            "bounds": [[round(bs, 4), round(bw, 4)], [round(bn, 4), round(be, 4)]],
            "t": [round(v, 6) for v in (self.x0, self.y0, self.cx, self.cy, self.k)],
        }


def inset_layout(departements: pd.DataFrame, margin: float = 0.12) -> tuple[Inset, ...]:
    """Square frames stacked west of Brittany, one per DROM present, in INSEE order.

    Parameters
    ----------
    departements : geopandas.GeoDataFrame
        ``Referentiel.departements`` (``code``, ``nom``, ``geometry``).
    margin : float
        Share of the frame left empty around the territory.
    """
    present = [c for c in DROM if c in set(departements["code"])]
    if not present:
        return ()
    south, west, north = INSET_COLUMN
    y_south, y_north = float(merc_y(south)), float(merc_y(north))
    size = (y_north - y_south - INSET_GAP * (len(DROM) - 1)) / len(DROM)
    insets = []
    by_code = departements.set_index("code")
    for slot, code in enumerate(present):
        geom = by_code.loc[code, "geometry"]
        if geom is None or shapely.is_empty(geom):
            continue
        minx, miny, maxx, maxy = shapely.bounds(geom)
        ys, yn = float(merc_y(miny)), float(merc_y(maxy))
        top = y_north - slot * (size + INSET_GAP)
        box_y = (top - size, top)
        box_x = (west, west + size)
        k = (1 - 2 * margin) * size / max(maxx - minx, yn - ys, 1e-9)
        insets.append(
            Inset(
                code=code,
                nom=str(by_code.loc[code, "nom"]),
                bounds=(float(miny), float(minx), float(maxy), float(maxx)),
                box=(
                    float(inv_merc_y(box_y[0])),
                    box_x[0],
                    float(inv_merc_y(box_y[1])),
                    box_x[1],
                ),
                x0=(minx + maxx) / 2,
                y0=(ys + yn) / 2,
                cx=(box_x[0] + box_x[1]) / 2,
                cy=(box_y[0] + box_y[1]) / 2,
                k=k,
            )
        )
    return tuple(insets)


@dataclass(frozen=True)
class Basemap:
    """Everything the map draws whatever the register: départements, régions, insets.

    ``payload`` is the JSON-ready data of ``AF.basemap`` in ``static/carte/carte.js``.
    """

    payload: dict
    insets: tuple[Inset, ...]
    departement_names: dict[str, str]
    departement_points: dict[str, tuple[float, float]]  # lat, lon of a point inside


def _polygons(geoms: Iterable[object]) -> list[Polygon]:
    parts = shapely.get_parts(np.array([g for g in geoms if g is not None], dtype=object))
    return [p for p in parts if p.geom_type == "Polygon" and not p.is_empty]


def prepare_basemap(referentiel) -> Basemap:
    """Simplify and encode the départements and the régions' borders once per référentiel."""
    deps = referentiel.departements.sort_values("code").reset_index(drop=True)
    geoms = deps.geometry.to_numpy()
    valid = np.array([g is not None and not shapely.is_empty(g) for g in geoms], dtype=bool)
    simplified = np.full(len(geoms), None, dtype=object)
    if valid.any():
        simplified[valid] = shapely.coverage_simplify(geoms[valid], BASEMAP_TOLERANCE)
    encoded = encode_geometries(simplified, BASEMAP_FACTOR)
    points = shapely.point_on_surface(np.where(valid, geoms, shapely.Point(0, 0)))
    dep_rows, dep_points = [], {}
    for code, nom, text, point, ok in zip(
        deps["code"], deps["nom"], encoded, points, valid, strict=True
    ):
        if not ok:
            continue
        lat, lon = round(point.y, 4), round(point.x, 4)
        dep_points[str(code)] = (lat, lon)
        dep_rows.append([str(code), str(nom), text, lat, lon])
    regions_mesh = ""
    if valid.any():
        by_region: dict[str, list] = {}
        for region, geom in zip(deps["region"], simplified, strict=True):
            if geom is not None:
                by_region.setdefault(str(region), []).append(geom)
        region_geoms = [shapely.coverage_union_all(parts) for parts in by_region.values()]
        metro = [g for g, r in zip(region_geoms, by_region, strict=True) if not r.startswith("0")]
        regions_mesh = encode_lines(shapely.MultiPolygon(_polygons(metro)), BASEMAP_FACTOR)
    insets = inset_layout(deps)
    payload = {
        "factor": BASEMAP_FACTOR,
        "deps": dep_rows,
        "regions": regions_mesh,
        "insets": [i.as_payload() for i in insets],
        "view": [list(NATIONAL_BOUNDS[0]), list(NATIONAL_BOUNDS[1])],
        "colours": {
            "sea": palette.SEA,
            "land": palette.LAND,
            "dep": palette.DEPARTEMENT_BORDER,
            "region": palette.REGION_BORDER,
        },
    }
    return Basemap(
        payload=payload,
        insets=insets,
        departement_names=dict(zip(deps["code"].astype(str), deps["nom"].astype(str), strict=True)),
        departement_points=dep_points,
    )
