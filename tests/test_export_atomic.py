"""Files are replaced through a fresh file created exclusively beside them, never written through
a symlink someone planted in a shared folder (the ``.partial`` names of the first landing were
predictable, and a plain ``open(..., "w")`` follows links)."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotations import atomic_write
from annotations.entities import project_gazetteer as pg
from annotations.export import FORMATS, export
from tests.test_roundtrip_formats import RECOGNIZER, ClaimSpec, build

DOCS = [
    (
        "Beijing said China grew 5%.",
        [ClaimSpec(0, 26, "statistical", "favor", "Beijing", "", "ann", "pending")],
    )
]


def victim(tmp_path: Path) -> Path:
    """A file the attacker wants overwritten (a teammate's shell start-up file, say)."""
    secret = tmp_path / "home" / ".bashrc"
    secret.parent.mkdir()
    secret.write_text("mine\n")
    return secret


def plant(link: Path, target: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, link)


@pytest.mark.parametrize(
    "fmt", [name for name, form in FORMATS.items() if not form.write_path or form.path_suffix]
)
def test_export_never_writes_through_a_planted_partial_link(tmp_path: Path, fmt: str) -> None:
    secret = victim(tmp_path)
    shared = tmp_path / "shared"
    target = shared / f"out{FORMATS[fmt].suffix}"
    plant(shared / f"{target.name}.partial", secret)  # the old predictable name
    export(build(DOCS), fmt, target, RECOGNIZER.key)
    assert secret.read_text() == "mine\n"
    assert target.is_file() and not target.is_symlink() and target.stat().st_size > 0
    names = sorted(p.name for p in shared.iterdir())
    assert names == sorted([target.name, f"{target.name}.partial"])


def test_a_link_at_the_target_is_replaced_not_followed(tmp_path: Path) -> None:
    secret = victim(tmp_path)
    target = tmp_path / "shared" / "out.json"
    plant(target, secret)
    export(build(DOCS), "json", target, RECOGNIZER.key)
    assert secret.read_text() == "mine\n"
    assert not target.is_symlink() and '"format": "annotty"' in target.read_text()


def test_docbin_is_written_safely_too(tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    secret = victim(tmp_path)
    target = tmp_path / "shared" / "train.spacy"
    plant(target, secret)
    plant(target.with_name("train.spacy.partial"), secret)
    export(build(DOCS), "spacy", target, RECOGNIZER.key)
    assert secret.read_text() == "mine\n"
    assert not target.is_symlink() and target.stat().st_size > 0


def test_brat_refuses_a_symlinked_folder_and_ignores_a_planted_partial(tmp_path: Path) -> None:
    secret_dir = tmp_path / "home"
    secret_dir.mkdir()
    shared = tmp_path / "shared"
    plant(shared / "brat", secret_dir)
    with pytest.raises(atomic_write.UnsafeTarget, match="symbolic link"):
        export(build(DOCS), "brat", shared / "brat", RECOGNIZER.key)
    assert list(secret_dir.iterdir()) == []
    plant(shared / "brat2.partial", secret_dir)
    export(build(DOCS), "brat", shared / "brat2", RECOGNIZER.key)
    assert list(secret_dir.iterdir()) == []
    assert (shared / "brat2" / "annotation.conf").is_file()
    assert not [p for p in shared.iterdir() if p.name.startswith(atomic_write.PREFIX)]


def test_label_config_and_gazetteer_are_written_safely(tmp_path: Path) -> None:
    secret = victim(tmp_path)
    project = tmp_path / "project"
    gazetteer = project / "entities.yaml"
    plant(project / "entities.yaml.partial", secret)
    pg.add_entry(gazetteer, "Guo Jiakun", "PERSON")
    pg.add_ignore(gazetteer, "Search Trends")
    assert secret.read_text() == "mine\n"
    loaded = pg.load(gazetteer)
    assert [e.name for e in loaded.entries] == ["Guo Jiakun"]
    assert loaded.ignore == ("Search Trends",)
    assert sorted(p.name for p in project.iterdir()) == ["entities.yaml", "entities.yaml.partial"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    os.chmod(target, 0o640)
    with pytest.raises(RuntimeError), atomic_write.open_for_replace(target) as out:
        out.write("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]
    atomic_write.write_text(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # a replaced file keeps its mode


def test_a_new_file_gets_the_usual_mode_not_mkstemps_0600(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        atomic_write.write_text(tmp_path / "new.txt", "x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644


def test_a_folder_is_not_a_file_target(tmp_path: Path) -> None:
    (tmp_path / "out.json").mkdir()
    with pytest.raises(atomic_write.UnsafeTarget, match="is a folder"):
        export(build(DOCS), "json", tmp_path / "out.json", RECOGNIZER.key)


def test_files_inside_a_fresh_folder_refuse_an_existing_name(tmp_path: Path) -> None:
    secret = victim(tmp_path)
    folder = tmp_path / "fresh"
    folder.mkdir()
    plant(folder / "a.txt", secret)
    with pytest.raises(FileExistsError):
        atomic_write.create_file(folder, "a.txt")
    assert secret.read_text() == "mine\n"


def test_streams_are_untouched_by_all_this() -> None:
    buffer = io.StringIO()
    export(build(DOCS), "jsonl", buffer, RECOGNIZER.key)
    assert buffer.getvalue().count("\n") == 1


@contextlib.contextmanager
def out_of_file_descriptors() -> Iterator[None]:
    """While the block runs, the next ``open`` fails as it does for a process with too many files
    open (EMFILE, a real error from the kernel): the open-file limit is lowered to the lowest
    free descriptor, then restored."""
    resource = pytest.importorskip("resource")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    probe = os.open(os.devnull, os.O_RDONLY)
    os.close(probe)  # the lowest free descriptor: the next open would get it
    resource.setrlimit(resource.RLIMIT_NOFILE, (probe, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.parametrize(("fmt", "name"), [("json", "out.json"), ("brat", "out")])
def test_a_failed_export_names_the_target_not_the_temporary(
    tmp_path: Path, fmt: str, name: str
) -> None:
    target = tmp_path / name
    export(build(DOCS), fmt, tmp_path / "warm-up", RECOGNIZER.key)  # every import done before
    store = build(DOCS)
    with pytest.raises(OSError) as caught, out_of_file_descriptors():
        export(store, fmt, target, RECOGNIZER.key)
    assert caught.value.errno == errno.EMFILE
    named = Path(caught.value.filename)
    assert named == target if fmt == "json" else named.parent == target  # brat: a file in it
    assert caught.value.filename2 is None
    assert atomic_write.PREFIX not in str(caught.value)
    assert not target.exists()


def test_a_write_that_fails_midway_names_the_target(tmp_path: Path) -> None:
    """A real failed write: the file-size limit (RLIMIT_FSIZE, as a full disk would) stops it
    after 64 KB; the OSError from ``write`` names no file until ``open_for_replace`` says which."""
    target = tmp_path / "big.json"
    script = (
        "import resource, signal, sys\n"
        "from annotations import atomic_write\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE,"
        " (65536, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))\n"
        "try:\n"
        "    atomic_write.write_text(sys.argv[1], 'x' * 1_000_000)\n"
        "except OSError as exc:\n"
        "    print(exc.errno, exc.filename, sep='\\n')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(target)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[1],
        timeout=60,
        check=True,
    )
    assert done.stdout.splitlines() == [str(errno.EFBIG), str(target)]
    assert list(tmp_path.iterdir()) == []  # no target, no temporary left behind


def test_errors_about_other_files_keep_their_names(tmp_path: Path) -> None:
    other = str(tmp_path / "elsewhere.txt")
    with (
        pytest.raises(FileNotFoundError) as caught,
        atomic_write.open_for_replace(tmp_path / "out.json"),
    ):
        Path(other).read_text()
    assert caught.value.filename == other
