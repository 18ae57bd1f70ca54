"""Fixtures of the AppTests: the app on the literal mini register, or on the demonstration one."""

from __future__ import annotations

import pytest
import streamlit as st

from tests.app.analytics_helpers import start
from tests.conftest import MINI_REGISTER, make_mini_referentiel


@pytest.fixture(autouse=True)
def _main_module_restored(monkeypatch):
    """Give the process its own ``__main__`` back after an AppTest.

    Streamlit's script runner (1.67) installs the script as ``sys.modules["__main__"]`` and
    leaves it there; a process spawned later by another test would run that script first
    (multiprocessing re-runs the parent's ``__main__``), app.py included.
    """
    import sys

    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])


@pytest.fixture(autouse=True)
def _runs_go_through_app_py(monkeypatch):
    """Every AppTest run goes through ``app.py``, as every run of a server session does.

    AppTest (Streamlit 1.67.0) resets ``PagesManager.uses_pages_directory`` before each run, so
    with ``pages/`` beside ``app.py`` each run after ``switch_page`` would execute the page file
    alone, in the legacy multipage mode a server leaves for good once ``app.py`` has called
    ``st.navigation`` (``ui.data.ensure_entrypoint``; the deep link itself is proven in
    Chromium by ``tests/browser/test_deep_link_browser.py``). Rerouting such a run through
    ``app.py`` with ``st.rerun()`` would drop the click that triggered it.
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def server_like(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", server_like)


@pytest.fixture
def mini_app(monkeypatch, tmp_path):
    """The app on the literal mini register; caches cleared before and after."""
    import atelierflash.ui.data as data

    register = tmp_path / "mini.csv"
    register.write_text(MINI_REGISTER, encoding="utf-8")
    monkeypatch.setenv("ATELIERFLASH_REGISTRE", str(register))
    monkeypatch.setattr(data, "load_referentiel", lambda progress=None: make_mini_referentiel())
    st.cache_resource.clear()
    yield start
    st.cache_resource.clear()


@pytest.fixture
def demo_app(monkeypatch):
    """The app on the demonstration register and the real référentiel."""
    monkeypatch.delenv("ATELIERFLASH_REGISTRE", raising=False)
    st.cache_resource.clear()
    yield start
    st.cache_resource.clear()
