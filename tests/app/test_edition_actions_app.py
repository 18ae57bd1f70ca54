"""AppTest of the feuille de route edited on the fiche: one form per action, messages at the
field, the diff of the actions, a version signed by its author; refusals keep what was typed.

The app runs in local mode (no login: national scope, a name typed once); the store holds the
mini register with two actions of Doullens (T-2019-1) and one of Ajaccio (T-2024-1).
"""

from __future__ import annotations

import pytest

from atelierflash import acces, store
from atelierflash.acces import LOCAL_SCOPE, Scope
from atelierflash.programme import load_programme
from atelierflash.ui import edition
from tests.app.analytics_helpers import as_shown
from tests.conftest import HOST, MINI_REGISTER, make_mini_referentiel, markdown_injections
from tests.test_edition_actions import ACTIONS_CSV

PAGE = "pages/atelier.py"
OPEN = "Modifier la feuille de route"


@pytest.fixture
def fdr_app(mini_app, tmp_path):
    """The mini app on a store whose version 1 holds the mini register and its actions.

    The store (``$ATELIERFLASH_DATABASE_URL``, else the test's own SQLite) is seeded at the
    first start, before the app's own seeding.
    """
    register = tmp_path / "registre.csv"
    register.write_text(MINI_REGISTER, encoding="utf-8")
    plan = tmp_path / "actions.csv"
    plan.write_text(ACTIONS_CSV, encoding="utf-8")

    def start(page, query=None):
        s = store.Store()
        if s.head() is None:
            preview = store.prepare_import(
                register, s, make_mini_referentiel(), load_programme(), actions=plan
            )
            store.commit_import(s, preview, "Camille")
        s.dispose()
        return mini_app(page, query)

    return start


def _button(at, label: str):
    (found,) = [b for b in at.button if b.label == label]
    return found


def _field(at, slot: int, name: str):
    key = f"fdr_champ_{slot}_{name}"
    for widget in (*at.text_input, *at.text_area, *at.selectbox):
        if widget.key == key:
            return widget
    raise AssertionError(f"champ absent : action {slot}, {name}")


def _open(fdr_app, atelier="T-2019-1"):
    at = fdr_app(PAGE, {"id": atelier})
    _button(at, OPEN).click().run()
    assert not at.exception, at.exception
    return at


def _texts(at) -> list[str]:
    return [as_shown(e.value) for e in (*at.error, *at.warning, *at.success, *at.info)]


def _save(at, version: int, author: str = "Dominique (DDT 80)"):
    if not at.text_input(key="fdr_auteur_champ").value:
        at.text_input(key="fdr_auteur_champ").set_value(author).run()
    _button(at, f"Enregistrer la version {version}").click().run()
    assert not at.exception, at.exception


def test_each_action_is_a_form_of_every_declared_column(fdr_app):
    at = _open(fdr_app)
    assert [as_shown(s.value) for s in at.subheader] == [
        "Feuille de route de l'atelier « T-2019-1 »"
    ]
    programme = load_programme()
    for slot in (0, 1):
        for field in store.action_fields(programme):
            _field(at, slot, field.name)  # every declared column but the atelier is a field
    assert _field(at, 0, "action").value == "Rénover la halle"
    assert _field(at, 1, "action").value == "Étude OPAH"
    statut = _field(at, 0, "statut")
    # A choice among the vocabulary's labels; a variant as imported is kept as it was.
    assert statut.options == ["—", *programme.statuts_action.labels()]
    assert statut.value == "en cours"
    priorite = _field(at, 0, "priorite")
    assert priorite.value == "haute" and priorite.options[-1] == "haute"
    assert _field(at, 0, "budget_eur").value == "120 000 €"
    with pytest.raises(AssertionError, match="champ absent"):
        _field(at, 0, "atelier")  # the fiche's, not a field
    assert [as_shown(c.label) for c in at.checkbox] == [
        "Supprimer l'action 1",
        "Supprimer l'action 2",
    ]


def test_an_edit_with_an_error_cannot_be_saved_then_lands_as_a_version(fdr_app):
    at = _open(fdr_app)
    _field(at, 0, "statut").set_value("réalisé")
    _button(at, "Ajouter une action").click().run()
    _field(at, 2, "action").set_value("Créer une voie verte")
    _field(at, 2, "priorite").set_value("basse")
    _field(at, 2, "echeance").set_value("bientôt")
    _button(at, "Vérifier").click().run()
    assert not at.exception, at.exception
    errors = [as_shown(e.value) for e in at.error]
    assert any("échéance illisible : « bientôt »" in e for e in errors), _texts(at)
    assert _button(at, "Enregistrer la version 2").disabled
    # Corrected and checked again: the actions' diff, the author, the save.
    _field(at, 2, "echeance").set_value("2028")
    _button(at, "Vérifier").click().run()
    assert not at.error, _texts(at)
    (changes,) = at.dataframe
    assert changes.value[["changement", "action"]].values.tolist() == [
        ["ajoutée", "Créer une voie verte"],
        ["modifiée", "Rénover la halle"],
    ]
    assert changes.value["après"].tolist()[-1] == "réalisé"
    _save(at, 2)
    notice = [as_shown(s.value) for s in at.success]
    assert any(
        "Version 2 enregistrée par Dominique (DDT 80) : feuille de route de l'atelier "
        "« T-2019-1 » (actions : 1 ajoutée, 1 modifiée)" in n
        for n in notice
    ), notice
    s = store.Store()
    assert [(v.version, v.auteur) for v in s.versions()][-1] == (2, "Dominique (DDT 80)")
    report = store.validate_version_actions(s, 2, load_programme())
    mine = report.actions[report.actions["atelier"] == "T-2019-1"]
    assert mine[["action", "statut", "priorite", "echeance"]].values.tolist()[0][:2] == [
        "Rénover la halle",
        "realise",
    ]
    assert mine["action"].tolist() == ["Rénover la halle", "Étude OPAH", "Créer une voie verte"]
    assert mine["priorite"].tolist()[-1] == "basse" and mine["echeance"].tolist()[-1] == "2028"
    assert s.table(2).rows.equals(s.table(1).rows)  # the register's rows unchanged
    s.dispose()
    # The editor is closed; it opens again on the new version.
    assert not at.subheader and OPEN in [b.label for b in at.button]
    _button(at, OPEN).click().run()
    assert _field(at, 0, "statut").value == "réalisé"


def test_an_action_deleted(fdr_app):
    at = _open(fdr_app)
    at.checkbox(key="fdr_supprimer_1").check()
    _button(at, "Vérifier").click().run()
    (changes,) = at.dataframe
    assert changes.value[["changement", "action"]].values.tolist() == [["supprimée", "Étude OPAH"]]
    _save(at, 2)
    s = store.Store()
    assert [a["action"] for a in store.atelier_actions(s.actions(2), "T-2019-1")] == [
        "Rénover la halle"
    ]
    assert store.atelier_actions(s.actions(2), "T-2024-1") == store.atelier_actions(
        s.actions(1), "T-2024-1"
    )
    s.dispose()


def test_a_save_refused_because_the_register_changed_keeps_what_was_typed(
    fdr_app, store_url, monkeypatch
):
    # On both backends: PostgreSQL is where several app processes (two editors) share a store.
    monkeypatch.setenv(store.ENV_DATABASE_URL, store_url)
    at = _open(fdr_app)
    _field(at, 1, "note").set_value("Ma note, longue à taper")
    _button(at, "Vérifier").click().run()
    at.text_input(key="fdr_auteur_champ").set_value("Bao").run()
    # Meanwhile another editor saves the same feuille de route (version 2): the halle is done,
    # and one more action.
    other = store.Store()
    halle, opah = store.atelier_actions(other.actions(1), "T-2019-1")
    alix = store.prepare_actions_edit(
        other,
        make_mini_referentiel(),
        load_programme(),
        base=1,
        atelier_id="T-2019-1",
        actions=[halle | {"statut": "réalisé"}, opah, {"action": "Action d'Alix"}],
        scope=LOCAL_SCOPE,
    )
    store.commit_actions_edit(other, alix, "Alix")
    _button(at, "Enregistrer la version 2").click().run()
    assert not at.exception, at.exception
    (refusal,) = [as_shown(e.value) for e in at.error]
    assert "Rien n'a été enregistré" in refusal and "par Alix" in refusal
    assert "Votre saisie est conservée" in refusal
    assert _field(at, 1, "note").value == "Ma note, longue à taper"
    assert [v.auteur for v in other.versions()] == ["Camille", "Alix"]
    # Checked on the current version: Alix's work and Bao's note, only the note changes.
    _button(at, "Vérifier sur la version actuelle").click().run()
    assert not at.exception, at.exception
    assert [_field(at, i, "action").value for i in range(3)] == [
        "Rénover la halle",
        "Étude OPAH",
        "Action d'Alix",
    ]
    assert _field(at, 0, "statut").value == "réalisé"
    assert _field(at, 1, "note").value == "Ma note, longue à taper"
    (changes,) = at.dataframe
    assert changes.value[["changement", "action", "colonne"]].values.tolist() == [
        ["modifiée", "Étude OPAH", "Note"]
    ]
    _button(at, "Enregistrer la version 3").click().run()
    assert any("Version 3 enregistrée par Bao" in as_shown(s.value) for s in at.success)
    saved = store.atelier_actions(other.actions(3), "T-2019-1")
    assert [(a["action"], a["statut"], a["note"]) for a in saved] == [
        ("Rénover la halle", "réalisé", ""),
        ("Étude OPAH", "à venir", "Ma note, longue à taper"),
        ("Action d'Alix", "", ""),
    ]
    other.dispose()


def test_cancel_closes_the_editor_and_stores_nothing(fdr_app):
    at = _open(fdr_app)
    _field(at, 0, "action").set_value("Jamais enregistrée")
    _button(at, "Annuler").click().run()
    assert not at.subheader and OPEN in [b.label for b in at.button]
    s = store.Store()
    assert [v.version for v in s.versions()] == [1]
    s.dispose()


def test_hostile_text_typed_in_an_action_stays_text(fdr_app):
    at = _open(fdr_app)
    hostile = {
        "axe": f"![i](http://{HOST}/i.png) $x^2$ :red[rouge]",
        "action": f'=HYPERLINK("http://{HOST}/a","clic") [Se connecter](http://{HOST}/l)',
        "porteur": "<script>alert(1)</script>",
        "financements": "+cmd|' /C calc'!A0",
        "note": "-2+3 <img src=x onerror=alert(1)> $$\\int$$",
    }
    _button(at, "Ajouter une action").click().run()
    for name, value in hostile.items():
        _field(at, 2, name).set_value(value)
    _button(at, "Vérifier").click().run()
    assert not at.exception, at.exception
    shown = [
        e.proto.body if hasattr(e.proto, "body") else ""
        for e in (*at.error, *at.warning, *at.markdown, *at.caption)
    ]
    assert [m for s in shown for m in markdown_injections(s)] == []
    assert any("comme une formule de tableur" in as_shown(w.value) for w in at.warning)
    labels = [as_shown(c.label) for c in at.checkbox]
    assert labels[-1] == "Supprimer l'action 3"
    _save(at, 2, author="=1+1 [a](http://x)")
    assert any("Version 2 enregistrée" in as_shown(s.value) for s in at.success), _texts(at)
    bodies = [e.proto.body for e in (*at.success, *at.markdown, *at.caption)]
    assert [m for b in bodies for m in markdown_injections(b)] == []
    s = store.Store()
    stored = store.atelier_actions(s.actions(2), "T-2019-1")[-1]
    assert {k: stored[k] for k in hostile} == hostile
    s.dispose()


def test_an_editor_outside_the_territory_gets_no_editor_and_a_forged_check_is_refused(
    fdr_app, monkeypatch
):
    corse = Scope(departements=frozenset({"2A"}))
    monkeypatch.setattr(edition, "visitor_scope", lambda: corse)
    at = fdr_app(PAGE, {"id": "T-2019-1"})
    assert OPEN not in [b.label for b in at.button]
    # Ajaccio's own fiche offers it.
    at.query_params["id"] = "T-2024-1"
    at.run()
    assert OPEN in [b.label for b in at.button]
    # An editor opened while national, checked once the scope is the Corse's: refused.
    monkeypatch.setattr(edition, "visitor_scope", lambda: LOCAL_SCOPE)
    at = _open(fdr_app)
    monkeypatch.setattr(edition, "visitor_scope", lambda: corse)
    _field(at, 0, "note").set_value("Forgée")
    _button(at, "Vérifier").click().run()
    assert any("hors de votre périmètre" in as_shown(e.value) for e in at.error), _texts(at)
    at.text_input(key="fdr_auteur_champ").set_value("intrus").run()
    assert _button(at, "Enregistrer la version 2").disabled
    s = store.Store()
    assert [v.version for v in s.versions()] == [1]
    s.dispose()


def test_public_mode_shows_no_editor(fdr_app, monkeypatch):
    monkeypatch.setenv(acces.ENV_MODE, "public")
    at = fdr_app(PAGE, {"id": "T-2019-1"})
    assert OPEN not in [b.label for b in at.button]
    assert "fdr" not in at.session_state


def test_a_column_added_to_the_declaration_is_edited_without_change(fdr_app, monkeypatch):
    # The points d'étape add per-jalon statuts to ACTIONS (« statut_6_mois »…); a jalon added
    # to the settings (36 months) would add one more: a select box of the statuts appears by
    # itself, and what is chosen is stored under that column.
    from atelierflash import actions
    from atelierflash.registre import Column, ColumnSet

    extra = Column("statut_36_mois", "Statut à 36 mois", (), "Statut au point d'étape à 36 mois.")
    monkeypatch.setattr(actions, "ACTIONS", ColumnSet((*actions.ACTIONS.columns, extra)))
    at = _open(fdr_app)
    six = _field(at, 0, "statut_36_mois")
    assert six.label == "Statut à 36 mois (action 1)" and six.value == ""
    assert six.options == ["—", *load_programme().statuts_action.labels()]
    six.set_value("en cours")
    _button(at, "Vérifier").click().run()
    (changes,) = at.dataframe
    assert changes.value[["action", "colonne", "après"]].values.tolist() == [
        ["Rénover la halle", "Statut à 36 mois", "en cours"]
    ]
    _save(at, 2)
    s = store.Store()
    assert [a["statut_36_mois"] for a in store.atelier_actions(s.actions(2), "T-2019-1")] == [
        "en cours",
        "",
    ]
    assert store.atelier_actions(s.actions(2), "T-2024-1")[0]["statut_36_mois"] == ""
    s.dispose()
