"""Figures and evidence the rubric reads from the 综述 narrative (rubric `facts` and `evidence`)."""

from __future__ import annotations

import pytest

from reviewer.checks.data import ReportData
from reviewer.errors import ReviewerError
from reviewer.model import Location, Report, Section, Text
from reviewer.pipeline import Options, rubric_for
from reviewer.rubric import Fact, load_rubric


def report_saying(*paragraphs: str) -> Report:
    return Report(source="facts.docx", sections=[Section(
        number="六", heading="部门整体支出绩效情况",
        paragraphs=[Text(text=p, location=Location(paragraph=i, label="六、部门整体支出绩效情况")) for i, p in enumerate(paragraphs)],
        location=Location(),
    )])


@pytest.fixture(scope="module")
def facts():
    return rubric_for(Options()).facts


def read(report: Report, facts, name: str):
    return ReportData(report, [], facts).get(f"fact.{name}")


def test_budget_figures_from_one_sentence(facts):
    report = report_saying("年初预算2,548.36万元，年中追加妇幼健康补助资金74.27万元，调整后预算2,622.63万元，预算调整率2.91%。")
    assert read(report, facts, "budget_initial").value == pytest.approx(2548.36)
    assert read(report, facts, "budget_adjusted").value == pytest.approx(74.27)  # not the 调整后 total
    datum = read(report, facts, "budget_initial")
    start, end = datum.location.span
    assert report.sections[0].paragraphs[0].text[start:end].startswith("年初预算")


def test_excluded_words_keep_one_budget_from_another(facts):
    # the 三公 budget is not the department's budget, and the reverse
    report = report_saying("全年“三公”经费支出4.62万元；年初预算5.50万元，“三公”经费控制率83.9%。")
    assert read(report, facts, "budget_initial") is None
    assert read(report, facts, "sangong_budget").value == pytest.approx(5.5)


def test_yuan_converted_to_wan(facts):
    report = report_saying("全年政府采购计划1,860,000元，实际采购1,832,100元。")
    assert read(report, facts, "procurement_plan").value == pytest.approx(186.0)
    assert read(report, facts, "procurement_actual").value == pytest.approx(183.21)


def test_card_settled_is_not_the_eligible_amount(facts):
    report = report_saying("应使用公务卡结算的支出104.36万元，实际刷卡结算96.42万元，公务卡刷卡率92.39%。")
    assert read(report, facts, "card_eligible").value == pytest.approx(104.36)
    assert read(report, facts, "card_settled").value == pytest.approx(96.42)


def test_zero_pattern_and_absence(facts):
    report = report_saying("全年分配下达专项资金7项，均在春节前下达50%以上、6月底前全部下达，未出现延迟下达。")
    assert read(report, facts, "late_special_funds").value == 0
    assert read(report_saying("全年工作有序开展。"), facts, "late_special_funds") is None


def test_checklist_evidence_needs_every_group():
    rubric = rubric_for(Options())
    ind = next(i for i in rubric.indicators if i.id == "disclosure")
    both = report_saying("2023年部门预算于2月10日、2022年部门决算于9月8日在县人民政府门户网站公开。")
    assert ReportData(both, [], rubric.facts).evidence(ind.evidence) is not None
    budget_only = report_saying("2023年部门预算于2月10日在县人民政府门户网站公开。")
    assert ReportData(budget_only, [], rubric.facts).evidence(ind.evidence) is None


def test_fact_source_must_be_defined(tmp_path):
    text = (rubric_for(Options()).path and open(rubric_for(Options()).path, encoding="utf-8").read())
    broken = tmp_path / "r.yaml"
    broken.write_text(text.replace("source: fact.key_spending", "source: fact.no_such_fact"), encoding="utf-8")
    with pytest.raises(ReviewerError) as err:
        load_rubric(broken)
    assert "no_such_fact" in str(err.value) and "\n" not in str(err.value)


def test_bad_fact_pattern_is_refused():
    with pytest.raises(ValueError):
        Fact(label="x", patterns=["(unclosed{NUM}"])
