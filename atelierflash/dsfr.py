"""The State's design system (DSFR): its own files, taken from an installed package.

The DSFR's distribution (CSS, icons, the Marianne font) ships inside the PyPI wheel
``django-dsfr`` (``dsfr/static/dsfr/dist``, DSFR 1.14). This module locates that folder
without importing the package (its modules need a configured Django) and copies the part the
app and the public page use into a ``dsfr/`` folder, keeping the distribution's layout so that
the relative ``url(../fonts/…)`` and ``url(../../../icons/…)`` of its style sheets keep
working. Nothing is ever fetched from the DSFR's site or a CDN.

Terms: the DSFR's code is under the MIT licence; the Marianne font and the State's identity
(bloc-marque « République française ») are reserved to the sites of the State and its public
services (the DSFR's terms of use). The README says so beside the product's own licence.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import shutil
from pathlib import Path
from urllib.parse import quote

#: Import name of the ``django-dsfr`` wheel (located, never imported).
DSFR_PACKAGE = "dsfr"
#: The distribution's folder inside that package.
DIST = Path("static") / "dsfr" / "dist"
#: Style sheets copied, in the order a page links them (modern browsers: ``*.main.min.css``).
STYLESHEETS = (
    "core/core.main.min.css",
    "component/link/link.main.min.css",
    "component/logo/logo.main.min.css",
    "component/skiplink/skiplink.main.min.css",
    "component/header/header.main.min.css",
    "component/footer/footer.main.min.css",
    "component/button/button.main.min.css",
    "component/form/form.main.min.css",
    "component/input/input.main.min.css",
    "component/select/select.main.min.css",
    "component/search/search.main.min.css",
    "component/tag/tag.main.min.css",
    "component/badge/badge.main.min.css",
    "component/notice/notice.main.min.css",
    "component/table/table.main.min.css",
)
#: Marianne faces the Streamlit theme declares (``[[theme.fontFaces]]``): (file, weight, style).
MARIANNE_FACES = (
    ("Marianne-Regular.woff2", 400, "normal"),
    ("Marianne-Regular_Italic.woff2", 400, "italic"),
    ("Marianne-Medium.woff2", 500, "normal"),
    ("Marianne-Bold.woff2", 700, "normal"),
)
#: The copied folder's licence note (the wheel's LICENSE is the DSFR's).
LICENCE_FILE = "LICENCE-DSFR.md"
#: The one style sheet a page links: :data:`STYLESHEETS` joined, their ``url()`` made relative
#: to the ``dsfr/`` folder (one request instead of fifteen), the icons they use inlined.
BUNDLE = "dsfr.min.css"
#: A page's Marianne faces (``@font-face``), beside its :data:`BUNDLE` (see
#: :func:`install_page_dsfr`): a sheet the page links once its map is drawn.
FACES_SHEET = "marianne.css"

_VERSION = re.compile(r"DSFR v(\d+\.\d+\.\d+)")
_URL = re.compile(r"url\((['\"]?)([^)'\"]+)\1\)")


def dist_dir() -> Path:
    """Folder of the DSFR's distribution in the installed ``django-dsfr`` package.

    Returns
    -------
    pathlib.Path
        ``…/site-packages/dsfr/static/dsfr/dist``.

    Raises
    ------
    FileNotFoundError
        When the package or one of the files used is missing (French message naming the fix).
    """
    spec = importlib.util.find_spec(DSFR_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise FileNotFoundError(
            "Le paquet django-dsfr (système de design de l'État) n'est pas installé : "
            "pip install -r requirements.txt."
        )
    folder = Path(locations[0]) / DIST
    missing = [name for name in STYLESHEETS if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"Fichiers du DSFR absents de {folder} : {', '.join(missing)} "
            "(réinstallez django-dsfr à la version de requirements.txt)."
        )
    return folder


def version(folder: Path | None = None) -> str:
    """The DSFR version of the distribution (read from its core style sheet's banner)."""
    folder = Path(folder) if folder is not None else dist_dir()
    head = (folder / STYLESHEETS[0]).read_text(encoding="utf-8")[:400]
    found = _VERSION.search(head)
    return found.group(1) if found else "inconnue"


def asset_names(folder: Path | None = None, css: str | None = None) -> list[str]:
    """Files (relative to the dist root) that the bundle points to: fonts and icons.

    Every one is copied, so no ``url()`` of the bundle can miss, whichever face or icon a page
    uses (a miss would be a failed request, the page's only one).
    """
    folder = Path(folder) if folder is not None else dist_dir()
    css = bundle_css(folder) if css is None else css
    names = {m.group(2) for m in _URL.finditer(css)}
    return sorted(n for n in names if not n.startswith("data:") and (folder / n).is_file())


def bundle_css(folder: Path | None = None) -> str:
    """:data:`STYLESHEETS` joined in order, each ``url()`` rewritten relative to the dist root.

    The SVG icons the sheets use (a few dozen) are inlined as ``data:`` URLs: CSS masks are
    fetched with CORS, which a page opened from a disk (``file://``) refuses, and one file is
    faster anyway. Fonts stay files (``fonts/…``), which every browser loads from a disk.

    Examples
    --------
    >>> _rebase("url(../fonts/Marianne-Bold.woff2)", "core")
    'url(fonts/Marianne-Bold.woff2)'
    >>> _rebase("url(../../icons/system/close-line.svg)", "component/tag")
    'url(icons/system/close-line.svg)'
    """
    folder = Path(folder) if folder is not None else dist_dir()
    parts = []
    for name in STYLESHEETS:
        text = (folder / name).read_text(encoding="utf-8")
        text = text.removeprefix('@charset "UTF-8";')
        parts.append(_inline_svg(_rebase(text, str(Path(name).parent)), folder))
    return '@charset "UTF-8";\n' + "\n".join(parts) + "\n"


def _inline_svg(css: str, folder: Path) -> str:
    def inline(match: re.Match) -> str:
        url = match.group(2)
        path = folder / url
        if not url.endswith(".svg") or url.startswith("data:") or not path.is_file():
            return match.group(0)
        svg = " ".join(path.read_text(encoding="utf-8").split())
        return f'url("data:image/svg+xml,{quote(svg, safe=" =:/;,-.")}")'

    return _URL.sub(inline, css)


def _rebase(css: str, sheet_dir: str) -> str:
    def fix(match: re.Match) -> str:
        url = match.group(2)
        if url.startswith(("data:", "#", "/")) or "://" in url:
            return match.group(0)
        parts: list[str] = [p for p in sheet_dir.split("/") if p]
        for piece in url.split("/"):
            if piece == "..":
                parts.pop()
            elif piece != ".":
                parts.append(piece)
        return f"url({'/'.join(parts)})"

    return _URL.sub(fix, css)


def install_dsfr(target_parent: Path) -> Path:
    """Copy the DSFR files used into ``target_parent / "dsfr"`` (only what is missing or changed).

    Parameters
    ----------
    target_parent : pathlib.Path
        The app's ``static`` folder or a public export.

    Returns
    -------
    pathlib.Path
        The ``dsfr`` folder written.
    """
    source = dist_dir()
    target = Path(target_parent) / "dsfr"
    bundle = bundle_css(source)
    for name in asset_names(source, bundle):
        src, dst = source / name, target / name
        same = dst.is_file() and dst.stat().st_size == src.stat().st_size
        if same and dst.read_bytes() == src.read_bytes():
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_name(dst.name + ".tmp")
        shutil.copyfile(src, tmp)
        tmp.replace(dst)
    for name, text in ((BUNDLE, bundle), (LICENCE_FILE, licence_note(version(source)))):
        path = target / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
    return target


def licence_note(dsfr_version: str) -> str:
    """The terms under which the copied DSFR files are used (written beside them)."""
    return (
        f"# Système de design de l'État (DSFR {dsfr_version})\n\n"
        "Fichiers copiés tels quels depuis la distribution du DSFR incluse dans le paquet PyPI "
        "`django-dsfr`.\n\n"
        "- Code (CSS, icônes) : licence MIT, © Service d'information du Gouvernement (SIG).\n"
        "- Fonte Marianne et bloc-marque « République française » : usage réservé aux sites de "
        "l'État et des services publics, selon les conditions générales d'utilisation du DSFR.\n"
    )


def font_faces(prefix: str) -> list[dict]:
    """Marianne's faces as Streamlit's ``[[theme.fontFaces]]`` entries served from ``prefix``."""
    return [
        {"family": "Marianne", "url": f"{prefix}/fonts/{name}", "weight": weight, "style": style}
        for name, weight, style in MARIANNE_FACES
    ]


# =============================================================================================
# A page's own subset: the rules it uses, woff2 only (the public page)
# =============================================================================================
_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
#: Functional pseudo-classes whose classes do not have to be on the page for a rule to apply
#: (``.fr-btn:not(.fr-btn--icon)`` applies to any ``.fr-btn``): their classes are not required.
_PSEUDO = re.compile(r":(?:not|is|where|has)\([^()]*\)")
_FACE_SRC = re.compile(r"src:([^;}]*)")
_WOFF2 = re.compile(r"url\(([^)]*\.woff2)\)\s*format\(\"woff2\"\)")
_FACE_FILE = re.compile(r"url\(([^)]*\.woff2?)\)")
#: DSFR classes as they appear in a page's HTML or script (``fr-btn--sm``).
DSFR_CLASS = re.compile(r"\bfr-[a-z0-9_-]+")


def used_classes(*texts: str) -> set[str]:
    """The DSFR class names (``fr-…``) that appear in ``texts`` (HTML, scripts).

    A page's classes are literal text in its HTML and scripts; scanning them all keeps every
    class the page may set, including those a script adds later (a fiche's button).
    """
    return {name for text in texts for name in DSFR_CLASS.findall(text)}


def _blocks(css: str):
    """Top-level ``(prelude, body)`` pairs of ``css``; ``body`` is None for a statement."""
    start = i = depth = 0
    quote = ""
    prelude = ""
    n = len(css)
    while i < n:
        c = css[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "/" and css.startswith("/*", i):
            end = css.find("*/", i + 2)
            i = n if end < 0 else end + 1
        elif c == "{":
            if depth == 0:
                prelude, start = css[start:i], i + 1
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                yield prelude, css[start:i]
                start = i + 1
        elif c == ";" and depth == 0:
            yield css[start:i], None
            start = i + 1
        i += 1


def _split_outside(text: str, separator: str) -> list[str]:
    """``text`` split at each ``separator`` outside brackets and quotes.

    Examples
    --------
    >>> _split_outside('a,[x="1,2"],b:is(c,d)', ",")
    ['a', '[x="1,2"]', 'b:is(c,d)']
    """
    out, depth, quote, start = [], 0, "", 0
    for i, c in enumerate(text):
        if quote:
            if c == quote and text[i - 1] != "\\":
                quote = ""
        elif c in "\"'":
            quote = c
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == separator and depth == 0:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return out


def _split_selectors(prelude: str) -> list[str]:
    return _split_outside(prelude, ",")


def _needed(selector: str, used: set[str]) -> bool:
    bare = selector
    while True:
        stripped = _PSEUDO.sub("", bare)
        if stripped == bare:
            break
        bare = stripped
    return all(name in used for name in _CLASS.findall(bare))


def purge_css(css: str, used: set[str]) -> str:
    """``css`` without the rules that need a class absent from ``used``.

    A rule keeps the selectors of its list whose every class (outside ``:not()``, ``:is()``,
    ``:where()``, ``:has()``) is in ``used``; a rule left without selector goes, as does an
    ``@media`` or ``@supports`` block left empty. Rules without class (elements, attributes,
    ``:root``) and other at-rules (``@font-face``, ``@keyframes``) stay. Comments go.

    Examples
    --------
    >>> purge_css(".fr-a,.fr-b{color:red}.fr-c{x:y}@media (min-width:1px){.fr-c{x:y}}", {"fr-a"})
    '.fr-a{color:red}'
    >>> purge_css("a{x:y}.fr-a:not(.fr-z){x:y}", {"fr-a"})
    'a{x:y}.fr-a:not(.fr-z){x:y}'
    >>> purge_css("/*! DSFR | LICENSE.md */.fr-a{x:y}", {"fr-a"})
    '.fr-a{x:y}'
    """

    def keep(head: str, body: str) -> str:
        kept = [s for s in _split_selectors(head) if _needed(s, used)]
        return f"{','.join(kept)}{{{body}}}" if kept else ""

    return _map_rules(css, keep)


_GROUPS = ("@media", "@supports", "@layer", "@container")


def _map_rules(css: str, rule) -> str:
    """``css`` with each style rule rewritten by ``rule(selectors, body)`` (gone when empty).

    The rules inside conditional groups (``@media``…) too, a group left empty going; other
    at-rules (``@font-face``, ``@keyframes``) and statements stay. Comments go.
    """
    out = []
    for prelude, body in _blocks(css):
        # A sheet's banner comment sits before its first rule: never read it as a selector.
        head = _COMMENT.sub("", prelude).strip()
        if body is None:
            if head:
                out.append(head + ";")
        elif head.startswith(_GROUPS):
            inner = _map_rules(body, rule)
            if inner:
                out.append(f"{head}{{{inner}}}")
        elif head.startswith("@"):
            out.append(f"{head}{{{body}}}")
        else:
            out.append(rule(head, body))
    return "".join(out)


def woff2_faces(css: str, faces: tuple = MARIANNE_FACES) -> str:
    """``css`` with only the ``@font-face`` rules of ``faces``, each with its woff2 file only.

    Every browser that runs the page reads woff2; the ``woff`` fallbacks and the faces the page
    never shows (Spectral, Marianne Light…) would only be files to copy and to cache.
    """
    wanted = {name for name, *_ in faces}
    out = []
    for prelude, body in _blocks(css):
        head = _COMMENT.sub("", prelude).strip()
        if body is None:
            out.append(head + ";")
            continue
        if head == "@font-face":
            found = _WOFF2.search(body)
            if found is None or Path(found.group(1)).name not in wanted:
                continue
            body = _FACE_SRC.sub(f'src:url({found.group(1)}) format("woff2")', body)
        out.append(f"{head}{{{body}}}")
    return "".join(out)


_CUSTOM = re.compile(r"^\s*(--[\w-]+)\s*:")
_VAR = re.compile(r"var\(\s*(--[\w-]+)")


def _declarations(body: str) -> list[str]:
    """The declarations of a rule's ``body`` (a ``;`` in a ``url()`` or a string stays)."""
    return [d for d in _split_outside(body, ";") if d.strip()]


def _custom_properties(css: str) -> dict[str, list[str]]:
    """Every custom property declared in ``css`` (``--name`` → its values), at any depth."""
    found: dict[str, list[str]] = {}

    def collect(head: str, body: str) -> str:
        for declaration in _declarations(body):
            named = _CUSTOM.match(declaration)
            if named:
                found.setdefault(named.group(1), []).append(declaration.split(":", 1)[1])
        return ""

    _map_rules(css, collect)
    return found


def _drop_custom(css: str, keep: set[str]) -> str:
    def without(head: str, body: str) -> str:
        kept = [
            d for d in _declarations(body) if not _CUSTOM.match(d) or _CUSTOM.match(d)[1] in keep
        ]
        return f"{head}{{{';'.join(kept)}}}" if kept else ""

    return _map_rules(css, without)


def purge_variables(css: str, *texts: str) -> str:
    """``css`` without the custom properties nothing reads.

    The DSFR declares about a thousand colour tokens on ``:root``; a page's rules read a few
    dozen. Every element inherits them all, so the browser computes them for each: a page that
    keeps only what it reads styles faster. A property is kept when a ``var()`` reads it in a
    rule's ordinary declaration, in ``texts`` (the page's own sheets and scripts), or in the
    value of a property kept (the tokens' chains of ``var()``). A rule left empty goes.

    Examples
    --------
    >>> purge_variables(":root{--a:red;--b:var(--c);--c:blue;--d:0}.x{color:var(--b)}")
    ':root{--b:var(--c);--c:blue}.x{color:var(--b)}'
    >>> purge_variables(":root{--a:red;--d:0}", "el.style.color = 'var(--a)'")
    ':root{--a:red}'
    """
    declared = _custom_properties(css)
    read = set(_VAR.findall(_drop_custom(css, set())))
    for text in texts:
        read.update(_VAR.findall(text))
    todo = list(read)
    while todo:
        for value in declared.get(todo.pop(), ()):
            for name in _VAR.findall(value):
                if name not in read:
                    read.add(name)
                    todo.append(name)
    return _drop_custom(css, read)


def split_faces(css: str) -> tuple[str, str]:
    """``css`` without its ``@font-face`` rules, and those rules.

    Examples
    --------
    >>> split_faces("a{x:y}@font-face{font-family:M;src:url(m.woff2)}b{x:y}")
    ('a{x:y}b{x:y}', '@font-face{font-family:M;src:url(m.woff2)}')
    """
    rules, faces = [], []
    for prelude, body in _blocks(css):
        head = _COMMENT.sub("", prelude).strip()
        if body is None:
            rules.append(head + ";")
        else:
            (faces if head == "@font-face" else rules).append(f"{head}{{{body}}}")
    return "".join(rules), "".join(faces)


@functools.lru_cache(maxsize=8)
def page_css(used: frozenset[str], folder: Path | None = None, texts: tuple[str, ...] = ()) -> str:
    """The bundle reduced to the rules of ``used`` and Marianne's woff2 faces (cached).

    Only the custom properties those rules or ``texts`` read stay (:func:`purge_variables`).
    The same classes give the same sheet: an export per register version computes it once
    per process (a third of a second), not once per export.
    """
    return woff2_faces(purge_variables(purge_css(bundle_css(folder), set(used)), *texts))


def install_page_dsfr(target_parent: Path, used: set[str], texts: tuple[str, ...] = ()) -> Path:
    """The DSFR of one page into ``target_parent / "dsfr"``: its rules, its woff2 faces.

    Parameters
    ----------
    target_parent : pathlib.Path
        The page's folder (a public export).
    used : set of str
        The DSFR classes the page uses (:func:`used_classes` of its HTML and scripts).
    texts : tuple of str, optional
        The page's own sheets and scripts: a custom property they read stays
        (:func:`purge_variables`).

    Returns
    -------
    pathlib.Path
        The ``dsfr`` folder: :data:`BUNDLE` (the rules the page uses), :data:`FACES_SHEET` (the
        faces of :data:`MARIANNE_FACES` in woff2), those fonts and :data:`LICENCE_FILE`.

    Notes
    -----
    The faces are a sheet of their own so that the page can ask for them once its map is
    drawn: linked from the first sheet, the four fonts were fetched, and the text laid out a
    second time, while the map's code was running.
    """
    source = dist_dir()
    target = Path(target_parent) / "dsfr"
    rules, faces = split_faces(page_css(frozenset(used), source, tuple(texts)))
    (target / "fonts").mkdir(parents=True, exist_ok=True)
    for name in sorted({m.group(1) for m in _FACE_FILE.finditer(faces)}):
        shutil.copyfile(source / name, target / name)
    banner = f"/*! DSFR v{version(source)} | SPDX-License-Identifier: MIT | {LICENCE_FILE} */\n"
    (target / BUNDLE).write_text(banner + rules + "\n", encoding="utf-8")
    (target / FACES_SHEET).write_text(banner + faces + "\n", encoding="utf-8")
    (target / LICENCE_FILE).write_text(licence_note(version(source)), encoding="utf-8")
    return target
