"""How judge_report runs its rows: two reviews asking the same questions at once, the concurrency
cap, what is logged at which level, the words of the run note and of the row findings.

FAKE servers with CONSTRUCTED replies: llm_seed.FakeServer (httpx2 MockTransport) and, where
requests must really overlap in time, llm_seed.LoopbackServer on 127.0.0.1. Nothing is recorded."""

from __future__ import annotations

import logging
import threading
import time

import httpx2

import llm_seed
from llm_seed import FakeServer, LoopbackServer, answer, completion_body, config, ok, row_kind
from reviewer.llm import LLMConfig, judge_report
from reviewer.llm.config import Halts
from reviewer.llm.judge import NOTE_EMPTY, _run_note, assess
from reviewer.llm.redact import Redactor
from reviewer.llm.schema import ClauseJudgement, RowJudgement
from reviewer.model import Location, TargetRow, Text
from reviewer.review import Clause, TargetVerdict

GOOD = (200, completion_body(answer(("目标", "not_evidenced", []))))
RED = Redactor(enabled=False)


def loopback_config(server: LoopbackServer, tmp_path, **kw) -> LLMConfig:
    values = dict(base_url=server.base_url, model="fake-model", api_key="test-key",
                  cache_path=tmp_path / "llm.sqlite3", halts=Halts(), sleep=lambda s: None, modes=("json_schema",))
    values.update(kw)
    return LLMConfig(**values)


def test_two_reviews_at_once_ask_each_question_once(tmp_path):
    """The second review waits for the question the first has claimed and takes its answer."""
    def slow(body, n):
        time.sleep(0.3)
        return GOOD

    report = llm_seed.seed_report(llm_seed.ROWS[:4])
    runs: list = []
    with LoopbackServer(slow) as server:
        def review():
            runs.append(judge_report(report, [], loopback_config(server, tmp_path, concurrency=1)))
        threads = [threading.Thread(target=review) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        asked = len(server.requests)
    assert len(runs) == 2 and asked == 4
    assert sum(run.calls for _, _, run in runs) == 4
    assert sum(run.cache_hits for _, _, run in runs) == 4  # every question either asked or taken
    for verdicts, _, _ in runs:
        assert [v.verdict for v in verdicts] == ["not_evidenced"] * 4


def test_concurrency_one_never_has_two_requests_in_flight(tmp_path):
    in_flight = [0]
    most = [0]
    lock = threading.Lock()

    def counted(body, n):
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        time.sleep(0.15)
        with lock:
            in_flight[0] -= 1
        return GOOD

    with LoopbackServer(counted) as server:
        judge_report(llm_seed.seed_report(llm_seed.ROWS[:4]), [], loopback_config(server, tmp_path, concurrency=1))
        assert len(server.requests) == 4
    assert most[0] == 1


def test_skipped_rows_are_logged_as_info_and_failures_as_warnings(tmp_path, caplog):
    """After a 401 the endpoint is stopped: later rows are skipped (INFO), never WARNING failures;
    a row that fails on its own is a WARNING naming the row and the reason."""
    def refuse(body, n):
        return httpx2.Response(401, json={"error": {"message": "invalid key"}})

    caplog.set_level(logging.INFO, logger="reviewer.llm")
    judge_report(llm_seed.seed_report(llm_seed.ROWS[:3]), [], config(FakeServer(refuse), tmp_path, concurrency=1))
    skipped = [r for r in caplog.records if "skipped target row" in r.getMessage()]
    assert skipped and all(r.levelno == logging.INFO and r.getMessage().startswith("LLM judge skipped target row ")
                           and "未调用" in r.getMessage() for r in skipped)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and "failed on target row" in r.getMessage()]

    caplog.clear()

    def one_bad(body, n):
        if row_kind(body) == llm_seed.ROWS[1][1]:
            return httpx2.Response(413, json={"error": {"message": "context length exceeded"}})
        return ok(answer(("目标", "not_evidenced", [])))

    verdicts, findings, run = judge_report(llm_seed.seed_report(llm_seed.ROWS[:3]), [],
                                           config(FakeServer(one_bad), tmp_path / "b", concurrency=1))
    failed = [r for r in caplog.records if "failed on target row" in r.getMessage()]
    assert len(failed) == 1 and failed[0].levelno == logging.WARNING
    assert failed[0].getMessage().startswith("LLM judge failed on target row 1: 输入过长 (413)")
    (f,) = [f for f in findings if f.code == "llm.failed"]
    assert f.message.startswith("第2个定量目标（数量指标）的模型判断未完成：输入过长 (413)") and f.message.endswith("。请人工核对。")
    assert run.interrupted is False


def test_deadline_cancelled_rows_are_info_not_failures(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="reviewer.llm")
    with LoopbackServer(lambda body, n: "hang") as server:
        verdicts, _, run = judge_report(llm_seed.seed_report(llm_seed.ROWS[:3]), [],
                                        loopback_config(server, tmp_path, timeout=0.3, deadline=0.8, max_attempts=50,
                                                        concurrency=1))
    assert all("超过每份报告的时限 (0.8 秒)" in v.status_note for v in verdicts)
    assert "调用已停止：超过每份报告的时限 (0.8 秒)" in run.note
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and "failed on target row" in r.getMessage()]


def test_a_blank_completion_is_not_sent_and_says_so(tmp_path):
    rows = [llm_seed.ROWS[0], (*llm_seed.ROWS[1][:3], "  ")]
    server = FakeServer(lambda body, n: ok(answer(("目标", "not_evidenced", []))))
    verdicts, findings, run = judge_report(llm_seed.seed_report(rows), [], config(server, tmp_path))
    assert len(server.requests) == 1
    blank = verdicts[1]
    assert (blank.verdict, blank.status_note, blank.flags) == ("not_checked", NOTE_EMPTY, ["llm.not_run"])
    assert run.note == "已判断 1 行，1 行完成情况为空未判断"


def test_run_note_words():
    assert _run_note(5, 2, 1, 3, "鉴权失败") == "已判断 5 行，其中 3 行来自缓存，2 行未完成，1 行完成情况为空未判断，调用已停止：鉴权失败"
    assert _run_note(0, 0, 0, 0) == "已判断 0 行"


def test_a_client_the_sdk_refuses_still_names_the_endpoint(tmp_path, caplog):
    cfg = config(FakeServer(lambda body, n: ok("{}")), tmp_path)
    cfg.http_client = "not an httpx client"
    _, _, run = judge_report(llm_seed.seed_report(llm_seed.ROWS[:1]), [], cfg)
    assert (run.model, run.base_url) == ("fake-model", llm_seed.FAKE_BASE_URL)
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING][0].startswith(
        "LLM client could not be created: 客户端无法创建: TypeError")


def test_an_answer_that_numbers_no_clause_is_unfinished(tmp_path):
    """The rules sent two numbered clauses; the model answers another id, twice."""
    sent = [Clause(text="全年发文120件", span=(0, 8)), Clause(text="会议减少三成", span=(9, 15))]
    report = llm_seed.seed_report(llm_seed.ROWS[:1])
    rules = [TargetVerdict(target_index=0, by="rules", verdict="not_evidenced", clauses=sent)]
    server = FakeServer(lambda body, n: ok(answer((7, "别的", "evidenced", []))))
    verdicts, _, _ = judge_report(report, rules, config(server, tmp_path))
    assert len(server.requests) == 2
    assert verdicts[0].status_note == "未完成: 模型没有按编号判断任何分句（重问一次后仍是如此）"


# --- the words of the row findings (assess on constructed answers) --------------------------------

def row(target: str, completion: str) -> TargetRow:
    loc = Location(table=0, row=1, col=2, label="定量目标 数量指标 完成情况")
    return TargetRow(index=0, category="产出目标", kind="数量指标", target=Text(text=target, location=loc),
                     completion=Text(text=completion, location=loc), location=loc)


def judgement(*clauses: ClauseJudgement) -> RowJudgement:
    return RowJudgement(clauses=list(clauses), vague=False, follow_up="")


def test_an_unverified_quote_is_reported_whole_up_to_200_characters():
    long_quote = "不在原文中" * 60
    verdict, findings = assess(row("发文", "全年发文120件。"), judgement(
        ClauseJudgement(id=1, clause="发文", verdict="not_evidenced", quotes=[long_quote], reason="")), None, RED)
    (f,) = [f for f in findings if f.code == "llm.unverified_quote"]
    assert f.found == long_quote[:200]


def test_at_most_four_left_out_clauses_are_named_each_cut_at_30_characters():
    texts = [f"第{i}条" + "长" * 40 for i in range(6)]
    sent = [Clause(text=t, span=(0, 1)) for t in texts]
    verdict, findings = assess(row("目标", "发文120件。"), judgement(
        ClauseJudgement(id=1, clause="发文", verdict="not_evidenced", quotes=[], reason="")), None, RED, sent)
    (f,) = [f for f in findings if f.code == "llm.incomplete_answer"]
    assert "、".join(f"“{t[:30]}”" for t in texts[1:5]) + "（重问一次后仍缺）" in f.message


def test_two_downgrades_are_said_in_one_sentence():
    verdict, _ = assess(row("全年编辑内刊15期以上，发表文稿10篇以上", "做好了内刊编辑工作，文稿质量很高。"), judgement(
        ClauseJudgement(id=1, clause="全年编辑内刊15期以上", verdict="evidenced", quotes=["做好了内刊编辑工作"], reason=""),
        ClauseJudgement(id=2, clause="发表文稿10篇以上", verdict="evidenced", quotes=["文稿质量很高"], reason="")), None, RED)
    assert verdict.reason.startswith("已将“全年编辑内刊15期以上”由“有证据”降为“部分有证据”（引文中没有以“期”计的数字，"
                                     "不能证明目标要求的数量），“发表文稿10篇以上”由")


def test_clauses_left_out_are_named_in_one_finding():
    sent = [Clause(text="全年发文120件", span=(0, 8)), Clause(text="会议减少三成", span=(9, 15)),
            Clause(text="信息报送及时", span=(16, 22))]
    verdict, findings = assess(row("全年发文120件，会议减少三成，信息报送及时", "发文120件。"), judgement(
        ClauseJudgement(id=1, clause="发文", verdict="not_evidenced", quotes=[], reason="")), None, RED, sent)
    (f,) = [f for f in findings if f.code == "llm.incomplete_answer"]
    assert "模型没有判断分句“会议减少三成”、“信息报送及时”（重问一次后仍缺）" in f.message


def test_a_downgrade_for_want_of_a_figure_opens_the_reason():
    verdict, _ = assess(row("全年编辑内刊15期以上", "做好了内刊编辑工作。"), judgement(
        ClauseJudgement(id=1, clause="全年编辑内刊15期以上", verdict="evidenced", quotes=["做好了内刊编辑工作"],
                        reason="已完成")), None, RED)
    assert verdict.reason == ("已将“全年编辑内刊15期以上”由“有证据”降为“部分有证据”（引文中没有以“期”计的数字，"
                              "不能证明目标要求的数量）。已完成")


def test_a_row_disagreement_quotes_up_to_two_verified_quotes():
    rule = TargetVerdict(target_index=0, by="rules", verdict="not_evidenced", reason="没有数字")
    verdict, findings = assess(row("办文办会及时高效", "发文数同比减少22.22%，会议数同比减少33.33%。"), judgement(
        ClauseJudgement(id=1, clause="办文办会及时高效", verdict="evidenced",
                        quotes=["发文数同比减少22.22%", "会议数同比减少33.33%", "发文数同比减少"], reason="有")), rule, RED)
    (f,) = [f for f in findings if f.code == "llm.disagrees_with_rules"]
    assert "引文：“发文数同比减少22.22%”／“会议数同比减少33.33%”）" in f.message  # two at most


def test_a_call_stuck_past_the_deadline_is_abandoned_as_over_time(tmp_path):
    """A call that honours no timeout (the mock transport ignores them): the judge stops waiting at
    the deadline (plus its grace) and says so for the row, rather than waiting for the answer."""
    def stuck(body, n):
        time.sleep(4)
        return ok(answer(("目标", "not_evidenced", [])))

    verdicts, _, run = judge_report(llm_seed.seed_report(llm_seed.ROWS[:1]), [],
                                    config(FakeServer(stuck), tmp_path, deadline=0.5, timeout=30))
    assert verdicts[0].status_note == "未完成: 超过每份报告的时限 (0.5 秒)"
    assert not run.ran


def test_a_clause_without_evidence_adds_no_empty_quote():
    verdict, _ = assess(row("全年发文120件，会议减少三成", "全年发文120件。"), judgement(
        ClauseJudgement(id=1, clause="全年发文120件", verdict="evidenced", quotes=["全年发文120件"], reason=""),
        ClauseJudgement(id=2, clause="会议减少三成", verdict="not_evidenced", quotes=[], reason="")), None, RED)
    assert verdict.quotes == ["全年发文120件"]
