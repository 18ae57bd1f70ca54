"""Tests of atelierflash.resolution on the hand-drawn référentiel (tests/conftest.py)."""

from __future__ import annotations

import random
import time

import geopandas as gpd
import pandas as pd
import pytest

from atelierflash.referentiel import Referentiel
from atelierflash.resolution import CommuneResolver, Message, Resolution, normalize_name


@pytest.fixture(scope="module")
def resolver(mini_referentiel: Referentiel) -> CommuneResolver:
    return CommuneResolver(mini_referentiel)


def _texts(resolution: Resolution, level: str) -> list[str]:
    return [m.text for m in resolution.messages if m.level == level]


def _clean(resolution: Resolution) -> tuple[str, ...]:
    """The codes of a resolution that must carry no message at all."""
    assert resolution.messages == (), resolution.messages
    assert resolution.ok
    return resolution.codes


# ------------------------------------------------------------------------ normalisation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Saint-Étienne", "saint etienne"),
        ("ST ETIENNE", "saint etienne"),
        ("St.-Étienne", "saint etienne"),
        ("Ste  Marie-aux-Mines ", "sainte marie aux mines"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("L’Isle-Adam", "l isle adam"),
        ("Cœuvres-et-Valsery", "coeuvres et valsery"),
        ("LA FERTÉ—GAUCHER", "la ferte gaucher"),
        ("", ""),
    ],
)
def test_normalize_name(text: str, expected: str) -> None:
    assert normalize_name(text) == expected


def test_normalize_name_rejects_non_text() -> None:
    with pytest.raises(TypeError):
        normalize_name(75056)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- codes


@pytest.mark.parametrize("code", ["80253", "75056", "75101", "97411", "2A004", "2B033"])
def test_exact_code_of_com_or_arm(resolver: CommuneResolver, code: str) -> None:
    assert _clean(resolver.resolve(codes=code)) == (code,)


@pytest.mark.parametrize(
    ("typed", "expected"), [("2a004", "2A004"), ("2A004", "2A004"), ("2b033", "2B033")]
)
def test_corsican_codes_any_case(resolver: CommuneResolver, typed: str, expected: str) -> None:
    assert _clean(resolver.resolve(codes=typed)) == (expected,)


def test_code_that_lost_its_leading_zero_is_repaired(resolver: CommuneResolver) -> None:
    result = resolver.resolve(codes="1053")
    assert result.codes == ("01053",)
    assert result.ok
    assert _texts(result, "warning") == [
        "code INSEE « 1053 » complété en « 01053 » (zéro initial perdu, sans doute par un tableur)"
    ]


def test_spreadsheet_float_code_is_read(resolver: CommuneResolver) -> None:
    assert _clean(resolver.resolve(codes="80253.0")) == ("80253",)


def test_commune_associee_code_goes_to_parent(resolver: CommuneResolver) -> None:
    result = resolver.resolve(codes="01120")
    assert result.codes == ("01053",)
    assert result.ok
    assert _texts(result, "warning") == [
        "01120 (Cordieux) est une commune associée de Bourg-en-Bresse (01053) : rattachée à 01053"
    ]


def test_commune_deleguee_code_goes_to_parent(resolver: CommuneResolver) -> None:
    result = resolver.resolve(codes="74011")
    assert result.codes == ("74010",)
    assert _texts(result, "warning") == [
        "74011 (Annecy-le-Vieux) est une commune déléguée d'Annecy (74010) : rattachée à 74010"
    ]


def test_code_shared_by_com_and_comd_is_the_com(resolver: CommuneResolver) -> None:
    assert _clean(resolver.resolve(codes="74010")) == ("74010",)


def test_unknown_code(resolver: CommuneResolver) -> None:
    result = resolver.resolve(codes="99999")
    assert result.codes == ()
    assert not result.ok
    assert _texts(result, "error") == ["code INSEE inconnu : « 99999 »"]


@pytest.mark.parametrize("typed", ["abc", "123", "7505612", "2C004", "80 25X"])
def test_malformed_code(resolver: CommuneResolver, typed: str) -> None:
    result = resolver.resolve(codes=typed)
    assert result.codes == ()
    (error,) = _texts(result, "error")
    assert error.startswith(f"code INSEE mal formé : « {typed} »")


def test_siren_typed_as_code_gets_a_hint(resolver: CommuneResolver) -> None:
    (error,) = _texts(resolver.resolve(codes="200070951"), "error")
    assert "SIREN" in error and "EPCI" in error


def test_codes_are_strings_deduplicated_in_order(resolver: CommuneResolver) -> None:
    result = resolver.resolve(codes="80620; 2a004 | 80253,80620\n2A004")
    assert result.codes == ("80620", "2A004", "80253")
    assert all(isinstance(code, str) for code in result.codes)


# ----------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "typed",
    [
        "La Ferté-Gaucher",
        "Ferté-Gaucher",
        "Ferte Gaucher",
        "LA FERTE GAUCHER",
        "Ferté-Gaucher (La)",
        "la  ferté  gaucher ",
    ],
)
def test_name_with_or_without_article(resolver: CommuneResolver, typed: str) -> None:
    assert _clean(resolver.resolve(names=typed, departement="77")) == ("77182",)
    assert _clean(resolver.resolve(names=typed)) == ("77182",)


@pytest.mark.parametrize("typed", ["Saint-Étienne", "St-Étienne", "ST ETIENNE", "St. Etienne"])
def test_saint_abbreviations(resolver: CommuneResolver, typed: str) -> None:
    assert _clean(resolver.resolve(names=typed, departement="Loire")) == ("42218",)


def test_sainte_abbreviation(mini_referentiel: Referentiel) -> None:
    communes = mini_referentiel.communes.copy()
    extra = communes.iloc[[0]].copy()
    extra[["code", "nom", "nom_sans_article"]] = ["80700", "Sainte-Segrée", "Sainte-Segrée"]
    communes = pd.concat([communes, extra], ignore_index=True)
    resolver = CommuneResolver(_with_communes(mini_referentiel, communes))
    assert _clean(resolver.resolve(names="Ste Segree", departement="80")) == ("80700",)
    assert _clean(resolver.resolve(names="Ste. Segrée")) == ("80700",)


def test_commune_deleguee_name_goes_to_parent(resolver: CommuneResolver) -> None:
    result = resolver.resolve(names="Annecy-le-Vieux", departement="74")
    assert result.codes == ("74010",)
    assert result.ok
    assert _texts(result, "warning") == [
        "Annecy-le-Vieux est une commune déléguée d'Annecy (74010) : rattachée à 74010"
    ]


def test_commune_associee_name_goes_to_parent(resolver: CommuneResolver) -> None:
    result = resolver.resolve(names="Cordieux")
    assert result.codes == ("01053",)
    assert _texts(result, "warning") == [
        "Cordieux est une commune associée de Bourg-en-Bresse (01053) : rattachée à 01053"
    ]


def test_com_and_comd_with_same_name_and_code_is_silent(resolver: CommuneResolver) -> None:
    assert _clean(resolver.resolve(names="Annecy")) == ("74010",)
    assert _clean(resolver.resolve(names="annecy", departement="Haute-Savoie")) == ("74010",)


@pytest.mark.parametrize(
    "typed", ["Paris 1er Arrondissement", "Paris 1er", "Paris 01", "paris 1", "PARIS 1ER ARR"]
)
def test_arrondissement_names(resolver: CommuneResolver, typed: str) -> None:
    assert _clean(resolver.resolve(names=typed)) == ("75101",)


def test_paris_itself_is_the_commune(resolver: CommuneResolver) -> None:
    assert _clean(resolver.resolve(names="Paris", departement="75")) == ("75056",)


def test_homonym_without_departement_is_an_error(resolver: CommuneResolver) -> None:
    result = resolver.resolve(names="Saint-Denis")
    assert result.codes == ()
    assert _texts(result, "error") == [
        "« Saint-Denis » désigne plusieurs communes : Saint-Denis (93, 93066), "
        "Saint-Denis (974, 97411) ; précisez le département"
    ]


@pytest.mark.parametrize(
    ("names", "departement", "expected"),
    [
        ("Saint-Denis", "974", "97411"),
        ("Saint-Denis", "La Réunion", "97411"),
        ("Saint-Denis", "reunion", "97411"),
        ("Saint-Denis", "93", "93066"),
        ("Saint-Denis", "Seine-St-Denis", "93066"),
        ("Saint-Denis (974)", "", "97411"),
        ("Saint-Denis (La Réunion)", "", "97411"),
        ("Saint-Denis (93)", "974", "93066"),  # the name's own département wins
    ],
)
def test_homonym_with_departement(
    resolver: CommuneResolver, names: str, departement: str, expected: str
) -> None:
    assert _clean(resolver.resolve(names=names, departement=departement)) == (expected,)


def test_homonym_settled_by_the_row_code(resolver: CommuneResolver) -> None:
    assert _clean(resolver.resolve(codes="97411", names="Saint-Denis")) == ("97411",)


def test_unknown_name_suggests_in_departement(resolver: CommuneResolver) -> None:
    result = resolver.resolve(names="Doulens", departement="80")
    assert result.codes == ()
    assert _texts(result, "error") == [
        "commune inconnue dans le département 80 : « Doulens ». "
        "Vouliez-vous dire : Doullens (80253) ?"
    ]


def test_unknown_name_suggests_everywhere_without_departement(
    resolver: CommuneResolver,
) -> None:
    (error,) = _texts(resolver.resolve(names="Doulens"), "error")
    assert error == "commune inconnue : « Doulens ». Vouliez-vous dire : Doullens (80, 80253) ?"


def test_unknown_name_without_close_match(resolver: CommuneResolver) -> None:
    (error,) = _texts(resolver.resolve(names="Xyzzy", departement="80"), "error")
    assert error == "commune inconnue dans le département 80 : « Xyzzy »"


def test_suggestions_stay_in_the_departement(resolver: CommuneResolver) -> None:
    # Doullens exists, but in the Somme: a typo in the Ain must not suggest it.
    (error,) = _texts(resolver.resolve(names="Doulens", departement="01"), "error")
    assert "Doullens" not in error


def test_name_in_another_departement(resolver: CommuneResolver) -> None:
    result = resolver.resolve(names="Doullens", departement="77")
    assert result.codes == ()
    assert _texts(result, "error") == [
        "commune inconnue dans le département 77 : « Doullens » ; "
        "ce nom existe ailleurs : Doullens (80, 80253)"
    ]


def test_missing_name_before_departement(resolver: CommuneResolver) -> None:
    (error,) = _texts(resolver.resolve(names="(974)"), "error")
    assert error == "nom de commune manquant : « (974) »"


# ------------------------------------------------------------------------ départements


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", "07"),
        ("07", "07"),
        ("Ardèche", "07"),
        ("ardeche", "07"),
        ("2a", "2A"),
        ("2B", "2B"),
        ("Corse du Sud", "2A"),
        ("CORSE-DU-SUD", "2A"),
        ("974", "974"),
        ("La Réunion", "974"),
        ("Reunion", "974"),
        ("1", "01"),
        ("80.0", "80"),
        ("seine st denis", "93"),
    ],
)
def test_resolve_departement(resolver: CommuneResolver, text: str, expected: str) -> None:
    assert resolver.resolve_departement(text) == expected


@pytest.mark.parametrize("text", ["99", "20", "", "  ", "Atlantide"])
def test_resolve_departement_unknown(resolver: CommuneResolver, text: str) -> None:
    assert resolver.resolve_departement(text) is None


def test_unknown_departement_value(resolver: CommuneResolver) -> None:
    result = resolver.resolve(names="Doullens", departement="99")
    assert not result.ok
    assert _texts(result, "error") == ["département inconnu : « 99 »"]


def test_unknown_departement_in_the_name(resolver: CommuneResolver) -> None:
    result = resolver.resolve(names="Saint-Denis (99)")
    assert result.codes == ()
    assert _texts(result, "error") == ["département inconnu : « 99 »"]


def test_several_departements(resolver: CommuneResolver) -> None:
    result = resolver.resolve(names="Bourg-en-Bresse; Annecy", departement="01; 74")
    assert _clean(result) == ("01053", "74010")


def test_code_outside_the_given_departement_warns(resolver: CommuneResolver) -> None:
    result = resolver.resolve(codes="80253", departement="77")
    assert result.codes == ("80253",)
    assert result.ok
    assert _texts(result, "warning") == [
        "80253 (Doullens) est dans le département 80, alors que la ligne indique le département 77"
    ]


# -------------------------------------------------------------------------------- EPCI


def test_epci_expands_to_members(resolver: CommuneResolver) -> None:
    assert _clean(resolver.resolve(epci="200070951")) == ("80253", "80620")


def test_epci_typed_with_spaces_and_several(resolver: CommuneResolver) -> None:
    result = resolver.resolve(epci="200 070 951; 242\u00a0010\u00a0056")
    assert _clean(result) == ("80253", "80620", "2A004")


def test_unknown_epci(resolver: CommuneResolver) -> None:
    result = resolver.resolve(epci="123456789")
    assert result.codes == ()
    assert _texts(result, "error") == ["EPCI inconnu : SIREN « 123456789 »"]


def test_malformed_epci(resolver: CommuneResolver) -> None:
    assert _texts(resolver.resolve(epci="20007095"), "error") == [
        "SIREN d'EPCI mal formé : « 20007095 » (9 chiffres attendus)"
    ]


# ------------------------------------------------------------------- codes with names


def test_codes_and_names_agree(resolver: CommuneResolver) -> None:
    result = resolver.resolve(codes="80253", names="Doullens", departement="80")
    assert _clean(result) == ("80253",)


def test_codes_and_names_disagree(resolver: CommuneResolver) -> None:
    result = resolver.resolve(codes="80001", names="Doullens")
    assert result.codes == ("80001", "80253")
    assert result.ok
    assert _texts(result, "warning") == [
        "le nom « Doullens » désigne Doullens (80253), absent des codes INSEE donnés (80001) : "
        "les deux sont retenus"
    ]


def test_union_of_codes_and_names_in_order_epci_as_context(resolver: CommuneResolver) -> None:
    result = resolver.resolve(codes="80620", names="Abbeville;Doullens", epci="200070951")
    assert result.codes == ("80620", "80001", "80253")
    # Abbeville is not a member of the EPCI given: said, not expanded.
    assert "Abbeville (80001) n'est pas membre de l'EPCI indiqué (200070951)" in _texts(
        result, "warning"
    )


def test_epci_with_a_commune_is_context_not_expanded(resolver: CommuneResolver) -> None:
    result = resolver.resolve(codes="80253", epci="200070951")
    assert result.codes == ("80253",)
    assert result.messages == ()


def test_errors_do_not_hide_resolved_codes(resolver: CommuneResolver) -> None:
    result = resolver.resolve(codes="80253;99999")
    assert result.codes == ("80253",)
    assert not result.ok


# ------------------------------------------------------------------------------ inputs


@pytest.mark.parametrize("kwargs", [{}, {"codes": " ; ,"}, {"departement": "80"}])
def test_nothing_to_resolve(resolver: CommuneResolver, kwargs: dict) -> None:
    result = resolver.resolve(**kwargs)
    assert result == Resolution(
        (), (Message("error", "aucune commune (ni code INSEE, ni nom, ni EPCI)"),)
    )
    assert not result.ok


def test_non_text_input_is_rejected(resolver: CommuneResolver) -> None:
    with pytest.raises(TypeError):
        resolver.resolve(codes=80253)  # type: ignore[arg-type]


def test_none_counts_as_empty(resolver: CommuneResolver) -> None:
    assert _clean(resolver.resolve(codes=None, names="Privas")) == ("07186",)  # type: ignore[arg-type]


def test_resolver_needs_a_referentiel() -> None:
    with pytest.raises(TypeError):
        CommuneResolver(pd.DataFrame())  # type: ignore[arg-type]


def test_resolver_checks_columns(mini_referentiel: Referentiel) -> None:
    communes = mini_referentiel.communes.drop(columns=["nom_sans_article"])
    with pytest.raises(ValueError, match="nom_sans_article"):
        CommuneResolver(_with_communes(mini_referentiel, communes))


# ------------------------------------------------------------------------------ search


def test_search_by_name_prefix(resolver: CommuneResolver) -> None:
    assert [r["code"] for r in resolver.search("st eti")] == ["42218"]
    assert resolver.search("Saint-Ét") == [
        {"code": "42218", "nom": "Saint-Étienne", "departement": "42"}
    ]


def test_search_without_article_and_substring(resolver: CommuneResolver) -> None:
    assert [r["code"] for r in resolver.search("ferte")] == ["77182"]
    assert [r["code"] for r in resolver.search("gaucher")] == ["77182"]


def test_search_orders_exact_then_prefix_then_population(resolver: CommuneResolver) -> None:
    assert [r["code"] for r in resolver.search("paris")] == ["75056", "75101"]
    assert [r["code"] for r in resolver.search("saint")] == ["42218", "97411", "93066", "31483"]


def test_search_excludes_communes_deleguees(resolver: CommuneResolver) -> None:
    assert [r["code"] for r in resolver.search("annecy")] == ["74010"]
    assert resolver.search("cordieux") == []


def test_search_by_code(resolver: CommuneResolver) -> None:
    assert [r["code"] for r in resolver.search("8025")] == ["80253"]
    assert [r["code"] for r in resolver.search("2a")] == ["2A004"]
    assert [r["code"] for r in resolver.search("80")] == ["80001", "80253", "80620"]
    assert [r["code"] for r in resolver.search("75101")] == ["75101"]


def test_search_arrondissement_and_typo(resolver: CommuneResolver) -> None:
    assert [r["code"] for r in resolver.search("Paris 01")] == ["75101"]
    assert [r["code"] for r in resolver.search("Doulens")] == ["80253"]


def test_search_limit_and_inputs(resolver: CommuneResolver) -> None:
    assert len(resolver.search("saint", limit=2)) == 2
    assert resolver.search("") == []
    assert resolver.search("   ") == []
    with pytest.raises(ValueError):
        resolver.search("paris", limit=0)


# ------------------------------------------------------------------------- performance


def _with_communes(referentiel: Referentiel, communes: pd.DataFrame) -> Referentiel:
    return Referentiel(
        communes=gpd.GeoDataFrame(communes, geometry="geometry", crs="EPSG:4326"),
        epci=referentiel.epci,
        departements=referentiel.departements,
        regions=referentiel.regions,
        meta=referentiel.meta,
    )


def _large_referentiel(mini: Referentiel, size: int = 37_000) -> Referentiel:
    """The mini référentiel plus generated communes, about the size of the real one."""
    rng = random.Random(20250901)
    syllables = ["ber", "mont", "ville", "saint", "cour", "val", "lan", "roc", "bois", "fer"]
    taken = set(mini.communes["code"])
    departements = [f"{n:02d}" for n in range(1, 96) if n != 20]
    template = mini.communes.iloc[0].to_dict()
    rows = []
    number = 0
    while len(rows) < size:
        dep = departements[number % len(departements)]
        code = f"{dep}{number // len(departements) % 1000:03d}"
        number += 1
        if code in taken:
            continue
        taken.add(code)
        name = "-".join(
            "".join(rng.choice(syllables) for _ in range(rng.randint(1, 3))).capitalize()
            for _ in range(rng.randint(1, 3))
        )
        rows.append(
            {**template, "code": code, "nom": name, "nom_sans_article": name, "departement": dep}
        )
    communes = pd.concat([mini.communes, pd.DataFrame(rows)], ignore_index=True)
    return _with_communes(mini, communes)


def test_performance_on_a_full_size_referentiel(mini_referentiel: Referentiel) -> None:
    large = _large_referentiel(mini_referentiel)
    assert len(large.communes) > 37_000

    start = time.perf_counter()
    resolver = CommuneResolver(large)
    build = time.perf_counter() - start

    generated = large.communes.iloc[len(mini_referentiel.communes) :]
    sample = generated.sample(500, random_state=1)
    rows = []
    for code, name, dep in zip(sample["code"], sample["nom"], sample["departement"], strict=True):
        rows.append({"codes": code})
        rows.append({"names": name, "departement": dep})
        rows.append({"names": name + "x", "departement": dep})  # fuzzy path, per département
        rows.append({"codes": code, "names": "Saint-Denis", "epci": "200070951"})
    start = time.perf_counter()
    results = [resolver.resolve(**row) for row in rows]
    resolve = time.perf_counter() - start

    assert len(rows) == 2_000
    assert build < 5, f"construction en {build:.2f} s"
    assert resolve < 5, f"2 000 résolutions en {resolve:.2f} s"
    assert results[0].codes == (sample["code"].iloc[0],)
    assert sample["code"].iloc[0] in results[1].codes
    assert not results[2].ok


def test_fuzzy_and_search_indexes_are_built_only_when_needed(
    mini_referentiel: Referentiel, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A register whose codes and names all resolve never pays for the fuzzy pools nor the
    # autocomplete index (issue 18: they took a third of the resolver's build).
    calls: list[str] = []
    for method in ("_fuzzy_pools", "_search_index"):
        original = getattr(CommuneResolver, method)

        def counting(self, _original=original, _name=method):
            calls.append(_name)
            return _original(self)

        monkeypatch.setattr(CommuneResolver, method, counting)
    resolver = CommuneResolver(mini_referentiel)
    assert resolver.resolve(codes="80253", names="Doullens", departement="80").codes == ("80253",)
    assert resolver._fuzzy is None and not resolver._search_built
    assert calls == []
    # The first unknown name builds the pools; the next one reuses them.
    assert resolver.resolve(names="Doulens", departement="80").codes == ()
    assert resolver._fuzzy is not None
    fuzzy = resolver._fuzzy
    assert resolver.resolve(names="Doulens").codes == ()
    assert resolver._fuzzy is fuzzy
    assert not resolver._search_built
    assert resolver.search("doul")[0]["code"] == "80253"
    assert resolver._search_built
