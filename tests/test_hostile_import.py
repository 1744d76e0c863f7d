"""Hostile input thrown at every importer: one line per bad record, the rest imported, no crash.

Classes covered: files that are not regular files (a FIFO, a symlink to /dev/zero), records too
large, JSON nested 100,000 deep, lone surrogates in every field, NaN/Infinity, integers beyond
64 bits, wrong types anywhere in annotty, Label Studio and doccano records, unknown format
versions, and file names made of escape sequences.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from annotations import input_files
from annotations.imports.annotation_files import import_file
from annotations.imports.plain_files import import_paths
from annotations.store import Store
from tests.conftest import ROOT

GOOD = {"text": "A good document after the bad one."}
NAN_LINE = '{"text": "Not a number here.", "meta": {"x": NaN}}'
CLI = "import sys; from annotations.cli import main; main(sys.argv[1:])"


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real command in a child process: a hang (the FIFO) fails the test instead of it."""
    return subprocess.run(
        [sys.executable, "-c", CLI, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def lines(path: Path, *records: Any) -> Path:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n",
        encoding="utf-8",
    )
    return path


def texts(store: Store) -> set[str]:
    return {store.document(d.id).text for d in store.documents()}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("name", ["pipe.txt", "pipe.jsonl", "pipe.json"])
def test_a_fifo_is_refused_not_waited_on(tmp_path: Path, name: str) -> None:
    fifo = tmp_path / name
    os.mkfifo(fifo)
    good = tmp_path / "good.txt"
    good.write_text("Good text.\n", encoding="utf-8")
    result = run_cli("--db", str(tmp_path / "a.db"), "import", str(fifo), str(good))
    assert result.returncode == 0, result.stderr
    assert f"{fifo}: is a FIFO (named pipe), only regular files are imported" in result.stderr
    assert "1 added" in result.stdout and "Traceback" not in result.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_symlink_to_a_device_is_refused(store: Store, tmp_path: Path) -> None:
    for name in ("zero.txt", "zero.jsonl", "zero.json"):
        (tmp_path / name).symlink_to("/dev/zero")
    report = import_paths(store, [tmp_path / n for n in ("zero.txt", "zero.jsonl", "zero.json")])
    assert len(report.errors) == 3
    assert all("is a device, only regular files are imported" in e for e in report.errors)


def test_files_and_records_over_the_caps_are_refused_with_the_cap(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(input_files, "MAX_TEXT_FILE", 1000)
    monkeypatch.setattr(input_files, "MAX_RECORD", 1000)
    (tmp_path / "big.txt").write_text("word " * 400, encoding="utf-8")
    lines(tmp_path / "big.jsonl", {"text": "x" * 2000}, GOOD)
    report = import_paths(store, [tmp_path])
    messages = "\n".join(report.errors)
    assert "big.txt: larger than 1,000 bytes, the most one document may hold" in messages
    assert "big.jsonl:1: longer than 1,000 bytes; record skipped" in messages
    assert texts(store) == {GOOD["text"]}


def test_json_nested_100000_deep(store: Store, tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    plain = lines(tmp_path / "plain.jsonl", '{"text": "deep", "meta": {"a": ' + deep + "}}", GOOD)
    report = import_paths(store, [plain])
    assert "plain.jsonl:1: bad JSON (nested too deeply)" in report.errors[0]
    assert report.n_added == 1
    studio = tmp_path / "ls.json"
    task = {"data": {"text": "Second good one."}, "annotations": []}
    studio.write_text("[" + deep + ",\n" + json.dumps(task) + "]", encoding="utf-8")
    result = import_file(store, studio)
    assert "record 1: line 1: nested too deeply; skipped" in result.errors[0]
    assert result.n_added == 1


SURROGATE = "\ud800"


def _with_surrogate(record: dict[str, Any], *path: str | int) -> str:
    """``record`` as JSON with a lone surrogate escape put at ``path``."""
    target: Any = record
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = "x" + SURROGATE
    return json.dumps(record)  # ensure_ascii writes it as the escape \\ud800


def _annotty(text: str) -> dict[str, Any]:
    return {
        "format": "annotty",
        "version": 1,
        "text": text,
        "title": "t",
        "meta": {"k": "v"},
        "doc_state": [
            {
                "annotator": "ann",
                "status": "done",
                "stance": "favor",
                "updated_at": "2024-01-01T00:00:00+00:00",
            }
        ],
        "claims": [
            {
                "id": "c" * 32,
                "start": 0,
                "end": 4,
                "quote": text[:4],
                "claim_type": "other",
                "stance": "none",
                "annotator": "ann",
                "note": "n",
            }
        ],
    }


@pytest.mark.parametrize(
    "path",
    [
        ("title",),
        ("meta", "k"),
        ("source",),
        ("id",),
        ("claims", 0, "note"),
        ("claims", 0, "annotator"),
        ("claims", 0, "quote"),
        ("doc_state", 0, "annotator"),
    ],
)
def test_a_lone_surrogate_in_any_annotty_field(
    store: Store, tmp_path: Path, path: tuple[str | int, ...]
) -> None:
    bad = _with_surrogate(_annotty("Bad record text."), *path)
    result = import_file(store, lines(tmp_path / "a.jsonl", bad, _annotty("Good one here.")))
    assert len(result.errors) == 1, result.errors
    assert "a.jsonl: record 1: " in result.errors[0] and "unpaired surrogate" in result.errors[0]
    assert texts(store) == {"Good one here."}
    assert [c.quote for c in store.claims()] == ["Good"]


def test_a_lone_surrogate_in_a_meta_key_and_in_foreign_files(store: Store, tmp_path: Path) -> None:
    plain = tmp_path / "p.jsonl"
    plain.write_text(
        '{"text": "one", "meta": {"\\udc00": 1}}\n{"text": "two", "title": '
        '"\\ud83d"}\n' + json.dumps(GOOD) + "\n",
        encoding="utf-8",
    )
    report = import_paths(store, [plain])
    assert [e.split(": ")[0] for e in report.errors] == [f"{plain}:1", f"{plain}:2"]
    assert report.n_added == 1
    task = {
        "data": {"text": "Label Studio text."},
        "annotations": [
            {
                "result": [
                    {
                        "id": "r",
                        "from_name": "claim",
                        "type": "labels",
                        "value": {"start": 0, "end": 5, "text": "Label", "labels": ["Claim", "x"]},
                    }
                ]
            }
        ],
    }
    bad = _with_surrogate(
        json.loads(json.dumps(task)), "annotations", 0, "result", 0, "value", "labels", 1
    )
    studio = tmp_path / "ls.json"
    studio.write_text(f"[{bad},\n{json.dumps(task)}]", encoding="utf-8")
    result = import_file(store, studio)
    assert len(result.errors) == 1
    assert (
        "record 1: line 1: annotations[0].result[0].value.labels[1]: has an unpaired"
        in result.errors[0]
    )
    assert [c.quote for c in store.claims()] == ["Label"]


@pytest.mark.parametrize(
    "bad",
    [
        NAN_LINE,
        '{"text": "Infinite.", "meta": {"x": -Infinity}}',
        '{"text": "Overflowing float.", "meta": {"x": 1e400}}',
        '{"text": "Too big.", "meta": {"x": 18446744073709551616}}',
        '{"text": "Far too big.", "meta": {"x": ' + "9" * 5000 + "}}",
    ],
)
def test_non_json_numbers_are_a_bad_record(store: Store, tmp_path: Path, bad: str) -> None:
    report = import_paths(store, [lines(tmp_path / "n.jsonl", bad, GOOD)])
    assert len(report.errors) == 1 and f"{tmp_path / 'n.jsonl'}:1: " in report.errors[0]
    assert texts(store) == {GOOD["text"]}


def test_huge_offsets_in_an_export(store: Store, tmp_path: Path) -> None:
    record = _annotty("Offsets beyond 64 bits.")
    raw = json.dumps(record).replace('"start": 0', '"start": 99999999999999999999')
    result = import_file(store, lines(tmp_path / "a.jsonl", raw, _annotty("Good one here.")))
    assert "record 1: line 1: integer 999999999999... does not fit in 64 bits" in result.errors[0]
    assert texts(store) == {"Good one here."}


LS_TEXT = "Label Studio says hello."
WRONG_LS: list[tuple[Any, str]] = [
    ({"data": ["not", "an", "object"]}, "'data' must be an object"),
    ({"data": {"text": 5}}, "missing a non-empty string 'text'"),
    (
        {"data": {"text": LS_TEXT, "title": {"a": 1}}, "annotations": {"a": 1}},
        "'annotations' must be a list",
    ),
    (
        {"data": {"text": LS_TEXT}, "annotations": [{"result": "nope"}]},
        "'annotation 1 result' must be a list",
    ),
    (
        {
            "data": {"text": LS_TEXT},
            "annotations": [{"result": [{"id": [1], "type": "labels", "value": "x"}]}],
        },
        "result 1 is not a region",
    ),
    (
        {
            "data": {"text": LS_TEXT},
            "annotations": [
                {
                    "result": [
                        {
                            "id": "r",
                            "type": "labels",
                            "from_name": "claim",
                            "value": {"start": "0", "end": [5], "labels": "Claim"},
                        }
                    ]
                }
            ],
        },
        "'labels' must be a list",
    ),
    (
        {
            "data": {"text": LS_TEXT},
            "annotations": [
                {
                    "completed_by": [1],
                    "result": [
                        {
                            "id": "r",
                            "type": "labels",
                            "from_name": "claim",
                            "value": {
                                "start": 0,
                                "end": 5,
                                "text": "Label",
                                "labels": ["Claim", "other"],
                            },
                        },
                        {
                            "id": "r",
                            "type": "choices",
                            "from_name": "stance",
                            "value": {"choices": "favor"},
                        },
                    ],
                }
            ],
        },
        "stance 'choices' must be a list of strings",
    ),
    (
        {
            "data": {
                "text": LS_TEXT,
                "doc_state": [
                    {
                        "annotator": "a",
                        "status": "finished",
                        "stance": "",
                        "updated_at": "2024-01-01",
                    }
                ],
            }
        },
        "unknown status 'finished'",
    ),
    ({"data": {"text": LS_TEXT}, "predictions": "x", "meta": [1]}, "'predictions' must be a list"),
]


@pytest.mark.parametrize(("task", "message"), WRONG_LS)
def test_wrong_types_in_label_studio(store: Store, tmp_path: Path, task: Any, message: str) -> None:
    good = {"data": {"text": "The good task after it."}}
    path = tmp_path / "ls.json"
    path.write_text(json.dumps([task, good]), encoding="utf-8")
    result = import_file(store, path, "label-studio")
    assert any(f"{path}: record 1: " in e and message in e for e in result.errors), result.errors
    assert "The good task after it." in texts(store)


WRONG_DOCCANO: list[tuple[Any, str]] = [
    ({"text": "Doccano one.", "label": 5}, "'label' must be a list"),
    ({"text": "Doccano one.", "label": [[0, 3, {"x": 1}]]}, "is not a [start, end, label]"),
    ({"text": "Doccano one.", "entities": {"a": 1}}, "'entities' must be a list"),
    (
        {"text": "Doccano one.", "entities": [{"label": ["claim"], "start_offset": 0}]},
        "entity 1 is not an object with a string 'label'",
    ),
    ({"text": "Doccano one.", "entities": [], "relations": "x"}, "'relations' must be a list"),
    (
        {
            "text": "Doccano one.",
            "label": [[0, 7, "claim:other:none"]],
            "annotty": {"claims": [{"start": 0, "end": 7, "note": 5}]},
        },
        "'note' must be a string",
    ),
    ({"text": "Doccano one.", "label": [], "annotty": [1]}, "'annotty' must be an object"),
    ({"text": ["Doccano"], "label": []}, "missing a non-empty string 'text'"),
]


@pytest.mark.parametrize(("record", "message"), WRONG_DOCCANO)
def test_wrong_types_in_doccano(store: Store, tmp_path: Path, record: Any, message: str) -> None:
    path = lines(tmp_path / "d.jsonl", record, {"text": "Good doccano.", "label": []})
    result = import_file(store, path, "doccano")
    assert any(f"{path}: record 1: " in e and message in e for e in result.errors), result.errors
    assert "Good doccano." in texts(store)


WRONG_ANNOTTY: list[tuple[Any, str]] = [
    ({"claims": {"a": 1}}, "'claims' must be a list"),
    ({"claims": [{"start": 0, "end": 4, "claim_type": 7}]}, "'claim_type' must be a string"),
    ({"meta": "x"}, "'meta' must be an object"),
    ({"title": 12}, "'title' must be a string"),
    (
        {
            "doc_state": [
                {"annotator": "a", "status": "done", "stance": 3, "updated_at": "2024-01-01"}
            ]
        },
        "doc_state 1: stance must be",
    ),
    (
        {"doc_state": [{"annotator": "a", "status": "done", "updated_at": "yesterday"}]},
        "is not an ISO 8601 time",
    ),
    ({"id": {"x": 1}, "entities": 5}, "'entities' must be a list"),
]


@pytest.mark.parametrize(("extra", "message"), WRONG_ANNOTTY)
def test_wrong_types_in_annotty(
    store: Store, tmp_path: Path, extra: dict[str, Any], message: str
) -> None:
    record = {"format": "annotty", "version": 1, "text": "Annotty text.", **extra}
    path = lines(tmp_path / "a.jsonl", record, _annotty("Good one here."))
    result = import_file(store, path)
    assert any(f"{path}: record 1: " in e and message in e for e in result.errors), result.errors
    assert "Good one here." in texts(store)


@pytest.mark.parametrize("version", ['"2.0"', "true", "0", "99", "null"])
def test_unknown_format_versions(store: Store, tmp_path: Path, version: str) -> None:
    one = json.dumps(_annotty("Versioned text.")).replace('"version": 1', f'"version": {version}')
    result = import_file(store, lines(tmp_path / "a.jsonl", one, _annotty("Good one here.")))
    assert "record 1: " in result.errors[0]
    assert "format version" in result.errors[0]
    assert texts(store) == {"Good one here."}
    wrapper = tmp_path / "w.json"
    wrapper.write_text(
        f'{{"format": "annotty", "version": {version}, "documents": ['
        + json.dumps(_annotty("Inside a wrapper."))
        + "]}",
        encoding="utf-8",
    )
    result = import_file(store, wrapper)
    assert "format version" in result.errors[0] and "nothing imported" in result.errors[0]
    assert "Inside a wrapper." not in texts(store)


def test_hostile_file_names_are_shown_harmless(store: Store, tmp_path: Path) -> None:
    evil = tmp_path / "x\x1b]52;c;aGk=\x07\nerror: forged.txt"
    evil.write_bytes(b"\x00binary")
    report = import_paths(store, [evil])
    assert len(report.errors) == 1
    line = report.errors[0]
    assert "\x1b" not in line and "\n" not in line and "\x07" not in line
    assert "\\x1b]52;c;aGk=\\x07\\nerror: forged.txt" in line
    result = run_cli("--db", str(tmp_path / "a.db"), "import", str(evil))
    assert "\x1b" not in result.stderr + result.stdout
    assert result.stderr.count("\n") == 1  # one error line, no forged second one


def test_the_cli_never_shows_a_traceback_for_bad_records(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    path = lines(
        tmp_path / "all.jsonl", NAN_LINE, '{"text": ' + deep + "}", '{"text": "\\udfff"}', GOOD
    )
    result = run_cli("--db", str(tmp_path / "a.db"), "import", str(path))
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "1 added, 0 already there, 3 errors" in result.stdout
    assert [ln.split(": ")[1] for ln in result.stderr.splitlines()] == [
        f"{path}:1",
        f"{path}:2",
        f"{path}:3",
    ]


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses non-UTF-8 file names")
def test_a_file_name_that_is_not_utf8_still_imports(store: Store, tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path)
    for name, body in (
        (b"caf\xe9.txt", b"Plain text in a badly named file."),
        (b"list\xff.jsonl", json.dumps(GOOD).encode()),
    ):
        with open(os.path.join(folder, name), "wb") as f:
            f.write(body)
    report = import_paths(store, [tmp_path])
    assert not report.errors and report.n_added == 2
    sources = sorted(store.document(d.id).source for d in store.documents())
    assert sources[0].endswith("caf\ufffd.txt") and sources[1].endswith("list\ufffd.jsonl#1")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_inside_a_folder_gets_its_line(store: Store, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.jsonl")
    lines(tmp_path / "ok.jsonl", GOOD)
    report = import_paths(store, [tmp_path])
    assert report.n_added == 1
    assert report.errors == [
        f"{tmp_path / 'pipe.jsonl'}: is a FIFO (named pipe), only regular "
        "files are imported; skipped"
    ]
