"""A second, different-domain sample (wire news on Europe, Japan, India, sport, space).

Written and hand-annotated after the rules, to catch rules tuned only to the seed corpus. The
first run scored F1 0.84 exact; fixes that run motivated are general (datelines, "another six
months", "spokesman, X", model numbers), and this test keeps them from regressing.
"""

from __future__ import annotations

from annotations.entities import builtin
from annotations.entities import evaluate as ev

PARAS = [  # (paragraph, "surface|LABEL; ..." in reading order)
    (
        "BRUSSELS, March 3 (Reuters) - European Union foreign ministers agreed on Monday to "
        "extend sanctions on Russia for another six months, EU foreign policy chief Kaja "
        "Kallas told reporters after the meeting in Brussels.",
        "BRUSSELS|GPE; March 3|DATE; Reuters|ORG; European Union|ORG; Monday|DATE; "
        "Russia|GPE; another six months|DATE; EU|ORG; Kaja Kallas|PERSON; Brussels|GPE",
    ),
    (
        "Hungary's Prime Minister Viktor Orban had threatened to block the decision, saying "
        "the measures cost Hungarian companies about 19 billion euros since 2022.",
        "Hungary|GPE; Viktor Orban|PERSON; Hungarian|NORP; about 19 billion euros|MONEY; 2022|DATE",
    ),
    (
        "In Tokyo, Sony Group Corp. reported a 12% rise in quarterly profit, helped by "
        "strong sales of its PlayStation 5 console and the yen's weakness against the "
        "dollar.",
        "Tokyo|GPE; Sony Group Corp.|ORG; 12%|PERCENT; PlayStation 5|PRODUCT",
    ),
    (
        "The company's chief executive, Kenichiro Yoshida, said it expects to sell 21 "
        "million units by March next year.",
        "Kenichiro Yoshida|PERSON; 21 million|CARDINAL; March next year|DATE",
    ),
    (
        "Meanwhile, NASA said its Artemis II mission, which will carry four astronauts "
        "around the Moon, has been delayed until April 2026 because of problems with the "
        "Orion capsule's heat shield.",
        "NASA|ORG; Artemis II|PRODUCT; four|CARDINAL; Moon|LOC; April 2026|DATE; Orion|PRODUCT",
    ),
    (
        "Dr. Amina Yusuf, a researcher at the University of Lagos, said more than 3,000 "
        "people in Nigeria's Kano State had been affected by the floods, which destroyed 150"
        " kilometers of roads.",
        "Amina Yusuf|PERSON; University of Lagos|ORG; more than 3,000|CARDINAL; Nigeria|GPE;"
        " Kano State|GPE; 150 kilometers|QUANTITY",
    ),
    (
        "Indian Finance Minister Nirmala Sitharaman presented the budget in New Delhi on "
        "February 1, promising to cut the fiscal deficit to 4.4 percent of gross domestic "
        "product.",
        "Indian|NORP; Nirmala Sitharaman|PERSON; New Delhi|GPE; February 1|DATE; 4.4 "
        "percent|PERCENT",
    ),
    (
        "Sitharaman also announced that the Reserve Bank of India would keep its benchmark "
        "rate at 6.5%, and that Tata Motors and Infosys would benefit from new incentives.",
        "Sitharaman|PERSON; Reserve Bank of India|ORG; 6.5%|PERCENT; Tata Motors|ORG; Infosys|ORG",
    ),
    (
        "The Champions League final will be played at Wembley Stadium in London on June 1, "
        "where Real Madrid face Borussia Dortmund.",
        "Champions League|EVENT; Wembley Stadium|FAC; London|GPE; June 1|DATE; Real "
        "Madrid|ORG; Borussia Dortmund|ORG",
    ),
    (
        "Protesters gathered outside the Kremlin on Saturday, a day after Russian President "
        "Vladimir Putin signed the law. Putin's spokesman, Dmitry Peskov, declined to "
        "comment.",
        "Kremlin|FAC; Saturday|DATE; a day|DATE; Russian|NORP; Vladimir Putin|PERSON; "
        "Putin|PERSON; Dmitry Peskov|PERSON",
    ),
    (
        "Apple CEO Tim Cook met Chinese Vice Premier He Lifeng in Beijing last week to "
        "discuss supply chains, according to a statement from the Ministry of Commerce.",
        "Apple|ORG; Tim Cook|PERSON; Chinese|NORP; He Lifeng|PERSON; Beijing|GPE; last "
        "week|DATE; Ministry of Commerce|ORG",
    ),
    (
        "The Amazon rainforest lost about 9,000 square kilometers of tree cover last year, "
        "Brazil's National Institute for Space Research said.",
        "Amazon|LOC; about 9,000 square kilometers|QUANTITY; last year|DATE; Brazil|GPE; "
        "National Institute for Space Research|ORG",
    ),
]
TEXT = "\n".join(p for p, _ in PARAS)


def gold() -> tuple[tuple[int, int, str], ...]:
    out = []
    base = 0
    for paragraph, mentions in PARAS:
        pos = 0
        for mention in mentions.split("; "):
            surface, label = mention.rsplit("|", 1)
            start = paragraph.index(surface, pos)
            out.append((base + start, base + start + len(surface), label))
            pos = start + len(surface)
        base += len(paragraph) + 1
    return tuple(out)


def test_other_news_f1() -> None:
    exact, boundary = ev.evaluate(builtin().recognize, [ev.GoldDoc("other", TEXT, gold())])
    assert exact.overall.f1 >= 0.85
    assert boundary.overall.f1 >= 0.90
