"""The State's design in the app: the DSFR's files served from ``static/dsfr``.

The theme (``.streamlit/config.toml``) names Marianne's faces under ``app/static/dsfr/fonts``;
this copies them, with the DSFR style sheet the fiche and public pages use, from the installed
``django-dsfr`` package once per process, before the first page draws.
"""

from __future__ import annotations

import streamlit as st

from atelierflash import dsfr
from atelierflash.carte import STATIC_DIR


@st.cache_resource(show_spinner=False)
def ensure_dsfr() -> str:
    """Copy the DSFR's fonts, icons and style sheet into ``static/dsfr`` (once per process)."""
    return str(dsfr.install_dsfr(STATIC_DIR))
