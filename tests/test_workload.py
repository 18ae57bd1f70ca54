"""The page's data: orders read from a register (with the fallback dating), audit tables and the
teams' workload over time, on small literal registers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from atelierflash import analyse, palette
from atelierflash.analyse import replay
from atelierflash.programme import Agreement, Holder, load_programme
from atelierflash.registre import PartialDate

D = dt.date
LABELS = {"a": "Équipe A", "b": "Équipe B"}


def pd_(year, month, day=None):
    return PartialDate(year, month, day)


def row(id_, team, bons=(), start=None, end=None, on_site=(), motif="", amount=None, statut=""):
    return {
        "id": id_,
        "titre": f"Atelier {id_}",
        "communes_noms": "Commune",
        "equipe": team,
        "dates_bon_commande": tuple(bons),
        "date_debut": start,
        "date_fin": end,
        "dates_animation": tuple(on_site),
        "motif_derogation": motif,
        "montant_eur": amount,
        "statut": statut,
    }


def rotation(order=("a", "b")) -> Agreement:
    return Agreement(
        key="ac",
        start=D(2021, 1, 1),
        end=D(2025, 12, 31),
        approximate_dates=False,
        source="test",
        rule="rotation",
        holders=tuple(Holder(t, True, "test", ()) for t in order),
        order=tuple(order),
    )


def test_orders_use_bon_dates_and_fall_back_to_the_start_flagged():
    frame = pd.DataFrame(
        [
            row("X1", "a", bons=[pd_(2021, 3, 2), pd_(2021, 9, 1)], amount=20000.0),
            row("X2", "b", start=pd_(2021, 4)),  # no bon date: dated by its start
            row("X3", "a"),  # neither: left out, reported
            row("X4", None, bons=[pd_(2021, 5, 1)]),  # no team: not an order
        ]
    )
    read = analyse.register_orders(frame)
    assert [(o.atelier_id, o.date, o.rank, o.amount) for o in read.orders] == [
        ("X1", D(2021, 3, 2), 1, 20000.0),
        ("X1", D(2021, 9, 1), 2, None),
        ("X2", D(2021, 4, 1), 1, None),
    ]
    assert read.fallback == {"X2"}
    assert read.undated == ("X3",)


def test_order_table_puts_unexplained_first_then_documented():
    frame = pd.DataFrame(
        [
            row("O1", "a", bons=[pd_(2021, 1, 10)]),
            row("O2", "a", bons=[pd_(2021, 2, 10)]),  # due b: unexplained
            row("O3", "b", bons=[pd_(2021, 3, 10)], motif="refus de A"),  # due a: documented
            row("O4", "a", bons=[pd_(2021, 4, 10)]),  # A kept its turn
        ]
    )
    read = analyse.register_orders(frame)
    replayed = replay(rotation(), read.orders, LABELS)
    table = analyse.order_table(replayed, frame, LABELS, read.fallback)
    assert list(table["atelier"]) == ["O2", "O3", "O1", "O4"]
    assert list(table["ecart"]) == [
        "écart non justifié",
        "dérogation documentée",
        "conforme",
        "conforme",
    ]
    assert list(table["attendu"]) == ["Équipe B", "Équipe A", "Équipe A", "Équipe A"]
    # Rows are highlighted by the deviation's key, never by its display text.
    assert list(table["ecart_cle"]) == ["non_justifie", "documente", "conforme", "conforme"]
    assert analyse.order_row_styles(table) == [
        f"background-color: {palette.ROW_ALERT}",
        f"background-color: {palette.ROW_NOTICE}",
        "",
        "",
    ]
    shown = analyse.order_display(table)
    assert shown["Date du bon"][0] == "10 février 2021"


def test_holder_year_and_cumulative_tables():
    frame = pd.DataFrame(
        [
            row("Y1", "a", bons=[pd_(2021, 5, 1)], amount=10000.0),
            row("Y2", "b", bons=[pd_(2021, 6, 1)], amount=12000.0),
            row("Y3", "a", bons=[pd_(2022, 1, 1)], amount=15000.0),
        ]
    )
    replayed = replay(rotation(), analyse.register_orders(frame).orders, LABELS)
    per_year = analyse.holder_year_table(replayed, rotation(), LABELS)
    got = {(r.equipe, r.annee): (r.bons, r.montant_eur) for r in per_year.itertuples()}
    assert got == {
        ("a", 2021): (1, 10000.0),
        ("a", 2022): (1, 15000.0),
        ("b", 2021): (1, 12000.0),
        ("b", 2022): (0, 0.0),
    }
    cumulative = analyse.cumulative_table(replayed, LABELS)
    last = cumulative[cumulative["rang"] == 3].set_index("equipe")
    assert last.loc["a", "cumul_bons"] == 2 and last.loc["b", "cumul_bons"] == 1
    assert last.loc["a", "cumul_montant_eur"] == 25000.0


def test_monthly_load_on_site_days_and_peak():
    frame = pd.DataFrame(
        [
            row("W1", "a", start=pd_(2022, 1, 15), end=pd_(2022, 3, 10), on_site=[pd_(2022, 2, 3)]),
            row("W2", "a", start=pd_(2022, 3), end=pd_(2022, 4)),
            row("W3", "a", start=pd_(2022, 5, 2), statut="en_cours"),  # open: runs to today
            row("W4", "b", start=pd_(2022, 2, 1), statut="abandonne"),  # open: start month only
            row("W5", "b"),  # no start: left out
        ]
    )
    periods = analyse.atelier_periods(frame, today=D(2022, 6, 20))
    assert list(periods["atelier"]) == ["W1", "W2", "W3", "W4"]
    assert periods.set_index("atelier").loc["W3", "fin"] == D(2022, 6, 20)
    load = analyse.monthly_load(periods, LABELS)
    a = load[load["equipe"] == "a"].set_index("mois")
    assert list(a["en_cours"]) == [1, 1, 2, 1, 1, 1]  # janv. → juin 2022
    assert list(a["sur_site"]) == [0, 1, 0, 0, 0, 0]
    assert a.loc[D(2022, 3, 1), "ids_ateliers"] == "W1, W2"
    b = load[load["equipe"] == "b"].set_index("mois")
    assert list(b["en_cours"]) == [0, 1, 0, 0, 0, 0]
    peaks = analyse.peak_load(load).set_index("equipe")
    assert peaks.loc["a", "pic"] == 2 and peaks.loc["a", "mois_pic"] == D(2022, 3, 1)
    assert peaks.loc["b", "pic"] == 1 and peaks.loc["b", "mois_pic"] == D(2022, 2, 1)
    # Lanes: as many per team as its peak, never two overlapping ateliers on one lane.
    lane = analyse.lanes(periods)
    assert lane == [0, 1, 0, 0]


def test_rule_texts_come_from_the_settings():
    programme = load_programme()
    labels = analyse.team_labels(programme)
    assert "pas de tourniquet" in analyse.rule_text(programme.agreement("ac_2019"), labels)
    text = analyse.rule_text(programme.agreement("ac_2025"), labels)
    assert "Atelier de l'Ourcq → Ville Ouverte → POLAU" in text
    assert "garde son tour" in text and "ne compte pas" in text


def test_markdown_text_is_inert():
    from atelierflash.texte import markdown_escape

    assert markdown_escape("**gras** <b>x</b>") == r"\*\*gras\*\* \<b\>x\<\/b\>"


@pytest.mark.referentiel
def test_demo_register_audit_finds_exactly_the_generated_exceptions():
    from atelierflash.dataset import build_dataset, register_sources
    from atelierflash.demo import generated_exceptions
    from atelierflash.referentiel import load_referentiel

    programme = load_programme()
    dataset = build_dataset(register_sources()["demo"], load_referentiel(), programme)
    audits, outside, read = analyse.audit_register(programme, dataset.ateliers)
    raw = pd.read_csv(dataset.source.path, dtype=str)
    expected = set(generated_exceptions(raw)["id"])
    deviations = analyse.all_deviations(audits)
    assert {r.order.atelier_id for r in deviations} == expected
    assert len(deviations) == len(expected) == 4
    assert all(r.documented and r.order.rank == 1 for r in deviations)
    assert not outside and not read.fallback
    single = next(a for a in audits if a.agreement.rule == "single")
    assert single.replayed and not single.deviations
