"""The programme configuration: vocabularies, steps, official figures and accords-cadres.

Everything is declared once in ``data/programme.toml``; this module only loads and checks it, so
a change of vocabulary or of an agreement's clauses is a change of data, not of code.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from atelierflash.paths import DATA_DIR
from atelierflash.texte import normalize_key

DEFAULT_PATH = DATA_DIR / "programme.toml"

RULES = ("single", "rotation", "cascade")
REFUSAL_EFFECTS = ("garde_son_tour", "perd_son_tour")
PHASES = ("candidature", "atelier", "suites")


class ProgrammeError(ValueError):
    """The programme configuration is inconsistent (French message)."""


@dataclass(frozen=True)
class Term:
    """One value of a vocabulary: stable key, French label and accepted spellings."""

    key: str
    label: str
    spellings: tuple[str, ...] = ()
    family: str | None = None


@dataclass(frozen=True)
class Vocabulary:
    """A closed list of terms, with the examples its test walks through."""

    name: str
    label: str
    terms: tuple[Term, ...]
    valid_examples: tuple[str, ...] = ()
    invalid_examples: tuple[str, ...] = ()
    _index: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, str] = {}
        for term in self.terms:
            for text in (term.key, term.label, *term.spellings):
                key = normalize_key(text)
                previous = index.setdefault(key, term.key)
                if previous != term.key:
                    raise ProgrammeError(
                        f"vocabulaire « {self.label} » : la graphie « {text} » désigne à la fois "
                        f"« {previous} » et « {term.key} »"
                    )
        self._index.update(index)

    def parse(self, text: object) -> str | None:
        """Return the key of the term ``text`` designates, or ``None``.

        Parameters
        ----------
        text : object
            A label, a key or an accepted spelling, compared case-, accent-, space- and
            punctuation-insensitively.
        """
        return self._index.get(normalize_key(text))

    def term(self, key: str) -> Term:
        """Return the term of ``key`` (``KeyError`` when unknown)."""
        for term in self.terms:
            if term.key == key:
                return term
        raise KeyError(key)

    def label_of(self, key: object) -> str:
        """French label of ``key``: the one way to show a vocabulary key.

        Parameters
        ----------
        key : object
            A key of this vocabulary, or a register cell (``None``, NaN or ``""`` when empty).

        Returns
        -------
        str
            The term's label; ``""`` for a missing value; the key itself when it is not one of
            this vocabulary (shown as written rather than hidden).

        Examples
        --------
        >>> v = Vocabulary("statuts", "Statut", (Term("en_cours", "En cours"),))
        >>> v.label_of("en_cours"), v.label_of(None), v.label_of(float("nan")), v.label_of("x")
        ('En cours', '', '', 'x')
        """
        if not isinstance(key, str) or not key:
            return ""
        for term in self.terms:
            if term.key == key:
                return term.label
        return key

    def keys(self) -> list[str]:
        """Keys in declaration order."""
        return [t.key for t in self.terms]

    def labels(self) -> list[str]:
        """French labels in declaration order (for messages listing accepted values)."""
        return [t.label for t in self.terms]


@dataclass(frozen=True)
class Step:
    """One step of an atelier's course, a date column of the register (``[[etapes]]``).

    Attributes
    ----------
    key : str
        Stable key (``"depot"``).
    label : str
        French label (« dépôt du dossier »).
    phase : str
        ``"candidature"``, ``"atelier"`` or ``"suites"`` (the points d'étape after the
        restitution, generated from ``[suivi]`` ``points_etape_mois``: see :class:`PointEtape`).
    column : str
        The register's canonical column (``"date_depot"``).
    headers : tuple of str
        Accepted headers; the first is the column's French header. Each is also read with or
        without a leading « Date de », « Date du »… (:func:`atelierflash.registre.column_for_header`).
    field : str
        Name of the parsed value in the validated ateliers: the column, unless the step says
        otherwise (``dates_bon_commande``).
    several : bool
        Whether a cell holds one or more dates (a tuple of ``PartialDate``), else one date.
    invalid_examples : tuple of str
        Headers that must not designate this step (its test walks them).
    """

    key: str
    label: str
    phase: str
    column: str
    headers: tuple[str, ...]
    field: str
    several: bool = False
    invalid_examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class PointEtape:
    """A point d'étape: the dated review of an atelier's actions, some months after its restitution.

    Declared by ``[suivi]`` ``points_etape_mois`` (6, 12, 24) and the header templates beside it.
    Its date is a column of the register, through a step generated after the ``[[etapes]]``
    (phase ``"suites"``), so reading, editing and the course's rules treat it as any step; the
    statut of each action on that date is a column of the actions table.

    Attributes
    ----------
    months : int
        Months after the restitution (the jalon).
    step : Step
        Its date: key ``point_<months>``, column ``date_point_etape_<months>``.
    statut_column : str
        The actions table's column of each action's statut then (``statut_<months>_mois``).
    statut_headers : tuple of str
        Accepted headers of that column; the first is its French label.
    statut_invalid_examples : tuple of str
        Headers that must not designate that column (its test walks them).
    """

    months: int
    step: Step
    statut_column: str
    statut_headers: tuple[str, ...]
    statut_invalid_examples: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """« point d'étape à 6 mois »."""
        return self.step.label


@dataclass(frozen=True)
class OfficialFigure:
    """A published figure, shown as such with its source and date."""

    key: str
    label: str
    value: int
    qualifier: str
    source: str
    url: str
    date: dt.date

    def display(self) -> str:
        """« plus de 500 » style text, with a thin space for thousands."""
        number = f"{self.value:,}".replace(",", "\u202f")
        return f"{self.qualifier} {number}".strip()


@dataclass(frozen=True)
class Member:
    """A firm inside a groupement, with its role."""

    name: str
    role: str


@dataclass(frozen=True)
class Holder:
    """A holder (titulaire) of an accord-cadre: a team and its groupement."""

    team: str
    confirmed: bool
    source: str
    members: tuple[Member, ...]


@dataclass(frozen=True)
class Agreement:
    """An accord-cadre: period, holders and allocation rule (its clauses are settings)."""

    key: str
    start: dt.date
    end: dt.date
    approximate_dates: bool
    source: str
    rule: str
    holders: tuple[Holder, ...]
    order: tuple[str, ...] = ()
    refusal: str = "garde_son_tour"
    second_order_counts: bool = False
    reset: str = "accord"

    def covers(self, day: dt.date) -> bool:
        """Whether ``day`` falls in the agreement's period."""
        return self.start <= day <= self.end

    def overlaps_year(self, year: int) -> bool:
        """Whether the agreement is in force at some point of ``year``."""
        return self.start.year <= year <= self.end.year

    def team_keys(self) -> tuple[str, ...]:
        """Keys of the holders' teams."""
        return tuple(h.team for h in self.holders)


@dataclass(frozen=True)
class Programme:
    """The whole configuration, as loaded from ``data/programme.toml``."""

    info: dict
    figures: dict[str, OfficialFigure]
    vocabularies: dict[str, Vocabulary]
    agreements: tuple[Agreement, ...]
    analyses: dict
    path: Path
    #: Statuts counted as selected (against the yearly target), from ``[statuts]``.
    selected_statuts: tuple[str, ...] = ("selectionne", "en_cours", "realise")
    #: Statuts published by default (the register's « public » column may withdraw a row).
    published_statuts: tuple[str, ...] = ("selectionne", "en_cours", "realise")
    #: Statuts never published, whatever the « public » column says.
    never_published_statuts: tuple[str, ...] = (
        "candidature",
        "eligible",
        "abandonne",
        "non_retenu",
    )
    #: The course's steps, in order (``[[etapes]]``, then the points d'étape's generated
    #: steps): each a date column of the register.
    etapes: tuple[Step, ...] = ()
    #: The points d'étape after the restitution (``[suivi]`` ``points_etape_mois``), in order.
    points_etape: tuple[PointEtape, ...] = ()
    #: Statuts of an action counted as started, and as realised, at a point d'étape
    #: (``[suivi]`` ``actions_demarrees`` and ``actions_realisees``).
    started_action_statuts: tuple[str, ...] = ("en_cours", "realise")
    realised_action_statuts: tuple[str, ...] = ("realise",)
    #: The course's published norms (``[parcours]``), e.g. ``animation_jours_max``.
    parcours: dict = field(default_factory=dict)
    #: The ``[suivi]`` settings as written (thresholds, delays measured); read and checked by
    #: :func:`atelierflash.analyse.suivi.suivi_settings`.
    suivi: dict = field(default_factory=dict)

    @property
    def launch_year(self) -> int:
        """The programme's first year (``annee_lancement`` of ``[programme]``).

        Yearly series, year checks and « depuis … » texts all start there.
        """
        return int(self.info["annee_lancement"])

    @property
    def statuts(self) -> Vocabulary:
        """The vocabulary of the statuts of an atelier (candidature … réalisé, abandonné)."""
        return self.vocabularies["statuts"]

    @property
    def echelles(self) -> Vocabulary:
        """The vocabulary of the scales of an atelier (bâtiment ou îlot … intercommunale)."""
        return self.vocabularies["echelles"]

    @property
    def themes(self) -> Vocabulary:
        """The vocabulary of the themes, each in a family."""
        return self.vocabularies["themes"]

    @property
    def familles(self) -> Vocabulary:
        """The vocabulary of the families of themes."""
        return self.vocabularies["familles"]

    @property
    def equipes(self) -> Vocabulary:
        """The vocabulary of the consultant teams."""
        return self.vocabularies["equipes"]

    @property
    def accords(self) -> Vocabulary:
        """The vocabulary of the framework agreements (accords-cadres)."""
        return self.vocabularies["accords"]

    @property
    def priorites(self) -> Vocabulary:
        """The vocabulary of the priority of a feuille de route's action (élevée … basse)."""
        return self.vocabularies["priorites"]

    @property
    def statuts_action(self) -> Vocabulary:
        """The vocabulary of the statut of an action (Territoires en Transitions' own)."""
        return self.vocabularies["statuts_action"]

    def point_etape(self, months: int) -> PointEtape:
        """The point d'étape of ``months`` (``KeyError`` when there is none)."""
        for point in self.points_etape:
            if point.months == months:
                return point
        raise KeyError(months)

    def step(self, key: str) -> Step:
        """The step of ``key`` (``KeyError`` when unknown)."""
        for step in self.etapes:
            if step.key == key:
                return step
        raise KeyError(key)

    @property
    def animation_days_max(self) -> int:
        """Most days on site an atelier should take (``animation_jours_max`` of ``[parcours]``)."""
        return int(self.parcours["animation_jours_max"])

    @property
    def duration_months_max(self) -> int:
        """Longest announced span of an atelier in months (``duree_mois_max`` of ``[programme]``)."""
        return int(self.info["duree_mois_max"])

    def agreement(self, key: str) -> Agreement:
        """The agreement of ``key`` (``KeyError`` when unknown)."""
        for agreement in self.agreements:
            if agreement.key == key:
                return agreement
        raise KeyError(key)

    def agreement_at(self, day: dt.date) -> Agreement | None:
        """The agreement in force on ``day``, if any."""
        return next((a for a in self.agreements if a.covers(day)), None)

    def agreements_in_year(self, year: int) -> list[Agreement]:
        """Agreements in force at some point of ``year`` (two around a change)."""
        return [a for a in self.agreements if a.overlaps_year(year)]

    def family_of(self, theme_key: str) -> str:
        """Key of the family a theme belongs to."""
        family = self.themes.term(theme_key).family
        assert family is not None  # checked at load time
        return family


def load_programme(path: str | Path | None = None) -> Programme:
    """Load and check the programme configuration.

    Parameters
    ----------
    path : str or Path, optional
        A TOML file; defaults to ``data/programme.toml`` of the project.

    Returns
    -------
    Programme

    Raises
    ------
    ProgrammeError
        With a French message when a reference is inconsistent (a theme with an unknown
        family, a holder with an unknown team, an unknown rule…).
    """
    path = Path(path) if path is not None else DEFAULT_PATH
    if not path.is_file():
        raise ProgrammeError(f"configuration du programme introuvable : {path}")
    raw = _read(path)
    vocabularies = {name: _vocabulary(name, spec) for name, spec in raw["vocabulaires"].items()}
    _check_families(vocabularies)
    agreements = tuple(_agreement(spec, vocabularies["equipes"]) for spec in raw["accords_cadres"])
    figures = {f["cle"]: _figure(f) for f in raw.get("chiffres_officiels", [])}
    parcours = dict(raw.get("parcours", {}))
    for name, where in (("animation_jours_max", parcours), ("duree_mois_max", raw["programme"])):
        if not isinstance(where.get(name), int) or where[name] <= 0:
            raise ProgrammeError(f"réglage « {name} » absent ou invalide (attendu un entier > 0)")
    points = _points(raw.get("suivi", {}))
    started, realised = _action_statut_settings(raw.get("suivi", {}), vocabularies)
    return Programme(
        info=raw.get("programme", {}),
        figures=figures,
        vocabularies=vocabularies,
        agreements=agreements,
        analyses=raw.get("analyses", {}),
        path=path,
        suivi=raw.get("suivi", {}),
        **_statut_settings(raw.get("statuts", {}), vocabularies["statuts"]),
        etapes=_course(raw, path, points),
        points_etape=points,
        started_action_statuts=started,
        realised_action_statuts=realised,
        parcours=parcours,
    )


def load_steps(path: str | Path | None = None) -> tuple[Step, ...]:
    """The course's steps alone, without checking the rest of the configuration.

    The register's column declaration (:data:`atelierflash.registre.COLUMNS`) is built from
    them when it is imported.

    Parameters
    ----------
    path : str or Path, optional
        A TOML file; defaults to ``data/programme.toml`` of the project.
    """
    path = Path(path) if path is not None else DEFAULT_PATH
    raw = _read(path)
    return _course(raw, path, _points(raw.get("suivi", {})))


def load_points_etape(path: str | Path | None = None) -> tuple[PointEtape, ...]:
    """The points d'étape alone (``[suivi]`` ``points_etape_mois``), without the rest.

    The actions' column declaration (:data:`atelierflash.actions.ACTIONS`) gets one statut
    column per point from them when it is imported.

    Parameters
    ----------
    path : str or Path, optional
        A TOML file; defaults to ``data/programme.toml`` of the project.
    """
    return _points(_read(Path(path) if path is not None else DEFAULT_PATH).get("suivi", {}))


def _read(path: Path) -> dict:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _course(raw: dict, path: Path, points: tuple[PointEtape, ...]) -> tuple[Step, ...]:
    """The course's steps: those of ``[[etapes]]``, then one per point d'étape."""
    return _steps(raw.get("etapes", []), path) + tuple(p.step for p in points)


def _points(spec: dict) -> tuple[PointEtape, ...]:
    """The points d'étape of ``[suivi]``: months, then headers from the ``{n}`` templates."""
    months = spec.get("points_etape_mois", [])
    if not isinstance(months, list) or any(
        isinstance(m, bool) or not isinstance(m, int) or m <= 0 for m in months
    ):
        raise ProgrammeError(
            f"[suivi] points_etape_mois : une liste de nombres entiers de mois est attendue, "
            f"pas « {months} »"
        )
    if months != sorted(set(months)):
        raise ProgrammeError(
            "[suivi] points_etape_mois : des mois croissants, chacun une fois (par exemple "
            f"[6, 12, 24]), pas {months}"
        )
    templates = {}
    for name in ("points_etape_entetes", "statut_point_entetes"):
        values = spec.get(name, [])
        if months and (not values or any("{n}" not in v for v in values)):
            raise ProgrammeError(
                f"[suivi] {name} : des en-têtes contenant « {{n}} » (le nombre de mois) sont "
                "attendus"
            )
        templates[name] = values
    fill = lambda texts, n: tuple(t.replace("{n}", str(n)) for t in texts)  # noqa: E731
    return tuple(
        PointEtape(
            months=n,
            step=Step(
                key=f"point_{n}",
                label=f"point d'étape à {n} mois",
                phase="suites",
                column=f"date_point_etape_{n}",
                headers=fill(templates["points_etape_entetes"], n),
                field=f"date_point_etape_{n}",
                invalid_examples=fill(spec.get("points_etape_exemples_invalides", ()), n),
            ),
            statut_column=f"statut_{n}_mois",
            statut_headers=fill(templates["statut_point_entetes"], n),
            statut_invalid_examples=fill(spec.get("statut_point_exemples_invalides", ()), n),
        )
        for n in months
    )


def _action_statut_settings(
    spec: dict, vocabularies: dict[str, Vocabulary]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``[suivi]`` ``actions_demarrees`` and ``actions_realisees``, checked."""
    known = vocabularies["statuts_action"].keys()
    found = []
    for name, default in (
        ("actions_demarrees", ("en_cours", "realise")),
        ("actions_realisees", ("realise",)),
    ):
        values = tuple(spec.get(name, default))
        unknown = [v for v in values if v not in known]
        if unknown or not values:
            raise ProgrammeError(
                f"[suivi] {name} : statut(s) d'action inconnu(s) ou liste vide : "
                f"{', '.join(map(str, unknown))} (statuts : {', '.join(known)})"
            )
        found.append(values)
    if not set(found[1]) <= set(found[0]):
        raise ProgrammeError(
            "[suivi] actions_realisees : une action réalisée compte aussi comme démarrée "
            "(chaque statut doit aussi figurer dans actions_demarrees)"
        )
    return found[0], found[1]


def _steps(specs: list, path: Path) -> tuple[Step, ...]:
    if not specs:
        raise ProgrammeError(f"{path.name} : aucune étape déclarée ([[etapes]])")
    steps: list[Step] = []
    for spec in specs:
        missing = [k for k in ("cle", "libelle", "phase", "colonne", "entetes") if k not in spec]
        if missing:
            raise ProgrammeError(
                f"étape « {spec.get('cle', '?')} » : champ(s) absent(s) : {', '.join(missing)}"
            )
        if spec["phase"] not in PHASES:
            raise ProgrammeError(
                f"étape « {spec['cle']} » : phase inconnue « {spec['phase']} » "
                f"(attendu {' ou '.join(PHASES)})"
            )
        if not spec["entetes"]:
            raise ProgrammeError(f"étape « {spec['cle']} » : aucun en-tête déclaré")
        steps.append(
            Step(
                key=spec["cle"],
                label=spec["libelle"],
                phase=spec["phase"],
                column=spec["colonne"],
                headers=tuple(spec["entetes"]),
                field=spec.get("champ", spec["colonne"]),
                several=bool(spec.get("plusieurs", False)),
                invalid_examples=tuple(spec.get("exemples_invalides", ())),
            )
        )
    for attribute in ("key", "column", "field"):
        values = [getattr(s, attribute) for s in steps]
        doubles = sorted({v for v in values if values.count(v) > 1})
        if doubles:
            raise ProgrammeError(f"étapes : « {', '.join(doubles)} » déclaré(s) deux fois")
    phases = [s.phase for s in steps]
    if phases != sorted(phases, key=PHASES.index):
        raise ProgrammeError("étapes : celles de la candidature viennent avant celles de l'atelier")
    return tuple(steps)


def _statut_settings(spec: dict, statuts: Vocabulary) -> dict[str, tuple[str, ...]]:
    """The ``[statuts]`` lists, each checked against the statuts vocabulary."""
    settings = {}
    for name, attribute in (
        ("selectionnes", "selected_statuts"),
        ("publies", "published_statuts"),
        ("jamais_publies", "never_published_statuts"),
    ):
        if name not in spec:
            raise ProgrammeError(f"[statuts] : la liste « {name} » est absente")
        values = tuple(spec[name])
        unknown = [v for v in values if v not in statuts.keys()]
        if unknown:
            raise ProgrammeError(
                f"[statuts] {name} : statut(s) inconnu(s) : {', '.join(unknown)} (statuts : "
                + ", ".join(statuts.keys())
                + ")"
            )
        settings[attribute] = values
    both = set(settings["published_statuts"]) & set(settings["never_published_statuts"])
    if both:
        raise ProgrammeError(
            f"[statuts] : {', '.join(sorted(both))} à la fois dans « publies » et « jamais_publies »"
        )
    return settings


def _vocabulary(name: str, spec: dict) -> Vocabulary:
    terms = tuple(
        Term(
            key=t["cle"],
            label=t["libelle"],
            spellings=tuple(t.get("graphies", ())),
            family=t.get("famille"),
        )
        for t in spec["termes"]
    )
    return Vocabulary(
        name=name,
        label=spec.get("libelle", name),
        terms=terms,
        valid_examples=tuple(spec.get("exemples_valides", ())),
        invalid_examples=tuple(spec.get("exemples_invalides", ())),
    )


def _check_families(vocabularies: dict[str, Vocabulary]) -> None:
    families = set(vocabularies["familles"].keys())
    for term in vocabularies["themes"].terms:
        if term.family not in families:
            raise ProgrammeError(
                f"thème « {term.label} » : famille inconnue « {term.family} » "
                f"(familles : {', '.join(sorted(families))})"
            )


def _agreement(spec: dict, teams: Vocabulary) -> Agreement:
    rule = spec.get("regle", "rotation")
    if rule not in RULES:
        raise ProgrammeError(f"accord-cadre {spec['cle']} : règle inconnue « {rule} »")
    holders = tuple(
        Holder(
            team=h["equipe"],
            confirmed=bool(h.get("confirme", False)),
            source=h.get("source", ""),
            members=tuple(Member(m["nom"], m.get("role", "")) for m in h.get("membres", ())),
        )
        for h in spec.get("titulaires", ())
    )
    known = set(teams.keys())
    for team in [h.team for h in holders] + list(spec.get("ordre", ())):
        if team not in known:
            raise ProgrammeError(f"accord-cadre {spec['cle']} : équipe inconnue « {team} »")
    refusal = spec.get("refus", "garde_son_tour")
    if refusal not in REFUSAL_EFFECTS:
        raise ProgrammeError(
            f"accord-cadre {spec['cle']} : réglage « refus » inconnu « {refusal} »"
        )
    order = tuple(spec.get("ordre", ()))
    if rule == "rotation" and sorted(order) != sorted(h.team for h in holders):
        raise ProgrammeError(
            f"accord-cadre {spec['cle']} : l'ordre du tourniquet doit citer chaque titulaire une fois"
        )
    return Agreement(
        key=spec["cle"],
        start=dt.date.fromisoformat(spec["debut"]),
        end=dt.date.fromisoformat(spec["fin"]),
        approximate_dates=bool(spec.get("dates_approximatives", False)),
        source=spec.get("source", ""),
        rule=rule,
        holders=holders,
        order=order,
        refusal=refusal,
        second_order_counts=bool(spec.get("second_bon_compte", False)),
        reset=spec.get("reinitialisation", "accord"),
    )


def _figure(spec: dict) -> OfficialFigure:
    return OfficialFigure(
        key=spec["cle"],
        label=spec["libelle"],
        value=int(spec["valeur"]),
        qualifier=spec.get("qualificatif", ""),
        source=spec["source"],
        url=spec.get("url", ""),
        date=dt.date.fromisoformat(spec["date"]),
    )
