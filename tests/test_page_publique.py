"""The public page's data for its filters and search, its address, its HTML and open data."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from frictionless import validate

from atelierflash import carte
from atelierflash.carte import page, publique
from atelierflash.filters import FilterState

DAY = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def exported(mini_dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("page") / "carte"
    basemap = carte.prepare_basemap(mini_dataset.referentiel)
    prepared = carte.prepare_communes(mini_dataset)
    return carte.export_public_map(mini_dataset, basemap, prepared, out, generated=DAY)


def _script(path, name):
    text = path.read_text(encoding="utf-8")
    return json.loads(text[len(f"window.{name} = ") :].rstrip().rstrip(";"))


def test_filter_payload_uses_the_app_keys_in_the_layer_order(mini_dataset):
    public = carte.public_ateliers(mini_dataset.ateliers)
    payload = page.filter_payload(mini_dataset, public)
    rows = {r[0]: r for r in payload["ateliers"]}
    assert [r[0] for r in payload["ateliers"]] == list(public["id"])
    doullens = rows["T-2019-1"]
    assert (
        doullens[1:9]
        == [
            2019,
            ["territoriales"],
            ["revitalisation"],
            ["32"],
            ["80"],
            "communale",
            "realise",
            "ourcq",
        ]
        or doullens[8] != "ourcq"
    )  # team key from programme.toml
    assert doullens[9] == ["80253"]
    assert rows["T-X-1"][1] == -1  # unknown year
    assert sorted(rows["T-2022-1"][9]) == ["80253", "80620"]  # the EPCI's communes
    assert "T-2026-1" not in rows  # a candidature is never published
    assert payload["annees"] == [2019, 2025]
    assert [o[0] for o in payload["options"]["familles"]] == [
        "territoriales",
        "sociales",
        "environnementales",
    ]
    assert payload["known"]["statuts"]["realise"] == "réalisé"
    assert ["97411", "Saint-Denis", "974"] in payload["communes"]


def test_every_known_key_is_a_vocabulary_key(mini_dataset):
    known = page.filter_payload(mini_dataset, carte.public_ateliers(mini_dataset.ateliers))["known"]
    programme = mini_dataset.programme
    assert list(known["themes"]) == programme.themes.keys()
    assert list(known["echelles"]) == programme.echelles.keys()
    assert "2A" in known["departements"] and known["regions"]["94"] == "Corse"


@pytest.mark.parametrize(
    "state",
    [
        FilterState(),
        FilterState(2021, 2024, themes=("friches",)),
        FilterState(2021, None, familles=("territoriales", "sociales"), departements=("2A",)),
        FilterState(
            None, 2022, include_unknown_year=False, regions=("32",), echelles=("communale",)
        ),
    ],
)
def test_embed_url_round_trips_through_the_address(state):
    url = carte.embed_url("https://exemple.gouv.fr/carte/index.html#atelier=X", state)
    parts = urlsplit(url)
    assert parts.fragment == "" and parts.path == "/carte/index.html"
    params = parse_qs(parts.query)
    assert params.pop("embed") == ["1"]
    assert FilterState.from_query_params(params) == state
    assert {k: v[0] for k, v in params.items()} == state.to_query_params()
    assert "embed" not in carte.embed_url("index.html", state, compact=False)


def test_iframe_code_has_an_escaped_title_and_height():
    code = carte.iframe_code('x.html?a=1&b="2"', title="<Carte>", height=600)
    assert code.startswith('<iframe src="x.html?a=1&amp;b=&#34;2&#34;" title="&lt;Carte&gt;"')
    assert 'height="600"' in code


def test_export_carries_open_data_dsfr_and_the_embed_script(exported):
    names = set(exported.files)
    assert {"schema.json", "datapackage.json", "dsfr/dsfr.min.css", "dsfr/marianne.css"} <= names
    assert "embed.js" not in names  # inlined in the page's <head>
    assert "dsfr/fonts/Marianne-Regular.woff2" in names
    assert "dsfr/LICENCE-DSFR.md" in names
    assert validate(str(exported.folder / "datapackage.json")).valid


def test_page_has_dsfr_header_footer_filters_and_search(exported):
    html = exported.index.read_text(encoding="utf-8")
    assert '<header role="banner" class="fr-header">' in html
    assert '<footer class="fr-footer" role="contentinfo"' in html
    assert '<p class="fr-logo">République<br>Française</p>' in html
    for ident in (
        "f-annee-de",
        "f-annee-a",
        "f-famille",
        "f-theme",
        "f-region",
        "f-dep",
        "f-echelle",
    ):
        assert f'<label class="fr-label" for="{ident}">' in html
    assert 'role="combobox"' in html and 'aria-controls="recherche-suggestions"' in html
    # Marianne's faces: linked by publique.js once the map is drawn; at once only without scripts.
    assert html.count("dsfr/marianne.css") == 1
    assert '<noscript><link rel="stylesheet" href="dsfr/marianne.css"></noscript>' in html
    assert '"polices":"dsfr/marianne.css"' in (exported.folder / "donnees.js").read_text("utf-8")
    # embed.js's code runs first, inlined (its hash in the CSP), before the style sheets.
    assert html.index("<script>if (/[?&]embed=1") < html.index("dsfr/dsfr.min.css")
    assert 'href="schema.json"' in html and 'href="datapackage.json"' in html


def test_list_titles_link_to_their_fiche_and_stay_text(exported):
    version = exported.folder / "v" / publique.current_version(exported.folder)
    html = _script(version / "liste.js", "AF_LISTE")  # put under the map by publique.js
    assert '<a href="#atelier=T-2019-1">Centre-bourg de Doullens (fictif)</a>' in html
    assert "&lt;img src=x onerror=alert(1)&gt; (fictif)</a>" in html
    assert "<img src=x" not in html


def test_fiches_are_the_app_fiche_and_commune_lines_link_to_them(exported, mini_dataset):
    version = exported.folder / "v" / publique.current_version(exported.folder)
    later = _script(version / "lieux.js", "AF_LIEUX")
    assert {*publique.LIEUX_KEYS, "recherche", "par_fichier"} == set(later)
    i = later["ids"].index("T-2022-1")
    k, j = divmod(i, later["par_fichier"])
    text = (version / "fiches" / f"{k}.js").read_text(encoding="utf-8")
    fiche = json.loads(text.removeprefix(f"AF_FICHES({k}, ").rstrip().removesuffix(");"))[j]
    assert fiche.startswith('<article class="af-fiche-atelier" id="atelier-T-2022-1">')
    assert "CC du Territoire Nord Picardie (200070951)" in fiche and "<svg" not in fiche
    assert "&lt;img src=x onerror=alert(1)&gt;" in fiche
    assert later["resumes"][i].startswith('<li><a href="#atelier=T-2022-1">&lt;img')
    first = _script(exported.folder / "donnees.js", "AF_PUBLIC")
    assert [r[0] for r in first["filtres"]["ateliers"]] == later["ids"]
    assert first["layer"]["outlines"]["owners"] == [i]  # the EPCI atelier's outline


def test_every_link_of_the_page_leads_to_a_file_of_the_export(exported):
    # The downloads line names each open-data file, the feuilles de route's actions included:
    # a link to a file the export did not write would be a dead link on the ministry's site.
    import re

    html = exported.index.read_text(encoding="utf-8")
    links = {
        href
        for href in re.findall(r'<(?:a|link)\b[^>]*\bhref="([^"#]+)"', html)
        if "://" not in href and not href.startswith(("mailto:", "data:", "/"))
    }
    assert 'href="actions.csv" download="actions_flash_test_FICTIF.csv"' in html
    assert {"ateliers.csv", "ateliers.geojson", "actions.csv", "datapackage.json"} <= links
    missing = {href for href in links if not (exported.folder / href).is_file()}
    assert not missing
