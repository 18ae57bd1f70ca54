"""The printable national map: the figure's objects on a small register, and its files."""

from __future__ import annotations

import datetime as dt

import pytest

from atelierflash.carte import image as carte_image
from atelierflash.filters import FilterState

DAY = dt.date(2026, 12, 1)


def _texts(fig) -> dict[str, str]:
    return {t.get_gid(): t.get_text() for t in fig.texts if t.get_gid()}


def _legend(fig) -> list[str]:
    (legend,) = fig.legends
    return [t.get_text().replace("\n", " ") for t in legend.get_texts()]


@pytest.fixture
def figure(mini_dataset):
    fig = carte_image.national_figure(mini_dataset, "famille", generated=DAY)
    yield fig
    carte_image.plt.close(fig)


def test_one_axes_for_metropolitan_france_and_one_per_drom(figure):
    gids = [ax.get_gid() for ax in figure.axes]
    assert gids == ["metropole", "971", "972", "973", "974", "976"]
    titles = [ax.get_title(loc="left") for ax in figure.axes[1:]]
    assert titles == ["Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"]


def test_title_selection_and_source_lines(figure):
    texts = _texts(figure)
    assert texts["titre"] == (
        "Carte des territoires bénéficiaires des Ateliers Flash – données fictives"
    )
    # Public ateliers only: the candidature of Privas is not drawn.
    assert texts["selection"].startswith("6 atelier(s) publié(s) sur ")
    assert "depuis 2019" in texts["selection"]
    source = texts["source"].replace("\n", " ")
    assert source.startswith("DONNÉES FICTIVES")
    assert "Source : registre des Ateliers Flash (DGALN), Registre de test (fictif)" in source
    assert "le 1er décembre 2026" in source


def test_legend_lists_the_dimension_with_counts(figure):
    (legend,) = figure.legends
    assert legend.get_title().get_text().replace("\n", " ").startswith("Famille de thèmes")
    assert _legend(figure) == [
        "Transitions territoriales et urbaines (3)",
        "Transitions culturelles, sociales et économiques (1)",
        "Transitions environnementales et énergétiques (2)",
    ]


def test_communes_are_drawn_where_they_are(mini_dataset):
    selection = carte_image.select(mini_dataset, "famille")
    drawn = set(selection.communes["code"])
    assert "07186" not in drawn  # candidature: never public
    assert {"80253", "2A004", "97411"} <= drawn
    fig = carte_image.national_figure(mini_dataset, generated=DAY)
    try:
        by_gid = {ax.get_gid(): ax for ax in fig.axes}
        assert len(by_gid["974"].collections) >= 2  # ground, commune, dot
        assert len(by_gid["971"].collections) == 0  # no Guadeloupe in this référentiel
    finally:
        carte_image.plt.close(fig)


def test_filters_in_the_app_format_select_and_describe(mini_dataset):
    state = FilterState.from_query_params({"annees": "2021-2024", "theme": "friches"})
    fig = carte_image.national_figure(mini_dataset, "annee", state, generated=DAY)
    try:
        texts = _texts(fig)
        assert texts["selection"].startswith("2 atelier(s) publié(s)")
        assert "2021–2024 · thèmes : Aménagement des friches" in texts["selection"]
        assert _legend(fig) == ["2021 (1)", "2022 (1)"]
    finally:
        carte_image.plt.close(fig)


def test_most_recent_atelier_gives_the_colour(mini_dataset):
    # Doullens: 2019 atelier (communale) and the 2022 EPCI atelier; 2022 wins.
    selection = carte_image.select(mini_dataset, "annee")
    colours = {c.label: c.colour for c in selection.legend}
    doullens = selection.communes.set_index("code").loc["80253", "colour"]
    assert doullens == colours["2022"]


def test_unknown_dimension_and_format_are_refused(mini_dataset, tmp_path):
    with pytest.raises(ValueError, match="dimension inconnue : « couleur »"):
        carte_image.select(mini_dataset, "couleur")
    with pytest.raises(ValueError, match=r"format non pris en charge : « \.jpg »"):
        carte_image.save_national_map(mini_dataset, tmp_path / "carte.jpg")
    assert not (tmp_path / "carte.jpg").exists()


def test_an_unwritable_target_is_said_in_french_before_drawing(mini_dataset, tmp_path, monkeypatch):
    """Issue 9: the map was drawn, then written with ``Path.write_bytes`` (English errors)."""
    from atelierflash import ecriture

    drawn = []
    monkeypatch.setattr(carte_image, "national_map_bytes", lambda *a, **k: drawn.append(a) or b"")
    (tmp_path / "dossier.png").mkdir()
    with pytest.raises(ecriture.WriteError, match="est un dossier"):
        carte_image.save_national_map(mini_dataset, tmp_path / "dossier.png")
    with pytest.raises(ecriture.WriteError, match="n'existe pas"):
        carte_image.save_national_map(mini_dataset, tmp_path / "absent" / "carte.png")
    plain = tmp_path / "plain"
    plain.write_text("garder", encoding="utf-8")
    with pytest.raises(ecriture.WriteError, match="n'est pas un dossier"):
        carte_image.save_national_map(mini_dataset, plain / "carte.svg")
    assert drawn == []  # refused before the (slow) drawing


def test_png_is_a4_at_300_dpi_pdf_and_svg_are_written(mini_dataset, tmp_path):
    from PIL import Image

    png = carte_image.save_national_map(mini_dataset, tmp_path / "carte.png", generated=DAY)
    with Image.open(png) as image:
        width, height = image.size
        assert abs(width - 3508) <= 2 and abs(height - 2480) <= 2
        assert round(image.info["dpi"][0]) == 300
    pdf = carte_image.save_national_map(mini_dataset, tmp_path / "carte.pdf", generated=DAY)
    assert pdf.read_bytes().startswith(b"%PDF")
    svg = carte_image.save_national_map(mini_dataset, tmp_path / "carte.svg", generated=DAY)
    assert "Carte des territoires bénéficiaires" in svg.read_text(encoding="utf-8")


def _cli(*args: str):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    return subprocess.run(
        [sys.executable, "-m", "atelierflash", "carte-image", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.referentiel
def test_command_draws_the_real_register(tmp_path):
    out = tmp_path / "carte.pdf"
    result = _cli(str(out), "--registre", "data/ateliers.csv", "--dimension", "annee")
    assert result.returncode == 0, result.stderr
    assert f"Carte nationale écrite dans {out} : " in result.stdout
    assert "fictif" not in result.stdout  # the bundled public register is real
    assert out.read_bytes().startswith(b"%PDF")


@pytest.mark.referentiel
def test_command_refuses_unknown_theme_and_format(tmp_path):
    bad = _cli(str(tmp_path / "c.png"), "--registre", "data/ateliers.csv", "--themes", "santé")
    assert bad.returncode == 2
    assert "thème(s) inconnu(s) : santé ; clés possibles : revitalisation" in bad.stderr
    fmt = _cli(str(tmp_path / "c.gif"), "--registre", "data/ateliers.csv")
    assert fmt.returncode == 2 and "format non pris en charge" in fmt.stderr
    assert list(tmp_path.iterdir()) == []


def test_bytes_for_the_map_page_download(mini_dataset):
    state = FilterState.from_query_params({"annees": "2021-2024"})
    png = carte_image.national_map_bytes(mini_dataset, "png", "statut", state, generated=DAY)
    assert png.startswith(b"\x89PNG")
    assert carte_image.national_map_bytes(mini_dataset, "svg").startswith(b"<?xml")
    with pytest.raises(ValueError, match="format non pris en charge : « gif »"):
        carte_image.national_map_bytes(mini_dataset, "gif")
