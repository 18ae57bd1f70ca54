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
    assert set(document) == {"date", "entonnoir", "delais", "a_traiter", "suites"}
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
    for row in document["a_traiter"]:
        extra = {"jalon", "echeance"} if row["motif"] == "point_etape_du" else set()
        assert set(row) == {"id", "motif", "depuis", "jours", *extra}
    assert set(document["suites"]) == {"jalons", "synthese", "points", "ateliers"}


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


STEPS_REGISTER = (
    "id,titre,annee,statut,communes_insee,themes,equipe,date_depot,date_eligibilite,"
    "date_selection,date_bon_commande,date_debut,date_livrables,date_restitution,date_fin\n"
    "S-1,Doullens (fictif),2025,candidature,80253,Gestion des risques,,2025-03-01,,,,,,,\n"
    "S-2,Abbeville (fictif),2024,réalisé,80001,Gestion des risques,POLAU,2023-09-01,"
    "2023-10-01,2023-11-15,2024-01-10,2024-02-01,2024-06-20,2024-07-01,2024-07-15\n"
    "S-3,Amiens (fictif),2024,réalisé,80021,Gestion des risques,POLAU,2023-09-01,"
    "2023-10-21,2023-12-01,2024-02-01,2024-03-01,,2024-08-01,2024-08-20\n"
)


def test_suivi_reads_the_steps_of_a_register_file(tmp_path):
    path = tmp_path / "etapes.csv"
    path.write_text(STEPS_REGISTER, encoding="utf-8")
    result = run_cli("suivi", "--registre", str(path), "--date", "2025-06-30", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    delays = {(d["de"], d["a"]): d for d in document["delais"]}
    assert delays[("depot", "eligibilite")]["n"] == 2
    assert delays[("depot", "eligibilite")]["mediane_jours"] == 40  # (30 + 50) / 2
    assert delays[("bon_commande", "restitution")]["max_jours"] == 182
    assert document["a_traiter"] == [
        {"id": "S-3", "motif": "livrables_manquants", "depuis": "2024-08-01", "jours": 333},
        {"id": "S-1", "motif": "eligibilite_en_attente", "depuis": "2025-03-01", "jours": 121},
    ]


def test_suivi_decodes_no_shape(monkeypatch, capsys):
    # Issue 18: the suivi reads names and codes only, so the référentiel is loaded without its
    # geometries (decoding them was a sixth of the command's time). Same answer as with them.
    from atelierflash import referentiel
    from atelierflash.__main__ import main

    load = referentiel.load_referentiel
    asked: list[bool] = []

    def recording(*args, geometries=True, **kwargs):
        asked.append(geometries)
        return load(*args, geometries=geometries, **kwargs)

    monkeypatch.setattr(referentiel, "load_referentiel", recording)
    assert main(["suivi", "--json", "--date", "2026-11-29"]) == 0
    without = json.loads(capsys.readouterr().out)
    assert asked == [False]
    monkeypatch.setattr(
        referentiel, "load_referentiel", lambda *a, geometries=True, **k: load(*a, **k)
    )
    assert main(["suivi", "--json", "--date", "2026-11-29"]) == 0
    assert json.loads(capsys.readouterr().out) == without
    assert without["a_traiter"] and without["delais"]


def test_suivi_does_not_import_plotly():
    # Issue 18: the analytics face imports its figure modules (plotly) on first use only, so
    # the command line's suivi never pays for them; a page still gets them from the face.
    import subprocess
    import sys

    from tests.test_cli import ROOT

    probe = (
        "import contextlib, io, runpy, sys\n"
        "sys.argv = ['atelierflash', 'suivi', '--json', '--date', '2026-11-29']\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        runpy.run_module('atelierflash', run_name='__main__')\n"
        "    except SystemExit as exc:\n"
        "        assert not exc.code, exc.code\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'plotly'))\n"
        "from atelierflash.analyse import funnel_figure\n"
        "print('plotly' in sys.modules, callable(funnel_figure))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[]", "True True"]


SUITES_REGISTER = (
    "id,titre,annee,statut,communes_insee,themes,equipe,date_restitution,"
    "Point d'étape à 6 mois,Point d'étape à 12 mois\n"
    "F-1,Doullens (fictif),2023,réalisé,80253,Gestion des risques,POLAU,2024-01-15,"
    "2024-07-10,\n"
    "F-2,Abbeville (fictif),2024,réalisé,80001,Gestion des risques,POLAU,2024-09-02,,\n"
)
SUITES_ACTIONS = (
    "Atelier;Action;Thème;Statut à 6 mois\n"
    "F-1;Digue;risques;en cours\n"
    "F-1;Plan communal de sauvegarde;risques;à venir\n"
    "F-2;Relocaliser le camping;risques;\n"
)


def test_suivi_reads_the_feuille_de_route_and_says_what_became_of_it(tmp_path):
    register = tmp_path / "suites.csv"
    register.write_text(SUITES_REGISTER, encoding="utf-8")
    plan = tmp_path / "actions.csv"
    plan.write_text(SUITES_ACTIONS, encoding="utf-8")
    arguments = ("suivi", "--registre", str(register), "--actions", str(plan))
    result = run_cli(*arguments, "--date", "2025-06-30", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    # F-1: 12 months reached on 15/01/2025, no point since. F-2: 6 months on 02/03/2025.
    due = [r for r in document["a_traiter"] if r["motif"] == "point_etape_du"]
    assert due == [
        {
            "id": "F-1",
            "motif": "point_etape_du",
            "depuis": "2025-01-15",
            "jours": 166,
            "jalon": 12,
            "echeance": "2025-01-15",
        },
        {
            "id": "F-2",
            "motif": "point_etape_du",
            "depuis": "2025-03-02",
            "jours": 120,
            "jalon": 6,
            "echeance": "2025-03-02",
        },
    ]
    suites = document["suites"]
    six = next(p for p in suites["points"] if p["par"] == "programme" and p["jalon"] == 6)
    assert (six["actions"], six["demarrees"], six["part_demarrees"]) == (2, 1, 0.5)
    overall = next(s for s in suites["synthese"] if s["par"] == "programme")
    assert (overall["ateliers"], overall["actions"], overall["actions_par_atelier"]) == (2, 3, 1.5)
    assert overall["premier_demarrage"]["mediane_jours"] == 177
    text = run_cli(*arguments, "--date", "2025-06-30")
    assert "Point d'étape dû" in text.stdout and "point d'étape à 12 mois dû le 15/01/2025" in (
        text.stdout
    )
    missing = run_cli(*arguments[:-1], str(tmp_path / "absent.csv"), "--json")
    assert missing.returncode == 2 and "absent.csv" in missing.stderr
