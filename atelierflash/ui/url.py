"""One way to keep a widget in the URL: a tolerant reader and a writer of query parameters.

An address is typed, pasted and crafted by anyone: :func:`read` never raises. A value its
parser refuses (a ``ValueError``, ``TypeError`` or ``OverflowError``) is ignored, the widget
starts from its default, and a short French notice says which parameter was ignored (the value
is quoted as text, never as Markdown). :func:`write` keeps the URL in step with the widget,
leaving a parameter out when it holds the default, so a view is a permalink.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from atelierflash.texte import markdown_escape

T = TypeVar("T")
#: Characters of a refused value quoted in the notice (a crafted URL may be long).
QUOTED_CHARS = 40
_NOTICES_SHOWN = "_url_notices_vues"
_NOTICES_LOG = "_url_notices_montrees"
_NOTICES_REPLAY = "_url_notices_a_remontrer"


class Refused(ValueError):
    """A parser's refusal that says why, in French (« cet atelier n'est pas publiable »)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def read(name: str, parse: Callable[[str], T], default: T, *, what: str) -> T:
    """The value of query parameter ``name`` parsed by ``parse``, or ``default``.

    Parameters
    ----------
    name : str
        The parameter (``"annee"``, ``"commune"``…).
    parse : callable
        ``parse(text)`` returns the value or raises ``ValueError`` (also ``TypeError``,
        ``OverflowError``) for a value the widget cannot take.
    default
        Returned when the parameter is absent or refused.
    what : str
        What the parameter sets, in French, for the notice (« l'année affichée »).

    Returns
    -------
    The parsed value, or ``default``.
    """
    raw = st.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return parse(raw)
    except Refused as refused:
        notice(name, raw, what, reason=refused.reason)
        return default
    except (ValueError, TypeError, OverflowError):
        notice(name, raw, what)
        return default


def notice(name: str, raw: str, what: str, *, reason: str = "") -> None:
    """Tell once per address that a parameter was ignored (a short French message).

    ``reason`` (the app's own French words, never the value) says why, when the parser knew.
    """
    shown = st.session_state.setdefault(_NOTICES_SHOWN, set())
    if (name, raw) in shown:
        return
    shown.add((name, raw))
    st.session_state.setdefault(_NOTICES_LOG, []).append((name, raw, what, reason))
    _draw(name, raw, what, reason)


def _draw(name: str, raw: str, what: str, reason: str) -> None:
    # Cut, on one line, without control characters: the value is only quoted, never shown whole.
    printable = "".join(c if c.isprintable() else " " for c in raw)
    quoted = printable if len(printable) <= QUOTED_CHARS else printable[:QUOTED_CHARS] + "…"
    because = f" : {reason}" if reason else ""
    st.info(
        f"Adresse de la page : la valeur « {markdown_escape(quoted)} » du paramètre "
        f"« {markdown_escape(name)} » ({what}) n'est pas reconnue{because} ; elle est ignorée.",
        icon=":material/link_off:",
    )


def replay_notices() -> None:
    """Show the notices drawn so far once more, in the next run, each where it was.

    A page drawn in two runs (``ui.progressif``) reads some parameters in its first run only:
    their notices would otherwise vanish with that run. Each reader draws its own again with
    :func:`show_replayed`, in the place it drew them first (nothing moves, nothing doubles).
    """
    st.session_state[_NOTICES_REPLAY] = list(st.session_state.get(_NOTICES_LOG, []))


def show_replayed(names) -> None:
    """Draw the replayed notices of the parameters ``names`` (see :func:`replay_notices`)."""
    kept = st.session_state.get(_NOTICES_REPLAY)
    if not kept:
        return
    names = set(names)
    for name, raw, what, reason in kept:
        if name in names:
            _draw(name, raw, what, reason)
    st.session_state[_NOTICES_REPLAY] = [n for n in kept if n[0] not in names]


def drop_replayed() -> None:
    """Forget the replayed notices no reader drew (``app.py``, at the end of every run)."""
    st.session_state.pop(_NOTICES_REPLAY, None)


def write(name: str, value: str | None, default: str | None = None) -> None:
    """Keep ``value`` in the URL as ``?name=value``; absent when it is ``None`` or the default."""
    if value is None or value == default:
        if name in st.query_params:
            del st.query_params[name]
    elif st.query_params.get(name) != value:
        st.query_params[name] = value


def one_of(options) -> Callable[[str], str]:
    """A parser accepting only the values of ``options`` (keys of a dict, items of a list)."""

    def parse(text: str) -> str:
        if text not in options:
            raise ValueError(text)
        return text

    return parse


def year(text: str) -> int:
    """A year written with ASCII digits (« 2024 »); refuses « ² », « 2024.0 », « 99999 »."""
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise ValueError(text)
    return int(text)


#: Characters kept of a free text from the address (a commune name is far shorter).
MAX_TEXT = 100


def short_text(text: str) -> str:
    """A free text from the address (a search), refused beyond :data:`MAX_TEXT` characters."""
    text = text.strip()
    if len(text) > MAX_TEXT or not text.isprintable():
        raise ValueError(text[:MAX_TEXT])
    return text
