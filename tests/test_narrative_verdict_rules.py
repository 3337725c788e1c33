"""review_row on one 定量目标 row: the verdict, its reason and follow-up, and each finding (code,
severity, where, message, expected/found) word for word. Rows are written for these tests."""

from __future__ import annotations

import pytest

from narrative_seed import target_rows
from reviewer.narrative.verdicts import _reason, _verdict, review_row
from reviewer.review import Clause


def review(target: str, completion: str):
    (row,) = target_rows([("产出目标", "数量指标", target, completion)])
    verdict, findings = review_row(row, [])
    return row, verdict, findings


def finding(f):
    assert f.source == "rules"
    return f.code, f.severity, f.location.col, f.location.span, f.message, f.expected, f.found


def test_a_missed_floor():
    row, verdict, findings = review("编印内刊15期以上", "全年编印内刊11期。")
    assert (verdict.verdict, verdict.flags, verdict.reason, verdict.follow_up) == (
        "not_evidenced", ["target.not_met"], "可衡量分句1个（未达到1个）。", "")
    assert [finding(f) for f in findings] == [(
        "target.not_met", "warning", row.completion.location.col, (0, 10),
        "数量指标：目标要求“编印内刊15期以上”，完成情况为“11期”，目标≥15期，未达到。请说明偏差原因。", "≥15期", 11)]
    assert findings[0].location.row == row.location.row


def test_a_missed_equal_target_asks_no_reason():
    _, _, (f,) = review("专题培训次数为3次。", "全年开展专题培训5次。")
    assert (f.code, f.message, f.expected, f.found) == (
        "target.not_met", "数量指标：目标要求“专题培训次数为3次”，完成情况为“5次”，目标=3次，与目标值不一致，请人工判断。", "=3次", 5)


def test_a_deadline_not_reported_with_its_follow_up():
    _, verdict, findings = review("编印内刊15期以上，12月底前完成年度工作报告", "全年编印内刊20期。")
    assert (verdict.verdict, verdict.reason, verdict.follow_up) == (
        "partial", "可衡量分句2个（达到1个，未报告1个）。", "请补充“年度工作报告”的完成日期的实际完成数，并附佐证材料。")
    assert [finding(f) for f in findings] == [(
        "target.not_evidenced", "warning", 3, None,
        "数量指标：目标要求“12月底前完成年度工作报告”，完成情况未给出完成日期（目标要求12月底前）。", "12月底前", None)]


def test_an_approximate_answer_cites_its_words():
    _, verdict, (f,) = review("编印内刊15期以上", "全年编印内刊约20期。")
    assert (verdict.verdict, verdict.reason, verdict.follow_up) == (
        "not_evidenced", "可衡量分句1个（约数/不确切1个）。", "请补充“编印内刊”的期数的实际完成数，并附佐证材料。")
    assert finding(f) == (
        "target.not_evidenced", "warning", 3, (0, 11),
        "数量指标：目标要求“编印内刊15期以上”，完成情况只写了约数“约20期”（“全年编印内刊约20期。”），未给出期数。",
        "≥15期", "全年编印内刊约20期。")


def test_far_over_target_is_information_only():
    _, verdict, (f,) = review("编印内刊15期以上", "全年编印内刊60期。")
    assert (verdict.verdict, verdict.flags) == ("evidenced", ["target.far_exceeded"])
    assert finding(f) == (
        "target.far_exceeded", "info", 3, (0, 10),
        "数量指标：目标为“编印内刊15期以上”，完成情况为“60期”，是目标的4倍，目标值可能偏低，供下年度设定目标时参考。", "≥15期", 60)


def test_met_without_far_over_is_no_finding():
    _, verdict, findings = review("编印内刊15期以上", "全年编印内刊20期。")
    assert (verdict.verdict, findings, verdict.reason) == ("evidenced", [], "可衡量分句1个（达到1个）。")


def test_qualitative_clauses_are_counted_in_the_reason():
    _, verdict, _ = review("编印内刊15期以上和工作简报20期以上，按时保质完成", "全年编印内刊20期、工作简报12期。")
    assert (verdict.verdict, verdict.reason) == ("partial", "可衡量分句2个（达到1个，未达到1个）；定性分句1个未由规则判断。")


def test_a_target_with_nothing_to_measure():
    row, verdict, (f,) = review("办文办会及时高效，全年保障有力", "全年发文120件，会议32次。")
    assert (verdict.verdict, verdict.reason, verdict.follow_up) == (
        "not_checked", "目标没有可衡量的分句。", "请将“数量指标”的绩效目标细化量化，并按目标逐项填写实际完成值及佐证材料。")
    assert finding(f) == (
        "target.not_measurable", "warning", row.target.location.col, None,
        "数量指标：绩效目标“办文办会及时高效，全年保障有力”没有数值、单位或完成时限（“及时”“全年”不是时限），"
        "无法据以核对完成情况。应细化量化（数量、质量、时效、成本），或写成可判断的分级定性目标。",
        None, "办文办会及时高效，全年保障有力")


def test_a_target_with_no_time_word_says_only_what_it_lacks():
    _, _, findings = review("提高服务质量", "全年发文120件。")
    (f,) = [f for f in findings if f.code == "target.not_measurable"]
    assert f.message.startswith("数量指标：绩效目标“提高服务质量”没有数值、单位或完成时限，无法据以核对")


def test_a_long_target_is_shown_cut_at_60_characters():
    target = "提高服务质量" * 11  # 66 characters
    _, _, findings = review(target, "全年发文120件。")
    (f,) = [f for f in findings if f.code == "target.not_measurable"]
    assert f"绩效目标“{target[:59]}…”没有数值" in f.message and f.found == target


def test_an_empty_completion():
    _, verdict, findings = review("编印内刊15期以上", "")
    assert [f.code for f in findings] == ["completion.empty"]
    assert (verdict.verdict, verdict.reason, verdict.follow_up) == (
        "not_evidenced", "可衡量分句1个（未报告1个）；完成情况为空。", "请补充“编印内刊”的期数的实际完成数，并附佐证材料。")
    (clause,) = verdict.clauses
    assert (clause.outcome, clause.note) == ("not_reported", "完成情况未填写。")


def test_an_empty_completion_of_a_qualitative_target():
    _, verdict, findings = review("办文办会及时高效", "")
    assert [f.code for f in findings] == ["target.not_measurable", "completion.empty"]
    assert (verdict.verdict, verdict.reason) == ("not_evidenced", "目标没有可衡量的分句；完成情况为空。")
    assert verdict.flags == ["target.not_measurable", "completion.empty"]


@pytest.mark.parametrize("extra, cut", [(0, False), (1, True)])
def test_a_completion_over_10000_characters_is_read_in_part_and_the_reason_says_so(extra, cut):
    completion = "全年编印内刊20期。" + "甲" * (10_000 - 10 + extra)
    _, verdict, _ = review("编印内刊15期以上", completion)
    assert verdict.reason == "可衡量分句1个（达到1个）。" + ("完成情况超过10000字，规则只读了前10000字。" if cut else "")


def clause(outcome: str) -> Clause:
    return Clause(text="x", span=(0, 1), comparator=">=", value=1, unit="期", outcome=outcome)


@pytest.mark.parametrize(
    "outcomes, flags, verdict",
    [
        (["met", "met"], [], "evidenced"),
        (["met", "not_met"], [], "partial"),
        (["met", "approximate"], [], "partial"),
        (["not_met", "not_reported"], [], "not_evidenced"),
        (["met"], ["completion.restates_target"], "not_evidenced"),
        ([], ["completion.vague"], "not_evidenced"),
        ([], [], "not_checked"),
        ([], ["completion.copied"], "not_checked"),
    ],
)
def test_the_verdict_sums_up_the_clauses(outcomes, flags, verdict):
    assert _verdict([clause(o) for o in outcomes], flags) == verdict


def test_two_clauses_with_one_outcome_are_counted_together():
    _, verdict, _ = review("编印内刊15期以上和工作简报10期以上", "全年编印内刊20期、工作简报12期。")
    assert (verdict.verdict, verdict.reason) == ("evidenced", "可衡量分句2个（达到2个）。")


def test_every_missing_clause_is_asked_for():
    _, verdict, _ = review("编印内刊15期以上，达到95%", "全年工作有序开展。")
    assert verdict.follow_up == "请补充“编印内刊”的期数；“达到95%”的比例的实际完成数，并附佐证材料。"


def test_two_deadlines_are_both_expected():
    _, _, (f,) = review("6月底前和12月底前分两次报送年度工作报告", "全年工作有序开展。")
    assert (f.code, f.expected) == ("target.not_evidenced", "6月底前、12月底前")


def test_a_late_date_is_found_as_its_words():
    _, _, (f,) = review("12月底前完成年度工作报告", "年度工作报告于次年1月15日报送。")
    assert (f.code, f.expected, f.found) == ("target.not_met", "12月底前", "年度工作报告于次年1月15日报送。")


def test_every_answer_flag_is_named_in_the_reason():
    flags = ["completion.template", "completion.vague", "completion.restates_target", "completion.copied", "completion.empty"]
    assert _reason([], 0, flags) == (
        "目标没有可衡量的分句；完成情况仍是填写说明；完成情况多为套话；完成情况复述目标；完成情况抄自其他栏目；完成情况为空。")
