"""Text shared by the whole library: comparison keys, and the one escape for Markdown and for HTML."""

from __future__ import annotations

import errno
import functools
import html
import re
import unicodedata

# Ligatures that NFKD does not decompose but French spreadsheets contain ("Ville en Œuvre").
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# Regular expressions rather than per-character Python: the référentiel has 75 000 names.
_COMBINING = re.compile(r"[\u0300-\u036f]+")


def normalize_key(text: object) -> str:
    """Return a comparison key: lower case, no accents, punctuation runs as one space.

    Parameters
    ----------
    text : object
        Any value; ``None`` gives an empty key.

    Returns
    -------
    str
        ``"Année de sélection"`` → ``"annee de selection"``; ``"Code(s) INSEE"`` → ``"code s insee"``.
    """
    if text is None:
        return ""
    return _key(str(text))


# A register repeats its words (statuts, themes, communes, headers) on every row: validating
# 20 000 rows asked for the same few thousand keys half a million times.
@functools.lru_cache(maxsize=2**16)
def _key(text: str) -> str:
    if text.isascii():
        # NFKD, ligatures and accents leave ASCII unchanged, and casefold is lower: most names.
        return _NON_ALNUM.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES).casefold())
    return _NON_ALNUM.sub(" ", _COMBINING.sub("", decomposed)).strip()


# Every ASCII punctuation character: CommonMark lets a backslash escape any of them, and each
# can start a construct somewhere (links, images, emphasis, lists, headings, tables, KaTeX's
# ``$``, Streamlit's ``:red[…]`` directives, GFM autolinks through ``:`` ``.`` ``@``).
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
# GFM's autolinks are found in the text after parsing (escapes already resolved), so a
# backslash cannot stop them: an invisible WORD JOINER (U+2060) breaks the three patterns
# (« scheme:// », « www. », « x@y.z ») without changing what is shown.
WORD_JOINER = "\u2060"
_AUTOLINK_STARTS = re.compile(r"(?i)(?<=[a-z]:)(?=//)|(?<=\bwww)(?=\.)|(?=@)")


def markdown_escape(text: object) -> str:
    r"""Return ``text`` made inert for Streamlit's Markdown: shown exactly as typed.

    The one escaping function for every piece of register or user text (titles, file names,
    query parameters) that reaches ``st.markdown``, ``st.caption``, ``st.warning``, ``st.table``
    cells or a widget label.

    Parameters
    ----------
    text : object
        Any value; ``None`` gives ``""``.

    Returns
    -------
    str
        Every ASCII punctuation character preceded by a backslash (so no link, image, emphasis,
        maths or directive can start), a word joiner inside ``://``, ``www.`` and before ``@``
        (GFM finds autolinks in the parsed text, where a backslash no longer is), and line
        breaks folded into one space (a register cell never opens a new Markdown block).

    Examples
    --------
    >>> markdown_escape("![t](http://evil.example/q.png)").replace(WORD_JOINER, "+")
    '\\!\\[t\\]\\(http\\:+\\/\\/evil\\.example\\/q\\.png\\)'
    >>> markdown_escape("Doullens") == "Doullens"
    True
    """
    if text is None:
        return ""
    text = _AUTOLINK_STARTS.sub(WORD_JOINER, _LINE_BREAKS.sub(" ", str(text)))
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def html_escape(text: object) -> str:
    """Return ``text`` made inert for HTML (element content and quoted attributes).

    The one escaping function for register text written into HTML: the map's fiche, the public
    page, plotly labels (which read a few HTML tags). Quotes become numeric references, which
    plotly decodes too (it does not know ``&quot;``).

    Examples
    --------
    >>> html_escape("<img src=x onerror=alert(1)> & co")
    '&lt;img src=x onerror=alert(1)&gt; &amp; co'
    >>> html_escape(chr(34) + chr(39))
    '&#34;&#39;'
    """
    if text is None:
        return ""
    escaped = html.escape(str(text), quote=False)
    return escaped.replace('"', "&#34;").replace("'", "&#39;")


def cell_text(value: object) -> str:
    """A register cell as text: the string itself, ``""`` for a missing value.

    Parameters
    ----------
    value : object
        A cell of ``Dataset.ateliers`` (a string, ``None`` or a missing float).

    Returns
    -------
    str

    Examples
    --------
    >>> cell_text("Doullens"), cell_text(None), cell_text(float("nan"))
    ('Doullens', '', '')
    """
    return value if isinstance(value, str) else ""


# An e-mail address, and a French or international phone number (« 03 22 11 22 33 »,
# « +33 3 22 11 22 33 », « 0322112233 », « 03.22.11.22.33 »).
# The look-behind starts a match only where a run of address characters starts: without it a
# long cell without « @ » took quadratic time (10 minutes for 200 000 characters).
_EMAIL = re.compile(r"(?<![\w.+'-])[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{2,3}[\s.-]?(?:\(0\)[\s.-]?)?\d|0\d)(?:[\s.-]?\d{2}){4}(?!\d)"
)
CONTACT_PLACEHOLDER = "[coordonnées retirées]"


def find_contacts(text: object) -> list[str]:
    """E-mail addresses and phone numbers found in ``text`` (personal data, never public).

    Examples
    --------
    >>> find_contacts("DDT 80, marie.dupont@somme.gouv.fr, 03 22 97 21 00")
    ['marie.dupont@somme.gouv.fr', '03 22 97 21 00']
    >>> find_contacts("Atelier 2024 : 1 200 habitants")
    []
    """
    if text is None:
        return []
    text = str(text)
    return [m.group(0) for m in _EMAIL.finditer(text)] + [
        m.group(0).strip() for m in _PHONE.finditer(_EMAIL.sub(" ", text))
    ]


def without_contacts(text: object) -> str:
    """``text`` with every e-mail address and phone number replaced by « [coordonnées retirées] ».

    Examples
    --------
    >>> without_contacts("DDT 80 (marie.dupont@somme.gouv.fr, +33 3 22 97 21 00)")
    'DDT 80 ([coordonnées retirées], [coordonnées retirées])'
    """
    if text is None:
        return ""
    return _PHONE.sub(CONTACT_PLACEHOLDER, _EMAIL.sub(CONTACT_PLACEHOLDER, str(text)))


_OS_ERRORS_FR = {
    errno.EACCES: "accès refusé",
    errno.EPERM: "opération non permise",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.ENOSPC: "disque plein",
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.ENOTDIR: "ce chemin n'est pas un dossier",
    errno.EISDIR: "ce chemin est un dossier",
    errno.EEXIST: "ce chemin existe déjà",
}


def os_reason(exc: OSError) -> str:
    """The French words for a system error, for messages a user reads.

    Examples
    --------
    >>> os_reason(PermissionError(errno.EACCES, "Permission denied"))
    'accès refusé'
    >>> os_reason(OSError(errno.EIO, "Input/output error"))
    'erreur du système (code 5)'
    """
    # An errno without French words is named by its number: the English text stays in the log.
    if exc.errno in _OS_ERRORS_FR:
        return _OS_ERRORS_FR[exc.errno]
    return f"erreur du système (code {exc.errno})" if exc.errno else "erreur du système"
