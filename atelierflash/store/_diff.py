"""What a register version changes compared with another: ateliers added, removed, changed.

Ateliers are matched by their ``id`` cell; fields by their canonical column, so a header
spelled differently in the new file is not a change. Cells are compared as the text they are,
spaces at both ends aside. The feuille de route's actions, which have no identifier, are matched
by their atelier and their text (an action whose text changes is one removed and one added).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from atelierflash.registre import LINE_COLUMN, RegisterTable
from atelierflash.texte import normalize_key


@dataclass(frozen=True)
class FieldChange:
    """One field of one atelier, before and after."""

    id: str
    colonne: str  # the header as the newer file spells it
    avant: str
    apres: str


@dataclass
class Diff:
    """Ateliers added, removed and changed from ``old`` to ``new``.

    Attributes
    ----------
    added, removed : list of dict
        ``{"id", "titre", "ligne"}`` of each atelier only in the new (added) or old (removed)
        table.
    changed : list of FieldChange
        Field by field, in the new table's row order.
    actions_added, actions_removed : list of dict
        ``{"atelier", "action", "ligne"}`` of each action of the feuille de route only in the
        new (added) or old (removed) actions.
    actions_changed : list of FieldChange
        Field by field; ``id`` is « atelier · action ».
    """

    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[FieldChange] = field(default_factory=list)
    actions_added: list[dict] = field(default_factory=list)
    actions_removed: list[dict] = field(default_factory=list)
    actions_changed: list[FieldChange] = field(default_factory=list)

    @property
    def changed_ids(self) -> list[str]:
        return list(dict.fromkeys(c.id for c in self.changed))

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.actions_added
            or self.actions_removed
            or self.actions_changed
        )

    def summary(self) -> dict[str, int]:
        """``{"ajoutes", "supprimes", "modifies"}``: counts of ateliers.

        Plus ``"actions_ajoutees"``, ``"actions_supprimees"`` and ``"actions_modifiees"`` when
        the feuille de route's actions changed.
        """
        counts = {
            "ajoutes": len(self.added),
            "supprimes": len(self.removed),
            "modifies": len(self.changed_ids),
        }
        actions = {
            "actions_ajoutees": len(self.actions_added),
            "actions_supprimees": len(self.actions_removed),
            "actions_modifiees": len(dict.fromkeys(c.id for c in self.actions_changed)),
        }
        if any(actions.values()):
            counts.update(actions)
        return counts

    def changes_frame(self) -> pd.DataFrame:
        """The changed fields as a table (atelier, colonne, avant, après)."""
        return pd.DataFrame(
            [(c.id, c.colonne, c.avant, c.apres) for c in self.changed],
            columns=["atelier", "colonne", "avant", "après"],
        )

    def to_text(self) -> str:
        """The diff in French, one line per atelier added or removed and per field changed."""
        out = [summary_text(self.summary())]
        out += [f"+ {a['id']} : {a['titre']}" for a in self.added]
        out += [f"- {r['id']} : {r['titre']}" for r in self.removed]
        out += [f"~ {c.id} : {c.colonne} : « {c.avant} » → « {c.apres} »" for c in self.changed]
        out += [f"+ action {a['atelier']} : {a['action']}" for a in self.actions_added]
        out += [f"- action {r['atelier']} : {r['action']}" for r in self.actions_removed]
        out += [
            f"~ action {c.id} : {c.colonne} : « {c.avant} » → « {c.apres} »"
            for c in self.actions_changed
        ]
        return "\n".join(out)

    def actions_frame(self) -> pd.DataFrame:
        """The feuille de route's changes: changement, atelier, action, colonne, avant, après."""
        records = [("ajoutée", a["atelier"], a["action"], "", "", "") for a in self.actions_added]
        records += [
            ("supprimée", r["atelier"], r["action"], "", "", "") for r in self.actions_removed
        ]
        records += [
            ("modifiée", *c.id.split(" · ", 1), c.colonne, c.avant, c.apres)
            for c in self.actions_changed
        ]
        return pd.DataFrame(
            records, columns=["changement", "atelier", "action", "colonne", "avant", "après"]
        )


def summary_text(summary: dict[str, int]) -> str:
    """« ateliers : 2 ajoutés, 1 supprimé » (« ; actions : 1 modifiée ») or « aucun changement »."""
    texts = []
    for noun, keys, words in (
        ("atelier", ("ajoutes", "supprimes", "modifies"), ("ajouté", "supprimé", "modifié")),
        (
            "action",
            ("actions_ajoutees", "actions_supprimees", "actions_modifiees"),
            ("ajoutée", "supprimée", "modifiée"),
        ),
    ):
        counts = [summary.get(k, 0) for k in keys]
        parts = [f"{n} {w}{'s' if n > 1 else ''}" for n, w in zip(counts, words, strict=True) if n]
        if parts:
            texts.append(f"{noun}{'s' if sum(counts) > 1 else ''} : " + ", ".join(parts))
    return " ; ".join(texts) or "aucun changement"


def diff_tables(
    old: RegisterTable | None,
    new: RegisterTable,
    *,
    old_actions: RegisterTable | None = None,
    new_actions: RegisterTable | None = None,
) -> Diff:
    """Compare two register tables atelier by atelier, and their actions.

    Parameters
    ----------
    old : RegisterTable or None
        The earlier table (``None`` for an empty store: everything is added).
    new : RegisterTable
    old_actions, new_actions : RegisterTable or None
        The feuille de route's actions of each (``None``: none).

    Returns
    -------
    Diff
    """
    if not isinstance(new, RegisterTable) or not (old is None or isinstance(old, RegisterTable)):
        raise TypeError("diff_tables compare deux RegisterTable")
    new_rows = _keyed(new)
    old_rows = _keyed(old) if old is not None else {}
    labels = _labels(old) | _labels(new) if old is not None else _labels(new)
    diff = Diff()
    for key, cells in new_rows.items():
        before = old_rows.get(key)
        if before is None:
            diff.added.append(_brief(key, cells))
            continue
        for column in dict.fromkeys([*cells, *before]):
            if column == LINE_COLUMN:
                continue
            a, b = before.get(column, ""), cells.get(column, "")
            if a != b:
                diff.changed.append(FieldChange(key, labels.get(column, column), a, b))
    diff.removed = [_brief(key, cells) for key, cells in old_rows.items() if key not in new_rows]
    _diff_actions(old_actions, new_actions, diff)
    return diff


def _diff_actions(old: RegisterTable | None, new: RegisterTable | None, diff: Diff) -> None:
    before = _keyed_actions(old)
    after = _keyed_actions(new)
    labels = (_labels(old) if old is not None else {}) | (_labels(new) if new is not None else {})
    for key, cells in after.items():
        previous = before.get(key)
        if previous is None:
            diff.actions_added.append(_brief_action(cells))
            continue
        name = f"{cells.get('atelier', '')} · {cells.get('action', '')}"
        for column in dict.fromkeys([*cells, *previous]):
            if column == LINE_COLUMN:
                continue
            a, b = previous.get(column, ""), cells.get(column, "")
            if a != b:
                diff.actions_changed.append(FieldChange(name, labels.get(column, column), a, b))
    diff.actions_removed = [_brief_action(c) for k, c in before.items() if k not in after]


def _keyed_actions(table: RegisterTable | None) -> dict[tuple[str, str], dict[str, str]]:
    out: dict[tuple[str, str], dict[str, str]] = {}
    if table is None:
        return out
    for cells in table.rows.to_dict("records"):
        clean = {k: str(v if v is not None else "").strip() for k, v in cells.items()}
        clean[LINE_COLUMN] = str(cells[LINE_COLUMN])
        key = (clean.get("atelier", ""), normalize_key(clean.get("action", "")))
        while key in out:  # the same action twice is reported by the validation; keep both
            key = (key[0], key[1] + " (bis)")
        out[key] = clean
    return out


def _brief_action(cells: dict[str, str]) -> dict:
    return {
        "atelier": cells.get("atelier", ""),
        "action": cells.get("action", ""),
        "ligne": int(cells[LINE_COLUMN]),
    }


def _keyed(table: RegisterTable) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for cells in table.rows.to_dict("records"):
        clean = {k: str(v if v is not None else "").strip() for k, v in cells.items()}
        clean[LINE_COLUMN] = str(cells[LINE_COLUMN])
        key = clean.get("id") or f"(sans identifiant, ligne {cells[LINE_COLUMN]})"
        while key in out:  # a duplicated id is reported by the validation; keep both rows
            key += " (bis)"
        out[key] = clean
    return out


def _labels(table: RegisterTable) -> dict[str, str]:
    """Canonical column → the header the file uses for it."""
    return {canonical: original for original, canonical in table.header_map.items()}


def _brief(key: str, cells: dict[str, str]) -> dict:
    return {"id": key, "titre": cells.get("titre", ""), "ligne": int(cells[LINE_COLUMN])}
