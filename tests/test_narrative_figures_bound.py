"""Figures bound to what they are about (issue 21, items 1-3 and the reading of item 5).

A completion's figure answers a clause only when its subject, exact unit, qualifier and role (a part,
a total, a per-unit value, a ratio, a change) agree; a figure the clause does not bind is rejected
(and named), and with nothing left the rule abstains. Derivations — a rate from two counts, a
per-unit value from a total and a count, a change between two years, a sum of parts — are shown
in `working`. Every sentence here is written for these tests (other departments, other wording,
other units); none is copied from the corpus.
"""

from __future__ import annotations

import pytest

from narrative_seed import target_rows
from reviewer.checks.narrative import check_narrative
from reviewer.checks.statements import parse_text
from reviewer.model import Location, Text
from reviewer.narrative import match_evidence, parse_clauses
from reviewer.narrative.clauses import is_measurable
from reviewer.narrative.evidence import judge_from_quotes, quote_spans
from reviewer.narrative.figures import find_figures
from reviewer.narrative.text import fold
from reviewer.narrative.verdicts import review_row


def judged(target: str, completion: str):
    (clause,) = [c for c in match_evidence(parse_clauses(target), completion) if is_measurable(c)]
    return clause


def quoted(target: str, quotes: list[str], completion: str):
    (clause,) = [c for c in parse_clauses(target) if is_measurable(c)]
    return judge_from_quotes(clause, quotes, completion)


# --- roles and qualifiers of a figure -------------------------------------------------------------

@pytest.mark.parametrize("text, raw, role, qualifier", [
    ("走访企业31家、个体户52户，合计83户", "83户", "total", ""),
    ("培训两期，共计240人次", "240人次", "total", ""),
    ("发放补助36.5万元，户均1,587元", "1,587元", "per_unit", ""),
    ("每公里养护成本4,200元", "4,200元", "per_unit", ""),
    ("单次检测费用不超过80元", "80元", "per_unit", ""),
    ("标准为300元/户", "300元", "per_unit", ""),
    ("每年开展演练4次", "4次", "part", ""),  # a yearly frequency is an annual count
    ("检查生产经营单位284家次", "284家次", "part", ""),  # 单位 is an organisation, not "per unit"
    ("差旅费为年初预算12.00万元的86.5%", "12.00万元", "part", "年初预算"),
    ("差旅费为年初预算12.00万元的86.5%", "86.5%", "ratio", ""),  # not past the figure before it
    ("上年完成造林1,200亩", "1,200亩", "part", "上年"),
    ("较上年减少0.4万元", "0.4万元", "change", "上年"),  # a change from last year
    ("调整后预算为56万元", "56万元", "part", "调整后预算"),
])
def test_role_and_qualifier(text, raw, role, qualifier):
    (fig,) = [f for f in find_figures(fold(text)) if f.raw == raw]
    assert (fig.role, fig.qualifier) == (role, qualifier)


# --- exact unit -----------------------------------------------------------------------------------

def test_visits_are_not_firms():
    # 家 ≠ 家次: the number of firms that did the visiting says nothing of the visits
    c = judged("组织税务师为小微企业开展“税务健康检查”90家次以上",
               "邀请4家税务师事务所，为小微企业开展“税务健康检查”103家次，形成报告103份。")
    assert (c.outcome, c.found_value, c.confidence) == ("met", 103, "high")
    assert any(r.startswith("4家") for r in c.rejected)


def test_firms_are_not_visits():
    c = judged("帮扶困难企业40家以上", "全年上门帮扶困难企业65家次。")
    assert c.outcome == "not_reported"
    assert any("65家次" in r for r in c.rejected) and "65家次" in c.note


def test_people_are_not_person_times():
    c = judged("培训乡村医生300人以上", "举办乡村医生培训班4期，培训620人次。")
    assert c.outcome == "not_reported" and c.found_value is None


def test_an_equivalent_unit_is_compatible_but_less_sure():
    c = judged("每季度编发工作简报1期", "每季度编发《工作简报》1次，全年4次。")
    assert (c.outcome, c.found_value, c.confidence) == ("met", 1, "medium")


# --- a stated total -------------------------------------------------------------------------------

@pytest.mark.parametrize("total", ["合计66场", "共计66场", "总计66场", "合计为66场"])
def test_a_stated_total_answers_a_clause_counting_several_kinds(total):
    c = judged("召开培训会、座谈会等各类会议60场以上",
               f"召开业务培训会21次、座谈会及其他会议45场，{total}，会议纪要均按时印发。")
    assert (c.outcome, c.found_value) == ("met", 66)
    assert "66场" in c.evidence


def test_a_stated_total_below_the_target_is_not_met():
    c = judged("召开培训会、座谈会等各类会议60场以上", "召开业务培训会11次、座谈会及其他会议45场，合计56场。")
    assert (c.outcome, c.found_value) == ("not_met", 56)


def test_the_sum_of_parts_is_shown_in_the_working():
    c = judged("开展义诊、健康讲座等活动100场以上", "开展义诊42场，健康讲座61场。")
    assert (c.outcome, c.found_value) == ("met", 103)
    assert c.working == "按42场、61场合计为103场" and c.confidence == "medium"


# --- per-unit values ------------------------------------------------------------------------------

def test_a_per_unit_target_reads_the_per_unit_figure_not_the_total():
    c = judged("农户危房改造平均每户补助不超过2,000元",
               "全年发放危房改造补助资金36.5万元，惠及农户230户，平均每户1,587元。")
    assert (c.outcome, c.found_value) == ("met", 1587)
    assert any("36.5万元" in r and "总数" in r for r in c.rejected)


def test_a_per_unit_value_derived_from_a_total_and_a_count():
    c = judged("危房改造补助不超过2,000元/户", "全年发放危房改造补助资金36.5万元，惠及农户230户。")
    assert (c.outcome, c.confidence) == ("met", "medium")
    assert c.found_value == pytest.approx(365000 / 230)
    assert c.working == "按36.5万元、230户计算为每户1586.96元"


def test_the_derived_per_unit_value_can_fail():
    c = judged("危房改造补助不超过1,500元/户", "全年发放危房改造补助资金36.5万元，惠及农户230户。")
    assert c.outcome == "not_met" and c.confidence == "medium"


def test_a_per_unit_target_with_only_a_total_abstains_and_raises_nothing():
    (row,) = target_rows([("产出目标", "成本指标", "危房改造补助不超过2,000元/户", "全年发放危房改造补助资金36.5万元。")])
    verdict, findings = review_row(row, [])
    (c,) = verdict.clauses
    assert (c.outcome, c.confidence) == ("abstain", "low")
    assert findings == [] and verdict.verdict == "not_checked" and verdict.confidence == "low"


def test_a_total_target_is_not_answered_by_a_per_unit_figure():
    c = judged("发放危房改造补助资金30万元以上", "全年发放危房改造补助资金，平均每户1,587元。")
    assert c.outcome == "abstain"


# --- rates from two counts ------------------------------------------------------------------------

def test_a_rate_from_its_two_counts():
    c = judged("群众投诉按期办结率达到95%以上", "全年受理群众投诉260件，按期办结251件。")
    assert (c.outcome, c.confidence) == ("met", "medium")
    assert c.found_value == pytest.approx(251 / 260 * 100)
    assert c.working == "按260件、251件计算为96.54%"
    assert "251件" in c.evidence and "260件" in c.evidence


def test_a_derived_rate_below_the_target():
    c = judged("群众投诉按期办结率达到95%以上", "全年受理群众投诉260件，按期办结240件。")
    assert (c.outcome, c.confidence) == ("not_met", "medium")
    assert c.working == "按260件、240件计算为92.31%"


def test_a_rate_base_written_after_its_part():
    c = judged("食品抽检合格率98%以上", "抽检合格593批次，占抽检总数600批次。")
    assert c.outcome == "met" and c.working == "按600批次、593批次计算为98.83%"


def test_a_stated_rate_wins_over_a_derivation():
    c = judged("群众投诉按期办结率达到95%以上", "受理投诉260件，按期办结251件，按期办结率94.2%。")
    assert (c.outcome, c.found_value, c.working) == ("not_met", 94.2, "")


# --- changes --------------------------------------------------------------------------------------

def test_a_change_from_two_years():
    c = judged("全县道路交通事故死亡人数比上年下降5%以上",
               "2023年全县发生道路交通事故死亡18人。2022年全县道路交通事故死亡21人。")
    assert (c.outcome, c.confidence) == ("met", "medium")
    assert c.found_value == pytest.approx(3 / 21 * 100)
    assert c.working == "按本年18人、上年21人计算，下降14.29%"


def test_a_change_from_a_last_year_figure():
    c = judged("林区火灾过火面积比上年下降20%以上", "全年林区火灾过火面积12亩，上年过火面积14亩。")
    assert c.outcome == "not_met"  # 2 ÷ 14 = 14.29%
    assert c.working == "按本年12亩、上年14亩计算，下降14.29%"


def test_a_rise_from_two_years():
    c = judged("新增就业人数比上年增长10%以上", "全年新增就业3,360人，上年新增就业3,000人。")
    assert c.outcome == "met" and c.working == "按本年3,360人、上年3,000人计算，增长12%"


def test_a_change_figure_answers_a_change_target():
    c = judged("纸质公文印发量比上年下降15%以上", "推行电子公文，全年印发纸质公文1,020份，同比下降21.5%。")
    assert (c.outcome, c.found_value) == ("met", 21.5)


def test_a_level_is_not_a_change():
    c = judged("纸质公文印发量比上年下降15%以上", "全年纸质公文电子化率达到80%。")
    assert c.outcome != "met"


# --- qualifiers -----------------------------------------------------------------------------------

def test_the_budget_a_clause_names_as_its_bound_is_not_its_evidence():
    c = judged("差旅费支出控制在年初预算12.00万元以内", "全年差旅费支出10.38万元，为年初预算12.00万元的86.5%。")
    assert (c.outcome, c.found_value) == ("met", 10.38)
    assert any(r.startswith("12.00万元") and "年初预算" in r for r in c.rejected)


def test_only_the_budget_given_abstains():
    c = judged("差旅费支出控制在年初预算12.00万元以内", "差旅费年初预算12.00万元，严格按标准报销。")
    assert c.outcome == "abstain"


def test_last_years_level_is_not_this_years():
    c = judged("完成植树造林1,500亩以上", "上年完成植树造林1,620亩，今年因干旱推迟。")
    assert c.outcome == "abstain"


def test_a_budget_figure_of_the_narrative_is_not_compared_with_the_spending_table():
    text = Text(text="“三公”经费年初预算14.00万元，实际支出11.20万元。", location=Location(table=0, row=60, col=1))
    (st,) = parse_text(text)  # "实际支出11.20万元" names no subject of its own
    assert (st.subject, st.basis) == ("sangong", "年初预算")
    assert check_narrative(_report_with_sangong(1.12), [st]) == []


def _report_with_sangong(total_wan: float):
    from checks_seed import seed_report
    report = seed_report()
    table = report.tables["sangong"]
    number = table.summary.values["total"]
    value = total_wan * 10000 if table.unit == "元" else total_wan
    table.summary.values["total"] = number.model_copy(update={"value": value, "raw": f"{value:g}"})
    return report


def test_an_actual_figure_is_still_compared():
    text = Text(text="“三公”经费支出11.20万元。", location=Location(table=0, row=60, col=1))
    statements = parse_text(text)
    assert [s.basis for s in statements] == [""]
    (f,) = check_narrative(_report_with_sangong(8.0), statements)
    assert f.code == "narrative.figure_mismatch"


# --- rates in words (the two probes) ---------------------------------------------------------------

@pytest.mark.parametrize("completion", ["全年报表全部按时报送。", "全年报表全部按时报送，无一逾期。", "统计月报均按时报送。"])
def test_all_on_time_in_words_is_a_full_rate(completion):
    c = judged("报送及时率达到100%", completion)
    assert (c.outcome, c.found_value, c.confidence) == ("met", 100, "medium")


@pytest.mark.parametrize("completion", ["全年报表基本按时报送。", "全年报表未全部按时报送。", "报表报送工作有序开展。"])
def test_words_that_do_not_say_all(completion):
    assert judged("报送及时率达到100%", completion).outcome != "met"


# --- meaning-preserving rewrites keep the verdict ---------------------------------------------------

BASE = ("全县农村低保年度核查覆盖率达到95%以上", "全年应核查农村低保对象1,240户，实际核查1,226户。")


@pytest.mark.parametrize("completion", [
    BASE[1],
    "全年应核查农村低保对象1240户，实际核查1226户。",  # no thousands separator
    "全年应核查农村低保对象1,240户，实际核查1,226户。另发放临时救助资金18.6万元。",  # an unrelated figure
    "全年应核查农村低保对象1,240户，实际核查1,226户，核查工作于11月底完成。",  # an unrelated date
])
def test_rewrites_keep_the_derived_rate(completion):
    c = judged(BASE[0], completion)
    assert c.outcome == "met" and c.found_value == pytest.approx(1226 / 1240 * 100)


@pytest.mark.parametrize("completion, value", [
    ("发放危房改造补助资金36.5万元，惠及农户230户。", 365000 / 230),
    ("发放危房改造补助资金365,000元，惠及农户230户。", 365000 / 230),
    ("惠及农户230户，发放危房改造补助资金36.5万元。", 365000 / 230),
])
def test_rewrites_keep_the_derived_per_unit_value(completion, value):
    c = judged("危房改造补助不超过2,000元/户", completion)
    assert c.outcome == "met" and c.found_value == pytest.approx(value)


# --- confidence ----------------------------------------------------------------------------------

def test_an_exact_figure_about_the_head_noun_is_high():
    c = judged("全年培训基层网格员800人次以上", "全年培训基层网格员912人次。")
    assert (c.outcome, c.confidence) == ("met", "high")


def test_an_implied_comparator_lowers_confidence():
    c = judged("全年培训基层网格员800人次", "全年培训基层网格员712人次。")
    assert (c.outcome, c.confidence) == ("not_met", "medium")


def test_the_finding_carries_the_clause_confidence_and_working():
    (row,) = target_rows([("产出目标", "质量指标", "群众投诉按期办结率达到95%以上", "全年受理群众投诉260件，按期办结240件。")])
    _, findings = review_row(row, [])
    (f,) = [f for f in findings if f.code == "target.not_met"]
    assert (f.confidence, f.working, f.severity) == ("medium", "按260件、240件计算为92.31%", "warning")


# --- the model's quotes, read by the same binder (judge_from_quotes) --------------------------------

COMPLETION = ("全年受理群众投诉260件，按期办结251件；发放危房改造补助资金36.5万元，惠及农户230户，平均每户1,587元；"
              "全年纸质公文1,020份，同比下降21.5%；组织3家评估机构开展“企业安全体检”142家次。做好了简报编辑工作。")


def test_a_quoted_per_unit_figure_meets_a_per_unit_target():
    c = quoted("危房改造平均每户补助不超过2,000元", ["平均每户1,587元"], COMPLETION)
    assert (c.outcome, c.found_value) == ("met", 1587)
    start, end = c.evidence_span
    assert COMPLETION[start:end] == c.evidence == "平均每户1,587元"


def test_the_parts_of_a_derivation_quoted_separately():
    c = quoted("投诉按期办结率达到95%以上", ["受理群众投诉260件", "按期办结251件"], COMPLETION)
    assert c.outcome == "met" and c.working == "按260件、251件计算为96.54%"


def test_one_part_of_a_derivation_is_not_enough():
    c = quoted("投诉按期办结率达到95%以上", ["按期办结251件"], COMPLETION)
    assert c.outcome != "met"


def test_a_quoted_change_figure_meets_a_change_target():
    c = quoted("纸质公文印发量比上年下降15%以上", ["同比下降21.5%"], COMPLETION)
    assert (c.outcome, c.found_value) == ("met", 21.5)


def test_a_quoted_figure_in_the_exact_unit():
    assert quoted("开展“企业安全体检”100家次以上", ["“企业安全体检”142家次"], COMPLETION).outcome == "met"
    assert quoted("开展“企业安全体检”100家次以上", ["组织3家评估机构"], COMPLETION).outcome == "not_reported"


def test_a_quote_without_a_figure_cannot_evidence_a_quantity():
    c = quoted("全年编发简报15期以上", ["做好了简报编辑工作"], COMPLETION)
    assert (c.outcome, c.found_value) == ("not_reported", None)


def test_a_quote_not_in_the_completion_is_no_evidence():
    c = quoted("全年编发简报15期以上", ["全年编发简报18期"], COMPLETION)
    assert (c.outcome, c.evidence_span) == ("not_reported", None)
    assert quote_spans(["全年编发简报18期", "按期办结251件"], COMPLETION) == [(COMPLETION.index("按期办结251件"), COMPLETION.index("按期办结251件") + 8)]


def test_a_quote_cannot_reach_outside_itself():
    # the total beside the quoted count is not read: the quote alone gives no per-unit value
    c = quoted("危房改造补助不超过2,000元/户", ["惠及农户230户"], COMPLETION)
    assert c.outcome != "met"


def test_two_outputs_listed_side_by_side_are_not_a_rate():
    # 2期 and 1期 are two kinds of report, not a base and its part: the words "全部按时报送" answer
    c = judged("统计年报、半年报按时报送率100%", "全年编报统计半年报2期、年报1期，全部按时报送。")
    assert (c.outcome, c.found_value, c.working) == ("met", 100, "“全部按时报送”按100%计")


def test_a_total_wins_a_tie_with_one_of_its_parts():
    # both name the meetings equally: the stated total (70场), not the first part (45场), answers
    c = judged("召开各类会议60场以上", "召开会议45场、座谈15场，合计70场。")
    assert (c.outcome, c.found_value) == ("met", 70)


def test_an_equivalent_unit_alone_lowers_confidence():
    c = judged("全年编印工作简报12期以上", "全年编印《工作简报》14次。")
    assert (c.outcome, c.found_value, c.confidence) == ("met", 14, "medium")
    assert judged("全年编印工作简报12期以上", "全年编印《工作简报》14期。").confidence == "high"


def test_a_quoted_figure_needs_no_words_of_the_clause():
    # the model chose the quote for this clause: its figure is read even though its words name nothing
    # of it, but unit and role must still agree
    c = quoted("农户危房改造补助标准不超过2,000元/户", ["户均1,587元"], COMPLETION.replace("平均每户", "户均"))
    assert (c.outcome, c.found_value) == ("met", 1587)


def test_two_outputs_apart_are_not_a_rate_either():
    # no base word and the rate's action (报送) not with either count: the words answer, not 4 ÷ 12
    c = judged("统计月报、季报按时报送率100%", "全年编报统计月报12期，季报4期，全部按时报送。")
    assert (c.outcome, c.found_value) == ("met", 100)


def test_a_part_larger_than_its_base_derives_nothing():
    c = judged("群众投诉按期办结率达到95%以上", "受理群众投诉80件，按期办结96件。")
    assert c.outcome != "met" and c.working == ""


def test_a_per_unit_value_is_not_derived_when_two_counts_could_divide():
    c = judged("危房改造补助不超过2,000元/户", "发放危房改造补助资金36.5万元，惠及农户230户，其中脱贫户85户。")
    assert c.outcome == "abstain" and c.working == ""


def test_a_deadline_kept_in_words_only_is_a_question():
    c = judged("年度考核工作11月底前完成", "年度考核工作已按时完成。")
    assert (c.outcome, c.confidence) == ("not_reported", "medium")


def test_a_dated_deadline_is_sure_unless_another_date_disagrees():
    assert judged("年度考核工作11月底前完成", "11月20日完成年度考核工作。").confidence == "high"
    c = judged("年度考核工作11月底前完成", "11月20日完成年度考核初评，12月15日完成年度考核工作。")
    assert c.confidence in ("medium", "low") and c.rejected


def test_a_quoted_reading_carries_nothing_of_the_rules_reading():
    rules = judged("开展“企业安全体检”100家次以上", COMPLETION.replace("142家次", "342家次"))
    assert rules.exceeds_by is not None and rules.outcome == "met"
    c = judge_from_quotes(rules, ["做好了简报编辑工作"], COMPLETION)
    assert (c.outcome, c.exceeds_by, c.found_raw, c.found_value) == ("not_reported", None, "", None)


def test_a_pasted_list_of_thousands_of_counts_is_read_in_time():
    # every count could be a rate's part or base: pairs are looked for among near neighbours only
    # (all pairs took about a minute here; this reads in well under a second)
    import time

    completion = "，".join(f"受理结案{i}件" for i in range(1, 1500))[:10000]
    started = time.perf_counter()
    for target in ("按期结案率达到98%以上", "补贴不超过1,500元/件", "结案数比上年下降10%"):
        match_evidence(parse_clauses(target), completion)
    assert time.perf_counter() - started < 10


# --- Chinese numerals and multipliers ---------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("十二", 12), ("二十", 20), ("一百零八", 108), ("两千三百", 2300), ("一万二千", 12000),
    ("三点五", 3.5), ("零点八六", 0.86), ("一千五百六十二点三", 1562.3), ("万万", None), ("二三", None),
])
def test_chinese_value(text, value):
    from reviewer.narrative.figures import chinese_value

    assert chinese_value(text) == value


@pytest.mark.parametrize("arabic, chinese", [
    ("开展“税务健康检查”103家次", "开展“税务健康检查”一百零三家次"),
    ("群众满意率96.2%", "群众满意率百分之九十六点二"),
    ("全年编印工作简报14期", "全年编印工作简报十四期"),
])
def test_chinese_numerals_read_as_their_arabic_figures(arabic, chinese):
    target = {"家次": "开展“税务健康检查”90家次以上", "%": "群众满意率达到95%以上", "期": "全年编印工作简报12期以上"}
    unit = next(u for u in target if arabic.endswith(u))
    a, c = judged(target[unit], arabic), judged(target[unit], chinese)
    assert (a.outcome, a.found_value) == (c.outcome, c.found_value) == ("met", a.found_value)


def test_a_multiplier_after_arabic_digits():
    c = judged("综合演练每场次平均成本控制在8千元以内", "开展综合演练12场次，场均7,400元。")
    assert (c.value, c.unit, c.outcome, c.found_value) == (8000, "元", "met", 7400)
    (fig,) = [f for f in find_figures(fold("发放宣传折页3.5万份")) if f.value]
    assert (fig.value, fig.unit) == (35000, "份")


@pytest.mark.parametrize("text", ["召开区六次党代会", "推进“最多跑一次”改革", "深化（一网通办）", "召开第三次会议", "建立一个机制"])
def test_names_and_ordinals_in_chinese_numerals_are_no_figures(text):
    assert [f for f in find_figures(fold(text)) if f.value is not None] == []


def test_rejected_figures_are_named_up_to_a_limit():
    from reviewer.narrative.evidence import MAX_REJECTED

    completion = "，".join(f"编印内刊{i}份" for i in range(1, 40))
    c = judged("编印内刊15期以上", completion)
    assert len(c.rejected) == MAX_REJECTED and c.rejected[0] == "1份：单位不是“期”"


def test_a_quoted_rate_of_another_kind_is_not_the_clauses_rate():
    completion = "全年审查规范性文件21件，审查率100%；受理投诉260件，按期办结251件。"
    c = quoted("投诉按期办结率达到98%以上", ["审查率100%", "受理投诉260件", "按期办结251件"], completion)
    assert (c.outcome, c.working) == ("not_met", "按260件、251件计算为96.54%")
    assert any("审查率" in r for r in c.rejected)


def test_parts_listed_side_by_side_are_summed_when_no_total_is_written():
    # the total left to the reader: 24次 (a meeting counted as 次) + 113场 = 137, over 120
    c = judged("组织保障各类会议120场以上", "组织保障常务会议24次、专题会议及其他会议113场，会议材料准备均按规定完成。")
    assert (c.outcome, c.found_value, c.confidence) == ("met", 137, "medium")
    assert c.working == "按24次、113场合计为137场"
    # with the total written the same verdict, surer
    stated = judged("组织保障各类会议120场以上", "组织保障常务会议24次、专题会议及其他会议113场，合计137场。")
    assert (stated.outcome, stated.found_value) == ("met", 137)


def test_parts_in_separate_pieces_are_not_summed():
    c = judged("组织保障各类会议120场以上", "组织保障专题会议113场。另组织培训会议14场，参训320人次。")
    assert c.outcome == "not_met"


@pytest.mark.parametrize("cell, kind, value, unit, comparator", [
    ("百分之一百", "number", 100, "%", ""),
    ("≥百分之九十五", "number", 95, "%", ">="),
    ("三十二处", "number", 32, "处", ""),
    ("一百一十三点六公里", "number", 113.6, "公里", ""),
    ("十八点七万人", "number", 187000, "人", ""),
    ("平均二点六个工作日", "number", 2.6, "个工作日", ""),
    ("一般", "text", None, "", ""),  # a grade, not the number one
    ("统一", "text", None, "", ""),
])
def test_an_indicator_cell_in_chinese_numerals(cell, kind, value, unit, comparator):
    from reviewer.values import parse_value

    p = parse_value(cell)
    assert (p.kind, p.value, p.unit, p.comparator) == (kind, value, unit, comparator)


def test_a_date_in_chinese_numerals_is_a_date():
    from reviewer.values import parse_value

    assert parse_value("二〇二二年十一月三十日前") == parse_value("2022年11月30日前").model_copy(update={"raw": "二〇二二年十一月三十日前"})


def test_a_decimal_with_a_multiplier_in_chinese():
    (fig,) = [f for f in find_figures(fold("改造面积二十六点八四万平方米；")) if f.value]
    assert (fig.value, fig.unit) == (268400, "平方米")
    assert [f.value for f in find_figures(fold("每月出一期，全年十二期")) if f.value] == [1, 12]


def test_a_total_is_not_the_base_of_its_own_parts():
    c = judged("统计月报、季报按时报送率100%", "全年编报统计月报12期、季报4期，合计16期，全部按时报送。")
    assert (c.outcome, c.found_value) == ("met", 100)


def test_tied_figures_are_told_apart_by_the_piece_before_whatever_their_order():
    target = "村级季度考核合格率100%"
    first = "全镇14个村季度考核均达到合格等次，合格率100%；户厕改造326户，经市级验收合格318户，合格率97.5%。"
    swapped = "户厕改造326户，经市级验收合格318户，合格率97.5%；全镇14个村季度考核均达到合格等次，合格率100%。"
    assert judged(target, first).found_value == judged(target, swapped).found_value == 100


def test_an_all_word_over_a_floor_is_no_full_rate():
    # "均在95分以上" says each scored above 95, not that the rate is 100%
    assert judged("考核合格率100%", "各村季度考核得分均在95分以上。").outcome != "met"
    # a time limit is different: all within it is all on time
    assert judged("信息报送及时率100%", "接报信息52条，均在2小时内报送。").outcome == "met"


def test_a_per_unit_value_per_something_else():
    c = judged("每平方米综合造价控制在300元以内", "完成投资7,193.1万元，每平方米综合造价268元/人。")
    assert c.outcome != "met"
    assert judged("每平方米综合造价控制在300元以内", "完成投资7,193.1万元，每平方米综合造价268元。").outcome == "met"


@pytest.mark.parametrize("a, b, same", [
    ("113.6公里", "120千米", True), ("18.7万人", "18万名", True), ("186天", "180日", True),
    ("5个工作日", "5工作日", True), ("38台（套）", "30台(套)", True),
    ("9个", "4人", False),  # a lone 个 is a unit of its own
    ("9个", "4个", True),
])
def test_indicator_units_compare_by_their_spellings(a, b, same):
    from reviewer.values import parse_value, same_unit

    assert same_unit(parse_value(a), parse_value(b)) is same


def test_a_figure_per_another_denominator_does_not_answer():
    """"元/人" is not "元/件": a per-person cost does not answer a per-case ceiling (own sentences)."""
    c = judged("每件调解案件平均补贴不超过800元/件", "全年调解补贴人均650元/人。")
    assert c.outcome != "met"
    assert any("按“人”计" in r for r in c.rejected)
    same = judged("每件调解案件平均补贴不超过800元/件", "全年调解案件平均补贴650元/件。")
    assert (same.outcome, same.found_value) == ("met", 650)


@pytest.mark.parametrize("target, completion, found", [
    ("完成120处集中式和186处分散式供水设施维修", "全年维修集中式供水设施120处、分散式供水设施186处。", [120, 186]),
    ("改造城区主干道5条、背街小巷18条", "完成背街小巷改造18条，主干道改造5条。", [5, 18]),
])
def test_sibling_clauses_in_one_unit_take_the_figure_named_like_them(target, completion, found):
    """Two clauses counting in one unit: each takes the figure whose own name (the words right
    before it) has what tells it from its sibling (集中式/分散式, 主干道/背街小巷), not the first."""
    from reviewer.narrative import match_evidence, parse_clauses

    clauses = [c for c in match_evidence(parse_clauses(target), completion) if c.value is not None]
    assert [c.found_value for c in clauses] == found
    assert all(c.outcome == "met" for c in clauses)
