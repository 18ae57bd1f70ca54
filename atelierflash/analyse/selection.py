"""The yearly selection: ateliers per year against the target, statuts, réalisés, durations, amounts.

Also the year chosen on the « Sélection annuelle » page (:func:`year_options`,
:func:`default_year`) and that year's ateliers. The counting rules are those of
:mod:`atelierflash.analyse.chiffres`; the figures are in
:mod:`atelierflash.analyse.selection_figures`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from atelierflash.analyse.chiffres import selection_links, year_range
from atelierflash.dataset import Dataset
from atelierflash.formats import fmt_int, iso_date
from atelierflash.programme import Programme


def is_selected(ateliers: pd.DataFrame, programme: Programme | None = None) -> pd.Series:
    """Whether each atelier was selected (``[statuts] selectionnes`` of ``programme.toml``)."""
    return ateliers["statut"].isin(_selected(programme))


def _selected(programme: Programme | None) -> tuple[str, ...]:
    if programme is None:
        from atelierflash.programme import load_programme

        programme = load_programme()
    return programme.selected_statuts


def selection_by_year(
    ateliers: pd.DataFrame,
    programme: Programme,
    first_year: int | None = None,
    last_year: int | None = None,
) -> pd.DataFrame:
    """Ateliers selected per year against the yearly target, with the cumulative count.

    Selected means statut sélectionné, en cours or réalisé; candidatures, éligibles and
    abandons are not counted (an abandon does not say whether it happened before selection).

    Parameters
    ----------
    programme : Programme
        Gives the launch year and the target (official figure ``selection_annuelle``).
    first_year, last_year : int, optional
        Span of the series (default: launch year to the last year of the selection).

    Returns
    -------
    pandas.DataFrame
        One row per year, empty years at 0: ``annee``, ``selectionne``, ``en_cours``,
        ``realise`` (selected ateliers by current statut), ``selectionnes`` (their sum),
        ``cumul`` (since the first year), ``objectif``, ``ecart_objectif``
        (``selectionnes - objectif``), ``abandonnes``, ``candidatures`` (candidature or
        éligible, not yet selected).
    """
    first_year = first_year or programme.launch_year
    target = programme.figures["selection_annuelle"].value
    years = year_range(ateliers, first_year, last_year)
    known = ateliers[ateliers["annee"].notna()]
    rows = []
    for year in years:
        of_year = known[known["annee"] == year]
        statuts = of_year["statut"].value_counts()
        row = {"annee": year}
        for statut in programme.selected_statuts:
            row[statut] = int(statuts.get(statut, 0))
        row["selectionnes"] = sum(row[s] for s in programme.selected_statuts)
        row["abandonnes"] = int(statuts.get("abandonne", 0))
        row["candidatures"] = int(statuts.get("candidature", 0) + statuts.get("eligible", 0))
        rows.append(row)
    table = pd.DataFrame(rows)
    table["cumul"] = table["selectionnes"].cumsum()
    table["objectif"] = target
    table["ecart_objectif"] = table["selectionnes"] - target
    return table[
        [
            "annee",
            *programme.selected_statuts,
            "selectionnes",
            "cumul",
            "objectif",
            "ecart_objectif",
            "abandonnes",
            "candidatures",
        ]
    ]


def statut_pipeline(ateliers: pd.DataFrame, programme: Programme, year: int | None) -> pd.DataFrame:
    """Ateliers of a year per statut, in the pipeline's order (candidature → réalisé, abandonné).

    Parameters
    ----------
    year : int or None
        The year of selection; ``None`` takes the ateliers without a known year.

    Returns
    -------
    pandas.DataFrame
        ``statut`` (key), ``libelle``, ``ateliers``; every statut, empty ones at 0.
    """
    years = ateliers["annee"]
    of_year = ateliers[years.isna()] if year is None else ateliers[years == year]
    counts = of_year["statut"].value_counts()
    return pd.DataFrame(
        [
            {"statut": t.key, "libelle": t.label, "ateliers": int(counts.get(t.key, 0))}
            for t in programme.statuts.terms
        ]
    )


def realised_cumulative(
    ateliers: pd.DataFrame,
    atelier_communes: pd.DataFrame,
    first_year: int,
    last_year: int | None = None,
) -> pd.DataFrame:
    """Ateliers réalisés and distinct communes they covered, per year and in cumulative.

    A commune covered by réalisés of two years counts in the first one only. Réalisés without
    a known year are left out (see :func:`official_gap`, which counts them).

    Returns
    -------
    pandas.DataFrame
        ``annee``, ``realises``, ``realises_cumul``, ``communes_nouvelles``,
        ``communes_cumul``; every year from ``first_year``.
    """
    realised = ateliers[(ateliers["statut"] == "realise") & ateliers["annee"].notna()]
    years = year_range(ateliers, first_year, last_year)
    links = selection_links(realised, atelier_communes).merge(
        realised[["id", "annee"]], left_on="atelier_id", right_on="id"
    )
    first_seen = links.groupby("code")["annee"].min()
    rows = [
        {
            "annee": year,
            "realises": int((realised["annee"] == year).sum()),
            "communes_nouvelles": int((first_seen == year).sum()),
        }
        for year in years
    ]
    table = pd.DataFrame(rows, columns=["annee", "realises", "communes_nouvelles"])
    table["realises_cumul"] = table["realises"].cumsum()
    table["communes_cumul"] = table["communes_nouvelles"].cumsum()
    return table[["annee", "realises", "realises_cumul", "communes_nouvelles", "communes_cumul"]]


def official_gap(
    ateliers: pd.DataFrame, atelier_communes: pd.DataFrame, programme: Programme
) -> pd.DataFrame:
    """Réalisés and their communes in a selection beside the official figures, gap in words.

    Like :func:`official_comparison` but for any selection, with the gap said plainly.

    Returns
    -------
    pandas.DataFrame
        ``cle`` (the official figure's key: ``ateliers_realises``, ``communes_accompagnees``),
        ``indicateur``, ``registre``, ``officiel`` (as published, « plus de 500 »),
        ``officiel_valeur``, ``ecart`` (register − official value), ``ecart_texte``,
        ``sans_annee`` (réalisés without a known year, counted in ``registre``),
        ``source``, ``url``, ``date``.
    """
    realised = ateliers[ateliers["statut"] == "realise"]
    communes = selection_links(realised, atelier_communes)["code"].nunique()
    unknown_year = int(realised["annee"].isna().sum())
    rows = [
        (
            "ateliers_realises",
            f"Ateliers réalisés depuis {programme.launch_year}",
            len(realised),
            "atelier",
        ),
        ("communes_accompagnees", "Communes couvertes par ces ateliers", communes, "commune"),
    ]
    records = []
    for key, label, value, unit in rows:
        figure = programme.figures[key]
        gap = value - figure.value
        records.append(
            {
                "cle": key,
                "indicateur": label,
                "registre": int(value),
                "officiel": figure.display(),
                "officiel_valeur": figure.value,
                "ecart": int(gap),
                "ecart_texte": gap_text(value, figure.value, figure.qualifier, unit),
                "sans_annee": unknown_year if unit == "atelier" else None,
                "source": figure.source,
                "url": figure.url,
                "date": figure.date,
            }
        )
    return pd.DataFrame(records)


def gap_text(register: int, official: int, qualifier: str, unit: str) -> str:
    """The gap between a register count and an official figure, in plain French.

    Parameters
    ----------
    register, official : int
    qualifier : str
        The official figure's qualifier (« plus de », « environ » or empty).
    unit : str
        The counted thing, singular (« atelier », « commune »).

    Examples
    --------
    >>> gap_text(101, 114, "", "atelier")
    'le registre compte 13 ateliers de moins que le chiffre officiel (114)'
    >>> gap_text(520, 500, "plus de", "commune")
    'le registre compte 520 communes, cohérent avec « plus de 500 »'
    """
    official_text = f"{qualifier} {fmt_int(official)}".strip()
    plural = lambda n: unit + ("s" if abs(n) > 1 else "")  # noqa: E731
    gap = register - official
    if qualifier == "plus de":
        if register > official:
            return (
                f"le registre compte {fmt_int(register)} {plural(register)}, "
                f"cohérent avec « {official_text} »"
            )
        missing = official - register + 1
        return (
            f"le registre compte {fmt_int(register)} {plural(register)} : il en manque au moins "
            f"{fmt_int(missing)} pour atteindre « {official_text} »"
        )
    if gap == 0:
        of = "d'" if unit[:1].lower() in "aeéèêiouy" else "de "
        return f"le registre compte autant {of}{unit}s que le chiffre officiel ({official_text})"
    direction = "de moins" if gap < 0 else "de plus"
    return (
        f"le registre compte {fmt_int(abs(gap))} {plural(gap)} {direction} que le chiffre "
        f"officiel ({official_text})"
    )


#: Days in an average month, to express durations in months.
DAYS_PER_MONTH = 365.25 / 12


def _midpoint(day) -> float | None:
    """Ordinal day in the middle of a partial date (the day itself when known to the day)."""
    if day is None or (not hasattr(day, "first_day")):
        return None
    return (day.first_day().toordinal() + day.last_day().toordinal()) / 2


def atelier_durations(
    ateliers: pd.DataFrame, min_months: float | None = None, max_months: float | None = None
) -> pd.DataFrame:
    """Duration of each atelier from its start to its end, in months.

    A date known only to the month counts from the middle of that month, so « 2019-10 » →
    « 2020-03 » lasts 5,0 months. Ateliers without a start or an end are kept with a missing
    duration (they are counted, never guessed).

    Parameters
    ----------
    min_months, max_months : float, optional
        The announced span (``programme.info["duree_mois_min"]`` / ``["duree_mois_max"]``);
        gives ``position``.

    Returns
    -------
    pandas.DataFrame
        ``id``, ``titre``, ``annee``, ``statut``, ``debut``, ``fin`` (ISO text or empty),
        ``duree_mois`` (float, one decimal, missing without both dates), ``position``
        (« plus courte », « dans la fourchette », « plus longue », « dates manquantes »).
    """
    rows = []
    for record in ateliers.to_dict("records"):
        start, end = record.get("date_debut"), record.get("date_fin")
        a, b = _midpoint(start), _midpoint(end)
        months = round((b - a) / DAYS_PER_MONTH, 1) if a is not None and b is not None else None
        if months is not None and months < 0:
            months = None  # an end before the start is a register error, not a duration
        rows.append(
            {
                "id": record["id"],
                "titre": record["titre"],
                "annee": record["annee"],
                "statut": record["statut"],
                "debut": start.iso() if start is not None and a is not None else "",
                "fin": end.iso() if end is not None and b is not None else "",
                "duree_mois": months,
                "position": _duration_position(months, min_months, max_months),
            }
        )
    table = pd.DataFrame(
        rows,
        columns=["id", "titre", "annee", "statut", "debut", "fin", "duree_mois", "position"],
    )
    table["annee"] = table["annee"].astype("Int64")
    table["duree_mois"] = table["duree_mois"].astype("Float64")
    return table


def _duration_position(months, low, high) -> str:
    if months is None:
        return "dates manquantes"
    if low is not None and months < low:
        return "plus courte"
    if high is not None and months > high:
        return "plus longue"
    return "dans la fourchette"


def duration_summary(durations: pd.DataFrame) -> pd.DataFrame:
    """Durations per year: how many are known, their median and range, and their position.

    Parameters
    ----------
    durations : pandas.DataFrame
        From :func:`atelier_durations`.

    Returns
    -------
    pandas.DataFrame
        ``annee`` (``None`` for unknown years), ``ateliers``, ``durees_connues``,
        ``duree_mediane``, ``duree_min``, ``duree_max``, ``dans_la_fourchette``,
        ``plus_courtes``, ``plus_longues``, ``dates_manquantes``; a last row ``annee`` =
        ``"toutes"`` sums the selection.
    """
    rows = []
    groups = [(int(y), durations[durations["annee"] == y]) for y in _sorted_years(durations)]
    if durations["annee"].isna().any():
        groups.append((None, durations[durations["annee"].isna()]))
    groups.append(("toutes", durations))
    for year, part in groups:
        known = part["duree_mois"].dropna().astype(float)
        position = part["position"].value_counts()
        rows.append(
            {
                "annee": year,
                "ateliers": len(part),
                "durees_connues": len(known),
                "duree_mediane": round(float(known.median()), 1) if len(known) else None,
                "duree_min": float(known.min()) if len(known) else None,
                "duree_max": float(known.max()) if len(known) else None,
                "dans_la_fourchette": int(position.get("dans la fourchette", 0)),
                "plus_courtes": int(position.get("plus courte", 0)),
                "plus_longues": int(position.get("plus longue", 0)),
                "dates_manquantes": int(position.get("dates manquantes", 0)),
            }
        )
    return pd.DataFrame(rows)


def _sorted_years(table: pd.DataFrame) -> list[int]:
    return sorted(int(y) for y in table["annee"].dropna().unique())


def amounts_by_year(
    ateliers: pd.DataFrame, first_year: int, last_year: int | None = None
) -> pd.DataFrame:
    """Amounts per year of selection (only the amounts the register gives).

    Returns
    -------
    pandas.DataFrame
        ``annee``, ``ateliers``, ``montants_connus``, ``montant_total_eur``,
        ``montant_moyen_eur`` (missing when no amount is known); every year from
        ``first_year``.
    """
    known_year = ateliers[ateliers["annee"].notna()]
    amounts = pd.to_numeric(known_year["montant_eur"], errors="coerce")
    rows = []
    for year in year_range(ateliers, first_year, last_year):
        values = amounts[known_year["annee"] == year].dropna().astype(float)
        rows.append(
            {
                "annee": year,
                "ateliers": int((known_year["annee"] == year).sum()),
                "montants_connus": len(values),
                "montant_total_eur": float(values.sum()),
                "montant_moyen_eur": float(values.mean()) if len(values) else None,
            }
        )
    return pd.DataFrame(rows)


def year_options(ateliers: pd.DataFrame, first_year: int) -> list[int]:
    """Years the year selector offers: from ``first_year`` to the last year, empty ones too."""
    if ateliers["annee"].dropna().empty:
        return []
    return year_range(ateliers, first_year, None)


def default_year(years: list[int], today: dt.date) -> int | None:
    """The year to show first: this year when offered, else the latest year offered."""
    if not years:
        return None
    return today.year if today.year in years else max(years)


def ateliers_of_year(ateliers: pd.DataFrame, year: int, dataset: Dataset) -> pd.DataFrame:
    """The ateliers of a year, readable: labels instead of keys, dates and communes as text.

    Returns
    -------
    pandas.DataFrame
        ``id``, ``titre``, ``statut_libelle``, ``echelle_libelle``, ``communes_noms``,
        ``departements``, ``themes_libelles``, ``equipe_libelle``, ``debut``, ``fin``,
        ``duree_mois``, ``montant_eur``, sorted by pipeline order then title.
    """
    programme = dataset.programme
    of_year = ateliers[ateliers["annee"] == year]
    order = {key: i for i, key in enumerate(programme.statuts.keys())}
    of_year = of_year.assign(_ordre=of_year["statut"].map(order)).sort_values(
        ["_ordre", "titre"], kind="stable"
    )
    durations = atelier_durations(of_year).set_index("id")["duree_mois"]
    return pd.DataFrame(
        {
            "id": of_year["id"],
            "titre": of_year["titre"],
            "statut_libelle": of_year["statut"].map(programme.statuts.label_of),
            "echelle_libelle": of_year["echelle"].map(programme.echelles.label_of),
            "communes_noms": of_year["communes_noms"],
            "departements": of_year["departements"].map(", ".join),
            "themes_libelles": of_year["themes"].map(
                lambda keys: " ; ".join(programme.themes.label_of(k) for k in keys)
            ),
            "equipe_libelle": of_year["equipe"].map(programme.equipes.label_of),
            "debut": of_year["date_debut"].map(iso_date),
            "fin": of_year["date_fin"].map(iso_date),
            "duree_mois": of_year["id"].map(durations).astype("Float64"),
            "montant_eur": pd.to_numeric(of_year["montant_eur"], errors="coerce"),
        }
    ).reset_index(drop=True)


def year_row(table: pd.DataFrame, year: int) -> dict:
    """The row of ``year`` in a yearly table (``annee`` column), as a dict; zeros if absent."""
    rows = table[table["annee"] == year]
    if rows.empty:
        return {c: (year if c == "annee" else 0) for c in table.columns}
    return rows.iloc[0].to_dict()


def ateliers_in_year(ateliers: pd.DataFrame, year: int) -> pd.DataFrame:
    """The ateliers of a year of selection (rows of ``ateliers``)."""
    return ateliers[ateliers["annee"] == year]
