"""parse_clauses: splitting a 绩效目标 and reading each measurable clause."""

from __future__ import annotations

import pytest

from narrative_seed import row_of
from reviewer.narrative import parse_clauses
from reviewer.narrative.clauses import is_measurable


def test_seed_quantity_target_has_two_measurable_clauses_and_one_qualitative():
    target = row_of("数量指标")[2]
    clauses = parse_clauses(target)
    measurable = [c for c in clauses if is_measurable(c)]
    assert [(c.comparator, c.value, c.unit) for c in measurable] == [(">=", 15, "期"), (">=", 10, "篇")]
    journals, articles = measurable
    assert "内刊" in journals.object and "全年" in journals.time_words
    assert "文稿" in articles.object and "发表" in articles.object
    assert "市级以上" in articles.object  # "以上" in 市级以上 is not the comparator
    # spans index the target as given
    for c in clauses:
        assert target[c.span[0] : c.span[1]] == c.text
    qualitative = [c for c in clauses if not is_measurable(c)]
    assert len(qualitative) == 1 and "一批" in qualitative[0].text and "约数" in qualitative[0].note


@pytest.mark.parametrize("kind", ["质量指标", "时效指标", "成本指标", "社会效益", "经济效益", "生态效益", "社会公众或服务对象满意度"])
def test_seed_targets_without_value_or_deadline_are_all_qualitative(kind):
    assert not any(is_measurable(c) for c in parse_clauses(row_of(kind)[2]))


def test_timeliness_word_is_recorded_but_is_no_deadline():
    (clause,) = parse_clauses("办文办会及时高效")
    assert clause.time_words == ["及时"]
    assert not is_measurable(clause) and clause.outcome == "qualitative"


@pytest.mark.parametrize(
    "text, comparator, value, unit",
    [
        ("满意度达到95%以上", ">=", 95, "%"),
        ("群众满意度不低于90%", ">=", 90, "%"),
        ("公用经费控制在5万元以内", "<=", 5, "万元"),
        ("信访件办结时间不超过15天", "<=", 15, "天"),
        ("24小时内回复来信", "<=", 24, "小时"),
        ("编印简报≥12期", ">=", 12, "期"),
        ("开展培训3次", ">=", 3, "次"),  # no comparator written: a count is to be reached
        ("完成１５期内刊编印", ">=", 15, "期"),  # full-width digits; "期内刊" is no "以内"
        ("“三公”经费支出不超过年初预算5.50万元", "<=", 5.5, "万元"),  # comparator a few words before
        ("检查各类市场主体2,000户次以上", ">=", 2000, "户次"),  # thousands separator
        ("孕产妇死亡率控制在12/10万以下", "<=", 12, "/10万"),
        ("婴儿死亡率控制在4‰以下", "<=", 4, "‰"),
        ("免费健康体检3.5万人以上", ">=", 3.5, "万人"),
    ],
)
def test_comparator_value_and_unit(text, comparator, value, unit):
    (clause,) = parse_clauses(text)
    assert (clause.comparator, clause.value, clause.unit) == (comparator, value, unit)


def test_joined_measurable_parts_become_separate_clauses():
    text = "编印内刊15期和工作简报20期，12月底前完成年度报告"
    clauses = parse_clauses(text)
    assert [(c.value, c.unit) for c in clauses] == [(15, "期"), (20, "期"), (None, "")]
    assert "简报" in clauses[1].object and "内刊" not in clauses[1].object
    deadline = clauses[2]
    assert is_measurable(deadline) and "12月底前" in deadline.time_words
    for c in clauses:
        assert text[c.span[0] : c.span[1]] == c.text


def test_and_inside_a_qualitative_clause_does_not_split_it():
    clauses = parse_clauses("提高决策服务和参谋辅政能力")
    assert len(clauses) == 1 and not is_measurable(clauses[0])


def test_commas_inside_a_title_do_not_split():
    clauses = parse_clauses("在《抢抓大机遇，主攻大项目》专栏发表文章5篇")
    assert len(clauses) == 1 and clauses[0].value == 5 and clauses[0].unit == "篇"


@pytest.mark.parametrize(
    "text, comparator, implied",
    [
        ("完成农村危房改造20户", ">=", True),
        ("单批次检验费用1000元", "<=", True),  # money is kept down
        ("安全事故发生率0.5%", "<=", True),  # a failure is kept down
        ("开展培训3次以上", ">=", False),
        ("经费控制在5万元以内", "<=", False),
    ],
)
def test_comparator_implied_from_what_is_counted(text, comparator, implied):
    (clause,) = parse_clauses(text)
    assert (clause.comparator, clause.implied) == (comparator, implied)
