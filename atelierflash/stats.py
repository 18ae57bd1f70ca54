"""Aggregations of a dataset for pages and charts (no Streamlit)."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from dataclasses import dataclass

import pandas as pd

from atelierflash.dataset import Dataset
from atelierflash.formats import fmt_int, iso_date
from atelierflash.programme import Programme


@dataclass(frozen=True)
class KeyFigures:
    """Headline figures computed from a register (never typed in)."""

    ateliers: int
    realises: int
    communes: int
    departements: int
    regions: int
    population: int
    montant_total: float
    montant_connu: int  # ateliers whose amount is known
    annee_inconnue: int


def key_figures(ateliers: pd.DataFrame, atelier_communes: pd.DataFrame) -> KeyFigures:
    """Compute the headline figures of a (possibly filtered) selection.

    Parameters
    ----------
    ateliers : pandas.DataFrame
        ``Dataset.ateliers`` or a filtered subset.
    atelier_communes : pandas.DataFrame
        ``Dataset.atelier_communes``; only the links of ``ateliers`` are counted, and a commune
        shared by several ateliers counts once.
    """
    links = atelier_communes[atelier_communes["atelier_id"].isin(ateliers["id"])]
    communes = links.drop_duplicates("code")
    amounts = pd.to_numeric(ateliers["montant_eur"], errors="coerce")
    return KeyFigures(
        ateliers=len(ateliers),
        realises=int((ateliers["statut"] == "realise").sum()),
        communes=len(communes),
        departements=communes["departement"].nunique(),
        regions=communes["region"].nunique(),
        population=int(communes["population"].fillna(0).sum()),
        montant_total=float(amounts.sum()),
        montant_connu=int(amounts.notna().sum()),
        annee_inconnue=int(ateliers["annee"].isna().sum()),
    )


def dataset_key_figures(dataset: Dataset) -> KeyFigures:
    """:func:`key_figures` of a whole dataset."""
    return key_figures(dataset.ateliers, dataset.atelier_communes)


def official_comparison(dataset: Dataset) -> pd.DataFrame:
    """The register's figures beside the official ones, with the gap stated plainly.

    Returns
    -------
    pandas.DataFrame
        Columns ``indicateur``, ``registre``, ``officiel`` (as published, e.g. « plus de 500 »),
        ``ecart`` (register − official value), ``source``, ``date``.
    """
    figures = dataset.programme.figures
    ateliers = dataset.ateliers
    realises = ateliers[ateliers["statut"] == "realise"]
    kf = key_figures(realises, dataset.atelier_communes)
    rows = [
        ("ateliers_realises", "Ateliers réalisés", kf.ateliers),
        ("communes_accompagnees", "Communes accompagnées (ateliers réalisés)", kf.communes),
    ]
    records = []
    for key, label, value in rows:
        fig = figures[key]
        records.append(
            {
                "indicateur": label,
                "registre": value,
                "officiel": fig.display(),
                "ecart": value - fig.value,
                "source": fig.source,
                "date": fig.date,
            }
        )
    return pd.DataFrame(records)


# =============================================================================================
# Programme analytics: thematic breakdowns and the yearly selection
# =============================================================================================
#
# Every function takes a (possibly filtered) selection of ``Dataset.ateliers`` and, where
# communes matter, ``Dataset.atelier_communes``; it returns a plain DataFrame whose columns the
# figures and the table alternatives share (``atelierflash.tables.COLUMNS`` gives their French
# headers). Counting rules, stated once:
#
# - an atelier counts once per theme it cites (a *mention*) and once per family it touches;
# - an intercommunal atelier counts once per région, département or population class it
#   touches, and each of its communes counts once (a commune shared by ateliers counts once);
# - an atelier without a known year counts in totals, never in a yearly series;
# - yearly series run over every year from the programme's launch, years without ateliers at 0.

#: Days in an average month, to express durations in months.
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class CoverageFigures:
    """Key figures of the thematic page, computed from a selection.

    Attributes
    ----------
    ateliers : int
    communes : int
        Distinct communes (a commune of two ateliers counts once).
    population : int
        Sum of the distinct communes' population (unknown populations count 0).
    communes_rurales : int
        Distinct communes under the rural threshold.
    communes_population_connue : int
    part_rurale : float or None
        ``communes_rurales / communes_population_connue``; ``None`` without any commune.
    seuil_rural : int
    sans_annee : int
        Ateliers of the selection without a known year.
    """

    ateliers: int
    communes: int
    population: int
    communes_rurales: int
    communes_population_connue: int
    part_rurale: float | None
    seuil_rural: int
    sans_annee: int


def selection_links(ateliers: pd.DataFrame, atelier_communes: pd.DataFrame) -> pd.DataFrame:
    """The (atelier, commune) links of the ateliers of a selection."""
    return atelier_communes[atelier_communes["atelier_id"].isin(ateliers["id"])]


def coverage_figures(
    ateliers: pd.DataFrame, atelier_communes: pd.DataFrame, rural_threshold: int
) -> CoverageFigures:
    """Ateliers, distinct communes, population covered and the share of rural communes.

    Parameters
    ----------
    ateliers : pandas.DataFrame
        ``Dataset.ateliers`` or a filtered subset.
    atelier_communes : pandas.DataFrame
        ``Dataset.atelier_communes``.
    rural_threshold : int
        A commune under this population is rural (``programme.analyses["seuil_rural"]``).

    Returns
    -------
    CoverageFigures
    """
    communes = selection_links(ateliers, atelier_communes).drop_duplicates("code")
    population = pd.to_numeric(communes["population"], errors="coerce")
    known = population.dropna()
    rural = int((known < rural_threshold).sum())
    return CoverageFigures(
        ateliers=len(ateliers),
        communes=len(communes),
        population=int(known.sum()),
        communes_rurales=rural,
        communes_population_connue=len(known),
        part_rurale=rural / len(known) if len(known) else None,
        seuil_rural=int(rural_threshold),
        sans_annee=int(ateliers["annee"].isna().sum()),
    )


def ateliers_by_family(ateliers: pd.DataFrame, programme: Programme) -> pd.DataFrame:
    """Ateliers per theme family, and the theme mentions behind them.

    An atelier counts once in each family it touches, even with two themes of the same family;
    ``mentions`` counts its themes of that family.

    Returns
    -------
    pandas.DataFrame
        One row per family in the programme's order: ``famille`` (key), ``libelle``,
        ``ateliers``, ``mentions``, ``part_ateliers`` (share of the selection's ateliers).
    """
    total = len(ateliers)
    rows = []
    for term in programme.familles.terms:
        in_family = ateliers["themes"].map(
            lambda themes, f=term.key: sum(programme.family_of(t) == f for t in themes)
        )
        count = int((in_family > 0).sum()) if total else 0
        rows.append(
            {
                "famille": term.key,
                "libelle": term.label,
                "ateliers": count,
                "mentions": int(in_family.sum()) if total else 0,
                "part_ateliers": count / total if total else None,
            }
        )
    return pd.DataFrame(rows)


def ateliers_by_theme(ateliers: pd.DataFrame, programme: Programme) -> pd.DataFrame:
    """Theme mentions: the ateliers citing each theme.

    A multi-theme atelier counts in each of its themes, so the column sums to the number of
    mentions, not of ateliers.

    Returns
    -------
    pandas.DataFrame
        One row per theme in the programme's order: ``theme`` (key), ``libelle``, ``famille``,
        ``famille_libelle``, ``ateliers`` (ateliers citing it = its mentions),
        ``part_ateliers`` (share of the selection's ateliers).
    """
    total = len(ateliers)
    counts = _theme_counts(ateliers)
    rows = []
    for term in programme.themes.terms:
        count = counts.get(term.key, 0)
        rows.append(
            {
                "theme": term.key,
                "libelle": term.label,
                "famille": term.family,
                "famille_libelle": programme.familles.label_of(term.family),
                "ateliers": count,
                "part_ateliers": count / total if total else None,
            }
        )
    return pd.DataFrame(rows)


def _theme_counts(ateliers: pd.DataFrame) -> dict[str, int]:
    counts: dict[str, int] = {}
    for themes in ateliers["themes"]:
        for theme in dict.fromkeys(themes):
            counts[theme] = counts.get(theme, 0) + 1
    return counts


def ateliers_without_theme(ateliers: pd.DataFrame) -> int:
    """Ateliers of the selection that cite no theme."""
    return int((ateliers["themes"].map(len) == 0).sum())


def ateliers_by_echelle(ateliers: pd.DataFrame, programme: Programme) -> pd.DataFrame:
    """Ateliers per échelle (each atelier once).

    Returns
    -------
    pandas.DataFrame
        ``echelle`` (key, empty for unknown), ``libelle``, ``ateliers``, ``part_ateliers``; one
        row per échelle of the vocabulary, plus « non renseignée » when some ateliers lack it.
    """
    total = len(ateliers)
    values = ateliers["echelle"].fillna("").astype(str)
    rows = [(t.key, t.label, int((values == t.key).sum())) for t in programme.echelles.terms]
    unknown = int((values == "").sum())
    if unknown:
        rows.append(("", "non renseignée", unknown))
    return pd.DataFrame(
        [
            {"echelle": k, "libelle": label, "ateliers": n, "part_ateliers": _share(n, total)}
            for k, label, n in rows
        ]
    )


def _share(count: int, total: int) -> float | None:
    return count / total if total else None


def ateliers_by_region(
    ateliers: pd.DataFrame, atelier_communes: pd.DataFrame, regions: pd.DataFrame
) -> pd.DataFrame:
    """Ateliers and distinct communes per région.

    An atelier whose communes lie in two régions counts once in each; a commune counts once.

    Parameters
    ----------
    ateliers, atelier_communes : pandas.DataFrame
    regions : pandas.DataFrame
        ``Referentiel.regions`` (``code``, ``nom``).

    Returns
    -------
    pandas.DataFrame
        ``region``, ``nom``, ``ateliers``, ``communes``, ``population`` (distinct communes),
        sorted by ateliers then name; only régions reached.
    """
    names = dict(zip(regions["code"], regions["nom"], strict=True))
    table = _by_area(ateliers, atelier_communes, "region")
    table.insert(1, "nom", table["region"].map(lambda c: names.get(c, c)))
    return _sort_counts(table)


def ateliers_by_departement(
    ateliers: pd.DataFrame,
    atelier_communes: pd.DataFrame,
    departements: pd.DataFrame,
    regions: pd.DataFrame,
) -> pd.DataFrame:
    """Ateliers and distinct communes per département (same rules as the régions).

    Returns
    -------
    pandas.DataFrame
        ``departement``, ``nom``, ``region_nom``, ``ateliers``, ``communes``, ``population``.
    """
    dep_names = dict(zip(departements["code"], departements["nom"], strict=True))
    dep_regions = dict(zip(departements["code"], departements["region"], strict=True))
    reg_names = dict(zip(regions["code"], regions["nom"], strict=True))
    table = _by_area(ateliers, atelier_communes, "departement")
    table.insert(1, "nom", table["departement"].map(lambda c: dep_names.get(c, c)))
    table.insert(
        2,
        "region_nom",
        table["departement"].map(lambda c: reg_names.get(dep_regions.get(c), "")),
    )
    return _sort_counts(table)


def _by_area(ateliers: pd.DataFrame, atelier_communes: pd.DataFrame, column: str) -> pd.DataFrame:
    links = selection_links(ateliers, atelier_communes).dropna(subset=[column])
    if links.empty:
        return pd.DataFrame(
            {column: pd.Series(dtype=str), "ateliers": [], "communes": [], "population": []}
        ).astype({"ateliers": int, "communes": int, "population": int})
    grouped = links.groupby(column)
    distinct = links.drop_duplicates("code").groupby(column)
    table = pd.DataFrame(
        {
            "ateliers": grouped["atelier_id"].nunique(),
            "communes": grouped["code"].nunique(),
            "population": pd.to_numeric(distinct["population"].sum(min_count=1), errors="coerce")
            .fillna(0)
            .astype(int),
        }
    )
    return table.rename_axis(column).reset_index()


def _sort_counts(table: pd.DataFrame) -> pd.DataFrame:
    return table.sort_values(["ateliers", "communes", "nom"], ascending=[False, False, True])[
        list(table.columns)
    ].reset_index(drop=True)


def population_class_labels(bounds: list[int] | tuple[int, ...]) -> list[str]:
    """French labels of the classes cut at ``bounds`` (``[2000, 10000, 50000]``).

    Returns
    -------
    list of str
        ``["moins de 2 000 hab.", "2 000 à 9 999 hab.", "10 000 à 49 999 hab.",
        "50 000 hab. et plus"]``: a class includes its lower bound.
    """
    bounds = sorted(int(b) for b in bounds)
    if not bounds:
        return ["toutes tailles"]
    labels = [f"moins de {fmt_int(bounds[0])} hab."]
    for low, high in itertools.pairwise(bounds):
        labels.append(f"{fmt_int(low)} à {fmt_int(high - 1)} hab.")
    labels.append(f"{fmt_int(bounds[-1])} hab. et plus")
    return labels


def population_class(population, bounds: list[int] | tuple[int, ...]) -> int | None:
    """Index of the class of ``population`` (``None`` when unknown)."""
    if population is None or pd.isna(population):
        return None
    return bisect.bisect_right(sorted(int(b) for b in bounds), int(population))


def ateliers_by_population_class(
    ateliers: pd.DataFrame, atelier_communes: pd.DataFrame, bounds: list[int] | tuple[int, ...]
) -> pd.DataFrame:
    """Distinct communes and ateliers per size of commune.

    Each commune counts once in its class; an atelier counts once in each class one of its
    communes falls into (an intercommunal atelier can touch two classes).

    Parameters
    ----------
    bounds : list of int
        Class bounds (``programme.analyses["classes_population"]``).

    Returns
    -------
    pandas.DataFrame
        ``classe`` (0, 1, …; -1 for unknown population), ``libelle``, ``communes``,
        ``ateliers``, ``population``; every class, empty ones at 0; the unknown class only when
        needed.
    """
    labels = population_class_labels(bounds)
    links = selection_links(ateliers, atelier_communes).copy()
    links["classe"] = links["population"].map(lambda p: population_class(p, bounds))
    links["classe"] = links["classe"].fillna(-1).astype(int)
    rows = []
    classes = list(range(len(labels)))
    if (links["classe"] == -1).any():
        classes.append(-1)
    for index in classes:
        part = links[links["classe"] == index]
        distinct = part.drop_duplicates("code")
        rows.append(
            {
                "classe": index,
                "libelle": labels[index] if index >= 0 else "population inconnue",
                "communes": len(distinct),
                "ateliers": part["atelier_id"].nunique(),
                "population": int(pd.to_numeric(distinct["population"]).fillna(0).sum()),
            }
        )
    return pd.DataFrame(rows)


def _year_range(ateliers: pd.DataFrame, first_year: int, last_year: int | None) -> list[int]:
    years = ateliers["annee"].dropna()
    high = int(years.max()) if len(years) else first_year
    if last_year is not None:
        high = max(high, int(last_year))
    low = min(first_year, int(years.min())) if len(years) else first_year
    return list(range(low, high + 1))


def theme_year_counts(
    ateliers: pd.DataFrame, programme: Programme, first_year: int | None = None
) -> pd.DataFrame:
    """Theme mentions per year (ateliers citing the theme that year).

    Parameters
    ----------
    first_year : int, optional
        First year of the series (default: the programme's launch year).

    Returns
    -------
    pandas.DataFrame
        Long form, one row per (theme, year): ``theme``, ``libelle``, ``annee`` (int, or
        ``None`` for the ateliers without a known year, present only when there are some),
        ``ateliers``. Every theme and every year from ``first_year`` to the last year appear.
    """
    first_year = first_year or programme.launch_year
    years: list[int | None] = list(_year_range(ateliers, first_year, None))
    if ateliers["annee"].isna().any():
        years.append(None)
    counts: dict[tuple[str, int | None], int] = {}
    for year, themes in zip(ateliers["annee"], ateliers["themes"], strict=True):
        key_year = None if pd.isna(year) else int(year)
        for theme in dict.fromkeys(themes):
            counts[(theme, key_year)] = counts.get((theme, key_year), 0) + 1
    rows = [
        {
            "theme": term.key,
            "libelle": term.label,
            "annee": year,
            "ateliers": counts.get((term.key, year), 0),
        }
        for term in programme.themes.terms
        for year in years
    ]
    table = pd.DataFrame(rows, columns=["theme", "libelle", "annee", "ateliers"])
    table["annee"] = table["annee"].astype("Int64")
    return table


def theme_cooccurrence(ateliers: pd.DataFrame, programme: Programme) -> pd.DataFrame:
    """Which themes go together: ateliers citing both themes of each pair.

    Returns
    -------
    pandas.DataFrame
        Square, indexed and labelled by theme keys in the programme's order; the diagonal holds
        the ateliers citing the theme, the rest the ateliers citing both (symmetric).
    """
    keys = programme.themes.keys()
    matrix = pd.DataFrame(0, index=keys, columns=keys, dtype=int)
    for themes in ateliers["themes"]:
        cited = [t for t in dict.fromkeys(themes) if t in matrix.index]
        for a in cited:
            for b in cited:
                matrix.loc[a, b] += 1
    matrix.index.name = "theme"
    return matrix


def theme_pairs(ateliers: pd.DataFrame, programme: Programme) -> pd.DataFrame:
    """The co-occurrence matrix as a list of pairs, most frequent first.

    Returns
    -------
    pandas.DataFrame
        ``theme_a``, ``theme_b`` (labels, in the programme's order), ``ateliers`` citing both;
        only pairs cited together at least once.
    """
    matrix = theme_cooccurrence(ateliers, programme)
    keys = list(matrix.index)
    rows = [
        {
            "theme_a": programme.themes.label_of(a),
            "theme_b": programme.themes.label_of(b),
            "ateliers": int(matrix.loc[a, b]),
        }
        for i, a in enumerate(keys)
        for b in keys[i + 1 :]
        if matrix.loc[a, b] > 0
    ]
    table = pd.DataFrame(rows, columns=["theme_a", "theme_b", "ateliers"])
    return table.sort_values("ateliers", ascending=False, kind="stable").reset_index(drop=True)


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
    years = _year_range(ateliers, first_year, last_year)
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
    years = _year_range(ateliers, first_year, last_year)
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


def geographic_spread(
    ateliers: pd.DataFrame,
    atelier_communes: pd.DataFrame,
    first_year: int,
    last_year: int | None = None,
    referentiel=None,
    programme: Programme | None = None,
) -> pd.DataFrame:
    """Régions, départements and communes reached per year by the selected ateliers.

    Selected: the statuts of ``[statuts] selectionnes`` in ``programme`` (default: the
    project's ``data/programme.toml``).

    « Nouveaux » are those no selected atelier of an earlier year had reached. Ateliers
    without a known year are left out.

    Returns
    -------
    pandas.DataFrame
        ``annee``, ``ateliers`` (selected), ``regions``, ``nouvelles_regions``,
        ``departements``, ``nouveaux_departements``, ``communes``, ``nouvelles_communes``,
        ``regions_cumul``, ``departements_cumul``, ``liste_nouvelles_regions`` and
        ``liste_nouveaux_departements`` (names when ``referentiel`` is given, else codes;
        comma-separated).
    """
    reg_names: dict = {}
    dep_names: dict = {}
    if referentiel is not None:
        reg_names = dict(zip(referentiel.regions["code"], referentiel.regions["nom"], strict=True))
        dep_names = {
            code: f"{code} – {nom}"
            for code, nom in zip(
                referentiel.departements["code"], referentiel.departements["nom"], strict=True
            )
        }
    selected = ateliers[is_selected(ateliers, programme) & ateliers["annee"].notna()]
    links = selection_links(selected, atelier_communes).merge(
        selected[["id", "annee"]], left_on="atelier_id", right_on="id"
    )
    seen: dict[str, set] = {"region": set(), "departement": set(), "code": set()}
    rows = []
    for year in _year_range(ateliers, first_year, last_year):
        of_year = links[links["annee"] == year]
        row: dict = {"annee": year, "ateliers": int((selected["annee"] == year).sum())}
        new: dict[str, list] = {}
        for column, total, fresh in (
            ("region", "regions", "nouvelles_regions"),
            ("departement", "departements", "nouveaux_departements"),
            ("code", "communes", "nouvelles_communes"),
        ):
            reached = set(of_year[column].dropna())
            new[column] = sorted(reached - seen[column])
            seen[column] |= reached
            row[total] = len(reached)
            row[fresh] = len(new[column])
        row["regions_cumul"] = len(seen["region"])
        row["departements_cumul"] = len(seen["departement"])
        row["liste_nouvelles_regions"] = ", ".join(reg_names.get(c, c) for c in new["region"])
        row["liste_nouveaux_departements"] = ", ".join(
            dep_names.get(c, c) for c in new["departement"]
        )
        rows.append(row)
    return pd.DataFrame(rows)


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
    for year in _year_range(ateliers, first_year, last_year):
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
    return _year_range(ateliers, first_year, None)


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
