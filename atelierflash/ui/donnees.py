"""Streamlit glue of the « Données » page: the upload under review, kept across reruns.

An import is read and checked once per (file, choices); the preview then waits in the session
for the person's yes. It is never recomputed silently against a newer version: a commit made on
an outdated preview is refused by the store (:class:`RegisterChanged`), and the person reviews
again.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from atelierflash import modele
from atelierflash import store as register_store
from atelierflash.texte import markdown_escape
from atelierflash.ui.data import get_programme, get_referentiel, get_resolver, get_store

_PREVIEW = "donnees_apercu"
_CHOICES = "donnees_choix"
_STORED = "donnees_enregistre"  # the upload already stored (file id → version number)
_SELECT = "donnees_version_nouvelle"  # the version the history opens on at the next run
NOTICE = "donnees_message"
UPLOADER = "donnees_fichier"
ACTIONS_UPLOADER = "donnees_actions"  # a separate file of the feuille de route's actions
VERSION = "donnees_version"  # the history's version selector


def stored_as(uploaded) -> int | None:
    """The version an upload was stored as in this session, if it was."""
    kept = st.session_state.get(_STORED)
    return kept[1] if kept and uploaded is not None and kept[0] == uploaded.file_id else None


def choices() -> dict[str, str]:
    """Commune choices made on this page for the file under review."""
    return st.session_state.setdefault(_CHOICES, {})


def choose(new: dict[str, str]) -> None:
    """Keep choices (key → INSEE code) and review the file again with them."""
    current = choices()
    current.update({k: v for k, v in new.items() if v})
    st.session_state.pop(_PREVIEW, None)


@st.cache_resource(show_spinner=False)
def template() -> bytes:
    """The blank workbook to fill in (built once per process)."""
    return modele.template_bytes(get_programme())


def preview(uploaded, actions=None) -> register_store.ImportPreview:
    """The review of ``uploaded`` (an ``UploadedFile``), read once per file and choices.

    ``actions``: an optional separate file of the feuille de route's actions (``UploadedFile``).
    """
    key = (
        uploaded.file_id,
        uploaded.name,
        tuple(sorted(choices().items())),
        actions.file_id if actions is not None else None,
    )
    kept = st.session_state.get(_PREVIEW)
    if kept is not None and kept[0] == key:
        return kept[1]
    # A progress text is Markdown: the person's file name (and the library's messages that
    # quote it) are shown as text.
    bar = st.progress(0.0, text=f"Lecture de {markdown_escape(uploaded.name)}…")
    suffix = Path(uploaded.name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="atelierflash-import-") as folder:
        # The reader knows a format by its extension; the person's file name is kept apart.
        path = Path(folder) / f"registre{suffix}"
        path.write_bytes(uploaded.getvalue())
        plan = None
        if actions is not None:
            plan = Path(folder) / f"actions{Path(actions.name).suffix.lower()}"
            plan.write_bytes(actions.getvalue())
        result = register_store.prepare_import(
            path,
            get_store(),
            get_referentiel(),
            get_programme(),
            resolver=get_resolver(),
            choices=choices(),
            fichier=uploaded.name,
            actions=plan,
            actions_fichier=actions.name if actions is not None else None,
            progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=markdown_escape(m)),
        )
    bar.empty()
    st.session_state[_PREVIEW] = (key, result)
    return result


def forget() -> None:
    """Drop the file under review (after it is stored, or when the register changed)."""
    st.session_state.pop(_PREVIEW, None)
    st.session_state.pop(_CHOICES, None)


def stored(info: register_store.VersionInfo, uploaded=None) -> None:
    """After a commit: the file is not reviewed again, and the next run says what was stored.

    The uploader keeps its file (changing its key to empty it left the browser's session
    without reruns in Streamlit 1.67): the page says the file is stored instead.
    """
    forget()
    # Popping the selector's key would reset it on the server only: the browser keeps its own
    # value under the same widget id, shows the old version and, when the person picks that
    # one, sees no change and sends no rerun (the page seemed frozen). The value is set at the
    # next run, before the selector is drawn, so it reaches the browser.
    st.session_state[_SELECT] = info.version
    if uploaded is not None:
        st.session_state[_STORED] = (uploaded.file_id, info.version)
    st.session_state[NOTICE] = (
        f"Version {info.version} enregistrée ({info.nb_lignes} lignes ; {info.resume_text})."
    )


def open_new_version() -> None:
    """Point the history's selector at the version just stored (call before drawing it)."""
    if (number := st.session_state.pop(_SELECT, None)) is not None:
        st.session_state[VERSION] = number


def default_author() -> str:
    """The signed-in person's e-mail when there is one (OIDC), else empty."""
    try:
        return str(st.user.get("email") or "") if st.user.get("is_logged_in") else ""
    except (AttributeError, KeyError, st.errors.StreamlitAPIException):
        return ""
