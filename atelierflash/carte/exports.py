"""Exports of a selection of ateliers: CSV and GeoJSON with public fields only.

Rules, each tested:

- **Public ateliers only.** :func:`public_ateliers` keeps the rows the register marks as
  publishable (``public``: the statuts of ``[statuts] publies`` in ``programme.toml``, today
  from « sélectionné » on, never those of ``jamais_publies``, unless the register withdraws a
  row).
- **No personal data.** E-mail addresses and phone numbers typed in public text fields (the
  pilote names a service, not an agent) are replaced by « [coordonnées retirées] ».
- **Public fields only.** The columns are the one allow-list (:data:`acces.PUBLIC_FIELDS`);
  ``notes_internes``, ``motif_derogation``, amounts and purchase orders never leave the app.
- **No formula.** The CSV is written by the one writer (:mod:`atelierflash.ecriture`: ``;``,
  UTF-8 with BOM): a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return is prefixed with an apostrophe (CSV injection, OWASP); GeoJSON texts likewise.
- **Fiction says so.** A demonstration register is marked as fictional in every export: a
  ``fictif`` column set to « oui » on every row and a warning at the top of the GeoJSON.
"""

from __future__ import annotations

import json

import pandas as pd
import shapely

from atelierflash import acces
from atelierflash.dataset import public_ateliers as dataset_public_ateliers
from atelierflash.ecriture import FICTION_WARNING, csv_bytes, neutralize, xlsx_bytes
from atelierflash.formats import iso_date
from atelierflash.programme import load_points_etape
from atelierflash.texte import cell_text, without_contacts
from atelierflash.validation import PUBLIC_TEXT_COLUMNS

#: The columns of an export, in order: the one allow-list of public fields, declared in ``acces``.
PUBLIC_FIELDS = acces.PUBLIC_FIELDS
#: French headers of the list under the map (:mod:`atelierflash.carte.liste`).
DISPLAY_HEADERS = {
    "id": "Identifiant",
    "titre": "Titre",
    "annee": "Année",
    "statut": "Statut",
    "echelle": "Échelle",
    "themes": "Thèmes",
    "familles": "Familles",
    "equipe": "Équipe",
    "pilote": "Pilote",
    "date_debut": "Début",
    "date_fin": "Fin",
    "dates_animation": "Animation",
    "livrables": "Livrables",
    "description": "Description",
    "source_url": "Source",
    "communes_insee": "Codes INSEE",
    "communes": "Communes",
    "departements": "Départements",
    "regions": "Régions",
    "fictif": "Fictif",
}


def public_ateliers(ateliers: pd.DataFrame) -> pd.DataFrame:
    """The publishable rows of ``ateliers``, public text without personal data.

    Every public output starts here (the map, its fiche, the table, the downloads, the public
    page and its ``fiches.js``): rows whose ``public`` column is true, in their order, with every
    e-mail address and phone number of the public text fields replaced by « [coordonnées
    retirées] » (validation warns about them).
    """
    rows = dataset_public_ateliers(ateliers)
    columns = [c for c in PUBLIC_TEXT_COLUMNS if c in rows.columns]
    if rows.empty or not columns:
        return rows
    cleaned = {c: rows[c].map(_without_contacts) for c in columns}
    if "livrables" in cleaned:  # (label, url) pairs
        cleaned["livrables"] = rows["livrables"].map(
            lambda items: (
                tuple((without_contacts(label), url) for label, url in items)
                if isinstance(items, tuple)
                else items
            )
        )
    return rows.assign(**cleaned)


def public_selection(pool: pd.DataFrame, ateliers: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``pool`` that are also in ``ateliers`` (by index), in ``pool``'s order.

    ``pool`` is :func:`public_ateliers` of the whole register, computed once per register
    version; a filtered selection is then a cheap look-up instead of cleaning its text again
    (the same rows as ``public_ateliers(ateliers)`` when ``ateliers`` is a selection of the
    register's rows).
    """
    return pool[pool.index.isin(ateliers.index)]


def _without_contacts(value: object) -> object:
    return without_contacts(value) if isinstance(value, str) else value


def export_frame(dataset, ateliers: pd.DataFrame) -> pd.DataFrame:
    """The public fields of the publishable ``ateliers``, as French text (labels, ISO dates).

    Parameters
    ----------
    dataset : Dataset
    ateliers : pandas.DataFrame
        Rows of ``dataset.ateliers`` (e.g. the filtered selection).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PUBLIC_FIELDS`; ``annee`` is an Int64, every other cell is text.
        Values are not neutralised here (see :func:`to_csv`).
    """
    p = dataset.programme
    rows = public_ateliers(ateliers)
    ref = dataset.referentiel
    dep_names = dict(zip(ref.departements["code"], ref.departements["nom"], strict=True))
    reg_names = dict(zip(ref.regions["code"], ref.regions["nom"], strict=True))
    fictif = bool(dataset.source.fictif)
    records = []
    for row in rows.itertuples(index=False):
        records.append(
            {
                "id": row.id,
                "titre": cell_text(row.titre),
                "annee": row.annee,
                "statut": p.statuts.label_of(row.statut),
                "echelle": p.echelles.label_of(row.echelle),
                "themes": " ; ".join(p.themes.label_of(t) for t in row.themes),
                "familles": " ; ".join(p.familles.label_of(f) for f in row.familles),
                "equipe": p.equipes.label_of(row.equipe),
                "pilote": cell_text(row.pilote),
                "date_debut": iso_date(row.date_debut),
                "date_fin": iso_date(row.date_fin),
                "dates_animation": " ; ".join(iso_date(d) for d in row.dates_animation),
                "livrables": " ; ".join(
                    f"{label} : {url}" if url else label for label, url in row.livrables
                ),
                "description": cell_text(row.description),
                "source_url": cell_text(row.source_url),
                "communes_insee": " ; ".join(row.communes),
                "communes": cell_text(row.communes_noms),
                "departements": " ; ".join(
                    f"{c} {dep_names.get(c, '')}".strip() for c in row.departements
                ),
                "regions": " ; ".join(reg_names.get(c, c) for c in row.regions),
                "fictif": "oui" if (fictif or bool(row.fictif)) else "non",
            }
        )
    frame = pd.DataFrame(records, columns=list(PUBLIC_FIELDS))
    frame["annee"] = frame["annee"].astype("Int64")
    return frame


def to_csv(dataset, ateliers: pd.DataFrame, frame: pd.DataFrame | None = None) -> bytes:
    """CSV of the publishable ``ateliers``, written by the one writer (:mod:`atelierflash.ecriture`).

    UTF-8 with BOM, ``;`` between cells, formulas neutralised; the ``fictif`` column already
    marks fiction on every row. ``frame``: their :func:`export_frame` when already computed.
    """
    return csv_bytes(export_frame(dataset, ateliers) if frame is None else frame)


def to_xlsx(dataset, ateliers: pd.DataFrame, sheet: str = "Ateliers") -> bytes:
    """XLSX of the publishable ``ateliers`` (public fields), written by the one writer.

    Typed cells, no formula; a fictional register is said in the sheet.
    """
    return xlsx_bytes(export_frame(dataset, ateliers), fictif=dataset.fictif, sheet=sheet)


def to_geojson(dataset, ateliers: pd.DataFrame, frame: pd.DataFrame | None = None) -> bytes:
    """GeoJSON FeatureCollection: one feature per atelier, the union of its communes.

    Geometries are the référentiel's web geometries (EPSG:4326, 1e-5°). Property texts are
    neutralised like CSV cells (a GeoJSON is often opened as a table). A fictional register
    carries ``"fictif": true`` and an ``avertissement`` at the top level. ``frame``: their
    :func:`export_frame` when already computed.
    """
    frame = export_frame(dataset, ateliers) if frame is None else frame
    geoms = dict(zip(dataset.communes["code"], dataset.communes.geometry, strict=True))
    features = []
    for record in frame.to_dict("records"):
        codes = [c for c in record["communes_insee"].split(" ; ") if c]
        parts = [geoms[c] for c in codes if geoms.get(c) is not None]
        # One commune (most ateliers) is its own geometry; several are a coverage (the
        # référentiel's communes share their edges), merged edge by edge: a tenth of the time
        # of a general union.
        geometry = (
            (parts[0] if len(parts) == 1 else shapely.coverage_union_all(parts)) if parts else None
        )
        properties = {}
        for key, value in record.items():
            if key == "annee":
                properties[key] = None if pd.isna(value) else int(value)
            elif key == "fictif":
                properties[key] = value == "oui"
            else:
                properties[key] = neutralize(value)
        features.append(
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(geometry) if geometry is not None else None,
                "properties": properties,
            }
        )
    collection: dict = {"type": "FeatureCollection"}
    if dataset.fictif:
        collection["fictif"] = True
        collection["avertissement"] = FICTION_WARNING
    collection["source"] = dataset.source.label
    collection["features"] = features
    return json.dumps(collection, ensure_ascii=False).encode("utf-8")


def filename(dataset, extension: str, table: str = "ateliers") -> str:
    """A public file's name: ``ateliers_flash_demo_FICTIF.csv``, ``actions_flash_public.csv``.

    ``table``: what the file holds, first word of its name (``"actions"`` for the feuilles de
    route's public actions).
    """
    stem = f"{table}_flash_{dataset.source.key}"
    if dataset.fictif:
        stem += "_FICTIF"
    return f"{stem}.{extension}"


# -- the feuille de route ----------------------------------------------------------------------
#: The columns of a public file of actions (open data), in order: the public columns of
#: :data:`atelierflash.acces.PUBLIC_ACTION_COLUMNS` as text, and ``fictif``.
PUBLIC_ACTION_FIELDS: tuple[str, ...] = (
    *(c for c in acces.PUBLIC_ACTION_COLUMNS if c != "echeance_fin"),
    "fictif",
)
#: Columns an internal download of actions adds (never in a public output).
INTERNAL_ACTION_FIELDS: tuple[str, ...] = ("budget_eur", "financements", "public", "note")


def public_actions(dataset, ateliers: pd.DataFrame) -> pd.DataFrame:
    """The feuille de route's actions every public output shows.

    :func:`atelierflash.acces.public_actions` of the publishable ``ateliers``: the actions
    marked public of those ateliers, their public columns only, without contacts. ``dataset``
    may be the internal register or its public view (whose actions are already those).

    Parameters
    ----------
    dataset : Dataset
    ateliers : pandas.DataFrame
        Rows of ``dataset.ateliers``; only the publishable ones count (:func:`public_ateliers`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`atelierflash.acces.PUBLIC_ACTION_COLUMNS`, in the register's order.
    """
    ids = set(public_ateliers(ateliers)["id"].astype(str))
    actions = dataset.actions
    if not actions.empty and "public" not in actions.columns:
        # A public view's actions (acces.public_view) no longer carry their flag: they are
        # public ones already; filter them by atelier all the same.
        actions = actions.assign(public=True)
    return acces.public_actions(actions, ids)


def public_actions_by_atelier(dataset, ateliers: pd.DataFrame) -> dict[str, list[dict]]:
    """:func:`public_actions` as records, by atelier id (the public page's fiches).

    A fiche left to itself shows every action of an internal register: the public export
    passes it these instead. Plain records, since building 150 fiches from per-atelier frames
    took a second of pandas overhead.
    """
    grouped: dict[str, list[dict]] = {}
    for record in public_actions(dataset, ateliers).to_dict("records"):
        grouped.setdefault(str(record["atelier"]), []).append(record)
    return grouped


def actions_frame(dataset, actions: pd.DataFrame) -> pd.DataFrame:
    """Actions as French text for a file: labels, échéance as ISO text, ``fictif``.

    Parameters
    ----------
    dataset : Dataset
    actions : pandas.DataFrame
        Rows of ``dataset.actions`` (internal: every column) or :func:`public_actions`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PUBLIC_ACTION_FIELDS` (``fictif`` last), plus
        the statut at each point d'étape (``statut_6_mois``…) and :data:`INTERNAL_ACTION_FIELDS`
        before ``fictif`` when ``actions`` has them; ``budget_eur`` stays a number. Values are not neutralised here (the one writer does it).
    """
    p = dataset.programme
    # The statuts at each point d'étape are the office's follow-up: internal, like the budget.
    points = [c.statut_column for c in load_points_etape() if c.statut_column in actions.columns]
    internal = [*points, *(c for c in INTERNAL_ACTION_FIELDS if c in actions.columns)]
    columns = [*PUBLIC_ACTION_FIELDS[:-1], *internal, "fictif"]
    fictional = set()
    if "fictif" in dataset.ateliers.columns:
        flags = dataset.ateliers["fictif"].fillna(False).astype(bool)
        fictional = set(dataset.ateliers.loc[flags, "id"].astype(str))
    records = []
    for record in actions.to_dict("records"):
        out = {
            "atelier": cell_text(record.get("atelier")),
            "axe": cell_text(record.get("axe")),
            "action": cell_text(record.get("action")),
            "theme": _label(p.themes, record.get("theme")),
            "priorite": _label(p.priorites, record.get("priorite")),
            "porteur": cell_text(record.get("porteur")),
            "echeance": cell_text(record.get("echeance")),
            "statut": _label(p.statuts_action, record.get("statut")),
        }
        for column in internal:
            value = record.get(column)
            if column in points:
                out[column] = _label(p.statuts_action, value)
            elif column == "public":
                out[column] = "oui" if value is not None and not pd.isna(value) and value else "non"
            elif column == "budget_eur":
                out[column] = None if value is None or pd.isna(value) else float(value)
            else:
                out[column] = cell_text(value)
        fictif = bool(dataset.source.fictif) or out["atelier"] in fictional
        out["fictif"] = "oui" if fictif else "non"
        records.append(out)
    return pd.DataFrame(records, columns=columns)


def _label(vocabulary, key) -> str:
    return vocabulary.label_of(key) if isinstance(key, str) and key else ""


def actions_csv(dataset, actions: pd.DataFrame) -> bytes:
    """CSV of ``actions`` (:func:`actions_frame`), written by the one writer."""
    return csv_bytes(actions_frame(dataset, actions))


def actions_xlsx(dataset, actions: pd.DataFrame, sheet: str = "Actions") -> bytes:
    """XLSX of ``actions`` (:func:`actions_frame`), written by the one writer."""
    return xlsx_bytes(actions_frame(dataset, actions), fictif=dataset.fictif, sheet=sheet)
