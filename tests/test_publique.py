"""The public map export: files, escaping, only publishable ateliers, fictif, own origin only."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest

from atelierflash import carte, dsfr
from atelierflash.carte import exports, page, publique

DAY = dt.date(2026, 11, 29)


@pytest.fixture(scope="module")
def basemap(mini_referentiel):
    return carte.prepare_basemap(mini_referentiel)


@pytest.fixture(scope="module")
def exported(mini_dataset, basemap, tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "carte"
    prepared = carte.prepare_communes(mini_dataset)
    return publique.export_public_map(mini_dataset, basemap, prepared, out, generated=DAY)


def _script_json(path, name: str) -> dict:
    text = path.read_text(encoding="utf-8")
    prefix = f"window.{name} = "
    assert text.startswith(prefix) and text.rstrip().endswith(";")
    return json.loads(text[len(prefix) :].rstrip().rstrip(";"))


def _list_html(folder) -> str:
    """The list's table, as ``v/<version>/liste.js`` holds it (``window.AF_LISTE``)."""
    text = (_version(folder) / "liste.js").read_text(encoding="utf-8")
    prefix = "window.AF_LISTE = "
    assert text.startswith(prefix) and text.rstrip().endswith(";")
    return json.loads(text[len(prefix) :].rstrip().rstrip(";"))


def _version(folder):
    """The folder of the export's version (``v/<version>/``), named by ``donnees.js``."""
    version = publique.current_version(folder)
    assert version and (folder / "v" / version).is_dir()
    return folder / "v" / version


def _fiches(folder) -> list[str]:
    """Every fiche, from the files of ``fiches/`` (``AF_FICHES(k, [...]);``), in order."""
    fiches = []
    folder = _version(folder)
    for k in range(len(list((folder / "fiches").glob("*.js")))):
        text = (folder / "fiches" / f"{k}.js").read_text(encoding="utf-8")
        prefix = f"AF_FICHES({k}, "
        assert text.startswith(prefix) and text.rstrip().endswith(");")
        part = json.loads(text[len(prefix) :].rstrip().removesuffix(");"))
        assert 0 < len(part) <= publique.FICHES_PER_FILE
        fiches.extend(part)
    return fiches


def _data(folder) -> dict:
    """The data files: the map's (read first), the places' (once the map is drawn), fiches."""
    first = _script_json(folder / "donnees.js", "AF_PUBLIC")
    later = _script_json(_version(folder) / "lieux.js", "AF_LIEUX")
    assert set(later) == {*publique.LIEUX_KEYS, "recherche", "par_fichier"}
    assert not set(first) & set(later) and "communes" not in first["filtres"]
    assert later["par_fichier"] == publique.FICHES_PER_FILE
    return {**first, **later, "fiches": _fiches(folder)}


class _Links(HTMLParser):
    """Every URL the page would load (scripts, styles, images, frames), and its text."""

    def __init__(self):
        super().__init__()
        self.loads: list[str] = []
        self.anchors: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False
        self.csp = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            if attrs.get("src"):
                self.loads.append(attrs["src"])
            else:
                self._in_script = True
        elif tag == "link":
            self.loads.append(attrs["href"])
        elif tag in ("img", "iframe", "source", "embed"):
            self.loads.append(attrs.get("src", ""))
        elif tag == "a":
            self.anchors.append(attrs.get("href", ""))
        elif tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy":
            self.csp = attrs["content"]

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


def test_export_writes_a_self_contained_folder(exported, mini_dataset):
    names = set(exported.files)
    assert {
        "index.html",
        "donnees.js",
        f"v/{publique.current_version(exported.folder)}/lieux.js",
        f"v/{publique.current_version(exported.folder)}/fiches/0.js",
        "publique.js",
        "publique.css",
        "ateliers.csv",
        "ateliers.geojson",
        "leaflet/leaflet.js",
        "leaflet/leaflet.css",
        "carte/carte.js",
        "carte/carte.css",
    } <= names
    for name in names:
        assert (exported.folder / name).is_file(), name
    assert exported.index == exported.folder / "index.html"
    # Only publishable ateliers: the 2026 candidature of the mini register is left out.
    public = exports.public_ateliers(mini_dataset.ateliers)
    assert exported.ateliers == len(public) == 6
    assert "T-2026-1" not in set(public["id"])
    assert exported.vue == "communes"
    assert exported.fictif is True
    # Readable by a web server running as another user.
    assert exported.folder.stat().st_mode & 0o055 == 0o055
    # No temporary folder is left beside the export.
    assert [p.name for p in exported.folder.parent.iterdir()] == ["carte"]


def test_page_loads_only_its_own_files(exported):
    parser = _Links()
    parser.feed(exported.index.read_text(encoding="utf-8"))
    assert parser.loads, "the page loads nothing?"
    for url in parser.loads:
        assert url.startswith("data:") or not re.match(r"^[a-z]+:|^//", url), url
        if not url.startswith("data:"):
            assert (exported.folder / url).is_file(), url
    # One inline script: embed.js's code, allowed by its hash and by nothing broader.
    embed = (carte.STATIC_DIR / "publique" / page.EMBED_SCRIPT).read_text(encoding="utf-8")
    assert parser.inline_scripts == [page.inline_code(embed)]
    script_src = re.search(r"script-src ([^;]*)", parser.csp).group(1).split()
    assert script_src == ["'self'", page.script_hash(parser.inline_scripts[0])]
    assert "default-src 'self'" in parser.csp
    assert "unsafe-eval" not in parser.csp


def test_page_is_french_says_fictif_and_links_the_downloads(exported):
    page = exported.index.read_text(encoding="utf-8")
    assert '<html lang="fr">' in page
    assert "Données de démonstration fictives" in page
    assert "<title>Carte des Ateliers Flash – données fictives</title>" in page
    assert 'href="ateliers.csv" download="ateliers_flash_test_FICTIF.csv"' in page
    assert 'href="ateliers.geojson"' in page
    assert "29 novembre 2026" in page
    assert 'href="#liste"' in page  # the skip link to the table alternative
    import csv

    with (exported.folder / "ateliers.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert len(rows) == exported.ateliers
    assert {row["fictif"] for row in rows} == {"oui"}
    geo = json.loads((exported.folder / "ateliers.geojson").read_text(encoding="utf-8"))
    assert geo["fictif"] is True
    assert len(geo["features"]) == exported.ateliers


def test_table_lists_every_public_atelier_escaped(exported, mini_dataset):
    # The list is put under the map from liste.js once the map is drawn, not parsed before it.
    page = exported.index.read_text(encoding="utf-8")
    assert "<tbody>" not in page and 'id="liste-table"' in page and "<noscript>" in page
    table = _list_html(exported.folder)
    assert table.startswith('<table class="af-table">')
    body = table.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr>") == exported.ateliers
    assert "<img src=x" not in page + table
    assert "&lt;img src=x onerror=alert(1)&gt; (fictif)" in body
    assert "Candidature Privas" not in page + table
    assert "note interne" not in page + table


def test_data_matches_the_map_and_indexes_every_place(exported, mini_dataset):
    data = _data(exported.folder)
    assert data["kind"] == "ateliers"
    assert data["fictif"] is True
    assert data["base"]["ign"] is None
    assert len(data["fiches"]) == exported.ateliers == len(data["layer"]["ateliers"])
    public = exports.public_ateliers(mini_dataset.ateliers).reset_index(drop=True)
    # Doullens (80253) is on the 2019 atelier and on the intercommunal 2022 one.
    doullens = data["lieux"]["c:80253"]
    assert sorted(public.loc[doullens, "id"]) == ["T-2019-1", "T-2022-1"]
    assert data["titres"]["c:80253"] == "Doullens (80253)"
    assert data["titres"]["d:80"] == "Somme (80)"
    assert set(data["lieux"]) == set(data["titres"])
    for key, ids in data["lieux"].items():
        for i in ids:
            code = key[2:]
            column = "communes" if key.startswith("c:") else "departements"
            assert code in public.loc[i, column], (key, i)


def test_fiches_are_escaped(tricky_dataset, basemap, tmp_path):
    prepared = carte.prepare_communes(tricky_dataset)
    result = publique.export_public_map(tricky_dataset, basemap, prepared, tmp_path / "x")
    data = _data(result.folder)
    text = "".join(data["fiches"])
    assert "<script>" not in text and "javascript:" not in text.replace("javascript:alert", "")
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; (fictif)" in text
    assert "{{ 7*7 }}" in text  # never read as a template
    assert 'href="javascript' not in text
    for path in (result.folder / "donnees.js", *_version(result.folder).rglob("*.js")):
        raw = path.read_text(encoding="utf-8")
        assert "</script" not in raw.lower() and "<script" not in raw.lower()


def test_reexport_replaces_and_foreign_folder_is_refused(mini_dataset, basemap, tmp_path):
    prepared = carte.prepare_communes(mini_dataset)
    out = tmp_path / "carte"
    publique.export_public_map(mini_dataset, basemap, prepared, out, generated=DAY)
    (out / "ancien.txt").write_text("reste d'un export précédent", encoding="utf-8")
    publique.export_public_map(mini_dataset, basemap, prepared, out, generated=DAY)
    assert not (out / "ancien.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["carte"]

    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "note.txt").write_text("à garder", encoding="utf-8")
    with pytest.raises(FileExistsError, match="ne contient pas une carte publique"):
        publique.export_public_map(mini_dataset, basemap, prepared, foreign)
    assert [p.name for p in foreign.iterdir()] == ["note.txt"]
    assert (foreign / "note.txt").read_text(encoding="utf-8") == "à garder"


def test_a_real_register_is_not_marked_fictif(mini_referentiel, basemap, tmp_path):
    from atelierflash.dataset import RegisterSource, build_dataset
    from atelierflash.programme import load_programme
    from atelierflash.validation import validate_file

    path = tmp_path / "vrai.csv"
    path.write_text(
        "id,titre,annee,statut,echelle,communes_insee,themes,source_url\n"
        "R-1,Atelier documenté,2021,réalisé,communale,80253,Aménagement des friches,"
        "https://www.ecologie.gouv.fr/exemple\n",
        encoding="utf-8",
    )
    programme = load_programme()
    report = validate_file(path, mini_referentiel, programme, today=DAY)
    source = RegisterSource("vrai", "Registre réel", path, fictif=False)
    dataset = build_dataset(source, mini_referentiel, programme, report=report)
    result = publique.export_public_map(
        dataset, basemap, carte.prepare_communes(dataset), tmp_path / "out"
    )
    page = result.index.read_text(encoding="utf-8")
    assert result.fictif is False and result.ateliers == 1
    table = _list_html(result.folder)
    assert "fictiv" not in (page + table).lower() and "fictif" not in (page + table).lower()
    assert 'href="https://www.ecologie.gouv.fr/exemple"' in table  # the list's source link


def test_every_text_file_has_a_gzip_copy_identical_once_decompressed(exported):
    import gzip

    names = set(exported.files)
    texts = [n for n in names if n.endswith(publique.COMPRESSED_SUFFIXES)]
    assert {"index.html", "donnees.js", "dsfr/dsfr.min.css", "leaflet/leaflet.js"} <= set(texts)
    for name in texts:
        assert f"{name}.gz" in names, name
        copy = (exported.folder / f"{name}.gz").read_bytes()
        assert gzip.decompress(copy) == (exported.folder / name).read_bytes(), name
        assert copy[4:8] == b"\0\0\0\0"  # no date: one content, one copy
    # Fonts are compressed already: no copy.
    assert not [n for n in names if n.endswith(".woff2.gz")]


def test_the_page_dsfr_is_the_rules_it_uses_and_woff2_faces_only(exported):
    css = (exported.folder / "dsfr" / "dsfr.min.css").read_text(encoding="utf-8")
    assert ".fr-header" in css and ".fr-select" in css and ".fr-btn--tertiary" in css
    assert (
        ".fr-tag" not in css
        and ".fr-badge" not in css
        and ".fr-icon-"
        not in css.replace('[class*=" fr-icon-"]', "").replace("[class^=fr-icon-]", "")
    )
    fonts = sorted(p.name for p in (exported.folder / "dsfr" / "fonts").iterdir())
    assert fonts == sorted(name for name, *_ in dsfr.MARIANNE_FACES)
    assert ".woff)" not in css and "Spectral" not in css.split("@font-face")[-1]
    # Every font the sheet names is there.
    for name in re.findall(r"url\((fonts/[^)]+)\)", css):
        assert (exported.folder / "dsfr" / name).is_file(), name


def test_data_before_fiches_the_map_file_holds_no_fiche(exported):
    first = _script_json(exported.folder / "donnees.js", "AF_PUBLIC")
    assert "fiches" not in first and "resumes" not in first and "lieux" not in first
    assert first["dossier"] == f"v/{publique.current_version(exported.folder)}/"
    # The scripts come after the map, asked for early from <head>.
    html = exported.index.read_text(encoding="utf-8")
    assert html.index('<link rel="preload" as="script" href="donnees.js">') < html.index("<body")
    assert (
        html.index('id="carte"')
        < html.index('<script src="publique.js">')
        < html.index('id="liste"')
    )
    assert "defer" not in html


def test_only_the_current_and_the_previous_version_are_kept(
    mini_dataset, basemap, tmp_path, monkeypatch
):
    prepared = carte.prepare_communes(mini_dataset)
    out = tmp_path / "carte"
    versions = []
    # Three versions of the fiches' files (cut differently, so their content differs).
    for per in (32, 2, 3):
        monkeypatch.setattr(publique, "FICHES_PER_FILE", per)
        publique.export_public_map(mini_dataset, basemap, prepared, out, generated=DAY)
        versions.append(publique.current_version(out))
        assert len(set(versions)) == len(versions)
        kept = sorted(p.name for p in (out / "v").iterdir())
        assert kept == sorted(versions[-2:]), per
    # The previous version's files are whole: a page opened before still reads its fiches.
    previous = out / "v" / versions[-2]
    assert (previous / "lieux.js").is_file() and len(list(previous.glob("fiches/*.js"))) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["carte"]
    # The same content again: the same version, nothing carried over twice.
    publique.export_public_map(mini_dataset, basemap, prepared, out, generated=DAY)
    assert sorted(p.name for p in (out / "v").iterdir()) == sorted(versions[-2:])


def test_a_new_export_reuses_what_is_cached(mini_dataset, basemap, tmp_path, monkeypatch):
    import gzip

    prepared = carte.prepare_communes(mini_dataset)
    publique.export_public_map(mini_dataset, basemap, prepared, tmp_path / "a", generated=DAY)
    compressed = []
    real = gzip.compress
    monkeypatch.setattr(
        gzip, "compress", lambda data, *a, **k: compressed.append(1) or real(data, *a, **k)
    )
    hits = dsfr.page_css.cache_info().hits
    monkeypatch.setattr(dsfr, "purge_css", lambda *a: pytest.fail("the sheet was cut again"))
    publique.export_public_map(mini_dataset, basemap, prepared, tmp_path / "b", generated=DAY)
    # Nothing changed: no file compressed again, the page's DSFR sheet taken from the cache.
    assert compressed == []
    assert dsfr.page_css.cache_info().hits == hits + 1
    # A changed file is compressed (and only what changed).
    publique.export_public_map(
        mini_dataset, basemap, prepared, tmp_path / "c", generated=dt.date(2027, 1, 2)
    )
    assert len(compressed) == 2  # index.html and datapackage.json carry the date


def test_export_gathers_every_territory_in_one_pass(mini_dataset, monkeypatch):
    from atelierflash import fiche

    lands = fiche.territories(mini_dataset)
    for atelier_id in mini_dataset.ateliers["id"]:
        assert lands[str(atelier_id)] == fiche.territory(mini_dataset, atelier_id)
    assert lands["inconnu"].communes == []
    # The public payload never filters the links atelier by atelier.
    monkeypatch.setattr(fiche, "territory", lambda *a: pytest.fail("one filter per atelier"))
    payload = publique.public_payload(
        mini_dataset,
        carte.prepare_basemap(mini_dataset.referentiel),
        carte.prepare_communes(mini_dataset),
    )
    assert len(payload["fiches"]) == len(exports.public_ateliers(mini_dataset.ateliers))
