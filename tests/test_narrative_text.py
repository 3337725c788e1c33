"""The character helpers every narrative rule shares: folding keeps offsets, splitting keeps spans,
and the one excerpt and squash the messages use."""

from __future__ import annotations

import pytest

from reviewer.narrative.text import MAX_COMPLETION_CHARS, content_length, excerpt, fold, halfwidth, sentences, split, squash


def test_fold_widens_nothing_and_keeps_the_length():
    assert fold("１５％，ＡＢ") == "15%,AB"
    assert fold("⑩项") == "⑩项"  # "10" would shift every later offset
    text = "全年完成１５期⑩，占比９８．５％"
    assert len(fold(text)) == len(text)


def test_squash_drops_whitespace_after_folding():
    assert squash(" 预算 执行\t率\u3000（１５分）") == "预算执行率(15分)"


@pytest.mark.parametrize(("text", "shown"), [("一二三四五", "一二三四五"), ("一二三四五六", "一二三四…"), ("  一二三  ", "一二三")])
def test_excerpt_cuts_at_the_limit_with_an_ellipsis(text, shown):
    assert excerpt(text, 5) == shown
    assert len(excerpt(text, 5)) <= 5


def test_sentences_keep_their_full_stop_and_spans():
    text = "完成15期。 发表12篇；\n其余，按时完成"
    got = sentences(text)
    assert [p.text for p in got] == ["完成15期。", "发表12篇；", "其余，按时完成"]
    assert all(text[p.start : p.end] == p.text for p in got)


def test_pieces_end_at_commas_but_not_inside_titles_or_thousands():
    got = [p.text for p in split("发表《抢抓大机遇，主攻大项目》等文稿，检测1,500批次，完成")]
    assert got == ["发表《抢抓大机遇，主攻大项目》等文稿", "检测1,500批次", "完成"]
    assert [p.text for p in split("甲,12,3456")] == ["甲", "12", "3456"]


def test_an_unclosed_quote_does_not_swallow_the_cell():
    # a line break ends a sentence even inside an unclosed quote, and closes the quote
    assert [p.text for p in sentences("他说“完成了\n其余未完成。另有一项")] == ["他说“完成了", "其余未完成。", "另有一项"]
    # inside a closed quote a full stop does not end the sentence
    assert [p.text for p in sentences("他说“完成了。”其余未完成。")] == ["他说“完成了。”其余未完成。"]


def test_content_length_counts_no_punctuation_or_space():
    assert content_length("完成，15 期。") == 5


def test_one_cap_on_how_far_a_cell_is_read():
    from reviewer.narrative import answers, evidence, verdicts

    assert MAX_COMPLETION_CHARS == 10_000
    assert all(m.MAX_COMPLETION_CHARS is MAX_COMPLETION_CHARS for m in (answers, evidence, verdicts))


def test_halfwidth_turns_full_width_ascii_only():
    # A figure pattern reads the result: "①" and "²" must stay what they are (fold would make digits of them).
    assert halfwidth("１５．３％，①²") == "15.3%,①²"
    assert fold("①") == "1"  # the difference that keeps two helpers
