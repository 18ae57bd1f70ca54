r"""The map wing: a folium map with our own basemap, compact layers and no CDN.

Nothing here imports Streamlit. This package's face is what the pages, the Streamlit glue
(:mod:`atelierflash.ui.carte`) and the command line use; each concern has its module:

- :mod:`~atelierflash.carte.assets`: Leaflet and the map's code, copied into ``static/``;
- :mod:`~atelierflash.carte.encoding`: the polyline codec and script-safe JSON;
- :mod:`~atelierflash.carte.basemap`: départements, régions and the DROM insets;
- :mod:`~atelierflash.carte.communes`: the dataset's communes at each level of detail;
- :mod:`~atelierflash.carte.legend`: categories and colours by dimension;
- :mod:`~atelierflash.carte.layers`: the folium elements, :func:`build_map`;
- :mod:`~atelierflash.carte.fiche`: clicks, the side panel « fiche », search messages;
- :mod:`~atelierflash.carte.exports`: public rows and fields as CSV and GeoJSON;
- :mod:`~atelierflash.carte.liste`: the list under the map, an accessible HTML table in pages;
- :mod:`~atelierflash.carte.publique`: the static public page for the ministry's iframe, its
  address for a filtered view (:func:`embed_url`) and its ``<iframe>`` code;
- :mod:`~atelierflash.carte.page`: that page's HTML (DSFR header and footer, filters, search,
  list) and the data its filters read;
- :mod:`~atelierflash.carte.image`: the printable national map (matplotlib).

The page gets a :class:`CarteBuild` from :func:`build_map` and
hands its ``map`` and ``layers`` to ``streamlit_folium.st_folium`` (``feature_group_to_add``),
so a filter or style change only replaces the layers: the base map (Leaflet, basemap, DROM
insets) stays mounted in the browser and pan or zoom never reruns the app.

How the map stays small and private:

- **Assets from the app's origin.** Leaflet 1.9.4 comes from the installed PyPI package
  ``django-js-lib-leaflet`` (copied into ``static/leaflet`` by :func:`install_static_assets`) and
  the map's own code from ``static/carte``; Streamlit serves both (``server.enableStaticServing``).
  folium's default jQuery, Bootstrap and Font Awesome are dropped: the map uses none of them.
- **Our own basemap.** Départements are drawn from the référentiel (coverage-simplified), the
  régions as one mesh of their shared borders; no tiles unless the user asks for « Plan IGN ».
- **Compact geometry.** Rings are quantised and written with the polyline algorithm (a few
  bytes per vertex instead of about thirty in GeoJSON); the JavaScript decodes them. Commune
  attributes travel as columns (codes, names, one character per style class), atelier texts
  once per atelier. A level of detail is chosen per selection so that the layers stay under
  :data:`LAYER_BUDGET`; a selection too large even at the coarsest level is shown per
  département instead, with a message.
- **Safe text.** Register values are sent as JSON strings (``<``, ``>``, ``&`` escaped as
  ``\u003c``…) and the JavaScript escapes them before any tooltip; the side panel is built by
  :func:`fiche_html` with every value escaped.
"""

from atelierflash.carte.assets import STATIC_DIR, install_static_assets, leaflet_source_dir
from atelierflash.carte.basemap import Basemap, prepare_basemap
from atelierflash.carte.communes import Level, PreparedCommunes, prepare_communes
from atelierflash.carte.exports import (
    export_frame,
    filename,
    public_ateliers,
    public_selection,
    to_csv,
    to_geojson,
    to_xlsx,
)
from atelierflash.carte.fiche import (
    FICHE_CSS,
    commune_ateliers,
    commune_codes,
    commune_heading,
    departement_ateliers,
    departement_heading,
    fiche_html,
    hidden_count,
    parse_click,
    search_message,
)
from atelierflash.carte.image import national_map_bytes
from atelierflash.carte.layers import (
    VIEWS,
    CarteBuild,
    MapOptions,
    build_map,
    departement_counts,
)
from atelierflash.carte.legend import DIMENSIONS, Category
from atelierflash.carte.liste import ORDERS as LIST_ORDERS
from atelierflash.carte.liste import list_page, page_count
from atelierflash.carte.publique import PublicMap, embed_url, export_public_map, iframe_code

__all__ = [
    "DIMENSIONS",
    "FICHE_CSS",
    "LIST_ORDERS",
    "STATIC_DIR",
    "VIEWS",
    "Basemap",
    "CarteBuild",
    "Category",
    "Level",
    "MapOptions",
    "PreparedCommunes",
    "PublicMap",
    "build_map",
    "commune_ateliers",
    "commune_codes",
    "commune_heading",
    "departement_ateliers",
    "departement_counts",
    "departement_heading",
    "embed_url",
    "export_frame",
    "export_public_map",
    "fiche_html",
    "filename",
    "hidden_count",
    "iframe_code",
    "install_static_assets",
    "leaflet_source_dir",
    "list_page",
    "national_map_bytes",
    "page_count",
    "parse_click",
    "prepare_basemap",
    "prepare_communes",
    "public_ateliers",
    "public_selection",
    "search_message",
    "to_csv",
    "to_geojson",
    "to_xlsx",
]
