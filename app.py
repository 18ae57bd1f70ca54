"""atelierflash: entry point (``streamlit run app.py``)."""

import streamlit as st

from atelierflash.ui import access
from atelierflash.ui.data import (
    active_source,
    ensure_entrypoint,
    get_dataset,
    register_selector,
    show_banner,
)
from atelierflash.ui.erreurs import run_page
from atelierflash.ui.theme import ensure_dsfr

# Once per session, before anything is drawn: every run goes through this file (see its doc).
ensure_entrypoint()
st.set_page_config(
    page_title="Ateliers Flash – carte et suivi",
    # A local file: Material icon favicons are fetched from a third-party host.
    page_icon="static/favicon.png",
    layout="wide",
)
ensure_dsfr()  # Marianne and the DSFR's files, served from ./static (the theme names them)

# The pages and which of them are internal are declared once, in atelierflash.acces.PAGES;
# in public mode the internal pages are not registered at all, and with a login they ask for it.
navigation = access.navigation()
st.sidebar.markdown("**Ateliers Flash** · DGALN")
# The register selector is drawn after the page, in this place of the sidebar: the page's main
# element (the map) is the first the browser renders and fetches the code of.
selector = st.sidebar.container()
dataset = get_dataset(active_source())
show_banner(dataset)
try:
    run_page(navigation)
finally:  # also when the page stops (st.stop) or reruns: the selector keeps its value
    with selector:
        register_selector()
