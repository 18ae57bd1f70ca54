"""CSV and GeoJSON exports: public rows and fields, no formula, fiction marked."""

from __future__ import annotations

import csv
import io
import json

import pytest
import shapely
from shapely.geometry import shape

from atelierflash import ecriture
from atelierflash.carte import exports


def _csv_rows(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 1 23", "'+33 1 23"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Doullens", "Doullens"),
        ("a=b", "a=b"),
        ("", ""),
        (2019, 2019),
    ],
)
def test_neutralize(value, expected):
    assert exports.neutralize(value) == expected


def test_only_public_ateliers_and_public_fields(mini_dataset):
    frame = exports.export_frame(mini_dataset, mini_dataset.ateliers)
    assert list(frame.columns) == list(exports.PUBLIC_FIELDS)
    assert "T-2026-1" not in set(frame["id"])  # a candidature is never published
    assert len(frame) == 6
    for private in ("notes_internes", "motif_derogation", "montant_eur", "dates_bon_commande"):
        assert private not in frame.columns
    row = frame.set_index("id").loc["T-2019-1"]
    assert row["statut"] == "réalisé" and row["echelle"] == "communale"
    assert row["themes"] == "Revitalisation des centre-villes et centre-bourgs"
    assert row["equipe"] == "Atelier de l'Ourcq"
    assert row["date_debut"] == "2019-10" and row["dates_animation"] == "2019-12-02 ; 2019-12-03"
    assert row["livrables"] == "Feuille de route : https://example.org/fdr.pdf"
    assert row["departements"] == "80 Somme" and row["regions"] == "Hauts-de-France"
    epci = frame.set_index("id").loc["T-2022-1"]
    assert epci["communes_insee"] == "80253 ; 80620"
    assert epci["communes"] == "Doullens, Outrebois"
    assert frame.set_index("id").loc["T-X-1", "equipe"] == ""


def test_csv_neutralises_formulas_and_marks_fiction(tricky_dataset):
    data = exports.to_csv(tricky_dataset, tricky_dataset.ateliers)
    assert b"secret interne" not in data and b"note interne" not in data
    rows = {r["id"]: r for r in _csv_rows(data)}
    assert rows["T-2023-1"]["pilote"] == '\'=HYPERLINK("http://x")'
    assert rows["T-2023-1"]["description"] == "'@SUM(A1)"
    assert rows["T-2020-1"]["pilote"] == "'-2+3"
    assert rows["T-2022-1"]["titre"] == "<img src=x onerror=alert(1)> (fictif)"
    assert all(r["fictif"] == "oui" for r in rows.values())
    for row in rows.values():
        for value in row.values():
            assert not value.startswith(ecriture.FORMULA_PREFIXES)


def test_csv_reads_back_as_text(mini_dataset):
    rows = _csv_rows(exports.to_csv(mini_dataset, mini_dataset.ateliers))
    assert [r["annee"] for r in rows] == ["2019", "2021", "2022", "2024", "2025", ""]


def test_geojson_one_feature_per_atelier_with_its_communes(mini_dataset):
    collection = json.loads(exports.to_geojson(mini_dataset, mini_dataset.ateliers))
    assert collection["type"] == "FeatureCollection"
    assert collection["fictif"] is True
    assert "fictives" in collection["avertissement"]
    features = {f["properties"]["id"]: f for f in collection["features"]}
    assert set(features) == {"T-2019-1", "T-2021-1", "T-2022-1", "T-2024-1", "T-2025-1", "T-X-1"}
    epci = features["T-2022-1"]
    geometry = shape(epci["geometry"])
    assert geometry.contains(shapely.Point(2.34, 50.15)) and geometry.contains(
        shapely.Point(2.26, 50.17)
    )
    props = epci["properties"]
    assert props["annee"] == 2022 and props["fictif"] is True
    assert set(props) == set(exports.PUBLIC_FIELDS)
    assert features["T-X-1"]["properties"]["annee"] is None


def test_geojson_neutralises_and_hides_internal_notes(tricky_dataset):
    data = exports.to_geojson(tricky_dataset, tricky_dataset.ateliers)
    assert b"secret interne" not in data
    features = {f["properties"]["id"]: f for f in json.loads(data)["features"]}
    assert features["T-2023-1"]["properties"]["description"] == "'@SUM(A1)"
    assert features["T-2023-1"]["properties"]["titre"].startswith("{{ 7*7 }}")


def test_real_register_is_not_marked_fictional(mini_dataset):
    from dataclasses import replace

    real = replace(mini_dataset, source=replace(mini_dataset.source, fictif=False))
    real = replace(real, ateliers=real.ateliers.assign(fictif=False))
    collection = json.loads(exports.to_geojson(real, real.ateliers))
    assert "fictif" not in collection and "avertissement" not in collection
    assert {r["fictif"] for r in _csv_rows(exports.to_csv(real, real.ateliers))} == {"non"}
    assert exports.filename(real, "csv") == "ateliers_flash_test.csv"
    assert exports.filename(mini_dataset, "geojson") == "ateliers_flash_test_FICTIF.geojson"


def test_public_selection_is_the_public_rows_of_a_filtered_selection(mini_dataset):
    from atelierflash.filters import FilterState, apply_filters

    pool = exports.public_ateliers(mini_dataset.ateliers)
    for state in (FilterState(), FilterState(year_min=2022), FilterState(themes=("friches",))):
        filtered = apply_filters(mini_dataset.ateliers, state)
        expected = exports.public_ateliers(filtered)
        assert exports.public_selection(pool, filtered).equals(expected)
