"""Every click on a download button gives its file, even clicked again at once.

Streamlit 1.67's download button with a callable writes the file only when clicked, over the
app's WebSocket, and greys the button until the file is back: a second click in that time was
lost (issue 20: 2 of 32 quick clicks on « Sélection annuelle » gave no file). How long that
takes depends on the server's load, so the test holds the server's messages while it clicks
one button twice, as a busy server would: then only files that come with the page arrive.

What the page does for each click is seen in the page: the button's file asked for at once,
from its own address (Streamlit opens it through a link it clicks). What the browser then
saves is Chromium's business: against sites that start many downloads by themselves, it may
hold back one of thirty-two quick downloads (about one run in seven here, each time the last
button's), which a person's browser asks about and a headless one never says. So every click
must ask for its file, and every file must arrive at least once, whole.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.conftest import wait_for_charts

pytestmark = pytest.mark.browser

SELECTION_CHARTS = 7
#: Clicks on each button, one right after the other (a person who wants the file twice, or
#: whose first click seemed to do nothing).
CLICKS = 2
#: How long a person's click presses the button (mouse down to up), in milliseconds.
PRESS_MS = 60
#: No new file for this long after the clicks: the missing ones are lost.
LATE_MS = 30_000


class BusyServer:
    """Relays the app's WebSocket, holding the server's messages while :attr:`busy`."""

    def __init__(self) -> None:
        self.busy = False
        self.held: list = []
        self.route = None

    def relay(self, route) -> None:
        server = route.connect_to_server()
        self.route = route
        route.on_message(server.send)
        server.on_message(lambda message: self._from_server(route, message))

    def _from_server(self, route, message) -> None:
        if self.busy:
            self.held.append(message)
        else:
            route.send(message)

    def release(self) -> None:
        """Deliver what was held, in order; the server answers at once again."""
        self.busy = False
        for message in self.held:
            self.route.send(message)
        self.held.clear()


def _open_every_table(page) -> int:
    """Open every expander (the tables and their buttons); return the number of buttons."""
    expanders = page.locator('[data-testid="stExpander"] summary')
    for index in range(expanders.count()):
        summary = expanders.nth(index)
        if not summary.evaluate("element => element.parentElement.open"):
            summary.click()
    # Two buttons (CSV and XLSX) per chart's table, and two for the year's list.
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=\"stDownloadButton\"] button').length >= n",
        arg=2 * (SELECTION_CHARTS + 1),
        timeout=60_000,
    )
    return page.locator('[data-testid="stDownloadButton"] button').count()


def test_every_click_on_a_download_button_gives_its_file(page, app_url):
    server = BusyServer()
    page.route_web_socket("**/_stcore/stream", server.relay)
    page.goto(f"{app_url}/")
    page.get_by_role("heading", name="Ateliers Flash : vue d'ensemble").wait_for(timeout=180_000)
    page.goto(f"{app_url}/selection-annuelle")
    wait_for_charts(page, SELECTION_CHARTS)
    count = _open_every_table(page)
    buttons = page.locator('[data-testid="stDownloadButton"] button')
    # Which button each click reached, seen by the page itself: pointer events, since a
    # disabled button gets no click event (which is how a click gets lost).
    # And which file each click asked for: the address of the link Streamlit clicks for it.
    page.evaluate(
        """() => {
            window.__clicked = [];
            window.__asked = [];
            const selector = '[data-testid="stDownloadButton"] button';
            document.addEventListener('pointerdown', (event) => {
                const all = [...document.querySelectorAll(selector)];
                window.__clicked.push(all.indexOf(event.target.closest(selector)));
            }, true);
            const click = HTMLAnchorElement.prototype.click;
            HTMLAnchorElement.prototype.click = function () {
                window.__asked.push(this.href);
                return click.call(this);
            };
        }"""
    )
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    clicks = []
    for index in range(count):
        button = buttons.nth(index)
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        server.busy = True
        for _ in range(CLICKS):
            # The mouse, as a person clicks, whether the button looks ready or not (a
            # locator's click would wait until it is enabled again).
            page.mouse.click(x, y, delay=PRESS_MS)
            clicks.append(index)
        server.release()
    # Every click reached its button (else the test, not the app, would have lost it).
    assert page.evaluate("() => window.__clicked") == clicks
    # Every click asked for its file at once: two clicks, two asks of one address per button,
    # one address per button.
    asked = page.evaluate("() => window.__asked")
    assert len(asked) == len(clicks), f"{len(asked)} fichiers demandés pour {len(clicks)} clics"
    assert all(asked[i] == asked[i + 1] for i in range(0, len(asked), CLICKS))
    assert len(set(asked)) == count and all("/media/" in url for url in asked)

    # Every button's file arrives, whole: wait for the files, each announced by its event,
    # until each has come at least once (none for LATE_MS: the missing ones are lost).
    def names() -> set[str]:
        return {d.suggested_filename for d in downloads}

    while len(names()) < count:
        try:
            page.wait_for_event("download", timeout=LATE_MS)
        except PlaywrightTimeoutError:
            break
    assert len(names()) == count, f"{len(names())} fichiers reçus pour {count} boutons"
    for download in downloads:
        assert download.failure() is None
        assert Path(download.path()).stat().st_size > 0, download.suggested_filename
