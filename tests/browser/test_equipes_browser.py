"""The internal « Équipes et tourniquet » page in a real browser, on the demonstration register."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, wait_for_charts

pytestmark = pytest.mark.browser


def test_equipes_page_audits_the_demo_register(page, app_url):
    page.goto(f"{app_url}/")
    page.get_by_role("heading", name="Ateliers Flash : vue d'ensemble").wait_for(timeout=180_000)
    # The page sits in the « Interne » section of the navigation.
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_text("Interne").wait_for(timeout=60_000)
    nav.get_by_text("Équipes et tourniquet").click()
    page.get_by_role("heading", name="Équipes et tourniquet").wait_for(timeout=180_000)
    assert page.url.rstrip("/").endswith("/equipes")
    page.get_by_text("Toutes les dérogations au tourniquet sont documentées").wait_for(
        timeout=60_000
    )
    metrics = page.locator('[data-testid="stMetric"]')
    assert "Écarts à la règle" in metrics.nth(1).inner_text()
    assert metrics.nth(1).locator('[data-testid="stMetricValue"]').inner_text() == "4"
    # Four charts in the open tab (per year, cumulative) and the workload section.
    wait_for_charts(page, 4, titled=False)
    page.get_by_text("Prochaine équipe").first.wait_for()
    height = page.evaluate(
        "() => (document.querySelector('[data-testid=\"stMain\"]') || document.body).scrollHeight"
    )
    page.set_viewport_size({"width": 1400, "height": int(height) + 60})
    page.wait_for_load_state("networkidle")
    path = screenshot(page, "equipes")
    assert path.stat().st_size > 50_000
    assert not page.dialogs
