"""Cached loaders: one référentiel, one programme, one dataset per register source.

Data objects are cached with ``st.cache_resource`` (built once per process, shared by every
session and never copied); widgets are never cached. Pages filter the cached dataset per run.
"""

from __future__ import annotations

import streamlit as st

from atelierflash.dataset import Dataset, RegisterSource, build_dataset, register_sources
from atelierflash.programme import Programme, load_programme
from atelierflash.referentiel import (
    Referentiel,
    build_referentiel,
    cache_is_fresh,
    load_referentiel,
)
from atelierflash.resolution import CommuneResolver

QUERY_REGISTER = "registre"


@st.cache_resource(show_spinner=False)
def get_programme() -> Programme:
    """The programme (``data/programme.toml``), loaded once per process."""
    return load_programme()


@st.cache_resource(show_spinner=False)
def _referentiel() -> Referentiel:
    return load_referentiel()


def get_referentiel() -> Referentiel:
    """The référentiel; the first build on a fresh machine shows its progress.

    The build runs outside the cached function: a progress bar drawn inside it would be
    replayed by ``st.cache_resource`` on every later run.
    """
    if not cache_is_fresh():
        bar = st.progress(0.0, text="Préparation du référentiel des communes (une seule fois)…")
        build_referentiel(
            progress=lambda fraction, message: bar.progress(
                min(max(fraction, 0.0), 1.0), text=message
            )
        )
        bar.empty()
    return _referentiel()


@st.cache_resource(show_spinner=False)
def get_resolver() -> CommuneResolver:
    """The commune resolver of the référentiel (its indexes built once per process)."""
    return CommuneResolver(get_referentiel())


@st.cache_resource(show_spinner="Lecture et validation du registre…")
def _dataset(key: str, path: str, mtime: float) -> Dataset:
    # ``path`` and ``mtime`` are part of the key: editing the file gives a new dataset.
    source = register_sources()[key]
    return build_dataset(source, get_referentiel(), get_programme(), resolver=get_resolver())


def active_source() -> RegisterSource:
    """The register chosen in the sidebar (kept in the URL as ``?registre=``)."""
    sources = register_sources()
    keys = list(sources)
    wanted = st.query_params.get(QUERY_REGISTER, keys[0])
    if wanted not in sources:
        wanted = keys[0]
    if st.session_state.get("registre") not in sources:
        st.session_state["registre"] = wanted
    key = st.sidebar.selectbox(
        "Registre affiché",
        keys,
        format_func=lambda k: sources[k].label,
        key="registre",
        help="Le registre de démonstration est fictif ; le registre public ne contient que des "
        "ateliers documentés par une page publique.",
    )
    if key == keys[0]:
        st.query_params.pop(QUERY_REGISTER, None)
    else:
        st.query_params[QUERY_REGISTER] = key
    return sources[key]


def current_source() -> RegisterSource:
    """The active register without drawing the selector (pages call this)."""
    sources = register_sources()
    key = st.session_state.get("registre") or st.query_params.get(QUERY_REGISTER)
    return sources.get(key) or next(iter(sources.values()))


def _ensure_entrypoint() -> None:
    """Run a page through ``app.py`` even on the first request of a fresh server.

    With a ``pages/`` folder beside the entry script, Streamlit (1.67) runs a deep-linked page
    file directly, in its legacy multipage mode, until ``app.py`` has called ``st.navigation``
    once in the process: no banner, no register selector. Leaving that mode and rerunning sends
    the same request through ``app.py``, whose navigation resolves the same URL path.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def get_dataset(source: RegisterSource | None = None) -> Dataset:
    """The dataset of ``source`` (default: the active one), built once per file version."""
    _ensure_entrypoint()
    source = source or current_source()
    return _dataset(source.key, str(source.path), source.version)


def show_banner(dataset: Dataset) -> None:
    """The fictional-data banner on every page, and the active register in the sidebar."""
    if dataset.fictif:
        st.warning(
            "**Données de démonstration fictives.** Les ateliers affichés sont inventés "
            "(communes réelles) pour montrer l'outil ; aucun n'est un Atelier Flash réel.",
            icon=":material/warning:",
        )
    st.sidebar.caption(f"Fichier : `{dataset.source.path.name}` · {len(dataset.ateliers)} ateliers")
