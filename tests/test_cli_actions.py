"""``validate`` with the feuille de route's actions: a workbook's sheet, or ``--actions FILE``."""

from __future__ import annotations

import json

import pytest

from atelierflash.__main__ import main
from tests.conftest import make_mini_referentiel
from tests.feuille_de_route import ACTIONS_ROWS, actions_csv, workbook


@pytest.fixture
def validate(monkeypatch, capsys):
    import atelierflash.referentiel as referentiel

    monkeypatch.setattr(referentiel, "load_referentiel", lambda *a, **k: make_mini_referentiel())

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["validate", *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_a_workbook_s_actions_sheet_is_validated_with_the_register(validate, tmp_path):
    code, out, _ = validate(str(workbook(tmp_path)), "--json")
    payload = json.loads(out)
    # The register's rows are unaffected by the bad action.
    assert [r["status"] for r in payload["rows"]] == ["ok", "ok"]
    assert payload["summary"] == {"ok": 2, "warning": 0, "error": 0}
    assert [(a["line"], a["sheet"], a["atelier"], a["status"]) for a in payload["actions"]] == [
        (2, "Actions", "T-A", "ok"),
        (3, "Actions", "T-B", "ok"),
        (4, "Actions", "T-Z", "error"),
        (5, "Actions", "T-A", "warning"),
    ]
    assert "atelier inconnu : « T-Z »" in payload["actions"][2]["messages"][0]
    assert payload["summary_actions"] == {"ok": 2, "warning": 1, "error": 1}
    assert code == 1  # an action in error: the rows' policy


def test_text_report_has_an_actions_section(validate, tmp_path):
    code, out, _ = validate(str(workbook(tmp_path, sheet="Feuille de route")))
    assert code == 1
    assert "Actions de la feuille de route : registre.xlsx, feuille « Feuille de route »" in out
    assert (
        "registre.xlsx, feuille « Feuille de route », ligne 4 (atelier « T-Z ») : erreur : "
        "colonne « Atelier » (atelier) : atelier inconnu"
    ) in out
    assert "Bilan des actions : 2 sans remarque, 1 avec avertissement, 1 en erreur." in out


def test_good_actions_exit_0(validate, tmp_path):
    path = workbook(tmp_path, actions=ACTIONS_ROWS[:2])
    code, out, _ = validate(str(path), "--json")
    assert code == 0
    assert json.loads(out)["summary_actions"] == {"ok": 2, "warning": 0, "error": 0}


def test_a_separate_actions_file(validate, tmp_path):
    register = tmp_path / "registre.csv"
    register.write_text(
        "id;titre;statut;communes_insee\nT-A;A (fictif);réalisé;80253\nT-B;B (fictif);en cours;80001\n",
        encoding="utf-8",
    )
    code, out, _ = validate(str(register), "--actions", str(actions_csv(tmp_path)), "--json")
    payload = json.loads(out)
    assert code == 1
    assert [a["status"] for a in payload["actions"]] == ["ok", "ok", "error", "warning"]
    assert {a["sheet"] for a in payload["actions"]} == {None}


def test_a_register_without_actions(validate, tmp_path):
    register = tmp_path / "registre.csv"
    register.write_text("id;titre;statut;communes_insee\nT-A;A (fictif);réalisé;80253\n")
    code, out, _ = validate(str(register), "--json")
    payload = json.loads(out)
    assert code == 0
    assert payload["actions"] == []
    assert payload["summary_actions"] == {"ok": 0, "warning": 0, "error": 0}
    code, out, _ = validate(str(register))
    assert "Actions de la feuille de route" not in out


def test_an_unusable_actions_file_exit_2(validate, tmp_path):
    register = tmp_path / "registre.csv"
    register.write_text("id;titre;statut;communes_insee\nT-A;A (fictif);réalisé;80253\n")
    bad = tmp_path / "actions.csv"
    bad.write_text("Atelier;Axe\nT-A;x\n", encoding="utf-8")
    code, out, err = validate(str(register), "--actions", str(bad), "--json")
    assert code == 2
    assert "« action »" in err
    payload = json.loads(out)
    assert payload["summary"]["error"] == 0 and len(payload["rows"]) == 1
    assert payload["actions"] == []
    missing = tmp_path / "absent.csv"
    code, out, err = validate(str(register), "--actions", str(missing), "--json")
    assert code == 2
    assert "absent.csv" in err
    assert json.loads(out)["actions"] == []


@pytest.fixture
def cli(monkeypatch, store_url, capsys):
    import atelierflash.referentiel as referentiel

    monkeypatch.setattr(referentiel, "load_referentiel", lambda *a, **k: make_mini_referentiel())

    def run(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--database-url", store_url])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_import_then_diff_a_workbook_with_its_actions(cli, tmp_path):
    path = workbook(tmp_path)
    code, out, _ = cli("import", str(path), "--dry-run")
    assert code == 1  # an action in error, as validate says
    assert "registre.xlsx, feuille « Actions », ligne 4 (atelier « T-Z ») : erreur" in out
    assert "+ action T-A : Rénover la halle" in out
    code, out, _ = cli("import", str(path), "--auteur", "Camille")
    assert code == 0, out
    assert "Version 1 enregistrée (2 lignes, ateliers : 2 ajoutés ; actions : 4 ajoutées)" in out
    code, out, _ = cli("import", str(workbook(tmp_path, "v2.xlsx", actions=ACTIONS_ROWS[:2])))
    assert code == 0, out
    code, out, _ = cli("diff", "1", "2")
    assert "actions : 2 supprimées" in out
    assert "- action T-Z : Action d'un atelier absent" in out


def test_import_refuses_unreadable_actions(cli, tmp_path):
    register = tmp_path / "registre.csv"
    register.write_text("id;titre;statut;communes_insee\nT-A;A (fictif);réalisé;80253\n")
    bad = tmp_path / "actions.csv"
    bad.write_text("Atelier;Axe\nT-A;x\n", encoding="utf-8")
    code, out, _ = cli("import", str(register), "--actions", str(bad))
    assert code == 2
    assert "« action »" in out
    code, out, _ = cli("versions", "--json")
    assert json.loads(out) == []
