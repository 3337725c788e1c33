"""The funding block (项目资金 / 部门预算执行情况) on each side of its thresholds: the column sums,
the printed 执行率 against 执行数 ÷ 预算数, the reason a low rate needs, and the 执行率 row's 得分.

Hand-built Funding blocks (no files); the rubric is the national project form's."""

from __future__ import annotations

import pytest

from reviewer.checks.funding import FUNDING_ROW_INDEX, check_funding, score_tolerance
from reviewer.indicator_rubric import load_indicator_rubric
from reviewer.model import Funding, FundingRow, Location, Report, Text
from reviewer.numbers import parse_number

RUBRIC = load_indicator_rubric("mof-2020-project.yaml")
SICHUAN = RUBRIC.model_copy(update={"funding": RUBRIC.funding.model_copy(update={"reason_below_rate": 90.0})})
RATE_AT = Location(table=0, row=3, col=8, label="项目资金 执行率")
SCORE_AT = Location(table=0, row=3, col=10, label="项目资金 得分")
BLOCK_AT = Location(table=0, row=2, label="项目资金")
TOTAL_AT = Location(table=0, row=3, label="项目资金 年度资金总额")


def _values(r: int, figures) -> dict:
    return {k: parse_number(str(v), Location(table=0, row=r, col=3 + i, label=f"项目资金 {k}"), "万元")
            for i, (k, v) in enumerate(zip(("initial", "budget", "spent"), figures))}


def block(budget="100", spent="96.5", *, points="10", rate="", score="", parts=(), reason=None, total=True, located=True) -> Funding:
    rows = [FundingRow(name="年度资金总额", is_total=True, values=_values(3, (budget, budget, spent)), location=TOTAL_AT)] if total else []
    rows += [FundingRow(name=name, is_total=False, values=_values(4 + i, figures), location=Location(table=0, row=4 + i))
             for i, (name, figures) in enumerate(parts)]
    return Funding(
        title="项目资金", rows=rows, location=BLOCK_AT,
        points=parse_number(points, Location(table=0, row=3, col=7, label="项目资金 分值")),
        rate=parse_number(rate, RATE_AT if located else Location(), "%"),
        score=parse_number(score, SCORE_AT if located else Location(), "分"),
        reason=reason,
    )


def check(funding: Funding | None, rubric=RUBRIC):
    return check_funding(Report(source="hand.docx", layout="mof-2020-project", funding=funding), rubric)


def codes(findings) -> list[tuple[str, str]]:
    return [(f.code, f.severity) for f in findings]


# ---------------------------------------------------------------- 得分 tolerance


def test_score_tolerance_follows_how_the_score_is_printed():
    def tol(raw, rubric=RUBRIC):
        return score_tolerance(parse_number(raw, Location()), rubric)

    assert tol("9.7") == 0.05 + 1e-9  # one decimal: its own rounding
    assert tol("9.7分") == tol(" 9.7 ") == 0.05 + 1e-9
    assert tol("9.65") == 0.005 + 1e-9  # two decimals: half a cent, the rubric's floor
    assert tol("9.653") == 0.005 + 1e-9  # never below half the rubric's tolerance
    assert tol("10") == 0.05 + 1e-9  # never the half-point an integer would allow
    wide = RUBRIC.model_copy(update={"score_tolerance": 0.2})
    assert tol("9.65", wide) == 0.1 + 1e-9


@pytest.mark.parametrize("score,status", [("9.6", "verified"), ("9.7", "verified"), ("9.65", "verified"), ("9.66", "wrong"),
                                          ("9.64", "wrong"), ("9.5", "wrong"), ("9.8", "wrong"), ("10", "wrong")])
def test_execution_score_each_side_of_its_tolerance(score, status):
    _, (result,) = check(block(spent="96.5", score=score))
    assert result.status == status and result.recomputed == 9.65


# ---------------------------------------------------------------- 执行率得分


def test_wrong_score_message_and_severity():
    findings, (result,) = check(block(spent="96.5", rate="96.50%", score="9.8"))
    (f,) = findings
    assert (f.code, f.severity, f.expected, f.found, f.location) == ("score.recomputed_differs", "error", 9.65, 9.8, SCORE_AT)
    assert f.message == "项目资金 预算执行率：自评得分9.8分，但执行率 = 全年执行数96.50 ÷ 全年预算数100.00 = 96.5%；得分 = 96.5% × 10分 = 9.65分。"
    assert (result.row_index, result.indicator, result.claimed, result.location) == (FUNDING_ROW_INDEX, "预算执行率", 9.8, SCORE_AT)
    assert result.working == "执行率 = 全年执行数96.50 ÷ 全年预算数100.00 = 96.5%；得分 = 96.5% × 10分 = 9.65分"


@pytest.mark.parametrize("spent,score,severity", [("96.5", "9.75", "warning"), ("96.5", "9.76", "error"), ("96.5", "9.55", "warning"), ("96.5", "9.54", "error"),
                                            ("99", "10", "warning")])  # full marks a tenth over 9.9: within 分值, a warning
def test_a_score_off_by_a_tenth_is_a_warning_beyond_it_an_error(spent, score, severity):
    (f,), _ = check(block(spent=spent, score=score))
    assert f.severity == severity


def test_score_above_the_points_is_an_error_even_when_close():
    (f,), (result,) = check(block(spent="100.5", budget="100", score="10.05"))
    assert f.severity == "error" and result.recomputed == 10  # capped at 分值
    assert result.working.endswith("= 10分（以分值为上限）")


def test_rate_of_exactly_100_needs_no_cap_note():
    findings, (result,) = check(block(spent="100", budget="100", score="10"))
    assert findings == [] and result.status == "verified" and not result.working.endswith("（以分值为上限）")


def test_no_score_is_unverifiable_but_recomputed():
    findings, (result,) = check(block(spent="96.5", score=""))
    assert findings == [] and (result.status, result.claimed, result.recomputed) == ("unverifiable", None, 9.65)


def test_without_points_the_rate_is_scored_as_an_indicator_row():
    findings, results = check(block(spent="96.5", points="", rate="90%", score="9.65"))
    assert results == [] and [f.location for f in findings] == [RATE_AT]  # the printed rate is still checked


def test_unlocated_score_reports_at_the_total_row():
    _, (result,) = check(block(spent="96.5", score="9.65", located=False))
    assert result.location == TOTAL_AT


# ---------------------------------------------------------------- the printed 执行率


@pytest.mark.parametrize("printed,flagged", [("96.5%", False), ("96.50%", False), ("96.49%", False), ("96.48%", True),
                                             ("96.51%", False), ("96.52%", True), ("97%", False), ("96%", False), ("98%", True)])
def test_printed_rate_each_side_of_its_own_rounding(printed, flagged):
    findings, _ = check(block(spent="96.5", rate=printed, score="9.65"))
    assert bool(findings) is flagged


def test_printed_rate_message():
    (f,), _ = check(block(spent="96.5", rate="95.00%", score="9.65"))
    assert (f.code, f.severity, f.expected, f.found, f.location) == ("score.recomputed_differs", "error", 96.5, 95, RATE_AT)
    assert f.message == "项目资金 预算执行率：表中执行率填95%，但执行率 = 全年执行数96.50 ÷ 全年预算数100.00 = 96.5%。"


# ---------------------------------------------------------------- figures missing


def test_without_a_budget_the_score_is_unverifiable():
    findings, (result,) = check(block(budget="", spent="96.5", rate="96.5%", score="9.65"))
    assert findings == []
    assert (result.status, result.claimed, result.needs, result.location) == ("unverifiable", 9.65, ["全年预算数", "全年执行数"], RATE_AT)
    assert (result.row_index, result.indicator) == (FUNDING_ROW_INDEX, "预算执行率")
    assert check(block(budget="", score=""))[1] == []  # nothing claimed: nothing to report


@pytest.mark.parametrize("budget,spent", [("0", "0"), ("100", ""), ("", "")])
def test_zero_or_missing_figures_are_not_divided(budget, spent):
    _, (result,) = check(block(budget=budget, spent=spent, score="10"))
    assert result.status == "unverifiable"


def test_without_a_total_row_the_block_location_is_used():
    findings, (result,) = check(block(total=False, score="10", located=False))
    assert findings == [] and result.location == BLOCK_AT
    _, (result,) = check(block(budget="", score="10", located=False))
    assert result.location == TOTAL_AT


def test_no_block_no_findings():
    assert check(None) == ([], [])


# ---------------------------------------------------------------- a reason below the rate (四川)


@pytest.mark.parametrize("spent,wanted", [("89.99", True), ("90", False), ("95", False)])
def test_reason_wanted_below_the_rate(spent, wanted):
    findings, _ = check(block(spent=spent, score=""), SICHUAN)
    assert [f.code for f in findings] == (["target.shortfall_without_reason"] if wanted else [])


def test_reason_finding_points_at_the_reason_cell():
    blank = Text(text=" ", location=Location(table=0, row=5, col=2, label="项目资金 原因"))
    (f,), _ = check(block(spent="84", score="", reason=blank), SICHUAN)
    assert (f.severity, f.expected, f.found, f.location) == ("warning", 90, 84, blank.location)
    assert f.message == "项目资金 预算执行率：执行率 = 全年执行数84.00 ÷ 全年预算数100.00 = 84%，低于90%，但未说明原因。"
    given = Text(text="项目延期", location=blank.location)
    assert check(block(spent="84", score="", reason=given), SICHUAN)[0] == []
    (f,), _ = check(block(spent="84", score=""), SICHUAN)
    assert f.location == RATE_AT  # no reason cell: at the rate


# ---------------------------------------------------------------- columns adding up


def parts(*rows):
    return tuple((f"其中：{i}", figures) for i, figures in enumerate(rows))


def test_parts_within_half_a_cent_each_add_up():
    assert check(block(budget="100.01", spent="96.5", parts=parts(("50", "50", "48"), ("50", "50", "48.5"))))[0] == []


def test_parts_beyond_their_rounding_do_not_add_up():
    findings, _ = check(block(budget="100.02", spent="96.5", parts=parts(("50", "50", "48"), ("50", "50", "48.5"))))
    assert [(f.code, f.location.col) for f in findings] == [("table.sum_mismatch", 3), ("table.sum_mismatch", 4)]
    f = findings[0]
    assert (f.severity, f.expected, f.found) == ("error", 100, 100.02)
    assert f.message == "项目资金“年初预算数”列：年度资金总额填100.02万元，但其中：050.00 + 其中：150.00 = 100.00万元，相差0.02万元。"


def test_three_parts_allow_two_cents():
    three = parts(("30", "30", "30"), ("30", "30", "30"), ("40", "40", "36.5"))
    assert check(block(budget="100.02", spent="96.5", parts=three))[0] == []
    assert len(check(block(budget="100.03", spent="96.5", parts=three))[0]) == 2


def test_a_column_with_a_blank_part_is_not_added():
    findings, _ = check(block(budget="120", spent="96.5", parts=parts(("50", "50", "48"), ("", "50", "48.5"))))
    assert [f.location.col for f in findings] == [4]  # 全年预算数 only: 年初预算数 has a blank part


def test_a_blank_total_column_is_not_added():
    findings, _ = check(block(budget="", spent="96.5", score="", parts=parts(("50", "50", "48"), ("60", "60", "48.5"))))
    assert findings == []


def test_figures_in_thousandths_are_reported_to_the_cent():
    findings, _ = check(block(budget="100.03", spent="96.5", parts=parts(("50.004", "50.004", "48"), ("50.003", "50.003", "48.5"))))
    assert [f.expected for f in findings] == [100.01, 100.01]  # 年初 and 全年预算数
    findings, (result,) = check(block(spent="96.543", rate="95%", score="9.5"))
    assert [(x.expected, x.found) for x in findings] == [(96.54, 95), (9.65, 9.5)] and result.recomputed == 9.65
    (f,), _ = check(block(spent="84.123", score=""), SICHUAN)
    assert f.found == 84.12


def test_a_budget_under_one_unit_is_still_divided():
    findings, (result,) = check(block(budget="0.5", spent="0.5", score="10"))
    assert findings == [] and result.status == "verified"
