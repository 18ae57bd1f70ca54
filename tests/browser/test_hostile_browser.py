"""Every page in Chromium with a hostile register, file name and address (issue 9).

The server reads a register whose cells and file name are Markdown and formula traps; each page
is opened with hostile query parameters. Nothing may render beyond text (no image, link or KaTeX
element from them), no exception box may show, and the browser may not request anything outside
the app's origin.
"""

from __future__ import annotations

import os
from urllib.parse import urlencode, urlparse

import pytest

from tests.browser.conftest import ROOT, screenshot
from tests.conftest import HOST, HOSTILE_FILE_NAME, HOSTILE_QUERIES, hostile_register_text

pytestmark = pytest.mark.browser

#: The map's own counters (static/carte/carte.js): polygons drawn.
MAP_DRAWN = (
    "() => !!(window.AF && AF.stats.ready && (AF.stats.polygons > 0 || AF.stats.overview > 0))"
)
#: Path → the title each page shows once it has run.
PAGES = {
    "": "Ateliers Flash : vue d'ensemble",
    "carte": "Carte des Ateliers Flash",
    "thematiques": "Thématiques des ateliers",
    "selection-annuelle": "Sélection annuelle",
    "equipes": "Équipes et tourniquet",
    "atelier": "Fiche d'un atelier",
    "integrer": "Intégrer la carte publique",
    "donnees": "Données du registre",
}


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    """The app on the hostile register (real référentiel), on its own free port."""
    from benchmarks.servers import streamlit_server

    folder = tmp_path_factory.mktemp("hostile")
    register = folder / HOSTILE_FILE_NAME
    register.write_text(hostile_register_text(), encoding="utf-8")
    env = {**os.environ, "ATELIERFLASH_REGISTRE": str(register)}
    # Its own store, so its public page has its own folder of static/publique/ (the other
    # servers' pages are never overwritten).
    with streamlit_server(ROOT / "app.py", env, folder / "server.log") as url:
        yield url


def _open(page, url: str, title: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name=title).first.wait_for(timeout=180_000)
    page.get_by_text("Fichier :").first.wait_for(timeout=60_000)  # app.py's sidebar ran
    page.wait_for_load_state("networkidle")


#: Links and images whose target is the hostile host (resolved as the browser does: a link to
#: ``#atelier==HYPERLINK("http://evil.example…")`` stays on the page and is no injection).
_HOSTILE_TARGETS = """host => [...document.querySelectorAll('a[href], img[src], link[href]')]
    .filter(e => new URL(e.getAttribute('href') || e.getAttribute('src'), document.baseURI)
        .host === host)
    .map(e => e.outerHTML.slice(0, 120))"""


def _injected(page) -> list[str]:
    """Elements a hostile text would have created, in the page and in its frames."""
    found = []
    for frame in page.frames:
        found.extend(frame.evaluate(_HOSTILE_TARGETS, HOST))
        for selector in (".katex", "math"):
            count = frame.locator(selector).count()
            if count:
                found.append(f"{selector} ×{count} ({frame.url[:60]})")
    return found


def _foreign(page, url: str) -> list[str]:
    origin = urlparse(url).netloc
    return [u for u in page.requests if urlparse(u).netloc not in (origin, "")]


@pytest.mark.parametrize("query", list(HOSTILE_QUERIES))
@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_stays_text_with_hostile_inputs(page, hostile_url, path, query):
    url = f"{hostile_url}/{path}?{urlencode(HOSTILE_QUERIES[query])}"
    _open(page, url, PAGES[path])
    assert page.locator('[data-testid="stException"]').count() == 0
    assert _injected(page) == []
    assert page.requests, "no request recorded"
    assert _foreign(page, hostile_url) == []
    assert page.dialogs == []
    # The hostile file name is shown, as text.
    assert page.get_by_text(HOSTILE_FILE_NAME, exact=False).count() >= 1


def test_accueil_opens_the_home_page(page, app_url):
    _open(page, f"{app_url}/accueil", PAGES[""])
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0


def test_crafted_commune_link_is_shown_as_text(page, app_url):
    """The must-show of issue 9: the text literally, no request outside the app."""
    hostile = f"![t](http://{HOST}/q.png)"
    _open(page, f"{app_url}/carte?{urlencode({'commune': hostile})}", PAGES["carte"])
    warning = page.get_by_text("Aucune commune ne correspond à").first
    warning.wait_for(timeout=60_000)
    # Shown as typed (an invisible word joiner keeps « :// » from becoming a link).
    assert warning.inner_text().replace("\u2060", "") == (
        f"Aucune commune ne correspond à « {hostile} »."
    )
    frame = page.locator('iframe[title="streamlit_folium.st_folium"]').element_handle()
    frame.content_frame().wait_for_function(MAP_DRAWN, timeout=120_000)
    warning.scroll_into_view_if_needed()
    assert _injected(page) == []
    assert _foreign(page, app_url) == []
    path = screenshot(page, "issue9-carte-hostile")
    assert path.stat().st_size > 10_000
