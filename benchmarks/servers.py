"""The servers and the browser the benchmark and the browser tests share.

- :func:`streamlit_server`: ``streamlit run`` on a free port, polled until healthy (the one
  server starter of the project);
- :func:`static_server`: the standard library's static server for the public page, serving
  the export's pre-compressed copies (``.gz``) as a CDN does;
- :func:`chromium_path`: the one Chromium finder (Debian's ``chromium``) and
  :data:`CHROMIUM_ARGS`, the flags every headless run uses.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Headless Chromium in a container, with nothing that calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """Path of Debian's Chromium (``chromium`` or ``chromium-browser`` on the PATH), or None."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name) or shutil.which(name, path="/usr/bin")
        if found:
            return found
    return None


class _QuietHandler(SimpleHTTPRequestHandler):
    """A static file handler that keeps the benchmark's output clean."""

    # Keep-alive, as any real static host does; an idle connection is dropped after a while so
    # that no handler thread outlives the measures for long.
    protocol_version = "HTTP/1.1"
    timeout = 10
    # TCP_NODELAY, as nginx's default (tcp_nodelay on): the headers and the body leave in two
    # writes, and with Nagle's algorithm the body of a small file waited for the browser's
    # delayed acknowledgement of the headers, about 40 ms (Linux) per response.
    disable_nagle_algorithm = True

    def log_message(self, *args) -> None:
        pass  # one line per request would bury the benchmark's progress on stderr

    def send_head(self):
        """The file, or its pre-compressed copy ``<file>.gz`` when the browser accepts gzip.

        As docs/deploiement.md asks of a real host (nginx's ``gzip_static on``): the export
        writes a ``.gz`` beside each text file, served with ``Content-Encoding: gzip`` and the
        original file's type, so the browser downloads what a CDN would send.
        """
        path = Path(self.translate_path(self.path))
        if self.path.split("?", 1)[0].split("#", 1)[0].endswith("/") and path.is_dir():
            path = path / "index.html"  # the folder's index, as nginx's index + gzip_static
        compressed = path.with_name(path.name + ".gz")
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and compressed.is_file()):
            return super().send_head()
        try:
            body = compressed.open("rb")
        except OSError:
            return super().send_head()
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(compressed.stat().st_size))
        self.end_headers()
        return body


class _StaticServer(ThreadingHTTPServer):
    # Stopping must not wait for a browser's idle keep-alive connection (handler threads are
    # daemons and end with their connection).
    block_on_close = False


@contextlib.contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port) in a thread; yields the base URL.

    The public page is meant for any static host: the standard library's server is the
    plainest one, and serving from one origin lets the benchmark count foreign requests as
    for the Streamlit pages. The server is shut down when the block ends.

    Parameters
    ----------
    folder : pathlib.Path
        The folder to serve (``/`` is its ``index.html``).

    Yields
    ------
    str
        ``http://127.0.0.1:<port>``, without a trailing slash.
    """
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = _StaticServer(("127.0.0.1", 0), handler)  # port 0: the system picks a free one
    thread = threading.Thread(
        target=server.serve_forever,
        # Checked between requests: a short interval makes shutdown() return at once.
        kwargs={"poll_interval": 0.05},
        name="bench-static-server",
        daemon=True,
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(
    script: Path,
    env: dict[str, str],
    log: Path,
    python: str | None = None,
    options: tuple[str, ...] = (),
) -> Iterator[str]:
    """``streamlit run script`` on a free port; yields the base URL once healthy.

    The one server starter of the project: the benchmark and the browser tests both use it.
    As the README's command, it first copies the static files (``python -m atelierflash
    statiques``).

    Parameters
    ----------
    script : pathlib.Path
        The Streamlit script (``app.py`` or a benchmark page).
    env : dict
        The server's environment.
    log : pathlib.Path
        Where its output goes (named in the error when it stops or never answers).
    python : str, optional
        The interpreter to run it with (default: this one). The benchmark passes the project's
        ``.venv/bin/python``, the setup the README creates.
    options : tuple of str, optional
        More ``streamlit run`` options, e.g. ``("--server.fileWatcherType", "auto")``.

    Yields
    ------
    str
        ``http://127.0.0.1:<port>``.
    """
    port = _free_port()
    env = dict(env)
    if not env.get("ATELIERFLASH_DATABASE_URL"):
        # Its own embedded store beside its log, seeded from its register: a server started
        # here never reads nor writes the user's store, nor another server's.
        env["ATELIERFLASH_DATA_DIR"] = str(log.parent / "donnees")
    python = python or sys.executable
    # As the README's command does: the theme's fonts are asked for by the first page before
    # the app's first run could copy them (and a font that answered 404 is not asked again).
    copied = subprocess.run(
        [python, "-m", "atelierflash", "statiques"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if copied.returncode:
        raise RuntimeError(f"python -m atelierflash statiques a échoué : {copied.stderr}")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                python,
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
                *options,
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
