"""score.unsupported and the rows whose full marks the 定量目标 carry, on small hand-built reports:
what counts as full marks (on each side of it), which weakness is named, how rows with one cause are
grouped, merged score cells judged once. The rule mapping is the shipped score_evidence.yaml."""

from __future__ import annotations

import pytest

from narrative_seed import target_rows
from reviewer.model import Location, Number, Report, ScoreRow, ScoreTable, Text
from reviewer.narrative.scores import target_supported_rows, unsupported_scores
from reviewer.review import Clause, TargetVerdict

TABLE = 3


def number(value: float | None, row: int, col: int) -> Number:
    if value is None:
        return Number(location=Location(table=TABLE, row=row, col=col))
    return Number(raw=f"{value:g}", state="value", value=value, location=Location(table=TABLE, row=row, col=col))


def score_row(index: int, level1: str, level3: str, points: float | None, claimed: float | None,
              shared_with: list[int] | None = None) -> ScoreRow:
    r = 10 + index
    return ScoreRow(index=index, level1=level1, level2="", level3=level3, criteria="",
                    points=number(points, r, 4), self_score=number(claimed, r, 5),
                    reason=Text(location=Location(table=TABLE, row=r, col=6)),
                    shared_with=shared_with or [], location=Location(table=TABLE, row=r))


TARGETS = [("产出目标", "数量指标", "编印内刊15期", "x"), ("产出目标", "质量指标", "合格率100%", "x"),
           ("效益目标", "社会效益", "x", "x"), ("满意度目标", "服务对象满意度", "x", "x")]


def report(*rows: ScoreRow, targets=TARGETS) -> Report:
    return Report(source="t", targets=target_rows(list(targets)),
                  score_table=ScoreTable(rows=list(rows), location=Location(table=TABLE)))


def verdict(index: int, verdict: str, flags=(), outcomes=()) -> TargetVerdict:
    clauses = [Clause(text="x", span=(0, 1), comparator=">=", value=1, unit="期", outcome=o) for o in outcomes]
    return TargetVerdict(target_index=index, by="rules", verdict=verdict, flags=list(flags), clauses=clauses)


ALL_EVIDENCED = [verdict(0, "evidenced"), verdict(1, "evidenced"), verdict(2, "evidenced"), verdict(3, "evidenced")]


def with_verdict(i: int, v: TargetVerdict) -> list[TargetVerdict]:
    return [v if x.target_index == i else x for x in ALL_EVIDENCED]


def test_full_marks_on_a_weak_target_is_unsupported_and_says_why():
    r = report(score_row(0, "效益", "社会效益指标", 10, 10))
    (f,) = unsupported_scores(r, with_verdict(2, verdict(2, "not_evidenced")))
    assert (f.code, f.severity, f.source, f.location.row, f.location.col, f.also) == ("score.unsupported", "warning", "rules", 10, 5, [])
    assert f.message == "评分表“社会效益指标”自评满分10分（分值10分），但其依据的定量目标中，社会效益（完成情况未提供证据），满分缺乏依据。"
    assert (f.expected, f.found) == ("社会效益", 10)


@pytest.mark.parametrize(
    "v, weakness",
    [
        (verdict(2, "not_evidenced", flags=["target.not_measurable"]), "目标不可衡量"),
        (verdict(2, "partial"), "完成情况仅部分有据"),
        (verdict(2, "not_evidenced"), "完成情况未提供证据"),
        (verdict(2, "evidenced"), None),
        (verdict(2, "not_checked"), None),
    ],
)
def test_the_weakness_named(v, weakness):
    found = unsupported_scores(report(score_row(0, "效益", "社会效益指标", 10, 10)), with_verdict(2, v))
    assert [f.message.split("其依据的定量目标中，社会效益（")[1].split("）")[0] for f in found] == ([weakness] if weakness else [])


def test_a_target_with_no_verdict_is_no_weakness():
    verdicts = [v for v in ALL_EVIDENCED if v.target_index != 2]
    assert unsupported_scores(report(score_row(0, "效益", "社会效益指标", 10, 10)), verdicts) == []


@pytest.mark.parametrize("claimed, unsupported", [(10, True), (9.99, False), (None, False)])
def test_only_full_marks_are_asked_about(claimed, unsupported):
    found = unsupported_scores(report(score_row(0, "效益", "社会效益指标", 10, claimed)), with_verdict(2, verdict(2, "partial")))
    assert bool(found) is unsupported


@pytest.mark.parametrize("points, claimed, unsupported", [(0, 0, False), (0, 1, False), (1, 0, False), (1, 1, True), (0.5, 0.5, True)])
def test_a_row_worth_nothing_is_not_asked_about(points, claimed, unsupported):
    found = unsupported_scores(report(score_row(0, "效益", "社会效益指标", points, claimed)), with_verdict(2, verdict(2, "partial")))
    assert bool(found) is unsupported


def test_full_marks_with_no_target_to_rest_on():
    (f,) = unsupported_scores(report(score_row(0, "效益", "经济效益指标", 5, 5)), ALL_EVIDENCED)
    assert f.message == "评分表“经济效益指标”自评满分5分（分值5分），但报告没有与之对应的定量目标，满分缺乏依据。"
    assert (f.expected, f.found) == (None, 5)


def test_rows_with_one_cause_are_named_together():
    r = report(score_row(0, "产出", "数量", 5, 5), score_row(1, "产出", "质量", 4.5, 4.5))
    (f,) = unsupported_scores(r, with_verdict(0, verdict(0, "not_evidenced")))
    assert f.message == ("评分表“数量”（5分）、“质量”（4.5分）均自评满分（合计9.5分），但其依据的定量目标中，"
                         "数量指标（完成情况未提供证据），满分缺乏依据。")
    assert (f.location.row, [a.row for a in f.also], f.found, f.expected) == (10, [11], 9.5, "数量指标、质量指标")


def test_a_rescored_row_is_left_to_the_rescore():
    r = report(score_row(0, "产出", "数量", 5, 5), score_row(1, "产出", "质量", 5, 5))
    (f,) = unsupported_scores(r, with_verdict(0, verdict(0, "not_evidenced")), rescored=frozenset({0}))
    assert (f.location.row, f.also) == (11, [])


def test_a_merged_score_cell_is_judged_once_on_its_first_row():
    # rows 0 and 1 share one 分值/自评得分 cell, read on row 1; row 1 has no rule of its own
    r = report(score_row(0, "效益", "社会效益指标", None, None, shared_with=[0, 1]),
               score_row(1, "效益", "可行性", 10, 10, shared_with=[0, 1]))
    (f,) = unsupported_scores(r, with_verdict(2, verdict(2, "partial")))
    assert (f.location.row, f.location.col) == (11, 5)
    assert f.message.startswith("评分表“社会效益指标”自评满分10分（分值10分）")


def test_no_score_table_or_no_targets_nothing_to_say():
    assert unsupported_scores(Report(source="t", targets=target_rows(TARGETS)), ALL_EVIDENCED) == []
    assert unsupported_scores(report(score_row(0, "效益", "经济效益指标", 5, 5), targets=[]), []) == []
    assert target_supported_rows(Report(source="t", targets=target_rows(TARGETS)), ALL_EVIDENCED) == {}
    assert target_supported_rows(report(score_row(0, "产出", "数量", 5, 5), targets=[]), []) == {}


def test_rows_whose_targets_are_all_evidenced_are_supported():
    r = report(score_row(0, "产出", "数量", 5, 5), score_row(1, "效益", "社会效益指标", 10, 10),
               score_row(2, "效益", "经济效益指标", 5, 5), score_row(3, "产出", "时效", 5, 4))
    assert target_supported_rows(r, ALL_EVIDENCED) == {
        0: "依据的定量目标（数量指标、质量指标）均有完成数据且已达到，满分有据。",
        1: "依据的定量目标（社会效益）均有完成数据且已达到，满分有据。",
    }


@pytest.mark.parametrize("v", [verdict(0, "partial"), verdict(0, "evidenced", outcomes=["met", "not_met"])])
def test_one_weak_target_and_the_row_stays_for_a_person(v):
    assert target_supported_rows(report(score_row(0, "产出", "数量", 5, 5)), with_verdict(0, v)) == {}


def test_a_target_with_no_verdict_does_not_support():
    verdicts = [v for v in ALL_EVIDENCED if v.target_index != 1]
    assert target_supported_rows(report(score_row(0, "产出", "数量", 5, 5)), verdicts) == {}


def test_a_merged_group_is_supported_row_by_row():
    r = report(score_row(0, "产出", "数量", None, None, shared_with=[0, 1]), score_row(1, "产出", "质量", 10, 10, shared_with=[0, 1]))
    assert set(target_supported_rows(r, ALL_EVIDENCED)) == {0, 1}


def test_two_weak_targets_are_both_named():
    r = report(score_row(0, "产出", "数量", 5, 5))
    verdicts = with_verdict(0, verdict(0, "not_evidenced"))
    verdicts[1] = verdict(1, "partial")
    (f,) = unsupported_scores(r, verdicts)
    assert "其依据的定量目标中，数量指标（完成情况未提供证据）、质量指标（完成情况仅部分有据），" in f.message


def test_a_merged_group_of_three_is_one_finding_naming_each_row_with_a_rule():
    r = report(score_row(0, "产出", "数量", None, None, shared_with=[0, 1, 2]),
               score_row(1, "产出", "质量", 15, 15, shared_with=[0, 1, 2]),
               score_row(2, "过程", "资金到位率", None, None, shared_with=[0, 1, 2]))
    (f,) = unsupported_scores(r, with_verdict(0, verdict(0, "partial")))
    assert f.message.startswith("评分表“数量”、“质量”自评满分15分（分值15分），但其依据的定量目标中，数量指标（完成情况仅部分有据）")
    assert (f.location.row, f.also, f.found) == (11, [], 15)


def test_a_merged_group_takes_its_figures_from_the_row_with_both():
    # the first row has the 分值 but no 自评得分: the second row holds both
    r = report(score_row(0, "效益", "社会效益指标", 10, None, shared_with=[0, 1]),
               score_row(1, "效益", "可行性", 10, 10, shared_with=[0, 1]))
    (f,) = unsupported_scores(r, with_verdict(2, verdict(2, "partial")))
    assert f.message.startswith("评分表“社会效益指标”自评满分10分（分值10分）")
