"""The register store on both backends: migrations, versions, diff, restore, transactions.

Every test runs on SQLite and on a real PostgreSQL (``store_url``); the two-process race runs
on PostgreSQL, where several app processes share one database.
"""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import queue
import sys
import time
import types
from pathlib import Path

import pytest
import sqlalchemy as sa

from atelierflash import ecriture, registre, store
from atelierflash.programme import load_programme
from atelierflash.store import _schema, _store
from tests.conftest import MINI_REGISTER, hostile_register_text

MESSY = Path(__file__).parent / "data" / "registre_ddt_messy.csv"
TODAY = dt.date(2026, 11, 29)


@pytest.fixture(scope="module")
def programme():
    return load_programme()


@pytest.fixture
def st_(store_url):
    s = store.Store(store_url)
    yield s
    s.dispose()


def _write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def _edited(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


def _import(s, path, referentiel, programme, auteur="Camille", **kw):
    preview = store.prepare_import(path, s, referentiel, programme, **kw)
    return store.commit_import(s, preview, auteur)


# -- migrations ---------------------------------------------------------------------------------
def test_an_empty_database_migrates_to_head(store_url):
    s = store.Store(store_url, upgrade=False)
    assert s.schema_revision() is None
    s.upgrade()
    assert s.schema_revision() == store.Store.head_revision() == "0003"
    inspector = sa.inspect(s.engine)
    for table in _schema.metadata.sorted_tables:
        assert {c["name"] for c in inspector.get_columns(table.name)} == set(table.columns.keys())
    s.upgrade()  # running it again at the next start-up changes nothing
    assert s.schema_revision() == "0003"
    assert s.head() is None and s.versions() == []
    s.dispose()


def test_stored_versions_cannot_be_overwritten(st_, tmp_path, mini_referentiel, programme):
    _import(st_, _write(tmp_path, "mini.csv", MINI_REGISTER), mini_referentiel, programme)
    for statement in (
        "UPDATE registre_version SET auteur = 'x'",
        "DELETE FROM registre_ligne",
        "DELETE FROM registre_version",
    ):
        with (
            pytest.raises(sa.exc.DBAPIError, match="ne se modifie pas"),
            st_.engine.begin() as connection,
        ):
            connection.exec_driver_sql(statement)
    assert st_.head().auteur == "Camille" and len(st_.table(1).rows) == 7


# -- versions ------------------------------------------------------------------------------------
def test_an_import_is_a_version_with_its_rows_exactly_as_read(
    st_, tmp_path, mini_referentiel, programme
):
    path = _write(tmp_path, "mini.csv", MINI_REGISTER)
    info = _import(st_, path, mini_referentiel, programme, auteur="  Camille Durand ")
    assert (info.version, info.auteur, info.fichier) == (1, "Camille Durand", "mini.csv")
    assert info.sha256 == store.file_sha256(path) and len(info.sha256) == 64
    assert info.resume == {"ajoutes": 7, "supprimes": 0, "modifies": 0}
    assert info.fictif and info.nb_lignes == 7 and info.restaure_de is None
    assert abs(info.date - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    read = registre.read_register(path)
    kept = st_.table(1)
    assert kept.rows.equals(read.rows)  # text cells, same columns, same line numbers
    assert kept.header_map == read.header_map and kept.format == "csv"
    assert st_.versions() == [info] and st_.head() == info


def test_a_second_import_stores_its_summary_and_keeps_the_first(
    st_, tmp_path, mini_referentiel, programme
):
    _import(st_, _write(tmp_path, "mini.csv", MINI_REGISTER), mini_referentiel, programme)
    text = _edited(MINI_REGISTER, "Ajaccio littoral (fictif),2024", "Ajaccio port (fictif),2024")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("T-X-1"))
    text += "\nT-2026-2,Bastia (fictif),2026,candidature,communale,2B033,,,,,,,,,,,,,,,,oui\n"
    preview = store.prepare_import(
        _write(tmp_path, "v2.csv", text), st_, mini_referentiel, programme
    )
    assert preview.base == 1
    assert [a["id"] for a in preview.diff.added] == ["T-2026-2"]
    assert [r["id"] for r in preview.diff.removed] == ["T-X-1"]
    assert [(c.id, c.colonne, c.avant, c.apres) for c in preview.diff.changed] == [
        ("T-2024-1", "titre", "Ajaccio littoral (fictif)", "Ajaccio port (fictif)")
    ]
    info = store.commit_import(st_, preview, "Dominique")
    assert info.version == 2 and info.resume == {"ajoutes": 1, "supprimes": 1, "modifies": 1}
    assert info.resume_text == "ateliers : 1 ajouté, 1 supprimé, 1 modifié"
    assert [v.version for v in st_.versions()] == [1, 2]
    assert len(st_.table(1).rows) == 7 and len(st_.table(2).rows) == 7
    assert st_.table(1).rows.loc[3, "titre"] == "Ajaccio littoral (fictif)"
    # The same file again: nothing to store.
    again = store.prepare_import(_write(tmp_path, "v2.csv", text), st_, mini_referentiel, programme)
    assert again.unchanged
    with pytest.raises(store.StoreError, match="identique à la version 2"):
        store.commit_import(st_, again, "Dominique")


def test_compare_and_restore_make_a_new_version(st_, tmp_path, mini_referentiel, programme):
    _import(st_, _write(tmp_path, "a.csv", MINI_REGISTER), mini_referentiel, programme)
    edited = _edited(MINI_REGISTER, ",20000,DDT(M) 80", ",25000,DDT(M) 80")
    _import(st_, _write(tmp_path, "b.csv", edited), mini_referentiel, programme)
    diff = store.compare_versions(st_, 1, 2)
    assert [(c.id, c.colonne, c.avant, c.apres) for c in diff.changed] == [
        ("T-2019-1", "montant_eur", "20000", "25000")
    ]
    restored = store.restore_version(st_, 1, "Claude")
    assert (restored.version, restored.restaure_de, restored.fichier) == (3, 1, "a.csv")
    assert restored.resume == {"ajoutes": 0, "supprimes": 0, "modifies": 1}
    assert restored.resume_text.startswith("restauration de la version 1 ; ")
    assert st_.table(3).rows.equals(st_.table(1).rows)
    assert [v.version for v in st_.versions()] == [1, 2, 3]  # nothing overwritten
    with pytest.raises(store.StoreError, match="déjà la version actuelle"):
        store.restore_version(st_, 3, "Claude")
    with pytest.raises(store.StoreError, match="version 9 introuvable"):
        store.restore_version(st_, 9, "Claude")


def test_a_version_remembers_whether_its_rows_are_fictional(
    st_, tmp_path, mini_referentiel, programme
):
    _import(st_, _write(tmp_path, "fictif.csv", MINI_REGISTER), mini_referentiel, programme)
    real = MINI_REGISTER.replace(",oui\n", ",non\n").replace("(fictif)", "")
    info = _import(st_, _write(tmp_path, "reel.csv", real), mini_referentiel, programme)
    assert st_.version(1).fictif and not info.fictif
    assert store.restore_version(st_, 1, "Claude").fictif


def test_a_version_downloads_as_the_file_it_came_from(st_, tmp_path, mini_referentiel, programme):
    messy = MINI_REGISTER.replace("id,titre,annee", "Identifiant,Intitulé,Année de sélection")
    messy = messy.replace("Essai,", "=HYPERLINK(1),")
    _import(st_, _write(tmp_path, "ddt.csv", messy), mini_referentiel, programme)
    for extension in ("csv", "xlsx"):
        out = store.write_version_file(st_, 1, tmp_path / f"export.{extension}")
        back = registre.read_register(out)
        assert list(back.header_map)[:3] == ["Identifiant", "Intitulé", "Année de sélection"]
        assert back.rows["titre"].tolist() == st_.table(1).rows["titre"].tolist()
        assert ecriture.formula_cells(out.read_bytes(), extension) == []
    # CSV: the apostrophe, read back as the spreadsheet convention it is (issue 20); XLSX: a
    # text cell shown as typed (quote prefix), never evaluated. Both read back as stored.
    assert registre.read_register(tmp_path / "export.csv").rows.loc[0, "description"] == (
        "=HYPERLINK(1)"
    )
    assert registre.read_register(tmp_path / "export.xlsx").rows.loc[0, "description"] == (
        "=HYPERLINK(1)"
    )
    with pytest.raises(store.StoreError, match="format d'export inconnu"):
        store.version_file(st_, 1, "ods")


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_a_version_exported_and_imported_again_changes_nothing(
    st_, tmp_path, mini_referentiel, programme, extension
):
    """Issue 20: the CSV's neutralising apostrophe came back as part of a title."""
    hostile = hostile_register_text()
    # An apostrophe typed before a formula character says « text, not formula » (the
    # spreadsheet convention): it is not part of the text.
    hostile = _edited(hostile, "Candidature Privas (fictif)", "'=déjà neutralisé (fictif)")
    _import(st_, _write(tmp_path, "hostile.csv", hostile), mini_referentiel, programme)
    exported = tmp_path / f"version-1.{extension}"
    exported.write_bytes(store.version_file(st_, 1, extension))
    assert ecriture.formula_cells(exported.read_bytes(), extension) == []
    preview = store.prepare_import(exported, st_, mini_referentiel, programme)
    assert preview.diff.to_text() == "aucun changement"
    assert preview.diff.empty
    titles = st_.table(1).rows["titre"].tolist()
    assert "=déjà neutralisé (fictif)" in titles and "+cmd|' /C calc'!A0 (fictif)" in titles


def test_a_version_file_is_written_by_the_one_writer(st_, tmp_path, mini_referentiel, programme):
    """Issue 9: the store had its own writer (pandas' CSV: « , », no CRLF; untyped XLSX)."""
    # A fictional version whose file spells its fiction column its own way.
    spelled = MINI_REGISTER.replace(",fictif\n", ",Fictif ?\n", 1)
    _import(st_, _write(tmp_path, "demo.csv", spelled), mini_referentiel, programme)
    assert st_.version(1).fictif
    csv_data = store.version_file(st_, 1, "csv")
    assert csv_data.startswith(b"\xef\xbb\xbf") and b"\r\n" in csv_data
    rows = ecriture.rows_of_csv(csv_data)
    assert rows[0][:3] == ["id", "titre", "annee"] and rows[0][-1] == "Fictif ?"  # one mark
    xlsx_data = store.version_file(st_, 1, "xlsx")
    assert ecriture.rows_of_xlsx(xlsx_data)[0] == rows[0]
    from openpyxl import load_workbook

    assert "données fictives" in load_workbook(io.BytesIO(xlsx_data)).properties.title
    # A real version without a fiction column gets none; a fictional one without gets « Fictif ».
    real = MINI_REGISTER.replace(",oui\n", ",non\n").replace("(fictif)", "")
    _import(st_, _write(tmp_path, "reel.csv", real), mini_referentiel, programme)
    assert ecriture.rows_of_csv(store.version_file(st_, 2, "csv"))[1][-1] == "non"


def test_a_version_file_into_a_plain_file_says_what_to_do(
    st_, tmp_path, mini_referentiel, programme
):
    _import(st_, _write(tmp_path, "ddt.csv", MINI_REGISTER), mini_referentiel, programme)
    plain = tmp_path / "sortie"
    plain.write_text("garder", encoding="utf-8")
    with pytest.raises(ecriture.WriteError, match="n'est pas un dossier") as caught:
        store.write_version_file(st_, 1, plain / "export.csv")
    assert str(plain) in str(caught.value)
    assert plain.read_text(encoding="utf-8") == "garder"
    (tmp_path / "dossier.csv").mkdir()
    with pytest.raises(ecriture.WriteError, match="est un dossier"):
        store.write_version_file(st_, 1, tmp_path / "dossier.csv")


def test_a_stored_version_validates_again_with_its_choices(
    st_, tmp_path, mini_referentiel, programme
):
    preview = store.prepare_import(MESSY, st_, mini_referentiel, programme)
    ambiguous = {u.nom: u for u in preview.unresolved}
    assert [c["code"] for c in ambiguous["Saint-Denis"].candidats] == ["97411", "93066"]
    assert ambiguous["Saint-Denis"].lignes == (5,)
    assert [c["code"] for c in ambiguous["Doulens"].candidats] == ["80253"]
    choice = {ambiguous["Saint-Denis"].cle: "93066"}
    preview = store.prepare_import(MESSY, st_, mini_referentiel, programme, choices=choice)
    assert "Saint-Denis" not in {u.nom for u in preview.unresolved}
    row = next(r for r in preview.report.rows if r.id == "DDT-04")
    assert row.communes == ("93066",) and row.status == "warning"
    assert any("commune choisie lors de l'import" in m for m in row.messages)
    info = store.commit_import(st_, preview, "Camille")
    assert info.choix == choice
    # The same spelling in a later file: the choice comes back by itself.
    later = MESSY.read_bytes().replace(b"Homonyme", b"Homonyme repris")
    path = tmp_path / "registre_ddt_2.csv"
    path.write_bytes(later)
    preview = store.prepare_import(path, st_, mini_referentiel, programme)
    assert next(r for r in preview.report.rows if r.id == "DDT-04").communes == ("93066",)
    assert [(c.id, c.colonne) for c in preview.diff.changed] == [
        ("DDT-04", "Intitulé de l'atelier")
    ]
    report = store.validate_version(st_, 1, mini_referentiel, programme)
    assert next(r for r in report.rows if r.id == "DDT-04").communes == ("93066",)


def test_an_unreadable_file_is_reported_and_never_stored(
    st_, tmp_path, mini_referentiel, programme
):
    path = _write(tmp_path, "vide.csv", "")
    preview = store.prepare_import(path, st_, mini_referentiel, programme)
    assert not preview.usable and "fichier vide" in preview.report.to_text()
    with pytest.raises(store.StoreError, match="ne peut pas être enregistré"):
        store.commit_import(st_, preview, "Camille")
    assert st_.head() is None


def test_an_author_is_required(st_, tmp_path, mini_referentiel, programme):
    preview = store.prepare_import(
        _write(tmp_path, "mini.csv", MINI_REGISTER), st_, mini_referentiel, programme
    )
    with pytest.raises(store.StoreError, match="auteur"):
        store.commit_import(st_, preview, "  ")
    assert st_.head() is None


# -- nothing lost ----------------------------------------------------------------------------
def _counts(s) -> tuple[int, int]:
    with s.engine.connect() as connection:
        return (
            connection.execute(sa.select(sa.func.count()).select_from(_schema.versions)).scalar(),
            connection.execute(sa.select(sa.func.count()).select_from(_schema.rows)).scalar(),
        )


def test_a_failure_in_the_middle_of_the_write_leaves_the_store_as_it_was(
    st_, tmp_path, mini_referentiel, programme, monkeypatch
):
    _import(st_, _write(tmp_path, "mini.csv", MINI_REGISTER), mini_referentiel, programme)
    before, tables = _counts(st_), st_.versions()
    big = MINI_REGISTER + "".join(
        f"G-{i},Grand registre {i} (fictif),2024,en cours,communale,80253,,,,,,,,,,,,,,,,oui\n"
        for i in range(1200)
    )
    preview = store.prepare_import(
        _write(tmp_path, "grand.csv", big), st_, mini_referentiel, programme
    )
    written = []
    real_execute = sa.engine.Connection.execute

    def failing_insert(connection, number, records):
        # The version row and 600 rows are written, then the disk "fails".
        for i, record in enumerate(records):
            if i == 600:
                raise OSError("disque plein (simulé)")
            real_execute(connection, _schema.rows.insert(), [record])
            written.append(i)

    monkeypatch.setattr(_store, "_insert_rows", failing_insert)
    with pytest.raises(store.StoreError, match="rien n'a été modifié"):
        store.commit_import(st_, preview, "Camille")
    assert len(written) == 600  # the failure did happen half-way through the rows
    assert _counts(st_) == before and st_.versions() == tables
    monkeypatch.undo()
    info = store.commit_import(st_, preview, "Camille")  # the same import then lands whole
    assert info.version == 2 and len(st_.table(2).rows) == 1207


def test_two_imports_reviewed_against_one_version_cannot_both_land(
    st_, tmp_path, mini_referentiel, programme
):
    _import(st_, _write(tmp_path, "mini.csv", MINI_REGISTER), mini_referentiel, programme)
    a = store.prepare_import(
        _write(tmp_path, "a.csv", _edited(MINI_REGISTER, "Essai", "Essai A")),
        st_,
        mini_referentiel,
        programme,
    )
    b = store.prepare_import(
        _write(tmp_path, "b.csv", _edited(MINI_REGISTER, "Essai", "Essai B")),
        st_,
        mini_referentiel,
        programme,
    )
    assert a.base == b.base == 1
    store.commit_import(st_, a, "Alix")
    with pytest.raises(store.RegisterChanged, match="la version 2 a été enregistrée par Alix"):
        store.commit_import(st_, b, "Bao")
    assert [v.auteur for v in st_.versions()] == ["Camille", "Alix"]
    # Reviewed again on the current version, it lands.
    b = store.prepare_import(tmp_path / "b.csv", st_, mini_referentiel, programme)
    assert store.commit_import(st_, b, "Bao").version == 3


def _racer(url: str, path: str, name: str, barrier, results) -> None:
    from tests.conftest import make_mini_referentiel

    s = None
    try:
        s = store.Store(url)
        preview = store.prepare_import(path, s, make_mini_referentiel(), load_programme())
        barrier.wait(timeout=60)  # both reviewed version 1; now both commit at once
        info = store.commit_import(s, preview, name)
        results.put((name, "ok", info.version))
    except store.RegisterChanged as error:
        results.put((name, "changed", str(error)))
    except BaseException as error:  # say why, instead of leaving the parent to time out
        results.put((name, "error", repr(error)))
        raise
    finally:
        if s is not None:
            s.dispose()


def _outcomes(results, processes, timeout: float = 120) -> list[tuple]:
    """Every racer's report; a racer that died before reporting fails at once, with its code."""
    outcomes = []
    deadline = time.monotonic() + timeout
    while len(outcomes) < len(processes):
        try:
            outcomes.append(results.get(timeout=1))
        except queue.Empty:
            dead = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
            if len(outcomes) + len(dead) >= len(processes):
                pytest.fail(f"un processus s'est arrêté sans rendre compte (code {dead})")
            if time.monotonic() > deadline:
                pytest.fail(f"pas de réponse des processus en {timeout} s : {outcomes}")
    return sorted(outcomes)


def test_two_processes_importing_at_once_on_postgresql(
    postgres_url, tmp_path, mini_referentiel, programme, monkeypatch
):
    s = store.Store(postgres_url)
    _import(s, _write(tmp_path, "mini.csv", MINI_REGISTER), mini_referentiel, programme)
    # A spawned process first runs the parent's ``__main__`` again. After any AppTest in this
    # process that is a Streamlit script (Streamlit 1.67 installs its own ``__main__`` and
    # leaves it): the racers then ran app.py, failed before reporting and the queue timed out
    # in the full suite. They start from a bare ``__main__``, whatever ran before.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    paths = {
        name: _write(tmp_path, f"{name}.csv", _edited(MINI_REGISTER, "Essai", f"Essai {name}"))
        for name in ("Alix", "Bao")
    }
    processes = [
        context.Process(target=_racer, args=(postgres_url, str(p), n, barrier, results))
        for n, p in paths.items()
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
    assert "Relisez l'import" in loser[2]
    assert [v.auteur for v in s.versions()] == ["Camille", winner[0]]
    assert _counts(s) == (2, 14)
    s.dispose()


# -- configuration ------------------------------------------------------------------------------
def test_the_default_store_is_one_sqlite_file_in_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(store.ENV_DATA_DIR, str(tmp_path / "nouveau" / "dossier"))
    assert store.database_url() == f"sqlite:///{tmp_path}/nouveau/dossier/atelierflash.sqlite"
    s = store.Store()
    assert (tmp_path / "nouveau" / "dossier" / "atelierflash.sqlite").is_file()
    assert s.backend == "sqlite" and s.head() is None
    s.dispose()
    monkeypatch.setenv(store.ENV_DATABASE_URL, "postgresql://u@h:5/b")
    assert store.database_url() == "postgresql+psycopg://u@h:5/b"


def test_an_unreachable_database_gets_a_french_message(monkeypatch):
    with pytest.raises(store.StoreError, match="base de données injoignable"):
        store.Store("postgresql://personne@127.0.0.1:1/absente")


def test_seeding_fills_an_empty_store_once(st_, tmp_path, mini_referentiel, programme):
    path = _write(tmp_path, "mini.csv", MINI_REGISTER)
    first = store.seed_store(st_, path, mini_referentiel, programme)
    assert first.version == 1 and first.fictif and first.auteur.startswith("atelierflash")
    assert store.seed_store(st_, path, mini_referentiel, programme) is None
    assert len(st_.versions()) == 1
