"""LLMConfig: where the judge sends its questions, and how.

Built from the environment (OPENAI_API_KEY, OPENAI_BASE_URL, REVIEWER_MODEL, REVIEWER_CACHE_DIR)
with CLI overrides. The API key, and any user:password@ in the base URL, are held but never
printed, stored, cached or logged.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

OPENAI_BASE_URL = "https://api.openai.com/v1"
OPENAI_DEFAULT_MODEL = "gpt-4o-mini"
# Local servers (llama.cpp, Ollama, vLLM) accept any key; the SDK insists on one.
LOCAL_PLACEHOLDER_KEY = "no-key"

NOTE_NO_ENDPOINT = "未运行 (no endpoint configured)"
NOTE_DISABLED = "未运行 (--no-llm)"
NOTE_NO_MODEL = "未运行 (no model: set REVIEWER_MODEL or --model)"


_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s@]*@")


def strip_credentials(text: str) -> str:
    """`text` with the user:password@ part of every URL in it removed: what may be stored,
    printed or recorded of an endpoint (http://user:pass@host/v1 → http://host/v1)."""
    return _USERINFO.sub(r"\1", text)


def default_cache_path() -> Path:
    base = os.environ.get("REVIEWER_CACHE_DIR")
    root = Path(base).expanduser() if base else Path.home() / ".cache" / "reviewer"
    return root / "llm.sqlite3"


@dataclass
class LLMConfig:
    base_url: str = ""
    model: str = ""
    api_key: str = field(default="", repr=False)
    enabled: bool = True
    redact: bool = True
    concurrency: int = 4
    timeout: float = 120.0  # seconds per request
    max_attempts: int = 4  # transport attempts per request (1 + 3 retries)
    max_wait: float = 60.0  # cap on one backoff sleep, retry-after included
    max_tokens: int = 1024
    temperature: float = 0.0
    modes: tuple[str, ...] = ()  # restrict the output-mode chain (empty: all, in table order)
    cache_path: Path | None = field(default_factory=default_cache_path)  # None: no cache
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
        **overrides: Any,
    ) -> LLMConfig:
        """CLI values (--model, --base-url, --no-llm, --no-redact) win over the environment."""
        env = os.environ
        key = (api_key or env.get("OPENAI_API_KEY", "")).strip()
        url = (base_url or env.get("OPENAI_BASE_URL", "")).strip()
        name = (model or env.get("REVIEWER_MODEL", "")).strip()
        if not url and key:
            url = OPENAI_BASE_URL
        if url.rstrip("/") == OPENAI_BASE_URL and not name:
            name = OPENAI_DEFAULT_MODEL
        if url and not key:
            key = LOCAL_PLACEHOLDER_KEY
        return cls(base_url=url.rstrip("/"), model=name, api_key=key, enabled=enabled, redact=redact, **overrides)

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
