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


def test_statiques_command_writes_every_file_the_theme_and_the_map_name(tmp_path):
    # The theme names Marianne's files before the first script run can copy them: a browser
    # that opens the app's first page asks for them at once. The README's command copies them
    # (python -m atelierflash statiques) before the server starts.
    from atelierflash.__main__ import main
    from atelierflash.carte import assets

    assert main(["statiques", "--dossier", str(tmp_path)]) == 0
    for face in dsfr.font_faces("app/static/dsfr"):
        name = face["url"].removeprefix("app/static/")
        assert (tmp_path / name).read_bytes() == (
            dsfr.dist_dir() / "fonts" / Path(name).name
        ).read_bytes()
    assert (tmp_path / "leaflet" / assets.BUNDLE_JS).is_file()


def test_statiques_command_in_a_read_only_folder_says_what_to_do(tmp_path):
    import subprocess

    from tests.conftest import unprivileged

    folder = tmp_path / "static"
    folder.mkdir()
    folder.chmod(0o555)
    command = [sys.executable, "-m", "atelierflash", "statiques", "--dossier", str(folder)]
    result = subprocess.run(
        unprivileged(command), cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 2, result.stderr
    assert "Impossible de terminer « statiques »" in result.stderr
    assert "accès refusé" in result.stderr and "Traceback" not in result.stderr
    assert list(folder.iterdir()) == []


def test_readme_copies_the_static_files_before_it_starts_the_app():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    run = next(line for line in readme.splitlines() if "streamlit run app.py" in line)
    assert run.index("-m atelierflash statiques") < run.index("streamlit run app.py"), run


def test_app_copying_marianne_itself_says_to_copy_it_before(monkeypatch, tmp_path, caplog):
    from atelierflash.ui import theme

    monkeypatch.setattr(theme, "STATIC_DIR", tmp_path)
    theme.ensure_dsfr.clear()
    try:
        with caplog.at_level("WARNING", logger="atelierflash"):
            assert theme.ensure_dsfr() == str(tmp_path / "dsfr")
            theme.ensure_dsfr.clear()
            theme.ensure_dsfr()  # a second process: the files are there, nothing said
    finally:
        theme.ensure_dsfr.clear()
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 1 and "python -m atelierflash statiques" in said[0], said


def test_the_page_sheet_keeps_every_rule_whose_classes_the_page_uses():
    # Each component sheet opens with a licence banner (« LICENSE.md »): read as a selector, its
    # « .md » once dropped the sheet's first rule (.fr-skiplinks, hidden until focused).
    full = dsfr.bundle_css()
    used = {"fr-skiplinks", "fr-skiplinks__list", "fr-select", "fr-header", "fr-btn", "fr-link"}
    cut = dsfr.purge_css(full, used)
    assert ".fr-skiplinks{" in cut and ".fr-select{" in cut and ".fr-btn{" in cut
    kept = 0
    for prelude, body in dsfr._blocks(full):
        head = dsfr._COMMENT.sub("", prelude).strip()
        if body is None or head.startswith("@"):
            continue
        for selector in dsfr._split_selectors(head):
            if "fr-" in selector and dsfr._needed(selector, used):
                assert selector + "," in cut or selector + "{" in cut, selector
                kept += 1
    assert kept > 20
    assert ".fr-tag{" not in cut and "/*" not in cut


def test_install_page_dsfr_copies_only_the_woff2_faces_it_declares(tmp_path):
    out = dsfr.install_page_dsfr(tmp_path, {"fr-header"})
    faces = (out / dsfr.FACES_SHEET).read_text(encoding="utf-8")
    assert faces.count("@font-face") == len(dsfr.MARIANNE_FACES)
    assert 'format("woff")' not in faces
    # The faces are a sheet of their own, linked once the map is drawn: none in the rules.
    assert "@font-face" not in (out / dsfr.BUNDLE).read_text(encoding="utf-8")
    fonts = sorted(p.name for p in (out / "fonts").iterdir())
    assert fonts == sorted(name for name, *_ in dsfr.MARIANNE_FACES)
    assert (out / dsfr.LICENCE_FILE).is_file()


def _declared_and_read(css):
    declared = set(dsfr._custom_properties(css))
    return declared, set(dsfr._VAR.findall(css))


def test_the_page_sheet_keeps_the_custom_properties_its_rules_read_and_only_those():
    full = dsfr.purge_css(dsfr.bundle_css(), {"fr-header", "fr-select", "fr-btn", "fr-link"})
    cut = dsfr.purge_variables(full)
    declared_full, _ = _declared_and_read(full)
    declared, read = _declared_and_read(cut)
    # Every property a kept rule (or a kept property) reads is still declared, when the DSFR
    # declared it at all; the thousand colour tokens nothing reads are gone.
    assert sorted((read & declared_full) - declared) == []
    assert sorted(declared - read) == []
    assert len(declared_full) > 500 and len(declared) < len(declared_full) / 3
    # Rules themselves are untouched: the same selectors, in the same order.
    selectors = [p for p, b in dsfr._blocks(full) if b is not None]
    assert [p for p, b in dsfr._blocks(cut) if b is not None] == [
        p for p in selectors if p in {q for q, b in dsfr._blocks(cut) if b is not None}
    ]
    assert ".fr-select{" in cut and ".fr-header{" in cut


def test_a_custom_property_read_by_the_page_s_own_files_stays():
    css = ":root{--kept:red;--gone:blue;--chained:var(--kept2);--kept2:0}.fr-a{color:red}"
    cut = dsfr.purge_variables(css, ".af{color:var(--kept)}", "el.style.x = 'var(--chained)'")
    assert "--kept:red" in cut and "--chained:var(--kept2)" in cut and "--kept2:0" in cut
    assert "--gone" not in cut


def test_custom_properties_with_semicolons_in_their_value_are_cut_whole():
    css = (
        ':root{--icon:url("data:image/svg+xml;charset=utf8,%3Csvg%3E");--used:1}'
        ".fr-a{x:var(--used)}"
    )
    assert dsfr.purge_variables(css) == ":root{--used:1}.fr-a{x:var(--used)}"
