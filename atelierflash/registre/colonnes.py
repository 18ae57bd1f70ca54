"""The register's columns, declared once: canonical name, French label, aliases, description.

Every other part of the register (reading, validation, the store, the demo, open data) takes
its columns from :data:`COLUMNS`. Headers are matched with :func:`normalize_key` (case-,
accent-, space- and punctuation-insensitive), so "Année de sélection", "ANNEE" and
"année_de_selection" all designate ``annee`` (:func:`column_for_header`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
        "Candidature, éligible, sélectionné, en cours, réalisé ou abandonné.",
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
        "date_bon_commande",
        "Date du bon de commande",
        ("date bc", "date du bon de commande"),
        "Date d'émission du ou des bons de commande (JJ/MM/AAAA, séparées par « ; »).",
    ),
    Column(
        "motif_derogation",
        "Motif de dérogation",
        ("motif", "motif hors tour"),
        "Motif documenté lorsqu'un titulaire est passé hors tour (défaillance, refus, conflit "
        "d'intérêts).",
    ),
    Column(
        "date_debut",
        "Date de début",
        ("début", "date de début"),
        "Début de l'atelier (JJ/MM/AAAA ou MM/AAAA).",
    ),
    Column(
        "date_fin",
        "Date de fin",
        ("fin", "date de fin"),
        "Fin de l'atelier (JJ/MM/AAAA ou MM/AAAA).",
    ),
    Column(
        "dates_animation",
        "Dates d'animation",
        (),
        "Jours de l'animation sur site, séparés par « ; ».",
    ),
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
    """

    columns: tuple[Column, ...]
    one_of: tuple[str, ...] = ()
    one_of_reason: str = ""
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
        return self._index.get(normalize_key(header))


#: The register's columns.
REGISTER = ColumnSet(COLUMNS, LOCATION_COLUMNS, "aucune colonne ne situe les ateliers")


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
