"""ReportData: where each rubric source is read in a report, what it reads as in a working, and
where it stands (so a working can cite it). The seed report and hand-written facts, no files."""

from __future__ import annotations

import pytest

from checks_seed import cell, paragraph, seed_report, set_cell
from reviewer.checks.data import ReportData
from reviewer.checks.statements import parse_report, parse_text
from reviewer.model import Location, Text
from reviewer.numbers import parse_number
from reviewer.rubric import Fact


def data(report=None, facts=None):
    report = report or seed_report()
    return ReportData(report, parse_report(report), facts)


def test_staff_figures():
    report = seed_report()
    d = data(report).get("staff.in_service")
    assert (d.value, d.shown, d.location) == (31, "31人", report.staff.in_service.location)
    report.staff.in_service = parse_number("", report.staff.in_service.location)
    assert data(report).get("staff.in_service") is None
    assert data(report).get("staff.no_such_field") is None


def test_table_figures_from_the_summary_row():
    report = seed_report()
    d = data(report).get("table.spending.project")
    assert (d.value, d.shown, d.location) == (78.83, "78.83万元", cell(report, "spending", "project", 0).location)
    assert data(report).get("table.spending.no_such_column") is None
    set_cell(report, "spending", "project", "")
    assert data(report).get("table.spending.project") is None
    del report.tables["spending"]
    assert data(report).get("table.spending.project") is None


def test_table_in_yuan_reads_in_wan():
    report = seed_report()
    report.tables["sangong"].unit = "元"
    set_cell(report, "sangong", "total", "5270")
    d = data(report).get("table.sangong.total")
    assert (d.value, d.shown) == (0.527, "0.527万元")


def test_table_without_a_summary_row_reads_a_single_organisation():
    report = seed_report()
    table = report.tables["spending"]
    table.rows = [r for r in table.rows if not r.is_summary][:1]  # one organisation, no 汇总
    assert data(report).get("table.spending.project").value == 78.83
    report = seed_report()
    report.tables["spending"].rows = [r for r in report.tables["spending"].rows if not r.is_summary]  # several: which?
    assert data(report).get("table.spending.project") is None


def test_narrative_current_change_previous():
    report = seed_report()
    d = data(report)
    current, change, previous = (d.get(f"narrative.sangong.{f}") for f in ("current", "change", "previous"))
    assert (current.value, current.shown) == (0.527, "0.527万元（5270元）")
    assert (change.value, change.shown) == (-0.6828, "-0.6828万元（减少6828元）")
    assert (round(previous.value, 4), previous.shown) == (1.2098, "1.2098万元（5270元+6828元）")
    sentence = paragraph(report, "六", "三公")
    assert current.location.paragraph == sentence.location.paragraph and current.location.span is not None


def test_narrative_increase_wording():
    report = seed_report()
    d = data(report)
    change, previous = d.get("narrative.basic.change"), d.get("narrative.basic.previous")
    assert change.shown == "152.09万元（增加152.09万元）"
    assert previous.shown == "364.05万元（516.14万元−152.09万元）"


def test_narrative_change_from_a_later_sentence_of_the_subject():
    text = Text(text="基本支出516.14万元。基本支出516.14万元，比上年增加152.09万元。", location=Location(paragraph=9))
    d = ReportData(seed_report(), parse_text(text))
    assert d.get("narrative.basic.current").location.span == (0, 13)  # the first sentence states it
    assert d.get("narrative.basic.change").value == 152.09  # the first has no change: the next is read
    assert d.get("narrative.basic.no_such_field") is None
    assert d.get("narrative.public.current") is None


def test_plain_subjects_before_narrowed_ones():
    text = Text(text="其他项目支出为70.00万元。项目支出78.83万元。")
    d = ReportData(seed_report(), parse_text(text))
    assert d.get("narrative.project.current").value == 78.83


def test_satisfaction_rate():
    report = seed_report()
    assert data(report).get("narrative.satisfaction_rate") is None
    para = paragraph(report, "六", "三公")
    para.text += "经调查，群众满意度达到９８．５％。"
    d = data(report).get("narrative.satisfaction_rate")
    assert (d.value, d.shown) == (98.5, "98.5%")
    start, end = d.location.span
    assert para.text[start:end] == "满意度达到９８．５％"


@pytest.mark.parametrize("sentence, measured", [
    ("全年开展窗口服务电话回访420人次，群众满意率96.2%。", True),
    ("委托第三方抽取样本500户，满意度为93%。", True),
    ("服务对象普遍反映良好，满意度为96.2%。", False),  # a rate asserted with no survey behind it
    ("满意率达到100%，得到上级肯定。", False),
])
def test_a_satisfaction_rate_counts_only_when_the_text_says_how_it_was_measured(sentence, measured):
    report = seed_report()
    para = paragraph(report, "六", "三公")
    para.text += sentence
    d = data(report).get("narrative.satisfaction_rate")
    assert (d is not None) == measured


def test_first_source_found_wins():
    report = seed_report()
    source, d = data(report).first(["not_in_form", "narrative.sangong.current", "table.sangong.total"])
    assert (source, d.value) == ("narrative.sangong.current", 0.527)
    assert data(report).first(["not_in_form", "fact.unknown"]) is None


FACT = Fact(label="重点支出", patterns=[r"重点(?:项目)?支出{NUM}{UNIT}"], zero=[r"无重点支出"], require=["重点"], exclude=["上年"])


def _with(*sentences):
    report = seed_report()
    paragraph(report, "六", "三公").text += "".join(sentences)
    return ReportData(report, [], {"key": FACT})


def test_fact_read_in_its_unit_with_where_it_stands():
    d = _with("全年重点支出1,552.36万元。").get("fact.key")
    assert (d.value, d.shown) == (1552.36, "1552.36万元（“重点支出1,552.36万元”）")
    assert _with("全年重点项目支出52700元。").get("fact.key").value == pytest.approx(5.27)
    assert _with("全年重点支出1.2亿元。").get("fact.key").value == 12000


def test_fact_location_is_the_match_in_its_sentence():
    report = seed_report()
    para = paragraph(report, "六", "三公")
    para.text += "另。全年重点支出1,552.36万元。"
    d = ReportData(report, [], {"key": FACT}).get("fact.key")
    start, end = d.location.span
    assert para.text[start:end] == "重点支出1,552.36万元" and d.location.paragraph == para.location.paragraph


def test_fact_sentences_that_do_not_count():
    assert _with("上年重点支出100万元。").get("fact.key") is None  # excluded word
    assert _with("上年重点支出100万元。今年重点支出90万元。").get("fact.key").value == 90
    plain = Fact(label="支出", patterns=[r"支出{NUM}{UNIT}"], require=["重点", "专项"])
    report = seed_report()
    paragraph(report, "六", "三公").text += "专项支出3万元。"
    d = ReportData(report, [], {"x": plain}).get("fact.x")
    assert d.value == 3  # a sentence with one of the required words; 基本支出 sentences have none


def test_fact_zero_wording():
    d = _with("本年无重点支出。").get("fact.key")
    assert (d.value, d.shown) == (0, "0万元（“无重点支出”）")
    assert _with("本年无其他。").get("fact.key") is None


def test_fact_in_percent_is_not_converted():
    rate = Fact(label="率", unit="%", patterns=[r"执行率{NUM}{UNIT}"])
    report = seed_report()
    paragraph(report, "六", "三公").text += "执行率98.5%。"
    d = ReportData(report, [], {"r": rate}).get("fact.r")
    assert (d.value, d.shown) == (98.5, "98.5%（“执行率98.5%”）")


def test_evidence_every_group_or_nothing():
    report = seed_report()
    para = paragraph(report, "六", "财务管理")
    d = data(report)
    found = d.evidence([["《[^》]*财务管理制度》"], ["不存在的话", "厉行节约"]])
    assert [words for words, _ in found] == ["《区委办财务管理制度》", "厉行节约"]
    where = found[0][1]
    assert where.paragraph == para.location.paragraph and para.text[slice(*where.span)] == "《区委办财务管理制度》"
    assert d.evidence([["厉行节约"], ["不存在的话"]]) is None
    assert d.evidence([]) == []


# ---------------------------------------------------------------- more edges (from the mutation run)


def test_shown_figures_keep_four_decimals():
    report = seed_report()
    report.tables["sangong"].unit = "元"
    set_cell(report, "sangong", "total", "5270.5")
    assert data(report).get("table.sangong.total").shown == "0.5271万元"
    text = Text(text="“三公”经费5270.5元，比上年增加1000.5元。", location=Location(paragraph=3))
    d = ReportData(seed_report(), parse_text(text))
    assert d.get("narrative.sangong.current").shown == "0.5271万元（5270.5元）"
    assert d.get("narrative.sangong.change").shown == "0.1001万元（增加1000.5元）"
    assert d.get("narrative.sangong.previous").shown == "0.427万元（5270.5元−1000.5元）"
    assert _with("全年重点支出1.23456万元。").get("fact.key").shown == "1.2346万元（“重点支出1.23456万元”）"


def test_change_and_previous_stand_where_the_sentence_stands():
    text = Text(text="前言。基本支出516.14万元，比上年增加1万元。", location=Location(paragraph=3))
    d = ReportData(seed_report(), parse_text(text))
    for field in ("change", "previous"):
        assert d.get(f"narrative.basic.{field}").location == Location(paragraph=3, span=(3, len(text.text)))
    assert d.get("narrative.basic.change").shown == "1万元（增加1万元）"  # exactly one unit up is still 增加
    assert d.get("narrative.basic.previous").shown == "515.14万元（516.14万元−1万元）"


def test_fact_tries_every_pattern():
    two = Fact(label="重点", patterns=[r"不会出现{NUM}{UNIT}", r"重点支出{NUM}{UNIT}"])
    report = seed_report()
    paragraph(report, "六", "三公").text += "全年重点支出9万元。"
    assert ReportData(report, [], {"k": two}).get("fact.k").value == 9


def test_fact_zero_stands_where_it_is_said():
    report = seed_report()
    para = paragraph(report, "六", "三公")
    para.text += "另。本年无重点支出。"
    d = ReportData(report, [], {"key": FACT}).get("fact.key")
    assert para.text[slice(*d.location.span)] == "无重点支出" and d.location.paragraph == para.location.paragraph


def test_previous_year_shown_to_four_decimals():
    text = Text(text="“三公”经费5270.5元，比上年增加1000.3元。")
    d = ReportData(seed_report(), parse_text(text))
    assert d.get("narrative.sangong.previous").shown == "0.427万元（5270.5元−1000.3元）"  # 0.42702
