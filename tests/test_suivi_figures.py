"""Figures of the « Suivi » page: what each draws, on literal frames (see tests/test_suivi.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from atelierflash import analyse
from atelierflash.programme import load_programme
from atelierflash.registre import PartialDate as D
from tests.test_suivi import TODAY, frame

SOURCE = "Source : registre « essai », fichier essai.csv ; calculs atelierflash. Données fictives."


@pytest.fixture(scope="module")
def programme():
    return load_programme()


def test_funnel_stacks_the_statuts_under_the_yearly_target(programme):
    table = frame(
        {"annee": 2024, "statut": "realise"},
        {"annee": 2024, "statut": "abandonne"},
        {"annee": 2025, "statut": "candidature"},
    )
    funnel = analyse.entonnoir(table, programme)
    target = programme.figures["selection_annuelle"]
    fig = analyse.funnel_figure(
        funnel, target, programme.statuts, programme.selected_statuts, SOURCE
    )
    bars = {t.name: list(t.y) for t in fig.data if t.type == "bar"}
    # Only the statuts present are drawn; the selected ones first (at the bottom).
    assert list(bars) == ["réalisé", "candidature", "abandonné"]
    assert bars["réalisé"][list(fig.data[0].x).index("2024")] == 1
    (line,) = [t for t in fig.data if t.type == "scatter"]
    assert set(line.y) == {target.value}
    assert fig.layout.separators == ",\u202f"
    assert analyse.source_of(fig) == SOURCE


def test_delays_draw_one_box_per_group_and_the_norms(programme):
    table = frame(
        {"equipe": "polau", "date_depot": D(2025, 1, 1), "date_eligibilite": D(2025, 1, 21)},
        {"equipe": "ourcq", "date_depot": D(2025, 1, 1), "date_eligibilite": D(2025, 3, 1)},
    )
    single = analyse.delais_ateliers(table, programme)
    overall = analyse.delais(table, programme)
    labels = {"polau": "POLAU", "ourcq": "Atelier de l'Ourcq"}
    fig = analyse.delays_figure(single, overall, "equipe", labels, SOURCE)
    boxes = [t for t in fig.data if t.type == "box"]
    assert sorted(t.name for t in boxes) == ["Atelier de l'Ourcq", "POLAU"]
    norms = next(t for t in fig.data if t.name == "Norme (seuil du suivi)")
    assert list(norms.y) == [56, 84, 243.5]  # 8 weeks, 12 weeks, 8 months


def test_progress_timeline_marks_the_late_ateliers_and_today(programme):
    table = frame(
        {"statut": "en_cours", "dates_bon_commande": (D(2024, 9, 1),)},  # late
        {"statut": "en_cours", "dates_bon_commande": (D(2025, 3, 1),), "date_debut": D(2025, 4, 2)},
    )
    progress = analyse.ateliers_en_cours(table, programme, TODAY)
    fig = analyse.progress_timeline_figure(progress, {}, SOURCE, TODAY)
    names = {t.name: t for t in fig.data}
    assert len(names["Au-delà de l'échéance, sans restitution"].y) == 1
    assert len(names["Dans les délais"].y) == 1
    assert list(names["Début"].x) == ["2025-04-02"]
    assert any(s.x0 == TODAY.isoformat() for s in fig.layout.shapes)
    # Register text reaches the axis escaped.
    hostile = frame({"titre": "<b>x</b>", "statut": "en_cours", "date_debut": D(2025, 1, 1)})
    fig = analyse.progress_timeline_figure(
        analyse.ateliers_en_cours(hostile, programme, dt.date(2025, 6, 30)), {}, SOURCE, TODAY
    )
    assert "<b>x</b>" not in str(fig.data[0].y)
