"""Fiche d'un atelier (``?id=…``): the fiche synthétique, its small map, PDF and CSV downloads.

For an editor (internal audience, the store's register): « Modifier » and « Nouvelle
candidature » (``ui.edition``), « Modifier la feuille de route » (``ui.edition_actions``).
"""

import streamlit as st

from atelierflash import ecriture, fiche
from atelierflash.carte import exports
from atelierflash.ui import edition, edition_actions
from atelierflash.ui.data import get_dataset
from atelierflash.ui.fiche import PRINT_STYLE, choose_atelier, fiche_pdf

dataset = get_dataset()
st.title("Fiche d'un atelier")
row = choose_atelier(dataset)
if row is not None:
    st.html(f"{PRINT_STYLE}<style>{fiche.FICHE_CSS}</style>{fiche.fiche_html(dataset, row)}")
    one = dataset.ateliers[dataset.ateliers["id"] == row.id]
    cols = st.columns(3)
    cols[0].download_button(
        "Fiche synthétique (PDF)",
        data=lambda: fiche_pdf(dataset, row),
        file_name=fiche.fiche_filename(dataset, row),
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
    )
    cols[1].download_button(
        "Cet atelier (CSV)",
        data=exports.to_csv(dataset, one),
        file_name=fiche.fiche_filename(dataset, row).replace(".pdf", ".csv"),
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
    )
    cols[2].download_button(
        "Cet atelier (XLSX)",
        data=lambda: exports.to_xlsx(dataset, one, sheet="Atelier"),
        file_name=fiche.fiche_filename(dataset, row).replace(".pdf", ".xlsx"),
        mime=ecriture.XLSX_MIME,
        icon=":material/download:",
        on_click="ignore",
    )
    st.caption(
        "Pour imprimer la fiche seule : Ctrl+P (la mise en page d'impression masque la "
        "navigation), ou le PDF ci-dessus, mis en page sur une ou deux pages A4."
    )
edition.section(dataset, row)
edition_actions.section(dataset, row)
