"""The map's assets, served by the app from its own origin (never a CDN).

Leaflet 1.9.4 comes from the installed PyPI package ``django-js-lib-leaflet`` (copied into
``static/leaflet`` by :func:`install_static_assets`) and the map's own code from ``static/carte``;
Streamlit serves both (``server.enableStaticServing``).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from atelierflash.ecriture import WriteError, os_reason
from atelierflash.paths import STATIC_DIR

LEAFLET_PACKAGE = "js_lib_leaflet"  # from django-js-lib-leaflet (Leaflet 1.9.4)
LEAFLET_FILES = ("leaflet.js", "leaflet.css")
#: URL of ``static/`` seen from streamlit-folium's iframe (``<base>/component/<name>/``):
#: relative, so the map also works under a ``server.baseUrlPath``.
STATIC_URL = "../../app/static"


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


#: The map's code in one file (``static/leaflet/``): its style sheet (Leaflet's and the map's,
#: put in the page by the file itself), Leaflet, then the map's code. streamlit-folium loads
#: files one after the other, and the map's frame shares the app's server with the page's
#: hundred files of Streamlit code: one file is the fewest round trips before the map draws,
#: and the style comes with the code instead of after it.
BUNDLE_JS = "carte-bundle.js"
# Put the style sheet in the frame's <head>, its relative url(...) resolved against this file's
# address (the frame's own address is the component's, elsewhere).
_STYLE_LOADER = """(function () {
  var script = document.currentScript;
  var base = script && script.src ? script.src : document.baseURI;
  var css = %s.replace(/url\\((['"]?)(images\\/[^'")]+)\\1\\)/g, function (m, q, path) {
    return "url(" + q + new URL(path, base).href + q + ")";
  });
  var style = document.createElement("style");
  style.setAttribute("data-atelierflash", "carte");
  style.textContent = css;
  document.head.appendChild(style);
})();
"""


def install_static_assets(static_dir: Path | None = None, bundle: bool = False) -> Path:
    """Copy Leaflet's files into ``static/leaflet`` when missing or different.

    Parameters
    ----------
    static_dir : pathlib.Path, optional
        The app's ``static`` folder (default: next to ``app.py``).
    bundle : bool, optional
        Also write :data:`BUNDLE_JS` and :data:`BUNDLE_CSS` (Leaflet followed by
        ``static/carte``'s code), the files the app's map loads (see :func:`asset_links`).

    Returns
    -------
    pathlib.Path
        The ``leaflet`` folder inside ``static_dir``.

    Raises
    ------
    atelierflash.ecriture.WriteError
        When a missing or outdated file cannot be written (a read-only ``static/``): a French
        message saying what to do. Files already in place are only read.
    """
    static_dir = Path(static_dir or STATIC_DIR)
    source = leaflet_source_dir()
    target = static_dir / "leaflet"
    wanted = [*LEAFLET_FILES, *(f"images/{p.name}" for p in (source / "images").glob("*.png"))]
    try:
        for name in wanted:
            _write_if_changed(target / name, (source / name).read_bytes())
        if bundle:
            _write_if_changed(target / BUNDLE_JS, _bundle(source))
    except OSError as exc:
        raise WriteError(
            f"Les fichiers de Leaflet n'ont pas pu être copiés dans {target} "
            f"({os_reason(exc)}) : la carte ne peut pas s'afficher. Donnez le droit "
            "d'écriture sur le dossier static/ au compte qui lance l'application (ou lancez-la "
            "une fois avec ce droit : les fichiers copiés suffisent ensuite)."
        ) from exc
    return target


def _bundle(source: Path) -> bytes:
    """The style loader, Leaflet and the map's code, as one script."""
    css = "\n".join(
        path.read_text(encoding="utf-8")
        for path in (source / "leaflet.css", STATIC_DIR / "carte" / "carte.css")
    )
    # json.dumps writes a JavaScript string; "</" is cut so no "</script>" can appear.
    loader = _STYLE_LOADER % json.dumps(css).replace("</", "<\\/")
    parts = [loader.encode("utf-8"), (source / "leaflet.js").read_bytes()]
    parts.append((STATIC_DIR / "carte" / "carte.js").read_bytes())
    # A newline and a semicolon between the files: each ends a statement on its own.
    return b"\n;\n".join(parts)


def _write_if_changed(dst: Path, data: bytes) -> None:
    """Replace ``dst`` atomically when its bytes differ (a server may be reading it)."""
    if dst.is_file() and dst.read_bytes() == data:
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_suffix(dst.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(dst)


def asset_links(prefix: str = STATIC_URL) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The (name, url) of the script and style sheet the app's map loads, from the app.

    One script (:data:`BUNDLE_JS`, written by :func:`install_static_assets` with
    ``bundle=True``) that also brings the style sheet: no style sheet link.
    """
    return [("atelierflash_carte", f"{prefix}/leaflet/{BUNDLE_JS}")], []
