"""Cached loaders: one référentiel, one programme, one dataset per register source.

Data objects are cached with ``st.cache_resource`` (built once per process, shared by every
session and never copied); widgets are never cached. Pages filter the cached dataset per run.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import streamlit as st

from atelierflash import store as register_store
from atelierflash.acces import public_view
from atelierflash.dataset import (
    Dataset,
    RegisterSource,
    build_dataset,
    configured_actions,
    configured_register,
    register_sources,
)
from atelierflash.programme import Programme, load_programme
from atelierflash.referentiel import Referentiel, cache_is_fresh, load_referentiel
from atelierflash.resolution import CommuneResolver
from atelierflash.texte import markdown_escape
from atelierflash.ui import url
from atelierflash.ui.acces import audience, visible_sources

QUERY_REGISTER = "registre"
STORE_KEY = "registre"
_RUN_SOURCES = "_atelierflash_sources"  # this run's sources, read once by app.py


@st.cache_resource(show_spinner=False)
def get_programme() -> Programme:
    """The programme (``data/programme.toml``), loaded once per process."""
    return load_programme()


_REFERENTIEL_LOCK = threading.Lock()


@st.cache_resource(show_spinner=False)
def _loaded() -> dict:
    # One holder per process: the référentiel is loaded (or built) once, whatever happens to
    # its cache folder afterwards; cleared with the other caches.
    return {}


def get_referentiel() -> Referentiel:
    """The référentiel, loaded once per process; the first build shows its progress.

    The load runs outside a cached function (a progress bar drawn inside one would be replayed
    on every later run) and is kept in a per-process holder: a cache folder that cannot be
    written gives a référentiel built in memory once, never a build on every visit.
    """
    holder = _loaded()
    with _REFERENTIEL_LOCK:
        if "referentiel" not in holder:
            if cache_is_fresh():
                holder["referentiel"] = load_referentiel()
            else:
                bar = st.progress(
                    0.0, text="Préparation du référentiel des communes (une seule fois)…"
                )
                holder["referentiel"] = load_referentiel(
                    progress=lambda fraction, message: bar.progress(
                        min(max(fraction, 0.0), 1.0), text=message
                    )
                )
                bar.empty()
    return holder["referentiel"]


@st.cache_resource(show_spinner=False)
def get_resolver() -> CommuneResolver:
    """The commune resolver of the référentiel (its indexes built once per process)."""
    return CommuneResolver(get_referentiel())


@st.cache_resource(show_spinner="Lecture et validation du registre…")
def _dataset(key: str, path: str, mtime: float) -> Dataset:
    # ``path`` and ``mtime`` are part of the key: editing the file gives a new dataset.
    source = register_sources()[key]
    return build_dataset(source, get_referentiel(), get_programme(), resolver=get_resolver())


# -- the store ---------------------------------------------------------------------------------
def database_url() -> str:
    """The store's URL.

    ``$ATELIERFLASH_DATABASE_URL``, else the Streamlit secret of that name (or
    ``[database] url``), else the embedded SQLite file.
    """
    url = os.environ.get(register_store.ENV_DATABASE_URL, "").strip()
    if not url:
        try:
            url = str(
                st.secrets.get(register_store.ENV_DATABASE_URL)
                or st.secrets.get("database", {}).get("url")
                or ""
            )
        except (FileNotFoundError, KeyError, AttributeError, st.errors.StreamlitAPIException):
            url = ""  # no secrets file: the embedded default
    return register_store.database_url(url or None)


@st.cache_resource(show_spinner="Ouverture du registre (migrations de la base)…")
def _store(url: str) -> register_store.Store:
    # Migrated once per process at start-up; seeded from the configured register when empty.
    store = register_store.Store(url)
    register_store.seed_store(
        store,
        configured_register(),
        get_referentiel(),
        get_programme(),
        resolver=get_resolver(),
        actions=configured_actions(),
    )
    return store


def get_store() -> register_store.Store:
    """The register store (SQLite by default, PostgreSQL by URL), migrated and seeded."""
    return _store(database_url())


def _store_source(store: register_store.Store) -> RegisterSource | None:
    """The store's current version as a source: the one version check of a page run."""
    head = store.head()
    if head is None:
        return None
    return _source_of(store, head)


def _source_of(store: register_store.Store, info: register_store.VersionInfo) -> RegisterSource:
    # The path carries the store's identity, so caches of two stores never mix.
    digest = hashlib.sha256(store.url.encode()).hexdigest()[:12]
    return RegisterSource(
        STORE_KEY,
        f"Registre de l'application (version {info.version})",
        Path(digest) / info.fichier,
        fictif=info.fictif,
        revision=info.version,
    )


def _sources() -> dict[str, RegisterSource]:
    """The store first, then the bundled registers as read-only samples."""
    sources: dict[str, RegisterSource] = {}
    try:
        current = _store_source(get_store())
    except register_store.StoreError as exc:
        st.error(f"Registre de l'application indisponible : {exc}", icon=":material/error:")
        current = None
    if current is not None:
        sources[STORE_KEY] = current
    for key, source in register_sources().items():
        sources[key] = RegisterSource(
            source.key,
            f"{source.label} · exemple en lecture seule",
            source.path,
            source.fictif,
            public=source.public,
        )
    st.session_state[_RUN_SOURCES] = sources
    return sources


def active_source() -> RegisterSource:
    """The register chosen in the sidebar (kept in the URL as ``?registre=``), not drawn yet.

    Only the registers this visitor may see are offered (the public ones in public mode): an
    address naming another one shows the default register. :func:`register_selector` draws
    the selector later in the run (``app.py`` draws it after the page).
    """
    sources = visible_sources(_sources())
    url.show_replayed((QUERY_REGISTER,))  # read in the session's first run only
    if st.session_state.get("registre") not in sources:
        st.session_state["registre"] = url.read(
            QUERY_REGISTER, url.one_of(sources), next(iter(sources)), what="le registre affiché"
        )
    return sources[st.session_state["registre"]]


def register_selector() -> RegisterSource:
    """Draw the register selector in the sidebar (its value is :func:`active_source`'s).

    ``app.py`` draws it after the page, in a sidebar container placed above the page's own
    sidebar: the page's main element (the map) is then the first one the browser renders,
    and its code is fetched before the selector's (about twenty small files).
    """
    sources = visible_sources(_sources())
    keys = list(sources)
    if st.session_state.get("registre") not in sources:
        active_source()
    key = st.selectbox(
        "Registre affiché",
        keys,
        format_func=lambda k: sources[k].label,
        key="registre",
        help="Le registre de l'application est celui que gère la page « Données » (chaque "
        "import en est une version). Les exemples fournis ne se modifient pas : la "
        "démonstration est fictive, le registre public ne contient que des ateliers "
        "documentés par une page publique.",
    )
    url.write(QUERY_REGISTER, key, default=keys[0])
    return sources[key]


def current_source() -> RegisterSource:
    """The active register without drawing the selector (pages call this)."""
    sources = visible_sources(st.session_state.get(_RUN_SOURCES) or _sources())
    key = st.session_state.get("registre") or st.query_params.get(QUERY_REGISTER)
    return sources.get(key) or next(iter(sources.values()))


_ENTERED = "_atelierflash_point_d_entree"  # this session's runs go through app.py


def ensure_entrypoint() -> None:
    """Once per session: make every run of the session go through ``app.py``.

    Streamlit's legacy multipage mode (checked against Streamlit 1.67.0; see streamlit/streamlit
    PR 10276): with a ``pages/`` folder beside the entry script, a process starts with
    ``PagesManager.uses_pages_directory`` set, and a deep link runs the page file directly, with
    the folder's file names as navigation, until ``app.py`` has called ``st.navigation`` once in
    the process. A fresh server whose first URL is ``/donnees`` would show no banner, no
    register selector and the legacy page list. Leaving that mode (for the whole process) and
    rerunning sends the same request through ``app.py``, whose navigation resolves the same URL
    path.

    Called by ``app.py`` before it draws anything and by the pages' first step
    (:func:`get_dataset`, ``acces.require_internal``), since in the legacy mode ``app.py`` does
    not run. Only the first call of a session can rerun: a first run carries no widget event,
    whereas a rerun in a run triggered by a click would drop the click (a button is true only
    in the run its click triggered).
    """
    if st.session_state.get(_ENTERED):
        return
    st.session_state[_ENTERED] = True
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


@st.cache_resource(show_spinner=False)
def _public_dataset(key: str, path: str, mtime: float, _dataset: Dataset) -> Dataset:
    return public_view(_dataset)


def get_dataset(source: RegisterSource | None = None) -> Dataset:
    """The dataset of ``source`` (default: the active one), built once per file version.

    For the public audience (public pages in public mode) it is the register's public view:
    public rows and public fields only, whatever the page does with it.
    """
    ensure_entrypoint()  # a page's first step: returns at once after the session's first run
    get_referentiel()  # first, outside the cached function: its progress bar is never replayed
    source = source or current_source()
    if audience() == "public" and not source.public:
        # Never reached through the selector; a caller passing another source gets nothing.
        raise PermissionError(f"registre non public : {source.key}")
    if source.revision is not None:
        dataset = _store_dataset(database_url(), source.revision)
    else:
        dataset = _dataset(source.key, str(source.path), source.version)
    if audience() == "public":
        return _public_dataset(source.key, str(source.path), source.version, _dataset=dataset)
    return dataset


@st.cache_resource(show_spinner="Lecture et validation du registre…", max_entries=4)
def _store_dataset(url: str, number: int) -> Dataset:
    # One dataset per stored version; a new version (from any process) is a new key.
    store = _store(url)
    report = register_store.validate_version(
        store, number, get_referentiel(), get_programme(), resolver=get_resolver()
    )
    source = _source_of(store, store.version(number))
    actions = register_store.validate_version_actions(store, number, get_programme())
    return build_dataset(
        source,
        get_referentiel(),
        get_programme(),
        resolver=get_resolver(),
        report=report,
        actions=actions,
    )


def show_banner(dataset: Dataset) -> None:
    """The banners of every page (unreadable register, fictional data) and the register's file.

    A register that cannot be read (deleted, moved, a folder, no header…) is said on every
    page, with the reason: the pages would otherwise show zeros without saying why.
    """
    if dataset.unreadable:
        st.error(
            f"**Le registre ne peut pas être lu** ({markdown_escape(dataset.source.label)}) : "
            f"{markdown_escape(dataset.unreadable)}. Les chiffres de cette page sont donc vides. "
            "Corrigez le fichier (ou le chemin donné par la variable ATELIERFLASH\\_REGISTRE) "
            "puis rechargez la page ; rien n'a été publié ni modifié entre-temps.",
            icon=":material/error:",
        )
    if dataset.fictif:
        st.warning(
            "**Données de démonstration fictives.** Les ateliers affichés sont inventés "
            "(communes réelles) pour montrer l'outil ; aucun n'est un Atelier Flash réel.",
            icon=":material/warning:",
        )
    st.sidebar.caption(
        f"Fichier : {markdown_escape(dataset.source.path.name)} · {len(dataset.ateliers)} ateliers"
    )
    cache_error = dataset.referentiel.meta.get("cache_error")
    if cache_error:
        st.sidebar.caption(markdown_escape(cache_error))
