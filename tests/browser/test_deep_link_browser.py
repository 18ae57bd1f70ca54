"""Deep links on a fresh server: the very first URL a server answers is an inner page.

Because ``pages/`` sits beside ``app.py``, Streamlit starts in its legacy multipage mode and
would run the page file on its own, with the page list it makes from the folder's file names
(``donnees``, ``equipes``…). ``ui.data.ensure_entrypoint`` leaves that mode once per session;
these tests start one server per URL so that nothing has gone through ``app.py`` before.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from atelierflash import acces
from benchmarks.servers import streamlit_server
from tests.browser.conftest import ROOT, screenshot

pytestmark = pytest.mark.browser

#: The labels Streamlit's legacy mode gives the files of ``pages/`` (and ``app.py``).
LEGACY_LABELS = ["app", *(p.path.split("/")[-1][:-3].replace("_", " ") for p in acces.PAGES)]


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("donnees", "Données du registre"),
        ("equipes", "Équipes et tourniquet"),
        # An address that is not the file's name (« selection-annuelle.py »): the legacy mode
        # would not find it and send the browser to the home page.
        ("selection-annuelle", "Sélection annuelle"),
    ],
)
def test_an_inner_page_as_the_first_url_of_a_fresh_server(
    page, chromium_executable, tmp_path, path, heading
):
    env = {k: v for k, v in os.environ.items() if k != "ATELIERFLASH_REGISTRE"}
    with streamlit_server(ROOT / "app.py", env, tmp_path / "server.log") as url:
        page.goto(f"{url}/{path}")
        page.get_by_role("heading", name=heading).first.wait_for(timeout=180_000)
        # What app.py draws around every page: the register selector and the fiction banner.
        page.get_by_text("Registre affiché").first.wait_for(timeout=60_000)
        page.get_by_text("Données de démonstration fictives").first.wait_for(timeout=60_000)
        nav = page.locator('[data-testid="stSidebarNav"]')
        # st.navigation's sections and titles, not the list of the folder's file names.
        expect(nav.get_by_text("Interne", exact=True)).to_be_visible()
        titles = [p.title for p in acces.PAGES]
        # (a link's text starts with its icon's ligature name, « database » for Données).
        expect(nav.locator('[data-testid="stSidebarNavLink"]')).to_have_text(
            [re.compile(f"{re.escape(title)}$") for title in titles]
        )
        for label in LEGACY_LABELS:
            expect(nav.get_by_text(label, exact=True)).to_have_count(0)
        # The address the person typed stays the page's (a page may add its own parameters).
        assert urlparse(page.url).path.rstrip("/").endswith(f"/{path}")
        screenshot(page, f"lien-direct-{path}")
        assert not page.dialogs
