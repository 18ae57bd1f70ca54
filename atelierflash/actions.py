"""The feuille de route's actions: the register's second table, its columns, reading and checks.

An Atelier Flash ends with a feuille de route: intervention axes and key actions, by theme and
by priority. Each action is one row of a second table: a sheet « Actions » (or « Feuille de
route ») of the register's workbook, or a separate CSV/XLSX file. Its columns are declared once,
in :data:`ACTIONS` (a :class:`~atelierflash.registre.ColumnSet`), and read by the register's own
reader (:func:`atelierflash.registre.read_table`: text cells, line numbers, headers matched with
:func:`~atelierflash.texte.normalize_key`). Values are parsed by the register's parsers and the
vocabularies of ``data/programme.toml`` (``themes``, ``priorites``, ``statuts_action``, the
latter being the statuts of Territoires en Transitions, so a plan moves between the two tools).

A bad action is an issue of that action only: the register's rows are never affected.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from atelierflash import registre
from atelierflash.ecriture import is_formula_like
from atelierflash.programme import Programme, load_points_etape
from atelierflash.registre import Column, ColumnSet, RegisterFileError, RegisterTable
from atelierflash.registre.controle import XLSX_SUFFIXES
from atelierflash.texte import CONTACT_PLACEHOLDER, find_contacts, normalize_key
from atelierflash.validation import Issue, StatusReport

__all__ = [
    "ACTIONS",
    "SHEET_NAMES",
    "VOCABULARY_COLUMNS",
    "ActionResult",
    "ActionsReport",
    "actions_sheet",
    "column_vocabulary",
    "dated_points",
    "empty_actions",
    "read_actions",
    "validate_actions",
    "validate_actions_file",
    "validate_register_actions",
]

#: The action columns, declared once (the template, the reader and the messages use them).
ACTIONS = ColumnSet(
    (
        Column(
            "atelier",
            "Atelier",
            ("identifiant de l'atelier", "identifiant atelier", "id atelier", "atelier_id"),
            "Identifiant de l'atelier (colonne « Identifiant » du registre) dont l'action est "
            "issue.",
            required=True,
        ),
        Column(
            "axe",
            "Axe",
            ("axe d'intervention", "axes", "axe stratégique"),
            "Axe d'intervention de la feuille de route auquel l'action se rattache.",
        ),
        Column(
            "action",
            "Action",
            ("action clé", "actions", "intitulé de l'action", "actions clés"),
            "L'action clé, en une phrase.",
            required=True,
        ),
        Column(
            "theme",
            "Thème",
            ("thème", "thématique"),
            "Thème du programme auquel l'action se rattache.",
        ),
        Column(
            "priorite",
            "Priorité",
            ("priorité", "niveau de priorité"),
            "Élevée, moyenne ou basse (« haute », « faible » sont comprises).",
        ),
        Column(
            "porteur",
            "Porteur",
            ("porteur de l'action", "maître d'ouvrage", "portage"),
            "Qui porte l'action : commune, EPCI, département, EPF… (une structure, jamais le nom "
            "d'une personne).",
        ),
        Column(
            "echeance",
            "Échéance",
            ("échéance", "horizon", "date d'échéance"),
            "Année (AAAA) ou date (JJ/MM/AAAA, MM/AAAA) visée.",
        ),
        Column(
            "statut",
            "Statut",
            ("statut de l'action", "état", "avancement"),
            "À venir, en cours, réalisé, en pause, abandonné, bloqué, en retard ou à discuter "
            "(les statuts de Territoires en Transitions).",
        ),
        Column(
            "budget_eur",
            "Budget (€)",
            ("budget", "coût", "coût estimé", "montant"),
            "Budget estimé en euros.",
        ),
        Column(
            "financements",
            "Financements",
            ("financement", "financeurs", "plan de financement"),
            "Financements mobilisés ou envisagés (programmes, fonds, partenaires).",
        ),
        Column(
            "public",
            "Public",
            ("publiable", "diffusion"),
            "« oui » si l'action peut être publiée ; « non » par défaut.",
        ),
        Column(
            "note",
            "Note",
            ("notes", "commentaire", "commentaires", "remarque"),
            "Note de suivi, jamais publiée.",
        ),
        # One statut per point d'étape ([suivi] points_etape_mois of data/programme.toml).
        *(
            Column(
                point.statut_column,
                point.statut_headers[0],
                point.statut_headers[1:],
                f"Statut de l'action au point d'étape à {point.months} mois après la "
                "restitution (mêmes valeurs que « Statut ») ; la date du point est une colonne "
                f"du registre (« {point.step.headers[0]} »).",
            )
            for point in load_points_etape()
        ),
    )
)

#: The action columns whose values come from a vocabulary of ``data/programme.toml`` (the
#: template's drop-downs and the app's select boxes; ``validate_actions`` parses them).
VOCABULARY_COLUMNS: dict[str, str] = {
    "theme": "themes",
    "priorite": "priorites",
    "statut": "statuts_action",
}


def column_vocabulary(name: str) -> str | None:
    """The vocabulary an action column's values come from, or ``None`` (free text, a date…).

    The per-jalon statuts of the points d'étape (``statut_6_mois``…) are statuts too: any
    ``statut_…`` column takes ``statuts_action`` unless declared otherwise.
    """
    if name in VOCABULARY_COLUMNS:
        return VOCABULARY_COLUMNS[name]
    return "statuts_action" if name.startswith("statut_") else None


#: The sheet names (compared with :func:`normalize_key`) that hold the actions in a workbook.
SHEET_NAMES: tuple[str, ...] = ("Actions", "Feuille de route")

# Free-text columns: a formula-like text is reported (kept as text, never calculated).
_TEXT_COLUMNS = ("axe", "action", "porteur", "financements", "note")
# Columns a public output may show: no e-mail address or phone number there.
_PUBLIC_TEXT_COLUMNS = ("axe", "action", "porteur", "financements")

_POINT_COLUMNS = tuple(point.statut_column for point in load_points_etape())

_PARSED_COLUMNS = (
    "atelier",
    "axe",
    "action",
    "theme",
    "priorite",
    "porteur",
    "echeance",
    "echeance_fin",
    "statut",
    "budget_eur",
    "financements",
    "public",
    "note",
    *_POINT_COLUMNS,
)


@dataclass
class ActionResult:
    """The outcome of one action: where it is, its atelier and its issues."""

    line: int
    sheet: str | None
    atelier: str
    issues: list[Issue] = field(default_factory=list)

    @property
    def status(self) -> str:
        """``"error"``, ``"warning"`` or ``"ok"``: the worst level of the action's issues."""
        levels = {i.level for i in self.issues}
        return "error" if "error" in levels else "warning" if "warning" in levels else "ok"

    def error(self, text: str, column: str | None = None) -> None:
        """Add an error (the action is kept as read, left out of what is counted)."""
        self.issues.append(Issue("error", text, column))

    def warning(self, text: str, column: str | None = None) -> None:
        """Add a warning (the action is kept)."""
        self.issues.append(Issue("warning", text, column))


@dataclass
class ActionsReport(StatusReport):
    """Everything known about the actions of a register after validation.

    Attributes
    ----------
    path : Path or None
        The file the actions came from (``None``: no actions were given).
    rows : list of ActionResult
        One per action, in file order.
    file_issues : list of Issue
        Why the actions could not be read, or which columns were not recognised.
    actions : pandas.DataFrame
        The parsed values (see :func:`validate_actions`), with ``line`` and ``status``.
    table : RegisterTable or None
        The text cells as read (what the store keeps); ``None`` when unreadable or absent.
    """

    path: Path | None = None
    rows: list[ActionResult] = field(default_factory=list)
    file_issues: list[Issue] = field(default_factory=list)
    actions: pd.DataFrame = field(default_factory=lambda: empty_actions())
    table: RegisterTable | None = None

    @property
    def present(self) -> bool:
        """Whether any actions were given (a sheet or a file)."""
        return self.path is not None

    @property
    def usable(self) -> bool:
        """Whether the actions could be read (absent actions are usable: there are none)."""
        return not any(i.level == "error" for i in self.file_issues)

    @property
    def headers(self) -> dict[str, str]:
        """Canonical column → the header the file uses for it."""
        if self.table is None:
            return {}
        return {canonical: original for original, canonical in self.table.header_map.items()}

    def to_json(self) -> dict:
        """``{"actions": […], "summary_actions": {…}}``, added to the register's JSON report."""
        return {
            "actions": [
                {
                    "line": r.line,
                    "sheet": r.sheet,
                    "atelier": r.atelier,
                    "status": r.status,
                    "messages": [i.render(self.headers) for i in r.issues],
                }
                for r in self.rows
            ],
            "summary_actions": self.summary,
        }

    def to_text(self) -> str:
        """A French report: each message with file, sheet, line and column ("" when absent)."""
        if not self.present:
            return ""
        name = self.path.name
        sheet = self.table.sheet if self.table is not None else None
        where = f"{name}, feuille « {sheet} »" if sheet else name
        out = [f"Actions de la feuille de route : {where}"]
        for issue in self.file_issues:
            prefix = "" if str(issue).startswith(name) else f"{name} : "
            out.append(f"{prefix}{_level_fr(issue.level)} : {issue}")
        for row in self.rows:
            for issue in row.issues:
                ident = f" (atelier « {row.atelier} »)" if row.atelier else ""
                out.append(
                    f"{where}, ligne {row.line}{ident} : {_level_fr(issue.level)} : "
                    f"{issue.render(self.headers)}"
                )
        if self.usable:
            s = self.summary
            out.append(
                f"Bilan des actions : {s['ok']} sans remarque, {s['warning']} avec "
                f"avertissement, {s['error']} en erreur."
            )
        return "\n".join(out)

    def issues_frame(self) -> pd.DataFrame:
        """Every message as a table (ligne, feuille, atelier, niveau, colonne, message).

        ``ligne`` is text, empty for a message about the whole file; ``colonne`` is the header
        as the file spells it.
        """
        headers = self.headers
        records = [
            {
                "ligne": "",
                "feuille": "",
                "atelier": "",
                "niveau": _level_fr(i.level),
                "colonne": "",
                "message": i.text,
            }
            for i in self.file_issues
        ]
        for row in self.rows:
            records.extend(
                {
                    "ligne": str(row.line),
                    "feuille": row.sheet or "",
                    "atelier": row.atelier,
                    "niveau": _level_fr(i.level),
                    "colonne": headers.get(i.column, i.column) if i.column else "",
                    "message": i.text,
                }
                for i in row.issues
            )
        return pd.DataFrame(
            records, columns=["ligne", "feuille", "atelier", "niveau", "colonne", "message"]
        )


def _level_fr(level: str) -> str:
    return {"error": "erreur", "warning": "avertissement"}.get(level, level)


def actions_sheet(path: str | os.PathLike) -> str | None:
    """The sheet of a workbook that holds the actions (« Actions », « Feuille de route »).

    Returns
    -------
    str or None
        The sheet's name as the workbook spells it; ``None`` for a CSV file or a workbook
        without such a sheet.

    Raises
    ------
    RegisterFileError
        The workbook cannot be opened (French message naming the file).
    """
    wanted = {normalize_key(n) for n in SHEET_NAMES}
    for name in registre.sheet_names(path):
        if normalize_key(name) in wanted:
            return name
    return None


def read_actions(path: str | os.PathLike, sheet: str | None = None) -> RegisterTable:
    """Read the actions of a CSV file or of a workbook's sheet into text cells.

    Parameters
    ----------
    path : str or os.PathLike
        A CSV or XLSX file.
    sheet : str, optional
        The sheet; for a workbook, by default the « Actions » (or « Feuille de route ») sheet,
        else the first one.

    Raises
    ------
    RegisterFileError
        As :func:`atelierflash.registre.read_table`: unreadable file, required column
        (``atelier``, ``action``) missing…
    """
    if sheet is None and Path(path).suffix.lower() in XLSX_SUFFIXES:
        sheet = actions_sheet(path)
    return registre.read_table(path, ACTIONS, sheet)


def validate_actions_file(
    path: str | os.PathLike,
    programme: Programme,
    ateliers: Iterable[str] | None,
    *,
    sheet: str | None = None,
    points: Mapping[str, Collection[int]] | None = None,
) -> ActionsReport:
    """Read and validate actions; a file that cannot be used gives a report saying why.

    Parameters
    ----------
    path : str or os.PathLike
    programme : Programme
    ateliers : iterable of str or None
        The register's atelier identifiers (``None``: not checked).
    sheet : str, optional
        See :func:`read_actions`.
    points : mapping of str to collection of int, optional
        See :func:`validate_actions`.
    """
    path = Path(path)
    try:
        table = read_actions(path, sheet)
    except RegisterFileError as exc:
        return ActionsReport(path=path, file_issues=[Issue("error", str(exc))])
    return validate_actions(table, programme, ateliers, points=points)


def validate_register_actions(
    register: str | os.PathLike,
    programme: Programme,
    ateliers: Iterable[str] | None,
    *,
    register_sheet: str | None = None,
    actions_path: str | os.PathLike | None = None,
    points: Mapping[str, Collection[int]] | None = None,
) -> ActionsReport:
    """The actions that go with a register file, validated against its ateliers.

    A separate file (``actions_path``) when given; else the « Actions » (or « Feuille de
    route ») sheet of the register's workbook; else none (an empty report).

    Parameters
    ----------
    register : str or os.PathLike
        The register's file.
    programme : Programme
    ateliers : iterable of str or None
        The register's atelier identifiers (``None``: not checked).
    register_sheet : str, optional
        The register's own sheet, never read as actions.
    actions_path : str or os.PathLike, optional
        A separate CSV or XLSX file of actions.
    points : mapping of str to collection of int, optional
        See :func:`validate_actions` (:func:`dated_points` of the register).
    """
    if actions_path is not None:
        return validate_actions_file(actions_path, programme, ateliers, points=points)
    register = Path(register)
    if register.suffix.lower() not in XLSX_SUFFIXES:
        return ActionsReport()
    try:
        sheet = actions_sheet(register)
    except RegisterFileError as exc:
        return ActionsReport(path=register, file_issues=[Issue("error", str(exc))])
    if sheet is None or (register_sheet and normalize_key(register_sheet) == normalize_key(sheet)):
        return ActionsReport()
    return validate_actions_file(register, programme, ateliers, sheet=sheet, points=points)


def dated_points(ateliers: pd.DataFrame, programme: Programme) -> dict[str, set[int]]:
    """The points d'étape each atelier has a date for: identifier → months of the jalons.

    Parameters
    ----------
    ateliers : pandas.DataFrame
        The register's rows, parsed (``ValidationReport.ateliers``: a ``PartialDate`` or
        ``None`` per point) or as text cells (``RegisterTable.rows``: a stored version); a
        column ``id`` and the points' date columns (a missing column: no point dated).
    programme : Programme

    Returns
    -------
    dict of str to set of int
        Every identifier of ``ateliers``; a point counts as dated when its cell holds a value
        (an unreadable date is the register row's own error).
    """
    if "id" not in ateliers:
        return {}
    found: dict[str, set[int]] = {str(i).strip(): set() for i in ateliers["id"] if i is not None}
    for point in programme.points_etape:
        if point.step.field not in ateliers:
            continue
        for ident, value in zip(ateliers["id"], ateliers[point.step.field], strict=True):
            if ident is not None and value is not None and value == value and str(value).strip():
                found[str(ident).strip()].add(point.months)
    return found


def validate_actions(
    table: RegisterTable,
    programme: Programme,
    ateliers: Iterable[str] | None,
    *,
    points: Mapping[str, Collection[int]] | None = None,
) -> ActionsReport:
    """Check every action already read.

    Rules: an unknown or empty atelier, an empty action, an unknown theme, priority or statut
    (now or at a point d'étape), an unreadable échéance, budget or « public » are errors of that
    action; the same action twice for an atelier, a text that a spreadsheet would calculate, an
    e-mail address or phone number in a public column, or a statut at a point d'étape whose
    date the register does not give, are warnings.

    Parameters
    ----------
    table : RegisterTable
        From :func:`read_actions` (or the store).
    programme : Programme
    ateliers : iterable of str or None
        The register's atelier identifiers (``None``: not checked).
    points : mapping of str to collection of int, optional
        Per atelier identifier, the months of the points d'étape the register dates
        (:func:`dated_points`); ``None``: not checked (actions validated without their register).

    Returns
    -------
    ActionsReport
        ``actions`` has one row per action: ``atelier``, ``axe``, ``action``, ``theme``,
        ``priorite``, ``statut`` (vocabulary keys or ``None``), ``porteur``, ``echeance`` (text:
        ``"2026"``, ``"2026-06"`` or ``"2026-06-30"``), ``echeance_fin`` (its last day),
        ``budget_eur`` (Float64), ``financements``, ``public`` (bool, default no), ``note``, one
        statut per point d'étape (``statut_6_mois``…, keys or ``None``), ``line`` and ``status``.
    """
    if not isinstance(table, RegisterTable):
        raise TypeError("validate_actions attend un RegisterTable (voir read_actions)")
    known = None if ateliers is None else {str(a).strip() for a in ateliers if str(a).strip()}
    file_issues = []
    if table.unknown_columns:
        file_issues.append(
            Issue(
                "warning",
                "colonnes inconnues conservées telles quelles : "
                + ", ".join(f"« {c} »" for c in table.unknown_columns),
            )
        )
    rows: list[ActionResult] = []
    records: list[dict] = []
    seen: dict[tuple[str, str], int] = {}
    for cells in table.rows.to_dict("records"):
        row, record = _check(cells, table.sheet, programme, known, points)
        key = (row.atelier, normalize_key(record["action"]))
        if row.atelier and key[1]:
            if key in seen:
                row.warning(
                    f"la même action figure déjà pour l'atelier « {row.atelier} » "
                    f"(ligne {seen[key]})",
                    "action",
                )
            else:
                seen[key] = row.line
        record["status"] = row.status
        rows.append(row)
        records.append(record)
    actions = pd.DataFrame(records) if records else empty_actions()
    if records:
        actions["budget_eur"] = actions["budget_eur"].astype("Float64")
    return ActionsReport(
        path=Path(table.path), rows=rows, file_issues=file_issues, actions=actions, table=table
    )


def empty_actions() -> pd.DataFrame:
    """No action: the parsed columns of :func:`validate_actions`, zero rows."""
    return pd.DataFrame(columns=[*_PARSED_COLUMNS, "line", "status"])


def _check(
    cells: dict,
    sheet: str | None,
    programme: Programme,
    known: set[str] | None,
    points: Mapping[str, Collection[int]] | None,
) -> tuple[ActionResult, dict]:
    get = lambda name: str(cells.get(name, "") or "").strip()  # noqa: E731
    row = ActionResult(line=int(cells[registre.LINE_COLUMN]), sheet=sheet, atelier=get("atelier"))
    record: dict = {name: get(name) for name in ("atelier", *_TEXT_COLUMNS)}
    record["line"] = row.line
    if not row.atelier:
        row.error(
            "atelier non renseigné (l'identifiant de l'atelier, comme au registre)", "atelier"
        )
    elif known is not None and row.atelier not in known:
        row.error(
            f"atelier inconnu : « {row.atelier} » (aucun atelier du registre n'a cet identifiant)",
            "atelier",
        )
    if not record["action"]:
        row.error("action vide", "action")
    record["theme"] = _term(programme.themes, get("theme"), row, "theme")
    record["priorite"] = _term(programme.priorites, get("priorite"), row, "priorite")
    record["statut"] = _term(programme.statuts_action, get("statut"), row, "statut")
    for point in programme.points_etape:
        column = point.statut_column
        record[column] = _term(programme.statuts_action, get(column), row, column)
        dated = None if points is None else points.get(row.atelier)
        if get(column) and dated is not None and point.months not in dated:
            row.warning(
                f"statut au point d'étape à {point.months} mois, mais le registre ne donne "
                f"aucune date du point d'étape à {point.months} mois pour l'atelier "
                f"« {row.atelier} » : renseignez la colonne « {point.step.headers[0]} » du "
                "registre",
                column,
            )
    record["echeance"], record["echeance_fin"] = _deadline(get("echeance"), row)
    record["budget_eur"] = _parse(registre.parse_amount, get("budget_eur"), row, "budget_eur")
    record["public"] = bool(_parse(registre.parse_bool_fr, get("public"), row, "public"))
    for column in _TEXT_COLUMNS:
        if is_formula_like(record[column]):
            row.warning(
                f"le texte commence par « {record[column][0]} » comme une formule de tableur : "
                "il est gardé comme texte, jamais calculé, et neutralisé dans les "
                "téléchargements",
                column,
            )
    for column in _PUBLIC_TEXT_COLUMNS:
        if find_contacts(record[column]):
            row.warning(
                "adresse électronique ou numéro de téléphone : les sorties publiques les "
                f"remplacent par « {CONTACT_PLACEHOLDER} » ; indiquez une structure (commune, "
                "EPCI…) plutôt qu'une personne",
                column,
            )
    return row, record


def _term(vocabulary, text: str, row: ActionResult, column: str) -> str | None:
    if not text:
        return None
    key = vocabulary.parse(text)
    if key is None:
        row.error(
            f"{vocabulary.label} inconnu(e) : « {text} » (valeurs acceptées : "
            + " ; ".join(vocabulary.labels())
            + ")",
            column,
        )
    return key


def _parse(parser, text: str, row: ActionResult, column: str):
    try:
        return parser(text)
    except ValueError as exc:
        row.error(str(exc), column)
        return None


def _deadline(text: str, row: ActionResult) -> tuple[str | None, dt.date | None]:
    """An échéance: a year ("2026") or a date to the day or month; (iso text, last day)."""
    if not text:
        return None, None
    try:
        year = registre.parse_year(text)
    except ValueError:
        year = None
    if year is not None:
        return str(year), dt.date(year, 12, 31)
    try:
        date = registre.parse_date(text)
    except ValueError:
        row.error(
            f"échéance illisible : « {text} » (attendu une année AAAA, ou une date JJ/MM/AAAA "
            "ou MM/AAAA)",
            "echeance",
        )
        return None, None
    return date.iso(), date.last_day()
