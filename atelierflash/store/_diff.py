"""What a register version changes compared with another: ateliers added, removed, changed.

Ateliers are matched by their ``id`` cell; fields by their canonical column, so a header
spelled differently in the new file is not a change. Cells are compared as the text they are,
spaces at both ends aside.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from atelierflash.registre import LINE_COLUMN, RegisterTable


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
    """

    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[FieldChange] = field(default_factory=list)

    @property
    def changed_ids(self) -> list[str]:
        return list(dict.fromkeys(c.id for c in self.changed))

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def summary(self) -> dict[str, int]:
        """``{"ajoutes", "supprimes", "modifies"}``: counts of ateliers."""
        return {
            "ajoutes": len(self.added),
            "supprimes": len(self.removed),
            "modifies": len(self.changed_ids),
        }

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
        return "\n".join(out)


def summary_text(summary: dict[str, int]) -> str:
    """« 2 ateliers ajoutés, 1 supprimé, 3 modifiés » (or « aucun changement »)."""
    added, removed, changed = (summary.get(k, 0) for k in ("ajoutes", "supprimes", "modifies"))
    if not (added or removed or changed):
        return "aucun changement"
    parts = []
    for count, word in ((added, "ajouté"), (removed, "supprimé"), (changed, "modifié")):
        if count:
            parts.append(f"{count} {word}{'s' if count > 1 else ''}")
    total = added + removed + changed
    return f"atelier{'s' if total > 1 else ''} : " + ", ".join(parts)


def diff_tables(old: RegisterTable | None, new: RegisterTable) -> Diff:
    """Compare two register tables atelier by atelier.

    Parameters
    ----------
    old : RegisterTable or None
        The earlier table (``None`` for an empty store: everything is added).
    new : RegisterTable

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
    return diff


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
