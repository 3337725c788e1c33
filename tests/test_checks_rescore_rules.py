"""Re-scoring rules one at a time: deductions, bands and their edges, the workings a reviewer reads,
and what a row comes to when a figure or the self-score is missing.

Indicators are built by hand (pydantic models, no rubric file) and fed figures through a small
stand-in for ReportData, so each test pins one rule; the seed report is used where a whole 评分表
matters (merged 分值 cells, the pending finding, checklist evidence)."""

from __future__ import annotations

import pytest

from checks_seed import paragraph, score_row, seed_report, set_score
from reviewer.checks import run_checks
from reviewer.checks.data import Datum
from reviewer.checks.rescore import Missing, Outcome, Pending, _band_words, _bands, _in_band, _rescore_row, match, pending_finding, recompute
from reviewer.model import Location
from reviewer.rubric import Band, Indicator, load_rubric

RUBRIC = load_rubric()


class Figures:
    """ReportData's lookup for tests: fact.<name> → (value, as shown); evidence never found."""

    def __init__(self, **figures: tuple[float, str]):
        self.figures = figures

    def first(self, sources):
        for s in sources:
            if s.removeprefix("fact.") in self.figures:
                value, shown = self.figures[s.removeprefix("fact.")]
                return s, Datum(value, shown, Location())
        return None

    def evidence(self, groups):
        return None


def indicator(**kw) -> Indicator:
    base = dict(id="x", name="测试指标", points=5, kind="computed", criteria="测试标准。")
    return Indicator.model_validate({**base, **kw})


def ratio(**kw) -> Indicator:
    """a / b × 100, both from fact.* sources."""
    inputs = {"a": {"source": "fact.a", "label": "实际数（万元）"}, "b": {"source": "fact.b", "label": "预算数（万元）"}}
    return indicator(inputs=inputs, formula="a / b * 100", **kw)


OVER = {"full_if": "<=", "threshold": 100, "per_unit": 0.5}
UNDER = {"full_if": ">=", "threshold": 100, "per_unit": 0.2}


# ---------------------------------------------------------------- deductions


def test_deduction_working_over_threshold_with_fraction_of_a_point():
    out = recompute(ratio(deduct=OVER), 5, Figures(a=(35, "35万元"), b=(34, "34万元")))
    assert isinstance(out, Outcome) and (round(out.low, 4), round(out.high, 4)) == (3.5, 3.5294)
    assert out.working == (
        "实际数35万元，预算数34万元；35 ÷ 34 × 100 = 102.94%；102.94%，超过100% 2.94个百分点，"
        "每百分点扣0.5分 → 5 − 0.5×2.94 = 3.53分（不足一百分点按一百分点计为3.5分）"
    )


def test_deduction_working_under_threshold_in_own_unit():
    ind = indicator(inputs={"n": {"source": "fact.n", "label": "完成件数"}}, formula="n", unit="件", decimals=0,
                    deduct={"full_if": ">=", "threshold": 10, "per_unit": 1})
    out = recompute(ind, 5, Figures(n=(8, "8件")))
    assert (out.low, out.high) == (3, 3)
    # a formula that is a single figure needs no "x = x" line; whole units: no rounding note
    assert out.working == "完成件数8件；8件，低于10件 2件，每件扣1分 → 5 − 1×2 = 3分"


def test_deduction_full_marks_working():
    out = recompute(ratio(deduct=UNDER), 5, Figures(a=(100, "100万元"), b=(100, "100万元")))
    assert (out.low, out.high) == (5, 5)
    assert out.working.endswith("；100% ≥100% → 5分")
    out = recompute(ratio(deduct=OVER), 5, Figures(a=(100, "100"), b=(100, "100")))
    assert out.working.endswith("；100% ≤100% → 5分")


def test_deduction_float_noise_at_the_threshold_is_full_marks():
    ind = indicator(inputs={"n": {"source": "fact.n", "label": "n"}}, formula="n", deduct={"full_if": "<=", "threshold": 0, "per_unit": 0.5})
    assert recompute(ind, 3, Figures(n=(1e-9, "0"))).high == 3  # 1e-9 over is float noise
    assert recompute(ind, 3, Figures(n=(0.5, "0.5"))).high == 2.75  # half a unit over is not


def test_deduction_by_whole_units_is_exact():
    out = recompute(ratio(deduct=OVER), 5, Figures(a=(102, "102"), b=(100, "100")))
    assert (out.low, out.high) == (4, 4) and "不足一" not in out.working  # 2 points over: 2 units, not 3


def test_deduction_excess_shown_to_the_indicator_decimals():
    out = recompute(ratio(deduct=OVER, decimals=4), 5, Figures(a=(35, "35"), b=(34, "34")))
    assert "超过100% 2.9412个百分点" in out.working and "0.5×2.9412 = 3.53分" in out.working


def test_deduction_shown_in_a_unit_with_a_measure_word():
    ind = indicator(inputs={"n": {"source": "fact.n", "label": "未下达专项"}}, formula="n", unit="个", decimals=1,
                    deduct={"full_if": "<=", "threshold": 0, "per_unit": 0.5})
    out = recompute(ind, 3, Figures(n=(2.5, "2.5个")))
    # 每个 / 不足一个: the measure word stays (only 个百分点 loses its 个)
    assert out.working == "未下达专项2.5个；2.5个，超过0个 2.5个，每个扣0.5分 → 3 − 0.5×2.5 = 1.75分（不足一个按一个计为1.5分）"


# ---------------------------------------------------------------- bands


@pytest.mark.parametrize(
    "band,value,inside",
    [
        (Band(score=1, min=0), 0, True),  # the floor is in by default
        (Band(score=1, min=0), -1e-9, True),  # float noise under the floor
        (Band(score=1, min=0), -0.5, False),
        (Band(score=1, min=0, include_min=False), 0, False),
        (Band(score=1, min=0, include_min=False), 1e-9, False),  # noise above an open floor is still the floor
        (Band(score=1, min=0, include_min=False), 0.5, True),
        (Band(score=1, max=0, include_max=True), 0, True),
        (Band(score=1, max=0, include_max=True), 1e-9, True),
        (Band(score=1, max=0, include_max=True), 0.5, False),
        (Band(score=1, max=0), 0, False),  # the ceiling is out by default
        (Band(score=1, max=0), -1e-9, False),
        (Band(score=1, max=0), -0.5, True),
        (Band(score=1, max=10), 9.9, True),
        (Band(score=1, min=0, max=0, include_max=True), 0, True),
    ],
)
def test_band_edges(band, value, inside):
    assert _in_band(band, band.min, band.max, value) is inside


def test_band_words():
    ind = ratio(bands=[{"score": 5, "min": 90}])
    assert _band_words(ind, Band(score=1, min=12.34567, max=20, label="一般"), 12.34567, 20) == "一般（≥12.3457%且<20%）"
    assert _band_words(ind, Band(score=1, min=0, include_min=False, max=20, include_max=True), 0, 20) == ">0%且≤20%"
    assert _band_words(ind, Band(score=1, label="其他"), None, None) == "其他"
    refs = ratio(bands=[{"score": 5, "max_ref": "b", "include_max": True}])
    assert _band_words(refs, refs.bands[0], None, 3.123456) == "≤预算数3.1235%"


def test_bands_scale_with_the_rows_points():
    ind = ratio(points=3, bands=[{"score": 3, "min": 90}, {"score": 0}])
    out = _bands(ind, 4, 95, "95%", {})
    assert (out.low, out.high) == (4, 4) and out.working == "95%，≥90% → 4分"
    assert _bands(ind, 3, 50, "50%", {}).working == "50%， → 0分"


def test_value_outside_every_band_is_missing_with_a_note():
    out = recompute(ratio(bands=[{"score": 5, "min": 90}]), 5, Figures(a=(50, "50"), b=(100, "100")))
    assert isinstance(out, Missing) and out.needs == [] and out.note == "50%不在评分标准的任何区间内"


def test_single_figure_formula_shows_no_arithmetic():
    ind = indicator(inputs={"n": {"source": "fact.n", "label": "率"}}, formula="n", bands=[{"score": 5, "min": 0}])
    out = recompute(ind, 5, Figures(n=(98.123456, "98.123456%")))
    assert out.working == "率98.123456%；98.12%，≥0% → 5分"  # "98.1235 = 98.12%" would say nothing


def test_constant_formula_has_no_head():
    out = recompute(indicator(formula="100", bands=[{"score": 5, "min": 0}]), 5, Figures())
    assert out.working == "100%，≥0% → 5分"


# ---------------------------------------------------------------- missing figures


def test_every_missing_figure_is_named():
    out = recompute(ratio(deduct=OVER), 5, Figures())
    assert isinstance(out, Missing) and out.needs == ["实际数（万元）", "预算数（万元）"] and out.note == ""


def test_zero_base_names_all_figures_and_says_why():
    out = recompute(ratio(deduct=OVER), 5, Figures(a=(3, "3"), b=(0, "0")))
    assert isinstance(out, Missing) and out.needs == ["实际数（万元）", "预算数（万元）"] and out.note == "分母为0，无法计算"


def _row(claimed: str = "5", points: str = "5"):
    row = score_row(seed_report(), "财政供养人员控制率")
    set_score(row, claimed)
    set_score(row, points, field="points")
    return row


def test_zero_base_row_is_unverifiable_with_the_note():
    row = _row("4")
    findings, result = _rescore_row(row, ratio(deduct=OVER), Figures(a=(3, "3"), b=(0, "0")), Pending())
    (f,) = findings
    assert (f.code, f.severity, f.expected, f.found) == ("score.unverifiable", "info", "实际数（万元）、预算数（万元）", 4)
    assert f.message == "评分表“财政供养人员控制率”自评4分，分母为0，无法计算，无法复核。"
    assert (result.status, result.working, result.needs) == ("unverifiable", "分母为0，无法计算", ["实际数（万元）", "预算数（万元）"])


def test_out_of_band_row_asks_for_what_is_needed():
    row = _row("4")
    findings, result = _rescore_row(row, ratio(bands=[{"score": 5, "min": 90}]), Figures(a=(50, "50"), b=(100, "100")), Pending())
    (f,) = findings
    assert f.expected == "复核所需数据" and f.message == "评分表“财政供养人员控制率”自评4分，50%不在评分标准的任何区间内，无法复核。"
    assert (result.status, result.working, result.needs) == ("unverifiable", "50%不在评分标准的任何区间内", [])


def test_missing_figure_row():
    row = _row("4")
    findings, result = _rescore_row(row, ratio(deduct=OVER), Figures(a=(3, "3")), Pending())
    (f,) = findings
    assert (f.expected, f.found, f.location) == ("预算数（万元）", 4, row.self_score.location)
    assert f.message == "评分表“财政供养人员控制率”自评4分，报告未提供预算数（万元），无法复核。"
    assert (result.status, result.working, result.needs, result.claimed) == ("unverifiable", "缺少预算数（万元）", ["预算数（万元）"], 4)


def test_missing_figure_and_missing_score():
    row = _row("")
    findings, result = _rescore_row(row, ratio(deduct=OVER), Figures(a=(3, "3")), Pending())
    assert findings == []
    assert (result.status, result.working, result.needs, result.claimed) == ("unverifiable", "自评得分未填写或无法读取", ["预算数（万元）"], None)
    assert (result.row_index, result.indicator, result.location) == (row.index, row.level3, row.location)


def test_full_marks_without_a_measured_figure_are_unsupported():
    ind = ratio(deduct=OVER, missing_data="unsupported", criteria="满意度≥90%。", note="须附调查问卷。")
    row = _row("5")
    findings, result = _rescore_row(row, ind, Figures(), Pending())
    (f,) = findings
    assert (f.code, f.severity, f.expected, f.found) == ("score.unsupported", "warning", "实际数（万元）、预算数（万元）", 5)
    assert f.message == ("评分表“财政供养人员控制率”自评满分5分，但评分标准（满意度≥90%）须以实际数（万元）、预算数（万元）为依据，"
                         "报告没有给出，满分缺乏依据。须附调查问卷。")
    assert (result.status, result.working, result.needs) == ("doubtful", "报告未给出实际数（万元）、预算数（万元）", ["实际数（万元）", "预算数（万元）"])
    findings, result = _rescore_row(_row("4"), ind, Figures(), Pending())  # a deduction taken: only unverifiable
    assert [f.code for f in findings] == ["score.unverifiable"] and result.status == "unverifiable"


# ---------------------------------------------------------------- verdicts


def test_recomputed_without_a_self_score():
    findings, result = _rescore_row(_row(""), ratio(deduct=OVER), Figures(a=(102, "102"), b=(100, "100")), Pending())
    assert findings == []
    assert (result.status, result.recomputed, result.claimed) == ("unverifiable", 4, None)
    assert result.working == "实际数102，预算数100；102 ÷ 100 × 100 = 102%；102%，超过100% 2个百分点，每百分点扣0.5分 → 5 − 0.5×2 = 4分；自评得分未填写"


def test_verified_row_keeps_the_working():
    findings, result = _rescore_row(_row("4"), ratio(deduct=OVER), Figures(a=(102, "102"), b=(100, "100")), Pending())
    assert findings == [] and (result.status, result.recomputed) == ("verified", 4)
    assert result.working.startswith("实际数102，预算数100；102 ÷ 100 × 100 = 102%；")


def test_wrong_row_message_and_expected_to_two_decimals():
    ind = ratio(points=3, bands=[{"score": 2, "min": 0}])
    findings, result = _rescore_row(_row("5"), ind, Figures(a=(1, "1"), b=(100, "100")), Pending())
    (f,) = findings
    assert (f.code, f.severity, f.expected, f.found) == ("score.recomputed_differs", "error", 3.33, 5)
    assert f.message == "评分表“财政供养人员控制率”自评5分，但按报告自身数据复核：实际数1，预算数100；1 ÷ 100 × 100 = 1%；1%，≥0% → 3.33分，应得3.33分。"
    assert (result.status, result.recomputed, result.working) == ("wrong", 3.33, "实际数1，预算数100；1 ÷ 100 × 100 = 1%；1%，≥0% → 3.33分")


@pytest.mark.parametrize("printed,admitted", [("3.53", True), ("3.5", True), ("3.54", False), ("3.49", False)])
def test_printed_decimals_allow_their_own_rounding(printed, admitted):
    out = Outcome(3.5, 3.5294, "")
    assert out.admits(float(printed), printed) is admitted


def test_admits_the_ends_of_the_range_exactly():
    out = Outcome(3.5, 4.0, "")
    assert out.admits(3.5) and out.admits(4.0) and not out.admits(4.01) and not out.admits(3.49)
    assert not Outcome(3.5, 3.5294, "").admits(3.53)  # with no printed text, no rounding slack


# ---------------------------------------------------------------- checklist evidence


def test_checklist_evidenced_by_the_narrative():
    report = seed_report()
    paragraph(report, "六", "财务管理").text += "经区审计局审计检查，未发现违规问题。"
    findings, results = run_checks(report, RUBRIC)
    r = next(r for r in results if r.indicator == "资金使用合规性")
    assert (r.status, r.claimed) == ("verified", 3)
    assert r.working == ("报告写明“审计局审计检查,未发现违规”，符合评分标准"
                         "（支出合规、审批完整、项目经评估论证、符合批复用途、无截留挤占挪用虚列；每出现一例不符合扣1分）")
    rules = next(r for r in results if r.indicator == "管理制度健全性" and r.row_index == 7)
    assert rules.status == "verified" and "”；“" in rules.working  # two groups, each quoted
    pending = next(f for f in findings if f.code == "score.unverifiable" and "定性标准" in f.message)
    assert "资金使用合规性" not in pending.message


def test_checklist_evidence_does_not_cover_more_than_full_marks():
    report = seed_report()
    paragraph(report, "六", "财务管理").text += "经区审计局审计检查，未发现违规问题。"
    row = score_row(report, "资金使用合规性")
    set_score(row, "3.5")
    _, results = run_checks(report, RUBRIC)
    assert next(r for r in results if r.indicator == "资金使用合规性").status == "unverifiable"
    set_score(row, "3")
    _, results = run_checks(report, RUBRIC)
    assert next(r for r in results if r.indicator == "资金使用合规性").status == "verified"


def test_checklist_without_evidence_waits_for_a_person():
    report = seed_report()
    _, results = run_checks(report, RUBRIC)
    r = next(r for r in results if r.indicator == "资金使用合规性")
    assert r.status == "unverifiable" and r.working == "定性指标，须查阅佐证：审计、巡察或财政检查结论；支出审批单据抽查情况"
    assert r.needs == ["审计、巡察或财政检查结论", "支出审批单据抽查情况"]


# ---------------------------------------------------------------- merged 分值 cells and the pending finding


def test_rows_sharing_a_merged_points_cell_follow_the_first():
    _, results = run_checks(seed_report(), RUBRIC)
    by_name = {r.indicator: r for r in results}
    lead = by_name["经济效益"]
    for name in ("社会效益", "生态效益"):
        r = by_name[name]
        assert (r.status, r.needs) == (lead.status, lead.needs) and lead.needs
        assert r.working == "与“经济效益”共用分值（合并单元格），见该行"


def test_pending_finding_lists_each_row_once_with_its_scores():
    report = seed_report()
    set_score(score_row(report, "经济效益"), "", field="points")  # no row of the merged group carries the 分值
    findings, results = run_checks(report, RUBRIC)
    (f,) = [f for f in findings if "定性标准" in f.message]
    assert f.location == report.score_table.location and (f.code, f.severity) == ("score.unverifiable", "info")
    assert "管理制度健全性（自评2/3分）；" in f.message and "经济效益（自评15/?分）" in f.message
    assert "社会效益" not in f.message and "生态效益" not in f.message  # blank shared rows: nothing to list
    assert [r.status for r in results if r.indicator in ("社会效益", "生态效益")] == ["unverifiable", "unverifiable"]


def test_pending_finding_with_unknown_score_and_no_rows():
    report = seed_report()
    row = score_row(report, "资产管理安全性")
    set_score(row, "")
    assert pending_finding(report, []) == []
    (f,) = pending_finding(report, [row])
    assert f.message.startswith("以下1项指标按定性标准评分，报告未附评分依据，无法复核：资产管理安全性（自评?/4分）。")


def test_rows_after_an_unknown_indicator_are_still_scored():
    report = seed_report()
    report.score_table.rows[0].level3 = "自定义指标"
    _, results = run_checks(report, RUBRIC)
    assert len(results) == len(report.score_table.rows)
    assert results[0].working == "评分标准中没有此指标"


# ---------------------------------------------------------------- matching


def test_short_names_match_only_exactly():
    row = seed_report().score_table.rows[0]
    assert match(RUBRIC, row.model_copy(update={"level3": "满意度"})).id == "satisfaction"
    assert match(RUBRIC, row.model_copy(update={"level3": "预算调整"})).id == "budget_adjustment"  # 4 characters: inside 预算调整率
    assert match(RUBRIC, row.model_copy(update={"level3": "支付进度情况"})).id == "payment_progress"  # a 4-character name inside
    assert match(RUBRIC, row.model_copy(update={"level3": "调整"})) is None


def test_exact_name_wins_over_a_longer_one_containing_it():
    longer = RUBRIC.indicators[5].model_dump()  # 资金结余
    longer.update(id="balance_rate", name="资金结余率", aliases=[])
    rubric = RUBRIC.model_copy(update={"indicators": [Indicator.model_validate(longer), *RUBRIC.indicators]})
    row = seed_report().score_table.rows[0]
    assert match(rubric, row.model_copy(update={"level3": "资金结余"})).id == "balance"


def test_formula_working_names_figures_in_any_case_and_shows_minus():
    ind = indicator(inputs={"Now": {"source": "fact.now", "label": "本年"}, "last": {"source": "fact.last", "label": "上年"}},
                    formula="(Now - last) / last * 100", deduct={"full_if": "<=", "threshold": 0, "per_unit": 0.5})
    out = recompute(ind, 5, Figures(now=(90, "90万元"), last=(100, "100万元")))
    assert out.working == "本年90万元，上年100万元；(90 − 100) ÷ 100 × 100 = -10%；-10% ≤0% → 5分"


def test_a_band_floor_may_be_another_figure():
    inputs = {"a": {"source": "fact.a", "label": "结余"}, "b": {"source": "fact.b", "label": "上年结转"}}
    ind = indicator(inputs=inputs, formula="a", unit="万元", bands=[{"score": 5, "min_ref": "b"}, {"score": 0}])
    assert recompute(ind, 5, Figures(a=(90, "90"), b=(80, "80"))).high == 5
    assert recompute(ind, 5, Figures(a=(70, "70"), b=(80, "80"))).high == 0


def test_a_rounding_note_only_when_the_two_readings_differ():
    ind = indicator(inputs={"n": {"source": "fact.n", "label": "n"}}, formula="n", deduct={"full_if": "<=", "threshold": 0, "per_unit": 0.5})
    out = recompute(ind, 1, Figures(n=(1.9999999, "1.9999999")))  # linear 0.00000005, whole units 0: the same score
    assert out.low == 0 and "不足一" not in out.working


def test_row_without_its_own_points_scores_against_the_rubric():
    row = _row("4", points="")
    findings, result = _rescore_row(row, ratio(deduct=OVER), Figures(a=(102, "102"), b=(100, "100")), Pending())
    assert findings == [] and (result.status, result.recomputed) == ("verified", 4)


def test_unverified_rule_says_so_at_the_end_of_the_message():
    findings, result = _rescore_row(_row("5"), ratio(deduct=OVER, unverified=True), Figures(a=(102, "102"), b=(100, "100")), Pending())
    (f,) = findings
    assert f.severity == "warning" and result.status == "doubtful"
    assert f.message.endswith("应得4分。（该评分规则出处待核实，仅供参考。）")
