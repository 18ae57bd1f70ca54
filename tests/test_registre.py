"""Reading register files (CSV/XLSX) and parsing cell values."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from atelierflash.registre import (
    COLUMNS,
    COLUMNS_BY_NAME,
    LOCATION_COLUMNS,
    REQUIRED_COLUMNS,
    PartialDate,
    RegisterFileError,
    column_for_header,
    normalize_key,
    parse_amount,
    parse_bool_fr,
    parse_date,
    parse_dates,
    parse_year,
    read_register,
    split_values,
)

REAL_REGISTER = Path(__file__).resolve().parent.parent / "data" / "ateliers.csv"


def write(tmp_path: Path, text: str, name: str = "ateliers.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    # newline="" keeps the line endings written in the fixture (CRLF tests).
    with path.open("w", encoding=encoding, newline="") as handle:
        handle.write(text)
    return path


def cells(table, column: str) -> list[str]:
    return table.rows[column].tolist()


# ---------------------------------------------------------------------------------------------
# Column registry
# ---------------------------------------------------------------------------------------------
def test_registry_declares_the_canonical_columns_once():
    names = [c.name for c in COLUMNS]
    assert len(names) == len(set(names))
    assert names == [
        "id",
        "titre",
        "annee",
        "statut",
        "echelle",
        "communes_insee",
        "communes",
        "departement",
        "epci_siren",
        "themes",
        "equipe",
        "accord_cadre",
        "motif_derogation",
        # The course's steps (data/programme.toml, [[etapes]]), in order.
        "date_interet",
        "date_contact_dgaln",
        "date_fiche_transmise",
        "date_courrier_elu",
        "date_courrier_prefet",
        "date_depot",
        "date_eligibilite",
        "date_selection",
        "date_bon_commande",
        "date_debut",
        "dates_animation",
        "date_livrables",
        "date_restitution",
        "date_fin",
        "date_point_etape_6",
        "date_point_etape_12",
        "date_point_etape_24",
        "montant_eur",
        "pilote",
        "livrables",
        "description",
        "source_url",
        "public",
        "notes_internes",
        "fictif",
    ]
    assert REQUIRED_COLUMNS == ("id", "titre", "statut")
    assert LOCATION_COLUMNS == ("communes_insee", "communes", "epci_siren")
    for column in COLUMNS:
        assert column.label_fr and column.description_fr, column.name
        assert COLUMNS_BY_NAME[column.name] is column


@pytest.mark.parametrize("column", COLUMNS, ids=lambda c: c.name)
def test_every_spelling_of_every_column_matches(column):
    for spelling in column.spellings():
        variants = (
            spelling,
            spelling.upper(),
            f"  {spelling}  ",
            spelling.replace(" ", "_"),
            normalize_key(spelling),
        )
        for variant in variants:
            assert column_for_header(variant) == column.name, variant


@pytest.mark.parametrize("column", COLUMNS, ids=lambda c: c.name)
def test_every_alias_is_recognised_in_a_file(tmp_path, column):
    base = [c for c in ("id", "titre", "statut", "communes_insee") if c != column.name]
    for alias in column.aliases:
        path = write(
            tmp_path, ",".join([*base, alias]) + "\n" + ",".join(["v"] * (len(base) + 1)) + "\n"
        )
        table = read_register(path)
        assert table.header_map[alias] == column.name
        assert column.name in table.columns
        assert cells(table, column.name) == ["v"]
        assert table.unknown_columns == ()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Année de sélection", "annee"),
        ("ANNEE", "annee"),
        ("année_de_selection", "annee"),
        ("Code(s) INSEE", "communes_insee"),
        ("N°", "id"),
        ("Nº", "id"),
        ("Montant (€)", "montant_eur"),
        ("Accord cadre", "accord_cadre"),
        ("Date du bon de commande", "date_bon_commande"),
        ("Thématique(s)", "themes"),
        ("Remarques", None),
        ("", None),
        (None, None),
    ],
)
def test_header_examples(header, expected):
    assert column_for_header(header) == expected


def test_normalize_key_is_the_header_key():
    assert normalize_key("Année de sélection") == "annee de selection"
    assert normalize_key("Code(s) INSEE") == "code s insee"
    assert normalize_key("  Ville en Œuvre ") == "ville en oeuvre"
    assert normalize_key(None) == ""


# ---------------------------------------------------------------------------------------------
# CSV: encodings, separators, lines
# ---------------------------------------------------------------------------------------------
def test_utf8_comma(tmp_path):
    path = write(tmp_path, "id,titre,statut,communes\nA1,Titre é,réalisé,Doullens\n")
    table = read_register(path)
    assert (table.format, table.encoding, table.separator, table.sheet) == (
        "csv",
        "utf-8",
        ",",
        None,
    )
    assert table.columns == ("id", "titre", "statut", "communes")
    assert cells(table, "titre") == ["Titre é"]
    assert table.rows["line"].tolist() == [2]
    assert str(table.rows["line"].dtype) == "int64"
    assert len(table) == 1


def test_utf8_bom_semicolon(tmp_path):
    text = "Identifiant;Titre;Statut;Code(s) INSEE\nA1;Doullens, friche Sueur;réalisé;80253\n"
    path = write(tmp_path, text, encoding="utf-8-sig")
    table = read_register(path)
    assert (table.encoding, table.separator) == ("utf-8-sig", ";")
    # The BOM is not part of the first header.
    assert table.header_map["Identifiant"] == "id"
    assert cells(table, "titre") == ["Doullens, friche Sueur"]
    assert cells(table, "communes_insee") == ["80253"]


def test_cp1252_accents_in_headers_and_cells(tmp_path):
    text = (
        "N°;Intitulé;État;Année;Département;Thématiques;Commune(s)\r\n"
        "AF-1;Vallée du Grand Morin;réalisé;2019;77;Aménagement des friches;La Ferté-Gaucher\r\n"
    )
    path = write(tmp_path, text, encoding="cp1252")
    table = read_register(path)
    assert table.encoding == "cp1252"
    assert table.separator == ";"
    assert table.header_map == {
        "N°": "id",
        "Intitulé": "titre",
        "État": "statut",
        "Année": "annee",
        "Département": "departement",
        "Thématiques": "themes",
        "Commune(s)": "communes",
    }
    row = table.rows.iloc[0]
    assert row["titre"] == "Vallée du Grand Morin"
    assert row["communes"] == "La Ferté-Gaucher"
    assert row["themes"] == "Aménagement des friches"


def test_tab_separator(tmp_path):
    path = write(tmp_path, "id\ttitre\tstatut\tcommunes\nA1\tUn, deux; trois\tréalisé\tBlois\n")
    table = read_register(path)
    assert table.separator == "\t"
    assert cells(table, "titre") == ["Un, deux; trois"]


def test_utf16_tab_export(tmp_path):
    path = write(
        tmp_path, "id\ttitre\tstatut\tcommunes\nA1\tÎlot\tréalisé\tMende\n", encoding="utf-16"
    )
    table = read_register(path)
    assert (table.encoding, table.separator) == ("utf-16", "\t")
    assert cells(table, "titre") == ["Îlot"]


def test_separator_by_header_even_when_cells_hold_other_separators(tmp_path):
    text = (
        'id;titre;statut;communes;description\nA1;T;réalisé;Blois;"a, b, c, d, e, f"\n'
        'A2;T;réalisé;Mende;"g, h, i, j"\n'
    )
    table = read_register(write(tmp_path, text))
    assert table.separator == ";"
    assert cells(table, "description") == ["a, b, c, d, e, f", "g, h, i, j"]


def test_separator_fallback_with_unknown_headers_only(tmp_path):
    # No recognised header: the separator is still found, then the missing columns are reported.
    with pytest.raises(RegisterFileError) as info:
        read_register(write(tmp_path, "alpha;beta;gamma\n1;2;3\n"))
    assert "« alpha », « beta », « gamma »" in str(info.value)


def test_quoted_multiline_cells_keep_line_numbers(tmp_path):
    text = (
        "id,titre,statut,communes,description\n"
        'A1,"Titre\nsur deux lignes",réalisé,Doullens,"un\n\ndeux\ntrois"\n'
        "A2,Titre,réalisé,Blois,\n"
        '"A3",T,réalisé,"Mende",""\n'
    )
    table = read_register(write(tmp_path, text))
    assert cells(table, "id") == ["A1", "A2", "A3"]
    # Line 2 opens A1; its cells end on line 6, so A2 starts on line 7.
    assert table.rows["line"].tolist() == [2, 7, 8]
    assert cells(table, "titre")[0] == "Titre\nsur deux lignes"
    assert cells(table, "description") == ["un\n\ndeux\ntrois", "", ""]


def test_crlf_and_multiline_cells(tmp_path):
    text = 'id;titre;statut;communes\r\nA1;"deux\r\nlignes";réalisé;Blois\r\nA2;T;réalisé;Mende\r\n'
    table = read_register(write(tmp_path, text))
    assert table.rows["line"].tolist() == [2, 4]
    assert cells(table, "titre")[0] == "deux\nlignes"


def test_empty_rows_skipped_numbering_kept(tmp_path):
    text = "\nid,titre,statut,communes\nA1,T,réalisé,Blois\n\n,,,\n , ,  ,\nA2,T,réalisé,Mende\n\n"
    table = read_register(write(tmp_path, text))
    assert table.header_line == 2
    assert cells(table, "id") == ["A1", "A2"]
    assert table.rows["line"].tolist() == [3, 7]


def test_rows_of_separators_before_the_header(tmp_path):
    table = read_register(write(tmp_path, ";;;\n\nid;titre;statut;communes\nA1;T;s;Blois\n"))
    assert (table.separator, table.header_line) == (";", 3)
    assert table.rows["line"].tolist() == [4]


def test_cells_are_stripped_and_short_rows_padded(tmp_path):
    text = "id,titre,statut,communes,notes_internes\n  A1 ,\u00a0Titre\u202f,réalisé\n"
    table = read_register(write(tmp_path, text))
    row = table.rows.iloc[0]
    assert (row["id"], row["titre"], row["communes"], row["notes_internes"]) == (
        "A1",
        "Titre",
        "",
        "",
    )


def test_decomposed_accents_are_recomposed(tmp_path):
    decomposed = "Me\u0301nde"
    table = read_register(write(tmp_path, f"id,titre,statut,communes\nA1,T,réalisé,{decomposed}\n"))
    assert cells(table, "communes") == ["Ménde"]


def test_header_only_file_gives_an_empty_table(tmp_path):
    table = read_register(write(tmp_path, "id,titre,statut,communes_insee\n"))
    assert len(table) == 0
    assert list(table.rows.columns) == ["id", "titre", "statut", "communes_insee", "line"]


def test_cells_are_never_evaluated(tmp_path):
    text = (
        "id,titre,statut,communes,description\n"
        'A1,=1+1,réalisé,Blois,"<script>alert(1)</script> <b>gras</b>"\n'
        "A2,@SUM(A1),+33,-2,'0123\n"
    )
    table = read_register(write(tmp_path, text))
    assert cells(table, "titre") == ["=1+1", "@SUM(A1)"]
    assert cells(table, "description") == ["<script>alert(1)</script> <b>gras</b>", "'0123"]
    assert cells(table, "statut") == ["réalisé", "+33"]
    assert cells(table, "communes") == ["Blois", "-2"]


def test_leading_zeros_are_kept_in_csv(tmp_path):
    table = read_register(
        write(tmp_path, "id;titre;statut;communes_insee;departement\nA1;T;réalisé;01053;01\n")
    )
    assert cells(table, "communes_insee") == ["01053"]
    assert cells(table, "departement") == ["01"]


# ---------------------------------------------------------------------------------------------
# Header problems and unknown columns
# ---------------------------------------------------------------------------------------------
def test_unknown_columns_kept_and_listed(tmp_path):
    text = (
        "id,Remarques,titre,statut,communes,remarques,line,,Contact,\n"
        "A1,r1,T,réalisé,Blois,r2,l,sans en-tête,c,\n"
    )
    table = read_register(write(tmp_path, text))
    assert table.columns == ("id", "titre", "statut", "communes")
    assert table.unknown_columns == (
        "Remarques",
        "remarques",
        "line (2)",
        "sans titre (colonne 8)",
        "Contact",
    )
    row = table.rows.iloc[0]
    assert row["Remarques"] == "r1"
    assert row["remarques"] == "r2"
    assert row["line (2)"] == "l"
    assert row["sans titre (colonne 8)"] == "sans en-tête"
    assert row["line"] == 2
    assert "Remarques" not in table.header_map
    # Canonical columns first (registry order), then unknown columns (file order), then line.
    assert list(table.rows.columns) == [
        "id",
        "titre",
        "statut",
        "communes",
        "Remarques",
        "remarques",
        "line (2)",
        "sans titre (colonne 8)",
        "Contact",
        "line",
    ]


def test_duplicate_unknown_headers_get_a_suffix(tmp_path):
    table = read_register(write(tmp_path, "id,titre,statut,communes,Note,Note\nA1,T,s,B,a,b\n"))
    assert table.unknown_columns == ("Note", "Note (2)")
    assert table.rows.iloc[0][["Note", "Note (2)"]].tolist() == ["a", "b"]


def test_extra_cells_beyond_the_header_are_kept(tmp_path):
    table = read_register(write(tmp_path, "id,titre,statut,communes\nA1,T,s,B,oubli\n"))
    assert table.unknown_columns == ("sans titre (colonne 5)",)


def test_two_headers_for_one_column(tmp_path):
    path = write(tmp_path, "id;titre;statut;Commune;Code INSEE;communes\nA1;T;s;B;41018;B\n")
    with pytest.raises(RegisterFileError) as info:
        read_register(path)
    message = str(info.value)
    assert message.startswith("ateliers.csv : ")
    assert "« Commune » (colonne 4)" in message
    assert "« communes » (colonne 6)" in message
    assert "désignent toutes deux « communes »" in message
    assert info.value.column == "communes"
    assert info.value.line == 1


def test_missing_required_column_message(tmp_path):
    path = write(tmp_path, "Titre;Statut;Commune\nT;réalisé;Blois\n")
    with pytest.raises(RegisterFileError) as info:
        read_register(path)
    message = str(info.value)
    assert message == (
        "ateliers.csv : colonne obligatoire absente : « id » (identifiant, n°, nº, numéro). "
        "Colonnes lues : « Titre », « Statut », « Commune »."
    )
    assert info.value.path == path
    assert info.value.column == "id"
    assert info.value.line == 1


def test_missing_titre_and_statut(tmp_path):
    with pytest.raises(RegisterFileError) as info:
        read_register(write(tmp_path, "id,communes\nA1,Blois\n"))
    message = str(info.value)
    assert "colonnes obligatoires absentes" in message
    assert (
        "« titre » (intitulé, intitulé de l'atelier, nom de l'atelier, titre de l'atelier)"
        in message
    )
    assert "« statut » (état)" in message


def test_missing_location_columns(tmp_path):
    with pytest.raises(RegisterFileError) as info:
        read_register(write(tmp_path, "id,titre,statut,departement\nA1,T,s,41\n"))
    message = str(info.value)
    assert message.startswith("ateliers.csv : aucune colonne ne situe les ateliers")
    for name in LOCATION_COLUMNS:
        assert f"« {name} »" in message
    assert "Colonnes lues : « id », « titre », « statut », « departement »." in message


@pytest.mark.parametrize("location", LOCATION_COLUMNS)
def test_any_location_column_is_enough(tmp_path, location):
    table = read_register(write(tmp_path, f"id,titre,statut,{location}\nA1,T,s,x\n"))
    assert location in table.columns


# ---------------------------------------------------------------------------------------------
# File errors
# ---------------------------------------------------------------------------------------------
def error_of(path, **kwargs) -> RegisterFileError:
    with pytest.raises(RegisterFileError) as info:
        read_register(path, **kwargs)
    assert str(info.value).startswith(f"{Path(path).name} : ")
    return info.value


def test_missing_file(tmp_path):
    error = error_of(tmp_path / "absent.csv")
    assert "fichier introuvable" in str(error)
    assert error.line is None and error.column is None


def test_directory(tmp_path):
    folder = tmp_path / "dossier.csv"
    folder.mkdir()
    assert "n'est pas un fichier" in str(error_of(folder))


@pytest.mark.parametrize("content", ["", "   \n\n  \r\n"])
def test_empty_file(tmp_path, content):
    assert "fichier vide" in str(error_of(write(tmp_path, content)))


def test_no_header(tmp_path):
    assert "aucune ligne d'en-tête" in str(error_of(write(tmp_path, ";;;\n;;\n")))


@pytest.mark.parametrize(
    ("name", "hint"), [("r.xls", ".xlsx ou .csv"), ("r.ods", ".xlsx ou .csv"), ("r.json", "")]
)
def test_unsupported_extension(tmp_path, name, hint):
    message = str(error_of(write(tmp_path, "id,titre\n", name=name)))
    assert "format non pris en charge" in message
    assert hint in message


def test_sheet_on_a_csv(tmp_path):
    path = write(tmp_path, "id,titre,statut,communes\n")
    assert "pas de feuilles" in str(error_of(path, sheet="Feuil1"))


def test_workbook_saved_as_csv(tmp_path, xlsx_path):
    path = tmp_path / "classeur.csv"
    path.write_bytes(xlsx_path.read_bytes())
    assert "enregistrez-le avec l'extension .xlsx" in str(error_of(path))


def test_binary_file(tmp_path):
    path = tmp_path / "image.csv"
    path.write_bytes(b"id,titre\x00\x01\x02\n")
    assert "ne ressemble pas à un fichier texte" in str(error_of(path))


def test_undecodable_bytes(tmp_path):
    path = tmp_path / "ateliers.csv"
    # 0x81 is undefined in Windows-1252 and invalid in UTF-8.
    path.write_bytes(b"id,titre,statut,communes\nA1,T\x81,s,B\n")
    error = error_of(path)
    assert "encodage non reconnu" in str(error)
    assert error.line == 2


def test_unterminated_quote(tmp_path):
    error = error_of(
        write(tmp_path, 'id,titre,statut,communes\nA1,T,s,B\nA2,"jamais fermé,s,B\nA3,T,s,B\n')
    )
    assert "guillemet ouvert et jamais refermé" in str(error)
    assert error.line == 3


def test_sloppy_quotes_are_tolerated(tmp_path):
    table = read_register(write(tmp_path, 'id,titre,statut,communes\nA1,"Le" site,s,B\n'))
    assert cells(table, "titre") == ["Le site"]


def test_corrupt_workbook(tmp_path):
    # A text file named .xlsx is refused from its first bytes, before openpyxl opens it.
    path = write(tmp_path, "id,titre,statut,communes\n", name="registre.xlsx")
    assert "n'est pas un classeur XLSX (archive ZIP attendue)" in str(error_of(path))


# ---------------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def xlsx_path(tmp_path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Registre"
    sheet.append([])  # the header is the first non-empty row, here row 2
    sheet.append(
        [
            "N°",
            "Intitulé",
            "Année de sélection",
            "Statut",
            "Département",
            "Code(s) INSEE",
            "EPCI",
            "Date du bon de commande",
            "Début",
            "Montant (€)",
            "Public",
            "Remarques",
            "Description",
        ]
    )
    sheet.append(
        [
            "AF-1",
            "Bourg",
            2022,
            "réalisé",
            7,
            1053,
            200071751,
            dt.datetime(2024, 1, 29),
            dt.date(2023, 8, 1),
            20000.5,
            True,
            12.0,
            "<b>x</b>",
        ]
    )
    sheet["I3"].number_format = "mmm yyyy"
    sheet.append([])
    sheet.append(["AF-2", "  Deux  ", 2023.0, "en cours", "2A", "2A004", None, None, None, 20000])
    literal = sheet.cell(row=5, column=13)
    literal.value = "=1+1"
    literal.data_type = "s"  # stored as text: the reader must not turn it into a formula
    other = workbook.create_sheet("Registre 2024")
    other.append(["id", "titre", "statut", "communes"])
    other.append(["AF-9", "Autre", "candidature", "Privas"])
    path = tmp_path / "registre.xlsx"
    workbook.save(path)
    return path


def test_xlsx_typed_cells_become_the_intended_text(xlsx_path):
    table = read_register(xlsx_path)
    assert (table.format, table.encoding, table.separator, table.sheet) == (
        "xlsx",
        None,
        None,
        "Registre",
    )
    assert table.header_line == 2
    assert table.rows["line"].tolist() == [3, 5]
    first, second = (table.rows.iloc[i] for i in range(2))
    assert first["annee"] == "2022"
    assert second["annee"] == "2023"
    assert first["departement"] == "07"
    assert second["departement"] == "2A"
    assert first["communes_insee"] == "01053"
    assert second["communes_insee"] == "2A004"
    assert first["epci_siren"] == "200071751"
    assert second["epci_siren"] == ""
    assert first["date_bon_commande"] == "2024-01-29"
    assert first["date_debut"] == "2023-08"  # month-only number format
    assert first["montant_eur"] == "20000.5"
    assert second["montant_eur"] == "20000"
    assert first["public"] == "oui"
    assert first["Remarques"] == "12"
    assert second["titre"] == "Deux"
    assert first["description"] == "<b>x</b>"
    assert second["description"] == "=1+1"
    assert table.unknown_columns == ("Remarques",)
    # The converted values parse.
    assert parse_year(first["annee"]) == 2022
    assert parse_date(first["date_bon_commande"]) == PartialDate(2024, 1, 29)
    assert parse_amount(first["montant_eur"]) == 20000.5
    assert parse_bool_fr(first["public"]) is True


def test_xlsx_sheet_selection(xlsx_path):
    table = read_register(xlsx_path, sheet="Registre 2024")
    assert table.sheet == "Registre 2024"
    assert cells(table, "id") == ["AF-9"]
    assert table.rows["line"].tolist() == [2]
    # A near spelling of a sheet name designates it when it is the only one.
    assert read_register(xlsx_path, sheet="registre_2024").sheet == "Registre 2024"


def test_xlsx_unknown_sheet_lists_the_sheets(xlsx_path):
    error = error_of(xlsx_path, sheet="2025")
    assert str(error) == (
        "registre.xlsx : feuille « 2025 » introuvable "
        "(feuilles du classeur : « Registre », « Registre 2024 »)"
    )


def test_xlsx_empty_sheet(tmp_path):
    workbook = openpyxl.Workbook()
    path = tmp_path / "vide.xlsx"
    workbook.save(path)
    assert "aucune ligne d'en-tête" in str(error_of(path))


def test_xlsx_duplicate_header_names_letters(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["id", "titre", "statut", "Commune", "Communes"])
    path = tmp_path / "doublon.xlsx"
    workbook.save(path)
    message = str(error_of(path))
    assert "« Commune » (colonne D)" in message and "« Communes » (colonne E)" in message


# ---------------------------------------------------------------------------------------------
# The real register
# ---------------------------------------------------------------------------------------------
def test_real_register():
    table = read_register(REAL_REGISTER)
    assert len(table) == 8
    assert table.separator == ","
    assert table.encoding == "utf-8"
    assert table.unknown_columns == ()
    assert set(REQUIRED_COLUMNS) <= set(table.columns)
    assert "fictif" not in table.columns
    assert table.columns == tuple(c for c in COLUMNS_BY_NAME if c in table.columns)
    assert table.rows["line"].tolist() == list(range(2, 10))
    saverdun = table.rows.set_index("id").loc["AF-SAVERDUN"]
    assert saverdun["communes_insee"] == "09282"
    assert saverdun["departement"] == "09"
    assert saverdun["annee"] == ""
    doullens = table.rows.set_index("id").loc["AF-DOULLENS-2024"]
    assert parse_dates(doullens["dates_animation"]) == [
        PartialDate(2024, 1, 29),
        PartialDate(2024, 1, 30),
    ]
    assert parse_date(doullens["date_debut"]).precision == "mois"
    for value in table.rows["public"]:
        assert parse_bool_fr(value) is True


def test_module_does_not_import_streamlit():
    code = "import sys, atelierflash.registre; sys.exit('streamlit' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REAL_REGISTER.parent.parent)
    assert result.returncode == 0


# ---------------------------------------------------------------------------------------------
# Value parsers
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("80253; 80620", ["80253", "80620"]),
        ("Saint-Denis | Doullens", ["Saint-Denis", "Doullens"]),
        ("a, b ,c", ["a", "b", "c"]),
        ("un\ndeux\r\ntrois", ["un", "deux", "trois"]),
        (" ; ;; ", []),
        ("", []),
        (None, []),
    ],
)
def test_split_values(text, expected):
    assert split_values(text) == expected


def test_split_values_without_commas():
    theme = "Protection, restauration et gestion de l'écosystème terrestre"
    assert split_values(f"{theme}; Gestion des risques", commas=False) == [
        theme,
        "Gestion des risques",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022", 2022),
        (" 2022 ", 2022),
        ("2022.0", 2022),
        ("2022,0", 2022),
        ("", None),
        (None, None),
    ],
)
def test_parse_year(text, expected):
    assert parse_year(text) == expected


@pytest.mark.parametrize("text", ["22", "2022.5", "deux mille", "2022-01-01", "20222"])
def test_parse_year_invalid(text):
    with pytest.raises(ValueError, match=r"^année invalide : « .+ » \(attendu AAAA"):
        parse_year(text)


def test_parsers_refuse_non_text():
    with pytest.raises(TypeError):
        parse_year(2022)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("29/01/2024", PartialDate(2024, 1, 29)),
        ("9/1/2024", PartialDate(2024, 1, 9)),
        ("29.01.2024", PartialDate(2024, 1, 29)),
        ("29-01-2024", PartialDate(2024, 1, 29)),
        ("2024-01-29", PartialDate(2024, 1, 29)),
        ("2024-01-29T10:30:00", PartialDate(2024, 1, 29)),
        ("2024-01-29 00:00:00", PartialDate(2024, 1, 29)),
        ("2024-01-29T10:30:00+01:00", PartialDate(2024, 1, 29)),
        ("2023-08", PartialDate(2023, 8)),
        ("08/2023", PartialDate(2023, 8)),
        ("8/2023", PartialDate(2023, 8)),
        ("juin 2021", PartialDate(2021, 6)),
        ("Août 2023", PartialDate(2023, 8)),
        ("1er août 2023", PartialDate(2023, 8, 1)),
        ("29 janvier 2024", PartialDate(2024, 1, 29)),
        ("29/02/2024", PartialDate(2024, 2, 29)),
        ("", None),
        ("  ", None),
        (None, None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2023",
        "29/02/2023",
        "2023-13-01",
        "13/2023",
        "2023-00",
        "01/29/2024x",
        "29/01/24",
        "demain",
        "flor 2023",
        "2024/01",
    ],
)
def test_parse_date_invalid(text):
    with pytest.raises(ValueError) as info:
        parse_date(text)
    assert str(info.value) == (
        f"date invalide : « {text} » (attendu JJ/MM/AAAA, AAAA-MM-JJ ou MM/AAAA)"
    )


def test_partial_date():
    month = PartialDate(2023, 8)
    day = PartialDate(2023, 8, 15)
    assert (month.precision, day.precision) == ("mois", "jour")
    assert (month.first_day(), month.last_day()) == (dt.date(2023, 8, 1), dt.date(2023, 8, 31))
    assert PartialDate(2024, 2).last_day() == dt.date(2024, 2, 29)
    assert day.first_day() == day.last_day() == dt.date(2023, 8, 15)
    assert (month.iso(), day.iso(), str(day)) == ("2023-08", "2023-08-15", "2023-08-15")
    assert (month.display(), day.display()) == ("08/2023", "15/08/2023")
    assert sorted([PartialDate(2024, 1, 2), day, month, PartialDate(2023, 7, 31)]) == [
        PartialDate(2023, 7, 31),
        month,
        day,
        PartialDate(2024, 1, 2),
    ]
    assert month < day <= day and day > month
    assert month != day
    assert len({PartialDate(2023, 8), PartialDate(2023, 8)}) == 1
    with pytest.raises(ValueError):
        PartialDate(2023, 2, 30)
    with pytest.raises(ValueError):
        PartialDate(2023, 13)
    with pytest.raises(AttributeError):
        month.year = 2024  # frozen


def test_parse_dates():
    assert parse_dates("2024-01-29; 2024-01-30") == [
        PartialDate(2024, 1, 29),
        PartialDate(2024, 1, 30),
    ]
    assert parse_dates("29/01/2024 | 30/01/2024\n2024-02") == [
        PartialDate(2024, 1, 29),
        PartialDate(2024, 1, 30),
        PartialDate(2024, 2),
    ]
    assert parse_dates("") == []
    assert parse_dates(None) == []
    with pytest.raises(ValueError, match="date invalide : « 31/02/2023 »"):
        parse_dates("2024-01-29; 31/02/2023")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20 000,00 €", 20000.0),
        ("20000", 20000.0),
        ("20 000 €", 20000.0),
        ("20\u00a0000 €", 20000.0),
        ("20\u202f000,50\u00a0€", 20000.5),
        ("20.000,50", 20000.5),
        ("20,000.50", 20000.5),
        ("20000.5", 20000.5),
        ("20000,5", 20000.5),
        ("1.234.567", 1234567.0),
        ("1,234,567", 1234567.0),
        ("1 234 567,89", 1234567.89),
        ("19 500 € HT", 19500.0),
        ("20000 EUR", 20000.0),
        ("€20000", 20000.0),
        ("0", 0.0),
        ("", None),
        (None, None),
    ],
)
def test_parse_amount(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-500", "montant négatif : « -500 »"),
        ("−500 €", "montant négatif : « −500 € »"),
        ("vingt mille", "montant invalide : « vingt mille »"),
        ("20 0000", "montant invalide"),
        ("20 000 30 000", "montant invalide"),
        ("20.000.50,5,5", "montant invalide"),
        ("1,2.3,4", "montant invalide"),
        ("12.34.56", "montant invalide"),
        ("€", "montant invalide"),
        ("20,000", "montant ambigu : « 20,000 »"),
        ("20.000", "montant ambigu"),
    ],
)
def test_parse_amount_invalid(text, message):
    with pytest.raises(ValueError, match=message):
        parse_amount(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("oui", True),
        ("OUI", True),
        ("Oui.", True),
        ("o", True),
        ("true", True),
        ("Vrai", True),
        ("1", True),
        ("x", True),
        ("X", True),
        ("non", False),
        ("NON", False),
        ("n", False),
        ("false", False),
        ("FAUX", False),
        ("0", False),
        ("", None),
        (None, None),
    ],
)
def test_parse_bool_fr(text, expected):
    assert parse_bool_fr(text) is expected


@pytest.mark.parametrize("text", ["peut-être", "2", "ouii", "nope"])
def test_parse_bool_fr_invalid(text):
    with pytest.raises(ValueError) as info:
        parse_bool_fr(text)
    assert str(info.value) == f"valeur invalide : « {text} » (attendu oui ou non)"


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (PermissionError(13, "Permission denied"), "lecture refusée (accès refusé)"),
        (OSError(5, "Input/output error"), "fichier illisible (erreur du système (code 5))"),
    ],
)
def test_an_unreadable_register_is_said_in_french_without_the_os_english(
    tmp_path, monkeypatch, error, words
):
    from atelierflash import registre
    from atelierflash.registre import lecture

    path = tmp_path / "registre.csv"
    path.write_text("id;titre\nA-1;Essai\n", encoding="utf-8")

    def refuse(*args, **kwargs):
        raise error

    monkeypatch.setattr(lecture, "read_csv", refuse)
    with pytest.raises(registre.RegisterFileError) as caught:
        registre.read_register(path)
    assert str(caught.value) == f"registre.csv : {words}"
    assert "Permission denied" not in str(caught.value) and "Input/output" not in str(caught.value)
