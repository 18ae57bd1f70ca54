"""The register store: versions of the register in SQLite (default) or PostgreSQL.

Every write is one transaction; versions are numbered ``base + 1`` from the version an import
was reviewed against, so two imports reviewed against the same version cannot both land (the
second meets the first's number and is told the register changed meanwhile).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event, exc

from atelierflash.actions import ACTIONS
from atelierflash.registre import LINE_COLUMN, REGISTER, ColumnSet, RegisterTable
from atelierflash.store import _schema
from atelierflash.store._diff import summary_text
from atelierflash.texte import os_reason

ENV_DATABASE_URL = "ATELIERFLASH_DATABASE_URL"
ENV_DATA_DIR = "ATELIERFLASH_DATA_DIR"
SQLITE_NAME = "atelierflash.sqlite"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_CHUNK = 500  # rows per INSERT: bounded memory for any register size
_WRITE = "atelierflash_write"
#: ``add_version``'s default for ``actions``: the base version's feuille de route, unchanged.
SAME_ACTIONS = object()


class StoreError(RuntimeError):
    """The store cannot do what was asked; ``str()`` is a French message saying what to do."""


class RegisterChanged(StoreError):
    """Another import landed since this one was reviewed: review it again."""

    def __init__(
        self,
        base: int,
        head: VersionInfo | None,
        advice: str = "Relisez l'import sur la version actuelle avant de l'enregistrer.",
    ):
        self.base, self.head = base, head
        who = f" par {head.auteur} le {head.date_text}" if head is not None else ""
        number = head.version if head is not None else "?"
        super().__init__(
            f"le registre a changé pendant votre relecture : la version {number} a été "
            f"enregistrée{who}, après la version {base} que vous avez relue. {advice}"
        )


@dataclass(frozen=True)
class VersionInfo:
    """What is known about one version without reading its rows."""

    version: int
    date: dt.datetime
    auteur: str
    fichier: str
    sha256: str
    fictif: bool
    nb_lignes: int
    resume: dict = field(default_factory=dict)
    choix: dict = field(default_factory=dict)
    restaure_de: int | None = None

    @property
    def date_text(self) -> str:
        """« 01/12/2026 09:41 UTC »."""
        return self.date.astimezone(dt.UTC).strftime("%d/%m/%Y %H:%M UTC")

    @property
    def resume_text(self) -> str:
        text = summary_text(self.resume)
        if self.restaure_de is not None:
            text = f"restauration de la version {self.restaure_de} ; {text}"
        return text

    def to_json(self) -> dict:
        """The object ``versions --json`` prints for each version."""
        return {
            "version": self.version,
            "auteur": self.auteur,
            "date": self.date.astimezone(dt.UTC).isoformat(),
            "fichier": self.fichier,
            "resume": self.resume_text,
            "bilan": dict(self.resume),
            "lignes": self.nb_lignes,
            "fictif": self.fictif,
            "sha256": self.sha256,
            "restaure_de": self.restaure_de,
        }


def data_dir() -> Path:
    """Where the embedded SQLite store lives.

    ``$ATELIERFLASH_DATA_DIR``, else ``$XDG_DATA_HOME/atelierflash``, else
    ``~/.local/share/atelierflash``: data, not a cache (never delete it to make room).
    """
    explicit = os.environ.get(ENV_DATA_DIR, "").strip()
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_DATA_HOME", "").strip() or Path.home() / ".local" / "share"
    return Path(base) / "atelierflash"


def database_url(url: str | None = None) -> str:
    """The store's URL: ``url`` if given, else ``$ATELIERFLASH_DATABASE_URL``, else SQLite.

    A ``postgresql://`` URL uses the psycopg 3 driver.
    """
    url = (url or os.environ.get(ENV_DATABASE_URL, "")).strip()
    if not url:
        return f"sqlite:///{data_dir() / SQLITE_NAME}"
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Store:
    """The versions of the register in one database.

    Parameters
    ----------
    url : str, optional
        SQLAlchemy URL (see :func:`database_url`; default: the embedded SQLite file, whose
        folder is created).
    upgrade : bool
        Run the migrations to head first (default), as the app does at start-up.
    """

    def __init__(self, url: str | None = None, *, upgrade: bool = True) -> None:
        self.url = database_url(url)
        self.engine = _engine(self.url)
        if upgrade:
            self.upgrade()

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()

    # -- schema ------------------------------------------------------------------------------
    def upgrade(self) -> None:
        """Migrate the database to the latest schema (Alembic ``upgrade head``)."""
        from alembic import command

        try:
            with self._writer().begin() as connection:
                config = _alembic_config(connection)
                command.upgrade(config, "head")
        except exc.OperationalError as error:
            raise StoreError(_unreachable(self, error)) from error

    def schema_revision(self) -> str | None:
        """The Alembic revision the database is at (``None`` before any migration)."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    @staticmethod
    def head_revision() -> str:
        """The latest revision shipped with the code."""
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(_alembic_config(None)).get_current_head()

    # -- reading -----------------------------------------------------------------------------
    def head(self) -> VersionInfo | None:
        """The current version (``None`` for an empty store): one indexed query.

        This is the app's version check, run on every page: it reads only the last version's
        own row, never the register's rows.
        """
        query = sa.select(*_INFO_COLUMNS).order_by(_schema.versions.c.numero.desc()).limit(1)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return _info(row) if row is not None else None

    def versions(self) -> list[VersionInfo]:
        """Every version, oldest first."""
        query = sa.select(*_INFO_COLUMNS).order_by(_schema.versions.c.numero)
        with self.engine.connect() as connection:
            return [_info(row) for row in connection.execute(query)]

    def version(self, number: int) -> VersionInfo:
        """One version; :class:`StoreError` when it does not exist."""
        number = _number(number)
        query = sa.select(*_INFO_COLUMNS).where(_schema.versions.c.numero == number)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            raise StoreError(self._missing(number))
        return _info(row)

    def table(self, number: int) -> RegisterTable:
        """The rows of a version exactly as imported, as a :class:`RegisterTable`."""
        number = _number(number)
        v = _schema.versions.c
        with self.engine.connect() as connection:
            meta = connection.execute(
                sa.select(v.fichier, v.colonnes, v.lecture).where(v.numero == number)
            ).first()
            if meta is None:
                raise StoreError(self._missing(number))
            r = _schema.rows.c
            stored = connection.execute(
                sa.select(r.ligne, r.cellules).where(r.version == number).order_by(r.position)
            ).all()
        return _table(meta.fichier, meta.colonnes, meta.lecture, stored)

    def actions(self, number: int) -> RegisterTable | None:
        """The feuille de route's actions of a version exactly as imported, or ``None``.

        ``None`` when the version has no feuille de route (no actions were ever given); the
        text cells, line numbers and headers otherwise, as :meth:`table` gives the rows.
        """
        number = _number(number)
        f = _schema.feuilles.c
        with self.engine.connect() as connection:
            meta = connection.execute(
                sa.select(f.fichier, f.colonnes, f.lecture).where(f.version == number)
            ).first()
            if meta is None:
                if (
                    connection.execute(
                        sa.select(_schema.versions.c.numero).where(
                            _schema.versions.c.numero == number
                        )
                    ).first()
                    is None
                ):
                    raise StoreError(self._missing(number))
                return None
            a = _schema.actions.c
            stored = connection.execute(
                sa.select(a.ligne, a.cellules).where(a.version == number).order_by(a.position)
            ).all()
        return _table(meta.fichier, meta.colonnes, meta.lecture, stored)

    def original_frame(self, number: int) -> pd.DataFrame:
        """A version's rows under the headers its file used (what a download gives back)."""
        return _original(self.table(number))

    def original_actions_frame(self, number: int) -> pd.DataFrame | None:
        """A version's actions under the headers their file used; ``None`` when it has none."""
        actions = self.actions(number)
        return _original(actions) if actions is not None else None

    # -- writing -----------------------------------------------------------------------------
    def add_version(
        self,
        table: RegisterTable,
        *,
        base: int,
        auteur: str,
        fichier: str,
        sha256: str,
        fictif: bool,
        resume: dict,
        choix: dict | None = None,
        restaure_de: int | None = None,
        actions: RegisterTable | object | None = SAME_ACTIONS,
    ) -> VersionInfo:
        """Write ``table`` as version ``base + 1`` in one transaction.

        ``actions`` is the feuille de route's table (read with
        :data:`atelierflash.actions.ACTIONS`); ``None``: the version has none; by default
        (:data:`SAME_ACTIONS`) those of version ``base``, unchanged, so that a change of the
        register's rows keeps the actions.

        Raises
        ------
        RegisterChanged
            The current version is no longer ``base``: another import landed meanwhile.
        StoreError
            The database refused the write (nothing was written).
        """
        auteur = (auteur or "").strip()
        if not auteur:
            raise StoreError("indiquez l'auteur de la version (nom ou adresse)")
        if not isinstance(table, RegisterTable):
            raise TypeError("add_version attend un RegisterTable")
        base = int(base)
        number = base + 1
        if actions is SAME_ACTIONS:
            actions = self.actions(base) if base else None
        if actions is not None and not isinstance(actions, RegisterTable):
            raise TypeError("add_version attend les actions en RegisterTable (ou None)")
        names, colonnes, lecture = _layout(table, REGISTER)
        record = {
            "numero": number,
            "cree_le": dt.datetime.now(dt.UTC),
            "auteur": auteur[:200],
            "fichier": str(fichier)[:500],
            "sha256": sha256,
            "fictif": bool(fictif),
            "restaure_de": restaure_de,
            "nb_lignes": len(table.rows),
            "resume": dict(resume),
            "choix": dict(choix or {}),
            "colonnes": colonnes,
            "lecture": lecture,
        }
        try:
            with self._writer().begin() as connection:
                current = connection.execute(sa.select(sa.func.max(_schema.versions.c.numero)))
                current = current.scalar() or 0
                if current != base:
                    raise _Conflict
                connection.execute(_schema.versions.insert(), record)
                _insert_rows(connection, number, _row_records(number, table, names))
                if actions is not None:
                    _insert_actions(connection, number, actions)
        except (_Conflict, exc.IntegrityError) as error:
            raise RegisterChanged(base, self.head()) from error
        except (exc.SQLAlchemyError, OSError) as error:
            cause = type(getattr(error, "orig", None) or error).__name__
            raise StoreError(
                f"l'enregistrement a échoué ({cause}) : rien n'a été modifié ; réessayez, ou "
                "signalez-le à l'administrateur"
            ) from error
        return self.version(number)

    def _writer(self) -> sa.Engine:
        return self.engine.execution_options(**{_WRITE: True})

    def _missing(self, number: int) -> str:
        head = self.head()
        last = f"la dernière est la {head.version}" if head else "le registre est vide"
        return f"version {number} introuvable ({last})"


class _Conflict(Exception):
    pass


_INFO_COLUMNS = tuple(
    _schema.versions.c[name]
    for name in (
        "numero",
        "cree_le",
        "auteur",
        "fichier",
        "sha256",
        "fictif",
        "nb_lignes",
        "resume",
        "choix",
        "restaure_de",
    )
)


def _info(row) -> VersionInfo:
    date = row.cree_le
    if date.tzinfo is None:  # SQLite keeps no zone: the store always writes UTC
        date = date.replace(tzinfo=dt.UTC)
    return VersionInfo(
        version=row.numero,
        date=date,
        auteur=row.auteur,
        fichier=row.fichier,
        sha256=row.sha256,
        fictif=bool(row.fictif),
        nb_lignes=row.nb_lignes,
        resume=dict(row.resume or {}),
        choix=dict(row.choix or {}),
        restaure_de=row.restaure_de,
    )


def _number(number) -> int:
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise StoreError(f"numéro de version invalide : « {number} » (entier à partir de 1)")
    return number


def _original(table: RegisterTable) -> pd.DataFrame:
    headers = {c: h for h, c in table.header_map.items()}
    frame = table.rows.drop(columns=[LINE_COLUMN])
    return frame.rename(columns=lambda c: headers.get(c, c))


def _layout(table: RegisterTable, columns: ColumnSet) -> tuple[list[str], list[dict], dict]:
    """The stored columns (name, header as the file spelled it, known or not) and the reading."""
    known = columns.by_name
    names = [c for c in table.rows.columns if c != LINE_COLUMN]
    headers = {c: h for h, c in table.header_map.items()}
    colonnes = [{"nom": n, "entete": headers.get(n, n), "connue": n in known} for n in names]
    lecture = {
        "format": table.format,
        "encodage": table.encoding,
        "separateur": table.separator,
        "feuille": table.sheet,
        "ligne_entete": table.header_line,
    }
    return names, colonnes, lecture


def _insert_actions(connection, number: int, table: RegisterTable) -> None:
    names, colonnes, lecture = _layout(table, ACTIONS)
    connection.execute(
        _schema.feuilles.insert(),
        {
            "version": number,
            "fichier": str(table.path.name if table.path else "")[:500],
            "nb_actions": len(table.rows),
            "colonnes": colonnes,
            "lecture": lecture,
        },
    )
    _insert_chunks(connection, _schema.actions, _row_records(number, table, names))


def _row_records(number: int, table: RegisterTable, names: Sequence[str]) -> Iterable[dict]:
    columns = [table.rows[n].tolist() for n in names]
    lines = table.rows[LINE_COLUMN].tolist()
    for position, line in enumerate(lines):
        yield {
            "version": number,
            "position": position,
            "ligne": int(line),
            "cellules": ["" if col[position] is None else str(col[position]) for col in columns],
        }


def _insert_rows(connection, number: int, records: Iterable[dict]) -> None:
    """Insert the rows of a version in chunks (a test makes this fail half-way)."""
    _insert_chunks(connection, _schema.rows, records)


def _insert_chunks(connection, table: sa.Table, records: Iterable[dict]) -> None:
    chunk: list[dict] = []
    for record in records:
        chunk.append(record)
        if len(chunk) == _CHUNK:
            connection.execute(table.insert(), chunk)
            chunk = []
    if chunk:
        connection.execute(table.insert(), chunk)


def _table(fichier: str, colonnes: list, lecture: dict, stored) -> RegisterTable:
    names = [c["nom"] for c in colonnes]
    data = {n: [] for n in names}
    lines = []
    for line, cells in stored:
        for name, cell in zip(names, cells, strict=True):
            data[name].append(cell)
        lines.append(line)
    frame = pd.DataFrame({n: pd.Series(v, dtype=object) for n, v in data.items()})
    frame[LINE_COLUMN] = pd.Series(lines, dtype="int64")
    known = [c for c in colonnes if c["connue"]]
    return RegisterTable(
        path=Path(fichier),
        format=lecture.get("format") or "csv",
        encoding=lecture.get("encodage"),
        separator=lecture.get("separateur"),
        sheet=lecture.get("feuille"),
        rows=frame,
        columns=tuple(c["nom"] for c in known),
        unknown_columns=tuple(c["nom"] for c in colonnes if not c["connue"]),
        header_map={c["entete"]: c["nom"] for c in known},
        header_line=int(lecture.get("ligne_entete") or 1),
    )


def _engine(url: str) -> sa.Engine:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if str(path) not in ("", ":memory:"):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(
                    f"impossible de créer le dossier des données {path.parent} ({os_reason(error)}) "
                    f": choisissez-en un autre avec ${ENV_DATA_DIR}"
                ) from error
        engine = sa.create_engine(url, connect_args={"timeout": 30})
        _sqlite_transactions(engine)
        return engine
    try:
        return sa.create_engine(url, pool_pre_ping=True)
    except (exc.ArgumentError, exc.NoSuchModuleError, ImportError) as error:
        raise StoreError(
            f"adresse de base de données non reconnue ({type(error).__name__}) : "
            "attendu sqlite:///chemin ou postgresql://utilisateur@hôte:port/base"
        ) from error


def _sqlite_transactions(engine: sa.Engine) -> None:
    """Real transactions on SQLite: BEGIN before any statement, DDL included.

    Python's sqlite3 module otherwise commits DDL at once and begins transactions late; the
    store's "all or nothing" needs the SQLAlchemy-documented recipe below.
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        # A writer takes the write lock at once: two writers then wait in turn (busy timeout)
        # instead of failing when a snapshot read before the other's commit is upgraded.
        write = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _alembic_config(connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _unreachable(store: Store, error: Exception) -> str:
    where = store.engine.url.render_as_string(hide_password=True)
    first = str(getattr(error, "orig", error)).strip().splitlines()[0][:200]
    return (
        f"base de données injoignable ({where}) : {first}. Vérifiez "
        f"${ENV_DATABASE_URL} (ou le dossier ${ENV_DATA_DIR} pour la base intégrée)."
    )
