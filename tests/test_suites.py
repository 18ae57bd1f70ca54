"""Suites of the ateliers (issue 19 §2 and §3), checked by hand on small literal frames.

Ateliers have the columns ``Dataset.ateliers`` carries (``PartialDate`` per step, points
d'étape included); actions those of ``Dataset.actions`` (vocabulary keys, one statut per
jalon). The reference day is 1 October 2025.

- A1 (2023, POLAU, communale): restitution 15/01/2024; points at 6 months (10/07/2024) and
  12 months (20/01/2025). Actions a (friches: à venir, then en cours), b (friches: en cours,
  then réalisé), c (logement: à venir, not reviewed at 12).
- A2 (2024, Ville Ouverte, intercommunale): restitution 06/2024 (to the month); a point at 6
  months (05/01/2025). Actions d (no theme: réalisé), e (logement: bloqué).
- A3 (2024, POLAU, communale): restitution 01/03/2025, no point. Action f (no statut at a point).
- A4: restitution 01/01/2023, no feuille de route.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import pytest

from atelierflash import analyse
from atelierflash.programme import load_programme
from atelierflash.registre import PartialDate as D

TODAY = dt.date(2025, 10, 1)


@pytest.fixture(scope="module")
def programme():
    return load_programme()


def ateliers() -> pd.DataFrame:
    rows = [
        ("A1", 2023, "polau", "communale", D(2024, 1, 15), D(2024, 7, 10), D(2025, 1, 20)),
        ("A2", 2024, "ville_ouverte", "intercommunale", D(2024, 6), D(2025, 1, 5), None),
        ("A3", 2024, "polau", "communale", D(2025, 3, 1), None, None),
        ("A4", 2022, "polau", "communale", D(2023, 1, 1), None, None),
    ]
    table = pd.DataFrame(
        [
            {
                "id": i,
                "titre": f"Atelier {i}",
                "annee": year,
                "statut": "realise",
                "equipe": team,
                "echelle": scale,
                "date_restitution": restitution,
                "date_fin": None,
                "date_point_etape_6": six,
                "date_point_etape_12": twelve,
                "date_point_etape_24": None,
            }
            for i, year, team, scale, restitution, six, twelve in rows
        ]
    )
    table["annee"] = table["annee"].astype("Int64")
    return table


def actions() -> pd.DataFrame:
    rows = [
        ("A1", "a", "friches", "a_venir", "en_cours"),
        ("A1", "b", "friches", "en_cours", "realise"),
        ("A1", "c", "logement", "a_venir", None),
        ("A2", "d", None, "realise", None),
        ("A2", "e", "logement", "bloque", None),
        ("A3", "f", None, None, None),
        ("A9", "not in the selection", "friches", "realise", "realise"),
    ]
    return pd.DataFrame(
        [
            {
                "atelier": a,
                "action": t,
                "theme": theme,
                "statut": None,
                "statut_6_mois": six,
                "statut_12_mois": twelve,
                "statut_24_mois": None,
            }
            for a, t, theme, six, twelve in rows
        ]
    )


def row(table: pd.DataFrame, **where) -> dict:
    mask = pd.Series(True, index=table.index)
    for column, value in where.items():
        mask &= table[column] == value
    [found] = table[mask].to_dict("records")
    return found


# -- Points d'étape dus ---------------------------------------------------------------------------
def test_the_review_due_is_the_last_jalon_reached_without_a_date(programme):
    todo = analyse.a_traiter(ateliers(), programme, TODAY, actions=actions())
    due = todo[todo["motif"] == "point_etape_du"]
    # A1: 12 months reached and dated (24 not yet): nothing. A4: no feuille de route.
    assert due["id"].tolist() == ["A2", "A3"]  # longest wait first
    a2, a3 = due.to_dict("records")
    # Counted from the due date (A2's restitution is known to the month: its last day counts).
    assert (a2["jalon"], a2["echeance"], a2["depuis"], a2["jours"]) == (
        12,
        "2025-06-30",
        "2025-06-30",
        93,
    )
    assert (a3["jalon"], a3["echeance"], a3["depuis"], a3["jours"]) == (
        6,
        "2025-09-01",
        "2025-09-01",
        30,
    )
    assert a2["etape"] == "point_12" and a2["motif_libelle"] == "Point d'étape dû"
    assert a2["seuil"] == (
        "point d'étape à 12 mois dû le 30/06/2025 (restitution finale du 2024-06 + 12 mois), "
        "sans date"
    )


def test_a_missed_review_waits_until_the_next_jalon_the_last_for_twelve_months(programme):
    # A3 (restitution 01/03/2025): 6 months due from 01/09/2025 until the 12-month jalon.
    def due(day):
        todo = analyse.a_traiter(ateliers(), programme, day, actions=actions())
        return todo.loc[todo["motif"] == "point_etape_du", ["id", "jalon"]].values.tolist()

    assert ["A3", 6] in due(dt.date(2026, 2, 28))
    assert ["A3", 12] in due(dt.date(2026, 3, 1))
    # The last jalon (24 months, 01/03/2027) stays due for 12 months, then no longer.
    assert ["A3", 24] in due(dt.date(2028, 2, 29))
    assert "A3" not in [i for i, _ in due(dt.date(2028, 3, 1))]


def test_no_review_is_due_before_its_jalon_or_without_actions(programme):
    todo = analyse.a_traiter(ateliers(), programme, dt.date(2024, 7, 14), actions=actions())
    assert "point_etape_du" not in set(todo["motif"])
    # Without actions given (the feuille de route unknown), the rule says nothing.
    todo = analyse.a_traiter(ateliers(), programme, TODAY)
    assert "point_etape_du" not in set(todo["motif"])
    assert {"jalon", "echeance"} <= set(todo.columns)


def test_the_json_rows_of_a_review_due_carry_the_jalon_and_the_due_date(programme):
    document = analyse.suivi_json(ateliers(), programme, TODAY, actions=actions())
    due = [r for r in document["a_traiter"] if r["motif"] == "point_etape_du"]
    assert due[0] == {
        "id": "A2",
        "motif": "point_etape_du",
        "depuis": "2025-06-30",
        "jours": 93,
        "jalon": 12,
        "echeance": "2025-06-30",
    }
    others = [r for r in document["a_traiter"] if r["motif"] != "point_etape_du"]
    assert all(set(r) == {"id", "motif", "depuis", "jours"} for r in others)


# -- Indicators -----------------------------------------------------------------------------------
def test_shares_started_and_realised_at_each_jalon(programme):
    table = analyse.suites_points(ateliers(), actions(), programme)
    assert table["jalon"].tolist() == [6, 12, 24]
    six = row(table, jalon=6)
    # At 6 months: a, b, c, d, e have a statut (f has none); b and d started, d realised.
    assert (six["ateliers"], six["actions"], six["demarrees"], six["realisees"]) == (2, 5, 2, 1)
    assert (six["part_demarrees"], six["part_realisees"]) == (0.4, 0.2)
    twelve = row(table, jalon=12)
    assert (twelve["ateliers"], twelve["actions"], twelve["demarrees"], twelve["realisees"]) == (
        1,
        2,
        2,
        1,
    )
    assert (twelve["part_demarrees"], twelve["part_realisees"]) == (1.0, 0.5)
    none = row(table, jalon=24)
    assert none["actions"] == 0 and math.isnan(none["part_demarrees"])


@pytest.mark.parametrize(
    ("by", "group", "expected"),
    [
        ("annee", 2023, (1, 3, 1, 0)),
        ("annee", 2024, (1, 2, 1, 1)),
        ("equipe", "polau", (1, 3, 1, 0)),
        ("echelle", "intercommunale", (1, 2, 1, 1)),
        # The action's own theme (and its family); an action without one is « non renseigné ».
        ("theme", "friches", (1, 2, 1, 0)),
        ("theme", "logement", (2, 2, 0, 0)),
        ("theme", None, (1, 1, 1, 1)),
        ("famille", "territoriales", (1, 2, 1, 0)),
        ("famille", "sociales", (2, 2, 0, 0)),
    ],
)
def test_shares_by_year_team_scale_theme_and_family(programme, by, group, expected):
    table = analyse.suites_points(ateliers(), actions(), programme, by=by)
    found = table[
        (table["jalon"] == 6)
        & (table["groupe"].isna() if group is None else table["groupe"] == group)
    ]
    [r] = found.to_dict("records")
    assert (r["ateliers"], r["actions"], r["demarrees"], r["realisees"]) == expected
    assert r["groupe_libelle"]


def test_actions_per_atelier_and_time_to_the_first_action_started(programme):
    summary = analyse.suites_synthese(ateliers(), actions(), programme)
    [overall] = summary.to_dict("records")
    assert (overall["ateliers"], overall["actions"], overall["actions_par_atelier"]) == (3, 6, 2.0)
    # A1: b started at the 6-month point, 10/07/2024, 177 days after the restitution. A2's
    # restitution is known to the month only: left out. A3: nothing started at a point.
    assert overall["premier_demarrage_n"] == 1
    assert overall["premier_demarrage_mediane_jours"] == 177
    by_year = analyse.suites_synthese(ateliers(), actions(), programme, by="annee")
    assert row(by_year, groupe=2024)["actions_par_atelier"] == 1.5
    assert row(by_year, groupe=2024)["premier_demarrage_n"] == 0


def test_per_atelier_table(programme):
    table = analyse.suites_ateliers(ateliers(), actions(), programme)
    assert table["id"].tolist() == ["A1", "A2", "A3"]  # those with a feuille de route
    a1 = row(table, id="A1")
    assert a1["actions"] == 3 and a1["premier_demarrage_jours"] == 177
    assert (a1["point_6"], a1["demarrees_6"], a1["realisees_6"], a1["renseignees_6"]) == (
        "2024-07-10",
        1,
        0,
        3,
    )
    assert (a1["point_12"], a1["demarrees_12"], a1["renseignees_12"]) == ("2025-01-20", 2, 2)
    assert pd.isna(row(table, id="A3")["premier_demarrage_jours"])


def test_no_feuille_de_route_gives_empty_tables(programme):
    empty = actions().iloc[0:0]
    assert analyse.suites_ateliers(ateliers(), empty, programme).empty
    points = analyse.suites_points(ateliers(), empty, programme)
    assert points["actions"].tolist() == [0, 0, 0]
    [overall] = analyse.suites_synthese(ateliers(), empty, programme).to_dict("records")
    assert overall["ateliers"] == 0 and math.isnan(overall["actions_par_atelier"])


def test_the_suites_document(programme):
    document = analyse.suites_json(ateliers(), actions(), programme)
    json.dumps(document)  # plain JSON types
    assert set(document) == {"jalons", "synthese", "points", "ateliers"}
    assert document["jalons"] == [6, 12, 24]
    pars = {r["par"] for r in document["synthese"]}
    assert pars == {"programme", "annee", "famille", "theme", "equipe", "echelle"}
    overall = next(r for r in document["synthese"] if r["par"] == "programme")
    assert overall == {
        "par": "programme",
        "groupe": None,
        "ateliers": 3,
        "actions": 6,
        "actions_par_atelier": 2,
        "premier_demarrage": {
            "n": 1,
            "mediane_jours": 177,
            "q1_jours": 177,
            "q3_jours": 177,
            "max_jours": 177,
        },
    }
    six = next(r for r in document["points"] if r["par"] == "programme" and r["jalon"] == 6)
    assert six == {
        "par": "programme",
        "groupe": None,
        "jalon": 6,
        "ateliers": 2,
        "actions": 5,
        "demarrees": 2,
        "realisees": 1,
        "part_demarrees": 0.4,
        "part_realisees": 0.2,
    }
    assert next(r for r in document["points"] if r["jalon"] == 24)["part_demarrees"] is None
    a1 = document["ateliers"][0]
    assert a1["id"] == "A1" and a1["actions"] == 3 and a1["premier_demarrage_jours"] == 177
    assert a1["points"][0] == {
        "jalon": 6,
        "date": "2024-07-10",
        "actions": 3,
        "demarrees": 1,
        "realisees": 0,
    }
    full = analyse.suivi_json(ateliers(), programme, TODAY, actions=actions())
    assert full["suites"] == document
    assert "suites" not in analyse.suivi_json(ateliers(), programme, TODAY)


def test_an_atelier_without_year_team_or_scale_counts_as_non_renseigne(programme):
    table = ateliers()
    table.loc[table["id"] == "A2", "annee"] = pd.NA
    table.loc[table["id"] == "A2", ["equipe", "echelle"]] = None
    for by, label in (
        ("annee", "Année non renseignée"),
        ("equipe", "Équipe non renseignée"),
        ("echelle", "Échelle non renseignée"),
    ):
        points = analyse.suites_points(table, actions(), programme, by=by)
        missing = points[points["groupe"].isna() & (points["jalon"] == 6)]
        assert missing["groupe_libelle"].tolist() == [label]
        assert missing["actions"].tolist() == [2]  # d and e, A2's
        summary = analyse.suites_synthese(table, actions(), programme, by=by)
        assert summary["groupe_libelle"].iloc[-1] == label
    document = analyse.suites_json(table, actions(), programme)
    years = [r["groupe"] for r in document["synthese"] if r["par"] == "annee"]
    assert years == [2023, 2024, None]
