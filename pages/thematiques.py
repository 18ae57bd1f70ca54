"""Thématiques: ateliers per theme family and theme, échelle, territory and size of commune."""

import streamlit as st

from atelierflash import analyse
from atelierflash.formats import fmt_int, fmt_percent
from atelierflash.texte import markdown_escape as md
from atelierflash.ui.charts import chart_block, png_hint
from atelierflash.ui.data import get_dataset
from atelierflash.ui.filters import filter_sidebar

dataset = get_dataset()
programme = dataset.programme
referentiel = dataset.referentiel
settings = programme.analyses
state, ateliers = filter_sidebar(dataset)
links = dataset.atelier_communes
source = analyse.source_note(dataset)
empty = ateliers.empty

st.title("Thématiques des ateliers")
st.markdown(
    "Ce que traitent les ateliers et où : familles et thèmes du programme, échelles, régions, "
    "départements et taille des communes. Tous les chiffres sont calculés depuis le registre "
    f"**{md(dataset.source.label)}** et suivent les filtres du panneau latéral. Un atelier peut "
    "citer plusieurs thèmes : chaque graphique dit s'il compte des **ateliers** ou des "
    "**mentions de thèmes**."
)

coverage = analyse.coverage_figures(ateliers, links, settings["seuil_rural"])
cols = st.columns(4)
cols[0].metric("Ateliers", fmt_int(coverage.ateliers), help="Ateliers de la sélection filtrée")
cols[1].metric(
    "Communes couvertes",
    fmt_int(coverage.communes),
    help="Communes distinctes : une commune de plusieurs ateliers compte une fois",
)
cols[2].metric(
    "Population couverte",
    fmt_int(coverage.population),
    help="Somme des populations municipales des communes distinctes",
)
cols[3].metric(
    "Part de communes rurales",
    fmt_percent(coverage.part_rurale),
    help=f"Communes de moins de {fmt_int(coverage.seuil_rural)} habitants "
    f"({fmt_int(coverage.communes_rurales)} sur {fmt_int(coverage.communes_population_connue)} "
    "de population connue) ; seuil réglé dans la configuration du programme",
)
if coverage.sans_annee:
    st.caption(
        f"{fmt_int(coverage.sans_annee)} atelier(s) sans année connue comptent dans les totaux, "
        "pas dans la carte thèmes × années."
    )
png_hint()

st.header("Familles et thèmes")
families = analyse.ateliers_by_family(ateliers, programme)
chart_block(
    analyse.families_figure(families, source, len(ateliers)),
    families,
    key="thematiques_familles",
    columns=["libelle", "ateliers", "mentions", "part_ateliers"],
    empty=empty,
)
themes = analyse.ateliers_by_theme(ateliers, programme)
without_theme = analyse.ateliers_without_theme(ateliers)
chart_block(
    analyse.themes_figure(themes, source, len(ateliers)),
    themes,
    key="thematiques_themes",
    columns=["libelle", "famille_libelle", "ateliers", "part_ateliers"],
    empty=empty,
    note=f"{fmt_int(without_theme)} atelier(s) de la sélection ne citent aucun thème."
    if without_theme
    else None,
)

st.header("Thèmes dans le temps et thèmes associés")
theme_years = analyse.theme_year_counts(ateliers, programme)
chart_block(
    analyse.theme_year_heatmap(theme_years, source),
    theme_years,
    key="thematiques_themes_annees",
    columns=["libelle", "annee", "ateliers"],
    empty=empty,
)
cooccurrence = analyse.theme_cooccurrence(ateliers, programme)
chart_block(
    analyse.cooccurrence_heatmap(cooccurrence, programme.themes, source),
    analyse.theme_pairs(ateliers, programme),
    key="thematiques_themes_associes",
    empty=empty,
    note="Le tableau liste les paires de thèmes citées ensemble au moins une fois.",
)

st.header("Échelles et territoires")
echelles = analyse.ateliers_by_echelle(ateliers, programme)
chart_block(
    analyse.echelles_figure(echelles, source),
    echelles,
    key="thematiques_echelles",
    columns=["libelle", "ateliers", "part_ateliers"],
    empty=empty,
)
regions = analyse.ateliers_by_region(ateliers, links, referentiel.regions)
chart_block(
    analyse.areas_figure(regions, source, level="region"),
    regions,
    key="thematiques_regions",
    empty=empty,
)
departements = analyse.ateliers_by_departement(
    ateliers, links, referentiel.departements, referentiel.regions
)
chart_block(
    analyse.areas_figure(departements, source, level="departement", max_rows=30),
    departements,
    key="thematiques_departements",
    empty=empty,
)

st.header("Taille des communes")
classes = analyse.ateliers_by_population_class(ateliers, links, settings["classes_population"])
chart_block(
    analyse.population_classes_figure(classes, source),
    classes,
    key="thematiques_taille_communes",
    columns=["libelle", "communes", "ateliers", "population"],
    empty=empty,
)
