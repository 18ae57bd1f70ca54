"""Sélection annuelle: selections against the target and the figures of a chosen year.

Pipeline, réalisés against the official figures, geographic spread, durations, amounts and the
ateliers of the year.
"""

import datetime as dt

import streamlit as st

from atelierflash import analyse, tables
from atelierflash.formats import fmt_date, fmt_eur, fmt_int
from atelierflash.texte import markdown_escape as md
from atelierflash.ui.annee import year_selector
from atelierflash.ui.charts import (
    EMPTY_SELECTION,
    chart_block,
    markdown_safe,
    png_hint,
    table_block,
)
from atelierflash.ui.data import get_dataset
from atelierflash.ui.filters import filter_sidebar

dataset = get_dataset()
programme = dataset.programme
info = programme.info
launch = programme.launch_year
target = programme.figures["selection_annuelle"]
official_realised = programme.figures["ateliers_realises"]
official_communes = programme.figures["communes_accompagnees"]
state, ateliers = filter_sidebar(dataset)
links = dataset.atelier_communes
today = dt.date.today()
source = analyse.source_note(dataset)

st.title("Sélection annuelle")
st.markdown(
    f"Les ateliers sélectionnés chaque année depuis {launch}, face à l'objectif publié "
    f"(**{target.display()} par an**), le parcours des candidatures et l'écart entre le registre "
    f"**{md(dataset.source.label)}** et les chiffres officiels. Tous les chiffres sont calculés depuis "
    "le registre et suivent les filtres du panneau latéral."
)

years = analyse.year_options(ateliers, launch)
if ateliers.empty or not years:
    st.info(
        EMPTY_SELECTION
        if ateliers.empty
        else "Aucun atelier de la sélection n'a d'année connue : les graphiques par année ne "
        "peuvent pas être tracés.",
        icon=":material/info:",
    )
    st.stop()

year = year_selector(years, analyse.default_year(years, today))
selection = analyse.selection_by_year(ateliers, programme, launch)
row = analyse.year_row(selection, year)
gap = analyse.official_gap(ateliers, links, programme)
official = gap.set_index("cle")
realised, communes = official.loc["ateliers_realises"], official.loc["communes_accompagnees"]

cols = st.columns(4)
cols[0].metric(
    f"Ateliers sélectionnés en {year}",
    fmt_int(row["selectionnes"]),
    delta=f"{fmt_int(row['ecart_objectif'])} par rapport à l'objectif",
    delta_color="off",
    delta_arrow="off",
    help=f"Objectif : {target.display()} par an ({target.source}, {fmt_date(target.date)}). "
    "Sélectionnés = statut "
    + ", ".join(programme.statuts.label_of(k) for k in programme.selected_statuts)
    + " (réglage [statuts] de la configuration du programme).",
)
cols[1].metric(
    f"Sélectionnés de {launch} à {year}",
    fmt_int(row["cumul"]),
    help="Cumul des ateliers sélectionnés depuis le lancement du programme",
)
for column, label, counted, figure in (
    (cols[2], "Ateliers réalisés (registre)", realised, official_realised),
    (cols[3], "Communes couvertes par les réalisés", communes, official_communes),
):
    column.metric(
        label,
        fmt_int(counted["registre"]),
        delta=f"officiel : {counted['officiel']}",
        delta_color="off",
        delta_arrow="off",
        help=f"Chiffre officiel : {figure.source}, {fmt_date(figure.date)}",
    )
png_hint()

st.header("Sélections par année")
unknown_year = int(ateliers["annee"].isna().sum())
chart_block(
    analyse.selection_figure(
        selection, target, analyse.source_note(dataset, official=[target]), programme.statuts
    ),
    selection,
    key="selection_par_annee",
    note=f"{fmt_int(unknown_year)} atelier(s) sans année connue ne figurent pas dans ce graphique."
    if unknown_year
    else None,
)

st.header(f"Parcours des ateliers {year}")
pipeline = analyse.statut_pipeline(ateliers, programme, year)
chart_block(
    analyse.pipeline_figure(pipeline, str(year), source),
    pipeline,
    key=f"selection_statuts_{year}",
    columns=["libelle", "ateliers"],
)

st.header("Réalisés et communes couvertes face aux chiffres officiels")
for item in gap.itertuples():
    st.markdown(
        f"- **{item.indicateur}** : {fmt_int(item.registre)} dans le registre, "
        f"{item.officiel} selon le chiffre officiel ; **{item.ecart_texte}**. "
        f"*Source : {item.source}, {fmt_date(item.date)}.*"
    )
if realised["sans_annee"]:
    st.caption(
        f"Dont {fmt_int(realised['sans_annee'])} atelier(s) réalisé(s) sans année connue, "
        "comptés dans le total mais pas dans le cumul par année."
    )
if dataset.fictif:
    st.caption("Registre fictif : l'écart avec les chiffres officiels n'a pas de sens.")
if not state.is_default:
    st.caption("Filtres actifs : la comparaison porte sur la sélection filtrée du registre.")
cumulative = analyse.realised_cumulative(ateliers, links, launch)
chart_block(
    analyse.realised_vs_official_figure(
        cumulative,
        official_realised,
        official_communes,
        analyse.source_note(dataset, official=[official_realised]),
    ),
    cumulative,
    key="selection_realises_officiels",
)
with st.expander("Chiffres officiels et écarts (tableau)"):
    st.table(
        markdown_safe(
            tables.display_table(
                gap,
                ["indicateur", "registre", "officiel", "ecart", "ecart_texte", "source", "date"],
            )
        ),
        hide_index=True,
    )

st.header("Étendue géographique")
spread = analyse.geographic_spread(
    ateliers, links, launch, referentiel=dataset.referentiel, programme=programme
)
spread_row = analyse.year_row(spread, year)
st.markdown(
    f"En **{year}**, les ateliers sélectionnés touchent {fmt_int(spread_row['regions'])} "
    f"région(s) et {fmt_int(spread_row['departements'])} département(s), dont "
    f"{fmt_int(spread_row['nouvelles_regions'])} région(s) et "
    f"{fmt_int(spread_row['nouveaux_departements'])} département(s) jamais atteints auparavant"
    + (
        f" : {spread_row['liste_nouveaux_departements']}."
        if spread_row["liste_nouveaux_departements"]
        else "."
    )
)
chart_block(
    analyse.spread_figure(spread, source),
    spread,
    key="selection_etendue_geographique",
)

st.header("Durées et montants")
durations = analyse.atelier_durations(ateliers, info["duree_mois_min"], info["duree_mois_max"])
summary = analyse.duration_summary(durations)
chart_block(
    analyse.durations_figure(
        durations,
        info["duree_mois_min"],
        info["duree_mois_max"],
        info.get("duree_source", "page du programme"),
        source,
    ),
    summary,
    key="selection_durees",
    empty=durations["duree_mois"].dropna().empty,
    empty_message="Aucun atelier de la sélection n'a à la fois une date de début et une date "
    "de fin : pas de durée à représenter.",
)
amounts = analyse.amounts_by_year(ateliers, launch)
chart_block(
    analyse.amounts_figure(amounts, info["montant_indicatif_eur"], source),
    amounts,
    key="selection_montants",
    empty=amounts["montants_connus"].sum() == 0,
    empty_message="Aucun montant n'est renseigné pour les ateliers de la sélection.",
    note=f"Montant indicatif du programme : environ {fmt_eur(info['montant_indicatif_eur'])} "
    "par atelier (page du programme).",
)

st.header(f"Les ateliers {year}")
of_year = analyse.ateliers_of_year(ateliers, year, dataset)
if of_year.empty:
    st.info(
        f"Aucun atelier de la sélection n'a été sélectionné ou déposé en {year}.",
        icon=":material/info:",
    )
else:
    st.markdown(f"{fmt_int(len(of_year))} atelier(s) rattaché(s) à l'année {year}.")
    table_block(
        of_year,
        key=f"ateliers_{year}",
        columns=[
            "titre",
            "statut_libelle",
            "echelle_libelle",
            "communes_noms",
            "departements",
            "themes_libelles",
            "equipe_libelle",
            "debut",
            "fin",
            "duree_mois",
            "montant_eur",
        ],
    )
    calendar = analyse.ateliers_in_year(ateliers, year)
    chart_block(
        analyse.timeline_figure(calendar, str(year), source, programme.statuts, today),
        of_year,
        key=f"calendrier_{year}",
        columns=["titre", "statut_libelle", "debut", "fin", "duree_mois"],
        empty=of_year["debut"].eq("").all(),
        empty_message=f"Aucun atelier de {year} n'a encore de date de début : pas de calendrier.",
    )
