"""Shared fixtures: a hand-drawn référentiel of a few real communes.

The geometries are small squares placed roughly where the communes are, so unit tests of
resolution, validation, demo and maps run in milliseconds without the real référentiel.
"""

from __future__ import annotations

import datetime as dt
import os

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from atelierflash.referentiel import Referentiel

# Errors reach Streamlit as they are in the tests (AppTest's ``exception``, the browser's
# stException): the French message of atelierflash.ui.erreurs must never hide a bug from a test.
os.environ.setdefault("ATELIERFLASH_ERREURS_BRUTES", "1")
# AppTest reports an exception's message and trace (a visitor sees neither: config.toml says
# "none", which the browser tests' server keeps).
import streamlit.config

streamlit.config.set_option("client.showErrorDetails", "full")

# code, type, nom_sans_article, type_nom, departement, region, epci, population, parent, lon, lat
_COMMUNES = [
    ("80253", "COM", "Doullens", 0, "80", "32", "200070951", 6000, None, 2.34, 50.15),
    ("80001", "COM", "Abbeville", 1, "80", "32", "200070966", 22000, None, 1.83, 50.10),
    ("80620", "COM", "Outrebois", 1, "80", "32", "200070951", 200, None, 2.26, 50.17),
    ("77182", "COM", "Ferté-Gaucher", 3, "77", "11", "200072544", 4700, None, 3.30, 48.78),
    ("93066", "COM", "Saint-Denis", 0, "93", "11", "200057867", 113000, None, 2.36, 48.94),
    ("97411", "COM", "Saint-Denis", 0, "974", "04", "249740119", 155000, None, 55.45, -20.88),
    ("74010", "COM", "Annecy", 1, "74", "84", "200066793", 130000, None, 6.13, 45.90),
    ("74010", "COMD", "Annecy", 1, "74", "84", None, 52000, "74010", 6.12, 45.89),
    ("74011", "COMD", "Annecy-le-Vieux", 1, "74", "84", None, 21000, "74010", 6.15, 45.92),
    ("2A004", "COM", "Ajaccio", 1, "2A", "94", "242010056", 73000, None, 8.74, 41.93),
    ("2B033", "COM", "Bastia", 0, "2B", "94", "242000354", 48000, None, 9.45, 42.70),
    ("01053", "COM", "Bourg-en-Bresse", 0, "01", "84", "200071751", 41000, None, 5.23, 46.21),
    ("07186", "COM", "Privas", 0, "07", "84", "200072023", 8500, None, 4.60, 44.74),
    ("42218", "COM", "Saint-Étienne", 0, "42", "84", "244200770", 173000, None, 4.39, 45.43),
    ("75056", "COM", "Paris", 0, "75", "11", "200054781", 2100000, None, 2.35, 48.86),
    ("75101", "ARM", "Paris 1er Arrondissement", 0, "75", "11", None, 16000, "75056", 2.34, 48.86),
    ("01120", "COMA", "Cordieux", 0, "01", "84", None, 300, "01053", 5.10, 45.90),
    ("31483", "COM", "Saint-Gaudens", 0, "31", "76", "200072643", 11000, None, 0.72, 43.11),
    ("09282", "COM", "Saverdun", 0, "09", "76", "200066231", 5000, None, 1.57, 43.24),
]

_DEPARTEMENTS = [
    ("01", "Ain", "84"),
    ("07", "Ardèche", "84"),
    ("09", "Ariège", "76"),
    ("2A", "Corse-du-Sud", "94"),
    ("2B", "Haute-Corse", "94"),
    ("31", "Haute-Garonne", "76"),
    ("42", "Loire", "84"),
    ("74", "Haute-Savoie", "84"),
    ("75", "Paris", "11"),
    ("77", "Seine-et-Marne", "11"),
    ("80", "Somme", "32"),
    ("93", "Seine-Saint-Denis", "11"),
    ("974", "La Réunion", "04"),
]

_REGIONS = [
    ("04", "La Réunion"),
    ("11", "Île-de-France"),
    ("32", "Hauts-de-France"),
    ("76", "Occitanie"),
    ("84", "Auvergne-Rhône-Alpes"),
    ("94", "Corse"),
]

_EPCI = [
    ("200070951", "CC du Territoire Nord Picardie", "CC"),
    ("200070966", "CA de la Baie de Somme", "CA"),
    ("200072544", "CC des Deux Morin", "CC"),
    ("200057867", "Plaine Commune", "ET"),
    ("249740119", "CINOR", "CA"),
    ("200066793", "CA du Grand Annecy", "CA"),
    ("242010056", "CA du Pays Ajaccien", "CA"),
    ("242000354", "CA de Bastia", "CA"),
    ("200071751", "CA du Bassin de Bourg-en-Bresse", "CA"),
    ("200072023", "CA Privas Centre Ardèche", "CA"),
    ("244200770", "Saint-Étienne Métropole", "ME"),
    ("200054781", "Métropole du Grand Paris", "ME"),
    ("200072643", "CC Cœur et Coteaux du Comminges", "CC"),
    ("200066231", "CC des Portes d'Ariège Pyrénées", "CC"),
]

_ARTICLES = {2: "Le ", 3: "La ", 4: "Les ", 5: "L'", 6: "Aux ", 7: "Las ", 8: "Los "}


def make_mini_referentiel() -> Referentiel:
    """Build the hand-drawn référentiel (also used outside pytest fixtures)."""
    rows = []
    for code, typ, nom, tn, dep, reg, epci, pop, parent, lon, lat in _COMMUNES:
        half = 0.02 if typ == "COM" else 0.008
        rows.append(
            {
                "code": code,
                "type": typ,
                "nom": _ARTICLES.get(tn, "") + nom,
                "nom_sans_article": nom,
                "type_nom": tn,
                "departement": dep,
                "region": reg,
                "epci_siren": epci,
                "population": pop,
                "parent": parent,
                "surface_km2": round((2 * half * 111) ** 2 * 0.7, 3),
                "geometrie_source": "paquet",
                "lon": lon,
                "lat": lat,
                "geometry": box(lon - half, lat - half, lon + half, lat + half),
            }
        )
    communes = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    communes["population"] = communes["population"].astype("Int64")
    com = communes[communes["type"] == "COM"]
    epci = pd.DataFrame(
        [
            {
                "siren": siren,
                "nom": nom,
                "nature": nature,
                "membres": tuple(sorted(com.loc[com["epci_siren"] == siren, "code"])),
            }
            for siren, nom, nature in _EPCI
        ]
    )
    departements = gpd.GeoDataFrame(
        [
            {
                "code": c,
                "nom": n,
                "region": r,
                "geometry": com.loc[com["departement"] == c].union_all().envelope
                if (com["departement"] == c).any()
                else Point(0, 0),
            }
            for c, n, r in _DEPARTEMENTS
        ],
        geometry="geometry",
        crs="EPSG:4326",
    )
    regions = gpd.GeoDataFrame(
        [
            {
                "code": c,
                "nom": n,
                "geometry": com.loc[com["region"] == c].union_all().envelope,
            }
            for c, n in _REGIONS
        ],
        geometry="geometry",
        crs="EPSG:4326",
    )
    meta = {"source": "fixture", "version": "test", "communes_sans_geometrie": []}
    return Referentiel(
        communes=communes, epci=epci, departements=departements, regions=regions, meta=meta
    )


@pytest.fixture(scope="session")
def mini_referentiel() -> Referentiel:
    """A dozen hand-drawn communes with homonyms, Corsica, overseas, PLM and merged communes."""
    return make_mini_referentiel()


MINI_REGISTER = """id,titre,annee,statut,echelle,communes_insee,epci_siren,themes,equipe,date_bon_commande,motif_derogation,date_debut,date_fin,dates_animation,montant_eur,pilote,livrables,description,source_url,public,notes_internes,fictif
T-2019-1,Centre-bourg de Doullens (fictif),2019,réalisé,communale,80253,,Revitalisation des centre-villes et centre-bourgs,Atelier de l'Ourcq,2019-09-10,,2019-10,2020-03,2019-12-02; 2019-12-03,20000,DDT(M) 80 – Somme,Feuille de route : https://example.org/fdr.pdf,Essai,,,,oui
T-2021-1,Friche d'Abbeville (fictif),2021,réalisé,bâtiment/îlot,80001,,Aménagement des friches; Projets socio-économiques (ESS) et économiques,POLAU,2021-07-01,,2021-08,2022-02,,21 500,DDT(M) 80 – Somme,,,,,note interne,oui
T-2022-1,<img src=x onerror=alert(1)> (fictif),2022,réalisé,intercommunale,,200070951,Gestion des risques; Aménagement des friches,Ville Ouverte,2022-03-15,,2022-04,2022-10,,19000,DDT(M) 80 – Somme,,,,,,oui
T-2024-1,Ajaccio littoral (fictif),2024,en cours,communale,2A004,,Gestion des risques,POLAU,2024-02-01,,2024-03,,,20000,DDTM 2A – Corse-du-Sud,,,,,,oui
T-2025-1,Saint-Denis de La Réunion (fictif),2025,sélectionné,communale,97411,,Adaptation de l'offre de logements,Atelier de l'Ourcq,2025-10-01,,,,,,DEAL 974 – La Réunion,,,,,,oui
T-2026-1,Candidature Privas (fictif),2026,candidature,communale,07186,,Adaptation des mobilités à la demande,,,,,,,,,,,,,,oui
T-X-1,Saverdun sans année (fictif),,réalisé,bâtiment/îlot,09282,,Revitalisation des centre-villes et centre-bourgs; Adaptation de l'offre de logements,,,,,,,,,,,,,,oui
"""


@pytest.fixture(scope="session")
def mini_dataset(mini_referentiel, tmp_path_factory):
    """A seven-atelier fictional register on the hand-drawn référentiel, joined."""
    import datetime as dt

    from atelierflash.dataset import RegisterSource, build_dataset
    from atelierflash.programme import load_programme
    from atelierflash.validation import validate_file

    path = tmp_path_factory.mktemp("registre") / "mini.csv"
    path.write_text(MINI_REGISTER, encoding="utf-8")
    programme = load_programme()
    report = validate_file(path, mini_referentiel, programme, today=dt.date(2026, 11, 29))
    source = RegisterSource("test", "Registre de test (fictif)", path, fictif=True)
    return build_dataset(source, mini_referentiel, programme, report=report)


# A second register: template syntax, formula-like titles and a commune shared by two ateliers.
TRICKY_ROWS = """T-2023-1,{{ 7*7 }} {% raw %}gabarit{% endraw %} (fictif),2023,en cours,communale,80253,,Gestion des risques,POLAU,2023-02-01,,2023-03,,,20000,"=HYPERLINK(""http://x"")",Livrable : javascript:alert(1),@SUM(A1),javascript:alert(2),,secret interne,oui
T-2020-1,<script>alert('x')</script> (fictif),2020,réalisé,communale,80253,,Aménagement des friches,Atelier de l'Ourcq,2020-02-01,,2020-03,2020-09,,20000,-2+3,,"	tab",https://example.org/a?b=1&c=<2>,,,oui
"""


@pytest.fixture(scope="module")
def tricky_dataset(mini_referentiel, tmp_path_factory):
    """A second register: template syntax, formula-like and hostile titles, a shared commune."""
    from atelierflash.dataset import RegisterSource, build_dataset
    from atelierflash.programme import load_programme
    from atelierflash.validation import validate_file

    path = tmp_path_factory.mktemp("registre") / "tricky.csv"
    path.write_text(MINI_REGISTER + TRICKY_ROWS, encoding="utf-8")
    report = validate_file(path, mini_referentiel, load_programme(), today=dt.date(2026, 11, 29))
    source = RegisterSource("test", "Registre piégé (fictif)", path, fictif=True)
    return build_dataset(source, mini_referentiel, load_programme(), report=report)


# -- the register store ------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _own_store(monkeypatch, tmp_path_factory):
    """Every test gets its own empty embedded store (never the user's, never another test's)."""
    from atelierflash.store import ENV_DATA_DIR, ENV_DATABASE_URL

    monkeypatch.setenv(ENV_DATA_DIR, str(tmp_path_factory.mktemp("donnees")))
    monkeypatch.delenv(ENV_DATABASE_URL, raising=False)


@pytest.fixture(scope="session")
def postgres_server():
    """The URL of a real PostgreSQL server: ``.ci/run``'s, or one started from Debian's binaries.

    Skips only when PostgreSQL is absent and ``CI`` is not set; in CI its absence fails.
    """
    import os

    from tests import postgres

    url = os.environ.get(postgres.ENV_URL, "").strip()
    if url:
        yield url
        return
    if postgres.binaries() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL est absent alors que CI est défini : installez postgresql")
        pytest.skip("PostgreSQL absent (hors CI) : tests PostgreSQL non exécutés")
    with postgres.server() as started:
        yield started


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh empty PostgreSQL database for one test."""
    from tests import postgres

    with postgres.fresh_database(postgres_server) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """An empty database of each backend (the store tests run on both)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registre.sqlite'}"
    else:
        yield request.getfixturevalue("postgres_url")


# -- Hostile inputs: what an attacker types in a register, a file name or an address ----------
HOST = "evil.example"
#: A file name that is valid on disk and would be an image and a link in Markdown.
HOSTILE_FILE_NAME = f"![i](http:{HOST}) [Se connecter](https:{HOST}).csv"
#: Register cells: Markdown image, link, KaTeX, a Streamlit colour directive, autolinks,
#: spreadsheet formulas, personal data in a public field.
HOSTILE_CELLS = {
    ("T-2019-1", "titre"): f"![t](http://{HOST}/t.png) $x^2$ :red[rouge] (fictif)",
    ("T-2019-1", "id"): f'=HYPERLINK("http://{HOST}/i","clic")',
    ("T-2019-1", "source_url"): "javascript:alert(1)",  # warned: the row's id is in the messages
    ("T-2021-1", "titre"): f"[Se connecter](http://{HOST}/login) www.{HOST} (fictif)",
    ("T-2021-1", "pilote"): "marie.dupont@somme.gouv.fr, 03 22 97 21 00",
    ("T-2024-1", "titre"): "+cmd|' /C calc'!A0 (fictif)",
    ("T-2024-1", "description"): "@SUM(1+1)",
    ("T-2025-1", "titre"): "-2+3 $$\\int$$ :blue-background[bleu] (fictif)",
}
#: Query parameters of every kind the app reads, each hostile; two sets, as a link would carry.
HOSTILE_QUERIES = {
    "markdown": {
        "commune": f"![t](http://{HOST}/q.png)",
        "annees": "²-",
        "annee": "²",
        "theme": f"![f](http://{HOST}/f.png),$x$",
        "registre": f"[r](http://{HOST}/r)",
        "couleur": ":red[x]",
        "vue": "$y$",
        "id": f"[Se connecter](http://{HOST}/login) <script>alert(1)</script> $i$",
    },
    "overflow": {
        "commune": f"[Cliquez ici pour vous reconnecter](http://{HOST}/login) $z$",
        "annees": "99999999999999999999-",
        "annee": "99999999999999999999",
        "dep": "=1+1",
        "sans_annee": "peut-être",
        "id": "=HYPERLINK(1)" + "A" * 5_000 + "\n# titre",
    },
}


def hostile_register_text() -> str:
    """:data:`MINI_REGISTER` with :data:`HOSTILE_CELLS` written in (a valid register)."""
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(MINI_REGISTER)))
    for row in rows:
        original = row["id"]
        for (ident, column), value in HOSTILE_CELLS.items():
            if ident == original:
                row[column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def markdown_injections(source: str) -> list[str]:
    r"""What a Markdown source would render beyond text: links, images, maths, directives.

    Streamlit renders Markdown with GFM (autolinks of ``http://`` and ``www.``), KaTeX
    (``$…$``) and directives (``:red[…]``). Any of these, unescaped, is reported; an escaped
    one (``\$``, ``\[``, ``http\:``) is text.
    """
    import re

    found = []
    for pattern, what in (
        (r"(?<!\\)!(?<!\\)\[", "image"),
        (r"(?<!\\)\]\((?!\\)[^)\s]*" + re.escape(HOST), "lien"),
        (r"(?<!\\)\$", "KaTeX"),
        (r"(?<!\\):[a-z-]+(?<!\\)\[", "directive"),
    ):
        found.extend(f"{what} : {m.group(0)}" for m in re.finditer(pattern, source))
    # GFM finds autolinks in the parsed text, where escapes are already resolved: look at the
    # text as shown (backslashes dropped); an invisible word joiner breaks an autolink.
    shown = re.sub(r"\\(.)", r"\1", source)
    pattern = r"(?:https?://|www\.)" + re.escape(HOST) + r"|[\w.+-]@" + re.escape(HOST)
    found.extend(f"lien automatique : {m.group(0)}" for m in re.finditer(pattern, shown))
    return found


def formula_cells(name: str, data: bytes) -> list[str]:
    """Cells of a downloaded file that a spreadsheet would run as a formula.

    Written without the application's code, so that it checks the writer rather than trusts
    it: a CSV (``,`` or ``;``) cell, a GeoJSON property, an XLSX formula cell or a text cell
    starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return without Excel's quote
    prefix.
    """
    import csv
    import io
    import json
    import re

    prefixes = ("=", "+", "-", "@", "\t", "\r")
    if name.endswith(".csv"):
        text = data.decode("utf-8-sig")
        delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        # A negative number (« -29 », « -1,5 ») is a number to a spreadsheet, not a formula.
        return [
            c
            for row in rows
            for c in row
            if c.startswith(prefixes) and not re.fullmatch(r"-\d+(?:[.,]\d+)?", c)
        ]
    if name.endswith((".geojson", ".json")):
        features = json.loads(data.decode("utf-8")).get("features", [])
        return [
            v
            for f in features
            for v in f.get("properties", {}).values()
            if isinstance(v, str) and v.startswith(prefixes)
        ]
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data))
        return [
            str(cell.value)
            for ws in book.worksheets
            for row in ws.iter_rows()
            for cell in row
            if cell.data_type == "f"
            or (
                (isinstance(cell.value, str) and cell.value.startswith(prefixes))
                and not cell.quotePrefix
            )
        ]
    if name.endswith((".pdf", ".png", ".svg")):
        return []  # a document, not cells a spreadsheet would evaluate
    raise AssertionError(f"type de fichier non vérifié : {name}")


def unprivileged(command: list[str]) -> list[str]:
    """``command`` run without the capabilities that let root ignore file permissions.

    The fault tests make a folder read-only; root would still write there. ``setpriv`` drops
    CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the bounding set, so the kernel applies the
    permissions to the command as to any user.
    """
    import shutil

    if os.geteuid() != 0:
        return command
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail(
            "setpriv (util-linux) est nécessaire pour les tests de dossiers en lecture seule"
        )
    drop = "-dac_override,-dac_read_search"
    return [setpriv, f"--bounding-set={drop}", f"--inh-caps={drop}", *command]
