"""Money sentences of the narrative, parsed.

    "基本支出516.14万元，比上年增加152.09万元，增长41.78%"
    "人员经费415.50万元，占基本支出80.5%"
    "“三公”经费5270元，比上年减少6828元，下降56.44%"

Each becomes a Statement: what it is about (a canonical subject such as "basic"), the amount,
the year-on-year change and rate, and a share of another subject — every figure with the
rounding its printing implies, and the span of the sentence for citations. Pure parsing: the
checks decide what to compare.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from reviewer.checks.arith import half_step
from reviewer.lexicon import qualifier_in, words
from reviewer.model import Location, Report, Text
from reviewer.narrative.text import halfwidth

# canonical subject → how narratives name it (quotes are dropped before matching)
SUBJECTS: dict[str, tuple[str, ...]] = {
    "sangong": ("三公经费",),
    "reception": ("公务接待费",),
    "vehicle_running": ("公务用车运行维护费", "公务用车运维费"),
    "vehicle_purchase": ("公务用车购置费",),
    "overseas": ("因公出国(境)费", "因公出国（境）费", "因公出国费"),
    "basic": ("基本支出",),
    "project": ("项目支出",),
    "personnel": ("人员经费", "人员支出"),
    "public": ("公用经费", "公用支出"),
    "spending_total": ("支出合计", "总支出", "支出总额"),
    "income_total": ("收入合计", "总收入", "收入总额"),
}

SUBJECT_NAMES = {
    "sangong": "“三公”经费",
    "reception": "公务接待费",
    "vehicle_running": "公务用车运维费",
    "vehicle_purchase": "公务用车购置费",
    "overseas": "因公出国费",
    "basic": "基本支出",
    "project": "项目支出",
    "personnel": "人员经费",
    "public": "公用经费",
    "spending_total": "支出合计",
    "income_total": "收入合计",
}

# Words that narrow a subject ("除专项资金以外的其他项目支出"): the figure may rightly differ from the table.
QUALIFIERS = ("除", "以外", "其他", "部分", "专项")

UP = ("增加", "增长", "上升", "提高")
DOWN = ("减少", "下降", "降低", "减")

_NUM = r"\d+(?:[,，]\d{3})*(?:[.．]\d+)?"
_STATEMENT = re.compile(
    rf"(?P<amt>{_NUM})\s*(?P<unit>万元|元)"
    rf"(?:\s*[,，]?\s*(?:比上年|较上年|比去年|较去年|比上一年|与上年相比|同比)\s*(?P<dir>增加|增长|上升|提高|减少|下降|降低|减)了?\s*(?P<chg>{_NUM})\s*(?P<chg_unit>万元|元))?"
    rf"(?:\s*[,，]?\s*(?:比上年|较上年|同比)?\s*(?P<rdir>增长|增加|上升|提高|下降|减少|降低)了?\s*(?:幅度为|率为|比例为)?\s*(?P<rate>\d+(?:[.．]\d+)?)\s*[%％])?"
    rf"(?:\s*[,，]?\s*占(?P<base>[^\d,，;；。:：]{{1,12}}?)(?:的)?(?:比重|比例)?(?:为)?\s*(?P<share>\d+(?:[.．]\d+)?)\s*[%％])?"
)
_CHANGE_VERBS = words("change_verbs")  # the shared lexicon's (reviewer/data/lexicon.yaml)
_QUOTES = re.compile(r"[“”\"'‘’「」]")
_CLAUSE_START = re.compile(r"[,，;；。:：!！?？\n]")
_SENTENCE_END = "。;；!！?？\n"
_SENTENCE_END_RE = re.compile("[" + re.escape(_SENTENCE_END) + "]")


@dataclass(frozen=True)
class Figure:
    value: float  # in 万元 for money, in % for rates
    raw: str  # as printed, with its unit
    half: float  # half the printed rounding step, same unit as value


@dataclass(frozen=True)
class Statement:
    subject: str
    subject_text: str  # the words before the amount, as written
    qualified: bool
    amount: Figure
    change: Figure | None  # signed: + for 增加; raw without the verb
    rate: Figure | None  # signed: + for 增长
    rate_conflict: bool  # "增加…下降x%"
    share: Figure | None
    share_base: str | None  # canonical subject of "占…"
    sentence: str
    text: Text
    span: tuple[int, int]  # of the sentence in text.text
    # what the amount is of, when the words between the subject and it say so (lexicon figure_qualifiers):
    # "“三公”经费年初预算9.00万元" is the budget, "上年“三公”经费1.00万元" last year's, not this year's spending
    basis: str = ""

    @property
    def location(self) -> Location:
        return self.text.location.with_span(*self.span)




def _money(raw_number: str, unit: str) -> Figure:
    raw_number = halfwidth(raw_number)
    value = float(raw_number.replace(",", ""))
    half = half_step(raw_number)
    if unit == "元":
        value, half = value / 10000, half / 10000
    return Figure(value=value, raw=f"{raw_number}{unit}", half=half)


def _percent(raw_number: str, sign: int) -> Figure:
    raw_number = halfwidth(raw_number)
    return Figure(value=sign * float(raw_number), raw=f"{raw_number}%", half=half_step(raw_number))


_ANY_SUBJECT = re.compile("|".join(re.escape(n) for names in SUBJECTS.values() for n in names))


def subject_of(words: str) -> str | None:
    """The subject named last (closest to the figure): "基本支出中人员经费" → personnel."""
    plain = _QUOTES.sub("", words)
    if not _ANY_SUBJECT.search(plain):
        return None
    best, best_end = None, -1
    for key, names in SUBJECTS.items():
        for name in names:
            end = plain.rfind(name)
            if end >= 0 and end + len(name) > best_end:
                best, best_end = key, end + len(name)
    return best


# How far around a figure the parser looks. A real clause or sentence is well under these; a
# cell that is one 600 KB "sentence" of figures must not make every figure re-read it all.
MAX_CLAUSE_LOOKBACK = 300  # characters before the amount searched for its subject
MAX_SENTENCE_SIDE = 300  # characters kept on each side of the match when a sentence has no end


class _Bounds:
    """Clause starts and sentence ends of one text, found once: each figure then looks its
    bounds up by bisection instead of re-scanning the text from its start."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.clause_ends = [m.end() for m in _CLAUSE_START.finditer(text)]
        self.sentence_ends = [m.start() for m in _SENTENCE_END_RE.finditer(text)]

    def clause_start(self, at: int) -> int:
        k = bisect_right(self.clause_ends, at) - 1  # last clause mark ending at or before `at`
        return self.clause_ends[k] if k >= 0 else 0

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        k = bisect_left(self.sentence_ends, start) - 1
        s = self.sentence_ends[k] + 1 if k >= 0 else 0
        k = bisect_left(self.sentence_ends, end)
        e = self.sentence_ends[k] + 1 if k < len(self.sentence_ends) else len(self.text)
        s = max(s, start - MAX_SENTENCE_SIDE)
        e = min(e, end + MAX_SENTENCE_SIDE)
        while s < e and self.text[s].isspace():
            s += 1
        return s, e


def _states_change(words: str) -> bool:
    """The words end in a change verb ("较上年减少", "增加了 "): checked from the end only, so a
    long clause costs nothing per figure."""
    tail = words.rstrip()
    return tail.endswith(_CHANGE_VERBS) or (tail.endswith("了") and tail[:-1].endswith(_CHANGE_VERBS))


def parse_text(text: Text) -> list[Statement]:
    flat = text.text
    bounds: _Bounds | None = None  # built at the first figure: most paragraphs have none
    out: list[Statement] = []
    for m in _STATEMENT.finditer(flat):
        bounds = bounds or _Bounds(flat)
        clause_start = max(bounds.clause_start(m.start()), m.start() - MAX_CLAUSE_LOOKBACK)
        words = flat[clause_start : m.start()]
        if _states_change(words):
            continue  # "较上年减少6,828元" states a change, not this year's amount
        subject = subject_of(words)
        if subject is None:
            continue
        change = None
        if m.group("chg"):
            sign = -1 if m.group("dir") in DOWN else 1
            c = _money(m.group("chg"), m.group("chg_unit"))
            change = Figure(value=sign * c.value, raw=c.raw, half=c.half)
        rate = None
        conflict = False
        if m.group("rate"):
            rsign = -1 if m.group("rdir") in DOWN else 1
            rate = _percent(m.group("rate"), rsign)
            conflict = change is not None and (change.value > 0) != (rsign > 0) and change.value != 0
        share = _percent(m.group("share"), 1) if m.group("share") else None
        s, e = bounds.sentence(m.start(), m.end())
        out.append(
            Statement(
                subject=subject,
                subject_text=words.strip(),
                qualified=any(q in words for q in QUALIFIERS),
                amount=_money(m.group("amt"), m.group("unit")),
                change=change,
                rate=rate,
                rate_conflict=conflict,
                share=share,
                share_base=subject_of(m.group("base")) if m.group("base") else None,
                sentence=text.text[s:e],
                text=text,
                span=(s, e),
                basis=qualifier_in(_QUOTES.sub("", words)),
            )
        )
    return out


def narrative_texts(report: Report) -> list[Text]:
    """Every free-text field where a department writes figures, in document order."""
    texts: list[Text] = [report.overall]
    texts += [q.actual for q in report.qualitative]
    texts += [t.completion for t in report.targets]
    texts += [p for s in report.sections for p in s.paragraphs]
    return [t for t in texts if not t.blank]


def parse_report(report: Report) -> list[Statement]:
    return [st for text in narrative_texts(report) for st in parse_text(text)]
