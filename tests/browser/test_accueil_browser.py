"""The home page in a real browser: it renders the demo figures and calls no third party."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_home_page_renders_demo_banner_and_figures(page, app_url):
    # Runs first on a fresh server: a deep link must still go through app.py (banner, selector).
    page.goto(f"{app_url}/accueil")
    page.get_by_text("Données de démonstration fictives").wait_for(timeout=180_000)
    page.get_by_text("Registre affiché").first.wait_for(timeout=60_000)
    page.get_by_text("Chiffres officiels publiés").wait_for(timeout=60_000)
    # Poll for the metric itself: elements stream in, and a cold référentiel build comes first.
    metric = page.locator('[data-testid="stMetric"]', has_text="dont réalisés").first
    metric.wait_for(timeout=120_000)
    assert "114" in metric.inner_text()
    path = screenshot(page, "accueil")
    assert path.stat().st_size > 10_000


def test_home_page_requests_only_its_own_origin(page, app_url):
    page.goto(f"{app_url}/accueil")
    page.get_by_text("Chiffres du registre").wait_for(timeout=180_000)
    page.wait_for_load_state("networkidle")
    origin = urlparse(app_url).netloc
    foreign = [u for u in page.requests if urlparse(u).netloc not in (origin, "")]
    assert page.requests, "no request recorded"
    assert foreign == [], f"requests outside the app's origin: {foreign}"
