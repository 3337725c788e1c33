"""How a completion answers: empty, template, vague, restating its target, copied — on texts
written for these tests, and a good completion that must raise none of them."""

from __future__ import annotations

import pytest

from narrative_seed import ROWS, report_with
from reviewer.narrative import review_narrative

QUANTITY = ROWS[1]


def review_one(target: str, completion: str, kind: str = "数量指标", overall: str = "全年工作有序开展。"):
    report = report_with([("产出目标", kind, target, completion)], overall=overall, with_scores=False)
    verdicts, findings = review_narrative(report)
    return report, verdicts[0], findings


def codes(findings) -> set[str]:
    return {f.code for f in findings}


@pytest.mark.parametrize("completion", ["", "   ", "无", "/", "无。", "——"])
def test_empty_completion(completion):
    _, verdict, findings = review_one(QUANTITY[2], completion)
    assert "completion.empty" in codes(findings)
    assert verdict.verdict == "not_evidenced"
    assert "target.not_evidenced" not in codes(findings)  # one flag for one fault


def test_form_instruction_text_left_in_the_cell():
    _, verdict, findings = review_one(QUANTITY[2], "对照年度目标，说明实际完成情况（100字以内）")
    (f,) = [f for f in findings if f.code == "completion.template"]
    assert verdict.verdict == "not_evidenced"
    assert f.location.span is not None


def test_a_real_answer_mentioning_the_instruction_words_is_not_template():
    completion = ("对照年度目标，全年编印内刊18期、在《湖南日报》等市级以上刊物发表文稿12篇，"
                  "其中3篇获市领导批示，形成调研报告6篇，均已报送区委。") * 2
    _, _, findings = review_one(QUANTITY[2], completion)
    assert "completion.template" not in codes(findings)


def test_stock_phrases_without_figures_are_vague():
    completion = "严格控制支出，全面完成各项目标任务，取得了显著成效。"
    _, _, findings = review_one("公用经费支出控制在预算以内", completion, kind="成本指标")
    (f,) = [f for f in findings if f.code == "completion.vague"]
    assert f.severity == "warning" and f.source == "rules"
    assert "全面完成" in f.message


def test_a_figure_is_not_vague_even_among_stock_phrases():
    completion = "严格控制支出，全年公用经费支出96.4万元，全面完成各项目标任务。"
    _, _, findings = review_one("公用经费支出控制在100万元以内", completion, kind="成本指标")
    assert "completion.vague" not in codes(findings)


@pytest.mark.parametrize("aside", ["此外，单位食堂全年采购蔬菜3.2吨。", "工会组织职工义务献血15人次。"])
def test_stock_phrases_padded_with_an_unrelated_figure_are_still_vague(aside):
    """A figure in a sentence that shares no word with the target answers nothing it asked."""
    completion = "严格控制支出，全面完成各项目标任务，取得了显著成效。" + aside
    _, _, findings = review_one("公用经费支出控制在预算以内", completion, kind="成本指标")
    assert "completion.vague" in codes(findings)


def test_a_figure_about_the_target_among_stock_phrases_is_not_an_aside():
    completion = "严格控制支出，全面完成各项目标任务。全年公用经费实际支出96.4万元。"
    _, _, findings = review_one("公用经费支出控制在预算以内", completion, kind="成本指标")
    assert "completion.vague" not in codes(findings)


def test_completion_that_repeats_its_target():
    target = "加强机关档案规范化管理，确保档案完整安全"
    completion = "加强了机关档案规范化管理，确保档案完整安全。"
    report, verdict, findings = review_one(target, completion, kind="质量指标")
    (f,) = [f for f in findings if f.code == "completion.restates_target"]
    start, end = f.location.span
    assert report.targets[0].completion.text[start:end] in completion and end - start >= 6
    assert verdict.verdict == "not_evidenced"  # a restatement cannot show a qualitative target was reached


def test_completion_that_quotes_target_words_but_adds_results_does_not_restate():
    target = "加强机关档案规范化管理，确保档案完整安全"
    completion = "完成2019—2021年文书档案整理归档1,260卷，档案室通过市级规范化验收，全年无档案遗失损毁。"
    _, _, findings = review_one(target, completion, kind="质量指标")
    assert "completion.restates_target" not in codes(findings)


def test_completion_copied_from_the_overall_paragraph_names_it():
    overall = ("今年来，局机关认真履职，圆满完成年度各项任务。全年组织业务培训6次，培训干部320人次，"
               "受理群众来信来访45件，全部按期办结。")
    completion = "全年组织业务培训6次，培训干部320人次，受理群众来信来访45件，全部按期办结。"
    report, _, findings = review_one("组织业务培训5次以上", completion, kind="数量指标", overall=overall)
    (f,) = [f for f in findings if f.code == "completion.copied"]
    assert "年度总体运行情况" in f.message
    start, end = f.location.span
    assert report.targets[0].completion.text[start:end] in overall


def test_completion_copied_from_another_indicator_names_that_indicator():
    shared = "全年组织业务培训6次，培训干部320人次，覆盖全部内设机构和下属单位。"
    rows = [
        ("产出目标", "数量指标", "组织业务培训5次以上", shared),
        ("效益目标", "社会效益", "提升干部业务能力", shared),
    ]
    _, findings = review_narrative(report_with(rows, overall="全年工作有序开展。", with_scores=False))
    copied = [f for f in findings if f.code == "completion.copied"]
    assert len(copied) == 2
    assert "社会效益" in copied[0].message and "数量指标" in copied[1].message


def test_good_completion_raises_no_answer_flag():
    completion = "全年共编印《区委通报》《云溪情况》等内刊18期，在《湖南日报》等市级以上刊物发表文稿12篇。"
    _, verdict, findings = review_one(QUANTITY[2], completion)
    assert not {c for c in codes(findings) if c.startswith("completion.")}
    assert verdict.verdict == "evidenced"
    assert [c.outcome for c in verdict.clauses if c.value is not None] == ["met", "met"]


def test_far_over_a_floor_is_an_info_never_a_warning():
    from reviewer.narrative.verdicts import review_row
    from narrative_seed import target_rows

    (row,) = target_rows([("产出目标", "数量指标", "培训乡村医生200人次以上", "全年培训乡村医生612人次。")])
    verdict, findings = review_row(row, [])
    assert verdict.verdict == "evidenced"
    far = [f for f in findings if f.code == "target.far_exceeded"]
    assert len(far) == 1 and far[0].severity == "info" and "3.1倍" in far[0].message
    (row,) = target_rows([("产出目标", "数量指标", "培训乡村医生200人次以上", "全年培训乡村医生260人次。")])
    _, findings = review_row(row, [])
    assert not [f for f in findings if f.code == "target.far_exceeded"]


def test_restated_figures_do_not_evidence_a_target():
    from reviewer.narrative.verdicts import review_row
    from narrative_seed import target_rows

    target = "食品安全监督抽检不合格产品核查处置率100%；特种设备定期检验率达到98%以上。"
    (row,) = target_rows([("产出目标", "质量指标", target, "食品安全监督抽检不合格产品核查处置率达到100%，特种设备定期检验率达到98%以上，圆满完成年度质量指标。")])
    verdict, findings = review_row(row, [])
    assert "completion.restates_target" in {f.code for f in findings}
    assert verdict.verdict == "not_evidenced"
