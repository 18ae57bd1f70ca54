"""What a click designates, the side panel « fiche » and the search messages.

Every register value is escaped here: the fiche is HTML with no script, no style attribute from
the data and links only to http(s) URLs.
"""

from __future__ import annotations

import re

import pandas as pd

from atelierflash import palette
from atelierflash.formats import fmt_int, fmt_partial_date
from atelierflash.texte import cell_text, html_escape

_INSEE = re.compile(r"\((\d[\dAB]\d{3})\)")
_DEPARTEMENT = re.compile(r"\((\d{2}|2[AB]|97\d)\)")


def parse_click(text: str | None) -> tuple[str, str] | None:
    """What a clicked tooltip designates: ``("commune", code)`` or ``("departement", code)``.

    The tooltip's first line is « Nom (code) », written by ``carte.js`` from the référentiel
    (never from the register), so the first parenthesised code is the clicked place.
    """
    if not text:
        return None
    head = text.strip()
    match = _INSEE.search(head)
    if match and match.start() < 80:
        return ("commune", match.group(1))
    match = _DEPARTEMENT.search(head)
    if match and match.start() < 60:
        return ("departement", match.group(1))
    return None


def commune_codes(dataset, ateliers: pd.DataFrame) -> list[str]:
    """Distinct INSEE codes of the communes of ``ateliers``, in register order."""
    links = dataset.atelier_communes
    codes = links.loc[links["atelier_id"].isin(ateliers["id"]), "code"]
    return list(dict.fromkeys(codes))


def commune_heading(dataset, code: str) -> str:
    """« Doullens (80253) » from the référentiel."""
    com = dataset.referentiel.communes
    rows = com[(com["code"] == code) & com["type"].isin(("COM", "ARM"))]
    return f"{rows.iloc[0]['nom']} ({code})" if not rows.empty else code


def departement_heading(dataset, code: str) -> str:
    """« Somme (80) » from the référentiel."""
    deps = dataset.referentiel.departements
    rows = deps[deps["code"] == code]
    return f"{rows.iloc[0]['nom']} ({code})" if not rows.empty else code


def commune_ateliers(dataset, ateliers: pd.DataFrame, code: str) -> pd.DataFrame:
    """Rows of ``ateliers`` that include the commune ``code``, most recent first."""
    links = dataset.atelier_communes
    ids = set(links.loc[links["code"] == code, "atelier_id"])
    rows = ateliers[ateliers["id"].isin(ids)]
    return _recent_first(rows)


def departement_ateliers(ateliers: pd.DataFrame, code: str) -> pd.DataFrame:
    """Rows of ``ateliers`` touching the département ``code``, most recent first."""
    rows = ateliers[ateliers["departements"].map(lambda deps: code in deps)]
    return _recent_first(rows)


def _recent_first(rows: pd.DataFrame) -> pd.DataFrame:
    order = rows.assign(_y=rows["annee"].fillna(-1).astype(int))
    return order.sort_values(["_y", "id"], ascending=[False, True]).drop(columns="_y")


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) address, else ``None`` (never a ``javascript:`` link)."""
    if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
        return url
    return None


def _link(url: str, label: str) -> str:
    return (
        f'<a href="{html_escape(url)}" target="_blank" rel="noopener noreferrer">'
        f"{html_escape(label)}</a>"
    )


def atelier_html(dataset, row, fiche_link: str | None = None) -> str:
    """One atelier of a fiche as an ``<article>``: its public fields, every value escaped.

    Parameters
    ----------
    dataset : Dataset
    row : namedtuple
        A row of ``dataset.ateliers`` (from ``itertuples(index=False)``).
    fiche_link : str, optional
        Address of the atelier's own fiche (the app's fiche page), linked under its title.

    Returns
    -------
    str
        HTML with no script, no style attribute from the data and links only to http(s) URLs.
    """
    p = dataset.programme
    esc = html_escape
    fields: list[tuple[str, str]] = []
    year = "Année inconnue" if pd.isna(row.annee) else str(int(row.annee))
    fields.append(("Année", esc(year)))
    fields.append(("Statut", esc(p.statuts.label_of(row.statut) or "–")))
    fields.append(("Échelle", esc(p.echelles.label_of(row.echelle) or "–")))
    themes = [p.themes.label_of(t) for t in row.themes]
    fields.append(("Thèmes", esc(" ; ".join(themes)) if themes else "–"))
    fields.append(("Équipe", esc(p.equipes.label_of(row.equipe) or "non renseignée")))
    fields.append(("Pilote", esc(cell_text(row.pilote)) or "–"))
    start, end = fmt_partial_date(row.date_debut), fmt_partial_date(row.date_fin)
    if start or end:
        fields.append(("Dates", esc(f"{start or '?'} → {end or 'en cours'}")))
    if row.dates_animation:
        days = ", ".join(fmt_partial_date(d) for d in row.dates_animation)
        fields.append(("Animation sur place", esc(days)))
    if row.nb_communes > 1:
        names = str(row.communes_noms).split(", ")
        shown = ", ".join(names[:20]) + (f" et {len(names) - 20} autres" if len(names) > 20 else "")
        fields.append((f"Communes ({row.nb_communes})", esc(shown)))
    if row.livrables:
        items = []
        for label, url in row.livrables:
            safe = safe_url(url)
            items.append(_link(safe, label) if safe else esc(label))
        fields.append(("Livrables", " ; ".join(items)))
    source = safe_url(row.source_url)
    if source:
        fields.append(("Source", _link(source, source)))
    elif cell_text(row.source_url):
        fields.append(("Source", esc(cell_text(row.source_url))))
    else:
        fields.append(("Source", "non renseignée"))
    parts = ['<article class="af-atelier">']
    parts.append(f"<h3>{esc(cell_text(row.titre) or '(sans titre)')}</h3>")
    parts.append(f'<p class="af-id">{esc(row.id)}</p>')
    if fiche_link:
        parts.append(
            f'<p class="af-lien-fiche"><a href="{esc(fiche_link)}" target="_self">'
            "Fiche complète, à imprimer ou en PDF</a></p>"
        )
    parts.append("<dl>")
    for label, value in fields:
        parts.append(f"<dt>{esc(label)}</dt><dd>{value}</dd>")
    parts.append("</dl>")
    if cell_text(row.description):
        parts.append(f'<p class="af-desc">{esc(cell_text(row.description))}</p>')
    parts.append("</article>")
    return "".join(parts)


def fiche_html(dataset, rows: pd.DataFrame, heading: str, hidden: int = 0, fiche_url=None) -> str:
    """The side panel « fiche »: every atelier of ``rows``, all values escaped.

    Parameters
    ----------
    dataset : Dataset
    rows : pandas.DataFrame
        Ateliers to describe (rows of ``dataset.ateliers``).
    heading : str
        Title of the panel (the commune or the département), escaped too.
    hidden : int
        Ateliers of the same place left out by the filters (mentioned, not shown).
    fiche_url : callable, optional
        ``fiche_url(atelier_id) -> str``: the address of each atelier's fiche page, linked.

    Returns
    -------
    str
        HTML with no script, no style attribute from the data and links only to http(s) URLs.
    """
    esc = html_escape
    parts = [f'<section class="af-fiche"><h2>{esc(heading)}</h2>']
    if rows.empty:
        parts.append("<p>Aucun atelier de la sélection ici.</p>")
    else:
        parts.append(f'<p class="af-count">{fmt_int(len(rows))} atelier(s)</p>')
    for row in rows.itertuples(index=False):
        link = fiche_url(str(row.id)) if fiche_url else None
        parts.append(atelier_html(dataset, row, link))
    if hidden:
        parts.append(
            f'<p class="af-hidden">{fmt_int(hidden)} autre(s) atelier(s) ici, hors des filtres.</p>'
        )
    parts.append("</section>")
    return "".join(parts)


_DSFR = palette.DSFR
FICHE_CSS = f"""
<style>
.af-fiche h2 {{margin: 0 0 .2rem 0; font-size: 1.15rem; color: {_DSFR["bleu-france"]};}}
.af-fiche .af-count {{margin: 0 0 .6rem 0; color: {_DSFR["gris-200"]};}}
.af-fiche .af-atelier {{border-top: 1px solid {_DSFR["gris-925"]}; padding: .5rem 0;}}
.af-fiche h3 {{margin: 0; font-size: 1rem; line-height: 1.3;}}
.af-fiche .af-id {{margin: 0 0 .3rem 0; color: {_DSFR["gris-425"]}; font-size: .8rem;}}
.af-fiche dl {{display: grid; grid-template-columns: minmax(5.5em, max-content) 1fr; gap: .1rem .6rem; margin: 0;
  font-size: .88rem;}}
.af-fiche dt {{font-weight: 600; color: {_DSFR["gris-200"]};}}
.af-fiche dd {{margin: 0; overflow-wrap: anywhere;}}
.af-fiche .af-desc {{font-size: .85rem; color: {_DSFR["gris-200"]}; margin: .3rem 0 0 0;}}
.af-fiche .af-hidden {{font-size: .85rem; color: {_DSFR["gris-425"]};}}
.af-fiche a {{color: {_DSFR["bleu-france"]};}}
</style>
"""


def search_message(dataset, pool: pd.DataFrame, shown: pd.DataFrame, code: str) -> str:
    """Say in plain French whether the commune had an atelier, in the selection or the register.

    Parameters
    ----------
    dataset : Dataset
    pool : pandas.DataFrame
        Every atelier that may be published (unfiltered): ateliers outside it are never
        mentioned, not even as a count.
    shown : pandas.DataFrame
        The filtered selection on the map.
    code : str
        INSEE code of the commune.
    """
    com = dataset.referentiel.communes
    rows = com[(com["code"] == code) & com["type"].isin(("COM", "ARM"))]
    nom = str(rows.iloc[0]["nom"]) if not rows.empty else code
    dep = str(rows.iloc[0]["departement"]) if not rows.empty else ""
    place = f"{nom} ({dep}, {code})" if dep else f"{nom} ({code})"
    links = dataset.atelier_communes
    ids = set(links.loc[links["code"] == code, "atelier_id"]) & set(pool["id"])
    in_selection = int(shown["id"].isin(ids).sum())
    elsewhere = len(ids) - in_selection
    if in_selection:
        text = f"{place} a accueilli {fmt_int(in_selection)} atelier(s) de la sélection."
        if elsewhere:
            text += f" {fmt_int(elsewhere)} autre(s) hors des filtres."
        return text
    if elsewhere:
        return (
            f"{place} n'a aucun atelier dans la sélection affichée ; "
            f"{fmt_int(elsewhere)} atelier(s) hors des filtres."
        )
    return f"{place} n'a accueilli aucun atelier publié dans ce registre."


def hidden_count(dataset, pool: pd.DataFrame, shown: pd.DataFrame, place: tuple[str, str]) -> int:
    """Publishable ateliers of a clicked place that the filters leave out."""
    kind, code = place
    if kind == "commune":
        return len(commune_ateliers(dataset, pool, code)) - len(
            commune_ateliers(dataset, shown, code)
        )
    return len(departement_ateliers(pool, code)) - len(departement_ateliers(shown, code))
