"""A row's verdict from its clauses: evidenced only when EVERY applicable clause is evidenced.

FAKE SERVER: the answers are constructed (llm_seed.FakeServer, an httpx2.MockTransport), with quotes
that are really in the completion, so that only the combining of clause verdicts is under test.
"""

from __future__ import annotations

import pytest

import llm_seed
from llm_seed import FakeServer, answer, config, ok
from reviewer.llm import judge_report
from reviewer.review import Clause, TargetVerdict

ROW = llm_seed.ROWS[1]  # 数量指标: 内刊15期以上 / 发表文稿10篇以上 / 对策建议和调研成果
DRAFTS = "全年共起草了领导讲话、情况汇报等各类文稿100多篇"
RESEARCH = "石化产业延链补链等一批调研成果纳入区委决策程序"


def row_verdict(tmp_path, *clauses):
    report = llm_seed.seed_report([ROW])
    assert DRAFTS in ROW[3] and RESEARCH in ROW[3]
    verdicts, findings, _ = judge_report(report, [], config(FakeServer(lambda body, n: ok(answer(*clauses))), tmp_path))
    (v,) = verdicts
    assert not [f for f in findings if f.code == "llm.unverified_quote"]
    return v


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (("对策建议和调研成果", "evidenced", [RESEARCH]), "evidenced"),
        (("对策建议和调研成果", "not_evidenced", []), "partial"),
        (("对策建议和调研成果", "partial", [RESEARCH]), "partial"),
        (("对策建议和调研成果", "not_applicable", []), "evidenced"),
    ],
)
def test_one_evidenced_clause_and_another(tmp_path, second, expected):
    v = row_verdict(tmp_path, ("发表文稿10篇以上", "evidenced", [DRAFTS]), second)
    assert v.verdict == expected
    assert len(v.clauses) == 2
    # the model's reasons reach the row and each clause's note
    assert v.reason == "构造的理由；构造的理由"
    assert all("构造的理由" in c.note for c in v.clauses)
    assert v.clauses[0].outcome == "met" and v.clauses[0].evidence == DRAFTS
    assert (v.clauses[1].outcome == "met") is (second[1] == "evidenced")


def test_no_clause_evidenced_is_not_evidenced(tmp_path):
    v = row_verdict(tmp_path, ("发表文稿10篇以上", "not_evidenced", []), ("对策建议和调研成果", "not_evidenced", []))
    assert v.verdict == "not_evidenced"


def test_a_partial_clause_among_unevidenced_ones_is_partial(tmp_path):
    v = row_verdict(tmp_path, ("发表文稿10篇以上", "partial", [DRAFTS]), ("对策建议和调研成果", "not_evidenced", []))
    assert v.verdict == "partial"


def test_mixed_verdicts_in_three_clauses_are_never_evidenced(tmp_path):
    v = row_verdict(
        tmp_path,
        ("编辑内刊15期以上", "not_evidenced", []),
        ("发表文稿10篇以上", "evidenced", [DRAFTS]),
        ("对策建议和调研成果", "evidenced", [RESEARCH]),
    )
    assert v.verdict == "partial"


# --- quotes that do not verify lower a clause, never raise it -----------------------------------

@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        (("发表文稿10篇以上", "partial", ["全年发表文稿20篇"]), "not_evidenced"),  # invented quote
        (("发表文稿10篇以上", "partial", [DRAFTS]), "partial"),
        (("发表文稿10篇以上", "evidenced", [DRAFTS, "全年发表文稿20篇"]), "partial"),
        (("发表文稿10篇以上", "not_evidenced", [DRAFTS]), "not_evidenced"),
    ],
)
def test_unverified_quotes_lower_the_clause(tmp_path, clause, expected):
    report = llm_seed.seed_report([ROW])
    verdicts, findings, _ = judge_report(report, [], config(FakeServer(lambda body, n: ok(answer(clause))), tmp_path))
    assert verdicts[0].verdict == expected
    assert ("llm.unverified_quote" in {f.code for f in findings}) is ("全年发表文稿20篇" in clause[2])
    (c,) = verdicts[0].clauses
    assert "构造的理由" in c.note  # a downgrade adds to the model's reason, never replaces it
    assert ("核实" in c.note) is (expected != clause[1])
    assert c.evidence == (DRAFTS if DRAFTS in clause[2] else "")


def test_not_run_still_names_the_model_and_endpoint(monkeypatch):
    from reviewer.llm import LLMConfig

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    cfg = LLMConfig.from_env(enabled=False, model="m-1", base_url="http://127.0.0.1:9/v1")
    verdicts, findings, run = judge_report(llm_seed.seed_report([ROW]), [], cfg)
    assert (run.ran, run.model, run.base_url) == (False, "m-1", "http://127.0.0.1:9/v1")
    assert [v.verdict for v in verdicts] == ["not_checked"] and findings == []


# --- the model against the rules -----------------------------------------------------------------

def rules(verdict: str, outcome: str | None = None) -> list[TargetVerdict]:
    clauses = [] if outcome is None else [Clause(text="发表文稿10篇以上", span=(0, 0), outcome=outcome)]
    return [TargetVerdict(target_index=0, by="rules", verdict=verdict, clauses=clauses, reason="规则的理由")]


@pytest.mark.parametrize(
    ("llm", "rule", "severity"),
    [
        ("evidenced", rules("not_evidenced"), "warning"),
        ("evidenced", rules("partial", outcome="not_met"), "warning"),  # a clause the rules found not met
        ("evidenced", rules("partial", outcome="met"), None),
        ("evidenced", rules("evidenced"), None),
        ("evidenced", rules("not_checked"), None),
        ("not_evidenced", rules("evidenced"), "info"),
        ("not_evidenced", rules("not_evidenced"), None),
        ("partial", rules("evidenced"), None),
        ("partial", rules("not_evidenced"), None),
    ],
)
def test_disagreement_only_when_the_judges_point_opposite_ways(tmp_path, llm, rule, severity):
    quotes = [DRAFTS] if llm != "not_evidenced" else []
    report = llm_seed.seed_report([ROW])
    server = FakeServer(lambda body, n: ok(answer(("发表文稿10篇以上", llm, quotes))))
    verdicts, findings, _ = judge_report(report, rule, config(server, tmp_path))
    assert verdicts[0].verdict == llm
    flagged = [f for f in findings if f.code == "llm.disagrees_with_rules"]
    if severity is None:
        assert flagged == [] and "llm.disagrees_with_rules" not in verdicts[0].flags
    else:
        (f,) = flagged
        assert f.severity == severity and f.source == "llm"
        assert "llm.disagrees_with_rules" in verdicts[0].flags
        assert f.location == report.targets[0].completion.location
        assert f.message.startswith("第1个定量目标（数量指标）") and "规则与模型的判断不一致" in f.message
        if quotes:
            assert f"引文：“{DRAFTS}”）" in f.found
        assert "构造的理由" in f.found  # the model's side carries its reason
        if rule[0].clauses:
            assert "未达到目标" in f.expected  # the rules' side says a clause was not met
        elif severity == "info":
            assert f.expected == "有证据（规则的理由）"
        else:
            assert f.expected.endswith("（规则的理由）")


def test_rules_that_did_not_check_the_row_never_disagree(tmp_path):
    rule = [TargetVerdict(target_index=0, by="rules", verdict="not_checked",
                          clauses=[Clause(text="发表文稿10篇以上", span=(0, 0), outcome="not_met")])]
    server = FakeServer(lambda body, n: ok(answer(("发表文稿10篇以上", "evidenced", [DRAFTS]))))
    _, findings, _ = judge_report(llm_seed.seed_report([ROW]), rule, config(server, tmp_path))
    assert not [f for f in findings if f.code == "llm.disagrees_with_rules"]


def test_a_vague_answer_is_an_info_from_the_model(tmp_path):
    report = llm_seed.seed_report([ROW])
    reply = ok(answer(("发表文稿10篇以上", "not_evidenced", []), vague=True))
    verdicts, findings, _ = judge_report(report, [], config(FakeServer(lambda body, n: reply), tmp_path))
    (f,) = [f for f in findings if f.code == "completion.vague"]
    assert (f.severity, f.source) == ("info", "llm")
    assert f.message.startswith("第1个定量目标（数量指标）：")
    assert "completion.vague" in verdicts[0].flags
    verdicts, findings, _ = judge_report(report, [], config(FakeServer(lambda body, n: ok(answer(("发表文稿10篇以上", "not_evidenced", [])))), tmp_path / "b"))
    assert not [f for f in findings if f.code == "completion.vague"]


def test_not_run_without_a_config_names_no_model():
    from reviewer.llm.judge import not_run

    verdicts, findings, run = not_run(llm_seed.seed_report([ROW]), "未运行 (test)")
    assert (run.ran, run.model, run.base_url, run.note) == (False, "", "", "未运行 (test)")
    assert [v.status_note for v in verdicts] == ["未运行 (test)"] and findings == []


def test_many_unverified_quotes_list_three_and_count_them_all(tmp_path):
    invented = [f"全年发表文稿{n}篇" for n in (20, 30, 40, 50)]
    report = llm_seed.seed_report([ROW])
    reply = answer(("发表文稿10篇以上", "evidenced", invented[:2]), ("对策建议和调研成果", "evidenced", invented[2:]))
    server = FakeServer(lambda body, n: ok(reply))
    _, findings, _ = judge_report(report, [], config(server, tmp_path))
    (f,) = [f for f in findings if f.code == "llm.unverified_quote"]
    assert all(f"“{q}”" in f.message for q in invented[:3]) and f"“{invented[3]}”" not in f.message
    assert "等4处" in f.message
    assert f.found == invented[0]
    assert f.message.startswith("第1个定量目标（数量指标）：")
    assert "已将“发表文稿10篇以上”由" in f.message and "，“对策建议和调研成果”由" in f.message
    assert f.message.endswith("。") and not f.message.endswith("。。")


def test_three_unverified_quotes_are_listed_without_a_count(tmp_path):
    invented = [f"全年发表文稿{n}篇" for n in (20, 30, 40)]
    reply = answer(("发表文稿10篇以上", "evidenced", invented[:2]), ("对策建议和调研成果", "evidenced", invented[2:]))
    _, findings, _ = judge_report(llm_seed.seed_report([ROW]), [], config(FakeServer(lambda body, n: ok(reply)), tmp_path))
    (f,) = [f for f in findings if f.code == "llm.unverified_quote"]
    assert all(f"“{q}”" in f.message for q in invented) and "等3处" not in f.message


def test_a_clause_not_found_in_the_target_has_no_span(tmp_path):
    report = llm_seed.seed_report([ROW])
    server = FakeServer(lambda body, n: ok(answer(("一个目标里没有的分句", "not_evidenced", []))))
    verdicts, _, _ = judge_report(report, [], config(server, tmp_path))
    assert verdicts[0].clauses[0].span == (0, 0)
