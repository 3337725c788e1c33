"""The seed report is right: its tables add up, its rates follow from its amounts, and the
indicators the report gives figures for re-score to the self-scores. Other test files plant one
fault each and show the same checks catch it — so a silent pass here means a real pass."""

from __future__ import annotations


import pytest

import checks_seed
from checks_seed import SCORE_ROWS, set_cell
from reviewer.checks import run_checks
from reviewer.checks.statements import parse_report
from reviewer.findings import Finding
from reviewer.rubric import load_rubric

RUBRIC = load_rubric()
NO_DATA = ["重点支出安排率", "预算调整率", "支付进度", "“三公经费”控制率", "政府采购执行率", "公务卡刷卡率"]


@pytest.fixture(scope="module")
def checked():
    report = checks_seed.seed_report()
    findings, results = run_checks(report, RUBRIC)
    return report, findings, {r.indicator: r for r in results}, results


def test_no_error_and_only_the_expected_warnings(checked):
    _, findings, _, _ = checked
    assert [f for f in findings if f.severity == "error"] == []
    assert [(f.code, f.location.label) for f in findings if f.severity == "warning"] == [
        ("score.unsupported", "评分表 社会公众或服务对象满意度 自评得分")
    ]
    assert all(isinstance(f, Finding) and f.source == "checks" for f in findings)


def test_one_result_per_score_row(checked):
    _, _, _, results = checked
    assert [r.row_index for r in results] == list(range(len(SCORE_ROWS)))
    assert [r.indicator for r in results] == [row[2] for row in SCORE_ROWS]


def test_staff_control_uses_in_service_not_actual(checked):
    _, _, by_name, _ = checked
    r = by_name["财政供养人员控制率"]
    assert (r.status, r.claimed, r.recomputed) == ("verified", 5, 5)
    assert "31 ÷ 34" in r.working and "91.2%" in r.working
    assert "36" not in r.working  # 实有 includes retirees


def test_sangong_change_from_the_narrative(checked):
    _, _, by_name, _ = checked
    r = by_name["“三公经费”变动率"]
    assert (r.status, r.recomputed) == ("verified", 5)
    assert "-56.44%" in r.working and "1.2098" in r.working  # 5270元 + 6828元 the year before


def test_assets_and_balance_verified(checked):
    _, _, by_name, _ = checked
    assert by_name["固定资产利用率"].status == "verified"
    assert "226.71 ÷ 226.71 × 100 = 100%" in by_name["固定资产利用率"].working
    assert by_name["资金结余"].status == "verified"
    assert "无结余" in by_name["资金结余"].working


def test_satisfaction_full_marks_unsupported(checked):
    report, findings, by_name, _ = checked
    r = by_name["社会公众或服务对象满意度"]
    assert r.status == "doubtful" and r.needs
    (f,) = [f for f in findings if f.code == "score.unsupported"]
    assert f.severity == "warning"
    assert f.location == report.score_table.rows[24].self_score.location
    assert f.found == 5 and "满意率" in f.expected


def test_indicators_without_data_are_unverifiable(checked):
    report, findings, by_name, _ = checked
    for name in NO_DATA:
        assert by_name[name].status == "unverifiable" and by_name[name].needs, name
    per_row = [f for f in findings if f.code == "score.unverifiable" and f.location.row is not None and f.location.col is not None]
    assert sorted(f.location.label for f in per_row) == sorted(f"评分表 {n} 自评得分" for n in NO_DATA)
    assert all(f.severity == "info" for f in per_row)
    assert "实际政府采购金额" in by_name["政府采购执行率"].needs
    # qualitative rows: one grouped info finding at the 评分表, and each row unverifiable
    (grouped,) = [f for f in findings if f.code == "score.unverifiable" and f.location == report.score_table.location]
    assert "资产管理安全性" in grouped.message and "经济效益" in grouped.message
    assert by_name["社会效益"].status == "unverifiable" and "共用分值" in by_name["社会效益"].working


def test_the_narrative_figures_were_read():
    # Guard against a parser that silently reads nothing (then nothing could mismatch).
    statements = parse_report(checks_seed.seed_report())
    assert [(s.subject, s.amount.raw, s.change.raw if s.change else None, s.rate.raw if s.rate else None, s.share.raw if s.share else None) for s in statements] == [
        ("basic", "516.14万元", "152.09万元", "41.78%", None),
        ("personnel", "415.50万元", None, None, "80.5%"),
        ("public", "100.64万元", None, None, "19.5%"),
        ("project", "78.83万元", "51.57万元", "39.55%", None),
        ("sangong", "5270元", "6828元", "56.44%", None),
    ]


CELLS = [
    (key, col, org)
    for key, cols in {
        "income": ["total", "general_budget"],
        "spending": ["total", "basic", "personnel", "public", "project"],
        "sangong": ["total", "reception"],
        "assets": ["total", "in_use"],
    }.items()
    for col in cols
    for org in (0, 1)
]


@pytest.mark.parametrize("key,col,org", CELLS)
def test_every_seed_figure_is_checked(key, col, org):
    """Nudge any figure by 0.02 万元 (beyond rounding): some sum must break."""
    report = checks_seed.seed_report()
    old = report.tables[key].rows[org].values[col].value
    set_cell(report, key, col, f"{old + 0.02:.2f}", org)
    findings, _ = run_checks(report, RUBRIC)
    assert any(f.code == "table.sum_mismatch" and f.severity == "error" for f in findings)


def test_ingested_seed_gives_the_same_review(seed_report):
    """The .docx read by ingest (conftest's seed_report) reviews like the hand-built model."""
    findings, results = run_checks(seed_report, RUBRIC)
    hand_findings, hand_results = run_checks(checks_seed.seed_report(), RUBRIC)
    assert [f for f in findings if f.severity == "error"] == []
    assert sorted((f.code, f.severity) for f in findings) == sorted((f.code, f.severity) for f in hand_findings)
    assert [(r.indicator, r.status) for r in results] == [(r.indicator, r.status) for r in hand_results]
