"""The memo model's small pieces on hand-built reviews: figures as people write them, highlighted
segments, the 大模型判断 and 工具未完成 lines, the per-status tally of claimed points (a merged
score cell counted once), which problems the 审核结论 names first."""

from __future__ import annotations

import copy
import re

import pytest

from reviewer.errors import ConfigError
from reviewer.findings import Finding
from reviewer.memo.department import Problem, load_wording
from reviewer.memo.model import (
    _conclusion,
    _score_lines,
    _summary,
    build_memo,
    ScoreLine,
    Segment,
    StatusTally,
    Summary,
    TargetSection,
    _llm_line,
    _tally,
    _tool_line,
    main_problems,
    segments,
    show_value,
)
from reviewer.model import Cover, Location, Number, Report, ScoreRow, ScoreTable, TargetRow, Text
from reviewer.review import Clause, IndicatorResult, LLMRun, Review, ScoreRange, TargetVerdict


@pytest.mark.parametrize(
    "value, shown",
    [(None, ""), (3.0, "3"), (0.53, "0.53"), (1234.5, "1,234.5"), (12345.67891, "12,345.6789"), (0.0, "0"),
     (0.00001, "1e-05"), (5, "5"), ("九十分", "九十分")],
)
def test_show_value(value, shown):
    assert show_value(value) == shown


def test_segments_merge_overlapping_and_touching_spans_first_mark_wins():
    assert segments("甲乙丙丁戊", [(1, 2, "a"), (1, 3, "b"), (4, 9, ""), (-1, 1, "c"), (3, 3, "z"), (7, 8, "q")]) == [
        Segment("甲乙丙", "c"), Segment("丁", ""), Segment("戊", "cited")]


def test_segments_leave_plain_text_around_a_span():
    assert segments("甲乙丙丁戊", [(1, 3, "quote")]) == [Segment("甲"), Segment("乙丙", "quote"), Segment("丁戊")]
    assert segments("甲乙丙丁戊", []) == [Segment("甲乙丙丁戊")]
    assert segments("甲乙", [(0, 2, "clause")]) == [Segment("甲乙", "clause")]


# --- the 大模型判断 line --------------------------------------------------------------------------

def review_with(llm: LLMRun | None = None, verdicts=(), targets=()) -> Review:
    return Review(report=Report(source="t", targets=list(targets)), llm=llm or LLMRun(), verdicts=list(verdicts))


WORDING = {"tool": {"llm_notes": {"未运行 (--no-llm)": "未运行（已按 --no-llm 关闭）"},
                    "unfinished": "工具未完成：{n}行（{rows}）"}}


def test_llm_not_run_says_why_in_the_wording_given():
    assert _llm_line(review_with(LLMRun(note="未运行 (--no-llm)")), WORDING) == "未运行（已按 --no-llm 关闭）"
    assert _llm_line(review_with(LLMRun(note="未运行 (其他)")), WORDING) == "未运行 (其他)"
    assert _llm_line(review_with(LLMRun(note="")), {}) == "未运行"


def test_llm_run_line_with_usage():
    run = LLMRun(ran=True, model="m1", calls=3, cache_hits=1, prompt_tokens=1200, completion_tokens=34)
    assert _llm_line(review_with(run), WORDING) == "模型 m1，调用 3 次，缓存命中 1 次，tokens 1,234（输入 1,200 / 输出 34）"


def test_llm_run_line_when_some_calls_did_not_report_usage():
    run = LLMRun(ran=True, model="", calls=3, prompt_tokens=1200, completion_tokens=34, usage_unknown=1, interrupted=True)
    assert _llm_line(review_with(run), WORDING) == (
        "模型 （未知），调用 3 次，tokens 至少 1,234（输入 1,200 / 输出 34；1 次调用未报告用量），调用被中断（Ctrl-C），未完成的行已标出")


@pytest.mark.parametrize("unknown, said", [(3, True), (2, False)])
def test_llm_run_line_when_no_call_reported_usage(unknown, said):
    run = LLMRun(ran=True, model="m1", calls=3, usage_unknown=unknown)
    assert ("tokens 未知（服务器未报告用量）" in _llm_line(review_with(run), WORDING)) is said


# --- the 工具未完成 line -------------------------------------------------------------------------

def row(index: int, kind: str) -> TargetRow:
    loc = Location(table=0, row=10 + index)
    return TargetRow(index=index, category="产出目标", kind=kind, target=Text(text="x", location=loc),
                     completion=Text(text="y", location=loc), location=loc)


def test_unfinished_llm_rows_are_said_once_grouped_by_reason():
    verdicts = [
        TargetVerdict(target_index=0, by="llm", verdict="not_checked", status_note="未完成: 请求超时"),
        TargetVerdict(target_index=1, by="llm", verdict="not_checked", status_note="未完成：请求超时"),
        TargetVerdict(target_index=2, by="llm", verdict="not_checked", flags=["llm.failed"]),
        TargetVerdict(target_index=3, by="llm", verdict="not_checked", status_note="未运行 (--no-llm)"),
        TargetVerdict(target_index=4, by="rules", verdict="not_checked", status_note="未完成: x"),
        TargetVerdict(target_index=5, by="llm", verdict="evidenced", status_note="未完成: x"),
        TargetVerdict(target_index=9, by="llm", verdict="not_checked", status_note="未完成"),
    ]
    targets = [row(i, k) for i, k in enumerate(["数量指标", "质量指标", "时效指标", "成本指标", "社会效益", "满意度"])]
    line = _tool_line(review_with(verdicts=verdicts, targets=targets), WORDING)
    assert line == "工具未完成：4行（数量指标、质量指标：请求超时；时效指标、10：原因未记录）"


def test_no_unfinished_rows_no_line():
    assert _tool_line(review_with(verdicts=[TargetVerdict(target_index=0, by="llm", verdict="evidenced")]), WORDING) == ""


def test_the_unfinished_line_has_a_default_wording():
    verdicts = [TargetVerdict(target_index=0, by="llm", verdict="not_checked", status_note="未完成: 超时")]
    assert _tool_line(review_with(verdicts=verdicts, targets=[row(0, "数量指标")]), {}) == "工具未完成：1行（数量指标：超时）"


# --- the tally of claimed points -------------------------------------------------------------------

def score_row(index: int, claimed: float | None, shared: list[int] | None = None) -> ScoreRow:
    loc = Location(table=3, row=10 + index)
    value = Number(raw="", state="value", value=claimed) if claimed is not None else Number()
    return ScoreRow(index=index, level1="产出", level2="", level3=f"指标{index}", criteria="", points=Number(),
                    self_score=value, reason=Text(location=loc), shared_with=shared or [], location=loc)


def line(r: ScoreRow, status: str, claimed: float | None = None) -> ScoreLine:
    result = IndicatorResult(row_index=r.index, indicator=r.level3, status=status, claimed=claimed) if status != "not_checked" else None
    return ScoreLine(row=r, result=result, status=status, findings=[])


def test_tally_counts_rows_and_claimed_points_per_status():
    lines = [
        line(score_row(0, 5), "verified", 5),
        line(score_row(1, 4), "verified", None),  # the result has no claim: the 评分表's figure counts
        line(score_row(2, 3), "wrong", 2.5),  # the result's claim wins over the cell
        line(score_row(3, None), "not_checked"),
        line(score_row(4, 10, [4, 5]), "doubtful", 10),
        line(score_row(5, None, [4, 5]), "doubtful", 10),  # under the same merged cell: counted once
    ]
    tallies = {t.status: (t.count, t.points) for t in _tally(lines)}
    assert tallies["verified"] == (2, 9)
    assert tallies["wrong"] == (1, 2.5)
    assert tallies["doubtful"] == (1, 10)
    assert tallies["not_checked"] == (1, 0)
    assert tallies["unverifiable"] == (0, 0)


def summary(statuses: list[StatusTally]) -> Summary:
    return Summary(department="d", year=2022, source="s", claimed_score="", claimed_value=None, grade="", grade_absent="",
                   statuses=statuses, severity_counts={}, llm_line="")


def test_summary_points_and_whether_anything_was_checked():
    s = summary([StatusTally("verified", 2, 9.0), StatusTally("not_checked", 3, 4.0)])
    assert (s.points("verified"), s.points("not_checked"), s.points("wrong")) == (9.0, 4.0, 0.0)
    assert s.checked
    assert not summary([StatusTally("verified", 0, 0.0), StatusTally("not_checked", 3, 4.0)]).checked


def test_a_target_section_lists_each_flag_once_verdicts_first():
    loc = Location(table=0, row=10)
    section = TargetSection(
        row=row(0, "数量指标"),
        verdicts=[TargetVerdict(target_index=0, by="rules", verdict="partial", flags=["target.not_met", "completion.vague"]),
                  TargetVerdict(target_index=0, by="llm", verdict="partial", flags=["completion.vague", "llm.disagrees"])],
        findings=[Finding(code="score.unsupported", severity="warning", message="m", location=loc),
                  Finding(code="target.not_met", severity="warning", message="m", location=loc)],
        target=[], completion=[])
    assert section.flags == ["target.not_met", "completion.vague", "llm.disagrees", "score.unsupported"]


# --- which problems the conclusion names ----------------------------------------------------------

def problem(number: int, stake: float) -> Problem:
    return Problem(key=f"k{number}", number=number, title=f"问题{number}", severity="warning", stake=stake)


def test_main_problems_most_points_first_then_in_order_at_most_six():
    problems = [problem(1, 0), problem(2, 5), problem(3, 5), problem(4, 10), problem(5, 1), problem(6, 0), problem(7, 2)]
    assert [p.number for p in main_problems(problems)] == [4, 2, 3, 7, 5, 1]
    assert [p.number for p in main_problems(problems, limit=2)] == [4, 2]


# --- the 审核结论 ----------------------------------------------------------------------------------

def conclude(score_range: ScoreRange | None, problems=(), claimed: float | None = 90, grade: str = "优", year: int | None = 2022):
    s = Summary(department="某局", year=year, source="s", claimed_score="", claimed_value=claimed, grade=grade,
                grade_absent="", statuses=[], severity_counts={}, llm_line="")
    return _conclusion(Review(report=Report(source="t"), score_range=score_range), s, list(problems), load_wording())


def serious(number: int, stake: float, severity: str = "warning") -> Problem:
    return Problem(key=f"k{number}", number=number, title=f"问题{number}", severity=severity, stake=stake)


def test_conclusion_without_a_score_table():
    assert conclude(None) == ["某局2022年度自评得分90分，评价等次为“优”。", "报告未提供可读取的评分表，未计算建议核定分。",
                              "未发现须部门补充说明的问题。"]


def test_conclusion_without_a_grade_or_a_year():
    assert conclude(None, grade="", year=None)[0] == "某局自评得分90分。"
    assert conclude(None, claimed=None, grade="良")[0] == "某局2022年度自评得分（未读到）分，评价等次为“良”。"
    assert conclude(None, claimed=None, grade="")[0] == "报告未提供可读取的评分表，未计算建议核定分。"


def test_conclusion_names_the_gap_and_the_problems_behind_it():
    rng = ScoreRange(low=80, high=90, low_grade="良", high_grade="优", claimed_total=90,
                     points={"verified": 60.0, "doubtful": 20.0, "wrong": 10.0}, counts={"verified": 6, "doubtful": 2, "wrong": 1})
    problems = [serious(1, 5), serious(2, 10), serious(3, 1), serious(4, 2), serious(5, 50, "info")]
    assert conclude(rng, problems) == [
        "某局2022年度自评得分90分，评价等次为“优”。",
        "自评得分依据不足，有10分缺少报告证据支撑，问题主要在“问题2”、“问题1”、“问题4”等方面。",
        "经审核，评分表6项指标（60分）有报告数据支撑；1项指标（10分）自评得分与报告数据不符；2项指标（20分）自评满分但完成情况不足以支撑。",
        "建议核定分为80至90分（良至优）：下限按报告现有证据计算，上限为存疑指标经补充佐证全部确认后的得分。",
    ]


def test_a_claimed_total_above_the_range_widens_the_gap():
    rng = ScoreRange(low=80, high=85, low_grade="良", high_grade="良", claimed_total=95.5)
    assert conclude(rng, [serious(1, 5)])[1] == "自评得分依据不足，有15.5分缺少报告证据支撑，问题主要在“问题1”等方面。"
    rng = ScoreRange(low=80, high=85, low_grade="良", high_grade="良", claimed_total=None)
    assert conclude(rng, [serious(1, 5)])[1] == "自评得分依据不足，有5分缺少报告证据支撑，问题主要在“问题1”等方面。"


@pytest.mark.parametrize("high, gap_said", [(80.005, False), (80.01, True)])
def test_a_gap_of_half_a_hundredth_is_no_gap(high, gap_said):
    rng = ScoreRange(low=80, high=high, low_grade="良", high_grade="良")
    assert any("依据不足" in s for s in conclude(rng, [serious(1, 5)])) is gap_said


def test_unverifiable_points_are_said_when_there_is_no_gap():
    rng = ScoreRange(low=90, high=90, low_grade="优", high_grade="优", points={"unverifiable": 12.5}, counts={"unverifiable": 3})
    assert conclude(rng, [serious(1, 5)])[1:] == [
        "自评得分未见明显错误，但有12.5分因报告未提供计分数据尚待核实。",
        "经审核，评分表3项指标（12.5分）因报告未提供计分数据无法复核。",
        "建议核定分为90分（优）。",
    ]


def test_a_sound_report_with_no_problems():
    rng = ScoreRange(low=90, high=90, low_grade="优", high_grade="优", points={"not_checked": 5.0}, counts={"not_checked": 1})
    assert conclude(rng)[1:] == ["自评得分与报告数据基本相符。", "经审核，评分表1项指标（5分）未列入评分标准、未复核。",
                                 "建议核定分为90分（优）。", "未发现须部门补充说明的问题。"]


def test_a_gap_with_only_information_problems_names_none():
    rng = ScoreRange(low=80, high=90, low_grade="良", high_grade="良")
    assert conclude(rng, [serious(1, 5, "info")])[1:] == ["建议核定分为80至90分（均为良）：下限按报告现有证据计算，上限为存疑指标经补充佐证全部确认后的得分。"]


# --- the summary box and the 评分表 lines ------------------------------------------------------------

def test_summary_reads_the_cover_and_counts_findings_but_not_tool_trouble():
    report = Report(source="a.docx", cover=Cover(department=Text(text=" 某局 "), year=2022),
                    total_score=Number(raw=" 90分 ", state="value", value=90.0), grade=Text(text=" 优 "))
    loc = Location(table=0, row=1)
    findings = [Finding(code="score.exceeds_max", severity="error", message="m", location=loc),
                Finding(code="target.not_met", severity="warning", message="m", location=loc),
                Finding(code="target.far_exceeded", severity="info", message="m", location=loc),
                Finding(code="llm.failed", severity="warning", message="m", location=loc),
                Finding(code="llm.not_run", severity="info", message="m", location=loc)]
    s = _summary(Review(report=report, findings=findings), [], {})
    assert (s.department, s.year, s.source, s.claimed_score, s.claimed_value, s.grade) == ("某局", 2022, "a.docx", "90分", 90.0, "优")
    assert s.severity_counts == {"error": 1, "warning": 1, "info": 1}
    assert (s.llm_line, s.tool_line) == ("未运行 (no endpoint configured)", "")


@pytest.mark.parametrize(
    "layout, grade_table, absent",
    [("hunan-dept-overall", None, "（未读到）"), ("mof-2020-project", 2, "（未读到）"), ("mof-2020-project", None, "（本表式无此栏）")],
)
def test_a_blank_grade_says_whether_the_form_has_the_cell(layout, grade_table, absent):
    report = Report(source="a", layout=layout, grade=Text(location=Location(table=grade_table)),
                    total_score=Number(raw="九十", state="unparsed"))
    s = _summary(Review(report=report), [], {})
    assert (s.grade_absent, s.claimed_value) == (absent, None)


def test_rows_under_a_merged_score_cell_take_their_group_s_status():
    rows = [score_row(0, 5), score_row(1, 10, [1, 2]), score_row(2, None, [1, 2]), score_row(3, 4)]
    review = Review(report=Report(source="t", score_table=ScoreTable(rows=rows, location=Location(table=3))),
                    indicators=[IndicatorResult(row_index=0, indicator="a", status="verified"),
                                IndicatorResult(row_index=1, indicator="b", status="doubtful"),
                                IndicatorResult(row_index=2, indicator="c", status="wrong")],
                    findings=[Finding(code="score.unsupported", severity="warning", message="m", location=Location(table=3, row=12)),
                              Finding(code="score.unsupported", severity="warning", message="m", location=Location(table=4, row=12))])
    lines = _score_lines(review)
    assert [(l.status, l.result.row_index if l.result else None) for l in lines] == [
        ("verified", 0), ("doubtful", 1), ("doubtful", 2), ("not_checked", None)]
    assert [len(l.findings) for l in lines] == [0, 0, 1, 0]
    assert lines[1].status_label and StatusTally("doubtful").label == lines[1].status_label


def test_a_row_with_no_result_of_its_own_is_judged_with_its_group():
    rows = [score_row(0, 10, [0, 1]), score_row(1, None, [0, 1])]
    review = Review(report=Report(source="t", score_table=ScoreTable(rows=rows, location=Location(table=3))),
                    indicators=[IndicatorResult(row_index=0, indicator="a", status="wrong")])
    assert [(l.status, l.result.row_index) for l in _score_lines(review)] == [("wrong", 0), ("wrong", 0)]


def test_no_score_table_no_lines():
    assert _score_lines(Review(report=Report(source="t"))) == []


# --- the memo as a whole: numbers, references, highlighted texts ------------------------------------

def numbered_review() -> Review:
    def scored(index: int, claimed: float | None, shared: list[int] | None = None) -> ScoreRow:
        cell = Location(table=3, row=10 + index, col=5)
        figure = Number(raw=f"{claimed}", state="value", value=claimed, location=cell) if claimed is not None else Number(location=cell)
        return ScoreRow(index=index, level1="产出", level2="", level3=f"指标{index}", criteria="",
                        points=Number(raw="10", state="value", value=10.0), self_score=figure,
                        reason=Text(location=Location(table=3, row=10 + index, col=6)), shared_with=shared or [],
                        location=Location(table=3, row=10 + index))
    target = TargetRow(index=0, category="产出目标", kind="数量指标",
                       target=Text(text="编印内刊15期以上", location=Location(table=0, row=20, col=2)),
                       completion=Text(text="全年编印内刊11期，质量较好。", location=Location(table=0, row=20, col=3)),
                       location=Location(table=0, row=20))
    rows = [scored(0, 10, [0, 1]), scored(1, None, [0, 1]), scored(2, 5)]
    report = Report(source="t", targets=[target], score_table=ScoreTable(rows=rows, location=Location(table=3)))
    clause = Clause(text="编印内刊15期以上", span=(0, 4), comparator=">=", value=15, unit="期", outcome="not_met",
                    evidence="全年编印内刊11期", evidence_span=(0, 9))
    return Review(
        report=report,
        verdicts=[TargetVerdict(target_index=0, by="llm", verdict="not_evidenced", quotes=[" 质量较好 ", "不在文中"]),
                  TargetVerdict(target_index=0, by="rules", verdict="not_evidenced", clauses=[clause], flags=["target.not_met"])],
        findings=[Finding(code="target.not_met", severity="warning", message="数量指标未达到。", source="rules",
                          location=target.completion.location.with_span(6, 9)),
                  Finding(code="target.not_measurable", severity="warning", message="目标写法。", source="rules",
                          location=target.target.location.with_span(6, 9)),
                  Finding(code="score.unsupported", severity="warning", message="满分缺乏依据。", source="rules",
                          location=rows[0].self_score.location),
                  Finding(code="input.unreadable", severity="info", message="全文问题", location=Location())],
        indicators=[IndicatorResult(row_index=0, indicator="指标0", status="doubtful", claimed=10),
                    IndicatorResult(row_index=2, indicator="指标2", status="verified", claimed=5)],
    )


def test_the_memo_numbers_each_finding_once_and_rows_point_at_the_numbers():
    memo = build_memo(numbered_review())
    assert [f.code for f in memo.findings] == [f for p in memo.problems for f in [x.code for x in p.findings]] + ["input.unreadable"]
    assert [memo.number(f) for f in memo.findings] == [1, 2, 3, 4]
    assert [f.code for f in memo.internal] == [f.code for f in memo.unlocated] == ["input.unreadable"]
    unsupported = next(p.number for p in memo.problems if any(f.code == "score.unsupported" for f in p.findings))
    ref = next(memo.number(f) for f in memo.findings if f.code == "score.unsupported")
    assert [(l.row.index, l.status, l.problems, l.refs) for l in memo.score_lines] == [
        (0, "doubtful", [unsupported], [ref]), (1, "doubtful", [unsupported], [ref]), (2, "verified", [], [])]
    (section,) = memo.targets
    target_problems = sorted(p.number for p in memo.problems if any(f.code.startswith("target.") for f in p.findings))
    assert section.problems == target_problems
    assert section.refs == sorted(memo.number(f) for f in memo.findings if f.code.startswith("target."))


def test_a_target_section_highlights_clauses_evidence_quotes_and_findings_rules_first():
    (section,) = build_memo(numbered_review()).targets
    assert [v.by for v in section.verdicts] == ["rules", "llm"]
    assert section.target == [Segment("编印内刊", "clause"), Segment("15"), Segment("期以上", "finding")]
    assert section.completion == [Segment("全年编印内刊11期", "evidence"), Segment("，"), Segment("质量较好", "quote"), Segment("。")]


# --- edges the mutation run showed --------------------------------------------------------------

def test_show_value_of_a_tiny_negative_figure():
    assert show_value(-0.00001) == "-1e-05"


def test_zero_length_spans_and_spans_past_the_end_mark_nothing():
    assert segments("甲乙丙丁戊", [(4, 4, "z")]) == [Segment("甲乙丙丁戊")]
    assert segments("甲乙", [(2, 4, "x")]) == [Segment("甲乙")]


def test_a_quote_is_marked_where_it_first_occurs_even_at_the_start():
    review = numbered_review()
    review.report.targets[0].completion.text = "质量较好，全年编印内刊11期，质量较好。"
    review.verdicts = [TargetVerdict(target_index=0, by="llm", verdict="partial", quotes=["质量较好"])]
    review.findings = []
    (section,) = build_memo(review).targets
    assert section.completion[0] == Segment("质量较好", "quote")
    assert [s.mark for s in section.completion] == ["quote", ""]


def test_tally_goes_on_after_a_row_under_a_merged_cell():
    lines = [line(score_row(0, 10, [0, 1]), "doubtful", 10), line(score_row(1, None, [0, 1]), "doubtful", 10),
             line(score_row(2, 5), "verified", 5)]
    assert {t.status: (t.count, t.points) for t in _tally(lines)}["verified"] == (1, 5)


def test_llm_line_when_no_call_reported_usage_word_for_word():
    run = LLMRun(ran=True, model="m1", calls=2, usage_unknown=2)
    assert _llm_line(review_with(run), WORDING) == "模型 m1，调用 2 次，tokens 未知（服务器未报告用量）"


def test_an_unfinished_reason_keeps_its_own_first_letters():
    verdicts = [TargetVerdict(target_index=0, by="llm", verdict="not_checked", status_note="未完成: XML解析失败")]
    assert _tool_line(review_with(verdicts=verdicts, targets=[row(0, "数量指标")]), {}) == "工具未完成：1行（数量指标：XML解析失败）"


def test_a_broken_unfinished_template_is_named():
    verdicts = [TargetVerdict(target_index=0, by="llm", verdict="not_checked", status_note="未完成: 超时")]
    with pytest.raises(ConfigError, match=" 中 tool\\.unfinished 的"):
        _tool_line(review_with(verdicts=verdicts, targets=[row(0, "数量指标")]), {"tool": {"unfinished": "{nope}"}})


GAP = ScoreRange(low=80, high=90, low_grade="良", high_grade="优", points={"verified": 60.0}, counts={"verified": 6})
UNVERIFIABLE = ScoreRange(low=90, high=90, low_grade="优", high_grade="优", points={"unverifiable": 5.0}, counts={"unverifiable": 1})
SAME_GRADE = ScoreRange(low=80, high=85, low_grade="良", high_grade="良")


@pytest.mark.parametrize(
    "key, rng, grade",
    [("claimed", None, "优"), ("claimed_no_grade", None, ""), ("judgement_gap", GAP, "优"),
     ("judgement_unverifiable", UNVERIFIABLE, "优"), ("status_parts.verified", GAP, "优"), ("statuses", GAP, "优"),
     ("range", GAP, "优"), ("range_same_grade", SAME_GRADE, "优"), ("range_one", UNVERIFIABLE, "优")],
)
def test_a_broken_conclusion_template_is_named(key, rng, grade):
    wording = copy.deepcopy(load_wording())
    *parents, last = key.split(".")
    at = wording["conclusion"]
    for p in parents:
        at = at[p]
    at[last] = "{nope}"
    s = Summary(department="某局", year=2022, source="s", claimed_score="", claimed_value=90, grade=grade,
                grade_absent="", statuses=[], severity_counts={}, llm_line="")
    with pytest.raises(ConfigError, match=f" 中 {re.escape('conclusion.' + key)} 的"):
        _conclusion(Review(report=Report(source="t"), score_range=rng), s, [serious(1, 5)], wording)


@pytest.mark.parametrize("rng", [None, GAP, UNVERIFIABLE, SAME_GRADE])
def test_a_wording_file_without_conclusions_says_nothing(rng):
    s = Summary(department="某局", year=2022, source="s", claimed_score="", claimed_value=90, grade="优",
                grade_absent="", statuses=[], severity_counts={}, llm_line="")
    assert _conclusion(Review(report=Report(source="t"), score_range=rng), s, [serious(1, 5)], {}) == []
    assert _conclusion(Review(report=Report(source="t"), score_range=rng), s, [], {}) == []


def test_status_parts_without_a_statuses_sentence_stand_alone_and_missing_points_are_zero():
    wording = {"conclusion": {"status_parts": {"verified": "{count}项{points}分"}}}
    rng = ScoreRange(low=90, high=90, counts={"verified": 2})
    s = Summary(department="", year=None, source="s", claimed_score="", claimed_value=None, grade="",
                grade_absent="", statuses=[], severity_counts={}, llm_line="")
    assert _conclusion(Review(report=Report(source="t"), score_range=rng), s, [], wording) == ["2项0分"]


def test_blank_department_grade_and_grades_are_shown_as_such():
    wording = {"conclusion": {"claimed": "{department}|{grade}", "range_same_grade": "{low_grade}|{high_grade}"}}
    s = Summary(department="", year=None, source="s", claimed_score="", claimed_value=90, grade="",
                grade_absent="", statuses=[], severity_counts={}, llm_line="")
    rng = ScoreRange(low=80, high=90)
    assert _conclusion(Review(report=Report(source="t"), score_range=rng), s, [], wording) == ["该部门|（未读到）", "—|—"]


@pytest.mark.parametrize("low, high, gap", [(0, 0.005, None), (80, 90.004, "10"), (80, 90.006, "10.01")])
def test_the_gap_is_shown_to_two_decimals_from_half_a_hundredth(low, high, gap):
    said = [x for x in conclude(ScoreRange(low=low, high=high, low_grade="良", high_grade="良"), [serious(1, 5)]) if "依据不足" in x]
    assert said == ([f"自评得分依据不足，有{gap}分缺少报告证据支撑，问题主要在“问题1”等方面。"] if gap else [])


def test_findings_of_one_severity_are_all_counted():
    loc = Location(table=0, row=1)
    findings = [Finding(code="target.not_met", severity="warning", message="m", location=loc) for _ in range(3)]
    assert _summary(Review(report=Report(source="t"), findings=findings), [], {}).severity_counts["warning"] == 3


def test_rows_and_targets_without_findings_have_none_to_point_at():
    review = numbered_review()
    report = review.report
    cell = Location(table=3, row=15, col=5)
    for i in (5, 6):
        report.score_table.rows.append(report.score_table.rows[2].model_copy(update={
            "index": i, "shared_with": [5, 6], "location": Location(table=3, row=10 + i),
            "self_score": Number(raw="3", state="value", value=3.0, location=cell)}))
    report.targets.append(report.targets[0].model_copy(update={"index": 1, "location": Location(table=0, row=21)}))
    memo = build_memo(review)
    assert [(l.row.index, l.problems, l.refs) for l in memo.score_lines][-2:] == [(5, [], []), (6, [], [])]
    assert [(t.row.index, t.problems, t.refs) for t in memo.targets][-1] == (1, [], [])
    assert sorted(f.code for f in memo.targets[0].findings) == ["target.not_measurable", "target.not_met"]


def test_a_row_named_only_by_its_problem_s_items_points_at_that_problem():
    # score.unverifiable lists its rows by status, not by location: row 2 is reached through the items
    review = numbered_review()
    review.indicators = [i for i in review.indicators if i.row_index != 2]
    review.indicators.append(IndicatorResult(row_index=2, indicator="指标2", status="unverifiable", claimed=5))
    review.findings.append(Finding(code="score.unverifiable", severity="warning", message="无法核实。", location=Location(table=3)))
    memo = build_memo(review)
    unverifiable = next(p.number for p in memo.problems if p.findings[0].code == "score.unverifiable")
    assert [(l.row.index, l.status, l.problems, l.refs) for l in memo.score_lines][2] == (2, "unverifiable", [unverifiable], [])
