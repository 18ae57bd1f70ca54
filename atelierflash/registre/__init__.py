"""The register: its columns, reading a register file into text cells, parsing cell values.

The face of the register's modules, one per concern:

- :mod:`~atelierflash.registre.colonnes`: the one declaration of the columns (:data:`COLUMNS`:
  canonical name, French label, accepted header spellings, description) and header matching
  (:func:`column_for_header`);
- :mod:`~atelierflash.registre.controle`: the checks of an incoming register file before it
  is read (missing, empty, extension, zip and XML bombs), without pandas or openpyxl;
- :mod:`~atelierflash.registre.lecture`: :func:`read_register`, which reads a CSV
  (:mod:`~atelierflash.registre.lecture_csv`) or XLSX
  (:mod:`~atelierflash.registre.lecture_xlsx`) file into a grid
  (:mod:`~atelierflash.registre.grille`), then a :class:`RegisterTable` of text cells; and
  :func:`read_table`, the same for another table's declared columns (a :class:`ColumnSet`:
  the feuille de route's actions);
- :mod:`~atelierflash.registre.valeurs`: the pure parsers of cell values used by
  :mod:`atelierflash.validation` (:func:`parse_year`, :func:`parse_date`, :func:`parse_amount`…).

Reading needs pandas; the rest does not. So that the command line can refuse a hostile file
in a fraction of a second (``from atelierflash.registre import controle``), this face loads
:mod:`~atelierflash.registre.lecture` (and pandas) only when :func:`read_register` or
:class:`RegisterTable` is first asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from atelierflash.registre.colonnes import (
    COLUMNS,
    COLUMNS_BY_NAME,
    LINE_COLUMN,
    LOCATION_COLUMNS,
    REGISTER,
    REQUIRED_COLUMNS,
    Column,
    ColumnSet,
    column_for_header,
)
from atelierflash.registre.controle import RegisterFileError, check_register_file
from atelierflash.registre.valeurs import (
    PartialDate,
    parse_amount,
    parse_bool_fr,
    parse_date,
    parse_dates,
    parse_year,
    split_values,
)

# Re-exported: the same key serves header matching here and vocabularies elsewhere.
from atelierflash.texte import normalize_key

if TYPE_CHECKING:
    from atelierflash.registre.lecture import RegisterTable, read_register, read_table
    from atelierflash.registre.lecture_xlsx import sheet_names

__all__ = [
    "COLUMNS",
    "COLUMNS_BY_NAME",
    "LINE_COLUMN",
    "LOCATION_COLUMNS",
    "REGISTER",
    "REQUIRED_COLUMNS",
    "Column",
    "ColumnSet",
    "PartialDate",
    "RegisterFileError",
    "RegisterTable",
    "check_register_file",
    "column_for_header",
    "normalize_key",
    "parse_amount",
    "parse_bool_fr",
    "parse_date",
    "parse_dates",
    "parse_year",
    "read_register",
    "read_table",
    "sheet_names",
    "split_values",
]

# The names of the reading module, loaded on first use (it imports pandas).
_LAZY = {
    "RegisterTable": "lecture",
    "read_register": "lecture",
    "read_table": "lecture",
    "sheet_names": "lecture_xlsx",
}


def __getattr__(name: str):
    """Load :func:`read_register` and :class:`RegisterTable` on first use (PEP 562)."""
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
