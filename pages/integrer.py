"""Intégrer la carte: the public map's filters, height and title, its preview and its code.

The user copies its permalink and its ``<iframe>`` code.
"""

import streamlit as st

from atelierflash import carte
from atelierflash.ui import carte as ui
from atelierflash.ui.acces import require_internal
from atelierflash.ui.data import get_dataset
from atelierflash.ui.integrer import embed_choices

require_internal()
dataset = get_dataset()
st.title("Intégrer la carte publique")
st.markdown(
    "La carte publique est une page statique (aucun site tiers, aucune donnée interne) que le "
    "site du ministère intègre dans une `<iframe>`. Choisissez ce qu'elle montre : l'aperçu, le "
    "lien et le code ci-dessous suivent vos choix."
)
public, public_url = ui.public_map(dataset)
choice = embed_choices(dataset, default_page=public_url)
url = carte.embed_url(choice.page, choice.state, compact=choice.compact)
st.subheader("Aperçu")
st.caption(f"{choice.height} px de haut, comme dans la page du site.")
# The preview shows the app's own copy (same origin); a relative address needs its leading "/".
preview = public_url if public_url.startswith(("http://", "https://", "/")) else f"/{public_url}"
st.iframe(carte.embed_url(preview, choice.state, compact=choice.compact), height=choice.height)
st.subheader("Lien et code à copier")
st.markdown("Lien permanent de cette vue :")
st.code(url, language=None, wrap_lines=True)
st.markdown("Code d'intégration (iframe, avec un titre pour les lecteurs d'écran) :")
st.code(
    carte.iframe_code(url, title=choice.title, height=choice.height),
    language="html",
    wrap_lines=True,
)
st.caption(
    f"{public.ateliers} atelier(s) publié(s) dans la carte exportée ; publiez le dossier "
    "« carte-publique » (python -m atelierflash carte-publique) sur l'hébergement du site, puis "
    "remplacez l'adresse de la page ci-dessus par la sienne."
)
