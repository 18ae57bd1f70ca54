"""The naive baseline page of the benchmark (``python -m benchmarks`` starts it).

A first folium map of the active register, with folium's and streamlit-folium's defaults:
CDN assets, OpenStreetMap tiles, the package's full geometry, the whole map rebuilt and every
interaction sent back to the app. Never part of the app's navigation.
"""

import streamlit as st
from streamlit_folium import st_folium

from atelierflash import carte
from atelierflash.ui.data import get_dataset
from benchmarks import naive

st.set_page_config(page_title="Référence naïve (benchmark)", layout="wide")


@st.cache_resource(show_spinner=False)
def _raw(key: str, _codes: frozenset) -> dict:
    return naive.raw_geometries(_codes)


dataset = get_dataset()
raw = _raw(str(dataset.source.path), _codes=frozenset(dataset.atelier_communes["code"]))
ateliers = carte.public_ateliers(dataset.ateliers)
st.title("Carte naïve (référence du benchmark)")
st_folium(naive.naive_map(dataset, ateliers, raw), height=640, use_container_width=True)
