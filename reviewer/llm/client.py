"""One narrow call to the model: output-mode fallback, one retry layer, one re-ask.

Output modes are tried in table order, starting from the one this endpoint accepted last time
(remembered in the cache DB), within the modes the provider preset (or --modes) allows:

    json_schema         response_format json_schema, strict (OpenAI, vLLM, llama.cpp's server, Ollama)
    json_object_schema  response_format json_object + "schema" (llama-cpp-python's extension)
    json_object         response_format json_object (DeepSeek, GLM, Qwen)
    prompt              no response_format

Every mode but json_schema also prints the schema into the prompt: servers that drop unknown keys
of response_format never see it there.

What an error means decides what happens next:
- a 400/422 (or llama-cpp-python's 500) that names response_format → the next mode, no retry;
- 429 / 5xx / timeouts / connection errors / a garbled body → retried by tenacity with jittered
  exponential backoff honouring retry-after, within the report's deadline (the SDK's own retries
  are off: max_retries=0);
- auth (401/403), quota (402, 429 insufficient_quota) and any other 4xx → EndpointStopped at once,
  with the provider's message; no further call goes to that endpoint from this process;
- a context-length 400 concerns one row only → CallRefused for that row.
An answer that does not validate, or leaves out clauses it was asked about, is re-asked once; an
answer cut at max_tokens is asked again once with a larger cap.

One request may take `timeout` seconds in all: the body is read in chunks against a clock, so a
server that sends keep-alive blank lines cannot hold a request open past it.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx2
import openai
from pydantic import ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception

from reviewer.llm.config import LOCAL_PLACEHOLDER_KEY, LLMConfig
from reviewer.llm.errors import (
    CallRefused,
    Cancelled,
    EndpointStopped,
    LLMError,
    ModeRejected,
    OutputInvalid,
    TransportError,
    Truncated,
)
from reviewer.llm.schema import RowJudgement, grammar_schema, json_schema, parse_judgement, strip_reasoning, validation_message

log = logging.getLogger("reviewer.llm")

SCHEMA_NAME = "row_judgement"
MAX_TOKENS_CEILING = 32768  # the larger cap of a truncation re-ask never goes beyond this


def _json_schema_format(quote_choices: Sequence[str]) -> dict:
    return {"type": "json_schema",
            "json_schema": {"name": SCHEMA_NAME, "schema": json_schema(quote_choices), "strict": True}}


@dataclass(frozen=True)
class OutputMode:
    name: str
    response_format: Callable[[Sequence[str]], dict] | None  # (quote choices) -> response_format
    schema_in_prompt: bool


MODES: dict[str, OutputMode] = {
    m.name: m
    for m in (
        OutputMode("json_schema", _json_schema_format, False),
        OutputMode("json_object_schema", lambda choices: {"type": "json_object", "schema": grammar_schema(choices)}, True),
        OutputMode("json_object", lambda choices: {"type": "json_object"}, True),
        OutputMode("prompt", None, True),
    )
}
MODE_ORDER: tuple[str, ...] = tuple(MODES)

_MODE_WORDS = re.compile(
    r"response_format|response format|json_schema|json_object|json mode|structured output|guided_json", re.I
)
_CONTEXT_WORDS = re.compile(r"context (length|window)|maximum context|too many tokens|prompt is too long|input length", re.I)
_QUOTA_WORDS = re.compile(r"insufficient_quota|insufficient balance|arrearage|billing|exceeded your current quota|quota exceeded", re.I)
_KEYLIKE = re.compile(r"\b(sk|key|token)-[A-Za-z0-9_\-\*\.]{4,}", re.I)


def scrub(text: str, secret: str = "") -> str:
    """Remove the API key (and anything shaped like one) from text that may be shown or stored."""
    if secret and len(secret) >= 4:
        text = text.replace(secret, "***")
    return _KEYLIKE.sub(lambda m: m.group(1) + "-***", text)


@dataclass
class Answer:
    judgement: RowJudgement
    mode: str
    prompt_tokens: int | None  # None: the server did not say
    completion_tokens: int | None
    missing: tuple[int, ...] = ()  # clause ids asked about and still not answered after the re-ask


@dataclass
class Reply:
    content: str  # reasoning (<think> blocks) removed; reasoning_content is never read
    finish_reason: str
    prompt_tokens: int | None
    completion_tokens: int | None


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


class RequestTooLong(Exception):
    """The body did not arrive within the request's time (keep-alive lines, a slow trickle)."""


def _status(exc: BaseException) -> int | None:
    return getattr(exc, "status_code", None)


def _error_text(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    parts = [str(exc)]
    if body is not None:
        parts.append(json.dumps(body, ensure_ascii=False, default=str) if not isinstance(body, str) else body)
    return " ".join(parts)


def provider_message(exc: BaseException) -> str:
    """The provider's own words: error.message of the body when there is one."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
        if body.get("message"):
            return str(body["message"])
    return str(getattr(exc, "message", "") or exc)


def _is_quota(exc: BaseException) -> bool:
    return _status(exc) == 402 or (_status(exc) == 429 and bool(_QUOTA_WORDS.search(_error_text(exc))))


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError, RequestTooLong)):
        return True
    if isinstance(exc, (json.JSONDecodeError, openai.APIResponseValidationError, httpx2.TransportError)):
        return True  # a garbled body or a dropped connection mid-read
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if _is_quota(exc):
            return False  # waiting does not refill an account
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


def halt_key(config: LLMConfig) -> str:
    """Which endpoint a stop applies to: base URL, model and (a hash of) the key."""
    digest = hashlib.sha256(config.api_key.encode()).hexdigest()[:16]
    return f"{config.base_url}|{config.model}|{digest}"


class ChatClient:
    """Thread-safe; one per review. Counts calls and tokens for LLMRun.

    `deadline_at` (time.monotonic()) bounds every request and retry of the review; setting
    `cancel` (the deadline passed in the caller, or Ctrl-C) makes every further call raise Cancelled.
    """

    def __init__(self, config: LLMConfig, remembered_mode: str | None = None,
                 on_mode: Callable[[str], None] | None = None, *,
                 deadline_at: float | None = None, cancel: threading.Event | None = None) -> None:
        self.config = config
        try:
            self._openai = openai.OpenAI(
                api_key=config.api_key or LOCAL_PLACEHOLDER_KEY,
                base_url=config.request_base_url or config.base_url,
                max_retries=0,  # tenacity below is the only retry layer
                timeout=config.timeout,
                http_client=config.http_client,
            )
        except (openai.OpenAIError, ValueError, TypeError) as exc:  # the SDK refusing the settings
            raise EndpointStopped(scrub(f"客户端无法创建: {type(exc).__name__}: {exc}"[:200], config.api_key)) from exc
        self._lock = threading.Lock()
        self.calls = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.usage_unknown = 0  # calls whose reply carried no usage
        self.mode: str | None = remembered_mode if remembered_mode in MODES else None
        self._on_mode = on_mode
        self.rejected: list[str] = []  # "json_schema: 500 …" — what the negotiation saw
        self.deadline_at = deadline_at if deadline_at is not None else time.monotonic() + config.deadline
        self.cancel = cancel or threading.Event()
        self.halt_key = halt_key(config)

    # -- time ----------------------------------------------------------------------------------
    def remaining(self) -> float:
        return self.deadline_at - time.monotonic()

    def check_open(self) -> None:
        reason = self.config.halts.reason(self.halt_key)
        if reason is not None:
            raise EndpointStopped(f"未调用：{reason}", first=False)
        if self.cancel.is_set():
            raise Cancelled("已取消 (cancelled)")
        if self.remaining() <= 0:
            raise Cancelled(f"超过每份报告的时限 ({self.config.deadline:g} 秒)")

    def _sleep(self, seconds: float) -> None:
        if self.config.sleep is time.sleep:
            self.cancel.wait(seconds)  # Ctrl-C or the deadline ends the wait
        else:
            self.config.sleep(seconds)

    # -- one HTTP request, with retries -------------------------------------------------------
    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hinted = retry_after(exc)
        if hinted is not None:
            wait = min(self.config.max_wait, hinted + random.uniform(0, 0.25))
        else:
            base = 0.5 * 2 ** (state.attempt_number - 1)
            wait = min(self.config.max_wait, random.uniform(0, base) + base / 2)
        return max(0.0, min(wait, self.remaining()))

    def _stop(self, state: RetryCallState) -> bool:
        return state.attempt_number >= self.config.max_attempts or self.remaining() <= 0 or self.cancel.is_set()

    def _before_sleep(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.info("LLM request failed (%s); retry %d after %.1fs", type(exc).__name__, state.attempt_number,
                 state.next_action.sleep if state.next_action else 0.0)

    def _post(self, kwargs: dict) -> dict:
        """One request; the body is read in chunks so the whole exchange keeps to its time."""
        self.check_open()
        with self._lock:
            self.calls += 1
        seconds = max(0.001, min(self.config.timeout, self.remaining()))
        stop_at = time.monotonic() + seconds
        with self._openai.chat.completions.with_streaming_response.create(**kwargs, timeout=seconds) as response:
            chunks = []
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                if time.monotonic() > stop_at:
                    raise RequestTooLong(f"no complete answer within {seconds:g}s")
                if self.cancel.is_set():
                    raise Cancelled("已取消 (cancelled)")
        data = json.loads(b"".join(chunks).decode("utf-8"))
        if not isinstance(data, dict):
            raise json.JSONDecodeError("not a JSON object", str(data)[:40], 0)
        return data

    def _send(self, messages: list[dict], mode: OutputMode, max_tokens: int | None = None,
              quote_choices: Sequence[str] = ()) -> Reply:
        kwargs: dict = {
            "model": self.config.model,
            "messages": messages,
            "temperature": self.config.temperature,
            "max_tokens": max_tokens or self.config.max_tokens,
        }
        if mode.response_format is not None:
            kwargs["response_format"] = mode.response_format(quote_choices)
        if self.config.extra_body:
            kwargs["extra_body"] = dict(self.config.extra_body)

        retrying = Retrying(
            stop=self._stop,
            wait=self._wait,
            retry=retry_if_exception(is_transient),
            sleep=self._sleep,
            before_sleep=self._before_sleep,
            reraise=True,
        )
        try:
            data = retrying(self._post, kwargs)
        except LLMError:
            raise
        except Exception as exc:  # translated once, here
            raise self._translate(exc, mode) from exc
        return self._reply(data)

    def _reply(self, data: dict) -> Reply:
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        pt, ct = usage.get("prompt_tokens"), usage.get("completion_tokens")
        pt = pt if isinstance(pt, int) else None
        ct = ct if isinstance(ct, int) else None
        with self._lock:
            if pt is None or ct is None:
                self.usage_unknown += 1
            self.prompt_tokens += pt or 0
            self.completion_tokens += ct or 0
        choices = data.get("choices") or [{}]
        choice = choices[0] if isinstance(choices[0], dict) else {}
        message = choice.get("message") or {}
        content = message.get("content") if isinstance(message, dict) else None
        return Reply(strip_reasoning(content if isinstance(content, str) else ""),
                     str(choice.get("finish_reason") or ""), pt, ct)

    def _stop_endpoint(self, reason: str, status: int | None) -> EndpointStopped:
        if self.config.halts.stop(self.halt_key, reason):
            log.warning("LLM 调用已停止（%s）：%s", self.config.base_url, reason)
        return EndpointStopped(reason, status=status)

    def _translate(self, exc: Exception, mode: OutputMode) -> LLMError:
        n = self.config.max_attempts
        status = _status(exc)
        text = scrub(_error_text(exc)[:300], self.config.api_key)
        said = scrub(provider_message(exc)[:160], self.config.api_key)
        if is_transient(exc):
            if self.remaining() <= 0:
                return Cancelled(f"超过每份报告的时限 ({self.config.deadline:g} 秒)")
            if isinstance(exc, (openai.APITimeoutError, RequestTooLong)):
                what = f"请求超时 (timeout {self.config.timeout:g}s)"
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
            if mode.name != "prompt" and _MODE_WORDS.search(text) and (status in (400, 422) or (status or 0) >= 500):
                return ModeRejected(f"{mode.name}: {status} {text[:160]}", mode=mode.name, status=status)
            if status in (401, 403):
                return self._stop_endpoint(f"鉴权失败 ({status})，请检查 API key: {said}", status)
            if _is_quota(exc):
                return self._stop_endpoint(f"额度不足或欠费 ({status}): {said}", status)
            if status in (400, 413, 422) and _CONTEXT_WORDS.search(text):
                return CallRefused(f"输入过长 ({status}): {said}", status=status)
            return self._stop_endpoint(f"请求被拒绝 ({status}): {said}", status)
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

    def _uncut(self, messages: list[dict], mode: OutputMode, reply: Reply, quote_choices: Sequence[str] = ()) -> Reply:
        """A reply cut at max_tokens that does not parse is asked again once with a larger cap."""
        if reply.finish_reason != "length" or _parses(reply.content):
            return reply
        cap = self.config.max_tokens
        larger = min(MAX_TOKENS_CEILING, max(cap * 4, cap + 2048))
        log.info("answer cut at max_tokens=%d; asking again with %d", cap, larger)
        cut = f"回答被截断：max_tokens={cap} 不够"
        try:
            again = self._send(messages, mode, larger, quote_choices)
        except EndpointStopped as exc:
            if exc.status == 400 and exc.first:  # the larger cap itself was refused (a provider limit)
                raise Truncated(f"{cut}，服务器不接受更大的上限：{exc.reason}", raw=reply.content,
                                error=exc.reason, attempts=2) from exc
            raise
        again = Reply(again.content, again.finish_reason, _add(reply.prompt_tokens, again.prompt_tokens),
                      _add(reply.completion_tokens, again.completion_tokens))
        if again.finish_reason == "length" and not _parses(again.content):
            raise Truncated(f"{cut}，提高到 {larger} 后仍被截断（可调大 --max-tokens）",
                            raw=again.content, error="finish_reason=length", attempts=2)
        return again

    def judge(self, build: Callable[[bool], list[dict]], build_reask: Callable[[str, bool], str],
              missing: Callable[[RowJudgement], tuple[list[int], str]] | None = None,
              quote_choices: Sequence[str] = ()) -> Answer:
        """build(schema_in_prompt) → messages; build_reask(errors, schema_in_prompt) → user text;
        missing(judgement) → (clause ids asked about but not answered, the re-ask text for them);
        quote_choices: the only quotes a schema-carrying mode lets the model give (empty: any)."""
        for name in self._modes_to_try():
            mode = MODES[name]
            messages = build(mode.schema_in_prompt)
            try:
                reply = self._send(messages, mode, quote_choices=quote_choices)
            except ModeRejected as exc:
                log.info("output mode %s rejected: %s", name, exc.reason)
                with self._lock:
                    self.rejected.append(exc.reason)
                continue
            self._accept_mode(name)
            reply = self._uncut(messages, mode, reply, quote_choices)
            first: RowJudgement | None = None
            try:
                first = parse_judgement(reply.content)
            except ValidationError as exc:
                errors = validation_message(exc)
            if first is not None:
                gaps, errors = missing(first) if missing else ([], "")
                if not gaps:
                    return Answer(first, name, reply.prompt_tokens, reply.completion_tokens)
                log.info("answer left out clause(s) %s; re-asking once", gaps)
            else:
                log.info("answer failed validation in mode %s; re-asking once", name)
            reask = messages + [
                {"role": "assistant", "content": reply.content},
                {"role": "user", "content": build_reask(errors, mode.schema_in_prompt)},
            ]
            second = self._uncut(reask, mode, self._send(reask, mode, quote_choices=quote_choices), quote_choices)
            pt = _add(reply.prompt_tokens, second.prompt_tokens)
            ct = _add(reply.completion_tokens, second.completion_tokens)
            try:
                judgement = parse_judgement(second.content)
            except ValidationError as exc:
                if first is not None:  # the first answer was valid, only incomplete: keep it
                    gaps, _ = missing(first) if missing else ([], "")
                    return Answer(first, name, pt, ct, missing=tuple(gaps))
                raise OutputInvalid(
                    "模型输出两次未通过格式校验 (invalid output after re-ask)",
                    raw=second.content, error=validation_message(exc), attempts=2,
                ) from exc
            if first is not None:  # answers for the clauses it had left out complete the first answer
                known = {c.id for c in first.clauses}
                extra = [c for c in judgement.clauses if c.id not in known]
                judgement = first.model_copy(update={"clauses": first.clauses + extra})
            gaps, _ = missing(judgement) if missing else ([], "")
            return Answer(judgement, name, pt, ct, missing=tuple(gaps))
        raise self._stop_endpoint("服务器不接受任何输出模式 (no output mode accepted): " + "; ".join(self.rejected[-4:]), None)

    def close(self) -> None:
        if self.config.http_client is None:
            self._openai.close()


def _parses(content: str) -> bool:
    try:
        parse_judgement(content)
        return True
    except ValidationError:
        return False
