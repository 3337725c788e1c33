"""`--cassette`: a run's LLM exchanges recorded once and replayed with the server gone.

The server here is a LOOPBACK FAKE (tests/llm_seed.LoopbackServer) with a CONSTRUCTED reply (tests/llm_seed.answer): what is under
test is the recorder — what it writes, that a replay needs no server, that a changed request is one
line asking to re-record — not any model's judgement. Real recordings live in cassettes/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from llm_seed import LoopbackServer, answer, completion_body

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "yunxi-2021-quweiban.docx"
KEY = "sk-cassette-test-0123456789abcdefXYZ"


def not_evidenced(body: dict, n: int):
    return 200, completion_body(answer(("目标", "not_evidenced", [])))


@pytest.fixture
def server():
    with LoopbackServer(not_evidenced) as fake:
        yield fake


def review(*args: str, cwd: Path, cache: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.update(OPENAI_API_KEY=KEY, REVIEWER_CACHE_DIR=str(cache))
    return subprocess.run([sys.executable, "-m", "reviewer", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


def llm_part(path: Path) -> list:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [v for v in data["verdicts"] if v["by"] == "llm"]


def test_record_then_replay_without_the_server_then_mismatch(server, tmp_path):
    base_url = server.base_url
    cassette = tmp_path / "run.yaml"
    common = ["--base-url", base_url, "--model", "fake-model", "-f", "json", "--cassette", str(cassette)]
    first = review(str(EXAMPLE), *common, "-o", str(tmp_path / "1.json"), cwd=tmp_path, cache=tmp_path / "c1")
    assert first.returncode == 0, first.stderr
    text = cassette.read_text(encoding="utf-8")
    assert text.count("request:") >= 8  # one exchange per target row at least
    assert KEY not in text and "authorization" not in text.lower()

    server.close()  # nothing to answer any more: the replay must not need it
    second = review(str(EXAMPLE), *common, "--record", "none", "-o", str(tmp_path / "2.json"), cwd=tmp_path, cache=tmp_path / "c2")
    assert second.returncode == 0, second.stderr
    assert llm_part(tmp_path / "2.json") == llm_part(tmp_path / "1.json")

    changed = [a if a != "fake-model" else "other-model" for a in common]
    third = review(str(EXAMPLE), *changed, "--record", "none", "-o", str(tmp_path / "3.json"), cwd=tmp_path, cache=tmp_path / "c3")
    assert third.returncode == 2
    # the judge may log its failed rows first; the run ends on the one line that says what to do
    last = third.stderr.strip().splitlines()[-1]
    assert "重新录制" in last and "run.yaml" in last and "Traceback" not in third.stderr


def test_replay_of_a_missing_cassette_is_one_line(tmp_path):
    proc = review(str(EXAMPLE), "--no-llm", "--cassette", str(tmp_path / "none.yaml"), "--record", "none", cwd=tmp_path, cache=tmp_path / "c")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "none.yaml" in proc.stderr


def test_eval_records_every_report_in_this_process(server, tmp_path):
    """review eval reviews each report in a forked child under a budget; with --cassette the reviews
    must stay in the recording process, or nothing is recorded."""
    base_url = server.base_url
    cassette = tmp_path / "eval.yaml"
    corpus = ROOT / "examples" / "corpus"
    proc = review("eval", str(corpus), "--match", "hunan-2023-xiangyin*", "--base-url", base_url, "--model", "fake-model",
                  "--cassette", str(cassette), "--record", "all", "--format", "json", cwd=tmp_path, cache=tmp_path / "c")
    assert proc.returncode == 0, proc.stderr
    assert cassette.exists() and cassette.read_text(encoding="utf-8").count("request:") >= 8
