"""match_evidence rule by rule: the note a reviewer reads, word for word, and each threshold on both
sides (which figure answers a clause, when a figure is far over, when a deadline is kept, when a rate
written in words counts). Completions are written for these tests."""

from __future__ import annotations

import pytest

from reviewer.narrative import match_evidence, parse_clauses
from reviewer.narrative.clauses import is_measurable
from reviewer.narrative.evidence import Completion, Relevance, measure_name, relevance, subject_of


def judged(target: str, completion: str):
    (clause,) = [c for c in match_evidence(parse_clauses(target), completion) if is_measurable(c)]
    if clause.evidence_span is not None:
        start, end = clause.evidence_span
        assert completion[start:end] == clause.evidence  # every span indexes the completion as given
    return clause


def result(target: str, completion: str):
    c = judged(target, completion)
    return c.outcome, c.found_value, c.evidence, c.note


# --- the notes of a value clause ------------------------------------------------------------------

def test_met_floor_note():
    assert result("编印内刊15期以上", "全年编印内刊20期。") == (
        "met", 20, "全年编印内刊20期。", "完成情况为“20期”，目标≥15期，已达到。")


def test_missed_floor_note():
    assert result("编印内刊15期以上", "全年编印内刊11期。") == (
        "not_met", 11, "全年编印内刊11期。", "完成情况为“11期”，目标≥15期，未达到。")


def test_implied_floor_says_how_it_was_read():
    assert judged("开展专题培训3次", "全年开展专题培训5次。").note == (
        "完成情况为“5次”，目标≥3次（目标未写“以上/以下”，按此理解），已达到。")


def test_missed_equal_target_asks_a_person():
    assert judged("专题培训次数为3次", "全年开展专题培训5次。").note == (
        "完成情况为“5次”，目标=3次，与目标值不一致，请人工判断。")


def test_a_zero_ceiling_is_compared_as_zero():
    assert result("安全事故控制在0次以内", "发生安全事故1次。") == (
        "not_met", 1, "发生安全事故1次。", "完成情况为“1次”，目标≤0次，未达到。")


@pytest.mark.parametrize("unit, name", [("期", "期数"), ("%", "比例"), ("万元", "金额"), ("吨", "以“吨”计的数量")])
def test_measure_names(unit, name):
    assert measure_name(unit) == name


# --- far over a floor (FAR_OVER = 2) ---------------------------------------------------------------

def test_twice_a_floor_of_one_is_far_over_and_the_note_says_how_far():
    c = judged("开展培训1次以上", "开展培训3次。")
    assert (c.outcome, c.exceeds_by, c.found_raw) == ("met", 3, "3次")
    assert c.note == "完成情况为“3次”，目标≥1次，已达到。实际为目标的3倍，目标可能定得偏低，请人工判断。"


def test_a_floor_of_zero_is_never_far_over():
    c = judged("开展培训0次以上", "开展培训5次。")
    assert (c.outcome, c.exceeds_by, c.note) == ("met", None, "完成情况为“5次”，目标≥0次，已达到。")


# --- which figure answers ----------------------------------------------------------------------------

def test_a_specific_unit_ties_a_figure_to_one_shared_character():
    # "刊物11期" shares only 刊 with "编印内刊": 期 is a unit only journals are counted in
    assert result("编印内刊15期以上", "刊物11期。")[:2] == ("not_met", 11)


def test_a_change_is_skipped_and_the_level_after_it_is_used():
    assert result("群众满意度达到95%以上", "满意率同比提高3%，满意率为98%。")[:2] == ("met", 98)


def test_a_change_answers_a_target_that_asks_for_a_change():
    assert result("营业收入同比增长10%以上", "营业收入同比增长12%。")[:2] == ("met", 12)


def test_the_lone_figure_in_the_unit_beside_a_word_of_the_clause_answers():
    # "满意率为98%" shares one pair (满意) with the clause: too little alone, enough when it is the only %
    assert result("群众满意度达到95%以上", "经问卷调查，满意率为98%。") == (
        "met", 98, "满意率为98%。", "完成情况为“98%”，目标≥95%，已达到。")


def test_a_lone_figure_counts_when_another_figure_is_in_another_unit():
    assert result("群众满意度达到95%以上", "经问卷调查，满意率为98%，满意人数120人。")[:2] == ("met", 98)


def test_two_weak_figures_in_the_unit_answer_nothing():
    assert result("群众满意度达到95%以上", "经问卷调查，满意率为98%，回访率为90%。") == (
        "not_reported", None, "", "完成情况未给出比例。")


def test_an_approximate_lone_figure_is_only_approximate():
    assert result("群众满意度达到95%以上", "经问卷调查，满意率约98%。")[:3] == ("approximate", None, "满意率约98%。")


def test_a_lone_figure_is_not_used_when_an_approximate_answer_exists():
    assert result("群众满意度达到95%以上", "一批群众表示满意，调查满意率98%")[:3] == ("approximate", None, "一批群众表示满意")


def test_equally_relevant_figures_the_first_is_used():
    assert result("编印内刊15期以上", "编印内刊20期，编印内刊16期。")[:3] == ("met", 20, "编印内刊20期")


def test_the_more_relevant_figure_is_used_even_when_later():
    assert result("编印内刊15期以上", "内刊20期，编印内刊16期。")[:3] == ("met", 16, "编印内刊16期。")


def test_per_unit_target_prefers_the_per_unit_figure_written_second():
    assert result("亩均财政投入不超过1,500元", "财政投入3,052.46万元，亩均投入1,165元。")[:2] == ("met", 1165)


def test_a_total_target_does_not_prefer_the_per_unit_figure():
    assert result("财政投入不超过5000万元", "财政投入3,052.46万元，亩均财政投入1,165元。")[:2] == ("met", 3052.46)


def test_per_unit_target_with_no_per_unit_figure_abstains():
    # a total is not a per-unit value, and with no count (亩) beside it nothing can be derived
    assert result("亩均财政投入不超过1,500元", "财政投入3,052.46万元。")[:2] == ("abstain", None)


# --- near misses in the note ---------------------------------------------------------------------

def test_a_figure_in_another_unit_is_named():
    assert result("编印内刊15期以上", "全年编印内刊15份。") == (
        "not_reported", None, "全年编印内刊15份。", "完成情况提到“全年编印内刊15份。”，但未给出期数。“15份”以“份”计，目标以“期”计。")


def test_an_unrelated_figure_in_another_unit_is_not_named():
    # 刊 alone (no unit of journals, no shared verb) does not make "30份" a near miss
    assert result("编印内刊15期以上", "认真做好刊物订阅30份。") == ("not_reported", None, "", "完成情况未给出期数。")


def test_a_round_number_in_another_unit_is_no_near_miss():
    assert judged("编印内刊15期以上", "编印内刊近百份。").note == "完成情况提到“编印内刊近百份。”，但未给出期数。"


def test_a_figure_about_another_action_names_both_verbs():
    assert result("发表文稿10篇以上", "起草文稿100余篇。") == (
        "not_reported", None, "",
        "完成情况未给出篇数。“100余篇”为约数，且指“起草”，不是“发表”（“起草文稿100余篇。”）。")


def test_at_most_two_near_misses_are_named():
    c = judged("发表文稿10篇以上", "起草文稿30篇，撰写材料20篇，代拟讲话15篇。")
    assert c.note == ("完成情况未给出篇数。“30篇”指“起草”，不是“发表”（“起草文稿30篇”）；"
                      "“20篇”指“撰写”，不是“发表”（“撰写材料20篇”）。")


def test_a_near_miss_quotes_12_characters_before_and_24_after_the_figure():
    before, after = "甲乙丙丁戊己庚辛壬癸子丑寅", "卯辰巳午未申酉戌亥天地玄黄宇宙洪荒日月盈昃辰宿列张寒来"
    completion = f"起草{before}文稿30篇{after}。"
    start = completion.index("30篇")
    shown = "…" + completion[start - 12 : start + len("30篇") + 24] + "…"
    note = judged("发表文稿10篇以上", completion).note
    assert f"（“{shown}”）" in note


def test_a_near_miss_in_a_short_piece_is_quoted_whole():
    note = judged("发表文稿10篇以上", "起草文稿30篇。").note
    assert "（“起草文稿30篇。”）" in note


# --- not reported: what the completion does say -------------------------------------------------

def test_a_mention_without_a_figure_is_cited():
    assert result("编印内刊15期以上", "认真做好内刊编印工作。") == (
        "not_reported", None, "认真做好内刊编印工作。", "完成情况提到“认真做好内刊编印工作。”，但未给出期数。")


def test_a_long_mention_is_cut_at_40_characters():
    piece = "认真做好内刊编印工作" + "甲乙丙丁戊己庚辛壬癸" * 3 + "子"  # 41 characters
    c = judged("编印内刊15期以上", piece)
    assert c.note == f"完成情况提到“{piece[:39]}…”，但未给出期数。"
    assert c.evidence == piece


def test_a_mention_of_exactly_40_characters_is_quoted_whole():
    piece = "认真做好内刊编印工作" + "甲乙丙丁戊己庚辛壬癸" * 3
    assert judged("编印内刊15期以上", piece).note == f"完成情况提到“{piece}”，但未给出期数。"


def test_the_most_relevant_mention_is_cited_then_the_first():
    assert judged("编印内刊15期以上", "做好内刊工作，做好内刊编印工作。").evidence == "做好内刊编印工作。"
    assert judged("编印内刊15期以上", "做好内刊编印，做好内刊编印。").evidence == "做好内刊编印"


def test_one_shared_character_is_no_mention():
    assert result("编印内刊15期以上", "刊物管理规范。") == ("not_reported", None, "", "完成情况未给出期数。")


def test_matching_again_clears_the_evidence_of_an_earlier_match():
    first = match_evidence(parse_clauses("编印内刊15期以上"), "全年编印内刊20期。")
    assert first[0].outcome == "met"
    (again,) = match_evidence(first, "全年工作有序开展。")
    assert (again.outcome, again.evidence, again.evidence_span) == ("not_reported", "", None)


# --- several items added up ---------------------------------------------------------------------

def test_items_added_up_note():
    assert result("组织下乡义诊、健康讲座等健康教育活动120场以上", "组织专家下乡义诊38场，各乡镇开展健康讲座91场。") == (
        "met", 129, "组织专家下乡义诊38场，各乡镇开展健康讲座91场。", "完成情况分项为38场＋91场，合计129场，目标≥120场，已达到。")


def test_items_added_up_fall_short_note():
    c = judged("组织下乡义诊、健康讲座等健康教育活动120场以上", "开展健康讲座51场，组织专家下乡义诊38场。")
    assert (c.outcome, c.found_value) == ("not_met", 89)
    assert c.note == "完成情况分项为51场＋38场，合计89场，目标≥120场，未达到。"


def test_an_item_of_two_characters_is_an_item():
    assert judged("义诊、讲座等活动120场以上", "开展义诊活动38场，讲座活动91场。").found_value == 129


def test_an_item_is_known_by_its_last_two_characters():
    assert judged("组织下乡义诊、健康讲座等活动120场以上", "开展义诊活动38场，讲座活动91场。").found_value == 129


def test_items_in_a_scaled_unit_are_added_in_that_unit():
    c = judged("开展义诊、健康讲座等服务1万人次以上", "义诊服务6,000人次，健康讲座服务0.5万人次。")
    assert (c.outcome, c.found_value) == ("met", 1.1)
    assert c.note == "完成情况分项为6,000人次＋0.5万人次，合计1.1万人次，目标≥1万人次，已达到。"


def test_the_same_figure_is_not_counted_for_two_items():
    c = judged("组织义诊、巡诊等活动120场以上", "组织专家义诊巡诊38场。")
    assert (c.outcome, c.found_value) == ("not_met", 38)


# --- a rate written in words -----------------------------------------------------------------------

def test_all_in_words_is_100_percent_and_the_note_quotes_to_the_comma():
    assert result("统计月报按时报送率100%", "卫生健康统计月报12期。月报全部按时报送，无一遗漏。") == (
        "met", 100, "月报全部按时报送，无一遗漏。", "完成情况写明“全部按时报送”，即100%，目标≥100%，已达到。")


def test_the_quoted_words_stop_at_20_characters():
    tail = "全部按时报送至省卫生健康委员会统计信息中心审核"
    assert len(tail) > 21
    assert judged("统计月报按时报送率100%", f"统计月报{tail}。").note == (
        f"完成情况写明“{tail[:20]}”，即100%，目标≥100%，已达到。")


def test_all_in_words_meets_a_written_100_percent_floor():
    assert judged("统计月报按时报送率达到100%", "统计月报全部按时报送。").note == (
        "完成情况写明“全部按时报送”，即100%，目标≥100%，已达到。")


def test_all_in_words_meets_an_implied_99_percent_floor():
    assert judged("统计月报按时报送率99%", "统计月报全部按时报送。").note == (
        "完成情况写明“全部按时报送”，即100%，目标≥99%（目标未写“以上/以下”，按此理解），已达到。")


@pytest.mark.parametrize("target, met", [("统计月报按时报送率100%", True), ("统计月报按时报送率101%", False),
                                         ("统计月报按时报送率达到990‰", True)])
def test_all_in_words_answers_rates_up_to_100_percent(target, met):
    assert (judged(target, "统计月报全部按时报送。").outcome == "met") is met


def test_all_in_words_does_not_answer_a_count():
    assert judged("编印内刊15期以上", "内刊全部按时印发。").outcome == "not_reported"


def test_all_in_words_does_not_answer_a_ceiling():
    assert judged("公用经费占比控制在30%以内", "公用经费占比均控制在预算内，未出现超支。").outcome == "not_reported"


def test_none_in_words_meets_a_failure_rate_ceiling():
    assert result("安全事故发生率控制在1%以下", "全年未发生安全事故。") == (
        "met", 0, "全年未发生安全事故。", "完成情况写明“未发生安全事故”，即0%，目标≤1%，已达到。")


def test_words_in_an_unrelated_sentence_do_not_count():
    assert judged("统计月报按时报送率100%", "各项工作全部按时完成。").outcome == "not_reported"


def test_all_in_words_after_a_sentence_without_them():
    assert judged("统计月报按时报送率100%", "年度工作有序开展。统计月报全部按时报送。").outcome == "met"


# --- deadlines -------------------------------------------------------------------------------------

def deadline(target: str, date: str) -> str:
    return judged(target, f"年度工作报告于{date}报送。").outcome


def test_a_deadline_met_and_missed_notes():
    assert result("12月底前完成年度工作报告", "年度工作报告已于11月20日报送。") == (
        "met", None, "年度工作报告已于11月20日报送。", "完成情况写明“11月20日”，目标要求12月底前，按期完成。")
    assert judged("12月底前完成年度工作报告", "年度工作报告于次年1月15日报送。").note == (
        "完成情况写明“次年1月15日”，目标要求12月底前，晚于期限。")


def test_the_last_day_of_a_deadline_is_on_time():
    assert deadline("12月底前完成年度工作报告", "12月31日") == "met"


@pytest.mark.parametrize("word", ["6月前", "6月以前", "6月之前"])
def test_before_a_month_means_by_the_end_of_the_month_before(word):
    assert deadline(f"{word}完成年度工作报告", "5月31日") == "met"
    assert deadline(f"{word}完成年度工作报告", "6月1日") == "not_met"


def test_before_the_end_of_a_month_includes_the_month():
    assert deadline("6月底前完成年度工作报告", "6月20日") == "met"
    assert deadline("6月底前完成年度工作报告", "7月1日") == "not_met"


def test_a_month_alone_allows_the_whole_month():
    assert deadline("12月完成年度工作报告", "12月10日") == "met"


def test_before_february_is_january():
    assert deadline("2月前完成年度工作报告", "1月20日") == "met"
    assert deadline("2月前完成年度工作报告", "2月1日") == "not_met"


def test_before_january_is_never_kept_in_the_year():
    assert deadline("1月前完成年度工作报告", "1月1日") == "not_met"


@pytest.mark.parametrize("word, kept, late", [("年底前", "12月31日", "次年1月1日"), ("上半年", "6月30日", "7月1日")])
def test_deadline_words(word, kept, late):
    assert deadline(f"{word}完成年度工作报告", kept) == "met"
    assert deadline(f"{word}完成年度工作报告", late) == "not_met"


def test_a_month_that_does_not_exist_is_no_deadline():
    c = judged("13月底前完成年度工作报告", "年度工作报告于7月10日报送。")
    assert (c.outcome, c.evidence, c.note) == ("not_reported", "", "")


def test_the_deadline_shown_leaves_out_vague_time_words():
    assert judged("全年12月底前完成年度工作报告", "年度工作报告于12月10日报送。").note == (
        "完成情况写明“12月10日”，目标要求12月底前，按期完成。")


def test_the_most_relevant_date_is_used_then_the_first():
    completion = "召开会议于次年1月5日，年度工作报告于11月20日报送。"
    assert judged("12月底前完成年度工作报告", completion).outcome == "met"
    completion = "年度工作报告于11月20日报送，年度工作报告于次年1月5日报送。"
    assert judged("12月底前完成年度工作报告", completion).note.startswith("完成情况写明“11月20日”")


def test_a_date_beside_one_shared_character_is_not_used():
    assert judged("12月底前完成年度工作报告", "年会于次年1月5日召开。").outcome == "not_reported"


def test_on_time_without_a_date_is_not_reported():
    assert result("12月底前完成年度工作报告", "按时完成年度工作报告。") == (
        "not_reported", None, "按时完成年度工作报告。", "完成情况只写“按时”，未给出完成日期（目标要求12月底前）。")


def test_on_time_about_something_else_is_not_cited():
    assert result("12月底前完成年度工作报告", "年度工作报告已完成，各项工作按时推进。") == (
        "not_reported", None, "年度工作报告已完成",
        "完成情况提到“年度工作报告已完成”，但未给出完成日期（目标要求12月底前）。")


def test_no_date_and_no_mention():
    assert result("12月底前完成年度工作报告", "全年工作有序开展。") == (
        "not_reported", None, "", "完成情况未给出完成日期（目标要求12月底前）。")


# --- the words that go with a figure ---------------------------------------------------------------

def contexts(text: str) -> dict[str, str]:
    done = Completion.read(text)
    return {f.raw: done.contexts[f.start].text for f in done.figures}


def test_figures_in_one_piece_each_get_their_own_words():
    assert contexts("内刊16期、简报12期、信息30条") == {"16期": "内刊16期", "12期": "简报12期", "30条": "信息30条"}


def test_words_after_a_figure_count_when_no_separator_comes_before_the_next():
    assert contexts("向15个服务站拨付补贴372.30万元") == {"15个": "向15个服务站拨付补贴", "372.30万元": "服务站拨付补贴372.30万元"}


@pytest.mark.parametrize("text, words", [
    ("全年编印内刊，共20期", "全年编印内刊,共20期"),  # one word before the figure: the piece before too
    ("全年编印内刊,共20期", "全年编印内刊,共20期"),
    ("编印内刊，共20期，质量较好", "编印内刊,共20期"),
    ("全年编印内刊。共20期", "共20期"),  # not across a sentence end
    ("全年编印内刊，出刊20期", "出刊20期"),  # two words before it: its own piece
    ("全年编印内刊，共计20期", "全年编印内刊,共计20期"),  # a total (共计) takes its whole sentence
    ("20期，内刊", "20期"),
])
def test_a_figure_opening_its_piece_takes_the_piece_before(text, words):
    assert contexts(text)["20期"] == words


# --- what a clause is about -------------------------------------------------------------------------

def test_subject_of_a_clause():
    (clause,) = parse_clauses("全年编印内刊15期以上")
    subject = subject_of(clause)
    assert subject.head == "内刊"
    assert subject.chars == frozenset("编印内刊")  # figures, time words and stop characters (以上) out
    assert subject.bigrams == frozenset({"编印", "印内", "内刊"})
    assert subject.actions == frozenset({"compile"})


def test_a_two_character_object_is_its_own_head():
    (clause,) = parse_clauses("培训3次")
    assert subject_of(clause).head == "培训"


def test_a_pair_of_two_stop_characters_is_no_pair():
    (clause,) = parse_clauses("完成内刊15期")
    assert subject_of(clause).bigrams == frozenset({"成内", "内刊"})


def test_relevance_scores_head_characters_and_action():
    subject = subject_of(parse_clauses("编印内刊15期以上")[0])
    # head 内刊 (3) + 4 shared characters + the same action (2)
    assert relevance(subject, "编印内刊", False) == Relevance(True, 9, "")
    assert relevance(subject, "刊物", True) == Relevance(True, 1, "")
    assert relevance(subject, "刊物", False) == Relevance(False, 1, "")
    assert relevance(subject, "起草内刊", False) == Relevance(False, 0, "起草")


def test_two_shared_pairs_make_a_context_relevant_one_does_not():
    subject = subject_of(parse_clauses("群众满意度达到95%以上")[0])
    assert relevance(subject, "群众满意率", False).relevant
    assert not relevance(subject, "调查满意率", False).relevant


# --- more edges, one per rule ----------------------------------------------------------------------

def test_an_approximate_answer_note():
    assert judged("群众满意度达到95%以上", "经问卷调查，满意率约98%。").note == (
        "完成情况只写了约数“约98%”（“满意率约98%。”），未给出比例。")


def test_an_approximate_word_elsewhere_does_not_hide_the_lone_figure():
    assert result("群众满意度达到95%以上", "经问卷调查，满意率为98%，另有若干建议。")[:2] == ("met", 98)


def test_the_only_figure_in_the_unit_with_no_word_of_the_clause_answers_nothing():
    assert result("群众满意度达到95%以上", "经问卷调查，出勤率为90%。") == ("not_reported", None, "", "完成情况未给出比例。")


def test_items_are_picked_by_their_own_words_not_by_order():
    completion = "开展培训活动10场，义诊活动38场，讲座活动91场。"
    assert result("义诊、讲座等活动120场以上", completion)[:3] == ("met", 129, "义诊活动38场，讲座活动91场。")


def test_items_are_read_before_the_figure_only():
    c = judged("开展义诊、健康讲座活动120场及回访、随访等工作", "开展义诊活动38场，健康讲座活动91场。")
    assert (c.outcome, c.found_value) == ("met", 129)


def test_items_are_read_up_to_the_last_deng():
    # the items before the last 等: 义诊, 巡诊等下乡活动 (head 活动), 健康讲座
    c = judged("组织义诊、巡诊等下乡活动及健康讲座等活动120场以上", "义诊活动38场，巡诊活动40场，健康讲座活动50场。")
    assert c.note == "完成情况分项为38场＋50场，合计88场，目标≥120场，未达到。"


def test_items_in_a_scaled_unit_fall_short_in_that_unit():
    c = judged("开展义诊、健康讲座等服务2万人次以上", "义诊服务6,000人次，健康讲座服务0.5万人次。")
    assert (c.outcome, c.found_value) == ("not_met", 1.1)


def test_an_items_total_is_shown_to_four_decimals():
    # neither item alone meets the floor (the sum is what is judged, whichever item is read first)
    c = judged("义诊、讲座等服务1.1万元以上", "义诊服务0.12345万元，讲座服务1万元。")
    assert c.note == "完成情况分项为0.12345万元＋1万元，合计1.1235万元，目标≥1.1万元，已达到。"


def test_an_items_total_cites_from_the_first_item_to_the_last():
    completion = "全年工作有序开展。组织专家下乡义诊38场，各乡镇开展健康讲座91场，群众反映良好。"
    c = judged("组织下乡义诊、健康讲座等健康教育活动120场以上", completion)
    assert (c.evidence, c.evidence_span) == ("组织专家下乡义诊38场，各乡镇开展健康讲座91场", (9, 33))


def test_a_rate_in_words_needs_a_sentence_about_the_clause():
    assert judged("统计月报按时报送率100%", "材料全部报送完毕。").outcome == "not_reported"


def test_a_date_beside_one_word_of_the_clause_is_not_used():
    assert judged("12月底前完成年度工作报告", "报送材料于次年1月5日完成。").note == "完成情况未给出完成日期（目标要求12月底前）。"


def test_on_time_beside_one_word_of_the_clause_is_not_cited():
    assert judged("12月底前完成年度工作报告", "各类材料报送按时完成。").note == "完成情况未给出完成日期（目标要求12月底前）。"


def test_two_deadlines_are_both_shown():
    assert judged("6月底前和12月底前分两次报送年度工作报告", "年度工作报告于6月20日报送。").note == (
        "完成情况写明“6月20日”，目标要求6月底前、12月底前，按期完成。")


def test_before_part_of_a_month_includes_that_part():
    assert deadline("6月中旬前完成年度工作报告", "6月20日") == "met"
    assert deadline("6月中旬前完成年度工作报告", "6月21日") == "not_met"


def test_a_one_character_object_has_no_head():
    (clause,) = parse_clauses("书3本以上")
    assert (clause.object, subject_of(clause).head) == ("书", "")


def test_adjacent_figures_do_not_share_words():
    assert contexts("发表文章5篇3万字") == {"5篇": "发表文章5篇", "3万字": "3万字"}


def test_a_figure_keeps_its_sentence_end_when_the_next_sentence_opens_with_a_figure():
    assert contexts("内刊16期；12期简报") == {"16期": "内刊16期;", "12期": "12期简报"}


def test_a_date_is_no_count_of_days():
    assert deadline("6月10日前完成年度工作报告", "6月10日") == "met"
    assert deadline("6月10日前完成年度工作报告", "6月11日") == "not_met"
    assert judged("信访件办结时间不超过15天", "信访件于5月20日办结。").outcome == "not_reported"


def test_a_ceiling_over_several_items_is_the_sum_s_to_meet():
    target = "安全事故、火灾事故等控制在0次以内"
    assert result(target, "发生安全事故1次，火灾事故0次。")[:2] == ("not_met", 1)
    assert result(target, "发生安全事故0次，火灾事故0次。")[:2] == ("met", 0)
