"""The list under the map: an HTML table of the selection, in pages, in a chosen order.

The accessible alternative to the map is a real ``<table>`` (a caption, header cells with
``scope``, one row per atelier, the title linking to the atelier's fiche), not a canvas grid:
screen readers and keyboards read it as any table, it prints, and the browser loads no
table component before the map (Streamlit's data grid is about 1.5 MB of JavaScript, fetched
beside the map's own code). Every value is escaped with
:func:`atelierflash.texte.html_escape`; links go to the fiche page or to http(s) addresses
only. The downloads beside it carry every public field of the whole selection.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from atelierflash import palette
from atelierflash.carte.exports import DISPLAY_HEADERS, export_frame
from atelierflash.carte.fiche import safe_url
from atelierflash.dataset import public_ateliers as dataset_public_ateliers
from atelierflash.formats import fmt_int
from atelierflash.texte import html_escape, normalize_key

#: The columns of the list, in order (the downloads carry every public field).
LIST_COLUMNS = (
    "titre",
    "annee",
    "statut",
    "communes",
    "departements",
    "themes",
    "equipe",
    "source_url",
)
#: Orders of the list: key → (label, sort columns, ascending for each).
ORDERS: dict[str, tuple[str, tuple[str, ...], tuple[bool, ...]]] = {
    "recents": ("Année, les plus récents d'abord", ("_annee", "_titre"), (False, True)),
    "anciens": ("Année, les plus anciens d'abord", ("_annee", "_titre"), (True, True)),
    "titre": ("Titre, de A à Z", ("_titre",), (True,)),
    "departement": ("Département", ("departements", "_titre"), (True, True)),
}
#: Rows per page of the list.
PAGE_SIZE = 25


@dataclass(frozen=True)
class ListPage:
    """One page of the list: its HTML and where it sits in the selection."""

    html: str
    page: int
    pages: int
    first: int
    last: int
    total: int


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    """Number of pages for ``total`` rows (at least one, so an empty list still has a page).

    Examples
    --------
    >>> page_count(0), page_count(25), page_count(26)
    (1, 1, 2)
    """
    return max(1, math.ceil(total / size))


def list_page(
    dataset,
    ateliers: pd.DataFrame,
    *,
    order: str = "recents",
    page: int = 1,
    size: int = PAGE_SIZE,
    fiche_url: Callable[[str], str] | None = None,
) -> ListPage:
    """One page of the publishable ``ateliers`` as an accessible HTML table.

    Parameters
    ----------
    dataset : Dataset
    ateliers : pandas.DataFrame
        Rows of ``dataset.ateliers`` (the filtered selection); only publishable rows and
        public fields are shown (:func:`atelierflash.carte.export_frame`).
    order : str, optional
        A key of :data:`ORDERS`.
    page : int, optional
        1-based; brought back inside ``1 … page_count``.
    size : int, optional
        Rows per page.
    fiche_url : callable, optional
        ``fiche_url(id)`` gives the address of an atelier's fiche; the title links to it.

    Returns
    -------
    ListPage
    """
    if order not in ORDERS:
        raise ValueError(f"ordre inconnu : {order!r} (attendu : {', '.join(ORDERS)})")
    if size < 1:
        raise ValueError(f"size doit être un entier positif, pas {size!r}")
    # Sorted and cut before the page's rows are formatted: a page costs its 25 rows, not the
    # selection's thousand (the page's server also serves the map's files meanwhile).
    publishable = _sorted(dataset_public_ateliers(ateliers), order)
    total = len(publishable)
    pages = page_count(total, size)
    page = min(max(int(page), 1), pages)
    start = (page - 1) * size
    rows = export_frame(dataset, publishable.iloc[start : start + size])
    caption = (
        f"Ateliers de la sélection, {fmt_int(start + 1)} à {fmt_int(start + len(rows))} "
        f"sur {fmt_int(total)} ({ORDERS[order][0].lower()})"
        if total
        else "Aucun atelier publié ne correspond aux filtres."
    )
    return ListPage(
        html=_table(rows, caption, fiche_url),
        page=page,
        pages=pages,
        first=start + 1 if total else 0,
        last=start + len(rows),
        total=total,
    )


def _sorted(rows: pd.DataFrame, order: str) -> pd.DataFrame:
    """``rows`` of the register in ``order`` (keys from the raw columns)."""
    _, columns, ascending = ORDERS[order]
    keys = pd.DataFrame(
        {
            "_annee": rows["annee"].fillna(-1).astype(int),
            "_titre": rows["titre"].map(normalize_key),
            "departements": rows["departements"].map(lambda codes: " ".join(codes)),
        },
        index=rows.index,
    )
    ordered = keys.sort_values(list(columns), ascending=list(ascending), kind="stable").index
    return rows.loc[ordered]


def _table(rows: pd.DataFrame, caption: str, fiche_url) -> str:
    head = "".join(f'<th scope="col">{html_escape(DISPLAY_HEADERS[c])}</th>' for c in LIST_COLUMNS)
    body = "".join(_row(row, fiche_url) for row in rows.to_dict("records"))
    return (
        LIST_CSS + '<div class="af-liste" tabindex="0" role="region" '
        f'aria-label="{html_escape(caption)}"><table><caption>{html_escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _row(record: dict, fiche_url) -> str:
    cells = []
    for column in LIST_COLUMNS:
        value = record[column]
        text = "" if value is None or value is pd.NA else str(value)
        if column == "titre" and fiche_url is not None:
            cell = f'<a href="{html_escape(fiche_url(record["id"]))}">{html_escape(text)}</a>'
        elif column == "source_url" and safe_url(text):
            cell = (
                f'<a href="{html_escape(text)}" target="_blank" rel="noopener noreferrer">'
                'page de l\'atelier<span class="af-sr"> (nouvelle fenêtre)</span></a>'
            )
        else:
            cell = html_escape(text)
        tag = "th" if column == "titre" else "td"
        scope = ' scope="row"' if tag == "th" else ""
        cells.append(f"<{tag}{scope}>{cell}</{tag}>")
    return f"<tr>{''.join(cells)}</tr>"


_C = palette.DSFR
# DSFR-like table: grey header, thin rules, the header row kept in view while the list scrolls.
LIST_CSS = f"""
<style>
.af-liste {{max-height: 34rem; overflow: auto; border: 1px solid {_C["gris-925"]};}}
.af-liste:focus {{outline: 2px solid {_C["bleu-cumulus"]}; outline-offset: 2px;}}
.af-liste table {{border-collapse: collapse; width: 100%; font-size: .875rem; line-height: 1.4;}}
.af-liste caption {{text-align: left; font-weight: 700; padding: .5rem .75rem;}}
.af-liste thead th {{position: sticky; top: 0; background: {_C["gris-975"]}; text-align: left;
  border-bottom: 2px solid {_C["gris-200"]};}}
.af-liste th, .af-liste td {{padding: .4rem .75rem; vertical-align: top;
  border-bottom: 1px solid {_C["gris-925"]};}}
.af-liste tbody th {{font-weight: 500; text-align: left; min-width: 12rem;}}
.af-liste a {{color: {_C["bleu-france"]};}}
.af-liste .af-sr {{position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap;}}
</style>
"""
