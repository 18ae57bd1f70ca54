"""The tourniquet audit: literal logs for each setting, then properties of the rule."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atelierflash.analyse import (
    Order,
    RotationState,
    audit,
    group_by_agreement,
    holder_summary,
    next_holder,
    orders_of_atelier,
    replay,
    spread,
)
from atelierflash.programme import Agreement, Holder, load_programme

D = dt.date
START, END = D(2021, 1, 1), D(2025, 12, 31)


def agreement(
    rule: str = "rotation",
    order: tuple[str, ...] = ("a", "b", "c"),
    refusal: str = "garde_son_tour",
    second_order_counts: bool = False,
    key: str = "ac_test",
    start: dt.date = START,
    end: dt.date = END,
) -> Agreement:
    return Agreement(
        key=key,
        start=start,
        end=end,
        approximate_dates=False,
        source="test",
        rule=rule,
        holders=tuple(Holder(team, True, "test", ()) for team in order),
        order=order if rule != "single" else (),
        refusal=refusal,
        second_order_counts=second_order_counts,
    )


def log(*specs) -> list[Order]:
    """(team,) or (team, motif) or (team, motif, rank, atelier) → orders one day apart."""
    orders = []
    for day, spec in enumerate(specs, start=1):
        team, motif, rank, atelier = (*spec, *("", 1, None)[len(spec) - 1 :])
        orders.append(
            Order(
                date=D(2022, 1, 1) + dt.timedelta(days=day),
                atelier_id=atelier or f"A{day:03d}",
                team=team,
                amount=20000.0,
                motif=motif,
                rank=rank,
            )
        )
    return orders


def expected(replayed) -> list[str]:
    return [r.expected for r in replayed]


def deviations(replayed) -> list[int]:
    return [i for i, r in enumerate(replayed) if r.deviation]


# -- literal logs ------------------------------------------------------------------------------
def test_single_holder_expects_it_everywhere():
    ac = agreement(rule="single", order=("ourcq",))
    replayed = replay(ac, log(("ourcq",), ("ourcq",), ("other",)))
    assert expected(replayed) == ["ourcq"] * 3
    assert deviations(replayed) == [2]
    assert not replayed[2].documented
    assert next_holder(ac, log(("ourcq",)))[0] == "ourcq"


def test_strict_rotation_is_compliant():
    ac = agreement()
    replayed = replay(ac, log(("a",), ("b",), ("c",), ("a",), ("b",)))
    assert expected(replayed) == ["a", "b", "c", "a", "b"]
    assert deviations(replayed) == []
    assert all(r.counts_as_turn for r in replayed)
    assert "conforme" in replayed[0].explanation


def test_replay_sorts_by_date_atelier_and_rank():
    ac = agreement()
    day = D(2022, 5, 1)
    orders = [
        Order(day, "X2", "b"),
        Order(day, "X1", "a"),
        Order(day - dt.timedelta(days=1), "X0", "c"),
    ]
    replayed = replay(ac, orders)
    assert [r.order.atelier_id for r in replayed] == ["X0", "X1", "X2"]


def test_documented_refusal_garde_son_tour():
    # b refuses: the bon goes to c, b keeps its turn and gets the next one.
    ac = agreement(refusal="garde_son_tour")
    replayed = replay(ac, log(("a",), ("c", "Refus de b (plan de charge)"), ("b",), ("c",)))
    assert expected(replayed) == ["a", "b", "b", "c"]
    assert deviations(replayed) == [1]
    assert replayed[1].documented
    assert "garde son tour" in replayed[1].explanation


def test_documented_refusal_perd_son_tour():
    # Same log under perd_son_tour: the pointer moves on, b is skipped for good.
    ac = agreement(refusal="perd_son_tour")
    replayed = replay(ac, log(("a",), ("c", "Refus de b"), ("c",), ("a",)))
    assert expected(replayed) == ["a", "b", "c", "a"]
    assert deviations(replayed) == [1]
    assert "perd son tour" in replayed[1].explanation
    garde = replay(agreement(refusal="garde_son_tour"), log(("a",), ("c", "Refus de b"), ("c",)))
    assert deviations(garde) == [1, 2]


def test_undocumented_deviation_moves_the_pointer():
    ac = agreement(refusal="garde_son_tour")
    replayed = replay(ac, log(("a",), ("c",), ("c",), ("a",)))
    assert expected(replayed) == ["a", "b", "c", "a"]
    assert deviations(replayed) == [1]
    assert not replayed[1].documented
    assert "sans motif" in replayed[1].explanation


def test_second_bon_not_counted():
    ac = agreement(second_order_counts=False)
    orders = log(("a",), ("b",), ("a", "", 2, "A001"), ("c",))
    replayed = replay(ac, orders)
    assert expected(replayed) == ["a", "b", "a", "c"]
    assert [r.counts_as_turn for r in replayed] == [True, True, False, True]
    assert deviations(replayed) == []
    # A second bon given to another team than the first bon is a deviation.
    wrong = replay(ac, log(("a",), ("b", "", 2, "A001"), ("b",)))
    assert deviations(wrong) == [1]
    assert expected(wrong) == ["a", "a", "b"]


def test_second_bon_counted():
    ac = agreement(second_order_counts=True)
    orders = log(("a",), ("b", "", 2, "A001"), ("c",), ("a",))
    replayed = replay(ac, orders)
    assert expected(replayed) == ["a", "b", "c", "a"]
    assert all(r.counts_as_turn for r in replayed)
    assert deviations(replayed) == []


def test_second_bon_without_first_is_a_turn():
    ac = agreement(second_order_counts=False)
    replayed = replay(ac, log(("a", "", 2, "OLD"), ("b",)))
    assert replayed[0].counts_as_turn
    assert expected(replayed) == ["a", "b"]


def test_agreement_change_resets_pointer():
    old = agreement(key="old", start=D(2021, 1, 1), end=D(2022, 6, 30))
    new = agreement(key="new", order=("c", "a", "b"), start=D(2022, 7, 1), end=D(2026, 1, 1))
    orders = [
        Order(D(2022, 1, 10), "P1", "a"),
        Order(D(2022, 2, 10), "P2", "b"),
        Order(D(2022, 8, 10), "N1", "c"),
        Order(D(2022, 9, 10), "N2", "a"),
        # Second bon of an atelier ordered under the old agreement stays with it.
        Order(D(2022, 9, 20), "P2", "b", rank=2),
    ]
    grouped, outside = group_by_agreement([old, new], orders)
    assert [o.atelier_id for o in grouped["old"]] == ["P1", "P2", "P2"]
    assert [o.atelier_id for o in grouped["new"]] == ["N1", "N2"]
    assert outside == []
    audits, _ = audit([old, new], orders)
    assert expected(audits[0].replayed) == ["a", "b", "b"]
    assert expected(audits[1].replayed) == ["c", "a"]
    assert all(not a.deviations for a in audits)
    # The pointer of the new agreement starts at its first holder, not after the old log.
    assert next_holder(new, [])[0] == "c"


def test_orders_outside_every_agreement():
    ac = agreement(start=D(2021, 1, 1), end=D(2021, 12, 31))
    grouped, outside = group_by_agreement([ac], [Order(D(2020, 5, 1), "Z", "a")])
    assert grouped == {"ac_test": []}
    assert [o.atelier_id for o in outside] == ["Z"]


def test_cascade_expects_best_ranked():
    ac = agreement(rule="cascade")
    replayed = replay(ac, log(("a",), ("b", "Refus de a (conflit d'intérêts)"), ("b",)))
    assert expected(replayed) == ["a", "a", "a"]
    assert deviations(replayed) == [1, 2]
    assert [r.documented for r in replayed] == [False, True, False]


def test_unknown_reset_is_refused():
    from dataclasses import replace

    with pytest.raises(NotImplementedError, match="réinitialisation"):
        replay(replace(agreement(), reset="continu"), [])


def test_record_refuses_unsorted_orders():
    state = RotationState(agreement())
    state.record(Order(D(2022, 5, 2), "A", "a"))
    with pytest.raises(ValueError, match="ordre chronologique"):
        state.record(Order(D(2022, 5, 1), "B", "b"))


def test_next_holder_explains():
    ac = agreement(refusal="garde_son_tour")
    labels = {"a": "Équipe A", "b": "Équipe B", "c": "Équipe C"}
    team, text = next_holder(ac, log(("a",), ("c", "Refus de B (plan de charge)")), labels)
    assert team == "b"
    assert "Équipe A → Équipe B → Équipe C" in text
    assert "a gardé son tour" in text
    assert text.endswith("Prochain bon : Équipe B.")
    assert "Aucun bon" in next_holder(ac, [], labels)[1]


def test_holder_summary_and_spread():
    ac = agreement()
    orders = log(("a",), ("c", "Refus de b"), ("b",), ("c",), ("a", "", 2, "A001"))
    summary = holder_summary(replay(ac, orders), ac)
    assert list(summary["team"]) == ["a", "b", "c"]
    assert list(summary["orders"]) == [2, 1, 2]
    assert list(summary["turns"]) == [1, 1, 2]
    assert list(summary["amount"]) == [40000.0, 20000.0, 40000.0]
    assert list(summary["deviations"]) == [0, 0, 1]
    assert list(summary["skipped"]) == [0, 1, 0]
    assert spread(summary) == (1.0, 2.0)
    empty = holder_summary([], ac)
    assert list(empty["orders"]) == [0, 0, 0]
    assert spread(empty) == (0.0, None)


def test_orders_of_atelier_ranks_and_amount():
    orders = orders_of_atelier("X", "a", [D(2023, 9, 2), D(2023, 3, 10)], 20000.0, "m")
    assert [(o.rank, o.date, o.amount) for o in orders] == [
        (1, D(2023, 3, 10), 20000.0),
        (2, D(2023, 9, 2), None),
    ]


def test_programme_agreements_replay():
    programme = load_programme()
    ac = programme.agreement("ac_2025")
    team, _ = next_holder(ac, [])
    assert team == ac.order[0]
    single = programme.agreement("ac_2019")
    assert next_holder(single, [])[0] == "atelier_ourcq"


# -- properties --------------------------------------------------------------------------------
TEAMS = ("t0", "t1", "t2", "t3", "t4")


@st.composite
def compliant_logs(draw, refusal=None, with_exceptions=True):
    """A log produced by the rule itself: (agreement, orders)."""
    size = draw(st.integers(2, 5))
    order = tuple(draw(st.permutations(TEAMS))[:size])
    ac = agreement(
        order=order,
        refusal=refusal or draw(st.sampled_from(["garde_son_tour", "perd_son_tour"])),
        second_order_counts=draw(st.booleans()),
    )
    state = RotationState(ac)
    n = draw(st.integers(0, 40))
    day = D(2022, 1, 1)
    orders: list[Order] = []
    firsts: list[Order] = []
    for i in range(n):
        day += dt.timedelta(days=draw(st.integers(0, 20)))
        atelier, rank = f"A{i:03d}", 1
        if firsts and draw(st.integers(0, 9)) == 0:
            first = draw(st.sampled_from(firsts))
            if not any(o.atelier_id == first.atelier_id and o.rank == 2 for o in orders):
                # a later day, so that the second bon sorts after every recorded order
                atelier, rank = first.atelier_id, 2
                day += dt.timedelta(days=1)
        due = state.expected(atelier, rank).team
        team, motif = due, ""
        if with_exceptions and rank == 1 and draw(st.integers(0, 7)) == 0:
            team = draw(st.sampled_from([t for t in order if t != due] or [due]))
            motif = "Refus du titulaire attendu" if team != due else ""
        if rank == 2 and team != state.first_team[atelier]:
            # second bons go to the atelier's team: skip one that the rule would send elsewhere
            continue
        o = Order(day, atelier, team, 20000.0, motif, rank)
        state.record(o)
        orders.append(o)
        if rank == 1:
            firsts.append(o)
    return ac, orders


@settings(max_examples=200, deadline=None)
@given(generated=compliant_logs(with_exceptions=False))
def test_strict_rotation_balances_every_prefix(generated):
    ac, orders = generated
    counts = dict.fromkeys(ac.order, 0)
    for r in replay(ac, orders):
        assert not r.deviation
        if r.counts_as_turn:
            counts[r.order.team] += 1
        assert max(counts.values()) - min(counts.values()) <= 1
    if not ac.second_order_counts:
        # every first bon is a turn: per-holder counts of ateliers are balanced too
        firsts = [o.team for o in orders if o.rank == 1]
        per_team = [firsts.count(t) for t in ac.order]
        assert max(per_team) - min(per_team) <= 1


@settings(max_examples=200, deadline=None)
@given(generated=compliant_logs())
def test_log_produced_by_the_rule_has_no_undocumented_deviation(generated):
    ac, orders = generated
    replayed = replay(ac, orders)
    assert all(r.documented for r in replayed if r.deviation)
    assert sum(r.deviation for r in replayed) == sum(bool(o.motif) for o in orders)


@settings(max_examples=200, deadline=None)
@given(generated=compliant_logs(with_exceptions=False))
def test_log_without_exception_has_no_deviation(generated):
    ac, orders = generated
    assert not any(r.deviation for r in replay(ac, orders))


@settings(max_examples=300, deadline=None)
@given(generated=compliant_logs(with_exceptions=False), data=st.data())
def test_swapping_two_adjacent_turns_gives_two_deviations(generated, data):
    ac, orders = generated
    orders = sorted(orders, key=Order.sort_key)
    # Adjacent first bons of different teams whose ateliers have no second bon: swapping them
    # changes exactly those two orders and nothing downstream.
    with_second = {o.atelier_id for o in orders if o.rank == 2}
    firsts = [i for i, o in enumerate(orders) if o.rank == 1 and o.atelier_id not in with_second]
    pairs = [
        (i, j)
        for i, j in itertools.pairwise(firsts)
        if orders[i].team != orders[j].team
        and all(orders[k].rank == 2 and not ac.second_order_counts for k in range(i + 1, j))
    ]
    if not pairs:
        return
    i, j = data.draw(st.sampled_from(pairs))
    swapped = list(orders)
    swapped[i] = Order(orders[i].date, orders[i].atelier_id, orders[j].team)
    swapped[j] = Order(orders[j].date, orders[j].atelier_id, orders[i].team)
    replayed = replay(ac, swapped)
    assert [k for k, r in enumerate(replayed) if r.deviation] == [i, j]
    assert not any(r.documented for r in replayed if r.deviation)


@settings(max_examples=200, deadline=None)
@given(generated=compliant_logs())
def test_next_holder_is_what_replay_expects_next(generated):
    ac, orders = generated
    team, explanation = next_holder(ac, orders)
    last = max((o.date for o in orders), default=D(2022, 1, 1))
    extra = Order(last + dt.timedelta(days=1), "ZZZ", team)
    replayed = replay(ac, [*orders, extra])
    assert replayed[-1].order.atelier_id == "ZZZ"
    assert replayed[-1].expected == team
    assert not replayed[-1].deviation
    assert explanation
