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
from dataclasses import dataclass, replace, field
from functools import lru_cache

from reviewer.lexicon import all_word, alternation, per_unit_pattern, qualifier_words, table, unit_equivalents, words
from reviewer.lexicon import pattern as lexicon_pattern
from reviewer.narrative.clauses import DEADLINE, DURATION_UNITS, is_measurable
from reviewer.narrative.figures import PART_DAY, Date, Figure, find_dates, find_figures
from reviewer.narrative.text import MAX_COMPLETION_CHARS, Piece, fold, is_cjk, sentences, split
from reviewer.narrative.vocabulary import base_unit, vocabulary
from reviewer.review import Clause
from reviewer.values import meets

SEPARATORS = frozenset("，,、；;：: \t\u3000")  # trimmed from the front of a cited span (not 《 or “)
MAX_REJECTED = 8  # figures named as considered and not taken, per clause (a pasted-in list has thousands)
FAR_OVER = 2.0  # found ≥ 2× a floor target: the target may have been set too low (domain.md §4)
ON_TIME = lexicon_pattern("on_time_words")
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
    # word pairs of this clause that no sibling clause counting in the same unit has ("分散" beside
    # "集中" in "32处集中供水工程和186处分散供水工程"): what tells their figures apart
    distinct: frozenset[str] = frozenset()
    rival: frozenset[str] = frozenset()  # the siblings' own such pairs


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
    sentences: list[Piece] | None = None  # found when first needed (_sentence_of)
    sentence_starts: list[int] = field(default_factory=list)
    # read from quotes someone chose as evidence for the clause (judge_from_quotes): every figure in them
    # is taken as about the clause's subject unless it names another action; unit, role and qualifier
    # must still agree
    quoted: bool = False

    def relevance(self, subject: Subject, context: str, specific_unit: bool) -> Relevance:
        rel = relevance(subject, context, specific_unit)
        if self.quoted and not rel.relevant and not rel.conflict and context.strip():
            return Relevance(True, rel.score, "")
        return rel

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
        # "…会议24次、专题会议113场，合计137场", "…补贴26.78万元，结案407件，平均每件658元": a total or a
        # per-unit value is about what its sentence names before it, not only its own comma piece
        sentence_starts = [p.start for p in sentences(folded)]
        for fig in valued:
            if fig.role in ("total", "per_unit"):
                k = bisect_right(sentence_starts, fig.start) - 1
                ctx = done.contexts[fig.start]
                left = sentence_starts[k] if k >= 0 else 0
                while left < ctx.start and folded[left] in SEPARATORS | {","}:
                    left += 1
                if left < ctx.start:
                    done.contexts[fig.start] = Piece(left, ctx.end, folded[left : ctx.end])
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


def unit_fit(found: str, wanted: str) -> str:
    """"exact" (the same unit, or a multiple of it: 万元/元), "equivalent" (counts the same thing in
    another unit, lexicon unit_equivalents: 期/次), or "" (家 ≠ 家次, 人 ≠ 人次)."""
    if _compatible(found, wanted):
        return "exact"
    if base_unit(wanted)[0] in unit_equivalents().get(base_unit(found)[0], ()):
        return "equivalent"
    return ""


def in_base(value: float, unit: str) -> float:
    """The figure in its base unit (3.72万人 → 37,200人; 2.52‰ → 0.252%), so units compare."""
    return value * base_unit(unit)[1]


@dataclass(frozen=True)
class Candidate:
    figure: Figure
    context: Piece
    rel: Relevance
    fit: str = "exact"  # unit_fit of the figure's unit to the clause's
    lone: bool = False  # taken only as the one figure in the clause's unit beside a word of it


def _around(original: str, piece: Piece, start: int, end: int, before: int = 12, after: int = 24) -> str:
    """The words next to a figure, within its piece: what a reader needs to see it in place."""
    a, b = max(piece.start, start - before), min(piece.end, end + after)
    return ("…" if a > piece.start else "") + original[a:b].strip() + ("…" if b < piece.end else "")


def _quote(original: str, piece: Piece, limit: int) -> str:
    text = original[piece.start : piece.end].strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- what a clause asks for ----------------------------------------------------------------------


@dataclass(frozen=True)
class Asks:
    """What a value clause's own figure is: per unit, a change, a rate, and of what."""

    per_unit: bool  # "平均办案补贴不超过1,500元/件", "每场次平均成本"
    count_unit: str  # what a per-unit value is per ("件"), when the clause names it
    change: bool  # "比上年下降10%以上": a change, answered by a change
    down: bool  # the change asked for is a fall
    rate_stem: str  # "结案" of "按期结案率": what the numerator of a rate counts
    rate_name: str  # "案件按期结案" : the words before 率, for the numerator's words to share a pair with
    qualifier: str  # the clause figure's own qualifier ("年初预算9.00万元" → 年初预算)
    on_time: bool  # a rate of timeliness ("报送及时率")


def _unit_named(word: str) -> str:
    aliases = vocabulary().unit_of_alias
    for n in (3, 2, 1):
        if word[:n] in aliases:
            return aliases[word[:n]]
    return ""


def asks_of(clause: Clause) -> Asks:
    text = fold(clause.text)
    figs = [f for f in find_figures(text) if f.value is not None and f.unit is not None]
    fig = figs[0] if figs else None
    before = text[: fig.start] if fig else text
    count_unit = ""
    if fig is not None and (m := re.match(r"/([\u4e00-\u9fff]{1,3})", text[fig.end :])):
        count_unit = _unit_named(m.group(1))
    if not count_unit and (m := re.search(r"每([\u4e00-\u9fff]{1,3})", before)):
        count_unit = _unit_named(m.group(1))
    if not count_unit and (m := re.search(r"([\u4e00-\u9fff])均", before)):
        count_unit = _unit_named(m.group(1))
    stem = name = ""
    if clause.unit in ("%", "‰") and "率" in before:
        head = before[: before.rindex("率")]
        name = "".join(c for c in head if is_cjk(c))[-6:]
        for w in words("on_time_words"):
            head = head.replace(w, "")
        cjk = "".join(c for c in head if is_cjk(c))
        stem = cjk[-2:]
    down_re = re.compile("(?:" + "|".join(map(re.escape, words("down_verbs"))) + r")了?(约|近)?$")
    yearly = any(w in before for w in words("yearly_markers"))
    return Asks(
        per_unit=fig is not None and (fig.role == "per_unit" or (per_unit_pattern().search(before) is not None and not yearly)),
        count_unit=count_unit,
        change=fig is not None and fig.change,
        down=fig is not None and fig.change and bool(down_re.search(text[max(0, fig.start - 4) : fig.start])),
        rate_stem=stem,
        rate_name=name,
        qualifier=fig.qualifier if fig is not None else "",
        on_time=ON_TIME.search(before) is not None,
    )


def _admissible_qualifier(fig: Figure, asks: Asks, clause_text: str) -> bool:
    """A completion's budget or last-year figure is evidence only for a clause that asks about that
    figure itself ("年初预算执行率"), not for one that names it as its bound ("控制在年初预算9万元以内")."""
    if fig.qualifier not in words("not_evidence_qualifiers"):
        return True
    if fig.role == "change" and asks.change:
        return True  # "比上年增长9.3%": last year is what the change is measured from
    named = any(w in clause_text for w, q in qualifier_words() if q == fig.qualifier)
    return named and asks.qualifier != fig.qualifier


# --- the two kinds of measurable clause --------------------------------------------------------


@dataclass
class Candidates:
    exact: list[Candidate]
    approximate: list[Candidate]
    misses: list[str]  # near misses, in Chinese, for the note
    rejected: list[str] = field(default_factory=list)  # relevant figures not taken, and why
    unbound: list[Candidate] = field(default_factory=list)  # relevant, in unit, but of another role or qualifier
    totals: list[Candidate] = field(default_factory=list)  # relevant amounts, for a per-unit derivation


def _candidates(clause: Clause, subject: Subject, done: Completion, asks: Asks) -> Candidates:
    """The completion's figures that may answer a value clause: in a compatible unit, about the
    same thing, of the same role (a level, a change, a per-unit value) and qualifier."""
    original = done.original
    v = vocabulary()
    folded_clause = fold(clause.text)
    specific = clause.unit in v.specific_units
    wants_change = any(w in folded_clause for w in words("change_verbs") if len(w) > 1)
    found = Candidates([], [], [])
    verb = next((w for w in v.action_groups if w in folded_clause), "")
    lone: list[Candidate] = []  # weakly related figures, used only when nothing else is
    in_unit = 0  # figures in the clause's unit
    wanted_per = next((f.per for f in find_figures(folded_clause) if f.value == clause.value), "")
    for fig in done.figures:
        if fig.change and not wants_change:
            continue
        if fig.per and wanted_per and fig.per != wanted_per:
            # "658元/人" does not answer "元/件": another denominator, another measure
            found.rejected.append(f"{fig.raw}/{fig.per}：按“{fig.per}”计，目标按“{wanted_per}”计")
            continue
        ctx = done.contexts[fig.start]
        fit = unit_fit(fig.unit, clause.unit) if fig.unit is not None else "exact"
        rel = done.relevance(subject, ctx.text, specific and fig.unit is not None)
        other = _other_rate(fig, done, asks)
        if other and done.quoted:
            # a quoted "审核率100%" is another rate than "按期结案率": the model's choice does not bind it
            found.rejected.append(f"{fig.raw}：是“{other}”，不是目标所说的比率")
            continue
        if not fit:
            if fig.value is not None and done.relevance(subject, ctx.text, False).relevant:
                found.misses.append(f"“{fig.raw}”以“{fig.unit}”计，目标以“{clause.unit}”计")
                found.rejected.append(f"{fig.raw}：单位不是“{clause.unit}”")
            continue
        in_unit += fig.unit is not None
        if rel.conflict:
            if fig.unit is not None:
                kind = "为约数，且" if fig.approximate else ""
                what = f"“{verb}”" if verb else "目标所说的事项"
                found.misses.append(f"“{fig.raw}”{kind}指“{rel.conflict}”，不是{what}（“{_around(original, ctx, fig.start, fig.end)}”）")
                found.rejected.append(f"{fig.raw}：指“{rel.conflict}”")
            continue
        if not rel.relevant:
            if fig.unit is not None and subject.bigrams & _words_of(ctx.text)[1]:
                lone.append(Candidate(fig, ctx, rel, fit, lone=True))
            continue
        cand = Candidate(fig, ctx, rel, fit)
        if fig.value is not None:
            why = _unbound_reason(fig, asks, folded_clause, done.folded)
            if why:
                found.rejected.append(f"{fig.raw}：{why}")
                found.unbound.append(cand)
                if asks.per_unit and fig.role in ("part", "total") and why.startswith("是总数"):
                    found.totals.append(cand)
                continue
        (found.approximate if fig.approximate else found.exact).append(cand)
    if not found.exact and not found.approximate and not found.unbound and len(lone) == 1 and in_unit == 1:
        # the only figure in this unit, beside a word of the clause ("满意率98%" for "满意度95%")
        c = lone[0]
        if c.figure.value is None or not _unbound_reason(c.figure, asks, folded_clause, done.folded):
            (found.approximate if c.figure.approximate else found.exact).append(c)
    return found


def _other_rate(fig: Figure, done: Completion, asks: Asks) -> str:
    """The rate a % figure names right before it ("审核率100%" → 审核率) when it is not the clause's."""
    if fig.unit not in ("%", "‰") or not asks.rate_name:
        return ""
    m = re.search(r"([\u4e00-\u9fff]{2})率(?:为|是|达到|达)?$", done.folded[max(0, fig.start - 8) : fig.start])
    if m is None or m.group(1) in asks.rate_name:
        return ""
    return m.group(1) + "率"


def _per_what(fig: Figure, text: str) -> str:
    """What a per-unit figure is per, when written after it ("268元/人" → 人)."""
    m = re.match(r"/([\u4e00-\u9fff]{1,3})", text[fig.end : fig.end + 4])
    return _unit_named(m.group(1)) if m else ""


def _unbound_reason(fig: Figure, asks: Asks, clause_text: str, done_text: str = "") -> str:
    """Why a relevant figure in the clause's unit is still not about what the clause asks, or ""."""
    if not _admissible_qualifier(fig, asks, clause_text):
        return f"是{fig.qualifier}数，不是完成数"
    if asks.change and fig.role != "change":
        return "是当年水平，不是变化幅度"
    if asks.change or fig.role == "ratio":
        return ""  # "人均收入增长6%": the change of a per-unit value is still a change
    if asks.per_unit and fig.role != "per_unit":
        return "是总数，不是平均每" + (asks.count_unit or "单位") + "的值"
    if asks.per_unit and asks.count_unit and (per := _per_what(fig, done_text)) and per != asks.count_unit:
        return f"是每{per}的值，不是每{asks.count_unit}"
    if not asks.per_unit and fig.role == "per_unit":
        return "是平均每单位的值，不是总数"
    return ""


def _best(cands: list[Candidate], prefer_total: bool = False, subject: Subject | None = None,
          done: Completion | None = None) -> Candidate:
    """The most relevant figure; with `prefer_total`, a total (合计137场) over its parts. Two figures
    whose own words tie ("合格率100%", "合格率97.5%") are told apart by the comma piece before each
    ("…季度考核均达到合格等次，合格率100%"), so the order they are written in does not decide."""
    def wide(c: Candidate) -> int:
        if subject is None or done is None:
            return 0
        idx = done.piece_index(c.context.start)
        if idx is None or idx == 0 or done.folded[done.pieces[idx - 1].end : done.pieces[idx].start].strip() != ",":
            return c.rel.score
        return relevance(subject, done.folded[done.pieces[idx - 1].start : c.context.end], False).score

    def distinct(c: Candidate) -> int:
        """How much more the words right before the figure, back to the item's start (its own name in
        a list: "、分散供水工程186处"), name this clause than its siblings."""
        if subject is None or done is None or not subject.distinct:
            return 0
        before = done.folded[max(0, c.figure.start - 16) : c.figure.start]
        pairs = _words_of(re.split(r"[、，,；;。\d]", before)[-1])[1]
        return len(subject.distinct & pairs) - len(subject.rival & pairs)

    return max(cands, key=lambda c: (prefer_total and c.figure.role == "total", distinct(c), c.rel.score,
                                     c.fit == "exact", wide(c), -c.figure.start))


def _counts_a_total(clause: Clause) -> bool:
    """The clause counts several kinds together ("常务会议、专题会议等各类会议120场"): a stated total answers it."""
    text = fold(clause.text)
    return "等" in text or "各类" in text or any(w in text for w in words("total_words")) or len(_enumerated_items(clause)) >= 2


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


LEVELS = ("high", "medium", "low")


def _lower(conf: str, to: str) -> str:
    return LEVELS[max(LEVELS.index(conf), LEVELS.index(to))]


def _head_found(clause: Clause, context: str) -> bool:
    """The last two characters of what the clause counts, its bound (年初预算) left out, are in the context."""
    obj = fold(clause.object)
    for w, _ in qualifier_words():
        obj = obj.replace(w, "")
    cjk = "".join(c for c in obj if is_cjk(c))
    return len(cjk) >= 2 and cjk[-2:] in context


def _judge_exact(clause: Clause, c: Candidate, done: Completion, others: list[Candidate]) -> Clause:
    found = c.figure.value or 0.0
    found_base, wanted_base = in_base(found, c.figure.unit or ""), in_base(clause.value or 0.0, clause.unit)
    ok = meets(clause.comparator, found_base, wanted_base)
    note = f"完成情况为“{c.figure.raw}”，{_wanted_text(clause)}" + _outcome_note(clause, ok)
    judged = _with_evidence(clause, done.original, c.context, "met" if ok else "not_met", note, found)
    judged.found_raw = c.figure.raw
    if ok and clause.comparator == ">=" and wanted_base > 0 and found_base >= FAR_OVER * wanted_base:
        judged.exceeds_by = round(found_base / wanted_base, 1)
        judged.note += f"实际为目标的{judged.exceeds_by:g}倍，目标可能定得偏低，请人工判断。"
    # how sure: an equivalent unit, an implied comparator, only loose subject words, or a runner-up
    # close behind that would judge otherwise all make the reading less certain
    conf = "high"
    if c.fit == "equivalent":
        conf = _lower(conf, "medium")
        judged.working = f"“{c.figure.raw}”与目标单位“{clause.unit}”视为同类计量"
    if clause.implied:
        conf = _lower(conf, "medium")
    if not _head_found(clause, c.context.text):
        conf = _lower(conf, "medium")
    if c.lone:
        conf = _lower(conf, "low")
    for o in others:
        if o is c or o.figure.value is None:
            continue
        if o.figure.qualifier and abs(in_base(o.figure.value, o.figure.unit or "") - wanted_base) < 1e-9:
            continue  # "年初预算7.00万元" restates the target's own bound: no competing reading
        other_ok = meets(clause.comparator, in_base(o.figure.value, o.figure.unit or ""), wanted_base)
        if other_ok != ok and o.rel.score >= c.rel.score - 1:
            conf = _lower(conf, "low" if o.rel.score >= c.rel.score else "medium")
            judged.rejected.append(f"{o.figure.raw}：相关程度略低，按其判断结论相反")
    judged.confidence = conf  # type: ignore[assignment]
    return judged


# "组织下乡义诊、健康讲座等健康教育活动120场": the items a total is made of, before 等.
ITEM_SPLIT = re.compile(alternation(words("joiners")))


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
        mine = [c for c in exact if head in c.context.text and c not in picked and c.figure.role != "total"]
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
    judged = _with_evidence(clause, done.original, Piece(first, last, done.folded[first:last]), "met" if ok else "not_met", note, shown)
    judged.working = f"按{'、'.join(c.figure.raw for c in sorted(picked, key=lambda c: c.figure.start))}合计为{fmt(round(shown, 4))}{clause.unit}"
    judged.confidence = "medium"
    return judged


def _listed_total(clause: Clause, exact: list[Candidate], done: Completion) -> Clause | None:
    """"常务会议24次、专题会议及其他会议113场" for "各类会议120场以上": the parts listed side by side
    (、 和 及, no comma between), each about the clause, summed when no total is written."""
    parts = sorted((c for c in exact if c.figure.role == "part" and c.figure.value is not None), key=lambda c: c.figure.start)
    best: list[Candidate] = []
    run: list[Candidate] = []
    for c in parts:
        if run:
            between = done.folded[run[-1].figure.end : c.figure.start]
            if not (ITEM_SPLIT.search(between) and not re.search(r"[，,；;。]", between)):
                best, run = max(best, run, key=len), []
        run.append(c)
    best = max(best, run, key=len)
    if len(best) < 2:
        return None
    total = sum(in_base(c.figure.value or 0.0, c.figure.unit or "") for c in best)
    shown = total / base_unit(clause.unit)[1]
    ok = meets(clause.comparator, total, in_base(clause.value or 0.0, clause.unit))
    raws = "、".join(c.figure.raw for c in best)
    working = f"按{raws}合计为{fmt(round(shown, 4))}{clause.unit}"
    note = f"完成情况分项为{raws}，{working}，{_wanted_text(clause)}" + _outcome_note(clause, ok)
    first, last = best[0].context.start, best[-1].context.end
    judged = _with_evidence(clause, done.original, Piece(first, last, done.folded[first:last]), "met" if ok else "not_met", note, shown)
    judged.working = working
    judged.confidence = "medium"
    return judged


# --- derivations: what the completion gives the parts of -----------------------------------------


def _derived(clause: Clause, done: Completion, first: int, last: int, value: float, working: str, what: str) -> Clause:
    wanted_base = in_base(clause.value or 0.0, clause.unit)
    ok = meets(clause.comparator, in_base(value, clause.unit), wanted_base)
    note = f"完成情况未直接写{what}，{working}，{_wanted_text(clause)}" + _outcome_note(clause, ok)
    judged = _with_evidence(clause, done.original, Piece(first, last, done.folded[first:last]), "met" if ok else "not_met", note, value)
    judged.working = working
    judged.found_raw = f"{fmt(round(value, 2))}{clause.unit}"
    judged.confidence = "medium"
    return judged


def _sentence_of(done: Completion, at: int) -> Piece | None:
    """The sentence holding offset `at` (sentences found once per completion, looked up by bisection)."""
    if done.sentences is None:
        done.sentences = sentences(done.folded)
        done.sentence_starts = [p.start for p in done.sentences]
    k = bisect_right(done.sentence_starts, at) - 1
    if k >= 0 and at < done.sentences[k].end:
        return done.sentences[k]
    return None


# a rate's base is looked for among the few counts nearest its part: a rate is written with its two
# counts side by side, and a pasted-in list of thousands of counts must not cost pairs of them all
RATE_NEIGHBOURS = 4


def _rate_from_counts(clause: Clause, asks: Asks, done: Completion) -> Clause | None:
    """"受理412件，按期结案407件" for "按期结案率98%": 407 ÷ 412. The numerator is the count whose
    words name what the rate counts (结案), the base an earlier count in the same unit and sentence,
    no smaller, named by a base word (受理, 应…) or else the nearest one."""
    if base_unit(clause.unit)[0] != "%" or not asks.rate_stem or asks.change:
        return None
    counts = [f for f in done.figures if f.value is not None and f.role in ("part", "total") and f.unit not in ("%", "‰")
              and base_unit(f.unit or "")[0] not in vocabulary().money_units]
    base_words = words("rate_base_words")
    name_pairs = _bigrams(asks.rate_name, frozenset())

    def named(f: Figure) -> bool:
        return any(w in done.contexts[f.start].text for w in base_words)

    pairs = []
    for i, num in enumerate(counts):
        ctx = done.contexts[num.start]
        if not name_pairs & _bigrams(ctx.text, frozenset()):
            continue  # its words name nothing of what the rate counts
        sentence = _sentence_of(done, num.start)
        if sentence is None:
            continue
        near = counts[max(0, i - RATE_NEIGHBOURS) : i] + counts[i + 1 : i + 1 + RATE_NEIGHBOURS]
        for base in near:
            if not sentence.start <= base.start < sentence.end or base.unit != num.unit:
                continue
            if not (base.value or 0) >= (num.value or 0) > 0:
                continue
            if base.role == "total" and num.start < base.start and "占" not in done.folded[num.end : base.start]:
                continue  # "月报12期、季报4期，合计16期": a part of the total, not a rate of it ("占总数600批次" is)
            if not (named(base) or asks.rate_stem in ctx.text):
                continue  # nothing says which is the base: "月报12期、季报4期" are two outputs, not a rate
            lo, hi = sorted((base, num), key=lambda f: f.start)
            if ITEM_SPLIT.search(done.folded[lo.end : hi.start]) and not re.search(r"[，,；;]", done.folded[lo.end : hi.start]):
                continue  # listed side by side ("、", "和"): parallel items
            # a base named so (受理, 应…) over a count that is itself one, the stem in the numerator, then the nearest
            key = (named(base) and not named(num), asks.rate_stem in ctx.text, -abs(base.start - num.start))
            pairs.append((key, base, num))
    if not pairs:
        return None
    _, base, num = max(pairs, key=lambda p: p[0])
    ctx = done.contexts[num.start]
    rate = (num.value or 0) / (base.value or 1) * 100
    working = f"按{base.raw}、{num.raw}计算为{fmt(round(rate, 2))}%"
    first, last = min(done.contexts[base.start].start, ctx.start), max(done.contexts[base.start].end, ctx.end)
    return _derived(clause, done, first, last, rate, working, "比例")


def _per_unit_from_total(clause: Clause, asks: Asks, found: Candidates, done: Completion) -> Clause | None:
    """"支付补贴26.78万元，结案407件" for "平均补贴不超过1,500元/件": 267,800元 ÷ 407件."""
    if not asks.per_unit or not asks.count_unit or not found.totals:
        return None
    for total in sorted(found.totals, key=lambda c: -c.rel.score):
        sentence = _sentence_of(done, total.figure.start)
        if sentence is None:
            continue
        counts = [f for f in done.figures if f.value and f.unit == asks.count_unit and sentence.start <= f.start < sentence.end
                  and f.role in ("part", "total")]
        if len(counts) != 1:
            continue  # no count, or several to choose from: not sure which one divides
        count = counts[0]
        value = in_base(total.figure.value or 0.0, total.figure.unit or "") / (count.value or 1) / base_unit(clause.unit)[1]
        working = f"按{total.figure.raw}、{count.raw}计算为每{asks.count_unit}{fmt(round(value, 2))}{clause.unit}"
        first, last = min(total.context.start, done.contexts[count.start].start), max(total.context.end, done.contexts[count.start].end)
        return _derived(clause, done, first, last, value, working, "平均值")
    return None


YEAR = re.compile(r"(20\d\d)年")


def _change_from_years(clause: Clause, asks: Asks, subject: Subject, done: Completion) -> Clause | None:
    """"2024年…死亡2人。2023年…死亡3人" for "死亡人数比上年下降10%以上": (3 − 2) ÷ 3 = 33.33%. Two
    figures in one unit about the clause's subject, one of last year (上年, or the earlier of two years)."""
    if not asks.change or base_unit(clause.unit)[0] != "%":
        return None
    levels = [f for f in done.figures if f.value is not None and f.role in ("part", "total") and f.unit not in ("%", "‰")
              and done.relevance(subject, done.contexts[f.start].text, False).relevant]

    def year_of(f: Figure) -> int | None:
        sentence = _sentence_of(done, f.start)
        years = YEAR.findall(done.folded[sentence.start : f.start]) if sentence else []
        return int(years[-1]) if years else None

    for unit in dict.fromkeys(f.unit for f in levels):
        mine = [f for f in levels if f.unit == unit]
        last = [f for f in mine if f.qualifier == "上年"]
        this = [f for f in mine if f.qualifier != "上年"]
        if not last:
            dated = [(year_of(f), f) for f in mine]
            dated = [(y, f) for y, f in dated if y is not None]
            years = sorted({y for y, _ in dated})
            if len(years) != 2:
                continue
            last = [f for y, f in dated if y == years[0]]
            this = [f for y, f in dated if y == years[1]]
        if len(last) != 1 or len(this) != 1 or not last[0].value:
            continue
        prev, now = last[0].value, this[0].value or 0.0
        change = (prev - now) / prev * 100 if asks.down else (now - prev) / prev * 100
        word = "下降" if asks.down else "增长"
        working = f"按本年{this[0].raw}、上年{last[0].raw}计算，{word}{fmt(round(change, 2))}%"
        first = min(done.contexts[f.start].start for f in (last[0], this[0]))
        end = max(done.contexts[f.start].end for f in (last[0], this[0]))
        return _derived(clause, done, first, end, change, working, "变化幅度")
    return None


# A rate clause answered in words: "全部按时报送" is 100%, "未发生" a failure rate of 0 (lexicon).
def _rate_in_words(clause: Clause, subject: Subject, done: Completion, asks: Asks) -> Clause | None:
    if base_unit(clause.unit)[0] != "%" or clause.value is None or asks.change:
        return None
    lower_better = clause.comparator == "<=" and lexicon_pattern("failure_words").search(fold(clause.text)) is not None
    if not lower_better and (clause.comparator == "<=" or in_base(clause.value, clause.unit) > 100):
        return None
    for piece in sentences(done.folded):
        if not done.relevance(subject, piece.text, False).relevant and not _names_rate(asks, piece.text):
            continue
        m = lexicon_pattern("none_words").search(piece.text) if lower_better else all_word(piece.text)
        if m is None:
            continue
        if not lower_better and _qualifies_a_figure(done, piece.start + m.end()):
            continue  # "均在95分以上": each is above a figure, not all of them done
        value = 0.0 if lower_better else 100.0
        tail = re.split(r"[，,；;。]", done.original[piece.start + m.start() : piece.end])[0]
        words_shown = tail[:20]
        note = f"完成情况写明“{words_shown}”，即{fmt(value)}%，{_wanted_text(clause)}，已达到。"
        judged = _with_evidence(clause, done.original, piece, "met", note, value)
        judged.working = f"“{words_shown}”按{fmt(value)}%计"
        judged.confidence = "medium"
        return judged
    return None


def _qualifies_a_figure(done: Completion, at: int) -> bool:
    """A level follows the all-word within a few characters, in the same piece: "均在95分以上",
    "均达到98%" say each is above a figure, not that all were done. A time limit does not: "均在24小时内
    完成报告" is all on time."""
    after_words = [w for ws in table("comparator_after").values() for w in ws]
    for f in done.figures:
        if not (at <= f.start <= at + 4) or f.value is None or re.search(r"[，,。；;]", done.folded[at : f.start]):
            continue
        if f.unit in DURATION_UNITS:
            continue
        tail = done.folded[f.end : f.end + 3]
        if f.unit in ("%", "‰") or any(tail.startswith(w) for w in after_words):
            return True
    return False


def _names_rate(asks: Asks, text: str) -> bool:
    """The piece names what the rate counts ("报送" of "报送及时率"), and its timeliness when the
    rate is one ("按时报送")."""
    return bool(asks.rate_stem) and asks.rate_stem in text and (not asks.on_time or ON_TIME.search(text) is not None)


def _match_value(clause: Clause, subject: Subject, done: Completion) -> Clause:
    asks = asks_of(clause)
    found = _candidates(clause, subject, done, asks)
    miss_note = ("；".join(found.misses[:2]) + "。") if found.misses else ""
    judged = _judge_value(clause, subject, done, asks, found, miss_note)
    rejected = list(dict.fromkeys([*judged.rejected, *found.rejected]))[:MAX_REJECTED]
    return judged.model_copy(update={"rejected": rejected})


def _judge_value(clause: Clause, subject: Subject, done: Completion, asks: Asks, found: Candidates, miss_note: str) -> Clause:
    if found.exact:
        judged = _judge_exact(clause, _best(found.exact, _counts_a_total(clause), subject, done), done, found.exact)
        # a floor one item already meets is met by the sum too; a ceiling is the sum's to meet
        if (judged.outcome == "not_met" or clause.comparator == "<=") and judged.found_raw and not any(
            c.figure.role == "total" and c.figure.raw == judged.found_raw for c in found.exact
        ):
            judged = _enumerated_total(clause, found.exact, done) or judged
        if judged.outcome == "not_met" and clause.comparator == ">=" and _counts_a_total(clause):
            judged = _listed_total(clause, found.exact, done) or judged
        return judged
    for derive in (
        lambda: _per_unit_from_total(clause, asks, found, done),
        lambda: _rate_from_counts(clause, asks, done),
        lambda: _change_from_years(clause, asks, subject, done),
        lambda: _rate_in_words(clause, subject, done, asks),
    ):
        judged = derive()
        if judged is not None:
            return judged
    if found.approximate:
        c = _best(found.approximate)
        note = (f"完成情况只写了约数“{c.figure.raw}”（“{_around(done.original, c.context, c.figure.start, c.figure.end)}”），"
                f"未给出{measure_name(clause.unit)}。" + miss_note)
        return _with_evidence(clause, done.original, c.context, "approximate", note, None)
    if found.unbound:
        # figures about the clause's subject, in its unit, but not what it asks (a budget, last year's
        # level, a total for a per-unit target): the rules cannot bind one, so they say nothing
        c = _best(found.unbound)
        why = "；".join(found.rejected[:2])
        note = f"完成情况有相关数字，但规则无法确定哪个对应目标（{why}），未作判断。"
        judged = _with_evidence(clause, done.original, c.context, "abstain", note, None)
        judged.confidence = "low"
        return judged
    judged = _not_reported(clause, subject, done, f"完成情况未给出{measure_name(clause.unit)}。" + miss_note)
    if found.misses:
        judged.confidence = "medium"  # figures near it in another unit: a reader may take one as the answer
    return judged


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
        rel = done.relevance(subject, ctx.text, False)
        if rel.relevant:
            dated.append((date, ctx, rel))
    wanted = "、".join(w for w in clause.time_words if w not in vocabulary().time_words_vague)
    if dated:
        date, ctx, rel = max(dated, key=lambda d: (d[2].score, -d[0].start))
        ok = (date.month, date.day) <= deadline
        others = [d for d in dated if d[0] is not date and d[2].score >= rel.score - 1 and ((d[0].month, d[0].day) <= deadline) != ok]
        note = f"完成情况写明“{date.raw}”，目标要求{wanted}，" + ("按期完成。" if ok else "晚于期限。")
        judged = _with_evidence(clause, original, ctx, "met" if ok else "not_met", note, None)
        if others:  # another date about it, nearly as relevant, would judge otherwise
            judged.confidence = "low" if any(d[2].score >= rel.score for d in others) else "medium"
            judged.rejected = [f"{d[0].raw}：相关程度略低，按其判断结论相反" for d in others]
        return judged
    on_time = [p for p in pieces if ON_TIME.search(p.text) and done.relevance(subject, p.text, False).relevant]
    if on_time:
        # "按时完成" may well mean the deadline was kept: the missing date is a question, less a fact
        judged = _with_evidence(clause, original, on_time[0], "not_reported",
                                f"完成情况只写“{ON_TIME.search(on_time[0].text).group(0)}”，未给出完成日期（目标要求{wanted}）。", None)
        judged.confidence = "medium"
        return judged
    return _not_reported(clause, subject, done, f"完成情况未给出完成日期（目标要求{wanted}）。")


def _not_reported(clause: Clause, subject: Subject, done: Completion, note: str) -> Clause:
    """Cite where the completion talks about the clause's object without a figure, if it does."""
    original = done.original
    mentions = [(done.relevance(subject, p.text, False), p) for p in done.pieces]
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


def _next_to_figure(clause: Clause) -> frozenset[str]:
    """The word pairs right beside a clause's figure, up to the nearest 的 or break ("186处分散供水
    工程的…" → 分散, 散供, 供水 …): the name of what this figure counts."""
    text = fold(clause.text)
    fig = next((f for f in find_figures(text) if f.value == clause.value), None)
    if fig is None:
        return frozenset()
    before = re.split(r"[的，,、；;。和及与]", text[max(0, fig.start - 8) : fig.start])[-1]
    after = re.split(r"[的，,、；;。和及与]", text[fig.end : fig.end + 8])[0]
    return _words_of(before)[1] | _words_of(after)[1]


def _judge(clause: Clause, done: Completion, siblings: tuple[Clause, ...] = ()) -> Clause:
    if not is_measurable(clause):
        return clause
    subject = subject_of(clause)
    same_unit = [c for c in siblings if c is not clause and c.value is not None and c.unit
                 and base_unit(c.unit)[0] == base_unit(clause.unit)[0]]
    if clause.value is not None and clause.unit and same_unit:
        mine = _next_to_figure(clause)
        others = frozenset().union(*(_next_to_figure(c) for c in same_unit))
        subject = replace(subject, distinct=mine - others, rival=others - mine)
    if clause.value is not None:
        return _match_value(clause, subject, done)
    return _match_deadline(clause, subject, done)


def match_evidence(clauses: list[Clause], completion_text: str) -> list[Clause]:
    """Each clause with its outcome and the completion span it relied on (qualitative clauses as given)."""
    done = Completion.read(completion_text)
    return [_judge(clause, done, tuple(clauses)) for clause in clauses]


# --- the model's quotes, read by the same binder ----------------------------------------------------

QUOTE_GAP = "，"  # what stands between two quotes: a piece break, not a sentence end (same length)


def quote_spans(quotes: list[str], completion: str) -> list[tuple[int, int]]:
    """Where each quote stands in the completion (first occurrence, compared folded: １５ = 15); a quote
    not found verbatim is no evidence and is left out."""
    folded = fold(completion)
    spans = []
    for q in quotes:
        fq = fold(q).strip()
        if fq and (i := folded.find(fq)) >= 0:
            spans.append((i, i + len(fq)))
    return sorted(set(spans))


def judge_from_quotes(clause: Clause, quotes: list[str], completion: str) -> Clause:
    """The clause judged from the model's verified quotes only, by the same binder and derivations as
    the rules: spans index `completion`. Every figure in the quotes is taken as about the clause's
    subject (the model chose them for it) unless its words name another action; unit, role and
    qualifier must still agree. A quote with no figure cannot evidence a quantity; a change figure
    ("下降18.18%") evidences a change target; the parts of a derivation may be quoted separately
    ("受理412件" and "按期结案407件"). A clause that is not measurable is returned as given."""
    if not is_measurable(clause):
        return clause
    text = completion[:MAX_COMPLETION_CHARS]
    spans = quote_spans(quotes, text)
    if not spans:
        return clause.model_copy(update={
            "outcome": "not_reported", "evidence": "", "evidence_span": None, "found_value": None, "found_raw": "",
            "exceeds_by": None, "note": "模型没有给出可在完成情况中找到的引文，不能作为证据。", "confidence": "high",
            "working": "", "rejected": [],
        })
    inside = bytearray(len(text))
    for a, b in spans:
        inside[a:b] = b"\x01" * (b - a)
    masked = "".join(ch if inside[i] else QUOTE_GAP for i, ch in enumerate(text))
    done = Completion.read(masked)
    done.original = text
    done.quoted = True
    fresh = clause.model_copy(update={
        "outcome": "not_reported", "evidence": "", "evidence_span": None, "found_value": None, "found_raw": "",
        "exceeds_by": None, "note": "", "working": "", "rejected": [], "confidence": "high",
    })  # nothing of an earlier reading (the rules') is carried over
    judged = _judge(fresh, done)
    return judged.model_copy(update={"note": "按模型引文：" + judged.note.removeprefix("完成情况")})


__all__ = ["judge_from_quotes", "match_evidence", "measure_name", "quote_spans", "subject_of", "relevance"]
