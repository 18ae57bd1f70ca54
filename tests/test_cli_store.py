"""The store's commands (import, versions, diff, restore, export-version, db) on both backends.

Run in-process on the hand-drawn référentiel; one end-to-end run goes through ``python -m``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from atelierflash import registre, store
from atelierflash.__main__ import main
from atelierflash.programme import load_programme
from tests.conftest import MINI_REGISTER, make_mini_referentiel

ROOT = Path(__file__).resolve().parents[1]
MESSY = ROOT / "tests" / "data" / "registre_ddt_messy.csv"


@pytest.fixture
def cli(monkeypatch, store_url, capsys):
    import atelierflash.referentiel as referentiel

    monkeypatch.setattr(referentiel, "load_referentiel", lambda *a, **k: make_mini_referentiel())

    def run(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--database-url", store_url])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_import_dry_run_then_store_then_list(cli, tmp_path):
    code, out, _ = cli("import", str(MESSY), "--dry-run")
    assert code == 1  # rows in error, as validate says
    assert "registre_ddt_messy.csv, ligne 5 (id « DDT-04 »)" in out
    assert "À choisir : « Saint-Denis » (ligne(s) 5)" in out
    assert '--choix "Saint-Denis=97411"' in out and "Saint-Denis=93066" in out
    assert "+ DDT-01 : Cœur de bourg" in out and "rien n'a été enregistré" in out
    code, out, _ = cli("versions", "--json")
    assert (code, json.loads(out)) == (0, [])

    code, out, _ = cli("import", str(MESSY), "--auteur", "Camille", "--choix", "Saint-Denis=97411")
    assert code == 0, out
    assert "Version 1 enregistrée (12 lignes, ateliers : 12 ajoutés) par Camille." in out
    assert "commune choisie lors de l'import, Saint-Denis (974, 97411)" in out
    code, out, _ = cli("versions", "--json")
    (listed,) = json.loads(out)
    assert {k: listed[k] for k in ("version", "auteur", "fichier", "resume")} == {
        "version": 1,
        "auteur": "Camille",
        "fichier": "registre_ddt_messy.csv",
        "resume": "ateliers : 12 ajoutés",
    }
    assert listed["date"].endswith("+00:00")
    code, out, _ = cli("versions")
    assert "Camille  registre_ddt_messy.csv  12 lignes" in out


def test_diff_restore_and_export(cli, tmp_path):
    first = tmp_path / "mini.csv"
    first.write_text(MINI_REGISTER, encoding="utf-8")
    second = tmp_path / "mini2.csv"
    second.write_text(MINI_REGISTER.replace("Essai", "Essai revu"), encoding="utf-8")
    assert cli("import", str(first), "--auteur", "A")[0] == 0
    assert cli("import", str(second), "--auteur", "B")[0] == 0
    code, out, _ = cli("diff", "1", "2")
    assert code == 0
    assert "~ T-2019-1 : description : « Essai » → « Essai revu »" in out
    code, out, _ = cli("restore", "1", "--auteur", "C")
    assert code == 0 and "Version 3 enregistrée : restauration de la version 1" in out
    for extension in ("csv", "xlsx"):
        out_file = tmp_path / f"v3.{extension}"
        code, out, _ = cli("export-version", "3", "--out", str(out_file))
        assert code == 0
        assert registre.read_register(out_file).rows["description"][0] == "Essai"
    code, _, err = cli("restore", "7")
    assert code == 2 and "version 7 introuvable (la dernière est la 3)" in err
    code, _, err = cli("export-version", "1", "--out", str(tmp_path / "v1.ods"))
    assert code == 2 and "format d'export inconnu" in err
    plain = tmp_path / "plain"
    plain.write_text("garder", encoding="utf-8")
    code, _, err = cli("export-version", "1", "--out", str(plain / "v1.csv"))
    assert code == 2 and f"{plain} n'est pas un dossier" in err and "Traceback" not in err
    assert plain.read_text(encoding="utf-8") == "garder"


def test_an_import_refused_when_the_register_changed(cli, tmp_path, monkeypatch, store_url):
    path = tmp_path / "mini.csv"
    path.write_text(MINI_REGISTER, encoding="utf-8")
    real_prepare = store.prepare_import

    def prepare_then_someone_else_imports(*args, **kwargs):
        preview = real_prepare(*args, **kwargs)
        other = store.Store(store_url)
        again = real_prepare(path, other, make_mini_referentiel(), load_programme())
        store.commit_import(other, again, "Autre")
        other.dispose()
        return preview

    monkeypatch.setattr(store, "prepare_import", prepare_then_someone_else_imports)
    code, _, err = cli("import", str(path), "--auteur", "Moi")
    assert code == 3
    assert "la version 1 a été enregistrée par Autre" in err
    assert "Relisez l'import" in err


def test_db_upgrade_on_an_empty_database(cli):
    code, out, _ = cli("db", "current")
    assert code == 0 and "schéma vide (dernier : 0003)" in out
    code, out, _ = cli("db", "upgrade")
    assert code == 0 and "schéma 0003 (dernier : 0003)" in out


def test_the_module_entry_point_runs_a_store_command(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "ATELIERFLASH_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "atelierflash", "versions", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode, json.loads(result.stdout)) == (0, [])
    assert (tmp_path / "atelierflash.sqlite").is_file()
