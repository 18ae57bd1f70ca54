"""AppTest of the embed builder: filters, height and title make the permalink and iframe code."""

from __future__ import annotations

PAGE = "pages/integrer.py"


def _codes(at) -> list[str]:
    return [c.value for c in at.code]


def test_default_view_gives_a_compact_permalink_and_a_titled_iframe(mini_app):
    at = mini_app(PAGE)
    assert at.title[0].value == "Intégrer la carte publique"
    link, iframe = _codes(at)
    assert link.endswith("/index.html?embed=1")
    assert iframe.startswith(f'<iframe src="{link}" title="Carte des Ateliers Flash"')
    assert 'height="600"' in iframe
    (preview,) = at.get("iframe")
    assert "embed=1" in preview.proto.src


def test_filters_height_and_title_follow_the_widgets(mini_app):
    at = mini_app(PAGE)
    at.select_slider(key="integrer_annees").set_value((2021, 2024))
    at.multiselect(key="integrer_themes").set_value(["friches"])
    at.multiselect(key="integrer_departements").set_value(["80"])
    at.number_input(key="integrer_hauteur").set_value(800)
    at.text_input(key="integrer_titre").set_value('Ateliers "Somme" <script>')
    at.run()
    assert not at.exception
    link, iframe = _codes(at)
    assert link.endswith("?annees=2021-2024&theme=friches&dep=80&embed=1")
    assert 'title="Ateliers &#34;Somme&#34; &lt;script&gt;"' in iframe
    assert 'height="800"' in iframe and "<script>" not in iframe
    (preview,) = at.get("iframe")
    assert preview.proto.src.endswith("?annees=2021-2024&theme=friches&dep=80&embed=1")


def test_full_variant_and_published_address(mini_app):
    at = mini_app(PAGE)
    at.checkbox(key="integrer_compacte").set_value(False)
    at.text_input(key="integrer_adresse").set_value("https://www.exemple.gouv.fr/carte/index.html")
    at.run()
    link, iframe = _codes(at)
    assert link == "https://www.exemple.gouv.fr/carte/index.html"
    assert 'src="https://www.exemple.gouv.fr/carte/index.html"' in iframe
