"""Streamlit glue of the feuille de route edited on the fiche: « Modifier la feuille de route ».

The rules live in the library (:func:`atelierflash.store.prepare_actions_edit` checks the
atelier's actions with the import's ``validate_actions`` and the editor's
:class:`~atelierflash.acces.Scope`; :func:`~atelierflash.store.commit_actions_edit` stores them
as ``base + 1``). This module draws one small form per action and keeps what is typed in the
session: a save refused (register changed meanwhile, outside the territory, a database error)
loses nothing.

The fields are :func:`atelierflash.store.action_fields`: every column of the actions' one
declaration (``actions.ACTIONS``), a vocabulary's as a choice, so a column declared there
appears here by itself.
"""

from __future__ import annotations

import streamlit as st

from atelierflash import store as register_store
from atelierflash.acces import Scope
from atelierflash.formats import fmt_int
from atelierflash.texte import markdown_escape as md
from atelierflash.ui import edition
from atelierflash.ui.acces import audience
from atelierflash.ui.data import (
    get_programme,
    get_referentiel,
    get_resolver,
    get_store,
)

_STATE = "fdr"  # {"atelier": id, "base": version, "slots": [slot, …], "next": int} while open
_TYPED = "fdr_saisie"  # slot → {column → text}: survives reruns and refusals
_OPENED = "fdr_origine"  # the atelier's actions in the version the forms were opened on
_PREVIEW = "fdr_apercu"
_SENT = "fdr_envoyees"  # the slots checked, in the order sent (the preview's indexes)
_REFUSAL = "fdr_refus"
_NOTICE = "fdr_message"
_AUTHOR_FIELD = "fdr_auteur_champ"
FIELD = "fdr_champ_"  # widget key: FIELD + slot + "_" + column
DELETE = "fdr_supprimer_"  # widget key: DELETE + slot


def key(slot: int, column: str) -> str:
    """The widget key of one field of one action's form."""
    return f"{FIELD}{slot}_{column}"


def section(dataset, row) -> None:
    """Under the fiche: « Modifier la feuille de route » for an editor of this atelier.

    Drawn only for the store's register seen by the internal audience, for an atelier within
    the visitor's territory; nothing otherwise (the atelier's edit section says why).
    """
    if notice := st.session_state.pop(_NOTICE, None):
        st.success(notice, icon=":material/check_circle:")
    if row is None or dataset.source.revision is None or audience() != "interne":
        return
    scope = edition.visitor_scope()
    if scope == Scope():
        return
    state = st.session_state.get(_STATE)
    if state is not None and state["atelier"] != str(row.id):
        _close()  # another fiche: the form of the previous one is not this atelier's
        state = None
    if state is None:
        _button(str(row.id), scope)
        return
    _form(state, scope)


def _button(atelier: str, scope: Scope) -> None:
    head = get_store().head()
    cells = register_store.row_cells(edition.version_table(head.version), atelier)
    if cells is None or not scope.covers(
        *register_store.territory(
            cells, get_referentiel(), get_programme(), resolver=get_resolver(), choices=head.choix
        )
    ):
        return
    st.button(
        "Modifier la feuille de route",
        icon=":material/checklist:",
        on_click=_open,
        args=(atelier, head.version),
        key="fdr_modifier",
    )


def _fields(base: int):
    return register_store.action_fields(get_programme(), edition.version_actions(base))


def _open(atelier: str, base: int) -> None:
    _close()
    _load(atelier, base, [(i, c) for i, c in enumerate(_current(atelier, base))])


def _current(atelier: str, base: int) -> list[dict[str, str]]:
    return register_store.atelier_actions(edition.version_actions(base), atelier)


def _load(atelier: str, base: int, actions: list[tuple[int | None, dict[str, str]]]) -> None:
    """Fill the forms: each action with its index in version ``base``'s (``None``: new)."""
    for name in list(st.session_state):
        if str(name).startswith((FIELD, DELETE)):
            del st.session_state[name]
    slots = list(range(len(actions)))
    st.session_state[_STATE] = {
        "atelier": atelier,
        "base": base,
        "slots": slots,
        "next": len(slots),
        "origin": {slot: origin for slot, (origin, _) in zip(slots, actions, strict=True)},
    }
    st.session_state[_OPENED] = _current(atelier, base)
    typed = {slot: dict(cells) for slot, (_, cells) in zip(slots, actions, strict=True)}
    st.session_state[_TYPED] = typed
    for slot, cells in typed.items():
        for field in _fields(base):
            st.session_state[key(slot, field.name)] = cells.get(field.name, "")
        st.session_state[DELETE + str(slot)] = False


def _close() -> None:
    for name in list(st.session_state):
        if str(name).startswith((FIELD, DELETE)):
            del st.session_state[name]
    for name in (_STATE, _TYPED, _OPENED, _PREVIEW, _SENT, _REFUSAL):
        st.session_state.pop(name, None)


def _add() -> None:
    """A new, blank action's form at the end (kept by « Vérifier » only once filled in)."""
    _typed()
    state = st.session_state[_STATE]
    slot = state["next"]
    state["next"] += 1
    state["slots"].append(slot)
    state["origin"][slot] = None
    st.session_state[_TYPED][slot] = {}
    for field in _fields(state["base"]):
        st.session_state[key(slot, field.name)] = ""
    st.session_state[DELETE + str(slot)] = False


def _typed() -> dict[int, dict[str, str]]:
    """The forms' values, copied out of the widgets (kept even when the form is not drawn)."""
    state = st.session_state[_STATE]
    typed = st.session_state.setdefault(_TYPED, {})
    for slot in state["slots"]:
        cells = typed.setdefault(slot, {})
        for field in _fields(state["base"]):
            if key(slot, field.name) in st.session_state:
                cells[field.name] = st.session_state[key(slot, field.name)]
        if DELETE + str(slot) in st.session_state:
            cells["__supprimer"] = bool(st.session_state[DELETE + str(slot)])
    return typed


def _check(*, rebase: bool = False) -> None:
    """Check what is typed (« Vérifier »; on the current version with ``rebase``)."""
    state = st.session_state[_STATE]
    typed = _typed()
    store = get_store()
    st.session_state.pop(_REFUSAL, None)
    if rebase:
        _rebase(state, store.head().version, typed)
        state, typed = st.session_state[_STATE], st.session_state[_TYPED]
    sent = [s for s in state["slots"] if not typed.get(s, {}).get("__supprimer")]
    try:
        preview = register_store.prepare_actions_edit(
            store,
            get_referentiel(),
            get_programme(),
            base=state["base"],
            atelier_id=state["atelier"],
            actions=[
                {k: v for k, v in typed.get(s, {}).items() if not k.startswith("__")} for s in sent
            ],
            scope=edition.visitor_scope(),
            resolver=get_resolver(),
        )
    except register_store.StoreError as exc:
        st.session_state[_REFUSAL] = str(exc)
        st.session_state.pop(_PREVIEW, None)
        return
    st.session_state[_SENT] = sent
    st.session_state[_PREVIEW] = preview


def _rebase(state: dict, head: int, typed: dict[int, dict[str, str]]) -> None:
    """The forms on the current version: the other editor's actions, the person's changes."""
    deleted = lambda slot: bool(typed.get(slot, {}).get("__supprimer"))  # noqa: E731
    cells = lambda slot: {k: v for k, v in typed.get(slot, {}).items() if not k.startswith("__")}  # noqa: E731
    edits, added = {}, []
    for slot in state["slots"]:
        origin = state["origin"].get(slot)
        if origin is None:
            if not deleted(slot):
                added.append(cells(slot))
        else:
            edits[origin] = None if deleted(slot) else cells(slot)
    merged = register_store.merge_actions(
        st.session_state.get(_OPENED, []), edits, added, _current(state["atelier"], head)
    )
    _load(state["atelier"], head, merged)


def _form(state: dict, scope: Scope) -> None:
    st.subheader(f"Feuille de route de l'atelier « {md(state['atelier'])} »", anchor="fdr")
    st.caption(
        f"Ouverte sur la version {state['base']} du registre · votre périmètre : "
        f"{md(scope.text())}. Une action par cadre ; les règles sont celles de l'import ; rien "
        "n'est enregistré avant « Enregistrer »."
    )
    # Widgets keep their values only while drawn: restore them from the copy after a rerun
    # in which the form was not drawn (another page, a refusal).
    for slot, cells in st.session_state.get(_TYPED, {}).items():
        for name, value in cells.items():
            if name == "__supprimer":
                st.session_state.setdefault(DELETE + str(slot), value)
            else:
                st.session_state.setdefault(key(slot, name), value)
    preview: register_store.ActionsEditPreview | None = st.session_state.get(_PREVIEW)
    sent = st.session_state.get(_SENT, [])
    fields = _fields(state["base"])
    with st.form("fdr_formulaire", enter_to_submit=False):
        if not state["slots"]:
            st.info("Aucune action pour cet atelier : « Ajouter une action » en ouvre une.")
        for number, slot in enumerate(state["slots"], start=1):
            messages = (
                preview.messages(sent.index(slot)) if preview is not None and slot in sent else {}
            )
            _action(number, slot, fields, messages)
        cols = st.columns(3)
        cols[0].form_submit_button(
            "Vérifier", type="primary", icon=":material/fact_check:", on_click=_check
        )
        cols[1].form_submit_button("Ajouter une action", icon=":material/add:", on_click=_add)
        cols[2].form_submit_button("Annuler", icon=":material/close:", on_click=_close)
    edition.refusal_notice(_REFUSAL, _check, key="fdr_rebase")
    if preview is not None:
        _review(preview)


def _action(number: int, slot: int, fields, messages: dict) -> None:
    """One action's fields, each followed by its messages; labels name the action."""
    with st.container(border=True):
        title = st.session_state.get(key(slot, "action"), "") or "nouvelle action"
        st.markdown(f"**Action {number}** · {md(title)}")
        # In their declared order: a long text on its own line, the short fields between two
        # of them side by side (three to a row).
        run: list = []
        for field in [*fields, None]:
            if field is not None and not field.long:
                run.append(field)
                continue
            for start in range(0, len(run), 3):
                cols = st.columns(3)
                for col, short in zip(cols, run[start : start + 3], strict=False):
                    with col:
                        _field(number, slot, short, messages)
            run = []
            if field is not None:
                _field(number, slot, field, messages)
        for issue in messages.get(None, []):
            _say(issue)
        st.checkbox(f"Supprimer l'action {number}", key=DELETE + str(slot))


def _field(number: int, slot: int, field, messages: dict) -> None:
    label = f"{md(field.label)} (action {number})"
    widget_key = key(slot, field.name)
    if field.options is not None:
        current = str(st.session_state.get(widget_key, "") or "")
        options = list(field.options)
        if current not in options:
            options.append(current)  # a text as imported (a variant, a typo) stays as it was
        st.selectbox(
            label,
            options,
            key=widget_key,
            help=field.help,
            format_func=lambda v: v or "—",
        )
    elif field.long:
        st.text_area(label, key=widget_key, help=field.help, height=68)
    else:
        st.text_input(label, key=widget_key, help=field.help)
    for issue in messages.get(field.name, []):
        _say(issue)


def _say(issue) -> None:
    say = st.error if issue.level == "error" else st.warning
    say(md(issue.text), icon=":material/error:")


def _review(preview: register_store.ActionsEditPreview) -> None:
    if preview.refused:
        st.error(f"Enregistrement impossible : {md(preview.refused)}", icon=":material/block:")
    if preview.errors:
        st.warning(
            f"{fmt_int(len(preview.errors))} erreur(s) à corriger dans les actions avant "
            "d'enregistrer.",
            icon=":material/warning:",
        )
    st.markdown(f"**Différences avec la version {preview.base}** (feuille de route)")
    if preview.unchanged:
        st.info("Aucun changement par rapport à la version ouverte : rien à enregistrer.")
    else:
        st.dataframe(preview.diff.actions_frame(), hide_index=True, width="stretch")
    logged = edition.author() if edition.user().get("is_logged_in") else ""
    if logged:
        st.caption(f"Auteur de la version : {md(logged)}")
    else:
        # The widget's own value goes when it is not drawn; the name is kept for the session.
        st.session_state.setdefault(_AUTHOR_FIELD, st.session_state.get(edition.AUTHOR, ""))
        st.session_state[edition.AUTHOR] = st.text_input(
            "Votre nom (auteur de la version)",
            key=_AUTHOR_FIELD,
            help="Demandé une fois par session ; il figure dans l'historique des versions.",
        )
    who = edition.author()
    if st.button(
        f"Enregistrer la version {preview.base + 1}",
        type="primary",
        icon=":material/save:",
        disabled=not (preview.savable and who),
        help=None if who else "Indiquez l'auteur de la version.",
        key="fdr_enregistrer",
    ):
        _save(preview, who)


def _save(preview: register_store.ActionsEditPreview, who: str) -> None:
    try:
        info = register_store.commit_actions_edit(get_store(), preview, who)
    except register_store.StoreError as exc:  # RegisterChanged and OutOfScope included
        st.session_state[_REFUSAL] = str(exc)
        st.session_state.pop(_PREVIEW, None)
        st.rerun()
    else:
        _close()
        st.session_state[_NOTICE] = (
            f"Version {info.version} enregistrée par {md(info.auteur)} : feuille de route de "
            f"l'atelier « {md(preview.atelier_id)} » ({md(info.resume_text)})."
        )
        st.rerun()
