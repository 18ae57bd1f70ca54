"""The one palette: DSFR « couleurs illustratives » (light theme), by their DSFR names.

Every colour the app draws comes from here: the plotly figures, the map (basemap, legend,
choropleth) and the pages' table highlights. Series colours are chosen so that any prefix of
:data:`CATEGORICAL` stays distinguishable under the common colour blindnesses.
"""

from __future__ import annotations

DSFR = {
    "bleu-france": "#000091",
    "bleu-cumulus": "#417dc4",
    "bleu-cumulus-850": "#b6cffb",
    "bleu-ecume": "#465f9d",
    "bleu-ecume-sun": "#2f4077",
    "bleu-ecume-850": "#bfccfb",
    "bleu-ecume-925": "#dee5fd",
    "bleu-ecume-975": "#eef2f8",
    "orange-terre-battue": "#e4794a",
    "orange-terre-battue-sun": "#755348",
    "violet-glycine-sun": "#6e445a",
    "beige-gris-galet": "#aea397",
    "blanc": "#ffffff",
    "gris-975": "#f6f6f6",
    "gris-925": "#e5e5e5",
    "gris-850": "#cecece",
    "gris-625": "#929292",
    "gris-425": "#666666",
    "gris-200": "#3a3a3a",
    "gris-50": "#161616",
    # Couleurs système (light theme), as the DSFR's badges use them: text on background.
    "success-425": "#18753c",
    "success-950": "#b8fec9",
    "info-425": "#0063cb",
    "info-950": "#e8edff",
    "warning-425": "#b34000",
    "warning-950": "#ffe9e6",
    "error-425": "#ce0500",
    "error-950": "#ffe9e9",
    "yellow-moutarde-sun-348": "#695240",
    "yellow-moutarde-950": "#feebd0",
    "grey-950": "#eeeeee",
}

BLEU_FRANCE = DSFR["bleu-france"]
#: Categorical series, in order (families, teams…): any prefix stays distinguishable under
#: colour blindness (a test checks every pair).
CATEGORICAL = (
    DSFR["bleu-cumulus"],
    DSFR["orange-terre-battue"],
    DSFR["violet-glycine-sun"],
    DSFR["beige-gris-galet"],
    DSFR["bleu-ecume-sun"],
)
#: Sequential scale (heat maps): a lightness ramp of « bleu écume », from grey-white for 0.
SEQUENTIAL = (
    DSFR["gris-975"],
    DSFR["bleu-ecume-925"],
    DSFR["bleu-ecume-850"],
    DSFR["bleu-cumulus"],
    DSFR["bleu-ecume"],
    DSFR["bleu-ecume-sun"],
)
#: A value the register leaves empty (no theme, no team…).
MISSING_COLOUR = DSFR["gris-625"]
#: Statut colours: the pipeline as a lightness ramp, the abandons apart in grey-beige, the
#: candidatures not retained in light grey.
STATUT_COLOURS = {
    "candidature": DSFR["bleu-ecume-925"],
    "eligible": DSFR["bleu-ecume-850"],
    "selectionne": DSFR["bleu-cumulus-850"],
    "en_cours": DSFR["bleu-cumulus"],
    "realise": DSFR["bleu-ecume-sun"],
    "abandonne": DSFR["beige-gris-galet"],
    "non_retenu": DSFR["gris-850"],
}
#: Statut of a feuille de route's action (``statuts_action``) as a badge: (text, background),
#: the DSFR badge variants (info, success, warning, error, new, default grey). The label is
#: always written: the colour only repeats it.
_BADGE = {
    "info": (DSFR["info-425"], DSFR["info-950"]),
    "success": (DSFR["success-425"], DSFR["success-950"]),
    "warning": (DSFR["warning-425"], DSFR["warning-950"]),
    "error": (DSFR["error-425"], DSFR["error-950"]),
    "new": (DSFR["yellow-moutarde-sun-348"], DSFR["yellow-moutarde-950"]),
    "grey": (DSFR["gris-200"], DSFR["grey-950"]),
}
ACTION_STATUT_BADGES = {
    "a_venir": _BADGE["grey"],
    "en_cours": _BADGE["info"],
    "realise": _BADGE["success"],
    "en_pause": _BADGE["new"],
    "abandonne": _BADGE["grey"],
    "bloque": _BADGE["error"],
    "en_retard": _BADGE["warning"],
    "a_discuter": _BADGE["new"],
}
#: Years on the map: a lightness ramp from « bleu cumulus 850 » to « bleu France ».
YEAR_RAMP = (DSFR["bleu-cumulus-850"], DSFR["bleu-france"])
#: Choropleth of the map's département overview (0 stays white).
COUNT_RAMP = (
    DSFR["bleu-ecume-850"],
    DSFR["bleu-cumulus"],
    DSFR["bleu-ecume"],
    DSFR["bleu-ecume-sun"],
    DSFR["bleu-france"],
)
#: Table rows that need attention: an unexplained deviation (DSFR « rouge marianne 925 »), a
#: documented one (a pale « jaune tournesol »).
ROW_ALERT = "#fddede"
ROW_NOTICE = "#fff4cc"
#: The map's basemap: sea, land, département and région borders.
SEA = DSFR["bleu-ecume-975"]
LAND = DSFR["blanc"]
DEPARTEMENT_BORDER = DSFR["gris-850"]
REGION_BORDER = DSFR["gris-625"]
