"""The map's assets, served by the app from its own origin (never a CDN).

Leaflet 1.9.4 comes from the installed PyPI package ``django-js-lib-leaflet`` (copied into
``static/leaflet`` by :func:`install_static_assets`) and the map's own code from ``static/carte``;
Streamlit serves both (``server.enableStaticServing``).
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

LEAFLET_PACKAGE = "js_lib_leaflet"  # from django-js-lib-leaflet (Leaflet 1.9.4)
LEAFLET_FILES = ("leaflet.js", "leaflet.css")
#: URL of ``static/`` seen from streamlit-folium's iframe (``<base>/component/<name>/``):
#: relative, so the map also works under a ``server.baseUrlPath``.
STATIC_URL = "../../app/static"
STATIC_DIR = Path(__file__).resolve().parents[2] / "static"


def leaflet_source_dir() -> Path:
    """Folder of Leaflet's files in the installed ``django-js-lib-leaflet`` package.

    The package is located, never imported (its app module needs Django).

    Raises
    ------
    FileNotFoundError
        When the package is missing (French message).
    """
    spec = importlib.util.find_spec(LEAFLET_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise FileNotFoundError(
            "Le paquet django-js-lib-leaflet n'est pas installé : pip install -r requirements.txt."
        )
    folder = Path(locations[0]) / "static" / LEAFLET_PACKAGE
    missing = [name for name in LEAFLET_FILES if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(f"Fichiers Leaflet absents de {folder} : {', '.join(missing)}.")
    return folder


def install_static_assets(static_dir: Path | None = None) -> Path:
    """Copy Leaflet's files into ``static/leaflet`` when missing or different.

    Parameters
    ----------
    static_dir : pathlib.Path, optional
        The app's ``static`` folder (default: next to ``app.py``).

    Returns
    -------
    pathlib.Path
        The ``leaflet`` folder inside ``static_dir``.
    """
    static_dir = Path(static_dir or STATIC_DIR)
    source = leaflet_source_dir()
    target = static_dir / "leaflet"
    (target / "images").mkdir(parents=True, exist_ok=True)
    wanted = [*LEAFLET_FILES, *(f"images/{p.name}" for p in (source / "images").glob("*.png"))]
    for name in wanted:
        src, dst = source / name, target / name
        if not dst.is_file() or dst.read_bytes() != src.read_bytes():
            tmp = dst.with_suffix(dst.suffix + ".tmp")
            shutil.copyfile(src, tmp)
            tmp.replace(dst)
    return target


def asset_links(prefix: str = STATIC_URL) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The (name, url) of the scripts and style sheets the map loads, all from the app."""
    js = [
        ("leaflet", f"{prefix}/leaflet/leaflet.js"),
        ("atelierflash_carte", f"{prefix}/carte/carte.js"),
    ]
    css = [
        ("leaflet_css", f"{prefix}/leaflet/leaflet.css"),
        ("atelierflash_carte_css", f"{prefix}/carte/carte.css"),
    ]
    return js, css
