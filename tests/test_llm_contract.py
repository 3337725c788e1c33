"""The judge's contract with the model and with providers: every clause answered by id, disagreement
per clause, a figure for a measurable clause, the schema in the prompt, errors that stop, reasoning
stripped, truncated answers, unknown usage, one request per distinct question.

FAKE SERVER: constructed replies through httpx2.MockTransport (llm_seed.FakeServer). The provider
error bodies are the documented ones (DeepSeek's 400/402, DashScope's enable_thinking 400, OpenAI's
429 insufficient_quota); no real server produced them.
"""

from __future__ import annotations

import json

import httpx2
import pytest

import llm_seed
from llm_seed import FakeServer, answer, completion_body, config, ok, row_kind, user_text
from reviewer.llm import judge_report
from reviewer.llm.schema import extract_json, parse_judgement
from reviewer.review import Clause, TargetVerdict

SATISFACTION = llm_seed.ROWS[7]  # 接待来访对象满意，无因接访不到位造成的缠访闹访现象。
QUANTITY = llm_seed.ROWS[1]  # 办公室内刊15期以上 … 发表文稿10篇以上 …


def rules_for(row_index: int, target: str, clauses: list[dict], verdict: str = "not_evidenced") -> TargetVerdict:
    made = []
    for c in clauses:
        start = target.index(c["text"])
        made.append(Clause(span=(start, start + len(c["text"])), **c))
    return TargetVerdict(target_index=row_index, by="rules", verdict=verdict, clauses=made)


SATISFACTION_RULES = [rules_for(0, SATISFACTION[2], [
    {"text": "接待来访对象满意", "outcome": "qualitative"},
    {"text": "无因接访不到位造成的缠访闹访现象", "outcome": "qualitative"},
], verdict="partial")]


# --- per-clause contract ---------------------------------------------------------------------------

def test_dropped_clause_is_reasked_then_not_checked_never_a_row_pass(tmp_path):
    """The 满意度 row: two clauses sent, the model answers only the first — twice."""
    only_first = answer((1, "接待来访对象满意", "evidenced", ["全年接待来访360人次"]))
    server = FakeServer(lambda body, n: ok(only_first))
    verdicts, findings, run = judge_report(llm_seed.seed_report([SATISFACTION]), SATISFACTION_RULES,
                                           config(server, tmp_path))
    assert len(server.requests) == 2  # the question and one re-ask naming the missing clause
    reask = server.requests[1]["messages"][-1]["content"]
    assert "缺少第2条" in reask and "无因接访不到位" in reask
    v = verdicts[0]
    assert v.verdict != "evidenced" and v.verdict == "partial"
    assert [c.outcome for c in v.clauses] == ["met", "not_checked"]
    assert "llm.incomplete_answer" in v.flags
    f = next(f for f in findings if f.code == "llm.incomplete_answer")
    assert f.severity == "info" and "无因接访不到位" in f.message and f.location.row == llm_seed.FIRST_ROW
    # the answer (re-asked once already) is cached: the next review reads the same gap from it
    server2 = FakeServer(lambda body, n: ok(only_first))
    again, _, _ = judge_report(llm_seed.seed_report([SATISFACTION]), SATISFACTION_RULES, config(server2, tmp_path))
    assert server2.requests == [] and [c.outcome for c in again[0].clauses] == ["met", "not_checked"]


def test_reask_answering_the_missing_clause_completes_the_answer(tmp_path):
    def reply(body, n):
        if n == 1:
            return ok(answer((1, "接待来访对象满意", "evidenced", ["全年接待来访360人次"])))
        return ok(answer((2, "无因接访不到位造成的缠访闹访现象", "evidenced", ["未出现因接访不到位造成的缠访闹访现象"])))

    server = FakeServer(reply)
    verdicts, findings, _ = judge_report(llm_seed.seed_report([SATISFACTION]), SATISFACTION_RULES,
                                         config(server, tmp_path))
    assert len(server.requests) == 2
    assert verdicts[0].verdict == "evidenced" and [c.outcome for c in verdicts[0].clauses] == ["met", "met"]
    assert not [f for f in findings if f.code == "llm.incomplete_answer"]


def test_answer_with_no_matching_id_is_not_checked(tmp_path):
    wrong_ids = answer((7, "接待来访对象满意", "evidenced", ["全年接待来访360人次"]))
    verdicts, findings, _ = judge_report(llm_seed.seed_report([SATISFACTION]), SATISFACTION_RULES,
                                         config(FakeServer(lambda b, n: ok(wrong_ids)), tmp_path))
    assert verdicts[0].verdict == "not_checked" and verdicts[0].status_note.startswith("未完成: ")
    assert "按编号" in verdicts[0].status_note and verdicts[0].flags == ["llm.failed"]
    assert [f.code for f in findings] == ["llm.failed"]


QUANTITY_RULES = [rules_for(0, QUANTITY[2], [
    {"text": "全年编辑《区委通报》《云溪情况》等办公室内刊15期以上", "comparator": ">=", "value": 15, "unit": "期",
     "outcome": "not_reported", "note": "完成情况中没有期数"},
    {"text": "在市级以上刊物上发表文稿10篇以上", "comparator": ">=", "value": 10, "unit": "篇",
     "outcome": "not_reported"},
])]


def test_figure_less_quote_on_a_measurable_clause_is_partial(tmp_path):
    """'15期以上' 'evidenced' by real text that gives no count: partial, and the memo says why."""
    reply = answer(
        (1, "内刊15期以上", "evidenced", ["做好了《区委通报》《云溪情况》编辑工作"]),
        (2, "发表文稿10篇以上", "not_evidenced", []),
    )
    verdicts, findings, _ = judge_report(llm_seed.seed_report([QUANTITY]), QUANTITY_RULES,
                                         config(FakeServer(lambda b, n: ok(reply)), tmp_path))
    first = verdicts[0].clauses[0]
    assert first.outcome == "approximate" and first.outcome != "met"
    assert "期" in first.note and "数字" in first.note and "降为" in first.note
    assert first.evidence == "做好了《区委通报》《云溪情况》编辑工作"  # the quote itself verified
    assert not [f for f in findings if f.code == "llm.unverified_quote"]
    assert "降为" in verdicts[0].reason


def test_quote_with_a_figure_in_the_unit_keeps_evidenced(tmp_path):
    reply = answer((1, "内刊15期以上", "not_evidenced", []),
                   (2, "发表文稿10篇以上", "evidenced", ["各类文稿100多篇"]))
    verdicts, _, _ = judge_report(llm_seed.seed_report([QUANTITY]), QUANTITY_RULES,
                                  config(FakeServer(lambda b, n: ok(reply)), tmp_path))
    assert verdicts[0].clauses[1].outcome == "met"
    # a figure in another unit does not count
    other_unit = answer((1, "内刊15期以上", "evidenced", ["省委办信息处统计得分212分"]),
                        (2, "发表文稿10篇以上", "not_evidenced", []))
    verdicts, _, _ = judge_report(llm_seed.seed_report([QUANTITY]), QUANTITY_RULES,
                                  config(FakeServer(lambda b, n: ok(other_unit)), tmp_path / "b"))
    assert verdicts[0].clauses[0].outcome == "approximate"


def test_disagreement_is_per_clause(tmp_path):
    """Rules: clause 1 not reported, clause 2 met. Model: both evidenced, with figures. Only the
    clause the two judges read opposite ways is flagged, and the finding names it."""
    rules = [rules_for(0, QUANTITY[2], [
        {"text": "全年编辑《区委通报》《云溪情况》等办公室内刊15期以上", "comparator": ">=", "value": 15, "unit": "期",
         "outcome": "not_reported"},
        {"text": "在市级以上刊物上发表文稿10篇以上", "comparator": ">=", "value": 10, "unit": "篇",
         "outcome": "met", "evidence": "各类文稿100多篇"},
    ], verdict="partial")]
    completion = "全年编辑内刊16期。全年共起草各类文稿100多篇。"
    row = (QUANTITY[0], QUANTITY[1], QUANTITY[2], completion)
    reply = answer((1, "内刊15期以上", "evidenced", ["全年编辑内刊16期"]),
                   (2, "发表文稿10篇以上", "evidenced", ["全年共起草各类文稿100多篇"]))
    verdicts, findings, _ = judge_report(llm_seed.seed_report([row]), rules,
                                         config(FakeServer(lambda b, n: ok(reply)), tmp_path))
    disagreements = [f for f in findings if f.code == "llm.disagrees_with_rules"]
    assert len(disagreements) == 1
    assert "内刊15期以上" in disagreements[0].message and "发表文稿" not in disagreements[0].message
    assert disagreements[0].severity == "warning"
    # the reverse: rules met, model finds nothing → an info disagreement on that clause only
    reply2 = answer((1, "内刊15期以上", "not_evidenced", []), (2, "发表文稿10篇以上", "not_evidenced", []))
    _, findings2, _ = judge_report(llm_seed.seed_report([row]), rules,
                                   config(FakeServer(lambda b, n: ok(reply2)), tmp_path / "b"))
    d2 = [f for f in findings2 if f.code == "llm.disagrees_with_rules"]
    assert len(d2) == 1 and d2[0].severity == "info" and "发表文稿" in d2[0].message


# --- output modes -------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["json_object_schema", "json_object", "prompt"])
def test_schema_is_in_the_prompt_in_every_mode_but_strict_json_schema(tmp_path, mode):
    server = FakeServer(lambda b, n: ok(answer(("目标", "not_evidenced", []))))
    judge_report(llm_seed.seed_report([SATISFACTION]), [], config(server, tmp_path, modes=(mode,)))
    assert "JSON Schema" in user_text(server.requests[0]) and '"clauses"' in user_text(server.requests[0])
    server2 = FakeServer(lambda b, n: ok(answer(("目标", "not_evidenced", []))))
    judge_report(llm_seed.seed_report([SATISFACTION]), [], config(server2, tmp_path / "s", modes=("json_schema",)))
    assert "JSON Schema" not in user_text(server2.requests[0])


def test_non_mode_400_is_one_call_and_a_clear_line(tmp_path, caplog):
    """DashScope Qwen3 without enable_thinking=false: a 400 about the request, not the output mode."""
    body = {"error": {"code": "invalid_parameter_error", "param": None, "type": "invalid_request_error",
                      "message": "parameter.enable_thinking must be set to false for non-streaming calls"}}
    server = FakeServer(lambda b, n: httpx2.Response(400, json=body))
    sleeps: list[float] = []
    verdicts, findings, run = judge_report(llm_seed.seed_report(), [], config(server, tmp_path, sleeps))
    assert len(server.requests) == 1 and sleeps == []
    assert all(v.verdict == "not_checked" and "enable_thinking must be set to false" in v.status_note for v in verdicts)
    assert "请求被拒绝 (400)" in verdicts[0].status_note
    stops = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(stops) == 1 and "enable_thinking" in stops[0].getMessage()
    assert "调用已停止" in run.note


def test_extra_body_reaches_the_request(tmp_path):
    server = FakeServer(lambda b, n: ok(answer(("目标", "not_evidenced", []))))
    judge_report(llm_seed.seed_report([SATISFACTION]), [],
                 config(server, tmp_path, extra_body={"enable_thinking": False}))
    assert server.requests[0]["enable_thinking"] is False


def test_deepseek_mode_400_steps_down_without_stopping(tmp_path):
    body = {"error": {"message": "This response_format type is unavailable now", "type": "invalid_request_error",
                      "param": None, "code": "invalid_request_error"}}

    def reply(b, n):
        if (b.get("response_format") or {}).get("type") == "json_schema":
            return httpx2.Response(400, json=body)
        return ok(answer(("目标", "not_evidenced", [])))

    server = FakeServer(reply)
    verdicts, _, run = judge_report(llm_seed.seed_report(llm_seed.ROWS[:3]), [], config(server, tmp_path))
    assert run.mode == "json_object_schema" and all(v.verdict == "not_evidenced" for v in verdicts)
    assert len(server.requests) == 4


@pytest.mark.parametrize(("status", "body", "words"), [
    (401, {"error": {"message": "Authentication Fails, Your api key: ****1234 is invalid", "type": "authentication_error"}}, "鉴权失败"),
    (402, {"error": {"message": "Insufficient Balance", "type": "unknown_error"}}, "额度不足"),
    (429, {"error": {"message": "You exceeded your current quota, please check your plan and billing details.",
                     "type": "insufficient_quota", "code": "insufficient_quota"}}, "额度不足"),
])
def test_auth_or_quota_after_the_first_row_stops_further_calls(tmp_path, status, body, words):
    def reply(b, n):
        if n == 1:
            return ok(answer(("目标", "not_evidenced", [])))
        return httpx2.Response(status, json=body)

    server = FakeServer(reply)
    sleeps: list[float] = []
    cfg = config(server, tmp_path, sleeps, concurrency=1)
    verdicts, findings, run = judge_report(llm_seed.seed_report(), [], cfg)
    assert len(server.requests) == 2 and sleeps == []  # never retried as 限流, no other row sent
    assert verdicts[0].verdict == "not_evidenced"
    assert all(v.verdict == "not_checked" and words in v.status_note for v in verdicts[1:])
    # the next report of the run (same process, same endpoint) sends nothing
    server2 = FakeServer(reply)
    verdicts2, _, run2 = judge_report(llm_seed.seed_report(llm_seed.ROWS[2:4]), [],
                                      config(server2, tmp_path / "b", sleeps, halts=cfg.halts))
    assert server2.requests == [] and run2.calls == 0
    assert all(v.status_note.startswith("未完成: 未调用：") and words in v.status_note for v in verdicts2)


# --- reasoning, truncation, usage --------------------------------------------------------------

def test_think_block_with_braces_and_fence_is_not_parsed_as_the_answer(tmp_path):
    final = answer(("接待来访对象满意", "evidenced", ["全年接待来访360人次"]))
    thinking = ("<think>先想一想格式：```json\n{\"clauses\": [{\"id\": 1, \"verdict\": \"not_evidenced\"}]}\n```"
                "还有 {这个} 括号。</think>\n" + final)
    assert json.loads(extract_json(thinking)) == json.loads(final)
    verdicts, _, run = judge_report(llm_seed.seed_report([SATISFACTION]), [],
                                    config(FakeServer(lambda b, n: ok(thinking)), tmp_path))
    assert verdicts[0].verdict == "evidenced" and run.calls == 1


def test_last_complete_json_object_is_taken():
    example = '例如 {"clauses": [], "vague": false, "follow_up": ""}，我的回答：'
    final = answer(("目标", "partial", ["全年接待来访360人次"]))
    assert parse_judgement(example + final).clauses[0].verdict == "partial"


def test_reasoning_is_not_sent_back_in_the_reask(tmp_path):
    def reply(b, n):
        if n == 1:
            return ok("<think>{\"x\": 1}</think>我觉得完成了。")
        return ok(answer(("目标", "not_evidenced", [])))

    server = FakeServer(reply)
    judge_report(llm_seed.seed_report([SATISFACTION]), [], config(server, tmp_path))
    assert server.requests[1]["messages"][2] == {"role": "assistant", "content": "我觉得完成了。"}


def cut(content: str) -> httpx2.Response:
    body = completion_body(content)
    body["choices"][0]["finish_reason"] = "length"
    return httpx2.Response(200, json=body)


def test_truncated_answer_is_asked_again_with_a_larger_cap_then_reported(tmp_path):
    full = answer(("目标", "not_evidenced", []))
    server = FakeServer(lambda b, n: cut(full[:40]))
    verdicts, findings, _ = judge_report(llm_seed.seed_report([SATISFACTION]), [],
                                         config(server, tmp_path, max_tokens=500))
    assert [b["max_tokens"] for b in server.requests] == [500, 2548]
    assert server.requests[1]["messages"] == server.requests[0]["messages"]  # the same question, more room
    v = verdicts[0]
    assert v.verdict == "not_checked" and "回答被截断" in v.status_note and "--max-tokens" in v.status_note
    assert "格式校验" not in v.status_note

    def once(b, n):
        return cut(full[:40]) if n == 1 else ok(full)

    server2 = FakeServer(once)
    verdicts2, _, run2 = judge_report(llm_seed.seed_report([SATISFACTION]), [],
                                      config(server2, tmp_path / "b", max_tokens=500))
    assert verdicts2[0].verdict == "not_evidenced" and run2.calls == 2


def test_missing_usage_is_unknown_not_zero(tmp_path):
    def reply(b, n):
        body = completion_body(answer(("目标", "not_evidenced", [])))
        del body["usage"]
        return httpx2.Response(200, json=body)

    from reviewer.memo.model import _llm_line
    from reviewer.review import Review

    report = llm_seed.seed_report([SATISFACTION])
    _, _, run = judge_report(report, [], config(FakeServer(reply), tmp_path))
    assert run.usage_unknown == run.calls == 1
    line = _llm_line(Review(report=report, llm=run), {})
    assert "tokens 未知" in line and "tokens 0" not in line


def test_identical_rows_in_one_report_are_sent_once(tmp_path):
    rows = [SATISFACTION, QUANTITY, SATISFACTION, SATISFACTION]
    server = FakeServer(lambda b, n: ok(answer(("目标", "not_evidenced", []))))
    verdicts, _, run = judge_report(llm_seed.seed_report(rows), [], config(server, tmp_path))
    assert len(server.requests) == 2 and run.calls == 2
    assert [v.verdict for v in verdicts] == ["not_evidenced"] * 4
    assert sorted(row_kind(b) for b in server.requests) == sorted([SATISFACTION[1], QUANTITY[1]])


def test_reasoning_content_is_never_read_as_the_answer(tmp_path):
    """deepseek-reasoner style: the thinking comes in message.reasoning_content, the answer in content."""
    def reply(b, n):
        body = completion_body(answer(("接待来访对象满意", "not_evidenced", [])))
        body["choices"][0]["message"]["reasoning_content"] = answer(("接待来访对象满意", "evidenced", ["全年接待来访360人次"]))
        return httpx2.Response(200, json=body)

    server = FakeServer(reply)
    verdicts, _, _ = judge_report(llm_seed.seed_report([SATISFACTION]), [], config(server, tmp_path))
    assert verdicts[0].verdict == "not_evidenced" and len(server.requests) == 1
