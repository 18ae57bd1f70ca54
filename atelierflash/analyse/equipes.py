"""Data of the « Équipes et tourniquet » page: orders, audit tables, the teams' workload.

Orders are read from a register; their figures are in :mod:`atelierflash.analyse`.

No Streamlit here. The rule itself lives in :mod:`atelierflash.analyse.rotation`; this module turns the
rows of ``Dataset.ateliers`` into :class:`~atelierflash.analyse.rotation.Order` objects and the replay
into tables.

Dates of orders
---------------
The unit is the bon de commande, dated by its issue (``dates_bon_commande``). A row with a team
but no bon date falls back to the atelier's start date (``date_debut``), and the order is
flagged (``fallback``) so that the page says which orders are dated that way. A row with neither
is left out of the audit and counted in :attr:`RegisterOrders.undated`.

Workload
--------
An atelier is in progress every month from its start to its end (both included, a date known
to the month covering the whole month). Without an end date, an atelier « en cours » runs to
``today`` and any other atelier counts in its start month only. A month is « sur site » for an
atelier when one of its ``dates_animation`` falls in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from atelierflash import palette
from atelierflash.analyse.rotation import (
    AgreementAudit,
    Order,
    ReplayedOrder,
    audit,
    orders_of_atelier,
)
from atelierflash.formats import fmt_date, fmt_eur, fmt_int, fmt_month
from atelierflash.programme import Agreement, Programme

#: Colours of the teams (stable whatever the selection), from the DSFR categorical palette.
TEAM_COLOURS = palette.CATEGORICAL


@dataclass(frozen=True)
class RegisterOrders:
    """The bons de commande of a register.

    Attributes
    ----------
    orders : list of Order
    fallback : frozenset of str
        Ids of ateliers whose orders are dated by the atelier's start (no bon date).
    undated : tuple of str
        Ids of ateliers with a team but neither bon date nor start date (left out).
    """

    orders: list[Order]
    fallback: frozenset[str]
    undated: tuple[str, ...]


def team_labels(programme: Programme) -> dict[str, str]:
    """Team key → French label."""
    return {key: programme.equipes.label_of(key) for key in programme.equipes.keys()}


def team_colours(programme: Programme) -> dict[str, str]:
    """Team key → colour, in the order of the programme's vocabulary."""
    keys = programme.equipes.keys()
    return {key: TEAM_COLOURS[i % len(TEAM_COLOURS)] for i, key in enumerate(keys)}


def register_orders(ateliers: pd.DataFrame) -> RegisterOrders:
    """Read the bons de commande of ``Dataset.ateliers``.

    Parameters
    ----------
    ateliers : pandas.DataFrame
        Rows with ``id``, ``equipe``, ``dates_bon_commande`` (tuple of PartialDate),
        ``date_debut``, ``montant_eur`` and ``motif_derogation``.

    Returns
    -------
    RegisterOrders
        Rows without a team are not orders; see the module docstring for the fallback.
    """
    orders: list[Order] = []
    fallback: set[str] = set()
    undated: list[str] = []
    for row in ateliers.to_dict("records"):
        team = row.get("equipe")
        if not isinstance(team, str) or not team:
            continue
        atelier_id = str(row["id"])
        days = [d.first_day() for d in (row.get("dates_bon_commande") or ()) if d is not None]
        if not days:
            start = row.get("date_debut")
            if not hasattr(start, "first_day"):
                undated.append(atelier_id)
                continue
            days = [start.first_day()]
            fallback.add(atelier_id)
        amount = row.get("montant_eur")
        amount = None if amount is None or pd.isna(amount) else float(amount)
        motif = row.get("motif_derogation")
        motif = motif.strip() if isinstance(motif, str) else ""
        orders.extend(orders_of_atelier(atelier_id, team, days, amount, motif))
    return RegisterOrders(orders, frozenset(fallback), tuple(undated))


def audit_register(
    programme: Programme, ateliers: pd.DataFrame
) -> tuple[list[AgreementAudit], list[Order], RegisterOrders]:
    """Replay every agreement of the programme over the register's orders.

    Returns
    -------
    tuple
        The audits (programme order), the orders outside every agreement, and the orders read.
    """
    read = register_orders(ateliers)
    audits, outside = audit(programme.agreements, read.orders, team_labels(programme))
    return audits, outside, read


def all_deviations(audits: Iterable[AgreementAudit]) -> list[ReplayedOrder]:
    """Every order departing from its agreement's rule, all agreements together."""
    return [r for a in audits for r in a.deviations]


#: The deviation of an order: key → French label (column ``ecart`` of :func:`order_table`).
DEVIATIONS = {
    "non_justifie": "écart non justifié",
    "documente": "dérogation documentée",
    "conforme": "conforme",
}
#: Row highlight of the order-by-order table, by deviation key (none for a conforming order).
DEVIATION_COLOURS = {"non_justifie": palette.ROW_ALERT, "documente": palette.ROW_NOTICE}


def _deviation(r: ReplayedOrder) -> str:
    if not r.deviation:
        return "conforme"
    return "documente" if r.documented else "non_justifie"


def order_row_styles(table: pd.DataFrame) -> list[str]:
    """The CSS of each row of :func:`order_table` (its highlight by deviation key).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`order_table` (column ``ecart_cle``).

    Returns
    -------
    list of str
        One ``background-color: …`` (or ``""``) per row, in the table's order.
    """
    return [
        f"background-color: {DEVIATION_COLOURS[key]}" if key in DEVIATION_COLOURS else ""
        for key in table["ecart_cle"]
    ]


def order_table(
    replayed: Iterable[ReplayedOrder],
    ateliers: pd.DataFrame,
    labels: Mapping[str, str],
    fallback: Iterable[str] = (),
) -> pd.DataFrame:
    """The order-by-order table: unexplained deviations first, then documented ones, then the rest.

    Returns
    -------
    pandas.DataFrame
        Columns ``date``, ``atelier`` (id), ``titre``, ``communes_noms``, ``bon`` (1 or 2),
        ``titulaire``, ``attendu``, ``ecart`` (« conforme », « dérogation documentée », « écart
        non justifié »), ``ecart_cle`` (its key in :data:`DEVIATIONS`), ``motif``,
        ``explication``, ``date_repli`` (dated by the atelier's start), ``montant_eur``; within a
        group, by date.
    """
    fallback = set(fallback)
    info = ateliers.set_index(ateliers["id"].astype(str))
    rows = []
    for r in replayed:
        o = r.order
        known = o.atelier_id in info.index
        rows.append(
            {
                "date": o.date,
                "atelier": o.atelier_id,
                "titre": info.at[o.atelier_id, "titre"] if known else "",
                "communes_noms": info.at[o.atelier_id, "communes_noms"] if known else "",
                "bon": o.rank,
                "titulaire": labels.get(o.team, o.team),
                "attendu": labels.get(r.expected, r.expected),
                "ecart": DEVIATIONS[_deviation(r)],
                "ecart_cle": _deviation(r),
                "motif": o.motif,
                "explication": r.explanation,
                "date_repli": o.atelier_id in fallback,
                "montant_eur": o.amount,
                "_groupe": 0 if r.deviation and not r.documented else 1 if r.deviation else 2,
            }
        )
    columns = [
        "date",
        "atelier",
        "titre",
        "communes_noms",
        "bon",
        "titulaire",
        "attendu",
        "ecart",
        "ecart_cle",
        "motif",
        "explication",
        "date_repli",
        "montant_eur",
    ]
    frame = pd.DataFrame(rows, columns=[*columns, "_groupe"])
    frame = frame.sort_values(["_groupe", "date", "atelier", "bon"], kind="stable")
    return frame[columns].reset_index(drop=True)


def holder_year_table(
    replayed: Iterable[ReplayedOrder], agreement: Agreement, labels: Mapping[str, str]
) -> pd.DataFrame:
    """Bons and amounts per holder and per year of issue (every holder, every year of the log).

    Returns
    -------
    pandas.DataFrame
        Columns ``equipe`` (key), ``titulaire`` (label), ``annee``, ``bons``, ``montant_eur``.
    """
    replayed = list(replayed)
    holders = list(agreement.order or agreement.team_keys())
    holders += [t for t in agreement.team_keys() if t not in holders]
    holders += sorted({r.order.team for r in replayed} - set(holders))
    years = sorted({r.order.date.year for r in replayed})
    rows = []
    for team in holders:
        for year in years:
            part = [r for r in replayed if r.order.team == team and r.order.date.year == year]
            rows.append(
                {
                    "equipe": team,
                    "titulaire": labels.get(team, team),
                    "annee": year,
                    "bons": len(part),
                    "montant_eur": float(sum(r.order.amount or 0.0 for r in part)),
                }
            )
    return pd.DataFrame(rows, columns=["equipe", "titulaire", "annee", "bons", "montant_eur"])


def cumulative_table(replayed: Iterable[ReplayedOrder], labels: Mapping[str, str]) -> pd.DataFrame:
    """Cumulative bons per holder after each order of the agreement.

    Returns
    -------
    pandas.DataFrame
        One row per (order, holder): ``date``, ``rang`` (1 for the first order of the log),
        ``equipe``, ``titulaire``, ``cumul_bons``, ``cumul_montant_eur``.
    """
    replayed = list(replayed)
    teams = list(dict.fromkeys(r.order.team for r in replayed))
    counts = dict.fromkeys(teams, 0)
    amounts = dict.fromkeys(teams, 0.0)
    rows = []
    for rank, r in enumerate(replayed, start=1):
        counts[r.order.team] += 1
        amounts[r.order.team] += r.order.amount or 0.0
        for team in teams:
            rows.append(
                {
                    "date": r.order.date,
                    "rang": rank,
                    "equipe": team,
                    "titulaire": labels.get(team, team),
                    "cumul_bons": counts[team],
                    "cumul_montant_eur": amounts[team],
                }
            )
    columns = ["date", "rang", "equipe", "titulaire", "cumul_bons", "cumul_montant_eur"]
    return pd.DataFrame(rows, columns=columns)


# -- workload over time --------------------------------------------------------------------------
def _month(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, 1)


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    out, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def atelier_periods(ateliers: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """Each team's ateliers with the span they are in progress and their on-site days.

    Returns
    -------
    pandas.DataFrame
        Columns ``atelier``, ``titre``, ``equipe``, ``debut``, ``fin`` (dates), ``ouvert``
        (no end date, see the module docstring) and ``sur_site`` (tuple of dates); ateliers
        without a team or a start date are left out. Sorted by team then start.
    """
    rows = []
    for row in ateliers.to_dict("records"):
        team, start = row.get("equipe"), row.get("date_debut")
        if not isinstance(team, str) or not team or not hasattr(start, "first_day"):
            continue
        first = start.first_day()
        end = row.get("date_fin")
        open_ended = not hasattr(end, "last_day")
        if not open_ended:
            last = max(end.last_day(), first)
        elif row.get("statut") == "en_cours":
            last = max(today, first)
        else:
            last = first
        on_site = tuple(
            sorted(d.first_day() for d in (row.get("dates_animation") or ()) if d is not None)
        )
        rows.append(
            {
                "atelier": str(row["id"]),
                "titre": row.get("titre", ""),
                "equipe": team,
                "debut": first,
                "fin": last,
                "ouvert": open_ended,
                "sur_site": on_site,
            }
        )
    columns = ["atelier", "titre", "equipe", "debut", "fin", "ouvert", "sur_site"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["equipe", "debut", "atelier"], kind="stable").reset_index(drop=True)


def monthly_load(periods: pd.DataFrame, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Ateliers in progress per team and month, every month between the first and last one.

    Parameters
    ----------
    periods : pandas.DataFrame
        The output of :func:`atelier_periods`.

    Returns
    -------
    pandas.DataFrame
        Columns ``equipe``, ``titulaire``, ``mois`` (first day), ``en_cours`` (ateliers in
        progress), ``sur_site`` (of which with an on-site day in the month), ``ids_ateliers``.
    """
    labels = labels or {}
    columns = ["equipe", "titulaire", "mois", "en_cours", "sur_site", "ids_ateliers"]
    if periods.empty:
        return pd.DataFrame(columns=columns)
    months = _months(min(periods["debut"]), max(periods["fin"]))
    rows = []
    for team, part in periods.groupby("equipe", sort=False):
        for month in months:
            active = part[(part["debut"].map(_month) <= month) & (part["fin"].map(_month) >= month)]
            on_site = [
                a
                for a, days in zip(active["atelier"], active["sur_site"], strict=True)
                if any(_month(d) == month for d in days)
            ]
            rows.append(
                {
                    "equipe": team,
                    "titulaire": labels.get(team, team),
                    "mois": month,
                    "en_cours": len(active),
                    "sur_site": len(on_site),
                    "ids_ateliers": ", ".join(active["atelier"]),
                }
            )
    return pd.DataFrame(rows, columns=columns)


def peak_load(load: pd.DataFrame) -> pd.DataFrame:
    """Each team's peak: the most ateliers in progress at once and the first month it is reached.

    Returns
    -------
    pandas.DataFrame
        Columns ``equipe``, ``titulaire``, ``pic`` and ``mois_pic`` (``None`` when no month).
    """
    rows = []
    for team, part in load.groupby("equipe", sort=False):
        peak = int(part["en_cours"].max()) if len(part) else 0
        month = part.loc[part["en_cours"] == peak, "mois"].min() if peak else None
        rows.append(
            {
                "equipe": team,
                "titulaire": part["titulaire"].iloc[0],
                "pic": peak,
                "mois_pic": month,
            }
        )
    return pd.DataFrame(rows, columns=["equipe", "titulaire", "pic", "mois_pic"])


def lanes(periods: pd.DataFrame) -> list[int]:
    """A lane per atelier inside its team so that ateliers of a lane never overlap (by month).

    Greedy interval colouring in start order: a team uses as many lanes as its peak load.
    """
    result = [0] * len(periods)
    ends: dict[str, list[dt.date]] = {}
    order = sorted(range(len(periods)), key=lambda i: (periods["debut"].iloc[i], i))
    for i in order:
        team = periods["equipe"].iloc[i]
        start, end = _month(periods["debut"].iloc[i]), _month(periods["fin"].iloc[i])
        team_ends = ends.setdefault(team, [])
        lane = next((k for k, last in enumerate(team_ends) if last < start), None)
        if lane is None:
            lane = len(team_ends)
            team_ends.append(end)
        else:
            team_ends[lane] = end
        result[i] = lane
    return result


# -- texts and display tables --------------------------------------------------------------------
def rule_text(agreement: Agreement, labels: Mapping[str, str]) -> str:
    """The agreement's allocation rule, in French, from its settings."""
    if agreement.rule == "single":
        team = (agreement.order or agreement.team_keys())[0]
        return f"titulaire unique ({labels.get(team, team)}) : pas de tourniquet à auditer"
    sequence = " → ".join(labels.get(t, t) for t in (agreement.order or agreement.team_keys()))
    if agreement.rule == "cascade":
        return f"cascade, par rang : {sequence}"
    refusal = (
        "le titulaire passé sur refus documenté garde son tour"
        if agreement.refusal == "garde_son_tour"
        else "le titulaire passé sur refus documenté perd son tour"
    )
    second = "compte" if agreement.second_order_counts else "ne compte pas"
    return (
        f"tourniquet dans l'ordre {sequence} ; {refusal} ; le second bon d'un atelier {second} "
        "comme un tour ; le pointeur repart du premier titulaire à chaque accord-cadre"
    )


def summary_display(summary: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    """:func:`atelierflash.analyse.rotation.holder_summary` with French headers and formats."""
    return pd.DataFrame(
        {
            "Titulaire": [labels.get(t, t) for t in summary["team"]],
            "Bons reçus": [fmt_int(v) for v in summary["orders"]],
            "Dont tours du tourniquet": [fmt_int(v) for v in summary["turns"]],
            "Montant des bons": [fmt_eur(v) for v in summary["amount"]],
            "Bons reçus hors règle": [fmt_int(v) for v in summary["deviations"]],
            "Dont sans motif": [fmt_int(v) for v in summary["undocumented"]],
            "Fois passé": [fmt_int(v) for v in summary["skipped"]],
        }
    )


ORDER_HEADERS = {
    "date": "Date du bon",
    "atelier": "Atelier",
    "titre": "Titre",
    "communes_noms": "Communes",
    "bon": "Bon n°",
    "titulaire": "Titulaire",
    "attendu": "Titulaire attendu",
    "ecart": "Écart",
    "motif": "Motif de dérogation",
    "explication": "Raisonnement",
    "date_repli": "Daté par le début de l'atelier",
    "montant_eur": "Montant",
}


def order_display(table: pd.DataFrame) -> pd.DataFrame:
    """The order-by-order table with French headers and formats (all cells text)."""
    shown = pd.DataFrame(index=range(len(table)))
    for column, header in ORDER_HEADERS.items():
        values = table[column]
        if column == "date":
            values = [fmt_date(v) for v in values]
        elif column == "montant_eur":
            values = [fmt_eur(v) for v in values]
        elif column == "date_repli":
            values = ["oui" if v else "" for v in values]
        elif column == "bon":
            values = [str(v) for v in values]
        shown[header] = list(values)
    return shown


def order_csv(table: pd.DataFrame) -> pd.DataFrame:
    """The order-by-order table for the CSV download: French headers, raw values."""
    return table[list(ORDER_HEADERS)].rename(columns=ORDER_HEADERS)


def load_display(peaks: pd.DataFrame) -> pd.DataFrame:
    """Peaks of load with French headers."""
    return pd.DataFrame(
        {
            "Équipe": peaks["titulaire"],
            "Pic d'ateliers menés en même temps": [fmt_int(v) for v in peaks["pic"]],
            "Premier mois du pic": [
                fmt_month(m.year, m.month) if isinstance(m, dt.date) else "–"
                for m in peaks["mois_pic"]
            ],
        }
    )
