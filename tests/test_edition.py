"""One atelier edited (or a candidature added) in the app: a new version, on both backends.

Every test runs on SQLite and on a real PostgreSQL (``store_url``); two editors saving at once
race in two processes on PostgreSQL.
"""

from __future__ import annotations

import multiprocessing
import sys
import types

import pytest

from atelierflash import store
from atelierflash.acces import LOCAL_SCOPE, Scope
from atelierflash.programme import load_programme
from atelierflash.registre import COLUMNS
from tests.conftest import HOSTILE_CELLS, MINI_REGISTER, formula_cells
from tests.test_store import _outcomes

SOMME = Scope(departements=frozenset({"80"}))
CORSE = Scope(departements=frozenset({"2A", "2B"}))
HAUTS_DE_FRANCE = Scope(regions=frozenset({"32"}))


@pytest.fixture(scope="module")
def programme():
    return load_programme()


@pytest.fixture
def st_(store_url, tmp_path, mini_referentiel, programme):
    s = store.Store(store_url)
    path = tmp_path / "mini.csv"
    path.write_text(MINI_REGISTER, encoding="utf-8")
    store.commit_import(s, store.prepare_import(path, s, mini_referentiel, programme), "Camille")
    yield s
    s.dispose()


def _edit(s, referentiel, programme, cells, *, atelier_id="T-2019-1", scope=LOCAL_SCOPE, **kw):
    base = kw.pop("base", None) or s.head().version
    return store.prepare_edit(
        s,
        referentiel,
        programme,
        base=base,
        cells=cells,
        scope=scope,
        atelier_id=atelier_id,
        **kw,
    )


def test_an_edited_atelier_is_a_new_version_with_its_author_and_diff(
    st_, mini_referentiel, programme
):
    preview = _edit(
        st_, mini_referentiel, programme, {"titre": "Doullens, centre-bourg", "date_fin": ""}
    )
    assert preview.savable and preview.base == 1
    assert preview.diff.summary() == {"ajoutes": 0, "supprimes": 0, "modifies": 1}
    assert [(c.colonne, c.avant, c.apres) for c in preview.diff.changed] == [
        ("titre", "Centre-bourg de Doullens (fictif)", "Doullens, centre-bourg"),
        ("date_fin", "2020-03", ""),
    ]
    info = store.commit_edit(st_, preview, "ddt80@somme.gouv.fr")
    assert (info.version, info.auteur, info.fichier) == (2, "ddt80@somme.gouv.fr", "mini.csv")
    assert info.resume_text == "atelier : 1 modifié"
    # Only that row changed; the others, their lines and the headers are as imported.
    before, after = st_.table(1), st_.table(2)
    assert store.diff_tables(before, after).changed == preview.diff.changed
    assert after.rows["line"].tolist() == before.rows["line"].tolist()
    assert list(st_.original_frame(2).columns) == list(st_.original_frame(1).columns)
    assert st_.table(1).rows.loc[0, "titre"] == "Centre-bourg de Doullens (fictif)"


def test_a_new_candidature_is_a_new_row_at_the_end(st_, mini_referentiel, programme):
    cells = {
        "id": "T-2027-1",
        "titre": "Candidature Abbeville (fictif)",
        "annee": "2026",
        "statut": "candidature",
        "communes_insee": "80001",
        "fictif": "oui",
    }
    preview = _edit(st_, mini_referentiel, programme, cells, atelier_id=None, scope=SOMME)
    assert preview.savable, preview.row.issues
    assert preview.diff.added == [
        {"id": "T-2027-1", "titre": "Candidature Abbeville (fictif)", "ligne": 9}
    ]
    info = store.commit_edit(st_, preview, "Alix")
    table = st_.table(info.version)
    assert table.rows.iloc[-1]["id"] == "T-2027-1" and len(table.rows) == 8
    assert info.fictif and info.resume_text == "atelier : 1 ajouté"


def test_the_import_rules_give_messages_at_the_field(st_, mini_referentiel, programme):
    preview = _edit(
        st_,
        mini_referentiel,
        programme,
        {"annee": "deux mille", "statut": "fini", "date_debut": "31/02/2020", "id": "T-2021-1"},
    )
    fields = preview.messages_by_field()
    assert {"annee", "statut", "date_debut", "id"} <= set(fields)
    assert "déjà utilisé (ligne 3)" in str(fields["id"][0])
    assert not preview.savable
    with pytest.raises(store.StoreError, match="corrigez d'abord"):
        store.commit_edit(st_, preview, "Alix")
    assert [v.version for v in st_.versions()] == [1]


def test_an_identifier_taken_by_an_earlier_row_names_that_row(st_, mini_referentiel, programme):
    preview = _edit(st_, mini_referentiel, programme, {"id": "T-2019-1"}, atelier_id="T-2021-1")
    (issue,) = preview.messages_by_field()["id"]
    assert "identifiant « T-2019-1 » déjà utilisé (ligne 2)" in issue.text
    assert preview.row.line == 3


def test_nothing_changed_is_not_a_version(st_, mini_referentiel, programme):
    preview = _edit(
        st_, mini_referentiel, programme, {"titre": "Centre-bourg de Doullens (fictif)"}
    )
    assert preview.unchanged and not preview.savable
    with pytest.raises(store.StoreError, match="rien à enregistrer"):
        store.commit_edit(st_, preview, "Alix")


def test_a_new_known_column_is_added_to_the_version(st_, mini_referentiel, programme):
    # The mini register has no « communes » nor « departement » column.
    preview = _edit(st_, mini_referentiel, programme, {"communes": "Doullens", "departement": "80"})
    assert preview.savable, preview.row.issues
    info = store.commit_edit(st_, preview, "Alix")
    table = st_.table(info.version)
    assert table.rows.loc[0, "communes"] == "Doullens" and table.rows.loc[1, "communes"] == ""
    assert [c for c in table.columns if c in ("communes", "departement")] == [
        "communes",
        "departement",
    ]
    assert store.validate_version(st_, info.version, mini_referentiel, programme).rows[0].status


def test_an_ambiguous_commune_offers_the_import_candidates(st_, mini_referentiel, programme):
    preview = _edit(
        st_, mini_referentiel, programme, {"communes_insee": "", "communes": "Saint-Denis"}
    )
    assert [u.nom for u in preview.unresolved] == ["Saint-Denis"]
    codes = [c["code"] for c in preview.unresolved[0].candidats]
    assert set(codes) == {"93066", "97411"}
    chosen = _edit(
        st_,
        mini_referentiel,
        programme,
        {"communes_insee": "", "communes": "Saint-Denis"},
        choices={preview.unresolved[0].cle: "93066"},
    )
    assert chosen.unresolved == [] and not chosen.errors
    assert chosen.departements == {"93"}
    info = store.commit_edit(st_, chosen, "Alix")
    assert info.choix == {preview.unresolved[0].cle: "93066"}


def test_a_scope_lets_a_ddt_edit_its_ateliers_only(st_, mini_referentiel, programme):
    # T-2019-1 is in Doullens (80, région 32); T-2024-1 in Ajaccio (2A).
    for scope in (SOMME, HAUTS_DE_FRANCE, LOCAL_SCOPE):
        assert _edit(st_, mini_referentiel, programme, {"titre": "x"}, scope=scope).savable
    refused = _edit(st_, mini_referentiel, programme, {"titre": "x"}, scope=CORSE)
    assert "hors de votre périmètre (départements 2A, 2B)" in refused.refused
    with pytest.raises(store.OutOfScope, match="hors de votre périmètre"):
        store.commit_edit(st_, refused, "intrus")
    # Nor may a DDT move its atelier out of its territory, nor create one elsewhere.
    moved = _edit(st_, mini_referentiel, programme, {"communes_insee": "2A004"}, scope=SOMME)
    assert "les communes saisies sont hors de votre périmètre" in moved.refused
    elsewhere = _edit(
        st_,
        mini_referentiel,
        programme,
        {"id": "T-NEW", "titre": "t", "statut": "candidature", "communes_insee": "2A004"},
        atelier_id=None,
        scope=SOMME,
    )
    assert elsewhere.refused and not elsewhere.savable
    assert [v.version for v in st_.versions()] == [1]


def test_an_atelier_spanning_two_departements_is_edited_by_either(st_, mini_referentiel, programme):
    both = _edit(st_, mini_referentiel, programme, {"communes_insee": "80253; 77182"})
    store.commit_edit(st_, both, "bureau")
    assert both.departements == {"80", "77"}
    seine_et_marne = Scope(departements=frozenset({"77"}))
    for scope in (SOMME, seine_et_marne):
        assert _edit(st_, mini_referentiel, programme, {"titre": "y"}, scope=scope).savable
    assert _edit(st_, mini_referentiel, programme, {"titre": "y"}, scope=CORSE).refused


def test_two_editors_on_one_version_exactly_one_lands(st_, mini_referentiel, programme):
    a = _edit(st_, mini_referentiel, programme, {"titre": "Version d'Alix"})
    b = _edit(st_, mini_referentiel, programme, {"description": "Version de Bao"})
    store.commit_edit(st_, a, "Alix")
    with pytest.raises(store.RegisterChanged) as refused:
        store.commit_edit(st_, b, "Bao")
    assert "la version 2 a été enregistrée par Alix" in str(refused.value)
    assert "Votre saisie est conservée" in str(refused.value)
    assert [v.auteur for v in st_.versions()] == ["Camille", "Alix"]
    # Checked again on the current version, Bao's edit keeps Alix's and lands.
    again = _edit(st_, mini_referentiel, programme, b.cells | {"titre": "Version d'Alix"})
    assert [c.colonne for c in again.diff.changed] == ["description"]
    assert store.commit_edit(st_, again, "Bao").version == 3


def test_a_missing_atelier_or_version_is_said(st_, mini_referentiel, programme):
    with pytest.raises(store.StoreError, match="n'est pas dans la version 1"):
        _edit(st_, mini_referentiel, programme, {"titre": "x"}, atelier_id="NULLE-PART")
    with pytest.raises(store.StoreError, match="version 9 introuvable"):
        _edit(st_, mini_referentiel, programme, {"titre": "x"}, base=9)
    with pytest.raises(TypeError, match="Scope"):
        _edit(st_, mini_referentiel, programme, {"titre": "x"}, scope="national")


def test_the_form_offers_every_declared_column():
    assert store.editable_columns()[: len(COLUMNS)] == [c.name for c in COLUMNS]


def test_hostile_text_typed_in_every_field_stays_text(st_, mini_referentiel, programme):
    hostile = list(dict.fromkeys(HOSTILE_CELLS.values()))
    cells = {c.name: hostile[i % len(hostile)] for i, c in enumerate(COLUMNS)}
    cells |= {"id": "T-HOSTILE", "statut": "candidature", "communes_insee": "80253"}
    preview = _edit(st_, mini_referentiel, programme, cells, atelier_id=None)
    # Formulas and markup are warned about, never refused: the text is the person's.
    assert preview.row.issues
    table = preview.table
    for name, value in cells.items():
        if name in table.rows:
            assert table.rows.iloc[-1][name] == value
    # Hostile text in a vocabulary, a date or a code is an error at its field (the place cells
    # report theirs under « communes »): the row is stored with those emptied.
    places = {"departement", "epci_siren", "communes"}
    for _ in range(3):
        keep = {i.column for i in preview.errors}
        if "communes" in keep:
            keep |= places
        cells = {k: ("" if k in keep else v) for k, v in cells.items()}
        cells |= {"statut": "candidature", "id": "T-HOSTILE", "communes_insee": "80253"}
        preview = _edit(st_, mini_referentiel, programme, cells, atelier_id=None)
    assert not preview.errors, preview.errors
    info = store.commit_edit(st_, preview, '=HYPERLINK("http://x")')
    assert info.auteur == '=HYPERLINK("http://x")'
    stored = st_.table(info.version).rows.iloc[-1]
    for name, value in cells.items():
        assert stored.get(name, "") == value
    # The downloads go through the one writer: no cell a spreadsheet would compute.
    for extension in ("csv", "xlsx"):
        data = store.version_file(st_, info.version, extension)
        assert formula_cells(f"v.{extension}", data) == []


def _racer(url: str, name: str, field: str, barrier, results) -> None:
    from tests.conftest import make_mini_referentiel

    s = None
    try:
        s = store.Store(url)
        preview = store.prepare_edit(
            s,
            make_mini_referentiel(),
            load_programme(),
            base=1,
            cells={field: f"Saisie de {name}"},
            scope=SOMME,
            atelier_id="T-2019-1",
        )
        barrier.wait(timeout=60)  # both forms opened on version 1; now both save at once
        info = store.commit_edit(s, preview, name)
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
    path = tmp_path / "mini.csv"
    path.write_text(MINI_REGISTER, encoding="utf-8")
    store.commit_import(s, store.prepare_import(path, s, mini_referentiel, programme), "Camille")
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    processes = [
        context.Process(target=_racer, args=(postgres_url, n, f, barrier, results))
        for n, f in (("Alix", "titre"), ("Bao", "description"))
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
    s.dispose()


def test_the_ateliers_of_a_scope_include_candidatures(st_, mini_referentiel, programme):
    report = store.validate_version(st_, 1, mini_referentiel, programme)
    ardeche = Scope(departements=frozenset({"07"}))
    assert store.ateliers_in_scope(report.ateliers, mini_referentiel, ardeche)["id"].tolist() == [
        "T-2026-1"
    ]
    somme = store.ateliers_in_scope(report.ateliers, mini_referentiel, SOMME)
    assert somme["id"].tolist() == ["T-2019-1", "T-2021-1", "T-2022-1"]
    assert len(store.ateliers_in_scope(report.ateliers, mini_referentiel, LOCAL_SCOPE)) == 7
    assert store.ateliers_in_scope(report.ateliers, mini_referentiel, Scope()).empty
