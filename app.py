"""atelierflash: entry point (``streamlit run app.py``)."""

import streamlit as st

from atelierflash.ui import acces, progressif, url
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
navigation = acces.navigation()
st.sidebar.markdown("**Ateliers Flash** · DGALN")
# The register selector has its place at the top of the sidebar. A page whose main element
# must come first (the map: the browser then fetches its code first) has it drawn after it.
selector = st.sidebar.container()
# The notices about the address, always in this container: what comes and goes between two runs
# never moves the page's elements (a moved map is mounted again, ui.progressif).
with st.container():
    source = active_source()
if not acces.main_first(navigation):
    progressif.mark_whole()  # only a map-first page is ever drawn in two runs
    with selector:
        register_selector()
dataset = get_dataset(source)
show_banner(dataset)
try:
    run_page(navigation)
finally:  # also when the page stops (st.stop) or reruns: the selector keeps its value
    # Not in a run that draws the map alone (ui.progressif): the whole page comes next.
    if acces.main_first(navigation) and not progressif.alone():
        with selector:
            register_selector()
url.drop_replayed()  # a run that ended (not one that reruns: the next one shows them)
