"""AppTest of the « Données » page through a whole import: upload the messy ministry file,
read the row-by-row messages, pick a candidate commune, read the diff, confirm, find the
version in the history, then restore the previous one."""

from __future__ import annotations

from pathlib import Path

from atelierflash import store
from tests.app.analytics_helpers import as_shown

MESSY = Path(__file__).parents[1] / "data" / "registre_ddt_messy.csv"


def _button(at, label):
    (button,) = [b for b in at.button if b.label == label]
    return button


def _metric(at, label):
    (metric,) = [m for m in at.metric if m.label == label]
    return metric.value


def _viewed(at):
    """The caption of the history's « Voir » tab (Markdown: the file name is escaped)."""
    (caption,) = [c.value for c in at.caption if "telles qu'importées" in c.value]
    return caption


def test_a_whole_import_then_a_restore(mini_app):
    at = mini_app("pages/donnees.py")
    s = store.Store()
    assert [v.version for v in s.versions()] == [1]  # seeded from the configured register
    assert "Version actuelle : 1" in " ".join(m.value for m in at.markdown)

    at.file_uploader[0].upload("registre_ddt_messy.csv", MESSY.read_bytes(), "text/csv").run()
    assert not at.exception, at.exception
    assert _metric(at, "Lignes lues") == "12"
    messages = at.dataframe[0].value
    homonym = messages[messages["id"] == "DDT-04"].iloc[0]
    assert (homonym["ligne"], homonym["colonne"]) == ("5", "Commune(s)")  # as the file spells it
    assert "désigne plusieurs communes" in homonym["message"]

    # The homonym: its candidates with département, code and population; pick La Réunion's.
    (radio,) = [r for r in at.radio if as_shown(r.label).startswith("« Saint-Denis »")]
    assert [as_shown(o) for o in radio.options] == [
        "Ne pas choisir",
        "Saint-Denis · département 974 · 97411 · 155\u202f000 hab.",
        "Saint-Denis · département 93 · 93066 · 113\u202f000 hab.",
    ]
    radio.set_value("97411")
    _button(at, "Appliquer ces choix").click().run()
    assert not at.exception, at.exception
    assert not [r for r in at.radio if as_shown(r.label).startswith("« Saint-Denis »")]
    messages = at.dataframe[0].value
    picked = messages[messages["id"] == "DDT-04"].iloc[0]
    assert picked["niveau"] == "avertissement" and "choisie lors de l'import" in picked["message"]

    # The diff against version 1, before anything is stored.
    assert [v.version for v in s.versions()] == [1]
    assert _metric(at, "Ateliers ajoutés") == "12"
    assert _metric(at, "Ateliers supprimés") == "7"

    at.text_input[0].set_value("Camille Durand").run()
    _button(at, "Enregistrer la version 2").click().run()
    assert not at.exception, at.exception
    assert any("Version 2 enregistrée" in m.value for m in at.success)
    head = s.head()
    assert (head.version, head.auteur, head.fichier) == (
        2,
        "Camille Durand",
        "registre_ddt_messy.csv",
    )
    assert head.choix == {"saint denis": "97411"}
    history = at.dataframe[0].value
    assert list(history["version"]) == [2, 1]
    assert history.iloc[0]["auteur"] == "Camille Durand"
    assert any("enregistré comme version 2" in m.value for m in at.info)  # not reviewed again

    # In the same session, the history opens on version 2 and another version can be viewed.
    assert at.selectbox(key="donnees_version").value == 2
    assert _viewed(at) == "Les 12 lignes telles qu'importées (« registre\\_ddt\\_messy\\.csv »)."
    at.selectbox(key="donnees_version").set_value(1).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="donnees_version").value == 1
    assert (
        _viewed(at) == f"Les {s.version(1).nb_lignes} lignes telles qu'importées (« mini\\.csv »)."
    )
    assert list(at.dataframe[1].value.columns) == list(s.original_frame(1).columns)
    assert len(at.dataframe[1].value) == s.version(1).nb_lignes

    # Restore version 1: a new version 3, nothing overwritten.
    at.text_input(key="donnees_restaurateur").set_value("Dominique").run()
    _button(at, "Rétablir la version 1").click().run()
    assert not at.exception, at.exception
    assert any("Version 3 enregistrée" in m.value for m in at.success)
    assert at.selectbox(key="donnees_version").value == 3  # the history opens on the new one
    assert "C'est la version actuelle." in [c.value for c in at.caption]
    assert [(v.version, v.restaure_de) for v in s.versions()] == [(1, None), (2, None), (3, 1)]
    assert s.table(3).rows.equals(s.table(1).rows)
    s.dispose()


def test_a_file_level_message_has_an_empty_line_cell(mini_app):
    at = mini_app("pages/donnees.py")
    text = MESSY.read_bytes().decode("cp1252").splitlines()
    text[0] += ";Observations DDT"  # an unknown column: a message about the file, not a line
    text[1:] = [line + ";" for line in text[1:]]
    data = ("\n".join(text) + "\n").encode("cp1252")
    at.file_uploader[0].upload("registre_colonne_en_plus.csv", data, "text/csv").run()
    assert not at.exception, at.exception
    messages = at.dataframe[0].value
    (about_file,) = messages[messages["message"].str.contains("colonnes inconnues")].index
    assert messages.loc[about_file, "ligne"] == ""  # not « None »
    assert "Observations DDT" in messages.loc[about_file, "message"]
    assert "5" in set(messages["ligne"])  # the lines of the rows stay


def test_a_file_over_the_line_limit_is_refused_with_its_message(mini_app):
    """Issue 20: the page refuses a file too long for a register, as the command line does."""
    from atelierflash.registre import controle

    rows = "".join(f"L-{i},Titre,2024,réalisé,80253\n" for i in range(controle.MAX_LINES))
    data = ("id,titre,annee,statut,communes_insee\n" + rows).encode("utf-8")
    at = mini_app("pages/donnees.py")
    at.file_uploader[0].upload("toutes_les_communes.csv", data, "text/csv").run()
    assert not at.exception, at.exception
    (refusal,) = [as_shown(e.value) for e in at.error if "lignes" in e.value]
    assert refusal.startswith("toutes_les_communes.csv : plus de 20\u202f000 lignes")
    assert "découpez-le" in refusal
    assert not [b for b in at.button if "Enregistrer" in b.label]


def test_the_page_is_registered_as_internal():
    from atelierflash.acces import INTERNAL_PAGES

    assert [(p.path, p.url_path) for p in INTERNAL_PAGES if p.path == "pages/donnees.py"] == [
        ("pages/donnees.py", "donnees")
    ]


def _banner(at) -> bool:
    return any("Données de démonstration fictives" in w.value for w in at.warning)


def test_pages_follow_the_store_version_and_its_fiction_flag(mini_app, tmp_path):
    from atelierflash.programme import load_programme
    from tests.conftest import MINI_REGISTER, make_mini_referentiel

    at = mini_app("pages/accueil.py")
    assert _banner(at)  # version 1, seeded from the fictional mini register
    registre = at.selectbox(key="registre")
    assert registre.value == "registre"
    assert registre.options[0] == "Registre de l'application (version 1)"
    assert any("exemple en lecture seule" in o for o in registre.options[1:])
    # Another process stores a real (non-fictional) version: the next run shows it.
    real = tmp_path / "reel.csv"
    real.write_text(MINI_REGISTER.replace(",oui\n", ",non\n").replace(" (fictif)", ""), "utf-8")
    s = store.Store()
    preview = store.prepare_import(real, s, make_mini_referentiel(), load_programme())
    store.commit_import(s, preview, "Autre instance")
    s.dispose()
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="registre").options[0] == "Registre de l'application (version 2)"
    assert not _banner(at)
    # The bundled demonstration stays selectable, read-only, with its banner.
    at.selectbox(key="registre").set_value("demo").run()
    assert _banner(at)
