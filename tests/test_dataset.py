"""The joined dataset and key figures on the hand-drawn référentiel."""

from atelierflash import analyse


def test_mini_dataset_keeps_valid_rows_and_joins_communes(mini_dataset):
    report = mini_dataset.report
    assert report.summary["error"] == 0, report.to_text()
    ateliers = mini_dataset.ateliers.set_index("id")
    assert len(ateliers) == 7
    # The EPCI expands to its two member communes in the fixture.
    assert ateliers.loc["T-2022-1", "communes"] == ("80253", "80620")
    assert ateliers.loc["T-2022-1", "nb_communes"] == 2
    assert ateliers.loc["T-2024-1", "departements"] == ("2A",)
    assert ateliers.loc["T-2025-1", "regions"] == ("04",)
    assert not ateliers.loc["T-2026-1", "public"]  # a candidature is never public
    assert set(mini_dataset.communes["code"]) == {
        "80253",
        "80001",
        "80620",
        "2A004",
        "97411",
        "07186",
        "09282",
    }
    assert mini_dataset.fictif


def test_key_figures_count_shared_communes_once(mini_dataset):
    kf = analyse.dataset_key_figures(mini_dataset)
    assert kf.ateliers == 7
    assert kf.realises == 4
    assert kf.communes == 7  # Doullens is in two ateliers, counted once
    assert kf.departements == 5
    assert kf.regions == 5
    assert kf.montant_total == 80_500
    assert kf.montant_connu == 4
    assert kf.annee_inconnue == 1


def test_official_comparison_states_the_gap(mini_dataset):
    table = analyse.official_comparison(mini_dataset).set_index("indicateur")
    row = table.loc["Ateliers réalisés"]
    assert row["registre"] == 4
    assert row["ecart"] == 4 - 114
    assert row["officiel"] == "114"
