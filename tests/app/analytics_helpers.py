"""Shared helpers of the analytics AppTests: a mini app on the literal register, chart specs.

The mini app runs the real ``app.py`` on ``tests/conftest.py``'s seven-atelier register and
hand-drawn référentiel (through ``$ATELIERFLASH_REGISTRE`` and a patched référentiel loader), so
the pages are checked against numbers counted by hand, in a second, without the real cache.
"""

from __future__ import annotations

import base64
import csv
import json
import re
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def start(page: str, query: dict | None = None, timeout: float = 300) -> AppTest:
    """Run the app, then switch to ``page`` (``"pages/thematiques.py"``) and run it."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.run()
    assert not at.exception, at.exception
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    for element in at.metric:
        if element.label == label:
            return element.value
    raise AssertionError(f"métrique absente : {label} (présentes : {[m.label for m in at.metric]})")


def as_shown(markdown: str) -> str:
    """The text a Markdown source escaped by ``texte.markdown_escape`` shows."""
    return re.sub(r"\\(.)", r"\1", markdown)


def charts(at: AppTest) -> list[dict]:
    """The plotly figures drawn on the page, as dictionaries (typed arrays decoded)."""
    return [_decode(json.loads(element.proto.spec)) for element in at.get("plotly_chart")]


def _decode(value):
    """Plotly writes numeric arrays as ``{"dtype", "bdata"}``: read them back as lists."""
    if isinstance(value, dict):
        if set(value) >= {"dtype", "bdata"}:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            if "shape" in value:
                shape = [int(n) for n in str(value["shape"]).split(",")]
                array = array.reshape(shape)
            return array.tolist()
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def chart(at: AppTest, title: str) -> dict:
    for spec in charts(at):
        if title in spec["layout"]["title"]["text"]:
            return spec
    raise AssertionError(f"graphique absent : {title}")


def demo_rows() -> list[dict]:
    """The demonstration register read as plain CSV (the hand count)."""
    with (ROOT / "data" / "demo" / "ateliers_demo.csv").open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))
