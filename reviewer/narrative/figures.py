"""Finding figures in a cell: "15期", "100多篇", "570余份", "近百篇", "一批", "12月底", "22.22%".

Works on folded text (see text.fold) so offsets are those of the cell as given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from reviewer.cn_numerals import BIG as CN_BIG
from reviewer.cn_numerals import NOT_AFTER as CN_NOT_AFTER
from reviewer.cn_numerals import NUMBER as CN_NUMBER
from reviewer.cn_numerals import SMALL as CN_SMALL
from reviewer.cn_numerals import DIGITS as CN_DIGITS
from reviewer.cn_numerals import chinese_value
from reviewer.lexicon import alternation, per_unit_pattern, qualifier_in, words
from reviewer.narrative.vocabulary import vocabulary

QUALIFIER_WINDOW = 8  # characters before a figure searched for its qualifier (年初预算, 上年 …)
PER_UNIT_WINDOW = 12  # characters before a figure searched for a per-unit marker ("单次检测费用不超过80元")


@lru_cache(maxsize=1)
def _role_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(change, difference, total, per-unit) patterns, from the lexicon (reviewer/data/lexicon.yaml)."""
    # A figure right after a change verb is a change ("同比减少22.22%"), not the level a target asks for;
    # "比年初预算少0.88万元" is a difference from another figure, also a change.
    change = re.compile(alternation(words("change_verbs")) + r"了?(约|近)?$")
    compared = re.compile(r"比[^，,。；;\d]{1,12}" + alternation(words("difference_words")) + r"了?(约|近)?$")
    total = re.compile(alternation(words("total_words")) + r"(?:为|达|达到|有|计)?$")
    per_unit = per_unit_pattern()  # anywhere in the words before the figure: "亩均财政投入1,165元"
    return change, compared, total, per_unit
# "孕产妇死亡率为0": a zero rate written without its unit.
ZERO_RATE = re.compile(r"(?<=率)(?:为|是|均为|保持为|保持在)?(?P<num>0|零)(?![\d.,%‰])")
TITLE = re.compile(r"《[^》]*》")
# "5月20日" is a date: its 20日 is a day of the month, not a count of days.
DAY_OF_MONTH = re.compile(r"\d{1,2}月$")
DATE = re.compile(r"(?P<next>次年|翌年|明年)?(?:(?P<year>\d{4})年)?(?P<month>\d{1,2})月(?:(?P<day>\d{1,2})日|(?P<part>底|末|份|初|中旬|上旬|下旬))?")
PART_DAY = {"初": 10, "上旬": 10, "中旬": 20, "下旬": 31, "底": 31, "末": 31, "份": 31}


_PER = re.compile(r"/([\u4e00-\u9fff]{1,2})")  # "元/件", "元/人次": the denominator after a unit


@dataclass(frozen=True)
class Figure:
    start: int
    end: int
    raw: str
    value: float | None  # None for a word ("一批") or a Chinese round number ("近百")
    unit: str | None  # canonical unit (vocabulary units); None when the wording names none
    approximate: bool
    change: bool = False  # follows 增长/减少…: a change, not a level
    # part: a count or amount as such; total: right after 合计/共计/累计 (the sum of the parts before it);
    # per_unit: a value per something (平均每件658元, 场均, 元/件); ratio: a % or ‰; change: as above
    role: str = "part"
    qualifier: str = ""  # what the figure is of, when the words before it say (年初预算, 上年 …; lexicon)
    per: str = ""  # the denominator written after its unit ("658元/件" → 件): per what the figure counts


@dataclass(frozen=True)
class Date:
    start: int
    end: int
    raw: str
    month: int  # 13+ for the year after the first year the text names ("次年1月" → 13)
    day: int  # last day the wording allows ("12月底" → 31)


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    v = vocabulary()
    units = "|".join(re.escape(u) for u in v.unit_aliases)
    pre = "|".join(re.escape(p) for p in v.approximate_prefixes)
    suf = "|".join(re.escape(s) for s in v.approximate_suffixes)
    number = re.compile(
        rf"(?P<pre>{pre})?(?<![\d.,])(?P<num>\d+(?:,\d{{3}})*(?:\.\d+)?)(?P<suf>{suf})?(?P<unit>{units})"
    )
    round_cn = re.compile(rf"(?:(?:上|数|几|近)[十百千万]+(?:{suf})?|[十百千万](?:{suf}))(?P<unit>{units})")
    return number, round_cn


@lru_cache(maxsize=1)
def _chinese_pattern() -> re.Pattern[str]:
    """A number in Chinese numerals with its unit ("一百二十八家次", "百分之九十五"); not an ordinal (第一次)
    nor part of a round approximation (数十篇, 近百篇: those are the approximate figures)."""
    v = vocabulary()
    units = "|".join(re.escape(u) for u in v.unit_aliases)
    pre = "|".join(re.escape(p) for p in v.approximate_prefixes)
    suf = "|".join(re.escape(x) for x in v.approximate_suffixes)
    num = CN_NUMBER
    return re.compile(
        rf"(?P<pre>{pre})?{CN_NOT_AFTER}"
        rf"(?:(?P<pct>百分之)(?P<pct_num>{num})|(?P<num>{num})(?P<suf>{suf})?(?P<unit>{units}))"
        # "8千元", "4.2万份": Arabic digits with a Chinese multiplier before a unit that has none
        rf"|(?<![\d.,])(?P<mixed>\d+(?:\.\d+)?)(?P<mult>[千万亿])(?P<mixed_unit>{units})"
    )


# In a slogan or a name a Chinese numeral names, it does not count: "最多跑一次", （一网通办）.
QUOTED_OR_BRACKETED = re.compile(r"“[^”]*”|\"[^\"]*\"|（[^）]*）|\([^)]*\)|「[^」]*」")


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(start < e and s < end for s, e in taken)


@lru_cache(maxsize=256)  # every clause of a row looks through the same completion
def find_figures(folded: str) -> tuple[Figure, ...]:
    """Every figure with a unit, plus approximate words, in document order (titles skipped)."""
    v = vocabulary()
    number, round_cn = _patterns()
    titles = [m.span() for m in TITLE.finditer(folded)]
    found: list[Figure] = []
    taken: list[tuple[int, int]] = []

    for m in number.finditer(folded):
        if _inside(titles, *m.span()):
            continue
        if m.group("unit") == "日" and not m.group("pre") and DAY_OF_MONTH.search(folded[max(0, m.start() - 3) : m.start()]):
            continue
        unit = v.unit_of_alias[m.group("unit")]
        change_re, compared_re, _, _ = _role_patterns()
        before = folded[max(0, m.start() - 4) : m.start()]
        change = bool(change_re.search(before) or compared_re.search(folded[max(0, m.start() - 16) : m.start()]))
        per = _PER.match(folded, m.end()) if unit and "/" not in unit else None
        found.append(Figure(
            start=m.start(), end=m.end(), raw=m.group(0),
            value=float(m.group("num").replace(",", "")), unit=unit,
            approximate=bool(m.group("pre") or m.group("suf")),
            change=change, per=v.unit_of_alias.get(per.group(1), per.group(1)) if per else "",
        ))
        taken.append(m.span())
    for m in ZERO_RATE.finditer(folded):
        if not _overlaps(taken, *m.span("num")):
            found.append(Figure(m.start("num"), m.end("num"), m.group("num"), 0.0, "%", False))
            taken.append(m.span("num"))
    for m in round_cn.finditer(folded):
        if not _overlaps(taken, *m.span()) and not _inside(titles, *m.span()):
            found.append(Figure(m.start(), m.end(), m.group(0), None, v.unit_of_alias[m.group("unit")], True))
            taken.append(m.span())
    quoted = [q.span() for q in QUOTED_OR_BRACKETED.finditer(folded)]
    for m in _chinese_pattern().finditer(folded):
        if _overlaps(taken, *m.span()) or _inside(titles, *m.span()):
            continue
        if m.group("mixed"):
            value = float(m.group("mixed")) * CN_BIG.get(m.group("mult"), CN_SMALL.get(m.group("mult"), 1))  # 千 is small
            unit = v.unit_of_alias[m.group("mixed_unit")]
        else:
            digits = m.group("pct_num") or m.group("num")
            if _inside(quoted, *m.span()):
                continue
            if digits == "一" and m.end() < len(folded) and "\u4e00" <= folded[m.end()] <= "\u9fff" \
                    and folded[m.end()] not in "内以前后":
                continue  # "一次性", "建立一个机制": an idiom, not a count ("每月出一期，" is one)
            if not any(c in CN_DIGITS for c in digits) and not digits.startswith("十"):
                continue  # "千元", "万元": a unit word, not a figure
            if m.group(0) in words("cn_numeral_idioms"):
                continue  # "十分满意": an adverb
            value = chinese_value(digits)
            if value is None:
                continue
            unit = "%" if m.group("pct") else v.unit_of_alias[m.group("unit")]
            if unit == "次" and m.end() < len(folded) and "\u4e00" <= folded[m.end()] <= "\u9fff":
                continue  # "区六次党代会", "二次创业": an ordinal, not a count
        change_re, compared_re, _, _ = _role_patterns()
        before = folded[max(0, m.start() - 4) : m.start()]
        found.append(Figure(
            start=m.start(), end=m.end(), raw=m.group(0), value=value, unit=unit,
            approximate=bool(m.group("pre") or m.group("suf")),
            change=bool(change_re.search(before) or compared_re.search(folded[max(0, m.start() - 16) : m.start()])),
        ))
        taken.append(m.span())
    for word in v.approximate_words:
        for m in re.finditer(re.escape(word), folded):
            if _overlaps(taken, *m.span()) or _inside(titles, *m.span()):
                continue
            unit = v.unit_of_alias.get(word[-1]) if len(word) > 1 and word[0] in "多数" else None
            found.append(Figure(m.start(), m.end(), word, None, unit, True))
            taken.append(m.span())
    found.sort(key=lambda f: f.start)
    return tuple(_bound(folded, f, found[i - 1] if i else None) for i, f in enumerate(found))


def _bound(folded: str, fig: Figure, previous: Figure | None) -> Figure:
    """The figure with its role and qualifier, read from the words before it in its own piece (not
    past the figure before it: "为年初预算1.20万元的71.7%" gives the 71.7% no qualifier)."""
    if fig.value is None:
        return fig
    _, _, total_re, per_unit_re = _role_patterns()
    left = max(0, fig.start - QUALIFIER_WINDOW)
    if previous is not None:
        left = max(left, previous.end)
    words_before = re.split(r"[，,。；;：:\n]", folded[left : fig.start])[-1]
    near_left = max(0, fig.start - PER_UNIT_WINDOW)
    if previous is not None:
        near_left = max(near_left, previous.end)
    near = re.split(r"[，,。；;：:\n]", folded[near_left : fig.start])[-1]
    if fig.change:
        role = "change"
    elif total_re.search(words_before[-5:]):
        role = "total"
    elif (per_unit_re.search(near) and not any(w in near for w in words("yearly_markers"))) or re.match(r"/[\u4e00-\u9fff]", folded[fig.end : fig.end + 2]):
        role = "per_unit"
    elif fig.unit in ("%", "‰", "/10万"):
        role = "ratio"
    else:
        role = "part"
    return replace(fig, role=role, qualifier=qualifier_in(words_before))


@lru_cache(maxsize=256)
def find_dates(folded: str) -> tuple[Date, ...]:
    """Dates in order; a later year counts on from the first one named (a deadline is in-year)."""
    dates = []
    matches = list(DATE.finditer(folded))
    years = [int(m.group("year")) for m in matches if m.group("year")]
    base = min(years) if years else None
    for m in matches:
        month = int(m.group("month"))
        if not 1 <= month <= 12:
            continue
        if m.group("next"):
            month += 12
        elif base is not None and m.group("year"):
            month += 12 * (int(m.group("year")) - base)
        if m.group("day"):
            day = int(m.group("day"))
        else:
            day = PART_DAY.get(m.group("part") or "", 31)
        dates.append(Date(m.start(), m.end(), m.group(0), month, day))
    return tuple(dates)


def concrete_spans(folded: str) -> list[tuple[int, int]]:
    """What makes a completion checkable: an exact figure, a date or a named output (《…》).

    A bare year ("2021年") is not: every completion of the year could say it. Approximate words
    are not either.
    """
    spans = [(f.start, f.end) for f in find_figures(folded) if not f.approximate]
    spans += [(d.start, d.end) for d in find_dates(folded)]
    spans += [m.span() for m in TITLE.finditer(folded) if len(m.group(0)) > 3]
    # a number that counts something even when its unit is not in our list ("8大类23大项"); it must be
    # followed by a character, so a paragraph number ("1." / "2、") is not one
    spans += [m.span() for m in re.finditer(r"(?<![\d.])\d+(?:\.\d+)?(?=[\u4e00-\u9fff])(?!年|月|日)", folded)]
    return sorted(set(spans))
