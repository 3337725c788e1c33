"""No data lost: a batch killed mid-way leaves every memo it finished intact and no half-written
memo under a final name; running it again completes the batch (and, once the pipeline calls the
LLM judge, answers from the cache instead of asking again).

The batch is the real CLI (`python -m reviewer DIR -o OUT`) in its own session, killed with SIGKILL
(the worst case: power cut, OOM killer) as soon as the first memo appears.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import SEED_DOCX
from llm_seed import LoopbackServer, answer, completion_body
from reviewer.memo import render
from reviewer.pipeline import Options, review_file
from reviewer.review import Review

COPIES = 30
MEMO = re.compile(r"^(?P<stem>r\d\d)\.review\.(?P<fmt>md|json|html)$")  # a batch adds html for the summary
TEMP = re.compile(r"^\.r\d\d\.review\.(md|json|html)\..+\.tmp$")  # reviewer.memo.atomic's temp files


def _inputs(folder: Path, n: int = COPIES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        # The same report in files that differ (a zip comment): identical files would be reviewed once.
        with zipfile.ZipFile(SEED_DOCX) as zin, zipfile.ZipFile(folder / f"r{i:02d}.docx", "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                zout.writestr(item, zin.read(item))
            zout.comment = f"copy {i}".encode()
    return folder


def _start(args: list[str], cwd: Path, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "reviewer", *args],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # its own process group: the kill reaches the pool workers too
        env=env,
    )


def _kill_after_first_memo(proc: subprocess.Popen, out: Path, limit: float = 120) -> bool:
    """SIGKILL the batch (its whole process group) once a memo exists; False if it finished first."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if out.is_dir() and any(MEMO.match(p.name) for p in out.iterdir()):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.002)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    pytest.fail("no memo appeared within the time limit")


def _expected(inputs: Path, stem: str) -> dict[str, str]:
    review = review_file(inputs / f"{stem}.docx", Options(llm_enabled=False))
    return {"md": render(review, "md"), "json": review.model_dump_json(indent=2)}


def _check_finished(out: Path, inputs: Path) -> set[str]:
    """Every memo under a final name is complete; returns the stems with both memos."""
    done: dict[str, set[str]] = {}
    for p in out.iterdir():
        if p.name.startswith("summary.") or p.name == ".reviewer-run":  # the run's manifest (reviewer.manifest)
            continue
        if TEMP.match(p.name):
            continue  # an interrupted atomic write: hidden, never read as a memo
        match = MEMO.match(p.name)
        assert match, f"unexpected file in the output folder: {p.name}"
        stem, fmt = match["stem"], match["fmt"]
        text = p.read_text(encoding="utf-8")
        if fmt == "html":
            assert text.rstrip().endswith("</html>"), f"{p.name} is cut short"
            continue
        if fmt == "json":
            Review.model_validate_json(text)  # parseable and complete
            json.loads(text)
        expected = _expected(inputs, stem)[fmt]
        if fmt == "md":
            assert text == expected, f"{p.name} differs from a fresh render (truncated?)"
        done.setdefault(stem, set()).add(fmt)
    return {s for s, fmts in done.items() if fmts == {"md", "json"}}


def test_killed_batch_leaves_only_complete_memos_and_a_rerun_finishes(tmp_path: Path):
    inputs = _inputs(tmp_path / "in")
    out = tmp_path / "out"
    args = ["in", "-o", "out", "--format", "md,json", "--no-llm", "-j", "2"]
    killed = False
    for _ in range(3):  # a fast machine can finish 30 files before the first poll; retry on a clean folder
        shutil.rmtree(out, ignore_errors=True)
        proc = _start(args, tmp_path)
        if _kill_after_first_memo(proc, out):
            killed = True
            break
    assert killed, "the batch always finished before it could be killed"
    finished = _check_finished(out, inputs)
    leftovers = [p.name for p in out.iterdir() if TEMP.match(p.name)]
    assert len(finished) < COPIES, "the kill came after the batch had finished"

    proc = _start(args, tmp_path)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert _check_finished(out, inputs) == {f"r{i:02d}" for i in range(COPIES)}
    assert (out / "summary.csv").read_text(encoding="utf-8").count("\n") >= COPIES
    # Temp files of writes the kill interrupted are hidden and harmless, but nothing removes them yet
    # (see the report of issue 7): at most one per worker and format.
    assert len(leftovers) <= 6, leftovers  # 2 workers × 3 formats


def test_interrupted_rewrite_keeps_the_previous_memo(tmp_path: Path, monkeypatch):
    """Deterministic half of the kill test: the process dies (KeyboardInterrupt) after the new memo's
    bytes are written but before they are in place. The old memo must be intact and no partial file
    left; a direct write to the final name would fail this."""
    from reviewer.memo import OutputSpec, write_outputs

    review = review_file(SEED_DOCX, Options(llm_enabled=False))
    spec = OutputSpec(formats=["md", "json"], output=str(tmp_path / "out"), multiple=True)
    written = [Path(p) for p in write_outputs(review, SEED_DOCX, spec)]
    before = {p: p.read_bytes() for p in written}

    review.findings = []  # a different memo this time
    review.report.cover.department.text = "改过的部门名称" * 50

    def killed(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", killed)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(review, SEED_DOCX, spec)
    monkeypatch.undo()
    assert {p: p.read_bytes() for p in written} == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in written)


# --- the LLM path (a fake OpenAI-compatible server on loopback) ----------------------------------

DUMMY_KEY = "sk-reliability-DUMMY-7f3a9c2e4b1d8f6a0c5e"


def _six_clauses(body: dict, n: int):
    # one clause judgement per clause id the judge may send (it numbers a row's clauses 1…n)
    return 200, completion_body(answer(*[(i, "目标", "not_evidenced", []) for i in range(1, 7)]))


class FakeOpenAI(LoopbackServer):
    """FAKE SERVER on loopback (tests/llm_seed.LoopbackServer): an OpenAI-compatible
    /chat/completions that answers every row 'not_evidenced' and keeps every request
    (a subprocess cannot use httpx MockTransport)."""

    def __init__(self) -> None:
        super().__init__(_six_clauses)

    @property
    def auth(self) -> list[str]:
        return [h.get("authorization", "") for h in self.headers]


def _llm_env(server: FakeOpenAI, cache: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_PROXY") and not k.endswith("_proxy")}
    env.update(OPENAI_API_KEY=DUMMY_KEY, OPENAI_BASE_URL=server.base_url, REVIEWER_MODEL="fake-model",
               REVIEWER_CACHE_DIR=str(cache), NO_PROXY="127.0.0.1", HOME=str(cache.parent))
    return env


def _distinct_inputs(folder: Path, n: int) -> Path:
    """Copies whose completions differ, so each file asks its own questions."""
    import malformed as m

    folder.mkdir(parents=True, exist_ok=True)
    xml = m.seed_xml().decode("utf-8")
    for i in range(n):
        (folder / f"r{i:02d}.docx").write_bytes(m.build(xml.replace("。</w:t>", f"（第{i}份）。</w:t>")))
    return folder


def test_rerun_after_kill_answers_from_the_cache(tmp_path: Path):
    inputs = _distinct_inputs(tmp_path / "in", COPIES)
    out, cache = tmp_path / "out", tmp_path / "cache"
    args = ["in", "-o", "out", "--format", "md,json", "-j", "2"]
    with FakeOpenAI() as server:
        proc = _start(args, tmp_path, env=_llm_env(server, cache))
        _kill_after_first_memo(proc, out)
        first = len(server.requests)
        proc = _start(args, tmp_path, env=_llm_env(server, cache))
        _, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 0, stderr
        second = len(server.requests) - first
        distinct = {json.dumps(r["messages"], ensure_ascii=False, sort_keys=True) for r in server.requests}
    assert first > 0
    # Nothing answered before the kill is asked again: every question went out once.
    assert first + second == len(distinct), (first, second, len(distinct))


def test_dummy_key_never_lands_in_memos_cache_logs_or_cassettes(tmp_path: Path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    with FakeOpenAI() as server:
        env = _llm_env(server, cache)
        env["REVIEWER_LOG_LEVEL"] = "DEBUG"
        proc = subprocess.run([sys.executable, "-m", "reviewer", str(SEED_DOCX), "-o", str(out) + "/", "--format", "md,html,json,docx"],
                              capture_output=True, text=True, timeout=300, env=env)
    assert server.requests and all(DUMMY_KEY in a for a in server.auth)  # the key was really used …
    assert DUMMY_KEY not in proc.stdout + proc.stderr  # … and is nowhere else
    roots = [out, cache, Path(__file__).parent / "cassettes"]
    for root in roots:
        for p in (root.rglob("*") if root.exists() else []):
            if p.is_file():
                data = p.read_bytes()
                assert DUMMY_KEY.encode() not in data and b"DUMMY-7f3a" not in data, p
