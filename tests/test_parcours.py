"""The course's steps (issue 18): declared once, read as date columns, checked against each other."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from atelierflash import registre
from atelierflash.programme import ProgrammeError, load_programme
from atelierflash.registre import PartialDate, column_for_header, parse_date
from atelierflash.resolution import CommuneResolver
from atelierflash.validation import validate_file

TODAY = dt.date(2026, 11, 29)
PROGRAMME = load_programme()
STEPS = PROGRAMME.etapes


# -- Declared once -------------------------------------------------------------------------------
def test_the_steps_in_order_with_their_columns():
    assert [s.key for s in STEPS] == [
        "interet",
        "contact_dgaln",
        "fiche_transmise",
        "courrier_elu",
        "courrier_prefet",
        "depot",
        "eligibilite",
        "selection",
        "bon_commande",
        "debut",
        "animation",
        "livrables",
        "restitution",
        "fin",
        # The points d'étape, generated from [suivi] points_etape_mois.
        "point_6",
        "point_12",
        "point_24",
    ]
    assert {s.phase for s in STEPS[:8]} == {"candidature"}
    assert {s.phase for s in STEPS[8:14]} == {"atelier"}
    assert {s.phase for s in STEPS[14:]} == {"suites"}
    columns = {s.key: s.column for s in STEPS}
    assert columns["bon_commande"] == "date_bon_commande"
    assert columns["animation"] == "dates_animation"
    assert columns["depot"] == "date_depot"
    assert PROGRAMME.step("bon_commande").field == "dates_bon_commande"
    assert PROGRAMME.step("depot").field == "date_depot"
    assert (PROGRAMME.animation_days_max, PROGRAMME.duration_months_max) == (3, 8)


def test_every_step_is_one_column_of_the_register():
    """The register's one column declaration holds the steps, in their order."""
    names = [c.name for c in registre.COLUMNS]
    assert [n for n in names if n in {s.column for s in STEPS}] == [s.column for s in STEPS]
    for step in STEPS:
        column = registre.COLUMNS_BY_NAME[step.column]
        assert column.label_fr == step.headers[0]
        assert column.description_fr


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.key)
def test_step_headers_valid_and_invalid_examples(step):
    for header in step.headers:
        assert column_for_header(header) == step.column, header
        assert column_for_header(header.upper()) == step.column, header
        if not header.lower().startswith("date"):
            # With or without « Date de/du… ».
            for prefix in ("Date de ", "Date du ", "date d'", "Dates des "):
                assert column_for_header(prefix + header) == step.column, prefix + header
    assert step.invalid_examples, f"{step.key} declares no invalid example"
    for example in step.invalid_examples:
        assert column_for_header(example) != step.column, example


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Date BC", "date_bon_commande"),
        ("Réception du dossier", "date_depot"),
        ("Date de réception du dossier", "date_depot"),
        ("Avis d'éligibilité", "date_eligibilite"),
        ("Date du courrier du maire", "date_courrier_elu"),
        ("Lettre du sous-préfet", None),
        ("Courrier du sous-préfet", "date_courrier_prefet"),
        ("Date de restitution", "date_restitution"),
        ("Date des livrables", "date_livrables"),
        # The existing columns keep their meaning.
        ("Livrables", "livrables"),
        ("Année de sélection", "annee"),
        ("Date de début", "date_debut"),
        ("Fin", "date_fin"),
        # « Date de » alone makes no other column a step.
        ("Date de titre", None),
    ],
)
def test_office_headers(header, column):
    assert column_for_header(header) == column


def test_a_step_with_an_unknown_phase_is_refused(tmp_path):
    text = PROGRAMME.path.read_text(encoding="utf-8").replace(
        'phase = "atelier"\ncolonne = "date_livrables"',
        'phase = "chantier"\ncolonne = "date_livrables"',
    )
    bad = tmp_path / "programme.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ProgrammeError, match="phase inconnue « chantier »"):
        load_programme(bad)


# -- Statuts ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("non retenue", "non_retenu"),
        ("Refusée", "non_retenu"),
        ("non éligible", "non_retenu"),
        ("Classé sans suite", "abandonne"),
        ("éligible", "eligible"),
    ],
)
def test_statut_non_retenu_and_classe_sans_suite(text, key):
    assert PROGRAMME.statuts.parse(text) == key


def test_non_retenu_is_never_published():
    assert "non_retenu" in PROGRAMME.never_published_statuts
    assert "non_retenu" not in PROGRAMME.selected_statuts


# -- Dates --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/03/2026", PartialDate(2026, 3, 12)),
        ("2026-03-12", PartialDate(2026, 3, 12)),
        ("03/2026", PartialDate(2026, 3)),
        ("mars 2026", PartialDate(2026, 3)),
        ("Mars 2026", PartialDate(2026, 3)),
        ("2026-03-12 14:03:22 +0100", PartialDate(2026, 3, 12)),
        ("2026-03-12 14:03:22 -0500", PartialDate(2026, 3, 12)),
        ("2026-03-12T14:03:22+01:00", PartialDate(2026, 3, 12)),
    ],
)
def test_step_date_formats(text, expected):
    assert parse_date(text) == expected


# -- Validation of the course ---------------------------------------------------------------------
HEADER = (
    "id,titre,annee,statut,communes_insee,themes,Date de dépôt,Avis d'éligibilité,"
    "Date du courrier du maire,Courrier du préfet,Date BC,Date de début,Dates d'animation,"
    "Date de restitution,Date de fin"
)


@pytest.fixture(scope="module")
def resolver(mini_referentiel):
    return CommuneResolver(mini_referentiel)


@pytest.fixture
def validate(tmp_path, mini_referentiel, resolver):
    def run(*rows: str):
        path = tmp_path / "registre.csv"
        path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
        return validate_file(path, mini_referentiel, PROGRAMME, resolver=resolver, today=TODAY)

    return run


def messages(report, line=2):
    row = next(r for r in report.rows if r.line == line)
    return [(i.level, i.column, i.text) for i in row.issues]


def course(report, line=2):
    """The row's messages about steps (not the usual ones about themes, years…)."""
    steps = {s.column for s in STEPS}
    return [m for m in messages(report, line) if m[1] in steps]


def test_a_clean_course_has_no_message_and_gives_the_parsed_steps(validate):
    report = validate(
        "A1,T,2024,réalisé,80253,friches,2024-01-10,02/2024,2024-01-05,2024-01-03,"
        "2024-03-01,mars 2024,2024-05-14;2024-05-15,2024-09-30,2024-10"
    )
    assert course(report) == []
    atelier = report.ateliers.iloc[0]
    assert atelier["date_depot"] == PartialDate(2024, 1, 10)
    assert atelier["date_eligibilite"] == PartialDate(2024, 2)
    assert atelier["date_courrier_elu"] == PartialDate(2024, 1, 5)
    assert atelier["date_restitution"] == PartialDate(2024, 9, 30)
    assert atelier["dates_bon_commande"] == (PartialDate(2024, 3, 1),)
    assert atelier["dates_animation"] == (PartialDate(2024, 5, 14), PartialDate(2024, 5, 15))
    assert atelier["date_fin"] == PartialDate(2024, 10)
    assert atelier["date_selection"] is None and atelier["date_interet"] is None


def test_a_step_before_an_earlier_step_is_a_warning_on_the_later_one(validate):
    report = validate(
        "A1,T,2024,en cours,80253,friches,2024-02-10,2024-01-20,,,,,,,",
    )
    assert report.rows[0].status == "warning"
    [(level, column, text)] = course(report)
    assert (level, column) == ("warning", "date_eligibilite")
    assert "« décision d'éligibilité » (20/01/2024) précède l'étape « dépôt du dossier »" in text
    assert len(report.ateliers) == 1  # the row is kept


def test_the_order_is_compared_at_the_precision_of_the_two_dates(validate):
    # 02/2024 is not before 10/02/2024; 01/2024 is.
    same_month = validate("A1,T,2024,en cours,80253,friches,2024-02-10,02/2024,,,,,,,")
    assert course(same_month) == []
    earlier_month = validate("A1,T,2024,en cours,80253,friches,2024-02-10,01/2024,,,,,,,")
    assert [m[1] for m in course(earlier_month)] == ["date_eligibilite"]


def test_the_two_letters_in_either_order_but_both_before_the_depot(validate):
    either = validate(
        "A1,T,2024,candidature,80253,friches,2024-02-10,,2024-02-01,2024-01-15,,,,,",
        "A2,T,2024,candidature,80253,friches,2024-02-10,,2024-01-15,2024-02-01,,,,,",
    )
    assert course(either, 2) == [] and course(either, 3) == []
    late_letter = validate(
        "A1,T,2024,candidature,80253,friches,2024-02-10,,2024-01-15,2024-03-01,,,,,"
    )
    [(level, column, text)] = course(late_letter)
    assert (level, column) == ("warning", "date_depot")
    assert "précède l'étape « courrier de soutien du préfet » (01/03/2024)" in text


def test_one_wrong_date_gives_one_warning_not_one_per_step(validate):
    report = validate(
        "A1,T,2024,en cours,80253,friches,2024-01-10,2024-02,,,2024-03-01,2034-03-15,,,"
    )
    # Only the step after the wrong one (none here) or the wrong one itself is named.
    assert [m[1] for m in course(report)] == []
    report = validate(
        "A1,T,2024,en cours,80253,friches,2024-01-10,2024-02,,,2024-03-01,2023-03-15,2024-05-14,,"
    )
    assert [m[1] for m in course(report)] == ["date_debut"]


def test_fin_before_debut_stays_one_error(validate):
    report = validate("A1,T,2024,en cours,80253,friches,,,,,,2024-05-01,,,2024-03-01")
    assert [(m[0], m[1]) for m in course(report)] == [("error", "date_fin")]


def test_more_than_three_days_on_site(validate):
    report = validate(
        "A1,T,2024,en cours,80253,friches,,,,,,2024-05-01,"
        '"2024-05-14;2024-05-15;2024-05-16;2024-05-17",,'
    )
    [(level, column, text)] = course(report)
    assert (level, column) == ("warning", "dates_animation")
    assert "4 jours d'animation sur site" in text and "3 jours au plus" in text
    three = validate(
        'A1,T,2024,en cours,80253,friches,,,,,,2024-05-01,"2024-05-14;2024-05-15;2024-05-16",,'
    )
    assert course(three) == []


@pytest.mark.parametrize(
    ("bon", "debut", "restitution", "fin", "column"),
    [
        ("2024-01-15", "", "2024-09-16", "", "date_restitution"),  # 8 months and a day
        ("", "2024-01-15", "", "2024-10", "date_fin"),  # else début → fin
        ("2024-01-15", "2023-12-01", "2024-09-10", "2024-12-01", None),  # bon → restitution
        ("2024-01-15", "", "2024-09-15", "", None),  # exactly 8 months
        ("01/2024", "", "", "09/2024", None),  # at month precision: maybe 8 months
        ("01/2024", "", "", "10/2024", "date_fin"),
    ],
)
def test_more_than_eight_months(validate, bon, debut, restitution, fin, column):
    report = validate(f"A1,T,2024,en cours,80253,friches,,,,,{bon},{debut},,{restitution},{fin}")
    found = [m for m in course(report) if "mois" in m[2]]
    if column is None:
        assert found == [], found
    else:
        [(level, where, text)] = found
        assert (level, where) == ("warning", column)
        assert "plus de 8 mois" in text


def test_realised_needs_a_restitution_or_an_end(validate):
    report = validate(
        "A1,T,2024,réalisé,80253,friches,,,,,2024-01-15,,,,",
        "A2,T,2024,réalisé,80253,friches,,,,,2024-01-15,,,2024-06-01,",
        "A3,T,2024,en cours,80253,friches,,,,,2024-01-15,,,,",
    )
    [(level, column, text)] = course(report, 2)
    assert (level, column) == ("warning", "date_fin")
    assert "sans date de restitution ni date de fin" in text
    assert course(report, 3) == [] and course(report, 4) == []


def test_a_register_without_end_columns_is_not_warned_on_every_realised_row(
    tmp_path, mini_referentiel, resolver
):
    path = tmp_path / "registre.csv"
    path.write_text("id,titre,statut,communes_insee,Date BC\nA1,T,réalisé,80253,2024-01-15\n")
    report = validate_file(path, mini_referentiel, PROGRAMME, resolver=resolver, today=TODAY)
    assert course(report) == []


def test_a_future_step_under_realise(validate):
    report = validate(
        "A1,T,2026,réalisé,80253,friches,,,,,2026-06-15,,,2026-12-10,",
        "A2,T,2026,en cours,80253,friches,,,,,2026-06-15,,,2026-12-10,",
    )
    [(level, column, text)] = course(report, 2)
    assert (level, column) == ("warning", "date_restitution")
    assert "10/12/2026, après aujourd'hui" in text
    assert course(report, 3) == []


def test_an_unreadable_step_date_stays_an_error(validate):
    report = validate("A1,T,2024,candidature,80253,friches,le 3 du mois,,,,,,,,")
    [(level, column, text)] = course(report)
    assert (level, column) == ("error", "date_depot")
    assert "date invalide : « le 3 du mois »" in text
    assert report.rows[0].status == "error"
    # The message names the column as the file spells it.
    assert "colonne « Date de dépôt » (date_depot)" in report.to_text()


def test_hostile_step_cells_stay_text(validate):
    report = validate('A1,T,2024,candidature,80253,friches,"=HYPERLINK(""x"")",<b>1</b>,,,,,,,')
    errors = course(report)
    assert [m[1] for m in errors] == ["date_depot", "date_eligibilite"]
    assert '« =HYPERLINK("x") »' in errors[0][2] and "« <b>1</b> »" in errors[1][2]


def test_json_rows_carry_the_statut_key(validate):
    report = validate(
        "A1,T,2024,Refusée,80253,friches,,,,,,,,,",
        "A2,T,2024,fini?,80253,friches,,,,,,,,,",
    )
    rows = json.loads(report.to_json_text())["rows"]
    assert [(r["id"], r["statut"]) for r in rows] == [("A1", "non_retenu"), ("A2", None)]
    assert report.ateliers.iloc[0]["public"] is False or not report.ateliers.iloc[0]["public"]


def test_a_step_column_in_xlsx_typed_dates(tmp_path, mini_referentiel, resolver):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        ["id", "titre", "annee", "statut", "communes_insee", "Réception du dossier", "Sélection"]
    )
    sheet.append(
        [
            "A1",
            "T",
            2024,
            "sélectionné",
            "80253",
            dt.datetime(2024, 1, 10, 9, 30),
            dt.date(2024, 3, 1),
        ]
    )
    sheet["G2"].number_format = "mmmm yyyy"
    path = tmp_path / "registre.xlsx"
    book.save(path)
    report = validate_file(path, mini_referentiel, PROGRAMME, resolver=resolver, today=TODAY)
    atelier = report.ateliers.iloc[0]
    assert atelier["date_depot"] == PartialDate(2024, 1, 10)
    assert atelier["date_selection"] == PartialDate(2024, 3)


def test_the_dataset_and_its_public_view_carry_every_step(tmp_path, mini_referentiel):
    from atelierflash import acces
    from atelierflash.dataset import RegisterSource, build_dataset

    path = tmp_path / "registre.csv"
    path.write_text(
        "id,titre,annee,statut,communes_insee,themes,Date de dépôt,Date de restitution,Début\n"
        "A1,T,2024,réalisé,80253,friches,2023-11-02,2024-09-30,2024-03\n",
        encoding="utf-8",
    )
    source = RegisterSource("test", "Registre de test", path, fictif=True)
    dataset = build_dataset(source, mini_referentiel, PROGRAMME)
    for step in STEPS:
        assert step.field in dataset.ateliers.columns, step.field
    [atelier] = dataset.ateliers.to_dict("records")
    assert atelier["date_depot"] == PartialDate(2023, 11, 2)
    assert atelier["date_restitution"] == PartialDate(2024, 9, 30)
    view = acces.public_view(dataset)
    assert len(view.ateliers) == 1
    for step in STEPS:
        assert step.field in view.ateliers.columns, step.field
    # Candidature, deliverables and restitution dates are internal: kept for the pages, empty.
    assert view.ateliers["date_depot"].isna().all()
    assert view.ateliers["date_restitution"].isna().all()
    assert view.ateliers.iloc[0]["date_debut"] == PartialDate(2024, 3)
