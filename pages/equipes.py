"""Équipes et tourniquet (page interne): accords-cadres, audit du tourniquet, charge des équipes.

Titulaires des accords-cadres, audit bon par bon, prochaine équipe, charge dans le temps.
"""

import datetime as dt

import streamlit as st

from atelierflash import analyse
from atelierflash.formats import fmt_date, fmt_decimal, fmt_eur, fmt_int
from atelierflash.texte import markdown_escape as md
from atelierflash.ui.acces import require_internal
from atelierflash.ui.charts import chart_block, download_buttons, markdown_safe, png_hint
from atelierflash.ui.data import get_dataset
from atelierflash.ui.filters import filter_sidebar

require_internal()
dataset = get_dataset()
programme = dataset.programme
labels = analyse.team_labels(programme)
colours = analyse.team_colours(programme)
state, selection = filter_sidebar(dataset)
today = dt.date.today()
source = analyse.source_note(dataset)

st.title("Équipes et tourniquet")
st.warning(
    "Page interne : elle ne figure ni sur la carte publique ni dans ses exports.",
    icon=":material/lock:",
)
st.markdown(
    "Qui a reçu quels bons de commande sous chaque accord-cadre, et si leur attribution suit la "
    "règle annoncée (méthode du tourniquet, article R2162-14 du code de la commande publique). "
    "L'audit porte sur **tout le registre** "
    f"**{md(dataset.source.label)}** : les filtres du panneau latéral ne s'appliquent qu'à la "
    "charge des équipes, en bas de page, car un tourniquet rejoué sur une partie des bons "
    "inventerait des écarts."
)

audits, outside, read = analyse.audit_register(programme, dataset.ateliers)
deviations = analyse.all_deviations(audits)
undocumented = [r for r in deviations if not r.documented]

cols = st.columns(4)
cols[0].metric("Bons de commande audités", fmt_int(sum(len(a.replayed) for a in audits)))
cols[1].metric(
    "Écarts à la règle",
    fmt_int(len(deviations)),
    help="Bons attribués à un autre titulaire que celui que la règle désignait.",
)
cols[2].metric("Dont écarts non justifiés", fmt_int(len(undocumented)))
cols[3].metric(
    "Bons datés par le début de l'atelier",
    fmt_int(len(read.fallback)),
    help="Ateliers sans date de bon de commande dans le registre.",
)
if read.fallback:
    st.warning(
        f"{fmt_int(len(read.fallback))} atelier(s) n'ont pas de date de bon de commande dans le "
        "registre : leurs bons sont datés par la date de début de l'atelier, ce qui peut "
        "modifier l'ordre rejoué. Ils sont marqués dans le tableau des bons.",
        icon=":material/warning:",
    )
if read.undated:
    st.caption(
        f"{fmt_int(len(read.undated))} atelier(s) avec une équipe mais sans date de bon ni de "
        "début sont hors audit : " + md(", ".join(read.undated)) + "."
    )
if outside:
    st.caption(
        f"{fmt_int(len(outside))} bon(s) émis hors de la période de tout accord-cadre, non audités."
    )
if undocumented:
    st.error(
        f"{fmt_int(len(undocumented))} bon(s) attribué(s) hors règle sans motif documenté : un "
        "titulaire passé sans motif peut demander réparation.",
        icon=":material/error:",
    )
elif deviations:
    st.success(
        "Toutes les dérogations au tourniquet sont documentées par un motif.",
        icon=":material/check_circle:",
    )
png_hint()

ordered = sorted(audits, key=lambda a: a.agreement.start, reverse=True)
tabs = st.tabs([programme.accords.label_of(a.agreement.key) for a in ordered])
for tab, item in zip(tabs, ordered, strict=True):
    agreement = item.agreement
    key = agreement.key
    name = programme.accords.label_of(key)
    with tab:
        st.header(f"Accord-cadre {name}")
        approx = " (dates approximatives)" if agreement.approximate_dates else ""
        st.markdown(
            f"Du {fmt_date(agreement.start)} au {fmt_date(agreement.end)}{approx}. "
            f"Règle : **{md(analyse.rule_text(agreement, labels))}**. "
            f"*Source : {md(agreement.source)}.*"
        )
        st.subheader("Titulaires et co-traitants")
        for holder in agreement.holders:
            flag = (
                ""
                if holder.confirmed
                else " ⚠️ **titulaire non confirmé** (" + md(holder.source) + ")"
            )
            members = "\n".join(f"  - {md(m.name)} : {md(m.role)}" for m in holder.members)
            st.markdown(f"- **{md(labels.get(holder.team, holder.team))}**{flag}\n{members}")

        summary = analyse.holder_summary(item.replayed, agreement)
        st.subheader("Bons et montants par titulaire")
        if not item.replayed:
            st.info(
                "Aucun bon de commande du registre sous cet accord-cadre.", icon=":material/info:"
            )
            continue
        st.table(markdown_safe(analyse.summary_display(summary, labels)), hide_index=True)
        if agreement.rule == "single":
            st.info(
                "Titulaire unique : tous les bons lui reviennent, il n'y a pas de tourniquet à "
                "auditer.",
                icon=":material/info:",
            )
        else:
            gap = analyse.spread(summary, "orders")
            gap_amount = analyse.spread(summary, "amount")
            ratio = f", rapport {fmt_decimal(gap.ratio, 2)}" if gap.ratio else ""
            ratio_amount = (
                f", rapport {fmt_decimal(gap_amount.ratio, 2)}" if gap_amount.ratio else ""
            )
            st.markdown(
                f"Écart entre titulaires : **{fmt_int(gap.difference)} bon(s)**{ratio} ; "
                f"**{fmt_eur(gap_amount.difference)}**{ratio_amount}."
            )
        per_year = analyse.holder_year_table(item.replayed, agreement, labels)
        chart_block(
            analyse.holder_year_figure(
                per_year, colours, f"Bons par titulaire et par année – {name}", source
            ),
            per_year,
            key=f"equipes_annees_{key}",
            columns=["titulaire", "annee", "bons", "montant_eur"],
        )
        cumulative = analyse.cumulative_table(item.replayed, labels)
        chart_block(
            analyse.cumulative_orders_figure(
                cumulative, colours, f"Bons cumulés par titulaire – {name}", source
            ),
            cumulative,
            key=f"equipes_cumul_{key}",
            columns=["date", "rang", "titulaire", "cumul_bons", "cumul_montant_eur"],
        )

        st.subheader("Prochaine équipe")
        team, why = analyse.next_holder(agreement, [r.order for r in item.replayed], labels)
        ended = agreement.end < today
        st.markdown(
            f"Sous la règle de l'accord-cadre, le prochain bon revient à "
            f"**{md(labels.get(team, team))}**."
            + (" *(L'accord-cadre est clos : indication rétrospective.)*" if ended else "")
        )
        st.caption(md(why))

        if agreement.rule != "single":
            st.subheader("Bons un par un")
            table = analyse.order_table(item.replayed, dataset.ateliers, labels, read.fallback)
            shown = analyse.order_display(table)
            rows = analyse.order_row_styles(table)
            styled = shown.style.apply(lambda row, css=rows: [css[row.name]] * len(row), axis=1)
            st.caption(
                "Les écarts sont en tête (non justifiés en rouge, puis dérogations documentées "
                "en jaune), puis les bons conformes par date."
            )
            st.dataframe(styled, hide_index=True, width="stretch", key=f"bons_{key}")
            download_buttons(analyse.order_csv(table), key=f"equipes_bons_{key}", what="les bons")

st.header("Charge des équipes dans le temps")
st.markdown(
    "Les ateliers de la sélection (filtres du panneau latéral) menés par chaque équipe, du début "
    "à la fin, et le nombre d'ateliers qu'elle mène en même temps chaque mois."
)
periods = analyse.atelier_periods(selection, today)
if periods.empty:
    st.info(
        "Aucun atelier de la sélection n'a à la fois une équipe et une date de début.",
        icon=":material/info:",
    )
else:
    load = analyse.monthly_load(periods, labels)
    peaks = analyse.peak_load(load)
    st.table(markdown_safe(analyse.load_display(peaks)), hide_index=True)
    chart_block(
        analyse.team_timeline_figure(periods, labels, colours, source),
        periods,
        key="equipes_calendrier",
        columns=["atelier", "titre", "equipe", "debut", "fin"],
    )
    chart_block(
        analyse.team_load_figure(load, colours, source),
        load,
        key="equipes_charge_mensuelle",
        columns=["titulaire", "mois", "en_cours", "sur_site", "ids_ateliers"],
    )
