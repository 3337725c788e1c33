"""Identical reports in one batch: each distinct question goes to the model once, even when the
reports are reviewed at the same time in different worker processes (the cache is looked up, and
the request claimed, right before sending).

LOOPBACK SERVER: llm_seed.LoopbackServer with constructed replies (each delayed a little so the
workers overlap); not recorded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import SEED_DOCX
from llm_seed import LoopbackServer, answer, completion_body
from reviewer.llm.config import SETTINGS

# every clause id the pipeline may send (the seed's rows have up to 4 clauses): no re-asks
GOOD = (200, completion_body(answer(*[("目标", "not_evidenced", [])] * 6)))


def slow_good(body, n):
    time.sleep(0.3)
    return GOOD


def review(args: list[str], cwd: Path, cache: Path) -> subprocess.CompletedProcess:
    drop = {"OPENAI_API_KEY", "OPENAI_BASE_URL", "REVIEWER_MODEL", "REVIEWER_CONFIG"} | {v for v, _ in SETTINGS.values()}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(REVIEWER_CACHE_DIR=str(cache), HOME=str(cwd))
    return subprocess.run([sys.executable, "-m", "reviewer", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300)


def test_identical_reports_in_a_batch_ask_each_question_once(tmp_path):
    one = tmp_path / "one"
    one.mkdir()
    (one / "r.docx").write_bytes(SEED_DOCX.read_bytes())
    with LoopbackServer(slow_good) as server:
        proc = review(["r.docx", "--base-url", server.base_url, "--model", "m"], one, tmp_path / "cache-one")
        assert proc.returncode == 0, proc.stderr
        single = len(server.requests)
    assert single >= 5  # the seed's non-blank rows

    batch = tmp_path / "batch"
    batch.mkdir()
    for name in ("a.docx", "b.docx", "c.docx"):
        (batch / name).write_bytes(SEED_DOCX.read_bytes())
    with LoopbackServer(slow_good) as server:
        proc = review([".", "--base-url", server.base_url, "--model", "m", "-j", "3"], batch, tmp_path / "cache-batch")
        assert proc.returncode == 0, proc.stderr
        sent = len(server.requests)
    assert sent == single  # not 3 × single
    for name in ("a", "b", "c"):
        memo = (batch / f"{name}.review.md").read_text(encoding="utf-8")
        assert "未完成" not in memo
