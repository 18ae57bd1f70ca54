"""Issue 9 in the library: inert text, one writer, tolerant parsing, broken disks, no data lost.

Each test reproduces one reported defect (it failed on the code before the fix); the pages are
walked with hostile values in ``tests/app/test_hostile_app.py`` and in Chromium in
``tests/browser/test_hostile_browser.py``.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from atelierflash import ecriture, tables
from atelierflash.dataset import (
    RegisterSource,
    UnpublishableError,
    build_dataset,
    check_publishable,
)
from atelierflash.filters import FilterState, parse_year_range
from atelierflash.programme import ProgrammeError, load_programme
from atelierflash.texte import find_contacts, html_escape, markdown_escape, without_contacts
from atelierflash.validation import LONG_CELL, validate_file
from tests.conftest import (
    HOST,
    MINI_REGISTER,
    formula_cells,
    markdown_injections,
    unprivileged,
)

ROOT = Path(__file__).resolve().parents[1]


# -- Markdown and HTML -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        f"![t](http://{HOST}/q.png)",
        f"[Cliquez ici pour vous reconnecter](http://{HOST}/login)",
        "$x^2$ et $$\\int$$",
        ":red[rouge] :blue-background[bleu]",
        f"http://{HOST}/a_b www.{HOST}",
        "# titre\n\n> citation\n1. liste",
        "<img src=x onerror=alert(1)>",
    ],
)
def test_markdown_escape_leaves_nothing_to_render(text):
    escaped = markdown_escape(text)
    assert markdown_injections(escaped) == []
    # Shown as typed (line breaks folded into one space): only backslashes and invisible word
    # joiners were added.
    shown = escaped.replace("\\", "").replace("\u2060", "")
    assert shown == " ".join(text.replace("\\", "").split())


def test_markdown_escape_never_leaks_a_backslash_into_an_autolink():
    # The old escape left « : » and « . », so GFM still auto-linked the URL with its
    # backslashes (a trailing %5C); now no autolink can start.
    escaped = markdown_escape("https://example.org/fiche_atelier")
    assert "https://" not in escaped and "example.org" not in escaped


def test_html_escape_covers_elements_and_attributes():
    assert html_escape('<a href="x">\'') == "&lt;a href=&#34;x&#34;&gt;&#39;"
    assert html_escape(None) == ""


# -- The one writer ----------------------------------------------------------------------------
def _hostile_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "annee": pd.array([2024, None], dtype="Int64"),
            "code": ["01053", "2A004"],
            "titre": ['=HYPERLINK("http://evil.example")', "+cmd|' /C calc'!A0"],
            "note": ["@SUM(1)", "\tx"],
            "ecart": [-29, 3],
            "date": [dt.date(2024, 3, 1), None],
            "part": [0.25, 1.5],
        }
    )


def test_a_register_written_as_csv_reads_back_as_it_was(tmp_path):
    """Issue 20: the reader removes exactly the apostrophe the writer adds, no other."""
    from atelierflash.registre import read_register

    texts = [
        '=HYPERLINK("http://evil.example")',
        "+33 1 40 81 21 22",
        "-20 000",
        "@SUM(1)",
        "'=déjà neutralisé",
        "''=deux apostrophes",
        "'-5",
        "'entre apostrophes'",
        "l'an 2024",
        "'",
    ]
    frame = pd.DataFrame(
        {
            "id": [f"=A-{i}" for i in range(len(texts))],
            "titre": texts,
            "statut": "réalisé",
            "communes_insee": "80253",
        }
    )
    path = tmp_path / "registre.csv"
    path.write_bytes(ecriture.csv_bytes(frame))
    assert formula_cells("registre.csv", path.read_bytes()) == []
    rows = read_register(path).rows
    assert rows["titre"].tolist() == texts
    assert rows["id"].tolist() == frame["id"].tolist()
    for text in texts:
        assert ecriture.unneutralize(ecriture.neutralize(text)) == text


def test_csv_of_a_chart_table_neutralises_formulas_and_marks_fiction():
    table = tables.export_table(_hostile_table())
    data = ecriture.csv_bytes(table, fictif=True)
    assert data.startswith(b"\xef\xbb\xbf")
    assert formula_cells("t.csv", data) == []
    rows = ecriture.rows_of_csv(data)
    assert rows[0][0] == "Année" and rows[0][-1] == "Fictif"  # French headers, fiction marked
    assert rows[1] == [
        "2024",
        "01053",
        '\'=HYPERLINK("http://evil.example")',
        "'@SUM(1)",
        "-29",
        "2024-03-01",
        "0,25",
        "oui",
    ]
    assert rows[2][0] == "année inconnue"


def test_xlsx_has_typed_cells_and_no_formula():
    data = ecriture.xlsx_bytes(tables.export_table(_hostile_table()), fictif=True)
    assert formula_cells("t.xlsx", data) == []
    header, first, second = ecriture.rows_of_xlsx(data)
    assert header[-1] == "Fictif" and first[-1] == "oui"
    assert first[0] == 2024 and isinstance(first[0], int)  # a year is a number
    assert first[1] == "01053"  # an INSEE code keeps its zero: text
    assert first[2] == '=HYPERLINK("http://evil.example")'  # shown as typed, never evaluated
    assert first[4] == -29
    assert first[5] == dt.datetime(2024, 3, 1)  # a date cell
    assert second[0] == "année inconnue"
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    assert "fictives" in book.properties.title
    cell = book.active["C2"]
    assert cell.data_type == "s" and cell.quotePrefix


def test_file_names_say_fiction():
    assert ecriture.file_name("ateliers_2024", "csv", fictif=True) == "ateliers_2024_FICTIF.csv"
    assert ecriture.file_name("ateliers_2024", "xlsx") == "ateliers_2024.xlsx"


def test_write_bytes_is_whole_or_nothing_with_a_french_message(tmp_path):
    target = ecriture.write_bytes(tmp_path / "a.csv", b"x")
    assert target.read_bytes() == b"x"
    with pytest.raises(ecriture.WriteError, match="est un dossier"):
        ecriture.write_bytes(tmp_path, b"x")
    with pytest.raises(ecriture.WriteError, match="n'existe pas"):
        ecriture.write_bytes(tmp_path / "absent" / "a.csv", b"x")


def test_write_bytes_under_a_plain_file_names_it_and_says_what_to_do(tmp_path):
    plain = tmp_path / "sortie"
    plain.write_text("garder", encoding="utf-8")
    with pytest.raises(ecriture.WriteError, match="n'est pas un dossier") as caught:
        ecriture.write_bytes(plain / "a.csv", b"x")
    assert str(plain) in str(caught.value) and "choisissez" in str(caught.value)
    assert plain.read_text(encoding="utf-8") == "garder"
    with pytest.raises(TypeError, match="bytes"):
        ecriture.write_bytes(tmp_path / "a.txt", "du texte")


def test_fiction_is_marked_once_whatever_the_column_is_spelled():
    table = pd.DataFrame({"id": ["A"], "Fictif ?": ["oui"]})
    assert ecriture.rows_of_csv(ecriture.csv_bytes(table, fictif=True))[0] == ["id", "Fictif ?"]


def test_write_bytes_into_a_read_only_folder_fails_in_french(tmp_path):
    folder = tmp_path / "lecture_seule"
    folder.mkdir()
    folder.chmod(0o555)
    code = (
        "from atelierflash import ecriture\n"
        "try:\n"
        f"    ecriture.write_bytes({str(folder / 'a.csv')!r}, b'x')\n"
        "except ecriture.WriteError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run(
        unprivileged([sys.executable, "-c", code]),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Impossible d'écrire dans le dossier" in result.stdout
    assert list(folder.iterdir()) == []


# -- The address -------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["²-", "99999999999999999999-", "2024", "2023-2020", "-²", "x-y"])
def test_a_bad_year_range_is_refused_not_crashed(text):
    with pytest.raises(ValueError):
        parse_year_range(text)
    assert FilterState.from_query_params({"annees": text}).year_min is None


def test_a_good_year_range_is_read():
    assert parse_year_range("2020-2023") == (2020, 2023)
    assert FilterState.from_query_params({"annees": "2021-"}).year_min == 2021


# -- Registers ---------------------------------------------------------------------------------
def test_one_long_csv_cell_is_read_and_reported(tmp_path, mini_referentiel):
    long = "x" * 200_000  # over Python's default csv field limit (131 072)
    text = MINI_REGISTER.replace("Essai", long, 1)
    path = tmp_path / "long.csv"
    path.write_text(text, encoding="utf-8")
    report = validate_file(path, mini_referentiel, load_programme(), today=dt.date(2026, 11, 29))
    assert report.usable, report.to_text()
    row = next(r for r in report.rows if r.id == "T-2019-1")
    (issue,) = [i for i in row.issues if "caractères" in i.text]
    assert issue.level == "warning" and issue.column == "description"
    assert "200\u202f000 caractères" in issue.text
    assert row.line == 2
    assert len(report.ateliers.loc[0, "description"]) == 200_000  # nothing cut
    assert LONG_CELL == 32_767


def test_personal_data_in_public_fields_is_warned(tmp_path, mini_referentiel):
    text = MINI_REGISTER.replace(
        "DDT(M) 80 – Somme,Feuille", "marie.dupont@somme.gouv.fr 03 22 97 21 00,Feuille", 1
    )
    path = tmp_path / "contacts.csv"
    path.write_text(text, encoding="utf-8")
    report = validate_file(path, mini_referentiel, load_programme(), today=dt.date(2026, 11, 29))
    row = next(r for r in report.rows if r.id == "T-2019-1")
    (issue,) = [i for i in row.issues if i.column == "pilote"]
    assert issue.level == "warning" and "2 adresse(s)" in issue.text


def test_contacts_are_found_and_removed():
    text = "DDT 80 – marie.dupont@somme.gouv.fr, +33 3 22 97 21 00 ou 0322972100"
    assert len(find_contacts(text)) == 3
    assert find_contacts("1 200 habitants, 2019-2021, 20 000 €") == []
    assert without_contacts(text) == (
        "DDT 80 – [coordonnées retirées], [coordonnées retirées] ou [coordonnées retirées]"
    )


# -- Publishing --------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["deleted", "folder", "empty"])
def test_an_unusable_dataset_is_never_published(tmp_path, mini_referentiel, kind):
    path = tmp_path / "registre.csv"
    if kind == "folder":
        path.mkdir()
    elif kind == "empty":
        path.write_text(MINI_REGISTER.splitlines()[0] + "\n", encoding="utf-8")
    source = RegisterSource("env", "Registre « registre.csv »", path, fictif=False)
    dataset = build_dataset(source, mini_referentiel, load_programme())
    with pytest.raises(
        UnpublishableError, match=re.escape("Rien n'est publié : le registre registre.csv")
    ):
        check_publishable(dataset)
    if kind != "empty":
        assert dataset.unreadable


def test_a_usable_dataset_may_be_published(mini_dataset):
    check_publishable(mini_dataset)
    assert mini_dataset.unreadable is None


# -- Which statuts are published: a setting of programme.toml ----------------------------------
def test_published_statuts_are_a_setting_of_the_programme(tmp_path, mini_referentiel):
    raw = (ROOT / "data" / "programme.toml").read_text(encoding="utf-8")
    assert tomllib.loads(raw)["statuts"]["publies"] == ["selectionne", "en_cours", "realise"]
    programme = load_programme()
    assert programme.published_statuts == ("selectionne", "en_cours", "realise")
    assert programme.selected_statuts == ("selectionne", "en_cours", "realise")
    # Published only from « en cours » on: a selected atelier stays out of public outputs.
    stricter = tmp_path / "programme.toml"
    stricter.write_text(
        raw.replace(
            'publies = ["selectionne", "en_cours", "realise"]', 'publies = ["en_cours", "realise"]'
        ),
        encoding="utf-8",
    )
    register = tmp_path / "r.csv"
    register.write_text(MINI_REGISTER, encoding="utf-8")
    report = validate_file(
        register, mini_referentiel, load_programme(stricter), today=dt.date(2026, 11, 29)
    )
    public = dict(zip(report.ateliers["id"], report.ateliers["public"], strict=True))
    assert public["T-2025-1"] is False  # sélectionné
    assert public["T-2024-1"] is True  # en cours


def test_an_unknown_statut_in_the_setting_is_refused(tmp_path):
    raw = (ROOT / "data" / "programme.toml").read_text(encoding="utf-8")
    bad = tmp_path / "programme.toml"
    bad.write_text(raw.replace('publies = ["selectionne"', 'publies = ["publie"'), "utf-8")
    with pytest.raises(ProgrammeError, match="statut\\(s\\) inconnu\\(s\\) : publie"):
        load_programme(bad)


# -- Streamlit's error details -----------------------------------------------------------------
def test_visitors_never_see_error_details():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


def test_public_outputs_leave_personal_data_out(tmp_path, mini_referentiel):
    from atelierflash import carte

    email, phone = "marie.dupont@somme.gouv.fr", "03 22 97 21 00"
    text = MINI_REGISTER.replace("DDT(M) 80 – Somme,Feuille", f"{email} {phone},Feuille", 1)
    text = text.replace(",Essai,", f",Contact : {email},", 1)
    path = tmp_path / "contacts.csv"
    path.write_text(text, encoding="utf-8")
    source = RegisterSource("test", "Registre de test (fictif)", path, fictif=True)
    dataset = build_dataset(source, mini_referentiel, load_programme())
    assert email in dataset.ateliers["pilote"].tolist()[0]  # internal pages keep the register
    public = carte.public_ateliers(dataset.ateliers)
    outputs = [carte.to_csv(dataset, dataset.ateliers), carte.to_geojson(dataset, dataset.ateliers)]
    out = tmp_path / "carte"
    carte.export_public_map(
        dataset, carte.prepare_basemap(mini_referentiel), carte.prepare_communes(dataset), out
    )
    outputs.extend(p.read_bytes() for p in out.rglob("*") if p.is_file())
    fiche = carte.fiche_html(dataset, public, "Doullens", 0)
    outputs.append(fiche.encode("utf-8"))
    for data in outputs:
        assert email.encode() not in data and phone.encode() not in data
    assert "[coordonnées retirées]".encode() in outputs[0]
