"""The fiche page and the app's font in Debian's Chromium: Marianne, print styles, the PDF."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_fiche_page_uses_marianne_prints_the_fiche_and_downloads_its_pdf(page, app_url):
    page.goto(f"{app_url}/atelier?id=DEMO-2021-005")
    fiche = page.locator(".af-fiche-atelier")
    fiche.wait_for(timeout=180_000)
    assert "DEMO-2021-005" in fiche.inner_text()
    # The small map of its communes, an SVG image with its text alternative.
    image = fiche.locator("img.af-svg")
    assert image.count() == 1
    assert image.get_attribute("alt").startswith("Carte des communes de l'atelier : Busloup")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    page.wait_for_function("() => document.fonts.check('16px Marianne')", timeout=30_000)
    family = page.evaluate(
        "() => getComputedStyle(document.querySelector('[data-testid=stMarkdownContainer], "
        "h1')).fontFamily"
    )
    assert family.startswith("Marianne"), family
    screenshot(page, "fiche-atelier")
    # Printing shows the fiche alone.
    page.emulate_media(media="print")
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert fiche.is_visible()
    page.emulate_media(media="screen")
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Fiche synthétique (PDF)").click()
    path = download.value.path()
    assert download.value.suggested_filename == "fiche_DEMO-2021-005_FICTIF.pdf"
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    origin = urlparse(app_url).netloc
    assert [u for u in page.requests if urlparse(u).netloc not in (origin, "")] == []
