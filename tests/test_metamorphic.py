"""The metamorphic suite (reviewer.evaluation.metamorphic): each rewrite on sentences of our own, then
the whole suite over the corpus against the known failures (tests/metamorphic-known-failures.txt).

The suite test fails on a failing variant the file does not list (a regression) and on a listed
variant that now passes (delete its line: the list only shrinks). The floors below are the figures
reached when the file was written; raise them as the rules improve.
"""

from __future__ import annotations

import random
import re
from decimal import Decimal
from pathlib import Path

import pytest

from reviewer.evaluation import metamorphic as mm
from reviewer.evaluation.metamorphic import Context, Figure

CORPUS = Path(__file__).resolve().parent.parent / "examples" / "corpus"
MIN_VARIANTS = 500
MIN_CATCH_RATE = 0.96  # 365 of 380 when the known-failures file was last written
MAX_PRESERVING_CHANGED = 6  # of 415


def ctx(target: str = "", cell: bool = False, **kw) -> Context:
    return Context(target=target, cell=cell, **kw)


RNG = random.Random(0)


# ---------------------------------------------------------------- figures


def test_figures_skip_dates_and_years():
    got = mm.figures("2023年6月30日前完成验收，历时45天，投入1,200.5万元")
    assert [(f.number, f.unit) for f in got] == [("45", "天"), ("1,200.5", "万元")]
    assert got[1].value == Decimal("1200.5") and got[1].in_base == Decimal("12005000")


def test_figures_take_the_longest_unit():
    assert [f.unit for f in mm.figures("检查商户52家次，接待群众1.8万人次，行驶2.3万公里")] == ["家次", "万人次", "万公里"]


# ---------------------------------------------------------------- Chinese numerals


@pytest.mark.parametrize("n, words", [
    (0, "零"), (7, "七"), (10, "十"), (15, "十五"), (40, "四十"), (101, "一百零一"), (350, "三百五十"),
    (2004, "二千零四"), (30000, "三万"), (105000, "十万五千"), (2300456, "二百三十万零四百五十六"),
    (100000000, "一亿"), (100010000, "一亿零一万"),
])
def test_chinese_integer(n, words):
    assert mm.chinese_integer(n) == words
    assert mm.parse_chinese_number(words) == n


def test_chinese_number_keeps_decimals_and_drops_separators():
    assert mm.chinese_number("3,407.25") == "三千四百零七点二五"
    assert mm.chinese_number("0.5") == "零点五"
    assert mm.parse_chinese_number("两百") == 200
    assert mm.parse_chinese_number("十二点零五") == Decimal("12.05")


def test_parse_chinese_number_refuses_other_words():
    with pytest.raises(ValueError):
        mm.parse_chinese_number("三级")


def test_arabic_to_chinese_leaves_dates():
    text = "共培训教师1,240人次，合格率97.5%，于2023年5月12日结束"
    assert mm.arabic_to_chinese(text, ctx(), RNG) == "共培训教师一千二百四十人次，合格率百分之九十七点五，于2023年5月12日结束"
    assert mm.arabic_to_chinese("于2023年5月12日结束", ctx(), RNG) is None


def test_chinese_to_arabic():
    assert mm.chinese_to_arabic("新建文化广场十二个，覆盖率百分之八十五", ctx(), RNG) == "新建文化广场12个，覆盖率85%"
    assert mm.chinese_to_arabic("实行三级审核，两季集中免疫", ctx(), RNG) is None


# ---------------------------------------------------------------- separators and 万元


def test_thousands_added_only_on_four_digits_or_more():
    text = "采购图书12500册，花费3456.7万元，其中300册捐赠，2023年完成"
    assert mm.thousands_added(text, ctx(), RNG) == "采购图书12,500册，花费3,456.7万元，其中300册捐赠，2023年完成"
    assert mm.thousands_added("捐赠300册", ctx(), RNG) is None


def test_thousands_removed():
    assert mm.thousands_removed("发放补贴2,340,500元", ctx(), RNG) == "发放补贴2340500元"
    assert mm.thousands_removed("发放补贴2340元", ctx(), RNG) is None


def test_wan_and_yuan():
    assert mm.wan_to_yuan("支出3.05万元，结余0.4万元", ctx(), RNG) == "支出30500元，结余4000元"
    assert mm.yuan_to_wan("人均补助850元，另购茶具60元", ctx(), RNG) == "人均补助0.085万元，另购茶具60元"
    assert mm.wan_to_yuan("人均补助850元", ctx(), RNG) is None


# ---------------------------------------------------------------- clause order, added and total sentences


def test_clauses_swapped_at_semicolons():
    assert mm.clauses_swapped("修缮校舍5所；新增床位120张。", ctx(), RNG) == "新增床位120张；修缮校舍5所。"


def test_clauses_swapped_renumbers_items():
    assert mm.clauses_swapped("1.植树800株。 2.修路3公里。", ctx(), RNG) == "1.修路3公里。 2.植树800株。"


def test_clauses_swapped_at_full_stops_when_semicolons_split_an_item():
    text = "1.修缮校舍5所；新增床位120张。 2.培训教师30人。"
    assert mm.clauses_swapped(text, ctx(), RNG) == "1.培训教师30人。 2.修缮校舍5所；新增床位120张。"


def test_clauses_swapped_needs_two_parts_and_prose():
    assert mm.clauses_swapped("新增床位120张。", ctx(), RNG) is None
    assert mm.clauses_swapped("120张；5所", ctx(cell=True), RNG) is None


def test_unrelated_sentence_avoids_the_targets_units():
    out = mm.unrelated_added("新建村级光伏电站8座", ctx("新建村级光伏电站8座以上"), random.Random(3))
    assert out.startswith("新建村级光伏电站8座。")
    added = mm.figures(out[len("新建村级光伏电站8座。"):])
    assert added and all(f.unit != "座" for f in added)
    assert mm.unrelated_added("/", ctx("新建8座"), RNG) is None
    assert mm.unrelated_added("对照年度目标，简要说明（100字以内）", ctx("新建8座"), RNG) is None
    every_unit = "运输3吨、绿化5平方米、植树6株、修路2公里、归档7卷"
    assert mm.unrelated_added("完成", ctx(every_unit), RNG) is None


def test_total_left_out_only_when_the_parts_add_up():
    text = "接待游客1.2万人次、外宾300人次，合计1.23万人次，运行平稳"
    assert mm.total_left_out(text, ctx(), RNG) == "接待游客1.2万人次、外宾300人次，运行平稳"
    assert mm.total_left_out("接待游客1.2万人次、外宾300人次，合计1.5万人次", ctx(), RNG) is None


def test_total_stated_adds_the_sum_of_listed_parts():
    text = "改造农贸市场3个、社区菜店5个，惠及居民"
    assert mm.total_stated(text, ctx(), RNG) == "改造农贸市场3个、社区菜店5个，合计8个，惠及居民"
    assert mm.total_stated("改造农贸市场3个、社区菜店5个，合计8个", ctx(), RNG) is None
    assert mm.total_stated("达标率96%、优良率88%", ctx(), RNG) is None
    assert mm.total_stated("覆盖1个县级、14个乡镇的调解组织", ctx(), RNG) is None  # 个 before a noun
    assert mm.total_stated("放映1,200场、送戏300场。", ctx(), RNG) == "放映1,200场、送戏300场，合计1,500场。"


def test_synonyms_come_from_the_lexicon():
    phrases = mm._phrases()
    known = set(phrases["stock_phrases"]) | {w for group in phrases["action_groups"].values() for w in group}
    outside = [w for group in mm._data()["synonyms"] for w in group if w not in known]
    assert not outside, f"synonyms not in stock_phrases.yaml (stock_phrases / action_groups): {outside}"
    for group in mm._data()["synonyms"]:  # a group's verbs are in one action group: a rule may not tell them apart
        groups = {g for g, words in phrases["action_groups"].items() for w in group if w in words}
        assert len(groups) <= 1, group


def test_synonym_words_and_unit_spellings():
    assert mm.synonym("全年召开座谈会6场", ctx(), RNG) == "全年举办座谈会6场"
    assert mm.synonym("服务老人320人", ctx(), RNG) == "服务老人320名"
    assert mm.synonym("检测样品", ctx(), RNG) is None


# ---------------------------------------------------------------- changing rewrites


def _ev(text: str, number: str) -> Figure:
    return next(f for f in mm.figures(text) if f.number == number)


def test_wrong_side_of_a_floor_and_a_ceiling():
    text = "全年培训农技人员450人"
    assert mm.wrong_side(text, ctx(evidence=_ev(text, "450"), comparator=">=", wanted=400, unit="人"), RNG) == "全年培训农技人员320人"
    text = "人均接待费用180元"
    assert mm.wrong_side(text, ctx(evidence=_ev(text, "180"), comparator="<=", wanted=200, unit="元"), RNG) == "人均接待费用250元"


def test_wrong_side_writes_in_the_figures_own_unit():
    text = "维修资金支出4.5万元"
    got = mm.wrong_side(text, ctx(evidence=_ev(text, "4.5"), comparator="<=", wanted=60000, unit="元"), RNG)
    assert got == "维修资金支出7.5万元"


def test_wrong_side_of_zero_and_of_a_rate():
    text = "发生安全事故0次"
    assert mm.wrong_side(text, ctx(evidence=_ev(text, "0"), comparator="=", wanted=0, unit="次"), RNG) == "发生安全事故1次"
    text = "验收合格率99.5%"
    assert mm.wrong_side(text, ctx(evidence=_ev(text, "99.5"), comparator=">=", wanted=99.9, unit="%"), RNG) == "验收合格率79.9%"
    assert mm.wrong_side(text, ctx(evidence=_ev(text, "99.5"), comparator="", wanted=99.9, unit="%"), RNG) is None


def test_wrong_side_changes_a_repeated_count_everywhere_but_a_rate_once():
    text = "对6个村逐一验收，6个村全部合格，合格率100%，档案归档率100%"
    got = mm.wrong_side(text, ctx(evidence=_ev(text, "6"), comparator=">=", wanted=6, unit="个"), RNG)
    assert got == "对5个村逐一验收，5个村全部合格，合格率100%，档案归档率100%"
    rate = mm.figures(text)[2]
    got = mm.wrong_side(text, ctx(evidence=rate, comparator=">=", wanted=100, unit="%"), RNG)
    assert got == "对6个村逐一验收，6个村全部合格，合格率80%，档案归档率100%"


def test_unit_mismatched():
    text = "走访企业36家"
    assert mm.unit_mismatched(text, ctx(evidence=_ev(text, "36")), RNG) == "走访企业36家次"
    text = "满意率93%"
    assert mm.unit_mismatched(text, ctx(evidence=_ev(text, "93")), RNG) == "满意率93分"
    assert mm.unit_mismatched(text, ctx(), RNG) is None


def test_budget_not_spending():
    text = "“三公”经费支出6.2万元，较上年下降"
    assert mm.budget_not_spending(text, ctx(evidence=_ev(text, "6.2")), RNG) == "“三公”经费年初预算6.2万元，较上年下降"
    assert mm.budget_not_spending("42万元", ctx(evidence=_ev("42万元", "42")), RNG) == "预算42万元"
    assert mm.budget_not_spending("培训42人", ctx(evidence=_ev("培训42人", "42")), RNG) is None
    text = "未超过年初预算9万元"
    assert mm.budget_not_spending(text, ctx(evidence=_ev(text, "9")), RNG) == text  # already a budget


# ---------------------------------------------------------------- verdict comparison


def test_caught_means_not_met_for_wrong_side_and_not_met_otherwise():
    before = mm.Signature("evidenced", ("met", "met"), ())
    abstained = mm.Signature("partial", ("met", "abstain"), ())
    refused = mm.Signature("partial", ("met", "not_met"), ("target.not_met",))
    assert not mm._caught(mm.KIND["wrong_side"], before, abstained, 1)
    assert mm._caught(mm.KIND["wrong_side"], before, refused, 1)
    assert mm._caught(mm.KIND["unit_mismatched"], before, abstained, 1)
    assert not mm._caught(mm.KIND["unit_mismatched"], before, before, 1)


def test_with_completion_rereads_a_national_cell_and_leaves_the_original():
    report = next(r for r in mm.load_corpus(CORPUS) if r.indicators)
    target = next(t for t in report.targets if t.indicator is not None and report.indicators[t.indicator].actual_parsed.known)
    variant = mm.with_completion(report, target, "预算17人")
    row = variant.indicators[target.indicator]
    assert row.actual.text == "预算17人" and row.actual_parsed.value == 17 and row.actual_parsed.unit == "人"
    assert next(t for t in variant.targets if t.index == target.index).completion.text == "预算17人"
    assert report.indicators[target.indicator].actual.text != "预算17人"


def test_variants_are_deterministic():
    report = next(r for r in mm.load_corpus(CORPUS) if "careful" in r.source and not r.indicators)
    review = mm._review(report)
    first = [(vid, text) for vid, _, _, text, _ in mm.variants_of(report, review)]
    again = [(vid, text) for vid, _, _, text, _ in mm.variants_of(report, review)]
    assert first == again and len({vid for vid, _ in first}) == len(first)


def test_the_comparison_flags_a_rewrite_that_is_not_what_it_claims(tmp_path):
    """Two impostors on one report: a "preserving" rewrite that deletes the figures, and a "changing"
    one that only adds a space. The suite must call the first a change and the second not caught."""
    (tmp_path / "one.docx").symlink_to(CORPUS / "hunan-2023-xiangyin-wjj-careful.docx")
    no_digits = mm.Kind("no_digits", "preserving", lambda t, c, r: re.sub(r"[\d.,]+", "", t) if re.search(r"\d", t) else None)
    spaced = mm.Kind("spaced", "changing", lambda t, c, r: t + " " if c.evidence else None, on_cells=False)
    suite = mm.run_suite(tmp_path, kinds=(no_digits, spaced))
    dropped, kept = suite.of("no_digits"), suite.of("spaced")
    assert dropped and sum(not o.ok for o in dropped) >= len(dropped) // 2
    assert kept and not any(o.ok for o in kept) and suite.catch_rate == 0


def test_first_change_shows_the_rewritten_words():
    assert mm.first_change("全年支出3.2万元，结余", "全年年初预算3.2万元，结余") == "全年支出3.2万 ⇒ 全年年初预算3.2万"
    assert mm.first_change("植树80株", "植树80株。另修路2公里。") == "树80株 ⇒ 树80株。另修路2公里。"


def test_read_known(tmp_path):
    path = tmp_path / "known.txt"
    path.write_text("# header\n\na#1:synonym  # verdict moved\nb#2:wrong_side.c0\n", encoding="utf-8")
    assert mm.read_known(path) == {"a#1:synonym": "verdict moved", "b#2:wrong_side.c0": ""}


# ---------------------------------------------------------------- the suite over the corpus


@pytest.fixture(scope="module")
def suite():
    return mm.run_suite(CORPUS)


def test_suite_size_and_kinds(suite):
    assert len(suite.outcomes) >= MIN_VARIANTS
    counts = {k.name: len(suite.of(k.name)) for k in mm.KINDS}
    missing = [name for name, n in counts.items() if n == 0 and name != "chinese_to_arabic"]  # none in the corpus
    assert not missing, f"kinds with no variant: {missing}"
    assert all(o.id.split("#")[0] for o in suite.outcomes)
    assert len({o.id for o in suite.outcomes}) == len(suite.outcomes)


def test_no_new_failures(suite):
    known = mm.read_known()
    new = [f"{o.id}  {o.why}" for o in suite.failures if o.id not in known]
    assert not new, "new metamorphic failures (a rule regressed, or a rewrite changed):\n" + "\n".join(new)


def test_known_failures_still_fail(suite):
    failing = {o.id for o in suite.failures}
    made = {o.id for o in suite.outcomes}
    fixed = [f"{vid} ({'now passes' if vid in made else 'no longer generated'})"
             for vid in sorted(set(mm.read_known()) - failing)]
    assert not fixed, ("these variants no longer fail: delete their lines from tests/metamorphic-known-failures.txt "
                       "(and raise the floors in this file):\n" + "\n".join(fixed))


def test_figures_reached(suite):
    assert suite.catch_rate >= MIN_CATCH_RATE
    assert sum(not o.ok for o in suite.preserving) <= MAX_PRESERVING_CHANGED
    text = mm.render(suite)
    assert f"{len(suite.outcomes)} variants" in text and "changing rewrites caught" in text


def test_readme_quotes_the_figures(suite):
    readme = (CORPUS.parent.parent / "README.md").read_text(encoding="utf-8")
    assert mm.readme_block(readme, suite) == readme, "README's metamorphic figures are stale: python scripts/metamorphic --readme"
