"""Suivi: what is late, what waits, how long each step takes.

Everything here reads the steps' dates of ``Dataset.ateliers`` (one ``PartialDate`` per step,
``dates_bon_commande`` a tuple of which the first counts) and the ``[suivi]`` settings of
``data/programme.toml``; nothing is hard-coded but the meaning of each rule:

- **Delays** (:func:`delais`) between two steps, in calendar days, over the rows that have
  both dates to the day: a date known only to the month is left out (its delay would be a guess
  of up to a month). Median, first and third quartiles by linear interpolation (the median of an
  even count is the mean of the two middle values), maximum. Rows with an error never reach
  ``Dataset.ateliers``.
- **À traiter** (:func:`a_traiter`), each rule measured against a threshold of ``[suivi]``:

  ``eligibilite_en_attente``
      a candidature (statut « candidature ») deposited more than
      ``eligibilite_attente_semaines`` weeks ago, without an eligibility date;
  ``bon_commande_en_attente``
      an atelier still « sélectionné », selected more than ``bon_commande_attente_semaines``
      weeks ago, without a bon de commande;
  ``atelier_en_retard``
      a first bon de commande more than ``atelier_retard_mois`` calendar months ago, no
      restitution date, and a statut still open (not one of ``statuts_clos``);
  ``livrables_manquants``
      a restitution held (its date today or before) and no livrables date;
  ``point_etape_du``: a point d'étape due, not dated (:func:`.suites.points_etape_dus`).

  A date known only to the month waits from the last day it may be, so nothing is flagged
  before it is sure to be late; ``depuis`` shows it as written (« 2025-04 »).
- **Funnel** (:func:`entonnoir`): ateliers per year of the register's ``annee`` and current
  statut, every statut of the vocabulary, every year from the launch year (0 when none); an
  atelier without a year counts in no yearly series.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from atelierflash.formats import fmt_date, fmt_decimal, fmt_int
from atelierflash.programme import Programme, ProgrammeError

#: The motifs of the à-traiter list, with their French label.
MOTIFS = {
    "eligibilite_en_attente": "Éligibilité en attente",
    "bon_commande_en_attente": "Bon de commande en attente",
    "atelier_en_retard": "Atelier en retard",
    "livrables_manquants": "Livrables manquants",
    "point_etape_du": "Point d'étape dû",
}
_DAYS_PER_MONTH = 365.25 / 12
_STAT_COLUMNS = ["n", "mediane_jours", "q1_jours", "q3_jours", "max_jours"]


@dataclass(frozen=True)
class SuiviSettings:
    """The ``[suivi]`` settings, checked (see :func:`suivi_settings`)."""

    eligibilite_attente_semaines: int
    bon_commande_attente_semaines: int
    atelier_retard_mois: int
    statuts_clos: tuple[str, ...]
    delais: tuple[tuple[str, str], ...]

    def norme_jours(self, de: str, a: str) -> float | None:
        """The norm of a delay in days: the threshold after which its second step « waits ».

        ``None`` for a delay no rule watches (eligibility → selection: the committee's rhythm).
        """
        norms = {
            ("depot", "eligibilite"): 7 * self.eligibilite_attente_semaines,
            ("selection", "bon_commande"): 7 * self.bon_commande_attente_semaines,
            ("bon_commande", "restitution"): round(_DAYS_PER_MONTH * self.atelier_retard_mois, 1),
        }
        return norms.get((de, a))


def suivi_settings(programme: Programme) -> SuiviSettings:
    """Read and check the ``[suivi]`` table of the programme.

    Parameters
    ----------
    programme : Programme

    Returns
    -------
    SuiviSettings

    Raises
    ------
    ProgrammeError
        With a French message naming the setting: a threshold that is not a positive whole
        number, an unknown statut, a delay between unknown steps.
    """
    spec = programme.suivi
    numbers = {}
    for name in (
        "eligibilite_attente_semaines",
        "bon_commande_attente_semaines",
        "atelier_retard_mois",
    ):
        value = spec.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ProgrammeError(
                f"[suivi] {name} : un nombre entier positif est attendu, pas « {value} »"
            )
        numbers[name] = value
    closed = tuple(spec.get("statuts_clos", ()))
    unknown = [s for s in closed if s not in programme.statuts.keys()]
    if unknown:
        raise ProgrammeError(
            f"[suivi] statuts_clos : statut(s) inconnu(s) : {', '.join(map(str, unknown))} "
            f"(statuts : {', '.join(programme.statuts.keys())})"
        )
    pairs = []
    for item in spec.get("delais", ()):
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise ProgrammeError(f"[suivi] delais : une paire [de, à] est attendue, pas {item}")
        steps = [step.key for step in programme.etapes]
        bad = [s for s in item if s not in steps]
        if bad:
            raise ProgrammeError(
                f"[suivi] delais : étape(s) inconnue(s) : {', '.join(map(str, bad))} "
                f"(étapes de [[etapes]] : {', '.join(steps)})"
            )
        pairs.append((item[0], item[1]))
    return SuiviSettings(statuts_clos=closed, delais=tuple(pairs), **numbers)


def delay_label(programme: Programme, de: str, a: str) -> str:
    """« Dépôt du dossier → décision d'éligibilité »: the steps' labels of ``[[etapes]]``."""
    text = f"{programme.step(de).label} → {programme.step(a).label}"
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------------------------------------
# Dates of a step, as arrays
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _StepDates:
    """One step's date per atelier: to the day (exact), latest possible day, and as written."""

    exact: np.ndarray  # datetime64[D], NaT when missing or partial
    earliest: np.ndarray  # datetime64[D], NaT when missing
    latest: np.ndarray  # datetime64[D], NaT when missing
    text: np.ndarray  # object: ISO text as written, "" when missing


def _first(value):
    if isinstance(value, tuple | list):
        return value[0] if value else None
    return value if hasattr(value, "last_day") else None


def step_dates(ateliers: pd.DataFrame, programme: Programme, step: str) -> _StepDates:
    """The date of ``step`` for each atelier (its field; a missing column counts as no date)."""
    column = programme.step(step).field
    size = len(ateliers)
    if column not in ateliers.columns:
        nat = np.full(size, np.datetime64("NaT"), dtype="datetime64[D]")
        return _StepDates(nat, nat.copy(), nat.copy(), np.full(size, "", dtype=object))
    # One pass over Python objects (PartialDate) for their year, month and day; the days are
    # then computed as arrays (building datetime64 arrays from date objects is slow).
    values = [_first(v) for v in ateliers[column].tolist()]
    known = np.array([v is not None for v in values], dtype=bool)
    parts = np.array(
        [(v.year, v.month, v.day or 0) if v is not None else (1970, 1, 0) for v in values],
        dtype="int64",
    ).reshape(-1, 3)
    month = ((parts[:, 0] - 1970) * 12 + parts[:, 1] - 1).astype("datetime64[M]")
    first = month.astype("datetime64[D]")
    day = parts[:, 2]
    nat = np.datetime64("NaT", "D")
    dated = first + np.maximum(day - 1, 0).astype("timedelta64[D]")
    earliest = np.where(known, dated, nat)
    exact = np.where(known & (day > 0), dated, nat)
    end_of_month = (month + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    latest = np.where(known, np.where(day > 0, dated, end_of_month), nat)
    text = np.array([v.iso() if v is not None else "" for v in values], dtype=object)
    return _StepDates(exact, earliest, latest, text)


# ---------------------------------------------------------------------------------------------
# Funnel
# ---------------------------------------------------------------------------------------------
def entonnoir(ateliers: pd.DataFrame, programme: Programme) -> pd.DataFrame:
    """Ateliers per year and current statut, every statut and year (0 when none).

    Returns
    -------
    pandas.DataFrame
        ``annee`` (int), ``statut`` (key), ``libelle``, ``n``; years from the launch year to
        the last year of the selection (at least the launch year), statuts in vocabulary order.
    """
    statuts = programme.statuts.keys()
    known = ateliers[ateliers["annee"].notna()] if len(ateliers) else ateliers
    years = known["annee"].astype(int) if len(known) else pd.Series(dtype=int)
    last = max(int(years.max()) if len(years) else programme.launch_year, programme.launch_year)
    first = min(int(years.min()) if len(years) else programme.launch_year, programme.launch_year)
    grid = pd.MultiIndex.from_product([range(first, last + 1), statuts], names=["annee", "statut"])
    counts = (
        pd.DataFrame({"annee": years.to_numpy(), "statut": known["statut"].to_numpy()})
        .groupby(["annee", "statut"])
        .size()
        .reindex(grid, fill_value=0)
    )
    table = counts.rename("n").reset_index()
    table["libelle"] = table["statut"].map(programme.statuts.label_of)
    table["n"] = table["n"].astype(int)
    return table[["annee", "statut", "libelle", "n"]]


# ---------------------------------------------------------------------------------------------
# Delays
# ---------------------------------------------------------------------------------------------
def delais_ateliers(ateliers: pd.DataFrame, programme: Programme) -> pd.DataFrame:
    """One row per atelier and measured delay whose two dates are known to the day.

    Returns
    -------
    pandas.DataFrame
        ``id``, ``titre``, ``annee``, ``equipe``, ``de``, ``a``, ``libelle``, ``depuis``,
        ``jusqua`` (ISO dates), ``jours`` (int), ``norme_jours``, ``au_dela`` (bool: over the
        norm), in the order of the settings' delays, then of the register.
    """
    settings = suivi_settings(programme)
    parts = []
    for de, a in settings.delais:
        start, end = step_dates(ateliers, programme, de), step_dates(ateliers, programme, a)
        both = ~np.isnat(start.exact) & ~np.isnat(end.exact)
        days = (end.exact[both] - start.exact[both]).astype(int)
        norm = settings.norme_jours(de, a)
        parts.append(
            pd.DataFrame(
                {
                    "id": ateliers["id"].to_numpy()[both],
                    "titre": ateliers["titre"].to_numpy()[both],
                    "annee": ateliers["annee"].to_numpy()[both],
                    "equipe": _column(ateliers, "equipe")[both],
                    "de": de,
                    "a": a,
                    "libelle": delay_label(programme, de, a),
                    "depuis": start.text[both],
                    "jusqua": end.text[both],
                    "jours": days,
                    "norme_jours": norm,
                    "au_dela": days > norm if norm is not None else False,
                }
            )
        )
    columns = ["id", "titre", "annee", "equipe", "de", "a", "libelle", "depuis", "jusqua"]
    columns += ["jours", "norme_jours", "au_dela"]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    table["annee"] = table["annee"].astype("Int64")
    return table[columns]


def _column(ateliers: pd.DataFrame, name: str) -> np.ndarray:
    if name in ateliers.columns:
        return ateliers[name].to_numpy(dtype=object)
    return np.full(len(ateliers), None, dtype=object)


def delais(ateliers: pd.DataFrame, programme: Programme, by: str | None = None) -> pd.DataFrame:
    """Statistics of each measured delay, overall or per ``by`` (``"annee"``, ``"equipe"``).

    Parameters
    ----------
    ateliers : pandas.DataFrame
        A selection of ``Dataset.ateliers``.
    programme : Programme
        Its ``[suivi]`` settings name the delays measured and their norms.
    by : str, optional
        A column of :func:`delais_ateliers` to group by; groups without a delay are left out.

    Returns
    -------
    pandas.DataFrame
        ``de``, ``a``, ``libelle``, [``by``], ``n``, ``mediane_jours``, ``q1_jours``,
        ``q3_jours``, ``max_jours`` (calendar days; missing when ``n`` is 0), ``norme_jours``.
        Overall, every measured delay has its row, ``n`` 0 included.
    """
    settings = suivi_settings(programme)
    single = delais_ateliers(ateliers, programme)
    keys = ["de", "a"] + ([by] if by else [])
    if by:
        single = single[single[by].notna()]
    grouped = single.groupby(keys, sort=False)["jours"]
    stats = pd.DataFrame(
        {
            "n": grouped.size(),
            "mediane_jours": grouped.median(),
            "q1_jours": grouped.quantile(0.25),
            "q3_jours": grouped.quantile(0.75),
            "max_jours": grouped.max(),
        }
    )
    pairs = pd.MultiIndex.from_tuples(list(settings.delais), names=["de", "a"])
    if by is None:
        stats = stats.reindex(pairs)
        stats["n"] = stats["n"].fillna(0)
    stats = stats.reset_index()
    stats["n"] = stats["n"].astype(int)
    for column in _STAT_COLUMNS[1:]:
        stats[column] = stats[column].astype(float)
    stats["libelle"] = [
        delay_label(programme, d, a) for d, a in zip(stats["de"], stats["a"], strict=True)
    ]
    stats["norme_jours"] = [
        settings.norme_jours(d, a) for d, a in zip(stats["de"], stats["a"], strict=True)
    ]
    order = {pair: i for i, pair in enumerate(settings.delais)}
    stats["_ordre"] = [order[(d, a)] for d, a in zip(stats["de"], stats["a"], strict=True)]
    stats = stats.sort_values(["_ordre", *([by] if by else [])], kind="stable")
    columns = ["de", "a", "libelle", *([by] if by else []), *_STAT_COLUMNS, "norme_jours"]
    return stats[columns].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# À traiter
# ---------------------------------------------------------------------------------------------
def a_traiter(
    ateliers: pd.DataFrame, programme: Programme, today: dt.date, *, actions=None
) -> pd.DataFrame:
    """What is late or waits on ``today``: one row per atelier and motif, longest wait first.

    ``actions`` (``Dataset.actions``, a DataFrame) adds the points d'étape due of the ateliers
    that have a feuille de route; without it, that rule says nothing.

    Returns
    -------
    pandas.DataFrame
        ``id``, ``titre``, ``statut``, ``equipe``, ``motif`` (a key of :data:`MOTIFS`),
        ``motif_libelle``, ``etape`` (the step the wait is counted from) and ``etape_libelle``,
        ``depuis`` (its date as written), ``jours`` (calendar days since its last possible
        day), ``seuil`` (the rule in French), ``jalon`` and ``echeance`` (a point d'étape's
        months and due date; missing and ``""`` for the other motifs).
    """
    settings = suivi_settings(programme)
    day = np.datetime64(today, "D")
    statut = _column(ateliers, "statut")
    open_ = ~np.isin(statut, list(settings.statuts_clos))
    depot, eligibilite, selection, bon, restitution, livrables = (
        step_dates(ateliers, programme, step)
        for step in (
            "depot",
            "eligibilite",
            "selection",
            "bon_commande",
            "restitution",
            "livrables",
        )
    )
    weeks = np.timedelta64(7, "D")
    months_ago = np.datetime64(
        (pd.Timestamp(today) - pd.DateOffset(months=settings.atelier_retard_mois)).date(), "D"
    )
    rules = (
        (
            "eligibilite_en_attente",
            "depot",
            depot,
            (statut == "candidature")
            & np.isnat(eligibilite.latest)
            & (depot.latest < day - settings.eligibilite_attente_semaines * weeks),
            f"plus de {settings.eligibilite_attente_semaines} semaines après le dépôt, "
            "sans décision d'éligibilité",
        ),
        (
            "bon_commande_en_attente",
            "selection",
            selection,
            (statut == "selectionne")
            & np.isnat(bon.latest)
            & (selection.latest < day - settings.bon_commande_attente_semaines * weeks),
            f"plus de {settings.bon_commande_attente_semaines} semaines après la sélection, "
            "sans bon de commande",
        ),
        (
            "atelier_en_retard",
            "bon_commande",
            bon,
            open_ & np.isnat(restitution.latest) & (bon.latest < months_ago),
            f"plus de {settings.atelier_retard_mois} mois après le bon de commande, sans "
            "restitution",
        ),
        (
            "livrables_manquants",
            "restitution",
            restitution,
            (restitution.latest <= day) & np.isnat(livrables.latest),
            "restitution tenue, sans date de livrables",
        ),
    )
    parts = []
    for motif, step, dates, hit, rule in rules:
        parts.append(
            pd.DataFrame(
                {
                    "id": ateliers["id"].to_numpy()[hit],
                    "titre": _column(ateliers, "titre")[hit],
                    "statut": statut[hit],
                    "equipe": _column(ateliers, "equipe")[hit],
                    "motif": motif,
                    "motif_libelle": MOTIFS[motif],
                    "etape": step,
                    "etape_libelle": programme.step(step).label,
                    "depuis": dates.text[hit],
                    "jours": (day - dates.latest[hit]).astype(int),
                    "seuil": rule,
                }
            )
        )
    if actions is not None:
        from atelierflash.analyse.suites import points_etape_dus  # suites reads suivi's dates

        parts.append(points_etape_dus(ateliers, actions, programme, today))
    table = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    table["jours"] = table["jours"].astype(int)
    table = table.assign(jalon=table.get("jalon"), echeance=table.get("echeance"))
    table["jalon"], table["echeance"] = table["jalon"].astype("Int64"), table["echeance"].fillna("")
    return table.sort_values(["jours", "id"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )


# ---------------------------------------------------------------------------------------------
# Ateliers in progress (timeline)
# ---------------------------------------------------------------------------------------------
def ateliers_en_cours(ateliers: pd.DataFrame, programme: Programme, today: dt.date) -> pd.DataFrame:
    """Ateliers in progress on ``today``: open statut, a first bon de commande or a start.

    Returns
    -------
    pandas.DataFrame
        ``id``, ``titre``, ``equipe``, ``statut``, ``depart`` (first bon, else the start: first
        possible day), ``echeance`` (``depart`` plus ``atelier_retard_mois``), ``jours`` (since
        ``depart``), ``en_retard`` (past the échéance without restitution), and the first
        possible day of ``debut``, ``animation``, ``livrables``, ``restitution`` (``NaT`` when
        unknown); earliest first.
    """
    settings = suivi_settings(programme)
    statut = _column(ateliers, "statut")
    open_ = ~np.isin(statut, list(settings.statuts_clos))
    bon = step_dates(ateliers, programme, "bon_commande").earliest
    start = np.where(np.isnat(bon), step_dates(ateliers, programme, "debut").earliest, bon)
    keep = open_ & ~np.isnat(start)
    table = pd.DataFrame(
        {
            "id": ateliers["id"].to_numpy()[keep],
            "titre": _column(ateliers, "titre")[keep],
            "equipe": _column(ateliers, "equipe")[keep],
            "statut": statut[keep],
            "depart": pd.to_datetime(start[keep]),
        }
    )
    table["echeance"] = table["depart"] + pd.DateOffset(months=settings.atelier_retard_mois)
    table["jours"] = (pd.Timestamp(today) - table["depart"]).dt.days.astype(int)
    for step in ("debut", "animation", "livrables", "restitution"):
        table[step] = pd.to_datetime(step_dates(ateliers, programme, step).earliest[keep])
    table["en_retard"] = table["restitution"].isna() & (table["echeance"] < pd.Timestamp(today))
    return table.sort_values(["depart", "id"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# The command line's document
# ---------------------------------------------------------------------------------------------
def suivi_json(
    ateliers: pd.DataFrame, programme: Programme, today: dt.date, *, actions=None
) -> dict:
    """The ``suivi --json`` document: plain JSON types, keys as documented.

    Returns
    -------
    dict
        ``{"date", "entonnoir": [{"annee", "statut", "n"}], "delais": [{"de", "a", "n",
        "mediane_jours", "q1_jours", "q3_jours", "max_jours"}], "a_traiter": [{"id", "motif",
        "depuis", "jours"}]}``; a statistic without data is ``null``. With ``actions``, a
        ``point_etape_du`` row adds ``"jalon"`` and ``"echeance"``, and ``"suites"`` is added.
    """
    funnel = entonnoir(ateliers, programme)
    delays = delais(ateliers, programme)
    todo = a_traiter(ateliers, programme, today, actions=actions)
    document = {
        "date": today.isoformat(),
        "entonnoir": [
            {"annee": int(r.annee), "statut": str(r.statut), "n": int(r.n)}
            for r in funnel.itertuples()
        ],
        "delais": [
            {
                "de": r["de"],
                "a": r["a"],
                "n": int(r["n"]),
                **{c: _number(r[c]) for c in _STAT_COLUMNS[1:]},
            }
            for r in delays.to_dict("records")
        ],
        "a_traiter": [
            {"id": str(r.id), "motif": r.motif, "depuis": r.depuis, "jours": int(r.jours)}
            | ({"jalon": int(r.jalon), "echeance": r.echeance} if r.echeance else {})
            for r in todo.itertuples()
        ],
    }
    if actions is not None:
        from atelierflash.analyse.suites import suites_json  # idem

        document["suites"] = suites_json(ateliers, actions, programme)
    return document


def _number(value) -> int | float | None:
    """A day count for JSON: ``None`` when missing, an int when whole (« 25 », « 17.5 »)."""
    if value is None or pd.isna(value):
        return None
    value = float(value)
    return int(value) if value.is_integer() else value


def suivi_text(ateliers, programme: Programme, today: dt.date, label: str, actions=None) -> str:
    """The same document in French, for a terminal; ``actions`` as :func:`a_traiter`."""
    lines = [f"Suivi du registre « {label} » au {fmt_date(today)}", ""]
    lines.append("Entonnoir : ateliers par année et statut actuel")
    funnel = entonnoir(ateliers, programme)
    for year, part in funnel.groupby("annee", sort=True):
        counted = part[part["n"] > 0]
        detail = ", ".join(f"{r.libelle} {fmt_int(r.n)}" for r in counted.itertuples())
        lines.append(f"  {year} : {fmt_int(part['n'].sum())}" + (f" ({detail})" if detail else ""))
    lines += ["", "Délais entre étapes (jours calendaires, dates connues au jour)"]
    for r in delais(ateliers, programme).to_dict("records"):
        norm = "" if pd.isna(r["norme_jours"]) else f" ; norme {fmt_decimal(r['norme_jours'], 0)} j"
        if r["n"] == 0:
            lines.append(f"  {r['libelle']} : aucun atelier n'a les deux dates au jour{norm}")
            continue
        lines.append(
            f"  {r['libelle']} : {fmt_int(r['n'])} atelier(s), médiane "
            f"{fmt_decimal(r['mediane_jours'])} j (quartiles {fmt_decimal(r['q1_jours'])} et "
            f"{fmt_decimal(r['q3_jours'])}), maximum {fmt_int(r['max_jours'])} j{norm}"
        )
    todo = a_traiter(ateliers, programme, today, actions=actions)
    lines += ["", f"À traiter : {fmt_int(len(todo))} atelier(s)"]
    for r in todo.itertuples():
        lines.append(
            f"  {r.id} – {r.motif_libelle} : {r.etape_libelle} {r.depuis}, "
            f"{fmt_int(r.jours)} j ({r.seuil})"
        )
    return "\n".join(lines)
