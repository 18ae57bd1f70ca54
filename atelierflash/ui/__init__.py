"""Streamlit glue: the only part of atelierflash allowed to import Streamlit."""
