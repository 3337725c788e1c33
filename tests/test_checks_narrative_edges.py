"""Narrative figures at their edges: every subject is compared with its own table cell, each
comparison on each side of the printed rounding, and the messages a reviewer reads.

Sentences are parsed from hand-written Text (no files) and checked against the seed report's tables."""

from __future__ import annotations

import pytest

from checks_seed import seed_report, set_cell
from reviewer.checks.narrative import check_narrative, table_figure
from reviewer.checks.statements import parse_text
from reviewer.model import Location, Text

AT = Location(paragraph=4, label="综述第4段")


def check(sentence: str, report=None):
    report = report or seed_report()
    return check_narrative(report, parse_text(Text(text=sentence, location=AT)))


@pytest.mark.parametrize("name,table_value", [
    ("“三公”经费", 0.53), ("公务接待费", 0.53), ("公务用车运行维护费", 0), ("公务用车购置费", 0), ("因公出国（境）费", 0),
    ("基本支出", 516.14), ("项目支出", 78.83), ("人员经费", 415.50), ("公用经费", 100.64), ("支出合计", 594.97), ("收入合计", 594.97),
])
def test_each_subject_is_compared_with_its_own_cell(name, table_value):
    (f,) = check(f"本年{name}9.99万元。")
    assert (f.code, f.severity, f.expected, f.found) == ("narrative.figure_mismatch", "error", table_value, 9.99)


def test_amount_message():
    (f,) = check("本年公用经费9.99万元。")
    assert f.message == "“本年公用经费9.99万元。”：公用经费写9.99万元（9.99万元），但年度支出和结余情况表 局机关及二级机构汇总 公用支出为100.64万元，超出四舍五入的差异。"
    assert f.location == AT.with_span(0, len("本年公用经费9.99万元。"))


def test_amount_without_a_cell_label_says_the_table():
    report = seed_report()
    summary = report.tables["spending"].rows[0]
    summary.values["public"] = summary.values["public"].model_copy(update={"location": Location()})
    (f,) = check("本年公用经费9.99万元。", report)
    assert "但表中为100.64万元" in f.message


@pytest.mark.parametrize("amount,flagged", [("100.645", False), ("100.65", False), ("100.66", True), ("100.63", False), ("100.62", True)])
def test_amount_each_side_of_rounding(amount, flagged):
    assert bool(check(f"本年公用经费{amount}万元。")) is flagged


def test_amount_in_yuan_table():
    report = seed_report()
    report.tables["sangong"].unit = "元"
    set_cell(report, "sangong", "total", "5270")
    assert check("“三公”经费0.527万元。", report) == []
    assert check("“三公”经费5270元。", report) == []
    (f,) = check("“三公”经费5272元。", report)
    assert (f.expected, f.found) == (0.527, 0.5272)
    found, number = table_figure(report, "sangong")
    assert (found.value, found.raw, found.half) == (0.527, "5270元", 0.00005) and number.value == 5270


def test_no_table_no_amount_check():
    report = seed_report()
    del report.tables["spending"]
    assert check("本年公用经费9.99万元。", report) == []
    report = seed_report()
    set_cell(report, "spending", "public", "")
    assert check("本年公用经费9.99万元。", report) == []
    assert table_figure(seed_report(), "no_such_subject") is None
    report = seed_report()
    report.tables["spending"].rows[0].is_summary = False  # no 汇总 row found
    assert check("本年公用经费9.99万元。", report) == []


# ---------------------------------------------------------------- rates


@pytest.mark.parametrize("rate,flagged", [("25%", False), ("25.0%", False), ("25.01%", False), ("25.02%", True), ("24.99%", False), ("24.98%", True),
                                          ("26%", True)])
def test_increase_rate_each_side_of_rounding(rate, flagged):
    # 100.64 up 20.13 from 80.51: 25.0031%; with each figure's rounding 24.9938%…25.0124%, ± half the printed step
    findings = [f for f in check(f"本年公用经费100.64万元，比上年增加20.13万元，增长{rate}。") if f.found != 100.64]
    assert bool(findings) is flagged


def test_increase_rate_message():
    (f,) = check("本年公用经费100.64万元，比上年增加20.13万元，增长26%。")
    assert (f.expected, f.found) == (25.0, 26)
    assert f.message.endswith("上年公用经费为100.64 − 20.13 = 80.51万元，增减率应为20.13 ÷ 80.51 = +25%，报告写增长26%。")


def test_decrease_rate_message_and_sign():
    (f,) = check("本年公用经费100.64万元，比上年减少20.13万元，下降18%。")
    # 20.13 ÷ (100.64 + 20.13) = 16.668%
    assert (f.expected, f.found) == (-16.67, -18)
    assert f.message.endswith("上年公用经费为100.64 + 20.13 = 120.77万元，增减率应为20.13 ÷ 120.77 = −16.67%，报告写下降18%。")


def test_rate_digits_follow_the_printed_rate():
    (f,) = check("本年公用经费100.64万元，比上年减少20.13万元，下降16.123%。")
    assert f.expected == -16.668 and "= −16.668%" in f.message


def test_direction_conflict_messages():
    (up,) = check("本年公用经费100.64万元，比上年增加20.13万元，下降25%。")
    assert (up.expected, up.found) == (25.0, -25)
    assert up.message.endswith("公用经费比上年增加，增减率却写成下降25%（应为增长25%）。")
    (down,) = check("本年公用经费100.64万元，比上年减少20.13万元，增长16.67%。")
    assert (down.expected, down.found) == (-16.67, 16.67)
    assert down.message.endswith("公用经费比上年减少，增减率却写成增长16.67%（应为下降16.67%）。")


def test_no_previous_year_no_rate_check():
    assert check("本年公用经费100.64万元，比上年增加100.64万元，增长50%。") == []  # the year before was nothing
    assert check("本年公用经费100.64万元，比上年增加120.00万元，增长50%。") == []


# ---------------------------------------------------------------- shares


@pytest.mark.parametrize("share,flagged", [("19.5%", False), ("19.50%", False), ("19%", False), ("19.45%", True),
                                           ("19.55%", True), ("21%", True)])
def test_share_each_side_of_rounding(share, flagged):
    # 100.64 ÷ 516.14 = 19.4986%
    assert bool(check(f"本年基本支出516.14万元，其中公用经费100.64万元，占基本支出{share}。")) is flagged


def test_share_message_with_the_base_from_the_same_paragraph():
    (f,) = [f for f in check("本年基本支出520.00万元，其中公用经费100.64万元，占基本支出25%。") if f.found == 25]
    assert (f.expected, f.found) == (19.4, 25)  # the paragraph's own 520, not the table's 516.14
    assert f.message.endswith("公用经费100.64万元 ÷ 基本支出520.00万元 = 19.4%，报告写占25%。")


def test_share_base_from_the_table_when_the_paragraph_has_none():
    (f,) = check("公用经费100.64万元，占基本支出25.00%。")
    assert (f.expected, f.found) == (19.50, 25)
    assert f.message.endswith("÷ 基本支出516.14万元 = 19.5%，报告写占25.00%。")


def test_share_base_of_nothing_is_not_divided():
    report = seed_report()
    set_cell(report, "spending", "basic", "0")
    assert [f for f in check("公用经费100.64万元，占基本支出25%。", report) if f.found == 25] == []


# ---------------------------------------------------------------- more edges (from the mutation run)


def _rates(sentence, report=None):
    return [f for f in check(sentence, report) if "增减率" in f.message]


def test_a_rate_without_a_change_is_not_checked():
    assert check("基本支出516.14万元，增长41.78%。") == []


def test_a_zero_change_keeps_the_printed_direction():
    (f,) = _rates("公用经费100.64万元，比上年减少0万元，下降5%。")
    assert f.message.endswith("上年公用经费为100.64 + 0 = 100.64万元，增减率应为0 ÷ 100.64 = −0%，报告写下降5%。")


def test_no_rate_against_a_previous_year_of_nothing_or_under_one_unit():
    assert _rates("公用经费1.00万元，比上年增加10000元，增长100%。") == []  # previous year 0: no base
    (f,) = _rates("公用经费1.50万元，比上年增加1.00万元，增长300%。")  # previous year 0.5万元: a base
    assert (f.expected, f.found) == (200, 300)


def test_rate_message_figures_to_four_decimals():
    (f,) = _rates("“三公”经费5270.5元，比上年增加1000.5元，增长30%。")
    assert f.message.endswith("上年“三公”经费为0.5271 − 0.1001 = 0.427万元，增减率应为0.1001 ÷ 0.427 = +23.43%，报告写增长30%。")


def test_conflict_message_keeps_the_printed_decimals():
    (f,) = check("本年公用经费100.64万元，比上年增加20.13万元，下降25.003%。")
    assert f.message.endswith("（应为增长25.003%）。") and f.expected == 25.003


def test_amount_message_to_four_decimals_and_found_to_six():
    (f,) = check("“三公”经费6270.555元。")
    assert "“三公”经费写6270.555元（0.6271万元）" in f.message and f.found == 0.627055


def test_share_base_is_the_named_subject_not_any_other_figure():
    assert check("项目支出78.83万元；公用经费100.64万元，占基本支出19.5%。") == []


def test_share_base_missing_from_the_tables():
    report = seed_report()
    del report.tables["spending"]
    assert check("公用经费100.64万元，占基本支出25%。", report) == []


def test_share_of_a_base_under_one_unit():
    shares = [f for f in check("基本支出0.80万元，其中公用经费0.40万元，占基本支出60%。") if "÷" in f.message]
    assert [(f.expected, f.found) for f in shares] == [(50, 60)]


def test_share_anywhere_in_its_rounding_range():
    # 0.10 ÷ 0.50: anything from 0.095/0.505 = 18.8% to 0.105/0.495 = 21.2% is the same printed figures
    assert [f for f in check("基本支出0.50万元，其中公用经费0.10万元，占基本支出19.5%。") if "÷" in f.message] == []


def test_previous_year_shown_to_four_decimals():
    (f,) = _rates("“三公”经费5270.5元，比上年增加1000.3元，增长30%。")
    assert "= 0.427万元，增减率应为0.1 ÷ 0.427 = " in f.message  # 0.42702 to four decimals
