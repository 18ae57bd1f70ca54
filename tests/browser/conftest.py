"""Real-browser fixtures: the app on a free port, Debian's Chromium driven by Playwright.

Browser tests may skip only when Chromium is absent *and* CI is not set; in CI a missing
browser is a failure, never a silent skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks.servers import CHROMIUM_ARGS, chromium_path, streamlit_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(
                "Chromium est absent alors que CI est défini : installez le paquet chromium"
            )
        pytest.skip("Chromium absent (hors CI) : tests navigateur non exécutés")
    return path


@pytest.fixture(scope="session")
def app_url(tmp_path_factory) -> str:
    """Start ``streamlit run app.py`` on a free port and yield its base URL once healthy."""
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    env = {k: v for k, v in os.environ.items() if k != "ATELIERFLASH_REGISTRE"}
    with streamlit_server(ROOT / "app.py", env, log) as url:
        yield url


@pytest.fixture(scope="session")
def browser(chromium_executable):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page that records every request it makes (``page.requests``)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    page = context.new_page()
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Keep a screenshot as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def pick_option(page, selectbox, name: str) -> None:
    """Choose ``name`` in a Streamlit selectbox as a person does: bring it into view, then open it.

    Streamlit's selectbox (checked with 1.67) is a combobox that closes its list on any scroll,
    as a native ``<select>`` does. Playwright scrolls a box that sticks out of the viewport
    just before clicking it, and that scroll's event arrives after the click: the list opens
    and closes at once, no option is ever shown and nothing is sent to the server (the
    « selector frozen after saving a version » of the Données page was this). So the box is
    centred first and the click waits until the browser has delivered the scroll.
    """
    selectbox.evaluate("element => element.scrollIntoView({block: 'center'})")
    # Scroll events are dispatched before animation frames: two frames later, it is done.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    selectbox.locator("input").click()
    page.get_by_role("option", name=name, exact=True).click()


def wait_for_charts(page, count: int, titled: bool = True) -> None:
    """Poll until ``count`` plotly charts have each drawn (their title too when ``titled``).

    Counted per chart: plotly.js draws three ``.main-svg`` layers per chart, so waiting for the
    ``count``-th of those elements was satisfied by the first charts alone (a loaded machine then
    read the titles of a page still drawing).
    """
    drawn = ".main-svg .gtitle" if titled else ".main-svg"
    page.wait_for_function(
        "([n, drawn]) => [...document.querySelectorAll('.js-plotly-plot')]"
        ".filter((plot) => plot.querySelector(drawn)).length >= n",
        arg=[count, drawn],
        timeout=180_000,
    )
    page.wait_for_load_state("networkidle")
