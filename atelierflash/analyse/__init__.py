"""The analytics wing: the programme's figures, tables and charts, one module per concern.

Nothing here imports Streamlit. This package's face is what the pages, the Streamlit glue and
the tests use; each concern keeps its aggregations (tables of plain values) and, side by side,
its figures (plotly, one ``*_figures`` module):

- :mod:`~atelierflash.analyse.chiffres`: the home page's key figures, the comparison with the
  official figures, the coverage of a selection, and the counting basics the others share;
- :mod:`~atelierflash.analyse.selection` and :mod:`~atelierflash.analyse.selection_figures`:
  the yearly selection against the target, statuts, réalisés, durations, amounts, the calendar;
- :mod:`~atelierflash.analyse.thematiques` and :mod:`~atelierflash.analyse.thematiques_figures`:
  families, themes, échelles, themes per year and themes cited together;
- :mod:`~atelierflash.analyse.geographie` and :mod:`~atelierflash.analyse.geographie_figures`:
  régions, départements, sizes of commune, the spread year after year;
- :mod:`~atelierflash.analyse.rotation`: the tourniquet, an accord-cadre's rule replayed over
  its bons de commande;
- :mod:`~atelierflash.analyse.equipes` and :mod:`~atelierflash.analyse.equipes_figures`: the
  register's bons, the audit tables and the teams' workload;
- :mod:`~atelierflash.analyse.mise_en_page`: the one house layout of every figure (title block,
  source line, French formats, DSFR colours, count, year and month axes).

- :mod:`~atelierflash.analyse.suivi` and :mod:`~atelierflash.analyse.suivi_figures`: the
  programme's course: the funnel per year, the delays between steps, what is late or waits, the
  ateliers in progress.

- :mod:`~atelierflash.analyse.suites` and :mod:`~atelierflash.analyse.suites_figures`: what
  became of the feuilles de route: actions started and realised at each point d'étape, per
  year, theme, team and échelle, the time to the first action started, the points due.

A page reads its selection, calls a table function, hands the table to the matching figure
(with :func:`source_note`) and shows both: the chart and, beside it, the same table as the
accessible alternative and the download.
"""

import importlib

from atelierflash.analyse.chiffres import (
    CoverageFigures,
    KeyFigures,
    coverage_figures,
    dataset_key_figures,
    key_figures,
    official_comparison,
    selection_links,
)
from atelierflash.analyse.equipes import (
    RegisterOrders,
    all_deviations,
    atelier_periods,
    audit_register,
    cumulative_table,
    holder_year_table,
    lanes,
    load_display,
    monthly_load,
    order_csv,
    order_display,
    order_row_styles,
    order_table,
    peak_load,
    register_orders,
    rule_text,
    summary_display,
    team_colours,
    team_labels,
)
from atelierflash.analyse.geographie import (
    ateliers_by_departement,
    ateliers_by_population_class,
    ateliers_by_region,
    geographic_spread,
    population_class,
    population_class_labels,
)
from atelierflash.analyse.rotation import (
    AgreementAudit,
    Order,
    ReplayedOrder,
    RotationState,
    audit,
    group_by_agreement,
    holder_summary,
    next_holder,
    orders_of_atelier,
    replay,
    spread,
)
from atelierflash.analyse.selection import (
    amounts_by_year,
    atelier_durations,
    ateliers_in_year,
    ateliers_of_year,
    default_year,
    duration_summary,
    gap_text,
    is_selected,
    official_gap,
    realised_cumulative,
    selection_by_year,
    statut_pipeline,
    year_options,
    year_row,
)
from atelierflash.analyse.suites import (
    GROUPINGS,
    Suites,
    jalon_label,
    points_etape_dus,
    suites_ateliers,
    suites_json,
    suites_points,
    suites_synthese,
)
from atelierflash.analyse.suivi import (
    MOTIFS,
    SuiviSettings,
    a_traiter,
    ateliers_en_cours,
    delais,
    delais_ateliers,
    entonnoir,
    suivi_json,
    suivi_settings,
    suivi_text,
)
from atelierflash.analyse.thematiques import (
    ateliers_by_echelle,
    ateliers_by_family,
    ateliers_by_theme,
    ateliers_without_theme,
    theme_cooccurrence,
    theme_pairs,
    theme_year_counts,
)

# The figure modules import plotly (a fifth of a second): they are imported on first use of one
# of their names, so `python -m atelierflash suivi` and the validation never load it.
_LAZY = {
    "equipes_figures": (
        "cumulative_orders_figure",
        "holder_year_figure",
        "team_load_figure",
        "team_timeline_figure",
    ),
    "geographie_figures": (
        "areas_figure",
        "population_classes_figure",
        "spread_figure",
    ),
    "mise_en_page": (
        "MONTHS_SHORT",
        "month_ticks",
        "source_note",
        "source_of",
        "wrap",
    ),
    "selection_figures": (
        "amounts_figure",
        "durations_figure",
        "pipeline_figure",
        "points_etape_dus",
        "realised_vs_official_figure",
        "selection_figure",
        "timeline_figure",
    ),
    "suites_figures": (
        "first_start_figure",
        "suites_points_figure",
    ),
    "suivi_figures": (
        "delays_figure",
        "funnel_figure",
        "progress_timeline_figure",
    ),
    "thematiques_figures": (
        "cooccurrence_heatmap",
        "echelles_figure",
        "families_figure",
        "theme_year_heatmap",
        "themes_figure",
    ),
}
_HOME = {name: module for module, names in _LAZY.items() for name in names}


def __getattr__(name: str):
    """A name of a figure module, imported on first use (PEP 562)."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})


__all__ = [
    "GROUPINGS",
    "MONTHS_SHORT",
    "MOTIFS",
    "AgreementAudit",
    "CoverageFigures",
    "KeyFigures",
    "Order",
    "RegisterOrders",
    "ReplayedOrder",
    "RotationState",
    "Suites",
    "SuiviSettings",
    "a_traiter",
    "all_deviations",
    "amounts_by_year",
    "amounts_figure",
    "areas_figure",
    "atelier_durations",
    "atelier_periods",
    "ateliers_by_departement",
    "ateliers_by_echelle",
    "ateliers_by_family",
    "ateliers_by_population_class",
    "ateliers_by_region",
    "ateliers_by_theme",
    "ateliers_en_cours",
    "ateliers_in_year",
    "ateliers_of_year",
    "ateliers_without_theme",
    "audit",
    "audit_register",
    "cooccurrence_heatmap",
    "coverage_figures",
    "cumulative_orders_figure",
    "cumulative_table",
    "dataset_key_figures",
    "default_year",
    "delais",
    "delais_ateliers",
    "delays_figure",
    "duration_summary",
    "durations_figure",
    "echelles_figure",
    "entonnoir",
    "families_figure",
    "first_start_figure",
    "funnel_figure",
    "gap_text",
    "geographic_spread",
    "group_by_agreement",
    "holder_summary",
    "holder_year_figure",
    "holder_year_table",
    "is_selected",
    "jalon_label",
    "key_figures",
    "lanes",
    "load_display",
    "month_ticks",
    "monthly_load",
    "next_holder",
    "official_comparison",
    "official_gap",
    "order_csv",
    "order_display",
    "order_row_styles",
    "order_table",
    "orders_of_atelier",
    "peak_load",
    "pipeline_figure",
    "points_etape_dus",
    "population_class",
    "population_class_labels",
    "population_classes_figure",
    "progress_timeline_figure",
    "realised_cumulative",
    "realised_vs_official_figure",
    "register_orders",
    "replay",
    "rule_text",
    "selection_by_year",
    "selection_figure",
    "selection_links",
    "source_note",
    "source_of",
    "spread",
    "spread_figure",
    "statut_pipeline",
    "suites_ateliers",
    "suites_json",
    "suites_points",
    "suites_points_figure",
    "suites_synthese",
    "suivi_json",
    "suivi_settings",
    "suivi_text",
    "summary_display",
    "team_colours",
    "team_labels",
    "team_load_figure",
    "team_timeline_figure",
    "theme_cooccurrence",
    "theme_pairs",
    "theme_year_counts",
    "theme_year_heatmap",
    "themes_figure",
    "timeline_figure",
    "wrap",
    "year_options",
    "year_row",
]
