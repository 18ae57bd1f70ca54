"""Open data: the Table Schema and Data Package of the public CSV, checked by frictionless."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from frictionless import validate

from atelierflash import opendata
from atelierflash.carte import exports

DAY = dt.date(2026, 12, 1)


@pytest.fixture
def export(mini_dataset, tmp_path):
    (tmp_path / "ateliers.csv").write_bytes(exports.to_csv(mini_dataset, mini_dataset.ateliers))
    opendata.write_open_data(tmp_path, mini_dataset, generated=DAY)
    return tmp_path


def _errors(report) -> list[list]:
    return report.flatten(["rowNumber", "fieldName", "type"])


def test_exported_csv_is_valid_against_its_schema(export):
    report = validate(str(export / opendata.DATAPACKAGE_FILE))
    assert report.valid, _errors(report)
    assert report.tasks[0].stats["rows"] == 6  # the public ateliers (no candidature)
    assert report.tasks[0].stats["fields"] == len(exports.PUBLIC_FIELDS)


def test_schema_is_a_valid_table_schema(export):
    assert validate(str(export / opendata.SCHEMA_FILE)).valid


def test_schema_rejects_what_the_register_cannot_publish(export):
    path = export / "ateliers.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    rows[0]["communes_insee"] = "1053"  # a code that lost its leading zero
    rows[1]["statut"] = "terminé"  # not a label of the vocabulary
    rows[2]["themes"] = "Santé"
    rows[3]["date_debut"] = "03/2024"
    rows[4]["id"] = rows[5]["id"]  # duplicate identifier
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n", delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    report = validate(str(export / opendata.DATAPACKAGE_FILE))
    found = {(row, field) for row, field, _ in _errors(report)}
    assert {(2, "communes_insee"), (3, "statut"), (4, "themes"), (5, "date_debut")} <= found
    assert any(kind == "primary-key" for _, _, kind in _errors(report))


def test_enums_come_from_the_vocabularies(mini_dataset):
    schema = opendata.table_schema(mini_dataset.programme)
    fields = {f["name"]: f for f in schema["fields"]}
    assert [f["name"] for f in schema["fields"]] == list(exports.PUBLIC_FIELDS)
    programme = mini_dataset.programme
    for name, vocabulary in (
        ("statut", programme.statuts),
        ("echelle", programme.echelles),
        ("equipe", programme.equipes),
    ):
        assert fields[name]["constraints"]["enum"] == vocabulary.labels()
    import re

    themes = fields["themes"]["constraints"]["pattern"]
    joined = " ; ".join(programme.themes.labels())
    assert re.fullmatch(themes, joined) and not re.fullmatch(themes, "Santé")
    insee = fields["communes_insee"]["constraints"]["pattern"]
    for ok in ("01053", "2A004", "97411", "80253 ; 80620"):
        assert re.fullmatch(insee, ok)
    for bad in ("1053", "2C004", "80253;80620", "801234"):
        assert not re.fullmatch(insee, bad)
    assert fields["annee"]["constraints"]["minimum"] == programme.info["annee_lancement"]


def test_datapackage_says_what_was_written_and_that_it_is_fictional(export):
    package = json.loads((export / opendata.DATAPACKAGE_FILE).read_text(encoding="utf-8"))
    # The ateliers first; the feuilles de route's public actions second (issue 19).
    resource, actions = package["resources"]
    assert resource["path"] == "ateliers.csv" and resource["schema"] == opendata.SCHEMA_FILE
    assert actions["path"] == opendata.ACTIONS_FILE
    assert resource["encoding"] == "utf-8-sig"  # the export's BOM
    header = (export / "ateliers.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert resource["dialect"]["delimiter"] in header
    assert package["name"].endswith("-fictif") and "fictives" in package["description"]
    assert package["licenses"][0]["name"] == "etalab-2.0"


def test_schema_needs_the_csv_first(mini_dataset, tmp_path):
    with pytest.raises(FileNotFoundError, match="écrivez l'export CSV avant son schéma"):
        opendata.write_open_data(tmp_path, mini_dataset)


def test_schema_files_are_written_by_the_one_writer(mini_dataset, tmp_path):
    """Issue 9: ``Path.write_text`` gave English errors and could leave half a file."""
    from atelierflash import ecriture

    (tmp_path / "ateliers.csv").write_bytes(exports.to_csv(mini_dataset, mini_dataset.ateliers))
    (tmp_path / opendata.DATAPACKAGE_FILE).mkdir()
    with pytest.raises(ecriture.WriteError, match="est un dossier"):
        opendata.write_open_data(tmp_path, mini_dataset, generated=DAY)
