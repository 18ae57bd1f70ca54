"""The benchmarks of atelierflash, kept outside the library (``python -m benchmarks``).

- :mod:`benchmarks.carte`: the map page against a naive folium page and Streamlit's floor,
  measured in the same run (payload, build, filter change, Chromium times, budgets);
- :mod:`benchmarks.naive`: the naive baseline map;
- :mod:`benchmarks.component`: what ``st_folium`` sends, recorded without a running app;
- :mod:`benchmarks.servers`: the one Streamlit server starter, the static server and the one
  Chromium finder, shared with the browser tests;
- ``page_naive.py``, ``page_plancher.py``, ``page_plancher_secondaire.py``: the Streamlit pages
  the benchmark starts.

The library (:mod:`atelierflash`) never imports this package.
"""
