"""Row and file checks of a register: a report for people and for machines.

Every row gets a status (``ok``, ``warning`` or ``error``), its resolved INSEE codes and French
messages that name the column. Nothing is evaluated: a cell is text, parsed into typed values
only by the parsers of :mod:`atelierflash.registre`. The parsed values of every row are kept in
``ValidationReport.ateliers`` so that nothing downstream reads the file or resolves a commune
again.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from atelierflash import parcours, registre
from atelierflash.formats import fmt_int
from atelierflash.programme import Programme, load_steps
from atelierflash.referentiel import Referentiel
from atelierflash.resolution import CommuneResolver
from atelierflash.texte import CONTACT_PLACEHOLDER, find_contacts

#: Free-text columns that public outputs show: they must not carry personal data.
PUBLIC_TEXT_COLUMNS = ("titre", "pilote", "description", "livrables")
#: A cell longer than this is kept but reported: a spreadsheet cell holds at most 32 767
#: characters, so the register could not be saved back as XLSX without cutting it.
LONG_CELL = 32_767

_PROGRESS_EVERY = 250

# A cell a spreadsheet would run as a formula (CSV injection), and HTML markup: both are kept
# as text (never computed, never interpreted), and the person is told.
_FORMULA = re.compile(r"^(=|[+\-@][^\s\d])")
_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")

# Columns whose text is copied as is into the parsed ateliers.
_TEXT_COLUMNS = (
    "titre",
    "motif_derogation",
    "pilote",
    "description",
    "source_url",
    "notes_internes",
)


@dataclass(frozen=True)
class Issue:
    """One message about a row or the file."""

    level: str  # "error" or "warning"
    text: str
    column: str | None = None

    def __str__(self) -> str:
        return self.render()

    def render(self, headers: dict[str, str] | None = None) -> str:
        """The message, naming the column as the file spells it (``headers``: canonical → file)."""
        if not self.column:
            return self.text
        header = (headers or {}).get(self.column)
        if header and header != self.column:
            return f"colonne « {header} » ({self.column}) : {self.text}"
        return f"colonne « {self.column} » : {self.text}"


@dataclass
class RowResult:
    """The outcome of one row."""

    line: int
    id: str
    communes: tuple[str, ...] = ()
    issues: list[Issue] = field(default_factory=list)
    #: The statut's vocabulary key (``None`` when empty or unknown).
    statut: str | None = None

    @property
    def status(self) -> str:
        """``"error"``, ``"warning"`` or ``"ok"``: the worst level of the row's issues."""
        levels = {i.level for i in self.issues}
        return "error" if "error" in levels else "warning" if "warning" in levels else "ok"

    @property
    def messages(self) -> list[str]:
        """The row's issues as French sentences."""
        return [str(i) for i in self.issues]

    def error(self, text: str, column: str | None = None) -> None:
        """Add an error (the row is left out of the dataset)."""
        self.issues.append(Issue("error", text, column))

    def warning(self, text: str, column: str | None = None) -> None:
        """Add a warning (the row is kept)."""
        self.issues.append(Issue("warning", text, column))


class StatusReport:
    """What a report of checked lines says in sum, shared by the register's and the actions'.

    A subclass has ``rows`` (each with a ``status``: ``"ok"``, ``"warning"`` or ``"error"``),
    ``usable`` (whether its file could be read at all) and ``to_json()`` (its own shape).
    """

    @property
    def summary(self) -> dict[str, int]:
        """Lines per status: ``{"ok": …, "warning": …, "error": …}``."""
        counts = {"ok": 0, "warning": 0, "error": 0}
        for row in self.rows:
            counts[row.status] += 1
        return counts

    @property
    def exit_code(self) -> int:
        """0 when no line has an error, 1 when some do, 2 when the file cannot be used."""
        if not self.usable:
            return 2
        return 1 if self.summary["error"] else 0

    def to_json_text(self) -> str:
        """The subclass's ``to_json()`` as indented JSON text (French kept as is)."""
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2)


@dataclass
class ValidationReport(StatusReport):
    """Everything known about a register file after validation.

    Attributes
    ----------
    path : Path
    rows : list of RowResult
        One per data row, in file order.
    file_issues : list of Issue
        File-level messages (unknown columns, or the reason the file cannot be used).
    ateliers : pandas.DataFrame
        The parsed values of every row (see :func:`validate_register`), with ``line`` and
        ``status``.
    table : RegisterTable or None
        How the file was read (``None`` when it could not be read).
    """

    path: Path
    rows: list[RowResult]
    file_issues: list[Issue]
    ateliers: pd.DataFrame
    table: registre.RegisterTable | None = None

    @property
    def headers(self) -> dict[str, str]:
        """Canonical column → the header the file uses for it."""
        if self.table is None:
            return {}
        headers = {canonical: original for original, canonical in self.table.header_map.items()}
        # The commune messages concern whichever commune columns the file has.
        for name in ("communes", "communes_insee", "epci_siren"):
            if name in headers:
                headers.setdefault("communes", headers[name])
                break
        return headers

    @property
    def usable(self) -> bool:
        """Whether the file could be read at all."""
        return self.table is not None

    def to_json(self) -> dict:
        """The machine-readable report (its shape is part of the command-line contract)."""
        return {
            "rows": [
                {
                    "line": r.line,
                    "id": r.id,
                    "statut": r.statut,
                    "status": r.status,
                    "communes": list(r.communes),
                    "messages": [i.render(self.headers) for i in r.issues],
                }
                for r in self.rows
            ],
            "summary": self.summary,
        }

    def to_text(self) -> str:
        """A French report for people: each message with file, line and column."""
        name = self.path.name
        out = [f"Validation de {self.path}"]
        if self.table is not None:
            how = self.table.format.upper()
            if self.table.format == "csv":
                sep = {"\t": "tabulation", ",": "virgule", ";": "point-virgule"}
                how += f", encodage {self.table.encoding}, séparateur {sep.get(self.table.separator, self.table.separator)}"
            elif self.table.sheet:
                how += f", feuille « {self.table.sheet} »"
            if self.table.demarches:
                how += (
                    ", export Démarches simplifiées lu comme candidatures (colonnes personnelles "
                    "non reprises)"
                )
            out.append(f"Lu en {how} : {len(self.rows)} ligne(s) d'ateliers.")
        for issue in self.file_issues:
            # A file-level error from the reader already names the file.
            prefix = "" if str(issue).startswith(name) else f"{name} : "
            out.append(f"{prefix}{_level_fr(issue.level)} : {issue}")
        for row in self.rows:
            for issue in row.issues:
                ident = f" (id « {row.id} »)" if row.id else ""
                out.append(
                    f"{name}, ligne {row.line}{ident} : {_level_fr(issue.level)} : "
                    f"{issue.render(self.headers)}"
                )
        s = self.summary
        if self.usable:
            out.append(
                f"Bilan : {s['ok']} ligne(s) sans remarque, {s['warning']} avec avertissement, "
                f"{s['error']} en erreur."
            )
        return "\n".join(out)

    def issues_frame(self) -> pd.DataFrame:
        """Every message as a table (ligne, id, niveau, colonne, message), for display.

        ``ligne`` is text, empty for a message about the whole file: a missing number would be
        shown as « None » by a table.
        """
        records = [
            {
                "ligne": "",
                "id": "",
                "niveau": _level_fr(i.level),
                "colonne": i.column or "",
                "message": i.text,
            }
            for i in self.file_issues
        ]
        for row in self.rows:
            records.extend(
                {
                    "ligne": str(row.line),
                    "id": row.id,
                    "niveau": _level_fr(i.level),
                    "colonne": i.column or "",
                    "message": i.text,
                }
                for i in row.issues
            )
        return pd.DataFrame(records, columns=["ligne", "id", "niveau", "colonne", "message"])


def _level_fr(level: str) -> str:
    return {"error": "erreur", "warning": "avertissement"}.get(level, level)


def validate_file(
    path: str | Path,
    referentiel: Referentiel,
    programme: Programme,
    *,
    sheet: str | None = None,
    resolver: CommuneResolver | None = None,
    today: dt.date | None = None,
    choices: Mapping[str, str] | None = None,
) -> ValidationReport:
    """Read and validate a register file.

    A file that cannot be used gives a report whose ``exit_code`` is 2 and whose
    ``file_issues`` say why, in French, naming the file.

    Parameters
    ----------
    path : str or Path
        A CSV (UTF-8 or Windows-1252; ``,`` ``;`` or tab) or XLSX file.
    referentiel, programme
        The référentiel and the programme configuration.
    sheet : str, optional
        The XLSX sheet (default: the first one).
    resolver : CommuneResolver, optional
        Reuse indexes already built from the same référentiel.
    today : datetime.date, optional
        Reference date for the year range (default: today).
    choices : mapping of str to str, optional
        Communes chosen by a person for ambiguous or unknown names (see
        :meth:`CommuneResolver.resolve`).
    """
    path = Path(path)
    try:
        table = registre.read_register(path, sheet=sheet)
    except registre.RegisterFileError as exc:
        return file_error_report(path, exc)
    return validate_register(
        table, referentiel, programme, resolver=resolver, today=today, choices=choices
    )


def _check_inert_text(record: dict, row: RowResult) -> None:
    for column in _TEXT_COLUMNS:
        text = record.get(column) or ""
        if _FORMULA.match(text):
            row.warning(
                f"le texte commence par « {text[0]} » comme une formule de tableur : il est gardé "
                "comme texte, jamais calculé, et neutralisé dans les téléchargements",
                column,
            )
        elif _HTML_TAG.search(text):
            row.warning(
                "le texte contient des balises HTML : elles sont affichées telles quelles, jamais "
                "interprétées",
                column,
            )


def file_error_report(path: str | Path, error: registre.RegisterFileError) -> ValidationReport:
    """The report of a file that cannot be used (``exit_code`` 2), saying why in French."""
    return ValidationReport(
        path=Path(path),
        rows=[],
        file_issues=[Issue("error", str(error))],
        ateliers=_empty_ateliers(),
    )


def validate_register(
    table: registre.RegisterTable,
    referentiel: Referentiel,
    programme: Programme,
    *,
    resolver: CommuneResolver | None = None,
    today: dt.date | None = None,
    choices: Mapping[str, str] | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> ValidationReport:
    """Check every row of a register already read.

    Parameters
    ----------
    table : RegisterTable
        From :func:`atelierflash.registre.read_register`.
    referentiel : Referentiel
    programme : Programme
    resolver : CommuneResolver, optional
        Built from ``referentiel`` when not given (indexes are built once per resolver).
    today : datetime.date, optional
        Reference date: years run from the programme's launch year to next year.
    choices : mapping of str to str, optional
        Communes chosen by a person for ambiguous or unknown names (see
        :meth:`CommuneResolver.resolve`).
    progress : callable, optional
        ``progress(fraction, message)``, called every few hundred rows of a large register.

    Returns
    -------
    ValidationReport
        ``ateliers`` has one row per data row with the parsed values: ``id``, ``titre``,
        ``annee`` (Int64, missing when unknown), ``statut``, ``echelle``, ``communes`` (tuple of
        INSEE codes), ``themes`` and ``familles`` (tuples of keys), ``equipe``, ``accord_cadre``
        (given, or the one in force at the first bon or in the year), ``motif_derogation``, one
        value per step of the course under its field (:attr:`atelierflash.programme.Step.field`:
        ``date_depot``… a ``PartialDate`` or ``None``; ``dates_bon_commande`` and
        ``dates_animation``, tuples of ``PartialDate``), ``montant_eur``, ``pilote``,
        ``livrables`` (tuple of (label, url)), ``description``, ``source_url``, ``public`` (bool, after the statut rule), ``fictif``,
        ``notes_internes``, ``line`` and ``status``, plus the unknown columns as text.
    """
    if resolver is None:
        resolver = CommuneResolver(referentiel)
    today = today or dt.date.today()
    checker = _RowChecker(
        programme, resolver, today=today, choices=choices, columns=frozenset(table.columns)
    )
    file_issues = []
    if table.unknown_columns:
        file_issues.append(
            Issue(
                "warning",
                "colonnes inconnues conservées telles quelles : "
                + ", ".join(f"« {c} »" for c in table.unknown_columns),
            )
        )
    rows, records = [], []
    seen_ids: dict[str, int] = {}
    total = len(table.rows)
    for position, cells in enumerate(table.rows.to_dict("records")):
        if progress is not None and position % _PROGRESS_EVERY == 0:
            progress(position / max(total, 1), f"Vérification des lignes : {position} / {total}")
        row, record = checker.check(cells)
        if row.id:
            if row.id in seen_ids:
                row.error(
                    f"identifiant « {row.id} » en double (déjà ligne {seen_ids[row.id]})", "id"
                )
            else:
                seen_ids[row.id] = row.line
        for column in table.unknown_columns:
            record[column] = cells.get(column, "")
        record["status"] = row.status
        rows.append(row)
        records.append(record)
    ateliers = pd.DataFrame(records) if records else _empty_ateliers()
    if records:
        ateliers["annee"] = ateliers["annee"].astype("Int64")
        ateliers["montant_eur"] = ateliers["montant_eur"].astype("Float64")
    return ValidationReport(
        path=Path(table.path), rows=rows, file_issues=file_issues, ateliers=ateliers, table=table
    )


def _empty_ateliers() -> pd.DataFrame:
    return pd.DataFrame(columns=[*_ATELIER_COLUMNS, "line", "status"])


_ATELIER_COLUMNS = (
    "id",
    "titre",
    "annee",
    "statut",
    "echelle",
    "communes",
    "themes",
    "familles",
    "equipe",
    "accord_cadre",
    "motif_derogation",
    # One value per step of the course (data/programme.toml, [[etapes]]).
    *(step.field for step in load_steps()),
    "montant_eur",
    "pilote",
    "livrables",
    "description",
    "source_url",
    "public",
    "fictif",
    "notes_internes",
)


class _RowChecker:
    """Checks one row at a time; holds the vocabularies and the resolver."""

    def __init__(
        self,
        programme: Programme,
        resolver: CommuneResolver,
        today: dt.date,
        choices: Mapping[str, str] | None = None,
        columns: frozenset[str] | None = None,
    ):
        self.columns = columns
        self.programme = programme
        self.resolver = resolver
        self.today = today
        self.last_year = today.year + 1
        self.choices = dict(choices or {})

    def check(self, cells: dict) -> tuple[RowResult, dict]:
        get = lambda name: str(cells.get(name, "") or "").strip()  # noqa: E731
        row = RowResult(line=int(cells["line"]), id=get("id"))
        record: dict = {name: get(name) for name in _TEXT_COLUMNS}
        record["id"] = row.id
        record["line"] = row.line
        if not row.id:
            row.error("identifiant vide", "id")
        self._check_cells(cells, row)
        if not record["titre"]:
            row.warning("titre vide", "titre")
        record["annee"] = self._year(get("annee"), row)
        record["statut"] = self._term("statuts", get("statut"), row, "statut", required=True)
        row.statut = record["statut"]
        record["echelle"] = self._term("echelles", get("echelle"), row, "echelle")
        record["communes"] = self._communes(cells, get, row)
        record["themes"] = self._themes(get("themes"), row)
        record["familles"] = tuple(
            dict.fromkeys(self.programme.family_of(t) for t in record["themes"])
        )
        record["equipe"] = self._term("equipes", get("equipe"), row, "equipe")
        for step in self.programme.etapes:
            parse = self._dates if step.several else self._date
            record[step.field] = parse(get(step.column), row, step.column)
        if len(record["dates_bon_commande"]) > 2:
            row.error("un atelier a un ou deux bons de commande, pas plus", "date_bon_commande")
        self._check_period(record, row)
        in_error = frozenset(i.column for i in row.issues if i.level == "error" and i.column)
        parcours.check_course(
            record,
            self.programme,
            row.warning,
            today=self.today,
            skip=in_error,
            columns=self.columns,
        )
        record["montant_eur"] = self._amount(get("montant_eur"), row)
        record["livrables"] = _livrables(get("livrables"))
        record["fictif"] = bool(self._bool(get("fictif"), row, "fictif"))
        record["accord_cadre"] = self._agreement(get("accord_cadre"), record, row)
        record["public"] = self._public(get("public"), record["statut"], row)
        if record["source_url"] and not record["source_url"].lower().startswith(
            ("http://", "https://")
        ):
            row.warning(
                "l'adresse de la source ne commence pas par http:// ou https://", "source_url"
            )
        _check_inert_text(record, row)
        return row, record

    def _check_cells(self, cells: dict, row: RowResult) -> None:
        """Over-long cells anywhere; e-mail addresses and phone numbers in public fields."""
        for column, value in cells.items():
            if isinstance(value, str) and len(value) > LONG_CELL:
                row.warning(
                    f"cellule de {fmt_int(len(value))} caractères (au-delà de "
                    f"{fmt_int(LONG_CELL)}, la limite d'une cellule de tableur) : conservée telle "
                    "quelle ; vérifiez qu'il ne s'agit pas d'un copier-coller erroné",
                    column,
                )
        for column in PUBLIC_TEXT_COLUMNS:
            found = find_contacts(cells.get(column, ""))
            if found:
                row.warning(
                    f"champ public contenant {len(found)} adresse(s) électronique(s) ou numéro(s) "
                    "de téléphone : les sorties publiques (carte, fiches, exports) les remplacent "
                    f"par « {CONTACT_PLACEHOLDER} » ; indiquez un service plutôt qu'une personne",
                    column,
                )

    # -- single values -------------------------------------------------------------------------
    def _year(self, text: str, row: RowResult) -> int | None:
        try:
            year = registre.parse_year(text)
        except ValueError as exc:
            row.error(str(exc), "annee")
            return None
        if year is None:
            row.warning("année non renseignée : l'atelier compte comme « année inconnue »", "annee")
        elif not self.programme.launch_year <= year <= self.last_year:
            first = self.programme.launch_year
            row.error(
                f"année hors période : {year} (attendu de {first} à {self.last_year})", "annee"
            )
            return None
        return year

    def _term(
        self, vocabulary: str, text: str, row: RowResult, column: str, required: bool = False
    ) -> str | None:
        vocab = self.programme.vocabularies[vocabulary]
        if not text:
            if required:
                row.error(f"{vocab.label} non renseigné", column)
            return None
        key = vocab.parse(text)
        if key is None:
            row.error(
                f"{vocab.label} inconnu : « {text} » (valeurs acceptées : "
                + ", ".join(vocab.labels())
                + ")",
                column,
            )
        return key

    def _themes(self, text: str, row: RowResult) -> tuple[str, ...]:
        if not text:
            row.warning("aucun thème renseigné", "themes")
            return ()
        vocab = self.programme.themes
        keys: list[str] = []
        for part in _split_themes(text, vocab):
            key = vocab.parse(part)
            if key is None:
                row.error(
                    f"thème inconnu : « {part} » (valeurs acceptées : "
                    + " ; ".join(vocab.labels())
                    + ")",
                    "themes",
                )
            elif key not in keys:
                keys.append(key)
        return tuple(keys)

    def _communes(self, cells: dict, get, row: RowResult) -> tuple[str, ...]:
        resolution = self.resolver.resolve(
            codes=get("communes_insee"),
            names=get("communes"),
            departement=get("departement"),
            epci=get("epci_siren"),
            choices=self.choices,
        )
        for message in resolution.messages:
            row.issues.append(Issue(message.level, message.text, "communes"))
        row.communes = tuple(resolution.codes)
        return row.communes

    def _date(self, text: str, row: RowResult, column: str):
        try:
            return registre.parse_date(text)
        except ValueError as exc:
            row.error(str(exc), column)
            return None

    def _dates(self, text: str, row: RowResult, column: str) -> tuple:
        try:
            return tuple(registre.parse_dates(text))
        except ValueError as exc:
            row.error(str(exc), column)
            return ()

    def _amount(self, text: str, row: RowResult) -> float | None:
        try:
            return registre.parse_amount(text)
        except ValueError as exc:
            row.error(str(exc), "montant_eur")
            return None

    def _bool(self, text: str, row: RowResult, column: str) -> bool | None:
        try:
            return registre.parse_bool_fr(text)
        except ValueError as exc:
            row.error(str(exc), column)
            return None

    # -- rules across columns ------------------------------------------------------------------
    def _check_period(self, record: dict, row: RowResult) -> None:
        start, end = record["date_debut"], record["date_fin"]
        if start is not None and end is not None and end.last_day() < start.first_day():
            row.error(
                f"la date de fin ({end.iso()}) précède la date de début ({start.iso()})", "date_fin"
            )

    def _agreement(self, text: str, record: dict, row: RowResult) -> str | None:
        """The agreement given, or the one in force; warns when the team does not hold it."""
        given = self._term("accords", text, row, "accord_cadre") if text else None
        orders = record["dates_bon_commande"]
        team = record["equipe"]
        if orders:
            day = orders[0].first_day()
            in_force = self.programme.agreement_at(day)
            candidates = [in_force] if in_force else []
            when = f"le {orders[0].iso()}"
        elif record["annee"] is not None:
            candidates = self.programme.agreements_in_year(record["annee"])
            when = f"en {record['annee']}"
        else:
            candidates, when = [], ""
        if given is not None:
            agreement = self.programme.agreement(given)
            if orders and not agreement.covers(orders[0].first_day()):
                row.warning(
                    f"le bon de commande du {orders[0].iso()} est hors de la période de "
                    f"l'accord-cadre {self.programme.accords.label_of(given)}",
                    "accord_cadre",
                )
            candidates = [agreement]
        if team is not None and candidates and not any(team in a.team_keys() for a in candidates):
            labels = ", ".join(self.programme.accords.label_of(a.key) for a in candidates)
            row.warning(
                f"l'équipe « {self.programme.equipes.label_of(team)} » n'est pas titulaire "
                f"de l'accord-cadre en vigueur {when} ({labels})",
                "equipe",
            )
        if given is not None:
            return given
        holding = [a for a in candidates if team is None or team in a.team_keys()]
        chosen = holding or candidates
        return chosen[-1].key if len(chosen) == 1 or orders else None

    def _public(self, text: str, statut: str | None, row: RowResult) -> bool:
        explicit = self._bool(text, row, "public")
        # Which statuts are published is a setting of data/programme.toml ([statuts]).
        if statut in self.programme.never_published_statuts:
            if explicit:
                label = self.programme.statuts.label_of(statut)
                row.warning(
                    f"un atelier au statut « {label} » n'est jamais publié, malgré « {text} »",
                    "public",
                )
            return False
        if explicit is not None:
            return explicit
        return statut in self.programme.published_statuts


def _split_themes(text: str, vocabulary) -> list[str]:
    """Split a themes cell on ``;`` ``|`` or newlines, then on commas where that makes sense.

    One official label contains a comma (« Protection, restauration et gestion… »), so a comma
    separates themes only inside a part that is not itself a theme.
    """
    out: list[str] = []
    for part in re.split(r"[;|\n]", text):
        part = part.strip()
        if not part:
            continue
        if vocabulary.parse(part) is None and "," in part:
            out.extend(p.strip() for p in part.split(",") if p.strip())
        else:
            out.append(part)
    return out


def _livrables(text: str) -> tuple[tuple[str, str | None], ...]:
    """« Feuille de route : https://… ; Esquisse » → ((label, url), (label, None))."""
    items = []
    for part in text.replace("|", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        url = None
        for marker in ("https://", "http://"):
            index = part.find(marker)
            if index >= 0:
                url = part[index:].strip()
                part = part[:index].rstrip(" :–-")
                break
        items.append((part or "Livrable", url))
    return tuple(items)
