"""The map builder as objects: layers, styles, bounds, legend, escaped text, local assets."""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from atelierflash import carte
from atelierflash.carte import layers
from atelierflash.carte.basemap import BASEMAP_FACTOR, NATIONAL_BOUNDS, inset_layout, merc_y
from atelierflash.carte.communes import LEVELS
from atelierflash.carte.encoding import (
    decode_geometry,
    decode_ints,
    decode_path,
    encode_geometries,
    encode_ints,
    encode_paths,
    js_json,
)
from atelierflash.carte.layers import count_classes
from atelierflash.carte.legend import atelier_category_keys, categories_for
from atelierflash.palette import BLEU_FRANCE, YEAR_RAMP
from benchmarks.component import map_args


@pytest.fixture(scope="module")
def basemap(mini_referentiel):
    return carte.prepare_basemap(mini_referentiel)


@pytest.fixture(scope="module")
def prepared(mini_dataset):
    return carte.prepare_communes(mini_dataset)


@pytest.fixture(scope="module")
def public(mini_dataset):
    return carte.public_ateliers(mini_dataset.ateliers)


def _build(basemap, prepared, dataset, ateliers, **options):
    return carte.build_map(basemap, prepared, dataset, ateliers, carte.MapOptions(**options))


def _html(build) -> str:
    """The whole standalone document (base map and the layer, as folium renders them)."""
    for layer in build.layers:
        layer.add_to(build.map)
    return build.map.get_root().render()


# ------------------------------------------------------------------------------ encoding
def test_paths_round_trip_at_their_precision():
    rng = np.random.default_rng(3)
    paths = [
        np.column_stack([rng.uniform(-61, 55, n), rng.uniform(-21, 51, n)]) for n in (1, 5, 300)
    ]
    for factor in (1_000, 10_000):
        texts = encode_paths(paths, factor)
        assert len(texts) == 3
        for path, text in zip(paths, texts, strict=True):
            assert re.fullmatch(r"[?-~]*", text)
            decoded = decode_path(text, factor)
            assert decoded.shape == path.shape
            assert np.abs(decoded - path).max() <= 0.5 / factor + 1e-12


def test_geometry_drops_closing_point_repeats_and_collapsed_rings():
    square = box(2.0, 48.0, 2.5, 48.5)
    holed = Polygon(square.exterior.coords, [box(2.1, 48.1, 2.2, 48.2).exterior.coords])
    tiny = box(5.0, 45.0, 5.00001, 45.00001)  # collapses at 1e-3°
    multi = MultiPolygon([holed, tiny])
    text_square, text_multi, empty = encode_geometries([square, multi, None], 1_000)
    assert empty == ""
    (rings,) = decode_geometry(text_square, 1_000)
    assert len(rings) == 1 and len(rings[0]) == 4  # closing point dropped
    polygons = decode_geometry(text_multi, 1_000)
    assert len(polygons) == 1  # the collapsed polygon is gone
    assert len(polygons[0]) == 2  # exterior and hole
    rebuilt = Polygon(polygons[0][0], [polygons[0][1]])
    assert rebuilt.area == pytest.approx(holed.area, rel=1e-6)


def test_ints_round_trip():
    values = [0, 3, 4, 250, 251, 100_000]
    assert decode_ints(encode_ints(values)) == values
    assert encode_ints([]) == ""


def test_js_json_escapes_markup_and_line_separators():
    value = {"t": "</script><img src=x onerror=alert(1)>&\u2028\u2029é"}
    text = js_json(value)
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == value


# ------------------------------------------------------------------------------ assets
def test_map_loads_only_local_assets(basemap, prepared, mini_dataset, public):
    build = _build(basemap, prepared, mini_dataset, public)
    # One script (its style sheet, Leaflet and the map's code bundled): one round trip.
    assert [url for _, url in build.map.default_js] == [
        "../../app/static/leaflet/carte-bundle.js",
    ]
    assert build.map.default_css == []
    html = _html(build)
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("../../app/static/") for u in urls), urls
    for cdn in ("jsdelivr", "cdnjs", "jquery", "bootstrap", "font-awesome", "fontawesome"):
        assert cdn not in html.lower()
    assert not re.search(r"https?://", html)


def test_streamlit_folium_receives_local_links_and_only_the_layer_changes(
    basemap, prepared, mini_dataset, public
):
    first = map_args(_build(basemap, prepared, mini_dataset, public))
    other = map_args(_build(basemap, prepared, mini_dataset, public.head(2), dimension="annee"))
    for args in (first, other):
        assert all(u.startswith("../../app/static/") for u in args["js_links"] + args["css_links"])
        assert not re.search(r"https?://", args["header"] + args["script"] + args["html"])
        assert args["returned_objects"] == ["last_object_clicked", "last_object_clicked_tooltip"]
    # The base (and so the component's key) is the same: the browser keeps the map mounted.
    assert first["script"] == other["script"] and first["key"] == other["key"]
    assert first["feature_group"] != other["feature_group"]
    assert "AF.ateliers(" in first["feature_group"]


def test_plan_ign_is_off_by_default_and_the_only_remote_layer(
    basemap, prepared, mini_dataset, public
):
    default = _html(_build(basemap, prepared, mini_dataset, public))
    assert "data.geopf.fr" not in default and '"ign":null' in default
    with_ign = _html(_build(basemap, prepared, mini_dataset, public, plan_ign=True))
    remote = set(re.findall(r"https?://([^/\"?]+)", with_ign))
    assert remote == {"data.geopf.fr"}
    assert "PLANIGNV2" in with_ign


def test_static_assets_are_copied_from_the_installed_package(tmp_path):
    target = carte.install_static_assets(tmp_path)
    source = carte.leaflet_source_dir()
    assert (target / "leaflet.js").read_bytes() == (source / "leaflet.js").read_bytes()
    assert b"1.9.4" in (target / "leaflet.js").read_bytes()[:400]
    assert (target / "images" / "layers.png").is_file()
    before = (target / "leaflet.css").stat().st_mtime_ns
    carte.install_static_assets(tmp_path)  # up to date: nothing rewritten
    assert (target / "leaflet.css").stat().st_mtime_ns == before
    assert not (target / "carte-bundle.js").exists()  # the public page loads the files apart


def test_the_app_map_bundle_is_its_style_then_leaflet_then_the_map_code(tmp_path):
    target = carte.install_static_assets(tmp_path, bundle=True)
    source = carte.leaflet_source_dir()
    code = (carte.STATIC_DIR / "carte" / "carte.js").read_bytes()
    bundle = (target / "carte-bundle.js").read_bytes()
    loader, leaflet, rest = bundle.split(b"\n;\n", 2)
    assert leaflet == (source / "leaflet.js").read_bytes() and rest == code
    # The style sheets travel as one JavaScript string, put in the frame's <head> by the file.
    css = (source / "leaflet.css").read_text(encoding="utf-8")
    css += "\n" + (carte.STATIC_DIR / "carte" / "carte.css").read_text(encoding="utf-8")
    assert json.dumps(css).replace("</", "<\\/").encode() in loader
    assert b'document.createElement("style")' in loader and b"</" not in loader
    # Leaflet's images are resolved against the bundle's own address (static/leaflet/).
    assert b"new URL(path, base)" in loader and b"document.currentScript" in loader
    assert (target / "images" / "layers.png").is_file()
    assert not (target / "carte-bundle.css").exists()
    before = (target / "carte-bundle.js").stat().st_mtime_ns
    carte.install_static_assets(tmp_path, bundle=True)
    assert (target / "carte-bundle.js").stat().st_mtime_ns == before


def test_map_code_is_in_the_repository():
    for name in ("carte.js", "carte.css"):
        assert (carte.STATIC_DIR / "carte" / name).is_file()
    code = (carte.STATIC_DIR / "carte" / "carte.js").read_text(encoding="utf-8")
    assert "http" not in code.replace("https://leafletjs.com", "")
    # Tooltips go through esc(); the legend is written with textContent, never innerHTML.
    assert ".innerHTML" not in code and "insertAdjacentHTML" not in code


# ------------------------------------------------------------------------------ basemap
def test_basemap_has_departements_regions_and_insets(basemap, mini_referentiel):
    payload = basemap.payload
    codes = [row[0] for row in payload["deps"]]
    assert codes == sorted(mini_referentiel.departements["code"])
    assert payload["regions"]  # the mesh of régions
    assert payload["factor"] == BASEMAP_FACTOR
    (inset,) = basemap.insets  # the fixture has one DROM: La Réunion
    assert inset.code == "974" and inset.nom == "La Réunion"
    assert payload["insets"][0]["code"] == "974"


def test_inset_is_placed_west_of_the_mainland_and_keeps_its_true_bounds(basemap):
    (inset,) = basemap.insets
    south, west, north, east = inset.box
    (n_s, n_w), (n_n, _) = NATIONAL_BOUNDS
    assert n_w <= west < east < -5.0  # west of Brittany
    assert n_s <= south < north <= n_n
    bs, bw, bn, be = inset.bounds
    assert bs < -20.88 < bn and bw < 55.45 < be  # Saint-Denis de La Réunion is in the extent
    xs, ys = inset.project(np.array([bw, be]), np.array([bs, bn]))
    assert np.all((xs >= west) & (xs <= east)) and np.all((ys >= south) & (ys <= north))


def test_all_five_drom_get_a_square_frame_in_a_column():
    deps = pd.DataFrame(
        {
            "code": ["971", "972", "973", "974", "976"],
            "nom": ["Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"],
            "geometry": [
                box(-61.8, 15.8, -61.0, 16.5),
                box(-61.2, 14.4, -60.8, 14.9),
                box(-54.6, 2.1, -51.6, 5.8),
                box(55.2, -21.4, 55.8, -20.9),
                box(45.0, -13.0, 45.3, -12.6),
            ],
        }
    )
    insets = inset_layout(deps)
    assert [i.code for i in insets] == ["971", "972", "973", "974", "976"]
    tops = [i.box[2] for i in insets]
    assert tops == sorted(tops, reverse=True)  # stacked from north to south
    for upper, lower in itertools.pairwise(insets):
        assert lower.box[2] < upper.box[0]  # no overlap
    for inset in insets:
        s, w, n, e = inset.box
        height = merc_y(n) - merc_y(s)
        assert e - w == pytest.approx(height)  # square on screen


# ------------------------------------------------------------------------------ layers
def test_layer_draws_the_communes_of_public_ateliers(basemap, prepared, mini_dataset, public):
    build = _build(basemap, prepared, mini_dataset, public)
    assert build.vue == "communes" and build.level == LEVELS[0]
    assert len(build.layers) == 1
    payload = build.layer_payload
    codes = [payload["codes"][i : i + 5] for i in range(0, len(payload["codes"]), 5)]
    # The candidature in Privas (07186) is not public: never on the map.
    assert "07186" not in codes
    assert set(codes) == {"80253", "80001", "80620", "2A004", "97411", "09282"}
    assert len(payload["noms"].split("|")) == len(codes) == len(payload["cats"])
    assert len(payload["geoms"].split(" ")) == len(codes)
    assert build.ateliers == 6 and build.communes == 6


def test_intercommunal_outline_and_building_markers(basemap, prepared, mini_dataset, public):
    payload = _build(basemap, prepared, mini_dataset, public).layer_payload
    # T-2022-1 covers the two member communes of an EPCI: one shared outline.
    assert len(payload["outlines"]["lines"]) == 1
    outline = payload["outlines"]["lines"][0]
    lines = [decode_path(t, payload["outlines"]["factor"]) for t in outline.split(";")]
    xs = np.concatenate([line[:, 0] for line in lines])
    assert xs.min() == pytest.approx(2.24, abs=0.01) and xs.max() == pytest.approx(2.36, abs=0.01)
    # Bâtiment/îlot ateliers (Abbeville, Saverdun) get one point marker each.
    titles = [payload["ateliers"][p[3]][0] for p in payload["points"]]
    assert sorted(titles) == ["Friche d'Abbeville (fictif)", "Saverdun sans année (fictif)"]


@pytest.mark.parametrize("dimension", list(carte.DIMENSIONS))
def test_legend_of_each_dimension_counts_the_ateliers(
    dimension, basemap, prepared, mini_dataset, public
):
    build = _build(basemap, prepared, mini_dataset, public, dimension=dimension)
    assert sum(c.count for c in build.categories) == len(public)
    colours = [c.colour for c in build.categories]
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colours)
    assert len(set(colours[:-1])) == len(colours) - 1 or dimension == "statut"
    payload = build.layer_payload
    assert payload["dimension"] == carte.DIMENSIONS[dimension]
    assert [c[0] for c in payload["categories"]] == [c.label for c in build.categories]


def test_year_colours_ramp_from_light_to_bleu_france(mini_dataset, public):
    cats = categories_for(mini_dataset, public, "annee")
    years = [c for c in cats if c.key]
    assert [c.key for c in years] == ["2019", "2021", "2022", "2024", "2025", "2026"]
    assert years[0].colour == YEAR_RAMP[0] and years[-1].colour == BLEU_FRANCE
    assert cats[-1].label == "Année inconnue" and cats[-1].count == 1  # Saverdun


def test_family_is_that_of_the_main_theme(mini_dataset, public):
    keys = atelier_category_keys(public, "famille")
    by_id = dict(zip(public["id"], keys, strict=True))
    assert by_id["T-2021-1"] == "territoriales"  # friches first, then ESS
    assert by_id["T-2025-1"] == "sociales"
    with pytest.raises(ValueError, match="dimension inconnue"):
        atelier_category_keys(public, "couleur")


def test_commune_of_several_ateliers_lists_all_and_takes_the_latest_colour(basemap, tricky_dataset):
    public = carte.public_ateliers(tricky_dataset.ateliers)
    prepared = carte.prepare_communes(tricky_dataset)
    build = _build(basemap, prepared, tricky_dataset, public, dimension="annee")
    payload = build.layer_payload
    codes = [payload["codes"][i : i + 5] for i in range(0, len(payload["codes"]), 5)]
    doullens = codes.index("80253")
    members = [i for i, row in enumerate(payload["ateliers"]) if doullens in decode_ints(row[4])]
    assert len(members) == 4  # 2019, 2020, 2022 (EPCI) and 2023
    labels = [c[0] for c in payload["categories"]]
    assert labels[ord(payload["cats"][doullens]) - 97] == "2023"


def test_register_text_is_never_markup_nor_template(basemap, tricky_dataset):
    public = carte.public_ateliers(tricky_dataset.ateliers)
    prepared = carte.prepare_communes(tricky_dataset)
    build = _build(basemap, prepared, tricky_dataset, public)
    html = _html(build)
    assert "<img src=x" not in html and "<script>alert" not in html
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html
    # folium re-reads element scripts as Jinja templates: ours never are.
    assert "{{ 7*7 }} {% raw %}gabarit{% endraw %}" in html
    assert "49 gabarit" not in html
    titles = [row[0] for row in build.layer_payload["ateliers"]]
    assert "<img src=x onerror=alert(1)> (fictif)" in titles


def test_focus_outlines_the_searched_commune(basemap, prepared, mini_dataset, public):
    build = _build(basemap, prepared, mini_dataset, public, focus="77182", focus_token="3")
    focus = build.layer_payload["focus"]
    assert focus["code"] == "77182" and focus["nom"] == "La Ferté-Gaucher"
    assert focus["token"] == "77182:3"
    (south, west), (north, east) = focus["bounds"]
    assert south < 48.78 < north and west < 3.30 < east
    (rings,) = decode_geometry(focus["geom"], focus["factor"])
    assert Polygon(rings[0]).contains(shapely.Point(3.30, 48.78))
    assert (
        _build(basemap, prepared, mini_dataset, public, focus="99999").layer_payload["focus"]
        is None
    )


# ------------------------------------------------------------------------------ overview and size
def test_departement_overview_counts_each_departement_once(basemap, prepared, mini_dataset, public):
    build = _build(basemap, prepared, mini_dataset, public, vue="departements")
    assert build.vue == "departements"
    payload = build.layer_payload
    assert payload["mode"] == "aplats"
    assert payload["counts"] == {"09": 1, "2A": 1, "80": 3, "974": 1}
    assert payload["max"] == 3
    assert [c[:2] for c in payload["classes"]] == [[1, 1], [2, 2], [3, 3]]
    circles = _build(basemap, prepared, mini_dataset, public, vue="cercles")
    assert circles.layer_payload["mode"] == "cercles"
    assert "AF.overview(" in _html(circles)


def test_count_classes_are_round_and_cover_the_range():
    assert count_classes(0) == []
    assert count_classes(4) == [(1, 1), (2, 2), (3, 3), (4, 4)]
    classes = count_classes(37)
    assert classes[0][0] == 1 and classes[-1][1] == 37 and len(classes) <= 5
    assert all(low <= high for low, high in classes)
    assert all(b[0] == a[1] + 1 for a, b in itertools.pairwise(classes))


def test_level_of_detail_then_departements_when_over_budget(
    basemap, prepared, mini_dataset, public, monkeypatch
):
    fine = _build(basemap, prepared, mini_dataset, public)
    size = len(js_json(fine.layer_payload).encode("utf-8"))
    monkeypatch.setattr(layers, "LAYER_BUDGET", size - 20)
    coarser = _build(basemap, prepared, mini_dataset, public)
    assert coarser.vue == "communes" and coarser.level.factor < fine.level.factor
    monkeypatch.setattr(layers, "LAYER_BUDGET", 500)
    fallback = _build(basemap, prepared, mini_dataset, public)
    assert fallback.vue == "departements" and fallback.level is None
    assert "trop pour les dessiner" in fallback.message
    assert fallback.layer_payload["counts"]


def test_unknown_view_is_refused(basemap, prepared, mini_dataset, public):
    with pytest.raises(ValueError, match="vue inconnue"):
        _build(basemap, prepared, mini_dataset, public, vue="tuiles")


# ------------------------------------------------------------------------------ clicks, fiche
def test_parse_click_reads_the_place_from_the_tooltip_head():
    text = "Doullens (80253)Centre-bourg (12345) · 2019Revitalisation…Cliquer pour la fiche"
    assert carte.parse_click(text) == ("commune", "80253")
    assert carte.parse_click("Ajaccio (2A004)…") == ("commune", "2A004")
    assert carte.parse_click("Corse-du-Sud (2A)3 ateliers") == ("departement", "2A")
    assert carte.parse_click("La Réunion (974)1 atelier") == ("departement", "974")
    assert carte.parse_click("") is None and carte.parse_click(None) is None
    assert carte.parse_click("Guyane") is None


def test_fiche_escapes_everything_and_links_only_web_addresses(tricky_dataset):
    rows = carte.commune_ateliers(
        tricky_dataset, carte.public_ateliers(tricky_dataset.ateliers), "80253"
    )
    assert list(rows["id"]) == ["T-2023-1", "T-2022-1", "T-2020-1", "T-2019-1"]
    text = carte.fiche_html(tricky_dataset, rows, "Doullens (80253)", hidden=2)
    assert "<script>" not in text and "<img" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in text
    assert "javascript:" not in re.sub(r">[^<]*<", "><", text)  # never inside an attribute
    hrefs = re.findall(r'href="([^"]*)"', text)
    assert hrefs and all(h.startswith(("https://", "http://")) for h in hrefs)
    assert 'href="https://example.org/a?b=1&amp;c=&lt;2&gt;"' in text
    assert "secret interne" not in text  # notes_internes
    assert "2 autre(s) atelier(s) ici, hors des filtres" in text
    assert "{{ 7*7 }}" in text
    assert "Feuille de route" in text and 'href="https://example.org/fdr.pdf"' in text


def test_fiche_dates_are_french(mini_dataset):
    rows = mini_dataset.ateliers[mini_dataset.ateliers["id"] == "T-2019-1"]
    text = carte.fiche_html(mini_dataset, rows, "Doullens (80253)")
    assert "octobre 2019 → mars 2020" in text
    assert "2 décembre 2019, 3 décembre 2019" in text
    assert "Atelier de l&#39;Ourcq" in text


def test_search_message_never_mentions_unpublished_ateliers(mini_dataset, public):
    selection = public[public["annee"] == 2019]
    privas = carte.search_message(mini_dataset, public, selection, "07186")
    assert privas == "Privas (07, 07186) n'a accueilli aucun atelier publié dans ce registre."
    assert carte.search_message(mini_dataset, public, selection, "80253").startswith(
        "Doullens (80, 80253) a accueilli 1 atelier(s) de la sélection. 1 autre(s)"
    )
    assert "aucun atelier dans la sélection affichée ; 1 atelier(s) hors des filtres" in (
        carte.search_message(mini_dataset, public, selection, "2A004")
    )
    assert carte.hidden_count(mini_dataset, public, selection, ("commune", "80253")) == 1
    assert carte.hidden_count(mini_dataset, public, selection, ("departement", "80")) == 2


def test_headings_come_from_the_referentiel(mini_dataset):
    assert carte.commune_heading(mini_dataset, "77182") == "La Ferté-Gaucher (77182)"
    assert carte.departement_heading(mini_dataset, "2A") == "Corse-du-Sud (2A)"
    assert carte.commune_codes(mini_dataset, mini_dataset.ateliers.head(3)) == [
        "80253",
        "80001",
        "80620",
    ]
