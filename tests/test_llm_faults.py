"""Transport faults: each ends in a verdict after retry or a row marked 未完成 — never a crash,
never 'evidenced' for the faulty row, and the other rows are kept.

MOCK TRANSPORT: faults are injected with httpx2.MockTransport (llm_seed.FakeServer) under the
openai SDK (max_retries=0, so tenacity is the only retry layer); the injected sleep records the
backoff instead of sleeping.
"""

from __future__ import annotations

import httpx2
import pytest

import llm_seed
from llm_seed import FakeServer, answer, config, ok, row_kind
from reviewer.llm import judge_report

GOOD = answer(("目标", "not_evidenced", []))
# a fake answer claiming 'evidenced' with a real quote: what the faulty row would say if it got through
EVIDENCED = answer(("接待来访对象满意", "evidenced", ["全年接待来访360人次"]))
FAULTY = "社会公众或服务对象满意度"  # row 7 of the seed

REPORT = llm_seed.seed_report()


def faulty_row(fault, times: int | None = None):
    """Row 7 gets `fault` (`times` times, or always); everything else answers normally."""
    seen = {"n": 0}

    def reply(body, n):
        if row_kind(body) == FAULTY:
            seen["n"] += 1
            if times is None or seen["n"] <= times:
                return fault(body) if callable(fault) else fault
            return ok(EVIDENCED)
        return ok(GOOD)

    return reply


def run(reply, tmp_path, **kw):
    sleeps: list[float] = []
    server = FakeServer(reply)
    verdicts, findings, llm_run = judge_report(REPORT, [], config(server, tmp_path, sleeps, **kw))
    assert len(verdicts) == 8
    assert all(v.verdict in ("not_evidenced", "not_checked") for i, v in enumerate(verdicts) if i != 7)
    return verdicts, findings, llm_run, sleeps, server


def too_many(body):
    return httpx2.Response(429, headers={"retry-after": "3"}, json={"error": {"message": "Rate limit reached"}})


def server_error(body):
    return httpx2.Response(503, json={"error": {"message": "overloaded"}})


def read_timeout(body):
    return httpx2.ReadTimeout("timed out")


def refused(body):
    return httpx2.ConnectError("connection refused")


def garbled(body):
    return httpx2.Response(200, content=b'{"id": "x", "choices": [', headers={"content-type": "application/json"})


FAULTS = {
    "429 with retry-after": too_many,
    "503": server_error,
    "timeout": read_timeout,
    "connection error": refused,
    "malformed JSON body": garbled,
}


@pytest.mark.parametrize("name", FAULTS)
def test_transient_fault_then_success_gives_a_verdict(tmp_path, name):
    verdicts, findings, llm_run, sleeps, _ = run(faulty_row(FAULTS[name], times=2), tmp_path)
    assert verdicts[7].verdict == "evidenced" and verdicts[7].status_note == ""
    assert len(sleeps) == 2 and all(0 <= s <= 60 for s in sleeps)
    assert not [f for f in findings if f.code == "llm.failed"]
    assert llm_run.calls == 8 + 2


@pytest.mark.parametrize("name", FAULTS)
def test_persistent_fault_marks_the_row_unfinished(tmp_path, name):
    verdicts, findings, llm_run, sleeps, server = run(faulty_row(FAULTS[name]), tmp_path, max_attempts=3)
    v = verdicts[7]
    assert v.verdict == "not_checked" and v.verdict != "evidenced"
    assert v.status_note.startswith("未完成: ") and "已尝试3次" in v.status_note
    assert v.flags == ["llm.failed"]
    failed = [f for f in findings if f.code == "llm.failed"]
    assert len(failed) == 1 and failed[0].location == REPORT.targets[7].completion.location
    assert len(sleeps) == 2  # 3 attempts
    assert sum(1 for b in server.requests if row_kind(b) == FAULTY) == 3
    assert llm_run.ran and "1 行未完成" in llm_run.note


def test_retry_after_is_honoured(tmp_path):
    _, _, _, sleeps, _ = run(faulty_row(too_many, times=1), tmp_path)
    assert len(sleeps) == 1 and 3.0 <= sleeps[0] <= 3.25


def test_retry_after_ms_and_cap(tmp_path):
    def slow(body):
        return httpx2.Response(429, headers={"retry-after-ms": "1500"}, json={})

    def very_slow(body):
        return httpx2.Response(429, headers={"retry-after": "3600"}, json={})

    _, _, _, sleeps, _ = run(faulty_row(slow, times=1), tmp_path)
    assert 1.5 <= sleeps[0] <= 1.75
    _, _, _, sleeps, _ = run(faulty_row(very_slow, times=1), tmp_path / "b", max_wait=10)
    assert sleeps == [10]


def test_backoff_without_retry_after_grows_with_jitter(tmp_path):
    _, _, _, sleeps, _ = run(faulty_row(server_error), tmp_path, max_attempts=4)
    assert len(sleeps) == 3
    assert 0.25 <= sleeps[0] <= 0.75 and 0.5 <= sleeps[1] <= 1.5 and 1.0 <= sleeps[2] <= 3.0


def test_malformed_model_json_is_reasked_then_unfinished(tmp_path):
    verdicts, findings, llm_run, sleeps, server = run(faulty_row(ok('{"clauses": [{"clause": "接待')), tmp_path)
    v = verdicts[7]
    assert v.verdict == "not_checked" and "未通过格式校验" in v.status_note
    assert sum(1 for b in server.requests if row_kind(b) == FAULTY) == 2  # one question, one re-ask
    assert sleeps == []  # validation failures are re-asked, not retried


def test_malformed_model_json_once_then_valid(tmp_path):
    verdicts, *_ = run(faulty_row(ok("我认为已经完成了。"), times=1), tmp_path)
    assert verdicts[7].verdict == "evidenced"


def test_fault_during_mode_negotiation_on_first_row(tmp_path):
    """The first row (negotiating the mode alone) times out for good; the others still run."""
    def reply(body, n):
        if row_kind(body) == "质量指标":
            return httpx2.ReadTimeout("timed out")
        return ok(GOOD)

    sleeps: list[float] = []
    server = FakeServer(reply)
    verdicts, findings, llm_run = judge_report(REPORT, [], config(server, tmp_path, sleeps, max_attempts=2))
    assert verdicts[0].verdict == "not_checked" and "超时" in verdicts[0].status_note
    assert all(v.verdict == "not_evidenced" for v in verdicts[1:])
    assert llm_run.mode == "json_schema"


def test_a_bug_in_the_judge_is_raised_not_turned_into_unfinished_rows(tmp_path, monkeypatch):
    """FAKE server. Foreign errors are translated at the client's edge (the test below); an error
    of our own inside a worker (here: the clause contract check) must surface, not become 未完成."""
    import reviewer.llm.judge as judge

    def broken(req, red):
        def check(judgement):
            raise KeyError("bug in the contract check")
        return check

    monkeypatch.setattr(judge, "_missing", broken)
    server = FakeServer(lambda body, n: ok(GOOD))
    with pytest.raises(KeyError, match="bug in the contract check"):
        judge_report(REPORT, [], config(server, tmp_path, []))


def test_a_client_the_sdk_refuses_leaves_every_row_unfinished(tmp_path):
    """No request is possible (the SDK refuses its settings, here an http_client of the wrong type):
    every row 未完成, the review kept."""
    cfg = config(FakeServer(lambda body, n: ok(GOOD)), tmp_path, [])
    cfg.http_client = "not an httpx client"  # the SDK raises TypeError for it
    verdicts, findings, llm_run = judge_report(REPORT, [], cfg)
    assert {v.verdict for v in verdicts} == {"not_checked"}
    assert all(v.status_note.startswith("未完成: 客户端无法创建: TypeError") for v in verdicts)
    assert not llm_run.ran


def test_unexpected_exception_in_transport_does_not_crash(tmp_path):
    def reply(body, n):
        if row_kind(body) == FAULTY:
            return RuntimeError("bug in a proxy")
        return ok(GOOD)

    verdicts, findings, _, _, _ = run(reply, tmp_path)
    assert verdicts[7].verdict == "not_checked" and verdicts[7].status_note.startswith("未完成: ")
