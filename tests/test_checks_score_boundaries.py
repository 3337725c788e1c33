"""评分表 checks at their edges: a score just above its points, fractional scores and totals."""

from __future__ import annotations

import pytest

from checks_seed import score_row, seed_report, set_score
from reviewer.checks.scores import check_score_table
from reviewer.rubric import load_rubric

RUBRIC = load_rubric()


def _exceeds(report):
    return [f for f in check_score_table(report, RUBRIC) if f.code == "score.exceeds_max"]


@pytest.mark.parametrize("score", ["3.5", "3.01", "3.1"])
def test_a_score_any_amount_above_its_points_is_flagged(score):
    report = seed_report()
    row = score_row(report, "资金结余")  # a 3-point row
    assert row.points.value == 3
    set_score(row, score)
    (f,) = _exceeds(report)
    assert (f.expected, f.found) == (3, float(score))
    assert f"自评得分{score}分高于该项分值3分" in f.message


@pytest.mark.parametrize("score", ["3", "3.0", "2.5"])
def test_a_score_at_or_under_its_points_is_not(score):
    report = seed_report()
    set_score(score_row(report, "资金结余"), score)
    assert _exceeds(report) == []


def test_a_fractional_deduction_is_added_up_to_the_half_point():
    report = seed_report()
    row = score_row(report, "资金结余")
    set_score(row, "2.5")
    row.reason.text = "结余资金未及时上缴"
    findings = check_score_table(report, RUBRIC)
    totals = [f for f in findings if f.code == "score.total_mismatch"]
    assert len(totals) == 2
    assert {(f.expected, f.found) for f in totals} == {(98.5, 99)}
    assert all("98.5" in f.message for f in totals)
    assert [f for f in findings if f.code == "score.deduction_without_reason"] == []


def test_fractional_totals_that_add_up_are_not_flagged():
    report = seed_report()
    row = score_row(report, "资金结余")
    set_score(row, "2.5")
    row.reason.text = "结余资金未及时上缴"
    set_score(report.score_table, "98.5", field="total_self_score")
    report.total_score = report.total_score.model_copy(update={"value": 98.5, "raw": "98.5分"})
    assert check_score_table(report, RUBRIC) == []


def test_a_fractional_deduction_needs_a_reason_too():
    report = seed_report()
    row = score_row(report, "资金结余")
    set_score(row, "2.5")
    row.reason.text = ""
    set_score(report.score_table, "98.5", field="total_self_score")
    report.total_score = report.total_score.model_copy(update={"value": 98.5, "raw": "98.5分"})
    (f,) = check_score_table(report, RUBRIC)
    assert (f.code, f.expected, f.found) == ("score.deduction_without_reason", 3, 2.5)
    assert "扣0.5分" in f.message


# --- rows and totals that cannot be read -------------------------------------------------------

def test_a_score_with_unreadable_points_is_not_compared_and_later_rows_still_are():
    report = seed_report()
    set_score(score_row(report, "预算调整率"), "", field="points")  # a self-score with no readable 分值
    set_score(score_row(report, "资金结余"), "4")                   # a later row above its points
    (f,) = _exceeds(report)
    assert f.location == score_row(report, "资金结余").self_score.location


def test_unreadable_self_scores_are_not_summed_as_zero():
    report = seed_report()
    for row in report.score_table.rows:
        set_score(row, "")
    findings = check_score_table(report, RUBRIC)
    assert [f for f in findings if f.code == "score.total_mismatch"] == []
    # the grade then follows the printed 综合得分, and says so
    report.grade.text = "良好"
    (grade,) = [f for f in check_score_table(report, RUBRIC) if f.code == "score.grade_mismatch"]
    assert (grade.expected, grade.found) == ("优秀", "良好")
    assert "按绩效自评综合得分99分" in grade.message or "但绩效自评综合得分为99分" in grade.message


def test_no_score_anywhere_means_no_grade_check():
    report = seed_report()
    for row in report.score_table.rows:
        set_score(row, "")
    report.total_score = report.total_score.model_copy(update={"value": None, "raw": ""})
    report.grade.text = "差"
    assert [f for f in check_score_table(report, RUBRIC) if f.code == "score.grade_mismatch"] == []


def test_unreadable_points_are_not_summed_as_zero():
    report = seed_report()
    for row in report.score_table.rows:
        set_score(row, "", field="points")
    assert [f for f in check_score_table(report, RUBRIC) if f.code == "score.total_mismatch" and "分值" in f.message] == []


def test_points_against_the_rubric_total_when_the_total_row_is_unreadable():
    report = seed_report()
    set_score(score_row(report, "预算调整率"), "4", field="points")
    set_score(report.score_table, "", field="total_points")
    (f,) = [f for f in check_score_table(report, RUBRIC) if f.code == "score.total_mismatch" and "应为100分" in f.message]
    assert f.location == report.score_table.location
    assert (f.expected, f.found) == (100, 101)


def test_each_printed_total_is_named_in_its_message():
    report = seed_report()
    row = score_row(report, "资金结余")
    set_score(row, "2")
    row.reason.text = "结余未上缴"
    messages = sorted(f.message for f in check_score_table(report, RUBRIC) if f.code == "score.total_mismatch")
    assert messages == [
        "绩效自评综合得分填99分，但评分表各项自评得分合计为98分。",
        "评分表总分行的自评得分填99分，但评分表各项自评得分合计为98分。",
    ]


def test_subtotal_messages_name_their_level():
    report = seed_report()
    set_score(score_row(report, "预算调整率"), "4", field="points")
    messages = [f.message for f in check_score_table(report, RUBRIC) if f.code == "score.total_mismatch"]
    assert any(m.startswith("评分表一级指标“过程（40分）”") for m in messages), messages
    assert any(m.startswith("评分表二级指标“预算执行（15分）”") for m in messages), messages


def test_a_group_without_a_printed_subtotal_does_not_stop_the_others():
    report = seed_report()
    for row in report.score_table.rows:
        if row.level1 == "投入（15分）":
            row.level1 = "投入"  # nothing printed to check against
            row.level2 = "预算配置"
    set_score(score_row(report, "预算调整率"), "4", field="points")
    labels = {f.location.label for f in check_score_table(report, RUBRIC) if f.code == "score.total_mismatch"}
    assert {"评分表 过程（40分）", "评分表 预算执行（15分）"} <= labels


# --- grade and deduction edges -----------------------------------------------------------------

def test_an_unknown_grade_word_points_at_the_grade_cell():
    report = seed_report()
    report.grade.text = "很好"
    (f,) = check_score_table(report, RUBRIC)
    assert f.location == report.grade.location


def test_only_a_score_on_a_grade_boundary_says_the_boundary_is_unverified():
    report = seed_report()
    report.grade.text = "良好"  # 99: plainly 优秀
    (f,) = check_score_table(report, RUBRIC)
    assert f.severity == "error" and "边界" not in f.message
    row = score_row(report, "经济效益")
    set_score(row, "6")  # 90: on the 优秀 boundary
    row.reason.text = "调研成果不足"
    set_score(report.score_table, "90", field="total_self_score")
    report.total_score = report.total_score.model_copy(update={"value": 90.0, "raw": "90分"})
    (f,) = check_score_table(report, RUBRIC)
    assert f.severity == "warning" and f.message.endswith("（该分数恰在等次边界上，边界归属待核实。）")


@pytest.mark.parametrize("reason", ["无", "/", "-", "—", "  "])
def test_a_placeholder_is_no_reason_for_a_deduction(reason):
    report = seed_report()
    row = score_row(report, "管理制度健全性", level2="预算管理")
    row.reason.text = reason
    (f,) = check_score_table(report, RUBRIC)
    assert f.code == "score.deduction_without_reason"


def test_every_deduction_is_checked_past_unreadable_rows_and_rows_with_reasons():
    report = seed_report()
    set_score(score_row(report, "财政供养人员控制率"), "", field="points")   # unreadable, earlier in the table
    set_score(score_row(report, "财政供养人员控制率"), "4")
    late = score_row(report, "公务卡刷卡率")                                 # after 管理制度健全性, which has its reason
    set_score(late, "2")
    late.reason.text = ""
    deductions = [f for f in check_score_table(report, RUBRIC) if f.code == "score.deduction_without_reason"]
    assert [f.location for f in deductions] == [late.reason.location]


def test_full_marks_need_no_reason():
    report = seed_report()
    row = score_row(report, "资金结余")
    row.reason.text = ""
    assert check_score_table(report, RUBRIC) == []


def test_an_unreadable_group_does_not_stop_the_subtotals_after_it():
    report = seed_report()
    for row in report.score_table.rows:
        if row.level1 == "投入（15分）":
            set_score(row, "", field="points")
    set_score(score_row(report, "预算调整率"), "4", field="points")
    labels = {f.location.label for f in check_score_table(report, RUBRIC) if f.code == "score.total_mismatch"}
    assert "评分表 投入（15分）" not in labels
    assert {"评分表 过程（40分）", "评分表 预算执行（15分）"} <= labels


def test_points_off_the_rubric_total_point_at_the_total_row_that_agrees_with_them():
    report = seed_report()
    set_score(score_row(report, "预算调整率"), "4", field="points")
    set_score(report.score_table, "101", field="total_points")
    (f,) = [f for f in check_score_table(report, RUBRIC) if "应为100分" in f.message]
    assert f.location == report.score_table.total_points.location


def test_the_grade_message_names_what_the_grade_follows():
    report = seed_report()
    report.grade.text = "良好"
    (f,) = check_score_table(report, RUBRIC)
    assert f.message == "评价等次填“良好”，但评分表各项自评得分合计为99分，按评分办法应为“优秀”。"
