"""The Streamlit floor of the benchmark (``python -m benchmarks`` starts it).

The least a Streamlit page with a map can do: one ``st.metric`` and an ``st_folium`` of a
folium map holding one small polygon, with the same defaults as the naive page (CDN assets,
OpenStreetMap tiles). No register is loaded, so the time from opening this page to its polygon
is Streamlit's own start-up and the component's, the part of the map page's time that no map
code can remove. Never part of the app's navigation.
"""

import folium
import streamlit as st
from streamlit_folium import st_folium

st.set_page_config(page_title="Plancher Streamlit (benchmark)", layout="wide")
st.metric("Ateliers", 1)
m = folium.Map(location=[46.6, 2.4], zoom_start=6)
# A small square around Paris: one path in Leaflet's overlay pane, as the naive page's test expects.
folium.Polygon([(48.8, 2.3), (48.9, 2.3), (48.9, 2.4), (48.8, 2.4)]).add_to(m)
st_folium(m, height=640, use_container_width=True)
