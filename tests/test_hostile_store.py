"""The bad-file battery through the store's import: a French message, and the store unchanged.

Each file of ``tests/hostile.py`` is prepared for import into a store holding one good version
(SQLite; the same import function serves PostgreSQL): the review says why in French, the file
cannot be committed when it is unusable, and the store's versions and rows are exactly as before.
"""

from __future__ import annotations

import pytest

from atelierflash.programme import load_programme
from atelierflash.store import Store, StoreError, commit_import, prepare_import
from tests import hostile


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, mini_referentiel):
    folder = tmp_path_factory.mktemp("magasin")
    programme = load_programme()
    store = Store(f"sqlite:///{folder / 'registre.sqlite'}")
    good = folder / "bon.csv"
    good.write_text(hostile.HEADER + hostile.GOOD_ROW, encoding="utf-8")
    commit_import(store, prepare_import(good, store, mini_referentiel, programme), "test")
    yield store, programme
    store.dispose()


def _state(store):
    head = store.head()
    return [v.to_json() for v in store.versions()], store.table(head.version).rows.to_dict(
        "records"
    )


@pytest.mark.parametrize("case", hostile.BATTERY, ids=lambda c: c.name)
def test_each_bad_file_leaves_the_store_unchanged(case, seeded, mini_referentiel, tmp_path):
    store, programme = seeded
    before = _state(store)
    path = case.make(tmp_path)
    preview = prepare_import(path, store, mini_referentiel, programme)
    issues = list(preview.report.file_issues) + [i for r in preview.report.rows for i in r.issues]
    assert case.expected.lower() in " ".join(str(i) for i in issues).lower()
    if case.unusable:
        assert not preview.usable
        with pytest.raises(StoreError, match="ne peut pas être enregistré"):
            commit_import(store, preview, "test")
    assert _state(store) == before
