"""atelierflash: entry point (``streamlit run app.py``)."""

import streamlit as st

from atelierflash.ui.data import active_source, get_dataset, show_banner
from atelierflash.ui.theme import ensure_dsfr

st.set_page_config(
    page_title="Ateliers Flash – carte et suivi",
    # A local file: Material icon favicons are fetched from a third-party host.
    page_icon="static/favicon.png",
    layout="wide",
)
ensure_dsfr()  # Marianne and the DSFR's files, served from ./static (the theme names them)

PAGES = [
    st.Page(
        "pages/accueil.py",
        title="Vue d'ensemble",
        icon=":material/home:",
        url_path="accueil",
        default=True,
    ),
    st.Page("pages/carte.py", title="Carte", icon=":material/map:", url_path="carte"),
    st.Page(
        "pages/atelier.py",
        title="Fiche d'un atelier",
        icon=":material/article:",
        url_path="atelier",
    ),
    st.Page(
        "pages/thematiques.py", title="Thématiques", icon=":material/sell:", url_path="thematiques"
    ),
    st.Page(
        "pages/selection_annuelle.py",
        title="Sélection annuelle",
        icon=":material/calendar_month:",
        url_path="selection-annuelle",
    ),
]
# Emoji would need a colour-emoji font on the visitor's machine; Material icons ship with
# Streamlit itself.
# Pages internes : jamais dans la carte publique ni ses exports (le contrôle d'accès viendra avec
# la gestion des données) ; la navigation les range dans la section « Interne ».
INTERNAL_PAGES = [
    st.Page(
        "pages/equipes.py",
        title="Équipes et tourniquet",
        icon=":material/lock:",
        url_path="equipes",
    ),
    st.Page(
        "pages/integrer.py",
        title="Intégrer la carte",
        icon=":material/code:",
        url_path="integrer",
    ),
    st.Page(
        "pages/donnees.py",
        title="Données",
        icon=":material/database:",
        url_path="donnees",
    ),
]

navigation = st.navigation({"Programme": PAGES, "Interne": INTERNAL_PAGES})
st.sidebar.markdown("**Ateliers Flash** · DGALN")
dataset = get_dataset(active_source())
show_banner(dataset)
navigation.run()
