"""The dataset's communes, encoded once per register at each level of detail.

A level of detail is chosen per selection by :mod:`atelierflash.carte.layers`; the levels and
the intercommunal outlines are computed the first time a selection needs them and kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from atelierflash.carte.encoding import encode_geometries, encode_lines


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
