"""The ``suivi`` command on the real référentiel: its JSON shape, its text, its refusals."""

from __future__ import annotations

import json

import pytest

from tests.test_cli import run_cli

pytestmark = pytest.mark.referentiel


def test_suivi_json_on_the_demo_has_the_documented_keys():
    result = run_cli("suivi", "--json", "--date", "2026-11-29")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {"date", "entonnoir", "delais", "a_traiter"}
    assert document["date"] == "2026-11-29"
    assert all(set(row) == {"annee", "statut", "n"} for row in document["entonnoir"])
    assert sum(r["n"] for r in document["entonnoir"]) > 100
    pairs = [(row["de"], row["a"]) for row in document["delais"]]
    assert pairs[:4] == [
        ("depot", "eligibilite"),
        ("eligibilite", "selection"),
        ("selection", "bon_commande"),
        ("bon_commande", "restitution"),
    ]
    assert all(set(row) == {"id", "motif", "depuis", "jours"} for row in document["a_traiter"])


def test_suivi_text_names_the_register_and_the_day():
    result = run_cli("suivi", "--date", "2026-11-29")
    assert result.returncode == 0, result.stderr
    assert "au 29 novembre 2026" in result.stdout
    assert "Délais entre étapes" in result.stdout


def test_suivi_refuses_a_bad_date_and_a_missing_register_in_french(tmp_path):
    result = run_cli("suivi", "--date", "2026-13-01")
    assert result.returncode == 2
    assert "AAAA-MM-JJ" in result.stderr
    result = run_cli("suivi", "--registre", str(tmp_path / "absent.csv"), "--json")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
