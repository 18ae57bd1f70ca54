"""The State's design in the app: the DSFR's files served from ``static/dsfr``.

The theme (``.streamlit/config.toml``) names Marianne's faces under ``app/static/dsfr/fonts``;
this copies them, with the DSFR style sheet the fiche and public pages use, from the installed
``django-dsfr`` package once per process, before the first page draws.
"""

from __future__ import annotations

import logging

import streamlit as st

from atelierflash import dsfr
from atelierflash.carte import STATIC_DIR


@st.cache_resource(show_spinner=False)
def ensure_dsfr() -> str:
    """Copy the DSFR's fonts, icons and style sheet into ``static/dsfr`` (once per process).

    A read-only ``static/`` must not stop every page: the browser then falls back to the
    system's sans-serif font, and the log says why (``""`` is returned).
    """
    fonts = STATIC_DIR / "dsfr" / "fonts"
    late = not all((fonts / name).is_file() for name, _, _ in dsfr.MARIANNE_FACES)
    try:
        folder = str(dsfr.install_dsfr(STATIC_DIR))
        if late:  # the pages already open asked for Marianne before it was there
            logging.getLogger("atelierflash").warning(
                "Marianne vient d'être copiée dans %s : les pages déjà ouvertes s'affichent dans "
                "la police du système. Lancez « python -m atelierflash statiques » avant "
                "l'application.",
                fonts,
            )
        return folder
    except OSError as exc:
        logging.getLogger("atelierflash").warning(
            "Marianne et le DSFR n'ont pas pu être copiés dans %s (%s) : police du système.",
            STATIC_DIR / "dsfr",
            exc.strerror or exc,
        )
        return ""
