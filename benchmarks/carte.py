"""Benchmark of the map page against a naive folium map, built in the same run.

``python -m benchmarks`` measures, for the demonstration register and for a synthetic
register ten times larger (ten seeds of the demo generator), the medians over several runs of:

- **payload**: the arguments streamlit-folium sends to the browser for the page's map (JSON,
  UTF-8 bytes);
- **build**: from the cached dataset to those arguments (map built and serialised);
- **filter change**: a new filter state to the new arguments (filters applied, map rebuilt);
- **browser**: in headless Chromium, from opening the page to the polygons being drawn;
- the requests the page sends outside the app's origin.

Two more pages put the browser figure in perspective:

- the **public map** (:mod:`atelierflash.carte.publique`), the static page to embed, exported for each
  register and served by a same-origin static server (the standard library's): the same map
  code without Streamlit. Its payload is the page's data, ``donnees.js`` and ``index.html``;
- the **Leaflet floor** (``plancher-leaflet``, both registers): Leaflet and the map's code
  drawing the same polygons from the public page's own data file (``donnees.js``), with no DSFR,
  no filters, no list, served by the same server (:mod:`benchmarks.plancher_leaflet`): the
  physical limit the public page is measured against (its budgets: at most
  :data:`PUBLIC_FLOOR_RATIO` × this floor, and :data:`PUBLIC_BUDGET_MS` in absolute);
- the **Streamlit floor** (demonstration register only): a minimal Streamlit script, one
  ``st.metric`` and an ``st_folium`` of one small polygon, whose time to that polygon is
  Streamlit's own start-up, the part of the map page's time no map code can remove.

The naive baseline is what a first folium map does: default ``folium.Map`` (OpenStreetMap
tiles, Leaflet, jQuery, Bootstrap and Font Awesome from CDNs), one ``GeoJson`` of the communes
with the package's unsimplified geometry at full precision and a ``GeoJsonTooltip``, rebuilt
entirely on each interaction and sent with ``st_folium``'s defaults. The benchmark has no
internet: the naive page's CDN requests are answered by Playwright (Leaflet from the installed
package, empty files for the rest, tiles refused), so its browser times are a lower bound.

The benchmark lives outside the library (as geopandas keeps ``benchmarks/`` beside its
package): it drives the Streamlit glue, the naive page (:mod:`benchmarks.page_naive`) and the
floor page (:mod:`benchmarks.page_plancher`, also opened as a secondary page by
:mod:`benchmarks.page_plancher_secondaire`); the library never imports it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from atelierflash import carte
from atelierflash.dataset import Dataset, RegisterSource, build_dataset
from atelierflash.filters import FilterState, apply_filters
from benchmarks.component import component_args, map_args, payload_bytes, quiet_streamlit
from benchmarks.naive import naive_map, raw_geometries, synthetic_register
from benchmarks.servers import (
    CHROMIUM_ARGS,
    ROOT,
    chromium_path,
    static_server,
    streamlit_server,
)

HERE = Path(__file__).resolve().parent
NAIVE_APP = HERE / "page_naive.py"
FLOOR_APP = HERE / "page_plancher.py"
#: The same floor opened as a secondary page (``/carte``), as the map page is.
FLOOR_SUBPAGE_APP = HERE / "page_plancher_secondaire.py"
#: The Leaflet floor's page and script, copied beside a public export to be served with it.
LEAFLET_FLOOR_DIR = HERE / "plancher_leaflet"
#: Key (and address, ``/plancher-leaflet.html``) of the Leaflet floor.
LEAFLET_FLOOR = "plancher-leaflet"


def install_leaflet_floor(folder: Path) -> str:
    """Copy the Leaflet floor beside the public export ``folder``; its path from the root.

    The floor reads the export's own ``donnees.js``, ``leaflet/`` and ``carte/``; its two files
    get their gzip copies as the export's do, so the same server serves both the same way.
    """
    from atelierflash.carte.publique import gzip_bytes

    folder = Path(folder)
    for source, name in (
        (LEAFLET_FLOOR_DIR / "index.html", f"{LEAFLET_FLOOR}.html"),
        (LEAFLET_FLOOR_DIR / f"{LEAFLET_FLOOR}.js", f"{LEAFLET_FLOOR}.js"),
    ):
        data = source.read_bytes()
        (folder / name).write_bytes(data)
        (folder / f"{name}.gz").write_bytes(gzip_bytes(data))
    return f"/{LEAFLET_FLOOR}.html"


#: What the page downloaded before the polygons were drawn (KB of 1,000 bytes, as sent: the
#: compressed bodies), from the browser's own resource timings: the document and every file
#: whose response ended before the moment :func:`page_stamp` noted.
TRANSFER_KB = """() => {
  const end = window.__afDrawnAt - performance.timeOrigin;
  const nav = performance.getEntriesByType('navigation')[0];
  let bytes = nav ? nav.encodedBodySize : 0;
  for (const e of performance.getEntriesByType('resource')) {
    if (e.responseEnd <= end) bytes += e.encodedBodySize;
  }
  return bytes / 1000;
}"""


def _median_ms(function: Callable[[], object], runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


FILTER_STATES = (
    FilterState(year_min=2023),
    FilterState(familles=("territoriales",)),
    FilterState(echelles=("communale", "intercommunale")),
    FilterState(),
)


@dataclass
class Measures:
    """The figures of one register for one page (optimised, naive, public map or floor)."""

    payload_kb: float = 0.0
    build_ms: float = 0.0
    filter_ms: float = 0.0
    browser_ms: float | None = None
    frame_ms: float | None = None
    foreign_requests: int | None = None
    notes: list[str] = field(default_factory=list)


def measure_optimised(dataset: Dataset, runs: int) -> tuple[Measures, dict]:
    """Payload, build and filter-change times of the page's map (cached dataset)."""
    quiet_streamlit()
    pool = carte.public_ateliers(dataset.ateliers)
    start = time.perf_counter()
    basemap = carte.prepare_basemap(dataset.referentiel)
    prepared = carte.prepare_communes(dataset)

    def build(ateliers=pool):
        result = carte.build_map(basemap, prepared, dataset, ateliers)
        return result, map_args(result)

    build()  # the first build also encodes the levels of detail it needs (then cached)
    prepare_ms = (time.perf_counter() - start) * 1000

    build_ms, (result, args) = _median_ms(build, runs)
    states = iter(FILTER_STATES * runs)

    def change():
        chosen = carte.public_ateliers(apply_filters(dataset.ateliers, next(states)))
        return build(chosen)

    filter_ms, _ = _median_ms(change, runs)
    measures = Measures(
        payload_kb=payload_bytes(args) / 1000, build_ms=build_ms, filter_ms=filter_ms
    )
    measures.notes.append(
        f"vue {result.vue}, {result.communes} communes"
        + (f", {result.level.label}" if result.level else "")
        + f" ; préparation (une fois par référentiel et registre, puis en cache) "
        f"{_fmt(prepare_ms)} ms"
    )
    return measures, {"vue": result.vue, "communes": result.communes, "prepare_ms": prepare_ms}


def measure_naive(dataset: Dataset, runs: int, raw: dict[str, object]) -> Measures:
    """The same figures for the naive map (rebuilt whole each time)."""
    quiet_streamlit()
    pool = carte.public_ateliers(dataset.ateliers)

    def build(ateliers=pool):
        m = naive_map(dataset, ateliers, raw)
        return component_args(m, height=640, use_container_width=True)

    build_ms, args = _median_ms(build, max(1, runs))
    states = iter(FILTER_STATES * runs)

    def change():
        return build(carte.public_ateliers(apply_filters(dataset.ateliers, next(states))))

    filter_ms, _ = _median_ms(change, max(1, runs))
    return Measures(payload_kb=payload_bytes(args) / 1000, build_ms=build_ms, filter_ms=filter_ms)


# =============================================================================================
# The public map (static export)
# =============================================================================================
#: Files of the public page that hold its data (the rest is code, the same for every register).
PUBLIC_DATA_FILES = ("donnees.js", "index.html")
#: Files of the public export a visitor never loads when opening the page (download links).
PUBLIC_DOWNLOADS = ("ateliers.csv", "ateliers.geojson", "actions.csv")


def public_data_kb(folder: Path) -> float:
    """Size of the public page's data, ``donnees.js`` plus ``index.html`` (KB of 1,000 bytes)."""
    return sum((Path(folder) / name).stat().st_size for name in PUBLIC_DATA_FILES) / 1000


def public_page_kb(folder: Path) -> float:
    """Everything the public page loads when opened: its data, Leaflet and its own code (KB).

    The downloads and Leaflet's marker images (the page draws no marker) are left out.
    """
    folder = Path(folder)
    return (
        sum(
            path.stat().st_size
            for path in folder.rglob("*")
            if path.is_file()
            and path.name not in PUBLIC_DOWNLOADS
            and path.parent.name != "images"
            and path.suffix != ".gz"  # the same files, compressed for the host
        )
        / 1000
    )


def folder_kb(folder: Path, compressed: bool = False) -> float:
    """Size of the whole export folder (KB): its files, or only their ``.gz`` copies."""
    return (
        sum(
            p.stat().st_size
            for p in Path(folder).rglob("*")
            if p.is_file() and (p.suffix == ".gz") == compressed
        )
        / 1000
    )


def measure_public(dataset: Dataset, out: Path, runs: int) -> tuple[Measures, dict]:
    """Export the public map of ``dataset`` into ``out``; its payload and export time.

    Parameters
    ----------
    dataset : Dataset
    out : pathlib.Path
        The export folder (replaced at each export; the last one stays to be served).
    runs : int
        Exports timed (median).

    Returns
    -------
    Measures
        ``payload_kb``: the page's data (:func:`public_data_kb`); ``build_ms``: one export, a
        cost paid once per register update, not per visitor.
    dict
        ``vue``, ``communes``, ``ateliers``, ``export_ms`` and ``page_kb`` (see
        :func:`public_page_kb`).
    """
    basemap = carte.prepare_basemap(dataset.referentiel)
    prepared = carte.prepare_communes(dataset)
    # The first export of the process is timed on its own: the later ones reuse the page's
    # DSFR sheet and the gzip copies of unchanged files (what a running app does).
    start = time.perf_counter()
    carte.export_public_map(dataset, basemap, prepared, out)
    first_ms = (time.perf_counter() - start) * 1000
    export_ms, exported = _median_ms(
        lambda: carte.export_public_map(dataset, basemap, prepared, out), max(1, runs)
    )
    measures = Measures(payload_kb=public_data_kb(exported.folder), build_ms=export_ms)
    page_kb = public_page_kb(exported.folder)
    whole_kb, gz_kb = folder_kb(exported.folder), folder_kb(exported.folder, compressed=True)
    measures.notes.append(
        f"carte publique : vue {exported.vue}, {exported.communes} communes ; export "
        f"{_fmt(export_ms)} ms (premier du processus {_fmt(first_ms)} ms ; une fois par "
        f"version du registre) ; page entière {_fmt(page_kb, 1)} Ko avec Leaflet et son code ; "
        f"dossier {_fmt(whole_kb, 1)} Ko, plus {_fmt(gz_kb, 1)} Ko de copies .gz"
    )
    info = {
        "vue": exported.vue,
        "communes": exported.communes,
        "ateliers": exported.ateliers,
        "export_ms": export_ms,
        "export_first_ms": first_ms,
        "page_kb": page_kb,
        "folder_kb": whole_kb,
        "folder_gz_kb": gz_kb,
    }
    return measures, info


DRAWN_OPTIMISED = (
    "() => !!(window.AF && AF.stats.ready && (AF.stats.polygons > 0 || AF.stats.overview > 0))"
)
DRAWN_NAIVE = "() => document.querySelectorAll('.leaflet-overlay-pane path').length > 0"


def _offline_cdn(route, leaflet_dir: Path) -> None:
    """Answer the naive page's third-party requests locally (no internet here)."""
    url = route.request.url
    if url.endswith("/leaflet.js"):
        route.fulfill(path=str(leaflet_dir / "leaflet.js"), content_type="application/javascript")
    elif url.endswith("/leaflet.css"):
        route.fulfill(path=str(leaflet_dir / "leaflet.css"), content_type="text/css")
    elif url.endswith(".js"):
        route.fulfill(body="", content_type="application/javascript")
    elif url.endswith(".css"):
        route.fulfill(body="", content_type="text/css")
    else:
        route.abort()


ST_FOLIUM_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def streamlit_map_frame(page, timeout_ms: int):
    """The frame of a Streamlit page's map: the ``st_folium`` component's iframe."""
    iframe = page.locator(ST_FOLIUM_IFRAME)
    iframe.wait_for(timeout=timeout_ms)
    return iframe.element_handle().content_frame()


def main_frame(page, timeout_ms: int):
    """The page itself, for a map drawn without an iframe (the public page)."""
    return page.main_frame


def foreign_requests(origin: str) -> re.Pattern:
    """The URLs outside ``origin`` (``host:port``), as a pattern Playwright's driver matches.

    A Python callable would make the driver stop every request of the page and ask Python
    whether to route it: a hundred round trips for Streamlit's chunks, about a second and a
    half added to the page's time. A regular expression is matched by the driver itself, so
    only the foreign requests are stopped.
    """
    return re.compile(rf"^(?!(https?|wss?)://{re.escape(origin)}(/|$))(https?|wss?)://")


def stamped(drawn: str) -> str:
    """``drawn`` that also notes, in the page, the moment it first holds (epoch ms).

    The time is read by the page itself on the animation frame where the polygons are there, not
    after Playwright's answer comes back: under load that round trip alone added a few hundred
    milliseconds, to every page alike.
    """
    return (
        f"() => {{ if (!({drawn})()) return false; "
        "window.__afDrawnAt = window.__afDrawnAt || performance.timeOrigin + performance.now(); "
        "return true; }"
    )


def page_stamp(drawn: str) -> str:
    """A script for every frame of the page: note the first moment ``drawn`` holds (epoch ms).

    Added with ``add_init_script``, it runs in each frame from its first byte and checks the
    predicate every 4 ms, inside the page: the moment noted no longer depends on when
    Playwright's own polling reaches the map's frame (its iframe must be found, then a script
    evaluated in it, two round trips that took up to a few hundred milliseconds under load).
    A timer, not animation frames: a ``requestAnimationFrame`` loop started with the document
    of streamlit-folium's frame stops after its first callback (Streamlit 1.67, Chromium), so
    such a loop never noted anything there. :func:`stamped` stays as the waiting condition; it
    keeps the earlier time.
    """
    return (
        "(() => { const drawn = "
        f"{drawn}; const started = performance.now(); "
        "const poll = setInterval(() => { let ok = false; try { ok = drawn(); } catch (e) {} "
        "if (ok) { window.__afDrawnAt = window.__afDrawnAt || "
        "performance.timeOrigin + performance.now(); clearInterval(poll); } "
        "else if (performance.now() - started > 180000) clearInterval(poll); }, 4); })();"
    )


#: A run opens once the machine's processors were at most this busy (share of all cores) over
#: :data:`IDLE_WINDOW_S`, or after :data:`IDLE_LIMIT_S` (then it opens anyway).
IDLE_BUSY = 0.15
IDLE_WINDOW_S = 0.1
IDLE_LIMIT_S = 5.0


def cpu_times(stat: Path = Path("/proc/stat")) -> tuple[int, int] | None:
    """``(busy, total)`` jiffies of all processors since boot (Linux), or None elsewhere."""
    try:
        fields = [int(v) for v in stat.read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def wait_for_idle_cpu(
    read: Callable[[], tuple[int, int] | None] = cpu_times,
    busy: float = IDLE_BUSY,
    window_s: float = IDLE_WINDOW_S,
    limit_s: float = IDLE_LIMIT_S,
) -> bool:
    """Wait until the processors were idle over one window; whether they were.

    Each run starts on a quiet machine: the work a closed page leaves behind (its renderer
    exiting, a Streamlit server closing the session of the page just measured) otherwise fell on
    whichever page came next in the round, always the same one (on two cores, the public page
    after the naive Streamlit page took a third longer than when measured alone).
    """
    deadline = time.monotonic() + limit_s
    before = read()
    if before is None:
        return False
    while time.monotonic() < deadline:
        time.sleep(window_s)
        after = read()
        if after is None:
            return False
        spent, total = after[0] - before[0], after[1] - before[1]
        if total > 0 and spent / total <= busy:
            return True
        before = after
    return False


#: How long the page must stay idle before the next run opens (ms).
QUIET_MS = 500
#: In the page: resolve once the app has not been running a script for :data:`QUIET_MS` in a row
#: (Streamlit's ``data-test-script-state`` on ``stApp``; a page without it, the public one, is
#: idle at once), or after ``limit`` ms. Polled on a timer inside the page.
SETTLE = """([quiet, limit]) => new Promise((resolve) => {
  const started = performance.now();
  let idleSince = null;
  const poll = setInterval(() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app ? app.getAttribute("data-test-script-state") : "notRunning";
    const now = performance.now();
    const idle = state === "notRunning" || state === "initial";
    idleSince = idle ? (idleSince === null ? now : idleSince) : null;
    if ((idleSince !== null && now - idleSince >= quiet) || now - started > limit) {
      clearInterval(poll);
      resolve(idleSince !== null && now - idleSince >= quiet);
    }
  }, 20);
})"""


def settle(page, limit_ms: int = 60_000) -> bool:
    """Wait until the page's app has stopped running scripts (:data:`QUIET_MS` in a row).

    A run is measured on an idle server: the map page draws the rest of itself once its map
    has drawn (``atelierflash.ui.progressif``), and a run closed at once left that work to the
    server while the next run opened, on the same two cores. Every page settles the same way
    (the naive and floor pages are idle at once). Returns whether the page went quiet.
    """
    return bool(page.evaluate(SETTLE, [QUIET_MS, limit_ms]))


def time_to_polygons(
    browser,
    url: str,
    drawn: str,
    runs: int,
    timeout_ms: int = 180_000,
    map_frame: Callable = streamlit_map_frame,
    transfer: list | None = None,
) -> tuple[float | None, float | None, int]:
    """Median time from opening ``url`` to ``drawn`` being true in the map's frame (ms).

    Each run uses a fresh browser context (empty cache).

    Parameters
    ----------
    browser : playwright.sync_api.Browser
    url : str
    drawn : str
        JavaScript predicate, true once the polygons are drawn (``DRAWN_*``).
    runs : int
    timeout_ms : int, optional
        Longest wait for the map's frame, then for the polygons.
    map_frame : callable, optional
        ``map_frame(page, timeout_ms)`` returns the frame the map draws in:
        :func:`streamlit_map_frame` (the default) for a Streamlit page, :func:`main_frame` for
        the public page.
    transfer : list, optional
        When given, each run that draws appends what the page downloaded before its polygons
        (KB, compressed as sent: :data:`TRANSFER_KB`).

    Returns
    -------
    tuple
        The medians of the time from opening the page and of the time from the map's frame
        starting, both to the polygons being drawn (``None`` when no run drew), and the number
        of requests made outside the page's origin during the runs.
    """
    origin = urlparse(url).netloc
    leaflet_dir = carte.leaflet_source_dir()
    times, frame_times, foreign = [], [], 0
    for _ in range(runs):
        wait_for_idle_cpu()
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
        requests: list[str] = []
        context.on("request", lambda request, seen=requests: seen.append(request.url))
        context.route(foreign_requests(origin), lambda route: _offline_cdn(route, leaflet_dir))
        context.add_init_script(page_stamp(drawn))
        page = context.new_page()
        try:
            page.goto(url)
            frame = map_frame(page, timeout_ms)
            frame.wait_for_function(stamped(drawn), polling="raf", timeout=timeout_ms)
            drawn_at, frame_origin = frame.evaluate(
                "() => [window.__afDrawnAt, performance.timeOrigin]"
            )
            opened_at = page.evaluate("() => performance.timeOrigin")
            times.append(drawn_at - opened_at)
            frame_times.append(drawn_at - frame_origin)
            if transfer is not None:
                transfer.append(frame.evaluate(TRANSFER_KB))
            if not settle(page):
                logging.getLogger(__name__).warning("la page ne s'est pas calmée : %s", url)
        except Exception as exc:  # a run that never draws is reported, not hidden
            logging.getLogger(__name__).warning("mesure navigateur échouée : %s", exc)
        finally:
            foreign += sum(1 for u in requests if urlparse(u).netloc not in (origin, ""))
            context.close()
    if not times:
        return None, None, foreign
    return statistics.median(times), statistics.median(frame_times), foreign


def measure_browsers(
    registers: dict[str, Path | None],
    runs: int,
    workdir: Path,
    public: dict[str, Path] | None = None,
    floor: bool = False,
    python: str | None = None,
    only_public: bool = False,
    transfers: dict | None = None,
) -> dict[tuple[str, str], tuple[float | None, float | None, int]]:
    """Browser figures for each register (``None``: the demo) and each map, runs interleaved.

    For each register, every page compared with another is served at once (the map page, the
    naive page, the public page and, with the demonstration register, the floor page); after a
    warm-up run of each, the measured runs go round the pages in turn. A slow minute of the
    machine then falls on every page alike instead of on the one measured during it.

    Parameters
    ----------
    registers : dict
        Register name → register file (``None``: the demonstration register).
    runs : int
        Measured rounds, after one warm-up run of each page that is not counted: a round
        measures each Streamlit page once and the static pages (:data:`STATIC_KINDS`)
        :data:`STATIC_REPEAT` times.
    workdir : pathlib.Path
        Where the servers' logs go.
    public : dict, optional
        Register name → folder of its exported public map, served by :func:`static_server`
        and measured as ``(name, "publique")``, with the Leaflet floor beside it
        (:func:`install_leaflet_floor`) as ``(name, "plancher-leaflet")``.
    floor : bool, optional
        Also measure the Streamlit floor page (:data:`FLOOR_APP`), as ``("demo", "plancher")``,
        and the same floor opened at ``/carte`` (:data:`FLOOR_SUBPAGE_APP`, informative), as
        ``("demo", "plancher-secondaire")``, beside the first register's pages.
    python : str, optional
        The interpreter of the Streamlit servers (see :func:`project_python`).
    only_public : bool, optional
        Only the public page and its Leaflet floor (no Streamlit server at all).
    transfers : dict, optional
        Filled with ``(register, kind)`` → the median of what the public page and the Leaflet
        floor downloaded before their polygons (KB, compressed as sent).

    Returns
    -------
    dict
        ``(register, kind)`` → the medians and the foreign requests, as :func:`time_to_polygons`
        returns them.
    """
    from playwright.sync_api import sync_playwright

    chromium = chromium_path()
    if chromium is None:
        raise FileNotFoundError("Chromium est introuvable (paquet Debian « chromium »).")
    public = public or {}
    results: dict[tuple[str, str], tuple[float | None, float | None, int]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        try:
            for index, (name, register) in enumerate(registers.items()):
                with contextlib.ExitStack() as servers:
                    pages = _serve_pages(
                        servers,
                        browser,
                        name,
                        register,
                        workdir,
                        public.get(name),
                        floor and index == 0,
                        python,
                        only_public,
                    )
                    results.update(_interleaved(browser, pages, runs, transfers))
        finally:
            browser.close()
    return results


def _serve_pages(
    servers, browser, name, register, workdir, public_dir, floor, python, only_public=False
) -> list:
    """Start the servers of one register's pages; ``[(key, url, drawn, map_frame)]``."""
    env = {k: v for k, v in os.environ.items() if k != "ATELIERFLASH_REGISTRE"}
    if register is not None:
        env["ATELIERFLASH_REGISTRE"] = str(register)
    pages = []

    def streamlit_page(key, script, path, drawn, env, home=False):
        log = workdir / f"serveur-{key[0]}-{key[1]}.log"
        base = servers.enter_context(streamlit_server(script, env, log, python=python))
        if home:  # a multipage app: its navigation known to the server before the page opens
            _open_home(browser, base)
        pages.append((key, base + path, drawn, streamlit_map_frame))

    if not only_public:
        streamlit_page(
            (name, "optimise"), ROOT / "app.py", "/carte", DRAWN_OPTIMISED, env, home=True
        )
        streamlit_page((name, "naif"), NAIVE_APP, "/", DRAWN_NAIVE, env)
    if public_dir is not None:
        floor_path = install_leaflet_floor(public_dir)
        base = servers.enter_context(static_server(public_dir))
        pages.append(((name, "publique"), base + "/", DRAWN_OPTIMISED, main_frame))
        pages.append(((name, LEAFLET_FLOOR), base + floor_path, DRAWN_OPTIMISED, main_frame))
    if floor and not only_public:
        env = {k: v for k, v in env.items() if k != "ATELIERFLASH_REGISTRE"}
        streamlit_page(("demo", "plancher"), FLOOR_APP, "/", DRAWN_NAIVE, env)
        streamlit_page(
            ("demo", SUBPAGE_FLOOR), FLOOR_SUBPAGE_APP, "/carte", DRAWN_NAIVE, env, home=True
        )
    return pages


#: The static server's pages: the public page and its Leaflet floor. Their download before the
#: polygons is measured, and each round measures them :data:`STATIC_REPEAT` times.
STATIC_KINDS = ("publique", LEAFLET_FLOOR)
#: Measures of the static pages per round. One takes about a second where a Streamlit page takes
#: several, and their budget is the ratio of two medians near 300 ms, while one load differs from
#: the next by 30 to 60 ms on a two-core machine: with five measures, the ratio of the medians
#: moved from 1.05 to 1.36 between runs of the same code. Three per round triple their samples
#: for a few more seconds.
STATIC_REPEAT = 3


def _round(pages: list) -> list:
    """One round of measures: each page once, the static pages :data:`STATIC_REPEAT` times.

    The static pages (public page, floor) are repeated where the first of them stands, so they
    alternate.
    """
    static = [page for page in pages if page[0][1] in STATIC_KINDS]
    others = [page for page in pages if page[0][1] not in STATIC_KINDS]
    at = pages.index(static[0]) if static else len(pages)
    return others[:at] + static * STATIC_REPEAT + others[at:]


def _interleaved(browser, pages: list, runs: int, transfers: dict | None = None) -> dict:
    """One warm-up run of each page (the server loads its data), then ``runs`` rounds."""
    for _, url, drawn, frame_of in pages:
        time_to_polygons(browser, url, drawn, 1, map_frame=frame_of)
    measured: dict = {key: [] for key, *_ in pages}
    sent: dict = {key: [] for key, *_ in pages if key[1] in STATIC_KINDS}
    one_round = _round(pages)
    for _ in range(runs):
        for key, url, drawn, frame_of in one_round:
            kwargs = {"transfer": sent[key]} if key in sent else {}
            measured[key].append(
                time_to_polygons(browser, url, drawn, 1, map_frame=frame_of, **kwargs)
            )
    if transfers is not None:
        transfers.update({key: statistics.median(kb) for key, kb in sent.items() if kb})
    out = {}
    for key, results in measured.items():
        drawn_runs = [r for r in results if r[0] is not None]
        foreign = sum(r[2] for r in results)
        if not drawn_runs:
            out[key] = (None, None, foreign)
            continue
        out[key] = (
            statistics.median(r[0] for r in drawn_runs),
            statistics.median(r[1] for r in drawn_runs),
            foreign,
        )
    return out


def _open_home(browser, base: str) -> None:
    """Open the home page once, so that the app's navigation is known to the server."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(base + "/")
        page.locator('[data-testid="stMetric"]').first.wait_for(timeout=180_000)
    finally:
        context.close()


# =============================================================================================
# The whole benchmark
# =============================================================================================
def project_python(root: Path = ROOT) -> Path | None:
    """The interpreter of the setup the README creates: ``.venv/bin/python`` inside the project.

    The benchmark starts its Streamlit servers with it, so that what a user who follows the
    README gets is what is measured: a virtual environment inside the project once made
    Streamlit's file watcher register every imported module (0.8 s on the map page).
    """
    candidate = Path(root) / ".venv" / "bin" / "python"
    return candidate if candidate.exists() else None


def server_setup(python: str | Path, root: Path = ROOT) -> dict:
    """What the servers run with: the interpreter, its ``sys.prefix``, the file watcher.

    Returns
    -------
    dict
        ``python``, ``prefix``, ``inside`` (the environment lies inside the project, as the
        README makes it) and ``watcher`` (``server.fileWatcherType`` as Streamlit reads it from
        the project's configuration).
    """
    code = (
        "import sys, os; os.chdir(sys.argv[1]); from streamlit import config; "
        "print(sys.prefix); print(config.get_option('server.fileWatcherType'))"
    )
    result = subprocess.run(
        [str(python), "-c", code, str(root)], capture_output=True, text=True, check=True
    )
    prefix, watcher = result.stdout.split()[-2:]
    inside = Path(prefix).absolute().is_relative_to(Path(root).absolute())
    return {"python": str(python), "prefix": prefix, "inside": inside, "watcher": watcher}


def run(
    runs: int = 7,
    scale: int = 10,
    browser: bool = True,
    out=sys.stdout,
    python: str | Path | None = None,
    only: str | None = None,
) -> dict:
    """Measure everything and print the table; returns the raw figures.

    Parameters
    ----------
    runs, scale : int
        Measures per figure (medians) and size of the synthetic register (×N the demo).
    browser : bool
        Measure in Chromium too.
    out : file
        Where the table goes.
    python : str or pathlib.Path, optional
        The servers' interpreter; default :func:`project_python`, else this one (the table
        says so).
    only : str, optional
        ``"publique"``: only the public page and its Leaflet floor (no Streamlit page, no
        in-memory measure of the app's map), for its budgets alone.
    """
    from atelierflash.dataset import register_sources
    from atelierflash.programme import load_programme
    from atelierflash.referentiel import load_referentiel

    referentiel = load_referentiel()
    programme = load_programme()
    python = str(python or project_python() or sys.executable)
    setup = server_setup(python)
    figures: dict = {}
    with tempfile.TemporaryDirectory(prefix="atelierflash-bench-") as tmp:
        workdir = Path(tmp)
        print("Jeu de démonstration…", file=sys.stderr)
        demo = build_dataset(register_sources()["demo"], referentiel, programme)
        big_path = workdir / f"registre_x{scale}.csv"
        print(f"Registre synthétique ×{scale}…", file=sys.stderr)
        synthetic_register(referentiel, programme, scale).to_csv(big_path, index=False)
        big = build_dataset(
            RegisterSource("bench", f"Synthétique ×{scale} (fictif)", big_path, fictif=True),
            referentiel,
            programme,
        )
        datasets = {"demo": demo, f"x{scale}": big}
        codes = set(demo.atelier_communes["code"]) | set(big.atelier_communes["code"])
        raw = None
        if only != "publique":
            print("Géométries brutes du paquet (référence naïve)…", file=sys.stderr)
            raw = raw_geometries(codes)
        public_dirs: dict[str, Path] = {}
        for name, dataset in datasets.items():
            figures[name] = {"ateliers": len(carte.public_ateliers(dataset.ateliers))}
            if only != "publique":
                print(f"Mesures en mémoire : {name}…", file=sys.stderr)
                optimised, info = measure_optimised(dataset, runs)
                naive = measure_naive(dataset, max(1, min(runs, 3)), raw)
                figures[name].update({"optimise": optimised, "naif": naive, "info": info})
            print(f"Carte publique : {name}…", file=sys.stderr)
            public_dirs[name] = workdir / f"publique-{name}"
            public, public_info = measure_public(dataset, public_dirs[name], runs)
            figures[name].update({"publique": public, "info_publique": public_info})
        if browser:
            print("Mesures dans Chromium…", file=sys.stderr)
            # The floors are pages, not maps of the register: only their browser figures exist.
            for name in figures:
                figures[name][LEAFLET_FLOOR] = Measures(
                    payload_kb=None, build_ms=None, filter_ms=None
                )
            if only != "publique":
                for kind in ("plancher", SUBPAGE_FLOOR):
                    figures["demo"][kind] = Measures(payload_kb=None, build_ms=None, filter_ms=None)
            transfers: dict = {}
            results = measure_browsers(
                {"demo": None, f"x{scale}": big_path},
                runs,
                workdir,
                public=public_dirs,
                floor=True,
                python=python,
                only_public=only == "publique",
                transfers=transfers,
            )
            for (name, kind), (ms, frame_ms, foreign) in results.items():
                figures[name][kind].browser_ms = ms
                figures[name][kind].frame_ms = frame_ms
                figures[name][kind].foreign_requests = foreign
            for (name, kind), kb in transfers.items():
                if kind == "publique":
                    figures[name]["info_publique"]["transfer_kb"] = kb
                else:
                    figures[name][kind].payload_kb = kb
    print(format_table(figures, runs, scale, setup), file=out)
    return figures


def _ratio(naive: float | None, optimised: float | None) -> str:
    if not naive or not optimised:
        return "–"
    return "×" + f"{naive / optimised:.1f}".replace(".", ",")


def _fmt(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "échec"
    return f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")


PUBLIC_LABEL = "carte publique intégrable"
FLOOR_LABEL = "plancher Streamlit (un st.metric, un st_folium d'un polygone)"
#: Key and label of the same floor opened as a secondary page (informative: no budget uses it).
SUBPAGE_FLOOR = "plancher-secondaire"
SUBPAGE_FLOOR_LABEL = "le même plancher, ouvert en page secondaire (/carte)"


#: Budgets of the map page, checked on the figures of one run (limits in the same units).
PAYLOAD_BUDGET_KB = 200.0
PAYLOAD_SCALE_RATIO = 2.0
#: The map page at most this ratio × the Streamlit floor, on every register (the floor does not
#: depend on the register: it is measured once, on the demonstration register's round).
FLOOR_RATIO = 1.2
#: Budgets of the public page: opening → polygons (ms) and what it downloads before them (KB,
#: compressed), for the demonstration register and for the larger one; the same time at most
#: this ratio × the Leaflet floor; one export of the larger register (ms).
PUBLIC_BUDGET_MS = (400.0, 500.0)
PUBLIC_TRANSFER_KB = (500.0, 1200.0)
PUBLIC_FLOOR_RATIO = 1.25
PUBLIC_EXPORT_MS = 3000.0
LEAFLET_FLOOR_LABEL = (
    "plancher Leaflet (mêmes polygones, même donnees.js, sans DSFR ni filtres, même serveur)"
)


@dataclass(frozen=True)
class Budget:
    """One budget of the map page and what the run measured against it."""

    label: str
    measured: str
    limit: str
    met: bool | None  # None: not measured in this run (e.g. without the browser)


def _budget(
    label: str,
    value: float | None,
    limit: float | None,
    text: str,
    strict: bool = False,
    digits: int = 0,
) -> Budget:
    """``value`` against ``limit`` (``<`` when ``strict``, else ``≤``); unmeasured: met None."""
    if value is None or limit is None:
        return Budget(label, "–" if value is None else _fmt(value, digits), text, None)
    met = value < limit if strict else value <= limit
    return Budget(label, _fmt(value, digits), f"{text} ({_fmt(limit, digits)})", met)


def budgets(figures: dict) -> list[Budget]:
    """The budgets of the map page, each against the figures of the same run.

    - map page, opening → polygons: faster than the naive page on every register, and at most
      :data:`FLOOR_RATIO` × the Streamlit floor (measured with the demonstration register; it
      does not depend on the register) on every register;
    - map frame → polygons: faster than the naive page on every register;
    - payload: at most :data:`PAYLOAD_BUDGET_KB` on the demonstration register, and the largest
      register at most :data:`PAYLOAD_SCALE_RATIO` × that.

    Parameters
    ----------
    figures : dict
        As returned by :func:`run` (``demo`` first, then the synthetic register).

    Returns
    -------
    list of Budget
        ``met`` is None for a figure this run did not measure (never counted as met).
    """
    out: list[Budget] = []
    names = list(figures)
    out.extend(public_budgets(figures))
    if "optimise" not in figures[names[0]]:
        return out  # the public page alone (--only publique)
    for name in names:
        opt, naive = figures[name]["optimise"], figures[name]["naif"]
        out.append(
            _budget(
                f"{name} : page carte, ouverture → polygones (ms)",
                opt.browser_ms,
                naive.browser_ms,
                "< page naïve",
                strict=True,
            )
        )
        out.append(
            _budget(
                f"{name} : cadre de la carte → polygones (ms)",
                opt.frame_ms,
                naive.frame_ms,
                "< page naïve",
                strict=True,
            )
        )
    demo = figures[names[0]]
    floor = demo.get("plancher")
    floor_ms = floor.browser_ms if floor is not None else None
    for name in names:
        out.append(
            _budget(
                f"{name} : page carte, ouverture → polygones (ms) ≤ {_fmt(FLOOR_RATIO, 1)} × plancher",
                figures[name]["optimise"].browser_ms,
                FLOOR_RATIO * floor_ms if floor_ms else None,
                f"≤ {_fmt(FLOOR_RATIO, 1)} × plancher",
            )
        )
    base_kb = demo["optimise"].payload_kb
    out.append(
        _budget(f"{names[0]} : charge utile (Ko)", base_kb, PAYLOAD_BUDGET_KB, "≤ 200 Ko", digits=1)
    )
    for name in names[1:]:
        kb = figures[name]["optimise"].payload_kb
        out.append(
            _budget(
                f"{name} : charge utile (Ko) ≤ {_fmt(PAYLOAD_SCALE_RATIO, 0)} × {names[0]}",
                kb,
                PAYLOAD_SCALE_RATIO * base_kb if base_kb else None,
                f"≤ {_fmt(PAYLOAD_SCALE_RATIO, 0)} × {names[0]}",
                digits=1,
            )
        )
    return out


def public_budgets(figures: dict) -> list[Budget]:
    """The public page's budgets, each against the figures of the same run.

    - opening → polygons at most :data:`PUBLIC_BUDGET_MS` (the demonstration register, then
      the larger ones) and at most :data:`PUBLIC_FLOOR_RATIO` × the Leaflet floor measured in
      the same rounds;
    - downloaded before the polygons (compressed, as sent) at most :data:`PUBLIC_TRANSFER_KB`;
    - one export of each larger register at most :data:`PUBLIC_EXPORT_MS`.
    """
    out: list[Budget] = []
    for i, name in enumerate(figures):
        data = figures[name]
        pub, floor = data.get("publique"), data.get(LEAFLET_FLOOR)
        if pub is None:
            continue
        info = data.get("info_publique", {})
        scale = 0 if i == 0 else 1
        limit = PUBLIC_BUDGET_MS[scale]
        out.append(
            _budget(
                f"{name} : carte publique, ouverture → polygones (ms)",
                pub.browser_ms,
                limit,
                f"≤ {_fmt(limit)} ms",
            )
        )
        floor_ms = floor.browser_ms if floor is not None else None
        out.append(
            _budget(
                f"{name} : carte publique, ouverture → polygones (ms) ≤ "
                f"{_fmt(PUBLIC_FLOOR_RATIO, 2)} × plancher Leaflet",
                pub.browser_ms,
                PUBLIC_FLOOR_RATIO * floor_ms if floor_ms else None,
                f"≤ {_fmt(PUBLIC_FLOOR_RATIO, 2)} × plancher Leaflet",
            )
        )
        kb = PUBLIC_TRANSFER_KB[scale]
        out.append(
            _budget(
                f"{name} : carte publique, téléchargé avant les polygones (Ko, compressé)",
                info.get("transfer_kb"),
                kb,
                f"≤ {_fmt(kb)} Ko",
                digits=1,
            )
        )
        if i > 0:
            out.append(
                _budget(
                    f"{name} : export de la carte publique (ms)",
                    info.get("export_ms"),
                    PUBLIC_EXPORT_MS,
                    f"≤ {_fmt(PUBLIC_EXPORT_MS)} ms",
                )
            )
    return out


def budget_table(figures: dict) -> list[str]:
    """The budgets as a Markdown table: measured, limit, met (« oui », « NON », « non mesuré »)."""
    lines = ["| budget | mesuré | limite | tenu |", "|---|---:|---|---|"]
    for b in budgets(figures):
        met = "non mesuré" if b.met is None else ("oui" if b.met else "NON")
        lines.append(f"| {b.label} | {b.measured} | {b.limit} | {met} |")
    return lines


def setup_lines(setup: dict | None) -> list[str]:
    """The servers' setup, first in the output: the interpreter and the file watcher."""
    if not setup:
        return []
    where = (
        "dans le projet, comme le README l'installe"
        if setup["inside"]
        else "HORS du projet : ce n'est pas l'installation du README"
    )
    return [
        f"Serveurs Streamlit : {setup['python']} (environnement {setup['prefix']}, {where}) ; "
        f"server.fileWatcherType = {setup['watcher']}.",
        "",
    ]


def format_table(figures: dict, runs: int, scale: int, setup: dict | None = None) -> str:
    """The Markdown table of the medians, each optimised figure beside the naive one.

    Parameters
    ----------
    figures : dict
        Register name → ``ateliers``, ``optimise`` and ``naif`` (:class:`Measures`), and
        optionally ``publique`` (the public page) and ``plancher`` (the Streamlit floor).
    runs, scale : int
        As given to :func:`run` (for the headings).
    setup : dict, optional
        From :func:`server_setup`, printed first.

    Returns
    -------
    str
        The setup, the table, the summary lines, then the budgets and whether each is met. The
        public page's and the floor's figures are in the « carte optimisée » column, on rows of
        their own.
    """
    lines = [
        *setup_lines(setup),
        f"Médianes sur {runs} mesures ({runs * STATIC_REPEAT} pour la carte publique et son "
        f"plancher Leaflet ; référence naïve : {min(runs, 3)} en mémoire). "
        "Ratio = naïf / optimisé.",
        f"Lignes « {PUBLIC_LABEL} » (page statique exportée, sans Streamlit) et "
        f"« {FLOOR_LABEL} » : leur chiffre est dans la colonne « carte optimisée ».",
        "",
        "| registre | mesure | carte optimisée | carte naïve | ratio |",
        "|---|---|---:|---:|---:|",
    ]
    for name, data in figures.items():
        opt, naive = data.get("optimise"), data.get("naif")
        label = f"{name} ({data['ateliers']} ateliers)"
        if opt is None:  # the public page alone (--only publique)
            lines.extend(_public_rows(label, data.get("publique"), None))
            lines.extend(_leaflet_floor_rows(label, data))
            continue
        rows = [
            ("charge utile (Ko)", opt.payload_kb, naive.payload_kb, 1),
            ("construction (ms)", opt.build_ms, naive.build_ms, 0),
            ("changement de filtre (ms)", opt.filter_ms, naive.filter_ms, 0),
            ("navigateur : ouverture → polygones (ms)", opt.browser_ms, naive.browser_ms, 0),
            ("navigateur : cadre de la carte → polygones (ms)", opt.frame_ms, naive.frame_ms, 0),
        ]
        for metric, a, b, digits in rows:
            lines.append(
                f"| {label} | {metric} | {_fmt(a, digits)} | {_fmt(b, digits)} | {_ratio(b, a)} |"
            )
        if opt.foreign_requests is not None:
            lines.append(
                f"| {label} | requêtes hors de l'origine | {opt.foreign_requests} | "
                f"{naive.foreign_requests} | – |"
            )
        for note in opt.notes:
            lines.append(f"| {label} | note | {note} | | |")
        lines.extend(_public_rows(label, data.get("publique"), naive))
        lines.extend(_leaflet_floor_rows(label, data))
        lines.extend(_floor_rows(label, data.get("plancher")))
        lines.extend(_floor_rows(label, data.get(SUBPAGE_FLOOR), SUBPAGE_FLOOR_LABEL))
    names = list(figures)
    if len(names) == 2 and all("optimise" in figures[n] for n in names):
        base, big = (figures[n]["optimise"].payload_kb for n in names)
        lines.append("")
        lines.append(
            f"Vue nationale ×{scale} : {_fmt(big, 1)} Ko, soit {_fmt(big / base, 2)} fois la charge "
            f"du registre de démonstration (objectif ≤ 2)."
        )
    lines.extend(_floor_summary(figures))
    lines.extend(["", "Budgets (mêmes mesures, même exécution) :", "", *budget_table(figures)])
    return "\n".join(lines)


def _public_rows(label: str, pub: Measures | None, naive: Measures | None) -> list[str]:
    """The public page's rows: its data against the naive payload, its browser time."""
    if pub is None:
        return []
    measured = naive is not None
    if naive is None:  # not measured in this run (--only publique): an empty naive column
        naive = Measures(payload_kb=None, build_ms=None, filter_ms=None)

    def other(value, digits=0):
        return _fmt(value, digits) if measured else ""

    rows = [
        f"| {label} | {PUBLIC_LABEL} : données, donnees.js + index.html (Ko) | "
        f"{_fmt(pub.payload_kb, 1)} | {other(naive.payload_kb, 1)} | "
        f"{_ratio(naive.payload_kb, pub.payload_kb)} |"
    ]
    # Browser rows only when the browser was run (no « échec » for a measure never attempted).
    if pub.foreign_requests is not None:
        rows.append(
            f"| {label} | {PUBLIC_LABEL} : navigateur, ouverture → polygones (ms) | "
            f"{_fmt(pub.browser_ms)} | {other(naive.browser_ms)} | "
            f"{_ratio(naive.browser_ms, pub.browser_ms)} |"
        )
        rows.append(
            f"| {label} | {PUBLIC_LABEL} : requêtes hors de l'origine | "
            f"{pub.foreign_requests} | {_fmt_count(naive.foreign_requests)} | – |"
        )
    rows.extend(f"| {label} | note | {note} | | |" for note in pub.notes)
    return rows


def _leaflet_floor_rows(label: str, data: dict) -> list[str]:
    """The Leaflet floor's rows, the public page's ratio to it and what each downloaded."""
    floor, pub = data.get(LEAFLET_FLOOR), data.get("publique")
    if floor is None or floor.foreign_requests is None:
        return []
    transfer = data.get("info_publique", {}).get("transfer_kb")
    ratio = (
        _fmt(pub.browser_ms / floor.browser_ms, 2)
        if pub is not None and pub.browser_ms and floor.browser_ms
        else "–"
    )
    return [
        f"| {label} | {LEAFLET_FLOOR_LABEL} : navigateur, ouverture → polygones (ms) | "
        f"{_fmt(floor.browser_ms)} | | – |",
        f"| {label} | {PUBLIC_LABEL} / plancher Leaflet (ouverture → polygones) | {ratio} | | – |",
        f"| {label} | {PUBLIC_LABEL} : téléchargé avant les polygones (Ko, compressé) | "
        f"{_fmt(transfer, 1) if transfer is not None else '–'} | | – |",
        f"| {label} | {LEAFLET_FLOOR_LABEL} : téléchargé avant les polygones (Ko, compressé) | "
        f"{_fmt(floor.payload_kb, 1) if floor.payload_kb is not None else '–'} | | – |",
        f"| {label} | {LEAFLET_FLOOR_LABEL} : requêtes hors de l'origine | "
        f"{floor.foreign_requests} | | – |",
    ]


def _floor_rows(label: str, floor: Measures | None, name: str = FLOOR_LABEL) -> list[str]:
    """The Streamlit floor's rows (no naive counterpart, so no ratio)."""
    if floor is None or floor.foreign_requests is None:
        return []
    return [
        f"| {label} | {name} : navigateur, ouverture → polygone (ms) | "
        f"{_fmt(floor.browser_ms)} | | – |",
        f"| {label} | {name} : navigateur, cadre de la carte → polygone (ms) | "
        f"{_fmt(floor.frame_ms)} | | – |",
        # folium's defaults, as on the naive page: CDN files answered locally, tiles refused.
        f"| {label} | {name} : requêtes hors de l'origine (CDN de folium, servies "
        f"localement) | {floor.foreign_requests} | | – |",
    ]


def _floor_summary(figures: dict) -> list[str]:
    """What the floor says: the share of the map page's time that is Streamlit's start-up."""
    lines = []
    for name, data in figures.items():
        floor, opt, pub = data.get("plancher"), data.get("optimise"), data.get("publique")
        if floor is None or opt is None or not floor.browser_ms or not opt.browser_ms:
            continue
        share = f"{100 * floor.browser_ms / opt.browser_ms:.0f}".replace(".", ",")
        line = (
            f"Plancher Streamlit ({name}) : une page Streamlit minimale montre son polygone en "
            f"{_fmt(floor.browser_ms)} ms, soit {share} % des {_fmt(opt.browser_ms)} ms de la "
            "page carte : c'est le démarrage de Streamlit, qu'aucun code de carte ne retire."
        )
        if pub is not None and pub.browser_ms:
            line += (
                f" La carte publique intégrable, sans Streamlit, dessine ses polygones en "
                f"{_fmt(pub.browser_ms)} ms."
            )
        lines.extend(["", line])
        sub = data.get(SUBPAGE_FLOOR)
        if sub is not None and sub.browser_ms:
            lines.extend(
                [
                    "",
                    f"Ouvert en page secondaire (/carte, comme la page carte), le même plancher "
                    f"montre son polygone en {_fmt(sub.browser_ms)} ms "
                    f"({_signed(sub.browser_ms - floor.browser_ms)} ms ; Streamlit y cherche "
                    "d'abord son serveur sous /carte, streamlit/streamlit#7074) ; la page carte "
                    f"en fait {_fmt(opt.browser_ms / sub.browser_ms, 2)} fois le temps.",
                ]
            )
    return lines


def _signed(value: float) -> str:
    return ("+" if value >= 0 else "−") + _fmt(abs(value))


def _fmt_count(value: int | None) -> str:
    return "–" if value is None else str(value)


def to_json(figures: dict) -> str:
    """The raw figures as JSON."""

    def plain(value):
        if isinstance(value, Measures):
            return value.__dict__
        raise TypeError(type(value).__name__)

    return json.dumps(figures, default=plain, ensure_ascii=False, indent=2)
