"""Money tables: one planted fault per test, asserting code, location and the numbers."""

from __future__ import annotations

from checks_seed import FORM, cell, seed_report, set_cell
from reviewer.checks.money import check_money_tables


def _sums(report):
    return [f for f in check_money_tables(report) if f.code == "table.sum_mismatch"]


def _at(findings, number):
    return [f for f in findings if f.location == number.location]


def test_seed_tables_add_up():
    assert check_money_tables(seed_report()) == []


def test_changed_basic_spending_breaks_three_sums():
    report = seed_report()
    set_cell(report, "spending", "basic", "516.24", org=1)  # 局机关 row
    findings = _sums(report)
    assert len(findings) == 3 and all(f.severity == "error" for f in findings)

    (row_total,) = _at(findings, cell(report, "spending", "total", 1))  # 支出合计 ≠ 基本 + 项目
    assert (row_total.expected, row_total.found) == (595.07, 594.97)
    assert row_total.location.table == FORM and row_total.location.row == 19
    assert "基本支出516.24 + 项目支出78.83 = 595.07" in row_total.message

    (basic,) = _at(findings, cell(report, "spending", "basic", 1))  # 基本 ≠ 人员 + 公用
    assert (basic.expected, basic.found) == (516.14, 516.24)
    assert "人员支出415.50 + 公用支出100.64" in basic.message

    (summary,) = _at(findings, cell(report, "spending", "basic", 0))  # 汇总 ≠ sum of the orgs
    assert (summary.expected, summary.found) == (516.24, 516.14)
    assert summary.location.row == 18 and "局机关及二级机构汇总" in summary.message


def test_rounding_is_allowed_but_not_more():
    report = seed_report()
    # 516.14 + 78.83 printed from unrounded parts may print as 594.98: half a cent per figure
    set_cell(report, "spending", "total", "594.98", org=0)
    set_cell(report, "spending", "total", "594.98", org=1)
    assert _sums(report) == []
    set_cell(report, "spending", "total", "594.99", org=1)
    (f,) = _at(_sums(report), cell(report, "spending", "total", 1))
    assert (f.expected, f.found) == (594.97, 594.99)


def test_sangong_items_must_add_up():
    report = seed_report()
    set_cell(report, "sangong", "reception", "0.63", org=0)
    findings = _sums(report)
    (total,) = _at(findings, cell(report, "sangong", "total", 0))
    assert (total.expected, total.found) == (0.63, 0.53)
    (summary,) = _at(findings, cell(report, "sangong", "reception", 0))
    assert (summary.expected, summary.found) == (0.53, 0.63)


def test_assets_total_is_in_use_plus_leased_plus_other():
    report = seed_report()
    set_cell(report, "assets", "in_use", "200.00", org=1)
    findings = _sums(report)
    (f,) = _at(findings, cell(report, "assets", "total", 1))
    assert (f.expected, f.found) == (200.0, 226.71)
    assert f.location.row == 31


def test_income_total_is_the_sum_of_its_sources():
    report = seed_report()
    set_cell(report, "income", "general_budget", "584.97", org=0)
    set_cell(report, "income", "general_budget", "584.97", org=1)
    findings = _sums(report)
    assert {f.location.row for f in findings} == {10, 11}
    assert all((f.expected, f.found) == (584.97, 594.97) for f in findings)


def test_blank_organisation_rows_count_as_nothing_but_filled_ones_count():
    report = seed_report()
    assert cell(report, "assets", "total", 2).state == "missing"
    set_cell(report, "assets", "total", "10.00", org=2)
    set_cell(report, "assets", "in_use", "10.00", org=2)
    findings = _sums(report)
    assert {f.location.col for f in findings} == {1, 2}  # 汇总 合计 and 在用 no longer the sum
    (f,) = _at(findings, cell(report, "assets", "total", 0))
    assert (f.expected, f.found) == (236.71, 226.71)


def test_none_marks_count_as_zero():
    report = seed_report()
    set_cell(report, "sangong", "vehicle_running", "无", org=1)
    set_cell(report, "sangong", "overseas", "—", org=1)
    assert _sums(report) == []


def test_unparsed_part_skips_the_sum():
    report = seed_report()
    set_cell(report, "spending", "project", "约78万", org=1)
    # the unreadable cell is ingest's to report; no sum is claimed over it
    assert _at(_sums(report), cell(report, "spending", "total", 1)) == []


def test_balance_must_follow_income_minus_spending():
    report = seed_report()
    set_cell(report, "spending", "balance_year", "10.00", org=1)
    set_cell(report, "spending", "balance_year", "10.00", org=0)
    findings = _sums(report)
    assert len(findings) == 2
    f = _at(findings, cell(report, "spending", "balance_year", 1))[0]
    # the form does not define 当年结余: a question to the department, not a proven error
    assert f.severity == "warning"
    assert (f.expected, f.found) == (0.0, 10.0)
    assert "收入合计594.97 − 支出合计594.97" in f.message


def test_balance_may_exclude_the_carryover():
    report = seed_report()
    for org in (0, 1):
        set_cell(report, "income", "carryover", "20.00", org)
        set_cell(report, "income", "general_budget", "574.97", org)
        set_cell(report, "spending", "total", "574.97", org)
        set_cell(report, "spending", "basic", "496.14", org)
        set_cell(report, "spending", "public", "80.64", org)
        set_cell(report, "spending", "balance_year", "20.00", org)  # 收入合计 − 支出合计
    assert _sums(report) == []
    for org in (0, 1):
        set_cell(report, "spending", "balance_year", "0", org)  # 本年收入 − 本年支出
    assert _sums(report) == []


def test_yuan_table_uses_yuan_rounding():
    report = seed_report()
    table = report.tables["sangong"]
    table.unit = "元"
    for org in (0, 1):
        set_cell(report, "sangong", "total", "5270", org)
        set_cell(report, "sangong", "reception", "5270", org)
    assert _sums(report) == []
    set_cell(report, "sangong", "reception", "5272", 1)
    (f,) = _at(_sums(report), cell(report, "sangong", "total", 1))
    assert (f.expected, f.found) == (5272, 5270) and "元" in f.message
