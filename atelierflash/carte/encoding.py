"""Compact geometry: quantised rings written with the polyline algorithm, and script-safe JSON.

A vertex costs a few bytes instead of about thirty in GeoJSON; ``static/carte/carte.js`` decodes
the strings. :func:`js_json` is the one way a payload enters a ``<script>``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import numpy as np
import shapely


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
