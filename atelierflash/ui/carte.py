"""Streamlit glue of the map page: cached map data, the streamlit-folium call, URL parameters.

The basemap is prepared once per référentiel and the encoded communes once per dataset
(``st.cache_resource``); widgets are never cached. The map is handed to ``st_folium`` with
``feature_group_to_add`` (only the atelier layer changes between reruns, the base stays
mounted) and ``returned_objects`` limited to the clicked tooltip, so panning and zooming never
rerun the app.
"""

from __future__ import annotations

from urllib.parse import urljoin

import streamlit as st
from streamlit_folium import st_folium

from atelierflash import carte
from atelierflash.dataset import Dataset
from atelierflash.fichiers import WriteError

#: The only values the map sends back: the clicked layer's tooltip text and position (so that a
#: second click on the same commune reopens its fiche). Pan and zoom send nothing.
RETURNED = ["last_object_clicked", "last_object_clicked_tooltip"]
MAP_KEY = "carte_ateliers"
PARAM_DIMENSION = "couleur"
PARAM_VIEW = "vue"
PARAM_COMMUNE = "commune"


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


def get_prepared(dataset: Dataset) -> carte.PreparedCommunes:
    """The dataset's communes encoded at every level of detail (once per register version)."""
    source = dataset.source
    return _prepared(source.key, str(source.path), dataset.version, _dataset=dataset)


@st.cache_resource(show_spinner=False)
def _public_map(key: str, path: str, mtime: float, _dataset: Dataset) -> carte.PublicMap:
    out = carte.STATIC_DIR / "publique" / key
    return carte.export_public_map(_dataset, get_basemap(_dataset), get_prepared(_dataset), out)


def public_map(dataset: Dataset) -> tuple[carte.PublicMap, str]:
    """The register's public page and its address (absolute when the browser's is known).

    Exported under ``static/publique/<registre>/`` once per register version.
    """
    source = dataset.source
    result = _public_map(source.key, str(source.path), dataset.version, _dataset=dataset)
    relative = f"app/static/publique/{source.key}/index.html"
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


def show_map(build: carte.CarteBuild, height: int = 640) -> tuple[str | None, str]:
    """Draw the map; returns the last clicked tooltip's text and an identity of that click."""
    out = st_folium(build.map, **map_kwargs(build, height)) or {}
    text = out.get("last_object_clicked_tooltip")
    return text, f"{text}@{out.get('last_object_clicked')}"
