"""atelierflash: carte et suivi des Ateliers Flash de la DGALN.

The library never imports Streamlit outside :mod:`atelierflash.ui`.
"""

__version__ = "0.1.0"
