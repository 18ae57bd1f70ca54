"""The static public page opened from disk, alone and inside an iframe of a local test page.

The export of the demonstration register (the real référentiel) is written once; each test
opens it with ``file://`` in Debian's Chromium, so no server is involved and any request that
is not a ``file://`` or ``data:`` URL is a request outside the folder. Every wait polls a
condition in the page.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest

from atelierflash import carte
from atelierflash.filters import FilterState, apply_filters
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.referentiel]

READY = "() => !!(window.AF && AF.publicReady && AF.stats.ready && window.AF_LIEUX)"
FILTERS = "annees=2021-2022&theme=friches"


@pytest.fixture(scope="module")
def demo_dataset():
    from atelierflash.dataset import build_dataset, register_sources
    from atelierflash.programme import load_programme
    from atelierflash.referentiel import load_referentiel

    source = register_sources()["demo"]
    return build_dataset(source, load_referentiel(), load_programme())


@pytest.fixture(scope="module")
def export(demo_dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("publique") / "carte"
    basemap = carte.prepare_basemap(demo_dataset.referentiel)
    prepared = carte.prepare_communes(demo_dataset)
    carte.export_public_map(demo_dataset, basemap, prepared, out, generated=dt.date(2026, 12, 1))
    return out


def _outside(page) -> list[str]:
    return [u for u in page.requests if not u.startswith(("file://", "data:"))]


def _open(page, url: str, frame=None):
    page.goto(url)
    target = frame(page) if frame else page
    target.wait_for_function(READY, timeout=60_000)
    return target


def _expected(dataset, query: str) -> tuple[int, int]:
    params = dict(p.split("=", 1) for p in query.split("&"))
    public = carte.public_ateliers(dataset.ateliers)
    shown = apply_filters(public, FilterState.from_query_params(params))
    links = dataset.atelier_communes
    communes = links.loc[links["atelier_id"].isin(shown["id"]), "code"].nunique()
    return len(shown), communes


def test_filtered_link_opens_that_view_and_the_form_writes_the_address(page, export, demo_dataset):
    url = f"{export.as_uri()}/index.html?{FILTERS}"
    _open(page, url)
    ateliers, communes = _expected(demo_dataset, FILTERS)
    assert 0 < ateliers < len(carte.public_ateliers(demo_dataset.ateliers))
    assert (
        page.locator("#compte")
        .inner_text()
        .startswith(f"{ateliers} atelier{'s' if ateliers > 1 else ''} sur {communes} commune")
    )
    assert page.locator(".af-table tbody tr:not([hidden])").count() == ateliers
    assert page.evaluate("() => AF.stats.polygons") == communes
    assert page.locator("#f-annee-de").input_value() == "2021"
    assert page.locator("#f-theme").input_value() == "friches"
    screenshot(page, "publique-filtres")
    # Changing a filter changes the map, the list and the address, with the app's names.
    page.locator("#f-annee-a").select_option("2024")
    page.wait_for_function("() => location.search.includes('annees=2021-2024')")
    query = "annees=2021-2024&theme=friches"
    wider, wider_communes = _expected(demo_dataset, query)
    assert wider > ateliers
    assert page.locator(".af-table tbody tr:not([hidden])").count() == wider
    assert page.evaluate("() => AF.stats.polygons") == wider_communes
    link = page.locator("#lien-vue").get_attribute("href")
    assert link == f"index.html?{query}"
    # That link, opened anew, shows the same selection.
    _open(page, f"{export.as_uri()}/{link}")
    assert page.locator(".af-table tbody tr:not([hidden])").count() == wider
    assert page.locator("#f-annee-a").input_value() == "2024"
    assert _outside(page) == [] and page.dialogs == []


def test_app_link_with_several_values_and_other_filters(page, export, demo_dataset):
    query = "annees=2021-&famille=territoriales,environnementales&statut=realise"
    _open(page, f"{export.as_uri()}/index.html?{query}")
    ateliers, _ = _expected(demo_dataset, query)
    assert page.locator(".af-table tbody tr:not([hidden])").count() == ateliers
    assert "Plusieurs" in page.locator("#f-famille option:checked").inner_text()
    assert "statut : réalisé" in page.locator("#f-autres").inner_text()


def _accented_commune(dataset) -> tuple[str, str]:
    """A published commune whose name has an accent and a hyphen (the harder search case)."""
    public = carte.public_ateliers(dataset.ateliers)
    links = dataset.atelier_communes
    mine = links[links["atelier_id"].isin(public["id"])].drop_duplicates("code")
    for code, nom in zip(mine["code"], mine["nom"], strict=True):
        if "-" in nom and any(c in nom for c in "éèêÉ") and nom.count(" ") == 0:
            return code, nom
    code, nom = mine.iloc[0][["code", "nom"]]
    return code, nom


def test_commune_search_suggests_and_opens_its_fiche(page, export, demo_dataset):
    _open(page, f"{export.as_uri()}/index.html")
    code, nom = _accented_commune(demo_dataset)
    typed = nom.lower().replace("-", " ")
    for accented, plain in (("é", "e"), ("è", "e"), ("ê", "e")):
        typed = typed.replace(accented, plain)
    search = page.get_by_role("combobox", name="Chercher une commune")
    search.fill(typed)
    option = page.get_by_role("option", name=f"{nom} (")
    option.first.wait_for(timeout=10_000)
    assert search.get_attribute("aria-expanded") == "true"
    search.press("ArrowDown")
    assert search.get_attribute("aria-activedescendant") == "suggestion-0"
    search.press("Enter")
    heading = page.locator("#fiche .af-fiche h2")
    heading.wait_for(timeout=10_000)
    assert heading.inner_text() == f"{nom} ({code})"
    page.wait_for_function("(code) => location.hash === '#commune=' + code", arg=code)
    assert page.evaluate("() => AF.map.getZoom()") >= 8
    # The commune's fiche lists its ateliers, each a link to its own fiche.
    first = page.locator("#fiche .af-liste-ateliers a").first
    title = first.inner_text()
    first.click()
    page.locator("#fiche .af-fiche-atelier h2", has_text=title).wait_for(timeout=10_000)
    assert page.evaluate("() => location.hash").startswith("#atelier=")
    # By INSEE code too.
    search.fill(code)
    page.get_by_role(
        "option",
        name=f"({demo_dataset.communes.set_index('code').at[code, 'departement']}, {code})",
    ).wait_for()
    assert _outside(page) == [] and page.dialogs == []


def test_atelier_link_opens_its_fiche(page, export, demo_dataset):
    public = carte.public_ateliers(demo_dataset.ateliers)
    row = public.iloc[len(public) // 2]
    _open(page, f"{export.as_uri()}/index.html#atelier={quote(row['id'])}")
    fiche = page.locator("#fiche .af-fiche-atelier")
    fiche.wait_for(timeout=10_000)
    assert fiche.locator("h2").inner_text() == row["titre"]
    text = fiche.inner_text()
    for label in (
        "Année de sélection",
        "Statut",
        "Échelle",
        "Thèmes",
        "Territoire",
        "EPCI",
        "Département",
        "Région",
        "Population",
        "Livrables",
        "Source",
    ):
        assert label in text, label
    screenshot(page, "publique-atelier")
    # The list's titles open the same fiches.
    other = public.iloc[0]
    page.locator(".af-table tbody th a", has_text=other["titre"]).first.click()
    page.locator("#fiche .af-fiche-atelier h2", has_text=other["titre"]).wait_for()
    assert page.evaluate("() => location.hash") == f"#atelier={quote(other['id'])}"
    assert _outside(page) == [] and page.dialogs == []


def test_no_axe_violation_in_the_full_page_and_with_a_fiche_open(page, export):
    from axe_playwright_python.sync_playwright import Axe

    _open(page, f"{export.as_uri()}/index.html?{FILTERS}")
    axe = Axe()
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()
    page.locator(".af-table tbody tr:not([hidden]) th a").first.click()
    page.locator("#fiche .af-fiche-atelier").wait_for()
    page.get_by_role("combobox", name="Chercher une commune").fill("sai")
    page.get_by_role("listbox").wait_for()
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()
    assert _outside(page) == []


def test_dsfr_header_and_marianne_are_drawn(page, export):
    _open(page, f"{export.as_uri()}/index.html")
    page.locator("header.fr-header .fr-logo").wait_for()
    assert page.locator("footer.fr-footer").is_visible()
    # Marianne's faces are linked once the map is drawn (dsfr.FACES_SHEET): poll for them.
    page.wait_for_function(
        "() => [...document.fonts].some(f => f.family === 'Marianne' && f.status === 'loaded')"
        " && document.fonts.status === 'loaded'"
    )
    family = page.evaluate("() => getComputedStyle(document.body).fontFamily")
    assert family.startswith("Marianne")
    assert page.evaluate("() => document.fonts.check('16px Marianne')")
    loaded = page.evaluate(
        "() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
    )
    assert "Marianne" in loaded
    # ... through the faces' sheet publique.js links once the map is drawn (index.html has it
    # only for a browser without scripts, in <noscript>).
    assert page.evaluate(
        "() => [...document.head.querySelectorAll('link[rel=stylesheet]')]"
        ".some(l => l.getAttribute('href') === 'dsfr/marianne.css')"
    )
    assert _outside(page) == []


def test_embedded_in_an_iframe_of_a_local_page(page, export, tmp_path):
    host = export.parent / "hote.html"
    host.write_text(
        '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Site du ministère'
        '</title></head><body><h1>Page du site</h1><iframe id="cadre" '
        f'src="carte/index.html?embed=1&amp;{FILTERS.replace("&", "&amp;")}" '
        'title="Carte des Ateliers Flash" width="100%" height="600" style="border:0">'
        "</iframe></body></html>",
        encoding="utf-8",
    )
    page.goto(host.as_uri())
    frame_el = page.locator("#cadre")
    frame_el.wait_for()
    frame = frame_el.element_handle().content_frame()
    frame.wait_for_function(READY, timeout=60_000)
    assert frame.evaluate("() => document.documentElement.classList.contains('af-embed')")
    assert not frame.locator("header.fr-header").is_visible()
    # Compact: the filters and the map fit in the 600 px frame.
    box = frame.locator("#carte").bounding_box()
    frame_box = frame_el.bounding_box()
    assert box["y"] + box["height"] <= frame_box["y"] + 600 + 1
    assert frame.locator("#lien-grand").is_visible()
    grand = frame.locator("#lien-grand").get_attribute("href")
    assert grand == f"index.html?{FILTERS}"
    frame.locator("#f-theme").select_option("")
    frame.wait_for_function("() => !location.search.includes('theme=')")
    assert "embed=1" in frame.evaluate("() => location.search")
    page.set_viewport_size({"width": 1000, "height": 800})
    screenshot(page, "publique-iframe")
    assert _outside(page) == [] and page.dialogs == []


@pytest.fixture(scope="module")
def hostile_export(mini_dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile") / "carte"
    basemap = carte.prepare_basemap(mini_dataset.referentiel)
    carte.export_public_map(mini_dataset, basemap, carte.prepare_communes(mini_dataset), out)
    return out


def test_hostile_titles_fire_no_dialog(page, hostile_export):
    # T-2022-1's title is « <img src=x onerror=alert(1)> (fictif) ».
    _open(page, f"{hostile_export.as_uri()}/index.html#atelier=T-2022-1")
    fiche = page.locator("#fiche .af-fiche-atelier")
    fiche.wait_for()
    assert fiche.locator("h2").inner_text() == "<img src=x onerror=alert(1)> (fictif)"
    page.get_by_role("combobox", name="Chercher une commune").fill("doul")
    page.locator("#recherche-suggestions li").first.click()
    page.locator("#fiche .af-liste-ateliers").wait_for()
    assert "<img src=x onerror=alert(1)> (fictif)" in page.locator("#fiche").inner_text()
    page.goto(
        f"{hostile_export.as_uri()}/index.html#atelier=%3Cimg%20src%3Dx%20onerror%3Dalert(2)%3E"
    )
    page.wait_for_function(READY)
    page.locator("#fiche .af-aide", has_text="Aucun atelier publié").wait_for()
    assert page.locator("img[src='x']").count() == 0
    assert page.dialogs == [] and _outside(page) == []


def test_fiches_are_fetched_when_opened_one_file_at_a_time(page, export, demo_dataset):
    public = carte.public_ateliers(demo_dataset.ateliers).reset_index(drop=True)
    per = carte.publique.FICHES_PER_FILE
    assert len(public) > per  # the demo's fiches span several files
    _open(page, f"{export.as_uri()}/index.html")
    fiche_files = lambda: sorted(u.rsplit("/", 2)[-1] for u in page.requests if "/fiches/" in u)  # noqa: E731
    # The map and the places are there; no fiche was downloaded.
    assert fiche_files() == []
    last = len(public) - 1
    page.locator(".af-table tbody th a", has_text=public.at[last, "titre"]).first.click()
    page.locator("#fiche .af-fiche-atelier h2", has_text=public.at[last, "titre"]).wait_for()
    assert fiche_files() == [f"{last // per}.js"]
    # Another fiche of the same file: nothing more to download.
    neighbour = (last // per) * per
    page.evaluate(
        "(id) => { location.hash = '#atelier=' + encodeURIComponent(id); }",
        public.at[neighbour, "id"],
    )
    page.locator("#fiche .af-fiche-atelier h2", has_text=public.at[neighbour, "titre"]).wait_for()
    assert fiche_files() == [f"{last // per}.js"]
    assert _outside(page) == [] and page.dialogs == []


def test_the_list_still_comes_when_the_map_cannot_be_drawn(page, export, demo_dataset, tmp_path):
    # The list is put under the map by publique.js from liste.js: without Leaflet (a host that
    # lost a file), the page says the map failed and still shows every atelier in the list.
    import shutil

    broken = tmp_path / "carte"
    shutil.copytree(export, broken)
    (broken / "leaflet" / "leaflet.js").unlink()
    page.goto(f"{broken.as_uri()}/index.html")
    ateliers = len(carte.public_ateliers(demo_dataset.ateliers))
    page.wait_for_function(
        f"() => document.querySelectorAll('.af-table tbody tr').length === {ateliers}",
        timeout=60_000,
    )
    assert "La carte n'a pas pu être chargée" in page.locator("#fiche").inner_text()
    assert "Chargement de la liste" not in page.locator("#liste").inner_text()
    assert page.dialogs == []


NEIGHBOURS = """() => {
  // Two communes drawn side by side at a zoom where they have no dots (AF.Shapes draws them
  // on one layer), each with a visible point inside it.
  const keys = Object.keys(AF.polys).filter((k) => !k.includes('@'));
  for (const a of keys) {
    AF.map.fitBounds(AF.polys[a].getBounds(), {animate: false, maxZoom: 10});
    if (AF.map.getZoom() <= 8) continue;
    const pa = AF.pointOf(a);
    if (!pa) continue;
    const view = AF.map.getBounds();
    for (const b of keys) {
      if (b === a || !view.intersects(AF.polys[b].getBounds())) continue;
      const pb = AF.pointOf(b);
      if (pb) return [a, pa, b, pb];
    }
  }
  return null;
}"""


def test_one_pointer_move_from_a_commune_to_the_next_shows_the_next_ones_tooltip(page, export):
    # The communes share one canvas layer (AF.Shapes) and so one tooltip, whose content follows
    # the commune under the pointer: moving straight from one to its neighbour must show the
    # neighbour's, and leaving them for a point with no commune must close it.
    _open(page, f"{export.as_uri()}/index.html")
    found = page.evaluate(NEIGHBOURS)
    assert found, "aucune paire de communes voisines dessinées"
    first, at_first, second, at_second = found
    box = page.locator("#carte").bounding_box()
    tooltip = page.locator(".af-tooltip")
    ready = "() => !AF.map.getRenderer(AF.dots)._mouseHoverThrottled"
    for code, at in ((first, at_first), (second, at_second), (first, at_first)):
        page.wait_for_function(ready)
        page.mouse.move(box["x"] + at["x"], box["y"] + at["y"])
        tooltip.filter(has_text=f"({code})").wait_for(timeout=10_000)
        assert tooltip.count() == 1
    # A point of the map where no commune is drawn (under no control): the tooltip closes.
    empty = page.evaluate(
        """() => { const size = AF.map.getSize();
        for (let y = 60; y < size.y - 60; y += 10) for (let x = size.x - 60; x > 60; x -= 10) {
          const p = L.point(x, y), layer = AF.map.containerPointToLayerPoint(p);
          const hit = [AF.polys[Object.keys(AF.polys)[0]].layer, AF.dots].some(
            (l) => AF.map.hasLayer(l) && l.shapeAt(layer));
          const el = document.elementFromPoint(
            AF.map.getContainer().getBoundingClientRect().left + x,
            AF.map.getContainer().getBoundingClientRect().top + y);
          if (!hit && el && el.tagName === 'CANVAS') return {x, y};
        } return null; }"""
    )
    assert empty, "aucun point hors des communes"
    page.wait_for_function(ready)
    page.mouse.move(box["x"] + empty["x"], box["y"] + empty["y"])
    tooltip.first.wait_for(state="detached", timeout=10_000)
    assert _outside(page) == [] and page.dialogs == []
