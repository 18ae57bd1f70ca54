"""Streamlit glue of the embed builder: the widgets that choose what the public map shows."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from atelierflash import carte, filters

DEFAULT_TITLE = "Carte des Ateliers Flash"
HEIGHTS = (400, 1200)


@dataclass(frozen=True)
class EmbedChoice:
    """What the builder's widgets say: the page's address, the filters, the frame."""

    page: str
    state: filters.FilterState
    height: int
    title: str
    compact: bool


def embed_choices(dataset, default_page: str) -> EmbedChoice:
    """Draw the builder's widgets (filters, height, title, variant) and read them."""
    programme = dataset.programme
    public = carte.public_ateliers(dataset.ateliers)
    options = filters.filter_options(public) if len(public) else {}
    years = sorted({int(y) for y in public["annee"].dropna()}) or [
        int(programme.info["annee_lancement"])
    ]
    ref = dataset.referentiel
    names = {
        "familles": programme.familles.label_of,
        "themes": programme.themes.label_of,
        "echelles": programme.echelles.label_of,
        "regions": dict(zip(ref.regions["code"], ref.regions["nom"], strict=True)).get,
        "departements": dict(
            zip(ref.departements["code"], ref.departements["nom"], strict=True)
        ).get,
    }
    with st.container(border=True):
        st.markdown("**Ce que montre la carte**")
        low, high = st.select_slider(
            "Années de sélection",
            options=years,
            value=(years[0], years[-1]),
            key="integrer_annees",
        )
        cols = st.columns(2)
        chosen = {}
        labels = {
            "familles": "Familles de thèmes",
            "themes": "Thèmes",
            "regions": "Régions",
            "departements": "Départements",
            "echelles": "Échelles",
        }
        for k, (name, label) in enumerate(labels.items()):
            name_of = names[name]
            chosen[name] = tuple(
                cols[k % 2].multiselect(
                    label,
                    options.get(name, []),
                    format_func=lambda v, f=name_of, n=name: (
                        f"{v} – {f(v)}" if n == "departements" else (f(v) or v)
                    ),
                    key=f"integrer_{name}",
                    placeholder="tous",
                )
            )
    with st.container(border=True):
        st.markdown("**Le cadre**")
        cols = st.columns([1, 2])
        height = cols[0].number_input(
            "Hauteur (px)",
            min_value=HEIGHTS[0],
            max_value=HEIGHTS[1],
            value=600,
            step=50,
            key="integrer_hauteur",
        )
        title = cols[1].text_input(
            "Titre du cadre (lu par les lecteurs d'écran, RGAA)",
            value=DEFAULT_TITLE,
            max_chars=120,
            key="integrer_titre",
        )
        compact = st.checkbox(
            "Variante compacte (sans en-tête ni pied de page, pour un cadre de 600 px)",
            value=True,
            key="integrer_compacte",
        )
        page = st.text_input(
            "Adresse de la carte publiée",
            value=default_page,
            key="integrer_adresse",
            help="Par défaut, la copie servie par l'application ; remplacez-la par l'adresse de "
            "la carte copiée sur l'hébergement du site.",
        )
    state = filters.FilterState(
        year_min=None if low == years[0] else int(low),
        year_max=None if high == years[-1] else int(high),
        **chosen,
    )
    return EmbedChoice(
        page=page.strip() or default_page,
        state=state,
        height=int(height),
        title=title.strip() or DEFAULT_TITLE,
        compact=bool(compact),
    )
