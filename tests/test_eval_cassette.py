"""`review eval --cassette … --record none`: the corpus run's LLM exchanges, recorded against a real
local server by scripts/record-eval-cassette, replay offline and give the figures recorded with them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASSETTE = ROOT / "cassettes" / "eval-corpus.yaml"
META = ROOT / "cassettes" / "eval-corpus.meta.json"

pytestmark = pytest.mark.skipif(not META.exists(), reason="no cassettes/eval-corpus.meta.json: run scripts/record-eval-cassette")


def test_corpus_eval_replays_offline_with_the_recorded_figures(tmp_path):
    meta = json.loads(META.read_text(encoding="utf-8"))
    from reviewer.llm.prompts import prompt_version

    assert meta["prompt_version"] == prompt_version(), "prompts changed since recording: run scripts/record-eval-cassette"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.update(OPENAI_API_KEY="sk-replay-dummy-0000000000000000", REVIEWER_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.run(
        [sys.executable, "-m", "reviewer", "eval", "examples/corpus", "--format", "json",
         "--base-url", meta["base_url"], "--model", meta["model"], "--cassette", str(CASSETTE), "--record", "none",
         *(["--match", meta["match"]] if meta.get("match") else [])],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    totals = json.loads(proc.stdout)["totals"]
    for key, value in meta["totals"].items():
        assert totals[key] == (list(value) if isinstance(value, list) else value), key
    judged = totals["targets_agree_llm"][1]
    assert judged > 0  # the model's verdicts were replayed, not skipped
