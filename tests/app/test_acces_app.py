"""AppTest of access control: public mode reaches no internal page, field or register.

A register with marked values ("…-7Q") stands in for the public register: one public atelier
whose internal fields (amount, purchase order, motif, internal notes, a column of the office's
own) are marked, one candidature and one atelier marked « non public ». The office's register
(``$ATELIERFLASH_REGISTRE``) is marked too. In public mode, every public page, under every
query parameter that names a register, a status or a year, is searched for the marks in
everything it sends to the browser; the same search finds them in internal mode, so the check
can fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from atelierflash import acces
from tests.conftest import make_mini_referentiel

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")

HEADER = (
    "id,titre,annee,statut,echelle,communes_insee,epci_siren,themes,equipe,date_bon_commande,"
    "motif_derogation,date_debut,date_fin,dates_animation,montant_eur,pilote,livrables,"
    "description,source_url,public,notes_internes,suivi_bureau\n"
)
PUBLIC_REGISTER = HEADER + (
    "P-2024-1,Centre-bourg de Doullens,2024,réalisé,communale,80253,,Revitalisation des "
    "centre-villes et centre-bourgs,Atelier de l'Ourcq,2024-01-15,MOTIF-SECRET-7Q,2024-02,"
    "2024-09,,987654,DDT(M) 80 – Somme,,Atelier public,https://example.org/doullens,oui,"
    "NOTE-SECRETE-7Q,COLONNE-SECRETE-7Q\n"
    "P-2026-1,CANDIDATURE-SECRETE-7Q,2026,candidature,communale,07186,,Aménagement des "
    "friches,,,,,,,,,,,,,,\n"
    "P-2025-2,NON-PUBLIC-SECRET-7Q,2025,sélectionné,communale,2A004,,Gestion des risques,"
    "POLAU,2025-03-01,,,,,20000,DDTM 2A – Corse-du-Sud,,,,non,,\n"
)
OFFICE_REGISTER = HEADER + (
    "B-2024-1,REGISTRE-BUREAU-SECRET-7Q,2024,réalisé,communale,01053,,Gestion des risques,"
    "POLAU,2024-01-10,,2024-02,2024-08,,21000,DDT 01 – Ain,,,,oui,,\n"
)
MARKS = (
    b"-7Q",
    b"987654",
    b"987 654",
    "987\u202f654".encode(),
    "987\u00a0654".encode(),
)
PUBLIC_PAGE_FILES = [p.path for p in acces.PUBLIC_PAGES]
HOSTILE_QUERIES = [
    {},
    {"registre": "env"},
    {"registre": "demo"},
    {"registre": "env", "statut": "candidature,selectionne"},
    {"annee": "2026"},
    {"annee": "2025", "statut": "selectionne"},
    {"id": "P-2026-1"},
    {"id": "P-2025-2"},
    {"id": "B-2024-1", "registre": "env"},
]


@pytest.fixture
def marked_app(monkeypatch, tmp_path):
    """The app on the marked registers and the hand-drawn référentiel; caches cleared."""
    import atelierflash.dataset as dataset_module
    import atelierflash.ui.data as data

    public = tmp_path / "ateliers.csv"
    public.write_text(PUBLIC_REGISTER, encoding="utf-8")
    office = tmp_path / "bureau.csv"
    office.write_text(OFFICE_REGISTER, encoding="utf-8")
    monkeypatch.setattr(dataset_module, "PUBLIC_REGISTER", public)
    monkeypatch.setenv("ATELIERFLASH_REGISTRE", str(office))
    monkeypatch.delenv("ATELIERFLASH_EMAILS_INTERNES", raising=False)
    monkeypatch.setattr(data, "load_referentiel", lambda progress=None: make_mini_referentiel())
    st.cache_resource.clear()

    def start(mode: str, page: str | None = None, query: dict | None = None) -> AppTest:
        monkeypatch.setenv("ATELIERFLASH_MODE", mode)
        at = AppTest.from_file(APP, default_timeout=120)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, at.exception
        if page is not None:
            at.switch_page(page).run()
            assert not at.exception, at.exception
        return at

    yield start
    st.cache_resource.clear()


def _sent(at: AppTest) -> bytes:
    """Everything the run would send to the browser: every element and block, serialised."""
    out = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "SerializeToString"):
            out.append(proto.SerializeToString())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return b"\n".join(out)


def _marks_in(at: AppTest) -> list[bytes]:
    sent = _sent(at)
    return [m for m in MARKS if m in sent]


def _registered(at: AppTest) -> list[str]:
    registered = []
    for spec in acces.PAGES:
        try:
            at.switch_page(spec.path)
        except ValueError:
            continue
        registered.append(spec.path)
    return registered


def test_public_mode_registers_no_internal_page(marked_app):
    at = marked_app("public")
    assert _registered(at) == PUBLIC_PAGE_FILES
    assert acces.INTERNAL_PAGES  # the check above has something to leave out
    # No internal page is named (« Données » alone is a common word of the public pages).
    named = [spec.title for spec in acces.INTERNAL_PAGES if " " in spec.title]
    assert named and not any(t in _sent(at).decode("utf-8", "replace") for t in named)
    assert any("Site public" in c.value for c in at.sidebar.caption)


def test_internal_mode_registers_every_page(marked_app):
    at = marked_app("interne")
    assert _registered(at) == [p.path for p in acces.PAGES]


@pytest.mark.parametrize("asked", [None, "env", "registre", "demo", "public"])
def test_public_mode_offers_only_public_registers(marked_app, asked):
    # Only the bundled public register (docs/deploiement.md, « Le mode public »): not the
    # store (« registre »), not the office's file (« env »), not the fictional demonstration,
    # whatever the address asks for.
    at = marked_app("public", query={"registre": asked} if asked else None)
    (selector,) = [s for s in at.sidebar.selectbox if s.label == "Registre affiché"]
    (label,) = selector.options
    assert label.startswith("Registre public (ateliers documentés)")
    assert selector.value == "public"
    assert not any("fictives" in w.value for w in at.warning)  # not the demonstration


def test_internal_mode_offers_the_store_and_every_sample(marked_app):
    interne = marked_app("interne")
    (selector,) = [s for s in interne.sidebar.selectbox if s.label == "Registre affiché"]
    # The store, the office's file, the demonstration and the public register.
    assert selector.options[0].startswith("Registre de l'application (version 1)")
    assert any("bureau.csv" in o for o in selector.options)
    assert any(o.startswith("Démonstration (données fictives)") for o in selector.options)
    assert any(o.startswith("Registre public (ateliers documentés)") for o in selector.options)


@pytest.mark.parametrize("page", PUBLIC_PAGE_FILES)
@pytest.mark.parametrize(
    "query", HOSTILE_QUERIES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()) or "sans"
)
def test_public_mode_sends_no_internal_field_or_row(marked_app, page, query):
    at = marked_app("public", page, query)
    assert _marks_in(at) == []
    # The public atelier itself is drawn (by its id, commune, theme or département).
    sent = _sent(at)
    assert any(word in sent for word in (b"P-2024-1", b"Doullens", b"Revitalisation", b"Somme"))


def test_internal_mode_shows_the_marked_values(marked_app):
    # The same search finds the marks when the office looks at its own register.
    at = marked_app(
        "interne", "pages/selection-annuelle.py", {"annee": "2026", "registre": "public"}
    )
    assert b"CANDIDATURE-SECRETE-7Q" in _sent(at)
    at = marked_app("interne", "pages/accueil.py", {"registre": "env"})
    assert b"bureau.csv" in _sent(at)


def test_internal_page_file_run_on_its_own_in_public_mode_shows_nothing(marked_app, monkeypatch):
    # A deep link on a fresh server runs the page file before app.py: the page checks itself.
    monkeypatch.setenv("ATELIERFLASH_MODE", "public")
    for spec in acces.INTERNAL_PAGES:
        at = AppTest.from_file(str(ROOT / spec.path), default_timeout=120)
        at.run()
        assert not at.exception, at.exception
        assert [e.value for e in at.error] == ["Cette page n'existe pas sur ce site."]
        assert not at.title and _marks_in(at) == []


def test_an_unknown_mode_shows_nothing_but_the_reason(marked_app, monkeypatch):
    monkeypatch.setenv("ATELIERFLASH_MODE", "publique")
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and "ATELIERFLASH_MODE" in at.error[0].value
    assert not at.title and not at.dataframe and _marks_in(at) == []


AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "un-secret-de-test-assez-long-0123456789",
    "client_id": "atelierflash",
    "client_secret": "secret",
    "server_metadata_url": "http://localhost:9/.well-known/openid-configuration",
}


def test_with_a_provider_internal_pages_ask_for_a_login(marked_app, monkeypatch):
    monkeypatch.delenv("ATELIERFLASH_MODE", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["auth"] = AUTH
    at.secrets["atelierflash"] = {"emails_internes": ["agent@dgaln.gouv.fr"]}
    at.run()
    assert not at.exception
    # Registered (so that one can log in on them), but closed.
    assert _registered(at) == [p.path for p in acces.PAGES]
    at.switch_page("pages/equipes.py").run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Page interne"]
    assert "réservée au bureau du programme" in at.info[0].value
    assert [b.label for b in at.button] == ["Se connecter"]
    assert not at.dataframe and not at.tabs and _marks_in(at) == []
    # A login configured without a mode: the public pages show the public view.
    at.switch_page("pages/accueil.py").run()
    assert _marks_in(at) == []


def test_the_map_page_offers_the_embed_builder_to_the_office_only(marked_app):
    public = marked_app("public", "pages/carte.py")
    assert not [e for e in public.expander if "intégrer" in e.label]
    assert b"integrer" not in _sent(public)
    interne = marked_app("interne", "pages/carte.py", {"registre": "public"})
    assert [e for e in interne.expander if "intégrer" in e.label]
