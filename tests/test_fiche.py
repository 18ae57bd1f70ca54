"""The fiche of one atelier: facts, territory, small map, escaping, the printable PDF."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest

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


# -- the feuille de route on the fiche (issue 19 §4) ---------------------------------------------
@pytest.fixture(scope="module")
def with_route(mini_dataset, tmp_path_factory):
    from tests.fiche_actions import with_actions

    return with_actions(mini_dataset, tmp_path_factory.mktemp("actions"))


def _section(page: str) -> str:
    start = page.index('<section class="af-feuille-de-route"')
    return page[start : page.index("</section>", start)]


def test_internal_fiche_shows_every_action_by_axe_with_its_progress(with_route):
    row = fiche.find_atelier(with_route, "T-2019-1")
    section = _section(fiche.fiche_html(with_route, row))
    text = " ".join(" ".join(_parse(section).text).split())
    assert "Feuille de route" in text
    # Engaged: en cours or réalisé (the share the programme follows).
    assert "2 actions sur 4 engagées (statut en cours ou réalisé), dont 1 réalisée" in text
    # Grouped by axe in the order they come; an action without axe comes last.
    headings = [t for t in re.findall(r'<h4 class="af-axe">(.*?)</h4>', section)]
    assert headings == ["Cœur de bourg", "&lt;b&gt;Axe&lt;/b&gt; &amp; co", "Autres actions"]
    for expected in (
        "Rouvrir la halle (fictif)",
        "SECRET-ACTION-NON-PUBLIQUE (fictif)",
        "Priorité : élevée",
        "Porteur : Commune",
        "Échéance : 2021",
        "Échéance : juin 2027",
        "réalisé",
        "abandonné",
        "en cours",
        "à venir",
    ):
        assert expected in text, expected
    # Internal: the action kept from the public says so; never its budget, financements, note.
    assert text.count("non publiée") == 1
    assert "SECRET-NOTE" not in section and "SECRET-FINANCEMENT" not in section
    assert "987" not in section


def test_public_fiche_shows_public_actions_only(with_route):
    from atelierflash import acces

    view = acces.public_view(with_route)
    row = fiche.find_atelier(view, "T-2019-1")
    page = fiche.fiche_html(view, row)
    text = " ".join(" ".join(_parse(page).text).split())
    assert "Rouvrir la halle (fictif)" in text and "Panneaux d'information (fictif)" in text
    assert "2 actions sur 3 engagées" in text
    assert "SECRET-ACTION-NON-PUBLIQUE" not in page and "non publiée" not in page
    # The fiche of a public export names organisations, never a person's contact.
    assert "marie.dupont" not in page and "[coordonnées retirées]" in text


def test_action_cells_stay_text(with_route):
    row = fiche.find_atelier(with_route, "T-2019-1")
    page = fiche.fiche_html(with_route, row)
    tags = _parse(page).tags
    assert "script" not in [tag for tag, _ in tags] and "b" not in [tag for tag, _ in tags]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Étude (fictif)" in page


def test_statut_badges_take_the_palettes_colours(with_route):
    from atelierflash import palette

    row = fiche.find_atelier(with_route, "T-2019-1")
    badges = [
        a
        for tag, a in _parse(fiche.fiche_html(with_route, row)).tags
        if "af-statut" in a.get("class", "")
    ]
    assert len(badges) == 4
    allowed = {
        f"color: {text}; background-color: {back};"
        for text, back in palette.ACTION_STATUT_BADGES.values()
    }
    assert all(a["style"].startswith(tuple(allowed)) for a in badges)
    assert set(palette.ACTION_STATUT_BADGES) == set(with_route.programme.statuts_action.keys())
    # Every pair reads at WCAG AA (4.5:1) and is a DSFR colour.
    for text, back in palette.ACTION_STATUT_BADGES.values():
        assert {text, back} <= set(palette.DSFR.values())
        assert _contrast(text, back) >= 4.5, (text, back)


def _contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        rgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_an_atelier_without_actions_has_no_feuille_de_route_section(with_route):
    row = fiche.find_atelier(with_route, "T-2021-1")
    assert "af-feuille-de-route" not in fiche.fiche_html(with_route, row)


def test_pdf_with_its_actions_stays_within_two_pages(with_route):
    row = fiche.find_atelier(with_route, "T-2019-1")
    document = fiche.fiche_document(with_route, row, DAY)
    assert "Rouvrir la halle (fictif)" in document
    assert 1 <= len(fiche.render_fiche(with_route, row, DAY).pages) <= 2


def test_actions_of_an_atelier_as_a_download(with_route):
    from atelierflash import acces

    frame = fiche.atelier_actions(with_route, "T-2019-1")
    assert frame["action"].tolist()[0] == "Rouvrir la halle (fictif)" and len(frame) == 4
    public = fiche.atelier_actions(acces.public_view(with_route), "T-2019-1")
    assert len(public) == 3 and "note" not in public.columns


def test_what_counts_as_engaged_is_the_programmes_setting(with_route):
    import dataclasses

    programme = dataclasses.replace(with_route.programme, started_action_statuts=("realise",))
    statuts = ["realise", "en_cours", "abandonne", None]
    assert fiche.progress_text(programme, statuts).startswith(
        "1 action sur 4 engagée (statut réalisé), dont 1 réalisée"
    )
    assert fiche.progress_text(with_route.programme, statuts).startswith("2 actions sur 4")
