"""Fixtures of the AppTests: the app on the literal mini register, or on the demonstration one."""

from __future__ import annotations

import pytest
import streamlit as st

from tests.app.analytics_helpers import start
from tests.conftest import MINI_REGISTER, make_mini_referentiel


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
