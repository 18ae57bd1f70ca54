"""Streamlit glue of the fiche page: the atelier chosen (``?id=``), its PDF, print styles."""

from __future__ import annotations

from urllib.parse import quote

import streamlit as st

from atelierflash import fiche
from atelierflash.carte import exports
from atelierflash.ui import url

#: The fiche page's URL path and parameter (``/atelier?id=AF-DOULLENS-2024``).
PAGE_PATH = "atelier"
PARAM_ID = "id"
#: Print rules for the app's page: only the fiche, on A4 (the PDF download is the same fiche).
PRINT_STYLE = (
    "<style>@media print {"
    '[data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], '
    '[data-testid="stDecoration"], [data-testid="stSidebarCollapsedControl"], .stDownloadButton, '
    '.stSelectbox, [data-testid="stAlert"], .af-ecran {display: none !important;}'
    '.stMainBlockContainer, [data-testid="stMainBlockContainer"] {padding: 0 !important; '
    "max-width: none !important;}"
    "@page {size: A4; margin: 15mm;}"
    "}</style>"
)


def atelier_url(atelier_id: str) -> str:
    """Relative link to an atelier's fiche page, for lists (``LinkColumn``) and the map."""
    return f"{PAGE_PATH}?{PARAM_ID}={quote(str(atelier_id), safe='')}"


def choose_atelier(dataset):
    """The publishable atelier named by ``?id=`` or picked in a list (kept in the address).

    Returns
    -------
    namedtuple or None
        ``None`` when the register has no publishable atelier (the page says so).
    """
    public = exports.public_ateliers(dataset.ateliers)
    if public.empty:
        st.info("Aucun atelier publiable dans ce registre : aucune fiche à montrer.")
        return None
    ids = [str(i) for i in public["id"]]
    titles = dict(zip(ids, public["titre"], strict=True))
    wanted = url.read(PARAM_ID, _publishable(dataset, ids), None, what="l'atelier affiché")
    # The address wins when it names another atelier than the one this page last wrote there
    # (a link followed); otherwise the widget's own value stands.
    if wanted is not None and wanted != st.session_state.get("_fiche_ecrit"):
        st.session_state["fiche_atelier"] = wanted
    elif st.session_state.get("fiche_atelier") not in ids:
        st.session_state["fiche_atelier"] = ids[0]
    chosen = st.selectbox(
        "Atelier",
        ids,
        key="fiche_atelier",
        format_func=lambda i: f"{titles[i]} ({i})",
        help="La fiche est aussi accessible par son adresse : …/atelier?id=IDENTIFIANT.",
    )
    url.write(PARAM_ID, chosen)
    st.session_state["_fiche_ecrit"] = chosen
    return fiche.find_atelier(dataset, chosen)


def _publishable(dataset, ids: list[str]):
    """The parser of ``?id=``: a publishable atelier's identifier, or a refusal that says why."""

    def parse(text: str) -> str:
        if text in ids:
            return text
        if len(text) <= url.MAX_TEXT and fiche.find_atelier(dataset, text) is not None:
            raise url.Refused(
                "cet atelier n'est pas publiable (candidature, éligible, abandonné, non retenue ou "
                "marqué non public), sa fiche n'est pas diffusée"
            )
        raise url.Refused("aucun atelier de ce registre ne porte cet identifiant")

    return parse


@st.cache_data(show_spinner="Mise en page de la fiche PDF…", max_entries=64)
def _pdf(key: str, version: float, atelier_id: str, _dataset) -> bytes:
    return fiche.fiche_pdf(_dataset, fiche.find_atelier(_dataset, atelier_id))


def fiche_pdf(dataset, row) -> bytes:
    """The fiche's PDF, made once per atelier and register version."""
    return _pdf(dataset.source.key, dataset.version, str(row.id), _dataset=dataset)
