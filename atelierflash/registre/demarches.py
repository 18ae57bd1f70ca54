"""Candidatures from a Démarches simplifiées export, read as register cells.

The State's forms service (« Démarches simplifiées », now also « Démarche numérique ») exports a
démarche's dossiers as CSV or XLSX: fixed columns (``ID``, ``Email``, ``État du dossier``,
``Déposé le``, ``Passé en instruction le``, ``Traité le``, ``Motivation de la décision``,
``Instructeurs``…, timestamps such as ``2026-03-12 14:03:22 +0100``), then one column per field
of the form, headed by its label.

:func:`atelierflash.registre.read_register` recognises such a file by its fixed headers
(:func:`is_export`) and turns it into canonical cells (:func:`to_register`), so that it goes
through the same validation, import and Données page as any register:

- ``id`` = ``DS-<ID>``; ``statut`` from the state (« Accepté » → éligible, « Refusé » → non
  retenue, « Classé sans suite » → abandonné, any other → candidature);
- ``date_depot`` = « Déposé le », ``date_eligibilite`` = « Traité le » (the decision), ``annee``
  = the dépôt's year; « Motivation de la décision » goes to the internal notes;
- the commune from a field holding INSEE codes, else from a name field (a postcode in brackets
  dropped) and a département field (« 80 - Somme » read as 80); the title, themes, scale… from
  fields whose label names them.

Every other column is dropped, never stored: the applicant's identity, e-mail addresses, the
instructors, free fields that may hold personal data. Cells stay text: nothing is evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from atelierflash.registre.colonnes import column_for_header
from atelierflash.texte import normalize_key

__all__ = ["STATES", "is_export", "to_register"]

# The fixed headers that identify an export (compared through normalize_key).
_MARKERS = ("id", "etat du dossier", "depose le")

#: The export's states (normalised) → the statut cell written (a label of the statuts
#: vocabulary of data/programme.toml); any other state is a candidature.
STATES = {
    "en construction": "candidature",
    "en instruction": "candidature",
    "accepte": "éligible",
    "refuse": "non retenue",
    "classe sans suite": "abandonné",
}
_DEFAULT_STATE = "candidature"

# Form fields read as register columns, when their label (normalised) names them.
_TITLE_LABELS = frozenset(
    {
        "intitule",
        "intitule du projet",
        "titre",
        "titre du projet",
        "nom du projet",
        "projet",
        "objet",
        "objet de la demande",
    }
)
# Register columns a form field may feed through its label (column_for_header): the rest come
# from the fixed columns or are the office's own (team, amounts, publication…).
_FIELD_COLUMNS = frozenset(
    {
        "titre",
        "echelle",
        "epci_siren",
        "themes",
        "description",
        "pilote",
        "date_interet",
        "date_contact_dgaln",
        "date_fiche_transmise",
        "date_courrier_elu",
        "date_courrier_prefet",
        "date_selection",
    }
)
_POSTCODE = re.compile(r"\s*\(\s*\d{5}\s*\)\s*$")
_DEPARTEMENT = re.compile(r"^\s*(\d{2,3}|2[abAB])\s*(?:[-–—:]\s*.*)?$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def is_export(header: Sequence[str]) -> bool:
    """Whether a header row is a Démarches simplifiées export's.

    Its fixed headers ``ID``, ``État du dossier`` and ``Déposé le`` are all there.

    Parameters
    ----------
    header : sequence of str
        The first row of a file, as read.
    """
    keys = {normalize_key(h) for h in header}
    return all(marker in keys for marker in _MARKERS)


def _field_column(label: str) -> str | None:
    """The register column a form field feeds, or ``None`` (dropped)."""
    key = normalize_key(label)
    if "insee" in key:
        return "communes_insee"
    if "departement" in key:
        return "departement"
    if "siren" in key and "epci" in key:
        return "epci_siren"
    if re.search(r"\bcommunes?\b", key):
        return "communes"
    if key in _TITLE_LABELS:
        return "titre"
    if re.search(r"\bthem(e|es|atique|atiques)\b", key):
        return "themes"
    canonical = column_for_header(label)
    return canonical if canonical in _FIELD_COLUMNS else None


def _day(text: str) -> str:
    """A timestamp's day (« 2026-03-12 14:03:22 +0100 » → « 2026-03-12 »); other text unchanged.

    The register keeps the day, as a person would type it; a text that is not a timestamp stays
    as written, so that validation reports it.
    """
    match = _DAY.match(text)
    if match and re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:[T ].*)?", text):
        return text[:10]
    return text


def _departement(text: str) -> str:
    match = _DEPARTEMENT.match(text)
    return match.group(1).upper() if match else text


def _insee(text: str) -> str:
    # A spreadsheet drops the leading zero of « 01053 ».
    return f"0{text}" if re.fullmatch(r"\d{4}", text) else text


def to_register(
    header: Sequence[str],
    records: Sequence[tuple[int, Sequence[str]]],
) -> tuple[list[str], list[tuple[int, list[str]]], dict[str, str]]:
    """Turn an export's rows into register cells.

    Parameters
    ----------
    header : sequence of str
        The export's header row.
    records : sequence of (int, sequence of str)
        Each data row's line in the file and its text cells.

    Returns
    -------
    header : list of str
        Canonical column names.
    records : list of (int, list of str)
        The rows' cells under those columns, their lines unchanged.
    origins : dict of str to str
        Canonical column → the export's header it comes from (for messages and diffs).
    """
    keys = [normalize_key(h) for h in header]
    fixed = {key: index for index, key in reversed(list(enumerate(keys)))}
    sources: dict[str, int] = {}  # canonical column → index in the export
    origins: dict[str, str] = {}
    for canonical, key in (
        ("id", "id"),
        ("statut", "etat du dossier"),
        ("date_depot", "depose le"),
        ("date_eligibilite", "traite le"),
        ("notes_internes", "motivation de la decision"),
    ):
        if key in fixed:
            sources[canonical] = fixed[key]
            origins[canonical] = header[fixed[key]]
    fixed_indexes = set(sources.values())
    for index, label in enumerate(header):
        if index in fixed_indexes or not label:
            continue
        canonical = _field_column(label)
        if canonical is not None and canonical not in sources:
            sources[canonical] = index
            origins[canonical] = label
    columns = ["id", "titre", "annee", "statut", *(c for c in sources if c not in _OWN)]

    def cell(cells: Sequence[str], canonical: str) -> str:
        index = sources.get(canonical)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    out: list[tuple[int, list[str]]] = []
    for line, cells in records:
        ident = cell(cells, "id")
        deposited = _day(cell(cells, "date_depot"))
        values = {
            "id": f"DS-{ident}" if ident else "",
            "titre": cell(cells, "titre") or (f"Dossier n° {ident}" if ident else ""),
            "annee": deposited[:4] if re.fullmatch(r"\d{4}-\d{2}-\d{2}", deposited) else "",
            "statut": STATES.get(normalize_key(cell(cells, "statut")), _DEFAULT_STATE),
        }
        for canonical in columns[4:]:
            values[canonical] = cell(cells, canonical)
        values["date_depot"] = deposited
        if "date_eligibilite" in values:
            values["date_eligibilite"] = _day(values["date_eligibilite"])
        if "communes_insee" in values:
            values["communes_insee"] = _insee(values["communes_insee"])
        if "departement" in values:
            values["departement"] = _departement(values["departement"])
        if "communes" in values:
            values["communes"] = _POSTCODE.sub("", values["communes"])
        if values.get("communes_insee"):
            # The code settles the commune: a name or département beside it could only disagree.
            for name in ("communes", "departement"):
                if name in values:
                    values[name] = ""
        out.append((line, [values.get(c, "") for c in columns]))
    return columns, out, origins


# Columns always written, whatever the export holds.
_OWN = frozenset({"id", "titre", "annee", "statut"})
