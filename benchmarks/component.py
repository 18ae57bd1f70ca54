"""What ``st_folium`` sends to the browser, recorded without a running app.

This patches a private global of ``streamlit_folium`` (``_component_func``) for the duration of
one call: it lives here, in the benchmark, never in the app.
"""

from __future__ import annotations

import importlib
import json
import logging

from atelierflash import carte
from atelierflash.ui import carte as ui


def quiet_streamlit() -> None:
    """Outside a running app, Streamlit warns about its missing context on each call."""
    importlib.import_module("streamlit.runtime.scriptrunner_utils.script_run_context")
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)


def component_args(fig, **kwargs) -> dict:
    """What ``st_folium(fig, **kwargs)`` sends to the browser, without a running app.

    streamlit-folium's component function is swapped for a recorder during the call, so the
    arguments are exactly those of the page (used by the tests and the benchmark).
    """
    import streamlit_folium

    recorded: dict = {}

    def record(**args):
        recorded.update(args)
        return args.get("default")

    original = streamlit_folium._component_func
    streamlit_folium._component_func = record
    try:
        streamlit_folium.st_folium(fig, **kwargs)
    finally:
        streamlit_folium._component_func = original
    recorded.pop("on_change", None)
    return recorded


def map_args(build: carte.CarteBuild, height: int = 640) -> dict:
    """The component arguments of the map page's map (see :func:`component_args`)."""
    return component_args(build.map, **ui.map_kwargs(build, height))


def payload_bytes(args: dict) -> int:
    """Size of the component arguments as sent (JSON, UTF-8)."""
    return len(json.dumps(args, ensure_ascii=False, default=str).encode("utf-8"))
