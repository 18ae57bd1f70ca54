"""Editing on the fiche in Chromium, logged in for real against a local OIDC provider.

Two identities: a DDT of the Somme (scope ``["80"]``) edits the Doullens atelier (80253) and
its save is a new version signed with its address; a DDTM of Corse-du-Sud (scope ``["2A"]``)
reads the same fiche, gets no « Modifier », and its candidature typed in the Somme is refused:
the store is unchanged.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from atelierflash import acces, store
from benchmarks.servers import streamlit_server
from tests.browser.conftest import ARTIFACTS, ROOT
from tests.browser.test_acces_browser import _login, _offline, _ready
from tests.conftest import MINI_REGISTER

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("ATELIERFLASH_SHOTS", str(ARTIFACTS)))
SOMME = "ddt80@somme.gouv.fr"
CORSE = "ddtm2a@corse-du-sud.gouv.fr"


def _shot(page, name: str, at=None) -> None:
    # The run is over (no stale element of the previous run), the part shown is in view.
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=120_000)
    if at is not None:
        at.evaluate("element => element.scrollIntoView({block: 'center'})")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"issue18-edition-{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def edit_app(tmp_path_factory, chromium_executable):
    """An internal instance with login and scopes, on its own store seeded from the mini register."""
    from oidc_provider_mock import run_server_in_thread

    folder = tmp_path_factory.mktemp("edition")
    register = folder / "mini.csv"
    register.write_text(MINI_REGISTER, encoding="utf-8")
    data = folder / "donnees"
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
            'mode = "interne"\n'
            f'emails_internes = ["{SOMME}"]\n'
            "\n[atelierflash.perimetres]\n"
            f'"{SOMME}" = ["80"]\n'
            f'"{CORSE}" = ["2A"]\n',
            encoding="utf-8",
        )
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in (acces.ENV_MODE, acces.ENV_EMAILS, store.ENV_DATABASE_URL)
        }
        env.update({"ATELIERFLASH_REGISTRE": str(register), store.ENV_DATA_DIR: str(data)})
        options = ("--secrets.files", str(secrets))
        with streamlit_server(ROOT / "app.py", env, folder / "server.log", options=options) as url:
            # The login cookie is bound to the redirect URI's origin: browse as « localhost ».
            yield url.replace("127.0.0.1", "localhost"), f"sqlite:///{data}/atelierflash.sqlite"


def _versions(url: str) -> list[tuple[int, str]]:
    s = store.Store(url, upgrade=False)
    try:
        return [(v.version, v.auteur) for v in s.versions()]
    finally:
        s.dispose()


def _fiche(page, app: str) -> None:
    page.goto(f"{app}/atelier?id=T-2019-1")
    _ready(page)
    page.locator('iframe, [data-testid="stHtml"]').first.wait_for(timeout=120_000)


def _plain(text: str) -> str:
    # markdown_escape puts a word joiner before « @ » (no autolink): not part of the address.
    return text.replace("\u2060", "")


def _field(page, label: str):
    form = page.locator('[data-testid="stForm"]').first
    return form.get_by_label(label, exact=True)


def test_a_ddt_edits_an_atelier_of_its_departement(browser, edit_app):
    app, url = edit_app
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    _offline(context)
    page = context.new_page()
    _login(page, app, SOMME)
    _fiche(page, app)
    before = _versions(url)
    page.get_by_role("button", name="Modifier cet atelier").click()
    title = _field(page, "Titre")
    title.wait_for(timeout=120_000)
    assert title.input_value() == "Centre-bourg de Doullens (fictif)"
    title.fill("Doullens, le centre-bourg <b>revu</b> $x$ (fictif)")
    _field(page, "Année").fill("deux mille")
    page.get_by_role("button", name="Vérifier").click()
    page.get_by_text("erreur(s) à corriger dans le formulaire").wait_for(timeout=120_000)
    _shot(page, "message-au-champ", at=_field(page, "Année"))
    _field(page, "Année").fill("2019")
    page.get_by_role("button", name="Vérifier").click()
    save = page.get_by_role("button", name=f"Enregistrer la version {before[-1][0] + 1}")
    # The button exists since the first check; it is enabled once the corrected form is checked.
    expect(save).to_be_enabled(timeout=120_000)
    expect(page.get_by_text("erreur(s) à corriger dans le formulaire")).to_have_count(0)
    signed = page.get_by_text("Auteur de la version :")
    signed.wait_for(timeout=60_000)
    assert SOMME in _plain(signed.inner_text())
    _shot(page, "differences")
    save.click()
    notice = page.get_by_text(re.compile(r"Version \d+ enregistrée par"))
    notice.wait_for(timeout=120_000)
    assert f"enregistrée par {SOMME}" in _plain(notice.inner_text())
    after = _versions(url)
    assert after == [*before, (before[-1][0] + 1, SOMME)]
    # The fiche shows the new title as text (no bold, no maths).
    body = page.locator("body").inner_text()
    assert "Doullens, le centre-bourg <b>revu</b> $x$ (fictif)" in body
    page.get_by_role("button", name="Modifier cet atelier").wait_for(timeout=120_000)
    expect(page.locator('[data-testid="stForm"]')).to_have_count(0, timeout=120_000)  # closed
    _shot(page, "enregistre", at=notice)
    context.close()


def test_a_ddtm_outside_the_departement_reads_only_and_the_store_is_unchanged(browser, edit_app):
    app, url = edit_app
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    _offline(context)
    page = context.new_page()
    _login(page, app, CORSE)
    _fiche(page, app)
    before = _versions(url)
    page.get_by_text("hors de votre périmètre (département 2A)").wait_for(timeout=120_000)
    assert page.get_by_role("button", name="Modifier cet atelier").count() == 0
    # A candidature typed in the Somme is refused before saving; nothing is stored.
    page.get_by_role("button", name="Nouvelle candidature").click()
    _field(page, "Identifiant").wait_for(timeout=120_000)
    _field(page, "Identifiant").fill("T-2027-9")
    _field(page, "Titre").fill("Candidature hors périmètre (fictif)")
    _field(page, "Codes INSEE des communes").fill("80253")
    page.get_by_role("button", name="Vérifier").click()
    page.get_by_text("les communes saisies sont hors de votre périmètre").wait_for(timeout=120_000)
    save = page.get_by_role("button", name=f"Enregistrer la version {before[-1][0] + 1}")
    assert save.is_disabled()
    _shot(page, "refuse")
    assert _versions(url) == before
    context.close()


# -- two editors at once, on PostgreSQL -----------------------------------------------------------
@pytest.fixture
def shared_app(tmp_path, postgres_server, chromium_executable):
    """A local instance (no login: a name typed once) on a fresh PostgreSQL database."""
    from tests import postgres

    register = tmp_path / "mini.csv"
    register.write_text(MINI_REGISTER, encoding="utf-8")
    with postgres.fresh_database(postgres_server) as database:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in (acces.ENV_MODE, acces.ENV_EMAILS, "ATELIERFLASH_REGISTRE")
        }
        env.update({"ATELIERFLASH_REGISTRE": str(register), store.ENV_DATABASE_URL: database})
        with streamlit_server(ROOT / "app.py", env, tmp_path / "server.log") as url:
            yield url, database


def _checked_form(browser, app: str, name: str, field: str, text: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    page = context.new_page()
    _fiche(page, app)
    page.get_by_role("button", name="Modifier cet atelier").click()
    _field(page, field).wait_for(timeout=120_000)
    _field(page, field).fill(text)
    page.get_by_role("button", name="Vérifier").click()
    author = page.get_by_role("textbox", name="Votre nom (auteur de la version)")
    author.wait_for(timeout=120_000)
    author.fill(name)
    author.press("Enter")
    save = page.get_by_role("button", name="Enregistrer la version 2")
    expect(save).to_be_enabled(timeout=120_000)
    return context, page, save


def test_two_editors_at_once_on_postgresql_one_lands_the_other_keeps_its_form(browser, shared_app):
    app, database = shared_app
    first, alix, alix_save = _checked_form(browser, app, "Alix", "Titre", "Titre d'Alix (fictif)")
    second, bao, bao_save = _checked_form(
        browser, app, "Bao", "Description", "Description de Bao, longue à retaper"
    )
    alix_save.click()
    alix.get_by_text(re.compile(r"Version 2 enregistrée par Alix")).wait_for(timeout=120_000)
    bao_save.click()
    refusal = bao.get_by_text("le registre a changé pendant votre relecture")
    refusal.wait_for(timeout=120_000)
    assert "par Alix" in refusal.inner_text()
    assert "Votre saisie est conservée" in refusal.inner_text()
    assert _field(bao, "Description").input_value() == "Description de Bao, longue à retaper"
    _shot(bao, "deux-personnes-refus", at=refusal)
    assert _versions(database) == [(1, "atelierflash (premier lancement)"), (2, "Alix")]
    # Checked on the current version, Bao's description lands beside Alix's title.
    bao.get_by_role("button", name="Vérifier sur la version actuelle").click()
    save = bao.get_by_role("button", name="Enregistrer la version 3")
    expect(save).to_be_enabled(timeout=120_000)
    save.click()
    bao.get_by_text(re.compile(r"Version 3 enregistrée par Bao")).wait_for(timeout=120_000)
    s = store.Store(database, upgrade=False)
    row = s.table(3).rows.iloc[0]
    assert (row["titre"], row["description"]) == (
        "Titre d'Alix (fictif)",
        "Description de Bao, longue à retaper",
    )
    s.dispose()
    first.close()
    second.close()
