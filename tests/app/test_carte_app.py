"""AppTest of the map page: it runs, each filter changes the ateliers shown, URLs restore views."""

from __future__ import annotations

import json
import re

import pytest

from tests.app.analytics_helpers import metric

PAGE = "pages/carte.py"


def _map_args(at) -> dict:
    (component,) = at.get("component_instance")
    assert component.proto.component_name == "streamlit_folium.st_folium"
    return json.loads(component.proto.json_args)


def _layer(at) -> dict:
    """The JSON payload of the atelier layer sent to the browser."""
    group = _map_args(at)["feature_group"]
    start = group.index("AF.")
    call = group[start : group.index(");\n", start)]
    name, _, payload = call.partition("(")
    return {"function": name, **json.loads(payload.split(", ", 1)[1])}


def _list_html(at) -> str:
    """The HTML table under the map (the page's one ``st.html`` outside the fiche)."""
    (table,) = [h.proto.body for h in at.get("html") if 'class="af-liste"' in h.proto.body]
    return table


def _list_titles(at) -> list[str]:
    return re.findall(r'<th scope="row">(?:<a [^>]*>)?(.*?)(?:</a>)?</th>', _list_html(at))


def _codes(layer: dict) -> list[str]:
    return [layer["codes"][i : i + 5] for i in range(0, len(layer["codes"]), 5)]


def test_page_runs_and_draws_the_public_ateliers(mini_app):
    at = mini_app(PAGE)
    assert at.title[0].value == "Carte des Ateliers Flash"
    assert metric(at, "Ateliers sur la carte") == "6"  # the candidature is not public
    assert metric(at, "Communes concernées") == "6"
    assert any("1 atelier(s) du registre ne sont pas publiables" in c.value for c in at.caption)
    layer = _layer(at)
    assert layer["function"] == "AF.ateliers"
    assert sorted(_codes(layer)) == ["09282", "2A004", "80001", "80253", "80620", "97411"]
    args = _map_args(at)
    assert args["returned_objects"] == ["last_object_clicked", "last_object_clicked_tooltip"]
    assert all(u.startswith("../../app/static/") for u in args["js_links"] + args["css_links"])
    assert len(_list_titles(at)) == 6
    assert "1 à 6 sur 6" in _list_html(at)
    assert [b.label for b in at.get("download_button")] == [
        "Télécharger la sélection (CSV)",
        "Télécharger la sélection (GeoJSON)",
        "Télécharger la sélection (XLSX)",
        "Carte nationale imprimable (PNG A4)",
        "Carte nationale (PDF)",
    ]
    assert any("fictif" in c.value for c in at.caption)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("filtre_annees", (2021, 2024), "4"),  # 2021, 2022, 2024 and the atelier without year
        ("filtre_sans_annee", False, "5"),
        ("filtre_familles", ["environnementales"], "2"),
        ("filtre_themes", ["logement"], "2"),
        ("filtre_equipes", ["polau"], "2"),
        ("filtre_statuts", ["en_cours"], "1"),
        ("filtre_regions", ["32"], "3"),
        ("filtre_departements", ["2A"], "1"),
        ("filtre_echelles", ["batiment_ilot"], "2"),
    ],
)
def test_each_filter_changes_the_ateliers_shown(mini_app, key, value, expected):
    at = mini_app(PAGE)
    widget = at.sidebar.get("slider" if key == "filtre_annees" else "multiselect")
    if key == "filtre_sans_annee":
        at.sidebar.checkbox(key=key).set_value(value).run()
    else:
        next(w for w in widget if w.key == key).set_value(value).run()
    assert not at.exception, at.exception
    assert metric(at, "Ateliers sur la carte") == expected
    assert len(_list_titles(at)) == int(expected)
    assert len(_layer(at)["ateliers"]) == int(expected)


def test_url_restores_filters_and_map_options(mini_app):
    at = mini_app(
        PAGE,
        query={
            "registre": "env",
            "annees": "2019-2022",
            "famille": "territoriales",
            "couleur": "annee",
            "vue": "cercles",
            "commune": "80253",
        },
    )
    # Doullens 2019, Abbeville 2021, the EPCI 2022 and Saverdun (no year, kept by default).
    assert metric(at, "Ateliers sur la carte") == "4"
    assert at.selectbox(key="carte_couleur").value == "annee"
    assert at.selectbox(key="carte_vue").value == "cercles"
    assert at.text_input(key="carte_recherche").value == "80253"
    assert any(
        "Doullens (80, 80253) a accueilli 2 atelier(s) de la sélection" in i.value for i in at.info
    )
    layer = _layer(at)
    assert layer["function"] == "AF.overview" and layer["mode"] == "cercles"
    assert layer["counts"] == {"09": 1, "80": 3}
    assert layer["focus"]["code"] == "80253"
    # The state is still in the URL after the run (a shareable link).
    assert at.query_params["couleur"] == "annee" and at.query_params["commune"] == "80253"


def test_map_options_are_written_to_the_url(mini_app):
    at = mini_app(PAGE)
    at.selectbox(key="carte_couleur").set_value("equipe").run()
    at.selectbox(key="carte_vue").select("departements").run()
    assert not at.exception, at.exception
    assert at.query_params["couleur"] == "equipe"
    assert at.query_params["vue"] == "departements"
    assert _layer(at)["function"] == "AF.overview"


def test_search_says_whether_the_commune_had_an_atelier(mini_app):
    at = mini_app(PAGE)
    at.text_input(key="carte_recherche").input("ferte").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="carte_commune_choix").value == "77182"
    assert any("La Ferté-Gaucher (77, 77182) n'a accueilli aucun" in i.value for i in at.info)
    assert _layer(at)["focus"]["code"] == "77182"
    at.text_input(key="carte_recherche").input("zzzzqqq").run()
    assert any("Aucune commune ne correspond" in w.value for w in at.warning)


def test_register_text_stays_text_in_the_page(mini_app):
    at = mini_app(PAGE)
    assert "&lt;img src=x onerror=alert(1)&gt; (fictif)" in _list_titles(at)
    assert "<img" not in _list_html(at)
    group = _map_args(at)["feature_group"]
    assert "<img" not in group and "\\u003cimg src=x onerror=alert(1)\\u003e" in group


@pytest.mark.referentiel
def test_demo_register_map_stays_under_budget(demo_app):
    at = demo_app(PAGE)
    args = _map_args(at)
    size = len(json.dumps(args, ensure_ascii=False).encode("utf-8"))
    assert size < 400_000
    assert _layer(at)["function"] == "AF.ateliers"
    assert int(metric(at, "Ateliers sur la carte")) > 100


def test_public_page_is_exported_and_offered_with_its_iframe_code(mini_app):
    from atelierflash import carte
    from atelierflash.carte import publique

    at = mini_app(PAGE)
    (expander,) = [e for e in at.expander if "Carte publique" in e.label]
    text = " ".join(m.value for m in expander.markdown)
    assert "des 6 ateliers publiés" in text
    # The app's register exports into a folder named after its store: a stable address.
    (folder,) = re.findall(
        r"\[Ouvrir la carte publique\]\(app/static/publique/([^/]+)/index.html\)", text
    )
    assert re.fullmatch(r"registre-[0-9a-f]{12}", folder)
    assert f'`<iframe src="app/static/publique/{folder}/index.html" title=' in text
    exported = carte.STATIC_DIR / "publique" / folder
    page = (exported / "index.html").read_text(encoding="utf-8")
    version = exported / "v" / publique.current_version(exported)
    liste = (version / "liste.js").read_text(encoding="utf-8")  # the list under the map
    table = json.loads(liste.removeprefix("window.AF_LISTE = ").rstrip().rstrip(";"))
    assert table.split("<tbody>", 1)[1].count("<tr>") == 6
    # The mini register's rows are marked fictif: the page and the app both say so.
    assert "Données de démonstration fictives" in page
    assert "registre fictif" in text


def test_list_links_fiches_and_the_national_map_follows_the_filters(mini_app):
    at = mini_app(PAGE, {"annees": "2021-2024", "theme": "friches"})
    links = re.findall(r'<th scope="row"><a href="([^"]+)">', _list_html(at))
    assert sorted(links) == ["atelier?id=T-2021-1", "atelier?id=T-2022-1"]
    labels = [b.label for b in at.get("download_button")]
    assert "Carte nationale imprimable (PNG A4)" in labels and "Carte nationale (PDF)" in labels
    (expander,) = [e for e in at.expander if "Carte publique" in e.label]
    text = " ".join(m.value for m in expander.markdown)
    # The public page opens on the same filters, with the app's parameter names.
    assert re.search(
        r"\(app/static/publique/registre-[0-9a-f]{12}/index.html\?annees=2021-2024&theme=friches\)",
        text,
    )


def test_list_pages_and_orders_cover_the_selection(mini_app):
    at = mini_app(PAGE)
    by_year = _list_titles(at)
    at.selectbox(key="carte_liste_ordre").select("titre").run()
    by_title = _list_titles(at)
    assert sorted(by_title) == sorted(by_year) and by_title != by_year
    assert at.selectbox(key="carte_liste_page").options == ["Page 1 sur 1"]


def test_controls_drawn_after_the_map_keep_their_values_and_the_address(mini_app):
    at = mini_app(PAGE, {"couleur": "statut", "vue": "departements"})
    assert at.selectbox(key="carte_couleur").value == "statut"
    at.selectbox(key="carte_vue").select("communes").run()
    assert at.selectbox(key="carte_vue").value == "communes"
    assert at.selectbox(key="carte_couleur").value == "statut"
    assert at.query_params["couleur"] == "statut" and "vue" not in at.query_params
    # A filter drawn after the map is applied in the same run as the map.
    at.multiselect(key="filtre_themes").select("friches").run()
    assert metric(at, "Ateliers sur la carte") == str(len(_list_titles(at)))
    assert len(_list_titles(at)) < 6


def test_two_stores_export_their_public_pages_apart_and_each_keeps_its_address(
    mini_app, monkeypatch, tmp_path
):
    from atelierflash.store import ENV_DATA_DIR

    def folder_of(at):
        (expander,) = [e for e in at.expander if "Carte publique" in e.label]
        text = " ".join(m.value for m in expander.markdown)
        return re.findall(r"app/static/publique/([^/)]+)/index.html", text)[0]

    first = folder_of(mini_app(PAGE))
    assert folder_of(mini_app(PAGE)) == first  # the same store: the same address
    monkeypatch.setenv(ENV_DATA_DIR, str(tmp_path / "autre"))
    second = folder_of(mini_app(PAGE))
    assert second != first and second.startswith("registre-")


def _first_run_in_a_browser(monkeypatch, query: dict | None = None):
    """A session that opens on the map page, as a browser's does (its request has headers)."""
    from streamlit.testing.v1 import AppTest

    from atelierflash.ui import progressif
    from tests.app.analytics_helpers import APP

    monkeypatch.setattr(progressif, "_has_browser", lambda: True)
    at = AppTest.from_file(APP, default_timeout=300)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _whole(at) -> bool:
    """Whether the page holds what comes after the map: filters, controls, list, downloads."""
    return bool(at.get("multiselect")) and bool(at.get("download_button")) and bool(at.selectbox)


def _map_sends(at, value: dict) -> None:
    """The map's component sends ``value`` (as streamlit-folium's frame does), then a run."""
    (component,) = at.get("component_instance")
    # Streamlit 1.67's widget id: ``$$ID-<digest>-<user key>``; st_folium's key is a digest.
    at.session_state[component.proto.id.rsplit("-", 1)[1]] = value
    at.run()
    assert not at.exception, at.exception


def _map_says_it_drew(at) -> None:
    """The value the map's code sends once drawn (``AF.report``: its fields plus DRAWN)."""
    from atelierflash.ui import carte as ui

    _map_sends(
        at, {"last_object_clicked": None, "last_object_clicked_tooltip": None, ui.DRAWN: True}
    )


def test_a_browser_session_opening_on_the_map_gets_the_map_alone_then_the_whole_page(
    mini_app, monkeypatch
):
    at = _first_run_in_a_browser(monkeypatch, {"annees": "²"})
    # The map, the title and the notice about the address; nothing else yet.
    assert at.title[0].value == "Carte des Ateliers Flash"
    assert _layer(at)["function"] == "AF.ateliers"
    assert not _whole(at) and at.get("html") == [] and at.metric == []
    notices = [i.value for i in at.info if "n'est pas reconnue" in i.value]
    assert len(notices) == 1
    at.run()  # a rerun before the map has drawn (and before the timer's time) still waits
    assert not _whole(at)
    _map_says_it_drew(at)
    assert _whole(at)
    assert at.selectbox(key="registre")  # the register selector, drawn after the page
    assert len(_list_titles(at)) == 6 and metric(at, "Ateliers sur la carte") == "6"
    # The whole page says again what the address held that was ignored.
    assert [i.value for i in at.info if "n'est pas reconnue" in i.value] == notices
    at.run()  # and from now on, every run draws it whole
    assert _whole(at)


def test_a_map_that_never_says_it_drew_is_completed_by_the_timer(mini_app, monkeypatch):
    from atelierflash.ui import progressif

    at = _first_run_in_a_browser(monkeypatch)
    assert not _whole(at)
    # The timer's tick, FALLBACK_S later (AppTest runs no timer: its clock is moved instead).
    since = at.session_state[progressif._SINCE]
    at.session_state[progressif._SINCE] = since - progressif.FALLBACK_S
    at.run()
    assert _whole(at)


def test_a_click_that_overtakes_the_maps_message_completes_the_page_and_opens_its_fiche(
    mini_app, monkeypatch
):
    at = _first_run_in_a_browser(monkeypatch)
    assert not _whole(at)
    # The click's value replaced the map's « drawn » message before the server read it.
    _map_sends(
        at,
        {
            "last_object_clicked": {"lat": 50.157, "lng": 2.34},
            "last_object_clicked_tooltip": "Doullens (80253) Atelier de Doullens · 2024",
        },
    )
    assert _whole(at)
    fiches = [h.proto.body for h in at.get("html") if "af-fiche" in h.proto.body]
    assert len(fiches) == 1 and "(80253)" in fiches[0]


def test_a_map_page_without_its_map_code_is_drawn_whole_at_once(mini_app, monkeypatch):
    from atelierflash.ui import carte as ui

    # static/ read-only: the map cannot be drawn, so nothing will ever say it drew.
    monkeypatch.setattr(
        ui, "ensure_assets", lambda: "Les fichiers de Leaflet n'ont pas pu être copiés"
    )
    at = _first_run_in_a_browser(monkeypatch)
    assert at.get("component_instance") == []
    assert any("Leaflet" in e.value for e in at.error)
    assert bool(at.get("multiselect")) and bool(at.get("download_button"))
    assert at.selectbox(key="registre")


def test_the_whole_page_shows_again_the_notices_read_only_in_the_first_run(mini_app, monkeypatch):
    # The map's colour and view are read from the address in the session's first run only.
    at = _first_run_in_a_browser(monkeypatch, {"couleur": ":red[x]", "vue": "$y$"})
    ignored = sorted(i.value for i in at.info if "n'est pas reconnue" in i.value)
    assert len(ignored) == 2
    _map_says_it_drew(at)
    assert _whole(at)
    assert sorted(i.value for i in at.info if "n'est pas reconnue" in i.value) == ignored
    at.run()  # shown once per address: a later run no longer does
    assert [i.value for i in at.info if "n'est pas reconnue" in i.value] == []
