"""One narrow call to the model: output-mode fallback, one retry layer, one validation re-ask.

Output modes are tried in table order, starting from the one this endpoint accepted last time
(remembered in the cache DB):

    json_schema         response_format json_schema (OpenAI, vLLM, llama.cpp's own server, Ollama)
    json_object_schema  response_format json_object + "schema" (llama-cpp-python's extension)
    json_object         response_format json_object, schema in the prompt (DeepSeek, GLM, Qwen)
    prompt              no response_format, schema in the prompt

A mode is rejected (ModeRejected → next mode, no retry) when the server answers 400/422, or 500
naming the response format (llama-cpp-python's validation error). Transport trouble (429, other
5xx, timeouts, connection errors, a garbled body) is retried by tenacity with jittered exponential
backoff honouring retry-after; the SDK's own retries are off (max_retries=0). An answer that does
not validate is re-asked once with the validation errors; auth and other 4xx are never re-asked.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx2
import openai
from pydantic import ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from reviewer.llm.config import LOCAL_PLACEHOLDER_KEY, LLMConfig
from reviewer.llm.errors import CallRefused, LLMError, ModeRejected, OutputInvalid, TransportError
from reviewer.llm.schema import RowJudgement, grammar_schema, json_schema, parse_judgement, validation_message

log = logging.getLogger("reviewer.llm")

SCHEMA_NAME = "row_judgement"


def _json_schema_format() -> dict:
    return {"type": "json_schema", "json_schema": {"name": SCHEMA_NAME, "schema": json_schema(), "strict": True}}


@dataclass(frozen=True)
class OutputMode:
    name: str
    response_format: Callable[[], dict] | None
    schema_in_prompt: bool


MODES: dict[str, OutputMode] = {
    m.name: m
    for m in (
        OutputMode("json_schema", _json_schema_format, False),
        OutputMode("json_object_schema", lambda: {"type": "json_object", "schema": grammar_schema()}, False),
        OutputMode("json_object", lambda: {"type": "json_object"}, True),
        OutputMode("prompt", None, True),
    )
}
MODE_ORDER: tuple[str, ...] = tuple(MODES)

_MODE_WORDS = re.compile(r"response_format|json_schema|json_object|response format|validation error", re.I)
_CONTEXT_WORDS = re.compile(r"context (length|window)|maximum context|too many tokens|exceed", re.I)
_KEYLIKE = re.compile(r"\b(sk|key|token)-[A-Za-z0-9_\-\*\.]{4,}", re.I)


def scrub(text: str, secret: str = "") -> str:
    """Remove the API key (and anything shaped like one) from text that may be shown or stored."""
    if secret and len(secret) >= 4:
        text = text.replace(secret, "***")
    return _KEYLIKE.sub(lambda m: m.group(1) + "-***", text)


@dataclass
class Answer:
    judgement: RowJudgement
    raw: str  # the validated JSON text as received (masked)
    mode: str
    prompt_tokens: int
    completion_tokens: int


def _status(exc: BaseException) -> int | None:
    return getattr(exc, "status_code", None)


def _error_text(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    parts = [str(exc)]
    if body is not None:
        parts.append(json.dumps(body, ensure_ascii=False, default=str) if not isinstance(body, str) else body)
    return " ".join(parts)


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError, openai.RateLimitError)):
        return True
    if isinstance(exc, (json.JSONDecodeError, openai.APIResponseValidationError, httpx2.TransportError)):
        return True  # a garbled body or a dropped connection mid-read
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if status in (408, 409, 429):
            return True
        if status >= 500:
            return not _MODE_WORDS.search(_error_text(exc))  # a 500 about response_format is a rejection
    return False


def retry_after(exc: BaseException | None) -> float | None:
    """Seconds the server asked us to wait (retry-after-ms, retry-after seconds or HTTP date)."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return float(ms) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        if parsed is None:
            return None
        return max(0.0, parsed.timestamp() - time.time())


class ChatClient:
    """Thread-safe; one per review. Counts calls and tokens for LLMRun."""

    def __init__(self, config: LLMConfig, remembered_mode: str | None = None,
                 on_mode: Callable[[str], None] | None = None) -> None:
        self.config = config
        self._openai = openai.OpenAI(
            api_key=config.api_key or LOCAL_PLACEHOLDER_KEY,
            base_url=config.request_base_url or config.base_url,
            max_retries=0,  # tenacity below is the only retry layer
            timeout=config.timeout,
            http_client=config.http_client,
        )
        self._lock = threading.Lock()
        self.calls = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.mode: str | None = remembered_mode if remembered_mode in MODES else None
        self._on_mode = on_mode
        self.rejected: list[str] = []  # "json_schema: 500 …" — what the negotiation saw

    # -- one HTTP request, with retries -------------------------------------------------------
    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hinted = retry_after(exc)
        if hinted is not None:
            return min(self.config.max_wait, hinted + random.uniform(0, 0.25))
        base = 0.5 * 2 ** (state.attempt_number - 1)
        return min(self.config.max_wait, random.uniform(0, base) + base / 2)

    def _before_sleep(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.info("LLM request failed (%s); retry %d after %.1fs", type(exc).__name__, state.attempt_number,
                 state.next_action.sleep if state.next_action else 0.0)

    def _send(self, messages: list[dict], mode: OutputMode) -> tuple[str, int, int]:
        kwargs: dict = {
            "model": self.config.model,
            "messages": messages,
            "temperature": self.config.temperature,
            "max_tokens": self.config.max_tokens,
        }
        if mode.response_format is not None:
            kwargs["response_format"] = mode.response_format()

        def once():
            with self._lock:
                self.calls += 1
            return self._openai.chat.completions.create(**kwargs)

        retrying = Retrying(
            stop=stop_after_attempt(self.config.max_attempts),
            wait=self._wait,
            retry=retry_if_exception(is_transient),
            sleep=self.config.sleep,
            before_sleep=self._before_sleep,
            reraise=True,
        )
        try:
            response = retrying(once)
        except Exception as exc:  # translated once, here
            raise self._translate(exc, mode) from exc
        usage = response.usage
        pt = getattr(usage, "prompt_tokens", 0) or 0
        ct = getattr(usage, "completion_tokens", 0) or 0
        with self._lock:
            self.prompt_tokens += pt
            self.completion_tokens += ct
        content = response.choices[0].message.content if response.choices else None
        return content or "", pt, ct

    def _translate(self, exc: Exception, mode: OutputMode) -> LLMError:
        n = self.config.max_attempts
        status = _status(exc)
        text = scrub(_error_text(exc)[:300], self.config.api_key)
        if is_transient(exc):
            if isinstance(exc, openai.APITimeoutError):
                what = "请求超时 (timeout)"
            elif isinstance(exc, openai.APIConnectionError) or isinstance(exc, httpx2.TransportError):
                what = "连接失败 (connection error)"
            elif isinstance(exc, (json.JSONDecodeError, openai.APIResponseValidationError)):
                what = "服务器响应不是有效 JSON (malformed response)"
            elif status == 429:
                what = "服务器限流 (429 rate limited)"
            else:
                what = f"服务器错误 ({status})"
            return TransportError(f"{what}，已尝试{n}次", attempts=n)
        if isinstance(exc, openai.APIStatusError):
            if mode.name != "prompt" and (
                (status in (400, 422) and not _CONTEXT_WORDS.search(text))
                or (status is not None and status >= 500 and _MODE_WORDS.search(text))
            ):
                return ModeRejected(f"{mode.name}: {status} {text[:160]}", mode=mode.name, status=status)
            if status in (401, 403):
                return CallRefused(f"鉴权失败 ({status})，请检查 OPENAI_API_KEY", status=status)
            return CallRefused(f"请求被拒绝 ({status}): {text[:160]}", status=status)
        return CallRefused(f"调用失败: {type(exc).__name__}: {text[:160]}")

    # -- one judgement: mode fallback + one re-ask -------------------------------------------
    def _modes_to_try(self) -> list[str]:
        allowed = [m for m in MODE_ORDER if not self.config.modes or m in self.config.modes]
        if self.mode in allowed:
            return allowed[allowed.index(self.mode):]
        return allowed

    def _accept_mode(self, name: str) -> None:
        with self._lock:
            changed = self.mode != name
            self.mode = name
        if changed and self._on_mode:
            self._on_mode(name)

    def judge(self, build: Callable[[bool], list[dict]], build_reask: Callable[[str, bool], str]) -> Answer:
        """build(schema_in_prompt) → messages; build_reask(errors, schema_in_prompt) → user text."""
        for name in self._modes_to_try():
            mode = MODES[name]
            messages = build(mode.schema_in_prompt)
            try:
                raw, pt, ct = self._send(messages, mode)
            except ModeRejected as exc:
                log.info("output mode %s rejected: %s", name, exc.reason)
                with self._lock:
                    self.rejected.append(exc.reason)
                continue
            self._accept_mode(name)
            try:
                return Answer(parse_judgement(raw), raw, name, pt, ct)
            except ValidationError as exc:
                errors = validation_message(exc)
            log.info("answer failed validation in mode %s; re-asking once", name)
            reask = messages + [
                {"role": "assistant", "content": raw},
                {"role": "user", "content": build_reask(errors, mode.schema_in_prompt)},
            ]
            raw2, pt2, ct2 = self._send(reask, mode)
            try:
                return Answer(parse_judgement(raw2), raw2, name, pt + pt2, ct + ct2)
            except ValidationError as exc:
                raise OutputInvalid(
                    "模型输出两次未通过格式校验 (invalid output after re-ask)",
                    raw=raw2, error=validation_message(exc), attempts=2,
                ) from exc
        raise CallRefused("服务器不接受任何输出模式 (no output mode accepted): " + "; ".join(self.rejected[-4:]))

    def close(self) -> None:
        if self.config.http_client is None:
            self._openai.close()
