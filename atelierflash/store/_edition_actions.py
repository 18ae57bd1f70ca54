"""One atelier's feuille de route edited in the app, stored as a new version.

The fiche's editor gives the atelier's actions as text cells, as a file would. They replace that
atelier's actions in the version the editor was opened on (the other ateliers' actions and the
register's rows stay as they are), are checked with the import's own
:func:`~atelierflash.actions.validate_actions`, compared with that version, and stored as
``base + 1``: a version that landed meanwhile refuses the save (:class:`RegisterChanged`), as
for an atelier edited (:mod:`atelierflash.store._edition`) and for imports. Who may edit is the
caller's :class:`~atelierflash.acces.Scope`, checked on the atelier's communes.

The fields are the actions' one column declaration (:data:`atelierflash.actions.ACTIONS`), so a
column declared there (a point d'étape's statut…) is a field by itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from atelierflash import actions as plan
from atelierflash.acces import Scope
from atelierflash.actions import ActionResult, validate_actions
from atelierflash.programme import Programme
from atelierflash.referentiel import Referentiel
from atelierflash.registre import LINE_COLUMN, RegisterTable
from atelierflash.resolution import CommuneResolver
from atelierflash.store._diff import Diff, diff_tables
from atelierflash.store._edition import (
    EDIT_ADVICE,
    check_savable,
    outside_message,
    row_cells,
    territory,
    typed_text,
)
from atelierflash.store._store import RegisterChanged, Store, StoreError, VersionInfo
from atelierflash.texte import normalize_key
from atelierflash.validation import Issue

#: The column that ties an action to its atelier: the fiche's own, never a field.
ATELIER = "atelier"
#: The file name a version's first actions get when none were ever imported.
NEW_ACTIONS_FILE = "feuille_de_route.csv"
# Long texts get a text area; « public » is a yes/no choice (empty: no, the default).
_LONG = frozenset({"action", "financements", "note"})
_YES_NO = ("", "oui", "non")
_YES_NO_COLUMNS = frozenset({"public"})


@dataclass(frozen=True)
class ActionField:
    """One field of an action's form.

    Attributes
    ----------
    name : str
        The canonical column.
    label, help : str
        Its French label and description.
    options : tuple of str or None
        A choice among these texts (``""`` first: an empty cell), or ``None`` for free text.
    long : bool
        A long text (a text area).
    """

    name: str
    label: str
    help: str = ""
    options: tuple[str, ...] | None = None
    long: bool = False


@dataclass
class ActionsEditPreview:
    """An atelier's actions as typed, checked and compared with the version opened on.

    Attributes
    ----------
    atelier_id : str
    base : int
        The version the editor was opened on.
    typed : list of dict
        What was typed, one dict (column → text) per action form, blank ones included.
    actions : list of dict
        The atelier's actions that will be stored (the blank forms left out).
    rows : list of ActionResult
        The import's checks of each of ``actions``.
    table : RegisterTable
        Every atelier's actions, this one's replaced: what will be stored.
    register : RegisterTable
        The version's register rows, stored unchanged.
    diff : Diff
        Against the ``base`` version (its actions part only).
    refused : str
        Empty, or why this editor may not store it (the atelier is outside their territory).
    """

    atelier_id: str
    base: int
    typed: list[dict[str, str]]
    actions: list[dict[str, str]]
    rows: list[ActionResult]
    table: RegisterTable
    register: RegisterTable
    diff: Diff
    refused: str = ""
    info: VersionInfo | None = None
    kept: list[int] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for r in self.rows for i in r.issues if i.level == "error"]

    @property
    def unchanged(self) -> bool:
        return self.diff.empty

    @property
    def savable(self) -> bool:
        """No error in the actions, something changed, and the atelier is the editor's."""
        return not (self.errors or self.unchanged or self.refused)

    def messages(self, index: int) -> dict[str | None, list[Issue]]:
        """The messages of the ``index``-th form (as typed) under their column (``None``: all)."""
        out: dict[str | None, list[Issue]] = {}
        if index not in self.kept:
            return out
        for issue in self.rows[self.kept.index(index)].issues:
            out.setdefault(issue.column, []).append(issue)
        return out


def action_fields(programme: Programme, actions: RegisterTable | None = None) -> list[ActionField]:
    """The fields of an action's form, in order.

    Every column of :data:`atelierflash.actions.ACTIONS` but ``atelier`` (the fiche's), a
    vocabulary's (:func:`~atelierflash.actions.column_vocabulary`) as a choice of its labels;
    then the unknown columns the version's actions keep (``actions``).
    """
    if not isinstance(programme, Programme):
        raise TypeError("action_fields attend le Programme (load_programme())")
    out = []
    for column in plan.ACTIONS.columns:
        if column.name == ATELIER:
            continue
        vocabulary = plan.column_vocabulary(column.name)
        options = None
        if vocabulary in programme.vocabularies:
            options = ("", *programme.vocabularies[vocabulary].labels())
        elif column.name in _YES_NO_COLUMNS:
            options = _YES_NO
        out.append(
            ActionField(
                column.name, column.label_fr, column.description_fr, options, column.name in _LONG
            )
        )
    if actions is not None:
        out += [
            ActionField(name, name, "Colonne propre à ce fichier d'actions.")
            for name in actions.unknown_columns
        ]
    return out


def atelier_actions(actions: RegisterTable | None, atelier_id: str) -> list[dict[str, str]]:
    """The text cells of an atelier's actions, in order, without ``atelier`` nor ``line``."""
    if actions is None or ATELIER not in actions.rows:
        return []
    mine = actions.rows[_of(actions, atelier_id)]
    return [
        {
            k: "" if v is None else str(v)
            for k, v in record.items()
            if k not in (ATELIER, LINE_COLUMN)
        }
        for record in mine.to_dict("records")
    ]


def merge_actions(
    opened: Sequence[Mapping[str, str]],
    edits: Mapping[int, Mapping[str, str] | None],
    added: Sequence[Mapping[str, str]],
    current: Sequence[Mapping[str, str]],
) -> list[tuple[int | None, dict[str, str]]]:
    """One person's edit of a feuille de route carried onto a version that landed meanwhile.

    As an atelier's form checked again on the current version keeps the other editor's values
    and the person's changes, the actions are matched by their text (actions have no
    identifier): the current version's actions, each with the fields the person changed; the
    ones the person deleted left out; then the person's new actions.

    Parameters
    ----------
    opened : sequence of mappings
        The atelier's actions as the editor was opened on (:func:`atelier_actions`).
    edits : mapping
        Index in ``opened`` → the action as typed, or ``None`` when the person deleted it.
    added : sequence of mappings
        The person's new actions.
    current : sequence of mappings
        The atelier's actions in the version that landed meanwhile.

    Returns
    -------
    list of (int or None, dict)
        The feuille de route to check on the current version, each action with its index in
        ``current`` (``None``: not there; the baseline of a later merge). An action the other
        editor deleted (or renamed) stays out, unless the person changed it: their work is kept,
        and the diff shows it before anything is saved.
    """
    key = lambda cells: normalize_key(str(cells.get("action", "") or ""))  # noqa: E731
    names = list(dict.fromkeys(n for a in [*opened, *current, *added] for n in a))
    full = lambda cells: {n: str(cells.get(n, "") or "") for n in names}  # noqa: E731
    changes = {}
    for index, typed in edits.items():
        before = opened[index]
        changes[index] = (
            None
            if typed is None
            else {
                k: str(v)
                for k, v in typed.items()
                if str(v).strip() != str(before.get(k, "")).strip()
            }
        )
    unmatched = list(range(len(opened)))
    out: list[tuple[int | None, dict[str, str]]] = []
    for position, cells in enumerate(current):
        index = next((i for i in unmatched if key(opened[i]) == key(cells)), None)
        if index is None:
            out.append((position, full(cells)))  # the other editor's new (or renamed) action
            continue
        unmatched.remove(index)
        change = changes.get(index, {})
        if change is not None:
            out.append((position, full({**cells, **change})))
    for index in unmatched:  # gone from the current version: kept only if the person changed it
        change = changes.get(index)
        if change:
            out.append((None, full({**opened[index], **change})))
    out += [(None, full(cells)) for cells in added if any(str(v).strip() for v in cells.values())]
    return out


def prepare_actions_edit(
    store: Store,
    referentiel: Referentiel,
    programme: Programme,
    *,
    base: int,
    atelier_id: str,
    actions: Sequence[Mapping[str, object]],
    scope: Scope,
    resolver: CommuneResolver | None = None,
) -> ActionsEditPreview:
    """Check an atelier's actions as typed against version ``base``; nothing is stored.

    Parameters
    ----------
    store : Store
    referentiel, programme
    base : int
        The version the editor was opened on.
    atelier_id : str
        The atelier whose feuille de route this is.
    actions : sequence of mappings
        The atelier's whole feuille de route as typed, in order: canonical column → text (an
        action left out is deleted; a form left blank is no action, as a blank line of a file).
    scope : Scope
        The editor's territory: the atelier (its communes in ``base``) must be in it.
    resolver : CommuneResolver, optional

    Returns
    -------
    ActionsEditPreview

    Raises
    ------
    StoreError
        ``base`` does not exist, or the atelier is not in it.
    TypeError
        ``scope`` is not a :class:`~atelierflash.acces.Scope`.
    """
    if not isinstance(scope, Scope):
        raise TypeError("prepare_actions_edit attend un Scope (atelierflash.acces)")
    info = store.version(base)
    register = store.table(base)
    atelier_id = str(atelier_id).strip()
    cells = row_cells(register, atelier_id)
    if cells is None:
        raise StoreError(f"l'atelier « {atelier_id} » n'est pas dans la version {base}")
    deps, regs = territory(
        cells,
        referentiel,
        programme,
        resolver=resolver or CommuneResolver(referentiel),
        choices=info.choix,
    )
    refused = "" if scope.covers(deps, regs) else outside_message(scope, atelier_id, deps, regs)

    typed = [
        {str(k): typed_text(v) for k, v in dict(a).items() if str(k) not in (ATELIER, LINE_COLUMN)}
        for a in actions
    ]
    kept = [i for i, a in enumerate(typed) if any(a.values())]
    mine = [typed[i] for i in kept]
    old = store.actions(base)
    table = _with_actions(old, atelier_id, mine)
    ids = register.rows["id"].tolist() if "id" in register.rows else []
    # Only this atelier's actions change: the others are neither checked nor compared again
    # (the rules are per action, and per atelier for a repeated action).
    mine_new = _only(table, atelier_id)
    rows = validate_actions(mine_new, programme, ids).rows
    nothing = replace(register, rows=register.rows.iloc[:0])
    return ActionsEditPreview(
        atelier_id=atelier_id,
        base=base,
        typed=typed,
        actions=mine,
        rows=rows,
        table=table,
        register=register,
        diff=diff_tables(
            nothing,
            nothing,
            old_actions=_only(old, atelier_id) if old is not None else None,
            new_actions=mine_new,
        ),
        refused=refused,
        info=info,
        kept=kept,
    )


def commit_actions_edit(store: Store, preview: ActionsEditPreview, auteur: str) -> VersionInfo:
    """Store a feuille de route checked by :func:`prepare_actions_edit` as a new version.

    The register's rows, its file name and commune choices are the base version's.

    Raises
    ------
    OutOfScope
        The atelier is outside the editor's territory (nothing is stored).
    StoreError
        An action has errors, or nothing changed.
    RegisterChanged
        Another version landed since the editor was opened (:attr:`ActionsEditPreview.base`).
    """
    check_savable(preview)
    info = preview.info or store.version(preview.base)
    try:
        return store.add_version(
            preview.register,
            base=preview.base,
            auteur=auteur,
            fichier=info.fichier,
            sha256=info.sha256,
            fictif=info.fictif,
            resume=preview.diff.summary(),
            choix=dict(info.choix),
            actions=preview.table,
        )
    except RegisterChanged as error:
        raise RegisterChanged(error.base, error.head, EDIT_ADVICE) from error


# -- helpers -----------------------------------------------------------------------------------
def _of(actions: RegisterTable, atelier_id: str) -> pd.Series:
    return actions.rows[ATELIER].astype(str).str.strip() == str(atelier_id).strip()


def _only(actions: RegisterTable, atelier_id: str) -> RegisterTable:
    """The actions of one atelier (a table of the same columns and headers)."""
    return replace(actions, rows=actions.rows[_of(actions, atelier_id)].reset_index(drop=True))


def _empty_actions() -> RegisterTable:
    """A feuille de route without any action, under the declared headers (a template's)."""
    names = [c.name for c in plan.ACTIONS.columns]
    return RegisterTable(
        path=Path(NEW_ACTIONS_FILE),
        format="csv",
        encoding="utf-8",
        separator=";",
        sheet=None,
        rows=pd.DataFrame(columns=[*names, LINE_COLUMN]),
        columns=tuple(names),
        unknown_columns=(),
        header_map={c.label_fr: c.name for c in plan.ACTIONS.columns},
    )


def _with_actions(
    old: RegisterTable | None, atelier_id: str, mine: list[dict[str, str]]
) -> RegisterTable:
    """``old`` with the atelier's actions replaced by ``mine`` where its first one was.

    The atelier's actions keep their lines in order (new ones get lines after the last); a
    declared column the file lacks is added (under its French label) when an action fills it.
    """
    old = old if old is not None else _empty_actions()
    rows = old.rows.copy()
    header_map = dict(old.header_map)
    known = list(old.columns)
    declared = plan.ACTIONS.by_name
    for name in dict.fromkeys(n for cells in mine for n, v in cells.items() if v):
        if name in rows.columns or name not in declared:
            continue  # an unknown column the version does not have: nothing to keep it in
        rows[name] = pd.Series([""] * len(rows), index=rows.index, dtype=object)
        header_map[declared[name].label_fr] = name
        known.append(name)
    order = [c.name for c in plan.ACTIONS.columns if c.name in known]
    columns = [*order, *old.unknown_columns, LINE_COLUMN]
    rows = rows[columns]

    ours = _of(replace(old, rows=rows), atelier_id) if len(rows) else pd.Series(dtype=bool)
    lines = rows.loc[ours, LINE_COLUMN].astype(int).tolist() if len(rows) else []
    last = int(rows[LINE_COLUMN].max()) if len(rows) else old.header_line
    for _ in range(len(mine) - len(lines)):
        last += 1
        lines.append(last)
    records = [
        {
            **{c: cells.get(c, "") for c in columns if c != LINE_COLUMN},
            ATELIER: atelier_id,
            LINE_COLUMN: line,
        }
        for cells, line in zip(mine, lines, strict=False)
    ]
    first = int(ours.to_numpy().argmax()) if len(rows) and ours.any() else len(rows)
    others = rows[~ours] if len(rows) else rows
    before = others[others.index < rows.index[first]] if first < len(rows) else others
    after = others[others.index >= rows.index[first]] if first < len(rows) else others.iloc[:0]
    new = pd.DataFrame(records, columns=columns)
    parts = [p for p in (before, new, after) if len(p)]  # pandas warns on concatenating empties
    rows = pd.concat(parts, ignore_index=True) if parts else new
    rows[LINE_COLUMN] = rows[LINE_COLUMN].astype("int64")
    for column in columns:
        if column != LINE_COLUMN:
            rows[column] = rows[column].astype(object)
    return replace(old, rows=rows, columns=tuple(order), header_map=header_map)
