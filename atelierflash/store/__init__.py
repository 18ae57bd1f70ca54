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
:func:`version_file`, :func:`diff_tables` → :class:`Diff`; one atelier edited in the app:
:func:`prepare_edit` → :class:`EditPreview` → :func:`commit_edit`; one atelier's feuille de
route edited in the app: :func:`action_fields`, :func:`atelier_actions`,
:func:`prepare_actions_edit` → :class:`ActionsEditPreview` → :func:`commit_actions_edit`,
:func:`merge_actions` (an edit carried onto a version landed meanwhile); and
the errors :class:`StoreError`, :class:`RegisterChanged` and :class:`OutOfScope`.
"""

from atelierflash.store._diff import Diff, FieldChange, diff_tables, summary_text
from atelierflash.store._edition import (
    EditPreview,
    OutOfScope,
    ateliers_in_scope,
    commit_edit,
    editable_columns,
    prepare_edit,
    row_cells,
    territory,
)
from atelierflash.store._edition_actions import (
    ActionField,
    ActionsEditPreview,
    action_fields,
    atelier_actions,
    commit_actions_edit,
    merge_actions,
    prepare_actions_edit,
)
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
    "ActionField",
    "ActionsEditPreview",
    "Diff",
    "EditPreview",
    "FieldChange",
    "ImportPreview",
    "OutOfScope",
    "RegisterChanged",
    "Store",
    "StoreError",
    "Unresolved",
    "VersionInfo",
    "action_fields",
    "atelier_actions",
    "ateliers_in_scope",
    "commit_actions_edit",
    "commit_edit",
    "commit_import",
    "compare_versions",
    "data_dir",
    "database_url",
    "diff_tables",
    "editable_columns",
    "file_sha256",
    "merge_actions",
    "prepare_actions_edit",
    "prepare_edit",
    "prepare_import",
    "restore_version",
    "row_cells",
    "seed_store",
    "summary_text",
    "territory",
    "validate_version",
    "validate_version_actions",
    "version_file",
    "version_filename",
    "write_version_file",
]
