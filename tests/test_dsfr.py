"""The DSFR's files: located in the installed package, copied whole, nothing left to fetch."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path

import pytest

from atelierflash import dsfr

ROOT = Path(__file__).resolve().parent.parent


def test_dist_is_located_without_importing_the_package():
    folder = dsfr.dist_dir()
    assert (folder / "core" / "core.main.min.css").is_file()
    assert "dsfr" not in sys.modules  # its modules need a configured Django
    assert dsfr.version(folder).startswith("1.")


def test_missing_package_gives_a_french_message(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(FileNotFoundError, match=r"django-dsfr .* pip install -r requirements\.txt"):
        dsfr.dist_dir()


def test_every_url_of_the_bundle_is_copied(tmp_path):
    out = dsfr.install_dsfr(tmp_path)
    css = (out / dsfr.BUNDLE).read_text(encoding="utf-8")
    urls = {m.group(2) for m in dsfr._URL.finditer(css)}
    local = {u for u in urls if not u.startswith("data:")}
    assert any(u.startswith("fonts/Marianne") for u in local)
    # Icons are inlined (CSS masks from file:// are refused by CORS): none left to fetch.
    assert any(u.startswith("data:image/svg+xml,") for u in urls)
    assert not any(u.startswith("icons/") for u in local)
    assert not [u for u in local if "://" in u or u.startswith("/")]  # nothing outside
    assert sorted(u for u in local if not (out / u).is_file()) == []
    assert "usage réservé" in (out / dsfr.LICENCE_FILE).read_text(encoding="utf-8")


def test_install_is_idempotent_and_repairs(tmp_path):
    out = dsfr.install_dsfr(tmp_path)
    font = out / "fonts" / "Marianne-Regular.woff2"
    font.write_bytes(b"abime")
    dsfr.install_dsfr(tmp_path)
    assert font.read_bytes() == (dsfr.dist_dir() / "fonts" / "Marianne-Regular.woff2").read_bytes()


def test_rebase_keeps_data_urls_and_climbs_folders():
    assert dsfr._rebase("url(data:image/svg+xml;x)", "core") == "url(data:image/svg+xml;x)"
    assert dsfr._rebase('url("../../icons/system/x.svg")', "component/tag") == (
        "url(icons/system/x.svg)"
    )


def test_theme_declares_the_marianne_faces_copied():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    theme = config["theme"]
    assert theme["font"].startswith("Marianne")
    assert theme["fontFaces"] == dsfr.font_faces("app/static/dsfr")
    fonts = dsfr.dist_dir() / "fonts"
    assert all((fonts / name).is_file() for name, _, _ in dsfr.MARIANNE_FACES)
    assert theme["primaryColor"].lower() == "#000091"  # bleu France
