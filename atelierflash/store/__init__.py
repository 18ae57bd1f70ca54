"""The register store: every accepted import is a new version, never overwritten.

SQLite is the embedded default (one file in :func:`data_dir`); PostgreSQL serves several app
processes through ``$ATELIERFLASH_DATABASE_URL``. The schema is Alembic's (``migrations/``),
brought to head by :meth:`Store.upgrade` at start-up and by ``python -m atelierflash db
upgrade``.

Public face
-----------
:class:`Store` (versions, rows, the feuille de route's actions of a version, the cheap
:meth:`Store.head` check), :func:`prepare_import` → :class:`ImportPreview` →
:func:`commit_import`, :func:`restore_version`, :func:`compare_versions`,
:func:`validate_version`, :func:`validate_version_actions`, :func:`seed_store`,
:func:`version_file`, :func:`diff_tables` → :class:`Diff`, and the errors :class:`StoreError`
and :class:`RegisterChanged`.
"""

from atelierflash.store._diff import Diff, FieldChange, diff_tables, summary_text
from atelierflash.store._import import (
    ImportPreview,
    Unresolved,
    commit_import,
    compare_versions,
    prepare_import,
    restore_version,
    seed_store,
    validate_version,
    validate_version_actions,
    version_file,
    version_filename,
    write_version_file,
)
from atelierflash.store._store import (
    ENV_DATA_DIR,
    ENV_DATABASE_URL,
    SAME_ACTIONS,
    RegisterChanged,
    Store,
    StoreError,
    VersionInfo,
    data_dir,
    database_url,
    file_sha256,
)

__all__ = [
    "ENV_DATABASE_URL",
    "ENV_DATA_DIR",
    "SAME_ACTIONS",
    "Diff",
    "FieldChange",
    "ImportPreview",
    "RegisterChanged",
    "Store",
    "StoreError",
    "Unresolved",
    "VersionInfo",
    "commit_import",
    "compare_versions",
    "data_dir",
    "database_url",
    "diff_tables",
    "file_sha256",
    "prepare_import",
    "restore_version",
    "seed_store",
    "summary_text",
    "validate_version",
    "validate_version_actions",
    "version_file",
    "version_filename",
    "write_version_file",
]
