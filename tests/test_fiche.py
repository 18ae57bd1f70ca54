"""The fiche of one atelier: facts, territory, small map, escaping, the printable PDF."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

from atelierflash import fiche

DAY = dt.date(2026, 12, 1)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(text: str) -> _Tags:
    parser = _Tags()
    parser.feed(text)
    return parser


def test_fiche_lists_facts_and_territory(mini_dataset):
    row = fiche.find_atelier(mini_dataset, "T-2019-1")
    page = fiche.fiche_html(mini_dataset, row)
    text = " ".join(_parse(page).text)
    for expected in (
        "Centre-bourg de Doullens (fictif)",
        "Année de sélection",
        "2019",
        "réalisé",
        "communale",
        "Revitalisation des centre-villes et centre-bourgs",
        "Atelier de l'Ourcq",
        "DDT(M) 80 – Somme",
        "octobre 2019 → mars 2020",
        "2 décembre 2019, 3 décembre 2019",
        "Doullens",
        "(80253)",
        "CC du Territoire Nord Picardie (200070951)",
        "Somme (80)",
        "Hauts-de-France (32)",
        "6\u202f000 hab.",
        "Atelier fictif",
    ):
        assert expected in text, expected
    anchors = [a for tag, a in _parse(page).tags if tag == "a"]
    assert [a["href"] for a in anchors] == ["https://example.org/fdr.pdf"]
    assert all(a["rel"] == "noopener noreferrer" for a in anchors)


def test_epci_atelier_lists_its_communes_and_population(mini_dataset):
    land = fiche.territory(mini_dataset, "T-2022-1")
    assert sorted(code for code, _, _ in land.communes) == ["80253", "80620"]
    assert land.population == 6200
    assert land.epci == ["CC du Territoire Nord Picardie (200070951)"]


def test_hostile_title_stays_text(mini_dataset):
    row = fiche.find_atelier(mini_dataset, "T-2022-1")
    page = fiche.fiche_html(mini_dataset, row)
    parsed = _parse(page).tags
    tags = [tag for tag, _ in parsed]
    assert "script" not in tags
    # The one image is the small map, an SVG data URL; the title's <img> stayed text.
    images = [a for tag, a in parsed if tag == "img"]
    assert [a["class"] for a in images] == ["af-svg"]
    assert images[0]["src"].startswith("data:image/svg+xml;base64,")
    assert all(not k.startswith("on") for _, a in parsed for k in a)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert not re.search(r"\son\w+=", page.replace("onerror=alert", ""))


def test_small_map_is_inline_svg_of_the_communes(mini_dataset):
    svg = fiche.communes_svg(mini_dataset, "T-2022-1")
    tags = _parse(svg).tags
    assert tags[0][0] == "svg" and tags[0][1]["role"] == "img"
    assert "Doullens" in tags[0][1]["aria-label"]
    fills = [a.get("fill") for tag, a in tags if tag == "path"]
    assert fills.count("#000091") == 2  # the two communes
    assert "href" not in svg and "http://" not in svg.replace("http://www.w3.org/2000/svg", "")
    # In a fiche it travels as an image (st.html drops inline SVG), its label as alt text.
    (img,) = [a for tag, a in _parse(fiche.communes_img(mini_dataset, "T-2022-1")).tags]
    assert img["alt"] == tags[0][1]["aria-label"]
    import base64

    assert base64.b64decode(img["src"].split(",", 1)[1]).decode() == svg


def test_unknown_atelier_is_none(mini_dataset):
    assert fiche.find_atelier(mini_dataset, "absent") is None


def test_document_has_print_rules_and_the_fiche(mini_dataset):
    row = fiche.find_atelier(mini_dataset, "T-2021-1")
    doc = fiche.fiche_document(mini_dataset, row, DAY)
    assert doc.startswith("<!doctype html>") and '<html lang="fr">' in doc
    assert "@page {size: A4" in doc and "@media print" in doc
    assert "Fiche éditée le 1er décembre 2026" in doc
    assert "<title>Fiche synthétique – Friche d&#39;Abbeville (fictif) – données fictives" in doc


def test_pdf_is_one_or_two_a4_pages_with_marianne(mini_dataset):
    row = fiche.find_atelier(mini_dataset, "T-2019-1")
    document = fiche.render_fiche(mini_dataset, row, DAY)
    assert 1 <= len(document.pages) <= 2
    page = document.pages[0]
    assert (round(page.width * 25.4 / 96), round(page.height * 25.4 / 96)) == (210, 297)
    raw = document.write_pdf(uncompressed_pdf=True)
    assert raw.startswith(b"%PDF")
    assert re.search(rb"/FontName /[A-Z]{6}\+Marianne", raw)  # the DSFR's font, embedded
    assert fiche.fiche_pdf(mini_dataset, row, DAY).startswith(b"%PDF")


def test_a_large_atelier_stays_within_two_pages(mini_dataset, monkeypatch):
    row = fiche.find_atelier(mini_dataset, "T-2022-1")
    long_text = "Une description très longue. " * 60
    document = fiche.render_fiche(mini_dataset, row._replace(description=long_text), DAY)
    assert len(document.pages) <= 2


def test_filename_is_safe(mini_dataset):
    row = fiche.find_atelier(mini_dataset, "T-2019-1")
    assert fiche.fiche_filename(mini_dataset, row) == "fiche_T-2019-1_FICTIF.pdf"


def test_map_side_panel_links_each_atelier_to_its_fiche_page(mini_dataset):
    from atelierflash import carte

    rows = carte.commune_ateliers(mini_dataset, mini_dataset.ateliers, "80253")
    panel = carte.fiche_html(
        mini_dataset, rows, "Doullens (80253)", fiche_url=lambda i: f"atelier?id={i}"
    )
    hrefs = [a["href"] for tag, a in _parse(panel).tags if tag == "a"]
    assert "atelier?id=T-2019-1" in hrefs and "atelier?id=T-2022-1" in hrefs
    assert "atelier?id=" not in carte.fiche_html(mini_dataset, rows, "Doullens (80253)")
