"""Resolve the communes of a register row (INSEE codes, names, EPCI) into INSEE codes.

A register is typed by people: codes lose their leading zero in spreadsheets, names come with
or without accents, articles or "St", communes déléguées keep being used years after a merger,
and homonyms are everywhere. :class:`CommuneResolver` builds its indexes once from the
référentiel and turns each cell into INSEE codes plus French messages that tell the person
what was repaired (warnings) or what must be fixed (errors).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal, NamedTuple

import pandas as pd
from rapidfuzz import fuzz, process

from atelierflash.referentiel import Referentiel
from atelierflash.texte import normalize_key

__all__ = ["CommuneResolver", "Message", "Resolution", "choice_key", "normalize_name"]

# Entities the register may name. Other types of the source (e.g. SRM, the Lyon/Marseille
# municipal sectors) are not communes and never receive an atelier.
_CURRENT_TYPES = frozenset({"COM", "ARM"})
_PAST_TYPES = frozenset({"COMD", "COMA"})
_KNOWN_TYPES = _CURRENT_TYPES | _PAST_TYPES

_SEPARATORS = re.compile(r"[;|,\r\n]+")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_ABBREVIATION = re.compile(r"\b(?:st|ste|sts|stes)\b")
_COMMUNE_CODE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
_CODE_PREFIX = re.compile(r"^(?:\d{1,5}|2[AB]\d{0,3})$")
# Spreadsheets turn codes into numbers and back: "1053" or "1053.0".
_SPREADSHEET_FLOAT = re.compile(r"^(\d+)\.0+$")
_SIREN = re.compile(r"^\d{9}$")
# "paris 1er arrondissement", "paris 1er", "paris 01", "marseille 2e", "lyon 3eme arr".
_ARRONDISSEMENT = re.compile(
    r"^(?P<city>.+?) 0*(?P<number>\d{1,2}) ?(?:er|re|e|eme|ere)?(?: (?:arrondissement|arr))?$"
)

_ARTICLE_TOKENS = frozenset({"le", "la", "les", "l", "aux", "las", "los"})
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_TYPE_LABELS = {"COMD": "commune déléguée", "COMA": "commune associée"}

_FUZZY_LIMIT = 3
_FUZZY_CUTOFF = 75.0
_MAX_LISTED = 8


@dataclass(frozen=True)
class Message:
    """A French message about a row: an ``"error"`` blocks it, a ``"warning"`` informs."""

    level: Literal["error", "warning"]
    text: str


@dataclass(frozen=True)
class Resolution:
    """Result of :meth:`CommuneResolver.resolve`.

    Attributes
    ----------
    codes : tuple of str
        Resolved INSEE codes (COM or ARM), deduplicated, in input order.
    messages : tuple of Message
        Errors and warnings, in the order they were found.
    """

    codes: tuple[str, ...]
    messages: tuple[Message, ...]

    @property
    def ok(self) -> bool:
        """True when no message is an error."""
        return all(message.level != "error" for message in self.messages)


class _Entity(NamedTuple):
    code: str
    type: str
    nom: str
    departement: str
    parent: str
    population: int


def normalize_name(text: str) -> str:
    """Normalise a commune or département name for comparison.

    Lower case, without accents, with hyphens, apostrophes and any punctuation turned into
    single spaces, ligatures expanded (œ → oe) and the abbreviations "St", "Ste", "Sts",
    "Stes" (with or without a dot) written in full. Articles are kept: the resolver indexes
    names with and without them.

    Parameters
    ----------
    text : str
        The name as typed.

    Returns
    -------
    str
        The comparison key, e.g. ``"saint etienne"`` for ``"ST-ÉTIENNE"`` or ``"St. Étienne"``.

    Examples
    --------
    >>> normalize_name("L'Haÿ-les-Roses")
    'l hay les roses'
    >>> normalize_name("Ste  Marie-aux-Mines")
    'sainte marie aux mines'
    """
    if not isinstance(text, str):
        raise TypeError(f"normalize_name attend du texte, pas {type(text).__name__}")
    key = normalize_key(text)
    # Most names have no abbreviation: a substring test is cheaper than the regex (75 000 names).
    if "st" not in key:
        return key
    return _ABBREVIATION.sub(lambda match: _ABBREVIATIONS[match[0]], key)


def choice_key(name: str) -> str:
    """The key under which a person's choice for a commune name is kept.

    Two spellings that :func:`normalize_name` makes equal share a choice ("St-Denis",
    "SAINT DENIS"), so a choice made once comes back with the next import of the same name.
    """
    return normalize_name(name.strip())


def _strip_article(key: str) -> str:
    """Drop a leading article from a normalised key ("la ferte gaucher" → "ferte gaucher")."""
    first, _, rest = key.partition(" ")
    return rest if first in _ARTICLE_TOKENS and rest else key


def _split_cell(cell: str) -> list[str]:
    """Split a multi-value cell on ``;``, ``|``, ``,`` or line breaks; drop empty values."""
    return [part.strip() for part in _SEPARATORS.split(cell) if part.strip()]


def _text(value: object) -> str:
    """A cell of the référentiel as text, missing values (None, NaN, NA) as ""."""
    if type(value) is str:  # nearly every cell: skip pd.isna (called 250 000 times per build)
        return value
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def _integer(value: object) -> int:
    """A population as int, 0 when missing, so sorting never fails on NA."""
    if type(value) is int:  # the référentiel's populations: skip pd.isna
        return value
    if value is None or pd.isna(value):
        return 0
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _of(nom: str) -> str:
    """French "de" before a name: "d'Annecy", "du Mans", "des Abymes", "de Privas"."""
    if nom.startswith("Le "):
        return "du " + nom[3:]
    if nom.startswith("Les "):
        return "des " + nom[4:]
    first = normalize_name(nom[:1])
    return ("d'" if first in {"a", "e", "i", "o", "u", "y"} else "de ") + nom


def _departements_label(departements: tuple[str, ...]) -> str:
    if len(departements) == 1:
        return f"le département {departements[0]}"
    return "les départements " + ", ".join(departements)


def _check_text(name: str, value: object) -> str:
    """Inputs are text cells; None counts as empty, anything else is a programming error."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"{name} doit être du texte, pas {type(value).__name__}")
    return value


class CommuneResolver:
    """Turn register cells (codes, names, département, EPCI) into INSEE codes.

    The look-up indexes are built once here, so each value resolves with a few dictionary
    look-ups; fuzzy matching only runs to suggest names after a failure, restricted to the
    département when it is known. The fuzzy pools and the autocomplete index are built on
    their first use (once): a register whose names all resolve never pays for them.

    Parameters
    ----------
    referentiel : Referentiel
        The référentiel; only the ``communes``, ``epci`` and ``departements`` frames are read.
    """

    def __init__(self, referentiel: Referentiel) -> None:
        if not isinstance(referentiel, Referentiel):
            raise TypeError("CommuneResolver attend un Referentiel")
        required = {"code", "type", "nom", "nom_sans_article", "departement", "parent"}
        missing = required - set(referentiel.communes.columns)
        if missing:
            raise ValueError(f"colonnes absentes du référentiel des communes : {sorted(missing)}")
        self._entities: list[_Entity] = []
        self._by_code: dict[str, list[int]] = {}
        self._by_name: dict[str, list[int]] = {}
        self._entity_keys: list[tuple[str, ...]] = []  # every name key of each entity
        self._arrondissements: dict[tuple[str, int], int] = {}
        self._keys: list[str] = []  # normalised official name of each entity
        # Built on first use by _fuzzy_pools() and _search_index() (None until then).
        self._fuzzy: tuple[dict[str, list[str]], dict[str, list[str]]] | None = None
        self._search_built = False
        self._build_communes(referentiel)
        self._build_departements(referentiel)
        self._build_epci(referentiel)

    # ----------------------------------------------------------------- index building

    def _build_communes(self, referentiel: Referentiel) -> None:
        frame = referentiel.communes
        populations = frame["population"].tolist() if "population" in frame else [0] * len(frame)
        columns = zip(
            frame["code"].tolist(),
            frame["type"].tolist(),
            frame["nom"].tolist(),
            frame["nom_sans_article"].tolist(),
            frame["departement"].tolist(),
            frame["parent"].tolist(),
            populations,
            strict=True,
        )
        for code, typ, nom, sans_article, dep, parent, population in columns:
            typ = _text(typ)
            if typ not in _KNOWN_TYPES:
                continue
            entity = _Entity(
                _text(code), typ, _text(nom), _text(dep), _text(parent), _integer(population)
            )
            index = len(self._entities)
            self._entities.append(entity)
            self._by_code.setdefault(entity.code, []).append(index)
            full_key = normalize_name(entity.nom)
            sans_article = _text(sans_article)
            keys = {full_key, _strip_article(full_key)}
            if sans_article and sans_article != entity.nom:
                keys.add(normalize_name(sans_article))
            keys.discard("")
            self._keys.append(full_key)
            self._entity_keys.append(tuple(keys))
            for key in keys:
                self._by_name.setdefault(key, []).append(index)
            if typ == "ARM":
                match = _ARRONDISSEMENT.match(full_key)
                if match:
                    self._arrondissements[(match["city"], int(match["number"]))] = index
        # A COMD may share its code with its parent (Annecy 74010): the COM must win.
        for indexes in self._by_code.values():
            indexes.sort(key=lambda i: self._entities[i].type not in _CURRENT_TYPES)

    def _fuzzy_pools(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """The names to suggest from, by département and by initial; built on first use."""
        if self._fuzzy is None:
            by_dep: dict[str, dict[str, None]] = {}
            for entity, keys in zip(self._entities, self._entity_keys, strict=True):
                pool = by_dep.setdefault(entity.departement, {})
                for key in keys:
                    pool[key] = None
            # Without a département, suggestions are looked for among names with the same
            # initial (article aside): typos rarely hit the first letter, and it divides the
            # work by 20.
            by_initial: dict[str, list[str]] = {}
            for key in self._by_name:
                by_initial.setdefault(_strip_article(key)[:1], []).append(key)
            self._fuzzy = ({dep: list(pool) for dep, pool in by_dep.items()}, by_initial)
        return self._fuzzy

    def _build_departements(self, referentiel: Referentiel) -> None:
        self._departement_codes: set[str] = {e.departement for e in self._entities} - {""}
        self._departement_by_key: dict[str, str] = {}
        frame = referentiel.departements
        if frame is None or "code" not in frame:
            return
        names = frame["nom"].tolist() if "nom" in frame else [""] * len(frame)
        for code, nom in zip(frame["code"].tolist(), names, strict=True):
            code = _text(code).upper()
            if not code:
                continue
            self._departement_codes.add(code)
            key = normalize_name(_text(nom))
            for variant in (key, _strip_article(key)):
                if variant:
                    self._departement_by_key.setdefault(variant, code)

    def _build_epci(self, referentiel: Referentiel) -> None:
        self._epci: dict[str, tuple[str, tuple[str, ...]]] = {}
        frame = referentiel.epci
        if frame is None or "siren" not in frame:
            return
        names = frame["nom"].tolist() if "nom" in frame else [""] * len(frame)
        members = frame["membres"].tolist() if "membres" in frame else [()] * len(frame)
        for siren, nom, membres in zip(frame["siren"].tolist(), names, members, strict=True):
            codes = tuple(_text(code) for code in (membres if membres is not None else ()))
            self._epci[_text(siren)] = (_text(nom), codes)

    def _search_index(self) -> None:
        """Build the autocomplete index on first use (a register check never needs it)."""
        if self._search_built:
            return
        self._search_built = True
        # One text of all names, one per line, sorted by population: str.find then runs in C
        # and meets the best-known communes first, so a search stops after `limit` hits.
        current = [i for i, e in enumerate(self._entities) if e.type in _CURRENT_TYPES]
        current.sort(key=lambda i: -self._entities[i].population)
        lines: list[str] = []
        self._search_line_entity: list[int] = []
        self._search_line_start: list[int] = []
        self._search_keys: dict[str, list[int]] = {}
        offset = 0
        for index in current:
            key = self._keys[index]
            for variant in dict.fromkeys((key, _strip_article(key))):
                lines.append(variant)
                self._search_line_entity.append(index)
                self._search_line_start.append(offset)
                offset += len(variant) + 1
                self._search_keys.setdefault(variant, []).append(index)
        self._search_text = "\n" + "\n".join(lines) + "\n"

    # ---------------------------------------------------------------- public methods

    def resolve_departement(self, text: str) -> str | None:
        """Return the code of a département given by code or name, or None if unknown.

        Parameters
        ----------
        text : str
            A code ("7", "07", "2a", "974") or a name, with or without article, case, accents
            or hyphens ("Ardèche", "corse du sud", "La Réunion", "Reunion").

        Returns
        -------
        str or None
            The code as in the référentiel ("07", "2A", "974"), or None.
        """
        text = _check_text("text", text)
        compact = _SPACES.sub("", text).upper()
        if not compact:
            return None
        float_match = _SPREADSHEET_FLOAT.match(compact)
        if float_match:
            compact = float_match[1]
        candidates = [compact]
        # Spreadsheets drop the leading zero of "07" too.
        if compact.isdigit() and len(compact) == 1:
            candidates.append(compact.zfill(2))
        for candidate in candidates:
            if candidate in self._departement_codes:
                return candidate
        key = normalize_name(text)
        return self._departement_by_key.get(key) or self._departement_by_key.get(
            _strip_article(key)
        )

    def resolve(
        self,
        codes: str = "",
        names: str = "",
        departement: str = "",
        epci: str = "",
        *,
        choices: Mapping[str, str] | None = None,
    ) -> Resolution:
        """Resolve the commune cells of one register row.

        Parameters
        ----------
        codes : str
            INSEE codes, several separated by ``;``, ``|``, ``,`` or line breaks.
        names : str
            Commune names, same separators; each may carry its département as
            "Saint-Denis (974)" or "Saint-Denis (La Réunion)".
        departement : str
            Département code(s) or name(s) used to find the names.
        epci : str
            SIREN of EPCI: expanded to their member communes when the row gives no commune
            code or name; otherwise checked, with a warning for a commune outside it.
        choices : mapping of str to str, optional
            Communes chosen by a person for names that do not settle it alone (ambiguous or
            unknown): :func:`choice_key` of the name as typed → INSEE code. A choice applies
            only where the name fails without it, with a warning that says so.

        Returns
        -------
        Resolution
            The INSEE codes (COM or ARM), deduplicated in input order (codes, then names, or
            EPCI members when neither is given) and the French messages.
        """
        codes = _check_text("codes", codes)
        names = _check_text("names", names)
        departement = _check_text("departement", departement)
        epci = _check_text("epci", epci)
        code_values, name_values, epci_values = (
            _split_cell(codes),
            _split_cell(names),
            _split_cell(epci),
        )
        if not (code_values or name_values or epci_values):
            return Resolution(
                (), (Message("error", "aucune commune (ni code INSEE, ni nom, ni EPCI)"),)
            )

        messages: list[Message] = []
        result: dict[str, None] = {}
        departements = self._row_departements(departement, messages)

        from_codes: list[str] = []
        for value in code_values:
            code = self._resolve_code(value, messages)
            if code is None:
                continue
            from_codes.append(code)
            entity = self._entities[self._by_code[code][0]]
            if departements and entity.departement not in departements:
                messages.append(
                    Message(
                        "warning",
                        f"{code} ({entity.nom}) est dans le département {entity.departement}, "
                        f"alors que la ligne indique {_departements_label(departements)}",
                    )
                )
        result.update(dict.fromkeys(from_codes))

        for value in name_values:
            code = self._resolve_name(value, departements, set(from_codes), messages, choices)
            if code is None:
                continue
            if from_codes and code not in from_codes:
                entity = self._entities[self._by_code[code][0]]
                messages.append(
                    Message(
                        "warning",
                        f"le nom « {value} » désigne {entity.nom} ({code}), absent des codes "
                        f"INSEE donnés ({', '.join(from_codes)}) : les deux sont retenus",
                    )
                )
            result[code] = None

        # An EPCI expands to its members only when the row names no commune: otherwise it is the
        # communes' context (a building in Doullens, in its communauté de communes), and
        # expanding it would count every member commune as covered.
        members: dict[str, None] = {}
        for value in epci_values:
            members.update(dict.fromkeys(self._resolve_epci(value, messages)))
        if not (code_values or name_values):
            result.update(members)
        elif members:
            for code in result:
                if code not in members and self._entities[self._by_code[code][0]].type != "ARM":
                    entity = self._entities[self._by_code[code][0]]
                    messages.append(
                        Message(
                            "warning",
                            f"{entity.nom} ({code}) n'est pas membre de l'EPCI indiqué "
                            f"({', '.join(epci_values)})",
                        )
                    )

        return Resolution(tuple(result), tuple(dict.fromkeys(messages)))

    def search(self, query: str, limit: int = 10) -> list[dict]:
        """Autocomplete communes and arrondissements by name or INSEE code.

        Parameters
        ----------
        query : str
            Start of a code ("2a0", "8025") or part of a name, normalised like
            :func:`normalize_name` ("st eti", "ferte").
        limit : int
            Maximum number of results (at least 1).

        Returns
        -------
        list of dict
            ``{"code", "nom", "departement"}``, best first: exact names, then names starting
            with the query, then names containing it, each by decreasing population; a fuzzy
            match is tried only when nothing contains the query.
        """
        query = _check_text("query", query)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError("limit doit être un entier positif")
        compact = _SPACES.sub("", query).upper()
        if not compact:
            return []
        if _CODE_PREFIX.match(compact):
            return self._search_code(compact, limit)
        key = normalize_name(query)
        if not key:
            return []
        self._search_index()
        found: dict[int, None] = dict.fromkeys(
            i for i in self._lookup_name(key) if self._entities[i].type in _CURRENT_TYPES
        )
        # Names starting with the query, then names containing it.
        for needle in ("\n" + key, key):
            for index in self._find_in_search_text(needle):
                if len(found) >= limit:
                    break
                found[index] = None
        if not found:
            matches = process.extract(
                key, list(self._search_keys), scorer=fuzz.ratio, limit=limit, score_cutoff=70
            )
            found = dict.fromkeys(i for k, _, _ in matches for i in self._search_keys[k])
        return [self._as_dict(i) for i in list(found)[:limit]]

    def _find_in_search_text(self, needle: str) -> Iterator[int]:
        """Entities whose search line contains `needle`, by decreasing population."""
        text = self._search_text
        position = text.find(needle)
        while position != -1:
            # Line n is preceded by the line break at start[n] and runs up to start[n + 1].
            line = bisect.bisect_right(self._search_line_start, position) - 1
            yield self._search_line_entity[line]
            position = text.find(needle, position + 1)

    # ---------------------------------------------------------------- resolution steps

    def _row_departements(self, cell: str, messages: list[Message]) -> tuple[str, ...]:
        """Départements of the row (a cell may list several for an intercommunal atelier)."""
        found: dict[str, None] = {}
        for value in _split_cell(cell):
            code = self.resolve_departement(value)
            if code is None:
                messages.append(Message("error", f"département inconnu : « {value} »"))
            else:
                found[code] = None
        return tuple(found)

    def _resolve_code(self, value: str, messages: list[Message]) -> str | None:
        """One INSEE code → code of a COM or ARM (repairing what can safely be repaired)."""
        code = _SPACES.sub("", value).upper()
        float_match = _SPREADSHEET_FLOAT.match(code)
        if float_match:
            code = float_match[1]
        repaired = False
        if code.isdigit() and len(code) == 4:
            code, repaired = "0" + code, True
        if not _COMMUNE_CODE.match(code):
            hint = (
                " ; ce nombre à 9 chiffres ressemble à un SIREN : mettez-le dans la colonne EPCI"
                if _SIREN.match(code)
                else " ; 5 caractères attendus, par exemple 01053 ou 2A004"
            )
            messages.append(Message("error", f"code INSEE mal formé : « {value} »{hint}"))
            return None
        indexes = self._by_code.get(code)
        if not indexes:
            messages.append(Message("error", f"code INSEE inconnu : « {value} »"))
            return None
        if repaired:
            messages.append(
                Message(
                    "warning",
                    f"code INSEE « {value} » complété en « {code} » "
                    "(zéro initial perdu, sans doute par un tableur)",
                )
            )
        entity = self._entities[indexes[0]]
        if entity.type in _CURRENT_TYPES:
            return code
        parent = self._parent_of(entity)
        if parent is None:
            messages.append(
                Message(
                    "error",
                    f"{code} ({entity.nom}) est une {_TYPE_LABELS[entity.type]} "
                    "sans commune de rattachement connue",
                )
            )
            return None
        messages.append(
            Message(
                "warning",
                f"{code} ({entity.nom}) est une {_TYPE_LABELS[entity.type]} "
                f"{_of(parent.nom)} ({parent.code}) : rattachée à {parent.code}",
            )
        )
        return parent.code

    def _resolve_name(
        self,
        value: str,
        departements: tuple[str, ...],
        hint_codes: set[str],
        messages: list[Message],
        choices: Mapping[str, str] | None = None,
    ) -> str | None:
        """One commune name → code; a person's choice settles a name that fails alone."""
        chosen = (choices or {}).get(choice_key(value))
        if chosen is None or chosen not in self._by_code:
            return self._resolve_plain_name(value, departements, hint_codes, messages)
        trial: list[Message] = []
        code = self._resolve_plain_name(value, departements, hint_codes, trial)
        if code is not None:
            messages.extend(trial)
            return code
        entity = self._entities[self._by_code[chosen][0]]
        messages.append(
            Message(
                "warning",
                f"« {value} » : commune choisie lors de l'import, "
                f"{entity.nom} ({entity.departement}, {entity.code})",
            )
        )
        return entity.code if entity.type in _CURRENT_TYPES else self._target(entity)

    def candidates(self, value: str, departement: str = "", limit: int = 8) -> list[dict]:
        """The communes a person may choose for a name that does not settle it alone.

        Parameters
        ----------
        value : str
            One commune name as typed (``"Saint-Denis"``, ``"Doulens (80)"``).
        departement : str
            The row's département cell, if any.
        limit : int
            Maximum number of candidates.

        Returns
        -------
        list of dict
            ``{"code", "nom", "departement", "population"}`` of current communes: the homonyms
            of an ambiguous name (most populous first), or the closest names of an unknown
            one; empty when the name resolves alone or nothing comes close.
        """
        value = _check_text("value", value)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError("limit doit être un entier positif")
        departements = self._row_departements(_check_text("departement", departement), [])
        trial: list[Message] = []
        if self._resolve_plain_name(value, departements, set(), trial) is not None:
            return []
        name, dep_text = self._split_name(value)
        if dep_text is not None and self.resolve_departement(dep_text):
            departements = (self.resolve_departement(dep_text),)
        key = normalize_name(name)
        if not key:
            return []
        found = self._lookup_name(key)
        if not found:
            by_dep, by_initial = self._fuzzy_pools()
            pools = [k for dep in departements for k in by_dep.get(dep, [])]
            pools = pools or by_initial.get(_strip_article(key)[:1], [])
            matches = process.extract(
                key, pools, scorer=fuzz.ratio, limit=limit, score_cutoff=_FUZZY_CUTOFF
            )
            found = [i for match_key, _, _ in matches for i in self._by_name[match_key]]
        in_departements = [i for i in found if self._entities[i].departement in departements]
        targets: dict[str, _Entity] = {}
        for index in in_departements or found:
            entity = self._entities[index]
            if entity.type not in _CURRENT_TYPES:
                entity = self._parent_of(entity)
            if entity is not None:
                targets.setdefault(entity.code, entity)
        ordered = sorted(targets.values(), key=lambda e: -e.population)[:limit]
        return [
            {"code": e.code, "nom": e.nom, "departement": e.departement, "population": e.population}
            for e in ordered
        ]

    def _resolve_plain_name(
        self,
        value: str,
        departements: tuple[str, ...],
        hint_codes: set[str],
        messages: list[Message],
    ) -> str | None:
        """One commune name → code, using the row's or the name's own département."""
        name, dep_text = self._split_name(value)
        if dep_text is not None:
            dep = self.resolve_departement(dep_text)
            if dep is None:
                messages.append(Message("error", f"département inconnu : « {dep_text} »"))
                return None
            departements = (dep,)
        key = normalize_name(name)
        if not key:
            messages.append(Message("error", f"nom de commune manquant : « {value} »"))
            return None
        candidates = self._lookup_name(key)
        if not candidates:
            messages.append(self._unknown_name(value, key, departements))
            return None
        if departements:
            in_departements = [
                i for i in candidates if self._entities[i].departement in departements
            ]
            if not in_departements:
                elsewhere = ", ".join(self._describe(i) for i in candidates[:_MAX_LISTED])
                messages.append(
                    Message(
                        "error",
                        f"commune inconnue dans {_departements_label(departements)} : "
                        f"« {value} » ; ce nom existe ailleurs : {elsewhere}",
                    )
                )
                return None
            candidates = in_departements
        chosen = self._choose(value, candidates, hint_codes, bool(departements), messages)
        if chosen is None:
            return None
        entity = self._entities[chosen]
        if entity.type in _CURRENT_TYPES:
            return entity.code
        parent = self._parent_of(entity)
        if parent is None:
            messages.append(
                Message(
                    "error",
                    f"{entity.nom} ({entity.code}) est une {_TYPE_LABELS[entity.type]} "
                    "sans commune de rattachement connue",
                )
            )
            return None
        messages.append(
            Message(
                "warning",
                f"{entity.nom} est une {_TYPE_LABELS[entity.type]} {_of(parent.nom)} "
                f"({parent.code}) : rattachée à {parent.code}",
            )
        )
        return parent.code

    def _choose(
        self,
        value: str,
        candidates: list[int],
        hint_codes: set[str],
        with_departement: bool,
        messages: list[Message],
    ) -> int | None:
        """Pick one entity among those bearing a name, or explain the ambiguity."""
        current_codes = {
            self._entities[i].code for i in candidates if self._entities[i].type in _CURRENT_TYPES
        }
        # A commune déléguée named like its own parent (Annecy) adds nothing: drop it silently.
        kept = [
            i
            for i in candidates
            if self._entities[i].type in _CURRENT_TYPES
            or self._target(self._entities[i]) not in current_codes
        ]
        targets = {self._target(self._entities[i]) for i in kept}
        if len(targets) == 1:
            return kept[0]
        # The row's INSEE codes say which homonym is meant.
        hinted = [i for i in kept if self._target(self._entities[i]) in hint_codes]
        if len({self._target(self._entities[i]) for i in hinted}) == 1:
            return hinted[0]
        current = [i for i in kept if self._entities[i].type in _CURRENT_TYPES]
        if len(current) == 1:
            # A living commune is what a register means; say which older names were set aside.
            others = ", ".join(self._describe(i) for i in kept if i != current[0])
            messages.append(
                Message(
                    "warning",
                    f"« {value} » rattachée à la commune {self._describe(current[0])} ; "
                    f"même nom que : {others}",
                )
            )
            return current[0]
        ordered = current + [i for i in kept if i not in current]
        listed = ", ".join(self._describe(i) for i in ordered[:_MAX_LISTED])
        if len(ordered) > _MAX_LISTED:
            listed += ", …"
        advice = "précisez le code INSEE" if with_departement else "précisez le département"
        messages.append(
            Message("error", f"« {value} » désigne plusieurs communes : {listed} ; {advice}")
        )
        return None

    def _resolve_epci(self, value: str, messages: list[Message]) -> tuple[str, ...]:
        """One SIREN → the member communes of the EPCI."""
        siren = _SPACES.sub("", value)
        float_match = _SPREADSHEET_FLOAT.match(siren)
        if float_match:
            siren = float_match[1]
        if not _SIREN.match(siren):
            messages.append(
                Message("error", f"SIREN d'EPCI mal formé : « {value} » (9 chiffres attendus)")
            )
            return ()
        if siren not in self._epci:
            messages.append(Message("error", f"EPCI inconnu : SIREN « {siren} »"))
            return ()
        nom, members = self._epci[siren]
        if not members:
            messages.append(
                Message("error", f"l'EPCI {nom} ({siren}) n'a aucune commune membre connue")
            )
        return members

    # ------------------------------------------------------------------------ helpers

    @staticmethod
    def _split_name(value: str) -> tuple[str, str | None]:
        """Split "Ferté-Gaucher (La) (77)" into ("La Ferté-Gaucher", "77")."""
        name, dep_text = value.strip(), None
        while name.endswith(")") and "(" in name:
            opening = name.rindex("(")
            inside, name = name[opening + 1 : -1].strip(), name[:opening].strip()
            if normalize_name(inside) in _ARTICLE_TOKENS:
                # "Ferté-Gaucher (La)" is the alphabetical form of "La Ferté-Gaucher".
                separator = "" if inside.endswith(("'", "’")) else " "
                name = f"{inside}{separator}{name}"
            elif dep_text is None:
                dep_text = inside
        return name, dep_text

    def _lookup_name(self, key: str) -> list[int]:
        """Entities bearing a normalised name, tolerating an article or an arrondissement form."""
        found = self._by_name.get(key)
        if found:
            return found
        stripped = _strip_article(key)
        if stripped != key and stripped in self._by_name:
            return self._by_name[stripped]
        match = _ARRONDISSEMENT.match(key)
        if match:
            index = self._arrondissements.get((match["city"], int(match["number"])))
            if index is not None:
                return [index]
        return []

    def _unknown_name(self, value: str, key: str, departements: tuple[str, ...]) -> Message:
        """Error for a name found nowhere, suggesting the closest names."""
        by_dep, by_initial = self._fuzzy_pools()
        if departements:
            choices = [k for dep in departements for k in by_dep.get(dep, [])]
            where = f"commune inconnue dans {_departements_label(departements)}"
        else:
            choices = by_initial.get(_strip_article(key)[:1], [])
            where = "commune inconnue"
        matches = process.extract(
            key, choices, scorer=fuzz.ratio, limit=_FUZZY_LIMIT, score_cutoff=_FUZZY_CUTOFF
        )
        suggested: dict[int, None] = {}
        for match_key, _, _ in matches:
            for index in self._by_name[match_key]:
                if not departements or self._entities[index].departement in departements:
                    suggested[index] = None
        text = f"{where} : « {value} »"
        if suggested:
            listed = ", ".join(
                self._describe(i, with_departement=not departements)
                for i in list(suggested)[:_FUZZY_LIMIT]
            )
            text += f". Vouliez-vous dire : {listed} ?"
        return Message("error", text)

    def _search_code(self, prefix: str, limit: int) -> list[dict]:
        self._search_index()
        exact = self._by_code.get(prefix, [])
        found = [i for i in exact if self._entities[i].type in _CURRENT_TYPES]
        others = sorted(
            (
                i
                for i in dict.fromkeys(self._search_line_entity)
                if self._entities[i].code.startswith(prefix) and i not in found
            ),
            key=lambda i: self._entities[i].code,
        )
        return [self._as_dict(i) for i in (found + others)[:limit]]

    def _parent_of(self, entity: _Entity) -> _Entity | None:
        for index in self._by_code.get(entity.parent, []):
            if self._entities[index].type in _CURRENT_TYPES:
                return self._entities[index]
        return None

    def _target(self, entity: _Entity) -> str:
        """Code an entity resolves to: itself for COM/ARM, its parent otherwise."""
        return entity.code if entity.type in _CURRENT_TYPES else entity.parent

    def _describe(self, index: int, with_departement: bool = True) -> str:
        """Name a commune: « Saint-Denis (93, 93066) », « Annecy-le-Vieux (74, 74011, commune déléguée) »."""
        entity = self._entities[index]
        parts = [entity.departement] if with_departement else []
        parts.append(entity.code)
        if entity.type in _TYPE_LABELS:
            parts.append(_TYPE_LABELS[entity.type])
        return f"{entity.nom} ({', '.join(parts)})"

    def _as_dict(self, index: int) -> dict:
        entity = self._entities[index]
        return {"code": entity.code, "nom": entity.nom, "departement": entity.departement}
