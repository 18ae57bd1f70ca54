"""The map of the ateliers: a folium map with our own basemap, compact layers and no CDN.

Nothing here imports Streamlit. The page gets a :class:`CarteBuild` from :func:`build_map` and
hands its ``map`` and ``layers`` to ``streamlit_folium.st_folium`` (``feature_group_to_add``),
so a filter or style change only replaces the layers: the base map (Leaflet, basemap, DROM
insets) stays mounted in the browser and pan or zoom never reruns the app.

How the map stays small and private:

- **Assets from the app's origin.** Leaflet 1.9.4 comes from the installed PyPI package
  ``django-js-lib-leaflet`` (copied into ``static/leaflet`` by :func:`install_static_assets`) and
  the map's own code from ``static/carte``; Streamlit serves both (``server.enableStaticServing``).
  folium's default jQuery, Bootstrap and Font Awesome are dropped: the map uses none of them.
- **Our own basemap.** Départements are drawn from the référentiel (coverage-simplified), the
  régions as one mesh of their shared borders; no tiles unless the user asks for « Plan IGN ».
- **Compact geometry.** Rings are quantised and written with the polyline algorithm (a few
  bytes per vertex instead of about thirty in GeoJSON); the JavaScript decodes them. Commune
  attributes travel as columns (codes, names, one character per style class), atelier texts
  once per atelier. A level of detail is chosen per selection so that the layers stay under
  :data:`LAYER_BUDGET`; a selection too large even at the coarsest level is shown per
  département instead, with a message.
- **Safe text.** Register values are sent as JSON strings (``<``, ``>``, ``&`` escaped as
  ``\\u003c``…) and the JavaScript escapes them before any tooltip; the side panel is built by
  :func:`fiche_html` with every value escaped.
"""

from __future__ import annotations

import html
import importlib.util
import json
import math
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import folium
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template
from shapely.geometry import Polygon

from atelierflash.formats import fmt_date, fmt_int, fmt_month

# ---------------------------------------------------------------------------------------------
# Colours: DSFR « couleurs illustratives » (same families and order as the analytics charts)
# ---------------------------------------------------------------------------------------------
BLEU_FRANCE = "#000091"
GRIS_200 = "#3a3a3a"
GRIS_625 = "#929292"
GRIS_925 = "#e5e5e5"
SEA = "#eef2f8"
LAND = "#ffffff"
CATEGORICAL = ("#417dc4", "#e4794a", "#6e445a", "#aea397", "#2f4077", "#009081", "#c8aa39")
MISSING_COLOUR = GRIS_625
#: Years: a lightness ramp from « bleu cumulus 850 » to « bleu France ».
YEAR_RAMP = ("#b6cffb", "#000091")
STATUT_COLOURS = {
    "candidature": "#dee5fd",
    "eligible": "#bfccfb",
    "selectionne": "#b6cffb",
    "en_cours": "#417dc4",
    "realise": "#2f4077",
    "abandonne": "#aea397",
}
#: Choropleth of the département overview (0 stays white).
COUNT_RAMP = ("#bfccfb", "#417dc4", "#465f9d", "#2f4077", "#000091")

DIMENSIONS = {
    "famille": "Famille de thèmes",
    "annee": "Année de sélection",
    "equipe": "Équipe",
    "statut": "Statut",
}
VIEWS = {
    "communes": "Communes des ateliers",
    "departements": "Départements (aplats)",
    "cercles": "Départements (cercles proportionnels)",
}

# ---------------------------------------------------------------------------------------------
# Assets served by the app (never a CDN)
# ---------------------------------------------------------------------------------------------
LEAFLET_PACKAGE = "js_lib_leaflet"  # from django-js-lib-leaflet (Leaflet 1.9.4)
LEAFLET_FILES = ("leaflet.js", "leaflet.css")
#: URL of ``static/`` seen from streamlit-folium's iframe (``<base>/component/<name>/``):
#: relative, so the map also works under a ``server.baseUrlPath``.
STATIC_URL = "../../app/static"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

# ---------------------------------------------------------------------------------------------
# Sizes
# ---------------------------------------------------------------------------------------------
#: Largest JSON payload of the atelier layer (UTF-8 bytes) before a coarser level of detail:
#: with the basemap (about 65 KB) the map stays under 400 KB.
LAYER_BUDGET = 320_000
#: Basemap: départements simplified as one coverage, quantised to 1e-3° (about 100 m).
BASEMAP_TOLERANCE = 0.01
BASEMAP_FACTOR = 1_000
DROM = ("971", "972", "973", "974", "976")
#: Metropolitan France with the column of insets on its west (south, west, north, east).
INSET_COLUMN = (41.5, -9.0, 51.0)  # south, west, north: boxes are squares on screen
INSET_GAP = 0.35  # in Mercator degrees
NATIONAL_BOUNDS = ((41.3, -9.2), (51.15, 9.7))

_R2D = 180.0 / math.pi
_INSEE = re.compile(r"\((\d[\dAB]\d{3})\)")
_DEPARTEMENT = re.compile(r"\((\d{2}|2[AB]|97\d)\)")


@dataclass(frozen=True)
class Level:
    """A level of detail of the commune polygons."""

    factor: int  # coordinates are rounded to 1/factor degree
    tolerance: float  # extra coverage simplification (0: the référentiel's web geometry)
    label: str


LEVELS = (
    Level(10_000, 0.0, "contours fins (1e-4°)"),
    Level(1_000, 0.0, "contours arrondis à 1e-3°"),
    Level(1_000, 0.005, "contours simplifiés"),
    Level(1_000, 0.01, "contours très simplifiés"),
)


# =============================================================================================
# Static assets
# =============================================================================================
def leaflet_source_dir() -> Path:
    """Folder of Leaflet's files in the installed ``django-js-lib-leaflet`` package.

    The package is located, never imported (its app module needs Django).

    Raises
    ------
    FileNotFoundError
        When the package is missing (French message).
    """
    spec = importlib.util.find_spec(LEAFLET_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise FileNotFoundError(
            "Le paquet django-js-lib-leaflet n'est pas installé : pip install -r requirements.txt."
        )
    folder = Path(locations[0]) / "static" / LEAFLET_PACKAGE
    missing = [name for name in LEAFLET_FILES if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(f"Fichiers Leaflet absents de {folder} : {', '.join(missing)}.")
    return folder


def install_static_assets(static_dir: Path | None = None) -> Path:
    """Copy Leaflet's files into ``static/leaflet`` when missing or different.

    Parameters
    ----------
    static_dir : pathlib.Path, optional
        The app's ``static`` folder (default: next to ``app.py``).

    Returns
    -------
    pathlib.Path
        The ``leaflet`` folder inside ``static_dir``.
    """
    static_dir = Path(static_dir or STATIC_DIR)
    source = leaflet_source_dir()
    target = static_dir / "leaflet"
    (target / "images").mkdir(parents=True, exist_ok=True)
    wanted = [*LEAFLET_FILES, *(f"images/{p.name}" for p in (source / "images").glob("*.png"))]
    for name in wanted:
        src, dst = source / name, target / name
        if not dst.is_file() or dst.read_bytes() != src.read_bytes():
            tmp = dst.with_suffix(dst.suffix + ".tmp")
            shutil.copyfile(src, tmp)
            tmp.replace(dst)
    return target


def asset_links(prefix: str = STATIC_URL) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The (name, url) of the scripts and style sheets the map loads, all from the app."""
    js = [
        ("leaflet", f"{prefix}/leaflet/leaflet.js"),
        ("atelierflash_carte", f"{prefix}/carte/carte.js"),
    ]
    css = [
        ("leaflet_css", f"{prefix}/leaflet/leaflet.css"),
        ("atelierflash_carte_css", f"{prefix}/carte/carte.css"),
    ]
    return js, css


# =============================================================================================
# Compact geometry: quantised rings written with the polyline algorithm
# =============================================================================================
def _zigzag_chars(values: np.ndarray) -> tuple[bytes, np.ndarray]:
    """Varint characters (5 bits each, offset 63) of signed ints, and their count per value."""
    v = np.asarray(values, dtype=np.int64)
    z = (v << 1) ^ (v >> 63)
    counts = np.ones(len(z), dtype=np.int64)
    for k in range(1, 13):
        counts += z >= (1 << (5 * k))
    width = int(counts.max()) if len(counts) else 1
    ks = np.arange(width)
    chunks = (z[:, None] >> (5 * ks[None, :])) & 0x1F
    more = ks[None, :] < (counts[:, None] - 1)
    chars = (chunks | (more * 0x20)) + 63
    mask = ks[None, :] < counts[:, None]
    return chars[mask].astype(np.uint8).tobytes(), counts


def encode_ints(values: Sequence[int]) -> str:
    """Delta-encode a sequence of ints (e.g. sorted indexes) as polyline characters."""
    out: list[str] = []
    previous = 0
    for value in values:
        delta = int(value) - previous
        previous = int(value)
        z = delta * 2 if delta >= 0 else -delta * 2 - 1
        while z >= 0x20:
            out.append(chr((0x20 | (z & 0x1F)) + 63))
            z >>= 5
        out.append(chr(z + 63))
    return "".join(out)


def decode_ints(text: str) -> list[int]:
    """Inverse of :func:`encode_ints`."""
    values, total = [], 0
    for delta in _read_varints(text):
        total += delta
        values.append(total)
    return values


def _read_varints(text: str) -> Iterable[int]:
    result = shift = 0
    for char in text:
        b = ord(char) - 63
        result |= (b & 0x1F) << shift
        shift += 5
        if b < 0x20:
            yield ~(result >> 1) if result & 1 else result >> 1
            result = shift = 0


def encode_paths(paths: Sequence[np.ndarray], factor: int) -> list[str]:
    """Encode lon/lat paths as polyline strings of (lat, lon) at ``1/factor`` degree.

    Parameters
    ----------
    paths : sequence of (n, 2) arrays
        Longitude, latitude pairs.
    factor : int
        Quantisation: 10 000 keeps 1e-4° (about 10 m).

    Returns
    -------
    list of str
        One string per path; each restarts its deltas from zero. Characters are in ``?``…``~``.
    """
    if not len(paths):
        return []
    lengths = np.array([len(p) for p in paths], dtype=np.int64)
    if not lengths.sum():
        return ["" for _ in paths]
    coords = np.concatenate([np.asarray(p, dtype=float).reshape(-1, 2) for p in paths])
    return _encode_flat(coords, lengths, factor)


def _encode_flat(coords: np.ndarray, lengths: np.ndarray, factor: int) -> list[str]:
    """:func:`encode_paths` on paths stored end to end (``lengths`` points each)."""
    quantised = np.round(coords[:, ::-1] * factor).astype(np.int64)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    deltas = np.diff(quantised, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    nonempty = lengths > 0
    deltas[starts[nonempty]] = quantised[starts[nonempty]]
    data, counts = _zigzag_chars(deltas.ravel())
    per_point = counts.reshape(-1, 2).sum(axis=1)
    offsets = np.concatenate([[0], np.cumsum(per_point)])
    text = data.decode("ascii")
    return [text[offsets[a] : offsets[b]] for a, b in zip(starts, ends, strict=True)]


def decode_path(text: str, factor: int) -> np.ndarray:
    """Inverse of :func:`encode_paths` for one path: an (n, 2) array of lon, lat."""
    values = list(_read_varints(text))
    pairs = np.cumsum(np.array(values, dtype=np.int64).reshape(-1, 2), axis=0)
    return pairs[:, ::-1] / factor if len(pairs) else np.zeros((0, 2))


def decode_geometry(text: str, factor: int) -> list[list[np.ndarray]]:
    """Polygons (``;``) of rings (``,``) of an encoded geometry, as lon/lat arrays."""
    return [[decode_path(r, factor) for r in poly.split(",")] for poly in text.split(";") if poly]


def encode_geometries(geoms: Sequence[object], factor: int) -> list[str]:
    """One string per (multi)polygon: polygons joined by ``;``, their rings by ``,``.

    Rings lose their closing point and the points that rounding makes identical; a ring left
    with fewer than three points is dropped (with its holes when it is an exterior). A missing
    or empty geometry gives an empty string.
    """
    geoms = np.asarray(geoms, dtype=object)
    out = ["" for _ in range(len(geoms))]
    present = np.flatnonzero(
        np.array([g is not None for g in geoms], dtype=bool) & ~shapely.is_empty(geoms)
    )
    if not len(present):
        return out
    parts, part_owner = shapely.get_parts(geoms[present], return_index=True)
    polygonal = shapely.get_type_id(parts) == int(shapely.GeometryType.POLYGON)
    parts, part_owner = parts[polygonal], part_owner[polygonal]
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    # Drop each ring's closing point and the points that rounding merges with the previous one.
    quantised = np.round(coords * factor)
    same_ring = np.zeros(len(coords), dtype=bool)
    same_ring[1:] = coord_ring[1:] == coord_ring[:-1]
    repeated = np.zeros(len(coords), dtype=bool)
    repeated[1:] = np.all(quantised[1:] == quantised[:-1], axis=1)
    last = np.ones(len(coords), dtype=bool)
    last[:-1] = coord_ring[1:] != coord_ring[:-1]
    keep = ~(same_ring & repeated) & ~last
    lengths = np.bincount(coord_ring[keep], minlength=len(rings)).astype(np.int64)
    strings = _encode_flat(coords[keep], lengths, factor)
    kept = lengths
    polygons: dict[int, list[str]] = {}
    owner_of_part: dict[int, int] = {}
    for ring_index, (count, text) in enumerate(zip(kept.tolist(), strings, strict=True)):
        part = int(ring_part[ring_index])
        is_exterior = part not in polygons
        if is_exterior:
            polygons[part] = []
            owner_of_part[part] = int(part_owner[part])
        if count < 3:
            if is_exterior:
                polygons[part] = None  # the exterior collapsed: drop the polygon
            continue
        if polygons[part] is not None:
            polygons[part].append(text)
    by_geom: dict[int, list[str]] = {}
    for part, ring_texts in polygons.items():
        if ring_texts:
            by_geom.setdefault(owner_of_part[part], []).append(",".join(ring_texts))
    for local, texts in by_geom.items():
        out[int(present[local])] = ";".join(texts)
    return out


def encode_lines(geom: object, factor: int) -> str:
    """The boundaries of the polygons in ``geom``, each shared edge once, joined by ``;``."""
    if geom is None or shapely.is_empty(geom):
        return ""
    polygons = shapely.get_parts(geom)
    edges = shapely.union_all(shapely.boundary(polygons))
    lines = shapely.get_parts(shapely.line_merge(edges))
    lines = lines[shapely.get_type_id(lines) == int(shapely.GeometryType.LINESTRING)]
    paths = []
    for line in lines:
        coords = np.asarray(line.coords)
        q = np.round(coords * factor)
        keep = np.ones(len(q), dtype=bool)
        keep[1:] = np.any(np.diff(q, axis=0) != 0, axis=1)
        if keep.sum() >= 2:
            paths.append(coords[keep])
    return ";".join(encode_paths(paths, factor))


def js_json(value: object) -> str:
    """JSON for a ``<script>``: compact, and ``<``, ``>``, ``&``, U+2028/9 escaped in strings."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text


# =============================================================================================
# DROM insets
# =============================================================================================
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


# =============================================================================================
# Basemap (per référentiel)
# =============================================================================================
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
        "colours": {"sea": SEA, "land": LAND, "dep": "#cecece", "region": GRIS_625},
    }
    return Basemap(
        payload=payload,
        insets=insets,
        departement_names=dict(zip(deps["code"].astype(str), deps["nom"].astype(str), strict=True)),
        departement_points=dep_points,
    )


# =============================================================================================
# Prepared communes (per dataset)
# =============================================================================================
@dataclass(frozen=True)
class PreparedCommunes:
    """The dataset's communes, ready to be encoded at each level of detail.

    Built once per dataset and cached by the page. Each level of :data:`LEVELS` (simplified
    as one coverage, then encoded) and each intercommunal outline is computed the first time a
    selection needs it and kept, so a filter change only selects and concatenates strings.

    Attributes
    ----------
    codes, noms : numpy.ndarray
        INSEE code and official name of each commune of the dataset.
    lat, lon : numpy.ndarray
        A point inside each commune.
    index : dict
        INSEE code → row.
    members : dict
        Atelier id → rows of its communes (in the register's order).
    geometries : numpy.ndarray
        The référentiel's web geometry of each commune.
    """

    codes: np.ndarray
    noms: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    index: dict[str, int]
    members: dict[str, np.ndarray]
    geometries: np.ndarray
    polygonal: np.ndarray
    _simplified: dict = field(default_factory=dict, repr=False, compare=False)
    _levels: dict = field(default_factory=dict, repr=False, compare=False)
    _outlines: dict = field(default_factory=dict, repr=False, compare=False)

    def simplified(self, tolerance: float) -> np.ndarray:
        """The geometries simplified as one coverage (shared borders stay shared)."""
        if tolerance not in self._simplified:
            geoms = self.geometries.copy()
            if tolerance and self.polygonal.any():
                geoms[self.polygonal] = shapely.coverage_simplify(
                    self.geometries[self.polygonal], tolerance
                )
            self._simplified[tolerance] = geoms
        return self._simplified[tolerance]

    def level(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Encoded geometry of every commune at level ``i``, and the length of each."""
        if i not in self._levels:
            level = LEVELS[i]
            texts = np.array(
                encode_geometries(self.simplified(level.tolerance), level.factor), dtype=object
            )
            sizes = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
            self._levels[i] = (texts, sizes)
        return self._levels[i]

    def outline(self, atelier_id: str, i: int) -> str:
        """Border of the union of an atelier's communes at level ``i`` ("" for one commune)."""
        key = (atelier_id, i)
        if key not in self._outlines:
            rows = self.members.get(atelier_id, np.zeros(0, dtype=np.int64))
            rows = rows[self.polygonal[rows]] if len(rows) else rows
            text = ""
            if len(rows) >= 2:
                level = LEVELS[i]
                union = _union(self.simplified(level.tolerance)[rows])
                text = encode_lines(union, level.factor)
            self._outlines[key] = text
        return self._outlines[key]


def _union(geoms: np.ndarray) -> object:
    """Union of adjacent communes: the fast coverage union, the general one if it fails."""
    try:
        return shapely.coverage_union_all(geoms)
    except shapely.errors.GEOSException:
        return shapely.union_all(geoms)


def prepare_communes(dataset) -> PreparedCommunes:
    """Index the dataset's communes and the communes of each atelier (levels come lazily)."""
    com = dataset.communes.drop_duplicates("code").reset_index(drop=True)
    geoms = com.geometry.to_numpy()
    polygonal = np.array(
        [
            g is not None and not shapely.is_empty(g) and g.geom_type.endswith("Polygon")
            for g in geoms
        ],
        dtype=bool,
    )
    codes = com["code"].astype(str).to_numpy(dtype=object)
    index = {code: i for i, code in enumerate(codes)}
    members = {
        str(atelier_id): np.array([index[c] for c in atelier_codes if c in index], dtype=np.int64)
        for atelier_id, atelier_codes in zip(
            dataset.ateliers["id"], dataset.ateliers["communes"], strict=True
        )
    }
    return PreparedCommunes(
        codes=codes,
        noms=com["nom"].astype(str).to_numpy(dtype=object),
        lat=com["lat"].astype(float).to_numpy(),
        lon=com["lon"].astype(float).to_numpy(),
        index=index,
        members=members,
        geometries=geoms,
        polygonal=polygonal,
    )


# =============================================================================================
# Styling by dimension
# =============================================================================================
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
            entries.append((key, programme.familles.label_of(key), CATEGORICAL[i]))
        entries.append(("", "Sans thème renseigné", MISSING_COLOUR))
    elif dimension == "equipe":
        for i, key in enumerate(programme.equipes.keys()):
            entries.append((key, programme.equipes.label_of(key), CATEGORICAL[i]))
        entries.append(("", "Équipe non renseignée", MISSING_COLOUR))
    elif dimension == "statut":
        for key in programme.statuts.keys():
            entries.append(
                (key, programme.statuts.label_of(key), STATUT_COLOURS.get(key, GRIS_625))
            )
        entries.append(("", "Statut non renseigné", MISSING_COLOUR))
    else:
        years = sorted({int(y) for y in dataset.ateliers["annee"].dropna()})
        span = max(len(years) - 1, 1)
        for i, year in enumerate(years):
            entries.append((str(year), str(year), _interpolate(*YEAR_RAMP, i / span)))
        entries.append(("", "Année inconnue", MISSING_COLOUR))
    return [Category(k, label, colour, int(counts.get(k, 0))) for k, label, colour in entries]


# =============================================================================================
# The folium elements
# =============================================================================================
class CarteMap(folium.Map):
    """A folium map whose only assets are Leaflet and the map's code, served by the app."""

    def __init__(self, *args, asset_prefix: str = STATIC_URL, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_js, self.default_css = asset_links(asset_prefix)


class _Raw(Element):
    """Text added to the figure as is.

    branca's ``MacroElement.render`` wraps each script in ``Element(text)``, which compiles the
    text as a Jinja template: register text such as ``{{ … }}`` would then be evaluated on the
    server. Our payloads never go through a template.
    """

    def __init__(self, text: str):
        super().__init__()
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


class _Call(MacroElement):
    """A call ``AF.<function>(parent, payload)`` of ``static/carte/carte.js``."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "AF.{{ this.function }}({{ this._parent.get_name() }}, {{ this.payload }});"
        "{% endmacro %}"
    )

    def __init__(self, function: str, payload: dict):
        super().__init__()
        self._name = "AfCall"
        self.function = function
        self.data = payload
        self.payload = js_json(payload)

    def render(self, **kwargs) -> None:
        """Add the call to the figure's script without re-reading it as a template."""
        figure = self.get_root()
        script = self._template.module.script(self, kwargs)
        figure.script.add_child(_Raw(script), name=self.get_name())


@dataclass(frozen=True)
class MapOptions:
    """What the user chose above the map.

    Attributes
    ----------
    dimension : str
        Key of :data:`DIMENSIONS`.
    vue : str
        Key of :data:`VIEWS`.
    plan_ign : bool
        Add the « Plan IGN » tiles (requests to the Géoplateforme; off by default).
    focus : str or None
        INSEE code of a searched commune: outlined, and the map zooms to it.
    focus_token : str
        Changes each time the user asks to zoom again to the same commune.
    """

    dimension: str = "famille"
    vue: str = "communes"
    plan_ign: bool = False
    focus: str | None = None
    focus_token: str = ""


@dataclass
class CarteBuild:
    """A built map: the base to mount once, the layers that change, and what they show."""

    map: folium.Map
    layers: list[folium.FeatureGroup]
    vue: str
    level: Level | None
    categories: list[Category]
    ateliers: int
    communes: int
    message: str = ""
    departement_counts: dict[str, int] = field(default_factory=dict)

    @property
    def layer_payload(self) -> dict:
        """The JSON-ready data of the changing layer (for tests and the benchmark)."""
        for layer in self.layers:
            for child in layer._children.values():
                if isinstance(child, _Call):
                    return child.data
        return {}


IGN_URL = (
    "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM"
    "&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
)
IGN_ATTRIBUTION = "Plan IGN © IGN – Géoplateforme"


def base_map(basemap: Basemap, plan_ign: bool = False, asset_prefix: str = STATIC_URL) -> CarteMap:
    """The part of the map that never changes with the filters (mounted once in the browser)."""
    (south, west), (north, east) = NATIONAL_BOUNDS
    m = CarteMap(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=6,
        tiles=None,
        prefer_canvas=True,
        control_scale=False,  # carte.js adds a metric scale at the bottom right
        zoom_snap=0.25,
        min_zoom=3,
        max_zoom=16,
        asset_prefix=asset_prefix,
    )
    payload = dict(basemap.payload)
    payload["ign"] = {"url": IGN_URL, "attribution": IGN_ATTRIBUTION} if plan_ign else None
    _Call("basemap", payload).add_to(m)
    return m


def departement_counts(ateliers: pd.DataFrame) -> dict[str, int]:
    """Ateliers per département: an atelier counts once in each département it touches."""
    counts: dict[str, int] = {}
    for deps in ateliers["departements"]:
        for dep in set(deps):
            counts[dep] = counts.get(dep, 0) + 1
    return dict(sorted(counts.items()))


def count_classes(maximum: int, n: int = 5) -> list[tuple[int, int]]:
    """Up to ``n`` classes ``(low, high)`` covering 1…maximum with round bounds."""
    if maximum <= 0:
        return []
    if maximum <= n:
        return [(i, i) for i in range(1, maximum + 1)]
    step = max(1, math.ceil(maximum / n))
    for nice in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if nice >= step:
            step = nice
            break
    classes, low = [], 1
    while low <= maximum:
        high = min(low + step - 1 if low > 1 else step, maximum)
        classes.append((low, high))
        low = high + 1
    return classes[:n] if len(classes) <= n else [*classes[: n - 1], (classes[n - 1][0], maximum)]


def build_map(
    basemap: Basemap,
    prepared: PreparedCommunes,
    dataset,
    ateliers: pd.DataFrame,
    options: MapOptions = MapOptions(),
    asset_prefix: str = STATIC_URL,
) -> CarteBuild:
    """Build the map of ``ateliers`` (already filtered, public ones only).

    Parameters
    ----------
    basemap : Basemap
        From :func:`prepare_basemap` (cached per référentiel).
    prepared : PreparedCommunes
        From :func:`prepare_communes` (cached per dataset).
    dataset : Dataset
    ateliers : pandas.DataFrame
        Rows of ``dataset.ateliers`` to show.
    options : MapOptions

    Returns
    -------
    CarteBuild
        ``map`` (the base, identical for every selection) and ``layers`` (one feature group
        holding the selection); ``vue`` is ``"departements"`` when a commune view was asked but
        the selection is too large even at the coarsest level of detail (see ``message``).
    """
    if options.vue not in VIEWS:
        raise ValueError(f"vue inconnue : « {options.vue} » ({', '.join(VIEWS)})")
    m = base_map(basemap, plan_ign=options.plan_ign, asset_prefix=asset_prefix)
    categories = categories_for(dataset, ateliers, options.dimension)
    counts = departement_counts(ateliers)
    focus = _focus_payload(dataset, options)
    vue, message, level = options.vue, "", None
    n = len(_selection_rows(prepared, ateliers))
    if vue == "communes":
        payload, level = _communes_payload(prepared, dataset, ateliers, options, categories)
        if payload is None:
            message = (
                f"La sélection compte {fmt_int(n)} communes : trop pour les dessiner une à une "
                "sur la carte. Elle est montrée par département ; filtrez par région, "
                "département ou année pour voir les communes."
            )
            vue = "departements"
    if vue != "communes":
        payload = _overview_payload(basemap, counts, "cercles" if vue == "cercles" else "aplats")
    payload["focus"] = focus
    group = folium.FeatureGroup(name="Ateliers", control=False)
    _Call("ateliers" if vue == "communes" else "overview", payload).add_to(group)
    return CarteBuild(
        map=m,
        layers=[group],
        vue=vue,
        level=level,
        categories=categories,
        ateliers=len(ateliers),
        communes=n,
        message=message,
        departement_counts=counts,
    )


def _selection_rows(prepared: PreparedCommunes, ateliers: pd.DataFrame) -> list[int]:
    """Rows (in ``prepared``) of the distinct communes of ``ateliers``, in first-seen order."""
    empty = np.zeros(0, dtype=np.int64)
    seen: dict[int, None] = {}
    for aid in ateliers["id"]:
        seen.update(dict.fromkeys(prepared.members.get(str(aid), empty).tolist()))
    return list(seen)


def _communes_payload(
    prepared: PreparedCommunes,
    dataset,
    ateliers: pd.DataFrame,
    options: MapOptions,
    categories: list[Category],
) -> tuple[dict | None, Level | None]:
    programme = dataset.programme
    ids = [str(a) for a in ateliers["id"]]
    titles = ateliers["titre"].tolist()
    years = [-1 if pd.isna(y) else int(y) for y in ateliers["annee"]]
    themes_col = ateliers["themes"].tolist()
    echelles = ateliers["echelle"].tolist()
    cat_index = {c.key: i for i, c in enumerate(categories)}
    atelier_cat = [
        cat_index.get(k, len(categories) - 1)
        for k in atelier_category_keys(ateliers, options.dimension)
    ]
    theme_keys = programme.themes.keys()
    theme_pos = {k: i for i, k in enumerate(theme_keys)}
    empty = np.zeros(0, dtype=np.int64)
    local: dict[int, int] = {}
    rows: list[int] = []
    latest: list[int] = []  # per commune: the atelier giving its colour
    atelier_members: list[list[int]] = []
    for a, aid in enumerate(ids):
        mine = []
        for row in prepared.members.get(aid, empty).tolist():
            c = local.get(row)
            if c is None:
                c = local[row] = len(rows)
                rows.append(row)
                latest.append(a)
            # A commune takes the colour of its most recent atelier (unknown year = oldest).
            elif (years[a], -a) > (years[latest[c]], -latest[c]):
                latest[c] = a
            mine.append(c)
        atelier_members.append(mine)
    row_array = np.array(rows, dtype=np.int64)
    names = prepared.noms[row_array] if rows else np.array([], dtype=object)
    if sum(len(n.encode("utf-8")) + 7 for n in names) > LAYER_BUDGET:
        return None, None  # names and codes alone are too many: nothing else is computed
    atelier_rows = []
    points = []
    for a in range(len(ids)):
        themes = "".join(chr(97 + theme_pos[t]) for t in themes_col[a] if t in theme_pos)
        atelier_rows.append(
            [
                titles[a] or "(sans titre)",
                "" if years[a] < 0 else years[a],
                themes,
                atelier_cat[a],
                encode_ints(sorted(atelier_members[a])),
            ]
        )
        if echelles[a] == "batiment_ilot" and atelier_members[a]:
            # One marker at the atelier's first commune (the site's commune).
            c = atelier_members[a][0]
            r = rows[c]
            points.append(
                [round(float(prepared.lat[r]), 5), round(float(prepared.lon[r]), 5), c, a]
            )
    payload = {
        "factor": 0,
        "level": "",
        "dimension": DIMENSIONS[options.dimension],
        "categories": [[c.label, c.colour, c.count] for c in categories],
        "themes": [programme.themes.label_of(k) for k in theme_keys],
        "ateliers": atelier_rows,
        "codes": "".join(prepared.codes[row_array]) if rows else "",
        "noms": "|".join(n.replace("|", "/") for n in names),
        "geoms": "",
        "cats": "".join(chr(97 + atelier_cat[a]) for a in latest),
        "points": points,
        "outlines": {"factor": 0, "lines": []},
    }
    fixed = len(js_json(payload).encode("utf-8"))
    multi = [aid for aid, mine in zip(ids, atelier_members, strict=True) if len(mine) > 1]
    for i, level in enumerate(LEVELS):
        texts, sizes = prepared.level(i)
        geoms = int(sizes[row_array].sum()) + max(len(rows) - 1, 0)
        labels = len(level.label.encode("utf-8")) + len(str(level.factor)) * 2
        if fixed + geoms + labels > LAYER_BUDGET:
            continue
        lines = [t for t in (prepared.outline(aid, i) for aid in multi) if t]
        if fixed + geoms + labels + sum(len(t) + 3 for t in lines) > LAYER_BUDGET:
            continue
        payload["factor"] = level.factor
        payload["level"] = level.label
        payload["geoms"] = " ".join(texts[row_array]) if rows else ""
        payload["outlines"] = {"factor": level.factor, "lines": lines}
        return payload, level
    return None, None


def _overview_payload(basemap: Basemap, counts: dict[str, int], mode: str) -> dict:
    known = {c: n for c, n in counts.items() if c in basemap.departement_names}
    classes = count_classes(max(known.values(), default=0))
    return {
        "mode": mode,
        "counts": known,
        "classes": [
            [low, high, COUNT_RAMP[i % len(COUNT_RAMP)]] for i, (low, high) in enumerate(classes)
        ],
        "max": max(known.values(), default=0),
        "colour": BLEU_FRANCE,
    }


def _focus_payload(dataset, options: MapOptions) -> dict | None:
    if not options.focus:
        return None
    com = dataset.referentiel.communes
    rows = com[(com["code"] == options.focus) & com["type"].isin(("COM", "ARM"))]
    if rows.empty:
        return None
    row = rows.iloc[0]
    geom = row.geometry
    if geom is not None and not shapely.is_empty(geom):
        minx, miny, maxx, maxy = shapely.bounds(geom)
    else:
        minx = maxx = float(row["lon"])
        miny = maxy = float(row["lat"])
    pad = 0.02
    return {
        "code": str(row["code"]),
        "nom": str(row["nom"]),
        "token": f"{row['code']}:{options.focus_token}",
        "geom": encode_geometries([geom], 10_000)[0] if geom is not None else "",
        "factor": 10_000,
        "bounds": [
            [round(miny - pad, 4), round(minx - pad, 4)],
            [round(maxy + pad, 4), round(maxx + pad, 4)],
        ],
    }


# =============================================================================================
# Clicks, fiche and search texts
# =============================================================================================
def parse_click(text: str | None) -> tuple[str, str] | None:
    """What a clicked tooltip designates: ``("commune", code)`` or ``("departement", code)``.

    The tooltip's first line is « Nom (code) », written by ``carte.js`` from the référentiel
    (never from the register), so the first parenthesised code is the clicked place.
    """
    if not text:
        return None
    head = text.strip()
    match = _INSEE.search(head)
    if match and match.start() < 80:
        return ("commune", match.group(1))
    match = _DEPARTEMENT.search(head)
    if match and match.start() < 60:
        return ("departement", match.group(1))
    return None


def commune_codes(dataset, ateliers: pd.DataFrame) -> list[str]:
    """Distinct INSEE codes of the communes of ``ateliers``, in register order."""
    ids = set(ateliers["id"])
    links = dataset.atelier_communes
    return list(
        dict.fromkeys(
            c for a, c in zip(links["atelier_id"], links["code"], strict=True) if a in ids
        )
    )


def commune_heading(dataset, code: str) -> str:
    """« Doullens (80253) » from the référentiel."""
    com = dataset.referentiel.communes
    rows = com[(com["code"] == code) & com["type"].isin(("COM", "ARM"))]
    return f"{rows.iloc[0]['nom']} ({code})" if not rows.empty else code


def departement_heading(dataset, code: str) -> str:
    """« Somme (80) » from the référentiel."""
    deps = dataset.referentiel.departements
    rows = deps[deps["code"] == code]
    return f"{rows.iloc[0]['nom']} ({code})" if not rows.empty else code


def commune_ateliers(dataset, ateliers: pd.DataFrame, code: str) -> pd.DataFrame:
    """Rows of ``ateliers`` that include the commune ``code``, most recent first."""
    links = dataset.atelier_communes
    ids = set(links.loc[links["code"] == code, "atelier_id"])
    rows = ateliers[ateliers["id"].isin(ids)]
    return _recent_first(rows)


def departement_ateliers(ateliers: pd.DataFrame, code: str) -> pd.DataFrame:
    """Rows of ``ateliers`` touching the département ``code``, most recent first."""
    rows = ateliers[ateliers["departements"].map(lambda deps: code in deps)]
    return _recent_first(rows)


def _recent_first(rows: pd.DataFrame) -> pd.DataFrame:
    order = rows.assign(_y=rows["annee"].fillna(-1).astype(int))
    return order.sort_values(["_y", "id"], ascending=[False, True]).drop(columns="_y")


def _partial_date(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    day = getattr(value, "day", None)
    if day is None:
        return fmt_month(value.year, value.month)
    return fmt_date(value.first_day())


def _text(value: object) -> str:
    """A register cell as text ("" for a missing value)."""
    return value if isinstance(value, str) else ""


def label_of(vocabulary, key: object) -> str:
    """French label of a vocabulary key; "" for a missing or unknown key."""
    if not isinstance(key, str) or not key:
        return ""
    try:
        return vocabulary.label_of(key)
    except KeyError:
        return key


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) address, else ``None`` (never a ``javascript:`` link)."""
    if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
        return url
    return None


def _link(url: str, label: str) -> str:
    return (
        f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">'
        f"{html.escape(label)}</a>"
    )


def atelier_html(dataset, row) -> str:
    """One atelier of a fiche as an ``<article>``: its public fields, every value escaped.

    Parameters
    ----------
    dataset : Dataset
    row : namedtuple
        A row of ``dataset.ateliers`` (from ``itertuples(index=False)``).

    Returns
    -------
    str
        HTML with no script, no style attribute from the data and links only to http(s) URLs.
    """
    p = dataset.programme
    esc = html.escape
    fields: list[tuple[str, str]] = []
    year = "Année inconnue" if pd.isna(row.annee) else str(int(row.annee))
    fields.append(("Année", esc(year)))
    fields.append(("Statut", esc(label_of(p.statuts, row.statut) or "–")))
    fields.append(("Échelle", esc(label_of(p.echelles, row.echelle) or "–")))
    themes = [p.themes.label_of(t) for t in row.themes]
    fields.append(("Thèmes", esc(" ; ".join(themes)) if themes else "–"))
    fields.append(("Équipe", esc(label_of(p.equipes, row.equipe) or "non renseignée")))
    fields.append(("Pilote", esc(_text(row.pilote)) or "–"))
    start, end = _partial_date(row.date_debut), _partial_date(row.date_fin)
    if start or end:
        fields.append(("Dates", esc(f"{start or '?'} → {end or 'en cours'}")))
    if row.dates_animation:
        days = ", ".join(_partial_date(d) for d in row.dates_animation)
        fields.append(("Animation sur place", esc(days)))
    if row.nb_communes > 1:
        names = str(row.communes_noms).split(", ")
        shown = ", ".join(names[:20]) + (f" et {len(names) - 20} autres" if len(names) > 20 else "")
        fields.append((f"Communes ({row.nb_communes})", esc(shown)))
    if row.livrables:
        items = []
        for label, url in row.livrables:
            safe = safe_url(url)
            items.append(_link(safe, label) if safe else esc(label))
        fields.append(("Livrables", " ; ".join(items)))
    source = safe_url(row.source_url)
    if source:
        fields.append(("Source", _link(source, source)))
    elif _text(row.source_url):
        fields.append(("Source", esc(_text(row.source_url))))
    else:
        fields.append(("Source", "non renseignée"))
    parts = ['<article class="af-atelier">']
    parts.append(f"<h4>{esc(_text(row.titre) or '(sans titre)')}</h4>")
    parts.append(f'<p class="af-id">{esc(row.id)}</p><dl>')
    for label, value in fields:
        parts.append(f"<dt>{esc(label)}</dt><dd>{value}</dd>")
    parts.append("</dl>")
    if _text(row.description):
        parts.append(f'<p class="af-desc">{esc(_text(row.description))}</p>')
    parts.append("</article>")
    return "".join(parts)


def fiche_html(dataset, rows: pd.DataFrame, heading: str, hidden: int = 0) -> str:
    """The side panel « fiche »: every atelier of ``rows``, all values escaped.

    Parameters
    ----------
    dataset : Dataset
    rows : pandas.DataFrame
        Ateliers to describe (rows of ``dataset.ateliers``).
    heading : str
        Title of the panel (the commune or the département), escaped too.
    hidden : int
        Ateliers of the same place left out by the filters (mentioned, not shown).

    Returns
    -------
    str
        HTML with no script, no style attribute from the data and links only to http(s) URLs.
    """
    esc = html.escape
    parts = [f'<section class="af-fiche"><h3>{esc(heading)}</h3>']
    if rows.empty:
        parts.append("<p>Aucun atelier de la sélection ici.</p>")
    else:
        parts.append(f'<p class="af-count">{fmt_int(len(rows))} atelier(s)</p>')
    for row in rows.itertuples(index=False):
        parts.append(atelier_html(dataset, row))
    if hidden:
        parts.append(
            f'<p class="af-hidden">{fmt_int(hidden)} autre(s) atelier(s) ici, hors des filtres.</p>'
        )
    parts.append("</section>")
    return "".join(parts)


FICHE_CSS = """
<style>
.af-fiche h3 {margin: 0 0 .2rem 0; font-size: 1.15rem; color: #000091;}
.af-fiche .af-count {margin: 0 0 .6rem 0; color: #3a3a3a;}
.af-fiche .af-atelier {border-top: 1px solid #e5e5e5; padding: .5rem 0;}
.af-fiche h4 {margin: 0; font-size: 1rem; line-height: 1.3;}
.af-fiche .af-id {margin: 0 0 .3rem 0; color: #666; font-size: .8rem;}
.af-fiche dl {display: grid; grid-template-columns: minmax(5.5em, max-content) 1fr; gap: .1rem .6rem; margin: 0;
  font-size: .88rem;}
.af-fiche dt {font-weight: 600; color: #3a3a3a;}
.af-fiche dd {margin: 0; overflow-wrap: anywhere;}
.af-fiche .af-desc {font-size: .85rem; color: #3a3a3a; margin: .3rem 0 0 0;}
.af-fiche .af-hidden {font-size: .85rem; color: #666;}
.af-fiche a {color: #000091;}
</style>
"""


def search_message(dataset, pool: pd.DataFrame, shown: pd.DataFrame, code: str) -> str:
    """Plain French sentence: has the commune had an atelier (in the selection, in the register)?

    Parameters
    ----------
    dataset : Dataset
    pool : pandas.DataFrame
        Every atelier that may be published (unfiltered): ateliers outside it are never
        mentioned, not even as a count.
    shown : pandas.DataFrame
        The filtered selection on the map.
    code : str
        INSEE code of the commune.
    """
    com = dataset.referentiel.communes
    rows = com[(com["code"] == code) & com["type"].isin(("COM", "ARM"))]
    nom = str(rows.iloc[0]["nom"]) if not rows.empty else code
    dep = str(rows.iloc[0]["departement"]) if not rows.empty else ""
    place = f"{nom} ({dep}, {code})" if dep else f"{nom} ({code})"
    links = dataset.atelier_communes
    ids = set(links.loc[links["code"] == code, "atelier_id"]) & set(pool["id"])
    in_selection = int(shown["id"].isin(ids).sum())
    elsewhere = len(ids) - in_selection
    if in_selection:
        text = f"{place} a accueilli {fmt_int(in_selection)} atelier(s) de la sélection."
        if elsewhere:
            text += f" {fmt_int(elsewhere)} autre(s) hors des filtres."
        return text
    if elsewhere:
        return (
            f"{place} n'a aucun atelier dans la sélection affichée ; "
            f"{fmt_int(elsewhere)} atelier(s) hors des filtres."
        )
    return f"{place} n'a accueilli aucun atelier publié dans ce registre."


def hidden_count(dataset, pool: pd.DataFrame, shown: pd.DataFrame, place: tuple[str, str]) -> int:
    """Publishable ateliers of a clicked place that the filters leave out."""
    kind, code = place
    if kind == "commune":
        return len(commune_ateliers(dataset, pool, code)) - len(
            commune_ateliers(dataset, shown, code)
        )
    return len(departement_ateliers(pool, code)) - len(departement_ateliers(shown, code))
