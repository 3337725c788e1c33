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
