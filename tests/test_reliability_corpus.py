"""The malformed-input corpus (tests/malformed.py): every case ends in a memo that lists what was
unreadable, or in a one-line error with exit 2 — no traceback, no hang.

Quick slice (default run): QUICK cases in-process, a CliRunner sample and a subprocess sample.
Full run (`pytest -m slow`): 1,000 cases in-process, larger CLI samples. scripts/reliability prints
the figures (cases, crashes, hangs, max RSS) for the same corpus.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import malformed as m

KINDS = list(m.MUTATIONS)
QUICK = 2 * len(KINDS) + 2  # every kind twice: ~60 cases, ~15 s
FULL = 1000
TIMEOUT = 30.0  # seconds per case; the slowest case takes ~5 s


def _case_id(i: int) -> str:
    return f"{i:04d}-{KINDS[i % len(KINDS)]}"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("corpus")


def _explain(r: m.Result) -> str:
    return f"{r.case.name} ({r.case.note}): {r.outcome} {'; '.join(r.problems)}\n{r.detail}"


@pytest.mark.parametrize("i", range(QUICK), ids=_case_id)
def test_quick_slice(i: int, workdir: Path):
    r = m.run_case(m.make_case(i), workdir, timeout=TIMEOUT)
    assert r.ok, _explain(r)


def test_corpus_is_reproducible():
    for i in (0, 7, len(KINDS) + 11, 3 * len(KINDS) - 1):
        a, b = m.make_case(i, seed=5), m.make_case(i, seed=5)
        assert a.data == b.data and a.note == b.note
    assert m.make_case(len(KINDS) + 11, seed=5).data != m.make_case(len(KINDS) + 11, seed=6).data


def test_quick_slice_covers_every_kind():
    assert {KINDS[i % len(KINDS)] for i in range(QUICK)} == set(KINDS)


@pytest.mark.slow
def test_full_corpus(tmp_path: Path):
    tally = m.run_corpus(FULL, 0, tmp_path, timeout=TIMEOUT)
    assert tally.tried == FULL
    assert tally.memos > 0 and tally.errors > 0
    failures = tally.failures()
    assert not failures, f"{len(failures)} of {FULL} cases failed:\n" + "\n\n".join(failures[:20])


# --- through the CLI ----------------------------------------------------------------------------

def _cli_indices(n: int, start: int) -> list[int]:
    """n cases spread over the kinds (one of each before any repeats)."""
    return [start + k * (len(KINDS) + 1) for k in range(n)]


def _check_cli(name: str, code: int, stdout: str, stderr: str, out: Path) -> None:
    assert "Traceback" not in stdout + stderr, stderr
    assert code in (0, 2), f"exit {code}: {stderr}"
    stem = name.removesuffix(".docx")
    if code == 2:
        lines = stderr.strip().splitlines()
        assert len(lines) == 1, stderr
        assert lines[0].startswith("review: 错误: ") and name in lines[0], stderr
        assert not list(out.glob(f"{stem}.*")), "a rejected file left a memo"
    else:
        assert (out / f"{stem}.review.md").stat().st_size > 0
        assert all("已写出" in line for line in stderr.strip().splitlines()), stderr


def _cli_runner_sample(indices: list[int], tmp_path: Path) -> None:
    runner = CliRunner()
    from reviewer.cli import app

    out = tmp_path / "out"
    for i in indices:
        case = m.make_case(i)
        path = tmp_path / case.name
        path.write_bytes(case.data)
        res = runner.invoke(app, [str(path), "-o", str(out) + "/", "--no-llm"])
        assert res.exception is None or isinstance(res.exception, SystemExit), f"{case.name}: {res.exception!r}"
        _check_cli(case.name, res.exit_code, res.stdout, res.stderr, out)
        path.unlink()


def _subprocess_sample(indices: list[int], tmp_path: Path) -> None:
    out = tmp_path / "out"
    for i in indices:
        case = m.make_case(i)
        path = tmp_path / case.name
        path.write_bytes(case.data)
        proc = subprocess.run(
            [sys.executable, "-m", "reviewer", case.name, "-o", "out/", "--no-llm"],
            capture_output=True, text=True, cwd=tmp_path, timeout=120,
        )
        _check_cli(case.name, proc.returncode, proc.stdout, proc.stderr, out)


def test_cli_runner_sample(tmp_path: Path):
    _cli_runner_sample(_cli_indices(20, 1), tmp_path)


def test_subprocess_sample(tmp_path: Path):
    # Kinds with both outcomes: rejected archives, unusual forms, hostile text.
    wanted = ["zip_truncated", "zip_bomb", "xml_garbage", "grid_spans", "vmerge", "markup", "control_chars", "numbers"]
    _subprocess_sample([KINDS.index(k) for k in wanted], tmp_path)


@pytest.mark.slow
def test_cli_runner_sample_full(tmp_path: Path):
    _cli_runner_sample(_cli_indices(200, 3), tmp_path)


@pytest.mark.slow
def test_subprocess_sample_full(tmp_path: Path):
    _subprocess_sample(_cli_indices(30, 5), tmp_path)


# --- the caps, each on its own (would fail if the cap were removed) -------------------------------

@pytest.mark.parametrize("kind", m.BOMBS)
def test_zip_bomb_is_refused_without_inflating(tmp_path: Path, kind: str):
    import random
    import resource

    from reviewer.errors import InputError
    from reviewer.ingest import load_report

    data, note = m._zip_bomb(random.Random(0), kind)
    assert len(data) < 2_000_000, note  # small on disk …
    path = tmp_path / "bomb.docx"
    path.write_bytes(data)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(InputError) as info:
        load_report(path)
    line = str(info.value)
    assert "bomb.docx" in line and ("压缩炸弹" in line or "已损坏" in line), line
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 40, f"{note}: memory grew {grown_mb:.0f} MB"  # … and is never inflated


# --- the annotated-.docx writer ---------------------------------------------------------------------

@pytest.mark.parametrize("i", [88, 91, 233], ids=_case_id)
def test_docx_writer_on_damaged_packages(i: int, workdir: Path):
    r = m.run_case(m.make_case(i), workdir, formats=("md", "docx"), timeout=TIMEOUT)
    assert r.ok, _explain(r)


def test_damaged_package_skips_only_the_docx_and_says_why(tmp_path: Path):
    from reviewer.errors import InputError
    from reviewer.ingest import load_report
    from reviewer.memo import OutputSpec, write_outputs
    from reviewer.pipeline import Options, review_report

    case = m.make_case(91)  # [Content_Types].xml and _rels/.rels removed: ingest reads it, python-docx cannot
    path = tmp_path / case.name
    path.write_bytes(case.data)
    review = review_report(load_report(path), Options(llm_enabled=False))
    skipped: list[str] = []
    written = write_outputs(review, path, OutputSpec(formats=["md", "docx"], output=str(tmp_path / "out"), multiple=True), on_skip=skipped.append)
    assert [Path(w).suffix for w in written] == [".md"]
    assert len(skipped) == 1 and case.name in skipped[0] and ".review.docx" in skipped[0] and "\n" not in skipped[0]
    assert not list((tmp_path / "out").glob("*.docx"))
    with pytest.raises(InputError) as info:  # asked for alone, nothing would be written: an error
        write_outputs(review, path, OutputSpec(formats=["docx"], output=str(tmp_path / "alone"), multiple=True))
    assert str(info.value).startswith(str(path)), info.value
