"""Aggregations of the analytics pages, checked by hand on small literal registers.

``mini_dataset`` (tests/conftest.py) has seven ateliers: a multi-theme one, an intercommunal one
(Doullens + Outrebois, Doullens also in a 2019 atelier), one without a year, no atelier in 2020
or 2023, and missing dates. ``extra_dataset`` below adds an abandon, an éligible, a missing
échelle, two themes of the same family and durations outside the announced span.
"""

from __future__ import annotations

import csv
import datetime as dt

import pandas as pd
import pytest

from atelierflash import analyse
from atelierflash.dataset import DEMO_REGISTER

EXTRA_REGISTER = """id,titre,annee,statut,echelle,communes_insee,epci_siren,themes,date_debut,date_fin,montant_eur,fictif
E-2020-1,Abandon à Doullens (fictif),2020,abandonné,communale,80253,,Protection et valorisation du patrimoine,,,,oui
E-2020-2,Risques et nature du Nord Picardie (fictif),2020,sélectionné,intercommunale,,200070951,Gestion des risques; Protection restauration et gestion de l'écosystème terrestre et des ressources naturelles,2020-09-01,2020-11-30,18000,oui
E-2022-1,Saint-Gaudens long (fictif),2022,réalisé,communale,31483,,Adaptation de l'offre de logements,2022-01,2022-12,20000,oui
E-2022-2,Bastia éligible (fictif),2022,éligible,,2B033,,Gestion des risques,,,,oui
"""


@pytest.fixture(scope="module")
def extra_dataset(mini_referentiel, tmp_path_factory):
    from atelierflash.dataset import RegisterSource, build_dataset
    from atelierflash.programme import load_programme
    from atelierflash.validation import validate_file

    path = tmp_path_factory.mktemp("registre") / "extra.csv"
    path.write_text(EXTRA_REGISTER, encoding="utf-8")
    programme = load_programme()
    report = validate_file(path, mini_referentiel, programme, today=dt.date(2026, 11, 29))
    assert report.summary["error"] == 0, report.to_text()
    source = RegisterSource("test", "Registre complémentaire (fictif)", path, fictif=True)
    return build_dataset(source, mini_referentiel, programme, report=report)


def _by(table: pd.DataFrame, key: str) -> pd.DataFrame:
    return table.set_index(key)


# -- Thématiques -------------------------------------------------------------------------------
def test_coverage_counts_distinct_communes_population_and_rural_share(mini_dataset):
    cov = analyse.coverage_figures(mini_dataset.ateliers, mini_dataset.atelier_communes, 2000)
    assert cov.ateliers == 7
    assert cov.communes == 7  # Doullens (2019 and 2022) once
    # Doullens 6 000 + Abbeville 22 000 + Outrebois 200 + Ajaccio 73 000 + Saint-Denis
    # 155 000 + Privas 8 500 + Saverdun 5 000: Doullens once.
    assert cov.population == 269_700
    assert cov.communes_rurales == 1  # Outrebois, 200 inhabitants
    assert cov.part_rurale == pytest.approx(1 / 7)
    assert cov.sans_annee == 1


def test_coverage_of_an_empty_selection_has_no_share(mini_dataset):
    cov = analyse.coverage_figures(
        mini_dataset.ateliers.iloc[:0], mini_dataset.atelier_communes, 2000
    )
    assert (cov.ateliers, cov.communes, cov.population) == (0, 0, 0)
    assert cov.part_rurale is None


def test_families_count_each_atelier_once_per_family(mini_dataset, extra_dataset):
    programme = mini_dataset.programme
    table = _by(analyse.ateliers_by_family(mini_dataset.ateliers, programme), "famille")
    assert table.loc["territoriales", "ateliers"] == 4  # 2019, 2021, 2022, sans année
    assert table.loc["sociales", "ateliers"] == 4  # 2021, 2025, 2026, sans année
    assert table.loc["environnementales", "ateliers"] == 2  # 2022, 2024
    assert table["ateliers"].sum() == 10 > len(mini_dataset.ateliers)  # families overlap
    # Two themes of the same family: one atelier, two mentions.
    extra = _by(analyse.ateliers_by_family(extra_dataset.ateliers, programme), "famille")
    assert extra.loc["environnementales", "ateliers"] == 2  # E-2020-2 and E-2022-2
    assert extra.loc["environnementales", "mentions"] == 3


def test_theme_mentions_count_multi_theme_ateliers_in_each_theme(mini_dataset):
    programme = mini_dataset.programme
    table = _by(analyse.ateliers_by_theme(mini_dataset.ateliers, programme), "theme")
    assert list(table.index) == programme.themes.keys()
    assert table.loc["friches", "ateliers"] == 2  # T-2021-1 and T-2022-1
    assert table.loc["revitalisation", "ateliers"] == 2  # T-2019-1 and T-X-1 (no year)
    assert table.loc["patrimoine", "ateliers"] == 0
    assert table["ateliers"].sum() == 10  # mentions, for 7 ateliers
    assert table.loc["friches", "part_ateliers"] == pytest.approx(2 / 7)
    assert table.loc["friches", "famille_libelle"] == "Transitions territoriales et urbaines"
    assert analyse.ateliers_without_theme(mini_dataset.ateliers) == 0


def test_echelles_count_each_atelier_once_and_say_when_unknown(mini_dataset, extra_dataset):
    programme = mini_dataset.programme
    table = _by(analyse.ateliers_by_echelle(mini_dataset.ateliers, programme), "libelle")
    assert table["ateliers"].to_dict() == {
        "bâtiment/îlot": 2,
        "communale": 4,
        "intercommunale": 1,
    }
    extra = _by(analyse.ateliers_by_echelle(extra_dataset.ateliers, programme), "libelle")
    assert extra.loc["non renseignée", "ateliers"] == 1  # Bastia


def test_regions_and_departements_count_ateliers_once_and_communes_once(mini_dataset):
    ref = mini_dataset.referentiel
    links = mini_dataset.atelier_communes
    regions = _by(analyse.ateliers_by_region(mini_dataset.ateliers, links, ref.regions), "region")
    # Hauts-de-France: three ateliers (2019, 2021, 2022) on three communes, Doullens once.
    assert regions.loc["32", "nom"] == "Hauts-de-France"
    assert regions.loc["32", "ateliers"] == 3
    assert regions.loc["32", "communes"] == 3
    assert regions.loc["32", "population"] == 6_000 + 22_000 + 200
    assert regions.index[0] == "32"  # most ateliers first
    assert len(regions) == 5
    deps = analyse.ateliers_by_departement(
        mini_dataset.ateliers, links, ref.departements, ref.regions
    ).set_index("departement")
    assert deps.loc["80", ["nom", "region_nom", "ateliers", "communes"]].tolist() == [
        "Somme",
        "Hauts-de-France",
        3,
        3,
    ]
    assert deps.loc["2A", "nom"] == "Corse-du-Sud"


def test_population_classes_put_an_intercommunal_atelier_in_each_class_it_touches(mini_dataset):
    bounds = mini_dataset.programme.analyses["classes_population"]
    assert analyse.population_class_labels(bounds) == [
        "moins de 2\u202f000 hab.",
        "2\u202f000 à 9\u202f999 hab.",
        "10\u202f000 à 49\u202f999 hab.",
        "50\u202f000 hab. et plus",
    ]
    assert [analyse.population_class(p, bounds) for p in (1_999, 2_000, 49_999, 50_000)] == [
        0,
        1,
        2,
        3,
    ]
    assert analyse.population_class(pd.NA, bounds) is None
    table = analyse.ateliers_by_population_class(
        mini_dataset.ateliers, mini_dataset.atelier_communes, bounds
    ).set_index("classe")
    # T-2022-1 (Doullens 6 000 + Outrebois 200) counts in classes 0 and 1.
    assert table.loc[0, ["communes", "ateliers"]].tolist() == [1, 1]
    # Doullens, Privas, Saverdun; ateliers 2019, 2022, 2026 and the one without a year.
    assert table.loc[1, ["communes", "ateliers"]].tolist() == [3, 4]
    assert table.loc[2, ["communes", "ateliers"]].tolist() == [1, 1]
    assert table.loc[3, ["communes", "ateliers"]].tolist() == [2, 2]
    assert table["communes"].sum() == 7
    assert -1 not in table.index  # every population known


def test_theme_year_counts_keep_empty_years_and_the_unknown_year(mini_dataset):
    table = analyse.theme_year_counts(mini_dataset.ateliers, mini_dataset.programme)
    years = list(dict.fromkeys(table["annee"]))
    assert years[:-1] == [2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026]
    assert pd.isna(years[-1])  # the ateliers without a known year, last
    counts = table.set_index(["theme", "annee"])["ateliers"]
    assert counts[("friches", 2021)] == 1
    assert counts[("friches", 2022)] == 1
    assert table[table["annee"].isin([2020, 2023])]["ateliers"].sum() == 0
    assert table[table["annee"].isna()].set_index("theme")["ateliers"]["revitalisation"] == 1
    assert table["ateliers"].sum() == 10  # every mention once


def test_cooccurrence_is_symmetric_and_its_diagonal_is_the_theme_count(mini_dataset):
    programme = mini_dataset.programme
    matrix = analyse.theme_cooccurrence(mini_dataset.ateliers, programme)
    assert (matrix.to_numpy() == matrix.to_numpy().T).all()
    themes = _by(analyse.ateliers_by_theme(mini_dataset.ateliers, programme), "theme")
    for key in programme.themes.keys():
        assert matrix.loc[key, key] == themes.loc[key, "ateliers"]
    assert matrix.loc["friches", "risques"] == 1  # T-2022-1
    assert matrix.loc["friches", "economie"] == 1  # T-2021-1
    assert matrix.loc["revitalisation", "logement"] == 1  # the atelier without a year
    pairs = analyse.theme_pairs(mini_dataset.ateliers, programme)
    assert len(pairs) == 3 and (pairs["ateliers"] == 1).all()


# -- Sélection annuelle ------------------------------------------------------------------------
def test_selection_by_year_counts_selected_statuts_with_empty_years(mini_dataset):
    table = analyse.selection_by_year(mini_dataset.ateliers, mini_dataset.programme)
    rows = table.set_index("annee")
    assert list(rows.index) == list(range(2019, 2027))
    assert rows["selectionnes"].tolist() == [1, 0, 1, 1, 0, 1, 1, 0]
    assert rows.loc[2024, "en_cours"] == 1
    assert rows.loc[2025, "selectionne"] == 1
    assert rows.loc[2026, "candidatures"] == 1  # a candidature is not selected
    assert rows["cumul"].tolist() == [1, 1, 2, 3, 3, 4, 5, 5]  # the réalisé without year: out
    assert (rows["objectif"] == 30).all()
    assert rows.loc[2019, "ecart_objectif"] == -29


def test_selection_leaves_abandons_and_eligibles_out(extra_dataset):
    rows = analyse.selection_by_year(extra_dataset.ateliers, extra_dataset.programme).set_index(
        "annee"
    )
    assert rows.loc[2020, ["selectionnes", "abandonnes"]].tolist() == [1, 1]
    assert rows.loc[2022, ["selectionnes", "candidatures"]].tolist() == [1, 1]
    assert rows.loc[2019, "selectionnes"] == 0  # the series starts at the launch year


def test_pipeline_lists_every_statut_in_order(mini_dataset, extra_dataset):
    programme = mini_dataset.programme
    table = analyse.statut_pipeline(mini_dataset.ateliers, programme, 2024)
    assert table["statut"].tolist() == [
        "candidature",
        "eligible",
        "selectionne",
        "en_cours",
        "realise",
        "abandonne",
        "non_retenu",
    ]
    assert table["ateliers"].tolist() == [0, 0, 0, 1, 0, 0, 0]
    unknown = analyse.statut_pipeline(mini_dataset.ateliers, programme, None)
    assert unknown.set_index("statut").loc["realise", "ateliers"] == 1
    empty_year = analyse.statut_pipeline(mini_dataset.ateliers, programme, 2023)
    assert empty_year["ateliers"].sum() == 0
    extra = analyse.statut_pipeline(extra_dataset.ateliers, programme, 2020).set_index("statut")
    assert extra.loc[["selectionne", "abandonne"], "ateliers"].tolist() == [1, 1]


def test_realised_cumulative_counts_a_commune_once_in_its_first_year(mini_dataset):
    table = analyse.realised_cumulative(
        mini_dataset.ateliers, mini_dataset.atelier_communes, 2019
    ).set_index("annee")
    assert table.loc[2019, ["realises", "communes_nouvelles"]].tolist() == [1, 1]  # Doullens
    assert table.loc[2021, ["realises", "communes_nouvelles"]].tolist() == [1, 1]  # Abbeville
    # 2022: Doullens + Outrebois, Doullens already covered in 2019.
    assert table.loc[2022, ["realises", "communes_nouvelles"]].tolist() == [1, 1]
    assert table.loc[2026, ["realises_cumul", "communes_cumul"]].tolist() == [3, 3]


def test_official_gap_counts_every_realised_and_says_the_gap(mini_dataset):
    gap = analyse.official_gap(
        mini_dataset.ateliers, mini_dataset.atelier_communes, mini_dataset.programme
    )
    # Each figure is found by its key, whatever the rows' order.
    by_key = gap.iloc[::-1].set_index("cle")
    realised, communes = by_key.loc["ateliers_realises"], by_key.loc["communes_accompagnees"]
    assert realised["registre"] == 4 and realised["sans_annee"] == 1
    assert realised["ecart"] == 4 - 114
    assert realised["ecart_texte"] == (
        "le registre compte 110 ateliers de moins que le chiffre officiel (114)"
    )
    assert realised["date"] == dt.date(2025, 11, 7)
    assert communes["registre"] == 4  # Doullens, Abbeville, Outrebois, Saverdun
    assert communes["officiel"] == "plus de 500"
    assert "il en manque au moins 497" in communes["ecart_texte"]


@pytest.mark.parametrize(
    ("register", "official", "qualifier", "expected"),
    [
        (114, 114, "", "le registre compte autant d'ateliers que le chiffre officiel (114)"),
        (120, 114, "", "le registre compte 6 ateliers de plus que le chiffre officiel (114)"),
        (113, 114, "", "le registre compte 1 atelier de moins que le chiffre officiel (114)"),
        (520, 500, "plus de", "le registre compte 520 ateliers, cohérent avec « plus de 500 »"),
        (
            500,
            500,
            "plus de",
            "le registre compte 500 ateliers : il en manque au moins 1 pour atteindre « plus de "
            "500 »",
        ),
    ],
)
def test_gap_text(register, official, qualifier, expected):
    assert analyse.gap_text(register, official, qualifier, "atelier") == expected


def test_gap_text_elides_before_a_vowel_only():
    assert analyse.gap_text(7, 7, "", "commune") == (
        "le registre compte autant de communes que le chiffre officiel (7)"
    )


def test_geographic_spread_marks_new_regions_and_departements(mini_dataset):
    table = analyse.geographic_spread(
        mini_dataset.ateliers,
        mini_dataset.atelier_communes,
        2019,
        referentiel=mini_dataset.referentiel,
    ).set_index("annee")
    assert table.loc[2019, ["regions", "nouvelles_regions", "communes"]].tolist() == [1, 1, 1]
    assert table.loc[2021, ["regions", "nouvelles_regions"]].tolist() == [1, 0]  # Somme again
    # The intercommunal 2022 atelier: two communes, one of them new.
    assert table.loc[2022, ["communes", "nouvelles_communes"]].tolist() == [2, 1]
    assert table.loc[2024, "liste_nouvelles_regions"] == "Corse"
    assert table.loc[2024, "liste_nouveaux_departements"] == "2A – Corse-du-Sud"
    assert table.loc[2020, ["ateliers", "regions"]].tolist() == [0, 0]  # no atelier
    assert table.loc[2026, "regions"] == 0  # a candidature is not selected
    assert table.loc[2026, ["regions_cumul", "departements_cumul"]].tolist() == [3, 3]


def test_durations_from_partial_dates_against_the_announced_span(mini_dataset, extra_dataset):
    durations = analyse.atelier_durations(mini_dataset.ateliers, 4, 8).set_index("id")
    # 2019-10 → 2020-03, both known to the month: middle to middle, 5 months.
    assert durations.loc["T-2019-1", "duree_mois"] == 5.0
    assert durations.loc["T-2021-1", "duree_mois"] == 6.0
    assert durations.loc["T-2019-1", "position"] == "dans la fourchette"
    assert pd.isna(durations.loc["T-2024-1", "duree_mois"])  # no end yet
    assert durations.loc["T-2024-1", "position"] == "dates manquantes"
    extra = analyse.atelier_durations(extra_dataset.ateliers, 4, 8).set_index("id")
    assert extra.loc["E-2020-2", "duree_mois"] == 3.0  # 1 September → 30 November, to the day
    assert extra.loc["E-2020-2", "position"] == "plus courte"
    assert extra.loc["E-2022-1", "duree_mois"] == 11.0
    assert extra.loc["E-2022-1", "position"] == "plus longue"
    summary = analyse.duration_summary(analyse.atelier_durations(mini_dataset.ateliers, 4, 8))
    total = summary.set_index("annee").loc["toutes"]
    assert total[["ateliers", "durees_connues", "dates_manquantes"]].tolist() == [7, 3, 4]
    assert total["duree_mediane"] == 6.0
    assert summary["annee"].tolist()[-2:] == [None, "toutes"]


def test_amounts_by_year_sum_only_known_amounts(mini_dataset):
    table = analyse.amounts_by_year(mini_dataset.ateliers, 2019).set_index("annee")
    assert table.loc[2021, ["montants_connus", "montant_total_eur"]].tolist() == [1, 21_500.0]
    assert table.loc[2020, "montant_total_eur"] == 0.0
    assert pd.isna(table.loc[2020, "montant_moyen_eur"])
    assert table.loc[2025, ["ateliers", "montants_connus"]].tolist() == [1, 0]
    assert table["montant_total_eur"].sum() == 80_500.0


def test_year_options_and_default_year(mini_dataset):
    years = analyse.year_options(mini_dataset.ateliers, 2019)
    assert years == list(range(2019, 2027))  # 2020 and 2023 offered though empty
    assert analyse.default_year(years, dt.date(2026, 11, 29)) == 2026
    assert analyse.default_year(years, dt.date(2031, 1, 1)) == 2026
    assert analyse.default_year([], dt.date(2026, 1, 1)) is None
    unknown_only = mini_dataset.ateliers[mini_dataset.ateliers["annee"].isna()]
    assert analyse.year_options(unknown_only, 2019) == []


def test_ateliers_of_a_year_are_readable(mini_dataset):
    table = analyse.ateliers_of_year(mini_dataset.ateliers, 2022, mini_dataset)
    row = table.iloc[0]
    assert row["statut_libelle"] == "réalisé"
    assert row["echelle_libelle"] == "intercommunale"
    assert row["communes_noms"] == "Doullens, Outrebois"
    assert row["themes_libelles"] == "Gestion des risques ; Aménagement des friches"
    assert row["equipe_libelle"] == "Ville Ouverte"
    assert (row["debut"], row["fin"], row["duree_mois"]) == ("2022-04", "2022-10", 6.0)
    candidature = analyse.ateliers_of_year(mini_dataset.ateliers, 2026, mini_dataset).iloc[0]
    assert candidature["equipe_libelle"] == ""  # no team yet, no error
    assert analyse.ateliers_of_year(mini_dataset.ateliers, 2023, mini_dataset).empty
    assert len(analyse.ateliers_in_year(mini_dataset.ateliers, 2022)) == 1


def test_year_row_gives_zeros_for_a_missing_year(mini_dataset):
    table = analyse.selection_by_year(mini_dataset.ateliers, mini_dataset.programme)
    assert analyse.year_row(table, 2024)["selectionnes"] == 1
    assert analyse.year_row(table, 2040)["selectionnes"] == 0


def test_every_aggregation_accepts_an_empty_selection(mini_dataset):
    ds = mini_dataset
    empty, links, programme, ref = (
        ds.ateliers.iloc[:0],
        ds.atelier_communes,
        ds.programme,
        ds.referentiel,
    )
    assert analyse.ateliers_by_family(empty, programme)["ateliers"].sum() == 0
    assert analyse.ateliers_by_theme(empty, programme)["ateliers"].sum() == 0
    assert analyse.ateliers_by_echelle(empty, programme)["ateliers"].sum() == 0
    assert analyse.ateliers_by_region(empty, links, ref.regions).empty
    assert analyse.ateliers_by_departement(empty, links, ref.departements, ref.regions).empty
    assert analyse.ateliers_by_population_class(empty, links, [2000])["communes"].sum() == 0
    assert analyse.theme_year_counts(empty, programme)["ateliers"].sum() == 0
    assert analyse.theme_cooccurrence(empty, programme).to_numpy().sum() == 0
    assert analyse.theme_pairs(empty, programme).empty
    assert analyse.selection_by_year(empty, programme)["selectionnes"].sum() == 0
    assert analyse.statut_pipeline(empty, programme, 2024)["ateliers"].sum() == 0
    assert analyse.realised_cumulative(empty, links, 2019)["realises"].sum() == 0
    assert analyse.official_gap(empty, links, programme)["registre"].tolist() == [0, 0]
    assert analyse.geographic_spread(empty, links, 2019)["regions"].sum() == 0
    assert analyse.atelier_durations(empty, 4, 8).empty
    assert analyse.duration_summary(analyse.atelier_durations(empty, 4, 8))["ateliers"].sum() == 0
    assert analyse.amounts_by_year(empty, 2019)["montant_total_eur"].sum() == 0
    assert analyse.year_options(empty, 2019) == []


# -- Must show: one year and one theme of the demo register, counted by hand -------------------
def _demo_rows() -> list[dict]:
    """The demo register read as plain text, without the application's code."""
    with DEMO_REGISTER.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def demo_dataset():
    from atelierflash.dataset import build_dataset, register_sources
    from atelierflash.programme import load_programme
    from atelierflash.referentiel import load_referentiel

    return build_dataset(register_sources()["demo"], load_referentiel(), load_programme())


@pytest.mark.referentiel
def test_demo_register_year_2022_and_theme_friches_checked_by_hand(demo_dataset):
    rows = _demo_rows()
    assert demo_dataset.rejected == 0 and len(demo_dataset.ateliers) == len(rows)
    # One year, by hand: the rows of 2022 and their statut as typed.
    of_2022 = [r for r in rows if r["annee"] == "2022"]
    by_statut = {}
    for r in of_2022:
        by_statut[r["statut"]] = by_statut.get(r["statut"], 0) + 1
    selected = sum(by_statut.get(s, 0) for s in ("sélectionné", "en cours", "réalisé"))
    table = analyse.selection_by_year(demo_dataset.ateliers, demo_dataset.programme)
    row = analyse.year_row(table, 2022)
    assert row["selectionnes"] == selected
    assert row["abandonnes"] == by_statut.get("abandonné", 0)
    pipeline = analyse.statut_pipeline(demo_dataset.ateliers, demo_dataset.programme, 2022)
    assert dict(zip(pipeline["libelle"], pipeline["ateliers"], strict=True)) == {
        label: by_statut.get(label, 0)
        for label in (
            "candidature",
            "éligible",
            "sélectionné",
            "en cours",
            "réalisé",
            "abandonné",
            "non retenue",
        )
    }
    # One theme, by hand: rows citing « Aménagement des friches », in all and in 2022.
    friches = [
        r for r in rows if "Aménagement des friches" in [t.strip() for t in r["themes"].split(";")]
    ]
    themes = _by(analyse.ateliers_by_theme(demo_dataset.ateliers, demo_dataset.programme), "theme")
    assert themes.loc["friches", "ateliers"] == len(friches)
    per_year = analyse.theme_year_counts(demo_dataset.ateliers, demo_dataset.programme)
    counts = per_year.set_index(["theme", "annee"])["ateliers"]
    assert counts[("friches", 2022)] == sum(r["annee"] == "2022" for r in friches)
    # And the figures are the demo's: 20 réalisés and 1 abandon in 2022, 68 friches.
    assert (selected, by_statut.get("abandonné", 0), len(friches)) == (20, 1, 68)
