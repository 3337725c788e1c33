"""The judge's own rules, as pure functions: how clause verdicts combine, when a quote is enough,
how a disagreement with the rules is worded, what a left-out clause becomes. Answers here are
CONSTRUCTED RowJudgement objects (no server); the recorded path is in test_llm_cassettes.py."""

from __future__ import annotations

import pytest

from llm_seed import FakeServer, answer, config, ok, seed_report
from reviewer.llm import judge_report
from reviewer.llm.judge import (
    MAX_PROMPT_COMPLETION,
    MAX_PROMPT_TARGET,
    _aggregate,
    _cut,
    _disagreement_findings,
    _clause_disagreements,
    _ClauseResult,
    _disagreement,
    _judge_clause,
    _same_unit,
    asked_figure,
    assess,
    cut_note,
)
from reviewer.llm.redact import Redactor
from reviewer.llm.schema import ClauseJudgement, RowJudgement
from reviewer.llm.verify import QuoteVerifier
from reviewer.model import Location, TargetRow, Text
from reviewer.review import Clause, TargetVerdict

LONG = "甲" * 50 + "乙" * 50 + "丙" * 50  # longer than every cut, each cut ends inside its own run
RED = Redactor(enabled=False)


def rule(verdict: str, clauses: list[Clause], reason: str = "") -> TargetVerdict:
    return TargetVerdict(target_index=0, by="rules", verdict=verdict, clauses=clauses, reason=reason)


def row(target: str, completion: str) -> TargetRow:
    loc = Location(table=0, row=1, col=2, label="定量目标 数量指标 完成情况")
    return TargetRow(index=0, category="产出目标", kind="数量指标", target=Text(text=target, location=loc),
                     completion=Text(text=completion, location=loc), location=loc)


# --- combining clause verdicts -----------------------------------------------------------------

@pytest.mark.parametrize("verdicts, row_verdict", [
    (["not_checked"], "not_checked"),
    (["not_applicable", "not_checked"], "not_checked"),
    (["not_checked", "not_evidenced"], "not_evidenced"),
    (["evidenced", "not_checked"], "partial"),  # a clause left out never lets a row pass
    (["evidenced", "not_evidenced"], "partial"),
    (["evidenced", "not_applicable"], "evidenced"),
    (["not_applicable"], "not_applicable"),
])
def test_row_verdict_from_clause_verdicts(verdicts, row_verdict):
    assert _aggregate(verdicts) == row_verdict


# --- units and figures ---------------------------------------------------------------------------

@pytest.mark.parametrize("found, asked, same", [
    ("期", "", True),  # the target names no unit
    ("期", "期", True),
    ("元", "万元", True),  # money in any scale is money
    ("万元", "期", False),
    ("期", "万元", False),
    (None, "篇", False),
])
def test_same_unit(found, asked, same):
    assert _same_unit(found, asked) is same


def test_asked_figure_only_when_the_clause_asks_for_exactly_one():
    one = asked_figure("全年编辑内刊15期以上", None)
    assert one is not None and one.value == 15 and one.unit == "期"
    assert asked_figure("编辑内刊15期以上、发表文稿10篇以上", None) is None
    assert asked_figure("办文办会及时高效", None) is None
    qualitative = Clause(text="全年编辑内刊15期以上", span=(0, 10))  # the rules read no value: theirs wins
    assert asked_figure("全年编辑内刊15期以上", qualitative) is None


def test_cut_note_names_what_was_cut():
    full = row("目" * MAX_PROMPT_TARGET, "完" * MAX_PROMPT_COMPLETION)
    assert cut_note(full) == ""  # at the limits nothing is cut
    over = row("目" * (MAX_PROMPT_TARGET + 1), "完" * (MAX_PROMPT_COMPLETION + 1))
    assert cut_note(over) == (f"完成情况超过{MAX_PROMPT_COMPLETION}字，只发送了前{MAX_PROMPT_COMPLETION}字；"
                              f"绩效目标超过{MAX_PROMPT_TARGET}字，只发送了前{MAX_PROMPT_TARGET}字")


# --- one clause --------------------------------------------------------------------------------

def judge_one(verdict: str, quotes: list[str], completion: str, clause_text: str, rule_clause: Clause | None = None,
              target: str = ""):
    cj = ClauseJudgement(id=1, clause=clause_text, verdict=verdict, quotes=quotes, reason="理由")
    bad: list = []
    downgrades: list[str] = []
    result = _judge_clause(cj, rule_clause, QuoteVerifier(completion), QuoteVerifier(target or clause_text),
                           RED, bad, downgrades)
    return result, bad, downgrades


def test_an_unverified_quote_downgrades_with_its_reason():
    clause = LONG
    result, bad, downgrades = judge_one("evidenced", ["不在原文中的话"], "全年发文120件。", clause)
    assert result.verdict == "not_evidenced" and bad and bad[0][0] == "不在原文中的话"
    assert downgrades == [f"“{clause[:30]}”由“有证据”降为“无证据”（引文未能在原文中核实）"]
    result, _, downgrades = judge_one("evidenced", ["全年发文120件", "不在原文中的话"], "全年发文120件。", "发文")
    assert result.verdict == "partial"
    assert downgrades == ["“发文”由“有证据”降为“部分有证据”（引文未能在原文中核实）"]
    assert result.clause.note == "模型：有证据。理由（引文未能在原文中核实，降为“部分有证据”）"


def test_a_quote_without_the_asked_figure_is_partial_and_says_which_unit():
    result, _, downgrades = judge_one("evidenced", ["做好了内刊编辑工作"], "做好了内刊编辑工作。", "全年编辑内刊15期以上")
    assert result.verdict == "partial"
    assert downgrades == ["“全年编辑内刊15期以上”由“有证据”降为“部分有证据”（引文中没有以“期”计的数字，不能证明目标要求的数量）"]


def test_a_figure_asked_without_a_unit_is_said_without_one():
    asked = Clause(text="综合评分90以上", span=(0, 7), comparator=">=", value=90.0, unit="")
    result, _, downgrades = judge_one("evidenced", ["考核工作圆满完成"], "考核工作圆满完成。", asked.text, asked)
    assert result.verdict == "partial"
    assert downgrades[0].endswith("（引文中没有数字，不能证明目标要求的数量）")


def test_a_clause_the_rules_read_is_cited_where_the_rules_found_it():
    asked = Clause(text="全年发文", span=(9, 13))
    result, _, _ = judge_one("not_evidenced", [], "x", "全年发文", asked, target="去年全年发文，今年全年发文")
    assert result.clause.span == (9, 13)  # not where the text first reads "全年发文"
    own, _, _ = judge_one("not_evidenced", [], "x", "全年发文", None, target="去年全年发文，今年全年发文")
    assert own.clause.span == (2, 6)


# --- disagreements -------------------------------------------------------------------------------

def test_row_disagreement_names_the_first_clause_missed_with_its_evidence_and_note():
    met = Clause(text="乙" * 50, span=(0, 1), outcome="met")
    missed = Clause(text=LONG, span=(0, 1), outcome="not_met", evidence=LONG, note=LONG)
    second = Clause(text="丁" * 10, span=(0, 1), outcome="not_met")
    severity, side = _disagreement("evidenced", rule("partial", [met, missed, second]))
    assert severity == "warning"
    assert side == f"“{LONG[:40]}”未达到目标（完成情况：“{LONG[:40]}”），{LONG[:60]}"
    assert _disagreement("evidenced", rule("partial", [Clause(text="丁", span=(0, 1), outcome="not_met")])) == (
        "warning", "“丁”未达到目标")


def test_row_disagreement_without_a_missed_clause_quotes_the_rules_reason():
    assert _disagreement("evidenced", rule("not_evidenced", [], reason=LONG)) == ("warning", f"无证据（{LONG[:80]}）")
    assert _disagreement("evidenced", rule("not_evidenced", [])) == ("warning", "无证据")
    assert _disagreement("not_evidenced", rule("evidenced", [], reason=LONG)) == ("info", f"有证据（{LONG[:80]}）")
    assert _disagreement("not_evidenced", rule("evidenced", [])) == ("info", "有证据")


def test_no_disagreement_with_rules_that_did_not_judge():
    missed = Clause(text="发文", span=(0, 1), outcome="not_met")
    assert _disagreement("evidenced", None) is None
    assert _disagreement("evidenced", rule("not_checked", [missed])) is None
    assert _disagreement("partial", rule("not_evidenced", [missed])) is None


def test_clause_disagreements_pair_each_clause_and_skip_unpaired_ones():
    rc = Clause(text="发文", span=(0, 1), outcome="not_met", evidence=LONG, note=LONG)
    mine = Clause(text="发文", span=(0, 1), outcome="met", evidence=LONG, note=LONG)
    unpaired = _ClauseResult(Clause(text="其他", span=(0, 1)), "evidenced", None)
    results = [unpaired, _ClauseResult(mine, "evidenced", rc)]
    out = _clause_disagreements(results, row("t", "c"), rule("not_evidenced", [rc]))
    assert out == [("warning", f"未达到目标（完成情况：“{LONG[:40]}”），{LONG[:60]}",
                    f"有证据（{LONG[:120]}；引文：“{LONG[:40]}”", rc)]
    assert _clause_disagreements(results, row("t", "c"), rule("not_checked", [rc])) == []


# --- a whole row ---------------------------------------------------------------------------------

def test_a_clause_left_out_is_not_checked_with_the_rules_evidence_dropped():
    sent = [Clause(text="全年发文120件", span=(0, 8), outcome="met", evidence="发文120件", evidence_span=(0, 6),
                   note="规则的说明", value=120.0, unit="件")]
    judgement = RowJudgement(clauses=[ClauseJudgement(id=2, clause="别的", verdict="evidenced", quotes=[], reason="")],
                             vague=False, follow_up="")
    verdict, findings = assess(row("全年发文120件", "发文120件。"), judgement, rule("evidenced", sent), RED, sent)
    assert verdict.verdict == "not_checked"
    assert verdict.status_note == "未完成: 模型没有判断其中1个分句（重问一次后仍缺）"
    left = verdict.clauses[0]
    assert (left.outcome, left.evidence, left.evidence_span, left.note) == (
        "not_checked", "", None, "模型没有判断这一分句（重问一次后仍缺）")
    assert [f.code for f in findings] == ["llm.incomplete_answer"]


def test_a_row_answered_from_the_cache_keeps_the_mode_it_was_asked_in(tmp_path):
    """FAKE server (constructed replies): the second review asks nothing and still says the mode."""
    server = FakeServer(lambda body, n: ok(answer(("目标", "not_evidenced", []))))
    report = seed_report()
    _, _, first = judge_report(report, [], config(server, tmp_path, []))
    calls = len(server.requests)
    _, _, second = judge_report(report, [], config(server, tmp_path, []))
    assert len(server.requests) == calls and second.calls == 0 and second.cache_hits == len(report.targets)
    assert second.mode == first.mode == "json_schema"


def test_a_text_at_the_limit_is_sent_whole():
    assert _cut("完" * 10, 10) == "完" * 10
    assert _cut("完" * 11, 10) == "完" * 10 + "……（原文共11字，只发送了前10字）"


def test_a_row_disagreement_gives_the_models_reason_up_to_120_characters():
    (f,) = _disagreement_findings([], row("t", "c"), rule("not_evidenced", []), False, "evidenced", LONG, [])
    assert f.found == f"有证据（{LONG[:120]}）"
    (f,) = _disagreement_findings([], row("t", "c"), rule("not_evidenced", []), False, "evidenced", "", [])
    assert f.found == "有证据（未说明理由）"
