"""The feuille de route in Debian's Chromium: the public page's fiche and the app's fiche page.

The demonstration register's fictional feuilles de route hold public and non-public actions.
On the public page (the export opened from disk), a fiche shows its atelier's public actions
only: a non-public action's text is in no element of the page and in no file the page loaded.
Every wait polls a condition in the page.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

import pytest

from atelierflash import carte
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.referentiel]

READY = "() => !!(window.AF && AF.publicReady && AF.stats.ready && window.AF_LIEUX)"


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


@pytest.fixture(scope="module")
def mixed(demo_dataset):
    """A public atelier whose feuille de route has public and non-public actions.

    Returns its id, its public actions' texts and the texts of its non-public actions that
    none of its public actions shares.
    """
    public = set(carte.public_ateliers(demo_dataset.ateliers)["id"])
    actions = demo_dataset.actions
    for atelier, group in actions[actions["atelier"].isin(public)].groupby("atelier"):
        flags = group["public"].astype(bool)
        shown = group.loc[flags, "action"].tolist()
        hidden = [t for t in group.loc[~flags, "action"] if t not in shown]
        if len(shown) >= 2 and hidden:
            return atelier, shown, hidden
    pytest.fail("the demonstration register has no public atelier with a non-public action")


def test_the_public_fiche_shows_public_actions_only(page, export, mixed):
    atelier, shown, hidden = mixed
    page.goto(f"{export.as_uri()}/index.html#atelier={quote(atelier)}")
    page.wait_for_function(READY, timeout=60_000)
    route = page.locator("#fiche .af-feuille-de-route")
    route.wait_for(timeout=10_000)
    texts = route.locator(".af-action-texte").all_inner_texts()
    assert texts == shown
    assert route.locator(".af-avancement").inner_text().endswith(".")
    assert route.locator(".af-statut").count() == len(shown)
    html = page.content()
    assert "non publiée" not in html
    for text in hidden:
        assert text not in html
    # Nor in any file the page loaded (all of them from the export's folder). A fiche file
    # holds other ateliers' fiches, whose public actions may share a text: this atelier's
    # fiche is the one read there.
    loaded = [u for u in page.requests if u.startswith("file://")]
    fiche_files = [u for u in loaded if "/fiches/" in u]
    assert len(fiche_files) == 1
    for url in loaded:
        body = Path(unquote(urlparse(url).path)).read_text(encoding="utf-8", errors="replace")
        if url in fiche_files:
            part = json.loads(body[body.index("[") : body.rindex("]") + 1])
            (body,) = [f for f in part if f'id="atelier-{atelier}"' in f]
        for text in hidden:
            assert text not in body, url
    assert [u for u in page.requests if not u.startswith(("file://", "data:"))] == []
    route.evaluate("el => el.scrollIntoView({block: 'start'})")
    screenshot(page, "publique-fiche-actions")


def test_no_axe_violation_with_a_fiche_and_its_actions_open(page, export, mixed):
    from axe_playwright_python.sync_playwright import Axe

    atelier, _, _ = mixed
    page.goto(f"{export.as_uri()}/index.html#atelier={quote(atelier)}")
    page.wait_for_function(READY, timeout=60_000)
    page.locator("#fiche .af-feuille-de-route .af-statut").first.wait_for(timeout=10_000)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_the_app_fiche_shows_every_action_and_axe_finds_nothing(page, app_url, mixed):
    from axe_playwright_python.sync_playwright import Axe

    atelier, shown, hidden = mixed
    page.goto(f"{app_url}/atelier?id={quote(atelier)}")
    route = page.locator(".af-fiche-atelier .af-feuille-de-route")
    route.wait_for(timeout=180_000)
    texts = route.locator(".af-action-texte").all_inner_texts()
    # The office sees the whole feuille de route, the non-public actions said so.
    assert set(shown + hidden) <= set(texts) and len(texts) > len(shown)
    assert route.locator(".af-interne").count() == len(texts) - len(shown)
    page.get_by_role("button", name="Actions de cet atelier (CSV)").wait_for()
    results = Axe().run(page, context={"include": [[".af-fiche-atelier"]]})
    assert results.violations_count == 0, results.generate_report()
    route.evaluate("el => el.scrollIntoView({block: 'start'})")
    screenshot(page, "app-fiche-actions")
