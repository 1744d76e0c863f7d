"""``--suggester SPEC``: the global option, the per-command option, and the fallback lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.cli import Settings, cli, main
from annotations.cli.suggester_option import choose_suggester
from annotations.store import Store
from annotations.suggest.builtin import BuiltinSuggester
from annotations.suggest.choice import backend, claim_suggester, model_name
from annotations.suggest.embeddings import can_encode
from annotations.suggest.learned import LearnedSuggester, ModelParams
from annotations.suggest.ngram_hashing import HashingSettings

TEXT = (
    "Exports rose 7.1% to $3.38 trillion in 2024, Guo Jiakun said.\n"
    "I think we should all be kinder to each other.\n"
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _doc(tmp_path: Path) -> str:
    doc = tmp_path / "doc.txt"
    doc.write_text(TEXT, encoding="utf-8")
    return str(doc)


def _model() -> dict:
    """A stored learned model (plain data) that pushes every unit up."""
    return ModelParams(HashingSettings(), {}, {"builtin": 0.0}, 5.0, 5, 5).to_dict()


def test_specs_parse() -> None:
    assert backend(None) == backend("") == backend(" auto ") == ("auto", "")
    assert backend("Builtin") == backend("built-in") == ("builtin", "")
    assert backend("learned") == ("learned", "")
    assert backend("spacy: my/pipe#CLAIM") == ("spacy", "my/pipe#CLAIM")
    assert backend("embeddings:all-MiniLM-L6-v2") == ("embeddings", "all-MiniLM-L6-v2")
    assert backend("embeddings") == ("embeddings", "")
    assert backend("gpt") == ("unknown", "gpt")
    assert model_name("embeddings:m") == "embeddings:m"
    assert model_name(None) == model_name("learned") == model_name("spacy:x") == "claims"


def test_auto_uses_the_learned_model_once_one_is_stored() -> None:
    assert isinstance(claim_suggester(None, None, None)[0], BuiltinSuggester)
    chosen, notes = claim_suggester("auto", _model(), None)
    assert isinstance(chosen, LearnedSuggester) and notes == []
    chosen, notes = claim_suggester("builtin", _model(), None)
    assert isinstance(chosen, BuiltinSuggester) and notes == []
    chosen, notes = claim_suggester("learned", None, None)
    assert isinstance(chosen, BuiltinSuggester)
    assert notes == [
        "no learned suggester is trained yet (decide some candidates in the app, or run "
        "'annotty suggest --retrain'); using the built-in suggester"
    ]
    chosen, notes = claim_suggester("gpt-9", None, None)
    assert isinstance(chosen, BuiltinSuggester)
    assert notes == [
        "unknown suggester 'gpt-9' (use auto, builtin, learned, spacy:NAME_OR_PATH[#LABEL] or "
        "embeddings:NAME); using the built-in suggester"
    ]


def test_the_schema_claim_types_reach_the_suggester(tmp_path: Path) -> None:
    chosen, _ = choose_suggester("builtin", None, None)
    assert isinstance(chosen, BuiltinSuggester) and chosen.claim_types
    assert "statistical" in chosen.claim_types


def test_choose_reads_the_model_the_spec_needs(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db", annotator="alice")
    try:
        store.save_model("claims", _model())
        chosen, notes = choose_suggester(None, store, None)
        assert isinstance(chosen, LearnedSuggester) and notes == []
        chosen, _ = choose_suggester("builtin", store, None)
        assert isinstance(chosen, BuiltinSuggester)
    finally:
        store.close()


def test_the_global_option_picks_the_suggester(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    store = Store(Path(db), annotator="alice")
    store.save_model("claims", _model())
    store.close()
    code, out, err = run("--db", db, "suggest", _doc(tmp_path), "--json")
    assert code == 0 and json.loads(out)["suggester"].startswith("learned:")  # auto
    code, out, err = run("--db", db, "--suggester", "builtin", "suggest", _doc(tmp_path), "--json")
    assert code == 0 and json.loads(out)["suggester"] == "builtin" and err == ""


def test_the_command_option_overrides_the_global_one(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    doc = _doc(tmp_path)
    code, out, err = run("--db", db, "--suggester", "spacy:nope_xyz", "suggest", doc, "--json")
    assert code == 0 and "spaCy pipeline 'nope_xyz' cannot be loaded" in err
    code, out, err = run(
        "--db", db, "--suggester", "spacy:nope_xyz", "suggest", "--suggester", "builtin", doc
    )
    assert code == 0 and "nope_xyz" not in err and "builtin suggester" in err
    code, out, err = run("--db", db, "suggest", doc, "--suggester", "learned", "--json")
    assert json.loads(out)["suggester"] == "builtin"
    assert err.startswith("annotty: no learned suggester is trained yet")


def test_fallback_lines_are_prefixed_and_safe(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    code, out, err = run(
        "--db", db, "--suggester", "spacy:bad\x1b[2Jname", "suggest", _doc(tmp_path)
    )
    assert code == 0
    line = err.splitlines()[0]
    assert line.startswith("annotty: spaCy pipeline 'bad\\x1b[2Jname' cannot be loaded")
    assert line.endswith("; using the built-in suggester")
    assert "\x1b" not in err
    assert "statistical" in out  # the built-in suggester's candidates follow
    assert not Path(db).exists()  # a file, not a stored document: no database is made


def test_eval_claims_takes_the_option_and_defaults_to_the_built_in(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        json.dumps({"text": TEXT, "spans": [[0, 61, "claim"], [62, 108, "not_claim"]]}) + "\n"
    )
    db = str(tmp_path / "t.db")
    store = Store(Path(db), annotator="alice")
    store.save_model("claims", _model())
    store.close()
    code, out, _ = run("--db", db, "eval-claims", str(gold), "--json")
    assert code == 0 and json.loads(out)["suggester"] == "builtin"  # the files alone
    code, out, _ = run("--db", db, "eval-claims", str(gold), "--suggester", "auto", "--json")
    assert json.loads(out)["suggester"].startswith("learned:")
    code, out, err = run("--db", db, "--suggester", "embeddings:", "eval-claims", str(gold))
    assert code == 0 and "annotty: no sentence-embedding model named" in err


@pytest.mark.skipif(can_encode(), reason="sentence-transformers is installed here")
def test_retrain_an_embedding_model_without_the_package_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "t.db"
    Store(db, annotator="alice").close()
    with pytest.raises(SystemExit) as caught:
        main(
            ["--db", str(db), "suggest", _doc(tmp_path), "--retrain", "--suggester", "embeddings:m"]
        )
    assert caught.value.code == 1
    assert capsys.readouterr().err == (
        "annotty: cannot retrain: sentence-transformers is not installed: pip install "
        "sentence-transformers and a model (e.g. all-MiniLM-L6-v2) to use --suggester "
        "embeddings:m\n"
    )


def test_settings_choose_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(db=tmp_path / "none.db", annotator=None, schema=None, suggester="gpt")
    first = settings.claim_suggester()
    assert settings.claim_suggester() is first
    assert capsys.readouterr().err.count("unknown suggester 'gpt'") == 1
    settings.use_suggester("builtin")
    assert settings.claim_suggester() is not first
