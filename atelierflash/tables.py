"""Table alternatives of the charts: French headers and French formats, declared once.

:data:`COLUMNS` names every column of the tables of :mod:`atelierflash.analyse` (header and kind);
:func:`display_table` formats a table for the screen (« 1 234 », « 20 000 € », « 26 % ») and
:func:`export_table` keeps its raw values for the downloads, which
:mod:`atelierflash.ecriture` writes.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from atelierflash.formats import (
    fmt_date,
    fmt_decimal,
    fmt_eur,
    fmt_int,
    fmt_percent,
    year_label,
)
from atelierflash.programme import load_points_etape

#: Column → (French header, kind) for the tables shown beside the charts.
COLUMNS: dict[str, tuple[str, str]] = {
    "famille": ("Clé famille", "text"),
    "theme": ("Clé thème", "text"),
    "echelle": ("Clé échelle", "text"),
    "statut": ("Clé statut", "text"),
    "libelle": ("Libellé", "text"),
    "famille_libelle": ("Famille", "text"),
    "ateliers": ("Ateliers", "int"),
    "mentions": ("Mentions de thèmes", "int"),
    "part_ateliers": ("Part des ateliers", "percent"),
    "region": ("Code région", "text"),
    "departement": ("Code département", "text"),
    "nom": ("Nom", "text"),
    "region_nom": ("Région", "text"),
    "communes": ("Communes", "int"),
    "population": ("Population des communes", "int"),
    "classe": ("Classe", "text"),
    "annee": ("Année", "year"),
    "theme_a": ("Thème", "text"),
    "theme_b": ("Thème associé", "text"),
    "selectionne": ("Sélectionnés", "int"),
    "en_cours": ("En cours", "int"),
    "realise": ("Réalisés", "int"),
    "selectionnes": ("Total sélectionnés", "int"),
    "cumul": ("Cumul", "int"),
    "objectif": ("Objectif annuel", "int"),
    "ecart_objectif": ("Écart à l'objectif", "signed"),
    "abandonnes": ("Abandonnés", "int"),
    "candidatures": ("Candidatures et éligibles", "int"),
    "realises": ("Réalisés dans l'année", "int"),
    "realises_cumul": ("Réalisés (cumul)", "int"),
    "communes_nouvelles": ("Nouvelles communes", "int"),
    "communes_cumul": ("Communes (cumul)", "int"),
    "indicateur": ("Indicateur", "text"),
    "registre": ("Registre", "int"),
    "officiel": ("Chiffre officiel", "text"),
    "officiel_valeur": ("Valeur officielle", "int"),
    "ecart": ("Écart (registre − officiel)", "signed"),
    "ecart_texte": ("Écart, en clair", "text"),
    "sans_annee": ("dont sans année connue", "int"),
    "source": ("Source", "text"),
    "url": ("Adresse", "text"),
    "date": ("Date", "date"),
    "regions": ("Régions atteintes", "int"),
    "nouvelles_regions": ("Nouvelles régions", "int"),
    "departements": ("Départements", "text_or_int"),
    "nouveaux_departements": ("Nouveaux départements", "int"),
    "nouvelles_communes": ("Nouvelles communes", "int"),
    "regions_cumul": ("Régions (cumul)", "int"),
    "departements_cumul": ("Départements (cumul)", "int"),
    "liste_nouvelles_regions": ("Codes des nouvelles régions", "text"),
    "liste_nouveaux_departements": ("Codes des nouveaux départements", "text"),
    "id": ("Identifiant", "text"),
    "titre": ("Titre", "text"),
    "debut": ("Début", "text"),
    "fin": ("Fin", "text"),
    "duree_mois": ("Durée (mois)", "decimal"),
    "position": ("Par rapport à la durée annoncée", "text"),
    "durees_connues": ("Durées connues", "int"),
    "duree_mediane": ("Durée médiane (mois)", "decimal"),
    "duree_min": ("Durée minimale (mois)", "decimal"),
    "duree_max": ("Durée maximale (mois)", "decimal"),
    "dans_la_fourchette": ("Dans la fourchette", "int"),
    "plus_courtes": ("Plus courtes", "int"),
    "plus_longues": ("Plus longues", "int"),
    "dates_manquantes": ("Dates manquantes", "int"),
    "montants_connus": ("Montants connus", "int"),
    "montant_total_eur": ("Total des montants", "eur"),
    "montant_moyen_eur": ("Montant moyen", "eur"),
    "montant_eur": ("Montant", "eur"),
    "communes_noms": ("Communes", "text"),
    "statut_libelle": ("Statut", "text"),
    "echelle_libelle": ("Échelle", "text"),
    "themes_libelles": ("Thèmes", "text"),
    "equipe_libelle": ("Équipe", "text"),
    # Suivi (atelierflash.analyse.suivi)
    "n": ("Ateliers", "int"),
    "delai": ("Délai", "text"),
    "mediane_jours": ("Médiane (jours)", "decimal"),
    "q1_jours": ("Premier quartile (jours)", "decimal"),
    "q3_jours": ("Troisième quartile (jours)", "decimal"),
    "max_jours": ("Maximum (jours)", "int"),
    "norme_jours": ("Norme (jours)", "decimal"),
    "jours": ("Jours", "int"),
    "motif_libelle": ("Motif", "text"),
    "etape_libelle": ("Depuis l'étape", "text"),
    "depuis": ("Date de l'étape", "text"),
    "seuil": ("Règle", "text"),
    "depart": ("Bon de commande (ou début)", "date"),
    "echeance": ("Échéance", "date"),
    "retard": ("Au-delà de l'échéance", "text"),
    # Suites des ateliers (atelierflash.analyse.suites)
    "groupe_libelle": ("Groupe", "text"),
    "jalon_libelle": ("Point d'étape", "text"),
    "actions": ("Actions", "int"),
    "demarrees": ("Démarrées", "int"),
    "realisees": ("Réalisées", "int"),
    "part_demarrees": ("Part démarrées", "percent"),
    "part_realisees": ("Part réalisées", "percent"),
    "actions_par_atelier": ("Actions par atelier", "decimal"),
    "premier_demarrage_n": ("Ateliers avec un délai", "int"),
    "premier_demarrage_mediane_jours": (
        "Délai médian jusqu'à la 1re action démarrée (j)",
        "decimal",
    ),
    "premier_demarrage_q1_jours": ("Premier quartile (jours)", "decimal"),
    "premier_demarrage_q3_jours": ("Troisième quartile (jours)", "decimal"),
    "premier_demarrage_max_jours": ("Maximum (jours)", "int"),
    "premier_demarrage_jours": ("Jours jusqu'à la 1re action démarrée", "int"),
    "restitution": ("Restitution", "text"),
    **{
        column: (f"{header} {n} mois", kind)
        for n in (p.months for p in load_points_etape())
        for column, header, kind in (
            (f"point_{n}", "Date du point à", "text"),
            (f"renseignees_{n}", "Statuts renseignés à", "int"),
            (f"demarrees_{n}", "Démarrées à", "int"),
            (f"realisees_{n}", "Réalisées à", "int"),
        )
    },
}


def _format_cell(value, kind: str) -> str:
    if value is None or (not isinstance(value, str | tuple) and pd.isna(value)):
        if kind == "year":
            return year_label(None)
        return "–" if kind not in ("text", "text_or_int") else ""
    if kind == "int":
        return fmt_int(value)
    if kind == "signed":
        number = fmt_int(abs(value))
        return ("+" if value > 0 else "−" if value < 0 else "") + number
    if kind == "percent":
        return fmt_percent(value)
    if kind == "decimal":
        return fmt_decimal(value, 1)
    if kind == "eur":
        return fmt_eur(value)
    if kind == "date":
        return fmt_date(value) if isinstance(value, dt.date) else str(value)
    if kind == "year":
        return value if isinstance(value, str) else year_label(value)
    if kind == "text_or_int" and isinstance(value, int | float):
        return fmt_int(value)
    return str(value)


def display_table(table: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """The table alternative of a chart: French headers, numbers formatted in French.

    Parameters
    ----------
    table : pandas.DataFrame
        A table of :mod:`atelierflash.analyse`.
    columns : list of str, optional
        Columns to keep, in order (default: all).

    Returns
    -------
    pandas.DataFrame
        All cells as text (« 1 234 », « 20 000 € », « 26 % »).
    """
    columns = columns or list(table.columns)
    shown = pd.DataFrame(index=range(len(table)))
    for column in columns:
        header, kind = COLUMNS.get(column, (column, "text"))
        shown[header] = [_format_cell(v, kind) for v in table[column]]
    return shown


def export_table(table: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """The numbers of a chart for its downloads: French headers, raw values.

    Years stay numbers (« année inconnue » for a missing one); give the result to
    :func:`atelierflash.ecriture.csv_bytes` or :func:`atelierflash.ecriture.xlsx_bytes`.
    """
    columns = columns or list(table.columns)
    out = table[columns].copy()
    for column in columns:
        if COLUMNS.get(column, ("", ""))[1] == "year":
            out[column] = pd.Series(
                [v if isinstance(v, str) else _year_number(v) for v in out[column]],
                index=out.index,
                dtype=object,
            )
    return out.rename(columns={c: COLUMNS.get(c, (c, ""))[0] for c in columns})


def _year_number(value) -> int | str:
    label = year_label(value)
    return int(label) if label.isdigit() else label
