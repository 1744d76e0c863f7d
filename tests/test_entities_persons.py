"""People and organisations the built-in recognizer finds from evidence in the text (issue 12).

First names (``entities/first_names.py``), titles, later mentions by surname, acronyms defined in
the text and head nouns. Each rule is shown firing on a realistic sentence and kept quiet on one
where it must not fire; the reason it gives is checked too (``RuleRecognizer.explain``).
"""

from __future__ import annotations

import pytest

from annotations.entities.first_names import first_names, is_first_name
from annotations.entities.rules import RuleRecognizer


@pytest.fixture(scope="module")
def rec() -> RuleRecognizer:
    return RuleRecognizer()


def spans(rec: RuleRecognizer, text: str) -> dict[str, tuple[str, str]]:
    """text -> (label, reason); a surface seen twice keeps its last mention."""
    return {e.text: (e.label, why) for e, why in rec.explain(text)}


def test_the_first_name_list_is_compact_and_holds_names_from_many_countries() -> None:
    names = first_names()
    assert 10_000 < len(names) < 40_000
    for name in ("Ingrid", "Chiara", "Kwame", "Wanjiru", "Maricel", "Paulo", "Vitória", "Ngozi"):
        assert is_first_name(name), name
    for word in ("The", "However", "President", "University", "Monday", "China", "ingrid"):
        assert not is_first_name(word), word


def test_a_first_name_and_a_surname_make_a_person(rec: RuleRecognizer) -> None:
    text = "Shares rose after Ingrid Sand presented the results to investors in Stockholm."
    assert spans(rec, text)["Ingrid Sand"] == ("PERSON", "first name 'Ingrid'")


def test_a_first_name_that_is_also_a_place_needs_an_unknown_surname(rec: RuleRecognizer) -> None:
    text = "Ngozi Okonjo-Iweala, the director-general, said talks would resume in the spring."
    assert spans(rec, text)["Ngozi Okonjo-Iweala"] == ("PERSON", "first name 'Ngozi'")
    found = spans(rec, "Fans from Milan Barcelona and Paris travelled to the final.")
    assert all(label != "PERSON" for label, _ in found.values())


def test_a_long_run_or_a_bullet_label_is_no_person(rec: RuleRecognizer) -> None:
    found = spans(rec, "The study appeared in Marine Ecology Progress Series last week.")
    assert all(label != "PERSON" for label, _ in found.values())
    found = spans(rec, "Risks:\n  • Data Privacy & Surveillance: cameras are everywhere.\n")
    assert all(label != "PERSON" for label, _ in found.values())


def test_a_title_then_an_office_then_a_first_name(rec: RuleRecognizer) -> None:
    found = spans(rec, "Chief Executive Ingrid Sand said the trial had met its goal.")
    assert found["Ingrid Sand"] == ("PERSON", "title 'Chief Executive'")
    assert "Executive" not in found and "Chief Executive" not in found


def test_a_surname_alone_later_is_the_person(rec: RuleRecognizer) -> None:
    text = (
        "Daniel Kiprono won the race in 2:09:14. Kiprono said the wind had dropped at the "
        "halfway mark, and Kiprono thanked his pacemakers."
    )
    mentions = [(e.text, e.label, why) for e, why in rec.explain(text) if e.text == "Kiprono"]
    assert mentions == [("Kiprono", "PERSON", "later mention of 'Daniel Kiprono'")] * 2


def test_a_surname_that_is_a_city_is_the_person_except_after_in(rec: RuleRecognizer) -> None:
    text = (
        "Marta Lyon, a lawyer from Marseille, won the case. Lyon said she would appeal. "
        "The hearing was held in Lyon."
    )
    lyons = [(e.label, why) for e, why in rec.explain(text) if e.text == "Lyon"]
    assert lyons[0] == ("PERSON", "later mention of 'Marta Lyon'")
    assert lyons[1][0] == "GPE"


def test_an_acronym_defined_in_the_text_names_a_body(rec: RuleRecognizer) -> None:
    text = (
        "Officials of the Federazione Italiana di Atletica Leggera (FIDAL) met on Monday. "
        "FIDAL said the course would be measured again."
    )
    found = [(e.text, e.label) for e, _ in rec.explain(text)]
    assert ("Federazione Italiana di Atletica Leggera", "ORG") in found
    assert found.count(("FIDAL", "ORG")) == 2
    reasons = dict((e.text, why) for e, why in rec.explain(text))
    assert reasons["FIDAL"] == "later mention of 'Federazione Italiana di Atletica Leggera'"


def test_two_capitalised_words_and_an_acronym_are_often_a_topic(rec: RuleRecognizer) -> None:
    found = spans(rec, "Firms worry about Intellectual Property (IP) rules in the new market.")
    assert "Intellectual Property" not in found and "IP" not in found


def test_a_programme_defined_with_an_acronym_is_an_organisation(rec: RuleRecognizer) -> None:
    text = (
        "The World Food Programme (WFP) began trucking rations on Monday. A spokesman for the "
        "World Food Programme said WFP trucks reached Agareb."
    )
    labels = [(e.text, e.label) for e, _ in rec.explain(text)]
    assert labels.count(("World Food Programme", "ORG")) == 2
    assert labels.count(("WFP", "ORG")) == 2
    plain = spans(rec, "Parliament debated the National Housing Programme on Monday.")
    assert plain["National Housing Programme"][0] == "LAW"  # no acronym: still a programme


def test_acronyms_in_mixed_case_and_with_inner_letters(rec: RuleRecognizer) -> None:
    text = (
        "The Minerals Commission (MinCom) has sent surveyors. Delegates of the International "
        "Renewable Energy Agency (IRENA) arrived. The German Archaeological Institute (DAI) dug."
    )
    found = spans(rec, text)
    assert found["MinCom"] == ("ORG", "acronym defined: Minerals Commission (MinCom)")
    assert found["IRENA"][0] == "ORG"
    assert found.get("DAI", ("", ""))[0] != "ORG"  # German initials would be GAI


def test_an_acronym_before_an_organisation_noun(rec: RuleRecognizer) -> None:
    assert spans(rec, "The CFDT union called a strike for Friday.")["CFDT"] == (
        "ORG",
        "organisation noun after: 'union'",
    )
    assert "CFDT" not in spans(rec, "The CFDT called a strike for Friday.")


def test_new_head_nouns_and_place_compounds_before_a_name(rec: RuleRecognizer) -> None:
    text = (
        "Lund Therapeutics said the Geneva-based Oceans Trust had backed the study, as the "
        "Royal Air Force flew supplies in."
    )
    found = spans(rec, text)
    assert found["Lund Therapeutics"] == ("ORG", "head noun 'Therapeutics'")
    assert found["Oceans Trust"] == ("ORG", "head noun 'Trust'")
    assert found["Royal Air Force"][0] == "ORG"
    assert "Geneva-based Oceans Trust" not in found


def test_a_dash_after_a_dateline_starts_a_sentence(rec: RuleRecognizer) -> None:
    text = (
        "NAKURU, Kenya - The Environment and Land Court on Thursday ordered the titles cancelled."
    )
    found = spans(rec, text)
    assert found["Environment and Land Court"][0] == "ORG"
    assert "The Environment and Land Court" not in found


def test_the_shipped_list_is_what_the_build_script_writes() -> None:
    """Faker, the build-time source, is in the dev extra: the list can always be rebuilt."""
    from annotations.entities.data import build_first_names

    shipped = build_first_names.OUTPUT.read_text(encoding="utf-8")
    assert shipped == build_first_names.render(), "first_names.txt is stale: rebuild it"
    assert len(shipped.encode()) < 250_000
    assert "LICENSE-names.md" in shipped[:400]


def test_a_first_name_that_is_a_known_name_of_another_kind_starts_no_person(
    rec: RuleRecognizer,
) -> None:
    assert is_first_name("Asia")
    found = spans(rec, "A report by Asia Tovarin appeared on Monday.")
    assert found["Asia"] == ("LOC", "gazetteer (places)")
    assert all(label != "PERSON" for label, _ in found.values())


def test_a_body_a_country_has_one_of_is_named_by_its_word(rec: RuleRecognizer) -> None:
    found = spans(rec, "The bill now goes to Parliament, and the Judiciary will review it.")
    assert found["Parliament"] == ("ORG", "body named alone: 'Parliament'")
    assert found["Judiciary"][0] == "ORG"
    assert "Parliamentary" not in spans(rec, "A Parliamentary committee met on Monday.")


def test_a_plural_noun_opening_a_sentence_is_no_speaker(rec: RuleRecognizer) -> None:
    found = spans(rec, "The race went ahead. Organisers said the course was safe.")
    assert "Organisers" not in found
    found = spans(rec, "The race went ahead. Ekwueme said the course was safe.")
    assert found["Ekwueme"] == ("PERSON", "speech verb after: 'said'")


def test_a_nationality_after_a_chinese_surname_is_no_given_name(rec: RuleRecognizer) -> None:
    found = spans(rec, "An Indian delegation arrived. Wang Yi met them.")
    assert found["Indian"] == ("NORP", "gazetteer (places)")
    assert found["Wang Yi"][0] == "PERSON"
    assert "An Indian" not in found


def test_said_before_a_role_is_no_apposition(rec: RuleRecognizer) -> None:
    found = spans(rec, "The last boxes came from Malekula, said team leader Mere Kalsakau.")
    assert found.get("Malekula", ("", ""))[0] != "PERSON"
    found = spans(rec, 'We will count every vote," Kalsakau, said on Monday.')
    assert found["Kalsakau"] == ("PERSON", "speech verb after: 'said'")
    found = spans(rec, "Kalsakau, a team leader for the commission, disagreed.")
    assert found["Kalsakau"] == ("PERSON", "apposition: 'a team leader'")
