"""How a completion answers, whatever the target: empty, the form's instruction text, stock
phrases, the target's own words, or text copied from another field of the report.

Each check returns a Finding (or None) citing the span of the completion it rests on.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

from rapidfuzz import fuzz

from reviewer.cn_numerals import to_arabic
from reviewer.findings import Finding
from reviewer.model import TargetRow, Text
from reviewer.narrative.figures import concrete_spans
from reviewer.narrative.text import MAX_COMPLETION_CHARS, PUNCTUATION, content_length, excerpt, fold, sentences, squash
from reviewer.narrative.vocabulary import vocabulary

VAGUE_SHARE = 0.35  # stock phrases cover at least this share of a completion with no figure
# With nothing concrete of its own, a completion restates its target when this share of it is
# made of the target's 4-character runs, or when it copies a run this long from the target.
RESTATE_SHARE = 0.5
RESTATE_RUN = 6
COPY_SIMILARITY = 90  # rapidfuzz partial_ratio for a sentence to count as copied
COPY_SHARE = 0.6  # copied sentences make up this share of the completion
COPY_MIN_CHARS = 15  # shorter overlaps are stock phrases everyone writes, not copying
MIN_SENTENCE = 8  # sentences shorter than this are not compared (“完成。”)
NGRAM = 4
# partial_ratio ≥ 90 means some window of the longer text has ratio 2·LCS/(m + w) ≥ 0.9 with the
# shorter one (length m, window w ≤ m), so LCS ≥ 0.818·m: at least that many of the shorter
# text's characters occur in the other (counted, more loosely, as characters of the sentence
# found anywhere in the field). Fewer shared characters than this floor (with a margin
# below 0.818) cannot reach COPY_SIMILARITY, and the fuzzy search is skipped.
SHARED_FLOOR = 0.8
MAX_OTHER_CHARS = 20_000  # the 总体运行情况 is read this far (a few thousand characters when real)
WORD_LIMIT = re.compile(r"\d+字以内")


def _prefix(row: TargetRow) -> str:
    return f"{row.kind}："


EXCERPT = 40  # characters of a completion quoted in a message


# --- blank and unfilled ------------------------------------------------------------------------


def empty_or_template(row: TargetRow) -> Finding | None:
    v = vocabulary()
    text = row.completion.text
    squashed = squash(text)
    loc = row.completion.location
    if not squashed or squashed in v.empty_marks or content_length(squashed) == 0:
        shown = f"“{text.strip()}”" if text.strip() else "空白"
        return Finding(code="completion.empty", severity="warning", source="rules", location=loc,
                       message=f"{_prefix(row)}完成情况为{shown}，没有说明完成了什么。", found=text.strip())
    folded = fold(text)
    # "（100字以内）" is part of the instruction, not a figure of the answer
    answered = bool(concrete_spans(WORD_LIMIT.sub("", folded)))
    for marker in v.template_markers:
        at = folded.find(marker)
        if at >= 0 and not answered and content_length(text) <= v.template_max_chars:
            return Finding(code="completion.template", severity="warning", source="rules",
                           location=loc.with_span(at, at + len(marker)),
                           message=f"{_prefix(row)}完成情况仍是表格的填写说明（“{excerpt(text, EXCERPT)}”），未填写实际完成情况。",
                           found=text.strip())
    return None


# --- stock phrases -----------------------------------------------------------------------------


def stock_spans(folded: str) -> list[tuple[int, int]]:
    v = vocabulary()
    spans = []
    for phrase in v.stock_phrases:
        start = folded.find(phrase)
        while start >= 0:
            spans.append((start, start + len(phrase)))
            start = folded.find(phrase, start + 1)
    for pattern in v.stock_patterns:
        spans += [m.span() for m in pattern.finditer(folded)]
    return sorted(spans)


def _covered_share(text: str, spans: list[tuple[int, int]]) -> float:
    covered = [False] * len(text)
    for s, e in spans:
        for i in range(s, e):
            covered[i] = True
    total = content_length(text)
    hit = sum(1 for i, c in enumerate(text) if covered[i] and c not in PUNCTUATION)
    return hit / total if total else 0.0


_SENTENCE_ENDS = re.compile(r"[。；;！!？?\n]")


def _pairs(text: str) -> set[str]:
    stop = vocabulary().stop_chars
    return {text[i : i + 2] for i in range(len(text) - 1)
            if all("\u4e00" <= c <= "\u9fff" and c not in stop for c in text[i : i + 2])}


def _asides(folded: str, target: str) -> list[tuple[int, int]]:
    """Sentences of the completion that hold a figure but share no word with the target ("另组织干部
    职工义务植树420株" under a target about 政务信息): a figure there is no answer to the target."""
    wanted = _pairs(target)
    if not wanted:
        return []
    out, start = [], 0
    for m in [*_SENTENCE_ENDS.finditer(folded), None]:
        end = m.end() if m else len(folded)
        sentence = folded[start:end]
        if sentence.strip() and concrete_spans(sentence) and not (_pairs(sentence) & wanted):
            out.append((start, end))
        start = end
    return out


def _without(folded: str, spans: list[tuple[int, int]]) -> str:
    """The text with those spans blanked (same length: offsets hold)."""
    chars = list(folded)
    for s, e in spans:
        chars[s:e] = " " * (e - s)
    return "".join(chars)


def vague(row: TargetRow) -> Finding | None:
    whole = fold(row.completion.text[:MAX_COMPLETION_CHARS])
    # judged without the asides: padding with an unrelated figure does not make an answer concrete
    folded = _without(whole, _asides(whole, fold(row.target.text)))
    if concrete_spans(folded) or not folded.strip():
        return None
    spans = stock_spans(folded)
    share = _covered_share(folded, spans)
    if share < VAGUE_SHARE:
        return None
    phrases = list(dict.fromkeys(row.completion.text[s:e] for s, e in spans))
    shown = "、".join(f"“{p}”" for p in phrases[:4])
    return Finding(
        code="completion.vague", severity="warning", source="rules",
        location=row.completion.location.with_span(spans[0][0], spans[-1][1]),
        message=f"{_prefix(row)}完成情况没有数字、日期或具体成果，主要是{shown}等套话（约占{share:.0%}），无法据以判断完成程度。",
        found="、".join(phrases),
    )


# --- the target's own words --------------------------------------------------------------------


def _arabic(text: str) -> str:
    return to_arabic(text, vocabulary().unit_aliases)


def restates_target(row: TargetRow) -> Finding | None:
    completion = fold(row.completion.text[:MAX_COMPLETION_CHARS])
    target = fold(row.target.text[:MAX_COMPLETION_CHARS])
    if len(completion) < NGRAM or len(target) < NGRAM:
        return None
    grams = {target[i : i + NGRAM] for i in range(len(target) - NGRAM + 1)}
    spans = [(i, i + NGRAM) for i in range(len(completion) - NGRAM + 1) if completion[i : i + NGRAM] in grams]
    share = _covered_share(completion, spans)
    run = SequenceMatcher(None, completion, target, autojunk=False).find_longest_match(0, len(completion), 0, len(target))
    run_text = completion[run.a : run.a + run.size]
    # a figure the target already states is no news, in whichever numerals it is written
    target_figures = _arabic(target)
    news = [completion[s:e] for s, e in concrete_spans(completion) if _arabic(completion[s:e]) not in target_figures]
    # the target's words plus a figure, date or named output of its own is a proper answer
    if news or (share < RESTATE_SHARE and content_length(run_text) < RESTATE_RUN):
        return None
    quoted = row.completion.text[run.a : run.a + run.size].strip("，。；、 ")
    if share >= RESTATE_SHARE:
        detail = f"约{share:.0%}的文字与绩效目标相同（如“{excerpt(quoted, EXCERPT)}”）"
    else:
        detail = f"照搬了绩效目标中的“{excerpt(quoted, EXCERPT)}”，此外没有数字、日期或具体成果"
    return Finding(
        code="completion.restates_target", severity="warning", source="rules",
        location=row.completion.location.with_span(run.a, run.a + run.size),
        message=f"{_prefix(row)}完成情况基本是复述目标：{detail}，不能说明目标已达成。",
        expected=row.target.text.strip(), found=quoted,
    )


# --- copied from elsewhere in the report -------------------------------------------------------


@dataclass(frozen=True)
class OtherField:
    name: str  # Chinese, as the memo names it: "年度总体运行情况及取得的成绩"
    text: Text


def _where(text: Text) -> str:
    """Coordinates only: the field's own name is already in the message."""
    coords = text.location.model_copy(update={"label": ""}).describe()
    return "" if coords == "全文" else coords


@dataclass(frozen=True)
class _Copy:
    field: OtherField
    spans: list[tuple[int, int]]  # in the completion
    chars: int


class CopyIndex:
    """The fields a completion may be copied from, each folded and cut to MAX_OTHER_CHARS once,
    and an inverted index from 4-character runs to the fields holding them.

    A sentence of a completion is compared (fuzzily) only with the fields that share a run with
    it — the same pairs the all-pairs loop compared, since it skipped every other pair — so a
    report with n rows costs n × the candidates of each sentence, not n² n-gram sets rebuilt.
    Fields with the same text share one slot, and each (sentence, slot) is aligned once: stock
    sentences repeated on every row cost one comparison per distinct field text."""

    def __init__(self, fields: list[OtherField]) -> None:
        self.fields = [f for f in fields if not f.text.blank]
        self.slot_of: list[int] = []  # field position → slot (distinct folded text)
        self.texts: list[str] = []
        self.fields_in: list[list[int]] = []  # slot → field positions, in order
        slots: dict[str, int] = {}
        self.postings: dict[str, list[int]] = {}  # run → slots
        for pos, f in enumerate(self.fields):
            text = fold(f.text.text[:MAX_OTHER_CHARS])
            k = slots.get(text)
            if k is None:
                k = slots[text] = len(self.texts)
                self.texts.append(text)
                self.fields_in.append([])
                for gram in {text[i : i + NGRAM] for i in range(len(text) - NGRAM + 1)}:
                    self.postings.setdefault(gram, []).append(k)
            self.slot_of.append(k)
            self.fields_in[k].append(pos)
        self._aligned: dict[tuple[str, int], tuple[int, int] | None] = {}
        # every character of the fields as one bit; each slot's characters as a bitset
        self._bit: dict[str, int] = {}
        self._slot_bits: list[int] = []
        for text in self.texts:
            bits = 0
            for c in set(text):
                bit = self._bit.get(c)
                if bit is None:
                    bit = self._bit[c] = 1 << len(self._bit)
                bits |= bit
            self._slot_bits.append(bits)
        self._sentence: str = ""
        self._sentence_masks: dict[int, int] = {}

    def sharing_a_run(self, sentence: str) -> set[int]:
        found: set[int] = set()
        for i in range(len(sentence) - NGRAM + 1):
            found.update(self.postings.get(sentence[i : i + NGRAM], ()))
        return found

    def _shared_chars(self, sentence: str, k: int) -> int:
        """How many of the sentence's characters occur in slot k's text at all (≥ any LCS).

        Character sets are bitsets (Python ints), the sentence's grouped by how often each
        character occurs in it: a few ANDs and popcounts per pair instead of a loop over the
        sentence."""
        if sentence != self._sentence:
            counts: dict[int, int] = {}
            for c, n in Counter(sentence).items():
                bit = self._bit.get(c)
                if bit is not None:
                    counts[n] = counts.get(n, 0) | bit
            self._sentence, self._sentence_masks = sentence, counts
        chars = self._slot_bits[k]
        return sum(n * (mask & chars).bit_count() for n, mask in self._sentence_masks.items())

    def aligned(self, sentence: str, k: int) -> tuple[int, int] | None:
        """The span of `sentence` that matches inside slot `k`'s text, or None."""
        key = (sentence, k)
        if key not in self._aligned:
            other = self.texts[k]
            if len(sentence) <= len(other) and sentence in other:
                # What partial_ratio_alignment returns for a verbatim copy, without the search.
                self._aligned[key] = (0, len(sentence))
            elif self._shared_chars(sentence, k) < SHARED_FLOOR * min(len(sentence), len(other)):
                self._aligned[key] = None  # cannot reach COPY_SIMILARITY: see SHARED_FLOOR
            else:
                found = fuzz.partial_ratio_alignment(sentence, other, score_cutoff=COPY_SIMILARITY)
                self._aligned[key] = None if found is None else (found.src_start, found.src_end)
        return self._aligned[key]


def copied(row: TargetRow, others: list[OtherField] | CopyIndex) -> Finding | None:
    """`others`: the fields to compare with, or the report's CopyIndex of every field (built once
    for all rows; the row's own completion in it is skipped)."""
    completion = fold(row.completion.text[:MAX_COMPLETION_CHARS])
    total = content_length(completion)
    if total < COPY_MIN_CHARS:
        return None
    index = others if isinstance(others, CopyIndex) else CopyIndex(others)
    compared = [(sent, index.sharing_a_run(sent.text)) for sent in sentences(completion) if content_length(sent.text) >= MIN_SENTENCE]
    # A slot whose candidate sentences together are too short to reach COPY_SHARE cannot be
    # reported, whatever the alignments find: it is not aligned at all.
    reach: dict[int, int] = {}
    for sent, slots in compared:
        size = content_length(sent.text)
        for k in slots:
            reach[k] = reach.get(k, 0) + size
    floor = max(COPY_MIN_CHARS, COPY_SHARE * total)
    # field position → spans of the completion found in it, filled sentence by sentence
    found: dict[int, list[tuple[int, int]]] = {}
    for sent, slots in compared:
        for k in slots:
            if reach[k] < floor:
                continue
            span = index.aligned(sent.text, k)
            if span is not None:
                for pos in index.fields_in[k]:
                    found.setdefault(pos, []).append((sent.start + span[0], sent.start + span[1]))
    copies: list[_Copy] = []
    for pos in sorted(found):
        field = index.fields[pos]
        if field.text is row.completion:
            continue
        spans = found[pos]
        chars = sum(content_length(completion[s:e]) for s, e in spans)
        if chars >= COPY_MIN_CHARS and chars / total >= COPY_SHARE:
            copies.append(_Copy(field, spans, chars))
    if not copies:
        return None
    main = max(copies, key=lambda c: c.chars)
    start, end = main.spans[0][0], main.spans[-1][1]
    names = "、".join(f"“{c.field.name}”{_where(c.field.text)}" for c in copies)
    share = main.chars / total
    return Finding(
        code="completion.copied", severity="warning", source="rules",
        location=row.completion.location.with_span(start, end),
        message=(f"{_prefix(row)}完成情况与{names}基本相同（约{share:.0%}的文字一致，"
                 f"如“{excerpt(row.completion.text[start:end], EXCERPT)}”），不是针对本指标填写的完成情况。"),
        expected="、".join(c.field.name for c in copies),
        found=row.completion.text[start:end],
    )
