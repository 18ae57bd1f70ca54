"""One atelier edited (or a candidature added) in the app, stored as a new version.

The form of the fiche gives text cells, as a file would; they replace one row of the version the
form was opened on (or are added as a new row), the row is checked with the import's own
:func:`~atelierflash.validation.validate_register`, compared with that version, and stored as
``base + 1``: a version that landed meanwhile refuses the save (:class:`RegisterChanged`), as
for imports. Who may edit which atelier is the caller's :class:`~atelierflash.acces.Scope`,
checked on the row as it was and as it will be.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from atelierflash import registre
from atelierflash.acces import Scope
from atelierflash.programme import Programme
from atelierflash.referentiel import Referentiel
from atelierflash.registre import COLUMNS, COLUMNS_BY_NAME, LINE_COLUMN, RegisterTable
from atelierflash.resolution import CommuneResolver
from atelierflash.store._diff import Diff, diff_tables
from atelierflash.store._import import Unresolved, unresolved_names
from atelierflash.store._store import RegisterChanged, Store, StoreError, VersionInfo
from atelierflash.validation import Issue, RowResult, validate_register

#: What a person is told when another version landed while they typed.
EDIT_ADVICE = (
    "Votre saisie est conservée : vérifiez-la sur la version actuelle, puis enregistrez-la."
)


class OutOfScope(StoreError):
    """The atelier (as it was or as typed) is outside the editor's territory."""


@dataclass
class EditPreview:
    """One atelier as typed, checked and compared with the version the form was opened on.

    Attributes
    ----------
    atelier_id : str or None
        The atelier edited (``None``: a new candidature).
    base : int
        The version the form was opened on.
    cells : dict
        The typed cells, canonical column → text.
    row : RowResult
        The import's checks of the row, plus the identifier's uniqueness in the register.
    table : RegisterTable
        The register with the row replaced or added: what will be stored.
    diff : Diff
        Against the ``base`` version.
    choices, base_choices : dict
        Commune choices in effect (the version's plus the new ones), and the version's own.
    unresolved : list of Unresolved
        Commune names to settle by choosing a candidate, as in an import.
    departements, regions : frozenset of str
        Where the row as typed is (its communes').
    refused : str
        Empty, or why this editor may not store this row (outside their territory).
    """

    atelier_id: str | None
    base: int
    cells: dict[str, str]
    row: RowResult
    table: RegisterTable
    diff: Diff
    choices: dict[str, str] = field(default_factory=dict)
    base_choices: dict[str, str] = field(default_factory=dict)
    unresolved: list[Unresolved] = field(default_factory=list)
    departements: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    refused: str = ""
    fichier: str = ""
    fictif: bool = False

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.row.issues if i.level == "error"]

    @property
    def unchanged(self) -> bool:
        return self.diff.empty and self.choices == self.base_choices

    @property
    def savable(self) -> bool:
        """No error in the row, something changed, and the row is in the editor's territory."""
        return not (self.errors or self.unchanged or self.refused)

    def messages_by_field(self) -> dict[str | None, list[Issue]]:
        """The row's messages under their column (``None``: about the whole row)."""
        out: dict[str | None, list[Issue]] = {}
        for issue in self.row.issues:
            out.setdefault(issue.column, []).append(issue)
        return out


def editable_columns(table: RegisterTable | None = None) -> list[str]:
    """The fields of the form, in order.

    Every column of the register's one declaration (:data:`~atelierflash.registre.COLUMNS`),
    then the unknown columns a version keeps (``table``).
    """
    names = [c.name for c in COLUMNS]
    if table is not None:
        names += [c for c in table.unknown_columns if c not in names]
    return names


def row_cells(table: RegisterTable, atelier_id: str) -> dict[str, str] | None:
    """The text cells of the first row whose ``id`` is ``atelier_id`` (``None``: not there)."""
    if "id" not in table.rows:
        return None
    ids = table.rows["id"].astype(str).str.strip()
    found = table.rows[ids == str(atelier_id).strip()]
    if found.empty:
        return None
    record = found.iloc[0].to_dict()
    return {k: "" if v is None else str(v) for k, v in record.items() if k != LINE_COLUMN}


def territory(
    cells: Mapping[str, str],
    referentiel: Referentiel,
    programme: Programme,
    *,
    resolver: CommuneResolver | None = None,
    choices: Mapping[str, str] | None = None,
) -> tuple[frozenset[str], frozenset[str]]:
    """The départements and régions of a row's communes (as the import resolves them)."""
    _row, communes = _check_row(cells, referentiel, programme, resolver, choices)
    return _places(communes, referentiel)


def ateliers_in_scope(
    ateliers: pd.DataFrame, referentiel: Referentiel, scope: Scope
) -> pd.DataFrame:
    """The rows of a validated register an editor may edit, candidatures and errors included.

    Parameters
    ----------
    ateliers : pandas.DataFrame
        ``ValidationReport.ateliers`` (``id``, ``titre``, ``statut``, ``communes``: INSEE codes).
    referentiel : Referentiel
    scope : Scope

    Returns
    -------
    pandas.DataFrame
        ``id``, ``titre``, ``statut`` of the rows with an identifier whose communes are in
        ``scope``, in register order.
    """
    if not isinstance(scope, Scope):
        raise TypeError("ateliers_in_scope attend un Scope (atelierflash.acces)")
    columns = ["id", "titre", "statut"]
    if not len(ateliers) or "id" not in ateliers:
        return pd.DataFrame(columns=columns)
    places = referentiel.communes.drop_duplicates("code").set_index("code")
    deps = places["departement"].astype(str).to_dict()
    regs = places["region"].astype(str).to_dict()
    keep = []
    for ident, codes in zip(ateliers["id"], ateliers["communes"], strict=True):
        codes = tuple(codes or ())
        keep.append(
            bool(str(ident or "").strip())
            and scope.covers(
                {deps[c] for c in codes if c in deps}, {regs[c] for c in codes if c in regs}
            )
        )
    found = ateliers.loc[keep, [c for c in columns if c in ateliers]].reset_index(drop=True)
    return found.astype(object).fillna("")


def prepare_edit(
    store: Store,
    referentiel: Referentiel,
    programme: Programme,
    *,
    base: int,
    cells: Mapping[str, object],
    scope: Scope,
    atelier_id: str | None = None,
    resolver: CommuneResolver | None = None,
    choices: Mapping[str, str] | None = None,
) -> EditPreview:
    """Check one atelier as typed against version ``base``; nothing is stored.

    Parameters
    ----------
    store : Store
    referentiel, programme
    base : int
        The version the form was opened on.
    cells : mapping
        Canonical column → typed text (a column left out keeps its value; an empty text
        empties the cell).
    scope : Scope
        The editor's territory: the atelier as it was (when edited) and as typed must be in it.
    atelier_id : str, optional
        The identifier of the atelier edited; ``None`` adds a new row (a candidature).
    resolver : CommuneResolver, optional
    choices : mapping, optional
        New commune choices (:func:`~atelierflash.resolution.choice_key` → INSEE code).

    Returns
    -------
    EditPreview

    Raises
    ------
    StoreError
        ``base`` does not exist, or the atelier is not in it.
    TypeError
        ``scope`` is not a :class:`~atelierflash.acces.Scope`.
    """
    if not isinstance(scope, Scope):
        raise TypeError("prepare_edit attend un Scope (atelierflash.acces)")
    resolver = resolver or CommuneResolver(referentiel)
    info = store.version(base)
    old = store.table(base)
    base_choices = dict(info.choix)
    in_effect = {**base_choices, **{k: v for k, v in dict(choices or {}).items() if v}}
    typed = {str(k): typed_text(v) for k, v in cells.items() if str(k) != LINE_COLUMN}

    refused = ""
    if atelier_id is not None:
        before = row_cells(old, atelier_id)
        if before is None:
            raise StoreError(f"l'atelier « {atelier_id} » n'est pas dans la version {base}")
        deps, regs = territory(
            before, referentiel, programme, resolver=resolver, choices=base_choices
        )
        if not scope.covers(deps, regs):
            refused = outside_message(scope, atelier_id, deps, regs)
        merged = {**before, **typed}
    else:
        merged = {c: "" for c in editable_columns(old)} | typed

    table = _with_row(old, atelier_id, merged)
    line = _line_of(old, table, atelier_id)
    row, communes = _check_row(merged, referentiel, programme, resolver, in_effect, line=line)
    _check_unique_id(table, row, line)
    deps, regs = _places(communes, referentiel)
    if not refused and not scope.covers(deps, regs):
        refused = outside_message(scope, merged.get("id", ""), deps, regs, typed=True)
    report = _one_row_report(table, line, row, communes)
    return EditPreview(
        atelier_id=atelier_id,
        base=base,
        cells=merged,
        row=row,
        table=table,
        diff=diff_tables(old, table),
        choices=in_effect,
        base_choices=base_choices,
        unresolved=unresolved_names(report, resolver, in_effect),
        departements=deps,
        regions=regs,
        refused=refused,
        fichier=info.fichier,
        fictif=info.fictif or registre.parse_bool_fr(merged.get("fictif", "")) is True,
    )


def commit_edit(store: Store, preview: EditPreview, auteur: str) -> VersionInfo:
    """Store an atelier checked by :func:`prepare_edit` as a new version (one transaction).

    Raises
    ------
    OutOfScope
        The row is outside the editor's territory (nothing is stored).
    StoreError
        The row has errors, or nothing changed.
    RegisterChanged
        Another version landed since the form was opened (:attr:`EditPreview.base`).
    """
    check_savable(preview)
    try:
        return store.add_version(
            preview.table,
            base=preview.base,
            auteur=auteur,
            fichier=preview.fichier,
            sha256=_digest(preview.table),
            fictif=preview.fictif,
            resume=preview.diff.summary(),
            choix=dict(preview.choices),
        )
    except RegisterChanged as error:
        raise RegisterChanged(error.base, error.head, EDIT_ADVICE) from error


def check_savable(preview) -> None:
    """Refuse an edit that must not be stored: out of scope, with errors, or unchanged.

    The one guard of every edit made in the app (an atelier, a feuille de route): ``preview``
    has ``refused`` (why it is out of scope, or ``None``), ``errors``, ``unchanged`` and
    ``base``.

    Raises
    ------
    OutOfScope
        Outside the editor's territory.
    StoreError
        With errors (listed, field by field), or nothing changed.
    """
    if preview.refused:
        raise OutOfScope(preview.refused)
    if preview.errors:
        raise StoreError("corrigez d'abord : " + "; ".join(str(i) for i in preview.errors))
    if preview.unchanged:
        raise StoreError(
            f"rien à enregistrer : aucun changement par rapport à la version {preview.base}"
        )


# -- helpers -----------------------------------------------------------------------------------
def typed_text(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _with_row(old: RegisterTable, atelier_id: str | None, cells: dict[str, str]) -> RegisterTable:
    """``old`` with one row replaced (``atelier_id``) or added, new known columns included."""
    rows = old.rows.copy()
    header_map = dict(old.header_map)
    known = list(old.columns)
    for name, value in cells.items():
        if name in rows.columns or not value:
            continue
        if name not in COLUMNS_BY_NAME:
            continue  # an unknown column the version does not have: nothing to keep it in
        rows[name] = pd.Series([""] * len(rows), index=rows.index, dtype=object)
        header_map[name] = name
        known.append(name)
    order = [c.name for c in COLUMNS if c.name in known]
    columns = [*order, *old.unknown_columns, LINE_COLUMN]
    rows = rows[columns]
    record = {c: cells.get(c, "") for c in columns if c != LINE_COLUMN}
    if atelier_id is None:
        lines = rows[LINE_COLUMN]
        record[LINE_COLUMN] = int(lines.max()) + 1 if len(lines) else old.header_line + 1
        rows = pd.concat([rows, pd.DataFrame([record], columns=columns)], ignore_index=True)
    else:
        ids = rows["id"].astype(str).str.strip()
        position = rows.index[ids == str(atelier_id).strip()][0]
        for column, value in record.items():
            rows.at[position, column] = value
    rows[LINE_COLUMN] = rows[LINE_COLUMN].astype("int64")
    for column in columns:
        if column != LINE_COLUMN:
            rows[column] = rows[column].astype(object)
    return replace(old, rows=rows, columns=tuple(order), header_map=header_map)


def _line_of(old: RegisterTable, new: RegisterTable, atelier_id: str | None) -> int:
    """The edited row's line: as it was (its identifier may change), or the new last line."""
    if atelier_id is None:
        return int(new.rows[LINE_COLUMN].iloc[-1])
    ids = old.rows["id"].astype(str).str.strip()
    return int(old.rows.loc[ids == str(atelier_id).strip(), LINE_COLUMN].iloc[0])


def _check_row(
    cells: Mapping[str, str],
    referentiel: Referentiel,
    programme: Programme,
    resolver: CommuneResolver | None,
    choices: Mapping[str, str] | None,
    *,
    line: int = 2,
) -> tuple[RowResult, tuple[str, ...]]:
    """The import's checks of one row alone (its uniqueness is checked apart)."""
    report = validate_register(
        _one_row_table(cells, line), referentiel, programme, resolver=resolver, choices=choices
    )
    row = report.rows[0]
    communes = report.ateliers.iloc[0]["communes"] if len(report.ateliers) else ()
    return row, tuple(communes or ())


def _one_row_table(cells: Mapping[str, str], line: int) -> RegisterTable:
    names = [n for n in cells if n in COLUMNS_BY_NAME]
    unknown = [n for n in cells if n not in COLUMNS_BY_NAME]
    frame = pd.DataFrame(
        [{**{n: cells[n] for n in [*names, *unknown]}, LINE_COLUMN: line}],
        columns=[*names, *unknown, LINE_COLUMN],
    )
    return RegisterTable(
        path=Path("saisie"),
        format="csv",
        encoding=None,
        separator=None,
        sheet=None,
        rows=frame,
        columns=tuple(names),
        unknown_columns=tuple(unknown),
        header_map={n: n for n in names},
    )


def _one_row_report(table: RegisterTable, line: int, row: RowResult, communes):
    """A report holding only the edited row, for the import's list of communes to settle."""
    from atelierflash.validation import ValidationReport

    rows = table.rows[table.rows[LINE_COLUMN] == line].reset_index(drop=True)
    return ValidationReport(
        path=table.path,
        rows=[row],
        file_issues=[],
        ateliers=pd.DataFrame([{"communes": communes, LINE_COLUMN: line}]),
        table=replace(table, rows=rows),
    )


def _check_unique_id(table: RegisterTable, row: RowResult, line: int) -> None:
    if not row.id:
        return
    ids = table.rows["id"].astype(str).str.strip()
    others = table.rows[(ids == row.id) & (table.rows[LINE_COLUMN] != line)]
    if len(others):
        row.error(
            f"identifiant « {row.id} » déjà utilisé (ligne {int(others[LINE_COLUMN].iloc[0])})",
            "id",
        )


def _places(
    communes: tuple[str, ...], referentiel: Referentiel
) -> tuple[frozenset[str], frozenset[str]]:
    if not communes:
        return frozenset(), frozenset()
    table = referentiel.communes
    found = table[table["code"].isin(set(communes))]
    deps = frozenset(str(d) for d in found["departement"].dropna())
    regs = frozenset(str(r) for r in found["region"].dropna())
    return deps, regs


def outside_message(scope: Scope, ident: str, deps, regs, *, typed: bool = False) -> str:
    where = ", ".join(sorted(deps)) or "aucun département reconnu"
    what = "les communes saisies sont" if typed else f"l'atelier « {ident} » est"
    return (
        f"{what} hors de votre périmètre ({scope.text()}) : département(s) {where}. "
        "Seul le service qui pilote ce territoire, ou le bureau du programme, peut l'enregistrer."
    )


def _digest(table: RegisterTable) -> str:
    names = [c for c in table.rows.columns if c != LINE_COLUMN]
    payload = json.dumps([names, table.rows[names].astype(str).values.tolist()], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
