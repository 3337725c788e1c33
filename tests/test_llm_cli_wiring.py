"""The CLI's LLM options reach the wire: `--no-llm` sends nothing even with an endpoint configured;
`--base-url` and `--model` decide where the request goes and which model it names, over the
environment's.

LOOPBACK FAKE SERVERS (tests/llm_seed.LoopbackServer) with CONSTRUCTED replies (tests/llm_seed.answer): what is under test is the
wiring from the command line to the HTTP request, not any model's judgement. The CLI runs in this
process (typer's CliRunner; one report means no worker processes).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llm_seed import LoopbackServer, answer, completion_body
from reviewer.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "yunxi-2021-quweiban.docx"


def not_evidenced(body: dict, n: int):
    return 200, completion_body(answer(("目标", "not_evidenced", [])))


@pytest.fixture
def servers():
    made = [LoopbackServer(not_evidenced), LoopbackServer(not_evidenced)]
    yield made
    for s in made:
        s.close()


@pytest.fixture
def env(monkeypatch, tmp_path):
    """An endpoint configured in the environment, a fresh cache (a cache hit would send nothing)."""
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "REVIEWER_MODEL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wiring-test")
    monkeypatch.setenv("REVIEWER_CACHE_DIR", str(tmp_path / "cache"))
    return monkeypatch


def review(tmp_path: Path, *options: str) -> dict:
    out = tmp_path / "memo.json"
    result = CliRunner().invoke(app, ["run", str(EXAMPLE), "-f", "json", "-o", str(out), *options])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))


def llm_notes(memo: dict) -> set[str]:
    return {v.get("status_note", "") for v in memo["verdicts"] if v["by"] == "llm"}


def test_no_llm_sends_nothing_to_a_configured_endpoint(servers, env, tmp_path):
    configured, _ = servers
    env.setenv("OPENAI_BASE_URL", configured.url())
    env.setenv("REVIEWER_MODEL", "env-model")
    memo = review(tmp_path, "--no-llm")
    assert configured.requests == []
    assert llm_notes(memo) == {"未运行 (--no-llm)"}


def test_the_configured_endpoint_is_used_without_options(servers, env, tmp_path):
    configured, _ = servers
    env.setenv("OPENAI_BASE_URL", configured.url())
    env.setenv("REVIEWER_MODEL", "env-model")
    review(tmp_path)
    assert configured.requests, "the endpoint in the environment was not called"
    assert {body["model"] for body in configured.requests} == {"env-model"}


def test_base_url_and_model_options_reach_the_request(servers, env, tmp_path):
    configured, chosen = servers
    env.setenv("OPENAI_BASE_URL", configured.url())
    env.setenv("REVIEWER_MODEL", "env-model")
    review(tmp_path, "--base-url", chosen.url("/proxy/v1"), "--model", "cli-model")
    assert configured.requests == []
    assert chosen.requests
    assert set(chosen.paths) == {"/proxy/v1/chat/completions"}
    assert {body["model"] for body in chosen.requests} == {"cli-model"}


def evaluate(tmp_path: Path, *options: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir(parents=True)
    name = "hunan-2022-pingjiang-nyncj-careful"
    for suffix in (".docx", ".gold.json"):
        (corpus / f"{name}{suffix}").write_bytes((ROOT / "examples" / "corpus" / f"{name}{suffix}").read_bytes())
    result = CliRunner().invoke(app, ["eval", str(corpus), *options])
    assert result.exit_code == 0, result.output


def test_eval_wires_the_same_options(servers, env, tmp_path):
    configured, chosen = servers
    env.setenv("OPENAI_BASE_URL", configured.url())
    env.setenv("REVIEWER_MODEL", "env-model")
    evaluate(tmp_path / "off", "--no-llm")
    assert configured.requests == [] and chosen.requests == []
    evaluate(tmp_path / "on", "--base-url", chosen.url("/proxy/v1"), "--model", "cli-model")
    assert configured.requests == []
    assert set(chosen.paths) == {"/proxy/v1/chat/completions"}
    assert {body["model"] for body in chosen.requests} == {"cli-model"}


def pinned_quotes(body: dict) -> list[str] | None:
    schema = body["response_format"]["json_schema"]["schema"]
    return schema["$defs"]["ClauseJudgement"]["properties"]["quotes"]["items"].get("enum")


def test_quote_choices_option_pins_quotes_in_the_request(servers, env, tmp_path):
    from reviewer.ingest import load_report

    plain, pinned = servers
    review(tmp_path / "free", "--base-url", plain.url(), "--model", "m")
    assert plain.requests and all(pinned_quotes(body) is None for body in plain.requests)
    review(tmp_path / "pinned", "--base-url", pinned.url(), "--model", "m", "--quote-choices")
    completions = [row.completion.text for row in load_report(EXAMPLE).targets]
    assert pinned.requests
    for body in pinned.requests:
        choices = pinned_quotes(body)
        assert choices and all(any(c in text for text in completions) for c in choices)
