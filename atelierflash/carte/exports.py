"""Exports of a selection of ateliers: CSV and GeoJSON with public fields only.

Rules, each tested:

- **Public ateliers only.** :func:`public_ateliers` keeps the rows the register marks as
  publishable (``public``: from « sélectionné » on, never a candidature, an éligible or an
  abandoned atelier, unless the register says otherwise for the published statuts).
- **Public fields only.** The columns are an allow-list (:data:`PUBLIC_FIELDS`);
  ``notes_internes``, ``motif_derogation``, amounts and purchase orders never leave the app.
- **No formula.** A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return is prefixed with an apostrophe, so a spreadsheet shows it as text
  (CSV injection, OWASP).
- **Fiction says so.** A demonstration register is marked as fictional in every export: a
  ``fictif`` column set to « oui » on every row and a warning at the top of the GeoJSON.
"""

from __future__ import annotations

import io
import json

import pandas as pd
import shapely

from atelierflash.formats import iso_date
from atelierflash.texte import cell_text

#: The columns of an export, in order (register names, so a CSV can be read back as a register).
PUBLIC_FIELDS = (
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
#: French headers of the table shown under the map.
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
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FICTION_WARNING = (
    "Données de démonstration fictives : ces ateliers sont inventés (communes réelles) et "
    "aucun n'est un Atelier Flash réel."
)


def public_ateliers(ateliers: pd.DataFrame) -> pd.DataFrame:
    """The publishable rows of ``ateliers`` (column ``public`` true), in their order."""
    if "public" not in ateliers:
        return ateliers.iloc[0:0]
    return ateliers[ateliers["public"].fillna(False).astype(bool)]


def neutralize(value: object) -> object:
    """Prefix a text that a spreadsheet would read as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


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


def display_frame(dataset, ateliers: pd.DataFrame) -> pd.DataFrame:
    """The table under the map: the export's columns with French headers (text shown as is)."""
    frame = export_frame(dataset, ateliers)
    return frame.rename(columns=DISPLAY_HEADERS)


def to_csv(dataset, ateliers: pd.DataFrame) -> bytes:
    """CSV (UTF-8 with BOM for spreadsheets, comma separator) of the publishable ``ateliers``."""
    frame = export_frame(dataset, ateliers)
    for column in frame.columns:
        if column != "annee":
            frame[column] = frame[column].map(neutralize)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\r\n")
    return buffer.getvalue().encode("utf-8-sig")


def to_geojson(dataset, ateliers: pd.DataFrame) -> bytes:
    """GeoJSON FeatureCollection: one feature per atelier, the union of its communes.

    Geometries are the référentiel's web geometries (EPSG:4326, 1e-5°). Property texts are
    neutralised like CSV cells (a GeoJSON is often opened as a table). A fictional register
    carries ``"fictif": true`` and an ``avertissement`` at the top level.
    """
    frame = export_frame(dataset, ateliers)
    geoms = dict(zip(dataset.communes["code"], dataset.communes.geometry, strict=True))
    features = []
    for record in frame.to_dict("records"):
        codes = [c for c in record["communes_insee"].split(" ; ") if c]
        parts = [geoms[c] for c in codes if geoms.get(c) is not None]
        geometry = shapely.union_all(parts) if parts else None
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


def filename(dataset, extension: str) -> str:
    """``ateliers_flash_demo_FICTIF.csv`` or ``ateliers_flash_public.geojson``."""
    stem = f"ateliers_flash_{dataset.source.key}"
    if dataset.fictif:
        stem += "_FICTIF"
    return f"{stem}.{extension}"
