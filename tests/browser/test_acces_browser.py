"""Access control in Chromium: the OIDC login of internal pages, and public mode.

The login runs for real: ``oidc-provider-mock`` is started by the test as a local OpenID
Connect provider, Streamlit's ``st.login`` talks to it, and Chromium fills the provider's form.

Public mode runs a server with ``ATELIERFLASH_MODE=public`` and the office's register marked
(« …-7Q »); every page, internal address and query parameter is opened, every WebSocket frame
the server sends is searched for the marks and the demonstration's internal notes, and the same
addresses are fetched over plain HTTP (what ``curl`` sees).
"""

from __future__ import annotations

import csv
import io
import os
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from atelierflash import acces
from atelierflash.carte.exports import PUBLIC_FIELDS
from atelierflash.demo import EXCEPTION_NOTE, NOTES
from benchmarks.servers import streamlit_server
from tests.browser.conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("ATELIERFLASH_SHOTS", str(ARTIFACTS)))
FOREIGN = re.compile(r"^https?://(?!localhost[:/]|127\.0\.0\.1[:/])")
ALLOWED = "agent@dgaln.gouv.fr"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"issue11-access-{name}.png"), full_page=True)


def _offline(context) -> None:
    # The provider's form asks a CDN for its style sheet: no internet here, answer at once.
    context.route(FOREIGN, lambda route: route.abort())


# -- OIDC login ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def oidc_app(tmp_path_factory, chromium_executable):
    """A local OIDC provider and the app configured to log in with it."""
    from oidc_provider_mock import run_server_in_thread

    folder = tmp_path_factory.mktemp("oidc")
    with run_server_in_thread() as provider:
        issuer = f"http://localhost:{provider.server_port}"
        secrets = folder / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
            'cookie_secret = "un-secret-de-test-assez-long-pour-signer-0123456789"\n'
            'client_id = "atelierflash"\n'
            'client_secret = "secret-de-test"\n'
            f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
            "\n[atelierflash]\n"
            f'emails_internes = ["{ALLOWED}"]\n',
            encoding="utf-8",
        )
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("ATELIERFLASH_REGISTRE", acces.ENV_MODE, acces.ENV_EMAILS)
        }
        log = folder / "server.log"
        options = ("--secrets.files", str(secrets))
        with streamlit_server(ROOT / "app.py", env, log, options=options) as url:
            # The login cookie is bound to the redirect URI's origin: browse as « localhost ».
            yield url.replace("127.0.0.1", "localhost")


def _login(page, app: str, email: str) -> None:
    """Open an internal page, press « Se connecter » and authorise ``email`` at the provider."""
    page.goto(f"{app}/equipes")
    page.get_by_role("button", name="Se connecter").click()
    page.locator('input[name="sub"]').wait_for(timeout=60_000)
    page.locator('input[name="sub"]').fill(email)
    page.get_by_role("button", name="Authorize").click()
    # Back on the app, logged in: the sidebar says who.
    page.get_by_text(f"Connecté : {email}").wait_for(timeout=120_000)


def test_internal_page_asks_for_a_login_and_shows_no_data(browser, oidc_app):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    _offline(context)
    page = context.new_page()
    page.goto(f"{oidc_app}/equipes")
    page.get_by_role("button", name="Se connecter").wait_for(timeout=180_000)
    assert page.get_by_text("réservée au bureau du programme").is_visible()
    # The internal page is listed (one logs in there), but nothing of it is drawn.
    body = page.locator("body").inner_text()
    assert "Titulaires des accords-cadres" not in body and "bon de commande" not in body
    _shot(page, "login-demandee")
    context.close()


def test_an_account_outside_the_allow_list_is_refused(browser, oidc_app):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    _offline(context)
    page = context.new_page()
    _login(page, oidc_app, "intrus@exemple.fr")
    page.goto(f"{oidc_app}/equipes")
    page.get_by_text("n'est pas autorisé à ouvrir les pages internes").wait_for(timeout=120_000)
    assert "intrus@exemple.fr" in page.locator("body").inner_text()
    assert page.locator('[data-testid="stTab"]').count() == 0
    _shot(page, "login-refuse")
    context.close()


def test_an_allowed_account_opens_the_internal_page_then_logs_out(browser, oidc_app):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    _offline(context)
    page = context.new_page()
    _login(page, oidc_app, ALLOWED)
    page.goto(f"{oidc_app}/equipes")
    page.get_by_role("heading", name="Équipes et tourniquet").wait_for(timeout=180_000)
    page.locator('[data-testid="stTab"]').first.wait_for(timeout=120_000)
    _shot(page, "login-autorise")
    # Logging out goes through the provider's end of session and closes the page again.
    page.get_by_role("button", name="Se déconnecter").first.click()
    page.get_by_role("button", name="End session").click(timeout=60_000)
    page.wait_for_url(re.compile(re.escape(oidc_app)), timeout=60_000)
    _ready(page)
    page.goto(f"{oidc_app}/equipes")
    page.get_by_role("button", name="Se connecter").wait_for(timeout=120_000)
    context.close()


# -- Public mode --------------------------------------------------------------------------------
OFFICE_REGISTER = (
    "id,titre,annee,statut,echelle,communes_insee,themes,equipe,date_bon_commande,"
    "motif_derogation,montant_eur,public,notes_internes,suivi_bureau\n"
    "B-2024-7Q,REGISTRE-BUREAU-SECRET-7Q,2024,réalisé,communale,80253,Aménagement des friches,"
    "POLAU,2024-01-10,MOTIF-SECRET-7Q,987654,oui,NOTE-SECRETE-7Q,COLONNE-SECRETE-7Q\n"
)
# What must never reach a visitor: the office's register, the demonstration's internal notes and
# derogation motifs (the demonstration is not a public register), its identifiers.
MARKS = ("-7Q", "987654", "987 654", "987\u202f654", "DEMO-20", EXCEPTION_NOTE, *NOTES)


@pytest.fixture(scope="module")
def public_app(tmp_path_factory, chromium_executable):
    folder = tmp_path_factory.mktemp("public")
    office = folder / "bureau.csv"
    office.write_text(OFFICE_REGISTER, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != acces.ENV_EMAILS}
    env.update({"ATELIERFLASH_REGISTRE": str(office), acces.ENV_MODE: "public"})
    with streamlit_server(ROOT / "app.py", env, folder / "server.log") as url:
        yield url


class Frames:
    """Every WebSocket frame the server sends to a page, as text."""

    def __init__(self, page):
        self.received: list[str] = []
        page.on("websocket", self._watch)

    def _watch(self, socket) -> None:
        socket.on("framereceived", self._add)

    def _add(self, payload) -> None:
        data = payload if isinstance(payload, bytes | bytearray) else str(payload).encode()
        self.received.append(bytes(data).decode("utf-8", "replace"))

    def marks(self) -> list[str]:
        sent = "\n".join(self.received)
        return [m for m in MARKS if m in sent]


def _ready(page) -> None:
    page.locator("h1").first.wait_for(timeout=180_000)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=120_000)


def _public_ready(page) -> None:
    """The page is drawn, and so is the sidebar's register (drawn before the page)."""
    _ready(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("ateliers.csv").wait_for(timeout=120_000)


INTERNAL_ADDRESSES = [
    *(f"/{spec.url_path}" for spec in acces.INTERNAL_PAGES),
    "/donnees",
    *(f"/{spec.url_path}?registre=env" for spec in acces.INTERNAL_PAGES),
]
PUBLIC_ADDRESSES = [
    "/?registre=env",
    "/accueil?registre=demo",
    "/carte?registre=env&statut=candidature",
    "/thematiques?registre=demo",
    "/selection-annuelle?annee=2026&registre=env",
]


def test_public_mode_in_chromium_reaches_no_internal_page_field_or_register(page, public_app):
    frames = Frames(page)
    # First request on this fresh server: an internal page's address (Streamlit would run the
    # page file directly before app.py has registered the navigation).
    for address in INTERNAL_ADDRESSES:
        page.goto(public_app + address)
        _public_ready(page)
        body = page.locator("body").inner_text()
        assert "Équipes et tourniquet" not in body, address
        assert page.locator('[data-testid="stSidebarNav"] a', has_text="Équipes").count() == 0
    _shot(page, "public-page-interne")
    for address in PUBLIC_ADDRESSES:
        page.goto(public_app + address)
        _public_ready(page)
        body = page.locator("body").inner_text()
        assert not [m for m in MARKS if m in body], address
    # The register selector offers the public register only.
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option").first.wait_for(timeout=30_000)
    options = page.get_by_role("option").all_inner_texts()
    assert len(options) == 1 and options[0].startswith("Registre public (ateliers documentés)")
    page.keyboard.press("Escape")
    assert frames.received, "the WebSocket frames were recorded"
    assert frames.marks() == []


def test_public_mode_download_holds_public_fields_of_public_rows(page, public_app):
    page.goto(f"{public_app}/carte?registre=env")
    _public_ready(page)
    button = page.get_by_role("button", name="Télécharger la sélection (CSV)")
    button.wait_for(timeout=180_000)
    with page.expect_download(timeout=60_000) as download:
        button.click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))  # the one writer: « ; »
    assert rows and set(rows[0]) <= set(PUBLIC_FIELDS)
    assert not [m for m in MARKS if m in text]
    _shot(page, "public-carte")


def _http(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def test_public_mode_over_plain_http(public_app):
    # What curl sees: the same application shell for every address, never a register's content.
    addresses = [
        *INTERNAL_ADDRESSES,
        *PUBLIC_ADDRESSES,
        "/pages/equipes.py",
        "/app/static/publique/env/donnees.js",
        "/app/static/publique/env/ateliers.csv",
        "/_stcore/health",
        "/_stcore/host-config",
    ]
    shell = None
    for address in addresses:
        status, body = _http(public_app + address)
        assert status in (200, 404), (address, status)
        assert not [m for m in MARKS if m in body], address
        if status == 200 and "<html" in body.lower():
            shell = shell or body
            assert "Équipes et tourniquet" not in body
    assert shell is not None, "the app's page was fetched"
