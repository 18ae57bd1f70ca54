"""The register's columns, declared once: canonical name, French label, aliases, description.

Every other part of the register (reading, validation, the store, the demo, open data) takes
its columns from :data:`COLUMNS`. Headers are matched with :func:`normalize_key` (case-,
accent-, space- and punctuation-insensitive), so "Année de sélection", "ANNEE" and
"année_de_selection" all designate ``annee`` (:func:`column_for_header`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from atelierflash.programme import load_steps
from atelierflash.texte import normalize_key


@dataclass(frozen=True)
class Column:
    """One canonical column of the register.

    Attributes
    ----------
    name : str
        Canonical name, used as the DataFrame column name (``"communes_insee"``).
    label_fr : str
        French label for messages and templates.
    aliases : tuple of str
        Other accepted headers; matched through :func:`normalize_key`.
    description_fr : str
        What the column holds, in French.
    required : bool
        Whether a file without this column is refused.
    """

    name: str
    label_fr: str
    aliases: tuple[str, ...] = ()
    description_fr: str = ""
    required: bool = False

    def spellings(self) -> tuple[str, ...]:
        """Name, label and aliases: every header text that designates the column."""
        return (self.name, self.label_fr, *self.aliases)

    def aliases_display(self) -> str:
        """The aliases for a message, one per normalised key ("numéro" hides "numero")."""
        seen: dict[str, str] = {}
        for alias in self.aliases:
            seen.setdefault(normalize_key(alias), alias)
        return ", ".join(seen.values())


def _step_columns() -> tuple[Column, ...]:
    """One date column per step of the course, as ``data/programme.toml`` declares them."""
    columns = []
    for step in load_steps():
        dates = "une ou plusieurs dates séparées par « ; »" if step.several else "une date"
        what = f"Étape « {step.label} » ({step.phase})"
        if step.phase == "suites":
            what = (
                f"Date du {step.label} après la restitution, revue des actions de la feuille "
                "de route (leur statut ce jour-là : feuille Actions)"
            )
        columns.append(
            Column(
                step.column,
                step.headers[0],
                step.headers[1:],
                f"{what} : {dates} (JJ/MM/AAAA, AAAA-MM-JJ, MM/AAAA ou « mars 2024 »).",
            )
        )
    return tuple(columns)


COLUMNS: tuple[Column, ...] = (
    Column(
        "id",
        "Identifiant",
        ("identifiant", "n°", "nº", "numéro", "numero"),
        "Identifiant unique et stable de l'atelier (par exemple AF-DOULLENS-2024).",
        required=True,
    ),
    Column(
        "titre",
        "Titre",
        ("intitulé", "intitulé de l'atelier", "nom de l'atelier", "titre de l'atelier"),
        "Intitulé de l'atelier.",
        required=True,
    ),
    Column(
        "annee",
        "Année",
        ("année", "millésime", "année de sélection"),
        "Année de sélection de l'atelier (AAAA).",
    ),
    Column(
        "statut",
        "Statut",
        ("état",),
        "Candidature, éligible, sélectionné, en cours, réalisé, abandonné ou non retenue.",
        required=True,
    ),
    Column(
        "echelle",
        "Échelle",
        ("échelle",),
        "Bâtiment/îlot, communale ou intercommunale.",
    ),
    Column(
        "communes_insee",
        "Codes INSEE des communes",
        ("code insee", "codes insee", "code(s) insee", "code commune"),
        "Codes INSEE des communes concernées (5 caractères, séparés par « ; »).",
    ),
    Column(
        "communes",
        "Communes",
        ("commune", "commune(s)", "nom commune"),
        "Noms des communes concernées, séparés par « ; ».",
    ),
    Column(
        "departement",
        "Département",
        ("département", "dép", "dpt", "code département"),
        "Code du département (01, 2A, 974…), utile pour distinguer deux communes homonymes.",
    ),
    Column(
        "epci_siren",
        "EPCI (SIREN)",
        ("epci", "siren epci"),
        "SIREN de l'EPCI (9 chiffres), pour un atelier intercommunal.",
    ),
    Column(
        "themes",
        "Thèmes",
        ("thème", "thèmes", "thématique", "thématiques", "thématique(s)"),
        "Thèmes du programme, séparés par « ; ».",
    ),
    Column(
        "equipe",
        "Équipe",
        ("équipe", "groupement", "mandataire", "titulaire"),
        "Équipe (groupement titulaire de l'accord-cadre) chargée de l'atelier.",
    ),
    Column(
        "accord_cadre",
        "Accord-cadre",
        ("accord-cadre",),
        "Accord-cadre sous lequel le bon de commande est émis.",
    ),
    Column(
        "motif_derogation",
        "Motif de dérogation",
        ("motif", "motif hors tour"),
        "Motif documenté lorsqu'un titulaire est passé hors tour (défaillance, refus, conflit "
        "d'intérêts).",
    ),
    # The course's steps, one date column each: declared in data/programme.toml ([[etapes]]).
    *_step_columns(),
    Column(
        "montant_eur",
        "Montant (€)",
        ("montant", "montant (€)", "montant ht"),
        "Montant en euros (environ 20 000 € par atelier).",
    ),
    Column(
        "pilote",
        "Service pilote",
        ("service pilote",),
        "Service de l'État qui pilote l'atelier (DDT(M), D(R)EAL, DEAL, DGTM).",
    ),
    Column(
        "livrables",
        "Livrables",
        (),
        "Livrables convenus (feuille de route, esquisse de plan-guide…), séparés par « ; ».",
    ),
    Column(
        "description",
        "Description",
        (),
        "Présentation courte de l'atelier.",
    ),
    Column(
        "source_url",
        "Source (URL)",
        ("source", "url"),
        "Adresse de la page publique qui documente l'atelier.",
    ),
    Column(
        "public",
        "Public",
        ("publiable", "diffusion"),
        "« oui » si la ligne peut être publiée, « non » sinon.",
    ),
    Column(
        "notes_internes",
        "Notes internes",
        (),
        "Notes de suivi, jamais publiées.",
    ),
    Column(
        "fictif",
        "Fictif",
        (),
        "Colonne du registre de démonstration : « oui » sur les lignes fictives.",
    ),
)

COLUMNS_BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}

# A file must say where its ateliers are: codes, names, or the EPCI.
LOCATION_COLUMNS: tuple[str, ...] = ("communes_insee", "communes", "epci_siren")
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)

# The frame's own column for line numbers; an unknown header of that name gets a suffix.
LINE_COLUMN = "line"


@dataclass(frozen=True)
class ColumnSet:
    """The declared columns of one table of a workbook: the register's, or another's.

    The register is one such table (:data:`REGISTER`); the feuille de route's actions
    (:data:`atelierflash.actions.ACTIONS`) are another, read by the same
    :func:`atelierflash.registre.read_table`.

    Attributes
    ----------
    columns : tuple of Column
        In the order a table shows them.
    one_of : tuple of str
        Canonical names of which a file must have at least one (the register's location
        columns); empty when there is no such rule.
    one_of_reason : str
        What lacks when none of ``one_of`` is there (« aucune colonne ne situe les ateliers »).
    date_prefixed : frozenset of str
        Columns also recognised after a leading « Date de », « Date du »… (the register's
        steps: « Date du dépôt », « Date de restitution »).
    """

    columns: tuple[Column, ...]
    one_of: tuple[str, ...] = ()
    one_of_reason: str = ""
    date_prefixed: frozenset[str] = frozenset()
    _index: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for column in self.columns:
            for spelling in column.spellings():
                key = normalize_key(spelling)
                previous = self._index.setdefault(key, column.name)
                if previous != column.name:
                    # A programming error in a declaration: fail at import, not on a user file.
                    raise RuntimeError(
                        f"l'en-tête « {spelling} » désigne à la fois « {previous} » et "
                        f"« {column.name} »"
                    )

    @property
    def by_name(self) -> dict[str, Column]:
        """Canonical name → column."""
        return {c.name: c for c in self.columns}

    @property
    def required(self) -> tuple[str, ...]:
        """The canonical names of the required columns."""
        return tuple(c.name for c in self.columns if c.required)

    def column_for_header(self, header: str | None) -> str | None:
        """The canonical column a header designates, or ``None`` (see :func:`column_for_header`)."""
        key = normalize_key(header)
        found = self._index.get(key)
        if found is None and self.date_prefixed and (bare := _DATE_PREFIX.sub("", key)) != key:
            # « Date du dépôt », « Date de restitution »: a step read with or without « Date de ».
            found = self._index.get(bare)
            if found not in self.date_prefixed:
                found = None
        return found


_STEP_COLUMNS = frozenset(step.column for step in load_steps())
# On normalize_key() text: « Date d'éligibilité » → « date d eligibilite ».
_DATE_PREFIX = re.compile(r"^dates? (?:de la |de l |du |des |de |d |le |la )?")

#: The register's columns (a step's date is also read under « Date de … »).
REGISTER = ColumnSet(
    COLUMNS,
    LOCATION_COLUMNS,
    "aucune colonne ne situe les ateliers",
    date_prefixed=_STEP_COLUMNS,
)


def column_for_header(header: str | None) -> str | None:
    """Return the canonical column of the register a header designates, or ``None``.

    Parameters
    ----------
    header : str or None
        A header as written in a file ("Code(s) INSEE", "ANNEE", "année_de_selection").

    Returns
    -------
    str or None
        The canonical name (``"communes_insee"``), ``None`` for an unknown header.
    """
    return REGISTER.column_for_header(header)
