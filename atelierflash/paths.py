"""The repository's folders, computed once: every module that reads a shipped file uses these.

The library lives in ``<root>/atelierflash``; the data it ships are in ``<root>/data`` and the
files the app serves in ``<root>/static``.
"""

from __future__ import annotations

from pathlib import Path

#: The repository root (the folder of ``app.py``).
ROOT = Path(__file__).resolve().parents[1]
#: ``data/``: programme.toml, the public register, the demonstration register.
DATA_DIR = ROOT / "data"
#: ``static/``: served by Streamlit at ``/app/static`` (``server.enableStaticServing``).
STATIC_DIR = ROOT / "static"
