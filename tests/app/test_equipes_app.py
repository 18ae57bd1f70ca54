"""AppTest of the internal « Équipes et tourniquet » page."""

from __future__ import annotations

import pandas as pd
import pytest

from atelierflash.dataset import DEMO_REGISTER
from atelierflash.demo import generated_exceptions
from tests.app.analytics_helpers import metric

PAGE = "pages/equipes.py"


def _order_tables(at) -> list[pd.DataFrame]:
    """The order-by-order tables (``st.dataframe`` of a Styler) as DataFrames."""
    return [d.value for d in at.dataframe if "Titulaire attendu" in d.value.columns]


@pytest.mark.referentiel
def test_demo_register_finds_exactly_the_generated_exceptions(demo_app):
    at = demo_app(PAGE)
    assert at.title[0].value == "Équipes et tourniquet"
    expected = set(generated_exceptions(pd.read_csv(DEMO_REGISTER, dtype=str))["id"])
    assert len(expected) == 4
    assert metric(at, "Écarts à la règle") == "4"
    assert metric(at, "Dont écarts non justifiés") == "0"
    assert metric(at, "Bons datés par le début de l'atelier") == "0"
    tables = _order_tables(at)
    assert len(tables) == 2  # the two rotation agreements; 2019–2021 has none
    found = set()
    for table in tables:
        flagged = table[table["Écart"] != "conforme"]
        # Deviations come first, each with its motif.
        assert list(table["Écart"][: len(flagged)]) == list(flagged["Écart"])
        assert (flagged["Écart"] == "dérogation documentée").all()
        assert flagged["Motif de dérogation"].str.len().gt(0).all()
        assert (flagged["Titulaire"] != flagged["Titulaire attendu"]).all()
        found |= set(flagged["Atelier"])
    assert found == expected
    assert any("Toutes les dérogations" in s.value for s in at.success)
    # 2019–2021: a single provider, nothing to audit.
    assert any("Titulaire unique" in i.value for i in at.info)
    # The unconfirmed holder of 2021–2025 is flagged.
    assert any("titulaire non confirmé" in m.value for m in at.markdown)
    assert any("le prochain bon revient à" in m.value for m in at.markdown)


def test_mini_register_page(mini_app):
    at = mini_app(PAGE)
    assert not at.exception
    assert at.title[0].value == "Équipes et tourniquet"
    assert [t.label for t in at.tabs] == ["AC 2025-2029", "AC 2021-2025", "AC 2019-2021"]
    assert any("Page interne" in w.value for w in at.warning)
    assert any("Charge des équipes" in h.value for h in at.header)
