"""Imports reviewed before they are stored, restores, seeding, and version files.

An import is prepared (read, validated with the choices already made, compared with the current
version) and shown to a person; only then is it committed, as one new version. Nothing here
draws anything: the page and the command line present the same :class:`ImportPreview`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from atelierflash import ecriture, registre
from atelierflash.actions import (
    ActionsReport,
    dated_points,
    validate_actions,
    validate_register_actions,
)
from atelierflash.programme import Programme
from atelierflash.referentiel import Referentiel
from atelierflash.resolution import CommuneResolver, choice_key
from atelierflash.store._diff import Diff, diff_tables
from atelierflash.store._store import Store, StoreError, VersionInfo, file_sha256
from atelierflash.validation import Issue, ValidationReport, validate_register

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Unresolved:
    """A commune name that does not settle it alone, with what a person may choose."""

    nom: str  # as the file spells it (first occurrence)
    cle: str  # :func:`choice_key` of it: what a choice is kept under
    lignes: tuple[int, ...]
    candidats: tuple[dict, ...]  # {"code", "nom", "departement", "population"}

    def label(self, candidate: dict) -> str:
        """« Saint-Denis · Seine-Saint-Denis (93) · 93066 · 113 000 hab. »."""
        population = candidate.get("population") or 0
        people = (
            f"{population:,}".replace(",", "\u202f") + " hab."
            if population
            else "population inconnue"
        )
        return (
            f"{candidate['nom']} · département {candidate['departement']} · "
            f"{candidate['code']} · {people}"
        )


@dataclass
class ImportPreview:
    """An import read, validated and compared with the store, waiting for a person's yes.

    Attributes
    ----------
    fichier, sha256 : str
        The uploaded file's name and content hash.
    report : ValidationReport
        Row-by-row messages (its ``table`` holds the text cells that will be stored).
    choices : dict
        Every commune choice in effect (those of the current version plus the new ones).
    base : int
        The version this import was reviewed against (0: empty store).
    diff : Diff
        Against the ``base`` version.
    unresolved : list of Unresolved
        Names a person should settle by choosing a candidate.
    actions : ActionsReport
        The feuille de route's actions given with the file (its « Actions » sheet or a separate
        file); an empty report when none were: the version then keeps the current actions.
    """

    fichier: str
    sha256: str
    report: ValidationReport
    choices: dict[str, str]
    base: int
    diff: Diff
    unresolved: list[Unresolved] = field(default_factory=list)
    fictif: bool = False
    base_choices: dict[str, str] = field(default_factory=dict)
    actions: ActionsReport = field(default_factory=ActionsReport)

    @property
    def usable(self) -> bool:
        return self.report.usable

    @property
    def unchanged(self) -> bool:
        """Nothing to store: same rows and same choices as the current version."""
        return self.base > 0 and self.diff.empty and self.choices == self.base_choices

    def messages_frame(self) -> pd.DataFrame:
        """Every message: ligne, id, niveau, colonne (as the file spells it), message.

        ``ligne`` is text, empty for a message about the whole file (see
        :meth:`ValidationReport.issues_frame`).
        """
        frame = self.report.issues_frame()
        headers = self.report.headers
        frame["colonne"] = frame["colonne"].map(lambda c: headers.get(c, c) if c else "")
        return frame


def prepare_import(
    path: str | os.PathLike,
    store: Store,
    referentiel: Referentiel,
    programme: Programme,
    *,
    resolver: CommuneResolver | None = None,
    choices: Mapping[str, str] | None = None,
    fichier: str | None = None,
    sheet: str | None = None,
    progress: Progress | None = None,
    actions: str | os.PathLike | None = None,
    actions_fichier: str | None = None,
) -> ImportPreview:
    """Read, validate and compare a register file with the store's current version.

    Parameters
    ----------
    path : path-like
        The CSV or XLSX file (read by :func:`atelierflash.registre.read_register`).
    store : Store
    referentiel, programme
    resolver : CommuneResolver, optional
    choices : mapping, optional
        New commune choices (:func:`choice_key` → INSEE code), added to those of the current
        version, which come back by themselves.
    fichier : str, optional
        The name to keep (default: the file's name; an upload is saved under a temporary name).
    progress : callable, optional
        ``progress(fraction, message)`` while the file is read and checked.
    actions : path-like, optional
        A separate file of the feuille de route's actions; by default the workbook's
        « Actions » (or « Feuille de route ») sheet, if any. Without either, the version keeps
        the current version's actions.
    actions_fichier : str, optional
        The name to keep for ``actions`` (default: its name).

    Returns
    -------
    ImportPreview
        Also for a file that cannot be read (``usable`` is then false and the report says why).
    """
    path = Path(path)
    say = progress or (lambda fraction, message: None)
    resolver = resolver or CommuneResolver(referentiel)
    say(0.0, f"Lecture de {fichier or path.name}…")
    head = store.head()
    base = head.version if head is not None else 0
    base_choices = dict(head.choix) if head is not None else {}
    in_effect = {**base_choices, **dict(choices or {})}
    try:
        table = registre.read_register(path, sheet=sheet)
    except registre.RegisterFileError as exc:
        from atelierflash.validation import validate_file

        report = validate_file(path, referentiel, programme, sheet=sheet, resolver=resolver)
        if report.usable:  # the file changed between two reads; keep the first answer
            raise StoreError(str(exc)) from exc
        if fichier and fichier != path.name:
            # An upload is read under a temporary name: the person knows it by its own.
            report.file_issues = [_named(issue, path.name, fichier) for issue in report.file_issues]
        return ImportPreview(
            fichier=fichier or path.name,
            sha256=file_sha256(path) if path.is_file() else "",
            report=report,
            choices=in_effect,
            base=base,
            diff=Diff(),
            base_choices=base_choices,
        )
    table.path = Path(fichier or path.name)
    say(0.2, "Vérification des lignes…")
    report = validate_register(
        table,
        referentiel,
        programme,
        resolver=resolver,
        choices=in_effect,
        progress=lambda f, m: say(0.2 + 0.6 * f, m),
    )
    say(0.8, "Comparaison avec la version actuelle…")
    plan = validate_register_actions(
        path,
        programme,
        report.ateliers["id"].tolist(),
        register_sheet=table.sheet if table.format == "xlsx" else None,
        actions_path=actions,
        points=dated_points(report.ateliers, programme),
    )
    if plan.table is not None:  # an upload is read under a temporary name
        plan.table.path = Path(
            (fichier or path.name) if actions is None else (actions_fichier or Path(actions).name)
        )
    old = store.table(base) if base else None
    old_actions = store.actions(base) if base else None
    new_actions = plan.table if plan.present else old_actions
    diff = diff_tables(old, table, old_actions=old_actions, new_actions=new_actions)
    say(1.0, "Import prêt à relire")
    return ImportPreview(
        fichier=fichier or path.name,
        sha256=file_sha256(path),
        report=report,
        choices=in_effect,
        base=base,
        diff=diff,
        unresolved=unresolved_names(report, resolver, in_effect),
        fictif=_fictif(report),
        base_choices=base_choices,
        actions=plan,
    )


def commit_import(store: Store, preview: ImportPreview, auteur: str) -> VersionInfo:
    """Store a reviewed import as a new version (one transaction).

    Raises
    ------
    StoreError
        The file could not be read, or nothing changed.
    RegisterChanged
        Another version landed since the review (:attr:`ImportPreview.base`).
    """
    if not preview.usable:
        raise StoreError(
            "ce fichier ne peut pas être enregistré : "
            + "; ".join(map(str, preview.report.file_issues))
        )
    if not preview.actions.usable:
        raise StoreError(
            "les actions de la feuille de route ne peuvent pas être lues : "
            + "; ".join(map(str, preview.actions.file_issues))
            + " ; corrigez-les (ou retirez la feuille « Actions ») avant d'enregistrer"
        )
    if preview.unchanged:
        raise StoreError(
            f"rien à enregistrer : le fichier est identique à la version {preview.base}"
        )
    return store.add_version(
        preview.report.table,
        base=preview.base,
        auteur=auteur,
        fichier=preview.fichier,
        sha256=preview.sha256,
        fictif=preview.fictif,
        resume=preview.diff.summary(),
        choix=_used_choices(preview),
        **({"actions": preview.actions.table} if preview.actions.present else {}),
    )


def restore_version(store: Store, number: int, auteur: str) -> VersionInfo:
    """Make version ``number`` current again, as a new version (nothing is overwritten)."""
    source = store.version(number)
    head = store.head()
    if head is not None and head.version == source.version:
        raise StoreError(f"la version {number} est déjà la version actuelle")
    table = store.table(number)
    actions = store.actions(number)
    old = store.table(head.version) if head is not None else None
    old_actions = store.actions(head.version) if head is not None else None
    return store.add_version(
        table,
        base=head.version if head is not None else 0,
        auteur=auteur,
        fichier=source.fichier,
        sha256=source.sha256,
        fictif=source.fictif,
        resume=diff_tables(old, table, old_actions=old_actions, new_actions=actions).summary(),
        choix=source.choix,
        restaure_de=source.version,
        actions=actions,  # the restored version's feuille de route, or none when it had none
    )


def compare_versions(store: Store, a: int, b: int) -> Diff:
    """What version ``b`` changes compared with version ``a`` (its rows and its actions)."""
    return diff_tables(
        store.table(a),
        store.table(b),
        old_actions=store.actions(a),
        new_actions=store.actions(b),
    )


def validate_version(
    store: Store,
    number: int,
    referentiel: Referentiel,
    programme: Programme,
    *,
    resolver: CommuneResolver | None = None,
) -> ValidationReport:
    """Validate a stored version again, with the commune choices kept with it."""
    info = store.version(number)
    return validate_register(
        store.table(number), referentiel, programme, resolver=resolver, choices=info.choix
    )


def validate_version_actions(store: Store, number: int, programme: Programme) -> ActionsReport:
    """Validate a stored version's actions against its ateliers (an empty report: none)."""
    actions = store.actions(number)
    if actions is None:
        return ActionsReport()
    rows = store.table(number).rows
    ids = rows.get("id", pd.Series(dtype=object)).tolist()
    return validate_actions(actions, programme, ids, points=dated_points(rows, programme))


def seed_store(
    store: Store,
    path: str | os.PathLike,
    referentiel: Referentiel,
    programme: Programme,
    *,
    resolver: CommuneResolver | None = None,
    auteur: str = "atelierflash (premier lancement)",
    actions: str | os.PathLike | None = None,
) -> VersionInfo | None:
    """Store ``path`` as version 1 when the store is empty; returns it, or ``None``.

    ``actions``: a separate file of the feuille de route's actions stored with it (default: the
    workbook's « Actions » sheet, if any).

    Several processes may start at once on an empty database: one seeds, the others find
    version 1 already there.
    """
    from atelierflash.store._store import RegisterChanged

    if store.head() is not None:
        return None
    preview = prepare_import(
        path, store, referentiel, programme, resolver=resolver, actions=actions
    )
    if not preview.usable or preview.base:
        return None
    try:
        return commit_import(store, preview, auteur)
    except RegisterChanged:
        return None


def version_file(store: Store, number: int, extension: str) -> bytes:
    """A version as the file it came from (headers as the file spelled them), CSV or XLSX.

    Formulas are neutralised and a fictional version says so (a ``fictif`` column set to
    « oui » when the file had none). An XLSX holds the feuille de route's actions too, in an
    « Actions » sheet (a CSV has one table: the register's rows).
    """
    extension = extension.lower().lstrip(".")
    if extension not in ("csv", "xlsx"):
        raise StoreError(f"format d'export inconnu : « {extension} » (attendu csv ou xlsx)")
    info = store.version(number)
    frame = store.original_frame(number)
    title = f"Registre {info.fichier} – version {info.version}"
    actions = store.original_actions_frame(number) if extension == "xlsx" else None
    return _write(frame, extension, fictif=info.fictif, title=title, actions=actions)


def version_filename(info: VersionInfo, extension: str) -> str:
    stem = Path(info.fichier).stem or "registre"
    return f"{stem}_version-{info.version}.{extension}"


def write_version_file(store: Store, number: int, out: str | os.PathLike) -> Path:
    """Write a version to ``out`` (CSV or XLSX by its extension), whole or not at all.

    Raises
    ------
    StoreError
        For another extension or a missing version.
    atelierflash.ecriture.WriteError
        When ``out`` cannot be written (a folder, a missing or read-only folder): French.
    """
    out = Path(out)
    data = version_file(store, number, out.suffix)
    # As before, a new folder is made; when it cannot be, the writer says why in French.
    with contextlib.suppress(OSError):
        out.parent.mkdir(parents=True, exist_ok=True)
    return ecriture.write_bytes(out, data)


# -- helpers -----------------------------------------------------------------------------------
def _named(issue: Issue, read_as: str, fichier: str) -> Issue:
    """``issue`` naming the file ``fichier`` where it names the file read, ``read_as``."""
    if issue.text.startswith(f"{read_as} : "):
        return dataclasses.replace(issue, text=fichier + issue.text[len(read_as) :])
    return issue


def _write(
    frame: pd.DataFrame,
    extension: str,
    *,
    fictif: bool,
    title: str,
    actions: pd.DataFrame | None = None,
) -> bytes:
    # The one writer (formulas neutralised, fiction marked): the cells are the file's text.
    if extension == "csv":
        return ecriture.csv_bytes(frame, fictif=fictif)
    more = {"Actions": actions} if actions is not None else None
    return ecriture.xlsx_bytes(frame, fictif=fictif, sheet="registre", title=title, more=more)


def _fictif(report: ValidationReport) -> bool:
    ateliers = report.ateliers
    if not len(ateliers) or "fictif" not in ateliers:
        return False
    return bool(ateliers["fictif"].fillna(False).astype(bool).any())


def unresolved_names(
    report: ValidationReport, resolver: CommuneResolver, choices: Mapping[str, str]
) -> list[Unresolved]:
    table = report.table
    if table is None or "communes" not in table.rows:
        return []
    found: dict[str, Unresolved] = {}
    cells = table.rows.to_dict("records")
    for row, record in zip(report.rows, cells, strict=True):
        if not any(i.level == "error" and i.column == "communes" for i in row.issues):
            continue
        departement = str(record.get("departement", "") or "")
        for name in registre.split_values(str(record.get("communes", "") or "")):
            key = choice_key(name)
            if not key or key in choices:
                continue
            if key in found:
                known = found[key]
                found[key] = Unresolved(known.nom, key, (*known.lignes, row.line), known.candidats)
                continue
            candidates = resolver.candidates(name, departement)
            if candidates:
                found[key] = Unresolved(name, key, (row.line,), tuple(candidates))
    return list(found.values())


def _used_choices(preview: ImportPreview) -> dict[str, str]:
    """The choices kept with the version: all those in effect (they come back next time)."""
    return dict(preview.choices)
