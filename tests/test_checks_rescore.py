"""Re-scoring from the report's own figures: one changed figure or score per test."""

from __future__ import annotations

import pytest

from checks_seed import paragraph, score_row, seed_report, set_cell, set_score
from reviewer.checks import run_checks
from reviewer.checks.rescore import match
from reviewer.numbers import parse_number
from reviewer.rubric import DEFAULT_RUBRIC, load_rubric

RUBRIC = load_rubric()


def _run(report):
    findings, results = run_checks(report, RUBRIC)
    return findings, {r.indicator: r for r in results}


def _only(findings, code, row):
    hits = [f for f in findings if f.code == code and f.location == row.self_score.location]
    assert len(hits) == 1, [(f.code, f.location.label) for f in findings]
    return hits[0]


def _set_in_service(report, raw):
    report.staff.in_service = parse_number(raw, report.staff.in_service.location, "人")


# ---------------------------------------------------------------- 财政供养人员控制率


def test_staff_over_quota_contradicts_full_marks():
    report = seed_report()
    _set_in_service(report, "35")  # 35 / 34 = 102.94%: 2.94 points over
    row = score_row(report, "财政供养人员控制率")
    findings, by_name = _run(report)
    f = _only(findings, "score.recomputed_differs", row)
    assert f.severity == "error"
    assert (f.expected, f.found) == ("3.5～3.53", 5)  # linear 3.53, whole points rounded up 3.5
    assert "35 ÷ 34 × 100 = 102.9%" in f.message and "5 − 0.5×2.94 = 3.53" in f.message
    r = by_name["财政供养人员控制率"]
    assert (r.status, r.claimed, r.recomputed) == ("wrong", 5, 3.53)


@pytest.mark.parametrize("claimed,status", [("3.5", "verified"), ("3.53", "verified"), ("3", "wrong"), ("4", "wrong")])
def test_fractions_of_a_point_accept_linear_to_rounded_up(claimed, status):
    report = seed_report()
    _set_in_service(report, "35")
    set_score(score_row(report, "财政供养人员控制率"), claimed)
    _, by_name = _run(report)
    assert by_name["财政供养人员控制率"].status == status


def test_staff_control_never_falls_back_to_actual_headcount():
    report = seed_report()
    report.staff.in_service = parse_number("", report.staff.in_service.location)
    row = score_row(report, "财政供养人员控制率")
    findings, by_name = _run(report)
    f = _only(findings, "score.unverifiable", row)
    assert f.severity == "info" and "在职人数" in f.message
    assert by_name["财政供养人员控制率"].status == "unverifiable"  # not 36/34 = 105.9% → wrong


def test_deduction_floors_at_zero():
    report = seed_report()
    _set_in_service(report, "50")
    set_score(score_row(report, "财政供养人员控制率"), "0")
    score_row(report, "财政供养人员控制率").reason.text = "超编"
    _, by_name = _run(report)
    assert by_name["财政供养人员控制率"].status == "verified"


# ---------------------------------------------------------------- 三公经费变动率


def test_sangong_increase_contradicts_full_marks():
    report = seed_report()
    para = paragraph(report, "六", "三公")
    para.text = para.text.replace("比上年减少6828元，下降56.44%", "比上年增加1270元，增长31.75%")
    row = score_row(report, "“三公经费”变动率")
    findings, by_name = _run(report)
    f = _only(findings, "score.recomputed_differs", row)
    assert (f.severity, f.expected, f.found) == ("error", 0, 5)
    assert "31.75%" in f.message
    assert by_name["“三公经费”变动率"].status == "wrong"
    assert not [f for f in findings if f.code == "narrative.figure_mismatch"]  # the sentence itself is consistent


def test_sangong_without_previous_year_is_unverifiable():
    report = seed_report()
    para = paragraph(report, "六", "三公")
    para.text = para.text.replace("，比上年减少6828元，下降56.44%", "")
    row = score_row(report, "“三公经费”变动率")
    findings, by_name = _run(report)
    f = _only(findings, "score.unverifiable", row)
    assert "上年“三公”经费" in f.message
    assert by_name["“三公经费”变动率"].needs == ["上年“三公”经费（或“比上年增减N元”）"]


# ---------------------------------------------------------------- 资金结余


def test_balance_within_carryover_scores_two():
    report = seed_report()
    for org in (0, 1):
        set_cell(report, "income", "carryover", "20.00", org)
        set_cell(report, "income", "general_budget", "574.97", org)
        set_cell(report, "spending", "balance_year", "10.00", org)
    row = score_row(report, "资金结余")
    findings, by_name = _run(report)
    f = _only(findings, "score.recomputed_differs", row)
    assert (f.expected, f.found) == (2, 3)
    assert "当年结余10万元，上年结转20万元" in f.message and "≤上年结转20万元" in f.message


def test_balance_over_carryover_scores_nothing():
    report = seed_report()
    set_cell(report, "spending", "balance_year", "10.00")
    findings, by_name = _run(report)
    f = _only(findings, "score.recomputed_differs", score_row(report, "资金结余"))
    assert (f.expected, f.found) == (0, 3)


# ---------------------------------------------------------------- 固定资产利用率


def test_assets_in_use_below_total():
    report = seed_report()
    for org in (0, 1):
        set_cell(report, "assets", "in_use", "200.00", org)
        set_cell(report, "assets", "other", "26.71", org)
    row = score_row(report, "固定资产利用率")
    findings, by_name = _run(report)
    assert not [f for f in findings if f.code == "table.sum_mismatch"]
    f = _only(findings, "score.recomputed_differs", row)
    assert (f.severity, f.expected, f.found) == ("error", "1.8～1.82", 3)  # 88.22%: 11.78 points under
    assert "200 ÷ 226.71 × 100 = 88.22%" in f.message


# ---------------------------------------------------------------- 满意度


def test_satisfaction_rate_given_and_supports_full_marks():
    report = seed_report()
    paragraph(report, "六", "三公").text += "经抽样调查，服务对象满意度达到98%。"
    findings, by_name = _run(report)
    assert by_name["社会公众或服务对象满意度"].status == "verified"
    assert not [f for f in findings if f.code == "score.unsupported"]


def test_satisfaction_rate_asserted_without_a_survey_does_not_support_full_marks():
    report = seed_report()
    paragraph(report, "六", "三公").text += "服务对象满意度达到98%。"
    findings, by_name = _run(report)
    assert by_name["社会公众或服务对象满意度"].status != "verified"
    assert [f for f in findings if f.code == "score.unsupported" and "满意度" in f.location.label]


def test_satisfaction_rate_given_and_too_low():
    report = seed_report()
    paragraph(report, "六", "三公").text += "经问卷调查，满意率为90%。"
    row = score_row(report, "社会公众或服务对象满意度")
    findings, by_name = _run(report)
    f = _only(findings, "score.recomputed_differs", row)
    assert (f.expected, f.found) == (3, 5)


def test_missing_satisfaction_with_a_deduction_is_only_unverifiable():
    report = seed_report()
    row = score_row(report, "社会公众或服务对象满意度")
    set_score(row, "3")
    row.reason.text = "未开展满意度调查"
    findings, by_name = _run(report)
    assert _only(findings, "score.unverifiable", row).severity == "info"
    assert by_name["社会公众或服务对象满意度"].status == "unverifiable"


# ---------------------------------------------------------------- rubric handling


def test_unverified_rule_is_never_an_error(tmp_path):
    text = DEFAULT_RUBRIC.read_text(encoding="utf-8")
    rule = '    deduct: {full_if: "<=", threshold: 100, per_unit: 0.5}\n'
    assert text.count(rule) == 1
    path = tmp_path / "unverified.yaml"
    path.write_text(text.replace(rule, rule + "    unverified: true\n"), encoding="utf-8")
    rubric = load_rubric(path)
    assert rubric.indicators[0].unverified
    report = seed_report()
    _set_in_service(report, "35")
    findings, results = run_checks(report, rubric)
    (f,) = [f for f in findings if f.code == "score.recomputed_differs"]
    assert f.severity == "warning" and "待核实" in f.message
    assert results[0].status == "doubtful"


def test_row_not_in_rubric_is_not_checked():
    report = seed_report()
    row = score_row(report, "支付进度")
    row.level3 = "办公室自定义指标"
    findings, by_name = _run(report)
    assert by_name["办公室自定义指标"].status == "not_checked"
    (f,) = [f for f in findings if f.location == row.location]
    assert (f.code, f.severity) == ("score.unverifiable", "info")


def test_reweighted_row_scores_against_its_own_points():
    report = seed_report()
    row = score_row(report, "固定资产利用率")
    set_score(row, "4", field="points")
    set_score(row, "4")
    _, by_name = _run(report)
    assert by_name["固定资产利用率"].status == "verified"


@pytest.mark.parametrize(
    "level2,level3,expected",
    [
        ("预算配置（15分）", "“三公经费” 变动率", "sangong_change"),
        ("预算配置（15分）", "\"三公经费\"变动率", "sangong_change"),
        ("预算管理（15分）", "管理制度健全性", "budget_rules"),
        ("资产管理（10分）", "管理制度健全性", "asset_rules"),
        ("履职效益（20分）", "生态效益", "benefits"),
        ("职责履行（25分）", "政府工作报告目标任务完成情况", "output_work_report"),
        ("预算配置（15分）", "在职人员控制率（%）", "staff_control"),
    ],
)
def test_rows_match_by_name_ignoring_quotes_and_spaces(level2, level3, expected):
    report = seed_report()
    row = report.score_table.rows[0].model_copy(update={"level2": level2, "level3": level3})
    assert match(RUBRIC, row).id == expected


def test_checks_keep_away_from_other_layers():
    import ast
    from pathlib import Path

    import reviewer.checks

    forbidden = ("reviewer.llm", "reviewer.ingest", "reviewer.memo", "reviewer.cli")
    for path in Path(reviewer.checks.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not [n for n in names if n.startswith(forbidden)], f"{path.name} imports {names}"
