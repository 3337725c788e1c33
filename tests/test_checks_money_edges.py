"""Money tables at their edges: every relation of a row and every column of the 汇总 row is checked
even when an earlier one is skipped, rounding allowances on each side, and the 当年结余 question.

Planted faults on the seed report (no files), one a test."""

from __future__ import annotations

import pytest

from checks_seed import cell, seed_report, set_cell
from reviewer.checks.money import check_money_tables


def _at(report, key, column, org, saying=""):
    where = cell(report, key, column, org).location
    return [f for f in check_money_tables(report) if f.location == where and saying in f.message]


ACROSS = "各机构合计"  # the 汇总 row against its organisations
BALANCE = "收支与结余"  # 当年结余 against 收入 − 支出


# ---------------------------------------------------------------- within a row


def test_basic_is_checked_even_when_the_row_total_adds_up():
    report = seed_report()
    set_cell(report, "spending", "personnel", "415.60", org=1)  # 基本 ≠ 人员 + 公用; 合计 = 基本 + 项目 still
    (f,) = _at(report, "spending", "basic", 1)
    assert (f.expected, f.found) == (516.24, 516.14)


def test_basic_is_checked_when_the_row_total_is_blank_or_unreadable():
    for raw in ("", "约594万"):
        report = seed_report()
        set_cell(report, "spending", "total", raw, org=1)
        set_cell(report, "spending", "personnel", "415.60", org=1)
        assert [f.expected for f in _at(report, "spending", "basic", 1)] == [516.24], raw
        assert _at(report, "spending", "total", 1) == []  # a blank total is not a sum


def test_basic_is_checked_when_the_project_part_is_unreadable():
    report = seed_report()
    set_cell(report, "spending", "project", "约78万", org=1)
    set_cell(report, "spending", "personnel", "415.60", org=1)
    assert _at(report, "spending", "total", 1) == []
    assert len(_at(report, "spending", "basic", 1)) == 1


def test_expected_keeps_two_decimals():
    report = seed_report()
    set_cell(report, "assets", "in_use", "200.126", org=1)
    (f,) = _at(report, "assets", "total", 1)
    assert f.expected == 200.13


def test_yuan_rounding_is_half_a_yuan_per_figure():
    report = seed_report()
    report.tables["sangong"].unit = "元"
    for org in (0, 1):
        set_cell(report, "sangong", "total", "5270", org)
        set_cell(report, "sangong", "reception", "5271", org)  # one rounded part + the total: 1 元 allowed
    assert check_money_tables(report) == []


# ---------------------------------------------------------------- the 汇总 row


def test_summary_columns_after_a_skipped_one_are_still_checked():
    for raw in ("", "约594万"):
        report = seed_report()
        set_cell(report, "spending", "total", raw, org=0)  # the first column: not checked
        set_cell(report, "spending", "project", "78.93", org=0)
        assert [f.expected for f in _at(report, "spending", "project", 0)] == [78.83], raw


def test_summary_column_over_an_unreadable_organisation_is_not_added():
    report = seed_report()
    set_cell(report, "spending", "total", "约594万", org=1)  # the 局机关 row's 合计 unreadable
    set_cell(report, "spending", "total", "10.00", org=2)  # another organisation filled: a sum without 局机关 proves nothing
    set_cell(report, "spending", "project", "78.93", org=0)
    assert _at(report, "spending", "total", 0, ACROSS) == []
    assert len(_at(report, "spending", "project", 0, ACROSS)) == 1


def test_summary_column_no_organisation_filled_then_a_later_one():
    report = seed_report()
    set_cell(report, "spending", "total", "", org=1)
    set_cell(report, "spending", "project", "78.93", org=0)
    assert _at(report, "spending", "total", 0, ACROSS) == []
    assert len(_at(report, "spending", "project", 0, ACROSS)) == 1


def test_summary_message_lists_the_organisations():
    report = seed_report()
    set_cell(report, "assets", "in_use", "20.00", org=2)
    set_cell(report, "assets", "total", "20.00", org=2)
    (f,) = _at(report, "assets", "in_use", 0)
    assert f.message == ("固定资产表“局机关及二级机构汇总”行的在用固定资产填226.71万元，"
                         "但各机构合计为1、局机关226.71 + 2、二级机构120.00 = 246.71万元，两者不符，请核对。")
    assert (f.expected, f.found) == (246.71, 226.71)


def test_summary_expected_keeps_two_decimals():
    report = seed_report()
    set_cell(report, "assets", "in_use", "0.006", org=2)
    set_cell(report, "assets", "total", "0.006", org=2)
    set_cell(report, "assets", "in_use", "226.70", org=0)
    (f,) = _at(report, "assets", "in_use", 0)
    assert f.expected == 226.72


def test_a_missing_table_does_not_stop_the_others():
    report = seed_report()
    del report.tables["income"]
    set_cell(report, "sangong", "reception", "0.63", org=1)
    assert len(_at(report, "sangong", "total", 1)) == 1


# ---------------------------------------------------------------- 当年结余


def _carry(report, amount: str, org: int):
    """Move `amount` of 一般公共预算 into 上年结转: the income row still adds up."""
    set_cell(report, "income", "carryover", amount, org)
    set_cell(report, "income", "general_budget", f"{594.97 - float(amount):.2f}", org)


@pytest.mark.parametrize("balance,flagged", [("0.015", False), ("0.02", True), ("-0.015", False)])
def test_balance_without_carryover_allows_three_half_cents(balance, flagged):
    report = seed_report()
    del report.tables["income"].rows[1].values["carryover"]
    set_cell(report, "spending", "balance_year", balance, org=1)
    assert bool(_at(report, "spending", "balance_year", 1)) is flagged


@pytest.mark.parametrize("balance,flagged", [("-19.98", False), ("-20.03", True), ("-19.97", True)])
def test_balance_net_of_carryover_allows_four_half_cents(balance, flagged):
    report = seed_report()
    _carry(report, "20.00", 1)
    set_cell(report, "spending", "balance_year", balance, org=1)  # 本年收入 − 本年支出 = −20
    assert bool(_at(report, "spending", "balance_year", 1)) is flagged


def test_balance_message_gives_both_readings():
    report = seed_report()
    _carry(report, "20.00", 1)
    set_cell(report, "spending", "balance_year", "10.00", org=1)
    (f,) = _at(report, "spending", "balance_year", 1)
    assert (f.severity, f.expected, f.found) == ("warning", 0.0, 10.0)
    assert f.message == ("支出和结余表“1、局机关”行：当年结余填10.00万元，但收入合计594.97 − 支出合计594.97 = 0.00万元"
                         "（扣除上年结转为-20.00万元），收支与结余对不上，请说明。")


def test_balance_message_without_a_carryover_figure():
    report = seed_report()
    del report.tables["income"].rows[1].values["carryover"]
    set_cell(report, "spending", "balance_year", "10.00", org=1)
    (f,) = _at(report, "spending", "balance_year", 1)
    assert f.message.endswith("= 0.00万元，收支与结余对不上，请说明。")


def test_balance_expected_keeps_two_decimals():
    report = seed_report()
    set_cell(report, "income", "total", "594.976", org=1)
    set_cell(report, "spending", "balance_year", "10.00", org=1)
    (f,) = _at(report, "spending", "balance_year", 1)
    assert f.expected == 0.01


def test_every_organisation_row_is_compared_with_its_own_income():
    report = seed_report()
    set_cell(report, "spending", "balance_year", "", org=0)  # the 汇总 row cannot be compared
    set_cell(report, "spending", "balance_year", "10.00", org=1)
    assert len(_at(report, "spending", "balance_year", 1)) == 1


def test_rows_after_a_matching_one_are_still_compared():
    report = seed_report()
    set_cell(report, "spending", "balance_year", "10.00", org=1)  # the 汇总 row (first) is fine
    set_cell(report, "spending", "balance_year", "0", org=0)
    assert len(_at(report, "spending", "balance_year", 1)) == 1


def test_organisation_rows_pair_by_name_and_the_summary_by_position():
    report = seed_report()
    report.tables["income"].rows[0].name = "合计"  # the 汇总 row named differently in the two tables
    for key, col, raw in (("income", "general_budget", "50.00"), ("income", "total", "50.00"),
                          ("spending", "total", "40.00"), ("spending", "basic", "40.00"), ("spending", "personnel", "40.00"),
                          ("spending", "balance_year", "10.00")):
        set_cell(report, key, col, raw, org=2)
    assert _at(report, "spending", "balance_year", 2, BALANCE) == []  # 50 − 40 = 10 for 二级机构1 itself
    set_cell(report, "spending", "balance_year", "5.00", org=0)
    assert len(_at(report, "spending", "balance_year", 0, BALANCE)) == 1  # 汇总 still compared with 汇总


def test_tables_in_different_units_are_not_compared():
    report = seed_report()
    report.tables["income"].unit = "元"
    set_cell(report, "spending", "balance_year", "10.00", org=1)
    assert _at(report, "spending", "balance_year", 1) == []


def test_balance_without_an_income_table():
    report = seed_report()
    del report.tables["income"]
    set_cell(report, "spending", "balance_year", "10.00", org=1)
    assert _at(report, "spending", "balance_year", 1) == []


def test_balance_in_yuan_allows_half_a_yuan_per_figure():
    report = seed_report()
    for key in ("income", "spending"):
        report.tables[key].unit = "元"
    set_cell(report, "spending", "balance_year", "1", org=1)  # within 3 × 0.5 元
    assert _at(report, "spending", "balance_year", 1) == []
