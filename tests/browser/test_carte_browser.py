"""The map page in Debian's Chromium: drawn offline, clickable, searchable, safe, same-origin.

Every wait polls a condition (Playwright ``wait_for`` / ``wait_for_function``); the one check
of an absence (no message to the server after a pan and a zoom) polls until streamlit-folium's
250 ms debounce has surely elapsed after the last ``moveend``.
"""

from __future__ import annotations

import csv
import os
import time
from urllib.parse import urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from benchmarks.servers import streamlit_server
from tests.browser.conftest import ROOT, pick_option, screenshot

pytestmark = pytest.mark.browser

READY = "() => !!(window.AF && AF.stats.ready && (AF.stats.polygons > 0 || AF.stats.overview > 0))"

HEADER = [
    "id",
    "titre",
    "annee",
    "statut",
    "echelle",
    "communes_insee",
    "themes",
    "equipe",
    "pilote",
    "livrables",
    "description",
    "source_url",
    "notes_internes",
]
HOSTILE_ROWS = [
    [
        "X-1",
        "<img src=x onerror=alert(1)>",
        "2022",
        "réalisé",
        "communale",
        "80253",
        "Aménagement des friches",
        "POLAU",
        "<svg onload=alert(5)>",
        "Feuille de route : javascript:alert(6)",
        "<b onmouseover=alert(7)>gras</b>",
        "javascript:alert(4)",
        "note interne secrète",
    ],
    [
        "X-2",
        "<script>alert(2)</script>",
        "2023",
        "réalisé",
        "bâtiment/îlot",
        "80001",
        "Gestion des risques",
        "Ville Ouverte",
        "DDTM 80",
        "",
        "",
        "https://example.org/x",
        "",
    ],
    [
        "X-3",
        '"><svg onload=alert(3)> {{ 7*7 }}',
        "2024",
        "en cours",
        "communale",
        "97411",
        "Adaptation de l'offre de logements",
        "Atelier de l'Ourcq",
        "DEAL 974",
        "",
        "",
        "",
        "",
    ],
]


def _own_origin(page, app_url: str) -> list[str]:
    origin = urlparse(app_url).netloc
    return [u for u in page.requests if urlparse(u).netloc not in (origin, "")]


def _open_map(page, url: str):
    """Open the page; return the map's frame once polygons are drawn and the page is whole.

    A session's first page draws the map alone, then the rest once the map has said it drew
    (``ui.progressif``): the list under the map is the page's last element.
    """
    page.goto(url)
    iframe = page.locator('iframe[title="streamlit_folium.st_folium"]')
    iframe.wait_for(timeout=180_000)
    frame = iframe.element_handle().content_frame()
    frame.wait_for_function(READY, timeout=120_000)
    page.locator(".af-liste table").wait_for(timeout=120_000)
    return iframe, frame


#: In the map's frame: what the page around it holds when the map has drawn, at the moment its
#: code calls ``AF.report`` to say so (the frame and the page share an origin, so the frame can
#: read the page). The note is taken before the message leaves: nothing can have answered it.
NOTE_PAGE_AT_DRAW = """
if (window.top !== window) {
  const AF = (window.AF = window.AF || {});
  let report;
  Object.defineProperty(AF, "report", {
    configurable: true,
    get() { return report; },
    set(original) {
      report = function () {
        const count = (s) => window.parent.document.querySelectorAll(s).length;
        window.afPageAtDraw = window.afPageAtDraw || {
          drawn: !!AF.stats.ready,
          filters: count('[data-testid="stMultiSelect"]'),
          controls: count('[data-testid="stSelectbox"]'),
          list: count('.af-liste'),
          downloads: count('[data-testid="stDownloadButton"]'),
        };
        return original.apply(this, arguments);
      };
    },
  });
}
"""


def _map_box(iframe) -> dict:
    """The map's box in the viewport, once scrolled into view (mouse events need it)."""
    iframe.scroll_into_view_if_needed()
    return iframe.bounding_box()


def _point(frame, key: str) -> dict:
    """Zoom to a drawn commune (a few pixels wide at national scale) and give a point inside."""
    frame.evaluate(
        "(key) => { AF.map.fitBounds(AF.polys[key].getBounds(), {animate: false, maxZoom: 10}); }",
        key,
    )
    point = frame.evaluate("(key) => AF.pointOf(key)", key)
    assert point, f"commune {key} absente de la carte"
    return point


def _hover(page, box: dict, frame, key: str) -> None:
    """Move the mouse over a drawn commune, once Leaflet will see the move.

    Leaflet's canvas renderer ignores a mouse move that comes within 32 ms of the last one it
    handled (``_mouseHoverThrottled``): moving straight from one commune's tooltip to the next,
    as a fast, unloaded machine does, lands in that window and no tooltip ever opens. Poll for
    the renderer to accept moves again first (a state, not a sleep).
    """
    point = _point(frame, key)
    frame.wait_for_function("(key) => !AF.polys[key]._renderer._mouseHoverThrottled", arg=key)
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])


def _click_commune(page, iframe, frame, key: str) -> None:
    box = _map_box(iframe)
    point = _point(frame, key)
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


@pytest.fixture(scope="module")
def xss_url(tmp_path_factory, chromium_executable):
    """A second app whose register is made of hostile titles on real communes."""
    folder = tmp_path_factory.mktemp("xss")
    register = folder / "registre_hostile.csv"
    with register.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *HOSTILE_ROWS])
    env = {**os.environ, "ATELIERFLASH_REGISTRE": str(register)}
    # Its own store (the server starter gives each server one): its public page is exported
    # into its own folder of static/publique/, never into the demonstration server's.
    with streamlit_server(ROOT / "app.py", env, folder / "server.log") as url:
        yield url


def test_demo_map_draws_communes_and_insets_from_the_app_only(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 1700})  # the whole map in the screenshot
    page.goto(app_url)  # the home page first: the app's navigation is then known to the server
    page.get_by_text("Chiffres du registre").wait_for(timeout=180_000)
    _, frame = _open_map(page, f"{app_url}/carte")
    stats = frame.evaluate("() => AF.stats")
    assert stats["basemap"] and stats["polygons"] > 100
    # The five DROM insets, labelled and clickable, with the overseas ateliers drawn inside.
    labels = frame.locator(".af-inset-label")
    assert labels.count() == 5
    assert sorted(labels.all_inner_texts()) == [
        "Guadeloupe",
        "Guyane",
        "La Réunion",
        "Martinique",
        "Mayotte",
    ]
    assert (
        frame.evaluate("() => Object.keys(AF.polys).filter(k => k.endsWith('@inset')).length") > 0
    )
    legend = frame.locator(".af-legend")
    assert "Famille de thèmes" in legend.inner_text()
    # Poll for what the screenshot shows (the last elements of the page, fonts), not for an idle
    # network: one slow request under load is not the page's state.
    page.locator(".af-liste table").wait_for(timeout=60_000)
    page.get_by_text("Carte publique à intégrer au site du ministère").wait_for(timeout=60_000)
    page.wait_for_function("() => document.fonts.status === 'loaded'", timeout=30_000)
    shot = screenshot(page, "carte")
    assert shot.stat().st_size > 50_000
    assert any(u.endswith("/app/static/leaflet/carte-bundle.js") for u in page.requests)
    # The bundle brings its style sheet: Leaflet's panes are styled, its images resolved.
    assert not any(u.endswith(".css") and "/leaflet/" in u for u in page.requests)
    assert (
        frame.evaluate("() => getComputedStyle(document.querySelector('.leaflet-pane')).position")
        == "absolute"
    )
    assert _own_origin(page, app_url) == [], "requêtes hors de l'origine de l'application"
    assert page.dialogs == []


@pytest.mark.parametrize(
    "query",
    [
        "annees=2021-",
        # Values the page ignores, each with a notice: the notices come and go between runs,
        # never above the map (a map moved in the page's tree is mounted again).
        "annees=2021-&couleur=%3Ared%5Bx%5D&vue=%24y%24&registre=%5Br%5D&theme=%24x%24",
    ],
    ids=["filtres", "valeurs-ignorees"],
)
def test_a_session_opening_on_the_map_gets_the_map_first_then_the_whole_page(page, app_url, query):
    page.add_init_script(NOTE_PAGE_AT_DRAW)
    _, frame = _open_map(page, f"{app_url}/carte?{query}")  # returns once the page is whole
    # When the map drew, the page held no other widget: their code did not compete with it. The
    # whole page then came around the same map: a reloaded frame would have noted a whole page.
    frame.wait_for_function("() => !!window.afPageAtDraw", timeout=10_000)
    at_draw = frame.evaluate("() => window.afPageAtDraw")
    assert at_draw == {"drawn": True, "filters": 0, "controls": 0, "list": 0, "downloads": 0}
    assert frame.evaluate("() => AF.stats.reported") is True  # the map said it drew
    for widget in ("stMultiSelect", "stDownloadButton"):
        page.locator(f'[data-testid="{widget}"]').first.wait_for(state="attached", timeout=60_000)
    page.get_by_role("combobox", name="Couleur des communes").wait_for(timeout=60_000)
    page.get_by_role("combobox", name="Registre affiché").wait_for(timeout=60_000)
    # The filters of the address hold in the whole page, and the address keeps them.
    page.get_by_text("après filtres").wait_for(timeout=60_000)
    assert "annees=2021-" in page.url
    assert frame.evaluate("() => AF.stats.ready") is True  # the same frame, still there
    if "couleur" in query:  # the whole page says what the address held that was ignored
        for name in ("couleur", "vue", "registre", "theme"):
            page.get_by_text(f"du paramètre « {name} »").wait_for(timeout=60_000)
    assert _own_origin(page, app_url) == []


def test_a_map_that_never_says_it_drew_still_gets_the_whole_page(page, app_url):
    # streamlit-folium's frame without its global Streamlit object: the map's code cannot say
    # it drew (as when its frame fails); the page's timer completes it.
    page.add_init_script(
        "if (window.top !== window) Object.defineProperty(window, 'Streamlit', "
        "{get() { return undefined; }, set(value) {}, configurable: true});"
    )
    _, frame = _open_map(page, f"{app_url}/carte")
    assert frame.evaluate("() => AF.stats.reported") is None
    page.get_by_role("combobox", name="Couleur des communes").wait_for(timeout=60_000)
    page.locator('[data-testid="stMultiSelect"]').first.wait_for(state="attached", timeout=60_000)


def test_click_opens_fiche_and_pan_zoom_never_reach_the_server(page, app_url):
    iframe, frame = _open_map(page, f"{app_url}/carte")
    # The map's one message on drawing (the page drawn whole after it) is behind us.
    frame.wait_for_function("() => AF.stats.reported === true", timeout=10_000)
    # Count what the map sends to the app (streamlit-folium's setComponentValue).
    frame.evaluate(
        """() => {
            window.afSent = [];
            const original = window.Streamlit.setComponentValue;
            window.Streamlit.setComponentValue = (value) => {
                window.afSent.push(Object.keys(value));
                return original.call(window.Streamlit, value);
            };
            window.afLastMove = performance.now();
            AF.map.on('moveend', () => { window.afLastMove = performance.now(); });
        }"""
    )
    box = _map_box(iframe)
    page.mouse.move(box["x"] + 300, box["y"] + 300)
    page.mouse.down()
    page.mouse.move(box["x"] + 240, box["y"] + 260, steps=6)
    page.mouse.up()
    page.mouse.wheel(0, -240)
    frame.wait_for_function("() => performance.now() - window.afLastMove > 800", timeout=10_000)
    assert frame.evaluate("() => window.afSent") == []  # no rerun for a pan or a zoom
    frame.evaluate("() => AF.home()")
    key = frame.evaluate(
        "() => Object.keys(AF.polys).find(k => !k.includes('@') && AF.pointOf(k) !== null)"
    )
    _click_commune(page, iframe, frame, key)
    fiche = page.locator(".af-fiche")
    fiche.wait_for(timeout=60_000)
    assert f"({key})" in fiche.locator("h2").inner_text()
    assert fiche.locator(".af-atelier").count() >= 1
    # One message, for the click, carrying only the clicked layer (no bounds, no zoom).
    assert frame.evaluate("() => window.afSent") == [
        ["last_object_clicked", "last_object_clicked_tooltip"]
    ]
    assert _own_origin(page, app_url) == []


def test_a_click_with_no_hover_before_it_opens_the_fiche(page, app_url):
    # As on a touch screen: the click is the first event the commune gets. Its tooltip, made
    # when first needed (carte.js, lazyTooltips), must be there before streamlit-folium reads it.
    _, frame = _open_map(page, f"{app_url}/carte")
    frame.wait_for_function("() => AF.stats.reported === true", timeout=10_000)
    key = frame.evaluate(
        "() => Object.keys(AF.polys).find(k => !k.includes('@') && AF.pointOf(k) !== null)"
    )
    point = _point(frame, key)
    assert frame.evaluate("(key) => AF.polys[key].getTooltip() === undefined", key)
    frame.evaluate(
        """([x, y]) => {
            const canvas = AF.map.getPanes().overlayPane.querySelector('canvas');
            const box = AF.map.getContainer().getBoundingClientRect();
            const at = {clientX: box.left + x, clientY: box.top + y, bubbles: true};
            canvas.dispatchEvent(new MouseEvent('click', at));
        }""",
        [point["x"], point["y"]],
    )
    fiche = page.locator(".af-fiche")
    fiche.wait_for(timeout=60_000)
    assert f"({key})" in fiche.locator("h2").inner_text()


def test_list_and_fiche_under_our_control_have_no_axe_violation(page, app_url):
    from axe_playwright_python.sync_playwright import Axe

    iframe, frame = _open_map(page, f"{app_url}/carte")
    table = page.locator(".af-liste table")
    table.wait_for(timeout=60_000)
    # A real table: caption, column headers, one row header per atelier linking to its fiche.
    assert table.locator("caption").inner_text().startswith("Ateliers de la sélection, 1 à 25 sur")
    assert table.locator("tbody th[scope=row] a").count() == 25
    key = frame.evaluate(
        "() => Object.keys(AF.polys).find(k => !k.includes('@') && AF.pointOf(k) !== null)"
    )
    _click_commune(page, iframe, frame, key)
    page.locator(".af-fiche").wait_for(timeout=60_000)
    axe = Axe()
    for ours in (".af-liste", ".af-fiche"):
        results = axe.run(page, context=ours)
        assert results.violations_count == 0, results.generate_report()
    # The next page of the list, chosen with the keyboard-usable select.
    pages = page.locator('[data-testid="stSelectbox"]').filter(has_text="Page de la liste")
    shown = int(table.locator("caption").inner_text().split(" sur ")[1].split(" ")[0])
    pick_option(page, pages, f"Page 2 sur {-(-shown // 25)}")
    page.locator("caption", has_text="26 à").wait_for(timeout=60_000)
    assert _own_origin(page, app_url) == []


def test_search_zooms_to_the_commune_and_says_if_it_had_an_atelier(page, app_url):
    _, frame = _open_map(page, f"{app_url}/carte")
    national_zoom = frame.evaluate("() => AF.map.getZoom()")
    search = page.get_by_role("searchbox", name="Rechercher une commune")
    search.fill("Doullens")
    search.press("Enter")
    page.get_by_text("Doullens (80, 80253)").first.wait_for(timeout=60_000)
    frame.wait_for_function("() => (AF.focused || '').startsWith('80253')", timeout=60_000)
    view = frame.evaluate(
        "() => ({zoom: AF.map.getZoom(), inside: AF.map.getBounds().contains([50.157, 2.34])})"
    )
    assert view["zoom"] >= national_zoom + 4 and view["inside"]
    # The address comes in its own message, which may follow the map's: wait for it too.
    page.wait_for_function("() => location.search.includes('commune=80253')", timeout=10_000)
    assert _own_origin(page, app_url) == []


def test_inset_click_zooms_to_the_true_position(page, app_url):
    iframe, frame = _open_map(page, f"{app_url}/carte")
    _map_box(iframe)
    frame.locator(".af-inset-label", has_text="Guyane").click()
    frame.wait_for_function(
        "() => AF.map.getBounds().contains([4.93, -52.33]) && AF.map.getZoom() >= 6",
        timeout=10_000,
    )
    assert _own_origin(page, app_url) == []


def test_hostile_titles_stay_text_and_fire_no_dialog(page, xss_url):
    iframe, frame = _open_map(page, f"{xss_url}/carte?registre=env")
    assert frame.evaluate("() => AF.stats.polygons") == 3
    titles = {
        "80253": "<img src=x onerror=alert(1)>",
        "80001": "<script>alert(2)</script>",
        "97411@inset": '"><svg onload=alert(3)> {{ 7*7 }}',
    }
    box = _map_box(iframe)
    for key, title in titles.items():
        _hover(page, box, frame, key)
        frame.locator(".af-tooltip", has_text=title).wait_for(timeout=10_000)
    _click_commune(page, iframe, frame, "80253")
    fiche = page.locator(".af-fiche")
    fiche.wait_for(timeout=60_000)
    text = fiche.inner_text()
    assert "<img src=x onerror=alert(1)>" in text
    assert "<svg onload=alert(5)>" in text and "<b onmouseover=alert(7)>gras</b>" in text
    assert "note interne secrète" not in text
    # javascript: addresses are never links; the only link is the atelier's own fiche page.
    hrefs = [a.get_attribute("href") for a in fiche.locator("a").all()]
    assert hrefs == ["atelier?id=X-1"]
    _click_commune(page, iframe, frame, "97411")
    page.get_by_text('"><svg onload=alert(3)> {{ 7*7 }}').first.wait_for(timeout=60_000)
    table = page.locator(".af-liste table")
    table.wait_for(timeout=60_000)
    assert "<img src=x onerror=alert(1)>" in table.inner_text()  # the list shows it as text
    assert page.locator("img[src='x']").count() == 0
    assert frame.locator("img[src='x'], svg[onload]").count() == 0
    assert page.dialogs == []
    screenshot(page, "carte_registre_hostile")
    assert _own_origin(page, xss_url) == []


def _open_public(page, app_url: str, query: str = "") -> str:
    """From the map page, follow the « carte publique » link; returns the public page's URL."""
    page.goto(f"{app_url}/carte{query}")
    expander = page.locator('[data-testid="stExpander"]').filter(
        has_text="Carte publique à intégrer au site du ministère"
    )
    header = expander.get_by_text("Carte publique à intégrer au site du ministère")
    body = expander.locator('[data-testid="stExpanderDetails"]')  # inert while folded
    link = page.get_by_role("link", name="Ouvrir la carte publique")
    # A rerun of the page (the map's first value coming back) can redraw the expander closed on
    # a loaded machine: poll its state and reopen it until its link shows (never a blind click,
    # which would close an expander that is open and still exporting).
    deadline = time.monotonic() + 180
    while not link.is_visible():
        assert time.monotonic() < deadline, "le lien de la carte publique ne s'affiche pas"
        body.wait_for(state="attached", timeout=180_000)
        if body.get_attribute("inert") is not None:
            header.click()
        try:
            link.wait_for(timeout=10_000)
        except PlaywrightTimeoutError:
            continue
    url = link.get_attribute("href")
    assert url.startswith(app_url) and url.endswith("/index.html"), url
    page.goto(url)
    page.wait_for_function(READY, timeout=60_000)
    return url


def _click_public(page, key: str) -> None:
    point = _point(page, key)  # the public page draws in its main frame
    box = page.locator("#carte").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def test_public_page_draws_offline_opens_fiches_and_stays_on_its_origin(page, app_url):
    url = _open_public(page, app_url)
    stats = page.evaluate("() => AF.stats")
    assert stats["basemap"] and stats["polygons"] > 100
    assert page.locator(".af-inset-label").count() == 5
    assert "Données de démonstration fictives" in page.locator(".af-fictif").inner_text()
    rows = page.locator(".af-table tbody tr")
    page.wait_for_function("() => !!window.AF_LIEUX", timeout=30_000)
    assert rows.count() == page.evaluate("() => AF_LIEUX.ids.length") > 100
    key = page.evaluate(
        "() => Object.keys(AF.polys).find(k => !k.includes('@') && AF.pointOf(k) !== null)"
    )
    _click_public(page, key)
    fiche = page.locator("#fiche .af-fiche")
    fiche.wait_for(timeout=10_000)
    assert f"({key})" in fiche.locator("h2").inner_text()
    assert fiche.locator(".af-liste-ateliers li a").count() >= 1  # links to atelier fiches
    page.set_viewport_size({"width": 1400, "height": 1300})
    screenshot(page, "carte-publique")
    assert page.url.endswith(f"#commune={key}")  # the open fiche is in the address
    fiche.get_by_role("button", name="Fermer la fiche").click()
    page.locator("#fiche .af-aide").wait_for(timeout=10_000)
    assert "#" not in page.url
    # Opening that address (a new visit) zooms to the commune and opens its fiche.
    page.goto("about:blank")
    page.goto(f"{url}#commune={key}")
    page.locator("#fiche .af-fiche h2", has_text=f"({key})").wait_for(timeout=30_000)
    assert page.evaluate("() => AF.map.getZoom()") >= 8
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV", exact=True).click()
    assert download.value.suggested_filename == "ateliers_flash_registre_FICTIF.csv"
    # The feuilles de route's public actions download beside it, fiction marked in the name.
    with page.expect_download() as download:
        page.get_by_role("link", name="actions des feuilles de route (CSV)").click()
    assert download.value.suggested_filename == "actions_flash_registre_FICTIF.csv"
    origin = urlparse(url).netloc
    assert [u for u in page.requests if urlparse(u).netloc not in (origin, "")] == []
    assert page.dialogs == []


def test_public_page_keeps_hostile_titles_as_text(page, xss_url):
    _open_public(page, xss_url, "?registre=env")
    _click_public(page, "80253")
    fiche = page.locator("#fiche .af-fiche")
    fiche.wait_for(timeout=10_000)
    assert "<img src=x onerror=alert(1)>" in fiche.inner_text()
    # The commune's fiche lists its ateliers; each opens its own fiche (#atelier=…).
    fiche.get_by_role("link", name="<img src=x onerror=alert(1)>").click()
    atelier = page.locator("#fiche .af-fiche-atelier")
    atelier.wait_for(timeout=10_000)
    text = atelier.inner_text()
    assert "<img src=x onerror=alert(1)>" in text and "<svg onload=alert(5)>" in text
    assert "note interne secrète" not in text
    assert atelier.locator("a").count() == 0  # javascript: addresses are never links
    assert page.url.endswith("#atelier=X-1")
    table = page.locator(".af-table").inner_text()
    assert "<script>alert(2)</script>" in table and '"><svg onload=alert(3)> {{ 7*7 }}' in table
    assert page.locator("img[src='x']").count() == 0
    assert page.dialogs == []
