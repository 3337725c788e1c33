"""Reading an indicator cell ("≥120公里", "不低于90%", "2022年11月30日前", "平均2.6个工作日", "健全")
into a ParsedValue the checks can compare. Pure functions; no I/O.

A cell states one figure: the first number (or date) is taken, with the words around it deciding
the comparator. Multipliers are folded into the value (1.47万人 → 14700 人) so that "≥36000人次"
and "3.6万人次" compare; anything else after the number is the unit, kept as written.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from functools import lru_cache

from reviewer.cn_numerals import CHARS as CN_CHARS
from reviewer.cn_numerals import to_arabic
from reviewer.lexicon import all_word, alternation, says_not_all, table, words
from reviewer.lexicon import pattern as lexicon_pattern
from reviewer.model import ParsedValue
from reviewer.numbers import NONE_MARKS, normalise

_SCALE = {"万": 1e4, "千": 1e3, "亿": 1e8, "百": 1e2}


@lru_cache(maxsize=1)
def _words() -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...], re.Pattern[str]]:
    """(comparator words before a figure, after it, the unit-ending pattern), from the shared lexicon
    (reviewer/data/lexicon.yaml), so a national cell reads "不低于" as the Hunan rules do. A lone
    character (达, 为) compares only right before a figure there; in a cell it is no comparator."""
    before = [(w, c) for c, ws in table("comparator_words").items() for w in ws]
    before += [(w, c) for c, ws in table("comparator_just_before").items() for w in ws if not (len(w) == 1 and "\u4e00" <= w <= "\u9fff")]
    after = [(w, c) for c, ws in table("comparator_after").items() for w in ws]
    after += [(w, "<=") for w in words("deadline_after")]
    ends = [w for w, _ in after] + ["左右"]
    return tuple(before), tuple(sorted(after, key=lambda p: -len(p[0]))), re.compile(alternation(ends) + "$")


_NUM = re.compile(r"(?<![\d.])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)")
_DATE = re.compile(r"(20\d\d)\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日|\s*(底|末|中旬|上旬|下旬))?")
# What follows a figure and is still its unit: letters of a measure, a per-something, a bracket.
_UNIT = re.compile(r"(?:[^\s，,。;；、()（）]|[(（][^()（）]{1,2}[)）]){0,12}")  # "台（套）", not "%（抽样…）"



def _date_value(m: re.Match) -> float:
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        raise ValueError("month")
    if m.group(3):
        day = int(m.group(3))
    elif m.group(4) in ("上旬",):
        day = 10
    elif m.group(4) in ("中旬",):
        day = 20
    else:  # 底/末/下旬, or a month alone: the month's last day
        day = calendar.monthrange(year, month)[1]
    return float(dt.date(year, month, day).toordinal())


def _comparator(before: str, after: str) -> str:
    """The comparator word nearest the figure in the six characters before it (the longest at the
    same place: "不高于" over "高于"), else the one the unit is followed by ("以上", "前")."""
    before_words, after_words, _ = _words()
    tail = before[-6:]
    found = [(tail.rfind(w) + len(w), len(w), c) for w, c in before_words if w in tail]
    if found:
        return max(found)[2]
    head = after[:6]
    for w, c in after_words:
        if head.startswith(w):
            return c
    return ""


@lru_cache(maxsize=1)
def _units() -> tuple[str, ...]:
    from reviewer.narrative.vocabulary import vocabulary  # here: narrative imports this module

    return tuple(vocabulary().unit_aliases)


def _arabic(text: str) -> str:
    """Chinese-numeral figures in Arabic digits ("三十二处" → "32处", "百分之九十八" → "98%")."""
    return to_arabic(text, _units()) if any(c in CN_CHARS for c in text) else text


def parse_value(raw: str) -> ParsedValue:
    text = _arabic(normalise(raw or "").strip())
    flat = re.sub(r"\s+", "", text)
    if not flat:
        return ParsedValue(raw=raw or "", kind="blank")
    if flat in NONE_MARKS:
        return ParsedValue(raw=raw, kind="none")
    d = _DATE.search(flat)
    n = _NUM.search(flat)
    if d is not None and (n is None or n.start() >= d.start()):
        try:
            value = _date_value(d)
        except ValueError:
            return ParsedValue(raw=raw, kind="text")
        return ParsedValue(
            raw=raw, kind="date", value=value, unit="日期", shown=d.group(0),
            comparator=_comparator(flat[: d.start()], flat[d.end():]),
        )
    if n is None:
        return ParsedValue(raw=raw, kind="text")
    return _number(raw, flat, n)


def _number(raw: str, flat: str, n: re.Match) -> ParsedValue:
    value = float(n.group(1).replace(",", ""))
    if not math.isfinite(value):  # 400 nines: not a figure anyone can compare
        return ParsedValue(raw=raw, kind="text")
    rest = flat[n.end():]
    unit_raw = _UNIT.match(rest).group(0)
    end = _words()[2].search(unit_raw)
    unit = unit_raw[: end.start()] if end else unit_raw
    after = rest[len(unit):]
    scale = 1.0
    if unit[:1] in _SCALE and not unit.startswith("千克") and not unit.startswith("千米"):
        scale = _SCALE[unit[0]]
        unit = unit[1:]
    return ParsedValue(
        raw=raw, kind="number", value=value * scale, unit=unit, shown=n.group(1) + rest[: len(unit_raw)],
        comparator=_comparator(flat[: n.start()], after),
    )


def figure_in_unit(raw: str, like: ParsedValue) -> ParsedValue | None:
    """The first figure of `raw` measured like `like` ("调查500人，满意率96%" → 96% for a % target)."""
    flat = re.sub(r"\s+", "", _arabic(normalise(raw or "")))
    for n in _NUM.finditer(flat):
        value = _number(raw, flat, n)
        if value.kind == "number" and _unit_key(value.unit) and _unit_key(value.unit) == _unit_key(like.unit):
            return value
    return None


def same_unit(a: ParsedValue, b: ParsedValue) -> bool:
    """Whether two figures measure the same thing: equal units, or one left its unit off."""
    if a.kind != b.kind:
        return False
    if a.kind == "date":
        return True
    ua, ub = _unit_key(a.unit), _unit_key(b.unit)
    return ua == ub or not ua or not ub


def _unit_key(unit: str) -> str:
    """The measure, not its classifier, brackets or spelling: "个工作日" = "工作日", "台(套" = "台（套）",
    千米 = 公里, 名 = 人, 日 = 天 (the units' spellings, reviewer/data/stock_phrases.yaml). A lone 个 is a
    unit of its own: 9个 is not 9人."""
    key = re.sub(r"[()（）·]", "", unit)
    if len(key) > 1:
        key = key.removeprefix("个")
    return _spellings().get(key, key)


@lru_cache(maxsize=1)
def _spellings() -> dict[str, str]:
    from reviewer.narrative.vocabulary import vocabulary  # here: narrative imports this module

    return dict(vocabulary().unit_of_alias)


def meets(comparator: str, found: float, wanted: float) -> bool:
    """Whether a figure meets a target under ≥ / ≤ / = (float noise only is forgiven)."""
    eps = 1e-9 * max(1.0, abs(wanted))
    if comparator == ">=":
        return found >= wanted - eps
    if comparator == "<=":
        return found <= wanted + eps
    return abs(found - wanted) <= eps


# Words that state a rate of 100% or a count of 0 without a figure ("全部按时拨付", "未发生安全事故"):
# the lexicon's all-words and none-words; in a short cell a bare 零 or 无 (not 无法/无从) says none too.
_NONE = re.compile(r"零|无(?!法|从)")


def implied(actual_text: str, target: ParsedValue) -> ParsedValue | None:
    """The figure words imply, where the target makes it unambiguous: a 100% rate ("均按时完成"
    for "100%"), none at all ("未发生" for "0起"), a date in the target's year ("11月25日").
    None when the words imply nothing."""
    text = re.sub(r"\s+", "", normalise(actual_text or ""))
    if text and target.kind == "date" and target.value is not None:
        # "11月25日" for "2022年11月30日前": the year is the target's
        year = dt.date.fromordinal(int(target.value)).year
        dated = parse_value(f"{year}年{text}") if re.match(r"\d{1,2}月", text) else None
        return dated if dated is not None and dated.kind == "date" else None
    if not text or target.kind != "number" or target.value is None:
        return None
    if target.unit == "%" and target.value <= 100 and (all_word(text) or "100%完成" in text) and not says_not_all(text):
        return ParsedValue(raw=actual_text, kind="number", value=100.0, unit="%", shown="100%（“" + text[:20] + "”）")
    if target.value == 0 and (text in NONE_MARKS or _NONE.search(text) or lexicon_pattern("none_words").search(text)):
        return ParsedValue(raw=actual_text, kind="number", value=0.0, unit=target.unit, shown="0" + target.unit + "（“" + text[:20] + "”）")
    return None
