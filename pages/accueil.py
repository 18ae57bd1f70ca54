"""Vue d'ensemble: key figures of the active register beside the official figures."""

import streamlit as st

from atelierflash import analyse
from atelierflash.formats import fmt_date, fmt_eur, fmt_int
from atelierflash.texte import markdown_escape as md
from atelierflash.ui.charts import download_buttons
from atelierflash.ui.data import get_dataset

dataset = get_dataset()
programme = dataset.programme

st.title("Ateliers Flash : vue d'ensemble")
st.markdown(
    "Accompagnements courts de la DGALN pour des projets d'aménagement de petite échelle "
    f"(environ {fmt_eur(programme.info['montant_indicatif_eur'])} par atelier, pris en charge par "
    f"l'État ; {programme.info['duree_mois_min']} à {programme.info['duree_mois_max']} mois). "
    f"Registre affiché : **{md(dataset.source.label)}**."
)

kf = analyse.dataset_key_figures(dataset)
st.subheader("Chiffres du registre")
cols = st.columns(3)
cols[0].metric("Ateliers", fmt_int(kf.ateliers), help="Lignes du registre sans erreur")
cols[1].metric("dont réalisés", fmt_int(kf.realises))
cols[2].metric("Communes distinctes", fmt_int(kf.communes))
cols = st.columns(3)
cols[0].metric("Départements", fmt_int(kf.departements))
cols[1].metric("Régions", fmt_int(kf.regions))
cols[2].metric("Population des communes couvertes", fmt_int(kf.population))
cols = st.columns(3)
cols[0].metric(
    "Montants renseignés",
    fmt_eur(kf.montant_total),
    help=f"Somme sur {fmt_int(kf.montant_connu)} atelier(s) dont le montant est connu",
)
cols[1].metric("Ateliers sans année connue", fmt_int(kf.annee_inconnue))

st.subheader("Chiffres officiels publiés")
comparison = analyse.official_comparison(dataset)
for row in comparison.itertuples():
    st.markdown(
        f"- **{row.indicateur}** : {fmt_int(row.registre)} dans le registre ; "
        f"{row.officiel} selon la source officielle (écart : {row.ecart:+d}). "
        f"*Source : {row.source}, {fmt_date(row.date)}.*"
    )
selection = programme.figures["selection_annuelle"]
st.markdown(
    f"- **{selection.label}** : {selection.display()}. "
    f"*Source : {selection.source}, {fmt_date(selection.date)}.*"
)
if dataset.fictif:
    st.caption("Registre fictif : l'écart avec les chiffres officiels n'a pas de sens.")

st.subheader("Validation du registre")
summary = dataset.report.summary
issues = dataset.report.issues_frame()
st.markdown(
    f"{fmt_int(summary['ok'])} ligne(s) sans remarque, "
    f"**{fmt_int(summary['warning'])} avec avertissement**, "
    f"**{fmt_int(summary['error'])} en erreur** (écartée(s) de l'application)."
)
with st.expander(f"Lire les {fmt_int(len(issues))} message(s) de validation"):
    if issues.empty:
        st.write("Aucun message.")
    else:
        st.dataframe(issues, hide_index=True, width="stretch")
        download_buttons(issues, key="validation_registre", what="les messages")
