"""AppTest of the fiche page: ?id= opens a fiche, the choice is kept in the address, downloads."""

from __future__ import annotations

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


def test_non_public_and_unknown_ids_are_explained_never_shown(mini_app):
    at = mini_app(PAGE, {"id": "T-2026-1"})  # a candidature
    assert any("n'est pas publiable" in w.value for w in at.warning)
    assert "Candidature Privas" not in _fiche(at)
    at = mini_app(PAGE, {"id": "<script>"})
    assert any("Aucun atelier de ce registre" in w.value for w in at.warning)
    assert "<script>" not in _fiche(at)


def test_hostile_title_is_escaped_in_the_page(mini_app):
    at = mini_app(PAGE, {"id": "T-2022-1"})
    body = _fiche(at)
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "<img src=x" not in body and body.count("<img ") == 1  # only the small map
