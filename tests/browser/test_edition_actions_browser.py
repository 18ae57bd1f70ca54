"""The feuille de route edited on the fiche in Chromium, logged in for real (local OIDC provider).

A DDT of the Somme (scope ``["80"]``) edits the actions of the Doullens atelier (80253): a
statut changed, an action added with hostile text; the message is at the field, the diff names
the action, the save is a new version signed with its address (the Données page says so), and
the new version's actions read back as typed. A DDTM of Corse-du-Sud (scope ``["2A"]``) gets no
editor on that fiche (it gets one on Ajaccio's), and the store is unchanged.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from atelierflash import acces, store
from atelierflash.programme import load_programme
from benchmarks.servers import streamlit_server
from tests.browser.conftest import ARTIFACTS, ROOT, pick_option
from tests.browser.test_acces_browser import _login, _offline, _ready
from tests.conftest import HOST, MINI_REGISTER, make_mini_referentiel
from tests.test_edition_actions import ACTIONS_CSV

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("ATELIERFLASH_SHOTS", str(ARTIFACTS)))
SOMME = "ddt80@somme.gouv.fr"
CORSE = "ddtm2a@corse-du-sud.gouv.fr"
OPEN = "Modifier la feuille de route"
#: Typed in the new action: markup and a formula stay text, in the form, the store, the fiche.
NEW_ACTION = "<b>Créer une voie verte</b> $x$"
NEW_NOTE = f'=HYPERLINK("http://{HOST}/n","clic")'


def _shot(page, name: str, at=None) -> None:
    # The run is over (no stale element of the previous run), the part shown is in view.
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=120_000)
    if at is not None:
        at.evaluate("element => element.scrollIntoView({block: 'center'})")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"issue19-feuille-de-route-{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def fdr_app(tmp_path_factory, chromium_executable):
    """An internal instance with login and scopes, its store holding the mini register and
    its actions (two of Doullens, one of Ajaccio)."""
    from oidc_provider_mock import run_server_in_thread

    folder = tmp_path_factory.mktemp("feuille")
    register = folder / "mini.csv"
    register.write_text(MINI_REGISTER, encoding="utf-8")
    plan = folder / "actions.csv"
    plan.write_text(ACTIONS_CSV, encoding="utf-8")
    data = folder / "donnees"
    data.mkdir()
    url = f"sqlite:///{data}/atelierflash.sqlite"
    seeded = store.Store(url)
    preview = store.prepare_import(
        register, seeded, make_mini_referentiel(), load_programme(), actions=plan
    )
    store.commit_import(seeded, preview, "Camille")
    seeded.dispose()
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
            f'emails_internes = ["{SOMME}", "{CORSE}"]\n'
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
        with streamlit_server(ROOT / "app.py", env, folder / "server.log", options=options) as app:
            # The login cookie is bound to the redirect URI's origin: browse as « localhost ».
            yield app.replace("127.0.0.1", "localhost"), url


def _versions(url: str) -> list[tuple[int, str]]:
    s = store.Store(url, upgrade=False)
    try:
        return [(v.version, v.auteur) for v in s.versions()]
    finally:
        s.dispose()


def _fiche(page, app: str, atelier: str = "T-2019-1") -> None:
    page.goto(f"{app}/atelier?id={atelier}")
    _ready(page)
    page.locator('[data-testid="stHtml"]').first.wait_for(timeout=120_000)


def _plain(text: str) -> str:
    # markdown_escape puts a word joiner before « @ » (no autolink): not part of the address.
    return text.replace("\u2060", "")


def _form(page):
    return page.locator('[data-testid="stForm"]').filter(has_text="Supprimer l'action 1")


def _field(page, label: str):
    return _form(page).get_by_label(label, exact=True)


def _select(page, label: str):
    box = _form(page).locator('[data-testid="stSelectbox"]')
    return box.filter(has=page.get_by_text(label, exact=True))


def test_a_ddt_edits_the_feuille_de_route_and_it_becomes_a_version(browser, fdr_app):
    app, url = fdr_app
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    _offline(context)
    page = context.new_page()
    _login(page, app, SOMME)
    _fiche(page, app)
    before = _versions(url)
    page.get_by_role("button", name=OPEN).click()
    action = _field(page, "Action (action 1)")
    action.wait_for(timeout=120_000)
    assert action.input_value() == "Rénover la halle"
    assert _field(page, "Action (action 2)").input_value() == "Étude OPAH"
    pick_option(page, _select(page, "Statut (action 1)"), "réalisé")
    _form(page).get_by_role("button", name="Ajouter une action").click()
    new = _field(page, "Action (action 3)")
    new.wait_for(timeout=120_000)
    new.fill(NEW_ACTION)
    _field(page, "Échéance (action 3)").fill("bientôt")
    _field(page, "Note (action 3)").fill(NEW_NOTE)
    pick_option(page, _select(page, "Priorité (action 3)"), "basse")
    page.get_by_role("button", name="Vérifier").click()
    message = page.get_by_text("échéance illisible : « bientôt »")
    message.wait_for(timeout=120_000)
    save = page.get_by_role("button", name=f"Enregistrer la version {before[-1][0] + 1}")
    assert save.is_disabled()
    _shot(page, "message-au-champ", at=message)
    _field(page, "Échéance (action 3)").fill("2028")
    page.get_by_role("button", name="Vérifier").click()
    expect(save).to_be_enabled(timeout=120_000)
    expect(page.get_by_text("échéance illisible")).to_have_count(0)
    # The formula typed in the note is warned about at its field, kept as text.
    page.get_by_text("comme une formule de tableur").first.wait_for(timeout=60_000)
    signed = page.get_by_text("Auteur de la version :")
    signed.wait_for(timeout=60_000)
    assert SOMME in _plain(signed.inner_text())
    diff = page.get_by_text("Différences avec la version 1")
    _shot(page, "differences", at=diff)
    save.click()
    notice = page.get_by_text(re.compile(r"Version \d+ enregistrée par"))
    notice.wait_for(timeout=120_000)
    said = _plain(notice.inner_text())
    assert f"enregistrée par {SOMME}" in said and "« T-2019-1 »" in said
    assert "actions : 1 ajoutée, 1 modifiée" in said
    number = before[-1][0] + 1
    assert _versions(url) == [*before, (number, SOMME)]
    # The new version's actions read back as typed; the register's rows are unchanged.
    s = store.Store(url, upgrade=False)
    mine = store.atelier_actions(s.actions(number), "T-2019-1")
    assert [(a["action"], a["statut"]) for a in mine] == [
        ("Rénover la halle", "réalisé"),
        ("Étude OPAH", "à venir"),
        (NEW_ACTION, ""),
    ]
    assert (mine[2]["note"], mine[2]["priorite"], mine[2]["echeance"]) == (
        NEW_NOTE,
        "basse",
        "2028",
    )
    diff = store.compare_versions(s, number - 1, number)
    assert [a["action"] for a in diff.actions_added] == [NEW_ACTION]
    assert [c.id for c in diff.actions_changed] == ["T-2019-1 · Rénover la halle"]
    assert s.table(number).rows.equals(s.table(number - 1).rows)
    s.dispose()
    _shot(page, "enregistre", at=notice)
    # The Données page shows the version and its author.
    page.goto(f"{app}/donnees")
    _ready(page)
    current = page.locator("p").filter(has_text=f"Version actuelle : {number}")
    current.wait_for(timeout=120_000)
    assert f"par {SOMME}" in _plain(current.inner_text())
    history = page.get_by_role("heading", name="Historique des versions")
    page.get_by_role("tab", name="Voir").wait_for(timeout=120_000)
    # Drawn: the history, the version's rows and actions (« Voir »), and the actions' changes
    # from the previous version (« Comparer », drawn too though its tab is not shown).
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(4, timeout=120_000)
    _shot(page, "donnees", at=history)
    context.close()


def test_a_ddtm_outside_the_departement_gets_no_editor_and_the_store_is_unchanged(browser, fdr_app):
    app, url = fdr_app
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    _offline(context)
    page = context.new_page()
    _login(page, app, CORSE)
    before = _versions(url)
    # Its own atelier (Ajaccio) offers the editor: the page is drawn with its buttons.
    _fiche(page, app, "T-2024-1")
    page.get_by_role("button", name=OPEN).wait_for(timeout=120_000)
    _fiche(page, app)
    outside = page.get_by_text("hors de votre périmètre (département 2A)")
    outside.wait_for(timeout=120_000)
    expect(page.get_by_role("button", name="Nouvelle candidature")).to_have_count(1)
    assert page.get_by_role("button", name=OPEN).count() == 0
    _shot(page, "hors-perimetre", at=outside)
    assert _versions(url) == before
    context.close()
