"""Suivi des étapes (page interne): what is late, what waits, how long each step takes.

The funnel per year against the target, the delays between steps per year and per team against
their norms, the à-traiter list linking to each fiche (points d'étape due included), the
ateliers in progress, and what became of the feuilles de route (« Suites des ateliers »).
"""

import datetime as dt

import streamlit as st

from atelierflash import analyse, tables
from atelierflash.carte import exports
from atelierflash.formats import fmt_date, fmt_decimal, fmt_int
from atelierflash.texte import markdown_escape as md
from atelierflash.ui import url
from atelierflash.ui.acces import require_internal
from atelierflash.ui.charts import EMPTY_SELECTION, chart_block, download_buttons, png_hint
from atelierflash.ui.data import get_dataset
from atelierflash.ui.fiche import atelier_url
from atelierflash.ui.filters import filter_sidebar

require_internal()
dataset = get_dataset()
programme = dataset.programme
settings = analyse.suivi_settings(programme)
target = programme.figures["selection_annuelle"]
teams = analyse.team_labels(programme)
state, ateliers = filter_sidebar(dataset)
source = analyse.source_note(dataset)

today = dt.date.today()
if "suivi_date" not in st.session_state:
    st.session_state["suivi_date"] = url.read(
        "date", dt.date.fromisoformat, today, what="la date du suivi"
    )
day = st.sidebar.date_input(
    "Date du suivi",
    key="suivi_date",
    format="DD/MM/YYYY",
    help="Les attentes et les retards sont comptés jusqu'à ce jour (par défaut : aujourd'hui).",
)
url.write("date", day.isoformat(), today.isoformat())

st.title("Suivi des étapes")
st.warning(
    "Page interne : elle ne figure ni sur la carte publique ni dans ses exports.",
    icon=":material/lock:",
)
st.markdown(
    f"Ce qui attend, ce qui est en retard et combien de temps prend chaque étape, au "
    f"**{fmt_date(day)}**, d'après le registre **{md(dataset.source.label)}** (sélection des "
    "filtres du panneau latéral). Seuils : éligibilité attendue dans les "
    f"{fmt_int(settings.eligibilite_attente_semaines)} semaines du dépôt, bon de commande dans "
    f"les {fmt_int(settings.bon_commande_attente_semaines)} semaines de la sélection, "
    f"restitution dans les {fmt_int(settings.atelier_retard_mois)} mois du bon de commande, "
    "points d'étape à "
    + ", ".join(f"{fmt_int(p.months)}" for p in programme.points_etape)
    + " mois de la restitution (réglages `[suivi]` de la configuration du programme)."
)
if ateliers.empty:
    st.info(EMPTY_SELECTION, icon=":material/info:")
    st.stop()

todo = analyse.a_traiter(ateliers, programme, day, actions=dataset.actions)
progress = analyse.ateliers_en_cours(ateliers, programme, day)
delays = analyse.delais(ateliers, programme)
single = analyse.delais_ateliers(ateliers, programme)

cols = st.columns(4)
cols[0].metric("Ateliers à traiter", fmt_int(todo["id"].nunique()))
cols[1].metric(
    "Ateliers en retard",
    fmt_int(int((todo["motif"] == "atelier_en_retard").sum())),
    help=f"Bon de commande depuis plus de {settings.atelier_retard_mois} mois, sans "
    "restitution, statut encore ouvert.",
)
cols[2].metric("Ateliers en cours", fmt_int(len(progress)))
to_restitution = delays[delays["a"] == "restitution"]
if len(to_restitution):
    row = to_restitution.iloc[0]
    cols[3].metric(
        "Délai médian jusqu'à la restitution",
        "–" if row["n"] == 0 else f"{fmt_decimal(row['mediane_jours'], 0)} j",
        help=f"{row['libelle']}, sur {fmt_int(row['n'])} atelier(s) dont les deux dates sont "
        "connues au jour.",
    )
png_hint()

st.header("À traiter")
if todo.empty:
    st.success("Rien n'attend au-delà des seuils du suivi.", icon=":material/check_circle:")
else:
    publishable = set(exports.public_ateliers(ateliers)["id"].astype(str))
    shown = todo.assign(
        equipe_libelle=todo["equipe"].map(programme.equipes.label_of),
        fiche=[atelier_url(i) if str(i) in publishable else None for i in todo["id"]],
    )
    columns = ["id", "motif_libelle", "jours", "etape_libelle", "depuis", "titre"]
    columns += ["equipe_libelle", "seuil", "echeance"]
    table = tables.display_table(shown, columns)
    # The link beside the identifier: the long titles would push it out of sight.
    table.insert(1, "Fiche", shown["fiche"].tolist())
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "Fiche": st.column_config.LinkColumn(
                "Fiche",
                display_text="Ouvrir la fiche",
                help="Une candidature, un atelier éligible ou non public n'a pas de fiche.",
            )
        },
        key="suivi_a_traiter",
    )
    st.caption(
        "Les plus longues attentes d'abord. Une date connue au mois compte depuis le dernier "
        "jour du mois : rien n'est signalé avant d'être sûr."
    )
    download_buttons(tables.export_table(shown, columns), key="suivi_a_traiter", what="la liste")

st.header("Entonnoir par année")
funnel = analyse.entonnoir(ateliers, programme)
chart_block(
    analyse.funnel_figure(
        funnel,
        target,
        programme.statuts,
        programme.selected_statuts,
        analyse.source_note(dataset, official=[target]),
    ),
    funnel,
    key="suivi_entonnoir",
    columns=["annee", "libelle", "n"],
)

st.header("Délais entre étapes")
st.markdown(
    "En jours calendaires, sur les ateliers dont les deux dates sont connues au jour ; la "
    "médiane d'un nombre pair de délais est la moyenne des deux du milieu."
)
summary = delays.rename(columns={"libelle": "delai"})
stat_columns = ["delai", "n", "mediane_jours", "q1_jours", "q3_jours", "max_jours", "norme_jours"]
for by in ("annee", "equipe"):
    grouped = analyse.delais(ateliers, programme, by=by).rename(columns={"libelle": "delai"})
    if by == "equipe":
        grouped["equipe"] = grouped["equipe"].map(lambda k: teams.get(k, k))
    chart_block(
        analyse.delays_figure(single, delays, by, teams, source),
        grouped,
        key=f"suivi_delais_{by}",
        columns=["delai", by, *stat_columns[1:]],
        empty=single.empty,
        empty_message="Aucun atelier de la sélection n'a deux dates d'étapes successives "
        "connues au jour : pas de délai à représenter.",
    )
with st.expander("Délais de toute la sélection (tableau)"):
    st.dataframe(tables.display_table(summary, stat_columns), hide_index=True, width="stretch")
    download_buttons(tables.export_table(summary, stat_columns), key="suivi_delais")

st.header("Ateliers en cours")
chart_block(
    analyse.progress_timeline_figure(progress, teams, source, day),
    progress.assign(
        equipe_libelle=progress["equipe"].map(programme.equipes.label_of),
        retard=progress["en_retard"].map({True: "oui", False: "non"}),
    ),
    key="suivi_en_cours",
    columns=["id", "titre", "equipe_libelle", "depart", "echeance", "jours", "retard"],
    empty=progress.empty,
    empty_message="Aucun atelier de la sélection n'est en cours (statut ouvert et bon de "
    "commande ou date de début).",
)

st.header("Suites des ateliers")
suites = analyse.Suites(ateliers, dataset.actions, programme)  # one frame for every table below
plans = suites.ateliers()
st.markdown(
    "Ce que sont devenues les feuilles de route : à chaque point d'étape ("
    + ", ".join(f"{fmt_int(p.months)}" for p in programme.points_etape)
    + " mois après la restitution), la part des actions **démarrées** (en cours ou réalisées) "
    "et **réalisées**, parmi celles dont le statut est renseigné ce jour-là (colonnes « Statut à "
    "N mois » de la feuille Actions ; la date du point est au registre)."
)
if plans.empty:
    st.info(
        "Aucun atelier de la sélection n'a de feuille de route (feuille « Actions » du "
        "registre, ou fichier d'actions importé sur la page « Données »).",
        icon=":material/info:",
    )
    st.stop()
GROUPING_KEYS = {("programme" if k is None else k): v for k, v in analyse.GROUPINGS.items()}
if "suivi_suites_par" not in st.session_state:
    st.session_state["suivi_suites_par"] = url.read(
        "suites", url.one_of(GROUPING_KEYS), "programme", what="le regroupement des suites"
    )
grouping = st.selectbox(
    "Regrouper par",
    list(GROUPING_KEYS),
    format_func=GROUPING_KEYS.get,
    key="suivi_suites_par",
    help="Année, équipe et échelle de l'atelier ; thème (et sa famille) de l'action elle-même.",
)
url.write("suites", grouping, "programme")
by = None if grouping == "programme" else grouping
summary = suites.synthese(by)
overall = suites.synthese().iloc[0]
cols = st.columns(3)
cols[0].metric("Ateliers avec une feuille de route", fmt_int(overall["ateliers"]))
cols[1].metric(
    "Actions par atelier",
    fmt_decimal(overall["actions_par_atelier"], 1),
    help=f"{fmt_int(overall['actions'])} action(s) en tout.",
)
cols[2].metric(
    "Délai médian, 1re action démarrée",
    "–"
    if overall["premier_demarrage_n"] == 0
    else f"{fmt_decimal(overall['premier_demarrage_mediane_jours'], 0)} j",
    help="De la restitution au premier point d'étape où une action est en cours ou réalisée, "
    f"sur {fmt_int(overall['premier_demarrage_n'])} atelier(s) dont les deux dates sont "
    "connues au jour.",
)
points = suites.points(by)
point_columns = ["groupe_libelle", "jalon_libelle", "ateliers", "actions", "demarrees"]
point_columns += ["realisees", "part_demarrees", "part_realisees"]
for measure in ("part_demarrees", "part_realisees"):
    chart_block(
        analyse.suites_points_figure(points, measure, analyse.GROUPINGS[by], source),
        points,
        key=f"suivi_suites_{measure}_{grouping}",
        columns=point_columns,
        empty=int(points["actions"].sum()) == 0,
        empty_message="Aucune action de la sélection n'a de statut renseigné à un point "
        "d'étape (colonnes « Statut à N mois » de la feuille Actions).",
    )
chart_block(
    analyse.first_start_figure(plans, [p.months for p in programme.points_etape], source),
    summary,
    key=f"suivi_suites_demarrage_{grouping}",
    columns=[
        "groupe_libelle",
        "ateliers",
        "actions",
        "actions_par_atelier",
        "premier_demarrage_n",
        "premier_demarrage_mediane_jours",
        "premier_demarrage_q1_jours",
        "premier_demarrage_q3_jours",
        "premier_demarrage_max_jours",
    ],
    empty=bool(plans["premier_demarrage_jours"].isna().all()),
    empty_message="Aucun atelier de la sélection n'a encore d'action démarrée à un point "
    "d'étape daté au jour, avec une restitution datée au jour.",
)
with st.expander("Suites atelier par atelier (tableau)"):
    per_atelier = plans.assign(equipe_libelle=plans["equipe"].map(programme.equipes.label_of))
    atelier_columns = ["id", "titre", "annee", "equipe_libelle", "actions", "restitution"]
    for point in programme.points_etape:
        atelier_columns += [f"point_{point.months}", f"renseignees_{point.months}"]
        atelier_columns += [f"demarrees_{point.months}", f"realisees_{point.months}"]
    atelier_columns.append("premier_demarrage_jours")
    st.dataframe(
        tables.display_table(per_atelier, atelier_columns), hide_index=True, width="stretch"
    )
    download_buttons(tables.export_table(per_atelier, atelier_columns), key="suivi_suites_ateliers")
