"""Numbers written in Chinese numerals: 一百零八 → 108, 二十六点八四万 → 268,400, 百分之九十八点六 → 98.6.

Shared by the narrative figure reader (reviewer/narrative/figures.py, which keeps offsets and reads
them in place) and the indicator-cell reader (reviewer/values.py, which rewrites a short cell into
Arabic digits before parsing it). Pure functions, no I/O.
"""

from __future__ import annotations

import re
from functools import lru_cache
from collections.abc import Iterable

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
SMALL = {"十": 10, "百": 100, "千": 1000}
BIG = {"万": 10_000, "亿": 100_000_000}
CHARS = "".join(DIGITS) + "".join(SMALL) + "".join(BIG)
# the characters of one number: an integer part, a decimal part after 点, and a 万/亿 after the decimals
NUMBER = rf"[{CHARS}]+(?:点[{''.join(DIGITS)}]+[万亿]?)?"
# never the start of a number: an ordinal (第三), a round approximation (数十, 几百, 上千, 近百), a digit
NOT_AFTER = rf"(?<![第数几上近\d.{CHARS}])"


def chinese_value(text: str) -> float | None:
    """一百零八 → 108, 两千三百 → 2300, 十二 → 12, 三点五 → 3.5, 二十六点八四万 → 268400; None when the
    characters are no number ("万万", "二三")."""
    scale = 1
    whole, _, frac = text.partition("点")
    if not whole:
        return None  # "点五", "": no number
    if frac and frac[-1] in BIG:
        frac, scale = frac[:-1], BIG[frac[-1]]
    if frac and not all(c in DIGITS for c in frac):
        return None
    total = section = 0
    digit: int | None = None
    last_small = 10_000
    for ch in whole:
        if ch in DIGITS:
            if digit is not None and DIGITS[ch] != 0:
                return None  # "二三" is no number written so
            digit = DIGITS[ch] or None
        elif ch in SMALL:
            if SMALL[ch] >= last_small:
                return None  # "十百": the units must fall
            section += (1 if digit is None else digit) * SMALL[ch]
            digit, last_small = None, SMALL[ch]
        elif ch in BIG:
            part = section + (digit or 0)
            if part == 0:
                return None
            total += part * BIG[ch]
            section, digit, last_small = 0, None, 10_000
        else:
            return None
    value = float(total + section + (digit or 0))
    if frac:
        value += float("0." + "".join(str(DIGITS[c]) for c in frac))
    return value * scale


def _plain(x: float) -> str:
    return f"{x:.6f}".rstrip("0").rstrip(".")


def to_arabic(text: str, units: Iterable[str]) -> str:
    """`text` with every Chinese-numeral figure that has a unit written in Arabic digits: "三十二处" →
    "32处", "百分之九十八点六" → "98.6%", "一点三五万册" → "13500册"; a word such as 一般 or 统一 is
    left alone (no unit follows it). Offsets are not kept: for short cells only."""
    dates, months, percents, figures = _cell_patterns(tuple(units))

    def percent(m: re.Match[str]) -> str:
        value = chinese_value(m.group(1))
        return m.group(0) if value is None else _plain(value) + "%"

    def figure(m: re.Match[str]) -> str:
        value = chinese_value(m.group(1))
        return m.group(0) if value is None else _plain(value) + m.group(2)

    # a date: 二〇二二年 digit by digit, 十一月 and 三十日 as numbers
    text = dates.sub(lambda m: "".join(str(DIGITS[c]) for c in m.group(1)) + "年", text)
    text = months.sub(figure, text)
    text = percents.sub(percent, text)
    return figures.sub(figure, text)


@lru_cache(maxsize=4)  # one set of units per process: the long unit alternation is compiled once
def _cell_patterns(units: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    unit_re = "|".join(re.escape(u) for u in sorted(set(units), key=len, reverse=True)) or "(?!)"
    return (re.compile(r"([〇零一二三四五六七八九]{4})年"), re.compile(rf"{NOT_AFTER}({NUMBER})(月)"),
            re.compile(rf"百分之({NUMBER})"), re.compile(rf"{NOT_AFTER}({NUMBER})({unit_re})"))
