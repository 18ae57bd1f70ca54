"""Operators' mistakes and broken disks, as the pages see them (issue 9)."""

from __future__ import annotations

import pytest
import streamlit as st

from tests.app.analytics_helpers import as_shown, start
from tests.app.test_hostile_app import PAGES
from tests.conftest import make_mini_referentiel


@pytest.fixture
def mini_referentiel_app(monkeypatch):
    import atelierflash.ui.data as data

    monkeypatch.setattr(data, "load_referentiel", lambda progress=None: make_mini_referentiel())
    st.cache_resource.clear()
    yield start
    st.cache_resource.clear()


@pytest.mark.parametrize("kind", ["deleted", "folder"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_says_the_register_cannot_be_read(
    mini_referentiel_app, monkeypatch, tmp_path, page, kind
):
    path = tmp_path / "registre.csv"
    if kind == "folder":
        path.mkdir()
    monkeypatch.setenv("ATELIERFLASH_REGISTRE", str(path))
    at = mini_referentiel_app(page)
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert any("ne peut pas être lu" in e and "registre" in e for e in errors), errors
    if page == "pages/carte.py":
        # Nothing is exported: the public page is left as it was.
        assert any("Rien n'est publié" in as_shown(w.value) for w in at.warning)


def test_the_referentiel_is_loaded_once_when_its_cache_cannot_be_written(monkeypatch, tmp_path):
    import atelierflash.ui.data as data

    loads = []

    def load(progress=None):
        loads.append(progress)
        referentiel = make_mini_referentiel()
        referentiel.meta["cache_error"] = "Le cache du référentiel ne peut pas être écrit (test)"
        return referentiel

    monkeypatch.setattr(data, "cache_is_fresh", lambda: False)
    monkeypatch.setattr(data, "load_referentiel", load)
    monkeypatch.delenv("ATELIERFLASH_REGISTRE", raising=False)
    st.cache_resource.clear()
    try:
        at = start("pages/thematiques.py")
        at.switch_page("pages/selection_annuelle.py").run()
        assert not at.exception, at.exception
    finally:
        st.cache_resource.clear()
    assert len(loads) == 1  # not a build on every visit
    assert any("ne peut pas être écrit" in c.value for c in at.sidebar.caption)
