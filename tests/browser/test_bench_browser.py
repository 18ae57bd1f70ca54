"""The benchmark's in-page stamp, in Debian's Chromium: it notes the moment in every map frame.

``benchmarks.carte.page_stamp`` is the benchmark's clock for « polygons drawn »: if it never
fired in streamlit-folium's frame, the figures would silently come from Playwright's polling
instead (later, by its round trips). Each test waits for the stamp itself, never for a
condition that would set it.
"""

from __future__ import annotations

import pytest

from benchmarks import carte as bench

pytestmark = pytest.mark.browser


def _stamp_noted(browser, url: str, drawn: str, frame_of) -> float:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    try:
        context.route(bench.foreign_requests(url.split("/")[2]), lambda route: route.abort())
        context.add_init_script(bench.page_stamp(drawn))
        page = context.new_page()
        page.goto(url)
        frame = frame_of(page, 180_000)
        frame.wait_for_function("() => window.__afDrawnAt !== undefined", timeout=120_000)
        noted = frame.evaluate("() => window.__afDrawnAt - performance.timeOrigin")
        assert frame.evaluate(drawn)  # noted when the predicate held
        return noted
    finally:
        context.close()


def test_page_stamp_notes_the_drawing_inside_streamlit_folium_frame(browser, app_url):
    noted = _stamp_noted(
        browser, f"{app_url}/carte", bench.DRAWN_OPTIMISED, bench.streamlit_map_frame
    )
    assert 0 < noted < 120_000


def test_settle_returns_once_the_app_has_stopped_running_scripts(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(f"{app_url}/carte")
        bench.streamlit_map_frame(page, 180_000)
        assert bench.settle(page) is True
        state = page.locator('[data-testid="stApp"]').get_attribute("data-test-script-state")
        assert state == "notRunning"
        # A page that never goes quiet within the limit is reported, not waited for forever.
        page.evaluate(
            "() => document.querySelector('[data-testid=stApp]')"
            ".setAttribute('data-test-script-state', 'running')"
        )
        assert bench.settle(page, limit_ms=300) is False
    finally:
        context.close()
