"""The list under the map: an accessible HTML table, in pages and orders, every value escaped."""

import re

import pytest

from atelierflash.carte import liste


def _titles(html: str) -> list[str]:
    return re.findall(r'<th scope="row">(?:<a [^>]*>)?(.*?)(?:</a>)?</th>', html)


def test_table_is_accessible_caption_header_scopes_and_row_headers(mini_dataset):
    page = liste.list_page(
        mini_dataset, mini_dataset.ateliers, fiche_url=lambda i: f"atelier?id={i}"
    )
    assert "<caption>Ateliers de la sélection, 1 à " in page.html
    assert page.html.count('<th scope="col">') == len(liste.LIST_COLUMNS)
    assert page.html.count('<th scope="row">') == page.last - page.first + 1 == page.total
    # The list scrolls by keyboard too, and says what it holds.
    assert 'tabindex="0" role="region" aria-label="Ateliers de la sélection' in page.html


def test_only_publishable_rows_and_public_fields(tricky_dataset):
    page = liste.list_page(tricky_dataset, tricky_dataset.ateliers)
    publishable = int(tricky_dataset.ateliers["public"].sum())
    assert page.total == publishable < len(tricky_dataset.ateliers)
    assert "secret interne" not in page.html
    assert "20000" not in page.html  # amounts never shown


def test_hostile_text_stays_text_and_only_http_links(tricky_dataset):
    page = liste.list_page(
        tricky_dataset, tricky_dataset.ateliers, fiche_url=lambda i: f"atelier?id={i}"
    )
    assert "<script>" not in page.html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page.html
    assert "javascript:" not in re.sub(r">[^<]*<", "><", page.html)  # never in an attribute
    hrefs = re.findall(r'href="([^"]*)"', page.html)
    assert hrefs and all(h.startswith(("atelier?id=", "http://", "https://")) for h in hrefs)
    # An http(s) source with « & » and « < » is escaped inside its attribute.
    assert 'href="https://example.org/a?b=1&amp;c=&lt;2&gt;"' in page.html


def test_pages_cover_the_selection_once_and_are_clamped(mini_dataset):
    rows = mini_dataset.ateliers
    whole = liste.list_page(mini_dataset, rows, size=1000)
    seen = []
    for number in range(1, liste.page_count(whole.total, 2) + 1):
        page = liste.list_page(mini_dataset, rows, size=2, page=number)
        assert page.pages == liste.page_count(whole.total, 2)
        seen += _titles(page.html)
    assert seen == _titles(whole.html)
    assert liste.list_page(mini_dataset, rows, size=2, page=99).page == liste.page_count(
        whole.total, 2
    )
    assert liste.list_page(mini_dataset, rows, size=2, page=-3).page == 1


def test_orders(mini_dataset):
    rows = mini_dataset.ateliers
    recent = liste.list_page(mini_dataset, rows, order="recents", size=1000)
    old = liste.list_page(mini_dataset, rows, order="anciens", size=1000)
    by_title = _titles(liste.list_page(mini_dataset, rows, order="titre", size=1000).html)
    assert _titles(recent.html) != _titles(old.html)
    assert sorted(_titles(recent.html)) == sorted(by_title)
    from atelierflash.texte import normalize_key

    assert by_title == sorted(by_title, key=normalize_key)


def test_empty_selection_says_so(mini_dataset):
    page = liste.list_page(mini_dataset, mini_dataset.ateliers.iloc[0:0])
    assert (page.total, page.pages, page.first, page.last) == (0, 1, 0, 0)
    assert "Aucun atelier publié ne correspond aux filtres." in page.html


@pytest.mark.parametrize("bad", [{"order": "prix"}, {"size": 0}])
def test_bad_arguments_are_refused(mini_dataset, bad):
    with pytest.raises(ValueError):
        liste.list_page(mini_dataset, mini_dataset.ateliers, **bad)
