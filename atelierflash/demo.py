"""A seeded fictional register on real communes, in the published shape of the programme.

The demonstration register lets every page work without a real register. It follows the public
facts of the programme (data/programme.toml): 114 ateliers « réalisés » selected from
2019 to 2025, about 30 selections a year once the programme was up to speed, more than 500
communes, three échelles, the nine themes, about 20 000 € per atelier, one or two bons de
commande per atelier, 4 to 8 months per atelier and 2 or 3 days on site. Teams follow each
accord-cadre's rule through :mod:`atelierflash.analyse.rotation`, with a handful of documented
exceptions (``motif_derogation``), so the tourniquet audit has something true to find.

Every row is fictional and says so three times: the title ends with « (fictif) », the
description starts with « Atelier fictif généré pour la démonstration. » and ``fictif`` is
« oui ». The communes, EPCI and départements are real.

The register's feuilles de route, a second table (:mod:`atelierflash.actions`), are generated
from the register's rows by :func:`generate_demo_actions` and written beside it
(:func:`actions_path_of`): 3 to 7 actions for each realised atelier, a short plan for an atelier
whose restitution was just held, none before. Every action text ends with « (fictif) ». Their
points d'étape (6, 12, 24 months after the restitution, most held, a few due) are dates of the
register, and each action's statut at them leads to its current statut.

The output only depends on the référentiel, the programme and the seed: inputs are sorted, random
draws come from one ``numpy.random.default_rng(seed)`` in a fixed sequence (the steps and the
actions from their own, so that adding them changed nothing else), and dates are placed relative
to :data:`REFERENCE_DATE`, never to today.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from atelierflash import ecriture, registre
from atelierflash.actions import ACTIONS
from atelierflash.analyse.rotation import Order, RotationState
from atelierflash.paths import DATA_DIR
from atelierflash.programme import Agreement, Programme
from atelierflash.referentiel import Referentiel

REFERENCE_DATE = dt.date(2026, 11, 29)
DEFAULT_SEED = 2019
DEFAULT_PATH = DATA_DIR / "demo" / "ateliers_demo.csv"

# The register's canonical columns, in order: declared once, in registre.COLUMNS.
DEMO_COLUMNS = tuple(column.name for column in registre.COLUMNS)
#: The feuilles de route's columns, in order: declared once, in actions.ACTIONS.
DEMO_ACTION_COLUMNS = tuple(column.name for column in ACTIONS.columns)

# Ateliers per year of selection and statut. Réalisés sum to the official 114 (2019–2025); the
# selections ramp up from the official 5 of 2019 to about 30 a year. The last realised year
# still has ateliers « en cours » (ordered in its second half) and a couple waiting for a bon.
PLAN: dict[int, dict[str, int]] = {
    2019: {"realise": 5},
    2020: {"realise": 10, "abandonne": 1},
    2021: {"realise": 15, "abandonne": 1},
    2022: {"realise": 20, "abandonne": 1},
    2023: {"realise": 23, "abandonne": 2},
    2024: {"realise": 27, "abandonne": 1},
    2025: {"realise": 14, "en_cours": 11, "selectionne": 2, "abandonne": 1},
    2026: {"en_cours": 17, "selectionne": 11, "abandonne": 2, "eligible": 2, "candidature": 3},
    2027: {"eligible": 2, "candidature": 5},
}
# Statuts whose ateliers have bons de commande, hence a team.
ORDERED_STATUTS = ("realise", "en_cours")

ECHELLE_SHARES = {"batiment_ilot": 0.30, "communale": 0.45, "intercommunale": 0.25}

# Main-theme weights: revitalisation is by far the most frequent demand.
THEME_WEIGHTS = {
    "revitalisation": 0.30,
    "entrees_ville": 0.07,
    "friches": 0.15,
    "patrimoine": 0.08,
    "logement": 0.10,
    "mobilites": 0.06,
    "economie": 0.10,
    "ecosystemes": 0.07,
    "risques": 0.07,
}
# A building or an îlot is more often a friche or a heritage site; an EPCI thinks in networks.
THEME_BOOST = {
    "batiment_ilot": {"friches": 2.5, "patrimoine": 1.5, "mobilites": 0.4},
    "intercommunale": {"ecosystemes": 1.8, "risques": 1.8, "mobilites": 1.8, "friches": 0.6},
}
THEME_COUNT_P = (0.30, 0.45, 0.25)  # 1, 2 or 3 themes

N_EXCEPTIONS = 4
UNPUBLISHED = 3
SECOND_ORDER_SHARE = 0.10
AMOUNT_STEPS = np.arange(17000, 24001, 500)
DROM = ("971", "972", "973", "974", "976")

# Départements served by a DDTM (coastal) rather than a DDT.
# fmt: off
_DDTM = frozenset((
    "06", "11", "13", "14", "17", "22", "27", "29", "2A", "2B", "30", "33", "34",
    "35", "40", "44", "50", "56", "59", "62", "64", "66", "76", "80", "83", "85",
))
# fmt: on
_DRIEAT = frozenset(("75", "92", "93", "94"))

MOTIFS = (
    "Refus du titulaire attendu ({team}) : plan de charge complet",
    "Conflit d'intérêts du titulaire attendu ({team}) : mission en cours pour la commune",
    "Titulaire attendu ({team}) indisponible aux dates d'atelier retenues par la collectivité",
    "Refus du titulaire attendu ({team}) : compétence paysage non mobilisable dans le délai",
    "Conflit d'intérêts du titulaire attendu ({team}) : membre du groupement maître d'œuvre sur le site",
)

# (site: bâtiment/îlot, commune, territoire: intercommunale) title templates per theme.
TITLES = {
    "revitalisation": (
        "Réinvestir un îlot du centre {de}",
        "Revitaliser le centre-bourg {de}",
        "Revitaliser les centres-bourgs du territoire {de}",
    ),
    "entrees_ville": (
        "Transformer la zone commerciale d'entrée de ville {de}",
        "Requalifier les entrées de ville {de}",
        "Des entrées de ville apaisées pour le territoire {de}",
    ),
    "friches": (
        "Reconvertir l'ancienne usine {de}",
        "Reconquérir les friches {de}",
        "Une stratégie pour les friches du territoire {de}",
    ),
    "patrimoine": (
        "Redonner vie à l'îlot historique {de}",
        "Valoriser le patrimoine {de}",
        "Un patrimoine en partage pour le territoire {de}",
    ),
    "logement": (
        "Habiter l'îlot ancien {de}",
        "Adapter l'offre de logements {de}",
        "Habiter autrement le territoire {de}",
    ),
    "mobilites": (
        "Réaménager le quartier de la gare {de}",
        "Repenser les mobilités {de}",
        "Des mobilités du quotidien pour le territoire {de}",
    ),
    "economie": (
        "Un tiers-lieu pour l'ancienne halle {de}",
        "Conforter l'économie locale {de}",
        "Une économie sociale et solidaire pour le territoire {de}",
    ),
    "ecosystemes": (
        "Renaturer le cœur d'îlot {de}",
        "Faire entrer la nature dans le bourg {de}",
        "Préserver les ressources naturelles du territoire {de}",
    ),
    "risques": (
        "Reconstruire le quartier bas {de} face aux crues",
        "Réduire la vulnérabilité {de} aux inondations",
        "Gérer les risques naturels du territoire {de}",
    ),
}

EXTRA_DELIVERABLES = ("Cahier des charges", "Charte", "Supports de communication")

NOTES = (
    "Relance de la DDT pour la fiche synthétique.",
    "Restitution à distance reportée d'un mois à la demande de la commune.",
    "Élus très mobilisés ; prévoir une suite en Atelier des territoires.",
    "Salle de la restitution à confirmer avec la mairie.",
    "Vérifier le périmètre avec l'EPCI avant publication.",
    "Lettre du préfet reçue ; lettre du maire attendue.",
)
EXCEPTION_NOTE = "Dérogation au tourniquet : échange avec le titulaire attendu archivé."


@dataclass
class _Atelier:
    """One row under construction (internal)."""

    annee: int
    statut: str
    echelle: str = ""
    departement: str = ""
    codes: list[str] = field(default_factory=list)
    epci: str = ""
    themes: list[str] = field(default_factory=list)
    orders: list[dt.date] = field(default_factory=list)
    start: dt.date | None = None
    end: dt.date | None = None
    end_shown: bool = True
    animation: list[dt.date] = field(default_factory=list)
    id: str = ""
    team: str = ""
    agreement: str = ""
    motif: str = ""
    amount: int | None = None


@dataclass
class _Pool:
    """The référentiel's COM rows as sorted arrays, with the generator's bookkeeping."""

    codes: np.ndarray
    names: np.ndarray
    departements: np.ndarray
    regions: np.ndarray
    epcis: np.ndarray
    populations: np.ndarray
    weights: np.ndarray
    index: dict[str, int]
    members: dict[str, tuple[str, ...]]
    epci_names: dict[str, str]
    departement_names: dict[str, str]
    used: np.ndarray
    used_epci: set[str] = field(default_factory=set)


def generate_demo(referentiel: Referentiel, programme: Programme, seed: int) -> pd.DataFrame:
    """Generate the fictional demonstration register.

    Parameters
    ----------
    referentiel : Referentiel
        Real communes and EPCI to place the ateliers on. A small référentiel works too:
        communes are then reused.
    programme : Programme
        Vocabularies (labels written in the cells) and accords-cadres (rules followed by teams).
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same frame.

    Returns
    -------
    pandas.DataFrame
        Text cells only, columns :data:`DEMO_COLUMNS` in order, rows sorted by ``id``.
    """
    rng = np.random.default_rng(seed)
    pool = _pool(referentiel)
    ateliers = _skeleton(rng)
    _place(ateliers, pool, rng)
    for atelier in ateliers:
        atelier.themes = _themes(atelier.echelle, rng)
    _schedule(ateliers, programme, rng)
    _number(ateliers, rng)
    _allocate(ateliers, programme, rng)
    for atelier in ateliers:
        if atelier.orders:
            atelier.amount = int(rng.choice(AMOUNT_STEPS))
    rows = [_row(atelier, pool, programme) for atelier in ateliers]
    _sprinkle(rows, ateliers, rng)
    # The steps draw from their own generator: the rest of the register stays as it was.
    _steps(rows, ateliers, programme, np.random.default_rng([seed, 18]))
    # The points d'étape (issue 19 §2) too, after the restitutions the steps placed.
    _points_etape(rows, programme, np.random.default_rng([seed, 19, 2]))
    # A column the generator does not fill (a step it does not date) stays empty text.
    rows = [{column: row.get(column, "") for column in DEMO_COLUMNS} for row in rows]
    frame = pd.DataFrame(rows, columns=list(DEMO_COLUMNS))
    frame = frame.sort_values("id", kind="stable")
    return frame.reset_index(drop=True).astype(str)


def write_demo(
    path: str | Path, referentiel: Referentiel, programme: Programme, seed: int = DEFAULT_SEED
) -> pd.DataFrame:
    """Generate the demonstration register and its feuilles de route; write both as UTF-8 CSV.

    Parameters
    ----------
    path : str or Path
        Target file of the register; its folder is created when missing. The actions go to
        :func:`actions_path_of` (``actions_demo.csv`` beside ``ateliers_demo.csv``).
    referentiel, programme, seed
        See :func:`generate_demo`.

    Returns
    -------
    pandas.DataFrame
        The register written (the same seed writes byte-identical files).
    """
    frame = generate_demo(referentiel, programme, seed)
    actions = generate_demo_actions(frame, programme, seed)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_csv(path, frame)
    _write_csv(actions_path_of(path), actions)
    return frame


def actions_path_of(path: str | Path) -> Path:
    """Where the feuilles de route of a demonstration register written at ``path`` go.

    ``…/ateliers_demo.csv`` → ``…/actions_demo.csv``; any other name gains ``_actions``
    (``registre.csv`` → ``registre_actions.csv``).
    """
    path = Path(path)
    if path.stem.startswith("ateliers_"):
        return path.with_name("actions_" + path.stem.removeprefix("ateliers_") + ".csv")
    return path.with_name(path.stem + "_actions.csv")


def _write_csv(path: Path, frame: pd.DataFrame) -> None:
    # A register, not a download: the register's own CSV form (comma, no BOM), written whole
    # or not at all by the one file writer. Generated text only: no cell starts a formula.
    text = frame.to_csv(index=False, lineterminator="\n")
    ecriture.write_bytes(path, text.encode("utf-8"))


def generated_exceptions(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows generated as documented exceptions to the tourniquet.

    Parameters
    ----------
    frame : pandas.DataFrame
        A demonstration register (:func:`generate_demo` or the CSV read as text).

    Returns
    -------
    pandas.DataFrame
        The rows with a non-empty ``motif_derogation``: exactly the ateliers whose first bon
        the audit must flag as a documented deviation (a second bon follows the first one).
    """
    motif = frame["motif_derogation"].fillna("").astype(str).str.strip()
    return frame[motif != ""]


# -- the plan ----------------------------------------------------------------------------------
def _skeleton(rng: np.random.Generator) -> list[_Atelier]:
    """Years and statuts from :data:`PLAN`, with échelles in their exact shares."""
    ateliers = [
        _Atelier(annee=year, statut=statut)
        for year in sorted(PLAN)
        for statut, count in PLAN[year].items()
        for _ in range(count)
    ]
    # Shares hold within the réalisés on their own, so that they alone pass 500 communes.
    for group in (
        [a for a in ateliers if a.statut == "realise"],
        [a for a in ateliers if a.statut != "realise"],
    ):
        echelles = _exact_shares(ECHELLE_SHARES, len(group))
        for atelier, echelle in zip(group, rng.permutation(echelles), strict=True):
            atelier.echelle = str(echelle)
    return ateliers


def _exact_shares(shares: dict[str, float], n: int) -> list[str]:
    """``n`` labels in the given shares (largest remainders)."""
    raw = {key: share * n for key, share in shares.items()}
    counts = {key: int(value) for key, value in raw.items()}
    by_remainder = sorted(raw, key=lambda key: (counts[key] - raw[key], key))
    for key in by_remainder[: n - sum(counts.values())]:
        counts[key] += 1
    return [key for key in shares for _ in range(counts[key])]


# -- communes ----------------------------------------------------------------------------------
def _pool(referentiel: Referentiel) -> _Pool:
    communes = referentiel.communes
    com = communes[(communes["type"] == "COM") & communes["departement"].notna()]
    # Metropolitan départements and the five DROM: the collectivités d'outre-mer are not served.
    departement = com["departement"].astype(str)
    com = com[(departement.str.len() == 2) | departement.isin(DROM)]
    com = com.sort_values("code", kind="stable")
    population = pd.to_numeric(com["population"], errors="coerce").to_numpy(dtype=float)
    epcis = np.array([_text(v) for v in com["epci_siren"]], dtype=object)
    codes = com["code"].astype(str).to_numpy(dtype=object)
    members: dict[str, tuple[str, ...]] = {}
    epci_names: dict[str, str] = {}
    for siren, name, listed in zip(
        referentiel.epci["siren"], referentiel.epci["nom"], referentiel.epci["membres"], strict=True
    ):
        members[str(siren)] = tuple(sorted(str(code) for code in listed))
        epci_names[str(siren)] = str(name)
    departement_names = {
        str(code): str(name)
        for code, name in zip(
            referentiel.departements["code"], referentiel.departements["nom"], strict=True
        )
    }
    return _Pool(
        codes=codes,
        names=com["nom"].astype(str).to_numpy(dtype=object),
        departements=com["departement"].astype(str).to_numpy(dtype=object),
        regions=np.array([_text(v) for v in com["region"]], dtype=object),
        epcis=epcis,
        populations=population,
        weights=_population_weights(population),
        index={code: i for i, code in enumerate(codes)},
        members=members,
        epci_names=epci_names,
        departement_names=departement_names,
        used=np.zeros(len(codes), dtype=bool),
    )


def _population_weights(population: np.ndarray) -> np.ndarray:
    """Small towns (1 000–20 000 inhabitants) first; villages and cities now and then."""
    weights = np.full(population.shape, 0.03)
    weights[(population >= 300) & (population < 1000)] = 0.25
    weights[(population > 20000) & (population <= 60000)] = 0.25
    weights[(population >= 1000) & (population <= 20000)] = 1.0
    weights[np.isnan(population)] = 0.03
    return weights


def _place(ateliers: list[_Atelier], pool: _Pool, rng: np.random.Generator) -> None:
    """Choose each atelier's département, then its commune(s)."""
    departements = sorted(set(pool.departements.tolist()))
    region_of = {d: r for d, r in zip(pool.departements, pool.regions, strict=True)}
    regions = sorted(set(region_of.values()))
    # A département without any small town (Paris) is rarely chosen.
    has_town = {
        d: bool(((pool.departements == d) & (pool.weights == 1.0)).any()) for d in departements
    }
    dep_weights = np.array([1.0 if has_town[d] else 0.1 for d in departements])
    # An intercommunal atelier needs an EPCI with at least 3 member communes in the département.
    sizes = Counter(zip(pool.epcis.tolist(), pool.departements.tolist(), strict=True))
    grouped = {d for (siren, d), n in sizes.items() if siren and n >= 3}
    group_weights = dep_weights * [d in grouped for d in departements]
    if not group_weights.sum():  # a hand-drawn référentiel: no such EPCI anywhere
        group_weights = dep_weights
    # Every région (Corsica and each DROM included) gets at least one réalisé atelier, placed on
    # a commune or a site so that the forced département never lacks an EPCI.
    forced = []
    for region in regions:
        inside = np.array([region_of[d] == region for d in departements])
        weights = dep_weights * inside
        forced.append(str(rng.choice(departements, p=weights / weights.sum())))
    realised = [a for a in ateliers if a.statut == "realise"]
    hosts = [a for a in realised if a.echelle != "intercommunale"] or realised
    for k, departement in zip(rng.permutation(len(hosts)), forced, strict=False):
        hosts[int(k)].departement = departement
    for atelier in ateliers:
        if not atelier.departement:
            weights = group_weights if atelier.echelle == "intercommunale" else dep_weights
            atelier.departement = str(rng.choice(departements, p=weights / weights.sum()))
    # Réalisés first: they get the unused communes, hence the « more than 500 ».
    for atelier in sorted(ateliers, key=lambda a: a.statut != "realise"):
        if atelier.echelle == "intercommunale":
            _place_intercommunal(atelier, pool, rng)
        else:
            index = _pick_commune(
                pool, np.flatnonzero(pool.departements == atelier.departement), rng
            )
            atelier.codes = [str(pool.codes[index])]
            atelier.epci = str(pool.epcis[index])


def _pick_commune(pool: _Pool, candidates: np.ndarray, rng: np.random.Generator) -> int:
    """One commune among ``candidates``, weighted by population, unused ones first."""
    fresh = candidates[~pool.used[candidates]]
    if len(fresh):
        candidates = fresh
    weights = pool.weights[candidates]
    index = int(rng.choice(candidates, p=weights / weights.sum()))
    pool.used[index] = True
    return index


def _place_intercommunal(atelier: _Atelier, pool: _Pool, rng: np.random.Generator) -> None:
    """A commune of a real EPCI, and 3 to 25 members of that EPCI in the same département."""
    in_dep = np.flatnonzero(pool.departements == atelier.departement)

    def same_dep_members(siren: str) -> list[int]:
        found = (pool.index.get(code) for code in pool.members.get(siren, ()))
        return [i for i in found if i is not None and pool.departements[i] == atelier.departement]

    sizes = {s: len(same_dep_members(s)) for s in sorted(set(pool.epcis[in_dep])) if s}
    # Prefer an unused EPCI with at least 3 members here; fall back step by step.
    candidates = np.array([], dtype=int)
    for accept in (
        lambda s: s not in pool.used_epci and sizes[s] >= 3,
        lambda s: sizes[s] >= 3,
        lambda s: sizes[s] >= 1,
    ):
        chosen = {s for s in sizes if accept(s)}
        candidates = np.array([i for i in in_dep if pool.epcis[i] in chosen], dtype=int)
        if len(candidates):
            break
    if not len(candidates):
        candidates = in_dep
    main = _pick_commune(pool, candidates, rng)
    siren = str(pool.epcis[main])
    pool.used_epci.add(siren)
    others = [i for i in same_dep_members(siren) if i != main]
    target = min(3 + int(rng.binomial(22, 0.8)), len(others) + 1)
    fresh = [i for i in others if not pool.used[i]]
    stale = [i for i in others if pool.used[i]]
    picked = list(rng.permutation(fresh))[: target - 1]
    if len(picked) < target - 1:
        picked += list(rng.permutation(stale))[: target - 1 - len(picked)]
    pool.used[picked] = True
    atelier.codes = [str(pool.codes[main]), *sorted(str(pool.codes[i]) for i in picked)]
    atelier.epci = siren


# -- themes ------------------------------------------------------------------------------------
def _themes(echelle: str, rng: np.random.Generator) -> list[str]:
    keys = list(THEME_WEIGHTS)
    boost = THEME_BOOST.get(echelle, {})
    weights = np.array([THEME_WEIGHTS[k] * boost.get(k, 1.0) for k in keys])
    count = 1 + int(rng.choice(len(THEME_COUNT_P), p=THEME_COUNT_P))
    picked = rng.choice(len(keys), size=count, replace=False, p=weights / weights.sum())
    return [keys[int(i)] for i in picked]


# -- dates -------------------------------------------------------------------------------------
def _schedule(ateliers: list[_Atelier], programme: Programme, rng: np.random.Generator) -> None:
    """Bons de commande, period and on-site days of the ateliers that were ordered."""
    first_start = min(a.start for a in programme.agreements)
    for year in sorted(PLAN):
        ordered = [a for a in ateliers if a.annee == year and a.statut in ORDERED_STATUTS]
        if not ordered:
            continue
        low = max(dt.date(year, 1, 10), first_start)
        high = min(dt.date(year, 12, 10), REFERENCE_DATE - dt.timedelta(days=90))
        days = sorted(
            low + dt.timedelta(days=int(d))
            for d in rng.integers(0, (high - low).days + 1, size=len(ordered))
        )
        # The earliest bons of the year are the finished ateliers, the latest still run.
        realised = [a for a in ordered if a.statut == "realise"]
        running = [a for a in ordered if a.statut != "realise"]
        for atelier, day in zip(realised + running, days, strict=True):
            atelier.orders = [day]
    ordered = [a for a in ateliers if a.orders]
    for atelier in ordered:
        _period(atelier, rng)
    _second_orders(ordered, programme, rng)


def _period(atelier: _Atelier, rng: np.random.Generator) -> None:
    start = atelier.orders[0] + dt.timedelta(days=int(rng.integers(20, 91)))
    start = min(start, REFERENCE_DATE)
    # 124 to 242 days is 4 to 8 months whatever the months.
    duration = int(rng.integers(124, 243))
    end = start + dt.timedelta(days=duration)
    if atelier.statut == "realise" and end >= REFERENCE_DATE:
        end = REFERENCE_DATE - dt.timedelta(days=1)
    atelier.start, atelier.end = start, end
    # An atelier still running past its planned end has no known end date.
    atelier.end_shown = atelier.statut == "realise" or end > REFERENCE_DATE
    length = 2 + int(rng.integers(0, 2))
    span = (end - start).days
    day = start + dt.timedelta(days=int(span * rng.uniform(0.25, 0.7)))
    # The on-site days are consecutive weekdays, outside the summer and year-end breaks.
    while day.weekday() > 5 - length or _on_break(day) or _on_break(day + dt.timedelta(length)):
        day += dt.timedelta(days=1)
    atelier.animation = [day + dt.timedelta(days=k) for k in range(length)]


def _on_break(day: dt.date) -> bool:
    return day.month == 8 or (day.month, day.day) >= (12, 20) or (day.month, day.day) <= (1, 4)


def _second_orders(ordered: list[_Atelier], programme: Programme, rng: np.random.Generator) -> None:
    """About one atelier in ten gets a second bon, in its year and under the same agreement."""
    windows = []
    for atelier in ordered:
        agreement = programme.agreement_at(atelier.orders[0])
        assert atelier.start is not None and atelier.end is not None
        low = atelier.start + dt.timedelta(days=15)
        high = min(atelier.end, dt.date(atelier.annee, 12, 31), REFERENCE_DATE)
        if agreement is not None:
            high = min(high, agreement.end)
        if low <= high:
            windows.append((atelier, low, high))
    count = min(len(windows), round(SECOND_ORDER_SHARE * len(ordered)))
    for k in sorted(rng.choice(len(windows), size=count, replace=False)):
        atelier, low, high = windows[int(k)]
        day = low + dt.timedelta(days=int(rng.integers(0, (high - low).days + 1)))
        atelier.orders.append(day)


def _number(ateliers: list[_Atelier], rng: np.random.Generator) -> None:
    """« DEMO-2023-014 »: numbered within the year by first bon, then statut."""
    statut_rank = {statut: i for i, statut in enumerate(("realise", "en_cours", "selectionne"))}
    tie = rng.permutation(len(ateliers))
    keyed = sorted(
        range(len(ateliers)),
        key=lambda i: (
            ateliers[i].annee,
            ateliers[i].orders[0] if ateliers[i].orders else dt.date.max,
            statut_rank.get(ateliers[i].statut, 9),
            int(tie[i]),
        ),
    )
    counters: dict[int, int] = {}
    for i in keyed:
        year = ateliers[i].annee
        counters[year] = counters.get(year, 0) + 1
        ateliers[i].id = f"DEMO-{year}-{counters[year]:03d}"


# -- teams -------------------------------------------------------------------------------------
def _allocate(ateliers: list[_Atelier], programme: Programme, rng: np.random.Generator) -> None:
    """Give each ordered atelier its team by replaying each agreement's rule (analyse/rotation.py)."""
    labels = {key: programme.equipes.label_of(key) for key in programme.equipes.keys()}
    agreement_of: dict[str, Agreement] = {}
    for atelier in ateliers:
        if atelier.orders:
            agreement = programme.agreement_at(atelier.orders[0])
            if agreement is not None:
                agreement_of[atelier.id] = agreement
                atelier.agreement = agreement.key
    by_id = {a.id: a for a in ateliers}
    bons = sorted(
        (day, atelier_id, rank)
        for atelier_id in agreement_of
        for rank, day in enumerate(by_id[atelier_id].orders, start=1)
    )
    # The exceptions: first bons under an agreement where another holder could be chosen.
    eligible = [
        (day, atelier_id)
        for day, atelier_id, rank in bons
        if rank == 1 and len(_sequence(agreement_of[atelier_id])) > 1
    ]
    picked = rng.choice(len(eligible), size=min(N_EXCEPTIONS, len(eligible)), replace=False)
    exceptions = {eligible[int(k)][1] for k in picked}
    motifs = iter(rng.permutation(len(MOTIFS)).tolist() * (1 + N_EXCEPTIONS // len(MOTIFS)))
    states = {a.key: RotationState(a, labels) for a in programme.agreements if _sequence(a)}
    dropped: list[tuple[str, dt.date]] = []
    for day, atelier_id, rank in bons:
        atelier = by_id[atelier_id]
        state = states[agreement_of[atelier_id].key]
        due = state.expected(atelier_id, rank).team
        if rank == 1:
            atelier.team = due
            if atelier_id in exceptions:
                # The bon passes to the next holder of the sequence, with its reason.
                sequence = state.sequence
                atelier.team = sequence[(sequence.index(due) + 1) % len(sequence)]
                atelier.motif = MOTIFS[next(motifs)].format(team=labels.get(due, due))
        elif due != atelier.team:
            # A second bon that counts as a turn due elsewhere: the atelier keeps a single bon.
            dropped.append((atelier_id, day))
            continue
        state.record(Order(day, atelier_id, atelier.team, None, atelier.motif, rank))
    for atelier_id, day in dropped:
        by_id[atelier_id].orders.remove(day)


def _sequence(agreement: Agreement) -> tuple[str, ...]:
    return agreement.order or agreement.team_keys()


# -- cells -------------------------------------------------------------------------------------
def _row(atelier: _Atelier, pool: _Pool, programme: Programme) -> dict[str, str]:
    indices = [pool.index[code] for code in atelier.codes]
    names = [str(pool.names[i]) for i in indices]
    main = names[0]
    population = pool.populations[indices[0]]
    return {
        "id": atelier.id,
        "titre": _title(atelier, main, population),
        "annee": str(atelier.annee),
        "statut": programme.statuts.label_of(atelier.statut),
        "echelle": programme.echelles.label_of(atelier.echelle),
        "communes_insee": "; ".join(atelier.codes),
        "communes": "; ".join(names),
        "departement": atelier.departement,
        "epci_siren": atelier.epci,
        "themes": "; ".join(programme.themes.label_of(t) for t in atelier.themes),
        "equipe": programme.equipes.label_of(atelier.team) if atelier.team else "",
        "accord_cadre": programme.accords.label_of(atelier.agreement) if atelier.team else "",
        "date_bon_commande": _dates(atelier.orders),
        "motif_derogation": atelier.motif,
        "date_debut": _date(atelier.start),
        "date_fin": _date(atelier.end) if atelier.end_shown else "",
        "dates_animation": _dates(atelier.animation),
        "montant_eur": _amount(atelier.amount),
        "pilote": _pilot(atelier.departement, pool),
        "livrables": "",
        "description": _description(atelier, main, pool, programme),
        "source_url": "",
        "public": "",
        "notes_internes": EXCEPTION_NOTE if atelier.motif else "",
        "fictif": "oui",
    }


def _sprinkle(
    rows: list[dict[str, str]], ateliers: list[_Atelier], rng: np.random.Generator
) -> None:
    """Deliverables of finished ateliers, a few unpublished rows and some internal notes."""
    for row, atelier in zip(rows, ateliers, strict=True):
        if atelier.statut == "realise":
            extras = [d for d in EXTRA_DELIVERABLES if rng.random() < 0.2]
            if rng.random() < 0.5:
                extras.append("Fiche synthétique")
            row["livrables"] = " ; ".join(["Feuille de route", "Esquisse de plan-guide", *extras])
        if not row["notes_internes"] and rng.random() < 0.15:
            row["notes_internes"] = NOTES[int(rng.integers(0, len(NOTES)))]
    # A few ateliers that would be published by their statut are kept private on purpose.
    published = [i for i, a in enumerate(ateliers) if a.statut in ("realise", "en_cours")]
    for i in rng.choice(len(published), size=min(UNPUBLISHED, len(published)), replace=False):
        rows[published[int(i)]]["public"] = "non"


# -- steps -------------------------------------------------------------------------------------
#: Days between two steps (low, high), drawn backwards from the first bon de commande, the
#: selection or the eligibility: interest, contact, fiche, letters, deposit, eligibility,
#: selection. A few gaps pass the suivi's thresholds, as in a real register.
STEP_GAPS = {
    "selection": (15, 100),  # selection → first bon
    "eligibilite": (20, 70),  # eligibility → selection
    "depot": (14, 75),  # deposit → eligibility
    "courrier_prefet": (0, 10),  # préfet's letter → deposit
    "courrier_elu": (2, 20),  # mayor's letter → deposit
    "fiche_transmise": (5, 30),
    "contact_dgaln": (7, 30),
    "interet": (7, 45),
}
#: Share of the measured steps' dates known only to the month (left out of the delays).
MONTH_ONLY_SHARE = 0.06


def _steps(
    rows: list[dict[str, str]],
    ateliers: list[_Atelier],
    programme: Programme,
    rng: np.random.Generator,
) -> None:
    """The steps' dates of each row, consistent with its statut (``REFERENCE_DATE`` is today).

    A candidature has its steps up to the deposit, an éligible one the eligibility, a selected
    one the selection; an ordered atelier has them all before its first bon, and a finished one
    its restitution and livrables. Some wait or are late: deposits without a decision, a few
    selections without a bon, restitutions without livrables, so the suivi has something to say.
    """
    launch = dt.date(programme.launch_year, 1, 1)
    for row, atelier in zip(rows, ateliers, strict=True):
        days: dict[str, dt.date] = {}
        statut = atelier.statut
        if atelier.orders:
            anchor, last = atelier.orders[0], "selection"
        elif statut == "selectionne":
            # Selected at one of the last committees; last year's wait for their bon still.
            back = (10, 100) if atelier.annee >= REFERENCE_DATE.year else (330, 560)
            anchor, last = _before_today(back, rng), "eligibilite"
            days["selection"] = anchor
        elif statut == "eligible":
            anchor, last = _before_today((10, 150), rng), "depot"
            days["eligibilite"] = anchor
        else:  # a candidature: deposited in the last weeks, a few longer ago
            anchor, last = _before_today((5, 90), rng), "courrier_prefet"
            days["depot"] = anchor
        if statut == "abandonne":
            anchor = _committee(atelier.annee, rng)
            days = {"selection": anchor}
            last = "eligibilite"
        order = list(STEP_GAPS)
        for step in order[order.index(last) :] if last in order else order:
            low, high = STEP_GAPS[step]
            anchor = max(anchor - dt.timedelta(days=int(rng.integers(low, high + 1))), launch)
            days[step] = anchor
        held = statut == "realise" or (
            statut == "en_cours" and atelier.end is not None and atelier.end <= REFERENCE_DATE
        )
        # An atelier past its planned end mostly held its restitution; the others are late.
        if held and atelier.end is not None and (statut == "realise" or rng.random() < 0.8):
            days["restitution"] = atelier.end - dt.timedelta(days=int(rng.integers(0, 15)))
            # The livrables come before the restitution ([[etapes]] order), after the days on
            # site; the most recent restitutions and some ateliers still running lack them.
            low = max(atelier.animation, default=atelier.start or days["restitution"])
            livrables = days["restitution"] - dt.timedelta(days=int(rng.integers(0, 20)))
            recent = days["restitution"] > REFERENCE_DATE - dt.timedelta(days=60)
            if not (recent and rng.random() < 0.5) and (statut == "realise" or rng.random() < 0.6):
                days["livrables"] = max(livrables, low)
        for step, day in days.items():
            column = f"date_{step}"
            if column not in DEMO_COLUMNS:
                continue
            month_only = step in ("depot", "eligibilite", "selection") and (
                rng.random() < MONTH_ONLY_SHARE
            )
            row[column] = day.isoformat()[:7] if month_only else day.isoformat()
    if "non_retenu" in programme.statuts.keys():
        # Two of the year's eligible candidatures were not retained by the committee.
        for row, atelier in zip(rows, ateliers, strict=True):
            if atelier.statut == "eligible" and atelier.annee == REFERENCE_DATE.year:
                atelier.statut = "non_retenu"
                row["statut"] = programme.statuts.label_of("non_retenu")


# -- feuilles de route (issue 19) -------------------------------------------------------------
#: Who carries an action: organisations only, never a person.
PORTEURS = (
    "Commune",
    "EPCI",
    "Département",
    "Région",
    "EPF",
    "CAUE",
    "Bailleur social",
    "Syndicat mixte",
    "Parc naturel régional",
    "Office de tourisme",
    "Chambre de commerce et d'industrie",
)

#: Per theme: two axes, each with its key actions (text, porteurs drawn from, cost scale).
#: Cost scales: 0 none, 1 an animation (5–30 k€), 2 a study (20–120 k€), 3 works (0.15–2.5 M€).
ACTION_PLANS: dict[str, dict[str, tuple[tuple[str, tuple[str, ...], int], ...]]] = {
    "revitalisation": {
        "Redonner vie au centre": (
            ("Lancer l'étude de programmation de la place centrale", ("Commune",), 2),
            ("Requalifier la rue commerçante et ses trottoirs", ("Commune",), 3),
            ("Ouvrir une boutique à l'essai dans un local vacant", ("Commune", "EPCI"), 1),
        ),
        "Accueillir services et habitants": (
            ("Installer une maison France services dans l'ancienne poste", ("Commune", "EPCI"), 3),
            ("Recenser les logements vacants du centre", ("Commune", "EPCI"), 2),
            ("Animer un comité de suivi avec les commerçants", ("Commune",), 0),
        ),
    },
    "entrees_ville": {
        "Apaiser les entrées de ville": (
            ("Réaménager le carrefour d'entrée en espace partagé", ("Commune", "Département"), 3),
            ("Adopter un règlement local de publicité", ("Commune", "EPCI"), 2),
            ("Planter les abords de la route départementale", ("Département", "Commune"), 3),
        ),
        "Transformer la zone commerciale": (
            ("Étudier la mutation de la zone commerciale", ("EPCI",), 2),
            ("Désimperméabiliser les parkings des enseignes", ("EPCI", "Commune"), 3),
            ("Réunir les propriétaires de la zone en atelier", ("EPCI",), 0),
        ),
    },
    "friches": {
        "Reconvertir la friche": (
            ("Acquérir le foncier de la friche", ("EPF", "Commune"), 3),
            ("Réaliser le diagnostic de pollution des sols", ("EPF", "EPCI"), 2),
            ("Ouvrir la friche au public pour des usages temporaires", ("Commune",), 1),
        ),
        "Programmer les nouveaux usages": (
            ("Lancer un appel à manifestation d'intérêt", ("Commune", "EPCI"), 1),
            ("Rédiger le cahier des charges de la maîtrise d'œuvre", ("Commune",), 2),
            ("Déconstruire les bâtiments sans valeur patrimoniale", ("EPF",), 3),
        ),
    },
    "patrimoine": {
        "Mettre en valeur le patrimoine": (
            ("Restaurer la toiture de l'église", ("Commune",), 3),
            ("Créer un parcours patrimonial signalé", ("Commune", "Office de tourisme"), 1),
            ("Engager une étude de site patrimonial remarquable", ("Commune", "EPCI"), 2),
        ),
        "Habiter le bâti ancien": (
            ("Ouvrir une permanence de conseil architectural", ("CAUE",), 1),
            ("Proposer des aides au ravalement des façades", ("Commune",), 1),
            ("Réhabiliter l'îlot ancien en logements", ("Bailleur social", "Commune"), 3),
        ),
    },
    "logement": {
        "Diversifier l'offre de logements": (
            ("Engager une opération programmée d'amélioration de l'habitat", ("EPCI",), 2),
            ("Créer des logements pour les jeunes actifs", ("Bailleur social",), 3),
            ("Adapter des logements au vieillissement", ("Bailleur social", "Commune"), 3),
        ),
        "Reconquérir la vacance": (
            ("Contacter les propriétaires de logements vacants", ("Commune", "EPCI"), 0),
            ("Acquérir deux immeubles dégradés du centre", ("EPF", "Commune"), 3),
            ("Mettre en place le permis de louer", ("EPCI",), 0),
        ),
    },
    "mobilites": {
        "Marcher et pédaler au quotidien": (
            ("Aménager une liaison cyclable vers la gare", ("EPCI", "Département"), 3),
            ("Élaborer le schéma des mobilités actives", ("EPCI",), 2),
            ("Sécuriser les abords de l'école", ("Commune",), 3),
        ),
        "Relier les villages": (
            ("Créer une aire de covoiturage", ("Département", "EPCI"), 3),
            ("Tester un transport à la demande", ("EPCI", "Région"), 1),
            ("Réaménager le pôle d'échanges de la gare", ("Région", "Commune"), 3),
        ),
    },
    "economie": {
        "Soutenir l'économie locale": (
            ("Ouvrir un tiers-lieu dans l'ancienne halle", ("Commune", "EPCI"), 3),
            ("Accompagner la reprise des commerces", ("Chambre de commerce et d'industrie",), 1),
            ("Créer un marché de producteurs locaux", ("Commune",), 1),
        ),
        "Accueillir des entreprises": (
            ("Réhabiliter un atelier relais pour les artisans", ("EPCI",), 3),
            ("Étudier la demande d'espaces de travail partagés", ("EPCI",), 2),
            ("Installer un espace de l'économie sociale et solidaire", ("Commune", "EPCI"), 3),
        ),
    },
    "ecosystemes": {
        "Faire entrer la nature en ville": (
            ("Désimperméabiliser et planter la cour d'école", ("Commune",), 3),
            ("Créer un parc le long de la rivière", ("Commune", "EPCI"), 3),
            (
                "Réaliser l'atlas de la biodiversité communale",
                ("Commune", "Parc naturel régional"),
                2,
            ),
        ),
        "Préserver l'eau et les sols": (
            ("Restaurer la continuité écologique du ruisseau", ("Syndicat mixte",), 3),
            ("Protéger les zones humides au plan local d'urbanisme", ("EPCI",), 0),
            ("Accompagner les jardins partagés", ("Commune",), 1),
        ),
    },
    "risques": {
        "Réduire la vulnérabilité": (
            (
                "Réaliser le diagnostic de vulnérabilité des bâtiments",
                ("EPCI", "Syndicat mixte"),
                2,
            ),
            ("Relocaliser les équipements en zone inondable", ("Commune",), 3),
            ("Aménager un parc inondable en bord de cours d'eau", ("Commune", "Syndicat mixte"), 3),
        ),
        "Vivre avec le risque": (
            ("Mettre à jour le plan communal de sauvegarde", ("Commune",), 0),
            ("Organiser un exercice de gestion de crise", ("Commune", "Département"), 1),
            ("Installer des repères de crues dans le centre", ("Commune", "Syndicat mixte"), 1),
        ),
    },
}
#: Budget bounds per cost scale (see :data:`ACTION_PLANS`), and the share of those that have one.
BUDGET_RANGES = {1: (5_000, 30_000), 2: (20_000, 120_000), 3: (150_000, 2_500_000)}
BUDGET_SHARE = 0.6
FINANCEMENTS = (
    "Fonds vert",
    "DETR",
    "DSIL",
    "Banque des Territoires",
    "Région",
    "Agence de l'eau",
    "ADEME",
    "FEDER",
)
ACTION_NOTES = (
    "Point à refaire au prochain comité de pilotage.",
    "Relancer la commune sur le calendrier.",
    "Financement à confirmer par l'EPCI.",
    "Action reformulée à la demande des élus.",
)
PRIORITY_WEIGHTS = {"elevee": 0.35, "moyenne": 0.45, "basse": 0.20}
PUBLIC_ACTION_SHARE = 0.85
#: Statut weights of an action by time since the restitution (months, up to the bound).
STATUT_WEIGHTS: tuple[tuple[float, dict[str, float]], ...] = (
    (6, {"a_venir": 0.6, "en_cours": 0.25, "a_discuter": 0.15}),
    (18, {"a_venir": 0.35, "en_cours": 0.4, "realise": 0.1, "en_pause": 0.05, "a_discuter": 0.1}),
    (
        36,
        {
            "a_venir": 0.2,
            "en_cours": 0.35,
            "realise": 0.25,
            "en_pause": 0.05,
            "bloque": 0.05,
            "abandonne": 0.05,
            "a_discuter": 0.05,
        },
    ),
    (
        float("inf"),
        {
            "a_venir": 0.1,
            "en_cours": 0.3,
            "realise": 0.4,
            "en_pause": 0.05,
            "bloque": 0.05,
            "abandonne": 0.1,
        },
    ),
)


def generate_demo_actions(
    register: pd.DataFrame, programme: Programme, seed: int = DEFAULT_SEED
) -> pd.DataFrame:
    """Generate the fictional feuilles de route of a demonstration register.

    A realised atelier has 3 to 7 actions; an atelier still running whose restitution was held
    has 2 to 4; the others none. Actions come from the atelier's themes (:data:`ACTION_PLANS`,
    grouped by axe), each carried by an organisation (:data:`PORTEURS`); their statut follows the
    time since the restitution (:data:`STATUT_WEIGHTS`), an action past its échéance may be « en
    retard ». Most are public, some not; some have a budget and its financements, a few a note.

    Parameters
    ----------
    register : pandas.DataFrame
        A demonstration register (:func:`generate_demo`, or its CSV read as text): ``id``,
        ``statut``, ``themes`` and ``date_restitution`` are used.
    programme : Programme
        Vocabularies: the labels written in the cells.
    seed : int
        The register's seed; the actions draw from their own generator derived from it.

    Returns
    -------
    pandas.DataFrame
        Text cells only, columns :data:`DEMO_ACTION_COLUMNS` in order, by atelier then axe.
    """
    missing = {"id", "statut", "themes", "date_restitution"} - set(register.columns)
    if missing:
        raise ValueError(
            "generate_demo_actions : colonnes absentes du registre : " + ", ".join(sorted(missing))
        )
    rng = np.random.default_rng([seed, 19])
    rows: list[dict[str, str]] = []
    for record in register.sort_values("id", kind="stable").to_dict("records"):
        statut = programme.statuts.parse(str(record["statut"]))
        held = str(record["date_restitution"] or "").strip()
        if statut == "realise" and held:
            count = int(rng.integers(3, 8))
        elif statut == "en_cours" and held:
            count = int(rng.integers(2, 5))
        else:
            continue
        themes = [programme.themes.parse(t) for t in split_cell(str(record["themes"]))]
        themes = [t for t in themes if t in ACTION_PLANS]
        if not themes:
            continue
        restitution = registre.parse_date(held).first_day()
        rows += _feuille_de_route(str(record["id"]), themes, restitution, count, programme, rng)
    # Each action's statut at its atelier's points d'étape, from a generator of its own.
    _statuts_aux_points(rows, register, programme, np.random.default_rng([seed, 19, 3]))
    frame = pd.DataFrame(
        [{column: row.get(column, "") for column in DEMO_ACTION_COLUMNS} for row in rows],
        columns=list(DEMO_ACTION_COLUMNS),
    )
    return frame.astype(str)


# -- points d'étape (issue 19 §2) ---------------------------------------------------------------
#: Chance that a point d'étape is held once its jalon is reached: most are; a recent jalon's
#: point often waits a few weeks, so the suivi lists some as due.
POINT_HELD = 0.85
POINT_HELD_RECENT = 0.35
_DAYS_PER_MONTH = 30.4


def _points_etape(rows: list[dict], programme: Programme, rng: np.random.Generator) -> None:
    """Date the points d'étape of each atelier whose restitution was held.

    A point is held from a fortnight before to seven weeks after its jalon (restitution + N
    months), never after :data:`REFERENCE_DATE`, each after the previous one.
    """
    from atelierflash.parcours import add_months

    for row in rows:
        held = str(row.get("date_restitution", "") or "")
        if len(held) != 10:
            continue
        restitution = dt.date.fromisoformat(held)
        previous = restitution
        for point in programme.points_etape:
            due = add_months(restitution, point.months)
            if due > REFERENCE_DATE:
                break
            recent = due > REFERENCE_DATE - dt.timedelta(days=60)
            if rng.random() >= (POINT_HELD_RECENT if recent else POINT_HELD):
                continue
            day = due + dt.timedelta(days=int(rng.integers(-15, 50)))
            day = max(min(day, REFERENCE_DATE - dt.timedelta(days=1)), previous)
            row[point.step.column] = day.isoformat()
            previous = day + dt.timedelta(days=1)


def _statuts_aux_points(
    rows: list[dict], register: pd.DataFrame, programme: Programme, rng: np.random.Generator
) -> None:
    """Each action's statut at every dated point d'étape of its atelier, leading to its statut.

    An action draws when it started and, if realised (or abandoned), when it ended, between the
    restitution and :data:`REFERENCE_DATE`, as its current statut allows; at a point it is then
    « à venir » (« à discuter »), « en cours » (or its pause or block, at the last point) or
    « réalisé » (« abandonné »).
    """
    points = programme.points_etape
    dates = {
        str(record["id"]): (
            str(record.get("date_restitution", "") or ""),
            [str(record.get(p.step.column, "") or "") for p in points],
        )
        for record in register.to_dict("records")
    }
    label = programme.statuts_action.label_of
    for row in rows:
        held, point_days = dates.get(row["atelier"], ("", []))
        if len(held) != 10 or not any(point_days):
            continue
        restitution = dt.date.fromisoformat(held)
        now = (REFERENCE_DATE - restitution).days / _DAYS_PER_MONTH
        statut = programme.statuts_action.parse(row["statut"])
        start = end = None
        # Most actions start in the first year or two after the restitution.
        if statut in ("realise", "en_cours", "en_pause", "bloque") or (
            statut in ("abandonne", "en_retard") and rng.random() < 0.5
        ):
            start = float(now * rng.beta(1.2, 3.5))
        if statut in ("realise", "abandonne"):
            end = float((start or 0) + (now - (start or 0)) * rng.beta(1.5, 2.5))
        last = max(i for i, d in enumerate(point_days) if d)
        for index, (point, day) in enumerate(zip(points, point_days, strict=True)):
            if not day:
                continue
            month = (dt.date.fromisoformat(day) - restitution).days / _DAYS_PER_MONTH
            if end is not None and month >= end:
                at = "abandonne" if statut == "abandonne" else "realise"
            elif start is not None and month >= start:
                at = statut if index == last and statut in ("en_pause", "bloque") else "en_cours"
            else:
                at = "a_discuter" if statut == "a_discuter" else "a_venir"
            row[point.statut_column] = label(at)


def split_cell(text: str) -> list[str]:
    """The parts of a ``;``-separated register cell, stripped, empty ones left out."""
    return [part.strip() for part in text.split(";") if part.strip()]


def _feuille_de_route(
    atelier: str,
    themes: list[str],
    restitution: dt.date,
    count: int,
    programme: Programme,
    rng: np.random.Generator,
) -> list[dict[str, str]]:
    """``count`` actions of one atelier, drawn from its themes' plans, grouped by axe."""
    # Every (theme, axe, action) of the atelier's themes; the main theme gets more of them.
    choices = [
        (theme, axe, item)
        for rank, theme in enumerate(themes)
        for axe, items in ACTION_PLANS[theme].items()
        for item in items
        for _ in range(3 if rank == 0 else 1)
    ]
    picked: list[tuple[str, str, tuple[str, tuple[str, ...], int]]] = []
    for i in rng.permutation(len(choices)):
        if choices[int(i)] not in picked:
            picked.append(choices[int(i)])
        if len(picked) == count:
            break
    picked.sort(key=lambda c: (themes.index(c[0]), c[1]))
    months = (REFERENCE_DATE - restitution).days / 30.4
    weights = next(w for bound, w in STATUT_WEIGHTS if months < bound)
    rows = []
    for theme, axe, (text, porteurs, scale) in picked:
        priorite = str(rng.choice(list(PRIORITY_WEIGHTS), p=list(PRIORITY_WEIGHTS.values())))
        year = restitution.year + int(rng.integers(1, 5))
        echeance = f"{year}-{int(rng.integers(1, 13)):02d}" if rng.random() < 0.3 else str(year)
        due = registre.parse_date(echeance).last_day() if "-" in echeance else dt.date(year, 12, 31)
        statut = str(rng.choice(list(weights), p=list(weights.values())))
        if due < REFERENCE_DATE and statut in ("a_venir", "en_cours") and rng.random() < 0.5:
            statut = "en_retard"
        budget = financements = ""
        if scale and rng.random() < BUDGET_SHARE:
            low, high = BUDGET_RANGES[scale]
            step = 1_000 if high <= 120_000 else 10_000
            budget = _amount(int(rng.integers(low // step, high // step + 1)) * step)
            if rng.random() < 0.7:
                drawn = rng.choice(len(FINANCEMENTS), size=int(rng.integers(1, 3)), replace=False)
                financements = " ; ".join(FINANCEMENTS[int(k)] for k in sorted(drawn))
        rows.append(
            {
                "atelier": atelier,
                "axe": axe,
                "action": f"{text} (fictif)",
                "theme": programme.themes.label_of(theme),
                "priorite": programme.priorites.label_of(priorite),
                "porteur": str(rng.choice(porteurs)),
                "echeance": echeance,
                "statut": programme.statuts_action.label_of(statut),
                "budget_eur": budget,
                "financements": financements,
                "public": "oui" if rng.random() < PUBLIC_ACTION_SHARE else "non",
                "note": ACTION_NOTES[int(rng.integers(0, len(ACTION_NOTES)))]
                if rng.random() < 0.1
                else "",
            }
        )
    return rows


def _committee(year: int, rng: np.random.Generator) -> dt.date:
    """A selection day of ``year``: spring or autumn, never after today."""
    month = int(rng.choice([4, 6, 10]))
    day = dt.date(year, month, int(rng.integers(1, 29)))
    return min(day, REFERENCE_DATE - dt.timedelta(days=int(rng.integers(20, 200))))


def _before_today(back: tuple[int, int], rng: np.random.Generator) -> dt.date:
    """A day between ``back`` days (low, high) before ``REFERENCE_DATE``."""
    return REFERENCE_DATE - dt.timedelta(days=int(rng.integers(back[0], back[1] + 1)))


def _title(atelier: _Atelier, main: str, population: float) -> str:
    site, commune, territory = TITLES[atelier.themes[0]]
    template = {"batiment_ilot": site, "intercommunale": territory}.get(atelier.echelle, commune)
    # A town over 10 000 inhabitants has a centre-ville rather than a centre-bourg.
    if template == TITLES["revitalisation"][1] and population > 10000:
        template = "Redynamiser le centre-ville {de}"
    return template.format(de=_of(main)) + " (fictif)"


def _of(name: str) -> str:
    """« de » + name, with French contraction and elision (du Havre, des Mureaux, d'Albi)."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name[:1] in "AEIOUYÂÉÈÊÎÔÛŒ":
        return "d'" + name
    return "de " + name


def _description(atelier: _Atelier, main: str, pool: _Pool, programme: Programme) -> str:
    label = programme.themes.label_of(atelier.themes[0])
    theme = label[:1].lower() + label[1:]  # keeps « ESS » upper case
    if atelier.echelle == "intercommunale" and len(atelier.codes) > 1:
        epci = pool.epci_names.get(atelier.epci, "")
        where = f"{len(atelier.codes)} communes" + (f" de « {epci} »" if epci else "")
        scope = f"Il réunit {where} autour du thème : {theme}."
    elif atelier.echelle == "batiment_ilot":
        scope = f"Il porte sur un site bâti {_of(main)}, autour du thème : {theme}."
    else:
        scope = f"Il porte sur le territoire communal {_of(main)}, autour du thème : {theme}."
    return "Atelier fictif généré pour la démonstration. " + scope


def _pilot(departement: str, pool: _Pool) -> str:
    name = pool.departement_names.get(departement, "")
    if departement == "973":
        service = "DGTM"
    elif departement in DROM:
        service = "DEAL"
    elif departement in _DRIEAT:
        service = "DRIEAT"
    elif departement in _DDTM:
        service = "DDTM"
    else:
        service = "DDT"
    return f"{service} {departement} – {name}" if name else f"{service} {departement}"


def _date(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _dates(days: list[dt.date]) -> str:
    return "; ".join(day.isoformat() for day in sorted(days))


def _amount(amount: int | None) -> str:
    """« 20 500 »: French grouping with a plain space, which every spreadsheet reads back."""
    return "" if amount is None else f"{amount:,}".replace(",", " ")


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


if __name__ == "__main__":  # python -m atelierflash.demo [path] [seed]
    import sys

    from atelierflash.programme import load_programme
    from atelierflash.referentiel import load_referentiel

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PATH
    chosen_seed = int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_SEED
    written = write_demo(target, load_referentiel(), load_programme(), chosen_seed)
    print(f"{len(written)} ateliers fictifs écrits dans {target}")
