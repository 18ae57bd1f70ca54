"""Every page opened with a hostile register, file name and address: text stays text.

Issue 9: register cells, the register's file name and query parameters are untrusted. Each page
runs without an exception, every Markdown it sends keeps them inert (no image, link, KaTeX or
directive), an invalid parameter is ignored with a French notice, and every file it offers for
download has no cell a spreadsheet would run as a formula.
"""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from atelierflash import carte
from tests.app.analytics_helpers import start
from tests.conftest import (
    HOSTILE_CELLS,
    HOSTILE_FILE_NAME,
    HOSTILE_QUERIES,
    formula_cells,
    hostile_register_text,
    make_mini_referentiel,
    markdown_injections,
)

PAGES = [
    "pages/accueil.py",
    "pages/carte.py",
    "pages/thematiques.py",
    "pages/selection-annuelle.py",
    "pages/equipes.py",
    "pages/atelier.py",
    "pages/integrer.py",
    "pages/donnees.py",
]


@pytest.fixture
def hostile_app(monkeypatch, tmp_path):
    """The app on a register full of hostile cells, saved under a hostile file name."""
    import atelierflash.ui.data as data

    register = tmp_path / HOSTILE_FILE_NAME
    register.write_text(hostile_register_text(), encoding="utf-8")
    monkeypatch.setenv("ATELIERFLASH_REGISTRE", str(register))
    monkeypatch.setattr(data, "load_referentiel", lambda progress=None: make_mini_referentiel())
    # The public page of this register is exported beside the test, never into the project's
    # static/publique/ (which the browser tests' server serves).
    monkeypatch.setattr(carte, "STATIC_DIR", tmp_path / "static")
    st.cache_resource.clear()
    yield start
    st.cache_resource.clear()


@pytest.fixture
def downloads(monkeypatch) -> list[tuple[str, bytes]]:
    """Every file the pages offer, as ``(file name, bytes)`` (deferred data resolved)."""
    offered: list[tuple[str, bytes]] = []
    original = DeltaGenerator.download_button

    def record(self, label, data, file_name=None, *args, **kwargs):
        checked = str(file_name or "").endswith((".csv", ".xlsx", ".geojson", ".json"))
        if not checked:  # a PDF or an image is no spreadsheet: not made here
            offered.append((file_name or label, b""))
            return original(self, label, data, file_name, *args, **kwargs)
        content = data() if callable(data) else data
        if isinstance(content, str):
            content = content.encode("utf-8")
        offered.append((file_name or label, content))
        return original(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", record)
    monkeypatch.setattr(st, "download_button", lambda *a, **k: record(st._main, *a, **k))
    return offered


def markdown_sources(at) -> list[tuple[str, str]]:
    """Every piece of Markdown the page sent: texts, alerts, headings, labels, table cells."""
    sources = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success"):
        sources.extend((kind, e.value) for e in getattr(at, kind))
    for kind in ("title", "header", "subheader"):
        sources.extend((kind, e.value) for e in getattr(at, kind))
    sources.extend(("metric", e.label) for e in at.metric)
    sources.extend(("expander", e.label) for e in at.expander)
    for table in at.table:
        frame = table.value
        sources.extend(("table", str(c)) for c in frame.columns)
        sources.extend(("table", v) for v in frame.to_numpy().ravel() if isinstance(v, str))
    return sources


@pytest.mark.parametrize("query", list(HOSTILE_QUERIES))
@pytest.mark.parametrize("page", PAGES)
def test_every_page_keeps_hostile_text_inert(hostile_app, downloads, page, query):
    at = hostile_app(page, HOSTILE_QUERIES[query])
    assert not at.exception, at.exception
    injected = [
        (kind, hit) for kind, body in markdown_sources(at) for hit in markdown_injections(body)
    ]
    assert injected == []
    for name, data in downloads:
        assert formula_cells(name, data) == [], name


@pytest.mark.parametrize("page", PAGES)
def test_every_download_of_every_page_has_no_formula(hostile_app, downloads, page):
    at = hostile_app(page)
    assert not at.exception, at.exception
    names = [name for name, _ in downloads]
    assert names, f"{page} n'offre aucun téléchargement"
    for name, data in downloads:
        assert formula_cells(name, data) == [], name
    # Where a CSV of a list or table is offered, its XLSX is offered beside it.
    csv = {n.removesuffix(".csv") for n in names if n.endswith(".csv")}
    xlsx = {n.removesuffix(".xlsx") for n in names if n.endswith(".xlsx")}
    assert csv - {n for n in csv if n.startswith("ateliers_flash_")} <= xlsx


def test_home_page_validation_download_neutralises_a_formula_id(hostile_app, downloads):
    at = hostile_app("pages/accueil.py")
    assert not at.exception, at.exception
    # The app's first run is the home page too: the same file offered twice, identical.
    (csv,) = {
        data
        for name, data in downloads
        if name.startswith("validation_registre") and name.endswith(".csv")
    }
    hostile_id = HOSTILE_CELLS[("T-2019-1", "id")]
    text = csv.decode("utf-8-sig")
    assert hostile_id.replace('"', '""') in text  # the row is there, as text
    assert formula_cells("validation.csv", csv) == []


def test_an_invalid_parameter_is_ignored_with_a_french_notice(hostile_app):
    at = hostile_app("pages/selection-annuelle.py", {"annee": "²", "annees": "²-"})
    assert not at.exception, at.exception
    notices = " ".join(i.value for i in at.info)
    assert "« annee »" in notices and "« annees »" in notices
    assert "est ignorée" in notices


def test_a_crafted_commune_link_shows_its_text_literally(hostile_app):
    at = hostile_app("pages/carte.py", {"commune": "![t](http://evil.example/q.png)"})
    assert not at.exception, at.exception
    (warning,) = [w.value for w in at.warning if "Aucune commune" in w.value]
    assert markdown_injections(warning) == []
    assert "evil" in warning  # said, as text


def test_the_file_name_is_escaped_on_every_page(hostile_app):
    for page in PAGES:
        at = hostile_app(page)
        assert not at.exception, at.exception
        bodies = [body for _, body in markdown_sources(at) if "Se connecter" in body]
        assert bodies, f"{page} ne nomme pas le registre"
        for body in bodies:
            assert markdown_injections(body) == [], page


def _upload_hostile(hostile_app):
    """The Données page after uploading a hostile register under a hostile file name, with an
    ambiguous commune written in Markdown (« **Saint-Denis** »: two candidates to choose from)."""
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(hostile_register_text())))
    added = dict(rows[4], id="T-2025-2", communes_insee="", communes="**Saint-Denis**")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*rows[0], "communes"], lineterminator="\n")
    writer.writeheader()
    writer.writerows([*rows, added])
    at = hostile_app("pages/donnees.py", HOSTILE_QUERIES["markdown"])
    at.file_uploader[0].upload(HOSTILE_FILE_NAME, out.getvalue().encode(), "text/csv").run()
    assert not at.exception, at.exception
    labels = [r.label for r in at.radio if "Saint" in r.label]
    assert labels, "le nom ambigu n'est pas proposé au choix"
    return at, labels


def test_an_upload_on_the_donnees_page_keeps_hostile_text_inert(
    hostile_app, downloads, monkeypatch
):
    # The progress bar's text is Markdown too, and gone once the file is read: record it.
    shown = []
    original = DeltaGenerator.progress

    def progress(self, value, text=None):
        shown.append(("progress", str(text or "")))
        return original(self, value, text=text)

    monkeypatch.setattr(DeltaGenerator, "progress", progress)
    monkeypatch.setattr(st, "progress", lambda *a, **k: progress(st._main, *a, **k))
    at, labels = _upload_hostile(hostile_app)
    assert any("Lecture de" in text for _, text in shown)
    sources = [*markdown_sources(at), *(("radio", label) for label in labels), *shown]
    injected = [(kind, hit) for kind, body in sources for hit in markdown_injections(body)]
    assert injected == [], [body for _, body in shown]
    for name, content in downloads:
        assert formula_cells(name, content) == [], name


def test_an_ambiguous_commune_name_is_quoted_as_text_on_the_donnees_page(hostile_app):
    _, labels = _upload_hostile(hostile_app)
    assert [label for label in labels if "**Saint" in label] == []  # bold, unescaped
