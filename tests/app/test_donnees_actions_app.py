"""AppTest of the « Données » page with the feuille de route: the template's button, a workbook
with its « Actions » sheet reviewed and stored, and a separate file of actions."""

from __future__ import annotations

import io

import openpyxl

from atelierflash import store
from atelierflash.ui import donnees as review
from tests.feuille_de_route import actions_csv, workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _button(at, label):
    (button,) = [b for b in at.button if b.label == label]
    return button


def _metric(at, label):
    (metric,) = [m for m in at.metric if m.label == label]
    return metric.value


def test_the_template_button(mini_app):
    at = mini_app("pages/donnees.py")
    assert not at.exception, at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Télécharger le modèle à remplir (XLSX)" in labels
    book = openpyxl.load_workbook(io.BytesIO(review.template()))
    assert book.sheetnames == ["Registre", "Actions", "Lisez-moi", "Listes"]
    assert book["Actions"].data_validations.dataValidation


def test_a_workbook_with_its_actions_is_reviewed_then_stored(mini_app, tmp_path):
    at = mini_app("pages/donnees.py")
    data = workbook(tmp_path).read_bytes()
    at.file_uploader[0].upload("registre.xlsx", data, XLSX).run()
    assert not at.exception, at.exception
    assert _metric(at, "Lignes lues") == "2"
    assert _metric(at, "Actions lues") == "4"
    assert _metric(at, "Actions en erreur") == "1"
    assert _metric(at, "Actions avec avertissement") == "1"
    (messages,) = [d.value for d in at.dataframe if "feuille" in d.value.columns]
    bad = messages[messages["atelier"] == "T-Z"].iloc[0]
    assert (bad["ligne"], bad["feuille"], bad["colonne"]) == ("4", "Actions", "Atelier")
    at.text_input[0].set_value("Camille").run()
    _button(at, "Enregistrer la version 2").click().run()
    assert not at.exception, at.exception
    assert any("actions : 4 ajoutées" in m.value for m in at.success)
    assert len(store.Store().actions(2).rows) == 4
    # The history shows the version's actions beside its rows.
    assert any("4 actions de la feuille de route" in c.value for c in at.caption)
    assert any(
        list(d.value["Action"])[:1] == ["Rénover la halle"]
        for d in at.dataframe
        if "Action" in d.value.columns
    )


def test_a_separate_actions_file(mini_app, tmp_path):
    at = mini_app("pages/donnees.py")
    register = tmp_path / "registre.csv"
    register.write_text(
        "Identifiant;Titre;Année;Statut;Codes INSEE des communes;Thèmes\n"
        "T-A;Doullens (fictif);2019;réalisé;80253;centre-bourg\n"
        "T-B;Abbeville (fictif);2021;en cours;80001;friches\n",
        encoding="utf-8",
    )
    at.file_uploader[1].upload("plan.csv", actions_csv(tmp_path).read_bytes(), "text/csv")
    at.file_uploader[0].upload("registre.csv", register.read_bytes(), "text/csv").run()
    assert not at.exception, at.exception
    assert _metric(at, "Actions lues") == "4"
    at.text_input[0].set_value("Camille").run()
    _button(at, "Enregistrer la version 2").click().run()
    assert not at.exception, at.exception
    kept = store.Store().actions(2)
    assert kept.path.name == "plan.csv" and len(kept.rows) == 4


def test_the_compare_tab_shows_the_actions_changes(mini_app, tmp_path):
    at = mini_app("pages/donnees.py")
    at.file_uploader[0].upload("registre.xlsx", workbook(tmp_path).read_bytes(), XLSX).run()
    at.text_input[0].set_value("Camille").run()
    _button(at, "Enregistrer la version 2").click().run()
    assert not at.exception, at.exception
    # « Comparer » (version 2 with version 1): the four actions stored are named there, not
    # only counted in its sentence.
    assert any("actions : 4 ajoutées" in m.value for m in at.markdown)
    (changes,) = [d.value for d in at.dataframe if "changement" in d.value.columns]
    assert list(changes["changement"]) == ["ajoutée"] * 4
    assert "Rénover la halle" in set(changes["action"])
