"""Données (page interne) : importer un registre, le relire, l'enregistrer ; l'historique.

Messages ligne par ligne, communes à préciser, différences avec la version actuelle, puis
nouvelle version ; historique des versions (voir, télécharger, comparer, restaurer).
"""

import streamlit as st

from atelierflash import modele
from atelierflash import store as register_store
from atelierflash.formats import fmt_int
from atelierflash.store import summary_text
from atelierflash.texte import markdown_escape as md
from atelierflash.ui import donnees as review
from atelierflash.ui.acces import require_internal
from atelierflash.ui.data import get_store

require_internal()
store = get_store()
head = store.head()

st.title("Données du registre")
st.warning(
    "Page interne : chaque import accepté devient une nouvelle version du registre de "
    "l'application ; aucune version n'est jamais écrasée.",
    icon=":material/lock:",
)
if notice := st.session_state.pop(review.NOTICE, None):
    st.success(notice, icon=":material/check_circle:")
if head is None:
    st.info("Le registre de l'application est vide : importez un premier fichier.")
else:
    st.markdown(
        f"**Version actuelle : {head.version}**, enregistrée le {head.date_text} par "
        f"{md(head.auteur)} depuis « {md(head.fichier)} » ({fmt_int(head.nb_lignes)} lignes"
        f"{', fictive' if head.fictif else ''})."
    )

# -- import -----------------------------------------------------------------------------------
st.header("Importer un registre")
st.markdown(
    "Un fichier CSV (UTF-8 ou Windows-1252 ; séparateur `,` `;` ou tabulation) ou XLSX, avec les "
    "en-têtes du registre ou leurs variantes usuelles (« Intitulé », « Année de sélection », "
    "« Commune(s) »…). Rien n'est enregistré avant votre confirmation. Les actions de la "
    "feuille de route sont lues dans la feuille « Actions » du classeur, ou dans un fichier à "
    "part ; sans l'une ni l'autre, les actions actuelles sont gardées."
)
st.download_button(
    "Télécharger le modèle à remplir (XLSX)",
    review.template(),
    file_name=modele.FILE_NAME,
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="donnees_modele",
    icon=":material/download:",
    help="Feuilles « Registre » et « Actions » avec leurs listes déroulantes, et « Lisez-moi ».",
)
uploaded = st.file_uploader("Fichier du registre", type=["csv", "xlsx"], key=review.UPLOADER)
actions_file = st.file_uploader(
    "Actions de la feuille de route, dans un fichier à part (facultatif)",
    type=["csv", "xlsx"],
    key=review.ACTIONS_UPLOADER,
)
if (number := review.stored_as(uploaded)) is not None:
    st.info(
        f"Ce fichier est enregistré comme version {number}. Déposez-en un autre pour l'importer."
    )
elif uploaded is not None:
    preview = review.preview(uploaded, actions_file)
    report = preview.report
    if not preview.usable:
        for issue in report.file_issues:
            st.error(md(str(issue)), icon=":material/error:")  # quotes names, headers
        st.stop()

    summary = report.summary
    st.subheader("Vérification ligne par ligne")
    cols = st.columns(4)
    cols[0].metric("Lignes lues", fmt_int(len(report.rows)))
    cols[1].metric("Sans remarque", fmt_int(summary["ok"]))
    cols[2].metric("Avec avertissement", fmt_int(summary["warning"]))
    cols[3].metric("En erreur", fmt_int(summary["error"]))
    messages = preview.messages_frame()
    if len(messages):
        st.dataframe(
            messages,
            hide_index=True,
            width="stretch",
            column_config={
                "ligne": "Ligne",
                "id": "Identifiant",
                "niveau": "Niveau",
                "colonne": "Colonne (du fichier)",
                "message": st.column_config.TextColumn("Message", width="large"),
            },
        )
    if summary["error"]:
        st.warning(
            f"{fmt_int(summary['error'])} ligne(s) en erreur : elles seront conservées telles "
            "quelles dans la version, mais écartées des cartes et des chiffres tant qu'elles ne "
            "sont pas corrigées.",
            icon=":material/warning:",
        )

    plan = preview.actions
    if plan.present:
        st.subheader("Actions de la feuille de route")
        for issue in plan.file_issues:
            if issue.level == "error":
                st.error(md(str(issue)), icon=":material/error:")
        if plan.usable:
            counts = plan.summary
            cols = st.columns(4)
            cols[0].metric("Actions lues", fmt_int(len(plan.rows)))
            cols[1].metric("Actions sans remarque", fmt_int(counts["ok"]))
            cols[2].metric("Actions avec avertissement", fmt_int(counts["warning"]))
            cols[3].metric("Actions en erreur", fmt_int(counts["error"]))
            action_messages = plan.issues_frame()
            if len(action_messages):
                st.dataframe(action_messages, hide_index=True, width="stretch")

    if preview.unresolved:
        st.subheader("Communes à préciser")
        st.markdown(
            "Ces noms ne désignent pas une seule commune. Choisissez la bonne : le choix est "
            "conservé avec la version et réappliqué quand le même nom revient."
        )
        with st.form("donnees_choix_form"):
            picked = {}
            for item in preview.unresolved:
                lines = ", ".join(map(str, item.lignes))
                codes = [None, *(c["code"] for c in item.candidats)]
                labels = {c["code"]: md(item.label(c)) for c in item.candidats}
                picked[item.cle] = st.radio(
                    f"« {md(item.nom)} » (ligne(s) {lines})",  # a label is Markdown
                    codes,
                    format_func=lambda code, labels=labels: labels.get(code, "Ne pas choisir"),
                    key=f"donnees_choix_{item.cle}",
                )
            if st.form_submit_button("Appliquer ces choix", icon=":material/done_all:"):
                review.choose(picked)
                st.rerun()

    st.subheader(
        f"Différences avec la version {preview.base}" if preview.base else "Contenu ajouté"
    )
    counts = preview.diff.summary()
    cols = st.columns(3)
    cols[0].metric("Ateliers ajoutés", fmt_int(counts["ajoutes"]))
    cols[1].metric("Ateliers supprimés", fmt_int(counts["supprimes"]))
    cols[2].metric("Ateliers modifiés", fmt_int(counts["modifies"]))
    if preview.diff.added:
        with st.expander(f"Ajoutés ({fmt_int(counts['ajoutes'])})"):
            st.dataframe(preview.diff.added, hide_index=True, width="stretch")
    if preview.diff.removed:
        with st.expander(f"Supprimés ({fmt_int(counts['supprimes'])})"):
            st.dataframe(preview.diff.removed, hide_index=True, width="stretch")
    if preview.diff.changed:
        with st.expander(f"Modifiés, champ par champ ({fmt_int(counts['modifies'])})", True):
            st.dataframe(preview.diff.changes_frame(), hide_index=True, width="stretch")
    action_changes = preview.diff.actions_frame()
    if len(action_changes):
        actions_counts = {k: v for k, v in counts.items() if k.startswith("actions_")}
        with st.expander(f"Actions de la feuille de route ({md(summary_text(actions_counts))})"):
            st.dataframe(action_changes, hide_index=True, width="stretch")

    st.subheader("Enregistrer")
    author = st.text_input("Auteur de la version", value=review.default_author())
    if preview.unchanged:
        st.info(f"Ce fichier est identique à la version {preview.base} : rien à enregistrer.")
    if st.button(
        f"Enregistrer la version {preview.base + 1}",
        type="primary",
        icon=":material/save:",
        disabled=preview.unchanged or not author.strip() or not plan.usable,
        help=None if author.strip() else "Indiquez l'auteur de la version.",
    ):
        try:
            info = register_store.commit_import(store, preview, author)
        except register_store.RegisterChanged as exc:
            review.forget()
            st.error(f"Rien n'a été enregistré : {exc}", icon=":material/sync_problem:")
            st.button("Relire sur la version actuelle", icon=":material/refresh:")
        except register_store.StoreError as exc:
            st.error(f"Rien n'a été enregistré : {exc}", icon=":material/error:")
        else:
            review.stored(info, uploaded)
            st.rerun()

# -- history -----------------------------------------------------------------------------------
st.header("Historique des versions")
versions = store.versions()
if not versions:
    st.stop()
st.dataframe(
    [
        {
            "version": v.version,
            "date": v.date_text,
            "auteur": v.auteur,
            "fichier": v.fichier,
            "lignes": v.nb_lignes,
            "résumé": v.resume_text,
            "fictif": "oui" if v.fictif else "non",
        }
        for v in reversed(versions)
    ],
    hide_index=True,
    width="stretch",
)
numbers = [v.version for v in reversed(versions)]
review.open_new_version()
number = st.selectbox("Version", numbers, key=review.VERSION)
info = store.version(number)
view, download, compare, restore = st.tabs(["Voir", "Télécharger", "Comparer", "Restaurer"])
with view:
    st.caption(
        f"Les {fmt_int(info.nb_lignes)} lignes telles qu'importées (« {md(info.fichier)} »)."
    )
    st.dataframe(store.original_frame(number), hide_index=True, width="stretch")
    version_actions = store.original_actions_frame(number)
    if version_actions is not None:
        st.caption(
            f"Les {fmt_int(len(version_actions))} actions de la feuille de route telles "
            "qu'importées (dans le téléchargement XLSX, feuille « Actions »)."
        )
        st.dataframe(version_actions, hide_index=True, width="stretch")
with download:
    for extension, mime in (
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ):
        st.download_button(
            f"Télécharger la version {number} ({extension.upper()})",
            register_store.version_file(store, number, extension),
            file_name=register_store.version_filename(info, extension),
            mime=mime,
            key=f"donnees_telecharger_{extension}",
            icon=":material/download:",
        )
with compare:
    others = [n for n in numbers if n != number]
    if not others:
        st.caption("Une seule version : rien à comparer.")
    else:
        other = st.selectbox("Comparer avec la version", others, key="donnees_autre")
        old, new = sorted((number, other))
        diff = register_store.compare_versions(store, old, new)
        st.markdown(
            f"De la version {old} à la version {new} : {register_store.summary_text(diff.summary())}."
        )
        if diff.added:
            st.dataframe(diff.added, hide_index=True, width="stretch")
        if diff.removed:
            st.dataframe(diff.removed, hide_index=True, width="stretch")
        if diff.changed:
            st.dataframe(diff.changes_frame(), hide_index=True, width="stretch")
        version_action_changes = diff.actions_frame()
        if len(version_action_changes):
            st.markdown("**Actions de la feuille de route**")
            st.dataframe(version_action_changes, hide_index=True, width="stretch")
with restore:
    if number == versions[-1].version:
        st.caption("C'est la version actuelle.")
    else:
        st.markdown(
            f"Rétablir la version {number} crée une nouvelle version "
            f"({versions[-1].version + 1}) identique à elle ; rien n'est effacé."
        )
        restorer = st.text_input(
            "Auteur de la restauration", value=review.default_author(), key="donnees_restaurateur"
        )
        if st.button(
            f"Rétablir la version {number}",
            icon=":material/history:",
            disabled=not restorer.strip(),
        ):
            try:
                restored = register_store.restore_version(store, number, restorer)
            except register_store.StoreError as exc:
                st.error(f"Rien n'a été enregistré : {exc}", icon=":material/error:")
            else:
                review.stored(restored)
                st.rerun()
