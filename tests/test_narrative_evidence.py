"""match_evidence: outcomes on completions written for these tests (not the seed's sentences)."""

from __future__ import annotations

from narrative_seed import row_of
from reviewer.narrative import match_evidence, parse_clauses
from reviewer.narrative.clauses import is_measurable

QUANTITY_TARGET = row_of("数量指标")[2]  # 内刊15期以上, 市级以上刊物发表文稿10篇以上


def outcomes(target: str, completion: str):
    return [c for c in match_evidence(parse_clauses(target), completion) if is_measurable(c)]


def assert_cites(completion: str, clause, *needles: str):
    assert clause.evidence_span is not None
    start, end = clause.evidence_span
    assert completion[start:end] == clause.evidence
    for needle in needles:
        assert needle in clause.evidence


def test_figures_that_meet_the_target():
    completion = "全年共编印内刊20期，在《湖南日报》等市级以上刊物发表文稿12篇。"
    journals, articles = outcomes(QUANTITY_TARGET, completion)
    assert (journals.outcome, journals.found_value) == ("met", 20)
    assert (articles.outcome, articles.found_value) == ("met", 12)
    assert_cites(completion, journals, "20期")
    assert_cites(completion, articles, "12篇")


def test_figures_that_fall_short():
    completion = "全年出刊11期；发表文稿8篇，均为省级刊物。"
    journals, articles = outcomes(QUANTITY_TARGET, completion)
    assert (journals.outcome, journals.found_value) == ("not_met", 11)
    assert (articles.outcome, articles.found_value) == ("not_met", 8)
    assert_cites(completion, journals, "11期")
    assert "未达到" in journals.note


def test_unit_mismatch_is_not_reported_and_says_so():
    completion = "全年编印内刊15份。"
    journals, articles = outcomes(QUANTITY_TARGET, completion)
    assert journals.outcome == "not_reported"
    assert "15份" in journals.note and "期" in journals.note
    assert journals.confidence == "medium" and any("15份" in r for r in journals.rejected)
    assert articles.outcome == "not_reported" and articles.evidence_span is None


def test_an_equivalent_unit_answers_but_less_surely():
    # 期 and 次 count the same periodic output (lexicon unit_equivalents): met, at medium confidence
    journals, _ = outcomes(QUANTITY_TARGET, "全年编印内刊15次。")
    assert (journals.outcome, journals.found_value, journals.confidence) == ("met", 15, "medium")
    assert "15次" in journals.working


def test_approximate_count_counts_as_not_reported():
    completion = "全年编印内刊16期，在市级以上刊物发表文稿10余篇。"
    journals, articles = outcomes(QUANTITY_TARGET, completion)
    assert journals.outcome == "met"
    assert articles.outcome == "approximate" and articles.found_value is None
    assert "10余篇" in articles.note and "约数" in articles.note
    assert_cites(completion, articles, "10余篇")


def test_figure_about_another_action_is_not_evidence():
    completion = "全年起草各类文稿30篇，编印内刊18期。"
    journals, articles = outcomes(QUANTITY_TARGET, completion)
    assert journals.outcome == "met" and journals.found_value == 18
    assert articles.outcome == "not_reported"
    assert "起草" in articles.note and "30篇" in articles.note


def test_the_figure_next_to_the_clause_object_is_used():
    completion = "编印内刊16期、工作简报12期"
    journals, briefs = outcomes("编印内刊15期和工作简报20期", completion)
    assert journals.found_value == 16 and briefs.found_value == 12
    assert briefs.outcome == "not_met"
    assert_cites(completion, briefs, "简报12期")


def test_equal_target_missed_asks_a_person():
    (clause,) = outcomes("专题培训次数为3次", "全年开展专题培训5次。")
    assert clause.outcome == "not_met" and "人工" in clause.note


def test_plain_count_target_is_a_floor():
    (clause,) = outcomes("开展专题培训3次", "全年开展专题培训5次。")
    assert clause.outcome == "met" and "按此理解" in clause.note
    (clause,) = outcomes("开展专题培训3次", "全年开展专题培训2次。")
    assert clause.outcome == "not_met"


def test_several_items_are_added_up():
    target = "组织下乡义诊、健康讲座等健康教育活动120场以上"
    (clause,) = outcomes(target, "组织专家下乡义诊38场，各乡镇开展健康讲座91场。")
    assert (clause.outcome, clause.found_value) == ("met", 129)
    (clause,) = outcomes(target, "组织专家下乡义诊38场，各乡镇开展健康讲座51场。")
    assert (clause.outcome, clause.found_value) == ("not_met", 89)
    # one item only: no total, the one figure is judged
    (clause,) = outcomes(target, "组织专家下乡义诊38场。")
    assert (clause.outcome, clause.found_value) == ("not_met", 38)


def test_rate_in_words():
    (clause,) = outcomes("统计月报按时报送率100%", "卫生健康统计月报12期，全部按时报送。")
    assert (clause.outcome, clause.found_value) == ("met", 100)
    (clause,) = outcomes("统计月报按时报送率100%", "卫生健康统计月报12期，未全部按时报送。")
    assert clause.outcome != "met"
    (clause,) = outcomes("安全事故发生率控制在1%以下", "全年未发生安全事故。")
    assert (clause.outcome, clause.found_value) == ("met", 0)


def test_per_unit_target_takes_the_per_unit_figure():
    (clause,) = outcomes("亩均财政投入不超过1,500元", "财政投入3,052.46万元，建成2.62万亩，亩均财政投入1,165元。")
    assert (clause.outcome, clause.found_value) == ("met", 1165)


def test_scaled_units_compare():
    (clause,) = outcomes("免费健康体检3.5万人以上", "全县为3.72万名老年人免费健康体检。")
    assert clause.outcome == "met"
    (clause,) = outcomes("婴儿死亡率控制在4‰以下", "婴儿死亡率为0。")
    assert (clause.outcome, clause.found_value) == ("met", 0)


def test_difference_from_budget_is_not_the_amount():
    (clause,) = outcomes("公用经费控制在135万元以内", "公用经费支出127.98万元，比年初预算少7.02万元。")
    assert clause.found_value == 127.98


def test_upper_bound_and_money_units():
    (clause,) = outcomes("公用经费控制在5万元以内", "全年公用经费支出42,000元，同比减少10%。")
    assert (clause.outcome, clause.found_value) == ("met", 42000)
    (clause,) = outcomes("公用经费控制在5万元以内", "全年公用经费支出5.6万元。")
    assert clause.outcome == "not_met"


def test_a_change_is_not_the_level_asked_for():
    (clause,) = outcomes("群众满意度达到95%以上", "群众满意度同比提高3%。")
    assert clause.outcome == "not_reported"


def test_only_figure_in_the_unit_next_to_a_word_of_the_clause():
    completion = "经第三方问卷调查，群众满意率为98%。"
    (clause,) = outcomes("群众满意度达到95%以上", completion)
    assert (clause.outcome, clause.found_value) == ("met", 98)
    assert_cites(completion, clause, "98%")


def test_far_over_target_is_met_but_noted_for_a_person():
    (clause,) = outcomes("编印内刊15期以上", "全年编印内刊60期。")
    assert clause.outcome == "met" and "偏低" in clause.note


def test_deadline_clauses():
    target = "12月底前完成年度工作报告"
    (clause,) = outcomes(target, "年度工作报告已于11月20日报送。")
    assert clause.outcome == "met"
    (clause,) = outcomes(target, "因资料收集延误，年度工作报告于次年1月15日报送。")
    assert clause.outcome == "not_met"
    (clause,) = outcomes(target, "按时完成年度工作报告。")
    assert clause.outcome == "not_reported" and "按时" in clause.note


def test_qualitative_clauses_pass_through_unchanged():
    clauses = parse_clauses("办文办会及时高效")
    assert match_evidence(clauses, "全年发文120件。") == clauses


def test_seed_quantity_completion():
    completion = row_of("数量指标")[3]
    journals, articles = outcomes(QUANTITY_TARGET, completion)
    # no figure in 期 anywhere; the completion only mentions editing the two 内刊
    assert journals.outcome == "not_reported"
    assert_cites(completion, journals, "《区委通报》《云溪情况》编辑工作")
    # "一批文稿被…采用" is the only answer about publishing: approximate, so not reported
    assert articles.outcome == "approximate" and articles.found_value is None
    assert_cites(completion, articles, "一批文稿", "采用")
    # "100多篇" is cited as approximate and as drafting, not publishing
    assert "100多篇" in articles.note and "约数" in articles.note and "起草" in articles.note
    assert "100多篇" not in journals.note
