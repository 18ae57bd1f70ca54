"""The tourniquet audit: replay an accord-cadre's allocation rule over its bons de commande.

The unit of allocation is the purchase order (bon de commande), dated by its issue. An atelier has
one or two. The exact clauses of the agreements are not public, so every behaviour below is driven
by the settings of :class:`atelierflash.programme.Agreement` (``rule``, ``order``, ``refusal``,
``second_order_counts``, ``reset``), never by the agreement's name.

Semantics
---------
Orders are replayed sorted by ``(date, atelier_id, rank)``. For each order the replay says which
team the rule expected, whether the order departs from it (``deviation``), whether a motif
documents the departure (``documented``) and whether the order is a turn of the rotation
(``counts_as_turn``).

``rule = "single"``
    One holder: every order is expected for it (the first holder of ``order``, else of
    ``holders``).

``rule = "rotation"`` (tourniquet)
    A pointer runs over ``order`` and starts at its first holder. ``reset = "accord"`` restarts
    it at each agreement: a replay covers one agreement, so the pointer always starts there.

    - An order that counts as a turn is expected for ``order[pointer]``; the pointer then moves
      to the next holder (cyclically).
    - Exception: the order deviates **and** has a motif **and** ``refusal = "garde_son_tour"``:
      the skipped holder keeps its turn, the pointer does not move. With
      ``refusal = "perd_son_tour"`` the pointer moves as usual.
    - An undocumented deviation moves the pointer as usual: the audit measures each order
      against the rule, so swapping the teams of two consecutive orders of a compliant log shows
      as exactly two deviations, and not as a shifted rotation.
    - A second bon (``rank = 2``) of an atelier: with ``second_order_counts = False`` it is not a
      turn; it is expected for the team of the atelier's first bon and leaves the pointer alone.
      With ``second_order_counts = True`` it is a turn like any other. A second bon whose first
      bon is not in the log (another agreement, or missing) is treated as a turn, so that the
      audit still measures it against the rule.

``rule = "cascade"``
    Each order is expected for the best-ranked holder (``order[0]``). A departure documented by
    a motif (refusal, conflict of interest) is a documented deviation; nothing carries over from
    one order to the next.

:class:`RotationState` holds this logic once; :func:`replay`, :func:`next_holder` and the demo
generator all use it, so the audit and the fictional register cannot disagree on the rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd

from atelierflash.programme import Agreement

# How many recent orders the explanation of ``next_holder`` quotes.
_RECENT = 3


@dataclass(frozen=True)
class Order:
    """One bon de commande.

    Attributes
    ----------
    date : datetime.date
        Issue date of the bon.
    atelier_id : str
        Identifier of the atelier the bon belongs to.
    team : str
        Key of the team the bon was given to (``programme.equipes`` key).
    amount : float or None
        Amount in euros, when known.
    motif : str
        Documented reason for departing from the rule; empty when none.
    rank : int
        1 for the first bon of an atelier, 2 for the second.
    """

    date: dt.date
    atelier_id: str
    team: str
    amount: float | None = None
    motif: str = ""
    rank: int = 1

    def sort_key(self) -> tuple[dt.date, str, int]:
        """The order in which the rule is replayed."""
        return (self.date, self.atelier_id, self.rank)


@dataclass(frozen=True)
class ReplayedOrder:
    """An order measured against the rule (see the module docstring)."""

    order: Order
    expected: str
    deviation: bool
    documented: bool
    counts_as_turn: bool
    explanation: str


@dataclass(frozen=True)
class Expectation:
    """What the rule expects for an order not yet recorded."""

    team: str
    counts_as_turn: bool
    explanation: str


class Spread(NamedTuple):
    """Gap between the most and the least served holders."""

    difference: float
    ratio: float | None  # None when the least served holder has nothing


class RotationState:
    """The rule of one agreement, fed with orders in chronological order.

    Parameters
    ----------
    agreement : Agreement
        The accord-cadre whose rule is applied.
    labels : Mapping[str, str], optional
        French labels of the team keys, used in explanations (keys are shown otherwise).

    Raises
    ------
    NotImplementedError
        For a ``reset`` setting other than ``"accord"``.
    ValueError
        For a rotation or cascade agreement without any holder in its order.
    """

    def __init__(self, agreement: Agreement, labels: Mapping[str, str] | None = None):
        if agreement.reset != "accord":
            raise NotImplementedError(
                f"accord-cadre {agreement.key} : réinitialisation « {agreement.reset} » non prise "
                "en charge (seule « accord » est définie : le tourniquet repart à chaque accord-cadre)"
            )
        self.agreement = agreement
        self.labels = dict(labels or {})
        self.sequence: tuple[str, ...] = agreement.order or agreement.team_keys()
        if not self.sequence:
            raise ValueError(f"accord-cadre {agreement.key} : aucun titulaire")
        self.pointer = 0
        self.first_team: dict[str, str] = {}
        self.history: list[ReplayedOrder] = []
        self._last_key: tuple[dt.date, str, int] | None = None

    # -- reading the rule ----------------------------------------------------------------------
    def label(self, team: str) -> str:
        """French label of a team key (the key itself when no label is known)."""
        return self.labels.get(team, team)

    def expected(self, atelier_id: str, rank: int = 1) -> Expectation:
        """What the rule expects for the next order of ``atelier_id`` with ``rank``.

        Parameters
        ----------
        atelier_id : str
            The atelier of the order.
        rank : int
            1 for a first bon, 2 for a second.

        Returns
        -------
        Expectation
            Expected team, whether the order is a turn, and a French explanation.
        """
        rule = self.agreement.rule
        if rule == "single":
            team = self.sequence[0]
            return Expectation(team, True, f"titulaire unique : {self.label(team)}")
        if rule == "cascade":
            team = self.sequence[0]
            return Expectation(team, True, f"cascade : le mieux classé, {self.label(team)}")
        if rule != "rotation":
            raise NotImplementedError(f"règle d'attribution inconnue « {rule} »")
        if rank > 1 and not self.agreement.second_order_counts:
            first = self.first_team.get(atelier_id)
            if first is not None:
                return Expectation(
                    first,
                    False,
                    f"second bon de l'atelier : il revient à l'équipe du premier bon "
                    f"({self.label(first)}) et ne compte pas comme un tour",
                )
            team = self.sequence[self.pointer]
            return Expectation(
                team,
                True,
                f"second bon dont le premier bon est absent du journal : traité comme un tour, "
                f"au tour de {self.label(team)}",
            )
        team = self.sequence[self.pointer]
        return Expectation(team, True, f"tourniquet : au tour de {self.label(team)}")

    # -- recording -----------------------------------------------------------------------------
    def record(self, order: Order) -> ReplayedOrder:
        """Measure ``order`` against the rule, then move the rule's state on.

        Parameters
        ----------
        order : Order
            The next order; it must not sort before the previously recorded one.

        Returns
        -------
        ReplayedOrder

        Raises
        ------
        ValueError
            When orders are not fed in ``(date, atelier_id, rank)`` order.
        """
        key = order.sort_key()
        if self._last_key is not None and key < self._last_key:
            raise ValueError(
                f"bon de commande du {order.date.isoformat()} ({order.atelier_id}) reçu après un "
                "bon plus récent : les bons doivent être rejoués dans l'ordre chronologique"
            )
        self._last_key = key
        expectation = self.expected(order.atelier_id, order.rank)
        deviation = order.team != expectation.team
        documented = bool(order.motif.strip())
        explanation = self._explain(order, expectation, deviation, documented)
        if expectation.counts_as_turn and self.agreement.rule == "rotation":
            keeps_turn = deviation and documented and self.agreement.refusal == "garde_son_tour"
            if not keeps_turn:
                self.pointer = (self.pointer + 1) % len(self.sequence)
        self.first_team.setdefault(order.atelier_id, order.team)
        replayed = ReplayedOrder(
            order=order,
            expected=expectation.team,
            deviation=deviation,
            documented=documented,
            counts_as_turn=expectation.counts_as_turn,
            explanation=explanation,
        )
        self.history.append(replayed)
        return replayed

    def _explain(
        self, order: Order, expectation: Expectation, deviation: bool, documented: bool
    ) -> str:
        text = expectation.explanation[0].upper() + expectation.explanation[1:]
        if not deviation:
            return f"{text} : conforme."
        given = self.label(order.team)
        if not documented:
            return (
                f"{text}, mais le bon est allé à {given} sans motif documenté : écart non justifié."
            )
        consequence = ""
        if self.agreement.rule == "rotation" and expectation.counts_as_turn:
            consequence = (
                f" ; {self.label(expectation.team)} garde son tour"
                if self.agreement.refusal == "garde_son_tour"
                else f" ; {self.label(expectation.team)} perd son tour"
            )
        return f"{text}, bon attribué à {given} (motif : {order.motif.strip()}){consequence}."

    def explain_next(self) -> str:
        """French explanation of who is due for the next (first) bon, quoting recent orders."""
        expectation = self.expected("", 1)
        rule = self.agreement.rule
        if rule != "rotation":
            return f"{expectation.explanation[0].upper()}{expectation.explanation[1:]}."
        parts = [
            "Tourniquet dans l'ordre "
            + " → ".join(self.label(team) for team in self.sequence)
            + f" (refus : {self.agreement.refusal.replace('_', ' ')} ; second bon "
            + ("compté" if self.agreement.second_order_counts else "non compté")
            + " comme un tour)."
        ]
        turns = [r for r in self.history if r.counts_as_turn]
        if not turns:
            parts.append("Aucun bon n'a encore été émis sur cet accord-cadre : on part du premier.")
        else:
            recent = "; ".join(
                f"{r.order.date.isoformat()} {r.order.atelier_id} → {self.label(r.order.team)}"
                + (" (dérogation documentée)" if r.deviation and r.documented else "")
                + (" (écart non justifié)" if r.deviation and not r.documented else "")
                for r in turns[-_RECENT:]
            )
            parts.append(f"Derniers tours : {recent}.")
        skipped = [r for r in self.history if r.deviation and r.documented and r.counts_as_turn]
        if skipped:
            last = skipped[-1]
            effect = (
                "a gardé son tour"
                if self.agreement.refusal == "garde_son_tour"
                else "a perdu son tour"
            )
            parts.append(
                f"Dernière dérogation : le {last.order.date.isoformat()}, {self.label(last.expected)} "
                f"a été passé (motif : {last.order.motif.strip()}) et {effect}."
            )
        parts.append(f"Prochain bon : {self.label(expectation.team)}.")
        return " ".join(parts)


def replay(
    agreement: Agreement, orders: Iterable[Order], labels: Mapping[str, str] | None = None
) -> list[ReplayedOrder]:
    """Replay the agreement's rule over its orders.

    Parameters
    ----------
    agreement : Agreement
        The accord-cadre; its settings drive the rule (see the module docstring).
    orders : iterable of Order
        The agreement's bons de commande, in any order.
    labels : Mapping[str, str], optional
        French labels of team keys for the explanations.

    Returns
    -------
    list of ReplayedOrder
        Sorted by ``(date, atelier_id, rank)``.
    """
    state = RotationState(agreement, labels)
    return [state.record(order) for order in sorted(orders, key=Order.sort_key)]


def next_holder(
    agreement: Agreement, orders: Iterable[Order], labels: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """The team due for the next bon of a new atelier, and why.

    Parameters
    ----------
    agreement : Agreement
        The accord-cadre.
    orders : iterable of Order
        Its bons de commande so far.
    labels : Mapping[str, str], optional
        French labels of team keys for the explanation.

    Returns
    -------
    tuple of (str, str)
        The team key, equal to what :func:`replay` would expect for one more first bon, and a
        French explanation (order of the rotation, last turns, last documented skip).
    """
    state = RotationState(agreement, labels)
    for order in sorted(orders, key=Order.sort_key):
        state.record(order)
    return state.expected("", 1).team, state.explain_next()


def orders_of_atelier(
    atelier_id: str,
    team: str,
    dates: Iterable[dt.date],
    amount: float | None = None,
    motif: str = "",
) -> list[Order]:
    """The bons of one atelier, ranked by date.

    The atelier's amount is carried by its first bon, so that per-holder sums equal the sums of
    the ateliers' amounts; the motif applies to every bon of the atelier.

    Parameters
    ----------
    atelier_id : str
    team : str
        Team key of the atelier (both bons go to the same team).
    dates : iterable of datetime.date
        Issue dates of the bons.
    amount : float, optional
    motif : str, optional
    """
    return [
        Order(
            date=day,
            atelier_id=atelier_id,
            team=team,
            amount=amount if rank == 1 else None,
            motif=motif,
            rank=rank,
        )
        for rank, day in enumerate(sorted(dates), start=1)
    ]


def group_by_agreement(
    agreements: Iterable[Agreement], orders: Iterable[Order]
) -> tuple[dict[str, list[Order]], list[Order]]:
    """Split orders by the agreement in force at the date of their atelier's first bon.

    Both bons of an atelier stay with the same agreement, the one under which it was ordered.

    Parameters
    ----------
    agreements : iterable of Agreement
    orders : iterable of Order

    Returns
    -------
    tuple of (dict, list)
        Orders by agreement key (every agreement present, possibly empty), and the orders whose
        first bon falls outside every agreement.
    """
    agreements = list(agreements)
    orders = sorted(orders, key=Order.sort_key)
    first_date: dict[str, dt.date] = {}
    for order in orders:
        first_date.setdefault(order.atelier_id, order.date)
    grouped: dict[str, list[Order]] = {a.key: [] for a in agreements}
    outside: list[Order] = []
    for order in orders:
        day = first_date[order.atelier_id]
        agreement = next((a for a in agreements if a.covers(day)), None)
        (grouped[agreement.key] if agreement else outside).append(order)
    return grouped, outside


def holder_summary(
    replayed: Iterable[ReplayedOrder], agreement: Agreement | None = None
) -> pd.DataFrame:
    """Per-holder workload of a replayed agreement.

    Parameters
    ----------
    replayed : iterable of ReplayedOrder
        The output of :func:`replay`.
    agreement : Agreement, optional
        When given, every holder appears, even one that received nothing.

    Returns
    -------
    pandas.DataFrame
        One row per team (rotation order first, then others by key): ``team``, ``orders`` (bons
        received), ``turns`` (bons counting as turns), ``amount`` (sum of known amounts),
        ``deviations`` (bons received against the rule), ``undocumented`` (of which without
        motif), ``skipped`` (times the team was due but the bon went elsewhere).
    """
    replayed = list(replayed)
    teams: list[str] = []
    if agreement is not None:
        teams.extend(agreement.order or agreement.team_keys())
        teams.extend(t for t in agreement.team_keys() if t not in teams)
    seen = sorted({r.order.team for r in replayed} | {r.expected for r in replayed})
    teams.extend(t for t in seen if t not in teams)
    rows = []
    for team in teams:
        received = [r for r in replayed if r.order.team == team]
        rows.append(
            {
                "team": team,
                "orders": len(received),
                "turns": sum(r.counts_as_turn for r in received),
                "amount": float(sum(r.order.amount or 0.0 for r in received)),
                "deviations": sum(r.deviation for r in received),
                "undocumented": sum(r.deviation and not r.documented for r in received),
                "skipped": sum(r.deviation and r.expected == team for r in replayed),
            }
        )
    columns = ["team", "orders", "turns", "amount", "deviations", "undocumented", "skipped"]
    return pd.DataFrame(rows, columns=columns)


def spread(summary: pd.DataFrame, column: str = "orders") -> Spread:
    """Max − min and max / min of a column of :func:`holder_summary`.

    Parameters
    ----------
    summary : pandas.DataFrame
        The output of :func:`holder_summary`.
    column : str
        ``"orders"``, ``"turns"`` or ``"amount"``.

    Returns
    -------
    Spread
        ``difference`` (0 for an empty summary) and ``ratio`` (``None`` when the minimum is 0).
    """
    if summary.empty:
        return Spread(0.0, None)
    values = summary[column].astype(float)
    low, high = float(values.min()), float(values.max())
    return Spread(high - low, high / low if low > 0 else None)


@dataclass
class AgreementAudit:
    """Replay of one agreement with its summary (convenience bundle for pages)."""

    agreement: Agreement
    replayed: list[ReplayedOrder] = field(default_factory=list)

    @property
    def summary(self) -> pd.DataFrame:
        """Bons per holder against the rule (see :func:`holder_summary`)."""
        return holder_summary(self.replayed, self.agreement)

    @property
    def deviations(self) -> list[ReplayedOrder]:
        """The orders that went to another holder than the rule says."""
        return [r for r in self.replayed if r.deviation]


def audit(
    agreements: Iterable[Agreement],
    orders: Iterable[Order],
    labels: Mapping[str, str] | None = None,
) -> tuple[list[AgreementAudit], list[Order]]:
    """Replay every agreement over the orders placed under it.

    Parameters
    ----------
    agreements : iterable of Agreement
        Typically ``programme.agreements``.
    orders : iterable of Order
        All bons of the register.
    labels : Mapping[str, str], optional
        French labels of team keys.

    Returns
    -------
    tuple of (list of AgreementAudit, list of Order)
        One audit per agreement (in the given order) and the orders outside every agreement.
    """
    agreements = list(agreements)
    grouped, outside = group_by_agreement(agreements, orders)
    audits = [AgreementAudit(a, replay(a, grouped[a.key], labels)) for a in agreements]
    return audits, outside
