"""LLMConfig: where the judge sends its questions, and how.

Each setting is taken from the first of: a CLI option, an environment variable, the [llm] table
of the config file (REVIEWER_CONFIG, else ./reviewer.toml, else ~/.config/reviewer/config.toml),
the provider preset (--provider / REVIEWER_PROVIDER), the default. The API key, and any
user:password@ in the base URL, are held but never printed, stored, cached or logged.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from reviewer.errors import ConfigError

OPENAI_BASE_URL = "https://api.openai.com/v1"
OPENAI_DEFAULT_MODEL = "gpt-4o-mini"
# Local servers (llama.cpp, Ollama, vLLM) accept any key; the SDK insists on one.
LOCAL_PLACEHOLDER_KEY = "no-key"

NOTE_NO_ENDPOINT = "未运行 (no endpoint configured)"
NOTE_DISABLED = "未运行 (--no-llm)"
NOTE_NO_MODEL = "未运行 (no model: set REVIEWER_MODEL or --model)"

ALL_MODES = ("json_schema", "json_object_schema", "json_object", "prompt")


@dataclass(frozen=True)
class Preset:
    """What is known about one provider: where it is, what it accepts, what it needs sent."""

    name: str
    base_url: str
    model: str  # default model ("" = must be named)
    modes: tuple[str, ...]  # output modes worth trying, in order
    key_env: str = ""  # read when OPENAI_API_KEY is not set
    extra_body: dict = field(default_factory=dict)
    max_tokens: int | None = None
    quote_choices: bool = False  # the server compiles the schema into a grammar: quotes can be pinned to the text
    batch_jobs: bool = False  # takes OpenAI batch files (/v1/files + /v1/batches, --llm-batch)


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("openai", OPENAI_BASE_URL, OPENAI_DEFAULT_MODEL, ("json_schema", "json_object", "prompt"), batch_jobs=True),
        # json_schema is refused ("This response_format type is unavailable now"); deepseek-reasoner
        # thinks before answering, so its answers need room.
        Preset("deepseek", "https://api.deepseek.com/v1", "deepseek-chat", ("json_object", "prompt"),
               key_env="DEEPSEEK_API_KEY", max_tokens=4096),
        # Qwen3 models answer 400 "enable_thinking must be set to false" for non-streaming calls.
        Preset("dashscope", "https://dashscope.aliyuncs.com/compatible-mode/v1", "qwen-plus",
               ("json_object", "prompt"), key_env="DASHSCOPE_API_KEY", extra_body={"enable_thinking": False},
               batch_jobs=True),  # 百炼 batch: the same files/batches calls on the compatible-mode endpoint
        # vLLM runs the same file format offline (`vllm run-batch`), not as a /v1/batches job.
        Preset("ollama", "http://127.0.0.1:11434/v1", "", ("json_schema", "json_object", "prompt")),
        Preset("vllm", "http://127.0.0.1:8000/v1", "", ("json_schema", "json_object", "prompt")),
        # llama.cpp's llama-server takes json_schema; llama-cpp-python's server takes json_object + schema.
        # Small local models misquote; llama.cpp's grammar can hold every quote to a piece of the text.
        Preset("llamacpp", "http://127.0.0.1:8080/v1", "local", ALL_MODES, quote_choices=True),
    )
}

# Settings that may come from the environment or the [llm] table: name → (env variable, type).
SETTINGS: dict[str, tuple[str, type]] = {
    "provider": ("REVIEWER_PROVIDER", str),
    "base_url": ("OPENAI_BASE_URL", str),
    "model": ("REVIEWER_MODEL", str),
    "timeout": ("REVIEWER_LLM_TIMEOUT", float),
    "deadline": ("REVIEWER_LLM_DEADLINE", float),
    "concurrency": ("REVIEWER_LLM_CONCURRENCY", int),
    "max_tokens": ("REVIEWER_LLM_MAX_TOKENS", int),
    "temperature": ("REVIEWER_LLM_TEMPERATURE", float),
    "extra_body": ("REVIEWER_LLM_EXTRA_BODY", dict),
    "modes": ("REVIEWER_LLM_MODES", tuple),
    "quote_choices": ("REVIEWER_LLM_QUOTE_CHOICES", bool),
}


_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s@]*@")


def strip_credentials(text: str) -> str:
    """`text` with the user:password@ part of every URL in it removed: what may be stored,
    printed or recorded of an endpoint (http://user:pass@host/v1 → http://host/v1)."""
    return _USERINFO.sub(r"\1", text)


def default_cache_path() -> Path:
    base = os.environ.get("REVIEWER_CACHE_DIR")
    root = Path(base).expanduser() if base else Path.home() / ".cache" / "reviewer"
    return root / "llm.sqlite3"


def config_file() -> Path | None:
    """The config file whose [llm] table is read, or None."""
    named = os.environ.get("REVIEWER_CONFIG", "").strip()
    if named:
        return Path(named).expanduser()
    for candidate in (Path("reviewer.toml"), Path.home() / ".config" / "reviewer" / "config.toml"):
        if candidate.is_file():
            return candidate
    return None


def read_config_table(path: Path | None) -> dict:
    if path is None:
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: 无法读取配置文件: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: 配置文件不是有效的 TOML: {exc}") from exc
    table = data.get("llm", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [llm] 应是一个表")
    unknown = sorted(set(table) - set(SETTINGS))
    if unknown:
        raise ConfigError(f"{path}: [llm] 中有未知的设置 {', '.join(unknown)}（可用：{', '.join(SETTINGS)}）")
    return table


def coerce(name: str, value: Any, where: str) -> Any:
    """A setting's value as its type; ConfigError naming `where` and the setting otherwise."""
    kind = SETTINGS[name][1]
    try:
        if kind is dict:
            value = json.loads(value) if isinstance(value, str) else value
            if not isinstance(value, dict):
                raise ValueError("应是一个 JSON 对象，如 {\"enable_thinking\": false}")
            return value
        if kind is tuple:
            items = [m.strip() for m in value.split(",")] if isinstance(value, str) else list(value)
            bad = [m for m in items if m not in ALL_MODES]
            if bad or not items:
                raise ValueError(f"输出模式应取自 {', '.join(ALL_MODES)}")
            return tuple(items)
        if kind is str:
            return str(value).strip()
        if kind is bool:
            if isinstance(value, bool):
                return value
            word = str(value).strip().lower()
            if word in ("1", "true", "yes", "on"):
                return True
            if word in ("0", "false", "no", "off"):
                return False
            raise ValueError("应是 true 或 false")
        out = kind(value)
        if kind in (int, float) and (out != out or out < 0 or (name != "temperature" and out == 0)):
            raise ValueError("应是正数")
        return out
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{where}: {name} 的值 {value!r} 无效：{exc}") from None


class Halts:
    """Endpoints this process has stopped calling (auth, quota, a request they will never accept,
    Ctrl-C): key → the one-line reason. Shared by every review in a process, so a batch stops
    asking a dead endpoint after its first refusal; tests pass their own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reasons: dict[str, str] = {}

    def stop(self, key: str, reason: str) -> bool:
        """Record a stop; True when it is new (so the caller prints its one line once)."""
        with self._lock:
            if key in self._reasons:
                return False
            self._reasons[key] = reason
            return True

    def reason(self, key: str) -> str | None:
        with self._lock:
            return self._reasons.get(key)


PROCESS_HALTS = Halts()


@dataclass
class LLMConfig:
    base_url: str = ""
    model: str = ""
    api_key: str = field(default="", repr=False)
    enabled: bool = True
    redact: bool = True
    provider: str = ""  # a PRESETS name, or "" when the endpoint was given by hand
    concurrency: int = 4
    timeout: float = 120.0  # seconds one request may take in all (not only between bytes)
    deadline: float = 600.0  # seconds all the calls for one report may take
    max_attempts: int = 4  # transport attempts per request (1 + 3 retries)
    max_wait: float = 60.0  # cap on one backoff sleep, retry-after included
    max_tokens: int = 1024
    temperature: float = 0.0
    extra_body: dict = field(default_factory=dict)  # merged into every request body
    modes: tuple[str, ...] = ()  # restrict the output-mode chain (empty: all, in table order)
    # In json_schema / json_object_schema modes, every quote must be one of the completion's pieces
    # (an enum in the schema): for grammar-compiling servers whose small models misquote.
    quote_choices: bool = False
    cache_path: Path | None = field(default_factory=default_cache_path)  # None: no cache
    # A batch's provider-job plan (reviewer.llm.batch_jobs): rows not in the cache are written as
    # request lines instead of being asked; "" = ask live.
    batch_plan: str = ""
    halts: Halts = field(default=PROCESS_HALTS, repr=False, compare=False)
    # Injection points for tests: an httpx2.Client (e.g. over httpx2.MockTransport) and the
    # sleep used between retries.
    http_client: Any = field(default=None, repr=False)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    # The URL requests go to, credentials included; `base_url` (recorded in the memo, the cache
    # and cassettes) never holds them. Set from base_url when it carries user:password@.
    request_base_url: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        public = strip_credentials(self.base_url)
        if public != self.base_url:
            self.request_base_url = self.request_base_url or self.base_url
            self.base_url = public

    @classmethod
    def from_env(
        cls,
        model: str | None = None,
        base_url: str | None = None,
        enabled: bool = True,
        redact: bool = True,
        api_key: str | None = None,
        provider: str | None = None,
        settings: dict | None = None,
        **overrides: Any,
    ) -> LLMConfig:
        """CLI values win over the environment, which wins over the config file, then the preset.

        `settings` holds CLI values for SETTINGS names (None = not given); `overrides` are plain
        LLMConfig fields for scripts and tests (cache_path, http_client …) and win over everything.
        """
        env = os.environ
        path = config_file()
        table = read_config_table(path)
        cli = {k: v for k, v in (settings or {}).items() if v is not None}
        if model:
            cli["model"] = model
        if base_url:
            cli["base_url"] = base_url
        if provider:
            cli["provider"] = provider

        def pick(name: str) -> Any:
            if name in cli:
                return coerce(name, cli[name], f"--{name.replace('_', '-')}")
            var = SETTINGS[name][0]
            if env.get(var, "").strip():
                return coerce(name, env[var], var)
            if name in table:
                return coerce(name, table[name], f"{path} [llm]")
            return None

        preset_name = (pick("provider") or "").lower()
        preset = PRESETS.get(preset_name) if preset_name else None
        if preset_name and preset is None:
            raise ConfigError(f"未知的模型服务预设 {preset_name!r}（可用：{', '.join(PRESETS)}）")

        # The provider's own variable first: an OpenAI key left in the environment is not sent to
        # DeepSeek or DashScope when theirs is set.
        key = (api_key or (env.get(preset.key_env, "") if preset and preset.key_env else "")
               or env.get("OPENAI_API_KEY", "")).strip()
        url = pick("base_url") or (preset.base_url if preset else "")
        name = pick("model") or (preset.model if preset else "")
        if not url and key:
            url = OPENAI_BASE_URL
        if url.rstrip("/") == OPENAI_BASE_URL and not name:
            name = OPENAI_DEFAULT_MODEL
        if url and not key:
            key = LOCAL_PLACEHOLDER_KEY

        values: dict[str, Any] = {}
        if preset:
            values["modes"] = preset.modes
            values["extra_body"] = dict(preset.extra_body)
            if preset.max_tokens:
                values["max_tokens"] = preset.max_tokens
            if preset.quote_choices:
                values["quote_choices"] = True
        for setting in ("timeout", "deadline", "concurrency", "max_tokens", "temperature", "modes", "quote_choices"):
            value = pick(setting)
            if value is not None:
                values[setting] = value
        extra = pick("extra_body")
        if extra is not None:  # given extras add to (and override) the preset's
            values["extra_body"] = {**values.get("extra_body", {}), **extra}
        values.update(overrides)
        return cls(base_url=url.rstrip("/"), model=name, api_key=key, enabled=enabled, redact=redact,
                   provider=preset.name if preset else "", **values)

    @property
    def not_usable_note(self) -> str | None:
        """None when the judge can run; else the "未运行 (…)" note for every row."""
        if not self.enabled:
            return NOTE_DISABLED
        if not self.base_url:
            return NOTE_NO_ENDPOINT
        if not self.model:
            return NOTE_NO_MODEL
        return None

    @property
    def usable(self) -> bool:
        return self.not_usable_note is None
