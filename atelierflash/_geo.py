"""Geometry helpers of the référentiel build (arrays of shapely geometries, no pandas).

Everything here works on 1-D ``numpy`` object arrays where a missing geometry is ``None``, so the
callers can keep their rows aligned with the arrays.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pyproj
import shapely

# Lambert-93 for metropolitan France and Corsica; the overseas départements lie outside its
# area of use, so each gets its official local UTM projection (RGAF09, RGFG95, RGR92, RGM04).
METROPOLE_EPSG = 2154
OVERSEAS_EPSG = {"971": 5490, "972": 5490, "973": 2972, "974": 2975, "976": 4471}

_POLYGONAL = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)


@dataclass(frozen=True)
class CoverageStats:
    """What the web simplification of one coverage did, for the cache's meta.json."""

    polygons: int
    vertices_before: int
    vertices_after: int
    repaired: int
    restored: int
    area_change_median: float
    area_change_max: float

    def as_dict(self) -> dict:
        """Plain dict for JSON."""
        return {
            "polygones": self.polygons,
            "sommets_avant": self.vertices_before,
            "sommets_apres": self.vertices_after,
            "reparees": self.repaired,
            "restaurees": self.restored,
            "ecart_surface_median": round(self.area_change_median, 6),
            "ecart_surface_max": round(self.area_change_max, 6),
        }


def from_hex_wkb(values: Sequence[object]) -> np.ndarray:
    """Decode hex (E)WKB cells; missing or empty cells become ``None``."""
    cells = np.asarray(values, dtype=object)
    present = np.array([isinstance(v, str) and v != "" for v in cells], dtype=bool)
    out = np.full(len(cells), None, dtype=object)
    if present.any():
        out[present] = shapely.from_wkb(cells[present])
    return out


def is_polygonal(geoms: np.ndarray) -> np.ndarray:
    """Boolean mask of the non-empty polygons and multipolygons."""
    type_ids = shapely.get_type_id(geoms)
    return np.isin(type_ids, [int(t) for t in _POLYGONAL]) & ~shapely.is_empty(geoms)


def epsg_for_departement(code: str) -> int:
    """The projected CRS in which a département's areas are measured.

    Raises
    ------
    ValueError
        For an overseas code ("97x") this module has no projection for, so a new territory in a
        future data release is noticed instead of being measured in Lambert-93.
    """
    if code in OVERSEAS_EPSG:
        return OVERSEAS_EPSG[code]
    if code.startswith("97"):
        raise ValueError(f"Aucune projection locale connue pour le département d'outre-mer {code}.")
    return METROPOLE_EPSG


def area_km2(geoms: np.ndarray, departements: Sequence[str]) -> np.ndarray:
    """Area in km² of each polygonal geometry, projected by département; NaN otherwise."""
    geoms = np.asarray(geoms, dtype=object)
    epsg = np.array([epsg_for_departement(str(d)) for d in departements])
    out = np.full(len(geoms), np.nan)
    measurable = is_polygonal(geoms)
    for code in np.unique(epsg[measurable]):
        rows = np.flatnonzero(measurable & (epsg == code))
        out[rows] = shapely.area(_project(geoms[rows], int(code))) / 1e6
    return out


def _project(geoms: np.ndarray, epsg: int) -> np.ndarray:
    transformer = pyproj.Transformer.from_crs(4326, epsg, always_xy=True)

    def forward(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, forward)


def union_parts(parts: Iterable[object]) -> object | None:
    """Union of the polygonal parts among ``parts``; ``None`` when there are none."""
    polys = [g for g in parts if g is not None and is_polygonal(np.array([g], dtype=object))[0]]
    if not polys:
        return None
    return shapely.union_all(polys)


def count_vertices(geoms: np.ndarray) -> int:
    """Total number of coordinates (``None`` counts for nothing)."""
    geoms = np.asarray(geoms, dtype=object)
    present = np.array([g is not None for g in geoms], dtype=bool)
    return int(shapely.get_num_coordinates(geoms[present]).sum())


def round_coordinates(geoms: np.ndarray, decimals: int) -> np.ndarray:
    """Round every coordinate; identical shared vertices stay identical after rounding."""
    rounded = shapely.transform(geoms, lambda xy: np.round(xy, decimals))
    return shapely.remove_repeated_points(rounded)


def web_coverage(
    geoms: np.ndarray, tolerance: float, decimals: int
) -> tuple[np.ndarray, CoverageStats]:
    """Clean, simplify and round one polygonal coverage for web maps.

    Parameters
    ----------
    geoms : numpy.ndarray
        Polygons and multipolygons (EPSG:4326) meant to tile a territory without overlapping.
    tolerance : float
        Visvalingam-Whyatt tolerance in degrees of ``shapely.coverage_simplify``.
    decimals : int
        Decimals kept on coordinates.

    Returns
    -------
    tuple of numpy.ndarray and CoverageStats
        The web geometries, aligned with ``geoms``, and what was done.

    Notes
    -----
    The package's communes are not an exact coverage (a few hundred edges overlap by a few
    metres, which would make the simplification produce overlaps), so the coverage is cleaned
    first. Simplifying the whole coverage at once moves a shared border identically on both
    sides, so neighbours keep touching; rounding keeps identical vertices identical. A geometry
    that rounding made invalid is cleaned again together with its neighbours; one that became
    empty gets its unsimplified shape back, on the same grid.
    """
    geoms = np.asarray(geoms, dtype=object)
    if not is_polygonal(geoms).all():
        raise ValueError("La couverture à simplifier ne doit contenir que des polygones.")
    simplified = shapely.coverage_simplify(shapely.coverage_clean(geoms), tolerance)
    web = round_coordinates(simplified, decimals)
    repaired = _repair_rounding(web, decimals)
    lost = ~is_polygonal(web)
    if lost.any():
        web[lost] = _polygonal_part(shapely.set_precision(geoms[lost], 10.0**-decimals))
    change = np.abs(shapely.area(web) / shapely.area(geoms) - 1)
    stats = CoverageStats(
        polygons=len(geoms),
        vertices_before=count_vertices(geoms),
        vertices_after=count_vertices(web),
        repaired=repaired,
        restored=int(lost.sum()),
        area_change_median=float(np.median(change)) if len(change) else 0.0,
        area_change_max=float(change.max()) if len(change) else 0.0,
    )
    return web, stats


def _repair_rounding(web: np.ndarray, decimals: int, rounds: int = 3) -> int:
    """Clean again, in place, the geometries rounding made invalid, with their neighbours.

    Rounding can fold a narrow spike onto itself (one commune in France). Repairing that
    polygon alone would move its borders away from its neighbours' and leave slivers, so the
    small group it belongs to is cleaned as a coverage and rounded again. Returns how many
    geometries were invalid; any still invalid after ``rounds`` passes is snapped alone.
    """
    invalid = np.flatnonzero(~shapely.is_valid(web))
    count = len(invalid)
    for _ in range(rounds):
        if not len(invalid):
            return count
        group = np.union1d(invalid, shapely.STRtree(web).query(web[invalid])[1])
        web[group] = round_coordinates(shapely.coverage_clean(web[group]), decimals)
        invalid = np.flatnonzero(~shapely.is_valid(web))
    if len(invalid):
        web[invalid] = _polygonal_part(shapely.set_precision(web[invalid], 10.0**-decimals))
    return count


def _polygonal_part(geoms: np.ndarray) -> np.ndarray:
    # Precision reduction may leave collapsed lines or points beside the polygon, or nothing.
    out = np.empty(len(geoms), dtype=object)
    for i, geom in enumerate(geoms):
        parts = shapely.get_parts(geom)
        polys = parts[is_polygonal(parts)] if len(parts) else parts
        out[i] = shapely.union_all(polys) if len(polys) else shapely.Polygon()
    return out


def dissolve(geoms: np.ndarray, keys: Sequence[str]) -> tuple[dict[str, object], list[str]]:
    """Union of the coverage's geometries sharing a key, e.g. communes into départements.

    Returns
    -------
    tuple of dict and list
        The union per key, and the keys whose parts were not exactly noded.

    Notes
    -----
    The fast coverage union only merges shared edges, so it cannot create slivers, but it
    refuses parts whose borders do not match vertex for vertex (a repaired geometry, see
    :func:`web_coverage`); those groups go through the general, robust union instead.
    """
    geoms = np.asarray(geoms, dtype=object)
    keys = np.asarray(keys, dtype=object)
    out: dict[str, object] = {}
    overlaid: list[str] = []
    for key in sorted(set(keys.tolist())):
        group = geoms[keys == key]
        try:
            out[key] = shapely.coverage_union_all(group)
        except shapely.errors.GEOSException:
            out[key] = shapely.union_all(group)
            overlaid.append(key)
    return out, overlaid


def point_inside(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude of a point on each geometry's surface; NaN where missing."""
    geoms = np.asarray(geoms, dtype=object)
    lon = np.full(len(geoms), np.nan)
    lat = np.full(len(geoms), np.nan)
    present = np.array([g is not None and not g.is_empty for g in geoms], dtype=bool)
    if present.any():
        points = shapely.point_on_surface(geoms[present])
        lon[present] = shapely.get_x(points)
        lat[present] = shapely.get_y(points)
    return lon, lat
