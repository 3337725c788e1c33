"""The chat client's own rules, one at a time: how a provider's error becomes an LLMError (class,
status and words), usage accounting, the truncation re-ask, retry-after, what is logged, and the
helpers that keep keys out of text.

FAKE server: llm_seed.FakeServer (an httpx2 MockTransport) with CONSTRUCTED replies and errors;
nothing is recorded. The ChatClient is driven directly, one request at a time."""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import time
from types import SimpleNamespace

import httpx2
import pytest

from llm_seed import FakeServer, answer, completion_body, config, ok
from reviewer.llm.client import (
    MODES,
    ChatClient,
    _error_text,
    halt_key,
    provider_message,
    retry_after,
    scrub,
)
from reviewer.llm.errors import CallRefused, Cancelled, EndpointStopped, ModeRejected, OutputInvalid, TransportError

MESSAGES = [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]
GOOD = answer(("目标", "not_evidenced", []))


def client(reply, tmp_path, **kw) -> tuple[ChatClient, FakeServer]:
    server = FakeServer(reply)
    values = dict(max_attempts=2)
    values.update(kw)
    return ChatClient(config(server, tmp_path, [], **values)), server


def send(reply, tmp_path, mode="json_schema", **kw):
    chat, server = client(reply, tmp_path, **kw)
    return chat, server, chat._send(MESSAGES, MODES[mode])


def refused(reply, tmp_path, mode="json_schema", **kw):
    chat, server = client(reply, tmp_path, **kw)
    with pytest.raises(Exception) as info:
        chat._send(MESSAGES, MODES[mode])
    return chat, info.value


def judge(reply, tmp_path, **kw):
    chat, server = client(reply, tmp_path, **kw)
    build = lambda schema_in_prompt: list(MESSAGES)  # noqa: E731
    reask = lambda errors, schema_in_prompt: "再答一次"  # noqa: E731
    return chat, server, chat.judge(build, reask)


def status(code: int, message: str = "", **body):
    return lambda b, n: httpx2.Response(code, json={"error": {"message": message, **body}})


# --- helpers that keep keys out of text ---------------------------------------------------------

def test_scrub_removes_the_key_and_key_shapes():
    assert scrub("key abcd in text", "abcd") == "key *** in text"  # four characters are enough
    assert scrub("abc", "abc") == "abc"  # three are not: too likely to be a word
    assert scrub("Bearer sk-live1234 and token-abcdef") == "Bearer sk-*** and token-***"


def test_halt_key_is_endpoint_model_and_a_hash_of_the_key(tmp_path):
    cfg = config(FakeServer(lambda b, n: ok(GOOD)), tmp_path)
    digest = hashlib.sha256(cfg.api_key.encode()).hexdigest()[:16]
    assert halt_key(cfg) == f"{cfg.base_url}|{cfg.model}|{digest}"
    assert cfg.api_key not in halt_key(cfg)


def test_error_text_adds_the_body_readably():
    exc = SimpleNamespace(body={"error": {"message": "余额不足"}})
    assert _error_text(exc).endswith(' {"error": {"message": "余额不足"}}')
    assert _error_text(SimpleNamespace(body="plain text body")).endswith(" plain text body")
    assert '"plain' not in _error_text(SimpleNamespace(body="plain text body"))


@pytest.mark.parametrize("body, said", [
    ({"error": {"message": "inner"}}, "inner"),
    ({"error": "a string error"}, "a string error"),
    ({"message": "top"}, "top"),
    ({"error": {"code": 7}, "message": "beside"}, "beside"),
    ({"detail": "x"}, "the SDK's message"),
    (None, "the SDK's message"),
])
def test_provider_message_prefers_the_providers_own_words(body, said):
    assert provider_message(SimpleNamespace(body=body, message="the SDK's message")) == said


def test_retry_after_reads_ms_seconds_and_dates():
    def exc(**headers):
        return SimpleNamespace(response=SimpleNamespace(headers=httpx2.Headers(headers)))

    assert retry_after(exc(**{"retry-after-ms": "1500"})) == 1.5
    assert retry_after(exc(**{"Retry-After": "3"})) == 3.0
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 < retry_after(exc(**{"retry-after": later})) <= 30
    past = email.utils.formatdate(time.time() - 30, usegmt=True)
    assert retry_after(exc(**{"retry-after": past})) == 0.0
    assert retry_after(exc()) is None and retry_after(None) is None


# --- errors become LLMErrors --------------------------------------------------------------------

@pytest.mark.parametrize("code", [401, 403])
def test_auth_refusals_stop_the_endpoint(code, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="reviewer.llm")
    chat, exc = refused(status(code, "bad key"), tmp_path)
    assert isinstance(exc, EndpointStopped) and exc.status == code
    assert exc.reason == f"鉴权失败 ({code})，请检查 API key: bad key"
    assert [r.getMessage() for r in caplog.records] == [f"LLM 调用已停止（{chat.config.base_url}）：{exc.reason}"]


def test_quota_stops_the_endpoint_with_its_status(tmp_path):
    _, exc = refused(status(402, "Insufficient Balance"), tmp_path)
    assert isinstance(exc, EndpointStopped) and exc.status == 402
    assert exc.reason == "额度不足或欠费 (402): Insufficient Balance"


def test_a_prompt_too_long_is_refused_for_this_row_only(tmp_path):
    _, exc = refused(status(413, "maximum context length is 8192 tokens"), tmp_path)
    assert type(exc) is CallRefused and exc.status == 413
    assert exc.reason == "输入过长 (413): maximum context length is 8192 tokens"


def test_the_providers_words_are_cut_at_160_characters(tmp_path):
    long = "拒" * 300
    _, exc = refused(status(400, long), tmp_path)
    assert exc.reason == f"请求被拒绝 (400): {long[:160]}"


def test_a_mode_rejection_names_the_mode_status_and_text(tmp_path):
    long = "response_format json_schema is not supported " + "x" * 300
    _, exc = refused(status(400, long), tmp_path)
    assert isinstance(exc, ModeRejected) and exc.mode == "json_schema" and exc.status == 400
    text = scrub(_error_text(exc.__cause__)[:300])
    assert exc.reason == f"json_schema: 400 {text[:160]}"


@pytest.mark.parametrize("reply, what", [
    (status(429, "slow down"), "服务器限流 (429 rate limited)"),
    (status(503, "overloaded"), "服务器错误 (503)"),
    (lambda b, n: httpx2.ConnectError("refused"), "连接失败 (connection error)"),
    (lambda b, n: httpx2.Response(200, content=b"[1, 2]"), "服务器响应不是有效 JSON (malformed response)"),
])
def test_transient_failures_say_what_and_how_often(reply, what, tmp_path):
    _, exc = refused(reply, tmp_path, max_attempts=2)
    assert isinstance(exc, TransportError) and exc.reason == f"{what}，已尝试2次"


def test_a_transient_failure_with_time_left_is_not_a_deadline(tmp_path):
    chat, server = client(status(503, "overloaded"), tmp_path, max_attempts=1)
    chat.deadline_at = time.monotonic() + 0.6  # under a second left, but left
    with pytest.raises(TransportError):
        chat._send(MESSAGES, MODES["json_schema"])
    chat.deadline_at = time.monotonic() - 0.1
    with pytest.raises(Cancelled):
        chat._send(MESSAGES, MODES["json_schema"])


def test_an_error_that_is_no_http_error_is_named(tmp_path):
    said = "proxy bug " + "y" * 300
    _, exc = refused(lambda b, n: RuntimeError(said), tmp_path)
    assert type(exc) is CallRefused and exc.reason == f"调用失败: RuntimeError: {said[:160]}"


def test_retries_are_logged_with_the_error_class(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="reviewer.llm")
    replies = iter([httpx2.Response(429, json={"error": {"message": "slow"}}), ok(GOOD)])
    send(lambda b, n: next(replies), tmp_path)
    (line,) = [r.getMessage() for r in caplog.records if "retry" in r.getMessage()]
    assert line.startswith("LLM request failed (RateLimitError); retry 1 after ")


# --- usage and replies --------------------------------------------------------------------------

def test_usage_is_added_and_a_missing_count_is_unknown_not_zero(tmp_path):
    no_usage = {k: v for k, v in completion_body(GOOD).items() if k != "usage"}
    half = completion_body(GOOD)
    del half["usage"]["completion_tokens"]
    replies = iter([ok(GOOD, prompt_tokens=100, completion_tokens=20), httpx2.Response(200, json=no_usage),
                    httpx2.Response(200, json=half), ok(GOOD, prompt_tokens=1, completion_tokens=2)])
    chat, server = client(lambda b, n: next(replies), tmp_path)
    for _ in range(4):
        chat._send(MESSAGES, MODES["json_schema"])
    assert (chat.prompt_tokens, chat.completion_tokens, chat.usage_unknown) == (201, 22, 2)


def test_a_null_content_is_an_empty_answer_asked_again(tmp_path):
    null = completion_body(GOOD)
    null["choices"][0]["message"]["content"] = None
    replies = iter([httpx2.Response(200, json=null), ok(GOOD)])
    _, server, got = judge(lambda b, n: next(replies), tmp_path)
    assert len(server.requests) == 2 and got.judgement.clauses[0].verdict == "not_evidenced"


def test_an_answer_carries_its_token_counts(tmp_path):
    _, _, got = judge(lambda b, n: ok(GOOD, prompt_tokens=321, completion_tokens=45), tmp_path)
    assert (got.prompt_tokens, got.completion_tokens) == (321, 45)


# --- a reply cut at max_tokens ------------------------------------------------------------------

def cut(content: str = '{"clauses": [', **kw) -> httpx2.Response:
    body = completion_body(content, **kw)
    body["choices"][0]["finish_reason"] = "length"
    return httpx2.Response(200, json=body)


def test_a_cut_reply_is_asked_again_with_four_times_the_cap(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="reviewer.llm")
    replies = iter([cut(prompt_tokens=10, completion_tokens=1024), ok(GOOD, prompt_tokens=10, completion_tokens=30)])
    _, server, got = judge(lambda b, n: next(replies), tmp_path, max_tokens=1024)
    assert [b["max_tokens"] for b in server.requests] == [1024, 4096]
    assert (got.prompt_tokens, got.completion_tokens) == (20, 1054)
    assert "answer cut at max_tokens=1024; asking again with 4096" in [r.getMessage() for r in caplog.records]
    _, server, _ = judge(lambda b, n: cut() if n == 1 else ok(GOOD), tmp_path, max_tokens=48)
    assert [b["max_tokens"] for b in server.requests] == [48, 48 + 2048]


def test_a_cut_reply_that_parses_is_kept(tmp_path):
    _, server, got = judge(lambda b, n: cut(GOOD), tmp_path)
    assert len(server.requests) == 1 and got.judgement.clauses


def test_a_refused_larger_cap_is_a_truncated_answer_not_a_stop(tmp_path):
    replies = iter([cut(), httpx2.Response(400, json={"error": {"message": "max_tokens too large"}})])
    with pytest.raises(OutputInvalid) as info:
        judge(lambda b, n: next(replies), tmp_path)
    assert "服务器不接受更大的上限" in info.value.reason and info.value.attempts == 2


def test_cut_twice_is_truncated_after_two_attempts(tmp_path):
    with pytest.raises(OutputInvalid) as info:
        judge(lambda b, n: cut(), tmp_path)
    assert info.value.attempts == 2 and info.value.error == "finish_reason=length"
    assert "提高到 4096 后仍被截断" in info.value.reason


# --- the re-ask -----------------------------------------------------------------------------------

def asks_for_two(judgement):
    """The contract of two numbered clauses: which ids are missing, and the re-ask text for them."""
    ids = {c.id for c in judgement.clauses}
    gaps = [i for i in (1, 2) if i not in ids]
    return gaps, "缺少第2条" if gaps else ""


def test_an_incomplete_answer_is_kept_when_the_reask_is_garbage(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="reviewer.llm")
    replies = iter([ok(GOOD, prompt_tokens=100, completion_tokens=20), ok("不是 JSON", prompt_tokens=150, completion_tokens=5)])
    chat, server = client(lambda b, n: next(replies), tmp_path)
    got = chat.judge(lambda s: list(MESSAGES), lambda errors, s: errors, asks_for_two)
    assert (got.mode, got.prompt_tokens, got.completion_tokens, got.missing) == ("json_schema", 250, 25, (2,))
    assert server.requests[1]["messages"][-1]["content"] == "缺少第2条"
    assert "answer left out clause(s) [2]; re-asking once" in [r.getMessage() for r in caplog.records]


def test_an_invalid_answer_is_asked_again_once_and_the_tokens_add_up(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="reviewer.llm")
    replies = iter([ok("不是 JSON", prompt_tokens=100, completion_tokens=20), ok(GOOD, prompt_tokens=150, completion_tokens=30)])
    _, server, got = judge(lambda b, n: next(replies), tmp_path)
    assert len(server.requests) == 2 and (got.prompt_tokens, got.completion_tokens) == (250, 50)
    assert "answer failed validation in mode json_schema; re-asking once" in [r.getMessage() for r in caplog.records]


def test_an_answer_invalid_twice_is_output_invalid_with_what_was_wrong(tmp_path):
    replies = iter([ok("不是 JSON"), ok('{"clauses": []}')])
    with pytest.raises(OutputInvalid) as info:
        judge(lambda b, n: next(replies), tmp_path)
    exc = info.value
    assert exc.reason == "模型输出两次未通过格式校验 (invalid output after re-ask)"
    assert exc.raw == '{"clauses": []}' and exc.attempts == 2
    assert exc.error.startswith("- clauses: ")


def test_no_output_mode_accepted_stops_the_endpoint_with_what_each_said(tmp_path):
    chat, server = client(status(400, "response_format is not supported"), tmp_path, modes=("json_schema",))
    with pytest.raises(EndpointStopped) as info:
        chat.judge(lambda s: list(MESSAGES), lambda errors, s: errors)
    assert info.value.reason.startswith("服务器不接受任何输出模式 (no output mode accepted): json_schema: 400 ")
    assert info.value.status is None
