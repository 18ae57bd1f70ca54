"""The joined dataset every page uses: ateliers × communes × geometries.

Built once per register source from the validation report (which already holds the parsed
values and the resolved INSEE codes) and the référentiel; pages only filter it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from atelierflash.actions import (
    ActionsReport,
    dated_points,
    empty_actions,
    validate_register_actions,
)
from atelierflash.paths import DATA_DIR
from atelierflash.programme import Programme
from atelierflash.referentiel import Referentiel
from atelierflash.validation import ValidationReport, validate_file

PUBLIC_REGISTER = DATA_DIR / "ateliers.csv"
DEMO_REGISTER = DATA_DIR / "demo" / "ateliers_demo.csv"
#: The demonstration register's feuilles de route (fictional actions, seeded like the register).
DEMO_ACTIONS = DATA_DIR / "demo" / "actions_demo.csv"
ENV_REGISTER = "ATELIERFLASH_REGISTRE"


@dataclass(frozen=True)
class RegisterSource:
    """A register the app can show: its file and how to present it."""

    key: str  # "registre" (the store's current version), "demo", "public" or "env"
    label: str
    path: Path
    fictif: bool
    #: The store's version number, for a register read from the store (its file is gone).
    revision: int | None = None
    #: Offered in public mode: a register every row of which may face the public (its public
    #: view is still what public pages show). New sources are internal unless they say so.
    public: bool = False
    #: A separate file of the feuille de route's actions (else the register workbook's
    #: « Actions » sheet, if any).
    actions_path: Path | None = None

    @property
    def version(self) -> float:
        """What caches key on.

        The store's version number, else the file's modification time (0.0 when it is missing).
        """
        if self.revision is not None:
            return float(self.revision)
        return self.path.stat().st_mtime if self.path.exists() else 0.0


def configured_register() -> Path:
    """The register an empty store is seeded from.

    ``$ATELIERFLASH_REGISTRE``, else the fictional demonstration register.
    """
    env = os.environ.get(ENV_REGISTER, "").strip()
    return Path(env).expanduser() if env else DEMO_REGISTER


def configured_actions() -> Path | None:
    """The separate actions file that goes with :func:`configured_register`, or ``None``.

    The demonstration's fictional feuilles de route for the demonstration register; none for a
    register named by ``$ATELIERFLASH_REGISTRE`` (a workbook brings its own « Actions » sheet).
    """
    if configured_register() == DEMO_REGISTER and DEMO_ACTIONS.exists():
        return DEMO_ACTIONS
    return None


def register_sources() -> dict[str, RegisterSource]:
    """The registers available, the default one first.

    The register named by ``$ATELIERFLASH_REGISTRE`` comes first when set; otherwise the
    fictional demonstration register is the default. The real public register is always offered.
    """
    sources: dict[str, RegisterSource] = {}
    env = os.environ.get(ENV_REGISTER, "").strip()
    if env:
        path = Path(env).expanduser()
        sources["env"] = RegisterSource("env", f"Registre « {path.name} »", path, fictif=False)
    sources["demo"] = RegisterSource(
        "demo",
        "Démonstration (données fictives)",
        DEMO_REGISTER,
        fictif=True,
        actions_path=DEMO_ACTIONS if DEMO_ACTIONS.exists() else None,
    )
    sources["public"] = RegisterSource(
        "public",
        "Registre public (ateliers documentés)",
        PUBLIC_REGISTER,
        fictif=False,
        public=True,
    )
    return sources


@dataclass(frozen=True)
class Dataset:
    """A register joined to the référentiel.

    Attributes
    ----------
    source : RegisterSource
    report : ValidationReport
        The full validation report (every row, including rejected ones).
    ateliers : pandas.DataFrame
        Ateliers without error, parsed (see :func:`atelierflash.validation.validate_register`),
        plus ``nb_communes``, ``departements`` and ``regions`` (tuples of codes),
        ``population`` (sum over the communes) and ``communes_noms`` (text).
    atelier_communes : pandas.DataFrame
        One row per (atelier, commune): ``atelier_id``, ``code`` and the commune's ``nom``,
        ``departement``, ``region``, ``epci_siren``, ``population``.
    communes : geopandas.GeoDataFrame
        The distinct communes of the ateliers with their web geometry (EPSG:4326).
    referentiel, programme
    actions_report : ActionsReport
        The feuille de route's actions as validated (every action, including rejected ones).
    actions : pandas.DataFrame
        The actions without error of the ateliers in ``ateliers``, parsed (see
        :func:`atelierflash.actions.validate_actions`), in the file's order.
    version : float
        The register file's version (``RegisterSource.version``) when it was read: the caches
        built from this dataset key on it, without reading the file's state again.
    """

    source: RegisterSource
    report: ValidationReport
    ateliers: pd.DataFrame
    atelier_communes: pd.DataFrame
    communes: gpd.GeoDataFrame
    referentiel: Referentiel
    programme: Programme
    actions_report: ActionsReport = field(default_factory=ActionsReport)
    actions: pd.DataFrame = field(default_factory=empty_actions)
    version: float = 0.0

    @property
    def fictif(self) -> bool:
        """Whether the register is fictional (source or rows marked so)."""
        return self.source.fictif or bool(self.ateliers.get("fictif", pd.Series(dtype=bool)).any())

    @property
    def rejected(self) -> int:
        """Rows left out because of an error."""
        return self.report.summary["error"]

    @property
    def unreadable(self) -> str | None:
        """Why the register file could not be read at all (French), or ``None``."""
        if self.report.usable:
            return None
        return "; ".join(i.text for i in self.report.file_issues) or "registre illisible"


class UnpublishableError(ValueError):
    """A dataset that must not replace a public page; ``str()`` says why, in French."""


def public_ateliers(ateliers: pd.DataFrame) -> pd.DataFrame:
    """The publishable rows of ``ateliers`` (column ``public`` true), in their order."""
    if "public" not in ateliers:
        return ateliers.iloc[0:0]
    return ateliers[ateliers["public"].fillna(False).astype(bool)]


def check_publishable(dataset: Dataset) -> None:
    """Refuse to publish a dataset that would empty or break a public page.

    The one check before anything public is written (the command line's ``carte-publique`` and
    the app's public page): a page already online stays as it is rather than being replaced by
    a page of zero ateliers because a register went missing.

    Parameters
    ----------
    dataset : Dataset

    Raises
    ------
    UnpublishableError
        When the register cannot be read (missing, a folder, unreadable, no header…) or holds
        no publishable atelier; the message names the file and says what to do.
    """
    name = dataset.source.path.name
    problem = dataset.unreadable
    if problem is not None:
        raise UnpublishableError(
            f"Rien n'est publié : le registre {name} ne peut pas être lu ({problem}). La carte "
            "publique déjà en ligne reste inchangée ; corrigez le fichier ou le chemin "
            f"({ENV_REGISTER}), puis recommencez."
        )
    if public_ateliers(dataset.ateliers).empty:
        raise UnpublishableError(
            f"Rien n'est publié : le registre {name} ne contient aucun atelier publiable (statut "
            "publié, sans erreur, non retiré par la colonne « public »). La carte publique déjà "
            "en ligne reste inchangée ; vérifiez le registre, puis recommencez."
        )


def build_dataset(
    source: RegisterSource,
    referentiel: Referentiel,
    programme: Programme,
    *,
    resolver=None,
    report: ValidationReport | None = None,
    actions: ActionsReport | None = None,
) -> Dataset:
    """Validate a register and join its ateliers to the référentiel.

    Parameters
    ----------
    source : RegisterSource
        The register file to read.
    referentiel, programme
    resolver : CommuneResolver, optional
        Reuse the indexes of a resolver already built on the same référentiel.
    report : ValidationReport, optional
        An existing report of the same file (skips reading it again).
    actions : ActionsReport, optional
        The feuille de route's actions, already validated (e.g. a stored version's); by default
        ``source.actions_path``, else the register workbook's « Actions » sheet, else none.

    Returns
    -------
    Dataset
        Rows with an error are left out of ``ateliers`` (they stay in ``report``).
    """
    version = source.version  # before reading: a later edit is then seen as a new version
    if report is None:
        report = validate_file(source.path, referentiel, programme, resolver=resolver)
    ateliers = report.ateliers
    ateliers = ateliers[ateliers["status"] != "error"].reset_index(drop=True)
    links = _links(ateliers, referentiel)
    ateliers = _with_commune_facts(ateliers, links)
    if actions is None:
        actions = validate_register_actions(
            source.path,
            programme,
            report.ateliers["id"].dropna().astype(str).tolist()
            if "id" in report.ateliers
            else None,
            register_sheet=report.table.sheet if report.table is not None else None,
            actions_path=source.actions_path,
            points=dated_points(report.ateliers, programme),
        )
    codes = links["code"].drop_duplicates()
    com = referentiel.communes
    com = com[com["type"].isin(("COM", "ARM"))]
    communes = com[com["code"].isin(codes)].reset_index(drop=True)
    return Dataset(
        source=source,
        report=report,
        ateliers=ateliers,
        atelier_communes=links,
        communes=communes,
        referentiel=referentiel,
        programme=programme,
        actions_report=actions,
        actions=_usable_actions(actions, ateliers),
        version=version,
    )


def _usable_actions(report: ActionsReport, ateliers: pd.DataFrame) -> pd.DataFrame:
    # An action of a rejected atelier would point at nothing the pages show.
    actions = report.actions
    if actions.empty:
        return empty_actions()
    keep = (actions["status"] != "error") & actions["atelier"].isin(set(ateliers["id"]))
    return actions[keep].reset_index(drop=True)


def _links(ateliers: pd.DataFrame, referentiel: Referentiel) -> pd.DataFrame:
    pairs = [
        (aid, code)
        for aid, codes in zip(ateliers["id"], ateliers["communes"], strict=True)
        for code in codes
    ]
    links = pd.DataFrame(pairs, columns=["atelier_id", "code"])
    com = referentiel.communes
    facts = com.loc[
        com["type"].isin(("COM", "ARM")),
        ["code", "nom", "departement", "region", "epci_siren", "population"],
    ].drop_duplicates("code")
    return links.merge(facts, on="code", how="left")


def _with_commune_facts(ateliers: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    ateliers = ateliers.copy()
    grouped = links.groupby("atelier_id", sort=False)
    ateliers["nb_communes"] = ateliers["communes"].map(len)
    deps = grouped["departement"].agg(lambda s: tuple(dict.fromkeys(s.dropna())))
    regs = grouped["region"].agg(lambda s: tuple(dict.fromkeys(s.dropna())))
    pop = grouped["population"].sum(min_count=1)
    names = grouped["nom"].agg(lambda s: ", ".join(s.dropna()))
    ateliers["departements"] = ateliers["id"].map(deps).map(_tuple_or_empty)
    ateliers["regions"] = ateliers["id"].map(regs).map(_tuple_or_empty)
    ateliers["population"] = ateliers["id"].map(pop).astype("Int64")
    ateliers["communes_noms"] = ateliers["id"].map(names).fillna("")
    return ateliers


def _tuple_or_empty(value) -> tuple:
    return value if isinstance(value, tuple) else ()
