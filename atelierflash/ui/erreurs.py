"""What a visitor sees when a page fails: a French message, never a traceback.

``client.showErrorDetails = "none"`` (``.streamlit/config.toml``) already keeps server paths
and code out of the browser; :func:`run_page` replaces Streamlit's English error box by a French
message saying what to do, and writes the full traceback to the server's log.
"""

from __future__ import annotations

import logging
import os

import streamlit as st

LOG = logging.getLogger("atelierflash")
#: Set to ``1`` to let errors through to Streamlit (the test suite does, so that AppTest sees
#: every exception and a bug can never hide behind the French message).
ENV_RAISE = "ATELIERFLASH_ERREURS_BRUTES"
MESSAGE = (
    "**Cette page n'a pas pu s'afficher entièrement** à cause d'une erreur inattendue. "
    "Rechargez la page ; si l'erreur persiste, signalez-la à l'équipe du programme en "
    "indiquant l'adresse de la page et l'heure. Le détail est consigné dans le journal du "
    "serveur, il n'est pas montré ici."
)


def run_page(navigation) -> None:
    """Run the selected page; an unexpected error is logged and shown as a French message."""
    try:
        navigation.run()
    except Exception:
        if os.environ.get(ENV_RAISE) == "1":
            raise
        LOG.exception("Erreur sur la page %s", getattr(navigation, "url_path", "?"))
        st.error(MESSAGE, icon=":material/error:")
