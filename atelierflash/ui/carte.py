"""Streamlit glue of the map page: cached map data, the streamlit-folium call, URL parameters.

The basemap is prepared once per référentiel and the encoded communes once per dataset
(``st.cache_resource``); widgets are never cached. The map is handed to ``st_folium`` with
``feature_group_to_add`` (only the atelier layer changes between reruns, the base stays
mounted) and ``returned_objects`` limited to the clicked tooltip, so panning and zooming never
rerun the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

import streamlit as st
from streamlit_folium import st_folium

from atelierflash import carte
from atelierflash.dataset import Dataset
from atelierflash.ecriture import WriteError
from atelierflash.texte import markdown_escape
from atelierflash.ui import progressif, url
from atelierflash.ui.data import STORE_KEY

#: The only values the map sends back: the clicked layer's tooltip text and position (so that a
#: second click on the same commune reopens its fiche). Pan and zoom send nothing.
RETURNED = ["last_object_clicked", "last_object_clicked_tooltip"]
MAP_KEY = "carte_ateliers"
#: The key the map's code (``static/carte/carte.js``, ``AF.report``) adds to the map's value,
#: once, when it has first drawn: a page drawn with the map alone is then completed.
DRAWN = "carte_dessinee"
PARAM_DIMENSION = "couleur"
PARAM_VIEW = "vue"
PARAM_COMMUNE = "commune"
#: The session's open fiche: ``("commune" | "departement", code)`` or ``None``.
FICHE_KEY = "carte_fiche"
_SEARCH_HELP = (
    "Toutes les communes du référentiel : la carte s'y centre et dit si elle a accueilli un "
    "atelier."
)
_IGN_HELP = (
    "Ajoute les tuiles du Plan IGN sous la carte. Elles sont demandées au serveur de la "
    "Géoplateforme de l'IGN (data.geopf.fr) : désactivé par défaut, la carte n'appelle alors "
    "aucun site tiers."
)


@st.cache_resource(show_spinner=False)
def ensure_assets() -> str | None:
    """Copy Leaflet's files into ``static/`` and write the map's bundle (once per process).

    Returns the French reason when ``static/`` cannot be written, else ``None``.
    """
    try:
        carte.install_static_assets(bundle=True)
    except WriteError as exc:
        return str(exc)
    return None


@st.cache_resource(show_spinner="Préparation du fond de carte…")
def _basemap(version: str, _referentiel) -> carte.Basemap:
    return carte.prepare_basemap(_referentiel)


def get_basemap(dataset: Dataset) -> carte.Basemap:
    """Départements, régions and DROM insets, encoded once per référentiel."""
    referentiel = dataset.referentiel
    return _basemap(str(referentiel.meta.get("version", "")), _referentiel=referentiel)


@st.cache_resource(show_spinner="Préparation des contours des communes…")
def _prepared(key: str, path: str, mtime: float, _dataset: Dataset) -> carte.PreparedCommunes:
    # The dataset itself is not hashed: its source key, path and mtime identify it.
    return carte.prepare_communes(_dataset)


def _version_of(dataset: Dataset) -> tuple[str, str, float]:
    # What identifies one register version for the caches below (the dataset is not hashed).
    return dataset.source.key, str(dataset.source.path), dataset.version


def get_prepared(dataset: Dataset) -> carte.PreparedCommunes:
    """The dataset's communes encoded at every level of detail (once per register version)."""
    return _prepared(*_version_of(dataset), _dataset=dataset)


@st.cache_resource(show_spinner=False)
def _pool(key: str, path: str, mtime: float, _dataset: Dataset):
    return carte.public_ateliers(_dataset.ateliers)


def public_pool(dataset: Dataset):
    """The register's publishable ateliers, public text cleaned (once per register version)."""
    return _pool(*_version_of(dataset), _dataset=dataset)


@st.cache_resource(show_spinner=False)
def _public_map(folder: str, path: str, mtime: float, _dataset: Dataset) -> carte.PublicMap:
    out = carte.STATIC_DIR / "publique" / folder
    return carte.export_public_map(_dataset, get_basemap(_dataset), get_prepared(_dataset), out)


def public_folder(source) -> str:
    """The folder of a register's public page under ``static/publique/`` (a stable address).

    A bundled register has its key (``demo``, ``public``). The app's register also names its
    store (the digest its source path starts with): two stores served from one project folder
    (several apps, or the test suite's servers) never write into each other's page, and the
    address the ministry's site embeds stays the same from one version to the next.
    """
    if source.key == STORE_KEY and len(source.path.parts) > 1:
        return f"{source.key}-{source.path.parts[0]}"
    return source.key


def public_map(dataset: Dataset) -> tuple[carte.PublicMap, str]:
    """The register's public page and its address (absolute when the browser's is known).

    Exported under ``static/publique/<dossier>/`` (:func:`public_folder`) once per register
    version.
    """
    source = dataset.source
    folder = public_folder(source)
    result = _public_map(folder, str(source.path), dataset.version, _dataset=dataset)
    relative = f"app/static/publique/{folder}/index.html"
    page_url = st.context.url
    # Pages sit at the root of the app (also under a server.baseUrlPath): resolve beside them.
    return result, urljoin(page_url, relative) if page_url else relative


def map_kwargs(build: carte.CarteBuild, height: int) -> dict:
    """The keyword arguments of the page's ``st_folium`` call (also recorded by the benchmark)."""
    return {
        "key": MAP_KEY,
        "height": height,
        "use_container_width": True,
        "feature_group_to_add": build.layers,
        "returned_objects": RETURNED,
    }


def _says_drawn(value) -> bool:
    # The map's « drawn » message, or a click (which may overtake it and replace its value).
    value = value or {}
    return bool(value.get(DRAWN) or value.get("last_object_clicked_tooltip"))


def complete_when_drawn() -> None:
    """First step of the map's fragment: complete a page drawn alone once the map has drawn.

    Before anything is drawn again: the fragment's run would otherwise replace a few elements of
    the first run (a notice, a caption) just before the whole page replaces them all, a flicker.
    streamlit-folium keeps the map's last value under :data:`MAP_KEY`.
    """
    if _says_drawn(st.session_state.get(MAP_KEY)):
        progressif.complete()


def show_map(build: carte.CarteBuild, height: int = 640) -> tuple[str | None, str]:
    """Draw the map; returns the last clicked tooltip's text and an identity of that click.

    Once the map has drawn, a page drawn with the map alone is completed
    (:func:`atelierflash.ui.progressif.complete`). A click says so too: it may reach the server
    before the map's own message, whose value it then replaces.
    """
    out = st_folium(build.map, **map_kwargs(build, height)) or {}
    text = out.get("last_object_clicked_tooltip")
    if _says_drawn(out):
        progressif.complete()  # the rerun keeps the click: the whole page opens its fiche
    return text, f"{text}@{out.get('last_object_clicked')}"


# -- the map's controls, read before the map and drawn after it -------------------------------
@dataclass(frozen=True)
class MapChoices:
    """What the map's controls hold: colour, view, IGN tiles, search text and found commune."""

    dimension: str
    vue: str
    plan_ign: bool
    query: str
    focus: str | None

    @property
    def options(self) -> carte.MapOptions:
        """The map's options for :func:`atelierflash.carte.build_map`."""
        return carte.MapOptions(
            dimension=self.dimension, vue=self.vue, plan_ign=self.plan_ign, focus=self.focus
        )


def _from_url() -> None:
    # First run of the session: the controls start from the address (a permalink).
    url.show_replayed((PARAM_DIMENSION, PARAM_VIEW, PARAM_COMMUNE))
    if "carte_couleur" in st.session_state:
        return
    st.session_state["carte_couleur"] = url.read(
        PARAM_DIMENSION, url.one_of(carte.DIMENSIONS), "famille", what="la couleur"
    )
    st.session_state["carte_vue"] = url.read(
        PARAM_VIEW, url.one_of(carte.VIEWS), "communes", what="la représentation"
    )
    st.session_state["carte_recherche"] = url.read(
        PARAM_COMMUNE, url.short_text, "", what="la commune recherchée"
    )


def _found(resolver, query: str) -> dict[str, str]:
    """The communes matching the search text: code → label (at most eight)."""
    if not query.strip():
        return {}
    return {
        r["code"]: f"{r['nom']} ({r['departement']}) – {r['code']}"
        for r in resolver.search(query, limit=8)
    }


def map_choices(resolver) -> MapChoices:
    """The controls' values for this run, before :func:`map_controls` draws them.

    A commune newly found by the search opens its fiche.
    """
    _from_url()
    state = st.session_state
    query = state.get("carte_recherche", "")
    found = list(_found(resolver, query))
    chosen = state.get("carte_commune_choix")
    focus = chosen if chosen in found else (found[0] if found else None)
    if focus and state.get("carte_focus_vu") != focus:
        state["carte_focus_vu"] = focus
        state[FICHE_KEY] = ("commune", focus)
    return MapChoices(
        dimension=state["carte_couleur"],
        vue=state["carte_vue"],
        plan_ign=bool(state.get("carte_ign", False)),
        query=query,
        focus=focus,
    )


def map_controls(resolver) -> MapChoices:
    """Draw the map's controls (colour, view, IGN tiles, search) and keep them in the URL."""
    dimension = st.selectbox(
        "Couleur des communes",
        list(carte.DIMENSIONS),
        format_func=carte.DIMENSIONS.get,
        key="carte_couleur",
    )
    vue = st.selectbox(
        "Représentation", list(carte.VIEWS), format_func=carte.VIEWS.get, key="carte_vue"
    )
    plan_ign = st.toggle("Fond « Plan IGN »", value=False, key="carte_ign", help=_IGN_HELP)
    query = st.text_input(
        "Rechercher une commune",
        key="carte_recherche",
        type="search",
        live=True,
        placeholder="Nom ou code INSEE, ex. Doullens ou 80253",
        help=_SEARCH_HELP,
    )
    found = _found(resolver, query)
    focus = None
    if found:
        focus = st.selectbox(
            "Commune trouvée", list(found), format_func=found.get, key="carte_commune_choix"
        )
    elif query.strip():
        # The search text may come from a crafted link: shown as typed, never as Markdown.
        st.warning(f"Aucune commune ne correspond à « {markdown_escape(query)} ».")
    url.write(PARAM_DIMENSION, dimension, "famille")
    url.write(PARAM_VIEW, vue, "communes")
    url.write(PARAM_COMMUNE, focus)
    return MapChoices(dimension, vue, bool(plan_ign), query, focus)


def remember_click(text: str | None, click: str) -> None:
    """Open the fiche of a newly clicked commune or département (a click is seen once)."""
    if text and st.session_state.get("carte_clic_vu") != click:
        st.session_state["carte_clic_vu"] = click
        place = carte.parse_click(text)
        if place:
            st.session_state[FICHE_KEY] = place


def close_fiche() -> None:
    """Close the side panel's fiche (the button's callback)."""
    st.session_state[FICHE_KEY] = None


# -- the list under the map ---------------------------------------------------------------------
def list_controls(shown) -> dict:
    """Draw the list's order and page selectors; returns ``order`` and ``page``."""
    pages = carte.page_count(len(shown))
    row = st.columns([1.4, 1, 2])
    order = row[0].selectbox(
        "Ordre de la liste",
        list(carte.LIST_ORDERS),
        format_func=lambda k: carte.LIST_ORDERS[k][0],
        key="carte_liste_ordre",
    )
    page = row[1].selectbox(
        "Page de la liste",
        list(range(1, pages + 1)),
        format_func=lambda n: f"Page {n} sur {pages}",
        key="carte_liste_page",
    )
    return {"order": order, "page": page}
