"""The fiche of one atelier: its facts, its territory, a small map; as HTML and as PDF.

One builder for every place a fiche shows: the app's fiche page (``pages/atelier.py``), its
PDF download (WeasyPrint, server-side) and the public page's fiche. Every register value is
escaped with :func:`atelierflash.texte.html_escape`; links go to http(s) addresses only; the small map is an SVG
drawn here from the référentiel's geometries and embedded as a ``data:`` image, so a fiche
never loads anything (no tile, no script) and prints as it shows.

The fiche also shows the atelier's feuille de route (:func:`actions_html`): its actions by axe,
their statut and how many are engaged. Which actions depends on the dataset: every action of
the internal register (those kept from the public marked « non publiée »), only the public
actions' public columns of a public view (:func:`atelierflash.acces.public_view`), or the
actions the caller passes (the public export).
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import re
from dataclasses import dataclass

import pandas as pd
import shapely

from atelierflash import palette, registre
from atelierflash.carte.fiche import safe_url
from atelierflash.formats import fmt_date, fmt_int, fmt_partial_date
from atelierflash.texte import cell_text, html_escape

#: Communes listed by name in a fiche before « et N autres ».
MAX_COMMUNES = 30
#: The small map's drawing box (SVG user units; the page scales it).
MAP_WIDTH, MAP_HEIGHT = 480, 360
_COMMUNE_FILL, _COMMUNE_EDGE = palette.BLEU_FRANCE, palette.DSFR["blanc"]
_GROUND_FILL, _GROUND_EDGE = palette.DSFR["gris-975"], palette.DSFR["gris-625"]


@dataclass(frozen=True)
class Territory:
    """Where an atelier took place, from the référentiel.

    Attributes
    ----------
    communes : list of (code, nom, population)
    epci : list of str
        « Nom (SIREN) » of the communes' EPCI.
    departements, regions : list of str
        « Nom (code) ».
    population : int or None
        Sum of the communes' legal populations.
    """

    communes: list[tuple[str, str, int | None]]
    epci: list[str]
    departements: list[str]
    regions: list[str]
    population: int | None


def find_atelier(dataset, atelier_id: str):
    """The row of ``dataset.ateliers`` whose ``id`` is ``atelier_id`` (``None`` if absent)."""
    rows = dataset.ateliers[dataset.ateliers["id"].astype(str) == str(atelier_id)]
    return None if rows.empty else next(rows.itertuples(index=False))


def territory(dataset, atelier_id: str) -> Territory:
    """The communes, EPCI, départements, régions and population of one atelier."""
    links = dataset.atelier_communes
    mine = links[links["atelier_id"].astype(str) == str(atelier_id)]
    return _territory(_link_rows(mine), _ref_names(dataset.referentiel))


def territories(dataset) -> dict[str, Territory]:
    """:func:`territory` of every atelier of ``dataset`` (key: its id as text), in one pass.

    A page of every fiche (the public export) reads the links and the référentiel's names
    once, instead of once per atelier (quadratic: 9 s of a 10 s export at ×10 the demo). An
    atelier without any commune gets the empty territory.
    """
    links = dataset.atelier_communes
    names = _ref_names(dataset.referentiel)
    grouped: dict[str, list[tuple]] = {}
    for key, row in zip(links["atelier_id"].astype(str).tolist(), _link_rows(links), strict=True):
        grouped.setdefault(key, []).append(row)
    out = _Territories({key: _territory(rows, names) for key, rows in grouped.items()})
    out.empty = _territory([], names)
    return out


class _Territories(dict):
    """Territories by atelier id; an atelier without commune has the empty one."""

    empty: Territory

    def __missing__(self, key):
        return self.empty


_LINK_COLUMNS = ("code", "nom", "population", "epci_siren", "departement", "region")


def _link_rows(links) -> list[tuple]:
    """The links' columns used by a territory, as plain Python rows (missing values: None)."""
    columns = [[None if _missing(v) else v for v in links[name].tolist()] for name in _LINK_COLUMNS]
    return list(zip(*columns, strict=True))


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _ref_names(ref) -> tuple[dict, dict, dict]:
    return (
        dict(zip(ref.epci["siren"], ref.epci["nom"], strict=True)),
        dict(zip(ref.departements["code"], ref.departements["nom"], strict=True)),
        dict(zip(ref.regions["code"], ref.regions["nom"], strict=True)),
    )


def _territory(rows: list[tuple], names: tuple[dict, dict, dict]) -> Territory:
    epci_names, dep_names, reg_names = names
    communes = [
        (str(code), str(nom) if isinstance(nom, str) else str(code), _int_or_none(pop))
        for code, nom, pop, *_ in rows
    ]

    def named(column: int, names: dict) -> list[str]:
        values = (row[column] for row in rows if row[column] is not None)
        return [f"{names.get(v, v)} ({v})" for v in dict.fromkeys(values) if v]

    pops = [p for _, _, p in communes if p is not None]
    return Territory(
        communes=communes,
        epci=named(3, epci_names),
        departements=named(4, dep_names),
        regions=named(5, reg_names),
        population=sum(pops) if pops else None,
    )


def _int_or_none(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _link(url: str, label: str) -> str:
    return (
        f'<a href="{html_escape(url)}" target="_blank" rel="noopener noreferrer">'
        f"{html_escape(label)}</a>"
    )


def atelier_facts(dataset, row) -> list[tuple[str, str]]:
    """The fiche's facts as (label, escaped HTML value), in reading order."""
    p = dataset.programme
    esc = html_escape
    year = "année inconnue" if pd.isna(row.annee) else str(int(row.annee))
    themes = [p.themes.label_of(t) for t in row.themes]
    facts = [
        ("Année de sélection", esc(year)),
        ("Statut", esc(p.statuts.label_of(row.statut) or "–")),
        ("Échelle", esc(p.echelles.label_of(row.echelle) or "–")),
        ("Thèmes", esc(" ; ".join(themes)) if themes else "–"),
        ("Équipe", esc(p.equipes.label_of(row.equipe) or "non renseignée")),
        ("Service pilote", esc(cell_text(row.pilote)) or "–"),
    ]
    start, end = fmt_partial_date(row.date_debut), fmt_partial_date(row.date_fin)
    if start or end:
        facts.append(("Dates", esc(f"{start or '?'} → {end or 'en cours'}")))
    if row.dates_animation:
        days = ", ".join(fmt_partial_date(d) for d in row.dates_animation)
        facts.append(("Jours sur site", esc(days)))
    return facts


def territory_html(dataset, row, land: Territory | None = None) -> str:
    """The territory block: communes (name, code, population), EPCI, département, région.

    ``land`` is the atelier's :class:`Territory` when already known (:func:`territories`).
    """
    esc = html_escape
    land = territory(dataset, row.id) if land is None else land
    shown = land.communes[:MAX_COMMUNES]
    items = "".join(
        f'<li>{esc(nom)} <span class="af-code">({esc(code)})</span>'
        + (f" – {esc(fmt_int(pop))} hab." if pop is not None else "")
        + "</li>"
        for code, nom, pop in shown
    )
    more = len(land.communes) - len(shown)
    if more > 0:
        items += f"<li>et {esc(fmt_int(more))} autre(s) commune(s)</li>"
    rows = [
        (
            f"Commune{'s' if len(land.communes) > 1 else ''} ({fmt_int(len(land.communes))})",
            f'<ul class="af-communes">{items}</ul>' if items else "–",
        ),
        ("EPCI", esc(" ; ".join(land.epci)) or "–"),
        ("Département", esc(" ; ".join(land.departements)) or "–"),
        ("Région", esc(" ; ".join(land.regions)) or "–"),
        (
            "Population",
            f"{esc(fmt_int(land.population))} hab. (populations légales)"
            if land.population is not None
            else "–",
        ),
    ]
    return _dl(rows)


def _dl(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<dt>{html_escape(label)}</dt><dd>{value}</dd>" for label, value in rows)
    return f'<dl class="af-faits">{body}</dl>'


def livrables_html(row) -> str:
    """The deliverables as a list of links (http(s) only; others stay text)."""
    if not row.livrables:
        return "<p>Aucun livrable publié.</p>"
    items = []
    for label, url in row.livrables:
        safe = safe_url(url)
        items.append(f"<li>{_link(safe, label) if safe else html_escape(label)}</li>")
    return f'<ul class="af-livrables">{"".join(items)}</ul>'


def source_html(row) -> str:
    """The page that documents the atelier (a link when it is an http(s) address)."""
    url = safe_url(row.source_url)
    if url:
        return _link(url, url)
    return html_escape(cell_text(row.source_url)) or "non renseignée"


def atelier_actions(dataset, atelier_id: str) -> pd.DataFrame:
    """The feuille de route's actions of one atelier (rows of ``dataset.actions``), in order.

    Every action with every column for an internal dataset; for a public view
    (:func:`atelierflash.acces.public_view`), its public actions' public columns only.
    """
    actions = dataset.actions
    if actions.empty:
        return actions.iloc[0:0]
    return actions[actions["atelier"].astype(str) == str(atelier_id)].reset_index(drop=True)


# The badge's shape; its colours come from the palette. A style attribute (never built from
# the data) rather than classes: the app, the PDF and the public page then draw the same badge
# from the one palette, with no rule per statut in any style sheet (the public page's first
# paint does not grow with the vocabulary).
_BADGE_SHAPE = (
    "padding: 0 .375rem; border-radius: .25rem; font-size: .8em; font-weight: 700; "
    "white-space: nowrap;"
)


def progress_text(programme, statuts) -> str:
    """How far an atelier's actions went, in a sentence.

    « 2 actions sur 4 engagées (en cours ou réalisées), dont 1 réalisée. »

    Parameters
    ----------
    programme : Programme
    statuts : iterable
        The statut of each of the atelier's actions: a key of ``statuts_action``, or a missing
        value for an action whose statut is not known (it counts as not engaged). Engaged and
        done are ``programme.started_action_statuts`` and ``realised_action_statuts``.
    """
    # What counts as started and as done: settings of the programme ([suivi]), as the suites'
    # indicators count them.
    started, realised = programme.started_action_statuts, programme.realised_action_statuts
    statuts = [s if isinstance(s, str) else None for s in statuts]
    total = len(statuts)
    engaged = sum(1 for s in statuts if s in started)
    done = sum(1 for s in statuts if s in realised)
    label = programme.statuts_action.label_of
    which = f"statut {' ou '.join(label(k) for k in started)}"
    if total == 0:
        return "Aucune action enregistrée."
    if engaged == 0:
        return (
            f"Aucune des {fmt_int(total)} actions n'est encore engagée ({which})."
            if total > 1
            else f"L'action n'est pas encore engagée ({which})."
        )
    plural = "s" if engaged > 1 else ""
    text = f"{fmt_int(engaged)} action{plural} sur {fmt_int(total)} engagée{plural} ({which})"
    if done:
        # « réalisé » → « dont 2 réalisées »: the label agreed with « actions ».
        text += f", dont {fmt_int(done)} {label(realised[0])}e{'s' if done > 1 else ''}"
    return text + "."


def actions_html(programme, actions, heading: int = 3) -> str:
    """The feuille de route block of a fiche: its progress, then the actions grouped by axe.

    Parameters
    ----------
    programme : Programme
        Labels of the themes, priorités and statuts.
    actions : pandas.DataFrame or list of dict
        One atelier's actions (see :func:`atelier_actions`), or their records (many fiches are
        built faster from plain records). With a ``public`` column (an internal dataset), the
        actions kept from the public say « non publiée ».
    heading : int
        Level of the block's title; each axe takes the next level.

    Returns
    -------
    str
        ``""`` without action; else a ``<section>`` where every cell is escaped and each statut
        is a badge in the palette's colours (:data:`atelierflash.palette.ACTION_STATUT_BADGES`),
        its label written.
    """
    records = actions.to_dict("records") if isinstance(actions, pd.DataFrame) else actions
    if not records:
        return ""
    esc = html_escape
    h, sub = f"h{heading}", f"h{heading + 1}"
    groups: dict[str, list] = {}
    for record in records:
        groups.setdefault(cell_text(record.get("axe")), []).append(record)
    named = [axe for axe in groups if axe]
    order = named + ([""] if "" in groups else [])
    parts = [
        '<section class="af-feuille-de-route">',
        f"<{h}>Feuille de route</{h}>",
        f'<p class="af-avancement">'
        f"{esc(progress_text(programme, (r.get('statut') for r in records)))}</p>",
    ]
    for axe in order:
        if named:
            parts.append(f'<{sub} class="af-axe">{esc(axe or "Autres actions")}</{sub}>')
        items = "".join(_action_item(programme, record) for record in groups[axe])
        parts.append(f'<ul class="af-actions">{items}</ul>')
    parts.append("</section>")
    return "".join(parts)


def _action_item(programme, record: dict) -> str:
    esc = html_escape
    statut = record.get("statut")
    statut = statut if isinstance(statut, str) and statut else None
    parts = [
        f'<li class="af-action"><span class="af-action-texte">{esc(cell_text(record.get("action")))}</span>'
    ]
    if statut is not None:
        text, back = palette.ACTION_STATUT_BADGES.get(
            statut, palette.ACTION_STATUT_BADGES["a_venir"]
        )
        parts.append(
            f' <span class="af-statut" style="color: {text}; background-color: {back}; '
            f'{_BADGE_SHAPE}">{esc(programme.statuts_action.label_of(statut))}</span>'
        )
    if "public" in record and not _true(record["public"]):
        parts.append(' <span class="af-interne">(non publiée)</span>')
    meta = []
    priorite = record.get("priorite")
    if isinstance(priorite, str) and priorite:
        meta.append(f"Priorité : {programme.priorites.label_of(priorite)}")
    if cell_text(record.get("porteur")):
        meta.append(f"Porteur : {cell_text(record.get('porteur'))}")
    due = _deadline_text(record.get("echeance"))
    if due:
        meta.append(f"Échéance : {due}")
    if statut is None:
        meta.append("Statut non renseigné")
    theme = record.get("theme")
    if isinstance(theme, str) and theme:
        meta.append(f"Thème : {programme.themes.label_of(theme)}")
    if meta:
        parts.append(f'<br><span class="af-action-meta">{esc(" · ".join(meta))}</span>')
    parts.append("</li>")
    return "".join(parts)


def _true(value) -> bool:
    return not _missing(value) and bool(value)


def _deadline_text(value) -> str:
    """« 2027 », « juin 2027 », « 30 juin 2027 » from an action's ``echeance`` text."""
    text = cell_text(value)
    if not text or re.fullmatch(r"\d{4}", text):
        return text
    try:
        return fmt_partial_date(registre.parse_date(text))
    except ValueError:
        return text


def fiche_html(
    dataset,
    row,
    heading: int = 2,
    with_map: bool = True,
    land: Territory | None = None,
    actions: pd.DataFrame | list[dict] | None = None,
) -> str:
    """One atelier's fiche as an HTML fragment (``<article>``), every value escaped.

    Parameters
    ----------
    dataset : Dataset
    row : namedtuple
        A row of ``dataset.ateliers`` (``itertuples``), e.g. from :func:`find_atelier`.
    heading : int
        Level of the fiche's title (2 in a page, 3 in a side panel); sections use the next.
    with_map : bool
        Include the small SVG map of the atelier's communes.
    land : Territory, optional
        The atelier's territory when already known (:func:`territories`, for many fiches).
    actions : pandas.DataFrame or list of dict, optional
        The atelier's actions (or their records) to show; by default :func:`atelier_actions`
        (all of them for an internal dataset, the public ones of a public view).

    Returns
    -------
    str
        HTML with no script, no style attribute from the data and links only to http(s) URLs.
    """
    esc = html_escape
    h, sub = f"h{heading}", f"h{heading + 1}"
    parts = [f'<article class="af-fiche-atelier" id="atelier-{esc(str(row.id))}">']
    if bool(getattr(row, "fictif", False)) or dataset.source.fictif:
        parts.append(
            '<p class="af-fictif" role="note"><strong>Atelier fictif</strong> (données de '
            "démonstration) : il ne décrit aucun atelier réel.</p>"
        )
    parts.append(f"<{h}>{esc(cell_text(row.titre) or '(sans titre)')}</{h}>")
    parts.append(f'<p class="af-id">Identifiant : {esc(str(row.id))}</p>')
    parts.append('<div class="af-colonnes"><div>')
    parts.append(_dl(atelier_facts(dataset, row)))
    parts.append("</div>")
    if with_map:
        parts.append(f'<figure class="af-minicarte">{communes_img(dataset, row.id)}</figure>')
    parts.append("</div>")
    parts.append(f"<{sub}>Territoire</{sub}>{territory_html(dataset, row, land)}")
    if cell_text(row.description):
        parts.append(
            f'<{sub}>Description</{sub}><p class="af-desc">{esc(cell_text(row.description))}</p>'
        )
    parts.append(f"<{sub}>Livrables</{sub}>{livrables_html(row)}")
    if actions is None:
        actions = atelier_actions(dataset, row.id)
    parts.append(actions_html(dataset.programme, actions, heading + 1))
    parts.append(f'<{sub}>Source</{sub}><p class="af-source">{source_html(row)}</p>')
    parts.append("</article>")
    return "".join(parts)


# =============================================================================================
# The small map (inline SVG)
# =============================================================================================
def communes_svg(dataset, atelier_id: str) -> str:
    """An inline SVG of the atelier's communes over their départements.

    Coordinates are longitude × cos(latitude) and latitude (a local equirectangular view,
    true to shape at a commune's scale), fitted to :data:`MAP_WIDTH` × :data:`MAP_HEIGHT`.
    The communes are filled in bleu France; the label names them for screen readers.
    """
    land = territory(dataset, atelier_id)
    codes = [c for c, _, _ in land.communes]
    com = dataset.communes[dataset.communes["code"].isin(codes)]
    names = ", ".join(n for _, n, _ in land.communes[:10])
    label = f"Carte des communes de l'atelier : {names}" + ("…" if len(codes) > 10 else "")
    if com.empty:
        return _svg_frame(label, "")
    focus = shapely.union_all(list(com.geometry))
    minx, miny, maxx, maxy = focus.bounds
    lat0 = (miny + maxy) / 2
    k = math.cos(math.radians(lat0))
    span = max((maxx - minx) * k, maxy - miny, 0.02)
    pad = span * 0.8  # enough of the surroundings to place the communes
    # Window in projected units, with the drawing box's aspect ratio.
    cx, cy = (minx + maxx) / 2 * k, (miny + maxy) / 2
    half_w = (span / 2 + pad) * max(MAP_WIDTH / MAP_HEIGHT, 1)
    half_h = half_w * MAP_HEIGHT / MAP_WIDTH
    scale = MAP_WIDTH / (2 * half_w)

    def project(x, y):
        return (x * k - (cx - half_w)) * scale, ((cy + half_h) - y) * scale

    window = shapely.box((cx - half_w) / k, cy - half_h, (cx + half_w) / k, cy + half_h)
    deps = dataset.referentiel.departements
    ground = [
        g.intersection(window) for g in deps.geometry if g is not None and g.intersects(window)
    ]
    tolerance = (2 * half_w / k) / MAP_WIDTH  # one drawing unit
    body = []
    for geom in ground:
        d = _path(geom.simplify(tolerance), project)
        if d:
            body.append(
                f'<path d="{d}" fill="{_GROUND_FILL}" stroke="{_GROUND_EDGE}" stroke-width="1"/>'
            )
    for geom in com.geometry:
        d = _path(geom.simplify(tolerance / 2), project)
        if d:
            body.append(
                f'<path d="{d}" fill="{_COMMUNE_FILL}" fill-opacity="0.85" '
                f'stroke="{_COMMUNE_EDGE}" stroke-width="0.8"/>'
            )
    return _svg_frame(label, "".join(body))


def communes_img(dataset, atelier_id: str) -> str:
    """The small map as an ``<img>`` of the SVG (a ``data:`` URL), its label as ``alt`` text.

    An image rather than inline SVG: Streamlit's ``st.html`` sanitiser drops inline ``<svg>``,
    an ``<img>`` passes everywhere (the app, the PDF, a static page) and cannot run anything.
    """
    svg = communes_svg(dataset, atelier_id)
    label = re.search(r'aria-label="([^"]*)"', svg).group(1)  # already escaped
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img class="af-svg" alt="{label}" src="data:image/svg+xml;base64,{data}">'


def _svg_frame(label: str, body: str) -> str:
    esc = html_escape(label)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {MAP_WIDTH} {MAP_HEIGHT}" '
        f'role="img" aria-label="{esc}" class="af-svg">'
        f"<title>{html_escape(label)}</title>"
        f'<rect width="{MAP_WIDTH}" height="{MAP_HEIGHT}" fill="{palette.SEA}"/>{body}</svg>'
    )


def _path(geom, project) -> str:
    parts = []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        for ring in (poly.exterior, *poly.interiors):
            points = [project(x, y) for x, y in ring.coords]
            if len(points) < 3:
                continue
            parts.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points) + " Z")
    return " ".join(parts)


# =============================================================================================
# The printable document and its PDF
# =============================================================================================
FICHE_CSS = """
.af-fiche-atelier {font-family: Marianne, Arial, sans-serif; color: #161616; line-height: 1.45;}
.af-fiche-atelier h2, .af-fiche-atelier h1 {color: #000091; margin: 0 0 .2rem 0; line-height: 1.25;}
.af-fiche-atelier h3, .af-fiche-atelier h4 {color: #000091; margin: 1rem 0 .3rem 0;
  font-size: 1.05rem; border-bottom: 1px solid #dddddd; padding-bottom: .15rem;}
.af-fiche-atelier .af-id {color: #666666; font-size: .85rem; margin: 0 0 .6rem 0;}
.af-fiche-atelier .af-fictif {background: #fff4f3; border-left: 4px solid #ce0500;
  padding: .4rem .6rem; margin: 0 0 .6rem 0;}
.af-fiche-atelier .af-colonnes {display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start;}
.af-fiche-atelier .af-colonnes > div {flex: 1 1 18rem;}
.af-fiche-atelier .af-minicarte {flex: 0 1 18rem; margin: 0;}
.af-fiche-atelier .af-svg {width: 100%; height: auto; border: 1px solid #dddddd;}
.af-fiche-atelier dl.af-faits {display: grid; grid-template-columns: minmax(8em, max-content) 1fr;
  gap: .15rem .8rem; margin: 0;}
.af-fiche-atelier dt {font-weight: 700; color: #3a3a3a;}
.af-fiche-atelier dd {margin: 0; overflow-wrap: anywhere;}
.af-fiche-atelier ul {margin: 0; padding-left: 1.1rem;}
.af-fiche-atelier .af-code {color: #666666;}
.af-fiche-atelier a {color: #000091;}
.af-fiche-atelier .af-avancement {font-weight: 700; margin: 0 0 .3rem 0;}
.af-fiche-atelier .af-axe {font-size: .95rem; color: #3a3a3a; border-bottom: 0;
  margin: .5rem 0 .15rem 0;}
.af-fiche-atelier ul.af-actions {margin: 0 0 .4rem 0;}
.af-fiche-atelier .af-action {margin-bottom: .25rem; break-inside: avoid;}
.af-fiche-atelier .af-action-meta, .af-fiche-atelier .af-interne {color: #666666;
  font-size: .85em;}
"""
#: The print rules: one or two A4 pages, no navigation, links spelled out.
PRINT_CSS = """
@page {size: A4; margin: 15mm 15mm 18mm 15mm;
  @bottom-right {content: "page " counter(page) " / " counter(pages); font-size: 8pt;
    font-family: Marianne, Arial, sans-serif; color: #666666;}}
@media print {
  body {font-size: 10pt;}
  header, nav, [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  .af-ecran {display: none !important;}
  .af-fiche-atelier h3, .af-fiche-atelier h2 {break-after: avoid;}
  .af-fiche-atelier dl, .af-fiche-atelier figure {break-inside: avoid;}
  .af-fiche-atelier .af-source a[href]::after {content: "";}
  header.af-entete {display: flex !important; border-bottom: 2px solid #000091;
    margin-bottom: 4mm;}
}
"""


def fiche_document(dataset, row, generated: dt.date | None = None, font_dir: str = "") -> str:
    """The *fiche synthétique*: a complete HTML page (print styles included) for PDF or print.

    Parameters
    ----------
    dataset : Dataset
    row : namedtuple
        The atelier (see :func:`find_atelier`).
    generated : datetime.date, optional
        Date printed at the foot (default: today).
    font_dir : str
        URL of a folder holding Marianne's ``.woff`` files (the DSFR's ``fonts``); empty: the
        reader's sans-serif font.
    """
    esc = html_escape
    generated = generated or dt.date.today()
    faces = ""
    if font_dir:
        for name, weight in (("Regular", 400), ("Bold", 700)):
            faces += (
                f"@font-face {{font-family: Marianne; font-weight: {weight}; "
                f'src: url("{esc(font_dir)}/Marianne-{name}.woff");}}\n'
            )
    title = cell_text(row.titre) or "(sans titre)"
    fictif = " – données fictives" if dataset.fictif else ""
    return f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<title>Fiche synthétique – {esc(title)}{esc(fictif)}</title>
<style>{faces}{FICHE_CSS}{PRINT_CSS}
body {{font-family: Marianne, Arial, sans-serif; margin: 0;}}
.af-entete {{display: flex; justify-content: space-between; align-items: baseline;
  font-size: .85rem; color: #3a3a3a;}}
.af-entete strong {{color: #000091; font-size: 1rem;}}
.af-pied {{font-size: .8rem; color: #666666; margin-top: 1rem;}}
</style></head>
<body>
<header class="af-entete"><strong>Ateliers Flash · fiche synthétique</strong>
<span>République française · DGALN</span></header>
<main>{fiche_html(dataset, row, heading=1)}</main>
<footer class="af-pied">Registre : {esc(dataset.source.label)}. Fiche éditée le \
{esc(fmt_date(generated))} par atelierflash.{esc(fictif)}</footer>
</body></html>
"""


def render_fiche(dataset, row, generated: dt.date | None = None):
    """The fiche synthétique laid out by WeasyPrint (a ``weasyprint.Document``: its pages).

    Marianne (the DSFR's ``.woff`` files, from the installed package) is embedded.

    Raises
    ------
    RuntimeError
        When WeasyPrint or its system libraries (Pango) are missing (French message).
    """
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: libpango absent
        raise RuntimeError(
            "La fiche PDF demande WeasyPrint et la bibliothèque Pango du système "
            f"(paquet Debian libpango-1.0-0) : {exc}"
        ) from exc
    from atelierflash import dsfr

    fonts = (dsfr.dist_dir() / "fonts").as_uri()
    document = fiche_document(dataset, row, generated, font_dir=fonts)
    return weasyprint.HTML(string=document, base_url=fonts).render()


def fiche_pdf(dataset, row, generated: dt.date | None = None) -> bytes:
    """The fiche synthétique as PDF bytes, made server-side (see :func:`render_fiche`)."""
    return render_fiche(dataset, row, generated).write_pdf()


def actions_filename(dataset, row, extension: str) -> str:
    """``actions_AF-DOULLENS-2024.csv``: the atelier's actions as a download, named like its fiche."""
    return (
        fiche_filename(dataset, row)
        .replace("fiche_", "actions_", 1)
        .replace(".pdf", f".{extension}")
    )


def fiche_filename(dataset, row) -> str:
    """``fiche_AF-DOULLENS-2024.pdf`` (characters outside ``[A-Za-z0-9._-]`` replaced)."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in str(row.id))
    return f"fiche_{safe}{'_FICTIF' if dataset.fictif else ''}.pdf"
