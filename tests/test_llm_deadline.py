"""Time: a hung server, keep-alive lines, the per-report deadline, Ctrl-C.

LOOPBACK SERVER: llm_seed.LoopbackServer, a test-only socket server on 127.0.0.1 with constructed
behaviour (never answering; headers then a blank line every 50 ms, as DeepSeek does under load);
llama.cpp cannot be made to do either, so nothing here is recorded. The only wall-clock bounds are
none: what is asserted is the deadline logic — what each row says (时限, 请求超时, 已中断 name what
ended it) and how many requests went out. How long these take is for scripts/benchmark, not a test.
"""

from __future__ import annotations

import _thread
import threading

import llm_seed
from llm_seed import LoopbackServer, answer, completion_body, row_kind
from reviewer.llm import LLMConfig, judge_report
from reviewer.llm.config import Halts

GOOD = (200, completion_body(answer(("目标", "not_evidenced", []))))


def loopback_config(server: LoopbackServer, tmp_path, **kw) -> LLMConfig:
    values = dict(base_url=server.base_url, model="fake-model", api_key="test-key",
                  cache_path=tmp_path / "llm.sqlite3", halts=Halts(), sleep=lambda s: None)
    values.update(kw)
    return LLMConfig(**values)


def test_hung_server_ends_at_the_deadline_with_every_row_unfinished(tmp_path):
    with LoopbackServer(lambda body, n: "hang") as server:
        cfg = loopback_config(server, tmp_path, timeout=0.4, deadline=1.5, max_attempts=100)
        verdicts, findings, run = judge_report(llm_seed.seed_report(), [], cfg)
    assert all(v.verdict == "not_checked" and "时限" in v.status_note for v in verdicts)
    assert "1.5 秒" in verdicts[0].status_note
    # 100 attempts were allowed; the deadline, not the attempt count, ended the calls
    assert 1 <= len(server.requests) <= 1.5 / 0.4 + 2
    assert run.ran is False and "时限" in run.note


def test_keepalive_lines_do_not_defeat_the_request_timeout(tmp_path):
    """Headers, then blank lines for ever: the read timeout never fires, the request's own clock does."""
    def behave(body, n):
        return "keepalive" if row_kind(body) == llm_seed.ROWS[7][1] else GOOD

    with LoopbackServer(behave) as server:
        cfg = loopback_config(server, tmp_path, timeout=0.5, deadline=60, max_attempts=2)
        verdicts, findings, run = judge_report(llm_seed.seed_report(llm_seed.ROWS[6:8]), [], cfg)
    assert verdicts[0].verdict == "not_evidenced"
    assert verdicts[1].verdict == "not_checked" and "请求超时" in verdicts[1].status_note
    assert "已尝试2次" in verdicts[1].status_note
    assert sum(1 for b in server.requests if row_kind(b) == llm_seed.ROWS[7][1]) == 2


def test_ctrl_c_cancels_in_flight_calls_and_keeps_what_is_done(tmp_path, caplog):
    """Row 0 answers; the others hang. Ctrl-C (SIGINT to the main thread) ends the wait at once:
    answered rows are kept, the rest read 已中断, and no further call goes out in this run."""
    pressed = threading.Event()

    def behave(body, n):
        if row_kind(body) == llm_seed.ROWS[0][1]:
            return GOOD
        if not pressed.is_set():  # Ctrl-C once the other rows are in flight, however slow the machine
            pressed.set()
            threading.Timer(0.3, _thread.interrupt_main).start()
        return "hang"

    with LoopbackServer(behave) as server:
        cfg = loopback_config(server, tmp_path, timeout=60, deadline=120, concurrency=2)
        verdicts, findings, run = judge_report(llm_seed.seed_report(), [], cfg)
        assert verdicts[0].verdict == "not_evidenced"
        assert all(v.verdict == "not_checked" and "已中断" in v.status_note for v in verdicts[1:])
        assert run.interrupted and "已中断" in run.note
        assert any(r.levelname == "WARNING" and r.getMessage() == "LLM 调用已中断：已完成的判断照常写出"
                   for r in caplog.records)
        sent = len(server.requests)
        assert sent <= 1 + 2  # the first row, then at most `concurrency` rows in flight
        again, _, run2 = judge_report(llm_seed.seed_report(llm_seed.ROWS[1:3]), [], cfg)
        assert len(server.requests) == sent and run2.calls == 0
        assert all("已中断" in v.status_note for v in again)
