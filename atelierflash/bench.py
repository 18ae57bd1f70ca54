"""Benchmark of the map page against a naive folium map, built in the same run.

``python -m atelierflash bench`` measures, for the demonstration register and for a synthetic
register ten times larger (ten seeds of the demo generator), the medians over several runs of:

- **payload**: the arguments streamlit-folium sends to the browser for the page's map (JSON,
  UTF-8 bytes);
- **build**: from the cached dataset to those arguments (map built and serialised);
- **filter change**: a new filter state to the new arguments (filters applied, map rebuilt);
- **browser**: in headless Chromium, from opening the page to the polygons being drawn;
- the requests the page sends outside the app's origin.

The naive baseline is what a first folium map does: default ``folium.Map`` (OpenStreetMap
tiles, Leaflet, jQuery, Bootstrap and Font Awesome from CDNs), one ``GeoJson`` of the communes
with the package's unsimplified geometry at full precision and a ``GeoJsonTooltip``, rebuilt
entirely on each interaction and sent with ``st_folium``'s defaults. The benchmark has no
internet: the naive page's CDN requests are answered by Playwright (Leaflet from the installed
package, empty files for the rest, tiles refused), so its browser times are a lower bound.

The library stays free of Streamlit: the two Streamlit pieces the benchmark drives (the
serialisation of ``st_folium`` and the naive page) live in :mod:`atelierflash.ui` and are
imported only when the benchmark runs.
"""

from __future__ import annotations

import contextlib
import json
import logging
import lzma
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import folium
import geopandas as gpd
import pandas as pd

from atelierflash import _geo, cartes, exports
from atelierflash.dataset import Dataset, RegisterSource, build_dataset
from atelierflash.filters import FilterState, apply_filters

ROOT = Path(__file__).resolve().parent.parent
NAIVE_APP = Path(__file__).resolve().parent / "ui" / "bench_naive.py"
ENV_RAW = "ATELIERFLASH_BENCH_RAW"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]


# =============================================================================================
# Data
# =============================================================================================
def synthetic_register(referentiel, programme, scale: int = 10, seed: int = 2019) -> pd.DataFrame:
    """``scale`` demonstration registers of consecutive seeds, identifiers made unique."""
    from atelierflash.demo import generate_demo

    frames = []
    for i in range(scale):
        frame = generate_demo(referentiel, programme, seed + i)
        frame["id"] = frame["id"] + f"-S{i:02d}"
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def raw_geometries(codes=None) -> dict[str, object]:
    """The package's own commune geometries (unsimplified, full precision), by INSEE code."""
    from atelierflash.referentiel import source_dir

    with lzma.open(source_dir() / "communes.csv.lzma") as handle:
        frame = pd.read_csv(
            handle,
            dtype=str,
            keep_default_na=False,
            na_values=[r"\N"],
            usecols=["code", "type", "geometry"],
        )
    frame = frame[frame["type"].isin(("COM", "ARM"))]
    if codes is not None:
        frame = frame[frame["code"].isin(set(codes))]
    geoms = _geo.from_hex_wkb(frame["geometry"].to_numpy())
    return dict(zip(frame["code"], geoms, strict=True))


# =============================================================================================
# The naive map
# =============================================================================================
def naive_map(dataset: Dataset, ateliers: pd.DataFrame, raw: dict[str, object]) -> folium.Map:
    """A first folium map: defaults everywhere, full geometry, tooltip fields per commune.

    For the benchmark only: like most folium maps, it puts register text into folium's
    templates unescaped.
    """
    programme = dataset.programme
    links = dataset.atelier_communes
    links = links[links["atelier_id"].isin(set(ateliers["id"]))]
    info = ateliers.set_index("id")
    rows = []
    for code, group in links.groupby("code", sort=False):
        ids = list(group["atelier_id"])
        rows.append(
            {
                "code": code,
                "commune": str(group["nom"].iloc[0]),
                "ateliers": " | ".join(str(info.loc[i, "titre"]) for i in ids),
                "annees": " | ".join(
                    "" if pd.isna(info.loc[i, "annee"]) else str(info.loc[i, "annee"]) for i in ids
                ),
                "themes": " | ".join(
                    "; ".join(programme.themes.label_of(t) for t in info.loc[i, "themes"])
                    for i in ids
                ),
                "geometry": raw.get(code),
            }
        )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    frame = frame[frame.geometry.notna()]
    m = folium.Map(location=[46.6, 2.4], zoom_start=6)
    if len(frame):
        folium.GeoJson(
            frame.to_json(),
            name="Ateliers",
            tooltip=folium.GeoJsonTooltip(["commune", "ateliers", "annees", "themes"]),
        ).add_to(m)
    return m


# =============================================================================================
# In-process measures
# =============================================================================================
def _quiet_streamlit() -> None:
    """Outside a running app, Streamlit warns about its missing context on each call."""
    import importlib

    importlib.import_module("streamlit.runtime.scriptrunner_utils.script_run_context")
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)


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
    """The figures of one register for one map (optimised or naive)."""

    payload_kb: float = 0.0
    build_ms: float = 0.0
    filter_ms: float = 0.0
    browser_ms: float | None = None
    frame_ms: float | None = None
    foreign_requests: int | None = None
    notes: list[str] = field(default_factory=list)


def measure_optimised(dataset: Dataset, runs: int) -> tuple[Measures, dict]:
    """Payload, build and filter-change times of the page's map (cached dataset)."""
    from atelierflash.ui import carte as ui

    _quiet_streamlit()
    pool = exports.public_ateliers(dataset.ateliers)
    start = time.perf_counter()
    basemap = cartes.prepare_basemap(dataset.referentiel)
    prepared = cartes.prepare_communes(dataset)

    def build(ateliers=pool):
        result = cartes.build_map(basemap, prepared, dataset, ateliers)
        return result, ui.map_args(result)

    build()  # the first build also encodes the levels of detail it needs (then cached)
    prepare_ms = (time.perf_counter() - start) * 1000

    build_ms, (result, args) = _median_ms(build, runs)
    states = iter(FILTER_STATES * runs)

    def change():
        chosen = exports.public_ateliers(apply_filters(dataset.ateliers, next(states)))
        return build(chosen)

    filter_ms, _ = _median_ms(change, runs)
    measures = Measures(
        payload_kb=ui.payload_bytes(args) / 1000, build_ms=build_ms, filter_ms=filter_ms
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
    from atelierflash.ui import carte as ui

    _quiet_streamlit()
    pool = exports.public_ateliers(dataset.ateliers)

    def build(ateliers=pool):
        m = naive_map(dataset, ateliers, raw)
        return ui.component_args(m, height=640, use_container_width=True)

    build_ms, args = _median_ms(build, max(1, runs))
    states = iter(FILTER_STATES * runs)

    def change():
        return build(exports.public_ateliers(apply_filters(dataset.ateliers, next(states))))

    filter_ms, _ = _median_ms(change, max(1, runs))
    return Measures(
        payload_kb=ui.payload_bytes(args) / 1000, build_ms=build_ms, filter_ms=filter_ms
    )


# =============================================================================================
# Browser measures
# =============================================================================================
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(script: Path, env: dict[str, str], log: Path) -> Iterator[str]:
    """``streamlit run script`` on a free port; yields the base URL once healthy.

    The one server starter of the project: the benchmark and the browser tests both use it.
    """
    port = _free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(script),
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"le serveur Streamlit s'est arrêté ; journal : {log}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)  # polling interval
        else:
            raise TimeoutError(f"Streamlit n'a pas répondu sur {url} en 120 s ; journal : {log}")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


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


def time_to_polygons(
    browser, url: str, drawn: str, runs: int, timeout_ms: int = 180_000
) -> tuple[float | None, int]:
    """Median time from opening ``url`` to ``drawn`` being true in the map's frame (ms).

    Each run uses a fresh browser context (empty cache). Returns the medians of the time from
    opening the page and of the time from the map's frame starting, both to the polygons being
    drawn, and the number of requests made outside the app's origin during the runs.
    """
    origin = urlparse(url).netloc
    leaflet_dir = cartes.leaflet_source_dir()
    times, frame_times, foreign = [], [], 0
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
        requests: list[str] = []
        context.on("request", lambda request, seen=requests: seen.append(request.url))
        context.route(
            lambda u: urlparse(u).netloc not in (origin, ""),
            lambda route: _offline_cdn(route, leaflet_dir),
        )
        page = context.new_page()
        try:
            page.goto(url)
            iframe = page.locator('iframe[title="streamlit_folium.st_folium"]')
            iframe.wait_for(timeout=timeout_ms)
            frame = iframe.element_handle().content_frame()
            frame.wait_for_function(drawn, polling="raf", timeout=timeout_ms)
            drawn_at = frame.evaluate("() => performance.timeOrigin + performance.now()")
            opened_at = page.evaluate("() => performance.timeOrigin")
            times.append(drawn_at - opened_at)
            frame_times.append(frame.evaluate("() => performance.now()"))
        except Exception as exc:  # a run that never draws is reported, not hidden
            logging.getLogger(__name__).warning("mesure navigateur échouée : %s", exc)
        finally:
            foreign += sum(1 for u in requests if urlparse(u).netloc not in (origin, ""))
            context.close()
    if not times:
        return None, None, foreign
    return statistics.median(times), statistics.median(frame_times), foreign


def measure_browsers(
    registers: dict[str, Path | None], runs: int, workdir: Path
) -> dict[tuple[str, str], tuple[float | None, float | None, int]]:
    """Browser figures for each register (``None``: the demo) and each map."""
    from playwright.sync_api import sync_playwright

    chromium = _chromium()
    results: dict[tuple[str, str], tuple[float | None, float | None, int]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        try:
            for name, register in registers.items():
                env = {k: v for k, v in os.environ.items() if k != "ATELIERFLASH_REGISTRE"}
                if register is not None:
                    env["ATELIERFLASH_REGISTRE"] = str(register)
                for kind, script, path, drawn in (
                    ("optimise", ROOT / "app.py", "/carte", DRAWN_OPTIMISED),
                    ("naif", NAIVE_APP, "/", DRAWN_NAIVE),
                ):
                    log = workdir / f"serveur-{name}-{kind}.log"
                    with streamlit_server(script, env, log) as base:
                        if kind == "optimise":
                            _open_home(browser, base)
                        # Warm-up run (the server loads and caches the dataset), not counted.
                        time_to_polygons(browser, base + path, drawn, 1)
                        results[(name, kind)] = time_to_polygons(browser, base + path, drawn, runs)
        finally:
            browser.close()
    return results


def _open_home(browser, base: str) -> None:
    """Open the home page once, so that the app's navigation is known to the server."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(base + "/")
        page.locator('[data-testid="stMetric"]').first.wait_for(timeout=180_000)
    finally:
        context.close()


def _chromium() -> str:
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).exists():
            return candidate
    raise FileNotFoundError("Chromium est introuvable (paquet Debian « chromium »).")


# =============================================================================================
# The whole benchmark
# =============================================================================================
def run(runs: int = 5, scale: int = 10, browser: bool = True, out=sys.stdout) -> dict:
    """Measure everything and print the table; returns the raw figures."""
    from atelierflash.dataset import register_sources
    from atelierflash.programme import load_programme
    from atelierflash.referentiel import load_referentiel

    referentiel = load_referentiel()
    programme = load_programme()
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
        print("Géométries brutes du paquet (référence naïve)…", file=sys.stderr)
        raw = raw_geometries(codes)
        for name, dataset in datasets.items():
            print(f"Mesures en mémoire : {name}…", file=sys.stderr)
            optimised, info = measure_optimised(dataset, runs)
            naive = measure_naive(dataset, max(1, min(runs, 3)), raw)
            figures[name] = {
                "ateliers": len(exports.public_ateliers(dataset.ateliers)),
                "optimise": optimised,
                "naif": naive,
                "info": info,
            }
        if browser:
            print("Mesures dans Chromium…", file=sys.stderr)
            results = measure_browsers({"demo": None, f"x{scale}": big_path}, runs, workdir)
            for (name, kind), (ms, frame_ms, foreign) in results.items():
                figures[name][kind].browser_ms = ms
                figures[name][kind].frame_ms = frame_ms
                figures[name][kind].foreign_requests = foreign
    print(format_table(figures, runs, scale), file=out)
    return figures


def _ratio(naive: float | None, optimised: float | None) -> str:
    if not naive or not optimised:
        return "–"
    return "×" + f"{naive / optimised:.1f}".replace(".", ",")


def _fmt(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "échec"
    return f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")


def format_table(figures: dict, runs: int, scale: int) -> str:
    """The Markdown table of the medians, each optimised figure beside the naive one."""
    lines = [
        f"Médianes sur {runs} mesures (référence naïve : {min(runs, 3)} en mémoire). "
        "Ratio = naïf / optimisé.",
        "",
        "| registre | mesure | carte optimisée | carte naïve | ratio |",
        "|---|---|---:|---:|---:|",
    ]
    for name, data in figures.items():
        opt, naive = data["optimise"], data["naif"]
        label = f"{name} ({data['ateliers']} ateliers)"
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
    names = list(figures)
    if len(names) == 2:
        base, big = (figures[n]["optimise"].payload_kb for n in names)
        lines.append("")
        lines.append(
            f"Vue nationale ×{scale} : {_fmt(big, 1)} Ko, soit {_fmt(big / base, 2)} fois la charge "
            f"du registre de démonstration (objectif ≤ 2)."
        )
    return "\n".join(lines)


def to_json(figures: dict) -> str:
    """The raw figures as JSON."""

    def plain(value):
        if isinstance(value, Measures):
            return value.__dict__
        raise TypeError(type(value).__name__)

    return json.dumps(figures, default=plain, ensure_ascii=False, indent=2)
