"""A per-file time and memory budget in batches: a file that runs away — in Python, in memory, or
somewhere no signal reaches — is reported with one line and the batch goes on.

The runaway files are FAKES: reviewer.pipeline.review_file is replaced by a function that loops
or allocates without end for files named slow*/greedy*, and reviews the others for real — a real
report that takes minutes is exactly what the rest of this suite prevents.
"""

from __future__ import annotations

import resource
import signal
import time
from pathlib import Path

import pytest

import malformed as m
from conftest import SEED_DOCX
from reviewer import pipeline
from reviewer.batch import review_one, run_batch
from reviewer.memo import OutputSpec
from reviewer.pipeline import Options

real_review_file = pipeline.review_file


def _runaway(path, options):
    name = Path(path).name
    if name.startswith("stuck"):
        # Stands for a call into C that never returns to Python: no signal handler can run.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM, signal.SIGINT})
        time.sleep(600)
    if name.startswith("slow"):
        n = 0
        while True:  # pure Python: the timer interrupts it
            n += 1
    if name.startswith("greedy"):
        hoard = []
        while True:
            hoard.append(bytearray(64 * 1024 * 1024))
    return real_review_file(path, options)


@pytest.fixture
def runaway(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(pipeline, "review_file", _runaway)
    monkeypatch.setenv("REVIEWER_FILE_TIMEOUT", "1")
    monkeypatch.setenv("REVIEWER_FILE_MEMORY_MB", "256")
    for name in ("slow.docx", "greedy.docx", "stuck.docx", "ok.docx"):
        # each its own bytes: identical files are reviewed once in a batch
        (tmp_path / name).write_bytes(m.build(extra={f"customXml/{name}.xml": b"<a/>"}))
    return tmp_path


def test_a_file_over_its_time_is_one_line(runaway: Path):
    outcome = review_one(runaway / "slow.docx", Options(llm_enabled=False))
    assert outcome.review is None
    assert "slow.docx" in outcome.error and "时限" in outcome.error and "\n" not in outcome.error


def test_a_file_stuck_where_no_signal_reaches_is_killed(runaway: Path):
    outcome = review_one(runaway / "stuck.docx", Options(llm_enabled=False))
    assert "stuck.docx" in outcome.error and "时限" in outcome.error


def test_a_file_over_its_memory_is_one_line_and_the_limit_is_put_back(runaway: Path, monkeypatch):
    monkeypatch.setenv("REVIEWER_FILE_TIMEOUT", "120")  # on a loaded machine filling 256 MB can take a while
    before = resource.getrlimit(resource.RLIMIT_AS)
    outcome = review_one(runaway / "greedy.docx", Options(llm_enabled=False))
    assert "greedy.docx" in outcome.error and "内存" in outcome.error and "\n" not in outcome.error
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    assert len(bytearray(512 * 1024 * 1024)) > 0  # past the file's budget, fine again outside it


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_batch_goes_on(runaway: Path, jobs: int, monkeypatch):
    real_review_file(SEED_DOCX, Options(llm_enabled=False))  # modules loaded: ok.docx is then quick
    monkeypatch.setenv("REVIEWER_FILE_TIMEOUT", "4")
    # --jobs 1 reviews in this process: only a child (parallel workers) can be killed inside C code
    names = ("slow.docx", "greedy.docx", "ok.docx") if jobs == 1 else ("slow.docx", "greedy.docx", "stuck.docx", "ok.docx")
    files = [runaway / n for n in names]
    spec = OutputSpec(formats=["md"], output=str(runaway / "out"))
    result = run_batch(files, Options(llm_enabled=False), spec, jobs=jobs)
    by_name = {o.path.name: o for o in result.outcomes}
    assert by_name["ok.docx"].row is not None and by_name["ok.docx"].written and not by_name["ok.docx"].error
    assert "时限" in by_name["slow.docx"].error
    assert "内存" in by_name["greedy.docx"].error or "时限" in by_name["greedy.docx"].error  # whichever comes first
    if jobs > 1:
        assert "时限" in by_name["stuck.docx"].error
