"""National indicator rows one rule at a time: proportional credit for ≥ and ≤ targets, each side of
every threshold, the messages and workings a reviewer reads, the rule verdict handed to the memo,
and the totals, weights and grade of the form.

Hand-built rows (tests/test_checks_indicators.py's builders), no files."""

from __future__ import annotations

import pytest

from reviewer.checks.indicators import _partial, _shown, check_indicators, indicator_verdicts
from reviewer.model import Location, TargetRow, Text
from reviewer.numbers import parse_number
from reviewer.values import parse_value
from test_checks_indicators import RUBRIC, funding, report, row

NO_WEIGHTS = RUBRIC.model_copy(update={"weights": {}})


def check(*rows, rubric=NO_WEIGHTS, **kw):
    findings, results = check_indicators(report(*rows, **kw), rubric)
    return [f for f in findings if f.code != "score.total_mismatch"], {r.indicator: r for r in results}


def only(findings, code):
    (f,) = [f for f in findings if f.code == code]
    return f


# ---------------------------------------------------------------- proportional credit


def test_partial_credit_rules():
    assert _partial("actual_over_target", 90, 100, 10) == 9
    assert _partial("actual_over_target", 120, 100, 10) == 10  # never above 分值
    assert _partial("actual_over_target", -5, 100, 10) == 0  # never below 0
    assert _partial("actual_over_target", 0.5, 0.8, 8) == 5  # a target under one unit
    assert _partial("actual_over_target", 5, 0, 10) is None  # no target to divide by
    assert _partial("target_over_actual", 6, 5, 10) == pytest.approx(8.3333333)
    assert _partial("target_over_actual", 4, 5, 10) == 10
    assert _partial("target_over_actual", 0.5, 0.4, 10) == 8  # an actual under one unit
    assert _partial("target_over_actual", 0, 5, 10) is None
    assert _partial("target_over_actual", -1, 5, 10) is None
    assert _partial("none", 90, 100, 10) is None


def test_a_ceiling_missed_scores_target_over_actual():
    findings, results = check(row("单位成本", "≤5万元/处", "6万元/处", 10, 10, "材料涨价", level2="成本指标"))
    f = only(findings, "score.recomputed_differs")
    assert (f.severity, f.expected, f.found) == ("warning", 8.33, 10)
    assert f.message == "绩效指标“单位成本”：自评10分，但指标值≤5万元/处，实际完成值6万元/处；得分 = 指标值/完成值 × 分值 = 8.33分（未完成指标按比例计分）。"
    r = results["单位成本"]
    assert (r.status, r.recomputed, r.claimed) == ("wrong", 8.33, 10)
    assert r.working == "指标值≤5万元/处，实际完成值6万元/处；得分 = 指标值/完成值 × 分值 = 8.33分"


def test_a_floor_missed_scores_actual_over_target():
    findings, results = check(row("供餐天数", "≥200天", "186天", 10, 9.3, "疫情停课"))
    assert [f.code for f in findings] == ["target.not_met"]
    r = results["供餐天数"]
    assert (r.status, r.recomputed) == ("verified", 9.3)
    assert r.working == "指标值≥200天，实际完成值186天；得分 = 完成值/指标值 × 分值 = 9.3分"
    f = findings[0]
    assert (f.severity, f.expected, f.found) == ("warning", "≥200天", "186天")
    assert f.message == "绩效指标“供餐天数”：指标值≥200天，实际完成值186天，未达到目标。"


def test_an_equal_target_missed_is_for_a_person():
    findings, results = check(row("培训人数", "=100人", "90人", 10, 10, "部分缺席"))
    f = only(findings, "score.unsupported")
    assert (f.severity, f.expected, f.found) == ("warning", "=100人", 10)
    assert f.message == "绩效指标“培训人数”：指标值=100人，实际完成值90人，未达到目标却得满分10分。"
    r = results["培训人数"]
    assert r.status == "doubtful" and r.working == "指标值=100人，实际完成值90人，未达到目标；该类指标无按比例计分规则，由人工判断得分"
    findings, results = check(row("培训人数", "=100人", "90人", 10, 9, "部分缺席"))
    assert [f.code for f in findings] == ["target.not_met"] and results["培训人数"].status == "unverifiable"


def test_shortfall_without_reason_message():
    findings, _ = check(row("供餐天数", "≥200天", "186天", 10, 9.3, "无"))
    f = only(findings, "target.shortfall_without_reason")
    assert (f.severity, f.expected, f.found) == ("warning", "≥200天", "186天")
    assert f.message == "绩效指标“供餐天数”：指标值≥200天，实际完成值186天，未达到目标，但偏差原因分析栏为空。"
    assert f.location.label == "绩效指标 供餐天数 偏差原因分析及改进措施"


@pytest.mark.parametrize("reason,has", [("", False), ("无", False), ("/", False), ("—", False), ("——", False), ("-", False),
                                        ("／", False), (" 无 ", False), ("疫情", True), ("无法施工", True)])
def test_what_counts_as_a_reason(reason, has):
    findings, _ = check(row("供餐天数", "≥200天", "186天", 10, 9.3, reason))
    assert any(f.code == "target.shortfall_without_reason" for f in findings) is not has


def test_shortfall_without_score_or_points_is_not_scored():
    for points, score in ((10, ""), ("", 9)):
        findings, results = check(row("供餐天数", "≥200天", "186天", points, score, "疫情"))
        assert [f.code for f in findings] == ["target.not_met"]
        r = results["供餐天数"]
        assert (r.status, r.recomputed, r.working) == ("unverifiable", None, "")


# ---------------------------------------------------------------- met targets


def test_met_target_working_and_full_marks():
    _, results = check(row("受益户数", "≥100户", "100户", 10, 10))
    r = results["受益户数"]
    assert (r.status, r.recomputed, r.working) == ("verified", 10, "指标值≥100户，实际完成值100户，达到目标 → 10分")


@pytest.mark.parametrize("score,status", [("9.995", "verified"), ("9.99", "doubtful"), ("9", "doubtful")])
def test_met_target_full_marks_within_rounding(score, status):
    _, results = check(row("受益户数", "≥100户", "120户", 10, score))
    assert results["受益户数"].status == status


def test_deduction_on_a_met_target_message_and_explained():
    findings, results = check(row("受益户数", "≥100户", "120户", 10, 8))
    (f,) = findings
    assert (f.severity, f.expected, f.found) == ("warning", 10, 8)
    assert f.message == "绩效指标“受益户数”：指标值≥100户，实际完成值120户，已达到目标，却扣2分，且未说明原因。"
    assert results["受益户数"].status == "doubtful"
    findings, results = check(row("受益户数", "≥100户", "120户", 10, 8, "质量有瑕疵"))
    assert findings == [] and results["受益户数"].status == "verified"


def test_met_target_without_points_or_score():
    _, results = check(row("受益户数", "≥100户", "120户", "", 8))
    r = results["受益户数"]
    assert (r.status, r.needs, r.recomputed) == ("unverifiable", ["分值和得分"], None)


@pytest.mark.parametrize("actual,flagged", [("200户", True), ("199户", False), ("300户", True)])
def test_far_exceeded_at_twice_the_floor(actual, flagged):
    findings, _ = check(row("受益户数", "≥100户", actual, 10, 10))
    assert any(f.code == "target.far_exceeded" for f in findings) is flagged


def test_far_exceeded_message():
    (f,), _ = check(row("受益户数", "≥100户", "250户", 10, 10))
    assert (f.severity, f.expected, f.found) == ("info", "≥100户", "250户")
    assert f.message == "绩效指标“受益户数”：指标值≥100户，实际完成值250户，是目标的2.5倍，指标值可能偏低，供下年度设定目标时参考。"


def test_far_exceeded_only_for_a_positive_floor():
    findings, _ = check(row("事故", "≤2起", "0起", 10, 10, level2="质量指标"))
    assert findings == []
    findings, _ = check(row("增长", "≥0%", "5%", 10, 10))
    assert findings == []


def test_score_above_points_stays_wrong_even_when_the_target_is_met():
    findings, results = check(row("验收合格率", "100%", "100%", 10, 10.5))
    (f,) = findings
    assert (f.severity, f.expected, f.found) == ("error", 10, 10.5)
    assert f.message == "绩效指标“验收合格率”：得分10.5分高于该项分值10分。"
    r = results["验收合格率"]
    assert (r.status, r.recomputed, r.working) == ("wrong", 10, "得分不能超过分值10分")
    findings, results = check(row("验收合格率", "100%", "90%", 10, 10.5))
    assert results["验收合格率"].status == "wrong" and "score.recomputed_differs" not in {f.code for f in findings}


# ---------------------------------------------------------------- 重庆: coefficient × weight


def test_coefficient_message_and_tolerance():
    findings, results = check(row("接待读者", "≥30万人次", "31.2万人次", 20, 20, coefficient=0.9))
    (f,) = findings
    assert (f.severity, f.expected, f.found) == ("error", 18, 20)
    assert f.message == "绩效指标“接待读者”：得分20分，但得分系数0.9 × 指标权重20 = 18分。"
    assert (results["接待读者"].status, results["接待读者"].recomputed) == ("wrong", 18)
    for score in ("18", "18.005"):  # within half a cent
        findings, _ = check(row("接待读者", "≥30万人次", "31.2万人次", 20, score, "系数0.9", coefficient=0.9))
        assert findings == []
    findings, _ = check(row("接待读者", "≥30万人次", "31.2万人次", 20, "18.01", "系数0.9", coefficient=0.9))
    assert [f.code for f in findings] == ["score.recomputed_differs"]


def test_coefficient_after_a_score_above_points_is_not_reported_twice():
    findings, _ = check(row("接待读者", "≥30万人次", "31.2万人次", 20, 25, coefficient=0.9))
    assert [f.code for f in findings] == ["score.exceeds_max"]


# ---------------------------------------------------------------- words instead of figures


def test_blank_actual_messages():
    findings, results = check(row("完成时间", "2022年10月31日前", "", 5, 5, level2="时效指标"))
    f = only(findings, "score.unsupported")
    assert (f.severity, f.found) == ("warning", 5)
    assert f.message == "绩效指标“完成时间”：实际完成值空白，却自评5分；没有完成值，得分无从核实。"
    empty = only(findings, "completion.empty")
    assert empty.source == "checks"
    r = results["完成时间"]
    assert (r.status, r.needs) == ("doubtful", ["实际完成值"])


def test_template_actual_message():
    findings, _ = check(row("完成时间", "2022年10月31日前", "请填写实际完成值", 5, 5, level2="时效指标"))
    assert only(findings, "score.unsupported").message == "绩效指标“完成时间”：实际完成值仍是填写说明，却自评5分；没有完成值，得分无从核实。"


def test_blank_actual_with_no_score_only_asks():
    findings, results = check(row("完成时间", "2022年10月31日前", "", 5, 0, level2="时效指标"))
    assert [f.code for f in findings] == ["completion.empty"] and results["完成时间"].status == "unverifiable"


def test_words_for_a_figure_messages():
    findings, results = check(row("合格率", "≥95%", "基本合格", 10, 10, level2="质量指标"))
    f = only(findings, "target.not_evidenced")
    assert (f.expected, f.found) == ("≥95%", "基本合格")
    assert f.message == "绩效指标“合格率”：指标值为“≥95%”，实际完成值“基本合格”没有给出可比的数值。"
    u = only(findings, "score.unsupported")
    assert (u.expected, u.found) == ("≥95%", 10)
    assert u.message == "绩效指标“合格率”：没有完成数值，却自评满分10分。"
    r = results["合格率"]
    assert (r.status, r.needs) == ("doubtful", ["合格率的实际数值"])


@pytest.mark.parametrize("score,unsupported", [("10", True), ("9.995", True), ("9.9", False)])
def test_words_for_a_figure_at_full_marks_only(score, unsupported):
    findings, _ = check(row("合格率", "≥95%", "基本合格", 10, score, level2="质量指标"))
    assert any(f.code == "score.unsupported" for f in findings) is unsupported


def test_a_bare_target_is_shown_with_its_comparator():
    findings, _ = check(row("合格率", "95%", "基本合格", 10, 8, level2="质量指标"))
    assert only(findings, "target.not_evidenced").expected == "≥95%"


def test_units_that_do_not_compare():
    findings, results = check(row("培训", "≥100人次", "20场", 10, 10))
    assert findings == []
    assert results["培训"].needs == ["与指标值单位一致的完成值（指标值“≥100人次”，完成值“20场”）"]


def test_qualitative_row_needs_a_person():
    findings, results = check(row("制度", "健全", "已建立制度", 10, 10, level2="可持续影响指标"))
    assert findings == [] and results["制度"].needs == ["可判断的完成情况（定性指标由人工核实）"]
    findings, results = check(row("制度", "健全", " 健全 ", 10, 10, level2="可持续影响指标"))
    f = only(findings, "completion.restates_target")
    assert (f.severity, f.found) == ("warning", "健全")
    assert f.message == "绩效指标“制度”：实际完成值“健全”与指标值相同，只是复述目标，不能说明达成情况。"


def test_qualitative_row_scored_above_points_asks_nothing_more():
    _, results = check(row("制度", "健全", "已建立", 10, 12, level2="可持续影响指标"))
    assert results["制度"].needs == []


def test_dates_are_shown_as_dates():
    assert _shown(parse_value("2022年10月31日前")) == "2022年10月31日"
    assert _shown(parse_value(" 健全 ")) == "健全"


# ---------------------------------------------------------------- the rule verdict per target row


def _verdicts(*rows):
    r = report(*rows)
    r.targets = [TargetRow(index=i + 5, category="", kind=x.name, target=x.target, completion=x.actual, location=x.location, indicator=x.index)
                 for i, x in enumerate(rows)]
    return {v.target_index: v for v in indicator_verdicts(r, NO_WEIGHTS)}


def test_verdict_clause_of_a_met_row():
    v = _verdicts(row("met", "≥100户", "120户", 5, 5, index=0))[5]
    assert (v.by, v.verdict, v.flags, v.reason) == ("rules", "evidenced", [], "指标值≥100户，实际完成值120户，已达到。")
    (c,) = v.clauses
    assert (c.text, c.span, c.object, c.comparator, c.value, c.unit, c.outcome) == ("≥100户", (0, 5), "met", ">=", 100, "户", "met")
    assert (c.evidence, c.evidence_span, c.found_value, c.note) == ("120户", (0, 4), 120, "指标值≥100户，实际完成值120户，已达到。")


def test_verdict_of_rows_without_a_clause():
    vs = _verdicts(row("qual", "健全", "已建立", 5, 5, index=0), row("blank", "≥1个", "", 5, 5, index=1))
    assert (vs[5].verdict, vs[5].clauses, vs[5].reason) == ("not_checked", [], "定性指标，由人工判断")
    assert (vs[6].verdict, vs[6].clauses, vs[6].reason) == ("not_evidenced", [], "")
    assert vs[6].flags == ["completion.empty", "score.unsupported"]


def test_verdict_clause_of_a_date_and_of_words():
    vs = _verdicts(row("date", "2022年10月31日前", "2022年12月1日", 5, 3, "延期", index=0, level2="时效指标"),
                   row("words", "≥95%", "基本合格", 5, 3, index=1))
    (c,) = vs[5].clauses
    assert (c.outcome, c.value, c.unit, c.found_value) == ("not_met", None, "", None)
    (w,) = vs[6].clauses
    assert (w.outcome, w.value, w.evidence_span) == ("not_reported", 95, (0, 4))


def test_rows_without_a_target_row_are_skipped_not_the_rest():
    rows = [row("a", "≥1个", "1个", 5, 5, index=0), row("b", "≥1个", "0个", 5, 0, "未完成", index=1)]
    r = report(*rows)
    r.targets = [TargetRow(index=9, category="", kind="b", target=rows[1].target, completion=rows[1].actual, location=rows[1].location, indicator=1)]
    (v,) = indicator_verdicts(r, NO_WEIGHTS)
    assert (v.target_index, v.verdict) == (9, "not_evidenced")


# ---------------------------------------------------------------- weights, totals, grade


def test_level1_weights_from_the_rubric():
    rows = [row("a", "≥1个", "1个", 30, 30, level1="产出指标", index=0), row("b", "≥1个", "1个", 10, 10, level1="产出指标", index=1)]
    findings, _ = check_indicators(report(*rows), RUBRIC)
    (f,) = [f for f in findings if "一级指标" in f.message]
    assert (f.severity, f.expected, f.found) == ("info", 50, 40)
    assert f.message == "一级指标“产出指标”评分规则默认为50分，但其下各项分值合计40分。"
    assert f.location.label == "绩效指标 产出指标" and f.location.row == rows[0].location.row


def test_level1_weights_match_or_unknown():
    ok = [row("a", "≥1个", "1个", 25, 25, level1="产出指标（50分）", index=0), row("b", "≥1个", "1个", 25, 25, level1="产出指标（50分）", index=1)]
    assert [f for f in check_indicators(report(*ok), RUBRIC)[0] if "一级指标" in f.message] == []
    unknown = [row("a", "≥1个", "1个", 25, 25, level1="自定义", index=0)]
    assert [f for f in check_indicators(report(*unknown), RUBRIC)[0] if "一级指标" in f.message] == []
    blank = [row("a", "≥1个", "1个", "", 25, level1="产出指标", index=0)]
    assert [f for f in check_indicators(report(*blank), RUBRIC)[0] if "一级指标" in f.message] == []


def test_printed_weight_message():
    rows = [row("a", "≥1个", "1个", 6, 6, level1="项目产出（30分）", index=0), row("b", "≥1个", "1个", 20, 20, level1="项目产出（30分）", index=1)]
    (f,) = [f for f in check_indicators(report(*rows), RUBRIC)[0] if "一级指标" in f.message]
    assert (f.severity, f.expected, f.found) == ("error", 30, 26)
    assert f.message == "一级指标“项目产出”标明30分，但其下各项分值合计26分。"


def _totals(*rows, **kw):
    findings, _ = check_indicators(report(*rows, **kw), NO_WEIGHTS)
    return [f for f in findings if f.code == "score.total_mismatch"]


ROWS = [row("a", "≥1个", "1个", 50, 50, index=0), row("b", "≥1个", "1个", 40, 39.5, "原因", index=1)]


def test_points_total_against_the_stated_and_the_rubric():
    (f,) = _totals(*ROWS, points=100, total=89.5)
    assert (f.expected, f.found, f.location.label) == (90, 100, "总分 分值")
    assert f.message == "总分行的分值填100分，但各项分值合计为90分。"
    (f,) = _totals(*ROWS, total=89.5)  # no stated points: the rubric's 100
    assert (f.expected, f.found) == (100, 90)
    assert f.message == "总分：各项分值合计为90分，应为100分。"
    assert f.location == ROWS[0].location


def test_score_total_each_side_of_half_a_cent():
    with_funding = dict(funding=funding(100, 100, 100, rate="100%", score=10), points=100)
    assert _totals(*ROWS, total=99.5, **with_funding) == []
    assert _totals(*ROWS, total=99.505, **with_funding) == []
    (f,) = _totals(*ROWS, total=99.52, **with_funding)
    assert (f.expected, f.found) == (99.5, 99.52)
    assert f.message == "总分行的得分填99.52分，但执行率得分与各项指标得分合计为99.5分（总分不符）。"


def test_score_total_stated_in_the_conclusion_too():
    r = report(*ROWS, funding=funding(100, 100, 100, rate="100%", score=10), points=100, total=99.5)
    r.total_score = parse_number("98", Location(table=1, row=2, label="自评结论 得分"))
    (f,) = [f for f in check_indicators(r, NO_WEIGHTS)[0] if f.code == "score.total_mismatch"]
    assert f.message == "自评结论中的得分填98分，但执行率得分与各项指标得分合计为99.5分（总分不符）。"


def test_score_total_without_funding_says_indicator_scores():
    points, scores = _totals(*ROWS, total=80, points=90)
    assert points.message == "总分：各项分值合计为90分，应为100分。"  # the stated 90 adds up, but the form is out of 100
    f = scores
    assert f.message == "总分行的得分填80分，但各项指标得分合计为89.5分（总分不符）。"


def test_no_totals_when_a_figure_is_missing():
    rows = [row("a", "≥1个", "1个", 50, "", index=0), row("b", "≥1个", "1个", "", 40, index=1)]
    assert _totals(*rows, total=10, points=10) == []


def _grade(total, grade):
    r = report(row("a", "≥1个", "1个", 100, total, index=0), total=total, points=100)
    r.grade = Text(text=grade, location=Location(table=0, row=31, label="自评结论 评价等级"))
    return [f for f in check_indicators(r, NO_WEIGHTS)[0] if f.code == "score.grade_mismatch"]


def test_grade_mismatch_message_and_severity():
    (f,) = _grade(85, "优")
    assert (f.severity, f.expected, f.found) == ("error", "良", "优")
    assert f.message == "评价等级填“优”，但各项得分合计为85分，应为“良”。"
    assert _grade(85, "良") == [] and _grade(85, " ") == []
    (f,) = _grade(90, "良")  # on a grade's boundary: a warning
    assert f.severity == "warning"
    (f,) = _grade(85, "很好")  # not a grade name at all
    assert f.severity == "warning"


def test_grade_from_the_stated_total_when_scores_are_missing():
    r = report(row("a", "≥1个", "1个", 100, "", index=0), points=100)
    r.total_score = parse_number("85", Location(table=1, row=2, label="自评结论 得分"))
    r.grade = Text(text="优", location=Location(table=0, row=31, label="自评结论 评价等级"))
    (f,) = [f for f in check_indicators(r, NO_WEIGHTS)[0] if f.code == "score.grade_mismatch"]
    assert f.expected == "良"
    r.total_score = parse_number("", Location())
    assert [f for f in check_indicators(r, NO_WEIGHTS)[0] if f.code == "score.grade_mismatch"] == []


# ---------------------------------------------------------------- more edges (from the mutation run)


def test_partial_credit_for_a_ceiling_far_missed_may_be_under_one_point():
    assert _partial("target_over_actual", 100, 5, 10) == 0.5


def test_a_stated_figure_is_not_replaced_by_words_around_it():
    # "全部" would imply 100%, but the row gives its own figure: 95% is what counts (no false pass)
    findings, results = check(row("按时完成率", "100%", "全部按时完成，完成率95%", 10, 10))
    assert "target.not_met" in {f.code for f in findings} and results["按时完成率"].status == "wrong"


def test_a_bare_zero_target_is_a_ceiling():
    findings, _ = check(row("安全事故", "0起", "2起", 10, 8, "已整改", level2="质量指标"))
    assert only(findings, "target.not_met").expected == "≤0起"  # 2 ≤ 0 fails; read as ≥ 0 it would pass


def test_score_above_points_stays_wrong_whatever_else_the_row_says():
    _, results = check(row("完成时间", "2022年10月31日前", "", 5, 6, level2="时效指标"))
    assert results["完成时间"].status == "wrong"
    _, results = check(row("合格率", "≥95%", "基本合格", 10, 11, level2="质量指标"))
    assert results["合格率"].status == "wrong"


def test_satisfaction_in_words_message():
    findings, _ = check(row("群众满意度", "≥90%", "满意", 10, 10, level1="满意度指标", level2="服务对象满意度指标"))
    assert only(findings, "score.unsupported").message == "绩效指标“群众满意度”：没有调查样本和满意率，却自评满分10分。"


def test_words_for_a_figure_clause_note():
    v = _verdicts(row("words", "≥95%", "基本合格", 5, 3, index=0))[5]
    assert v.clauses[0].note == "实际完成值没有给出可比的数值。" and v.reason == "实际完成值没有给出可比的数值。"


def test_far_exceeded_for_a_floor_under_one_unit_and_how_many_times():
    findings, _ = check(row("覆盖率提高", "≥0.5%", "1.2%", 10, 10))
    assert [f.code for f in findings] == ["target.far_exceeded"]
    findings, _ = check(row("受益户数", "≥100户", "267户", 10, 10))
    assert "是目标的2.7倍" in findings[0].message
    v = _verdicts(row("受益户数", "≥100户", "267户", 10, 10, index=0))[5]
    assert v.clauses[0].exceeds_by == 2.7


def test_result_points_at_the_score_cell():
    r = row("受益户数", "≥100户", "120户", 10, 10)
    _, results = check(r)
    assert results["受益户数"].location == r.score.location


def test_coefficient_expected_to_the_cent():
    (f,), _ = check(row("接待读者", "≥30万人次", "31.2万人次", 10, 10, "原因", coefficient=0.9123))
    assert f.expected == 9.12


def test_every_level1_group_is_weighed():
    rows = [row("a", "≥1个", "1个", "", 30, level1="产出指标", index=0),  # a blank 分值: this group is not weighed
            row("b", "≥1个", "1个", 29, 29, level1="效益指标", index=1)]
    (f,) = [f for f in check_indicators(report(*rows), RUBRIC)[0] if "一级指标" in f.message]
    assert (f.expected, f.found) == (30, 29)  # one point off is a difference
    rows = [row("a", "≥1个", "1个", 50, 50, level1="产出指标", index=0), row("b", "≥1个", "1个", 29, 29, level1="效益指标", index=1)]
    (f,) = [f for f in check_indicators(report(*rows), RUBRIC)[0] if "一级指标" in f.message]
    assert "效益指标" in f.message  # after a group that adds up


def test_points_totals_one_point_off():
    rows = [row("a", "≥1个", "1个", 50, 50, index=0), row("b", "≥1个", "1个", 49, 49, index=1)]
    (f,) = _totals(*rows, points=100, total=99)
    assert (f.expected, f.found) == (99, 100)
    (f,) = _totals(*rows, total=99)
    assert (f.expected, f.found) == (100, 99)


def test_score_total_expected_to_the_cent():
    rows = [row("a", "≥1个", "1个", 50, 50, index=0), row("b", "≥1个", "1个", 50, "39.505", "原因", index=1)]
    (f,) = _totals(*rows, points=100, total=80)
    assert f.expected == round(89.505, 2)


def test_grade_a_point_under_a_boundary_is_an_error():
    (f,) = _grade(89, "优")
    assert f.severity == "error"
