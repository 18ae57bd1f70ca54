"""The command line on the real référentiel: the bundled registers and a messy DDT register."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.browser.conftest import ROOT

pytestmark = pytest.mark.referentiel


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "atelierflash", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize("path", ["data/ateliers.csv", "data/demo/ateliers_demo.csv"])
def test_bundled_registers_validate_without_error(path):
    result = run_cli("validate", path, "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["summary"]["error"] == 0
    assert all(row["communes"] for row in payload["rows"])


def test_demo_shape_from_the_json_report():
    payload = json.loads(run_cli("validate", "data/demo/ateliers_demo.csv", "--json").stdout)
    import pandas as pd

    demo = pd.read_csv(ROOT / "data/demo/ateliers_demo.csv", dtype=str, keep_default_na=False)
    realises = demo[(demo["statut"] == "réalisé") & demo["annee"].between("2019", "2025")]
    assert len(realises) == 114
    communes = {
        code
        for row in payload["rows"]
        if row["id"] in set(realises["id"])
        for code in row["communes"]
    }
    assert len(communes) > 500


def test_messy_ddt_register_validates_as_a_careful_person_expects():
    result = run_cli("validate", "tests/data/registre_ddt_messy.csv", "--json")
    assert result.returncode == 1  # some rows have errors, the file is usable
    rows = {row["id"]: row for row in json.loads(result.stdout)["rows"]}
    expect = {
        "DDT-01": ("ok", ["42218"]),  # St-Étienne with the département's name
        "DDT-02": ("ok", ["77182"]),  # capitals, no article, no accents
        "DDT-03": ("ok", ["97411"]),  # overseas homonym settled by « La Réunion »
        "DDT-04": ("error", []),  # homonym without département
        # Corsica in lower case; réalisé without restitution nor end (issue 18): a warning.
        "DDT-05": ("warning", ["2A004"]),
        "DDT-06": ("warning", ["74010"]),  # commune déléguée → its commune nouvelle
        "DDT-07": ("error", []),  # typo
        "DDT-08": ("warning", ["01053"]),  # leading zero lost
        "DDT-09": ("ok", ["97302", "97307"]),  # Guyane, comma-separated names
        "DDT-10": ("error", ["80253"]),  # end before start
        "DDT-11": ("warning", ["2B033"]),  # réalisé without restitution nor end
        "DDT-12": ("error", ["48095"]),  # unknown theme
    }
    for ident, (status, communes) in expect.items():
        assert (rows[ident]["status"], rows[ident]["communes"]) == (status, communes), rows[ident]
    assert "Saint-Denis (974, 97411)" in rows["DDT-04"]["messages"][0]
    assert "Doullens (80253)" in rows["DDT-07"]["messages"][0]
    assert any("commune déléguée" in m for m in rows["DDT-06"]["messages"])


def test_validate_json_rows_carry_the_statut_key(tmp_path):
    """Issue 18: the machine report says each row's statut, as the vocabulary's key."""
    path = tmp_path / "registre.csv"
    path.write_text(
        "id,titre,statut,communes_insee,Date de dépôt\n"
        "A1,T,Refusée,80253,2026-03-12 14:03:22 +0100\n"
        "A2,T,Classé sans suite,80253,\n"
        "A3,T,peut-être,80253,\n",
        encoding="utf-8",
    )
    result = run_cli("validate", str(path), "--json")
    rows = json.loads(result.stdout)["rows"]
    assert [(r["id"], r["statut"]) for r in rows] == [
        ("A1", "non_retenu"),
        ("A2", "abandonne"),
        ("A3", None),
    ]
    assert result.returncode == 1 and rows[2]["status"] == "error"


def test_messy_register_text_report_names_file_line_and_column():
    result = run_cli("validate", "tests/data/registre_ddt_messy.csv")
    assert "registre_ddt_messy.csv, ligne 11 (id « DDT-10 ») : erreur : colonne « Fin »" in (
        result.stdout
    )
    assert "Windows" in result.stdout or "cp1252" in result.stdout


def test_unusable_file_exit_code_2(tmp_path):
    bad = tmp_path / "vide.csv"
    bad.write_text("", encoding="utf-8")
    result = run_cli("validate", str(bad), "--json")
    assert result.returncode == 2
    assert "vide.csv" in result.stderr
    assert json.loads(result.stdout)["summary"] == {"ok": 0, "warning": 0, "error": 0}


def test_referentiel_command_reports_counts():
    result = run_cli("referentiel")
    assert result.returncode == 0, result.stderr
    assert "101 départements, 18 régions" in result.stdout


def test_carte_publique_exports_the_public_register(tmp_path):
    from atelierflash.carte import publique

    out = tmp_path / "carte"
    result = run_cli("carte-publique", "--registre", "data/ateliers.csv", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"Carte publique écrite dans {out}" in result.stdout
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "fictif" not in page.lower()  # the bundled public register is real
    # The list under the map, as the page puts it there (v/<version>/liste.js).
    liste = (out / "v" / publique.current_version(out) / "liste.js").read_text(encoding="utf-8")
    table = json.loads(liste.removeprefix("window.AF_LISTE = ").rstrip().rstrip(";"))
    rows = table.split("<tbody>", 1)[1].count("<tr>")
    assert f": {rows} atelier(s) publié(s)" in result.stdout and rows > 0
    assert (out / "leaflet" / "leaflet.js").is_file()


def test_carte_publique_refuses_a_foreign_folder_and_an_unreadable_register(tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "garder.txt").write_text("x", encoding="utf-8")
    result = run_cli("carte-publique", "--out", str(folder))
    assert result.returncode == 2
    assert "ne contient pas une carte publique" in result.stderr
    assert [p.name for p in folder.iterdir()] == ["garder.txt"]
    missing = run_cli(
        "carte-publique", "--registre", str(tmp_path / "absent.csv"), "--out", str(tmp_path / "o")
    )
    assert missing.returncode == 2
    assert "absent.csv" in missing.stderr
    assert not (tmp_path / "o").exists()


# -- Issue 9: what stops a command is said in French, with exit code 2 -------------------------
def test_validate_with_a_damaged_read_only_cache_still_validates(tmp_path):
    """The référentiel is rebuilt in memory; ``validate`` answers for the rows (exit 0)."""
    from atelierflash.referentiel import cache_dir
    from tests.conftest import unprivileged

    (real,) = [p for p in cache_dir().iterdir() if p.name.startswith("referentiel-")]
    root = tmp_path / "cache"
    damaged = root / real.name
    damaged.mkdir(parents=True)
    for part in real.iterdir():
        damaged.joinpath(part.name).write_bytes(
            part.read_bytes() if part.name == "meta.json" else b"abime"
        )
        damaged.joinpath(part.name).chmod(0o444)
    damaged.chmod(0o555)
    root.chmod(0o555)
    result = subprocess.run(
        unprivileged([sys.executable, "-m", "atelierflash", "validate", "data/ateliers.csv"]),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "ATELIERFLASH_CACHE_DIR": str(root)},
    )
    assert result.returncode == 0, result.stderr
    assert "Le cache du référentiel ne peut pas être écrit" in result.stderr
    assert "Traceback" not in result.stderr


def test_carte_publique_on_a_plain_file_says_so(tmp_path):
    plain = tmp_path / "carte.html"
    plain.write_text("garder", encoding="utf-8")
    result = run_cli("carte-publique", "--out", str(plain))
    assert result.returncode == 2
    assert "n'est pas un dossier" in result.stderr and "Traceback" not in result.stderr
    assert plain.read_text(encoding="utf-8") == "garder"


def test_carte_publique_into_a_read_only_folder_says_so(tmp_path):
    from tests.conftest import unprivileged

    folder = tmp_path / "lecture_seule"
    folder.mkdir()
    folder.chmod(0o555)
    result = subprocess.run(
        unprivileged(
            [sys.executable, "-m", "atelierflash", "carte-publique", "--out", str(folder / "c")]
        ),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "accès refusé" in result.stderr
    assert list(folder.iterdir()) == []


def test_carte_publique_never_publishes_a_missing_register(tmp_path):
    out = tmp_path / "carte"
    first = run_cli("carte-publique", "--registre", "data/ateliers.csv", "--out", str(out))
    assert first.returncode == 0, first.stderr
    before = (out / "index.html").read_bytes()
    result = run_cli(
        "carte-publique", "--registre", str(tmp_path / "efface.csv"), "--out", str(out)
    )
    assert result.returncode == 2
    assert "Rien n'est publié" in result.stderr
    assert (out / "index.html").read_bytes() == before
