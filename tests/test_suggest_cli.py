"""``annotty suggest`` and ``annotty eval-claims``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from annotations.cli import cli, main
from annotations.suggest.units import units
from tests.conftest import SEEDS

TEXT = (
    "Exports rose 7.1% to $3.38 trillion in 2024, Guo Jiakun said.\n"
    "I think we should all be kinder\x07\x1b to each other.\n"
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_suggest_a_file_as_a_table_and_as_json(tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text(TEXT, encoding="utf-8")
    db = str(tmp_path / "x.db")
    code, out, err = run("--db", db, "suggest", str(doc))
    assert code == 0 and "1 candidate of 2 units" in err
    assert "statistical" in out and "Guo Jiakun" in out and "kinder" not in out
    code, out, _ = run("--db", db, "suggest", str(doc), "--json", "--all")
    data = json.loads(out)
    first, second = data["candidates"]
    assert (first["start"], first["end"], first["type"], first["speaker"]) == (
        0,
        61,
        "statistical",
        "Guo Jiakun",
    )
    assert first["score"] >= data["threshold"] > second["score"]
    assert second["text"] == TEXT[62:-1] and second["type"] == "opinion"
    code, out, _ = run("--db", db, "suggest", str(doc), "--all")
    # control characters from data are shown safe
    assert "kinder" in out and "\x1b" not in out and "\x07" not in out
    assert not Path(db).exists()  # looking at a file creates no database


def test_a_long_file_is_scored_in_parts_with_the_same_candidates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From ``PARALLEL_FROM`` characters on, ``suggest`` scores the parts in worker processes
    (``score_in_parts``): the same units, scores, types and speakers as one process finds."""
    import annotations.cli.suggest_cmd as command

    doc = tmp_path / "doc.txt"
    doc.write_text(TEXT * 40, encoding="utf-8")
    db = str(tmp_path / "x.db")
    _, serial, _ = run("--db", db, "suggest", str(doc), "--json", "--all")
    used: list[int] = []
    real = command.score_in_parts

    def counted(text: str, *args: Any, **kwargs: Any) -> Any:
        used.append(len(text))
        return real(text, *args, **kwargs)

    monkeypatch.setattr(command, "PARALLEL_FROM", len(TEXT) * 20)
    monkeypatch.setattr(command, "score_in_parts", counted)
    _, parts, _ = run("--db", db, "suggest", str(doc), "--json", "--all")
    assert used == [len(TEXT) * 40]
    assert json.loads(parts) == json.loads(serial) and len(json.loads(serial)["candidates"]) == 80


def test_suggest_a_stored_document(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    assert run("--db", db, "import", str(SEEDS / "004_a0ad6f8e3763169b.txt"))[0] == 0
    code, out, _ = run("--db", db, "suggest", "004_a0ad6f8e3763169b.txt", "--json", "--all")
    data = json.loads(out)
    text = (SEEDS / "004_a0ad6f8e3763169b.txt").read_text(encoding="utf-8")
    assert [(c["start"], c["end"]) for c in data["candidates"]] == units(text)
    assert data["units"] == len(units(text)) and data["title"]


def test_suggest_unknown_target_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--db", str(tmp_path / "x.db"), "suggest", "nothing-here"])
    assert caught.value.code != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no file or stored document 'nothing-here'" in err


def _gold(tmp_path: Path) -> Path:
    spans = [[s, e, "claim" if n == 0 else "not_claim"] for n, (s, e) in enumerate(units(TEXT))]
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps({"text": TEXT, "spans": spans, "file": "doc.txt"}) + "\n")
    return path


def test_eval_claims_prints_the_figures(tmp_path: Path) -> None:
    gold = _gold(tmp_path)
    code, out, _ = run("--db", str(tmp_path / "x.db"), "eval-claims", str(gold), "--json")
    data = json.loads(out)
    assert code == 0
    assert (data["precision"], data["recall"], data["f1"], data["average_precision"]) == (
        1.0,
        1.0,
        1.0,
        1.0,
    )
    assert (data["units"], data["gold_claims"], data["gold_not_claims"]) == (2, 1, 1)
    code, out, _ = run("--db", str(tmp_path / "x.db"), "eval-claims", str(gold))
    assert "precision          1.000  (1/1)" in out and "average precision  1.000" in out


def test_eval_claims_refuses_a_bad_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = _gold(tmp_path)
    gold.write_text(gold.read_text() + '{"text": "x", "spans": [[0, 5, "claim"]]}\n')
    with pytest.raises(SystemExit) as caught:
        main(["--db", str(tmp_path / "x.db"), "eval-claims", str(gold)])
    assert caught.value.code != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{gold}:2: spans[0]: [0, 5) is not a span" in err


# -- the learned suggester from the command line -----------------------------------------------
GOLD = Path(__file__).parent / "data" / "claims_gold.jsonl"
SEED = SEEDS / "004_a0ad6f8e3763169b.txt"
PROPOSAL: dict[str, Any] = {
    "score": 0.7,
    "claim_type": "statistical",
    "speaker": "",
    "suggester": "builtin-1",
}


def _decided_db(tmp_path: Path, stances: bool = False) -> str:
    """A database holding seed 004 with its gold sentences decided (claims accepted, the rest
    rejected), and with ``stances`` every accepted claim given a stance and a target."""
    from annotations.store import Store
    from annotations.suggest import evaluate as ev

    db = str(tmp_path / "t.db")
    assert run("--db", db, "import", str(SEED))[0] == 0
    text = SEED.read_text(encoding="utf-8")
    gold = next(g for g in ev.load_gold(GOLD) if text.startswith(g.text[:200]))
    store = Store(Path(db), annotator="alice")
    try:
        (doc,) = store.documents()
        for n, (start, end, label) in enumerate(gold.spans):
            if label == "claim":
                claim, _ = store.accept_candidate(doc.id, start, end, **PROPOSAL)
                if stances:
                    stance = ("favor", "against")[n % 2]
                    store.update_claim(claim.id, stance=stance, target=f"target {stance}")
            else:
                store.reject_candidate(doc.id, start, end, **PROPOSAL)
    finally:
        store.close()
    return db


def test_suggest_retrain_stores_a_model_and_suggests_with_it(tmp_path: Path) -> None:
    from annotations.store import Store
    from annotations.suggest.learned import choose
    from annotations.suggest.training import MODEL_NAME

    db = _decided_db(tmp_path)
    code, out, err = run("--db", db, "suggest", SEED.name, "--retrain", "--json")
    assert code == 0, err
    data = json.loads(out)
    line = next(x for x in err.splitlines() if "learned model" in x)
    assert line.startswith("learned model version 1: ") and " s" in line
    model = data["model"]
    assert model["version"] == 1 and model["positives"] > 5 and model["negatives"] > 5
    assert f"{model['positives']} positives, {model['negatives']} negatives" in line
    assert data["suggester"].startswith("learned:")
    assert all(c["stance"] == "" and c["target"] == "" for c in data["candidates"])
    store = Store(Path(db), annotator="alice")
    try:
        stored = store.latest_model(MODEL_NAME)
        assert stored is not None and stored[0] == 1
        assert choose(stored[1])[0].key == data["suggester"]
    finally:
        store.close()
    code, out, err = run("--db", db, "suggest", SEED.name, "--retrain")
    assert code == 0 and "learned model version 2: " in err and "learned:" in err


def test_suggest_retrain_shows_stance_and_target_once_learned(tmp_path: Path) -> None:
    db = _decided_db(tmp_path, stances=True)
    code, out, err = run("--db", db, "suggest", SEED.name, "--retrain", "--json", "--all")
    assert code == 0, err
    data = json.loads(out)
    assert data["model"]["heads"] == ["stance", "target"]
    stances = {c["stance"] for c in data["candidates"]}
    assert stances <= {"favor", "against", ""} and stances & {"favor", "against"}
    assert {c["target"] for c in data["candidates"]} & {"target favor", "target against"}
    below = [c for c in data["candidates"] if c["score"] < data["threshold"]]
    assert below and all(c["stance"] == c["target"] == "" for c in below)  # no candidates
    code, out, _ = run("--db", db, "suggest", SEED.name, "--all", "--retrain")
    header = out.splitlines()[0]
    assert code == 0 and "stance" in header and "target" in header and "target favor" in out


@pytest.mark.parametrize("setup", ["empty", "missing"])
def test_suggest_retrain_without_examples_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setup: str
) -> None:
    db = tmp_path / "t.db"
    if setup == "empty":
        assert run("--db", str(db), "import", str(SEED))[0] == 0
    target = SEED.name if setup == "empty" else str(SEED)
    with pytest.raises(SystemExit) as caught:
        main(["--db", str(db), "suggest", target, "--retrain"])
    assert caught.value.code != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    if setup == "empty":
        assert "cannot retrain: the learned suggester needs at least 5 positives" in err
        assert "there are 0 and 0" in err
    else:
        assert "no database" in err and not db.exists()


def _split_gold(tmp_path: Path) -> tuple[Path, Path]:
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    train, gold = tmp_path / "train.jsonl", tmp_path / "gold.jsonl"
    train.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    gold.write_text("\n".join(lines[3:]) + "\n", encoding="utf-8")
    return train, gold


def test_eval_claims_with_train_scores_the_learned_suggester(tmp_path: Path) -> None:
    train, gold = _split_gold(tmp_path)
    db = tmp_path / "x.db"
    code, out, err = run("--db", str(db), "eval-claims", str(gold), "--train", str(train), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["suggester"].startswith("learned:") and data["train"] == str(train)
    assert data["positives"] > 5 and data["negatives"] > 5 and data["train_texts"] == 3
    assert 0 < data["average_precision"] <= 1 and data["texts"] == 2
    plain = json.loads(run("--db", str(db), "eval-claims", str(gold), "--json")[1])
    assert plain["suggester"] == "builtin" or not plain["suggester"].startswith("learned:")
    assert (plain["units"], plain["gold_claims"]) == (data["units"], data["gold_claims"])
    code, out, _ = run("--db", str(db), "eval-claims", str(gold), "--train", str(train))
    first = out.splitlines()[0]
    assert "learned:" in first and f"trained on {train}" in first and "positives" in first
    assert not db.exists()  # taught in memory: no database written


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\xff\xfe not text\n", "train.jsonl:1: not UTF-8 text"),
        (b'{"text": "abc", "spans": []}\n{"text": \n', "train.jsonl:2: "),
        (b'{"text": "abc", "spans": [[0, 9, "claim"]]}\n', "train.jsonl:1: spans[0]: [0, 9)"),
        (b'{"text": "abc", "spans": [[0, 3, "maybe"]]}\n', "train.jsonl:1: spans[0]: label"),
        (b"\n\n", "train.jsonl: no gold records"),
        (b"[1, 2]\n", "train.jsonl:1: a record must be a JSON object"),
        (b'{"text": "One. Two.", "spans": [[0, 4, "claim"], [5, 9, "not_claim"]]}\n', "at least 5"),
    ],
)
def test_eval_claims_refuses_a_bad_train_file_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, problem: str
) -> None:
    _, gold = _split_gold(tmp_path)
    train = tmp_path / "train.jsonl"
    train.write_bytes(content)
    with pytest.raises(SystemExit) as caught:
        main(["--db", str(tmp_path / "x.db"), "eval-claims", str(gold), "--train", str(train)])
    assert caught.value.code != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and problem in err and str(train) in err, err
