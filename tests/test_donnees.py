"""The shipped data files: the real register follows the programme's common survey."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REGISTER = ROOT / "data" / "ateliers.csv"
# Tests may look outside the repository (shipped files never do): CI lays shared/ beside the
# clone, a worktree has it a level or two higher.
SURVEY = Path("shared") / "data" / "registre_public.csv"


def _survey() -> Path:
    for parent in ROOT.parents:
        if (parent / SURVEY).is_file():
            return parent / SURVEY
    if os.environ.get("CI"):
        pytest.fail(f"relevé commun introuvable : {SURVEY} au-dessus de {ROOT}")
    pytest.skip("relevé commun absent (hors CI)")


def test_real_register_follows_the_common_survey():
    survey = _survey()
    assert REGISTER.read_text(encoding="utf-8") == survey.read_text(encoding="utf-8")


def test_blois_on_site_days_are_dated():
    line = next(x for x in REGISTER.read_text(encoding="utf-8").splitlines() if "AF-BLOIS" in x)
    assert "2021-06-02; 2021-06-03; 2021-06-04" in line
