"""What the answer findings say and cite: the span from the first to the last stock phrase, every
phrase found (four shown), the share, and a copy's source field named once, with coordinates."""

from __future__ import annotations

import pytest

from narrative_seed import ROWS, report_with
from reviewer.narrative import review_narrative

TARGET = ROWS[1][2]
LONG = "牵头组织各乡镇街道开展农村人居环境整治专项行动并完成全部验收工作确保各项任务落到实处取得明显成效"  # 48


def answer_findings(completion: str, overall: str = "全年工作有序开展。"):
    report = report_with([("产出目标", "数量指标", TARGET, completion)], overall=overall, with_scores=False)
    _, findings = review_narrative(report)
    return report, {f.code: f for f in findings if f.code.startswith("completion.")}


def test_vague_cites_every_stock_phrase_from_the_first_to_the_last():
    completion = "圆满完成甲乙，全面实现丙丁，圆满完成。"
    _, found = answer_findings(completion)
    f = found["completion.vague"]
    assert f.location.span == (0, completion.rindex("圆满完成") + 4)  # the repeated phrase counts twice
    assert f.found == "圆满完成、全面实现"
    assert "主要是“圆满完成”、“全面实现”等套话（约占75%）" in f.message


def test_vague_shows_four_phrases_and_keeps_them_all():
    _, found = answer_findings("圆满完成，全面完成，顺利完成，有效确保，全面实现。")
    f = found["completion.vague"]
    assert f.found == "圆满完成、全面完成、顺利完成、有效确保、全面实现"
    assert "“有效确保”等套话" in f.message and "“全面实现”" not in f.message


def test_a_copy_names_its_source_once_with_coordinates_and_an_excerpt():
    report, found = answer_findings(LONG + "。", overall=f"综述：{LONG}。其他。")
    f = found["completion.copied"]
    coords = report.overall.location.model_copy(update={"label": ""}).describe()
    assert coords.startswith("（表") or coords.startswith("表")
    assert f"“年度总体运行情况及取得的成绩”{coords}基本相同" in f.message
    assert f.message.count("年度总体运行情况及取得的成绩") == 1
    assert f"如“{LONG[:39]}…”" in f.message  # excerpts stop at 40 characters
    assert f.location.span == (0, len(LONG) + 1)
    assert f.found == LONG + "。"


@pytest.mark.parametrize(("length", "cut"), [(40, False), (41, True)])
def test_an_excerpt_of_40_characters_is_whole(length, cut):
    text = (LONG * 2)[:length - 1] + "。"
    _, found = answer_findings(text, overall=f"综述：{text}其他。")
    message = found["completion.copied"].message
    shown = message.split("如“", 1)[1].split("”", 1)[0]
    assert shown == (text[:39] + "…" if cut else text)


def test_restating_quotes_the_run_it_copied():
    _, found = answer_findings("形成一批有深度的成果")
    f = found["completion.restates_target"]
    assert f.found == "形成一批有深度"
    assert f.location.span == (0, 7)
    assert "约70%的文字与绩效目标相同（如“形成一批有深度”）" in f.message
    assert f.expected == TARGET
    completion = "甲乙丙丁戊己形成一批有深庚辛壬癸子丑寅卯辰巳午未"  # a run of 6 in a text mostly its own
    _, found = answer_findings(completion)
    f = found["completion.restates_target"]
    assert f.location.span == (6, 12)
    assert "照搬了绩效目标中的“形成一批有深”，此外没有数字、日期或具体成果" in f.message


def rows_findings(rows, overall: str = "全年工作有序开展。"):
    report = report_with(rows, overall=overall, with_scores=False)
    _, findings = review_narrative(report)
    return report, [f for f in findings if f.code.startswith("completion.")]


@pytest.mark.parametrize(("completion", "shown", "found"), [("", "空白", ""), ("无", "“无”", "无"), ("  /  ", "“/”", "/")])
def test_an_empty_completion_is_shown_as_written(completion, shown, found):
    report, (f,) = rows_findings([("产出目标", "数量指标", TARGET, completion)])
    assert f.code == "completion.empty" and f.source == "rules"
    assert f.message == f"数量指标：完成情况为{shown}，没有说明完成了什么。"
    assert f.found == found
    assert f.location == report.targets[0].completion.location


@pytest.mark.parametrize("completion", ["请填写", "对照年度目标", "此处填写实际完成情况"])
def test_the_forms_instruction_at_the_start_of_the_cell_is_found(completion):
    report, (f,) = rows_findings([("产出目标", "数量指标", TARGET, completion)])
    assert f.code == "completion.template" and f.source == "rules"
    assert f.location.span[0] == 0 and f.found == completion


def test_the_instruction_is_cited_where_it_first_stands():
    completion = "填写说明：请填写，请填写"
    _, (f,) = rows_findings([("产出目标", "数量指标", TARGET, completion)])
    assert f.location.span == (5, 8)


def test_instruction_text_over_120_characters_is_an_answer_not_the_template():
    for length, template in ((120, True), (121, False)):
        completion = "请填写" + "甲" * (length - 3)
        _, found = rows_findings([("产出目标", "数量指标", TARGET, completion)])
        assert ("completion.template" in {f.code for f in found}) is template, length


def test_a_word_limit_alone_is_not_an_answer():
    _, found = rows_findings([("产出目标", "数量指标", TARGET, "说明实际完成情况（100字以内）")])
    assert "completion.template" in {f.code for f in found}


def test_a_copy_of_two_fields_names_both_past_a_blank_one():
    rows = [("产出目标", "数量指标", TARGET, LONG + "。"), ("产出目标", "质量指标", ROWS[0][2], ""),
            ("产出目标", "时效指标", ROWS[2][2], LONG + "。")]
    report, found = rows_findings(rows, overall=f"综述：{LONG}。其他。")
    first = next(f for f in found if f.code == "completion.copied" and f.location.row == report.targets[0].location.row)
    assert first.expected == "时效指标的完成情况、年度总体运行情况及取得的成绩"
    assert "完成情况与“时效指标的完成情况”" in first.message and "列）、“年度总体运行情况及取得的成绩”" in first.message
    assert "约100%的文字一致" in first.message


# --- edges the mutation run showed ---------------------------------------------------------------

FILL = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"


def codes_of(completion: str, overall: str = "全年工作有序开展。") -> dict:
    _, found = answer_findings(completion, overall)
    return found


def test_a_copied_sentence_after_short_and_unrelated_ones_is_found_and_cited():
    completion = f"完成了。{FILL[:10]}。前缀{LONG}。"
    f = codes_of(completion, overall=f"综述：{LONG}。其他。")["completion.copied"]
    assert f.source == "rules"
    assert f.location.span[0] == completion.index("前缀")  # the sentence, matched from its start


def test_a_phrase_three_times_counts_three_times():
    # 12 of 27 characters are stock phrases (0.44): vague; counting two of the three would give 0.30
    completion = "圆满完成" + FILL[:5] + "圆满完成" + FILL[5:10] + "圆满完成" + FILL[10:15]
    assert "completion.vague" in codes_of(completion)


def test_exactly_35_percent_stock_phrases_is_vague():
    phrases = ["圆满完成", "全面实现", "顺利完成", "全面完成", "有效确保", "圆满完成", "全面实现"]  # 28 of 80
    completion = "".join(p + (FILL * 3)[i * 7 : i * 7 + 7] for i, p in enumerate(phrases)) + FILL[:3]
    assert len(completion) == 80
    assert "completion.vague" in codes_of(completion)


def test_exactly_half_the_targets_words_is_reported_as_a_share():
    completion = "办公室内刊" + FILL[:5] + "对策建议和" + FILL[5:10]
    f = codes_of(completion)["completion.restates_target"]
    assert f.source == "rules"
    assert "约50%的文字与绩效目标相同" in f.message


def test_a_run_from_the_very_start_of_the_target_counts():
    completion = FILL[:6] + TARGET[:7] + FILL[6:18]
    assert TARGET[:7] == "全年编辑《区委"  # 6 characters besides the bracket
    assert "completion.restates_target" in codes_of(completion)


def test_the_quoted_run_is_cut_of_its_punctuation():
    f = codes_of(FILL[:6] + "，形成一批有深度、有参考价值" + FILL[6:18])["completion.restates_target"]
    assert f.found[0] not in "，。；、 " and f.found[-1] not in "，。；、 "


def test_one_character_is_an_answer_not_an_empty_cell():
    assert "completion.empty" not in codes_of("好")
