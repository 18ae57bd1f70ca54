"""Operators' mistakes and broken disks, as the pages see them (issue 9)."""

from __future__ import annotations

import errno

import pytest
import streamlit as st

from atelierflash import referentiel as ref
from tests.app.analytics_helpers import as_shown, start
from tests.app.test_hostile_app import PAGES
from tests.conftest import make_mini_referentiel

#: Every page of the hostile walk, the Données page included: its runs go through app.py, whose
#: banner says the configured register cannot be read (the page alone, as AppTest once ran it
#: after ``switch_page``, said nothing).
FAULT_PAGES = PAGES


@pytest.fixture
def mini_referentiel_app(monkeypatch, tmp_path):
    import atelierflash.carte as carte
    import atelierflash.ui.data as data

    monkeypatch.setattr(data, "load_referentiel", lambda progress=None: make_mini_referentiel())
    monkeypatch.setattr(carte, "STATIC_DIR", tmp_path / "static")  # never the project's
    st.cache_resource.clear()
    yield start
    st.cache_resource.clear()


@pytest.mark.parametrize("kind", ["deleted", "folder"])
@pytest.mark.parametrize("page", FAULT_PAGES)
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
        # The message the library gives for a read-only cache folder (EROFS).
        error = OSError(errno.EROFS, "Read-only file system", str(tmp_path))
        referentiel.meta["cache_error"] = ref._unwritable(tmp_path, error)
        return referentiel

    monkeypatch.setattr(data, "cache_is_fresh", lambda: False)
    monkeypatch.setattr(data, "load_referentiel", load)
    monkeypatch.delenv("ATELIERFLASH_REGISTRE", raising=False)
    st.cache_resource.clear()
    try:
        at = start("pages/thematiques.py")
        at.switch_page("pages/selection-annuelle.py").run()
        assert not at.exception, at.exception
    finally:
        st.cache_resource.clear()
    assert len(loads) == 1  # not a build on every visit
    (shown,) = [
        as_shown(c.value) for c in at.sidebar.caption if "ne peut pas être écrit" in c.value
    ]
    assert "(système de fichiers en lecture seule)" in shown and "ATELIERFLASH_CACHE_DIR" in shown
    assert "Read-only" not in shown and "Errno" not in shown  # the OS's English stays in the log


_READ_ONLY_SCRIPT = """
import json, os, sys
from pathlib import Path
sys.path.insert(0, {root!r})
os.environ["ATELIERFLASH_REGISTRE"] = {register!r}
import atelierflash.ui.data as data
from tests.conftest import make_mini_referentiel
data.load_referentiel = lambda progress=None: make_mini_referentiel()
import atelierflash.carte as carte
import atelierflash.carte.assets as assets
assets.STATIC_DIR = carte.STATIC_DIR = Path({static!r})
import streamlit.config
streamlit.config.set_option("client.showErrorDetails", "full")  # the test reads any error
from tests.app.analytics_helpers import start
at = start("pages/carte.py")
print(json.dumps({{
    "exception": [str(e.message) for e in at.exception],
    "error": [e.value for e in at.error],
    "warning": [w.value for w in at.warning],
}}))
"""


def _map_page_with_static(tmp_path, static) -> dict:
    """The map page run in a subprocess that cannot bypass file permissions (even as root)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    from tests.conftest import MINI_REGISTER, unprivileged

    register = tmp_path / "mini.csv"
    register.write_text(MINI_REGISTER, encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    code = _READ_ONLY_SCRIPT.format(root=str(root), register=str(register), static=str(static))
    env = {k: v for k, v in __import__("os").environ.items() if k != "ATELIERFLASH_REGISTRE"}
    result = subprocess.run(
        unprivileged([sys.executable, "-c", code]),
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _static_with_the_map_code(tmp_path):
    """A static folder holding the map's own code (the bundle's sources), as the repository's."""
    import shutil

    from atelierflash.paths import STATIC_DIR

    static = tmp_path / "static"
    shutil.copytree(STATIC_DIR / "carte", static / "carte")
    return static


def test_a_read_only_static_folder_is_said_in_french(tmp_path):
    static = _static_with_the_map_code(tmp_path)
    static.chmod(0o555)  # Leaflet cannot be copied there
    shown = _map_page_with_static(tmp_path, static)
    assert shown["exception"] == []
    assert any("Leaflet n'ont pas pu être copiés" in as_shown(e) for e in shown["error"])


def test_a_read_only_public_folder_keeps_the_page_and_says_so(tmp_path):
    from atelierflash import carte

    static = _static_with_the_map_code(tmp_path)
    carte.install_static_assets(static, bundle=True)  # in place; static/publique cannot be made
    for path in [static, *static.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    shown = _map_page_with_static(tmp_path, static)
    assert shown["exception"] == []
    assert shown["error"] == []
    assert any("La carte publique n'a pas pu être écrite" in as_shown(w) for w in shown["warning"])
    assert not (static / "publique").exists()
