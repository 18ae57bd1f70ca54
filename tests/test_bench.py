"""Unit tests of the benchmark's plumbing (no browser, no Streamlit server, no real référentiel).

The browser figures themselves come from ``python -m benchmarks``; here, the pieces
around them: the static server of the public map, the export measured as its payload, the frame
lookup of ``time_to_polygons`` (driven with stand-ins for Playwright's objects), the plumbing of
``measure_browsers`` and the table.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import statistics
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from benchmarks import carte as bench
from benchmarks.carte import Measures


def _fetch(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read()


def _server_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "bench-static-server" and t.is_alive()]


# =============================================================================================
# Static server
# =============================================================================================
def test_static_server_serves_a_folder_then_stops(tmp_path, capfd):
    (tmp_path / "index.html").write_text("<!doctype html><p>bonjour</p>", encoding="utf-8")
    (tmp_path / "sous").mkdir()
    (tmp_path / "sous" / "a.js").write_text("window.A = 1;", encoding="utf-8")
    before = len(_server_threads())
    with bench.static_server(tmp_path) as base:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base)
        assert len(_server_threads()) == before + 1
        status, kind, body = _fetch(base + "/")
        assert status == 200 and kind.startswith("text/html") and b"bonjour" in body
        status, kind, body = _fetch(base + "/sous/a.js")
        assert status == 200 and "javascript" in kind and body == b"window.A = 1;"
        with pytest.raises(urllib.error.HTTPError) as missing:
            _fetch(base + "/absent.js")
        assert missing.value.code == 404
    assert len(_server_threads()) == before
    with pytest.raises(OSError):
        _fetch(base + "/")
    # Quiet: no request log on the benchmark's stderr.
    assert capfd.readouterr().err == ""


def test_static_server_answers_small_files_without_a_delayed_ack_stall(tmp_path):
    # Headers and body leave in two writes; with Nagle's algorithm the body of a small file
    # waited for the client's delayed acknowledgement (about 40 ms on Linux): 20 files one
    # after another on one connection took about 800 ms. A static host sends them at once.
    import http.client
    import time
    from urllib.parse import urlsplit

    (tmp_path / "petit.js").write_text("window.P = 1;", encoding="utf-8")
    with bench.static_server(tmp_path) as base:
        connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=10)
        try:
            times = []
            for _ in range(20):
                start = time.perf_counter()
                connection.request("GET", "/petit.js")
                response = connection.getresponse()
                assert response.read() == b"window.P = 1;"
                times.append(time.perf_counter() - start)
        finally:
            connection.close()
    assert statistics.median(times) < 0.02, times


def test_static_server_stops_when_the_block_fails(tmp_path):
    before = len(_server_threads())
    with pytest.raises(RuntimeError), bench.static_server(tmp_path) as base:
        raise RuntimeError("échec dans le bloc")
    assert len(_server_threads()) == before
    with pytest.raises(OSError):
        _fetch(base + "/")


# =============================================================================================
# The public map, exported and served
# =============================================================================================
def test_measure_public_exports_the_page_and_its_data_size(mini_dataset, tmp_path):
    out = tmp_path / "publique"
    measures, info = bench.measure_public(mini_dataset, out, runs=2)
    data_bytes = (out / "donnees.js").stat().st_size + (out / "index.html").stat().st_size
    assert measures.payload_kb == pytest.approx(data_bytes / 1000)
    assert measures.build_ms > 0
    assert measures.browser_ms is None and measures.foreign_requests is None
    assert info["vue"] == "communes" and info["communes"] > 0 and info["ateliers"] > 0
    # The whole page counts Leaflet and the map's code, not the downloads, marker images nor
    # the .gz copies (the same files, compressed for the host).
    loaded = [
        p
        for p in out.rglob("*")
        if p.is_file() and p.suffix not in (".csv", ".geojson", ".gz") and p.parent.name != "images"
    ]
    assert {"leaflet.js", "carte.js", "publique.js"} <= {p.name for p in loaded}
    assert info["page_kb"] == pytest.approx(sum(p.stat().st_size for p in loaded) / 1000)
    # The folder and its copies, each on its own; the first export of the process is timed.
    gz = [p for p in out.rglob("*.gz")]
    assert gz and info["folder_gz_kb"] == pytest.approx(sum(p.stat().st_size for p in gz) / 1000)
    assert info["folder_kb"] > info["page_kb"] and info["export_first_ms"] > 0
    assert "carte publique" in measures.notes[0]


def test_exported_public_map_is_served_whole_from_one_origin(mini_dataset, tmp_path):
    out = tmp_path / "publique"
    bench.measure_public(mini_dataset, out, runs=1)
    with bench.static_server(out) as base:
        status, kind, body = _fetch(base + "/")
        assert status == 200 and kind.startswith("text/html")
        page = body.decode("utf-8")
        assert "Content-Security-Policy" in page
        status, kind, body = _fetch(base + "/donnees.js")
        assert "javascript" in kind and body.startswith(b"window.AF_PUBLIC = ")
        # Every script and style the page names is a relative path that this server answers.
        assets = re.findall(r'(?:src|href)="([^"#]+\.(?:js|css))"', page)
        assert {"leaflet/leaflet.js", "carte/carte.js", "donnees.js", "publique.js"} <= set(assets)
        for asset in assets:
            assert not re.match(r"[a-z]+:|//", asset), asset
            assert _fetch(f"{base}/{asset}")[0] == 200


# =============================================================================================
# time_to_polygons: the frame lookup is a parameter
# =============================================================================================
class _Frame:
    def __init__(self, origin: float, now: float, draws: bool = True):
        self.origin, self.now, self.draws = origin, now, draws
        self.waited: list[str] = []

    def wait_for_function(self, drawn, polling=None, timeout=None):
        self.waited.append(drawn)
        if not self.draws:
            raise TimeoutError("jamais dessiné")

    def evaluate(self, script, arg=None):
        if script == bench.SETTLE:  # the page went quiet before the next run
            self.settled = arg
            return True
        # The drawn moment is the one the page noted itself (see bench.stamped).
        if "__afDrawnAt" in script:
            return [self.origin + self.now, self.origin]
        if "timeOrigin" in script:
            return self.origin
        return self.now


class _Locator:
    def __init__(self, page, selector):
        self.page, self.selector = page, selector

    def wait_for(self, timeout=None):
        self.page.waited_for.append(self.selector)

    def element_handle(self):
        frame = self.page.iframe
        return type("Handle", (), {"content_frame": lambda _self: frame})()


class _Page:
    def __init__(self, context, draws: bool):
        self.context = context
        # The page opens at 1 000 ms; the Streamlit iframe starts 4 000 ms later and draws
        # 1 300 ms after its start; the main frame draws 400 ms after opening.
        self.main_frame = _Frame(origin=1000.0, now=400.0, draws=draws)
        self.iframe = _Frame(origin=5000.0, now=1300.0, draws=draws)
        self.waited_for: list[str] = []
        self.selectors: list[str] = []

    def goto(self, url):
        for seen in (url, url + "donnees.js", "https://cdn.example.org/leaflet.js"):
            self.context.callback(type("Request", (), {"url": seen})())

    def locator(self, selector):
        self.selectors.append(selector)
        return _Locator(self, selector)

    def evaluate(self, script, arg=None):
        return self.main_frame.evaluate(script, arg)


class _Context:
    def __init__(self, browser, draws):
        self.browser, self.draws = browser, draws
        self.closed = False

    def on(self, event, callback):
        assert event == "request"
        self.callback = callback

    def route(self, matcher, handler):
        self.browser.routes.append(matcher)

    def add_init_script(self, script):
        self.browser.init_scripts.append(script)

    def new_page(self):
        page = _Page(self, self.draws)
        self.browser.pages.append(page)
        return page

    def close(self):
        self.closed = True


class _Browser:
    def __init__(self, draws: bool = True):
        self.draws = draws
        self.contexts: list[_Context] = []
        self.pages: list[_Page] = []
        self.routes: list = []
        self.init_scripts: list[str] = []

    def new_context(self, **kwargs):
        context = _Context(self, self.draws)
        self.contexts.append(context)
        return context


def test_time_to_polygons_looks_in_the_streamlit_iframe_by_default():
    browser = _Browser()
    ms, frame_ms, foreign = bench.time_to_polygons(
        browser, "http://127.0.0.1:8501/carte", bench.DRAWN_OPTIMISED, runs=3
    )
    assert ms == pytest.approx(5000 + 1300 - 1000)
    assert frame_ms == pytest.approx(1300)
    assert foreign == 3  # one CDN request per run; the page's own requests are not counted
    assert len(browser.contexts) == 3 and all(c.closed for c in browser.contexts)
    for page in browser.pages:
        assert page.selectors == [bench.ST_FOLIUM_IFRAME]
        assert page.waited_for == [bench.ST_FOLIUM_IFRAME]
        assert page.iframe.waited == [bench.stamped(bench.DRAWN_OPTIMISED)]
        assert page.main_frame.waited == []
        assert page.main_frame.settled == [bench.QUIET_MS, 60_000]  # each run waits for quiet
    # Every frame notes the drawn moment itself, from its first byte (not Playwright's polling).
    assert browser.init_scripts == [bench.page_stamp(bench.DRAWN_OPTIMISED)] * 3
    # Requests outside the origin are routed (answered locally or refused), the page's are not.
    # A pattern the driver matches itself (a Python callable would stop every request).
    matcher = browser.routes[0]
    assert matcher == bench.foreign_requests("127.0.0.1:8501")
    assert matcher.search("https://cdn.example.org/leaflet.js")
    assert matcher.search("https://127.0.0.1:85010/x")
    assert not matcher.search("http://127.0.0.1:8501/static/carte.js")
    assert not matcher.search("http://127.0.0.1:8501")
    assert not matcher.search("ws://127.0.0.1:8501/_stcore/stream")


def test_time_to_polygons_in_the_main_frame_for_the_public_page():
    browser = _Browser()
    ms, frame_ms, foreign = bench.time_to_polygons(
        browser, "http://127.0.0.1:9000/", bench.DRAWN_OPTIMISED, 2, map_frame=bench.main_frame
    )
    assert ms == pytest.approx(400) and frame_ms == pytest.approx(400)
    assert foreign == 2
    for page in browser.pages:
        assert page.selectors == []  # no iframe looked for
        assert page.main_frame.waited == [bench.stamped(bench.DRAWN_OPTIMISED)]
        assert page.iframe.waited == []


def test_stamped_predicate_notes_the_first_moment_it_holds():
    code = bench.stamped(bench.DRAWN_NAIVE)
    assert code.startswith("() => {") and bench.DRAWN_NAIVE in code
    # Noted once (the first frame where the polygons are there), never overwritten.
    assert "window.__afDrawnAt = window.__afDrawnAt ||" in code


def test_page_stamp_checks_the_predicate_on_a_timer_and_keeps_the_first():
    # A timer, not animation frames (those stop in streamlit-folium's frame): proven in
    # Chromium by tests/browser/test_bench_browser.py.
    code = bench.page_stamp(bench.DRAWN_NAIVE)
    assert (
        bench.DRAWN_NAIVE in code and "setInterval(" in code and "requestAnimationFrame" not in code
    )
    assert "window.__afDrawnAt = window.__afDrawnAt ||" in code
    assert "180000" in code  # it stops looking after the longest wait


def test_time_to_polygons_reports_a_page_that_never_draws(caplog):
    browser = _Browser(draws=False)
    result = bench.time_to_polygons(
        browser, "http://127.0.0.1:9000/", bench.DRAWN_OPTIMISED, 2, map_frame=bench.main_frame
    )
    assert result == (None, None, 2)
    assert all(c.closed for c in browser.contexts)
    assert "mesure navigateur échouée" in caplog.text


# =============================================================================================
# measure_browsers: which page is measured how
# =============================================================================================
def test_measure_browsers_measures_the_public_page_and_the_floor(monkeypatch, tmp_path):
    calls = []

    class _Playwright:
        chromium = type("Chromium", (), {"launch": lambda _self, **kw: _Launched()})()

    class _Launched:
        closed = False

        def close(self):
            _Launched.closed = True

    @contextlib.contextmanager
    def fake_sync_playwright():
        yield _Playwright()

    @contextlib.contextmanager
    def fake_streamlit_server(script, env, log, python=None):
        yield f"http://streamlit/{Path(script).stem}"

    def fake_time(
        browser, url, drawn, runs, timeout_ms=0, map_frame=bench.streamlit_map_frame, transfer=None
    ):
        calls.append((url, drawn, runs, map_frame))
        if transfer is not None:  # the static pages' download, here 100 KB + the call's number
            transfer.append(100.0 + len(calls))
        return (float(len(calls)), 1.0, 0)

    import playwright.sync_api

    monkeypatch.setattr(playwright.sync_api, "sync_playwright", fake_sync_playwright)
    monkeypatch.setattr(bench, "chromium_path", lambda: "/usr/bin/chromium")
    monkeypatch.setattr(bench, "streamlit_server", fake_streamlit_server)
    monkeypatch.setattr(bench, "_open_home", lambda browser, base: None)
    monkeypatch.setattr(bench, "time_to_polygons", fake_time)
    folder = tmp_path / "publique-demo"
    folder.mkdir()
    before = len(_server_threads())

    transfers = {}
    results = bench.measure_browsers(
        {"demo": None}, 4, tmp_path, public={"demo": folder}, floor=True, transfers=transfers
    )

    assert set(results) == {
        ("demo", "optimise"),
        ("demo", "naif"),
        ("demo", "publique"),
        ("demo", "plancher-leaflet"),
        ("demo", "plancher"),
        ("demo", "plancher-secondaire"),
    }
    assert _Launched.closed
    # One warm-up run of each page, then four rounds going through the pages in turn, where
    # the public page and its floor come three times each, alternating.
    order = [
        c[0].rsplit("/", 1)[0] if "streamlit" in c[0] else c[0].split("/", 3)[-1] for c in calls
    ]
    app, naive = "http://streamlit/app", "http://streamlit/page_naive"
    floors = ["http://streamlit/page_plancher", "http://streamlit/page_plancher_secondaire"]
    static = ["", "plancher-leaflet.html"]
    warm_up = [app, naive, *static, *floors]
    one_round = [app, naive, *static * bench.STATIC_REPEAT, *floors]
    assert bench.STATIC_REPEAT == 3
    assert order == warm_up + one_round * 4
    # The Leaflet floor was put beside the export (with its .gz copies), served by one server.
    assert {p.name for p in folder.iterdir()} == {
        "plancher-leaflet.html",
        "plancher-leaflet.html.gz",
        "plancher-leaflet.js",
        "plancher-leaflet.js.gz",
    }
    # What the static pages downloaded: the median of the measured rounds only (not the warm-up).
    # Calls are numbered from 1: six warm-up calls, then rounds of ten (app, naive, three times
    # public and floor, the two Streamlit floors).
    starts = [6 + 10 * r for r in range(4)]
    public_calls = [s + 3 + 2 * i for s in starts for i in range(3)]
    assert transfers == {
        ("demo", "publique"): statistics.median([100.0 + n for n in public_calls]),
        ("demo", "plancher-leaflet"): statistics.median([101.0 + n for n in public_calls]),
    }
    # The secondary floor is opened where the map page is: at /carte.
    assert {c[0] for c in calls if "secondaire" in c[0]} == {
        "http://streamlit/page_plancher_secondaire/carte"
    }
    assert all(c[2] == 1 for c in calls)  # one run per call: the median is taken over rounds
    public = [c for c in calls if c[0].startswith("http://127.0.0.1:")]
    assert all(c[1] == bench.DRAWN_OPTIMISED and c[3] is bench.main_frame for c in public)
    floor = [c for c in calls if c[0].startswith("http://streamlit/page_plancher")]
    assert all(c[1] == bench.DRAWN_NAIVE and c[3] is bench.streamlit_map_frame for c in floor)
    # The warm-up is not counted: the medians are those of the four measured rounds.
    assert results[("demo", "optimise")] == (statistics.median([7.0, 17.0, 27.0, 37.0]), 1.0, 0)
    assert results[("demo", "publique")][0] == statistics.median(public_calls)
    assert len(_server_threads()) == before  # the static server was stopped


def test_floor_script_sits_beside_the_naive_one():
    assert bench.FLOOR_APP.parent == bench.NAIVE_APP.parent
    source = bench.FLOOR_APP.read_text(encoding="utf-8")
    assert "st.metric(" in source and "st_folium(" in source and "folium.Polygon(" in source
    assert "atelierflash" not in source.split('"""')[-1]  # no register loaded: Streamlit only


def test_secondary_floor_is_the_same_floor_opened_at_the_map_page_address():
    assert bench.FLOOR_SUBPAGE_APP.parent == bench.FLOOR_APP.parent
    source = bench.FLOOR_SUBPAGE_APP.read_text(encoding="utf-8").split('"""')[-1]
    assert 'with_name("page_plancher.py")' in source and 'url_path="carte"' in source
    assert "st.metric(" in source  # its home page, as bench._open_home waits for one
    assert "atelierflash" not in source and "folium" not in source


# =============================================================================================
# Table and JSON
# =============================================================================================
def _figures(browser: bool = True) -> dict:
    def measures(**kw):
        m = Measures(**kw)
        if not browser:
            m.browser_ms = m.frame_ms = m.foreign_requests = None
        return m

    demo = {
        "ateliers": 152,
        "optimise": measures(
            payload_kb=300.0,
            build_ms=40.0,
            filter_ms=30.0,
            browser_ms=5300.0,
            frame_ms=900.0,
            foreign_requests=0,
        ),
        "naif": measures(
            payload_kb=2000.0,
            build_ms=900.0,
            filter_ms=950.0,
            browser_ms=6000.0,
            frame_ms=1500.0,
            foreign_requests=7,
        ),
        "info": {"vue": "communes", "communes": 811, "prepare_ms": 200.0},
        "publique": measures(
            payload_kb=500.0, build_ms=450.0, browser_ms=300.0, frame_ms=300.0, foreign_requests=0
        ),
        "info_publique": {"vue": "communes", "communes": 811, "ateliers": 152},
    }
    demo["optimise"].notes.append("vue communes, 811 communes")
    demo["publique"].notes.append("carte publique : vue communes")
    if browser:
        demo["plancher"] = Measures(
            payload_kb=None,
            build_ms=None,
            filter_ms=None,
            browser_ms=4505.0,
            frame_ms=700.0,
            foreign_requests=75,
        )
        demo["plancher-secondaire"] = dataclasses.replace(demo["plancher"], browser_ms=4630.0)
    return {"demo": demo}


def _rows(table: str, metric: str) -> list[list[str]]:
    found = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) > 1 and cells[1] == metric:
            found.append(cells)
    return found


def test_format_table_adds_the_public_page_and_the_floor():
    table = bench.format_table(_figures(), runs=5, scale=10)
    label = "demo (152 ateliers)"
    for metric in (
        "charge utile (Ko)",
        "construction (ms)",
        "changement de filtre (ms)",
        "navigateur : ouverture → polygones (ms)",
        "navigateur : cadre de la carte → polygones (ms)",
        "requêtes hors de l'origine",
    ):
        assert len(_rows(table, metric)) == 1, metric
    assert _rows(table, "navigateur : ouverture → polygones (ms)")[0] == [
        label,
        "navigateur : ouverture → polygones (ms)",
        "5\u202f300",
        "6\u202f000",
        "×1,1",
    ]
    public = bench.PUBLIC_LABEL
    assert _rows(table, f"{public} : données, donnees.js + index.html (Ko)")[0][2:] == [
        "500,0",
        "2\u202f000,0",
        "×4,0",
    ]
    assert _rows(table, f"{public} : navigateur, ouverture → polygones (ms)")[0][2:] == [
        "300",
        "6\u202f000",
        "×20,0",
    ]
    assert _rows(table, f"{public} : requêtes hors de l'origine")[0][2:] == ["0", "7", "–"]
    floor = _rows(table, f"{bench.FLOOR_LABEL} : navigateur, ouverture → polygone (ms)")
    assert floor[0][2:] == ["4\u202f505", "", "–"]
    floor_cdn = (
        f"{bench.FLOOR_LABEL} : requêtes hors de l'origine (CDN de folium, servies localement)"
    )
    assert _rows(table, floor_cdn)[0][2:] == ["75", "", "–"]
    notes = [row[2] for row in _rows(table, "note")]
    assert notes == ["vue communes, 811 communes", "carte publique : vue communes"]
    # Every row of the measures' table keeps the five columns.
    measures_table = table.split("Budgets")[0]
    for line in measures_table.splitlines():
        if line.startswith("|"):
            assert line.count("|") == 6, line
    # The floor's share of the map page's time: 4 505 / 5 300 = 85 %.
    assert "Plancher Streamlit (demo)" in table and "soit 85 % des 5\u202f300 ms" in table
    assert "dessine ses polygones en 300 ms" in table
    sub = _rows(table, f"{bench.SUBPAGE_FLOOR_LABEL} : navigateur, ouverture → polygone (ms)")
    assert sub[0][2:] == ["4 630", "", "–"]
    # 5 300 / 4 630 = 1,14; 4 630 - 4 505 = +125 ms.
    assert "montre son polygone en 4 630 ms (+125 ms" in table
    assert "en fait 1,14 fois le temps" in table


def test_budgets_are_checked_on_the_figures_of_the_run():
    figures = _figures()
    figures["x10"] = _figures()["demo"]
    figures["x10"]["optimise"].payload_kb = 700.0  # more than 2 × the demo's 300
    figures["x10"]["optimise"].browser_ms = 7000.0  # slower than its naive page (6 000)
    met = {b.label: b.met for b in bench.budgets(figures) if "publique" not in b.label}
    assert met == {
        "demo : page carte, ouverture → polygones (ms)": True,  # 5 300 < 6 000
        "demo : cadre de la carte → polygones (ms)": True,  # 900 < 1 500
        "x10 : page carte, ouverture → polygones (ms)": False,
        "x10 : cadre de la carte → polygones (ms)": True,
        "demo : page carte, ouverture → polygones (ms) ≤ 1,2 × plancher": True,  # ≤ 5 406
        # The floor does not depend on the register: the larger one is held to the same.
        "x10 : page carte, ouverture → polygones (ms) ≤ 1,2 × plancher": False,  # 7 000 > 5 406
        "demo : charge utile (Ko)": False,  # 300 > 200
        "x10 : charge utile (Ko) ≤ 2 × demo": False,  # 700 > 600
    }
    table = bench.format_table(figures, runs=5, scale=10)
    assert "| demo : charge utile (Ko) | 300,0 | ≤ 200 Ko (200,0) | NON |" in table
    assert (
        "| demo : cadre de la carte → polygones (ms) | 900 | < page naïve (1\u202f500) | oui |"
        in table
    )


def test_a_budget_not_measured_is_never_counted_as_met():
    figures = _figures(browser=False)
    budgets = {b.label: b for b in bench.budgets(figures)}
    timed = [b for label, b in budgets.items() if "(ms)" in label]
    assert timed and all(b.met is None for b in timed)
    assert "non mesuré" in bench.format_table(figures, runs=5, scale=10)


def test_setup_line_says_whether_the_servers_run_as_the_readme_installs():
    inside = bench.setup_lines(
        {"python": "/p/.venv/bin/python", "prefix": "/p/.venv", "inside": True, "watcher": "none"}
    )
    assert "dans le projet, comme le README l'installe" in inside[0] and "none" in inside[0]
    outside = bench.setup_lines(
        {"python": "/usr/bin/python3", "prefix": "/usr", "inside": False, "watcher": "auto"}
    )
    assert "HORS du projet" in outside[0]


def test_server_setup_reads_the_interpreter_and_the_project_watcher(tmp_path):
    import sys

    setup = bench.server_setup(sys.executable)
    assert setup["python"] == sys.executable and setup["prefix"] == sys.prefix
    # The project's configuration: a deployed app does not watch its sources.
    assert setup["watcher"] == "none"
    assert setup["inside"] == Path(sys.prefix).resolve().is_relative_to(bench.ROOT.resolve())


def test_project_python_is_the_readme_virtual_environment(tmp_path):
    assert bench.project_python(tmp_path) is None
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("")
    assert bench.project_python(tmp_path) == python


def test_format_table_without_browser_shows_only_the_public_payload():
    table = bench.format_table(_figures(browser=False), runs=3, scale=10)
    assert _rows(table, f"{bench.PUBLIC_LABEL} : données, donnees.js + index.html (Ko)")
    assert not _rows(table, f"{bench.PUBLIC_LABEL} : navigateur, ouverture → polygones (ms)")
    assert bench.FLOOR_LABEL not in table.split("\n\n", 1)[1]  # the heading names it, no row
    assert "Plancher Streamlit (demo)" not in table


def test_format_table_reads_figures_without_the_new_pages():
    figures = _figures()
    for key in ("publique", "plancher", "info_publique"):
        del figures["demo"][key]
    table = bench.format_table(figures, runs=5, scale=10)
    assert not [line for line in table.splitlines() if bench.PUBLIC_LABEL + " :" in line]
    assert "Plancher Streamlit (demo)" not in table
    assert len(_rows(table, "charge utile (Ko)")) == 1


def test_to_json_holds_the_public_page_and_the_floor():
    data = json.loads(bench.to_json(_figures()))
    demo = data["demo"]
    assert demo["publique"]["payload_kb"] == 500.0
    assert demo["publique"]["browser_ms"] == 300.0
    assert demo["publique"]["foreign_requests"] == 0
    assert demo["plancher"]["browser_ms"] == 4505.0 and demo["plancher"]["payload_kb"] is None
    assert demo["info_publique"]["communes"] == 811
    assert demo["optimise"]["browser_ms"] == 5300.0 and demo["naif"]["foreign_requests"] == 7


# =============================================================================================
# The command line: python -m benchmarks
# =============================================================================================
def test_command_line_refuses_a_non_positive_count(capsys):
    from benchmarks.__main__ import main

    assert main(["--runs", "0"]) == 2
    assert main(["--scale", "-1"]) == 2
    assert "entiers positifs" in capsys.readouterr().err


def test_the_library_command_line_has_no_bench_command(capsys):
    from atelierflash.__main__ import main

    with pytest.raises(SystemExit):
        main(["bench"])
    assert "invalid choice" in capsys.readouterr().err


def test_a_server_is_started_only_once_its_static_files_are_copied(monkeypatch, tmp_path):
    # As the README's command does: a first page asks for the theme's fonts before the script
    # has run, so the files must be there before the server answers (a 404 is final for a font).
    from benchmarks import servers

    calls = []

    def run(command, **kwargs):
        calls.append(("run", command[1:], kwargs.get("cwd")))
        return servers.subprocess.CompletedProcess(command, 0)

    def popen(command, **kwargs):
        calls.append(("popen", command[1:4], kwargs.get("cwd")))
        raise RuntimeError("stop here")

    monkeypatch.setattr(servers.subprocess, "run", run)
    monkeypatch.setattr(servers.subprocess, "Popen", popen)
    server = servers.streamlit_server(servers.ROOT / "app.py", {}, tmp_path / "log", python="py")
    with pytest.raises(RuntimeError, match="stop here"), server:
        pass
    assert calls == [
        ("run", ["-m", "atelierflash", "statiques"], servers.ROOT),
        ("popen", ["-m", "streamlit", "run"], servers.ROOT),
    ]


def test_only_public_measures_the_public_page_and_its_leaflet_floor(monkeypatch, tmp_path):
    urls = []

    class _Launched:
        def close(self):
            pass

    @contextlib.contextmanager
    def fake_sync_playwright():
        yield type("P", (), {"chromium": type("C", (), {"launch": lambda s, **k: _Launched()})()})

    def no_streamlit(*args, **kwargs):
        raise AssertionError("no Streamlit server with --only publique")

    def fake_time(browser, url, drawn, runs, timeout_ms=0, map_frame=None, transfer=None):
        urls.append(url)
        if transfer is not None:  # not during the warm-up
            transfer.append(50.0)
        return (10.0, 10.0, 0)

    import playwright.sync_api

    monkeypatch.setattr(playwright.sync_api, "sync_playwright", fake_sync_playwright)
    monkeypatch.setattr(bench, "chromium_path", lambda: "/usr/bin/chromium")
    monkeypatch.setattr(bench, "streamlit_server", no_streamlit)
    monkeypatch.setattr(bench, "time_to_polygons", fake_time)
    folders = {name: tmp_path / name for name in ("demo", "x10")}
    for folder in folders.values():
        folder.mkdir()
    results = bench.measure_browsers(
        {"demo": None, "x10": tmp_path / "r.csv"},
        2,
        tmp_path,
        public=folders,
        floor=True,
        only_public=True,
        transfers={},
    )
    assert set(results) == {
        (name, kind) for name in folders for kind in ("publique", "plancher-leaflet")
    }
    # Two registers, two pages each, a warm-up run then two rounds of three measures.
    assert len(urls) == 2 * 2 * (1 + 2 * bench.STATIC_REPEAT)


def _public_figures(pub_ms, floor_ms, transfer_kb, export_ms=2000.0):
    figures = {}
    for name, ms, floor, kb in zip(("demo", "x10"), pub_ms, floor_ms, transfer_kb, strict=True):
        figures[name] = {
            "ateliers": 152,
            "publique": Measures(
                payload_kb=300.0, build_ms=500.0, browser_ms=ms, frame_ms=ms, foreign_requests=0
            ),
            "info_publique": {"transfer_kb": kb, "export_ms": export_ms},
            "plancher-leaflet": Measures(
                payload_kb=150.0,
                build_ms=None,
                filter_ms=None,
                browser_ms=floor,
                frame_ms=floor,
                foreign_requests=0,
            ),
        }
    return figures


def test_public_budgets_against_absolute_limits_and_the_leaflet_floor():
    met = {
        b.label: b.met
        for b in bench.budgets(_public_figures((390.0, 520.0), (320.0, 400.0), (480.0, 1300.0)))
    }
    assert met == {
        "demo : carte publique, ouverture → polygones (ms)": True,  # 390 ≤ 400
        "demo : carte publique, ouverture → polygones (ms) ≤ 1,25 × plancher Leaflet": True,
        "demo : carte publique, téléchargé avant les polygones (Ko, compressé)": True,
        "x10 : carte publique, ouverture → polygones (ms)": False,  # 520 > 500
        # 520 > 1,25 × 400 = 500
        "x10 : carte publique, ouverture → polygones (ms) ≤ 1,25 × plancher Leaflet": False,
        "x10 : carte publique, téléchargé avant les polygones (Ko, compressé)": False,  # > 1 200
        "x10 : export de la carte publique (ms)": True,  # 2 000 ≤ 3 000
    }
    slow_export = _public_figures((390.0, 480.0), (320.0, 400.0), (480.0, 900.0), 3500.0)
    assert not {b.label: b.met for b in bench.budgets(slow_export)}[
        "x10 : export de la carte publique (ms)"
    ]


def test_format_table_of_the_public_page_alone_shows_the_floor_ratio_and_transfer():
    figures = _public_figures((400.0, 500.0), (320.0, 400.0), (385.0, 874.3))
    table = bench.format_table(figures, runs=5, scale=10)
    label = bench.LEAFLET_FLOOR_LABEL
    assert _rows(table, f"{label} : navigateur, ouverture → polygones (ms)")[0][2] == "320"
    ratio = f"{bench.PUBLIC_LABEL} / plancher Leaflet (ouverture → polygones)"
    assert [r[2] for r in _rows(table, ratio)] == ["1,25", "1,25"]
    sent = f"{bench.PUBLIC_LABEL} : téléchargé avant les polygones (Ko, compressé)"
    assert [r[2] for r in _rows(table, sent)] == ["385,0", "874,3"]
    assert "page carte" not in table  # no Streamlit figure in this run
    measures_table = table.split("Budgets")[0]
    for line in measures_table.splitlines():
        if line.startswith("|"):
            assert line.count("|") == 6, line


def test_to_json_holds_the_transfer_of_the_public_page():
    figures = _public_figures((400.0, 500.0), (320.0, 400.0), (385.0, 874.3))
    data = json.loads(bench.to_json(figures))
    assert data["demo"]["info_publique"]["transfer_kb"] == 385.0
    assert data["x10"]["plancher-leaflet"]["browser_ms"] == 400.0


def test_static_server_serves_the_gzip_copy_to_a_browser_that_accepts_it(tmp_path):
    import gzip

    (tmp_path / "donnees.js").write_text("window.AF_PUBLIC = {};\n" * 50, encoding="utf-8")
    bench.install_leaflet_floor(tmp_path)
    from atelierflash.carte.publique import precompress

    precompress(tmp_path, ["donnees.js"])
    with bench.static_server(tmp_path) as base:
        request = urllib.request.Request(
            base + "/donnees.js", headers={"Accept-Encoding": "gzip, br"}
        )
        with urllib.request.urlopen(request) as response:
            body = response.read()
            assert response.headers["Content-Encoding"] == "gzip"
            assert response.headers["Content-Type"] == "text/javascript"
            assert response.headers["Vary"] == "Accept-Encoding"
        assert body == (tmp_path / "donnees.js.gz").read_bytes()
        assert gzip.decompress(body) == (tmp_path / "donnees.js").read_bytes()
        # Without gzip in Accept-Encoding: the file itself.
        with urllib.request.urlopen(base + "/donnees.js") as response:
            assert response.headers["Content-Encoding"] is None
            assert response.read() == (tmp_path / "donnees.js").read_bytes()
        with urllib.request.urlopen(base + "/plancher-leaflet.html") as response:
            assert b"donnees.js" in response.read()


def test_static_server_serves_the_gzip_copy_of_the_folder_index(tmp_path):
    # The public page is opened at « / »: nginx's gzip_static serves index.html.gz there too.
    import gzip

    (tmp_path / "index.html").write_text("<!doctype html><p>page</p>\n" * 50, encoding="utf-8")
    from atelierflash.carte.publique import precompress

    precompress(tmp_path, ["index.html"])
    with bench.static_server(tmp_path) as base:
        request = urllib.request.Request(base + "/?embed=1", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            assert response.headers["Content-Type"] == "text/html"
            assert gzip.decompress(response.read()) == (tmp_path / "index.html").read_bytes()


def test_transfer_counts_the_compressed_bodies_that_ended_before_the_polygons():
    script = bench.TRANSFER_KB
    assert "encodedBodySize" in script and "responseEnd <= end" in script
    assert "__afDrawnAt" in script and "navigation" in script


def test_cpu_times_reads_the_processors_line_of_proc_stat(tmp_path):
    stat = tmp_path / "stat"
    stat.write_text("cpu  100 5 50 800 40 3 2 0 0 0\ncpu0 50 2 25 400 20 1 1 0 0 0\n")
    # busy = everything but idle and iowait; total = every field
    assert bench.cpu_times(stat) == (160, 1000)
    assert bench.cpu_times(tmp_path / "absent") is None


def test_a_run_waits_for_the_processors_to_be_idle():
    # Jiffies (busy, total): busy 80 % over the first window, 5 % over the second.
    readings = iter([(0, 0), (80, 100), (85, 200)])
    assert bench.wait_for_idle_cpu(lambda: next(readings), window_s=0.001) is True
    # Always busy: gives up after the limit and says so; no /proc/stat: no wait at all.
    busy = iter((n * 90, n * 100) for n in range(10_000))
    assert bench.wait_for_idle_cpu(lambda: next(busy), window_s=0.001, limit_s=0.05) is False
    assert bench.wait_for_idle_cpu(lambda: None) is False
