"""Suivi rules (issue 18 §3), checked by hand on small literal frames of parsed ateliers.

Each frame has the columns ``Dataset.ateliers`` carries for the steps (``date_depot``…,
``dates_bon_commande`` a tuple of ``PartialDate``); a month-precision date stands for a partial
one. The reference day is 30 June 2025 unless a test says otherwise.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pandas as pd
import pytest

from atelierflash import analyse
from atelierflash.programme import ProgrammeError, load_programme
from atelierflash.registre import PartialDate as D

TODAY = dt.date(2025, 6, 30)
STEP_COLUMNS = (
    "date_depot",
    "date_eligibilite",
    "date_selection",
    "dates_bon_commande",
    "date_debut",
    "date_livrables",
    "date_restitution",
    "date_fin",
)


@pytest.fixture(scope="module")
def programme():
    return load_programme()


def frame(*rows: dict) -> pd.DataFrame:
    """Parsed ateliers: every step column present, missing values ``None``."""
    records = []
    for number, row in enumerate(rows, start=1):
        record = {
            "id": f"A{number}",
            "titre": f"Atelier {number}",
            "annee": 2025,
            "statut": "realise",
            "equipe": "polau",
        }
        record.update({column: None for column in STEP_COLUMNS})
        record["dates_bon_commande"] = ()
        record.update(row)
        records.append(record)
    table = pd.DataFrame(records)
    table["annee"] = table["annee"].astype("Int64")
    return table


def pair(table: pd.DataFrame, de: str, a: str) -> dict:
    rows = table[(table["de"] == de) & (table["a"] == a)]
    assert len(rows) == 1, rows
    return rows.iloc[0].to_dict()


# -- delays -------------------------------------------------------------------------------------
def test_delay_statistics_in_calendar_days_median_of_the_two_middle_values(programme):
    table = frame(
        {"date_depot": D(2025, 1, 1), "date_eligibilite": D(2025, 1, 11)},  # 10 days
        {"date_depot": D(2025, 1, 1), "date_eligibilite": D(2025, 1, 21)},  # 20
        {"date_depot": D(2025, 2, 1), "date_eligibilite": D(2025, 3, 3)},  # 30 (February: 28)
        {"date_depot": D(2025, 2, 1), "date_eligibilite": D(2025, 3, 13)},  # 40
    )
    row = pair(analyse.delais(table, programme), "depot", "eligibilite")
    assert row["n"] == 4
    assert row["mediane_jours"] == 25  # (20 + 30) / 2
    assert row["q1_jours"] == 17.5
    assert row["q3_jours"] == 32.5
    assert row["max_jours"] == 40


def test_partial_dates_and_missing_dates_are_left_out_of_delays(programme):
    table = frame(
        {"date_depot": D(2025, 1, 1), "date_eligibilite": D(2025, 1, 15)},  # 14 days
        {"date_depot": D(2025, 1), "date_eligibilite": D(2025, 3, 1)},  # partial start
        {"date_depot": D(2025, 1, 1), "date_eligibilite": D(2025, 3)},  # partial end
        {"date_depot": D(2025, 1, 1)},  # no decision yet
    )
    row = pair(analyse.delais(table, programme), "depot", "eligibilite")
    assert row["n"] == 1
    assert row["mediane_jours"] == row["max_jours"] == 14


def test_the_first_bon_de_commande_starts_and_ends_its_delays(programme):
    table = frame(
        {
            "date_selection": D(2024, 1, 1),
            "dates_bon_commande": (D(2024, 2, 1), D(2024, 5, 1)),
            "date_restitution": D(2024, 9, 1),
        }
    )
    delays = analyse.delais(table, programme)
    assert pair(delays, "selection", "bon_commande")["mediane_jours"] == 31
    assert pair(delays, "bon_commande", "restitution")["mediane_jours"] == 213  # from 1 Feb


def test_every_measured_pair_is_listed_even_without_data(programme):
    delays = analyse.delais(frame({}), programme)
    pairs = list(zip(delays["de"], delays["a"], strict=True))
    assert pairs[:4] == [
        ("depot", "eligibilite"),
        ("eligibilite", "selection"),
        ("selection", "bon_commande"),
        ("bon_commande", "restitution"),
    ]
    empty = pair(delays, "depot", "eligibilite")
    assert empty["n"] == 0
    assert pd.isna(empty["mediane_jours"]) and pd.isna(empty["max_jours"])


def test_delays_per_team_and_per_year_with_their_norms(programme):
    table = frame(
        {
            "equipe": "polau",
            "annee": 2024,
            "date_selection": D(2024, 1, 1),
            "dates_bon_commande": (D(2024, 1, 11),),
        },
        {
            "equipe": "polau",
            "annee": 2025,
            "date_selection": D(2025, 1, 1),
            "dates_bon_commande": (D(2025, 1, 31),),
        },
        {
            "equipe": "ourcq",
            "annee": 2025,
            "date_selection": D(2025, 1, 1),
            "dates_bon_commande": (D(2025, 4, 1),),
        },
    )
    per_team = analyse.delais(table, programme, by="equipe")
    rows = per_team[(per_team["de"] == "selection") & (per_team["a"] == "bon_commande")]
    by_team = rows.set_index("equipe")
    assert by_team.loc["polau", "n"] == 2
    assert by_team.loc["polau", "mediane_jours"] == 20
    assert by_team.loc["ourcq", "max_jours"] == 90
    # The norm of selection → bon de commande is the waiting threshold: 12 weeks.
    assert set(rows["norme_jours"]) == {84}
    per_year = analyse.delais(table, programme, by="annee")
    rows = per_year[(per_year["de"] == "selection") & (per_year["a"] == "bon_commande")]
    assert dict(zip(rows["annee"], rows["n"], strict=True)) == {2024: 1, 2025: 2}


# -- à traiter ----------------------------------------------------------------------------------
def motifs(table: pd.DataFrame, programme, today=TODAY) -> dict[str, str]:
    found = analyse.a_traiter(table, programme, today)
    return dict(zip(found["id"], found["motif"], strict=True))


def test_eligibility_waits_after_more_than_eight_weeks_without_a_decision(programme):
    table = frame(
        {"statut": "candidature", "date_depot": D(2025, 5, 4)},  # A1: 57 days
        {"statut": "candidature", "date_depot": D(2025, 5, 5)},  # A2: 56 days, not more
        {"statut": "candidature", "date_depot": D(2025, 1, 5), "date_eligibilite": D(2025, 2, 1)},
        {"statut": "eligible", "date_depot": D(2025, 1, 5)},  # A4: decided (date missing)
        {"statut": "abandonne", "date_depot": D(2025, 1, 5)},  # A5: closed
    )
    assert motifs(table, programme) == {"A1": "eligibilite_en_attente"}
    found = analyse.a_traiter(table, programme, TODAY).iloc[0]
    assert found["depuis"] == "2025-05-04"
    assert found["jours"] == 57


def test_bon_de_commande_waits_after_more_than_twelve_weeks_of_selection(programme):
    table = frame(
        {"statut": "selectionne", "date_selection": D(2025, 4, 6)},  # A1: 85 days
        {"statut": "selectionne", "date_selection": D(2025, 4, 7)},  # A2: 84 days
        {
            "statut": "selectionne",
            "date_selection": D(2025, 1, 6),
            "dates_bon_commande": (D(2025, 2, 1),),
        },
    )
    assert motifs(table, programme) == {"A1": "bon_commande_en_attente"}


def test_atelier_late_after_more_than_eight_months_without_restitution(programme):
    table = frame(
        {"statut": "en_cours", "dates_bon_commande": (D(2024, 10, 29),)},  # A1: late
        {"statut": "en_cours", "dates_bon_commande": (D(2024, 10, 30),)},  # A2: 8 months today
        {"statut": "realise", "dates_bon_commande": (D(2024, 1, 10),)},  # A3: closed
        {
            "statut": "en_cours",
            "dates_bon_commande": (D(2024, 1, 10),),
            "date_restitution": D(2024, 9, 1),
            "date_livrables": D(2024, 10, 1),
        },  # A4: restitution held
        {"statut": "selectionne", "dates_bon_commande": (D(2024, 5, 2), D(2025, 6, 1))},  # A5
    )
    found = motifs(table, programme)
    assert found == {"A1": "atelier_en_retard", "A5": "atelier_en_retard"}
    rows = analyse.a_traiter(table, programme, TODAY).set_index("id")
    assert rows.loc["A5", "depuis"] == "2024-05-02"  # the first bon


def test_missing_livrables_after_a_held_restitution(programme):
    table = frame(
        {"date_restitution": D(2025, 6, 1)},  # A1: held, no livrables
        {"date_restitution": D(2025, 6, 1), "date_livrables": D(2025, 6, 20)},
        {"statut": "en_cours", "date_restitution": D(2025, 7, 15)},  # A3: planned, not held
    )
    assert motifs(table, programme) == {"A1": "livrables_manquants"}
    assert analyse.a_traiter(table, programme, TODAY).iloc[0]["jours"] == 29


def test_a_partial_date_waits_from_the_last_day_it_may_be(programme):
    table = frame(
        {"statut": "candidature", "date_depot": D(2025, 4)},  # ends 30 April: 61 days
        {"statut": "candidature", "date_depot": D(2025, 5)},  # ends 31 May: 30 days
    )
    found = analyse.a_traiter(table, programme, TODAY)
    assert found["id"].tolist() == ["A1"]
    assert found.iloc[0]["depuis"] == "2025-04"
    assert found.iloc[0]["jours"] == 61


def test_thresholds_are_settings(programme):
    table = frame({"statut": "candidature", "date_depot": D(2025, 5, 4)})  # 57 days
    stricter = dataclasses.replace(
        programme, suivi={**programme.suivi, "eligibilite_attente_semaines": 9}
    )
    assert motifs(table, programme) == {"A1": "eligibilite_en_attente"}
    assert motifs(table, stricter) == {}


def test_the_list_is_sorted_longest_wait_first(programme):
    table = frame(
        {"statut": "candidature", "date_depot": D(2025, 3, 1)},
        {"date_restitution": D(2024, 1, 1)},
        {"statut": "selectionne", "date_selection": D(2025, 1, 1)},
    )
    found = analyse.a_traiter(table, programme, TODAY)
    assert found["id"].tolist() == ["A2", "A3", "A1"]
    assert list(found["jours"]) == sorted(found["jours"], reverse=True)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"eligibilite_attente_semaines": -1}, "eligibilite_attente_semaines"),
        ({"atelier_retard_mois": "huit"}, "atelier_retard_mois"),
        ({"statuts_clos": ["fini"]}, "fini"),
        ({"delais": [["depot", "nulle_part"]]}, "nulle_part"),
    ],
)
def test_bad_settings_are_refused_in_french(programme, change, words):
    broken = dataclasses.replace(programme, suivi={**programme.suivi, **change})
    with pytest.raises(ProgrammeError, match=words):
        analyse.suivi_settings(broken)


# -- funnel and JSON -------------------------------------------------------------------------------
def test_funnel_counts_ateliers_per_year_and_statut(programme):
    table = frame(
        {"annee": 2024, "statut": "realise"},
        {"annee": 2024, "statut": "realise"},
        {"annee": 2025, "statut": "candidature"},
        {"annee": None, "statut": "realise"},  # no year: out of a yearly series
    )
    funnel = analyse.entonnoir(table, programme)
    counts = {(r.annee, r.statut): r.n for r in funnel.itertuples()}
    assert counts[(2024, "realise")] == 2
    assert counts[(2025, "candidature")] == 1
    assert counts[(2024, "candidature")] == 0
    assert funnel["n"].sum() == 3
    assert funnel["annee"].min() == programme.launch_year


def test_json_has_exactly_the_documented_shape(programme):
    table = frame(
        {"annee": 2025, "statut": "candidature", "date_depot": D(2025, 3, 1)},
        {"date_depot": D(2025, 1, 1), "date_eligibilite": D(2025, 1, 11)},
    )
    document = analyse.suivi_json(table, programme, TODAY)
    json.dumps(document)  # plain JSON types only
    assert set(document) == {"date", "entonnoir", "delais", "a_traiter"}
    assert document["date"] == "2025-06-30"
    assert set(document["entonnoir"][0]) == {"annee", "statut", "n"}
    assert set(document["delais"][0]) == {
        "de",
        "a",
        "n",
        "mediane_jours",
        "q1_jours",
        "q3_jours",
        "max_jours",
    }
    first = document["delais"][0]
    assert (first["de"], first["a"], first["n"], first["max_jours"]) == (
        "depot",
        "eligibilite",
        1,
        10,
    )
    assert document["delais"][1]["mediane_jours"] is None
    assert document["a_traiter"] == [
        {"id": "A1", "motif": "eligibilite_en_attente", "depuis": "2025-03-01", "jours": 121}
    ]


def test_ateliers_in_progress_run_from_their_first_bon_to_the_norm(programme):
    table = frame(
        {"statut": "en_cours", "dates_bon_commande": (D(2024, 10, 1),), "date_debut": D(2024, 11)},
        {"statut": "selectionne", "date_debut": D(2025, 3, 10)},  # no bon: from its start
        {"statut": "realise", "dates_bon_commande": (D(2024, 1, 1),)},  # closed
        {"statut": "selectionne"},  # nothing started
    )
    progress = analyse.ateliers_en_cours(table, programme, TODAY)
    assert progress["id"].tolist() == ["A1", "A2"]
    first = progress.iloc[0]
    assert first["depart"] == pd.Timestamp("2024-10-01")
    assert first["echeance"] == pd.Timestamp("2025-06-01")
    assert bool(first["en_retard"]) is True
    assert first["debut"] == pd.Timestamp("2024-11-01")
    assert bool(progress.iloc[1]["en_retard"]) is False
