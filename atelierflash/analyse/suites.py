"""Suites des ateliers: what became of each feuille de route, told by its points d'étape.

An atelier's actions (``Dataset.actions``) carry one statut per point d'étape
(``statut_6_mois``…, the Territoires en Transitions vocabulary); its register row the date of
each point (``date_point_etape_6``…). The jalons (6, 12, 24 months after the restitution) and
what « started » and « realised » mean are settings of ``data/programme.toml`` (``[suivi]``
``points_etape_mois``, ``actions_demarrees``, ``actions_realisees``). Only the actions of the
ateliers given are counted (a filtered selection counts its own).

Definitions
-----------
- **At a jalon**, an action counts when its statut at that point is recorded; it is *started*
  when that statut is one of ``actions_demarrees`` (en cours, réalisé), *realised* when one of
  ``actions_realisees`` (réalisé). Shares are of the actions counted (pooled over ateliers, so a
  long feuille de route weighs more); missing when none is counted.
- **Groups**: the selection year, team and échelle of the atelier; the theme of the action itself
  (the Actions sheet's « Thème ») and its family. An action without a theme counts in the group
  « non renseigné » (``groupe`` missing), as does an atelier without year, team or échelle.
- **Time to the first action started**: from the restitution (else the end) to the date of the
  first point d'étape at which at least one of the atelier's actions is started, in calendar
  days, both dates known to the day (as the delays of :mod:`atelierflash.analyse.suivi`). The
  points are the only dates known of an action's progress: the start happened by then.
- **A point d'étape due** (``point_etape_du``, in the à-traiter list): an atelier with a feuille
  de route (at least one action) whose last jalon reached (restitution + N months, from the last
  day the restitution may be, on or before the day of the suivi) has no date for its point. It
  waits from that due date (``depuis``, ``jours``: how late it is) until the next jalon is
  reached, the last one for as long as the gap before it (12 months after the 24-month jalon):
  a missed point is not listed again once the next review is the one to hold, nor for ever.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from atelierflash.analyse.suivi import step_dates
from atelierflash.programme import Programme

#: The groupings of the indicators, with their French label (``None``: the whole programme).
GROUPINGS = {
    None: "Ensemble du programme",
    "annee": "Année de sélection",
    "famille": "Famille de thèmes (de l'action)",
    "theme": "Thème (de l'action)",
    "equipe": "Équipe",
    "echelle": "Échelle",
}
_STATS = ["mediane_jours", "q1_jours", "q3_jours", "max_jours"]


def jalon_label(months: int) -> str:
    """« +6 mois »: a jalon as the charts and tables show it."""
    return f"+{months} mois"


# ---------------------------------------------------------------------------------------------
# One row per action of the selection, with its groups and its statut at each jalon
# ---------------------------------------------------------------------------------------------
def _restitution(ateliers: pd.DataFrame, programme: Programme):
    """The restitution's dates per atelier, else the end's (the points count from it)."""
    restitution = step_dates(ateliers, programme, "restitution")
    end = step_dates(ateliers, programme, "fin")
    use = np.isnat(restitution.latest)
    return (
        np.where(use, end.exact, restitution.exact),
        np.where(use, end.latest, restitution.latest),
        np.where(use, end.text, restitution.text),
        np.where(use, "fin", "restitution"),
    )


def _frame(ateliers: pd.DataFrame, actions: pd.DataFrame, programme: Programme) -> pd.DataFrame:
    """The actions of ``ateliers``, each with its atelier's groups and dates."""
    exact, _, _, _ = _restitution(ateliers, programme)
    facts = pd.DataFrame(
        {
            "atelier": ateliers["id"].astype(str).to_numpy(),
            "annee": ateliers["annee"].to_numpy() if "annee" in ateliers else None,
            "equipe": _column(ateliers, "equipe"),
            "echelle": _column(ateliers, "echelle"),
            "_restitution": exact,
        }
    )
    for point in programme.points_etape:
        facts[f"_point_{point.months}"] = step_dates(ateliers, programme, point.step.key).exact
    # Only the columns counted: filtering a wide frame of text columns is what costs.
    wanted = ["atelier", "theme", *(p.statut_column for p in programme.points_etape)]
    known = actions[[c for c in wanted if c in actions.columns]]
    known = known[known["atelier"].astype(str).isin(set(facts["atelier"]))]
    frame = known.assign(atelier=known["atelier"].astype(str)).merge(
        facts, on="atelier", how="left"
    )
    themes = frame["theme"].tolist() if "theme" in frame else [None] * len(frame)
    themes = [t if isinstance(t, str) and t else None for t in themes]
    frame["theme"] = pd.Series(themes, index=frame.index, dtype=object)
    frame["famille"] = pd.Series(
        [programme.family_of(t) if t else None for t in themes], index=frame.index, dtype=object
    )
    started, realised = programme.started_action_statuts, programme.realised_action_statuts
    for point in programme.points_etape:
        statut = frame.get(point.statut_column, pd.Series(None, index=frame.index))
        recorded = [isinstance(s, str) and bool(s) for s in statut]
        frame[f"_vu_{point.months}"] = pd.Series(recorded, index=frame.index, dtype=bool)
        frame[f"_demarree_{point.months}"] = statut.isin(started).astype(bool)
        frame[f"_realisee_{point.months}"] = statut.isin(realised).astype(bool)
    # Per action: days from the restitution to the first point where it is started.
    days = pd.Series(np.nan, index=frame.index)
    for point in reversed(programme.points_etape):  # the earliest point wins
        at = frame[f"_point_{point.months}"]
        ok = frame[f"_demarree_{point.months}"] & at.notna() & frame["_restitution"].notna()
        days = days.mask(ok, (at - frame["_restitution"]).dt.days)
    frame["_jours"] = days.astype(float)
    statuts = [p.statut_column for p in programme.points_etape if p.statut_column in frame]
    return frame.drop(columns=statuts).reset_index(drop=True)


def _column(ateliers: pd.DataFrame, name: str) -> np.ndarray:
    if name in ateliers.columns:
        return ateliers[name].to_numpy(dtype=object)
    return np.full(len(ateliers), None, dtype=object)


def _first_start_days(frame: pd.DataFrame, programme: Programme, keys: list[str]) -> pd.Series:
    """Days from the restitution to the first point where an action started, per ``keys``."""
    return frame.groupby(keys, dropna=False, sort=False)["_jours"].min()


#: The group key of « non renseigné » while grouping (``None`` in the tables).
_NONE = "\x00"


def _keys(frame: pd.DataFrame, by: str | None) -> tuple[list, list]:
    """Each action's group key, and the groups in key order (« non renseigné » last)."""
    if by is None:
        return ["programme"] * len(frame), ["programme"]
    keys = [_NONE if pd.isna(v) else v for v in frame[by].astype(object).tolist()]
    keys = [int(k) if by == "annee" and k != _NONE else k for k in keys]
    return keys, sorted(dict.fromkeys(keys), key=lambda g: (g == _NONE, str(g)))


def _group_label(programme: Programme, by: str | None, key) -> str:
    if by is None:
        return GROUPINGS[None]
    if key is None or pd.isna(key):
        return "Année non renseignée" if by == "annee" else f"{GROUPINGS[by]} non renseignée"
    vocabularies = {
        "famille": programme.familles,
        "theme": programme.themes,
        "equipe": programme.equipes,
        "echelle": programme.echelles,
    }
    return str(int(key)) if by == "annee" else vocabularies[by].label_of(key)


def _check_by(by: str | None) -> None:
    if by not in GROUPINGS:
        raise ValueError(f"regroupement inconnu : {by!r} (attendu l'un de {list(GROUPINGS)})")


# ---------------------------------------------------------------------------------------------
# Indicators
# ---------------------------------------------------------------------------------------------
class Suites:
    """A selection's suites: its actions with their atelier's groups and dates, taken once.

    Every table of this module reads that same frame; a page or a report that shows several of
    them builds it once (about 17 ms on the demonstration register) instead of once per table.

    Parameters
    ----------
    ateliers : pandas.DataFrame
        A selection of ``Dataset.ateliers``.
    actions : pandas.DataFrame
        ``Dataset.actions`` (those of other ateliers are left out).
    programme : Programme
    """

    def __init__(self, ateliers: pd.DataFrame, actions: pd.DataFrame, programme: Programme):
        self._ateliers = ateliers
        self._programme = programme
        self._frame = _frame(ateliers, actions, programme)

    def points(self, by: str | None = None) -> pd.DataFrame:
        """:func:`suites_points` of the selection."""
        _check_by(by)
        return _points_of(self._frame, self._programme, by)

    def synthese(self, by: str | None = None) -> pd.DataFrame:
        """:func:`suites_synthese` of the selection."""
        _check_by(by)
        return _synthese_of(self._frame, self._programme, by)

    def ateliers(self) -> pd.DataFrame:
        """:func:`suites_ateliers` of the selection."""
        return _ateliers_of(self._frame, self._ateliers, self._programme)


def suites_points(
    ateliers: pd.DataFrame, actions: pd.DataFrame, programme: Programme, by: str | None = None
) -> pd.DataFrame:
    """Actions started and realised at each jalon, overall or per group.

    Parameters
    ----------
    ateliers : pandas.DataFrame
        A selection of ``Dataset.ateliers``.
    actions : pandas.DataFrame
        ``Dataset.actions`` (those of other ateliers are left out).
    programme : Programme
    by : str, optional
        ``"annee"``, ``"famille"``, ``"theme"``, ``"equipe"`` or ``"echelle"`` (see
        :data:`GROUPINGS`).

    Returns
    -------
    pandas.DataFrame
        ``groupe`` (key, missing for « non renseigné »; ``"programme"`` overall),
        ``groupe_libelle``, ``jalon`` (months), ``jalon_libelle``, ``ateliers`` and ``actions``
        counted at that jalon, ``demarrees``, ``realisees``, ``part_demarrees`` and
        ``part_realisees`` (0–1, NaN when no action is counted). Overall, every jalon has its
        row; per group, the groups with at least one action, in key order.
    """
    _check_by(by)
    return Suites(ateliers, actions, programme).points(by)


def _points_of(frame: pd.DataFrame, programme: Programme, by: str | None) -> pd.DataFrame:
    # Plain Python over arrays taken once: a few hundred actions, six groupings for the
    # command line; pandas' per-call cost would outweigh the work.
    keys, groups = _keys(frame, by)
    ateliers = frame["atelier"].tolist()
    records = []
    counted: dict = {}
    for point in programme.points_etape:
        n = point.months
        columns = [frame[f"{c}_{n}"].tolist() for c in ("_vu", "_demarree", "_realisee")]
        for key, atelier, seen, started, realised in zip(keys, ateliers, *columns, strict=True):
            if seen:
                total = counted.setdefault((key, n), [0, 0, 0, set()])
                total[0] += 1
                total[1] += started
                total[2] += realised
                total[3].add(atelier)
    for group in groups:  # groups in key order, then jalons, as charts and tables read them
        key = None if group == _NONE else group
        for point in programme.points_etape:
            n = point.months
            actions, started, realised, seen = counted.get((group, n), (0, 0, 0, ()))
            records.append(
                {
                    "groupe": key,
                    "groupe_libelle": _group_label(programme, by, key),
                    "jalon": n,
                    "jalon_libelle": jalon_label(n),
                    "ateliers": len(seen),
                    "actions": actions,
                    "demarrees": started,
                    "realisees": realised,
                    "part_demarrees": started / actions if actions else np.nan,
                    "part_realisees": realised / actions if actions else np.nan,
                }
            )
    columns = ["groupe", "groupe_libelle", "jalon", "jalon_libelle", "ateliers", "actions"]
    columns += ["demarrees", "realisees", "part_demarrees", "part_realisees"]
    return pd.DataFrame(records, columns=columns)


def suites_synthese(
    ateliers: pd.DataFrame, actions: pd.DataFrame, programme: Programme, by: str | None = None
) -> pd.DataFrame:
    """Actions per atelier and time to the first action started, overall or per group.

    Returns
    -------
    pandas.DataFrame
        ``groupe``, ``groupe_libelle``, ``ateliers`` (with at least one action), ``actions``,
        ``actions_par_atelier`` (mean; NaN without atelier), ``premier_demarrage_n`` (ateliers
        with a time), ``premier_demarrage_mediane_jours``, ``…_q1_jours``, ``…_q3_jours``,
        ``…_max_jours`` (see the module's definitions). Overall, one row even without action.
    """
    _check_by(by)
    return Suites(ateliers, actions, programme).synthese(by)


def _synthese_of(frame: pd.DataFrame, programme: Programme, by: str | None) -> pd.DataFrame:
    keys, groups = _keys(frame, by)
    actions: dict = {}
    first: dict = {}  # (group, atelier) → days to its first action started
    for key, atelier, days in zip(
        keys, frame["atelier"].tolist(), frame["_jours"].tolist(), strict=True
    ):
        actions[key] = actions.get(key, 0) + 1
        best = first.setdefault((key, atelier), np.nan)
        if days == days and not best <= days:  # a number, and the smallest so far
            first[(key, atelier)] = days
    records = []
    for group in groups:
        ateliers = [d for (g, _), d in first.items() if g == group]
        times = pd.Series([d for d in ateliers if d == d], dtype=float)
        count = actions.get(group, 0)
        record = {
            "groupe": None if group == _NONE else group,
            "groupe_libelle": _group_label(programme, by, None if group == _NONE else group),
            "ateliers": len(ateliers),
            "actions": count,
            "actions_par_atelier": count / len(ateliers) if ateliers else np.nan,
            "premier_demarrage_n": len(times),
        }
        for name, value in zip(_STATS, _stats(times), strict=True):
            record[f"premier_demarrage_{name}"] = value
        records.append(record)
    return pd.DataFrame(records)


def _stats(values: pd.Series) -> tuple[float, float, float, float]:
    if values.empty:
        return (np.nan,) * 4
    return (
        float(values.median()),
        float(values.quantile(0.25)),
        float(values.quantile(0.75)),
        float(values.max()),
    )


def suites_ateliers(
    ateliers: pd.DataFrame, actions: pd.DataFrame, programme: Programme
) -> pd.DataFrame:
    """One row per atelier with a feuille de route: its actions at each point d'étape.

    Returns
    -------
    pandas.DataFrame
        ``id``, ``titre``, ``annee``, ``equipe``, ``actions``, ``restitution`` (as written),
        then per jalon N: ``point_N`` (its date as written, ``""`` when none),
        ``renseignees_N``, ``demarrees_N``, ``realisees_N``; ``premier_demarrage_jours``; in the
        register's order.
    """
    return Suites(ateliers, actions, programme).ateliers()


def _ateliers_of(frame: pd.DataFrame, ateliers: pd.DataFrame, programme: Programme) -> pd.DataFrame:
    _, _, text, _ = _restitution(ateliers, programme)
    counts = frame.groupby("atelier", sort=False)
    table = pd.DataFrame(
        {
            "id": ateliers["id"].astype(str).to_numpy(),
            "titre": _column(ateliers, "titre"),
            "annee": ateliers["annee"].to_numpy() if "annee" in ateliers else None,
            "equipe": _column(ateliers, "equipe"),
            "restitution": text,
        }
    )
    table["actions"] = table["id"].map(counts.size()).fillna(0).astype(int)
    for point in programme.points_etape:
        n = point.months
        table[f"point_{n}"] = step_dates(ateliers, programme, point.step.key).text
        # A started or realised statut is a recorded one: the three counts are of the same rows.
        for name, column in (
            ("renseignees", "_vu"),
            ("demarrees", "_demarree"),
            ("realisees", "_realisee"),
        ):
            counted = table["id"].map(counts[f"{column}_{n}"].sum())
            table[f"{name}_{n}"] = counted.fillna(0).astype(int)
    days = _first_start_days(frame, programme, ["atelier"])
    table["premier_demarrage_jours"] = table["id"].map(days).astype("Float64")
    table = table[table["actions"] > 0].reset_index(drop=True)
    columns = ["id", "titre", "annee", "equipe", "actions", "restitution"]
    for point in programme.points_etape:
        n = point.months
        columns += [f"point_{n}", f"renseignees_{n}", f"demarrees_{n}", f"realisees_{n}"]
    return table[[*columns, "premier_demarrage_jours"]]


# ---------------------------------------------------------------------------------------------
# Points d'étape due (a motif of the à-traiter list)
# ---------------------------------------------------------------------------------------------
def points_etape_dus(
    ateliers: pd.DataFrame, actions: pd.DataFrame, programme: Programme, today: dt.date
) -> pd.DataFrame:
    """The reviews due on ``today`` (see the module's definitions), as à-traiter rows.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`atelierflash.analyse.suivi.a_traiter` (``etape``: the point
        d'étape; ``depuis``: its due date, ``jours`` since then), plus ``jalon`` (months) and
        ``echeance`` (the due date, ISO, as ``depuis``).
    """
    from atelierflash.parcours import add_months

    _, latest, text, step = _restitution(ateliers, programme)
    with_plan = ateliers["id"].astype(str).isin(set(actions["atelier"].astype(str))).to_numpy()
    dated = {
        p.months: ~np.isnat(step_dates(ateliers, programme, p.step.key).latest)
        for p in programme.points_etape
    }
    records = []
    for index in np.flatnonzero(with_plan & ~np.isnat(latest)):
        base = pd.Timestamp(latest[index]).date()
        points = programme.points_etape
        reached = [i for i, p in enumerate(points) if add_months(base, p.months) <= today]
        if not reached or dated[points[reached[-1]].months][index]:
            continue
        point = points[reached[-1]]
        due = add_months(base, point.months)
        # Listed until the next jalon; the last, for as long as the gap before it.
        following = points[reached[-1] + 1].months if reached[-1] + 1 < len(points) else None
        if following is None:
            following = 2 * point.months - (points[-2].months if len(points) > 1 else 0)
        if add_months(base, following) <= today:
            continue
        records.append(
            {
                "id": str(ateliers["id"].iloc[index]),
                "titre": _column(ateliers, "titre")[index],
                "statut": _column(ateliers, "statut")[index],
                "equipe": _column(ateliers, "equipe")[index],
                "motif": "point_etape_du",
                "motif_libelle": "Point d'étape dû",
                "etape": point.step.key,
                "etape_libelle": point.label,
                "depuis": due.isoformat(),
                "jours": (today - due).days,
                "seuil": f"{point.label} dû le {due.strftime('%d/%m/%Y')} "
                f"({programme.step(str(step[index])).label} du {text[index]} + {point.months} "
                "mois), sans date",
                "jalon": point.months,
                "echeance": due.isoformat(),
            }
        )
    columns = ["id", "titre", "statut", "equipe", "motif", "motif_libelle", "etape"]
    columns += ["etape_libelle", "depuis", "jours", "seuil", "jalon", "echeance"]
    return pd.DataFrame(records, columns=columns)


# ---------------------------------------------------------------------------------------------
# The command line's document
# ---------------------------------------------------------------------------------------------
def suites_json(ateliers: pd.DataFrame, actions: pd.DataFrame, programme: Programme) -> dict:
    """The ``"suites"`` part of ``suivi --json``: plain JSON types.

    Returns
    -------
    dict
        ``{"jalons": [6, 12, 24], "synthese": [{"par", "groupe", "ateliers", "actions",
        "actions_par_atelier", "premier_demarrage": {"n", "mediane_jours", "q1_jours",
        "q3_jours", "max_jours"}}], "points": [{"par", "groupe", "jalon", "ateliers", "actions",
        "demarrees", "realisees", "part_demarrees", "part_realisees"}], "ateliers": [{"id",
        "actions", "premier_demarrage_jours", "points": [{"jalon", "date", "actions",
        "demarrees", "realisees"}]}]}``. ``par`` is ``"programme"`` (``groupe`` null) or a key
        of :data:`GROUPINGS`; ``groupe`` a year (int) or a vocabulary key, null when « non
        renseigné »; a share or a statistic without data is null; a date is ISO text as
        written (« 2025-06 »), null when none.
    """
    synthese, points = [], []
    suites = Suites(ateliers, actions, programme)  # once for every grouping and table
    for by in GROUPINGS:
        par = by or "programme"
        for r in suites.synthese(by).to_dict("records"):
            synthese.append(
                {
                    "par": par,
                    "groupe": _group_json(by, r["groupe"]),
                    "ateliers": int(r["ateliers"]),
                    "actions": int(r["actions"]),
                    "actions_par_atelier": _number(r["actions_par_atelier"]),
                    "premier_demarrage": {
                        "n": int(r["premier_demarrage_n"]),
                        **{s: _number(r[f"premier_demarrage_{s}"]) for s in _STATS},
                    },
                }
            )
        for r in suites.points(by).to_dict("records"):
            points.append(
                {
                    "par": par,
                    "groupe": _group_json(by, r["groupe"]),
                    "jalon": int(r["jalon"]),
                    **{k: int(r[k]) for k in ("ateliers", "actions", "demarrees", "realisees")},
                    "part_demarrees": _number(r["part_demarrees"]),
                    "part_realisees": _number(r["part_realisees"]),
                }
            )
    per_atelier = [
        {
            "id": r["id"],
            "actions": int(r["actions"]),
            "premier_demarrage_jours": _number(r["premier_demarrage_jours"]),
            "points": [
                {
                    "jalon": p.months,
                    "date": r[f"point_{p.months}"] or None,
                    "actions": int(r[f"renseignees_{p.months}"]),
                    "demarrees": int(r[f"demarrees_{p.months}"]),
                    "realisees": int(r[f"realisees_{p.months}"]),
                }
                for p in programme.points_etape
            ],
        }
        for r in suites.ateliers().to_dict("records")
    ]
    return {
        "jalons": [p.months for p in programme.points_etape],
        "synthese": synthese,
        "points": points,
        "ateliers": per_atelier,
    }


def _group_json(by: str | None, key):
    if by is None or key is None or pd.isna(key):
        return None
    return int(key) if by == "annee" else str(key)


def _number(value) -> int | float | None:
    if value is None or pd.isna(value):
        return None
    value = float(value)
    return int(value) if value.is_integer() else round(value, 4)
