"""The feuille de route's actions in the store, on both backends: a version holds both tables.

A workbook with a register sheet and an « Actions » sheet is validated and imported; the
actions are kept exactly as read, never overwritten, carried by a change of the rows alone,
covered by the diff and by a restore.
"""

from __future__ import annotations

import openpyxl
import pytest
import sqlalchemy as sa

from atelierflash import actions, registre, store
from atelierflash.programme import load_programme
from tests.feuille_de_route import ACTIONS_ROWS, REGISTER_ROWS, actions_csv, workbook


@pytest.fixture(scope="module")
def programme():
    return load_programme()


@pytest.fixture
def st_(store_url):
    s = store.Store(store_url)
    yield s
    s.dispose()


def _import(s, path, referentiel, programme, auteur="Camille", **kw):
    preview = store.prepare_import(path, s, referentiel, programme, **kw)
    return preview, store.commit_import(s, preview, auteur)


def test_a_workbook_with_its_actions_is_validated_and_stored(
    st_, tmp_path, mini_referentiel, programme
):
    path = workbook(tmp_path)
    preview, info = _import(st_, path, mini_referentiel, programme)
    # Validated: the bad action is an error of that action, the register's rows are untouched.
    assert [r.status for r in preview.report.rows] == ["ok", "ok"]
    assert [r.status for r in preview.actions.rows] == ["ok", "ok", "error", "warning"]
    assert preview.actions.rows[2].sheet == "Actions"
    assert [a["action"] for a in preview.diff.actions_added] == [r[2] for r in ACTIONS_ROWS]
    assert info.resume == {
        "ajoutes": 2,
        "supprimes": 0,
        "modifies": 0,
        "actions_ajoutees": 4,
        "actions_supprimees": 0,
        "actions_modifiees": 0,
    }
    assert info.resume_text == "ateliers : 2 ajoutés ; actions : 4 ajoutées"
    # Stored exactly as read: text cells, line numbers, the headers the sheet used.
    kept = st_.actions(1)
    read = actions.read_actions(path)
    assert kept.rows.equals(read.rows)
    assert kept.header_map == read.header_map and kept.sheet == "Actions"
    assert kept.rows["echeance"].tolist()[1] == "2027" and kept.rows["budget_eur"][1] == "45000"
    assert len(st_.table(1).rows) == len(REGISTER_ROWS)
    again = store.validate_version_actions(st_, 1, programme)
    assert again.to_json() == preview.actions.to_json()


def test_stored_actions_cannot_be_overwritten(st_, tmp_path, mini_referentiel, programme):
    _import(st_, workbook(tmp_path), mini_referentiel, programme)
    for statement in (
        "UPDATE feuille_de_route_action SET ligne = 9",
        "DELETE FROM feuille_de_route_action",
        "UPDATE feuille_de_route SET fichier = 'x'",
        "DELETE FROM feuille_de_route",
    ):
        with (
            pytest.raises(sa.exc.DBAPIError, match="ne se modifie pas"),
            st_.engine.begin() as connection,
        ):
            connection.exec_driver_sql(statement)
    assert len(st_.actions(1).rows) == len(ACTIONS_ROWS)


def test_a_register_without_actions_keeps_the_current_ones(
    st_, tmp_path, mini_referentiel, programme
):
    _import(st_, workbook(tmp_path), mini_referentiel, programme)
    csv = tmp_path / "v2.csv"
    csv.write_text(
        "Identifiant;Titre;Année;Statut;Codes INSEE des communes;Thèmes\n"
        "T-A;Centre-bourg de Doullens, suite (fictif);2019;réalisé;80253;centre-bourg\n"
        "T-B;Friche d'Abbeville (fictif);2021;en cours;80001;friches\n",
        encoding="utf-8",
    )
    preview, info = _import(st_, csv, mini_referentiel, programme)
    assert not preview.actions.present
    assert info.resume == {"ajoutes": 0, "supprimes": 0, "modifies": 1}
    assert st_.actions(2).rows.equals(st_.actions(1).rows)
    # The store's own writers (an edit of the rows) keep them too, unless told otherwise.
    table = st_.table(2)
    base = dict(auteur="Claude", fichier="v2.csv", sha256="0" * 64, fictif=True, resume={})
    st_.add_version(table, base=2, **base)
    assert st_.actions(3).rows.equals(st_.actions(1).rows)
    st_.add_version(table, base=3, actions=None, **base)
    assert st_.actions(4) is None
    with pytest.raises(store.StoreError, match="version 9 introuvable"):
        st_.actions(9)


def test_diff_and_restore_cover_the_actions(st_, tmp_path, mini_referentiel, programme):
    first = workbook(tmp_path)
    _import(st_, first, mini_referentiel, programme)
    changed = [list(r) for r in ACTIONS_ROWS[:2]]
    changed[0][7] = "réalisé"
    changed.append(["T-B", "Friche", "Ouvrir un tiers-lieu", "ESS", "moyenne", "EPCI", "2028"])
    second = workbook(tmp_path, "v2.xlsx", actions=changed)
    preview, info = _import(st_, second, mini_referentiel, programme)
    diff = preview.diff
    assert [(c.id, c.colonne, c.avant, c.apres) for c in diff.actions_changed] == [
        ("T-A · Rénover la halle", "Statut", "en cours", "réalisé")
    ]
    assert [a["action"] for a in diff.actions_added] == ["Ouvrir un tiers-lieu"]
    assert [r["action"] for r in diff.actions_removed] == [
        "Action d'un atelier absent",
        "rénover la halle",
    ]
    assert info.resume_text == "actions : 1 ajoutée, 2 supprimées, 1 modifiée"
    assert "~ action T-A · Rénover la halle : Statut : « en cours » → « réalisé »" in (
        diff.to_text()
    )
    assert list(diff.actions_frame()["changement"]) == [
        "ajoutée",
        "supprimée",
        "supprimée",
        "modifiée",
    ]
    assert store.compare_versions(st_, 1, 2).summary() == info.resume
    restored = store.restore_version(st_, 1, "Claude")
    assert restored.resume["actions_ajoutees"] == 2 and restored.resume["actions_supprimees"] == 1
    assert st_.actions(3).rows.equals(st_.actions(1).rows)
    assert st_.table(3).rows.equals(st_.table(1).rows)
    assert [v.version for v in st_.versions()] == [1, 2, 3]


def test_the_same_workbook_again_is_unchanged(st_, tmp_path, mini_referentiel, programme):
    path = workbook(tmp_path)
    _import(st_, path, mini_referentiel, programme)
    again = store.prepare_import(path, st_, mini_referentiel, programme)
    assert again.unchanged
    with pytest.raises(store.StoreError, match="identique à la version 1"):
        store.commit_import(st_, again, "Camille")


def test_a_separate_actions_file(st_, tmp_path, mini_referentiel, programme):
    register = tmp_path / "registre.csv"
    register.write_text(
        "Identifiant;Titre;Année;Statut;Codes INSEE des communes;Thèmes\n"
        "T-A;Doullens (fictif);2019;réalisé;80253;centre-bourg\n"
        "T-B;Abbeville (fictif);2021;en cours;80001;friches\n",
        encoding="utf-8",
    )
    plan = actions_csv(tmp_path)
    preview, info = _import(st_, register, mini_referentiel, programme, actions=plan)
    assert [r.status for r in preview.actions.rows] == ["ok", "ok", "error", "warning"]
    kept = st_.actions(info.version)
    assert kept.format == "csv" and kept.path.name == "actions.csv"
    assert kept.rows.equals(actions.read_actions(plan).rows)


def test_unreadable_actions_are_refused_and_nothing_is_stored(
    st_, tmp_path, mini_referentiel, programme
):
    path = workbook(tmp_path, actions=[])
    # An Actions sheet without its « Action » column cannot be read.
    book = openpyxl.load_workbook(path)
    book["Actions"].delete_cols(3)
    book.save(path)
    preview = store.prepare_import(path, st_, mini_referentiel, programme)
    assert preview.usable and not preview.actions.usable
    assert "« action »" in str(preview.actions.file_issues[0])
    with pytest.raises(store.StoreError, match="actions de la feuille de route ne peuvent pas"):
        store.commit_import(st_, preview, "Camille")
    assert st_.head() is None
    assert registre.read_register(path).rows["id"].tolist() == ["T-A", "T-B"]


def test_a_version_s_workbook_carries_its_actions_and_imports_back_unchanged(
    st_, tmp_path, mini_referentiel, programme
):
    _import(st_, workbook(tmp_path), mini_referentiel, programme)
    out = store.write_version_file(st_, 1, tmp_path / "v1.xlsx")
    assert openpyxl.load_workbook(out).sheetnames == ["registre", "Actions"]
    read = actions.read_actions(out)
    assert read.rows.drop(columns="line").equals(st_.actions(1).rows.drop(columns="line"))
    assert store.prepare_import(out, st_, mini_referentiel, programme).unchanged
    assert b"Actions" not in store.version_file(st_, 1, "csv")  # one table in a CSV


def test_an_atelier_edited_in_the_app_keeps_the_actions(st_, tmp_path, mini_referentiel, programme):
    from atelierflash.acces import LOCAL_SCOPE

    _import(st_, workbook(tmp_path), mini_referentiel, programme)
    preview = store.prepare_edit(
        st_,
        mini_referentiel,
        programme,
        base=1,
        cells={"titre": "Centre-bourg de Doullens, suite (fictif)"},
        scope=LOCAL_SCOPE,
        atelier_id="T-A",
    )
    info = store.commit_edit(st_, preview, "Claude")
    assert info.version == 2
    assert st_.actions(2).rows.equals(st_.actions(1).rows)
