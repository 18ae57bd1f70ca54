"""Access control in the app: the navigation, the login of internal pages, the public view.

The rules live in :mod:`atelierflash.acces`; this module applies them to a Streamlit run:

- :func:`navigation` registers the pages of :data:`atelierflash.acces.PAGES` (no internal page
  in public mode without a login) and checks the page asked for before it runs;
- :func:`require_internal`, the first call of every internal page, checks again from inside the
  page (a deep link on a fresh server runs the page file before ``app.py``);
- :func:`audience` tells :mod:`atelierflash.ui.data` whether this run shows the public view.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import streamlit as st

from atelierflash import acces
from atelierflash.acces import AccessSettingError, AccessSettings, PageSpec

ROOT = Path(__file__).resolve().parents[2]
_AUDIENCE = "_acces_audience"
_SETTINGS_ERROR = (
    "Réglages d'accès illisibles : l'application ne montre rien tant qu'ils ne sont pas corrigés."
)


def _secrets() -> dict:
    """The Streamlit secrets as a dictionary (empty when there is no secrets file).

    A secrets file that exists but cannot be read must not silently open the internal pages:
    it raises :class:`AccessSettingError`.
    """
    if st.secrets.load_if_toml_exists():
        return st.secrets.to_dict()
    from streamlit import config

    existing = [p for p in config.get_option("secrets.files") if os.path.isfile(p)]
    if existing:
        raise AccessSettingError(
            f"fichier de secrets illisible ({', '.join(existing)}) : corrigez sa syntaxe TOML"
        )
    return {}


def settings() -> AccessSettings:
    """The access rules in force (environment first, then the Streamlit secrets)."""
    return acces.access_settings(os.environ, _secrets())


def _settings_or_stop() -> AccessSettings:
    try:
        return settings()
    except AccessSettingError as exc:
        st.error(f"{_SETTINGS_ERROR}\n\n{exc}", icon=":material/error:")
        st.stop()


def _st_page(spec: PageSpec):
    return st.Page(
        str(ROOT / spec.path),
        title=spec.title,
        icon=spec.icon,
        url_path=spec.url_path,
        default=spec.default,
    )


def _spec_of(page) -> PageSpec | None:
    return next((s for s in acces.PAGES if s.url_path == page.url_path), None)


def navigation():
    """Register the pages this deployment offers and check the one asked for.

    Returns
    -------
    streamlit.navigation.page.StreamlitPage
        The page to run (``.run()``); when the visitor may not open it, the French message is
        drawn and the run stops before anything of the page.
    """
    rules = _settings_or_stop()
    public = [_st_page(s) for s in acces.PUBLIC_PAGES]
    home = next(p for p, s in zip(public, acces.PUBLIC_PAGES, strict=True) if s.default)
    alias = st.Page(
        lambda: st.switch_page(home), title=home.title, url_path="accueil", visibility="hidden"
    )
    sections = {"Programme": [*public, alias]}
    if rules.registers_internal_pages:
        # Internal pages go in their own « Interne » section of the navigation.
        sections["Interne"] = [_st_page(s) for s in acces.INTERNAL_PAGES]
    page = st.navigation(sections)
    spec = _spec_of(page)
    internal = spec is not None and spec.internal
    if internal:
        _check_internal(rules)
    st.session_state[_AUDIENCE] = _audience(rules, internal)
    _account_sidebar(rules)
    return page


def main_first(page) -> bool:
    """Whether ``page`` (from :func:`navigation`) sends its main element before the selector."""
    spec = _spec_of(page)
    return bool(spec and spec.main_first)


def _audience(rules: AccessSettings, internal: bool) -> str:
    return "public" if rules.public_pages_are_public and not internal else "interne"


def audience() -> str:
    """``"public"`` when this run must show the public view of the register, else ``"interne"``.

    Set by :func:`navigation` on every run; before it (a page run on its own), the mode decides,
    so a doubt never shows internal data.
    """
    value = st.session_state.get(_AUDIENCE)
    if value in ("public", "interne"):
        return value
    return _audience(_settings_or_stop(), internal=False)


def visible_sources(sources: dict) -> dict:
    """The registers this run may offer: only the public ones for the public audience."""
    if audience() == "public":
        return {k: s for k, s in sources.items() if getattr(s, "public", False)}
    return sources


def require_internal() -> None:
    """First call of an internal page: stop unless this visitor may open internal pages."""
    # A deep link on a fresh server runs this file before app.py: leave that mode (once).
    from atelierflash.ui.data import ensure_entrypoint

    ensure_entrypoint()
    rules = _settings_or_stop()
    if not rules.registers_internal_pages:
        st.error("Cette page n'existe pas sur ce site.", icon=":material/block:")
        st.stop()
    _check_internal(rules)
    if st.session_state.get(_AUDIENCE) != "interne":
        st.session_state[_AUDIENCE] = "interne"


def _user() -> dict:
    try:
        return st.user.to_dict()
    except Exception:  # no [auth] table, or a test run without a user
        return {}


def _plain(email: object) -> str:
    # A claim from the provider, shown in Markdown: only the characters of an address survive.
    return re.sub(r"[^0-9A-Za-z@._+-]", "", email) if isinstance(email, str) else ""


def _check_internal(rules: AccessSettings) -> None:
    """Draw the French refusal and stop, unless internal pages are open to this visitor."""
    if rules.provider is None:
        if rules.mode == "interne":
            return
        st.error("Cette page n'existe pas sur ce site.", icon=":material/block:")
        st.stop()
    user = _user()
    if not user.get("is_logged_in"):
        st.title("Page interne")
        st.info(
            "Cette page est réservée au bureau du programme (DGALN). Connectez-vous avec votre "
            "compte professionnel pour l'ouvrir.",
            icon=":material/lock:",
        )
        st.button(
            "Se connecter",
            type="primary",
            icon=":material/login:",
            on_click=st.login,
            args=(rules.provider,),
            key="acces_connexion",
        )
        st.stop()
    email = user.get("email")
    if not acces.email_allowed(email, rules.emails, verified=user.get("email_verified", True)):
        st.title("Page interne")
        shown = _plain(email) or "sans adresse e-mail"
        if not rules.emails:
            detail = (
                "Aucune adresse n'est encore autorisée : l'administrateur doit renseigner "
                f"{acces.ENV_EMAILS} (ou emails_internes dans les secrets)."
            )
        else:
            detail = (
                "Demandez au bureau du programme d'ajouter votre adresse à la liste des "
                "personnes autorisées."
            )
        st.error(
            f"Le compte connecté ({shown}) n'est pas autorisé à ouvrir les pages internes. "
            + detail,
            icon=":material/block:",
        )
        st.button("Se déconnecter", on_click=st.logout, key="acces_deconnexion_refus")
        st.stop()


def _account_sidebar(rules: AccessSettings) -> None:
    if rules.provider is None:
        if rules.mode == "public":
            st.sidebar.caption("Site public : seuls les ateliers publiés sont montrés.")
        return
    user = _user()
    if user.get("is_logged_in"):
        st.sidebar.caption(f"Connecté : {_plain(user.get('email')) or 'compte sans e-mail'}")
        st.sidebar.button("Se déconnecter", on_click=st.logout, key="acces_deconnexion")
