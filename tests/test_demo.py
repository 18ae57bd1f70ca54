"""The fictional demonstration register: shape of the programme, coherence, the tourniquet."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import pandas as pd
import pytest

from atelierflash import registre
from atelierflash.analyse import audit, orders_of_atelier
from atelierflash.demo import (
    DEFAULT_PATH,
    DEFAULT_SEED,
    DEMO_ACTION_COLUMNS,
    DEMO_COLUMNS,
    DROM,
    PORTEURS,
    REFERENCE_DATE,
    actions_path_of,
    generate_demo,
    generate_demo_actions,
    generated_exceptions,
    write_demo,
)
from atelierflash.programme import load_programme

SELECTED = ("selectionne", "en_cours", "realise", "abandonne")


@pytest.fixture(scope="module")
def programme():
    return load_programme()


@pytest.fixture(scope="module")
def demo(mini_referentiel, programme) -> pd.DataFrame:
    return generate_demo(mini_referentiel, programme, DEFAULT_SEED)


def keys(frame: pd.DataFrame, column: str, vocabulary) -> pd.Series:
    return frame[column].map(lambda text: vocabulary.parse(text) if text else None)


def split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def days(text: str) -> list[dt.date]:
    return [dt.date.fromisoformat(part) for part in split(text)]


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def register_orders(frame: pd.DataFrame, programme) -> list:
    orders = []
    for row in frame.itertuples():
        if row.date_bon_commande:
            orders += orders_of_atelier(
                row.id,
                programme.equipes.parse(row.equipe),
                days(row.date_bon_commande),
                registre.parse_amount(row.montant_eur),
                row.motif_derogation,
            )
    return orders


# -- determinism and format --------------------------------------------------------------------
def test_same_seed_same_frame_other_seed_other_frame(mini_referentiel, programme, demo):
    pd.testing.assert_frame_equal(demo, generate_demo(mini_referentiel, programme, DEFAULT_SEED))
    assert not demo.equals(generate_demo(mini_referentiel, programme, DEFAULT_SEED + 1))


def test_written_file_is_byte_identical(mini_referentiel, programme, tmp_path):
    first, second = tmp_path / "a" / "demo.csv", tmp_path / "b.csv"
    write_demo(first, mini_referentiel, programme, 7)
    write_demo(second, mini_referentiel, programme, 7)
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(DEMO_COLUMNS)
    table = registre.read_register(first)
    assert table.separator == "," and not table.unknown_columns


def test_columns_are_the_register_columns_all_text(demo):
    assert tuple(demo.columns) == DEMO_COLUMNS
    assert "fictif" in DEMO_COLUMNS and DEMO_COLUMNS[:2] == ("id", "titre")
    assert not demo.isna().any().any()
    assert all(isinstance(value, str) for value in demo.to_numpy().ravel())


def test_every_row_says_it_is_fictional(demo):
    assert demo["titre"].str.endswith(" (fictif)").all()
    assert demo["description"].str.startswith("Atelier fictif généré pour la démonstration.").all()
    assert (demo["fictif"] == "oui").all()
    assert (demo["source_url"] == "").all()
    assert demo["id"].str.fullmatch(r"DEMO-20\d\d-\d{3}").all()
    assert demo["id"].is_unique
    assert (demo["id"].str[5:9] == demo["annee"]).all()
    assert not demo["livrables"].str.contains("http").any()


# -- shape of the programme --------------------------------------------------------------------
def test_114_realised_from_2019_to_2025(demo, programme):
    statut = keys(demo, "statut", programme.statuts)
    years = demo["annee"].astype(int)
    assert (statut == "realise").sum() == 114
    assert years[statut == "realise"].between(2019, 2025).all()
    selected = years[statut.isin(SELECTED)].value_counts().sort_index()
    assert selected[2019] == 5
    assert selected.is_monotonic_increasing
    assert 25 <= selected[2024] <= 32 and 25 <= selected[2026] <= 32
    assert (statut == "abandonne").sum() >= 3
    assert years[statut.isin(["en_cours", "selectionne"])].isin([2025, 2026]).all()
    assert {"en_cours", "selectionne"} <= set(statut[years == 2026])
    applications = statut.isin(["candidature", "eligible"])
    assert applications.sum() >= 4 and years[applications].isin([2026, 2027]).all()
    assert (demo.loc[applications, "public"] != "oui").all()
    assert (demo.loc[applications, ["equipe", "date_bon_commande"]] == "").all().all()


def test_echelles_and_themes(demo, programme):
    echelle = keys(demo, "echelle", programme.echelles)
    shares = echelle.value_counts(normalize=True)
    assert abs(shares["batiment_ilot"] - 0.30) < 0.03
    assert abs(shares["communale"] - 0.45) < 0.03
    assert abs(shares["intercommunale"] - 0.25) < 0.03
    themes = demo["themes"].map(split)
    assert themes.map(len).between(1, 3).all()
    labels = set(programme.themes.labels())
    assert all(label in labels for cell in themes for label in cell)
    counts = pd.Series([label for cell in themes for label in cell]).value_counts()
    assert counts.index[0] == programme.themes.label_of("revitalisation")


def test_communes_are_real_and_coherent(demo, mini_referentiel, programme):
    com = mini_referentiel.communes
    com = com[com["type"] == "COM"].set_index("code")
    members = dict(
        zip(mini_referentiel.epci["siren"], mini_referentiel.epci["membres"], strict=True)
    )
    echelles = keys(demo, "echelle", programme.echelles)
    for row, echelle in zip(demo.itertuples(), echelles, strict=True):
        codes, names = split(row.communes_insee), split(row.communes)
        assert codes and len(codes) == len(names) == len(set(codes))
        assert [com.loc[c, "nom"] for c in codes] == names
        assert {com.loc[c, "departement"] for c in codes} == {row.departement}
        if echelle == "intercommunale":
            assert set(codes) <= set(members[row.epci_siren])
        else:
            assert len(codes) == 1


def test_pilots(demo):
    pattern = re.compile(r"(DDTM?|DRIEAT|DEAL|DGTM) (\d\d|2A|2B|97\d) – .+")
    assert demo["pilote"].map(lambda text: bool(pattern.fullmatch(text))).all()
    assert (demo.loc[demo["departement"] == "974", "pilote"] == "DEAL 974 – La Réunion").all()


# -- teams and the tourniquet ------------------------------------------------------------------
def test_teams_hold_the_agreement_in_force(demo, programme):
    ordered = demo[demo["date_bon_commande"] != ""]
    assert (ordered["equipe"] != "").all()
    assert (demo.loc[demo["date_bon_commande"] == "", ["equipe", "accord_cadre"]] == "").all().all()
    for row in ordered.itertuples():
        first = days(row.date_bon_commande)[0]
        agreement = programme.agreement_at(first)
        assert agreement is not None
        assert programme.accords.parse(row.accord_cadre) == agreement.key
        assert programme.equipes.parse(row.equipe) in agreement.team_keys()
        if agreement.key == "ac_2019":
            assert programme.equipes.parse(row.equipe) == "atelier_ourcq"


def test_audit_finds_exactly_the_generated_exceptions(demo, programme):
    exceptions = generated_exceptions(demo)
    assert 3 <= len(exceptions) <= 5
    assert exceptions["motif_derogation"].str.contains("itulaire attendu").all()
    audits, outside = audit(programme.agreements, register_orders(demo, programme))
    assert outside == []
    deviating = [r for a in audits for r in a.replayed if r.deviation]
    assert all(r.documented for r in deviating)
    assert sorted(r.order.atelier_id for r in deviating) == sorted(exceptions["id"])
    assert all(r.order.rank == 1 for r in deviating)
    by_key = {a.agreement.key: a for a in audits}
    assert len(by_key["ac_2021"].replayed) > 50
    assert not by_key["ac_2019"].deviations


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_audit_matches_exceptions_for_other_seeds(mini_referentiel, programme, seed):
    frame = generate_demo(mini_referentiel, programme, seed)
    audits, _ = audit(programme.agreements, register_orders(frame, programme))
    deviating = sorted(r.order.atelier_id for a in audits for r in a.replayed if r.deviation)
    assert deviating == sorted(generated_exceptions(frame)["id"])


# -- dates and amounts -------------------------------------------------------------------------
def test_dates_are_coherent(demo, programme):
    statut = keys(demo, "statut", programme.statuts)
    ordered = demo["date_bon_commande"] != ""
    assert set(statut[ordered]) == {"realise", "en_cours"}
    assert ordered[statut.isin(["realise", "en_cours"])].all()
    two = demo.loc[ordered, "date_bon_commande"].map(lambda text: len(split(text)) == 2)
    assert 0.05 <= two.mean() <= 0.15
    for row, key in zip(demo[ordered].itertuples(), statut[ordered], strict=True):
        bons = days(row.date_bon_commande)
        agreement = programme.agreement_at(bons[0])
        assert bons == sorted(bons) and 1 <= len(bons) <= 2
        assert all(b.year == int(row.annee) and agreement.covers(b) for b in bons)
        start = dt.date.fromisoformat(row.date_debut)
        assert bons[0] < start <= REFERENCE_DATE
        animation = days(row.dates_animation)
        assert len(animation) in (2, 3)
        assert all((b - a).days == 1 for a, b in itertools.pairwise(animation))
        assert all(day.weekday() < 5 for day in animation)
        assert start <= animation[0]
        if key == "realise":
            end = dt.date.fromisoformat(row.date_fin)
            assert end < REFERENCE_DATE
        elif row.date_fin:
            end = dt.date.fromisoformat(row.date_fin)
            assert end > REFERENCE_DATE
        else:
            continue
        assert add_months(start, 4) <= end <= add_months(start, 8)
        assert animation[-1] <= end
        if len(bons) == 2:
            assert start < bons[1] <= end
    unordered = demo[~ordered]
    assert (unordered[["date_debut", "date_fin", "dates_animation"]] == "").all().all()


def test_amounts(demo):
    ordered = demo["date_bon_commande"] != ""
    amounts = demo.loc[ordered, "montant_eur"].map(registre.parse_amount)
    assert amounts.between(17000, 24000).all()
    assert abs(amounts.mean() - 20000) < 1000
    assert (demo.loc[~ordered, "montant_eur"] == "").all()


def test_publication_and_notes(demo, programme):
    assert demo["public"].isin(["", "non"]).all()
    assert (demo["public"] == "non").sum() == 3
    assert (demo["notes_internes"] != "").sum() >= 5
    statut = keys(demo, "statut", programme.statuts)
    realised = demo[statut == "realise"]
    assert realised["livrables"].str.startswith("Feuille de route ; Esquisse de plan-guide").all()


def test_register_validates_without_error(tmp_path, mini_referentiel, programme):
    from atelierflash.validation import validate_register

    path = tmp_path / "demo.csv"
    write_demo(path, mini_referentiel, programme, DEFAULT_SEED)
    report = validate_register(
        registre.read_register(path), mini_referentiel, programme, today=REFERENCE_DATE
    )
    assert report.summary["error"] == 0


# -- the real référentiel ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_referentiel():
    from atelierflash.referentiel import load_referentiel

    return load_referentiel()


@pytest.mark.referentiel
def test_real_demo_covers_the_country(real_referentiel, programme):
    frame = generate_demo(real_referentiel, programme, DEFAULT_SEED)
    statut = keys(frame, "statut", programme.statuts)
    realised = frame[statut == "realise"]
    assert len(realised) == 114 and realised["annee"].astype(int).between(2019, 2025).all()
    communes = {code for cell in realised["communes_insee"] for code in split(cell)}
    assert len(communes) > 500
    assert set(DROM) <= set(realised["departement"])
    assert set(realised["departement"]) & {"2A", "2B"}
    regions = set(real_referentiel.regions["code"])
    com = real_referentiel.communes
    region_of = dict(zip(com["departement"], com["region"], strict=False))
    assert {region_of[d] for d in realised["departement"]} == regions
    # Intercommunal ateliers list 3 to 25 members of one real EPCI.
    members = dict(
        zip(real_referentiel.epci["siren"], real_referentiel.epci["membres"], strict=True)
    )
    inter = frame[keys(frame, "echelle", programme.echelles) == "intercommunale"]
    for row in inter.itertuples():
        codes = split(row.communes_insee)
        assert 3 <= len(codes) <= 25 and set(codes) <= set(members[row.epci_siren])
    # The audit finds exactly the generated exceptions on the real register too.
    audits, _ = audit(programme.agreements, register_orders(frame, programme))
    deviating = sorted(r.order.atelier_id for a in audits for r in a.replayed if r.deviation)
    assert deviating == sorted(generated_exceptions(frame)["id"])
    # Small towns first.
    population = com[com["type"] == "COM"].set_index("code")["population"]
    main = population.reindex([split(cell)[0] for cell in frame["communes_insee"]])
    assert main.between(1000, 20000).mean() > 0.5


@pytest.mark.referentiel
def test_committed_demo_file_is_up_to_date(real_referentiel, programme, tmp_path):
    path = tmp_path / "ateliers_demo.csv"
    write_demo(path, real_referentiel, programme, DEFAULT_SEED)
    assert Path(DEFAULT_PATH).read_bytes() == path.read_bytes()
    # The feuilles de route are written beside it, and committed too.
    assert actions_path_of(path) == tmp_path / "actions_demo.csv"
    assert actions_path_of(DEFAULT_PATH).read_bytes() == actions_path_of(path).read_bytes()


# -- steps (issue 18 §3) -----------------------------------------------------------------------
STEP_ORDER = ("interet", "contact_dgaln", "fiche_transmise", "depot", "eligibilite", "selection")


def test_steps_follow_each_statut(demo, programme):
    statut = keys(demo, "statut", programme.statuts)
    has = {c: demo[c] != "" for c in demo.columns if c.startswith("date_")}
    candidature = statut == "candidature"
    assert has["date_depot"][candidature].all()
    assert not has["date_eligibilite"][candidature].any()
    eligible = statut == "eligible"
    assert has["date_eligibilite"][eligible].all() and not has["date_selection"][eligible].any()
    selected = statut == "selectionne"
    assert has["date_selection"][selected].all()
    assert not has["date_bon_commande"][selected].any()
    ordered = statut.isin(["en_cours", "realise"])
    assert has["date_selection"][ordered].all() and has["date_depot"][ordered].all()
    assert has["date_restitution"][statut == "realise"].all()
    assert (statut == "non_retenu").sum() >= 1
    # A few dates known only to the month, left out of the delays.
    assert demo["date_depot"].str.fullmatch(r"\d{4}-\d{2}").any()


def test_steps_come_in_their_order(demo):
    for row in demo.to_dict("records"):
        dated = [registre.parse_date(row[f"date_{s}"]) for s in STEP_ORDER if row[f"date_{s}"]]
        firsts = [d.first_day() for d in dated]
        lasts = [d.last_day() for d in dated]
        assert all(a <= b for a, b in zip(firsts, lasts[1:], strict=False)), row["id"]
        if row["date_bon_commande"] and row["date_selection"]:
            selection = registre.parse_date(row["date_selection"]).first_day()
            assert selection <= days(row["date_bon_commande"])[0], row["id"]
        if row["date_livrables"] and row["date_restitution"]:
            assert row["date_livrables"] <= row["date_restitution"], row["id"]


# -- feuilles de route (issue 19 §4) -----------------------------------------------------------
@pytest.fixture(scope="module")
def demo_actions(demo, programme) -> pd.DataFrame:
    return generate_demo_actions(demo, programme, DEFAULT_SEED)


def test_actions_are_seeded_text_in_the_actions_columns(
    mini_referentiel, demo, programme, demo_actions
):
    from atelierflash.actions import ACTIONS

    assert tuple(column.name for column in ACTIONS.columns) == DEMO_ACTION_COLUMNS
    assert tuple(demo_actions.columns) == DEMO_ACTION_COLUMNS
    assert all(isinstance(value, str) for value in demo_actions.to_numpy().ravel())
    again = generate_demo_actions(demo, programme, DEFAULT_SEED)
    pd.testing.assert_frame_equal(demo_actions, again)
    assert not demo_actions.equals(generate_demo_actions(demo, programme, DEFAULT_SEED + 1))
    # The actions draw from their own generator: the register is not changed by them.
    pd.testing.assert_frame_equal(demo, generate_demo(mini_referentiel, programme, DEFAULT_SEED))


def test_every_action_says_it_is_fictional(demo_actions):
    assert len(demo_actions) > 300
    assert demo_actions["action"].str.endswith(" (fictif)").all()
    assert demo_actions["atelier"].str.startswith("DEMO-").all()


def test_actions_follow_the_course_of_their_atelier(demo, programme, demo_actions):
    statut = dict(zip(demo["id"], keys(demo, "statut", programme.statuts), strict=True))
    restitution = dict(zip(demo["id"], demo["date_restitution"], strict=True))
    counts = demo_actions["atelier"].value_counts()
    realised = [i for i, s in statut.items() if s == "realise"]
    assert counts.reindex(realised).between(3, 7).all()
    others = set(counts.index) - set(realised)
    # Before its restitution an atelier has no feuille de route; a fresh one, a short one.
    assert all(statut[i] == "en_cours" and restitution[i] for i in others)
    assert counts.reindex(sorted(others)).le(4).all()


def test_actions_validate_without_error_or_warning(demo, programme, demo_actions, tmp_path):
    from atelierflash.actions import validate_actions_file

    path = tmp_path / "actions.csv"
    demo_actions.to_csv(path, index=False)
    report = validate_actions_file(path, programme, demo["id"])
    assert report.summary == {"ok": len(demo_actions), "warning": 0, "error": 0}
    assert not report.file_issues


def test_action_cells_are_consistent(demo, programme, demo_actions):
    themes = dict(zip(demo["id"], demo["themes"].map(split), strict=True))
    restitution = dict(zip(demo["id"], demo["date_restitution"], strict=True))
    assert demo_actions.apply(lambda r: r["theme"] in themes[r["atelier"]], axis=1).all()
    assert set(demo_actions["porteur"]) <= set(PORTEURS)
    assert set(demo_actions["priorite"]) == set(programme.priorites.labels())
    for row in demo_actions.to_dict("records"):
        day = dt.date.fromisoformat(restitution[row["atelier"]])
        assert int(row["echeance"][:4]) > day.year
        statut = programme.statuts_action.parse(row["statut"])
        months = (REFERENCE_DATE - day).days / 30.4
        if months < 6:
            # A fresh feuille de route: nothing is done or dropped yet.
            assert statut in ("a_venir", "en_cours", "a_discuter"), row
        if statut == "en_retard":
            text = row["echeance"]
            due = (
                registre.parse_date(text).last_day() if "-" in text else dt.date(int(text), 12, 31)
            )
            assert due < REFERENCE_DATE, row
    statuts = demo_actions["statut"].map(programme.statuts_action.parse)
    assert {"a_venir", "en_cours", "realise", "en_retard", "abandonne"} <= set(statuts)
    assert 0.2 <= (demo_actions["budget_eur"] != "").mean() <= 0.7
    assert (
        demo_actions.loc[demo_actions["budget_eur"] != "", "budget_eur"]
        .map(registre.parse_amount)
        .between(1000, 5_000_000)
        .all()
    )
    assert ((demo_actions["financements"] != "") <= (demo_actions["budget_eur"] != "")).all()
    assert (demo_actions["note"] != "").any()


def test_most_actions_are_public_some_not(demo_actions):
    assert set(demo_actions["public"]) == {"oui", "non"}
    assert 0.7 <= (demo_actions["public"] == "oui").mean() <= 0.95


def test_write_demo_writes_the_actions_beside_the_register(mini_referentiel, programme, tmp_path):
    from atelierflash.actions import read_actions

    path = tmp_path / "x" / "ateliers_demo.csv"
    write_demo(path, mini_referentiel, programme, DEFAULT_SEED)
    beside = tmp_path / "x" / "actions_demo.csv"
    assert actions_path_of(path) == beside and beside.exists()
    assert actions_path_of(tmp_path / "registre.csv") == tmp_path / "registre_actions.csv"
    assert beside.read_text(encoding="utf-8").splitlines()[0] == ",".join(DEMO_ACTION_COLUMNS)
    table = read_actions(beside)
    assert table.separator == "," and not table.unknown_columns


# -- points d'étape (issue 19 §2) ----------------------------------------------------------------
def test_points_d_etape_follow_the_restitution(demo, programme):
    points = programme.points_etape
    dated = 0
    for row in demo.to_dict("records"):
        days = [row[p.step.column] for p in points]
        if not row["date_restitution"]:
            assert not any(days), row["id"]
            continue
        restitution = dt.date.fromisoformat(row["date_restitution"])
        held = [dt.date.fromisoformat(d) for d in days if d]
        dated += len(held)
        assert all(restitution < d < REFERENCE_DATE for d in held), row["id"]
        assert held == sorted(held), row["id"]
        for point, day in zip(points, days, strict=True):
            if day:  # never before its jalon's fortnight
                due = add_months(restitution, point.months)
                assert dt.date.fromisoformat(day) >= due - dt.timedelta(days=15), row["id"]
    assert dated > 100


#: An action's progress: what it can be after what (a pause or a block is a started action;
#: « en retard », past its échéance, may be started or not).
RANK = {
    "a_venir": 0,
    "a_discuter": 0,
    "en_cours": 1,
    "en_pause": 1,
    "bloque": 1,
    "realise": 2,
    "abandonne": 2,
}


def test_actions_statuts_at_the_points_lead_to_their_statut(demo, programme, demo_actions):
    points = programme.points_etape
    dated = {r["id"]: [r[p.step.column] for p in points] for r in demo.to_dict("records")}
    parse = programme.statuts_action.parse
    seen = set()
    for row in demo_actions.to_dict("records"):
        cells = [row[p.statut_column] for p in points]
        # A statut only where the atelier's point is dated, and every action reviewed there.
        assert [bool(c) for c in cells] == [bool(d) for d in dated[row["atelier"]]], row
        steps = [parse(c) for c in cells if c]
        seen.update(steps)
        ranks = [RANK[s] for s in [*steps, parse(row["statut"])] if s != "en_retard"]
        assert ranks == sorted(ranks), row
    assert {"a_venir", "en_cours", "realise"} <= seen


def test_demo_actions_validate_against_the_register_s_points(
    demo, programme, demo_actions, tmp_path
):
    from atelierflash.actions import dated_points, validate_actions_file

    path = tmp_path / "actions.csv"
    demo_actions.to_csv(path, index=False)
    points = dated_points(demo, programme)
    report = validate_actions_file(path, programme, demo["id"], points=points)
    assert report.summary == {"ok": len(demo_actions), "warning": 0, "error": 0}
