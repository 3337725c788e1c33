"""Checks of national indicator rows and funding blocks, on hand-built reports (no files)."""

from __future__ import annotations

import pytest

from reviewer.checks import run_checks
from reviewer.checks.indicators import check_indicators, indicator_verdicts
from reviewer.indicator_rubric import load_indicator_rubric
from reviewer.model import Funding, FundingRow, IndicatorRow, Location, Report, TargetRow, Text
from reviewer.numbers import parse_number
from reviewer.rubric import load_rubric
from reviewer.values import parse_value

RUBRIC = load_indicator_rubric("mof-2020-project.yaml")


def row(name: str, target: str, actual: str, points: float, score: float | str, reason: str = "", *, level1: str = "产出指标",
        level2: str = "数量指标", index: int = 0, coefficient: float | None = None) -> IndicatorRow:
    def loc(col: int, what: str) -> Location:
        return Location(table=0, row=10 + index, col=col, label=f"绩效指标 {name} {what}")

    return IndicatorRow(
        index=index, level1=level1, level2=level2, level3=name,
        target=Text(text=target, location=loc(5, "年度指标值")), target_parsed=parse_value(target),
        actual=Text(text=actual, location=loc(6, "实际完成值")), actual_parsed=parse_value(actual),
        points=parse_number(str(points), loc(7, "分值")), score=parse_number(str(score), loc(8, "得分")),
        coefficient=parse_number(str(coefficient), loc(9, "得分系数")) if coefficient is not None else None,
        reason=Text(text=reason, location=loc(10, "偏差原因分析及改进措施")), location=loc(None, ""),
    )


def report(*rows: IndicatorRow, funding: Funding | None = None, total: float | None = None, points: float | None = None) -> Report:
    r = Report(source="hand.docx", layout="mof-2020-project", indicators=list(rows), funding=funding)
    if total is not None:
        r.indicator_total = parse_number(str(total), Location(table=0, row=30, col=8, label="总分 得分"))
    if points is not None:
        r.indicator_points = parse_number(str(points), Location(table=0, row=30, col=7, label="总分 分值"))
    return r


def codes(r: Report, rubric=RUBRIC, totals: bool = False) -> list[tuple[str, str]]:
    """Findings as (code, label); a hand-built report is a few rows of a form, so its weights and
    its 100-point total are left out unless `totals`."""
    findings, _ = check_indicators(r, rubric)
    return sorted((f.code, f.location.label) for f in findings if totals or f.code != "score.total_mismatch")


def results(r: Report) -> dict[str, tuple[str, float | None]]:
    _, res = check_indicators(r, RUBRIC)
    return {x.indicator: (x.status, x.recomputed) for x in res}


def test_shortfall_at_full_marks_with_no_reason():
    r = report(row("供餐天数", "≥200天", "186天", 10, 10))
    assert codes(r) == [
        ("score.recomputed_differs", "绩效指标 供餐天数 得分"),
        ("target.not_met", "绩效指标 供餐天数 实际完成值"),
        ("target.shortfall_without_reason", "绩效指标 供餐天数 偏差原因分析及改进措施"),
    ]
    assert results(r)["供餐天数"] == ("wrong", 9.3)


def test_explained_shortfall_scored_in_proportion_is_verified():
    r = report(row("更换老化供水管网", "≥120公里", "113.6公里", 8, 7.57, "涉及林地审批，顺延实施"))
    assert codes(r) == [("target.not_met", "绩效指标 更换老化供水管网 实际完成值")]
    assert results(r)["更换老化供水管网"] == ("verified", 7.57)


def test_proportional_score_but_no_reason_is_only_the_missing_reason():
    r = report(row("服务人次", "≥36000人次", "31250人次", 8, 6.94))
    assert [c for c, _ in codes(r)] == ["target.not_met", "target.shortfall_without_reason"]


@pytest.mark.parametrize(
    "target, actual, level2",
    [
        ("≤6万元/处", "5.12万元/处", "成本指标"),  # a ceiling met
        ("5元/生·天", "5元/生·天", "成本指标"),  # a bare cost is a ceiling too
        ("0起", "0起", "质量指标"),  # a bare zero: none allowed, none happened
        ("2022年11月30日前", "2022年11月25日", "时效指标"),  # a deadline kept
        ("≥1.47万人", "1.47万人", "数量指标"),  # met exactly
        ("≤5个工作日", "平均2.6个工作日", "时效指标"),
        ("≥36000人次", "3.6万人次", "数量指标"),  # 万 folded in
    ],
)
def test_targets_met_raise_nothing(target: str, actual: str, level2: str):
    r = report(row("指标", target, actual, 5, 5, level2=level2))
    assert codes(r) == []
    assert results(r)["指标"] == ("verified", 5)


@pytest.mark.parametrize(
    "target, actual, found",
    [
        ("100%", "均按时拨付到校", []),  # words that state 100%
        ("0起", "未发生安全事故", []),  # words that state none
        ("0起", "无", []),
        ("100%", "大部分按时拨付", ["target.not_evidenced"]),  # not all
        ("0起", "无法统计", ["target.not_evidenced"]),
    ],
)
def test_words_that_state_a_figure(target: str, actual: str, found: list[str]):
    r = report(row("指标", target, actual, 5, 4, "原因见说明", level2="质量指标"))
    assert [c for c, _ in codes(r)] == found


def test_far_over_a_floor_is_info_for_a_person():
    r = report(row("新增社区老年助餐点", "≥4个", "9个", 6, 6))
    findings, results_ = check_indicators(r, RUBRIC)
    assert [(f.code, f.severity) for f in findings if f.code != "score.total_mismatch"] == [("target.far_exceeded", "info")]
    assert results_[0].status == "verified"  # never a deduction
    assert codes(report(row("新增社区老年助餐点", "≥4个", "5个", 6, 6))) == []


def test_the_figure_in_the_targets_unit_is_compared():
    r = report(row("群众满意度", "≥90%", "问卷调查500人，满意率86%", 10, 10, level1="满意度指标"))
    assert ("target.not_met", "绩效指标 群众满意度 实际完成值") in codes(r)
    assert results(r)["群众满意度"] == ("wrong", 9.56)
    r = report(row("群众满意度", "≥90%", "96.2%（抽样调查500人）", 10, 10, level1="满意度指标"))
    assert codes(r) == [] and results(r)["群众满意度"] == ("verified", 10)


@pytest.mark.parametrize("claimed, flagged", [("7.57", False), ("7.6", False), ("7.5", True), ("8", True)])
def test_a_partial_score_may_be_rounded_as_printed(claimed: str, flagged: bool):
    r = report(row("管网", "≥120公里", "113.6公里", 8, claimed, "林地审批顺延"))  # exact 7.573
    assert (("score.recomputed_differs", "绩效指标 管网 得分") in codes(r)) is flagged


def test_a_date_without_its_year_takes_the_targets():
    r = report(row("完成时间", "2022年11月30日前", "11月25日", 5, 5, level2="时效指标"))
    assert codes(r) == [] and results(r)["完成时间"][0] == "verified"
    r = report(row("完成时间", "2022年11月30日前", "12月底", 5, 5, level2="时效指标"))
    assert ("target.not_met", "绩效指标 完成时间 实际完成值") in codes(r)


def test_a_bare_rate_target_is_a_floor():
    r = report(row("预算执行率", "100%", "88.64%", 10, 10, level1="项目管理", level2="资金管理"))
    assert ("target.shortfall_without_reason", "绩效指标 预算执行率 偏差原因分析及改进措施") in codes(r)
    assert results(r)["预算执行率"] == ("wrong", 8.86)


def test_a_late_date_has_no_proportional_rule():
    r = report(row("完成时间", "2022年10月31日前", "2022年12月20日", 5, 5, "设备到货延迟", level2="时效指标"))
    assert codes(r) == [("score.unsupported", "绩效指标 完成时间 得分"), ("target.not_met", "绩效指标 完成时间 实际完成值")]


def test_blank_actual_that_still_scores():
    r = report(row("设备安装调试完成时间", "2022年10月31日前", "", 5, 5, level2="时效指标"))
    assert codes(r) == [
        ("completion.empty", "绩效指标 设备安装调试完成时间 实际完成值"),
        ("score.unsupported", "绩效指标 设备安装调试完成时间 得分"),
    ]


def test_satisfaction_in_words_at_full_marks():
    r = report(row("学生及家长满意度", "≥90%", "满意", 10, 10, level1="满意度指标", level2="服务对象满意度指标"))
    found = codes(r)
    assert found == [
        ("score.unsupported", "绩效指标 学生及家长满意度 得分"),
        ("target.not_evidenced", "绩效指标 学生及家长满意度 实际完成值"),
    ]
    message = next(f.message for f in check_indicators(r, RUBRIC)[0] if f.code == "score.unsupported")
    assert "调查" in message


def test_score_above_points():
    r = report(row("设备验收合格率", "100%", "100%", 10, 12))
    assert codes(r) == [("score.exceeds_max", "绩效指标 设备验收合格率 得分")]
    assert results(r)["设备验收合格率"] == ("wrong", 10)


def test_deduction_on_a_met_target_needs_a_reason():
    r = report(row("受益户数", "≥100户", "120户", 10, 8))
    assert codes(r) == [("score.deduction_without_reason", "绩效指标 受益户数 偏差原因分析及改进措施")]


def test_a_qualitative_row_restating_its_target():
    r = report(row("长效机制", "健全", "健全", 10, 10, level2="可持续影响指标"))
    assert codes(r) == [("completion.restates_target", "绩效指标 长效机制 实际完成值")]
    assert results(r)["长效机制"][0] == "unverifiable"
    r = report(row("长效机制", "建立", "12家卫生院均已建立维护保养制度", 10, 10, level2="可持续影响指标"))
    assert codes(r) == []


def test_coefficient_times_weight():
    r = report(row("图书馆年接待读者", "≥30万人次", "31.2万人次", 20, 20, coefficient=0.9))
    assert codes(r) == [("score.recomputed_differs", "绩效指标 图书馆年接待读者 得分")]


def funding(initial, budget, spent, *, points=10.0, rate="", score=None, parts=()) -> Funding:
    cols = ("initial", "budget", "spent")

    def values(r: int, figures) -> dict:
        return {k: parse_number(str(v), Location(table=0, row=r, col=3 + i, label=f"项目资金 {k}"), "万元") for i, (k, v) in enumerate(zip(cols, figures))}

    rows = [FundingRow(name="年度资金总额", is_total=True, values=values(3, (initial, budget, spent)), location=Location(table=0, row=3))]
    for i, (name, figures) in enumerate(parts):
        rows.append(FundingRow(name=name, is_total=False, values=values(4 + i, figures), location=Location(table=0, row=4 + i)))
    return Funding(
        title="项目资金（万元）", rows=rows, location=Location(table=0, row=2),
        points=parse_number(str(points), Location(table=0, row=3, col=7, label="项目资金 预算执行率 分值")),
        rate=parse_number(rate, Location(table=0, row=3, col=8, label="项目资金 预算执行率 执行率"), "%"),
        score=parse_number(str(score) if score is not None else "", Location(table=0, row=3, col=10, label="项目资金 预算执行率 得分")),
    )


def test_execution_rate_score_is_rate_times_points():
    ok = report(funding=funding(420, 465, 448.73, rate="96.50%", score=9.65))
    assert codes(ok) == []
    assert results(ok)["预算执行率"] == ("verified", 9.65)
    rounded_up = report(funding=funding(1470, 1510, 1367.10, rate="90.54%", score=10))
    assert codes(rounded_up) == [("score.recomputed_differs", "项目资金 预算执行率 得分")]
    assert results(rounded_up)["预算执行率"] == ("wrong", 9.05)


def test_a_printed_rate_that_is_not_b_over_a():
    r = report(funding=funding(600, 600, 598.60, rate="95.00%", score=9.98))
    assert codes(r) == [("score.recomputed_differs", "项目资金 预算执行率 执行率")]


def test_one_part_row_is_not_a_breakdown():
    r = report(funding=funding(500, 520, 509.6, rate="98.00%", score=9.8, parts=(("其中：当年财政拨款", (450, 470, 459.6)),)))
    assert codes(r) == []


def test_funding_column_that_does_not_add_up():
    r = report(funding=funding(1286.45, 1342.80, 1318.62, rate="98.20%", score=9.82,
                               parts=(("其中：基本支出", (842.16, 842.16, 842.16)), ("项目支出", (444.29, 500.64, 466.46)))))
    findings = [f for f in check_indicators(r, RUBRIC)[0] if f.code != "score.total_mismatch"]
    assert [(f.code, f.location.col) for f in findings] == [("table.sum_mismatch", 5)]  # 全年执行数 only
    assert "项目支出466.46" in findings[0].message and "全年执行数" in findings[0].message


def test_sichuan_style_rule_wants_a_reason_below_90_percent():
    rubric = RUBRIC.model_copy(update={"funding": RUBRIC.funding.model_copy(update={"reason_below_rate": 90.0})})
    low = report(funding=funding(500, 500, 420, rate="84.00%", score=8.4))
    assert codes(low, rubric) == [("target.shortfall_without_reason", "项目资金 预算执行率 执行率")]  # no reason column: at the rate
    assert codes(low) == []  # the national rubric asks no reason


def test_totals_and_grade():
    rows = [row("a", "≥1个", "1个", 50, 50, index=0), row("b", "≥1个", "1个", 40, 40, index=1)]
    r = report(*rows, funding=funding(100, 100, 99.77, rate="99.77%", score=9.98), total=99.98, points=100)
    no_weights = RUBRIC.model_copy(update={"weights": {}})
    assert codes(r, no_weights, totals=True) == []
    r.indicator_total = r.indicator_total.model_copy(update={"value": 97.98})
    assert codes(r, no_weights, totals=True) == [("score.total_mismatch", "总分 得分")]
    r = report(*rows, total=90, points=90)
    r.grade = Text(text="良", location=Location(table=0, row=31, label="自评结论 评价等级"))
    assert codes(r, no_weights, totals=True) == [("score.grade_mismatch", "自评结论 评价等级"), ("score.total_mismatch", "总分 分值")]
    weights = {f.message for f in check_indicators(r, RUBRIC)[0] if f.code == "score.total_mismatch" and "一级指标" in f.message}
    assert weights == {"一级指标“产出指标”评分规则默认为50分，但其下各项分值合计90分。"}
    assert {f.severity for f in check_indicators(r, RUBRIC)[0] if "一级指标" in f.message} == {"info"}  # a default, not the form's word


def test_printed_level1_points_are_checked():
    r = report(row("a", "≥1个", "1个", 6, 6, level1="项目产出（30分）", index=0), row("b", "≥1个", "1个", 20, 20, level1="项目产出（30分）", index=1))
    found = [f for f in check_indicators(r, RUBRIC)[0] if f.code == "score.total_mismatch"]
    assert found and "项目产出" in found[0].message and found[0].severity == "error"


def test_rule_verdicts_per_indicator_row():
    rows = [row("met", "≥1个", "2个", 5, 5, index=0), row("short", "≥10个", "8个", 5, 4, "原因", index=1), row("words", "≥90%", "满意", 5, 5, index=2),
            row("qual", "健全", "已建立制度", 5, 5, index=3)]
    r = report(*rows)
    r.targets = [TargetRow(index=i + 1, category="", kind=x.name, target=x.target, completion=x.actual, location=x.location, indicator=x.index) for i, x in enumerate(rows)]
    verdicts = {v.target_index: v for v in indicator_verdicts(r, RUBRIC)}
    assert verdicts[1].verdict == "evidenced" and verdicts[1].clauses[0].outcome == "met"
    assert verdicts[2].clauses[0].outcome == "not_met" and verdicts[2].clauses[0].found_value == 8
    assert verdicts[3].verdict == "not_evidenced"
    assert verdicts[4].verdict == "not_checked"  # a qualitative row: a person (or the LLM) judges it


def test_run_checks_applies_the_indicator_rubric_only_when_given():
    r = report(row("供餐天数", "≥200天", "186天", 10, 10))
    hunan = load_rubric()
    assert run_checks(r, hunan)[0] == []
    assert {"target.not_met", "target.shortfall_without_reason"} <= {f.code for f in run_checks(r, hunan, RUBRIC)[0]}


@pytest.mark.parametrize(
    "text, kind, comparator, value, unit",
    [
        ("≥120公里", "number", ">=", 120, "公里"),
        ("不低于90%", "number", ">=", 90, "%"),
        ("90%以上", "number", ">=", 90, "%"),
        ("不高于5元", "number", "<=", 5, "元"),
        ("30个工作日内", "number", "<=", 30, "个工作日"),
        ("1.47万人", "number", "", 14700, "人"),
        ("≥36,000人次", "number", ">=", 36000, "人次"),
        ("2022年10月底前", "date", "<=", None, "日期"),
        ("健全", "text", "", None, ""),
        ("—", "none", "", None, ""),
        ("38台（套）", "number", "", 38, "台(套)"),
        ("98.6%（抽样调查500人）", "number", "", 98.6, "%"),
        ("9" * 400, "text", "", None, ""),
        ("", "blank", "", None, ""),
    ],
)
def test_parse_value(text, kind, comparator, value, unit):
    v = parse_value(text)
    assert (v.kind, v.comparator, v.unit) == (kind, comparator, unit)
    if value is not None:
        assert v.value == pytest.approx(value)
