"""Carte: every published atelier on its communes, with filters, fiche, search and downloads.

The map is the page's first widget, in the script and in the page: its controls and the fiche
are in the panel to its right, the figures under it, and the sidebar filters and the register
selector are drawn after it. The browser fetches each kind of widget's code when it first
renders one (about a hundred files from the app's server); the map's then comes first
(measured by ``python -m benchmarks``). Widgets drawn after the map read their values first
from the session (or the address); when a drawn widget disagrees, the page reruns once. A
browser session that opens here gets the map alone first, and the rest once the map has drawn
(``atelierflash.ui.progressif``).
"""

import streamlit as st

from atelierflash import carte, ecriture
from atelierflash.dataset import UnpublishableError, check_publishable
from atelierflash.ecriture import WriteError
from atelierflash.formats import fmt_int
from atelierflash.texte import markdown_escape as md
from atelierflash.ui import carte as ui
from atelierflash.ui import progressif
from atelierflash.ui.acces import audience
from atelierflash.ui.data import get_dataset, get_resolver
from atelierflash.ui.fiche import atelier_url
from atelierflash.ui.filters import filter_sidebar, read_filters

dataset = get_dataset()
resolver = get_resolver()
assets_problem = ui.ensure_assets()  # a read-only static/ is said, never a traceback
with st.container():  # its notices about the address come and go; the map never moves
    state, filtered = read_filters(dataset)
pool = ui.public_pool(dataset)  # once per register version
shown = carte.public_selection(pool, filtered)


def figures() -> None:
    """The selection in three figures, and what the register holds that is not published."""
    cols = st.columns(3)
    cols[0].metric("Ateliers sur la carte", fmt_int(len(shown)))
    cols[1].metric("Communes concernées", fmt_int(len(carte.commune_codes(dataset, shown))))
    cols[2].metric("Départements", fmt_int(len(carte.departement_counts(shown))))
    unpublished = len(dataset.ateliers) - len(pool)
    st.caption(
        f"{fmt_int(unpublished)} atelier(s) du registre ne sont pas publiables (candidatures, "
        "ateliers éligibles ou abandonnés, ou marqués non publics) : ni la carte ni les "
        "téléchargements ne les montrent."
        if unpublished
        else "Tous les ateliers du registre sont publiables."
    )


def fiche(place) -> None:
    """The side panel: the fiche of the clicked (or searched) commune or département."""
    if not place:
        st.info(
            "Survolez une commune pour voir ses ateliers ; cliquez pour afficher ici leur "
            "fiche (titre, dates, équipe, livrables, source)."
        )
        return
    kind, code = place
    if kind == "commune":
        rows = carte.commune_ateliers(dataset, shown, code)
        heading = carte.commune_heading(dataset, code)
    else:
        rows = carte.departement_ateliers(shown, code)
        heading = carte.departement_heading(dataset, code)
    hidden = carte.hidden_count(dataset, pool, shown, place)
    with st.container(height=380, border=False, key="carte_fiche_panneau"):
        html = carte.fiche_html(dataset, rows, heading, hidden, fiche_url=atelier_url)
        st.html(carte.FICHE_CSS + html)
        st.button("Fermer la fiche", on_click=ui.close_fiche, key="carte_fermer")


@st.fragment
def carte_section() -> None:
    """Map, its controls and the fiche: their widgets rerun this fragment only.

    The map comes first in the page's tree: its controls and the fiche sit in the side panel
    to its right, so the browser fetches the map component's code before theirs.
    """
    ui.complete_when_drawn()  # the map's message: the whole page, before redrawing any of this
    notices = st.container(key="carte_messages")  # always there: the map never moves
    with notices:  # the controls' notices about the address (first run only) go in it too
        choices = ui.map_choices(resolver)
    if choices.focus:
        notices.info(carte.search_message(dataset, pool, shown, choices.focus))
    build = carte.build_map(
        ui.get_basemap(dataset), ui.get_prepared(dataset), dataset, shown, choices.options
    )
    if build.message:
        notices.warning(build.message)
    elif build.level is not None:
        notices.caption(
            f"{fmt_int(build.communes)} commune(s), {build.level.label}. Filtrer par région ou "
            "département affine les contours. Les cinq départements d'outre-mer figurent dans les "
            "encarts à l'ouest : cliquez un encart pour y zoomer ; ⌂ revient à la France entière."
        )
    left, right = st.columns([2.3, 1])
    with left:
        ui.remember_click(*ui.show_map(build, height=720))
    if progressif.alone():  # the session's first run: the panel comes with the rest
        return
    with right:
        drawn = ui.map_controls(resolver)
        fiche(st.session_state.get(ui.FICHE_KEY))
    if drawn != choices:  # e.g. a search whose found communes changed
        st.rerun(scope="fragment")


_IMAGE_HELP = (
    "Les communes de la sélection, colorées comme sur la carte, la France métropolitaine et les "
    "cinq départements d'outre-mer, légende, titre et source (300 dpi)."
)


def downloads() -> None:
    """The selection as CSV, GeoJSON and XLSX, and the printable national map."""
    files = (
        ("Télécharger la sélection (CSV)", carte.to_csv, "csv", "text/csv"),
        ("Télécharger la sélection (GeoJSON)", carte.to_geojson, "geojson", "application/geo+json"),
        ("Télécharger la sélection (XLSX)", carte.to_xlsx, "xlsx", ecriture.XLSX_MIME),
    )
    for column, (label, write, extension, mime) in zip(st.columns(3), files, strict=True):
        column.download_button(
            label,
            data=lambda write=write: write(dataset, shown),
            file_name=carte.filename(dataset, extension),
            mime=mime,
            on_click="ignore",
            key=f"carte_{extension}",
        )
    dimension = st.session_state.get("carte_couleur", "famille")
    images = (
        ("Carte nationale imprimable (PNG A4)", "png", "image/png", _IMAGE_HELP),
        ("Carte nationale (PDF)", "pdf", "application/pdf", None),
    )
    for column, (label, extension, mime, help_text) in zip(st.columns(3), images, strict=False):
        column.download_button(
            label,
            data=lambda extension=extension: carte.national_map_bytes(
                dataset, extension, dimension, state
            ),
            file_name=carte.filename(dataset, extension).replace(
                "ateliers_flash", "carte_nationale"
            ),
            mime=mime,
            on_click="ignore",
            key=f"carte_image_{extension}",
            help=help_text,
        )
    if dataset.fictif:
        st.caption("Registre fictif : chaque export porte la mention « fictif ».")


def public_page() -> None:
    """The static public page for the ministry's site: its link and its iframe code."""
    public = None
    try:
        # The one check before publishing: an unreadable or empty register never replaces
        # the public page already exported.
        check_publishable(dataset)
    except UnpublishableError as refusal:
        st.warning(md(str(refusal)), icon=":material/block:")
    else:
        try:
            public, public_url = ui.public_map(dataset)
        except WriteError as refusal:
            st.warning(md(str(refusal)), icon=":material/block:")
    if public is None:
        return
    st.markdown(
        f"Une page autonome, sans Streamlit : la carte des {fmt_int(public.ateliers)} ateliers "
        "publiés, la fiche au clic, la liste et les téléchargements. Elle ne demande rien à un "
        "site tiers ; ce lien l'ouvre sur les filtres ci-dessus. "
        f"[Ouvrir la carte publique]({carte.embed_url(public_url, state, compact=False)}) · "
        "[composer un cadre à intégrer](integrer) (filtres, hauteur, titre, aperçu)"
        + (" — registre fictif : la page le dit en tête." if public.fictif else "")
    )
    # Inline code, not st.code: the syntax highlighter's bundle alone delayed the map by about
    # 1.5 s in Chromium (measured with the benchmark's method).
    st.markdown(
        "Code d'intégration (iframe), à copier dans la page du site :\n\n"
        f"`{carte.iframe_code(public_url)}`"
    )
    st.caption(
        "Pour un hébergement statique : python -m atelierflash carte-publique --out DOSSIER "
        "écrit la même page dans un dossier à publier tel quel."
    )


st.title("Carte des Ateliers Flash")
st.markdown(
    "Chaque atelier publié est dessiné sur ses communes ; les filtres du panneau latéral "
    "s'appliquent et restent dans l'adresse de la page (lien partageable). Survolez une commune "
    "pour voir ses ateliers, cliquez pour ouvrir sa fiche. Registre affiché : "
    f"**{md(dataset.source.label)}**."
)
if assets_problem:
    st.error(md(assets_problem), icon=":material/error:")
    progressif.mark_whole()  # no map will say it drew: the whole page now
else:
    carte_section()
if progressif.alone():  # a browser session's first page: the rest once the map has drawn
    progressif.rest_later()
figures()
if filter_sidebar(dataset)[0] != state:  # the filters as drawn disagree with those read
    st.rerun()

st.header("Liste des ateliers affichés")
st.caption(
    "Alternative accessible à la carte : un tableau par pages, dans l'ordre choisi ; le titre "
    "ouvre la fiche de l'atelier. Les téléchargements contiennent toute la sélection, avec ses "
    "champs publics uniquement."
)
listing = ui.list_controls(shown)
st.html(carte.list_page(dataset, shown, fiche_url=atelier_url, **listing).html)
downloads()

# The embed builder is for the programme office, not for a deployment facing the public (no
# st.stop here: it would drop the deferred downloads above). Last on the page: the export (a
# fraction of a second, once per register version) never delays the map and the table above.
if audience() != "public":
    with st.expander("Carte publique à intégrer au site du ministère", icon=":material/public:"):
        public_page()
