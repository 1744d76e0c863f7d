"""Numbers, amounts, dates and times (``numeric``, ``numeric_context``): each rule where it fires
and where it must not."""

from __future__ import annotations

import pytest

from annotations.entities import numeric


def spans(text: str) -> set[tuple[str, str]]:
    """(quote, label) of what ``numeric`` finds, after its context pass."""
    return {(text[s:e], label) for s, e, label in numeric.recognize(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The company paid 1.2 million shillings for the plot.", "1.2 million shillings"),
        ("Revenue was 4.9 billion Swedish crowns in the quarter.", "4.9 billion Swedish crowns"),
        ("The ministry granted 2.4 million lira for the dig.", "2.4 million lira"),
        ("Farmers want at least 20 pesos a kilogram.", "at least 20 pesos"),
        ("The ledger records R$18.4 million in payments.", "R$18.4 million"),
        ("The trial cost R86 million, the council said.", "R86 million"),
        ("The county budget is Sh3 billion this year.", "Sh3 billion"),
        ("Entry costs KSh 500 for adults.", "KSh 500"),
        ("The project cost 14.5 million kroner (about $1.3 million).", "about $1.3 million"),
        ("If we cannot get a few million dollars of radar, nobody will.", "a few million dollars"),
    ],
)
def test_money_in_words_and_local_signs(text: str, expected: str) -> None:
    assert (expected, "MONEY") in spans(text)


def test_a_capital_r_before_a_small_number_is_no_money() -> None:
    assert not any(label == "MONEY" for _q, label in spans("The R2 unit shipped in May."))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("She crossed the line in 2:07:52, a course record.", "2:07:52"),
        ("Play began at 11.15am because of rain.", "11.15am"),
        ("The rocket lifted off (0014 GMT on Monday).", "0014 GMT"),
        ("It came after a 24-hour delay.", "24-hour"),
        ("He spoke to reporters at about 6:15 p.m. on the steps.", "about 6:15 p.m."),
        ("They met usually on Friday afternoons in a car park.", "Friday afternoons"),
    ],
)
def test_times(text: str, expected: str) -> None:
    assert (expected, "TIME") in spans(text)


def test_a_ratio_is_no_race_time() -> None:
    assert not any(label == "TIME" for _q, label in spans("The score was 2:1 at half-time."))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SFAX, Tunisia, Oct 14 (Wire) - Waters receded.", "Oct 14"),
        ("Hedi Mabrouk, 61, grows olives near the river.", "61"),
        ("Chebet, now 67, wept in the courtroom.", "67"),
        ("They bought rice between January and May, he said.", "between January and May"),
        ("By 7 a.m. on a Thursday in late September, trucks were out.", "late September"),
        ("Results are expected in early 2027.", "early 2027"),
        ("Ministers meet later this year.", "later this year"),
        ("No party has held a majority since the 1990s.", "the 1990s"),
        ("The deal should close in the third quarter of 2027.", "the third quarter of 2027"),
        ("Sales nearly doubled in the second quarter, it said.", "second quarter"),
        ("The report will be ready before Christmas.", "Christmas"),
        ("The exhibition opens next spring.", "next spring"),
    ],
)
def test_dates(text: str, expected: str) -> None:
    assert (expected, "DATE") in spans(text)


def test_a_sentence_adverb_is_not_part_of_the_date() -> None:
    found = spans("Earlier Saturday, the chancellor visited the port.")
    assert ("Saturday", "DATE") in found and ("Earlier Saturday", "DATE") not in found


def test_a_count_between_commas_after_a_lower_case_word_is_no_age() -> None:
    assert ("40", "CARDINAL") in spans("Of the sites, 40, or most, were closed.")


def test_rates_are_no_dates() -> None:
    found = spans("Governments spend $35 billion a year on it, 14 times a day.")
    assert not any(quote == "a year" or quote == "a day" for quote, _label in found)
    assert ("a year", "DATE") in spans("He was jailed for a year.")


@pytest.mark.parametrize(
    ("text", "expected", "label"),
    [
        ("It expects growth of 22 to 26 percent this year.", "22 to 26 percent", "PERCENT"),
        ("Rice sold for between 44 and 48 pesos a kilogram.", "between 44 and 48 pesos", "MONEY"),
        ("Farmers plant maize on three acres of land.", "three acres", "QUANTITY"),
        ("I waited until the last seven kilometres.", "seven kilometres", "QUANTITY"),
        ("Warming is rising 0.5 degrees Celsius per decade.", "0.5 degrees Celsius", "QUANTITY"),
        ("Trawlers travel 2,000 nautical miles to fish.", "2,000 nautical miles", "QUANTITY"),
        ("Only 8,412 spectators turned up.", "Only 8,412", "CARDINAL"),
    ],
)
def test_ranges_units_and_approximators(text: str, expected: str, label: str) -> None:
    assert (expected, label) in spans(text)


def test_a_number_in_a_law_name_is_no_cardinal() -> None:
    found = spans("The judge cited Article 40 and Section 26 of the act, and 3 rulings.")
    assert ("40", "CARDINAL") not in found and ("26", "CARDINAL") not in found
    assert ("3", "CARDINAL") in found


def test_or_still_joins_small_counts() -> None:
    assert ("one or two", "CARDINAL") in spans("Perhaps one or two firms will bid.")


@pytest.mark.parametrize(
    ("text", "expected", "label"),
    [
        ("A 12-member observer team arrived.", "12", "CARDINAL"),
        ("Australia lead the three-match series.", "three", "CARDINAL"),
        ("It was a trading post about 3,300 years ago.", "about 3,300 years ago", "DATE"),
        ("Sales rose 31 percent from a year earlier.", "a year earlier", "DATE"),
        ("Finishers rose 12 percent more than last year.", "last year", "DATE"),
        ("Aid will feed them over the next three months.", "next three months", "DATE"),
        ("It could prevent deaths in coming decades.", "coming decades", "DATE"),
        ("Profit rose to 1.3 billion crowns from 740 million.", "740 million", "MONEY"),
    ],
)
def test_compounds_periods_and_compared_amounts(text: str, expected: str, label: str) -> None:
    assert (expected, label) in spans(text)


def test_hyphenated_words_that_are_not_counts() -> None:
    found = spans("It was a one-off; two-thirds of voters said so in 2021.")
    assert not any(quote in ("one", "two") for quote, _label in found)
    assert ("more than last year", "DATE") not in spans("It grew more than last year.")
    assert ("40 staff", "MONEY") not in spans("It had $5 million and 40 staff.")
    assert ("40", "CARDINAL") in spans("It had $5 million and 40 staff.")
