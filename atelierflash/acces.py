"""Who may see what: the pages and their audience, the access mode, the public view of a register.

The rules, each tested, without Streamlit (``atelierflash.ui.acces`` applies them):

- **Pages are declared once** (:data:`PAGES`): title, icon, URL path and whether the page is
  internal. The navigation, the access check and the tests read this list.
- **Two modes** (:func:`parse_mode`): ``interne`` (every page; the default of a local run) and
  ``public`` (a deployment facing the public: internal pages are not registered at all, only the
  registers declared public are offered, and pages receive the :func:`public_view` of the
  register). The setting is ``$ATELIERFLASH_MODE``, else ``mode`` in the ``[atelierflash]``
  table of the Streamlit secrets.
- **With an OIDC provider** (an ``[auth]`` table in the secrets, :func:`login_provider`),
  internal pages are registered but open only to a logged-in person whose verified e-mail is in
  the allow-list (:func:`email_allowed`); without a mode set, the other pages are public.
- **Who edits what** (:func:`parse_scopes`, :meth:`AccessSettings.scope`): the secrets map an
  e-mail or ``@domaine`` to ``national`` or to département / région codes; a DDT(M) edits the
  ateliers of its départements, a D(R)EAL those of its région, others read. A local run without
  login edits everything.
- **The public view** keeps the public rows (``public`` true) and the public fields
  (:data:`PUBLIC_FIELDS`, the one allow-list, and the values derived from them:
  :data:`PUBLIC_COLUMNS`) only: amounts, purchase orders, derogation motifs, internal notes and
  any column the register adds never reach a public page, table, chart or download.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from atelierflash.actions import ActionsReport, empty_actions
from atelierflash.programme import load_steps

MODES = ("interne", "public")
ENV_MODE = "ATELIERFLASH_MODE"
ENV_EMAILS = "ATELIERFLASH_EMAILS_INTERNES"
#: The table of the Streamlit secrets holding ``mode`` and ``emails_internes``.
SECRETS_TABLE = "atelierflash"


@dataclass(frozen=True)
class PageSpec:
    """One page of the app and its audience.

    Attributes
    ----------
    path : str
        The page script, relative to the project root (``"pages/equipes.py"``).
    title, icon : str
        Navigation label and Material icon (shipped with Streamlit; no emoji font needed).
    url_path : str
        The page's address (``/equipes``).
    internal : bool
        Internal pages hold what the public never sees (purchase orders, amounts, rotation, the
        register's versions).
    default : bool
        The home page.
    main_first : bool
        The page's main element (the map) is sent before the register selector, which
        ``app.py`` then draws after the page (in its place at the top of the sidebar). Elsewhere
        the selector comes first: a page that takes a while still offers it at once.
    """

    path: str
    title: str
    icon: str
    url_path: str
    internal: bool = False
    default: bool = False
    main_first: bool = False


#: Every page of the app, in navigation order. The one declaration of which pages are internal.
PAGES: tuple[PageSpec, ...] = (
    # Served at « / »: Streamlit reserves the default page's pathname and answers « Page not
    # found » there, so « /accueil » (linked to before) is a hidden alias (ui.acces.navigation).
    PageSpec(
        "pages/accueil.py", "Vue d'ensemble", ":material/home:", "vue-d-ensemble", default=True
    ),
    PageSpec("pages/carte.py", "Carte", ":material/map:", "carte", main_first=True),
    PageSpec("pages/atelier.py", "Fiche d'un atelier", ":material/article:", "atelier"),
    PageSpec("pages/thematiques.py", "Thématiques", ":material/sell:", "thematiques"),
    PageSpec(
        "pages/selection-annuelle.py",
        "Sélection annuelle",
        ":material/calendar_month:",
        "selection-annuelle",
    ),
    PageSpec(
        "pages/equipes.py", "Équipes et tourniquet", ":material/lock:", "equipes", internal=True
    ),
    # What is late, what waits, how long each step takes (issue 18 §3).
    PageSpec(
        "pages/suivi.py", "Suivi des étapes", ":material/pending_actions:", "suivi", internal=True
    ),
    # The embed builder: what the ministry's site shows is chosen by the programme office.
    PageSpec(
        "pages/integrer.py", "Intégrer la carte", ":material/code:", "integrer", internal=True
    ),
    PageSpec("pages/donnees.py", "Données", ":material/database:", "donnees", internal=True),
)
INTERNAL_PAGES: tuple[PageSpec, ...] = tuple(p for p in PAGES if p.internal)
PUBLIC_PAGES: tuple[PageSpec, ...] = tuple(p for p in PAGES if not p.internal)

#: The public fields of an atelier, in the order of the public exports (register names, so a
#: public CSV reads back as a register): the one allow-list of what the public may see. The map's
#: CSV and GeoJSON (``carte.exports``), the open data schema and the public view read it.
PUBLIC_FIELDS: tuple[str, ...] = (
    "id",
    "titre",
    "annee",
    "statut",
    "echelle",
    "themes",
    "familles",
    "equipe",
    "pilote",
    "date_debut",
    "date_fin",
    "dates_animation",
    "livrables",
    "description",
    "source_url",
    "communes_insee",
    "communes",
    "departements",
    "regions",
    "fictif",
)
#: Columns of a public view's ateliers: the public fields plus the values the app derives from
#: them (publication flag, validation status, counts, population, names). Everything else is
#: left out.
#: The action columns the public side may carry: never the budget, the financements, the note
#: or the ``public`` flag itself (``porteur`` names an organisation, never a person).
PUBLIC_ACTION_COLUMNS: tuple[str, ...] = (
    "atelier",
    "axe",
    "action",
    "theme",
    "priorite",
    "porteur",
    "echeance",
    "echeance_fin",
    "statut",
)

PUBLIC_COLUMNS: tuple[str, ...] = (
    *PUBLIC_FIELDS,
    "public",
    "status",
    "nb_communes",
    "population",
    "communes_noms",
)
#: Columns of the register that are internal. A public view keeps them, emptied, so that pages
#: and their figures need no special case (an unknown amount is « non renseigné »).
INTERNAL_COLUMNS: tuple[str, ...] = (
    "date_bon_commande",
    "dates_bon_commande",
    "accord_cadre",
    "montant_eur",
    "motif_derogation",
    "notes_internes",
    # The course's other steps (candidature, deliverables, restitution): internal dates.
    *(s.field for s in load_steps() if s.field not in (*PUBLIC_FIELDS, "dates_bon_commande")),
)


_STEP_FIELDS = frozenset(s.field for s in load_steps())


class AccessSettingError(ValueError):
    """A setting of the access rules has a value the app does not know (French message)."""


def parse_mode(value: object, *, default: str = "interne") -> str:
    """Read the access mode.

    Parameters
    ----------
    value : object
        ``"interne"`` or ``"public"`` (case and surrounding spaces ignored); empty or ``None``
        gives ``default``.
    default : str
        The mode when nothing is set.

    Returns
    -------
    str
        ``"interne"`` or ``"public"``.

    Raises
    ------
    AccessSettingError
        Any other value: the app must not guess who it faces.
    """
    if default not in MODES:
        raise ValueError(f"default must be one of {MODES}, not {default!r}")
    if value is None:
        return default
    text = str(value).strip().casefold()
    if not text:
        return default
    if text not in MODES:
        raise AccessSettingError(
            f"{ENV_MODE} : valeur « {str(value).strip()} » inconnue : attendu « interne » "
            "(toutes les pages) ou « public » (déploiement ouvert au public)"
        )
    return text


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DOMAIN = re.compile(r"^@[^@\s]+\.[^@\s]+$")


def parse_emails(value: object) -> frozenset[str]:
    """Read the allow-list of internal pages: e-mails, or ``@domaine`` for a whole domain.

    Parameters
    ----------
    value : object
        A list of strings (Streamlit secrets) or one string separated by commas, semicolons,
        spaces or newlines (environment variable); ``None`` or empty gives an empty list.

    Returns
    -------
    frozenset of str
        Lower-cased entries.

    Raises
    ------
    AccessSettingError
        An entry that is neither an e-mail nor ``@domaine``.
    """
    if value is None:
        return frozenset()
    if isinstance(value, str):
        items: Iterable[object] = re.split(r"[,;\s]+", value)
    elif isinstance(value, Iterable):
        items = value
    else:
        raise AccessSettingError(
            f"{ENV_EMAILS} : liste d'e-mails attendue, reçu {type(value).__name__}"
        )
    entries = set()
    for item in items:
        entry = str(item).strip().casefold()
        if not entry:
            continue
        if not (_EMAIL.match(entry) or _DOMAIN.match(entry)):
            raise AccessSettingError(
                f"{ENV_EMAILS} : « {str(item).strip()} » n'est ni une adresse e-mail ni un "
                "domaine de la forme « @domaine.gouv.fr »"
            )
        entries.add(entry)
    return frozenset(entries)


def email_allowed(email: object, allowed: Iterable[str], *, verified: object = True) -> bool:
    """Whether ``email`` may open the internal pages.

    Parameters
    ----------
    email : object
        The ``email`` claim of the login (``None`` when the provider gave none).
    allowed : iterable of str
        Entries of :func:`parse_emails`: exact addresses or ``@domaine``.
    verified : object
        The ``email_verified`` claim: only an explicit ``False`` refuses (providers that do not
        send the claim verify addresses themselves).

    Returns
    -------
    bool
        An empty allow-list lets nobody in.
    """
    if verified is False or not isinstance(email, str):
        return False
    address = email.strip().casefold()
    if not _EMAIL.match(address):
        return False
    domain = "@" + address.rsplit("@", 1)[1]
    entries = set(allowed)
    return address in entries or domain in entries


def login_provider(auth: Mapping | None) -> str | None:
    """The provider ``st.login`` should use, from the ``[auth]`` table of the secrets.

    Parameters
    ----------
    auth : mapping or None
        The ``[auth]`` table: ``client_id`` and ``server_metadata_url`` directly (the default
        provider), or one sub-table per named provider (``[auth.ministere]``).

    Returns
    -------
    str or None
        ``"default"``, the first named provider, or ``None`` when no provider is configured.
    """
    if not auth:
        return None
    if "client_id" in auth or "server_metadata_url" in auth:
        return "default"
    for name, value in auth.items():
        if isinstance(value, Mapping) and ("client_id" in value or "server_metadata_url" in value):
            return str(name)
    return None


@dataclass(frozen=True)
class AccessSettings:
    """The access rules in force.

    Attributes
    ----------
    mode : str
        ``"interne"`` or ``"public"``.
    provider : str or None
        The OIDC provider for ``st.login`` (``None``: no login).
    emails : frozenset of str
        Who may open the internal pages when a provider is configured.
    """

    mode: str
    provider: str | None = None
    emails: frozenset[str] = frozenset()
    scopes: Mapping[str, Scope] = dataclasses.field(default_factory=dict)

    def scope(self, user: Mapping | None) -> Scope:
        """What this visitor may edit (:class:`Scope`; an empty one: they only read).

        Without a login provider, a local run in ``interne`` mode edits everything (the author
        is then a name typed once per session); a public site without login edits nothing.
        With a provider, a logged-in person gets the scope of :func:`scope_of`.
        """
        if self.provider is None:
            return LOCAL_SCOPE if self.mode == "interne" else Scope()
        user = user or {}
        if not user.get("is_logged_in"):
            return Scope()
        return scope_of(user.get("email"), self.scopes, verified=user.get("email_verified", True))

    @property
    def registers_internal_pages(self) -> bool:
        """Whether internal pages exist at all (not in public mode without a login)."""
        return self.mode == "interne" or self.provider is not None

    @property
    def public_pages_are_public(self) -> bool:
        """Whether the public pages show the :func:`public_view` of the register."""
        return self.mode == "public"


def access_settings(environ: Mapping[str, str], secrets: Mapping | None = None) -> AccessSettings:
    """Read the access rules from the environment and the Streamlit secrets.

    Parameters
    ----------
    environ : mapping
        ``os.environ``: ``ATELIERFLASH_MODE`` and ``ATELIERFLASH_EMAILS_INTERNES`` win over the
        secrets, so that a deployment can override a shared secrets file.
    secrets : mapping, optional
        The Streamlit secrets: ``[auth]`` (the OIDC provider) and ``[atelierflash]`` (``mode``,
        ``emails_internes``, and the ``[atelierflash.perimetres]`` of :func:`parse_scopes`).

    Returns
    -------
    AccessSettings
        Without a mode set: ``interne`` without a provider (a local run), ``public`` with one
        (a deployment: public pages for everyone, internal pages after login).

    Raises
    ------
    AccessSettingError
        An unknown mode or a malformed allow-list.
    """
    secrets = secrets or {}
    table = secrets.get(SECRETS_TABLE) or {}
    if not isinstance(table, Mapping):
        table = {}
    provider = login_provider(secrets.get("auth"))
    mode_value = environ.get(ENV_MODE) or table.get("mode")
    mode = parse_mode(mode_value, default="public" if provider else "interne")
    emails_value = environ.get(ENV_EMAILS) or table.get("emails_internes")
    return AccessSettings(
        mode=mode,
        provider=provider,
        emails=parse_emails(emails_value),
        scopes=parse_scopes(table.get(SCOPES_KEY)),
    )


def public_view(dataset):
    """The register as the public may see it: public rows, public fields.

    Parameters
    ----------
    dataset : atelierflash.dataset.Dataset

    Returns
    -------
    atelierflash.dataset.Dataset
        The same register with only the ateliers marked public, only :data:`PUBLIC_COLUMNS`, their
        communes and links, and a validation report restricted to those rows (no message about a
        row the public may not see, no internal cell in its table).
    """
    ateliers = dataset.ateliers
    keep = ateliers["public"].fillna(False).astype(bool) if "public" in ateliers else None
    rows = ateliers[keep] if keep is not None else ateliers.iloc[0:0]
    rows = _public_columns(rows.reset_index(drop=True))
    ids = set(rows["id"]) if "id" in rows else set()
    links = dataset.atelier_communes
    links = links[links["atelier_id"].isin(ids)].reset_index(drop=True)
    communes = dataset.communes
    communes = communes[communes["code"].isin(set(links["code"]))].reset_index(drop=True)
    return dataclasses.replace(
        dataset,
        ateliers=rows,
        atelier_communes=links,
        communes=communes,
        report=_public_report(dataset.report, ids),
        actions_report=ActionsReport(),
        actions=public_actions(dataset.actions, ids),
    )


def public_actions(actions: pd.DataFrame, ids: set[str]) -> pd.DataFrame:
    """The feuille de route's actions the public may see.

    :data:`PUBLIC_ACTION_COLUMNS` of the actions marked public (column ``public``, default no)
    of the public ateliers ``ids``, in their order.
    """
    if actions.empty or "public" not in actions:
        return empty_actions()[list(PUBLIC_ACTION_COLUMNS)]
    keep = actions["public"].fillna(False).astype(bool) & actions["atelier"].isin(ids)
    return actions.loc[keep, list(PUBLIC_ACTION_COLUMNS)].reset_index(drop=True)


def _public_report(report, ids: set[str]):
    lines = {r.line for r in report.rows if r.id in ids}
    table = report.table
    if table is not None:
        columns = [c for c in table.rows.columns if c in PUBLIC_COLUMNS or c == "line"]
        table_rows = table.rows[table.rows["line"].isin(lines)][columns].reset_index(drop=True)
        table = dataclasses.replace(
            table,
            rows=table_rows,
            columns=tuple(c for c in table.columns if c in PUBLIC_COLUMNS),
            unknown_columns=(),
            header_map={k: v for k, v in table.header_map.items() if v in PUBLIC_COLUMNS},
        )
    parsed = report.ateliers
    parsed = parsed[parsed["id"].isin(ids)] if "id" in parsed else parsed.iloc[0:0]
    parsed = _public_columns(parsed.reset_index(drop=True), keep_line=True)
    # File-level messages name columns (unknown headers included): internal matters.
    return dataclasses.replace(
        report,
        rows=[r for r in report.rows if r.line in lines],
        file_issues=[],
        ateliers=parsed.reset_index(drop=True),
        table=table,
    )


def _public_columns(frame: pd.DataFrame, *, keep_line: bool = False) -> pd.DataFrame:
    """The public columns of ``frame``, then its internal columns emptied; nothing else."""
    names = [c for c in PUBLIC_COLUMNS if c in frame.columns]
    if keep_line and "line" in frame.columns:
        names.append("line")
    out = frame[names].copy()
    for column in INTERNAL_COLUMNS:
        if column not in frame.columns:
            continue
        if column == "montant_eur":
            out[column] = pd.Series(pd.NA, index=out.index, dtype="Float64")
        elif column == "dates_bon_commande":
            out[column] = pd.Series([()] * len(out), index=out.index, dtype=object)
        elif column == "accord_cadre" or column in _STEP_FIELDS:
            out[column] = pd.Series([None] * len(out), index=out.index, dtype=object)
        else:
            out[column] = ""
    return out


# -- who may edit what ---------------------------------------------------------------------------
#: The table of the ``[atelierflash]`` secrets mapping an e-mail or ``@domaine`` to a scope.
SCOPES_KEY = "perimetres"
NATIONAL = "national"
_REGION_PREFIX = "region:"
_DEPARTEMENT_CODE = re.compile(r"^(?:\d{2}|2[AB]|97\d)$")
_REGION_CODE = re.compile(r"^\d{2}$")


@dataclass(frozen=True)
class Scope:
    """The territory a person may edit: the whole country, or départements and régions.

    Attributes
    ----------
    national : bool
        The programme office (and a local run without login): every atelier.
    departements, regions : frozenset of str
        A DDT(M) has its départements (``"80"``, ``"2A"``, ``"974"``), a D(R)EAL its région
        (``"32"``), both as in the référentiel.
    """

    national: bool = False
    departements: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()

    def covers(self, departements: Iterable[str], regions: Iterable[str] = ()) -> bool:
        """Whether an atelier in these départements and régions is in the scope.

        An atelier spanning two départements is in the scope of each: one of its communes in
        the territory is enough. An atelier located nowhere is only in the national scope.
        """
        if self.national:
            return True
        return bool(self.departements & set(departements) or self.regions & set(regions))

    def text(self) -> str:
        """« national », « départements 80, 02 », « région 32 »: for a message."""
        if self.national:
            return "national"
        parts = []
        if self.departements:
            codes = sorted(self.departements)
            word = "département" if len(codes) == 1 else "départements"
            parts.append(f"{word} {', '.join(codes)}")
        if self.regions:
            codes = sorted(self.regions)
            word = "région" if len(codes) == 1 else "régions"
            parts.append(f"{word} {', '.join(codes)}")
        return " et ".join(parts) or "aucun territoire"


#: The scope of a local run without login: one person at their own machine edits everything.
LOCAL_SCOPE = Scope(national=True)


def parse_scopes(value: object) -> dict[str, Scope]:
    """Read ``[atelierflash.perimetres]``: who may edit which ateliers.

    Parameters
    ----------
    value : mapping or None
        Keys are e-mail addresses or ``@domaine``; each value is ``"national"`` or a list of
        codes: a département code (``"80"``, ``"2A"``, ``"974"``) or ``"region:32"`` for a
        région (INSEE codes; ``"01"`` is the Ain as a département, Guadeloupe as a région).

    Returns
    -------
    dict of str to Scope
        Lower-cased keys.

    Raises
    ------
    AccessSettingError
        A key that is not an e-mail nor ``@domaine``, or a value that is not a scope.
    """
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise AccessSettingError(
            f"{SCOPES_KEY} : table attendue (adresse ou « @domaine » = périmètre), "
            f"reçu {type(value).__name__}"
        )
    scopes = {}
    for key, item in value.items():
        entry = str(key).strip().casefold()
        if not (_EMAIL.match(entry) or _DOMAIN.match(entry)):
            raise AccessSettingError(
                f"{SCOPES_KEY} : « {str(key).strip()} » n'est ni une adresse e-mail ni un "
                "domaine de la forme « @domaine.gouv.fr »"
            )
        scopes[entry] = _parse_scope(entry, item)
    return scopes


def _parse_scope(entry: str, item: object) -> Scope:
    if isinstance(item, str) and item.strip().casefold() == NATIONAL:
        return LOCAL_SCOPE
    items = [item] if isinstance(item, str) else item
    if not isinstance(items, Iterable) or isinstance(items, Mapping):
        raise AccessSettingError(
            f"{SCOPES_KEY} : « {entry} » : attendu « national » ou une liste de codes "
            "(« 80 », « 2A », « region:32 »)"
        )
    departements, regions = set(), set()
    for raw in items:
        code = str(raw).strip().upper()
        if code.casefold().startswith((_REGION_PREFIX, "région:")):
            region = code.split(":", 1)[1].strip()
            if not _REGION_CODE.match(region):
                raise AccessSettingError(
                    f"{SCOPES_KEY} : « {entry} » : « {str(raw).strip()} » n'est pas un code de "
                    "région (deux chiffres, par exemple « region:32 »)"
                )
            regions.add(region)
        elif _DEPARTEMENT_CODE.match(code):
            departements.add(code)
        else:
            raise AccessSettingError(
                f"{SCOPES_KEY} : « {entry} » : « {str(raw).strip()} » n'est pas un code de "
                "département (« 80 », « 2A », « 974 ») ni de région (« region:32 »)"
            )
    if not (departements or regions):
        raise AccessSettingError(
            f"{SCOPES_KEY} : « {entry} » : périmètre vide (« national » ou une liste de codes)"
        )
    return Scope(departements=frozenset(departements), regions=frozenset(regions))


def scope_of(email: object, scopes: Mapping[str, Scope], *, verified: object = True) -> Scope:
    """The scope of a logged-in person: their address's, else their domain's, else nothing.

    Parameters
    ----------
    email : object
        The ``email`` claim (``None`` when the provider gave none).
    scopes : mapping
        From :func:`parse_scopes`.
    verified : object
        The ``email_verified`` claim: an explicit ``False`` gives no scope.

    Returns
    -------
    Scope
        An empty scope (covers nothing) for anyone not listed: they read, they do not edit.
    """
    if verified is False or not isinstance(email, str):
        return Scope()
    address = email.strip().casefold()
    if not _EMAIL.match(address):
        return Scope()
    domain = "@" + address.rsplit("@", 1)[1]
    return scopes.get(address) or scopes.get(domain) or Scope()
