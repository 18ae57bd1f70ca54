"""Carte: every published atelier on its communes, with filters, fiche, search and downloads."""

import streamlit as st

from atelierflash import carte, fichiers
from atelierflash.dataset import UnpublishableError, check_publishable
from atelierflash.fichiers import WriteError
from atelierflash.formats import fmt_int
from atelierflash.texte import markdown_escape as md
from atelierflash.ui import carte as ui
from atelierflash.ui import url
from atelierflash.ui.access import audience
from atelierflash.ui.data import get_dataset, get_resolver
from atelierflash.ui.fiche import atelier_url
from atelierflash.ui.filters import filter_sidebar

dataset = get_dataset()
resolver = get_resolver()
assets_problem = ui.ensure_assets()  # a read-only static/ is said, never a traceback
state, filtered = filter_sidebar(dataset)
pool = carte.public_ateliers(dataset.ateliers)
shown = carte.public_ateliers(filtered)
unpublished = len(dataset.ateliers) - len(pool)

st.title("Carte des Ateliers Flash")
st.markdown(
    "Chaque atelier publié est dessiné sur ses communes ; les filtres du panneau latéral "
    "s'appliquent et restent dans l'adresse de la page (lien partageable). Survolez une commune "
    "pour voir ses ateliers, cliquez pour ouvrir sa fiche. Registre affiché : "
    f"**{md(dataset.source.label)}**."
)
cols = st.columns(3)
cols[0].metric("Ateliers sur la carte", fmt_int(len(shown)))
cols[1].metric(
    "Communes concernées",
    fmt_int(len(carte.commune_codes(dataset, shown))),
)
cols[2].metric("Départements", fmt_int(len(carte.departement_counts(shown))))
st.caption(
    f"{fmt_int(unpublished)} atelier(s) du registre ne sont pas publiables (candidatures, "
    "ateliers éligibles ou abandonnés, ou marqués non publics) : ni la carte ni les "
    "téléchargements ne les montrent."
    if unpublished
    else "Tous les ateliers du registre sont publiables."
)


def _close_fiche() -> None:
    st.session_state["carte_fiche"] = None


@st.fragment
def carte_section() -> None:
    """Map, search and fiche: their widgets rerun this fragment only, never the whole page."""
    if "carte_couleur" not in st.session_state:
        st.session_state["carte_couleur"] = url.read(
            ui.PARAM_DIMENSION, url.one_of(carte.DIMENSIONS), "famille", what="la couleur"
        )
        st.session_state["carte_vue"] = url.read(
            ui.PARAM_VIEW, url.one_of(carte.VIEWS), "communes", what="la représentation"
        )
        st.session_state["carte_recherche"] = url.read(
            ui.PARAM_COMMUNE, url.short_text, "", what="la commune recherchée"
        )
    controls = st.columns([1.1, 1.6, 0.9])
    dimension = controls[0].selectbox(
        "Couleur des communes",
        list(carte.DIMENSIONS),
        format_func=carte.DIMENSIONS.get,
        key="carte_couleur",
    )
    vue = controls[1].radio(
        "Représentation",
        list(carte.VIEWS),
        format_func=carte.VIEWS.get,
        key="carte_vue",
        horizontal=True,
    )
    plan_ign = controls[2].toggle(
        "Fond « Plan IGN »",
        value=False,
        key="carte_ign",
        help="Ajoute les tuiles du Plan IGN sous la carte. Elles sont demandées au serveur de "
        "la Géoplateforme de l'IGN (data.geopf.fr) : désactivé par défaut, la carte n'appelle "
        "alors aucun site tiers.",
    )
    url.write(ui.PARAM_DIMENSION, dimension, "famille")
    url.write(ui.PARAM_VIEW, vue, "communes")

    search = st.columns([1.2, 1.8])
    query = search[0].text_input(
        "Rechercher une commune",
        key="carte_recherche",
        type="search",
        live=True,
        placeholder="Nom ou code INSEE, ex. Doullens ou 80253",
        help="Toutes les communes du référentiel : la carte s'y centre et dit si elle a "
        "accueilli un atelier.",
    )
    focus = None
    if query.strip():
        results = resolver.search(query, limit=8)
        if results:
            labels = {r["code"]: f"{r['nom']} ({r['departement']}) – {r['code']}" for r in results}
            focus = search[1].selectbox(
                "Commune trouvée",
                list(labels),
                format_func=labels.get,
                key="carte_commune_choix",
            )
        else:
            # The search text may come from a crafted link: shown as typed, never as Markdown.
            search[1].warning(f"Aucune commune ne correspond à « {md(query)} ».")
    url.write(ui.PARAM_COMMUNE, focus)
    if focus and st.session_state.get("carte_focus_vu") != focus:
        st.session_state["carte_focus_vu"] = focus
        st.session_state["carte_fiche"] = ("commune", focus)
    # One container, always present, for the messages: the map keeps its place in the page,
    # so the browser never remounts it when a message comes or goes.
    notices = st.container(key="carte_messages")
    if focus:
        notices.info(carte.search_message(dataset, pool, shown, focus))

    options = carte.MapOptions(dimension=dimension, vue=vue, plan_ign=plan_ign, focus=focus)
    build = carte.build_map(
        ui.get_basemap(dataset), ui.get_prepared(dataset), dataset, shown, options
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
        clicked_text, click = ui.show_map(build)
    if clicked_text and st.session_state.get("carte_clic_vu") != click:
        st.session_state["carte_clic_vu"] = click
        place = carte.parse_click(clicked_text)
        if place:
            st.session_state["carte_fiche"] = place
    with right:
        place = st.session_state.get("carte_fiche")
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
        with st.container(height=640, border=False, key="carte_fiche_panneau"):
            fiche = carte.fiche_html(dataset, rows, heading, hidden, fiche_url=atelier_url)
            st.html(carte.FICHE_CSS + fiche)
            st.button("Fermer la fiche", on_click=_close_fiche, key="carte_fermer")


if assets_problem:
    st.error(md(assets_problem), icon=":material/error:")
else:
    carte_section()

st.subheader("Liste des ateliers affichés")
st.caption(
    "Alternative accessible à la carte : le tableau se trie en cliquant sur un en-tête. Les "
    "téléchargements contiennent la même sélection, avec ses champs publics uniquement."
)
table = carte.display_frame(dataset, shown)
table.insert(0, "Fiche", [atelier_url(i) for i in shown["id"]])
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    key="carte_tableau",
    column_config={"Fiche": st.column_config.LinkColumn("Fiche", display_text="ouvrir")},
)
buttons = st.columns(5)
buttons[0].download_button(
    "Télécharger la sélection (CSV)",
    data=lambda: carte.to_csv(dataset, shown),
    file_name=carte.filename(dataset, "csv"),
    mime="text/csv",
    on_click="ignore",
    key="carte_csv",
)
buttons[1].download_button(
    "Télécharger la sélection (GeoJSON)",
    data=lambda: carte.to_geojson(dataset, shown),
    file_name=carte.filename(dataset, "geojson"),
    mime="application/geo+json",
    on_click="ignore",
    key="carte_geojson",
)
buttons[2].download_button(
    "Télécharger la sélection (XLSX)",
    data=lambda: fichiers.xlsx_bytes(
        carte.export_frame(dataset, shown), fictif=dataset.fictif, sheet="Ateliers"
    ),
    file_name=carte.filename(dataset, "xlsx"),
    mime=fichiers.XLSX_MIME,
    on_click="ignore",
    key="carte_xlsx",
)
dimension = st.session_state.get("carte_couleur", "famille")
buttons[3].download_button(
    "Carte nationale imprimable (PNG A4)",
    data=lambda: carte.national_map_bytes(dataset, "png", dimension, state),
    file_name=carte.filename(dataset, "png").replace("ateliers_flash", "carte_nationale"),
    mime="image/png",
    on_click="ignore",
    key="carte_image_png",
    help="Les communes de la sélection, colorées comme sur la carte, la France métropolitaine "
    "et les cinq départements d'outre-mer, légende, titre et source (300 dpi).",
)
buttons[4].download_button(
    "Carte nationale (PDF)",
    data=lambda: carte.national_map_bytes(dataset, "pdf", dimension, state),
    file_name=carte.filename(dataset, "pdf").replace("ateliers_flash", "carte_nationale"),
    mime="application/pdf",
    on_click="ignore",
    key="carte_image_pdf",
)
if dataset.fictif:
    st.caption("Registre fictif : chaque export porte la mention « fictif ».")

# The embed builder is for the programme office, not for a deployment facing the public (no
# st.stop here: it would drop the deferred downloads above). Last on the page: the export (a
# fraction of a second, once per register version) never delays the map and the table above.
if audience() != "public":
    with st.expander("Carte publique à intégrer au site du ministère", icon=":material/public:"):
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
        if public is not None:
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
