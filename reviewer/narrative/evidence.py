"""Looking for what a completion says about each measurable clause of its target.

A figure counts as evidence for a clause when its unit is compatible and the words around it
(its comma piece) refer to the same thing: they contain the clause's head noun ("内刊",
"文稿"), share two character pairs with it, or share one character where the unit or the action
verb already ties them ("出刊11期" for "内刊15期"). A sentence whose action verb belongs to a
different group ("起草" vs "发表") is about something else. Everything is character overlap:
no word segmentation, so every decision can be explained in a sentence.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from reviewer.narrative.clauses import DEADLINE, is_measurable
from reviewer.narrative.figures import PART_DAY, Date, Figure, find_dates, find_figures
from reviewer.narrative.text import MAX_COMPLETION_CHARS, Piece, fold, is_cjk, sentences, split
from reviewer.narrative.vocabulary import base_unit, vocabulary
from reviewer.review import Clause
from reviewer.values import meets

SEPARATORS = frozenset("，,、；;：: \t\u3000")  # trimmed from the front of a cited span (not 《 or “)
FAR_OVER = 2.0  # found ≥ 2× a floor target: the target may have been set too low (domain.md §4)
ON_TIME = re.compile(r"按时|如期|按期|及时|准时")
MEASURE_NAME = {
    "期": "期数", "篇": "篇数", "份": "份数", "次": "次数", "人次": "人次", "件": "件数", "人": "人数",
    "个": "个数", "项": "项数", "场": "场次", "%": "比例", "元": "金额", "万元": "金额", "亿元": "金额",
    "天": "天数", "工作日": "天数", "小时": "时长", "分钟": "时长", "万字": "字数", "字": "字数",
}


SYMBOL = {">=": "≥", "<=": "≤", "=": "=", "": "="}


def measure_name(unit: str) -> str:
    return MEASURE_NAME.get(unit, f"以“{unit}”计的数量")


def fmt(x: float) -> str:
    return f"{x:g}"


# --- what a clause is about --------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """The words of a clause that say what it counts."""

    chars: frozenset[str]
    bigrams: frozenset[str]
    head: str  # the last two characters of the object: "内刊", "文稿"
    actions: frozenset[str]  # action groups named in the clause


def _action_groups(text: str) -> frozenset[str]:
    return frozenset(g for verb, g in vocabulary().action_groups.items() if verb in text)


def _bigrams(text: str, stop: frozenset[str]) -> frozenset[str]:
    pairs = set()
    for a, b in zip(text, text[1:]):
        if is_cjk(a) and is_cjk(b) and not (a in stop and b in stop):
            pairs.add(a + b)
    return frozenset(pairs)


def subject_of(clause: Clause) -> Subject:
    v = vocabulary()
    text = fold(clause.text)
    for fig in find_figures(text):
        if fig.value is not None:
            text = text.replace(fig.raw, " ")
    for w in clause.time_words:
        text = text.replace(w, " ")
    obj = "".join(c for c in fold(clause.object) if is_cjk(c))
    return Subject(
        chars=frozenset(c for c in text if is_cjk(c) and c not in v.stop_chars),
        bigrams=_bigrams(text, v.stop_chars),
        head=obj[-2:] if len(obj) >= 2 else "",
        actions=_action_groups(text),
    )


@dataclass(frozen=True)
class Relevance:
    relevant: bool
    score: int
    conflict: str  # the other action the context names, when that is why it is not relevant


@lru_cache(maxsize=4096)  # a context is compared with every clause of its row
def _words_of(context: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(characters, character pairs, action groups) of a piece of completion."""
    v = vocabulary()
    return frozenset(c for c in context if is_cjk(c)), _bigrams(context, v.stop_chars), _action_groups(context)


def relevance(subject: Subject, context: str, specific_unit: bool) -> Relevance:
    v = vocabulary()
    ctx_chars, ctx_pairs, actions = _words_of(context)
    chars = subject.chars & ctx_chars
    pairs = subject.bigrams & ctx_pairs
    head = bool(subject.head) and subject.head in context
    agree = bool(subject.actions & actions)
    if subject.actions and actions and not agree:
        verb = next(w for w, g in v.action_groups.items() if g in actions and w in context)
        return Relevance(False, 0, verb)
    relevant = head or len(pairs) >= 2 or (bool(chars) and (specific_unit or agree))
    return Relevance(relevant, 3 * head + len(chars) + 2 * agree, "")


# --- where a figure sits -----------------------------------------------------------------------


@dataclass
class Completion:
    """A completion prepared once for all the clauses of its row."""

    original: str
    folded: str
    pieces: list[Piece]
    figures: tuple[Figure, ...]
    contexts: dict[int, Piece]  # figure start → its words
    starts: list[int]  # piece starts, for bisect

    @classmethod
    def read(cls, text: str) -> Completion:
        folded = fold(text[:MAX_COMPLETION_CHARS])
        pieces = split(folded)
        figures = find_figures(folded)
        done = cls(text, folded, pieces, figures, {}, [p.start for p in pieces])
        valued = [f for f in figures if f.value is not None]
        for i, fig in enumerate(valued):
            done.contexts[fig.start] = done.context(fig.start, fig.end, valued[i - 1] if i else None,
                                                    valued[i + 1] if i + 1 < len(valued) else None)
        for fig in figures:
            if fig.start not in done.contexts:
                done.contexts[fig.start] = done.context(fig.start, fig.end)
        return done

    def piece_index(self, start: int) -> int | None:
        i = bisect_right(self.starts, start) - 1
        return i if i >= 0 and start < self.pieces[i].end else None

    def context(self, start: int, end: int, before: Figure | None = None, after: Figure | None = None) -> Piece:
        """The words that go with the figure at [start, end): its comma piece, cut at the figures
        before and after it in that piece ("内刊16期、简报12期" gives each figure its own words), and
        the piece before too when the figure opens its sentence part ("全年编印内刊，共20期"; fewer than
        two characters before it: "共计20期" keeps its own piece)."""
        folded, pieces = self.folded, self.pieces
        idx = self.piece_index(start)
        if idx is None:
            return Piece(start, end, folded[start:end])
        piece = pieces[idx]
        left = before.end if before is not None and piece.start <= before.end <= start else piece.start
        # words after a figure usually name the next one ("16期、简报12期"): keep them only for the last,
        # or when no separator comes before the next figure ("向15个服务站拨付补贴372.30万元": 服务站 is counted)
        right = piece.end
        if after is not None and end <= after.start < piece.end:
            between = folded[end:after.start]
            right = after.start if between and not any(c in SEPARATORS for c in between) else end
        lead = sum(1 for c in folded[left:start] if is_cjk(c))
        if lead < 2 and left == piece.start and idx > 0 and folded[pieces[idx - 1].end : piece.start].strip() == ",":  # folded: "，" is ","
            left = pieces[idx - 1].start
        while left < start and folded[left] in SEPARATORS:
            left += 1
        return Piece(left, right, folded[left:right])


def _compatible(a: str, b: str) -> bool:
    return a == b or base_unit(a)[0] == base_unit(b)[0]


def in_base(value: float, unit: str) -> float:
    """The figure in its base unit (3.72万人 → 37,200人; 2.52‰ → 0.252%), so units compare."""
    return value * base_unit(unit)[1]


@dataclass(frozen=True)
class Candidate:
    figure: Figure
    context: Piece
    rel: Relevance


def _around(original: str, piece: Piece, start: int, end: int, before: int = 12, after: int = 24) -> str:
    """The words next to a figure, within its piece: what a reader needs to see it in place."""
    a, b = max(piece.start, start - before), min(piece.end, end + after)
    return ("…" if a > piece.start else "") + original[a:b].strip() + ("…" if b < piece.end else "")


def _quote(original: str, piece: Piece, limit: int) -> str:
    text = original[piece.start : piece.end].strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- the two kinds of measurable clause --------------------------------------------------------


@dataclass
class Candidates:
    exact: list[Candidate]
    approximate: list[Candidate]
    misses: list[str]  # near misses, in Chinese, for the note


def _candidates(clause: Clause, subject: Subject, done: Completion) -> Candidates:
    """The completion's figures that may answer a value clause: in a compatible unit, about the
    same thing, not a change when the clause asks a level."""
    original = done.original
    v = vocabulary()
    specific = clause.unit in v.specific_units
    wants_change = bool(re.search(r"增长|减少|下降|降低|提高|增加|节约", fold(clause.text)))
    found = Candidates([], [], [])
    verb = next((w for w in v.action_groups if w in fold(clause.text)), "")
    lone: list[Candidate] = []  # weakly related figures, used only when nothing else is
    in_unit = 0  # figures in the clause's unit
    for fig in done.figures:
        if fig.change and not wants_change:
            continue
        ctx = done.contexts[fig.start]
        unit_ok = fig.unit is None or _compatible(fig.unit, clause.unit)
        rel = relevance(subject, ctx.text, specific and fig.unit is not None)
        if not unit_ok:
            if fig.value is not None and relevance(subject, ctx.text, False).relevant:
                found.misses.append(f"“{fig.raw}”以“{fig.unit}”计，目标以“{clause.unit}”计")
            continue
        in_unit += fig.unit is not None
        if rel.conflict:
            if fig.unit is not None:
                kind = "为约数，且" if fig.approximate else ""
                what = f"“{verb}”" if verb else "目标所说的事项"
                found.misses.append(f"“{fig.raw}”{kind}指“{rel.conflict}”，不是{what}（“{_around(original, ctx, fig.start, fig.end)}”）")
            continue
        if not rel.relevant:
            if fig.unit is not None and subject.bigrams & _words_of(ctx.text)[1]:
                lone.append(Candidate(fig, ctx, rel))
            continue
        (found.approximate if fig.approximate else found.exact).append(Candidate(fig, ctx, rel))
    if not found.exact and not found.approximate and len(lone) == 1 and in_unit == 1:
        # the only figure in this unit, beside a word of the clause ("满意率98%" for "满意度95%")
        (found.approximate if lone[0].figure.approximate else found.exact).append(lone[0])
    return found


# "亩均财政投入1,500元", "单批次检验费用": a figure per unit, answered by a figure that is per unit too
# ("亩均财政投入1,165元"), not by the total beside it ("财政投入3,052.46万元").
PER_UNIT = re.compile(r"[亩人户车批场次件座所校生]均|每[\u4e00-\u9fff]{1,3}|单(?:批次|次|批|件|个|场|位|人|亩|户|台|套)|平均|次均")


def _per_unit_only(clause: Clause, cands: list[Candidate], done: Completion) -> list[Candidate]:
    if not PER_UNIT.search(fold(clause.text)):
        return cands
    per_unit = [c for c in cands if PER_UNIT.search(done.folded[c.context.start : c.figure.end])]
    return per_unit or cands


def _best(cands: list[Candidate]) -> Candidate:
    return max(cands, key=lambda c: (c.rel.score, -c.figure.start))


def _wanted_text(clause: Clause) -> str:
    full = clause.unit == "%" and clause.value == 100
    if full and clause.implied:
        return "目标100%"
    implied = "（目标未写“以上/以下”，按此理解）" if clause.implied else ""
    return f"目标{SYMBOL[clause.comparator]}{fmt(clause.value or 0)}{clause.unit}{implied}"


def _outcome_note(clause: Clause, ok: bool) -> str:
    if ok:
        return "，已达到。"
    return "，与目标值不一致，请人工判断。" if clause.comparator == "=" else "，未达到。"


def _judge_exact(clause: Clause, c: Candidate, done: Completion) -> Clause:
    found = c.figure.value or 0.0
    found_base, wanted_base = in_base(found, c.figure.unit or ""), in_base(clause.value or 0.0, clause.unit)
    ok = meets(clause.comparator, found_base, wanted_base)
    note = f"完成情况为“{c.figure.raw}”，{_wanted_text(clause)}" + _outcome_note(clause, ok)
    judged = _with_evidence(clause, done.original, c.context, "met" if ok else "not_met", note, found)
    if ok and clause.comparator == ">=" and wanted_base > 0 and found_base >= FAR_OVER * wanted_base:
        judged.exceeds_by = round(found_base / wanted_base, 1)
        judged.found_raw = c.figure.raw
        judged.note += f"实际为目标的{judged.exceeds_by:g}倍，目标可能定得偏低，请人工判断。"
    return judged


# "组织下乡义诊、健康讲座等健康教育活动120场": the items a total is made of, before 等.
ITEM_SPLIT = re.compile(r"[、和及与]")


def _enumerated_items(clause: Clause) -> list[str]:
    """The heads of the items a clause enumerates before its figure ("义诊", "讲座"); fewer than two
    are no enumeration, which _enumerated_total sees from what it picks."""
    text = fold(clause.text)
    figs = [f for f in find_figures(text) if f.value is not None]
    before = text[: figs[0].start] if figs else text
    if "、" not in before:
        return []
    listed = before.rsplit("等", 1)[0] if "等" in before else before
    heads = []
    for item in ITEM_SPLIT.split(listed):
        cjk = "".join(ch for ch in item if is_cjk(ch))
        if len(cjk) >= 2:
            heads.append(cjk[-2:])
    return heads


def _enumerated_total(clause: Clause, exact: list[Candidate], done: Completion) -> Clause | None:
    """A target counted over several items is met by their sum ("义诊38场，健康讲座91场" for
    "义诊、健康讲座等…120场以上"): one figure per item named, each in the clause's unit."""
    heads = _enumerated_items(clause)
    if not heads:
        return None
    picked: list[Candidate] = []
    for head in heads:
        mine = [c for c in exact if head in c.context.text and c not in picked]
        if mine:
            picked.append(_best(mine))
    if len(picked) < 2:
        return None
    total = sum(in_base(c.figure.value or 0.0, c.figure.unit or "") for c in picked)
    wanted = in_base(clause.value or 0.0, clause.unit)
    ok = meets(clause.comparator, total, wanted)
    shown = total / base_unit(clause.unit)[1]
    parts = "＋".join(c.figure.raw for c in sorted(picked, key=lambda c: c.figure.start))
    note = f"完成情况分项为{parts}，合计{fmt(round(shown, 4))}{clause.unit}，{_wanted_text(clause)}" + _outcome_note(clause, ok)
    first, last = min(c.context.start for c in picked), max(c.context.end for c in picked)
    return _with_evidence(clause, done.original, Piece(first, last, done.folded[first:last]), "met" if ok else "not_met", note, shown)


# A rate clause answered in words: "全部按时报送" is 100%, "未发生" a failure rate of 0.
ALL_WORDS = re.compile(r"(?<![未不没])(?:全部|全数|全都|均(?!衡|匀|值)|无一(?:例)?(?:遗漏|超时|逾期|延误)|无迟报|无漏报|全覆盖|百分之百)")
NONE_WORDS = re.compile(r"未发生|没有发生|未出现|无(?:一)?(?:例|起|件)?(?:死亡|事故|发生)|零(?:发生|事故|死亡)")
FAILURE_RATE = re.compile(r"死亡|事故|发生|差错|投诉|超标|不合格|逾期|迟报|漏报|违规|违纪")


def _rate_in_words(clause: Clause, subject: Subject, done: Completion) -> Clause | None:
    if base_unit(clause.unit)[0] != "%" or clause.value is None:
        return None
    lower_better = clause.comparator == "<=" and bool(FAILURE_RATE.search(fold(clause.text)))
    pattern = NONE_WORDS if lower_better else ALL_WORDS
    if not lower_better and (clause.comparator == "<=" or in_base(clause.value, clause.unit) > 100):
        return None
    for piece in sentences(done.folded):
        if not relevance(subject, piece.text, False).relevant:
            continue
        m = pattern.search(piece.text)
        if m is None:
            continue
        value = 0.0 if lower_better else 100.0
        tail = re.split(r"[，,；;。]", done.original[piece.start + m.start() : piece.end])[0]
        words = tail[:20]
        note = f"完成情况写明“{words}”，即{fmt(value)}%，{_wanted_text(clause)}，已达到。"
        return _with_evidence(clause, done.original, piece, "met", note, value)
    return None


def _match_value(clause: Clause, subject: Subject, done: Completion) -> Clause:
    found = _candidates(clause, subject, done)
    miss_note = ("；".join(found.misses[:2]) + "。") if found.misses else ""
    found.exact = _per_unit_only(clause, found.exact, done)
    if found.exact:
        judged = _judge_exact(clause, _best(found.exact), done)
        # a floor one item already meets is met by the sum too; a ceiling is the sum's to meet
        if judged.outcome == "not_met" or clause.comparator == "<=":
            judged = _enumerated_total(clause, found.exact, done) or judged
        return judged
    in_words = _rate_in_words(clause, subject, done)
    if in_words is not None:
        return in_words
    if found.approximate:
        c = _best(found.approximate)
        note = (f"完成情况只写了约数“{c.figure.raw}”（“{_around(done.original, c.context, c.figure.start, c.figure.end)}”），"
                f"未给出{measure_name(clause.unit)}。" + miss_note)
        return _with_evidence(clause, done.original, c.context, "approximate", note, None)
    return _not_reported(clause, subject, done, f"完成情况未给出{measure_name(clause.unit)}。" + miss_note)


def _deadline(clause: Clause) -> tuple[int, int] | None:
    """(month, last day) a deadline clause allows."""
    for word in clause.time_words:
        m = DEADLINE.fullmatch(word)
        dates = find_dates(word)
        if m and dates:
            date = dates[0]
            if word.endswith("前") and not re.search(r"日|底|末|份|旬", word):  # 前, 以前, 之前
                return date.month - 1, 31  # "12月前": by the end of November ("1月前": (0, 31), before any date)
            return date.month, date.day
        if word in vocabulary().deadline_words:
            return vocabulary().deadline_words[word], PART_DAY["底"]
    return None


def _match_deadline(clause: Clause, subject: Subject, done: Completion) -> Clause:
    original, pieces = done.original, done.pieces
    deadline = _deadline(clause)
    if deadline is None:
        return clause
    dated: list[tuple[Date, Piece, Relevance]] = []
    for date in find_dates(done.folded):
        ctx = done.context(date.start, date.end)
        rel = relevance(subject, ctx.text, False)
        if rel.relevant:
            dated.append((date, ctx, rel))
    wanted = "、".join(w for w in clause.time_words if w not in vocabulary().time_words_vague)
    if dated:
        date, ctx, _ = max(dated, key=lambda d: (d[2].score, -d[0].start))
        ok = (date.month, date.day) <= deadline
        note = f"完成情况写明“{date.raw}”，目标要求{wanted}，" + ("按期完成。" if ok else "晚于期限。")
        return _with_evidence(clause, original, ctx, "met" if ok else "not_met", note, None)
    on_time = [p for p in pieces if ON_TIME.search(p.text) and relevance(subject, p.text, False).relevant]
    if on_time:
        return _with_evidence(clause, original, on_time[0], "not_reported",
                              f"完成情况只写“{ON_TIME.search(on_time[0].text).group(0)}”，未给出完成日期（目标要求{wanted}）。", None)
    return _not_reported(clause, subject, done, f"完成情况未给出完成日期（目标要求{wanted}）。")


def _not_reported(clause: Clause, subject: Subject, done: Completion, note: str) -> Clause:
    """Cite where the completion talks about the clause's object without a figure, if it does."""
    original = done.original
    mentions = [(relevance(subject, p.text, False), p) for p in done.pieces]
    mentions = [(r, p) for r, p in mentions if r.relevant]
    if mentions:
        _, piece = max(mentions, key=lambda m: (m[0].score, -m[1].start))
        note = f"完成情况提到“{_quote(original, piece, 40)}”，但" + note.removeprefix("完成情况")
        return _with_evidence(clause, original, piece, "not_reported", note, None)
    return clause.model_copy(update={"outcome": "not_reported", "evidence": "", "evidence_span": None, "note": note})


def _with_evidence(clause: Clause, original: str, piece: Piece, outcome: str, note: str, found: float | None) -> Clause:
    return clause.model_copy(update={
        "outcome": outcome,
        "evidence": original[piece.start : piece.end],
        "evidence_span": (piece.start, piece.end),
        "found_value": found,
        "note": note,
    })


def match_evidence(clauses: list[Clause], completion_text: str) -> list[Clause]:
    """Each clause with its outcome and the completion span it relied on (qualitative clauses as given)."""
    done = Completion.read(completion_text)
    out: list[Clause] = []
    for clause in clauses:
        if not is_measurable(clause):
            out.append(clause)
            continue
        subject = subject_of(clause)
        if clause.value is not None:
            out.append(_match_value(clause, subject, done))
        else:
            out.append(_match_deadline(clause, subject, done))
    return out


__all__ = ["match_evidence", "measure_name", "subject_of", "relevance"]
