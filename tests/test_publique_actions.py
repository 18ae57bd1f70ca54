"""The feuille de route on the public side: the public page's fiches and the open data package.

Only the public actions of public ateliers, only their public columns, reach a public file; the
package holds them as a second resource with its own Table Schema, validated by frictionless.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json

import pytest
from frictionless import validate

from atelierflash import acces, carte, ecriture, opendata
from atelierflash.carte import exports, publique
from atelierflash.carte.encoding import js_json
from atelierflash.programme import load_points_etape
from atelierflash.texte import html_escape
from tests.fiche_actions import SECRETS, with_actions

DAY = dt.date(2026, 11, 29)
PUBLIC_TEXTS = (
    "Rouvrir la halle (fictif)",
    "Panneaux d'information (fictif)",
    "Étude (fictif)",
)


@pytest.fixture(scope="module")
def with_route(mini_dataset, tmp_path_factory):
    return with_actions(mini_dataset, tmp_path_factory.mktemp("actions"))


@pytest.fixture(scope="module")
def exported(with_route, mini_referentiel, tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "carte"
    basemap = carte.prepare_basemap(mini_referentiel)
    prepared = carte.prepare_communes(with_route)
    return publique.export_public_map(with_route, basemap, prepared, out, generated=DAY)


def _every_file_text(folder) -> dict[str, str]:
    """Every file of the export as text (a ``.gz`` copy decompressed), by relative name."""
    texts = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        if path.suffix in (".woff", ".woff2"):
            continue
        texts[str(path.relative_to(folder))] = data.decode("utf-8", errors="replace")
    return texts


def _rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


# -- what is public ----------------------------------------------------------------------------
def test_public_actions_of_a_register_and_of_its_public_view_are_the_same(with_route):
    public = exports.public_ateliers(with_route.ateliers)
    full = exports.public_actions(with_route, public)
    view = acces.public_view(with_route)
    seen = exports.public_actions(view, exports.public_ateliers(view.ateliers))
    assert full["action"].tolist() == seen["action"].tolist()
    assert [a.endswith(PUBLIC_TEXTS) for a in full["action"]] == [True] * 3
    assert list(full.columns) == list(acces.PUBLIC_ACTION_COLUMNS)
    assert "[coordonnées retirées]" in " ".join(full["porteur"])


def test_actions_frame_is_text_labels_and_marks_fiction(with_route):
    public = exports.public_ateliers(with_route.ateliers)
    frame = exports.actions_frame(with_route, exports.public_actions(with_route, public))
    assert tuple(frame.columns) == exports.PUBLIC_ACTION_FIELDS
    first = frame.iloc[0].to_dict()
    assert first["statut"] == "réalisé" and first["priorite"] == "élevée"
    assert first["theme"] == "Revitalisation des centre-villes et centre-bourgs"
    assert first["echeance"] == "2021" and frame.iloc[1]["echeance"] == "2027-06"
    assert set(frame["fictif"]) == {"oui"}
    # Internal: every column, in the one writer's CSV, formulas neutralised.
    internal = exports.actions_frame(with_route, with_route.actions)
    assert {"budget_eur", "financements", "public", "note"} <= set(internal.columns)
    assert set(internal["public"]) == {"oui", "non"}
    # The statuts at the points d'étape: internal follow-up, in labels; never public.
    points = [p.statut_column for p in load_points_etape()]
    assert points and set(points) <= set(internal.columns)
    assert not set(points) & set(frame.columns)
    assert not set(points) & set(acces.PUBLIC_ACTION_COLUMNS)


# -- the public page ---------------------------------------------------------------------------
def test_the_public_fiche_shows_the_public_actions(exported):
    texts = _every_file_text(exported.folder)
    fiches = "".join(t for name, t in texts.items() if "/fiches/" in name)
    for text in PUBLIC_TEXTS:
        assert js_json(html_escape(text))[1:-1] in fiches, text
    assert "Feuille de route" in fiches and "engag" in fiches


def test_no_non_public_action_nor_internal_cell_in_any_exported_file(exported):
    texts = _every_file_text(exported.folder)
    assert any(name.endswith(".gz") for name in texts)
    assert any(name == opendata.ACTIONS_FILE for name in texts)
    for name, text in texts.items():
        for secret in SECRETS:
            assert secret not in text, (name, secret)
            assert js_json(secret)[1:-1] not in text, (name, secret)
            assert json.dumps(secret)[1:-1] not in text, (name, secret)
        assert "non publiée" not in text, name


def test_the_first_paint_carries_no_action(exported):
    # The fiches are fetched on open: the page and its map data do not grow with actions.
    for name in ("index.html", "donnees.js"):
        text = (exported.folder / name).read_text(encoding="utf-8")
        assert "Rouvrir la halle" not in text and "af-feuille-de-route" not in text


# -- open data: a second resource -------------------------------------------------------------
def test_the_package_is_valid_with_two_resources(exported):
    package = json.loads((exported.folder / opendata.DATAPACKAGE_FILE).read_text("utf-8"))
    assert [r["name"] for r in package["resources"]] == ["ateliers", "actions"]
    assert package["resources"][1]["path"] == opendata.ACTIONS_FILE
    assert package["resources"][1]["schema"] == opendata.ACTIONS_SCHEMA_FILE
    report = validate(str(exported.folder / opendata.DATAPACKAGE_FILE))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert [t.stats["rows"] for t in report.tasks] == [6, 3]
    assert validate(str(exported.folder / opendata.ACTIONS_SCHEMA_FILE)).valid


def test_the_actions_schema_takes_its_enums_from_the_vocabularies(with_route):
    programme = with_route.programme
    schema = opendata.actions_table_schema(programme)
    fields = {f["name"]: f for f in schema["fields"]}
    assert tuple(fields) == exports.PUBLIC_ACTION_FIELDS
    assert fields["statut"]["constraints"]["enum"] == programme.statuts_action.labels()
    assert fields["priorite"]["constraints"]["enum"] == programme.priorites.labels()
    assert fields["theme"]["constraints"]["enum"] == programme.themes.labels()
    assert schema["foreignKeys"] == [
        {"fields": "atelier", "reference": {"resource": "ateliers", "fields": "id"}}
    ]


def test_the_package_rejects_what_the_register_cannot_publish(with_route, tmp_path):
    public = exports.public_ateliers(with_route.ateliers)
    (tmp_path / "ateliers.csv").write_bytes(exports.to_csv(with_route, public))
    opendata.write_open_data(tmp_path, with_route, generated=DAY)
    path = tmp_path / opendata.ACTIONS_FILE
    rows = _rows(path.read_bytes())
    rows[0]["statut"] = "fini"
    rows[1]["atelier"] = "T-NOPE"  # no such atelier in the ateliers resource
    rows[2]["echeance"] = "juin 2027"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n", delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    report = validate(str(tmp_path / opendata.DATAPACKAGE_FILE))
    errors = report.flatten(["rowNumber", "fieldName", "type"])
    found = {(row, field) for row, field, _ in errors}
    assert {(2, "statut"), (4, "echeance")} <= found
    assert any(kind == "foreign-key" for _, _, kind in errors)


def test_the_actions_file_is_written_by_the_one_writer(with_route, tmp_path, monkeypatch):
    public = exports.public_ateliers(with_route.ateliers)
    (tmp_path / "ateliers.csv").write_bytes(exports.to_csv(with_route, public))
    written = []
    real = ecriture.write_bytes
    monkeypatch.setattr(
        ecriture, "write_bytes", lambda path, data: written.append(path) or real(path, data)
    )
    opendata.write_open_data(tmp_path, with_route, generated=DAY)
    assert {p.name for p in written} == {
        opendata.ACTIONS_FILE,
        opendata.ACTIONS_SCHEMA_FILE,
        opendata.SCHEMA_FILE,
        opendata.DATAPACKAGE_FILE,
    }
    data = (tmp_path / opendata.ACTIONS_FILE).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and len(_rows(data)) == 3


def test_an_actions_download_neutralises_formulas_and_says_fiction(with_route):
    actions = with_route.actions.copy()
    actions.loc[0, "action"] = '=HYPERLINK("http://x") (fictif)'
    data = exports.actions_csv(with_route, actions)
    assert ecriture.formula_cells(data, "csv") == []
    rows = _rows(data)
    assert rows[0]["action"].startswith("'=HYPERLINK")
    assert {row["fictif"] for row in rows} == {"oui"}
    book = exports.actions_xlsx(with_route, actions)
    assert ecriture.formula_cells(book, "xlsx") == []
