"""The answer rules' thresholds, one case on each side: similarity of a copied sentence (90),
share of the completion copied (0.6), the shortest copy that counts (15 characters), the share of
stock phrases that makes a completion vague (0.35), and a restated target (half its words, or a
run of 6 characters). Texts are written for these tests; each pair differs by one character."""

from __future__ import annotations

import pytest

from narrative_seed import ROWS, report_with
from reviewer.narrative import review_narrative

TARGET = ROWS[1][2]  # 全年编辑《区委通报》…形成一批有深度、有参考价值的对策建议和调研成果。
SENTENCE = "牵头组织各乡镇街道开展农村人居环境整治"  # 19 characters, nothing from TARGET
FILLER = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"  # no stock phrase, no figure, not in TARGET


def answer_codes(completion: str, overall: str = "全年工作有序开展。") -> set[str]:
    report = report_with([("产出目标", "数量指标", TARGET, completion)], overall=overall, with_scores=False)
    _, findings = review_narrative(report)
    return {f.code for f in findings if f.code.startswith("completion.")}


def with_two_changes(sentence: str) -> str:
    chars = list(sentence)
    chars[4] = chars[12] = "某"
    return "".join(chars)


# --- completion.copied -------------------------------------------------------------------------

def test_a_sentence_90_percent_like_another_field_is_copied():
    original = SENTENCE + "工作"  # 21 characters, 2 changed: similarity 90.5
    assert "completion.copied" in answer_codes(with_two_changes(original), overall=f"综述：{original}。另有其他工作若干项。")


def test_a_sentence_under_90_percent_like_another_field_is_not():
    # 19 characters, 2 changed: similarity 89.5
    assert "completion.copied" not in answer_codes(with_two_changes(SENTENCE), overall=f"综述：{SENTENCE}。另有其他工作若干项。")


@pytest.mark.parametrize(("own_chars", "is_copied"), [(12, True), (13, False)])
def test_copied_sentences_must_be_60_percent_of_the_completion(own_chars, is_copied):
    copied_part = SENTENCE[:18]  # 18 of 30 characters = 0.60; 18 of 31 = 0.58
    completion = f"{copied_part}。{FILLER[:own_chars]}。"
    codes = answer_codes(completion, overall=f"综述：{copied_part}。另有其他工作若干项。")
    assert ("completion.copied" in codes) is is_copied


@pytest.mark.parametrize(("chars", "is_copied"), [(14, False), (15, True)])
def test_a_copy_needs_15_characters(chars, is_copied):
    part = SENTENCE[:chars]
    codes = answer_codes(f"{part}。", overall=f"综述：{part}。另有其他工作若干项。")
    assert ("completion.copied" in codes) is is_copied


# --- completion.vague --------------------------------------------------------------------------

@pytest.mark.parametrize(("filler", "is_vague"), [(7, True), (8, False)])
def test_stock_phrases_over_35_percent_make_a_completion_vague(filler, is_vague):
    # "圆满完成" is 4 of 11 characters (0.36) or of 12 (0.33)
    codes = answer_codes("圆满完成" + FILLER[:filler])
    assert ("completion.vague" in codes) is is_vague


def test_a_figure_keeps_stock_phrases_from_being_vague():
    assert "completion.vague" not in answer_codes("圆满完成" + FILLER[:3] + "12篇")


# --- completion.restates_target ----------------------------------------------------------------

@pytest.mark.parametrize(("run", "restates"), [(5, False), (6, True)])
def test_a_run_of_6_characters_from_the_target_restates_it(run, restates):
    completion = FILLER[:6] + "形成一批有深度"[:run] + FILLER[6:18]
    assert ("completion.restates_target" in answer_codes(completion)) is restates


@pytest.mark.parametrize(("filler", "restates"), [(10, True), (11, False)])
def test_half_of_the_completion_in_the_targets_words_restates_it(filler, restates):
    # two 5-character pieces of the target (no run of 6) among `filler` characters of its own
    completion = "办公室内刊" + FILLER[: filler // 2] + "对策建议和" + FILLER[filler // 2 : filler]
    assert ("completion.restates_target" in answer_codes(completion)) is restates


# --- target.far_exceeded and how far a cell is read ----------------------------------------------

FLOOR = "全年在市级以上刊物发表文稿10篇以上。"


def rules_on(target: str, completion: str):
    report = report_with([("产出目标", "数量指标", target, completion)], overall="全年工作有序开展。", with_scores=False)
    verdicts, findings = review_narrative(report)
    return verdicts[0], {f.code for f in findings}


@pytest.mark.parametrize(("found", "far"), [(19, False), (20, True)])
def test_twice_a_floor_target_is_far_exceeded(found, far):
    verdict, codes = rules_on(FLOOR, f"全年在市级以上刊物发表文稿{found}篇。")
    assert verdict.verdict == "evidenced"
    assert ("target.far_exceeded" in codes) is far


@pytest.mark.parametrize(("length", "cut"), [(10_000, False), (10_001, True)])
def test_only_the_first_10000_characters_are_read_and_the_reason_says_so(length, cut):
    start = "全年在市级以上刊物发表文稿12篇。"
    verdict, _ = rules_on(FLOOR, start + "甲" * (length - len(start)))
    assert ("规则只读了前10000字" in verdict.reason) is cut


@pytest.mark.parametrize(("first", "copied"), [(8, True), (7, False)])
def test_sentences_under_8_characters_are_not_compared(first, copied):
    # 16 characters copied in two sentences; a first sentence of 7 is not compared, leaving 9 (< 15)
    a, b = SENTENCE[:first], SENTENCE[first:16]
    codes = answer_codes(f"{a}。{b}。", overall=f"综述：{a}。{b}。另有其他工作若干项。")
    assert ("completion.copied" in codes) is copied
