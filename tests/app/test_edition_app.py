"""AppTest of editing on the fiche: the form, messages at the field, save, refusal keeps values.

The app runs in local mode (no login): the person edits everything and types their name once.
"""

from __future__ import annotations

from atelierflash import store
from atelierflash.acces import LOCAL_SCOPE
from atelierflash.programme import load_programme
from atelierflash.registre import COLUMNS
from tests.app.analytics_helpers import as_shown
from tests.conftest import (
    HOSTILE_CELLS,
    formula_cells,
    make_mini_referentiel,
    markdown_injections,
)

PAGE = "pages/atelier.py"


def _field(at, name: str):
    key = f"edition_champ_{name}"
    for widget in (*at.text_input, *at.text_area):
        if widget.key == key:
            return widget
    raise AssertionError(f"champ absent : {name}")


def _button(at, label: str):
    (found,) = [b for b in at.button if b.label == label]
    return found


def _open_form(mini_app, atelier="T-2019-1"):
    at = mini_app(PAGE, {"id": atelier})
    _button(at, "Modifier cet atelier").click().run()
    assert not at.exception, at.exception
    return at


def _texts(at) -> list[str]:
    elements = (*at.error, *at.warning, *at.success, *at.info, *at.caption)
    return [as_shown(e.value) for e in elements]


def test_the_form_offers_every_declared_column_filled_with_the_row(mini_app):
    at = _open_form(mini_app)
    assert [as_shown(s.value) for s in at.subheader] == ["Modifier l'atelier « T-2019-1 »"]
    for column in COLUMNS:
        _field(at, column.name)  # every declared column is a field
    assert _field(at, "titre").value == "Centre-bourg de Doullens (fictif)"
    assert _field(at, "communes_insee").value == "80253"
    assert _field(at, "communes").value == ""  # a column the version lacks: empty
    assert "Vérifier" in [b.label for b in at.button]


def test_messages_at_the_field_then_a_save_makes_a_version(mini_app):
    at = _open_form(mini_app)
    _field(at, "annee").set_value("deux mille")
    _field(at, "titre").set_value("Doullens, le centre-bourg (fictif)")
    _button(at, "Vérifier").click().run()
    assert not at.exception, at.exception
    assert any("année" in e.value or "annee" in e.value for e in at.error), _texts(at)
    assert _button(at, "Enregistrer la version 2").disabled
    # Corrected, checked again: the diff is shown, the author typed once, saved.
    _field(at, "annee").set_value("2019")
    _button(at, "Vérifier").click().run()
    assert not at.error, _texts(at)
    (changes,) = at.dataframe
    assert changes.value["après"].tolist() == ["Doullens, le centre-bourg (fictif)"]
    assert _button(at, "Enregistrer la version 2").disabled  # no author yet
    at.text_input(key="edition_auteur_champ").set_value("Dominique (DDT 80)").run()
    _button(at, "Enregistrer la version 2").click().run()
    assert not at.exception, at.exception
    assert any("Version 2 enregistrée par Dominique" in as_shown(s.value) for s in at.success)
    s = store.Store()
    assert [(v.version, v.auteur) for v in s.versions()] == [
        (1, "atelierflash (premier lancement)"),
        (2, "Dominique (DDT 80)"),
    ]
    assert s.table(2).rows.loc[0, "titre"] == "Doullens, le centre-bourg (fictif)"
    # The fiche shows the new version; the name is remembered for the next save.
    assert "Doullens, le centre-bourg" in at.get("html")[0].proto.body
    assert at.session_state["edition_auteur"] == "Dominique (DDT 80)"


def test_a_save_refused_because_the_register_changed_keeps_what_was_typed(
    mini_app, store_url, monkeypatch
):
    # On both backends: PostgreSQL is where several app processes (two editors) share a store.
    monkeypatch.setenv(store.ENV_DATABASE_URL, store_url)
    at = _open_form(mini_app)
    _field(at, "description").set_value("Ma description, longue à taper")
    _button(at, "Vérifier").click().run()
    at.text_input(key="edition_auteur_champ").set_value("Bao").run()
    # Meanwhile another editor saves the same atelier (version 2).
    other = store.Store(store_url)
    preview = store.prepare_edit(
        other,
        make_mini_referentiel(),
        load_programme(),
        base=1,
        cells={"titre": "Titre d'Alix (fictif)"},
        scope=LOCAL_SCOPE,
        atelier_id="T-2019-1",
    )
    store.commit_edit(other, preview, "Alix")
    _button(at, "Enregistrer la version 2").click().run()
    assert not at.exception, at.exception
    (refusal,) = [as_shown(e.value) for e in at.error]
    assert "Rien n'a été enregistré" in refusal and "par Alix" in refusal
    assert "Votre saisie est conservée" in refusal
    assert _field(at, "description").value == "Ma description, longue à taper"
    assert [v.auteur for v in other.versions()][-1] == "Alix"
    # Checked on the current version: only the description changes; saved as version 3.
    _button(at, "Vérifier sur la version actuelle").click().run()
    (changes,) = at.dataframe
    assert changes.value["colonne"].tolist() == ["description"]
    _button(at, "Enregistrer la version 3").click().run()
    assert any("Version 3 enregistrée par Bao" in as_shown(s.value) for s in at.success)
    table = other.table(3)
    assert table.rows.loc[0, "description"] == "Ma description, longue à taper"
    # Alix's title was kept: the form was checked again on her version.
    assert table.rows.loc[0, "titre"] == "Titre d'Alix (fictif)"
    assert [v.auteur for v in other.versions()][1:] == ["Alix", "Bao"]
    other.dispose()


def test_a_new_candidature_with_an_ambiguous_commune_offers_candidates(mini_app):
    at = mini_app(PAGE, {"id": "T-2019-1"})
    _button(at, "Nouvelle candidature").click().run()
    assert [as_shown(s.value) for s in at.subheader] == ["Nouvelle candidature"]
    assert _field(at, "statut").value == "candidature"
    _field(at, "id").set_value("T-2027-1")
    _field(at, "titre").set_value("Candidature de Saint-Denis (fictif)")
    _field(at, "communes").set_value("Saint-Denis")
    _button(at, "Vérifier").click().run()
    (radio,) = at.radio
    assert (
        radio.options[1:] == [c for c in radio.options if "93066" in c or "97411" in c]
        and len(radio.options) == 3
    )
    radio.set_value("97411")
    _button(at, "Appliquer ces choix").click().run()
    assert not at.exception, at.exception
    at.text_input(key="edition_auteur_champ").set_value("Camille").run()
    _button(at, "Enregistrer la version 2").click().run()
    assert any("Version 2 enregistrée" in as_shown(s.value) for s in at.success), _texts(at)
    info = store.Store().head()
    assert "97411" in info.choix.values() and info.resume_text == "atelier : 1 ajouté"


def test_cancel_closes_the_form_and_stores_nothing(mini_app):
    at = _open_form(mini_app)
    _field(at, "titre").set_value("Jamais enregistré")
    _button(at, "Annuler").click().run()
    assert not at.subheader and "Modifier cet atelier" in [b.label for b in at.button]
    assert [v.version for v in store.Store().versions()] == [1]


def test_hostile_text_typed_in_every_field_stays_text(mini_app):
    hostile = list(dict.fromkeys(HOSTILE_CELLS.values()))
    at = _open_form(mini_app)
    for i, column in enumerate(COLUMNS):
        if column.name not in ("id", "statut", "communes_insee"):
            _field(at, column.name).set_value(hostile[i % len(hostile)])
    _button(at, "Vérifier").click().run()
    assert not at.exception, at.exception
    shown = [
        e.proto.body if hasattr(e.proto, "body") else ""
        for e in (*at.error, *at.warning, *at.markdown, *at.caption)
    ]
    assert [m for s in shown for m in markdown_injections(s)] == []
    for frame in at.dataframe:  # the diff: text cells, as typed
        assert set(frame.value["après"]) <= set(hostile) | {""}


def test_hostile_text_saved_stays_text_in_the_fiche_the_history_and_the_downloads(mini_app):
    at = _open_form(mini_app)
    free = {
        "titre": HOSTILE_CELLS[("T-2019-1", "titre")],
        "description": "<script>alert(1)</script> " + HOSTILE_CELLS[("T-2024-1", "description")],
        "motif_derogation": HOSTILE_CELLS[("T-2024-1", "titre")],
        "notes_internes": HOSTILE_CELLS[("T-2025-1", "titre")],
        "livrables": HOSTILE_CELLS[("T-2021-1", "titre")],
    }
    for name, value in free.items():
        _field(at, name).set_value(value)
    _button(at, "Vérifier").click().run()
    at.text_input(key="edition_auteur_champ").set_value("=1+1 [a](http://x)").run()
    _button(at, "Enregistrer la version 2").click().run()
    assert not at.exception, at.exception
    assert any("Version 2 enregistrée" in as_shown(s.value) for s in at.success), _texts(at)
    bodies = [e.proto.body for e in (*at.success, *at.markdown, *at.caption)]
    assert [m for b in bodies for m in markdown_injections(b)] == []
    html = at.get("html")[0].proto.body
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html.split("af-svg")[0]  # the title's Markdown image is text
    s = store.Store()
    assert s.version(2).auteur == "=1+1 [a](http://x)"
    stored = s.table(2).rows.iloc[0]
    for name, value in free.items():
        assert stored[name] == value
    for extension in ("csv", "xlsx"):
        data = store.version_file(s, 2, extension)
        assert formula_cells(f"v.{extension}", data) == []


def test_a_candidature_of_the_territory_is_edited_from_the_list(mini_app):
    at = mini_app(PAGE, {"id": "T-2019-1"})
    # The fiche lists only publishable ateliers; the editor's list has the candidature too.
    other = at.selectbox(key="edition_autre")
    assert any("T-2026-1" in o and "candidature" in o for o in other.options)
    other.set_value("T-2026-1").run()
    _button(at, "Modifier l'atelier choisi").click().run()
    assert [as_shown(s.value) for s in at.subheader] == ["Modifier l'atelier « T-2026-1 »"]
    assert _field(at, "statut").value == "candidature"
    _field(at, "statut").set_value("éligible")
    _button(at, "Vérifier").click().run()
    at.text_input(key="edition_auteur_champ").set_value("DDT 07").run()
    _button(at, "Enregistrer la version 2").click().run()
    assert any("Version 2 enregistrée" in as_shown(s.value) for s in at.success), _texts(at)
    s = store.Store()
    row = s.table(2).rows.set_index("id").loc["T-2026-1"]
    assert row["statut"] == "éligible"
