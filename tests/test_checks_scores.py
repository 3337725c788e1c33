"""评分表 arithmetic, grade and deduction reasons: one planted fault per test."""

from __future__ import annotations

from checks_seed import score_row, seed_report, set_score
from reviewer.checks.scores import check_score_table
from reviewer.rubric import load_rubric

RUBRIC = load_rubric()


def _codes(findings):
    return sorted(f.code for f in findings)


def test_seed_score_table_is_consistent():
    assert check_score_table(seed_report(), RUBRIC) == []


def test_score_above_points():
    report = seed_report()
    row = score_row(report, "资金结余")
    set_score(row, "4")
    findings = check_score_table(report, RUBRIC)
    (f,) = [f for f in findings if f.code == "score.exceeds_max"]
    assert f.severity == "error"
    assert f.location == row.self_score.location and (f.location.table, f.location.row, f.location.col) == (1, 6, 5)
    assert (f.expected, f.found) == (3, 4)
    # and the scores no longer add up to the printed 99
    assert _codes(findings) == ["score.exceeds_max", "score.total_mismatch", "score.total_mismatch"]


def test_changed_score_breaks_the_totals():
    report = seed_report()
    row = score_row(report, "支付进度")
    set_score(row, "2")
    row.reason.text = "一个专项未按时下达"
    findings = check_score_table(report, RUBRIC)
    assert _codes(findings) == ["score.total_mismatch", "score.total_mismatch"]
    by_label = {f.location.label: f for f in findings}
    table_total = by_label["评分表 总分 自评得分"]
    assert (table_total.expected, table_total.found) == (98, 99)
    assert table_total.location == report.score_table.total_self_score.location
    overall = by_label["绩效自评综合得分"]
    assert (overall.expected, overall.found) == (98, 99)
    assert overall.location == report.total_score.location


def test_points_must_add_up_to_subtotals_and_100():
    report = seed_report()
    set_score(score_row(report, "预算调整率"), "4", field="points")
    findings = check_score_table(report, RUBRIC)
    # 3 of 4 points now reads as a deduction without a reason, too
    assert _codes(findings).count("score.deduction_without_reason") == 1
    findings = [f for f in findings if f.code == "score.total_mismatch"]
    assert len(findings) == 3 and all(f.severity == "error" for f in findings)
    found = {(f.location.label, f.expected, f.found) for f in findings}
    assert ("评分表 过程（40分）", 41, 40) in found
    assert ("评分表 预算执行（15分）", 16, 15) in found
    assert ("评分表 总分 分值", 101, 100) in found
    level2 = next(f for f in findings if f.location.label == "评分表 预算执行（15分）")
    assert level2.location.row == 4  # the group's first row (预算调整率)
    assert "3 + 4 + 3 + 6" not in level2.message and "4 + 3 + 3 + 6 = 16" in level2.message


def test_points_sum_checked_against_100_when_total_row_agrees():
    report = seed_report()
    set_score(score_row(report, "预算调整率"), "4", field="points")
    set_score(report.score_table, "101", field="total_points")
    (total,) = [f for f in check_score_table(report, RUBRIC) if "100分" in f.message]
    assert (total.expected, total.found) == (100, 101)


def test_wrong_grade():
    report = seed_report()
    report.grade.text = "良好"
    (f,) = check_score_table(report, RUBRIC)
    assert f.code == "score.grade_mismatch" and f.severity == "error"
    assert f.location == report.grade.location
    assert (f.expected, f.found) == ("优秀", "良好")
    assert "99分" in f.message


def test_grade_synonyms_accepted():
    report = seed_report()
    report.grade.text = " 优 "
    assert check_score_table(report, RUBRIC) == []


def test_unknown_grade_word_is_a_warning():
    report = seed_report()
    report.grade.text = "很好"
    (f,) = check_score_table(report, RUBRIC)
    assert (f.code, f.severity, f.expected, f.found) == ("score.grade_mismatch", "warning", "优秀", "很好")


def test_grade_follows_the_resummed_score_and_boundaries_are_only_warnings():
    report = seed_report()
    set_score(score_row(report, "经济效益"), "6")  # 99 − 9 = 90: exactly the 优秀 boundary
    score_row(report, "经济效益").reason.text = "调研成果不足"
    set_score(report.score_table, "90", field="total_self_score")
    report.total_score = report.total_score.model_copy(update={"value": 90.0, "raw": "90分"})
    report.grade.text = "良好"
    (f,) = check_score_table(report, RUBRIC)
    assert (f.code, f.severity, f.expected, f.found) == ("score.grade_mismatch", "warning", "优秀", "良好")


def test_grade_mismatch_after_resumming_even_if_the_printed_total_is_stale():
    report = seed_report()
    set_score(score_row(report, "经济效益"), "5")
    score_row(report, "经济效益").reason.text = "x"
    findings = check_score_table(report, RUBRIC)
    (grade,) = [f for f in findings if f.code == "score.grade_mismatch"]
    assert (grade.severity, grade.expected, grade.found) == ("error", "良好", "优秀")  # 89 by the rows


def test_deduction_without_reason():
    report = seed_report()
    row = score_row(report, "管理制度健全性", level2="预算管理")
    row.reason.text = ""
    (f,) = check_score_table(report, RUBRIC)
    assert (f.code, f.severity) == ("score.deduction_without_reason", "warning")
    assert f.location == row.reason.location and (f.location.row, f.location.col) == (8, 6)
    assert (f.expected, f.found) == (3, 2)
    assert "扣1分" in f.message


def test_placeholder_reason_does_not_count():
    report = seed_report()
    score_row(report, "管理制度健全性", level2="预算管理").reason.text = "无"
    assert _codes(check_score_table(report, RUBRIC)) == ["score.deduction_without_reason"]


def test_merged_group_reason_on_another_row_counts():
    report = seed_report()
    row = score_row(report, "经济效益")
    set_score(row, "14")
    set_score(report.score_table, "98", field="total_self_score")
    report.total_score = report.total_score.model_copy(update={"value": 98.0})
    score_row(report, "生态效益").reason.text = "垃圾分类尚未全覆盖"
    assert check_score_table(report, RUBRIC) == []
