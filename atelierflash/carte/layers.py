"""The folium elements of the map: the base mounted once and the layer of the selection.

The page hands ``CarteBuild.map`` and ``CarteBuild.layers`` to ``streamlit_folium.st_folium``
(``feature_group_to_add``), so a filter or style change only replaces the layer. Each element is
one call ``AF.<function>(parent, payload)`` of ``static/carte/carte.js``: commune attributes
travel as columns (codes, names, one character per style class), atelier texts once per
atelier, and a level of detail is chosen so that the layer stays under :data:`LAYER_BUDGET`; a
selection too large even at the coarsest level is shown per département, with a message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import folium
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template

from atelierflash import palette
from atelierflash.carte.assets import STATIC_URL, asset_links
from atelierflash.carte.basemap import NATIONAL_BOUNDS, Basemap
from atelierflash.carte.communes import LEVELS, Level, PreparedCommunes
from atelierflash.carte.encoding import encode_geometries, encode_ints, js_json
from atelierflash.carte.legend import (
    DIMENSIONS,
    Category,
    atelier_category_keys,
    categories_for,
)
from atelierflash.formats import fmt_int

VIEWS = {
    "communes": "Communes des ateliers",
    "departements": "Départements (aplats)",
    "cercles": "Départements (cercles proportionnels)",
}

#: Largest JSON payload of the atelier layer (UTF-8 bytes) before a coarser level of detail:
#: with the basemap (about 80 KB) the whole map stays under 200 KB, the budget of the benchmark
#: (a national view takes 1e-3° outlines, a région or a département the finest ones).
LAYER_BUDGET = 110_000


class CarteMap(folium.Map):
    """A folium map whose only assets are Leaflet and the map's code, served by the app."""

    def __init__(self, *args, asset_prefix: str = STATIC_URL, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_js, self.default_css = asset_links(asset_prefix)


class _Raw(Element):
    """Text added to the figure as is.

    branca's ``MacroElement.render`` wraps each script in ``Element(text)``, which compiles the
    text as a Jinja template: register text such as ``{{ … }}`` would then be evaluated on the
    server. Our payloads never go through a template.
    """

    def __init__(self, text: str):
        super().__init__()
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


class _Call(MacroElement):
    """A call ``AF.<function>(parent, payload)`` of ``static/carte/carte.js``."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "AF.{{ this.function }}({{ this._parent.get_name() }}, {{ this.payload }});"
        "{% endmacro %}"
    )

    def __init__(self, function: str, payload: dict):
        super().__init__()
        self._name = "AfCall"
        self.function = function
        self.data = payload
        self.payload = js_json(payload)

    def render(self, **kwargs) -> None:
        """Add the call to the figure's script without re-reading it as a template."""
        figure = self.get_root()
        script = self._template.module.script(self, kwargs)
        figure.script.add_child(_Raw(script), name=self.get_name())


@dataclass(frozen=True)
class MapOptions:
    """What the user chose above the map.

    Attributes
    ----------
    dimension : str
        Key of :data:`DIMENSIONS`.
    vue : str
        Key of :data:`VIEWS`.
    plan_ign : bool
        Add the « Plan IGN » tiles (requests to the Géoplateforme; off by default).
    focus : str or None
        INSEE code of a searched commune: outlined, and the map zooms to it.
    focus_token : str
        Changes each time the user asks to zoom again to the same commune.
    """

    dimension: str = "famille"
    vue: str = "communes"
    plan_ign: bool = False
    focus: str | None = None
    focus_token: str = ""


@dataclass
class CarteBuild:
    """A built map: the base to mount once, the layers that change, and what they show."""

    map: folium.Map
    layers: list[folium.FeatureGroup]
    vue: str
    level: Level | None
    categories: list[Category]
    ateliers: int
    communes: int
    message: str = ""
    departement_counts: dict[str, int] = field(default_factory=dict)

    @property
    def layer_payload(self) -> dict:
        """The JSON-ready data of the changing layer (for tests and the benchmark)."""
        for layer in self.layers:
            for child in layer._children.values():
                if isinstance(child, _Call):
                    return child.data
        return {}


IGN_URL = (
    "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM"
    "&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
)
IGN_ATTRIBUTION = "Plan IGN © IGN – Géoplateforme"


def base_map(basemap: Basemap, plan_ign: bool = False, asset_prefix: str = STATIC_URL) -> CarteMap:
    """The part of the map that never changes with the filters (mounted once in the browser)."""
    (south, west), (north, east) = NATIONAL_BOUNDS
    m = CarteMap(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=6,
        tiles=None,
        prefer_canvas=True,
        control_scale=False,  # carte.js adds a metric scale at the bottom right
        zoom_snap=0.25,
        min_zoom=3,
        max_zoom=16,
        asset_prefix=asset_prefix,
    )
    payload = dict(basemap.payload)
    payload["ign"] = {"url": IGN_URL, "attribution": IGN_ATTRIBUTION} if plan_ign else None
    _Call("basemap", payload).add_to(m)
    return m


def departement_counts(ateliers: pd.DataFrame) -> dict[str, int]:
    """Ateliers per département: an atelier counts once in each département it touches."""
    counts: dict[str, int] = {}
    for deps in ateliers["departements"]:
        for dep in set(deps):
            counts[dep] = counts.get(dep, 0) + 1
    return dict(sorted(counts.items()))


def count_classes(maximum: int, n: int = 5) -> list[tuple[int, int]]:
    """Up to ``n`` classes ``(low, high)`` covering 1…maximum with round bounds."""
    if maximum <= 0:
        return []
    if maximum <= n:
        return [(i, i) for i in range(1, maximum + 1)]
    step = max(1, math.ceil(maximum / n))
    for nice in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if nice >= step:
            step = nice
            break
    classes, low = [], 1
    while low <= maximum:
        high = min(low + step - 1 if low > 1 else step, maximum)
        classes.append((low, high))
        low = high + 1
    return classes[:n] if len(classes) <= n else [*classes[: n - 1], (classes[n - 1][0], maximum)]


def build_map(
    basemap: Basemap,
    prepared: PreparedCommunes,
    dataset,
    ateliers: pd.DataFrame,
    options: MapOptions = MapOptions(),
    asset_prefix: str = STATIC_URL,
) -> CarteBuild:
    """Build the map of ``ateliers`` (already filtered, public ones only).

    Parameters
    ----------
    basemap : Basemap
        From :func:`prepare_basemap` (cached per référentiel).
    prepared : PreparedCommunes
        From :func:`prepare_communes` (cached per dataset).
    dataset : Dataset
    ateliers : pandas.DataFrame
        Rows of ``dataset.ateliers`` to show.
    options : MapOptions

    Returns
    -------
    CarteBuild
        ``map`` (the base, identical for every selection) and ``layers`` (one feature group
        holding the selection); ``vue`` is ``"departements"`` when a commune view was asked but
        the selection is too large even at the coarsest level of detail (see ``message``).
    """
    if options.vue not in VIEWS:
        raise ValueError(f"vue inconnue : « {options.vue} » ({', '.join(VIEWS)})")
    m = base_map(basemap, plan_ign=options.plan_ign, asset_prefix=asset_prefix)
    categories = categories_for(dataset, ateliers, options.dimension)
    counts = departement_counts(ateliers)
    focus = _focus_payload(dataset, options)
    vue, message, level = options.vue, "", None
    n = len(_selection_rows(prepared, ateliers))
    if vue == "communes":
        payload, level = _communes_payload(prepared, dataset, ateliers, options, categories)
        if payload is None:
            message = (
                f"La sélection compte {fmt_int(n)} communes : trop pour les dessiner une à une "
                "sur la carte. Elle est montrée par département ; filtrez par région, "
                "département ou année pour voir les communes."
            )
            vue = "departements"
    if vue != "communes":
        payload = _overview_payload(basemap, counts, "cercles" if vue == "cercles" else "aplats")
    payload["focus"] = focus
    group = folium.FeatureGroup(name="Ateliers", control=False)
    _Call("ateliers" if vue == "communes" else "overview", payload).add_to(group)
    return CarteBuild(
        map=m,
        layers=[group],
        vue=vue,
        level=level,
        categories=categories,
        ateliers=len(ateliers),
        communes=n,
        message=message,
        departement_counts=counts,
    )


def _selection_rows(prepared: PreparedCommunes, ateliers: pd.DataFrame) -> list[int]:
    """Rows (in ``prepared``) of the distinct communes of ``ateliers``, in first-seen order."""
    empty = np.zeros(0, dtype=np.int64)
    seen: dict[int, None] = {}
    for aid in ateliers["id"]:
        seen.update(dict.fromkeys(prepared.members.get(str(aid), empty).tolist()))
    return list(seen)


def _communes_payload(
    prepared: PreparedCommunes,
    dataset,
    ateliers: pd.DataFrame,
    options: MapOptions,
    categories: list[Category],
) -> tuple[dict | None, Level | None]:
    programme = dataset.programme
    ids = [str(a) for a in ateliers["id"]]
    titles = ateliers["titre"].tolist()
    years = [-1 if pd.isna(y) else int(y) for y in ateliers["annee"]]
    themes_col = ateliers["themes"].tolist()
    echelles = ateliers["echelle"].tolist()
    cat_index = {c.key: i for i, c in enumerate(categories)}
    atelier_cat = [
        cat_index.get(k, len(categories) - 1)
        for k in atelier_category_keys(ateliers, options.dimension)
    ]
    theme_keys = programme.themes.keys()
    theme_pos = {k: i for i, k in enumerate(theme_keys)}
    empty = np.zeros(0, dtype=np.int64)
    local: dict[int, int] = {}
    rows: list[int] = []
    latest: list[int] = []  # per commune: the atelier giving its colour
    atelier_members: list[list[int]] = []
    for a, aid in enumerate(ids):
        mine = []
        for row in prepared.members.get(aid, empty).tolist():
            c = local.get(row)
            if c is None:
                c = local[row] = len(rows)
                rows.append(row)
                latest.append(a)
            # A commune takes the colour of its most recent atelier (unknown year = oldest).
            elif (years[a], -a) > (years[latest[c]], -latest[c]):
                latest[c] = a
            mine.append(c)
        atelier_members.append(mine)
    row_array = np.array(rows, dtype=np.int64)
    names = prepared.noms[row_array] if rows else np.array([], dtype=object)
    if sum(len(n.encode("utf-8")) + 7 for n in names) > LAYER_BUDGET:
        return None, None  # names and codes alone are too many: nothing else is computed
    atelier_rows = []
    points = []
    for a in range(len(ids)):
        themes = "".join(chr(97 + theme_pos[t]) for t in themes_col[a] if t in theme_pos)
        atelier_rows.append(
            [
                titles[a] or "(sans titre)",
                "" if years[a] < 0 else years[a],
                themes,
                atelier_cat[a],
                encode_ints(sorted(atelier_members[a])),
            ]
        )
        if echelles[a] == "batiment_ilot" and atelier_members[a]:
            # One marker at the atelier's first commune (the site's commune).
            c = atelier_members[a][0]
            r = rows[c]
            points.append(
                [round(float(prepared.lat[r]), 5), round(float(prepared.lon[r]), 5), c, a]
            )
    payload = {
        "factor": 0,
        "level": "",
        "dimension": DIMENSIONS[options.dimension],
        "categories": [[c.label, c.colour, c.count] for c in categories],
        "themes": [programme.themes.label_of(k) for k in theme_keys],
        "ateliers": atelier_rows,
        "codes": "".join(prepared.codes[row_array]) if rows else "",
        "noms": "|".join(n.replace("|", "/") for n in names),
        "geoms": "",
        "cats": "".join(chr(97 + atelier_cat[a]) for a in latest),
        "points": points,
        "outlines": {"factor": 0, "lines": [], "owners": []},
    }
    fixed = len(js_json(payload).encode("utf-8"))
    multi = [
        (a, aid)
        for a, (aid, mine) in enumerate(zip(ids, atelier_members, strict=True))
        if len(mine) > 1
    ]
    for i, level in enumerate(LEVELS):
        texts, sizes = prepared.level(i)
        geoms = int(sizes[row_array].sum()) + max(len(rows) - 1, 0)
        labels = len(level.label.encode("utf-8")) + len(str(level.factor)) * 2
        if fixed + geoms + labels > LAYER_BUDGET:
            continue
        # Each outline says whose it is (``owners``: atelier indexes), so the public page can
        # hide those its filters leave out.
        drawn = [(a, t) for a, t in ((a, prepared.outline(aid, i)) for a, aid in multi) if t]
        lines = [t for _, t in drawn]
        extra = sum(len(t) + 3 + len(str(a)) + 1 for a, t in drawn)
        if fixed + geoms + labels + extra > LAYER_BUDGET:
            continue
        payload["factor"] = level.factor
        payload["level"] = level.label
        payload["geoms"] = " ".join(texts[row_array]) if rows else ""
        payload["outlines"] = {
            "factor": level.factor,
            "lines": lines,
            "owners": [a for a, _ in drawn],
        }
        return payload, level
    return None, None


def _overview_payload(basemap: Basemap, counts: dict[str, int], mode: str) -> dict:
    known = {c: n for c, n in counts.items() if c in basemap.departement_names}
    classes = count_classes(max(known.values(), default=0))
    return {
        "mode": mode,
        "counts": known,
        "classes": [
            [low, high, palette.COUNT_RAMP[i % len(palette.COUNT_RAMP)]]
            for i, (low, high) in enumerate(classes)
        ],
        "max": max(known.values(), default=0),
        "colour": palette.BLEU_FRANCE,
    }


def _focus_payload(dataset, options: MapOptions) -> dict | None:
    if not options.focus:
        return None
    com = dataset.referentiel.communes
    rows = com[(com["code"] == options.focus) & com["type"].isin(("COM", "ARM"))]
    if rows.empty:
        return None
    row = rows.iloc[0]
    geom = row.geometry
    if geom is not None and not shapely.is_empty(geom):
        minx, miny, maxx, maxy = shapely.bounds(geom)
    else:
        minx = maxx = float(row["lon"])
        miny = maxy = float(row["lat"])
    pad = 0.02
    return {
        "code": str(row["code"]),
        "nom": str(row["nom"]),
        "token": f"{row['code']}:{options.focus_token}",
        "geom": encode_geometries([geom], 10_000)[0] if geom is not None else "",
        "factor": 10_000,
        "bounds": [
            [round(miny - pad, 4), round(minx - pad, 4)],
            [round(maxy + pad, 4), round(maxx + pad, 4)],
        ],
    }
