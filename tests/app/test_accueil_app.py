"""AppTest of the home page: it runs on the demo register and follows the register switch."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from atelierflash.texte import markdown_escape
from tests.browser.conftest import ROOT

APP = str(ROOT / "app.py")

pytestmark = pytest.mark.referentiel


def _metric(at, label):
    for metric in at.metric:
        if metric.label == label:
            return metric.value
    raise AssertionError(f"métrique absente : {label}")


@pytest.fixture
def app(monkeypatch):
    monkeypatch.delenv("ATELIERFLASH_REGISTRE", raising=False)
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    assert not at.exception, at.exception
    return at


def test_home_page_runs_on_demo_register_with_banner(app):
    assert any("Données de démonstration fictives" in w.value for w in app.warning)
    assert app.title[0].value.startswith("Ateliers Flash")
    assert _metric(app, "Ateliers") != "0"
    assert _metric(app, "Communes distinctes") != "0"
    assert any("114" in m.value for m in app.markdown)


def test_switching_to_public_register_changes_figures(app):
    demo_count = _metric(app, "Ateliers")
    app.sidebar.selectbox[0].select("public").run()
    assert not app.exception, app.exception
    assert _metric(app, "Ateliers") == "8"
    assert _metric(app, "Ateliers") != demo_count
    assert not any("Données de démonstration fictives" in w.value for w in app.warning)
    assert app.query_params.get("registre") in ("public", ["public"])


def test_register_from_url_is_restored(monkeypatch):
    monkeypatch.delenv("ATELIERFLASH_REGISTRE", raising=False)
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["registre"] = "public"
    at.run()
    assert not at.exception, at.exception
    assert _metric(at, "Ateliers") == "8"


def test_register_from_environment(monkeypatch, tmp_path):
    register = tmp_path / "mon_registre.csv"
    register.write_text(
        "id,titre,annee,statut,communes_insee,themes\nX1,Essai,2024,réalisé,80253,friches\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("ATELIERFLASH_REGISTRE", str(register))
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    assert not at.exception, at.exception
    assert _metric(at, "Ateliers") == "1"
    # Shown as typed: the file name is escaped for Markdown, not put in a code span.
    assert markdown_escape("mon_registre.csv") in " ".join(c.value for c in at.sidebar.caption)


def test_a_file_level_message_has_an_empty_line_not_none(monkeypatch, tmp_path):
    """Issue 9: a message about the whole file (no line) read « None » in the messages table."""
    import streamlit as st

    import atelierflash.ui.data as data
    from tests.app.analytics_helpers import start
    from tests.conftest import MINI_REGISTER, make_mini_referentiel

    lines = MINI_REGISTER.splitlines()
    extra = [lines[0] + ",remarque", *(f"{line},rien" for line in lines[1:])]
    register = tmp_path / "colonne_en_plus.csv"
    register.write_text("\n".join(extra) + "\n", encoding="utf-8")
    monkeypatch.setenv("ATELIERFLASH_REGISTRE", str(register))
    monkeypatch.setattr(data, "load_referentiel", lambda progress=None: make_mini_referentiel())
    st.cache_resource.clear()
    try:
        at = start("pages/accueil.py")
    finally:
        st.cache_resource.clear()
    (table,) = [d.value for d in at.dataframe]
    about_file = table["id"] == ""
    assert about_file.sum() == 1
    assert "colonnes inconnues" in table.loc[about_file, "message"].iloc[0]
    assert table.loc[about_file, "ligne"].tolist() == [""]  # an empty cell, not « None »
    assert table["ligne"].notna().all()
    assert set(table.loc[~about_file, "ligne"]) <= {str(n) for n in range(2, 10)}
