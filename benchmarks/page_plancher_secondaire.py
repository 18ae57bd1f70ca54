"""The Streamlit floor opened as a secondary page, at ``/carte`` as the app's map page.

The same floor page (:mod:`benchmarks.page_plancher`) behind an ``st.navigation`` whose
default page is a single ``st.metric``. Opened at ``/carte``, Streamlit's front end first looks
for its server under ``/carte`` (a 404), waits 100 ms, then finds it at the root
(streamlit/streamlit#7074): the part of a secondary page's time that is Streamlit's own, paid
by the map page too. Never part of the app's navigation.
"""

from pathlib import Path

import streamlit as st


def _accueil() -> None:
    st.metric("Accueil", 1)


st.navigation(
    [
        st.Page(_accueil, title="Accueil", default=True),
        st.Page(Path(__file__).with_name("page_plancher.py"), title="Carte", url_path="carte"),
    ],
    position="hidden",
).run()
