"""AppTest of the « Données » page on a Démarches simplifiées export (issue 18 §5): the same
import as a register, its messages naming the export's headers, no personal data shown or
stored."""

from __future__ import annotations

from atelierflash import store

EXPORT = (
    "ID;Email;Nom;Prénom;État du dossier;Déposé le;Passé en instruction le;Traité le;"
    "Motivation de la décision;Instructeurs;Intitulé du projet;Commune (Code INSEE)\n"
    "501;camille.martin@courriel.test;Martin;Camille;Accepté;2026-03-12 14:03:22 +0100;;"
    "2026-04-02 10:00:00 +0200;Complet;instructeur@instruction.test;Halle;80253\n"
    "502;dominique@courriel.test;Durand;Dominique;Refusé;le 3 mars;;;;instructeur@instruction.test;"
    "Gare;80001\n"
)
PERSONAL = ("courriel.test", "Martin", "Camille", "Durand", "instruction.test")


def _button(at, label):
    (button,) = [b for b in at.button if b.label == label]
    return button


def _metric(at, label):
    (metric,) = [m for m in at.metric if m.label == label]
    return metric.value


def _everything_shown(at) -> str:
    parts = [
        str(e.value) for kind in ("markdown", "caption", "info", "success") for e in at.get(kind)
    ]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(parts)


def test_an_export_imports_as_candidatures(mini_app):
    at = mini_app("pages/donnees.py")
    s = store.Store()
    at.file_uploader[0].upload("dossiers.csv", EXPORT.encode("utf-8"), "text/csv").run()
    assert not at.exception, at.exception
    assert _metric(at, "Lignes lues") == "2"
    messages = at.dataframe[0].value
    bad = messages[messages["id"] == "DS-502"]
    (date_error,) = bad[bad["message"].str.contains("date invalide")].index
    assert messages.loc[date_error, "colonne"] == "Déposé le"  # as the export spells it
    assert messages.loc[date_error, "ligne"] == "3"
    assert _metric(at, "Ateliers ajoutés") == "2"
    shown = _everything_shown(at)
    assert not [p for p in PERSONAL if p in shown], shown

    at.text_input[0].set_value("Camille Durand").run()
    _button(at, "Enregistrer la version 2").click().run()
    assert not at.exception, at.exception
    stored = s.table(2).rows
    assert stored["id"].tolist() == ["DS-501", "DS-502"]
    assert stored["statut"].tolist() == ["éligible", "non retenue"]
    assert not any(p in stored.to_csv() for p in PERSONAL)
    s.dispose()
