"""Streamlit glue of editing on the fiche: « Modifier » an atelier, « Nouvelle candidature ».

The rules live in the library (:func:`atelierflash.store.prepare_edit` checks the row with the
import's rules and the editor's :class:`~atelierflash.acces.Scope`; :func:`commit_edit` stores
it as ``base + 1``). This module draws the form and keeps what is typed in the session: a save
refused (register changed meanwhile, outside the territory, a database error) loses nothing.

The form's fields are the register's one column declaration (``registre.COLUMNS``), so a column
added there appears here by itself.
"""

from __future__ import annotations

import streamlit as st

from atelierflash import store as register_store
from atelierflash.acces import Scope
from atelierflash.formats import fmt_int
from atelierflash.registre import COLUMNS_BY_NAME
from atelierflash.texte import markdown_escape as md
from atelierflash.ui.acces import audience, settings
from atelierflash.ui.data import (
    database_url,
    get_programme,
    get_referentiel,
    get_resolver,
    get_store,
)

_STATE = "edition"  # {"atelier": id or None, "base": version} while a form is open
_TYPED = "edition_saisie"  # what was typed (column → text): survives reruns and refusals
_ORIGINAL = "edition_origine"  # the row as the form was opened (or checked again) on
_PREVIEW = "edition_apercu"
_CHOICES = "edition_choix"
_REFUSAL = "edition_refus"
_NOTICE = "edition_message"
AUTHOR = "edition_auteur"  # the name typed once per session when nobody is logged in
_AUTHOR_FIELD = "edition_auteur_champ"
FIELD = "edition_champ_"  # widget key prefix: FIELD + column
#: Long texts get a text area; every other field is one line of text, as in a file.
_LONG = frozenset({"description", "notes_internes", "livrables", "dates_animation", "communes"})
_NEW_DEFAULTS = {"statut": "candidature"}


def user() -> dict:
    """The logged-in identity (``st.user``), or ``{}``."""
    try:
        return st.user.to_dict()
    except Exception:  # no [auth] table, or a test run without a user
        return {}


def visitor_scope() -> Scope:
    """What this visitor may edit (an empty scope: they read)."""
    return settings().scope(user())


def author() -> str:
    """The version's author: the logged-in e-mail, else the name typed in this session."""
    identity = user()
    if identity.get("is_logged_in") and identity.get("email"):
        return str(identity["email"])
    return str(st.session_state.get(AUTHOR, "") or "").strip()


def section(dataset, row) -> None:
    """Under the fiche: the edit buttons for an editor, the open form, the last save's notice.

    Drawn only for the store's register seen by the internal audience; the bundled samples
    are read-only.
    """
    if notice := st.session_state.pop(_NOTICE, None):
        st.success(notice, icon=":material/check_circle:")
    if dataset.source.revision is None or audience() != "interne":
        return
    rules = settings()
    scope = visitor_scope()
    identity = user()
    if scope == Scope():
        if rules.provider is not None and not identity.get("is_logged_in"):
            st.caption(
                "Les services de l'État qui pilotent les ateliers (DDT(M), D(R)EAL) et le bureau "
                "du programme peuvent modifier les ateliers de leur territoire après connexion."
            )
            st.button(
                "Se connecter pour modifier",
                icon=":material/login:",
                on_click=st.login,
                args=(rules.provider,),
                key="edition_connexion",
            )
        elif rules.provider is not None:
            st.caption(
                "Lecture seule : votre compte n'a pas de périmètre de modification. Demandez au "
                "bureau du programme de l'ajouter."
            )
        return
    state = st.session_state.get(_STATE)
    if state is None:
        _buttons(dataset, row, scope)
        return
    _form(state, scope)


@st.cache_resource(show_spinner=False, max_entries=2)
def _version_table(url: str, number: int):
    # A version never changes: read once per process, not on every run of the fiche.
    return get_store().table(number)


def version_table(number: int):
    """A version's register rows, read once per process (a version never changes)."""
    return _version_table(database_url(), number)


@st.cache_resource(show_spinner=False, max_entries=2)
def _version_actions(url: str, number: int):
    # A version never changes: read once per process, not on every run of the fiche.
    return get_store().actions(number)


def version_actions(number: int):
    """A version's feuille de route as stored (``None``: none), read once per process."""
    return _version_actions(database_url(), number)


def _buttons(dataset, row, scope: Scope) -> None:
    store = get_store()
    head = store.head()
    cols = st.columns(2)
    if row is not None:
        cells = register_store.row_cells(version_table(head.version), str(row.id))
        allowed = cells is not None and scope.covers(
            *register_store.territory(
                cells,
                get_referentiel(),
                get_programme(),
                resolver=get_resolver(),
                choices=head.choix,
            )
        )
        if allowed:
            cols[0].button(
                "Modifier cet atelier",
                icon=":material/edit:",
                on_click=_open,
                args=(str(row.id), head.version, cells),
                key="edition_modifier",
            )
        else:
            cols[0].caption(
                f"Cet atelier est hors de votre périmètre ({md(scope.text())}) : vous pouvez "
                "lire sa fiche, pas la modifier."
            )
    cols[1].button(
        "Nouvelle candidature",
        icon=":material/add:",
        on_click=_open,
        args=(None, head.version, dict(_NEW_DEFAULTS)),
        key="edition_nouvelle",
    )
    _other(dataset, head, scope)


def _other(dataset, head, scope: Scope) -> None:
    """Any atelier of the editor's territory, candidatures included.

    The fiche lists only the publishable ateliers; a DDT(M) also keeps its candidatures.
    """
    mine = register_store.ateliers_in_scope(dataset.report.ateliers, get_referentiel(), scope)
    if mine.empty:
        return
    labels = {
        str(r.id): f"{r.titre} ({r.id}) · {r.statut or 'statut non renseigné'}"
        for r in mine.itertuples()
    }
    with st.expander(f"Modifier un autre atelier de votre territoire ({fmt_int(len(labels))})"):
        chosen = st.selectbox(
            "Atelier (candidatures comprises)",
            list(labels),
            format_func=lambda i: labels[i],
            key="edition_autre",
        )
        cells = register_store.row_cells(version_table(head.version), chosen)
        st.button(
            "Modifier l'atelier choisi",
            icon=":material/edit:",
            on_click=_open,
            args=(chosen, head.version, cells or {}),
            disabled=cells is None,
            key="edition_modifier_autre",
        )


def _open(atelier_id: str | None, base: int, cells: dict[str, str]) -> None:
    st.session_state[_STATE] = {"atelier": atelier_id, "base": base}
    st.session_state[_TYPED] = dict(cells)
    st.session_state[_ORIGINAL] = dict(cells) if atelier_id is not None else {}
    for name, value in cells.items():
        st.session_state[FIELD + name] = value
    for name in register_store.editable_columns():
        st.session_state.setdefault(FIELD + name, "")
        if name not in cells:
            st.session_state[FIELD + name] = ""
    for key in (_PREVIEW, _CHOICES, _REFUSAL):
        st.session_state.pop(key, None)


def _close() -> None:
    for key in (_STATE, _TYPED, _ORIGINAL, _PREVIEW, _CHOICES, _REFUSAL):
        st.session_state.pop(key, None)


def _columns() -> list[str]:
    return register_store.editable_columns(version_table(st.session_state[_STATE]["base"]))


def _typed() -> dict[str, str]:
    """The form's values, copied out of the widgets (kept even when the form is not drawn)."""
    typed = dict(st.session_state.get(_TYPED, {}))
    for name in _columns():
        if FIELD + name in st.session_state:
            typed[name] = st.session_state[FIELD + name]
    st.session_state[_TYPED] = typed
    return typed


def _check(*, rebase: bool = False) -> None:
    """Check what is typed (the form's « Vérifier »; on the current version with ``rebase``)."""
    state = st.session_state[_STATE]
    store = get_store()
    changes = _changes()
    st.session_state.pop(_REFUSAL, None)
    try:
        if rebase:
            _rebase(state, store, changes)
        preview = register_store.prepare_edit(
            store,
            get_referentiel(),
            get_programme(),
            base=state["base"],
            cells=changes,
            scope=visitor_scope(),
            atelier_id=state["atelier"],
            resolver=get_resolver(),
            choices=st.session_state.get(_CHOICES, {}),
        )
    except register_store.StoreError as exc:
        st.session_state[_REFUSAL] = str(exc)
        st.session_state.pop(_PREVIEW, None)
        return
    st.session_state[_PREVIEW] = preview


def _changes() -> dict[str, str]:
    """What the person changed in the form: only those cells are sent (a new row: all)."""
    typed = _typed()
    original = st.session_state.get(_ORIGINAL) or {}
    if st.session_state[_STATE]["atelier"] is None:
        return typed
    same = lambda a, b: str(a or "").strip() == str(b or "").strip()  # noqa: E731
    return {k: v for k, v in typed.items() if not same(v, original.get(k, ""))}


def _rebase(state: dict, store, changes: dict[str, str]) -> None:
    """Open the form on the current version: another editor's values, the person's changes."""
    head = store.head()
    atelier = state["atelier"]
    if atelier is not None:
        cells = register_store.row_cells(version_table(head.version), atelier)
        if cells is None:
            raise register_store.StoreError(
                f"l'atelier « {atelier} » n'est plus dans la version {head.version} "
                "(supprimé ou renommé entre-temps)"
            )
        st.session_state[_ORIGINAL] = dict(cells)
        typed = {**cells, **changes}
        st.session_state[_TYPED] = typed
        for name in register_store.editable_columns(version_table(head.version)):
            st.session_state[FIELD + name] = typed.get(name, "")
    state["base"] = head.version


def _form(state: dict, scope: Scope) -> None:
    atelier = state["atelier"]
    title = f"Modifier l'atelier « {md(atelier)} »" if atelier else "Nouvelle candidature"
    st.subheader(title, anchor="edition")
    st.caption(
        f"Formulaire ouvert sur la version {state['base']} du registre · votre périmètre : "
        f"{md(scope.text())}. Les règles sont celles de l'import ; rien n'est enregistré avant "
        "« Enregistrer »."
    )
    # Widgets keep their values only while drawn: restore them from the copy after a rerun
    # in which the form was not drawn (another page, a refusal).
    for name, value in st.session_state.get(_TYPED, {}).items():
        st.session_state.setdefault(FIELD + name, value)
    preview: register_store.EditPreview | None = st.session_state.get(_PREVIEW)
    messages = preview.messages_by_field() if preview is not None else {}
    with st.form("edition_formulaire", enter_to_submit=False):
        for name in _columns():
            column = COLUMNS_BY_NAME.get(name)
            label = column.label_fr if column else name
            help_text = column.description_fr if column else "Colonne propre à ce registre."
            widget = st.text_area if name in _LONG else st.text_input
            widget(md(label), key=FIELD + name, help=help_text)
            for issue in messages.get(name, []):
                say = st.error if issue.level == "error" else st.warning
                say(md(issue.text), icon=":material/error:")
        cols = st.columns(2)
        cols[0].form_submit_button(
            "Vérifier", type="primary", icon=":material/fact_check:", on_click=_check
        )
        cols[1].form_submit_button("Annuler", icon=":material/close:", on_click=_close)
    refusal_notice(_REFUSAL, _check, key="edition_rebase")
    if preview is not None:
        _review(preview)


def refusal_notice(state_key: str, check, key: str) -> None:
    """Why a save was refused (kept in ``st.session_state[state_key]``), and the way on.

    The one notice of both editors (an atelier, a feuille de route): « Rien n'a été
    enregistré » with the reason, and « Vérifier sur la version actuelle », which calls
    ``check(rebase=True)``. Nothing when no save was refused.
    """
    if refusal := st.session_state.get(state_key):
        st.error(f"Rien n'a été enregistré : {md(refusal)}", icon=":material/sync_problem:")
        st.button(
            "Vérifier sur la version actuelle",
            icon=":material/refresh:",
            on_click=check,
            kwargs={"rebase": True},
            key=key,
        )


def _review(preview: register_store.EditPreview) -> None:
    for issue in messages_without_field(preview):
        say = st.error if issue.level == "error" else st.warning
        say(md(str(issue)), icon=":material/error:")
    if preview.unresolved:
        _communes(preview)
    if preview.refused:
        st.error(f"Enregistrement impossible : {md(preview.refused)}", icon=":material/block:")
    if preview.errors:
        st.warning(
            f"{fmt_int(len(preview.errors))} erreur(s) à corriger dans le formulaire avant "
            "d'enregistrer.",
            icon=":material/warning:",
        )
    st.markdown(f"**Différences avec la version {preview.base}**")
    if preview.unchanged:
        st.info("Aucun changement par rapport à la version ouverte : rien à enregistrer.")
    if preview.diff.added:
        st.dataframe(preview.diff.added, hide_index=True, width="stretch")
    if preview.diff.changed:
        st.dataframe(preview.diff.changes_frame(), hide_index=True, width="stretch")
    logged = author() if user().get("is_logged_in") else ""
    if logged:
        st.caption(f"Auteur de la version : {md(logged)}")
    else:
        # The widget's own value goes when it is not drawn; the name is kept for the session.
        st.session_state.setdefault(_AUTHOR_FIELD, st.session_state.get(AUTHOR, ""))
        st.session_state[AUTHOR] = st.text_input(
            "Votre nom (auteur de la version)",
            key=_AUTHOR_FIELD,
            help="Demandé une fois par session ; il figure dans l'historique des versions.",
        )
    who = author()
    if st.button(
        f"Enregistrer la version {preview.base + 1}",
        type="primary",
        icon=":material/save:",
        disabled=not (preview.savable and who),
        help=None if who else "Indiquez l'auteur de la version.",
        key="edition_enregistrer",
    ):
        _save(preview, who)


def messages_without_field(preview: register_store.EditPreview) -> list:
    """Messages about the row as a whole, or about a field the form does not show."""
    shown = set(_columns())
    return [
        i for c, issues in preview.messages_by_field().items() if c not in shown for i in issues
    ]


def _communes(preview: register_store.EditPreview) -> None:
    st.markdown("**Communes à préciser** : ces noms ne désignent pas une seule commune.")
    with st.form("edition_choix_form"):
        picked = {}
        for item in preview.unresolved:
            codes = [None, *(c["code"] for c in item.candidats)]
            labels = {c["code"]: md(item.label(c)) for c in item.candidats}
            picked[item.cle] = st.radio(
                f"« {md(item.nom)} »",
                codes,
                format_func=lambda code, labels=labels: labels.get(code, "Ne pas choisir"),
                key=f"edition_choix_{item.cle}",
            )
        if st.form_submit_button("Appliquer ces choix", icon=":material/done_all:"):
            chosen = st.session_state.setdefault(_CHOICES, {})
            chosen.update({k: v for k, v in picked.items() if v})
            _check()
            st.rerun()


def _save(preview: register_store.EditPreview, who: str) -> None:
    try:
        info = register_store.commit_edit(get_store(), preview, who)
    except register_store.StoreError as exc:  # RegisterChanged and OutOfScope included
        st.session_state[_REFUSAL] = str(exc)
        st.session_state.pop(_PREVIEW, None)
        st.rerun()
    else:
        name = preview.cells.get("id", "")
        _close()
        st.session_state[_NOTICE] = (
            f"Version {info.version} enregistrée par {md(info.auteur)} : atelier « {md(name)} » "
            f"({md(info.resume_text)})."
        )
        st.rerun()
