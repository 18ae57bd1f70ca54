"""The access rules (atelierflash.acces): pages, modes, allow-list, provider, public view."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from atelierflash import acces
from atelierflash.acces import AccessSettingError
from atelierflash.dataset import register_sources

ROOT = Path(__file__).resolve().parents[1]


# -- The pages, declared once -------------------------------------------------------------------
def test_pages_are_declared_once_with_their_audience():
    paths = [p.path for p in acces.PAGES]
    assert len(set(paths)) == len(paths)
    assert len({p.url_path for p in acces.PAGES}) == len(acces.PAGES)
    assert [p.default for p in acces.PAGES].count(True) == 1
    assert not next(p for p in acces.PAGES if p.default).internal
    for spec in acces.PAGES:
        assert (ROOT / spec.path).is_file(), spec.path
    assert "pages/equipes.py" in {p.path for p in acces.INTERNAL_PAGES}
    assert set(acces.INTERNAL_PAGES) | set(acces.PUBLIC_PAGES) == set(acces.PAGES)
    # Every page file of the app is declared (a page left out would be unreachable or unguarded).
    assert {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")} == set(paths)


def _calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.value.func.id
        for node in tree.body
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
    ]


def test_every_internal_page_checks_access_first_and_no_public_page_does():
    for spec in acces.INTERNAL_PAGES:
        calls = _calls(ROOT / spec.path)
        assert calls and calls[0] == "require_internal", spec.path
        # Nothing but imports and the docstring before the check.
        tree = ast.parse((ROOT / spec.path).read_text(encoding="utf-8"))
        before = []
        for node in tree.body:
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                break
            before.append(node)
        assert all(
            isinstance(n, ast.Import | ast.ImportFrom)
            or (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
            for n in before
        ), spec.path
    for spec in acces.PUBLIC_PAGES:
        assert "require_internal" not in _calls(ROOT / spec.path), spec.path


def test_app_declares_no_page_of_its_own():
    text = (ROOT / "app.py").read_text(encoding="utf-8")
    assert "st.Page(" not in text and "st.navigation(" not in text
    assert "acces.navigation()" in text


# -- Mode ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "interne"), ("", "interne"), ("  ", "interne"), ("public", "public"),
     (" PUBLIC ", "public"), ("Interne", "interne")],
)  # fmt: skip
def test_parse_mode_valid(value, expected):
    assert acces.parse_mode(value) == expected


@pytest.mark.parametrize("value", ["publique", "prive", "internal", "1", "oui"])
def test_parse_mode_refuses_what_it_does_not_know(value):
    with pytest.raises(AccessSettingError, match=r"ATELIERFLASH_MODE : valeur .* inconnue"):
        acces.parse_mode(value)


# -- Allow-list ---------------------------------------------------------------------------------
def test_parse_emails_from_a_string_or_a_list():
    assert acces.parse_emails("A@x.gouv.fr, b@y.fr;\n@developpement-durable.gouv.fr") == {
        "a@x.gouv.fr",
        "b@y.fr",
        "@developpement-durable.gouv.fr",
    }
    assert acces.parse_emails(["C@Z.FR", " "]) == {"c@z.fr"}
    assert acces.parse_emails(None) == frozenset()
    assert acces.parse_emails("") == frozenset()


@pytest.mark.parametrize("value", ["pas-un-mail", "a@b", "@", "x@@y.fr", 12])
def test_parse_emails_refuses_malformed_entries(value):
    with pytest.raises(AccessSettingError, match="ATELIERFLASH_EMAILS_INTERNES"):
        acces.parse_emails(value)


ALLOWED = acces.parse_emails("agent@dgaln.gouv.fr, @ddt-somme.gouv.fr")


@pytest.mark.parametrize(
    ("email", "verified", "expected"),
    [
        ("agent@dgaln.gouv.fr", True, True),
        (" Agent@DGALN.gouv.fr ", None, True),
        ("chef@ddt-somme.gouv.fr", True, True),
        ("agent@dgaln.gouv.fr", False, False),  # the provider says the address is not verified
        ("autre@dgaln.gouv.fr", True, False),
        ("agent@dgaln.gouv.fr.evil.example", True, False),
        ("x@sub.ddt-somme.gouv.fr", True, False),  # a domain entry is that domain only
        ("chef@ddt-somme.gouv.fr@evil.example", True, False),
        (None, True, False),
        ("", True, False),
        (["agent@dgaln.gouv.fr"], True, False),
    ],
)
def test_email_allowed(email, verified, expected):
    assert acces.email_allowed(email, ALLOWED, verified=verified) is expected


def test_an_empty_allow_list_lets_nobody_in():
    assert not acces.email_allowed("agent@dgaln.gouv.fr", frozenset())


# -- Provider and settings ----------------------------------------------------------------------
def test_login_provider():
    assert acces.login_provider(None) is None
    assert acces.login_provider({}) is None
    assert acces.login_provider({"cookie_secret": "x", "redirect_uri": "y"}) is None
    assert acces.login_provider({"client_id": "a", "server_metadata_url": "u"}) == "default"
    assert (
        acces.login_provider({"redirect_uri": "y", "ministere": {"client_id": "a"}}) == "ministere"
    )


AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "s" * 32,
    "client_id": "atelierflash",
    "client_secret": "x",
    "server_metadata_url": "http://localhost:9400/.well-known/openid-configuration",
}


def test_settings_defaults():
    assert acces.access_settings({}, {}) == acces.AccessSettings(mode="interne")
    local = acces.access_settings({}, None)
    assert local.registers_internal_pages and not local.public_pages_are_public
    # With a login configured and no mode set: public pages for everyone.
    deployed = acces.access_settings({}, {"auth": AUTH})
    assert deployed.mode == "public" and deployed.provider == "default"
    assert deployed.registers_internal_pages and deployed.public_pages_are_public


def test_settings_environment_wins_over_secrets():
    secrets = {"atelierflash": {"mode": "interne", "emails_internes": ["a@b.fr"]}}
    assert acces.access_settings({}, secrets).mode == "interne"
    assert acces.access_settings({}, secrets).emails == {"a@b.fr"}
    env = {"ATELIERFLASH_MODE": "public", "ATELIERFLASH_EMAILS_INTERNES": "c@d.fr"}
    settings = acces.access_settings(env, secrets)
    assert settings.mode == "public" and settings.emails == {"c@d.fr"}
    assert not settings.registers_internal_pages  # public without a login: no internal page


def test_settings_refuse_an_unknown_mode_from_the_secrets():
    with pytest.raises(AccessSettingError):
        acces.access_settings({}, {"atelierflash": {"mode": "ouvert"}})


# -- Registers ----------------------------------------------------------------------------------
def test_only_the_public_register_is_declared_public(monkeypatch, tmp_path):
    monkeypatch.setenv("ATELIERFLASH_REGISTRE", str(tmp_path / "bureau.csv"))
    sources = register_sources()
    assert {k for k, s in sources.items() if s.public} == {"public"}


# -- Public view --------------------------------------------------------------------------------
def test_the_public_fields_are_declared_once_and_used_by_the_exports():
    """Issue 9: the allow-list was written twice (``acces`` and ``carte.exports``)."""
    from atelierflash.carte import exports

    assert exports.PUBLIC_FIELDS is acces.PUBLIC_FIELDS
    assert set(acces.PUBLIC_FIELDS) <= set(acces.PUBLIC_COLUMNS)
    assert not set(acces.PUBLIC_COLUMNS) & set(acces.INTERNAL_COLUMNS)
    # No other module of the library spells a list of public fields of its own (a list of every
    # column, internal ones included, is not an allow-list).
    library = Path(acces.__file__).parent
    spelled = []
    for path in sorted(library.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Tuple | ast.List):
                names = {e.value for e in node.elts if isinstance(e, ast.Constant)}
                public = {"id", "titre", "pilote", "source_url"} <= names
                if public and not names & set(acces.INTERNAL_COLUMNS):
                    spelled.append(f"{path.relative_to(library)}:{node.lineno}")
    assert len(spelled) == 1 and spelled[0].startswith("acces.py:"), spelled


def test_public_view_keeps_public_rows_and_fields_only(mini_dataset):
    full = mini_dataset
    assert {"T-2026-1", "T-2021-1"} <= set(full.ateliers["id"])
    view = acces.public_view(full)
    public_ids = set(full.ateliers.loc[full.ateliers["public"], "id"])
    assert "T-2026-1" not in public_ids  # a candidature is never public
    assert set(view.ateliers["id"]) == public_ids
    assert set(view.atelier_communes["atelier_id"]) <= public_ids
    assert set(view.communes["code"]) == set(view.atelier_communes["code"])
    allowed = set(acces.PUBLIC_COLUMNS) | set(acces.INTERNAL_COLUMNS)
    assert set(view.ateliers.columns) <= allowed
    # Internal columns are there for the pages, but empty.
    assert view.ateliers["montant_eur"].isna().all()
    assert (view.ateliers["notes_internes"] == "").all()
    assert (view.ateliers["motif_derogation"] == "").all()
    assert view.ateliers["dates_bon_commande"].map(len).eq(0).all()
    assert view.ateliers["accord_cadre"].isna().all()
    assert full.ateliers["montant_eur"].notna().any()
    assert (full.ateliers["notes_internes"] == "note interne").any()


def test_public_view_report_mentions_public_rows_only(mini_dataset):
    view = acces.public_view(mini_dataset)
    public_ids = set(view.ateliers["id"])
    assert {r.id for r in view.report.rows} == public_ids
    assert view.report.file_issues == []
    assert set(view.report.issues_frame()["id"]) <= public_ids
    table = view.report.table.rows
    assert "notes_internes" not in table.columns and "montant_eur" not in table.columns
    assert "note interne" not in table.to_csv()
    assert len(table) == len(public_ids)
    assert set(view.report.ateliers["id"]) == public_ids


def test_public_view_drops_columns_the_register_adds(mini_dataset):
    import dataclasses

    extra = mini_dataset.ateliers.assign(colonne_du_bureau="confidentiel")
    view = acces.public_view(dataclasses.replace(mini_dataset, ateliers=extra))
    assert "colonne_du_bureau" not in view.ateliers.columns


def test_public_view_without_a_public_column_shows_nothing(mini_dataset):
    import dataclasses

    bare = dataclasses.replace(mini_dataset, ateliers=mini_dataset.ateliers.drop(columns="public"))
    assert acces.public_view(bare).ateliers.empty


def test_only_the_map_page_sends_its_main_element_before_the_register_selector():
    assert [p.url_path for p in acces.PAGES if p.main_first] == ["carte"]


# -- scopes: who edits which ateliers ----------------------------------------------------------
SCOPES = {
    "bureau@dgaln.gouv.fr": "national",
    "@somme.gouv.fr": ["80"],
    "chef@somme.gouv.fr": ["80", "02"],
    "@hauts-de-france.gouv.fr": ["region:32"],
    "@corse.gouv.fr": ["2A", "2B", "région:94"],
}


def test_scopes_read_national_departements_and_regions():
    scopes = acces.parse_scopes(SCOPES)
    assert scopes["bureau@dgaln.gouv.fr"].national
    assert scopes["@somme.gouv.fr"] == acces.Scope(departements=frozenset({"80"}))
    assert scopes["@hauts-de-france.gouv.fr"] == acces.Scope(regions=frozenset({"32"}))
    assert scopes["@corse.gouv.fr"].departements == {"2A", "2B"}
    assert scopes["@corse.gouv.fr"].regions == {"94"}
    assert acces.parse_scopes(None) == {}
    assert acces.parse_scopes({"@Somme.Gouv.FR": ["2a"]})["@somme.gouv.fr"].departements == {"2A"}


@pytest.mark.parametrize(
    "value, fragment",
    [
        (["80"], "table attendue"),
        ({"somme.gouv.fr": ["80"]}, "ni une adresse e-mail ni un domaine"),
        ({"@somme.gouv.fr": ["8"]}, "n'est pas un code de département"),
        ({"@somme.gouv.fr": ["region:3"]}, "n'est pas un code de région"),
        ({"@somme.gouv.fr": []}, "périmètre vide"),
        ({"@somme.gouv.fr": {"departements": ["80"]}}, "attendu « national » ou une liste"),
        ({"@somme.gouv.fr": "partout"}, "n'est pas un code"),
    ],
)
def test_scopes_refuse_what_they_do_not_know(value, fragment):
    with pytest.raises(AccessSettingError, match=fragment):
        acces.parse_scopes(value)


def test_an_address_wins_over_its_domain_and_others_get_nothing():
    scopes = acces.parse_scopes(SCOPES)
    assert acces.scope_of("chef@somme.gouv.fr", scopes).departements == {"80", "02"}
    assert acces.scope_of("Agent@Somme.gouv.fr", scopes).departements == {"80"}
    assert acces.scope_of("bureau@dgaln.gouv.fr", scopes).national
    for nobody in ("autre@dgaln.gouv.fr", "x@exemple.fr", None, "pas-une-adresse"):
        assert acces.scope_of(nobody, scopes) == acces.Scope()
    assert acces.scope_of("agent@somme.gouv.fr", scopes, verified=False) == acces.Scope()


def test_a_scope_covers_an_atelier_by_one_of_its_communes():
    ddt = acces.Scope(departements=frozenset({"80"}))
    dreal = acces.Scope(regions=frozenset({"32"}))
    assert ddt.covers({"80"}, {"32"}) and dreal.covers({"80"}, {"32"})
    # An atelier spanning two départements is in the scope of each.
    assert ddt.covers({"80", "02"}, {"32"})
    assert acces.Scope(departements=frozenset({"02"})).covers({"80", "02"}, {"32"})
    assert not ddt.covers({"2A"}, {"94"}) and not dreal.covers({"2A"}, {"94"})
    # Located nowhere: only the national scope.
    assert not ddt.covers(set(), set()) and acces.LOCAL_SCOPE.covers(set(), set())
    assert not acces.Scope().covers({"80"}, {"32"})
    assert ddt.text() == "département 80" and dreal.text() == "région 32"


def test_who_edits_local_run_login_and_public_site():
    local = acces.access_settings({}, {})
    assert local.scope(None).national  # one person at their own machine
    public = acces.access_settings({acces.ENV_MODE: "public"}, {})
    assert public.scope(None) == acces.Scope()
    secrets = {
        "auth": {"client_id": "x", "server_metadata_url": "http://localhost/x"},
        "atelierflash": {"perimetres": SCOPES},
    }
    login = acces.access_settings({}, secrets)
    assert login.scope({}) == acces.Scope()  # not logged in: reads only
    assert login.scope({"is_logged_in": True, "email": "a@somme.gouv.fr"}).departements == {"80"}
    assert login.scope({"is_logged_in": True, "email": "a@exemple.fr"}) == acces.Scope()
    with pytest.raises(AccessSettingError, match="perimetres"):
        acces.access_settings({}, {"atelierflash": {"perimetres": {"x": "national"}}})


ACTIONS_OF_MINI = """atelier,axe,action,theme,priorite,porteur,echeance,statut,budget_eur,public,note
T-2019-1,Centre,Rouvrir la halle (fictif),Revitalisation des centre-villes et centre-bourgs,élevée,Commune,2021,réalisé,150000,oui,note interne
T-2019-1,Centre,Étude de stationnement (fictif),,basse,Commune,2022,abandonné,,non,
T-2026-1,Mobilité,Navette d'essai (fictif),,moyenne,EPCI,2027,à venir,,oui,
T-NOPE,Axe,Action d'un atelier inconnu (fictif),,,,,,,oui,
"""


def test_public_view_keeps_public_actions_of_public_ateliers_only(mini_dataset, tmp_path):
    from atelierflash.actions import validate_actions_file
    from atelierflash.dataset import build_dataset

    path = tmp_path / "actions.csv"
    path.write_text(ACTIONS_OF_MINI, encoding="utf-8")
    ids = mini_dataset.ateliers["id"].tolist()
    report = validate_actions_file(path, mini_dataset.programme, ids)
    full = build_dataset(
        mini_dataset.source,
        mini_dataset.referentiel,
        mini_dataset.programme,
        report=mini_dataset.report,
        actions=report,
    )
    # The unknown atelier's action is an error: kept in the report, out of the dataset.
    assert report.summary["error"] == 1
    assert full.actions["action"].tolist() == [
        "Rouvrir la halle (fictif)",
        "Étude de stationnement (fictif)",
        "Navette d'essai (fictif)",
    ]
    view = acces.public_view(full)
    # Public action of a public atelier only: not the non-public action, not the candidature's.
    assert view.actions["action"].tolist() == ["Rouvrir la halle (fictif)"]
    assert list(view.actions.columns) == list(acces.PUBLIC_ACTION_COLUMNS)
    assert not {"budget_eur", "note", "financements", "public"} & set(view.actions.columns)
    assert not view.actions_report.present


def test_the_demonstration_source_brings_its_feuilles_de_route(monkeypatch):
    from atelierflash import dataset

    monkeypatch.delenv(dataset.ENV_REGISTER, raising=False)
    demo = dataset.register_sources()["demo"]
    assert dataset.DEMO_ACTIONS.is_file()
    assert demo.actions_path == dataset.DEMO_ACTIONS
    assert dataset.configured_actions() == dataset.DEMO_ACTIONS
