"""A feuille de route on the mini register, with secrets the public side must never show.

``T-2019-1`` (public, réalisé) has public actions under two axes (one hostile) and one without
axe, plus a non-public action; ``T-2026-1`` (a candidature, never published) has an action marked
public. Every text the public side must not carry holds ``SECRET`` (the budget too: 987 654).
"""

from __future__ import annotations

from pathlib import Path

#: The strings no public file, page or download may contain.
SECRETS = (
    "SECRET-ACTION-NON-PUBLIQUE",
    "SECRET-ACTION-DE-CANDIDATURE",
    "SECRET-NOTE",
    "SECRET-FINANCEMENT",
    "987654",
    "987 654",
    "987\u202f654",
    "marie.dupont@example.org",
)

ACTIONS_CSV = """atelier,axe,action,theme,priorite,porteur,echeance,statut,budget_eur,financements,public,note
T-2019-1,Cœur de bourg,Rouvrir la halle (fictif),Revitalisation des centre-villes et centre-bourgs,élevée,Commune,2021,réalisé,987 654,SECRET-FINANCEMENT,oui,SECRET-NOTE
T-2019-1,Cœur de bourg,SECRET-ACTION-NON-PUBLIQUE (fictif),,basse,Commune,2022,abandonné,,,non,
T-2019-1,<b>Axe</b> & co,<script>alert(1)</script> Étude (fictif),,moyenne,Commune (marie.dupont@example.org),06/2027,en cours,,,oui,
T-2019-1,,Panneaux d'information (fictif),,,EPCI,,à venir,,,oui,
T-2026-1,Mobilité,SECRET-ACTION-DE-CANDIDATURE (fictif),,moyenne,EPCI,2027,à venir,,,oui,
"""


def with_actions(dataset, folder: Path):
    """``dataset`` (the mini register) with the feuille de route of :data:`ACTIONS_CSV`."""
    from atelierflash.actions import validate_actions_file
    from atelierflash.dataset import build_dataset

    path = folder / "actions.csv"
    path.write_text(ACTIONS_CSV, encoding="utf-8")
    report = validate_actions_file(path, dataset.programme, dataset.ateliers["id"].tolist())
    assert report.summary["error"] == 0, report.to_text()
    return build_dataset(
        dataset.source,
        dataset.referentiel,
        dataset.programme,
        report=dataset.report,
        actions=report,
    )
