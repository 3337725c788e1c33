"""LLM settings: CLI option > environment > [llm] table of the config file > provider preset > default;
bad values are one-line errors (exit 2); every option reaches the request.

LOOPBACK SERVER for the CLI wiring test (llm_seed.LoopbackServer, constructed replies, not recorded).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEED_DOCX
from llm_seed import LoopbackServer, answer, completion_body
from reviewer.errors import ConfigError
from reviewer.llm import LLMConfig
from reviewer.llm.config import PRESETS, SETTINGS

LLM_ENV = ["OPENAI_API_KEY", "OPENAI_BASE_URL", "REVIEWER_MODEL", "DEEPSEEK_API_KEY", "DASHSCOPE_API_KEY",
           "REVIEWER_CONFIG"] + [var for var, _ in SETTINGS.values()]


@pytest.fixture
def env(monkeypatch, tmp_path):
    for var in LLM_ENV:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)  # no ./reviewer.toml
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.config/reviewer/config.toml
    return monkeypatch


def test_presets_set_endpoint_modes_and_extras(env):
    env.setenv("DEEPSEEK_API_KEY", "ds-key")
    ds = LLMConfig.from_env(provider="deepseek")
    assert (ds.base_url, ds.model, ds.api_key) == ("https://api.deepseek.com/v1", "deepseek-chat", "ds-key")
    assert ds.modes == ("json_object", "prompt") and ds.max_tokens == 4096
    env.setenv("OPENAI_API_KEY", "openai-key")  # the provider's own key wins over a stray OpenAI one
    assert LLMConfig.from_env(provider="deepseek").api_key == "ds-key"
    env.delenv("OPENAI_API_KEY")
    qwen = LLMConfig.from_env(provider="dashscope", model="qwen3-32b")
    assert qwen.extra_body == {"enable_thinking": False} and qwen.model == "qwen3-32b"
    assert "json_schema" not in qwen.modes
    ollama = LLMConfig.from_env(provider="ollama", model="qwen2.5:7b")
    assert ollama.base_url == "http://127.0.0.1:11434/v1" and ollama.usable and ollama.modes[0] == "json_schema"
    assert not LLMConfig.from_env(provider="vllm").usable  # vLLM serves a model that must be named
    assert set(PRESETS) == {"deepseek", "dashscope", "ollama", "vllm", "openai", "llamacpp"}
    with pytest.raises(ConfigError, match="未知的模型服务预设"):
        LLMConfig.from_env(provider="nope")


def test_quote_choices_on_for_llamacpp_and_settable_everywhere(env, tmp_path):
    assert LLMConfig.from_env(provider="llamacpp").quote_choices is True  # small local models misquote
    assert LLMConfig.from_env(provider="ollama", model="m").quote_choices is False
    assert LLMConfig.from_env(provider="llamacpp", settings={"quote_choices": False}).quote_choices is False
    env.setenv("REVIEWER_LLM_QUOTE_CHOICES", "yes")
    assert LLMConfig.from_env(base_url="http://127.0.0.1:9/v1", model="m").quote_choices is True
    env.setenv("REVIEWER_LLM_QUOTE_CHOICES", "off")
    assert LLMConfig.from_env(provider="llamacpp").quote_choices is False  # the environment wins over the preset
    env.setenv("REVIEWER_LLM_QUOTE_CHOICES", "maybe")
    with pytest.raises(ConfigError, match="REVIEWER_LLM_QUOTE_CHOICES"):
        LLMConfig.from_env()
    env.delenv("REVIEWER_LLM_QUOTE_CHOICES")
    cfg_file = tmp_path / "q.toml"
    cfg_file.write_text("[llm]\nquote_choices = true\n", encoding="utf-8")
    env.setenv("REVIEWER_CONFIG", str(cfg_file))
    assert LLMConfig.from_env().quote_choices is True


def test_precedence_cli_env_file_preset(env, tmp_path):
    cfg_file = tmp_path / "r.toml"
    cfg_file.write_text('[llm]\nprovider = "dashscope"\ntimeout = 30\nmax_tokens = 2000\n'
                        'extra_body = {seed = 7}\nconcurrency = 2\n', encoding="utf-8")
    env.setenv("REVIEWER_CONFIG", str(cfg_file))
    cfg = LLMConfig.from_env()
    assert cfg.provider == "dashscope" and cfg.timeout == 30 and cfg.max_tokens == 2000 and cfg.concurrency == 2
    assert cfg.extra_body == {"enable_thinking": False, "seed": 7}  # the file adds to the preset's extras
    env.setenv("REVIEWER_LLM_TIMEOUT", "45")
    env.setenv("REVIEWER_LLM_EXTRA_BODY", '{"enable_thinking": true}')
    cfg = LLMConfig.from_env()
    assert cfg.timeout == 45 and cfg.extra_body == {"enable_thinking": True}  # env wins over the file
    cfg = LLMConfig.from_env(settings={"timeout": 5, "deadline": 50, "max_tokens": None})
    assert cfg.timeout == 5 and cfg.deadline == 50 and cfg.max_tokens == 2000  # CLI wins; None = not given


def test_default_config_file_is_reviewer_toml_in_the_current_folder(env, tmp_path):
    (tmp_path / "reviewer.toml").write_text('[llm]\nprovider = "ollama"\nmodel = "qwen2.5:7b"\n', encoding="utf-8")
    cfg = LLMConfig.from_env()
    assert cfg.base_url == "http://127.0.0.1:11434/v1" and cfg.model == "qwen2.5:7b"


@pytest.mark.parametrize(("text", "words"), [
    ("[llm]\ntimout = 3\n", "未知的设置 timout"),
    ("[llm]\ntimeout = -1\n", "timeout"),
    ("[llm]\nextra_body = \"not json\"\n", "extra_body"),
    ("[llm]\nmodes = [\"xml\"]\n", "输出模式"),
    ("[llm\n", "不是有效的 TOML"),
])
def test_bad_config_file_is_a_one_line_error_naming_it(env, tmp_path, text, words):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    env.setenv("REVIEWER_CONFIG", str(path))
    with pytest.raises(ConfigError) as info:
        LLMConfig.from_env()
    assert words in str(info.value) and "bad.toml" in str(info.value) and "\n" not in str(info.value)


def clean_env(tmp_path: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in LLM_ENV}
    env.update(REVIEWER_CACHE_DIR=str(tmp_path / "cache"), HOME=str(tmp_path), **extra)
    return env


@pytest.mark.parametrize(("args", "words"), [
    (["--provider", "nope"], "未知的模型服务预设"),
    (["--extra-body", "{bad"], "--extra-body"),
    (["--timeout", "0"], "--timeout"),
])
def test_bad_llm_option_exits_2_with_one_line(tmp_path, args, words):
    report = tmp_path / "r.docx"
    report.write_bytes(SEED_DOCX.read_bytes())
    proc = subprocess.run([sys.executable, "-m", "reviewer", "r.docx", *args], capture_output=True, text=True,
                          cwd=tmp_path, env=clean_env(tmp_path), timeout=120)
    assert proc.returncode == 2 and words in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert not (tmp_path / "r.review.md").exists()


def test_cli_llm_options_reach_the_request(tmp_path):
    """`review` with every LLM option against a loopback server: what arrives is what was asked."""
    good = (200, completion_body(answer(("目标", "not_evidenced", []))))
    report = tmp_path / "r.docx"
    report.write_bytes(SEED_DOCX.read_bytes())
    with LoopbackServer(lambda body, n: good) as server:
        proc = subprocess.run(
            [sys.executable, "-m", "reviewer", "r.docx", "--base-url", server.base_url, "--model", "m-cli",
             "--max-tokens", "777", "--temperature", "0.3", "--extra-body", '{"enable_thinking": false}',
             "--timeout", "20", "--deadline", "60", "--llm-concurrency", "1", "-f", "json"],
            capture_output=True, text=True, cwd=tmp_path, env=clean_env(tmp_path), timeout=120)
        requests = list(server.requests)
    assert proc.returncode == 0, proc.stderr
    assert requests and all(b["model"] == "m-cli" and b["max_tokens"] == 777 and b["temperature"] == 0.3
                            and b["enable_thinking"] is False for b in requests)
    review = json.loads((tmp_path / "r.review.json").read_text(encoding="utf-8"))
    assert review["llm"]["ran"] and review["llm"]["calls"] == len(requests)
    # --no-llm with the endpoint configured: nothing is sent
    with LoopbackServer(lambda body, n: good) as server:
        proc = subprocess.run([sys.executable, "-m", "reviewer", "r.docx", "--base-url", server.base_url,
                               "--model", "m", "--no-llm"], capture_output=True, text=True, cwd=tmp_path,
                              env=clean_env(tmp_path), timeout=120)
        assert proc.returncode == 0 and server.requests == []

