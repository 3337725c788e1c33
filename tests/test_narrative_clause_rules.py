"""parse_clauses rule by rule: where a comparator is read from and whether it was written or implied,
what a clause counts (its object), the time words, and where joined clauses are cut. Targets are
written for these tests."""

from __future__ import annotations

import pytest

from reviewer.narrative import parse_clauses
from reviewer.narrative.clauses import is_measurable, time_words


def one(text: str):
    (clause,) = parse_clauses(text)
    return clause


@pytest.mark.parametrize(
    "text, comparator, implied",
    [
        ("达到95%", ">=", False),  # the word right before the figure, at the very start of the target
        ("不低于90%", ">=", False),
        ("24小时内回复来信", "<=", False),  # a bare 内 after a duration
        ("至少开展培训3次", ">=", False),  # a word a few characters before, at the start of the target
        ("开展宣传（最多跑一次，放管服）5场", ">=", True),  # not across a comma
        ("开展“最多跑一次”改革宣传5场", ">=", True),  # a slogan in quotes is no comparator
        ("开展《不少于》宣传5场", ">=", True),  # nor is a title
        ("至少开展“三下乡”活动5场", ">=", False),  # a quote between the word and the figure
        ("开展“三下乡服务”至少组织开展培训5场", ">=", False),  # a blanked quote keeps its length: the word stays in reach
        ("“三下乡”活动至少由各乡镇街道分别组织开展培训5场", ">=", True),  # and what is 12 characters away stays out
        ("发表文稿100余篇", ">=", False),  # an approximate figure can only be a floor
        ("购置设备5万元", "<=", True),  # money is kept down
        ("审批办结10个工作日", "<=", True),  # so is a duration
        ("开展培训3次", ">=", True),
    ],
)
def test_comparator_and_whether_it_was_written(text, comparator, implied):
    clause = one(text)
    assert (clause.comparator, clause.implied) == (comparator, implied)


def test_a_target_in_round_words_is_not_measurable_and_says_why():
    clause = one("发表文稿近百篇")
    assert not is_measurable(clause)
    assert (clause.value, clause.outcome, clause.note) == (None, "qualitative", "目标用约数（如“一批”“若干”）表述，无法衡量。")


def test_a_value_clause_starts_not_reported():
    clause = one("编印内刊15期以上")
    assert (clause.comparator, clause.value, clause.unit, clause.outcome) == (">=", 15, "期", "not_reported")


def test_a_deadline_clause_is_a_ceiling_and_starts_not_reported():
    clause = one("12月底前完成年度报告")
    assert (clause.comparator, clause.value, clause.outcome, clause.time_words) == ("<=", None, "not_reported", ["12月底前"])


@pytest.mark.parametrize(
    "text, obj",
    [
        ("每月编印内刊15期", "编印内刊"),  # time words out
        ("全年编印内刊15期", "编印内刊"),  # leading frame words out
        ("公用经费不超过5万元", "公用经费"),  # the comparator out
        ("《区委通报》《云溪情况》等办公室内刊15期", "办公室内刊"),  # the kind after 等, not the examples
        ("组织义诊等活动和健康讲座等培训30场", "培训"),  # after the last 等
        ("编印内刊《区委通报》《云溪情况》等：15期", "编印内刊《区委通报》《云溪情况》等"),  # nothing after 等
        ("组织义诊等活动和健康讲座等30场", "组织义诊等活动和健康讲座等"),  # nothing after the last 等
        ("全年：完成编印内刊15期", "编印内刊"),  # frame words after punctuation
        ("在市级以上刊物上发表文稿10篇以上", "市级以上刊物发表文稿"),  # "刊物上发表" → "刊物发表"
        ("完成１５期内刊编印。", "内刊编印"),  # nothing before the figure: the words after it
        ("完成15期以上内刊编印", "内刊编印"),
    ],
)
def test_what_a_clause_counts(text, obj):
    assert one(text).object == obj


def test_joined_clauses_are_cut_at_the_join():
    clauses = parse_clauses("编印内刊15期、工作简报20期及信息30条")
    assert [(c.text, c.span, c.value) for c in clauses] == [
        ("编印内刊15期", (0, 7), 15), ("工作简报20期", (8, 15), 20), ("信息30条", (16, 21), 30)]


@pytest.mark.parametrize(
    "text, words, deadlines",
    [
        ("12月底前完成", ["12月底前"], ["12月底前"]),
        ("年底前完成", ["年底前"], ["年底前"]),  # not 年底 as well
        ("全年及时完成", ["全年", "及时"], []),
        ("6月底前和12月底前报送", ["6月底前", "12月底前"], ["6月底前", "12月底前"]),
        ("按时在年底前完成", ["按时", "年底前"], ["年底前"]),
        ("6月底前报送初稿，年底前定稿", ["6月底前", "年底前"], ["6月底前", "年底前"]),
    ],
)
def test_time_words(text, words, deadlines):
    assert time_words(text) == (words, deadlines)


@pytest.mark.parametrize("target, comparator, implied", [
    ("网上申报材料一次性告知率100%", ">=", False),  # nothing is above 100%: a floor, for certain
    ("档案数字化率100%", ">=", False),
    ("编制内人员控制率100%", "<=", True),  # a control rate is kept down: a ceiling, read from the subject
    ("档案数字化率95%", ">=", True),  # below 100% the direction is still a reading
])
def test_a_rate_of_100_percent_with_no_comparator_is_a_floor(target, comparator, implied):
    (clause,) = [c for c in parse_clauses(target) if c.value is not None]
    assert (clause.comparator, clause.implied) == (comparator, implied)


@pytest.mark.parametrize("target, counted", [
    ("办公用品采购支出控制在年初预算12万元以内", "办公用品采购支出"),
    ("会议费支出不超过调整后预算8.5万元", "会议费支出"),
    ("差旅费控制在上年支出水平6万元以内", "差旅费控制在上年支出水平"),  # a level, not a frame: kept
])
def test_the_bound_and_its_qualifier_are_not_what_a_clause_counts(target, counted):
    (clause,) = [c for c in parse_clauses(target) if c.value is not None]
    assert clause.object.strip("“”") == counted


def test_a_spending_over_its_budget_is_not_met_for_certain():
    from reviewer.narrative import match_evidence

    (clause,) = match_evidence(parse_clauses("办公用品采购支出控制在年初预算12万元以内"),
                               "办公用品采购支出12.6万元，年初预算12.00万元。")
    assert (clause.outcome, clause.confidence, clause.found_value) == ("not_met", "high", 12.6)
