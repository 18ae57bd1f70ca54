"""``ui.data.ensure_entrypoint``: it leaves Streamlit's legacy multipage mode in a session's
first run only, so a later run triggered by a click is never rerun (which would drop the click).
The deep link itself is proven in Chromium (``tests/browser/test_deep_link_browser.py``)."""

from __future__ import annotations

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest


def _page():
    import streamlit as st
    from streamlit.runtime.pages_manager import PagesManager

    from atelierflash.ui.data import ensure_entrypoint

    st.session_state["runs"] = st.session_state.get("runs", 0) + 1
    if st.session_state.pop("legacy", False):
        PagesManager.uses_pages_directory = True  # as a fresh server with pages/ starts
    ensure_entrypoint()
    if st.button("Enregistrer"):
        st.session_state["clicked"] = True


def test_only_the_first_run_of_a_session_leaves_the_legacy_mode(monkeypatch):
    monkeypatch.setattr(PagesManager, "uses_pages_directory", False)  # restored afterwards
    at = AppTest.from_function(_page)
    at.session_state["legacy"] = True
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["runs"] == 2  # the deep link's run, then the same through app.py
    assert PagesManager.uses_pages_directory is False

    # Later in the session (legacy mode forced again): a click is kept, nothing reruns.
    at.session_state["legacy"] = True
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.session_state["runs"] == 3
    assert at.session_state["clicked"] is True
    assert PagesManager.uses_pages_directory is True  # left alone: never a rerun after a click


def test_a_new_session_on_a_fresh_server_is_rerouted_too(monkeypatch):
    monkeypatch.setattr(PagesManager, "uses_pages_directory", False)
    for _ in range(2):  # two sessions, each its first run in the legacy mode
        at = AppTest.from_function(_page)
        at.session_state["legacy"] = True
        at.run()
        assert not at.exception, at.exception
        assert at.session_state["runs"] == 2
