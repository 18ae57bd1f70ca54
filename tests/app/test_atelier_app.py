"""AppTest of the fiche page: ?id= opens a fiche, the choice is kept in the address, downloads."""

from __future__ import annotations

import re

import pytest

from tests.conftest import HOST, markdown_injections

PAGE = "pages/atelier.py"


def _fiche(at) -> str:
    (element,) = [e for e in at.get("html")]
    return element.proto.body


def test_id_in_the_address_opens_that_fiche(mini_app):
    at = mini_app(PAGE, {"id": "T-2021-1"})
    assert at.title[0].value == "Fiche d'un atelier"
    assert at.selectbox(key="fiche_atelier").value == "T-2021-1"
    body = _fiche(at)
    assert "Friche d&#39;Abbeville (fictif)" in body
    assert '<img class="af-svg" alt="Carte des communes de l&#39;atelier : Abbeville"' in body
    assert "@media print" in body  # the page's print stylesheet
    assert at.query_params["id"] == "T-2021-1"
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Fiche synthétique (PDF)", "Cet atelier (CSV)", "Cet atelier (XLSX)"]


def test_choosing_another_atelier_writes_the_address(mini_app):
    at = mini_app(PAGE)
    at.selectbox(key="fiche_atelier").set_value("T-2024-1").run()
    assert not at.exception
    assert at.query_params["id"] == "T-2024-1"
    assert "Ajaccio littoral (fictif)" in _fiche(at)


def _notices(at) -> list[str]:
    """The URL helper's notices (``ui.url``): an ignored parameter, said once, in French."""
    return [i.value for i in at.info if i.value.startswith("Adresse de la page")]


def test_non_public_and_unknown_ids_are_explained_never_shown(mini_app):
    at = mini_app(PAGE, {"id": "T-2026-1"})  # a candidature
    (notice,) = _notices(at)
    assert "« id »" in notice and "n'est pas publiable" in notice and "est ignorée" in notice
    assert "Candidature Privas" not in _fiche(at)
    assert at.query_params["id"] == "T-2019-1"  # the address now names the fiche shown
    at = mini_app(PAGE, {"id": "<script>"})
    (notice,) = _notices(at)
    assert "aucun atelier de ce registre" in notice and "est ignorée" in notice
    assert "<script>" not in _fiche(at)


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        f"[Se connecter](http://{HOST}/login) ![i](http://{HOST}/i.png) $x$ :red[r]",
        "A" * 20_000,
        "\u202e\x00T-2021-1",
        "T-2021-1\n# Titre",
    ],
    ids=["html", "markdown", "tres-long", "controle", "saut-de-ligne"],
)
def test_a_hostile_id_gets_a_short_notice_never_a_traceback(mini_app, hostile):
    at = mini_app(PAGE, {"id": hostile})
    assert not at.exception, at.exception
    (notice,) = _notices(at)
    assert markdown_injections(notice) == []
    assert len(notice) < 400  # the value is quoted cut short
    assert re.search(r"(?<!\\)<", notice) is None  # an HTML tag is quoted escaped
    assert "\n" not in notice  # on one line: no heading can start
    assert at.selectbox(key="fiche_atelier").value == "T-2019-1"  # the first fiche instead
    assert "<script" not in _fiche(at)


def test_hostile_title_is_escaped_in_the_page(mini_app):
    at = mini_app(PAGE, {"id": "T-2022-1"})
    body = _fiche(at)
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "<img src=x" not in body and body.count("<img ") == 1  # only the small map


# -- the feuille de route (issue 19 §4) ---------------------------------------------------------
@pytest.fixture
def route_app(monkeypatch, tmp_path):
    """The app on the mini register as a workbook whose « Actions » sheet is a feuille de route."""
    import csv
    import io

    import openpyxl
    import streamlit as st

    import atelierflash.ui.data as data
    from tests.app.analytics_helpers import start
    from tests.conftest import MINI_REGISTER, make_mini_referentiel
    from tests.fiche_actions import ACTIONS_CSV

    book = openpyxl.Workbook()
    sheets = (("Registre", MINI_REGISTER), ("Actions", ACTIONS_CSV))
    for i, (title, text) in enumerate(sheets):
        sheet = book.active if i == 0 else book.create_sheet(title)
        sheet.title = title
        for cells in csv.reader(io.StringIO(text)):
            if cells:
                sheet.append(cells)
    path = tmp_path / "registre.xlsx"
    book.save(path)
    monkeypatch.setenv("ATELIERFLASH_REGISTRE", str(path))
    monkeypatch.setattr(data, "load_referentiel", lambda progress=None: make_mini_referentiel())
    st.cache_resource.clear()
    yield start
    st.cache_resource.clear()


def test_the_fiche_shows_its_feuille_de_route_and_offers_it_as_files(route_app):
    at = route_app(PAGE, {"id": "T-2019-1"})
    assert not at.exception
    body = _fiche(at)
    assert "Feuille de route" in body and "2 actions sur 4 engagées" in body
    # The office sees every action, the non-public one said so.
    assert "SECRET-ACTION-NON-PUBLIQUE (fictif)" in body and "(non publiée)" in body
    buttons = {b.proto.label: b for b in at.get("download_button")}
    assert {"Actions de cet atelier (CSV)", "Actions de cet atelier (XLSX)"} <= set(buttons)
    # No actions, no button.
    at = route_app(PAGE, {"id": "T-2021-1"})
    labels = [b.proto.label for b in at.get("download_button")]
    assert not [label for label in labels if label.startswith("Actions")]
    assert "af-feuille-de-route" not in _fiche(at)
