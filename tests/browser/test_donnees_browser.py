"""The « Données » page in Chromium with the app on a real PostgreSQL: a messy ministry
spreadsheet imported (candidate picked, diff, new version), then a restore; a second app
process on the same database sees each new version on its next page run, without a restart."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from atelierflash import store
from tests.browser.conftest import ROOT, pick_option, screenshot

pytestmark = pytest.mark.browser

MESSY = ROOT / "tests" / "data" / "registre_ddt_messy.csv"
SHOTS = os.environ.get("ATELIERFLASH_SHOTS")  # also copy the screenshots there (notes)


@pytest.fixture(scope="module")
def shared_database(postgres_server):
    from tests import postgres

    with postgres.fresh_database(postgres_server) as url:
        yield url


@pytest.fixture(scope="module")
def two_apps(shared_database, tmp_path_factory, chromium_executable):
    """Two app processes on one PostgreSQL database, seeded from the messy DDT register."""
    from benchmarks.servers import streamlit_server

    folder = tmp_path_factory.mktemp("donnees")
    env = {
        **os.environ,
        "ATELIERFLASH_DATABASE_URL": shared_database,
        "ATELIERFLASH_REGISTRE": str(MESSY),
    }
    with (
        streamlit_server(ROOT / "app.py", env, folder / "a.log") as first,
        streamlit_server(ROOT / "app.py", env, folder / "b.log") as second,
    ):
        yield first, second


def _revised_spreadsheet(folder: Path) -> Path:
    """The DDT's next spreadsheet: same mess (Windows-1252, ``;``), one amount and one title
    changed, one atelier added, the homonym still unsettled."""
    text = MESSY.read_bytes().decode("cp1252")
    text = text.replace("DDT-03;Littoral;2024", "DDT-03;Littoral de Saint-Denis;2024")
    text = text.replace("19 500 €", "21 500 €")
    text += "DDT-13;Entrée de ville;2025;sélectionné;communale;Privas;;07;entrées de ville;;;;;;\n"
    path = folder / "registre_ddt_2026-12.csv"
    path.write_bytes(text.encode("cp1252"))
    return path


def _shot(page, name: str) -> Path:
    height = page.evaluate(
        "() => (document.querySelector('[data-testid=\"stMain\"]') || document.body).scrollHeight"
    )
    page.set_viewport_size({"width": 1400, "height": min(int(height) + 60, 6000)})
    path = screenshot(page, f"issue11-{name}")
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(SHOTS) / path.name)
    page.set_viewport_size({"width": 1400, "height": 1000})
    return path


def _version_on(page, url: str, number: int) -> None:
    page.goto(f"{url}/")
    page.get_by_text(f"Registre de l'application (version {number})").first.wait_for(
        timeout=180_000
    )


def test_a_messy_spreadsheet_imported_then_restored_on_postgresql(
    page, two_apps, shared_database, tmp_path
):
    first, second = two_apps
    _version_on(page, second, 1)  # the second process reads version 1 (seeded)

    _version_on(page, first, 1)  # through the home page: the app's navigation is then known
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Données").click()
    page.get_by_role("heading", name="Données du registre").wait_for(timeout=180_000)
    page.get_by_text("Version actuelle : 1").wait_for(timeout=60_000)
    # The register's uploader (the second one takes a separate file of actions).
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
        str(_revised_spreadsheet(tmp_path))
    )
    page.get_by_role("heading", name="Communes à préciser").wait_for(timeout=180_000)
    homonym = page.get_by_text("« Saint-Denis » (ligne(s) 5)")
    homonym.wait_for()
    _shot(page, "1-messages-candidats")

    page.get_by_text("Saint-Denis · département 974 · 97411", exact=False).click()
    page.get_by_role("button", name="Appliquer ces choix").click()
    expect(homonym).to_have_count(0, timeout=120_000)
    page.get_by_role("heading", name="Différences avec la version 1").wait_for()
    changed = page.get_by_text("Modifiés, champ par champ (2)")
    changed.wait_for(timeout=60_000)
    metrics = page.locator('[data-testid="stMetric"]')
    values = dict(
        zip(
            metrics.locator('[data-testid="stMetricLabel"]').all_inner_texts(),
            metrics.locator('[data-testid="stMetricValue"]').all_inner_texts(),
            strict=True,
        )
    )
    assert values["Ateliers ajoutés"] == "1" and values["Ateliers modifiés"] == "2"
    assert values["Ateliers supprimés"] == "0"
    _shot(page, "2-diff")

    author = page.get_by_label("Auteur de la version")
    author.fill("Camille Durand (DGALN)")
    author.press("Enter")
    save = page.get_by_role("button", name="Enregistrer la version 2")
    page.wait_for_function(
        "() => [...document.querySelectorAll('button')].some(b => "
        "b.innerText.includes('Enregistrer la version 2') && !b.disabled)"
    )
    save.click()
    page.get_by_text("Version 2 enregistrée").wait_for(timeout=120_000)
    s = store.Store(shared_database, upgrade=False)
    head = s.head()
    assert (head.version, head.auteur) == (2, "Camille Durand (DGALN)")
    assert head.fichier == "registre_ddt_2026-12.csv" and head.choix["saint denis"] == "97411"
    assert head.resume == {"ajoutes": 1, "supprimes": 0, "modifies": 2}
    # The screenshot once caught the run half-way (the reviewed file still shown): wait for its
    # end, where the stored file is said to be stored and the history's selector is on 2.
    page.get_by_text("Ce fichier est enregistré comme version 2").wait_for(timeout=120_000)
    expect(
        page.locator('[data-testid="stSelectbox"]')
        .filter(has=page.get_by_text("Version", exact=True))
        .locator("input")
    ).to_have_value("2", timeout=60_000)
    _shot(page, "3-version-enregistree")

    # The other process sees version 2 on its next page run (no restart).
    other = page.context.new_page()
    _version_on(other, second, 2)
    other.close()

    # Restore version 1 from the history, in the same browser session as the save (the page is
    # not visited afresh): after the save the selector sits at the bottom of the window, where
    # a click that scrolls first used to close its list at once (see ``pick_option``).
    page.get_by_text("Version actuelle : 2").wait_for(timeout=120_000)
    history = page.locator('[data-testid="stSelectbox"]').filter(
        has=page.get_by_text("Version", exact=True)
    )
    # As a person does: the selector shows the current version, version 1 is picked in its list.
    expect(history.locator("input")).to_have_value("2", timeout=60_000)
    pick_option(page, history, "1")
    page.get_by_text("Les 12 lignes telles qu'importées").wait_for(timeout=60_000)
    expect(history.locator("input")).to_have_value("1")
    _shot(page, "5-version-1-apres-enregistrement")
    # The run that draws version 1 may still be replacing the tabs: one set, then click.
    restore_tab = page.get_by_role("tab", name="Restaurer")
    expect(restore_tab).to_have_count(1, timeout=60_000)
    restore_tab.click()
    page.get_by_text("Rétablir la version 1 crée une nouvelle version (3)").wait_for()
    restorer = page.get_by_label("Auteur de la restauration")
    restorer.fill("Dominique Martin (DGALN)")
    restorer.press("Enter")
    page.wait_for_function(
        "() => [...document.querySelectorAll('button')].some(b => "
        "b.innerText.includes('Rétablir la version 1') && !b.disabled)"
    )
    restore = page.get_by_role("button", name="Rétablir la version 1")
    expect(restore).to_have_count(1, timeout=60_000)  # the author's rerun has finished
    restore.click()
    page.get_by_text("Version 3 enregistrée").wait_for(timeout=120_000)
    page.get_by_text("restauration de la version 1").first.wait_for()
    # The history's selector opens on the new version.
    expect(history.locator("input")).to_have_value("3", timeout=60_000)
    _shot(page, "4-restauration")
    versions = s.versions()
    assert [(v.version, v.restaure_de) for v in versions] == [(1, None), (2, None), (3, 1)]
    assert s.table(3).rows.equals(s.table(1).rows)
    _version_on(page, second, 3)
    s.dispose()
    assert not page.dialogs
