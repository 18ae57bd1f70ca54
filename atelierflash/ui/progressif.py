"""A browser session's first page, when it is the map: the map first, the rest once it has drawn.

Streamlit's browser fetches each kind of widget's code the first time it renders one: about a
hundred files from the app's server, six at a time, on the main thread the map's frame shares.
A session that opens on the map page would have the map's files queue behind the filters',
the list's and the downloads', and its drawing wait for their rendering (measured by
``python -m benchmarks``: about 0.9 s on the demonstration register). So the first run of such
a session draws the map alone (with the page's title and banners); the map's code says once
that it has drawn (one component value, :data:`atelierflash.ui.carte.DRAWN`) and the page is
drawn whole. Every later run, and a session that starts on another page, draws everything at
once: the widgets' code is then in the browser.

Three safeguards keep the rest of the page from ever going missing:

- a session with no browser (Streamlit's ``AppTest``, a script) draws the whole page at once,
  since no map will ever report there;
- a map that never says it drew (its frame failed, its code was blocked) is completed by a
  timer after :data:`FALLBACK_S` seconds;
- the notices about the address (:func:`atelierflash.ui.url.notice`, shown once per address)
  are shown again by the whole page, each where it was (``url.replay_notices``).

The map stays where it is between the two runs: every element that comes and goes before it
(the notices) lives in a container that is always there, since an element moved in the page's
tree is mounted again (for the map, a new frame that draws everything again).
"""

from __future__ import annotations

import time

import streamlit as st

from atelierflash.ui import url

#: Session key: the browser of this session has been sent a whole page.
_WHOLE = "_page_entiere_envoyee"
#: Session key: when the fallback timer was first drawn (``time.monotonic()``).
_SINCE = "_page_seule_depuis"
#: Seconds after which a page drawn alone is completed even if its map never reported.
FALLBACK_S = 3.0


def mark_whole() -> None:
    """Note that this run draws its page whole (``app.py``, for a page that is not map-first)."""
    st.session_state[_WHOLE] = True


def alone() -> bool:
    """Whether this run draws the page's main element alone (the session's first, in a browser).

    A session without a browser (no request headers: ``AppTest``, a script) never does.
    """
    return not st.session_state.get(_WHOLE, False) and _has_browser()


def _has_browser() -> bool:
    # A browser's session was opened by an HTTP request (its websocket's): it has headers.
    return bool(st.context.headers)


def complete() -> None:
    """Draw the whole page now, if it was drawn alone so far (the main element has drawn)."""
    if not alone():
        return
    mark_whole()
    url.replay_notices()  # shown by the run drawn alone, they belong on the whole page too
    st.rerun(scope="app")


def rest_later() -> None:
    """End a run drawn alone: nothing more is sent until the main element reports (or time's up).

    Call it right after the main element, when :func:`alone` is true.
    """
    _fallback()
    st.stop()


@st.fragment(run_every=FALLBACK_S)
def _fallback() -> None:
    # Drawn only by a run drawn alone; its first tick completes the page if the map has not.
    # The browser ticks FALLBACK_S after it got the timer, so later than that on this clock;
    # a run drawn alone again before then (a rerun) leaves the page waiting for its map. The
    # whole page no longer draws the timer, which stops it.
    since = st.session_state.setdefault(_SINCE, time.monotonic())
    if time.monotonic() - since >= FALLBACK_S:
        complete()
