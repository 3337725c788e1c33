"""Splitting a 绩效目标 into clauses and reading each measurable one.

"全年编辑《区委通报》《云溪情况》等办公室内刊15期以上，在市级以上刊物上发表文稿10篇以上，形成一批…成果。"
→ [办公室内刊 ≥ 15 期 (全年)], [市级以上刊物发表文稿 ≥ 10 篇], [qualitative: "一批" is no number]
"""

from __future__ import annotations

import re
from functools import lru_cache

from reviewer.lexicon import alternation, lower_is_better, qualifier_words, table, words
from reviewer.narrative.figures import Figure, find_figures
from reviewer.narrative.text import Piece, fold, split
from reviewer.narrative.vocabulary import vocabulary
from reviewer.review import Clause

# The comparator words live in reviewer/data/lexicon.yaml. Written before the figure, right before it
# or a few words earlier ("不超过年初预算5.50万元"); the nearest one wins, and words after the unit
# ("控制在…以内") win over all of them.
@lru_cache(maxsize=1)
def _comparator_patterns() -> tuple[list, list, list]:
    """(right before the figure, anywhere in the window, right after the unit): (pattern, comparator)."""
    anywhere = table("comparator_words")
    just = table("comparator_just_before")
    after = table("comparator_after")
    order = [">=", "<=", "="]
    before = [(re.compile(alternation([*anywhere.get(c, ()), *just.get(c, ())], negatable=True) + "$"), c)
              for c in order if anywhere.get(c) or just.get(c)]
    words = [(re.compile(alternation(anywhere[c], negatable=True)), c) for c in order if anywhere.get(c)]
    tail = [(re.compile("^" + alternation(after[c])), c) for c in order if after.get(c)]
    return before, words, tail


BEFORE_WINDOW = 12  # characters before a figure searched for a comparator word
# A name or slogan is no comparator: "开展“最多跑一次”改革宣传5场" is a floor of 5, not "at most".
QUOTED = re.compile(r"“[^”]*”|《[^》]*》|\"[^\"]*\"")
# With no comparator written, what a clause counts says which way is better: a cost, a duration or
# a failure is to be kept down (lexicon: lower_is_better), anything else to be reached
# ("完成农村危房改造20户" → ≥ 20户).
# A bare 内 bounds only a duration: "24小时内回复" is ≤, "15期内刊" is not.
DURATION_UNITS = frozenset({"小时", "天", "工作日", "分钟"})
# Joins two measurable parts in one piece: "内刊15期和简报20期". "及时" is not a join.
JOINERS = re.compile("|".join(re.escape(w) + ("(?!时)" if w == "及" else "") for w in words("joiners")))  # 及时 is no join
DEADLINE = re.compile(r"(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日|底|末|份|中旬|上旬|下旬)?(?:前|以前|之前|内)?")
LEADING_NOISE = re.compile("^" + alternation(words("object_noise_words")) + "+")
MAX_TARGET_CHARS = 1_000
OBJECT_TRIM = "，,。；;：:、 《》“”\"'"


def _measurable_figures(folded: str) -> list[Figure]:
    """Figures a target can be checked against: exact, or approximate with a unit ("100余篇")."""
    return [f for f in find_figures(folded) if f.value is not None and f.unit is not None]


def _split_joined(piece: Piece, folded: str) -> list[Piece]:
    """Cut a piece at 和/及/、 between two measurable parts; leave it whole otherwise."""
    figs = _measurable_figures(folded[piece.start : piece.end])
    if len(figs) < 2:
        return [piece]
    cuts: list[int] = []
    for left, right in zip(figs, figs[1:]):
        between = folded[piece.start + left.end : piece.start + right.start]
        joins = list(JOINERS.finditer(between))
        if joins:
            # The first join after the left part: a later 及 may sit inside a word ("自来水普及率").
            j = joins[0]
            cuts.append((piece.start + left.end + j.start(), piece.start + left.end + j.end()))
    out: list[Piece] = []
    start = piece.start
    for cut_start, cut_end in cuts:
        if cut_start > start:
            out.append(Piece(start, cut_start, folded[start:cut_start]))
        start = cut_end
    if piece.end > start:
        out.append(Piece(start, piece.end, folded[start : piece.end]))
    return out


def _comparator(folded: str, fig: Figure) -> tuple[str, bool]:
    """(comparator, implied): implied when the target wrote none and it was read from the subject."""
    before_patterns, word_patterns, after_patterns = _comparator_patterns()
    after = folded[fig.end : fig.end + 3]
    for pattern, comp in after_patterns:
        if pattern.search(after):
            return comp, False
    if fig.unit in DURATION_UNITS and after.startswith("内"):
        return "<=", False
    before = folded[max(0, fig.start - 4) : fig.start]
    for pattern, comp in before_patterns:
        if pattern.search(before):
            return comp, False
    unquoted = QUOTED.sub(lambda m: " " * len(m.group(0)), folded[: fig.start])  # same length: offsets hold
    window = re.split(r"[，,。；;]", unquoted[max(0, fig.start - BEFORE_WINDOW) :])[-1]
    words = [(m.end(), comp) for pattern, comp in word_patterns for m in pattern.finditer(window)]
    if words:
        return max(words)[1], False
    if fig.approximate:
        return ">=", False  # "100余篇" can only be a floor
    if fig.unit in vocabulary().money_units or fig.unit in DURATION_UNITS or lower_is_better(folded[: fig.start]):
        return "<=", True
    if fig.unit == "%" and fig.value == 100:
        return ">=", False  # nothing better than 100% can be reached: a rate at 100% is a floor, not a guess
    return ">=", True


def time_words(folded: str) -> tuple[list[str], list[str]]:
    """(all time words in the text, the deadlines among them)."""
    v = vocabulary()
    deadlines = [m.group(0) for m in DEADLINE.finditer(folded)]
    deadlines += [w for w in v.deadline_words if w in folded and not any(w in d for d in deadlines)]
    # "年底前" contains "年底": keep the longer word only
    deadlines = [d for d in deadlines if not any(d != o and d in o for o in deadlines)]
    vague = [w for w in v.time_words_vague if w in folded]
    vague = [w for w in vague if not any(w != o and w in o for o in vague + deadlines)]
    return vague + deadlines, deadlines


def _object(folded: str, fig: Figure | None, words: list[str]) -> str:
    """The thing a clause counts: the words before its figure, without time words and frames."""
    if fig is None:
        text = folded
    else:
        text = folded[: fig.start]
        # "控制在年初预算7万元以内": the bound's qualifier and the comparator before it are frames,
        # not what is counted (三公经费)
        qualifiers = [w for w, _ in qualifier_words()]
        while True:
            before = text
            for pattern, _ in _comparator_patterns()[0]:
                text = pattern.sub("", text)
            text = next((text[: -len(q)] for q in qualifiers if text.endswith(q) and len(q) < len(text)), text)
            if text == before:
                break
    for w in words:
        text = text.replace(w, "")
    if "等" in text and text.rsplit("等", 1)[1].strip(OBJECT_TRIM):
        text = text.rsplit("等", 1)[1]  # "《区委通报》《云溪情况》等办公室内刊": the kind, not the examples
    text = LEADING_NOISE.sub("", text.strip(OBJECT_TRIM))
    actions = "|".join(re.escape(a) for a in vocabulary().action_groups)
    text = re.sub(rf"上(?={actions})", "", text)  # "刊物上发表" → "刊物发表"
    text = text.strip(OBJECT_TRIM)
    if not text and fig is not None:
        after = folded[fig.end :]
        for pattern, _ in _comparator_patterns()[2]:
            after = pattern.sub("", after)
        text = after.strip(OBJECT_TRIM)  # "完成15期内刊编印"
    return text


def parse_clause(piece: Piece, folded: str, original: str) -> Clause:
    local = folded[piece.start : piece.end]
    words, deadlines = time_words(local)
    figs = _measurable_figures(local)
    fig = figs[0] if figs else None
    clause = Clause(
        text=original[piece.start : piece.end],
        span=(piece.start, piece.end),
        object=_object(local, fig, words),
        time_words=words,
    )
    if fig is not None:
        clause.comparator, clause.implied = _comparator(local, fig)  # type: ignore[assignment]
        clause.value = fig.value
        clause.unit = fig.unit or ""
        clause.outcome = "not_reported"
    elif deadlines:
        clause.comparator = "<="  # no later than the deadline
        clause.outcome = "not_reported"
    elif any(f.approximate for f in find_figures(local)):
        clause.note = "目标用约数（如“一批”“若干”）表述，无法衡量。"
    return clause


def is_measurable(clause: Clause) -> bool:
    return clause.value is not None or clause.comparator != ""


def parse_clauses(target_text: str) -> list[Clause]:
    """Every clause of a 绩效目标, in order; spans index the text as given.

    A measurable clause (a value, or a deadline) starts as `not_reported` until match_evidence
    has looked at a completion; the rest are `qualitative`. Only the first MAX_TARGET_CHARS are
    read: real targets are a few lines long.
    """
    folded = fold(target_text[:MAX_TARGET_CHARS])
    clauses: list[Clause] = []
    for piece in split(folded):
        for part in _split_joined(piece, folded):
            clauses.append(parse_clause(part, folded, target_text))
    return clauses
