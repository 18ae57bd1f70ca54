"""The public map: a self-contained static page that the ministry embeds in an ``<iframe>``.

The Streamlit map page is the tool of the communication team and the programme office; the
public needs only the map, and needs it fast, private and robust. :func:`export_public_map`
writes a folder that any static web server can host (the app serves one under
``/app/static/publique/<registre>/``):

- ``index.html``: French page in the State's design (:mod:`atelierflash.carte.page`): filters
  and commune search, the map, a side panel « fiche », the list of the ateliers as a table (the
  map's accessible alternative) and the downloads. No inline script, and a
  Content-Security-Policy that allows the page's own files only, so no request can leave for a
  third party, even from injected text. Filters live in the address (``?annees=2021-2024``…,
  the app's names), the open fiche in its fragment (``#atelier=ID``, ``#commune=80253``),
  ``?embed=1`` gives the compact variant;
- ``donnees.js``: the basemap, the atelier layer (the same payloads as the app's map) and what
  the filters read: all the map needs, and nothing else;
- ``v/<version>/lieux.js``: the index of places → ateliers, the one-line summaries and the
  communes the search offers, loaded once the map is drawn and the page parsed;
- ``v/<version>/liste.js``: the list of the ateliers, the map's accessible alternative, as
  the HTML table the page puts under the map once it is drawn;
- ``v/<version>/fiches/<k>.js``: the ateliers' fiches (:func:`atelierflash.fiche.fiche_html`, as
  in the app), :data:`FICHES_PER_FILE` a file, each fetched when one of its fiches is first
  opened. ``<version>`` is a digest of these files (``donnees.js`` names it): a page opened
  before a new export still fetches its own fiches, since the folder of the previous version
  is kept (only that one: :func:`export_public_map` carries it over and drops the older);
- ``ateliers.csv`` and ``ateliers.geojson``: the public exports (formula-neutralised, marked
  fictional for a demonstration register), with ``schema.json`` and ``datapackage.json``
  (:mod:`atelierflash.opendata`);
- ``leaflet/``, ``carte/`` and ``dsfr/``: Leaflet, the map's own code and the DSFR (the rules
  the page uses, Marianne's four faces in woff2: :func:`atelierflash.dsfr.install_page_dsfr`),
  copied from installed packages; ``publique.js`` and ``publique.css``: the page's code
  (``embed.js`` is inlined in the page's ``<head>``);
- beside every text file, its gzip copy (``index.html.gz``…), for a host that serves
  pre-compressed files (docs/deploiement.md): what a visitor downloads before the polygons are
  drawn is then about a third of the files' size.

Only the publishable ateliers appear (see :func:`atelierflash.carte.exports.public_ateliers`).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from atelierflash import dsfr, opendata
from atelierflash import fiche as atelier_fiche
from atelierflash.carte import assets, exports, page
from atelierflash.carte.basemap import Basemap
from atelierflash.carte.communes import PreparedCommunes
from atelierflash.carte.encoding import js_json
from atelierflash.carte.layers import build_map
from atelierflash.ecriture import WriteError, os_reason, write_bytes
from atelierflash.filters import FilterState
from atelierflash.texte import html_escape

#: The page's own code and styles (copied into every export).
PAGE_ASSETS = ("publique.js", "publique.css")
#: Keys of :func:`public_payload` written to ``lieux.js`` (loaded once the page is whole), with
#: the communes the search offers (``filtres["communes"]``, as ``recherche``).
LIEUX_KEYS = ("lieux", "titres", "ids", "resumes")
#: Fiches per file of ``fiches/`` (a fiche opened fetches its file, a few tens of KB).
FICHES_PER_FILE = 32
#: Files written with a gzip copy beside them (``<name>.gz``), by suffix.
COMPRESSED_SUFFIXES = (".html", ".js", ".css", ".json", ".csv", ".geojson", ".svg", ".md")
#: Files of ``static/carte`` the page needs.
CARTE_ASSETS = ("carte.js", "carte.css")


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
        """The page itself: ``index.html`` in the export folder."""
        return self.folder / "index.html"


def iframe_code(url: str, title: str = "Carte des Ateliers Flash", height: int = 1000) -> str:
    """The HTML that embeds the public page at ``url`` in another site.

    The frame has a ``title`` (RGAA: a frame is named for screen readers); ``url`` and
    ``title`` are escaped, ``height`` is a number of pixels.

    Examples
    --------
    >>> iframe_code("carte/index.html?embed=1", 'Carte "test"', 600)  # doctest: +ELLIPSIS
    '<iframe src="carte/index.html?embed=1" title="Carte &#34;test&#34;" width="100%" height="600"...'
    """
    return (
        f'<iframe src="{html_escape(url)}" title="{html_escape(title)}" '
        f'width="100%" height="{int(height)}" style="border:0" loading="lazy"></iframe>'
    )


def embed_url(page_url: str, state: FilterState, compact: bool = True) -> str:
    """The public page's address showing ``state``, with the app's parameter names.

    Examples
    --------
    >>> embed_url("https://x.gouv.fr/carte/index.html", FilterState(2021, 2024, themes=("friches",)))
    'https://x.gouv.fr/carte/index.html?annees=2021-2024&theme=friches&embed=1'
    """
    params = dict(state.to_query_params())
    if compact:
        params["embed"] = "1"
    base = page_url.split("#", 1)[0].split("?", 1)[0]
    query = "&".join(f"{k}={quote(v, safe=',-')}" for k, v in params.items())
    return f"{base}?{query}" if query else base


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
    lands = atelier_fiche.territories(dataset)  # one pass for every fiche
    routes = exports.public_actions_by_atelier(dataset, public)  # never a non-public one
    return {
        "base": base,
        "layer": build.layer_payload,
        "kind": "ateliers" if build.vue == "communes" else "overview",
        "vue": build.vue,
        "communes": build.communes,
        "fiches": [
            atelier_fiche.fiche_html(
                dataset,
                row,
                heading=2,
                with_map=False,
                land=lands[str(row.id)],
                actions=routes.get(str(row.id), []),
            )
            for row in public.itertuples(index=False)
        ],
        "lieux": lieux,
        "titres": titres,
        "ids": [str(i) for i in public["id"]],
        "resumes": [page.resume_html(dataset, row) for row in public.itertuples(index=False)],
        "filtres": page.filter_payload(dataset, public),
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
    atelierflash.ecriture.WriteError
        When the folder cannot be written (read-only, full disk): a French message; the page
        already there is left as it was. Checked before any computation.
    """
    out = Path(out)
    if out.exists() and not (out / "index.html").is_file() and any(out.iterdir()):
        raise FileExistsError(
            f"Le dossier {out} existe et ne contient pas une carte publique : "
            "choisissez un dossier vide ou nouveau (rien n'a été modifié)."
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    except OSError as exc:
        raise _unwritable(out, exc) from exc
    # mkdtemp makes a private folder; a web server running as another user must read it.
    work.chmod(0o755)
    try:
        payload = public_payload(dataset, basemap, prepared)
        public = exports.public_ateliers(dataset.ateliers)
        files = _write_files(work, dataset, public, payload, generated or dt.date.today())
        _keep_previous_version(out, work)
        _swap(work, out)
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise _unwritable(out, exc) from exc
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


def _unwritable(out: Path, exc: OSError) -> WriteError:
    if isinstance(exc, WriteError):
        return exc
    return WriteError(
        f"La carte publique n'a pas pu être écrite dans {out} ({os_reason(exc)}) : "
        "la page déjà publiée reste inchangée. Choisissez un dossier où vous avez le droit "
        "d'écrire, ou donnez ce droit au compte qui lance l'application."
    )


def _write_files(work: Path, dataset, public: pd.DataFrame, payload: dict, day: dt.date):
    assets.install_static_assets(work)  # leaflet/, as the app serves it
    (work / "carte").mkdir()
    for name in CARTE_ASSETS:
        shutil.copyfile(assets.STATIC_DIR / "carte" / name, work / "carte" / name)
    for name in PAGE_ASSETS:
        shutil.copyfile(assets.STATIC_DIR / "publique" / name, work / name)
    # Script files, not JSON: the page then works from any static host and from a disk. What
    # the map needs comes first (donnees.js); the places and the search once it is drawn
    # (lieux.js); each fiche's file when it is opened (fiches/): a large register's fiches
    # never delay the map, and nobody downloads the fiches they do not open.
    filtres = dict(payload["filtres"])
    lieux = {key: payload[key] for key in LIEUX_KEYS}
    lieux["recherche"] = filtres.pop("communes")
    lieux["par_fichier"] = FICHES_PER_FILE
    fiches = payload["fiches"]
    later = {"lieux.js": f"window.AF_LIEUX = {js_json(lieux)};\n".encode()}
    for k, start in enumerate(range(0, len(fiches), FICHES_PER_FILE)):
        part = js_json(fiches[start : start + FICHES_PER_FILE])
        later[f"fiches/{k}.js"] = f"AF_FICHES({k}, {part});\n".encode()
    # The list under the map (the map's accessible alternative), written here as HTML with
    # every value escaped, and put in the page once the map is drawn.
    frame = exports.export_frame(dataset, public)  # once, for the list, the CSV and GeoJSON
    table = page.table_html(dataset, public, frame)
    later["liste.js"] = f"window.AF_LISTE = {js_json(table)};\n".encode()
    version = _digest(later)
    folder = work / "v" / version
    (folder / "fiches").mkdir(parents=True)
    for name, data in later.items():
        # A plain write, as for the copies: the folder is private until swapped in whole.
        (folder / name).write_bytes(data)
    first = {k: v for k, v in payload.items() if k not in (*LIEUX_KEYS, "fiches", "filtres")}
    first["filtres"] = filtres
    first["dossier"] = f"v/{version}/"
    # Marianne's faces: linked by publique.js once the map is drawn (dsfr.install_page_dsfr).
    first["polices"] = f"dsfr/{dsfr.FACES_SHEET}"
    write_bytes(work / "donnees.js", f"window.AF_PUBLIC = {js_json(first)};\n".encode())
    write_bytes(work / "ateliers.csv", exports.to_csv(dataset, public, frame=frame))
    write_bytes(work / "ateliers.geojson", exports.to_geojson(dataset, public, frame=frame))
    opendata.write_open_data(work, dataset, "ateliers.csv", generated=day)
    html = page.page_html(dataset, public, payload, day)
    write_bytes(work / "index.html", html.encode())
    # dsfr/: the State's CSS rules this page uses (its HTML, its scripts, its fiches), Marianne
    own = tuple(assets.STATIC_DIR.joinpath(*p).read_text(encoding="utf-8") for p in _OWN_FILES)
    used = dsfr.used_classes(html, table, *own, *fiches, *payload["resumes"])
    dsfr.install_page_dsfr(work, used, own)  # a custom property the page's own files read stays
    files = sorted(str(p.relative_to(work)) for p in work.rglob("*") if p.is_file())
    return sorted([*files, *precompress(work, files)])


def _digest(files: dict[str, bytes]) -> str:
    """A short digest of named files: the same content, the same version folder."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name] + b"\0")
    return digest.hexdigest()[:12]


#: The page's own scripts and sheets: the DSFR classes they may set, the custom properties they
#: may read (:func:`atelierflash.dsfr.used_classes`, :func:`atelierflash.dsfr.purge_variables`).
_OWN_FILES = (
    ("publique", "publique.js"),
    ("carte", "carte.js"),
    ("publique", "publique.css"),
    ("carte", "carte.css"),
)


def precompress(folder: Path, files: list[str]) -> list[str]:
    """Write ``<file>.gz`` beside each text file of ``files`` (relative to ``folder``).

    A static host that serves pre-compressed copies (nginx's ``gzip_static``, a CDN, see
    docs/deploiement.md) then sends a third of the bytes without compressing anything per
    request. See :func:`gzip_bytes`.

    Returns
    -------
    list of str
        The copies written, relative to ``folder``.
    """
    written = []
    for name in files:
        if not name.endswith(COMPRESSED_SUFFIXES):
            continue
        path = Path(folder) / name
        # A plain write: the export's folder is private until it is swapped in whole.
        path.with_name(path.name + ".gz").write_bytes(gzip_bytes(path.read_bytes()))
        written.append(name + ".gz")
    return written


#: Compressed copies already made in this process, by content (sha256): the code, the DSFR,
#: the fiche files and the downloads that did not change from one version to the next are
#: not compressed again. Bounded: the oldest go first.
_GZIP_CACHE: dict[bytes, bytes] = {}
_GZIP_CACHE_BYTES = 64_000_000


def gzip_bytes(data: bytes) -> bytes:
    """``data`` gzip-compressed, without name nor date (the same bytes give the same copy).

    Level 9 for the page's files, 6 for the large downloads (a tenth of the time for 2 %
    more). Cached by content (:data:`_GZIP_CACHE`).
    """
    key = hashlib.sha256(data).digest()
    found = _GZIP_CACHE.get(key)
    if found is None:
        found = gzip.compress(data, 9 if len(data) < 512_000 else 6, mtime=0)
        _GZIP_CACHE[key] = found
        while sum(map(len, _GZIP_CACHE.values())) > _GZIP_CACHE_BYTES:
            del _GZIP_CACHE[next(iter(_GZIP_CACHE))]
    return found


#: Where ``donnees.js`` names the folder of its version (``"dossier": "v/<version>/"``).
_DOSSIER = re.compile(r'"dossier": ?"v/([0-9a-f]{6,64})/"')


def current_version(folder: Path) -> str | None:
    """The version folder (under ``v/``) the export in ``folder`` reads, or None."""
    try:
        head = (Path(folder) / "donnees.js").read_text(encoding="utf-8")
    except OSError:
        return None
    found = _DOSSIER.search(head)
    return found.group(1) if found else None


def _keep_previous_version(out: Path, work: Path) -> None:
    """Carry the version folder of the export in ``out`` over into ``work`` (not the older).

    Its pages may still be open in a browser, and fetch their fiches after the swap: they get
    their own. An older one no page can still need, and the public folder never grows by more
    than one version.
    """
    previous = current_version(out)
    if previous is None:
        return
    if (work / "v" / previous).exists():
        # The same version again: the one before it stays the previous one.
        kept = [p.name for p in (out / "v").iterdir() if p.is_dir() and p.name != previous]
    else:
        kept = [previous]
    for name in kept:
        if (out / "v" / name).is_dir():
            shutil.copytree(out / "v" / name, work / "v" / name)


def _swap(work: Path, out: Path) -> None:
    """Put ``work`` in place of ``out`` (two renames: the old export is removed after)."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}-ancien-{work.name}")
        out.rename(old)
    work.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
