"""An atelier's feuille de route edited in the app: a new version, on both backends.

The register's rows are unchanged, the atelier's actions are replaced by what was typed, the
other ateliers' actions are untouched; the import's own ``validate_actions`` gives the messages,
at the action and the field; the editor's scope and a version landed meanwhile refuse the save.
Every test runs on SQLite and on a real PostgreSQL (``store_url``).
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import sys
import types

import pytest

from atelierflash import actions, store
from atelierflash.acces import LOCAL_SCOPE, Scope
from atelierflash.programme import load_programme
from atelierflash.registre import Column, ColumnSet
from tests.conftest import HOST, MINI_REGISTER, formula_cells
from tests.test_store import _outcomes

SOMME = Scope(departements=frozenset({"80"}))
CORSE = Scope(departements=frozenset({"2A", "2B"}))

HEADER = "Atelier;Axe;Action;Thème;Priorité;Porteur;Échéance;Statut;Budget (€);Public;Note"
#: Two actions of Doullens (80), one of Ajaccio (2A): the edits below touch Doullens only.
ACTIONS_CSV = f"""{HEADER}
T-2019-1;Cœur de bourg;Rénover la halle;centre-bourg;haute;commune;2026;en cours;120 000 €;oui;
T-2024-1;Littoral;Recul du front de mer;risques;élevée;commune;2030;à venir;;non;note 2A
T-2019-1;Habitat;Étude OPAH;logement;moyenne;EPCI;06/2025;à venir;;;
"""


@pytest.fixture(scope="module")
def programme():
    return load_programme()


@pytest.fixture
def st_(store_url, tmp_path, mini_referentiel, programme):
    s = store.Store(store_url)
    register = tmp_path / "mini.csv"
    register.write_text(MINI_REGISTER, encoding="utf-8")
    plan = tmp_path / "actions.csv"
    plan.write_text(ACTIONS_CSV, encoding="utf-8")
    preview = store.prepare_import(register, s, mini_referentiel, programme, actions=plan)
    store.commit_import(s, preview, "Camille")
    yield s
    s.dispose()


def _edit(s, referentiel, programme, typed, *, atelier_id="T-2019-1", scope=LOCAL_SCOPE, **kw):
    base = kw.pop("base", None) or s.head().version
    return store.prepare_actions_edit(
        s, referentiel, programme, base=base, atelier_id=atelier_id, actions=typed, scope=scope
    )


def _doullens(s, number=None):
    return store.atelier_actions(s.actions(number or s.head().version), "T-2019-1")


def test_the_atelier_actions_are_its_text_cells_in_order(st_):
    cells = _doullens(st_)
    assert [c["action"] for c in cells] == ["Rénover la halle", "Étude OPAH"]
    assert cells[0]["priorite"] == "haute" and cells[0]["budget_eur"] == "120 000 €"
    assert "atelier" not in cells[0] and "line" not in cells[0]
    assert store.atelier_actions(None, "T-2019-1") == []
    assert store.atelier_actions(st_.actions(1), "T-2022-1") == []


def test_an_edited_feuille_de_route_is_a_new_version_with_its_author_and_diff(
    st_, mini_referentiel, programme
):
    halle, _opah = _doullens(st_)
    typed = [
        halle | {"statut": "Réalisé"},  # edited
        # opah deleted; one action added
        {"axe": "Mobilités", "action": "Créer une voie verte", "priorite": "Basse"},
    ]
    preview = _edit(st_, mini_referentiel, programme, typed)
    assert preview.savable, preview.errors
    # The diff has the actions part only: the register's rows are unchanged.
    assert (preview.diff.added, preview.diff.removed, preview.diff.changed) == ([], [], [])
    assert [a["action"] for a in preview.diff.actions_added] == ["Créer une voie verte"]
    assert [a["action"] for a in preview.diff.actions_removed] == ["Étude OPAH"]
    assert [(c.id, c.colonne, c.avant, c.apres) for c in preview.diff.actions_changed] == [
        ("T-2019-1 · Rénover la halle", "Statut", "en cours", "Réalisé")
    ]
    info = store.commit_actions_edit(st_, preview, "ddt80@somme.gouv.fr")
    assert (info.version, info.auteur, info.fichier) == (2, "ddt80@somme.gouv.fr", "mini.csv")
    assert info.resume_text == "actions : 1 ajoutée, 1 supprimée, 1 modifiée"
    # The register's rows are as they were; the other atelier's action is untouched.
    assert st_.table(2).rows.equals(st_.table(1).rows)
    ajaccio = lambda n: store.atelier_actions(st_.actions(n), "T-2024-1")  # noqa: E731
    assert ajaccio(2) == ajaccio(1)
    # The headers of the imported file are kept; the new action is read back as typed.
    assert st_.actions(2).header_map == st_.actions(1).header_map
    report = store.validate_version_actions(st_, 2, programme)
    assert report.summary["error"] == 0
    mine = report.actions[report.actions["atelier"] == "T-2019-1"]
    assert mine["action"].tolist() == ["Rénover la halle", "Créer une voie verte"]
    assert mine["statut"].fillna("").tolist() == ["realise", ""]
    assert mine["priorite"].tolist() == ["elevee", "basse"]
    assert mine["axe"].tolist() == ["Cœur de bourg", "Mobilités"]
    # Version 1 is never overwritten.
    assert [c["action"] for c in _doullens(st_, 1)] == ["Rénover la halle", "Étude OPAH"]


def test_what_was_entered_is_what_the_new_version_gives_back(st_, mini_referentiel, programme):
    # Every declared column (but the atelier, which is the fiche's) typed as text: the version's
    # cells are exactly these texts, and the import's validation reads them as entered.
    typed = {
        "axe": "Espaces publics",
        "action": "Requalifier la place",
        "theme": "Revitalisation des centre-villes et centre-bourgs",
        "priorite": "Moyenne",
        "porteur": "Commune",
        "echeance": "09/2027",
        "statut": "En pause",
        "budget_eur": "35 000",
        "financements": "Fonds vert ; DSIL",
        "public": "oui",
        "note": "Attendre le PLUi\nsur deux lignes",
        # The statuts at the points d'étape: left empty, the register dates no point here (a
        # statut at an undated point is a warning, see tests/test_points_etape.py).
        "statut_6_mois": "",
        "statut_12_mois": "",
        "statut_24_mois": "",
    }
    assert set(typed) == {c.name for c in actions.ACTIONS.columns} - {"atelier"}
    halle, opah = _doullens(st_)
    preview = _edit(st_, mini_referentiel, programme, [halle, opah, typed])
    info = store.commit_actions_edit(st_, preview, "Alix")
    stored = _doullens(st_, info.version)[-1]
    # A column left empty in every action is not written (as an import without it).
    assert {k: stored.get(k, "") for k in typed} == typed
    report = store.validate_version_actions(st_, info.version, programme)
    # The atelier's actions stay together, where its first one was.
    assert report.actions["atelier"].tolist() == ["T-2019-1"] * 3 + ["T-2024-1"]
    last = report.actions.iloc[2]
    assert report.rows[2].status == "ok", report.rows[2].issues
    assert (last["atelier"], last["action"], last["echeance"]) == (
        "T-2019-1",
        "Requalifier la place",
        "2027-09",
    )
    assert (last["statut"], last["priorite"], float(last["budget_eur"]), last["public"]) == (
        "en_pause",
        "moyenne",
        35000.0,
        True,
    )
    assert last["note"] == "Attendre le PLUi\nsur deux lignes"


def test_the_import_rules_give_messages_at_the_action_and_field(st_, mini_referentiel, programme):
    halle, opah = _doullens(st_)
    typed = [
        halle | {"priorite": "urgentissime", "echeance": "bientôt"},
        opah | {"action": ""},
        {"action": "Rénover la halle"},  # the same action twice: a warning, not an error
    ]
    preview = _edit(st_, mini_referentiel, programme, typed)
    first, second, third = (preview.messages(i) for i in range(3))
    assert set(first) == {"priorite", "echeance"}
    assert "« urgentissime »" in first["priorite"][0].text
    assert [i.text for i in second["action"]] == ["action vide"]
    assert [i.level for i in third["action"]] == ["warning"]
    assert len(preview.errors) == 3 and not preview.savable
    with pytest.raises(store.StoreError, match="corrigez d'abord"):
        store.commit_actions_edit(st_, preview, "Alix")
    assert [v.version for v in st_.versions()] == [1]


def test_a_blank_action_is_left_out_and_nothing_changed_is_not_a_version(
    st_, mini_referentiel, programme
):
    halle, opah = _doullens(st_)
    blank = {name: "" for name in halle}
    preview = _edit(st_, mini_referentiel, programme, [halle, blank, opah | {"note": "  "}])
    assert len(preview.actions) == 2  # the blank form, like a blank line of a file, is no action
    assert preview.unchanged and not preview.savable
    with pytest.raises(store.StoreError, match="rien à enregistrer"):
        store.commit_actions_edit(st_, preview, "Alix")


def test_a_scope_lets_a_ddt_edit_the_actions_of_its_ateliers_only(st_, mini_referentiel, programme):
    typed = [{"action": "Une action de la Somme"}]
    assert _edit(st_, mini_referentiel, programme, typed, scope=SOMME).savable
    refused = _edit(st_, mini_referentiel, programme, typed, scope=CORSE)
    assert "hors de votre périmètre (départements 2A, 2B)" in refused.refused
    assert not refused.savable
    with pytest.raises(store.OutOfScope, match="hors de votre périmètre"):
        store.commit_actions_edit(st_, refused, "intrus")
    assert [v.version for v in st_.versions()] == [1]
    # Ajaccio's own DDTM edits Ajaccio's actions.
    assert _edit(
        st_, mini_referentiel, programme, typed, atelier_id="T-2024-1", scope=CORSE
    ).savable


def test_two_editors_on_one_version_exactly_one_lands(st_, mini_referentiel, programme):
    halle, opah = _doullens(st_)
    a = _edit(st_, mini_referentiel, programme, [halle | {"statut": "réalisé"}, opah])
    b = _edit(st_, mini_referentiel, programme, [halle, opah | {"statut": "en cours"}])
    store.commit_actions_edit(st_, a, "Alix")
    with pytest.raises(store.RegisterChanged) as refused:
        store.commit_actions_edit(st_, b, "Bao")
    assert "la version 2 a été enregistrée par Alix" in str(refused.value)
    assert "Votre saisie est conservée" in str(refused.value)
    assert [v.auteur for v in st_.versions()] == ["Camille", "Alix"]
    # An atelier edited meanwhile (the register, not the actions) refuses it as well.
    c = _edit(st_, mini_referentiel, programme, [halle])
    row = store.prepare_edit(
        st_,
        mini_referentiel,
        programme,
        base=2,
        cells={"titre": "Doullens (fictif)"},
        scope=LOCAL_SCOPE,
        atelier_id="T-2019-1",
    )
    store.commit_edit(st_, row, "Dominique")
    with pytest.raises(store.RegisterChanged):
        store.commit_actions_edit(st_, c, "Bao")
    # And the atelier's edit kept the actions Alix saved.
    assert _doullens(st_, 3) == _doullens(st_, 2)


def test_the_first_actions_of_a_register_without_feuille_de_route(
    store_url, tmp_path, mini_referentiel, programme
):
    s = store.Store(store_url)
    register = tmp_path / "mini.csv"
    register.write_text(MINI_REGISTER, encoding="utf-8")
    store.commit_import(s, store.prepare_import(register, s, mini_referentiel, programme), "C")
    assert s.actions(1) is None
    preview = store.prepare_actions_edit(
        s,
        mini_referentiel,
        programme,
        base=1,
        atelier_id="T-2019-1",
        actions=[{"action": "Première action", "statut": "À venir"}],
        scope=SOMME,
    )
    info = store.commit_actions_edit(s, preview, "Alix")
    table = s.actions(info.version)
    assert table.rows[["atelier", "action", "statut"]].values.tolist() == [
        ["T-2019-1", "Première action", "À venir"]
    ]
    report = store.validate_version_actions(s, info.version, programme)
    assert report.rows[0].status == "ok" and report.actions["statut"].tolist() == ["a_venir"]
    s.dispose()


def test_a_missing_atelier_or_version_is_said(st_, mini_referentiel, programme):
    with pytest.raises(store.StoreError, match="n'est pas dans la version 1"):
        _edit(st_, mini_referentiel, programme, [], atelier_id="NULLE-PART")
    with pytest.raises(store.StoreError, match="version 9 introuvable"):
        _edit(st_, mini_referentiel, programme, [], base=9)
    with pytest.raises(TypeError, match="Scope"):
        _edit(st_, mini_referentiel, programme, [], scope="national")


def test_hostile_text_in_an_action_stays_text(st_, mini_referentiel, programme):
    hostile = {
        "axe": f"<script>alert(1)</script> ![i](http://{HOST}/i.png)",
        "action": f'=HYPERLINK("http://{HOST}/a","clic")',
        "porteur": "+cmd|' /C calc'!A0",
        "financements": "@SUM(1+1) $x^2$ :red[rouge]",
        "note": "-2+3 <img src=x onerror=alert(1)>",
    }
    preview = _edit(st_, mini_referentiel, programme, [*_doullens(st_), hostile])
    # Formula-like text is warned about, never refused: the text is the person's.
    assert preview.savable, preview.errors
    assert {i.column for i in preview.messages(2).get("action", [])} == {"action"}
    info = store.commit_actions_edit(st_, preview, '=HYPERLINK("http://x")')
    stored = _doullens(st_, info.version)[-1]
    assert {k: stored[k] for k in hostile} == hostile
    # The downloads of the version go through the one writer: nothing a spreadsheet computes.
    frame = st_.original_actions_frame(info.version)
    assert frame.iloc[2]["Action"] == hostile["action"]
    for extension in ("csv", "xlsx"):
        data = store.version_file(st_, info.version, extension)
        assert formula_cells(f"v.{extension}", data) == []


def test_every_declared_column_is_a_field_with_vocabularies_as_choices(programme):
    fields = store.action_fields(programme)
    assert [f.name for f in fields] == [c.name for c in actions.ACTIONS.columns][1:]
    by_name = {f.name: f for f in fields}
    assert by_name["statut"].options == ("", *programme.statuts_action.labels())
    assert by_name["priorite"].options == ("", *programme.priorites.labels())
    assert by_name["theme"].options == ("", *programme.themes.labels())
    assert by_name["public"].options == ("", "oui", "non")
    assert by_name["action"].options is None and by_name["note"].long


def test_a_column_added_to_the_declaration_is_a_field_by_itself(programme, monkeypatch):
    # The per-jalon statuts of the points d'étape (« statut_6_mois »…) take the statuts' choices.
    fields = {f.name: f for f in store.action_fields(programme)}
    for months in (6, 12, 24):
        assert fields[f"statut_{months}_mois"].label == f"Statut à {months} mois"
        assert fields[f"statut_{months}_mois"].options == ("", *programme.statuts_action.labels())
    # A jalon added to the settings would be one more: declared, then a field by itself.
    extra = Column("statut_36_mois", "Statut à 36 mois", (), "Statut au point d'étape à 36 mois.")
    columns = ColumnSet((*actions.ACTIONS.columns, extra))
    monkeypatch.setattr(actions, "ACTIONS", columns)
    fields = {f.name: f for f in store.action_fields(programme)}
    assert fields["statut_36_mois"].label == "Statut à 36 mois"
    assert fields["statut_36_mois"].options == ("", *programme.statuts_action.labels())
    assert dataclasses.is_dataclass(fields["statut_36_mois"])


def test_the_vocabulary_columns_are_those_the_validation_parses(programme, tmp_path):
    # Each column said to come from a vocabulary is checked against it by validate_actions.
    for column in actions.ACTIONS.columns:
        name = actions.column_vocabulary(column.name)
        if name is None:
            continue
        path = tmp_path / f"{column.name}.csv"
        label = programme.vocabularies[name].labels()[0]
        path.write_text(
            f"atelier;action;{column.name}\nT;a;{label}\nT;b;pas un terme\n", encoding="utf-8"
        )
        report = actions.validate_actions_file(path, programme, ["T"])
        assert [r.status for r in report.rows] == ["ok", "error"], column.name
        assert report.rows[1].issues[0].column == column.name


def test_a_refused_edit_checked_again_keeps_the_other_editor_s_work(
    st_, mini_referentiel, programme
):
    opened = _doullens(st_)
    halle, opah = opened
    # Alix saves first: the halle is done, and a new action.
    alix = [halle | {"statut": "réalisé"}, opah, {"action": "Action d'Alix"}]
    store.commit_actions_edit(st_, _edit(st_, mini_referentiel, programme, alix), "Alix")
    # Bao, who opened version 1, wrote a note on the OPAH and added an action.
    bao = {0: halle, 1: opah | {"note": "Note de Bao"}}
    pairs = store.merge_actions(opened, bao, [{"action": "Action de Bao"}], _doullens(st_))
    assert [origin for origin, _ in pairs] == [0, 1, 2, None]
    merged = [cells for _, cells in pairs]
    assert [(a["action"], a["statut"], a["note"]) for a in merged] == [
        ("Rénover la halle", "réalisé", ""),
        ("Étude OPAH", "à venir", "Note de Bao"),
        ("Action d'Alix", "", ""),
        ("Action de Bao", "", ""),
    ]
    again = _edit(st_, mini_referentiel, programme, merged)
    assert [a["action"] for a in again.diff.actions_added] == ["Action de Bao"]
    assert [(c.id, c.apres) for c in again.diff.actions_changed] == [
        ("T-2019-1 · Étude OPAH", "Note de Bao")
    ]
    # An action Bao deleted is deleted; one Alix deleted stays deleted unless Bao changed it.
    assert store.merge_actions(opened, {0: None, 1: opah}, [], [halle]) == []
    kept = store.merge_actions(opened, {0: halle, 1: opah | {"note": "n"}}, [], [halle])
    assert [(o, a["action"], a["note"]) for o, a in kept] == [
        (0, "Rénover la halle", ""),
        (None, "Étude OPAH", "n"),
    ]


def _racer(url: str, name: str, statut: str, barrier, results) -> None:
    from tests.conftest import make_mini_referentiel

    s = None
    try:
        s = store.Store(url)
        halle, opah = _doullens(s, 1)
        preview = store.prepare_actions_edit(
            s,
            make_mini_referentiel(),
            load_programme(),
            base=1,
            atelier_id="T-2019-1",
            actions=[halle | {"statut": statut}, opah],
            scope=SOMME,
        )
        barrier.wait(timeout=60)  # both editors opened on version 1; now both save at once
        info = store.commit_actions_edit(s, preview, name)
        results.put((name, "ok", info.version))
    except store.RegisterChanged as error:
        results.put((name, "changed", str(error)))
    except BaseException as error:
        results.put((name, "error", repr(error)))
        raise
    finally:
        if s is not None:
            s.dispose()


def test_two_editors_saving_at_once_on_postgresql(
    postgres_url, tmp_path, mini_referentiel, programme, monkeypatch
):
    s = store.Store(postgres_url)
    register = tmp_path / "mini.csv"
    register.write_text(MINI_REGISTER, encoding="utf-8")
    plan = tmp_path / "actions.csv"
    plan.write_text(ACTIONS_CSV, encoding="utf-8")
    preview = store.prepare_import(register, s, mini_referentiel, programme, actions=plan)
    store.commit_import(s, preview, "Camille")
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    processes = [
        context.Process(target=_racer, args=(postgres_url, n, v, barrier, results))
        for n, v in (("Alix", "réalisé"), ("Bao", "en pause"))
    ]
    for process in processes:
        process.start()
    outcomes = _outcomes(results, processes)
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    assert sorted(o[1] for o in outcomes) == ["changed", "ok"]
    winner = next(o for o in outcomes if o[1] == "ok")
    loser = next(o for o in outcomes if o[1] == "changed")
    assert winner[2] == 2
    assert f"la version 2 a été enregistrée par {winner[0]}" in loser[2]
    assert "Votre saisie est conservée" in loser[2]
    assert [v.auteur for v in s.versions()] == ["Camille", winner[0]]
    expected = {"Alix": "réalisé", "Bao": "en pause"}[winner[0]]
    assert _doullens(s, 2)[0]["statut"] == expected
    s.dispose()
