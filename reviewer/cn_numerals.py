"""Figures written in Chinese numerals: "四十三次", "二千八百五十九篇", "一点五万元", "百分之九十二".

Read in place on the folded text (no rewriting, so spans stay those of the cell). Idioms that merely
contain a numeral ("一次性", "十分满意", "五个坚持" in quotes) are not figures: the words that make them
idioms are in the lexicon (cn_numeral_idiom_after), and a figure inside quotation marks or a title is
not read.
"""

from __future__ import annotations

import re
from functools import lru_cache

from reviewer.lexicon import words

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
SMALL = {"十": 10, "百": 100, "千": 1000}
LARGE = {"万": 10_000, "亿": 100_000_000}
NUMERAL = "零〇一二两三四五六七八九十百千万亿"
QUOTED = re.compile(r"“[^”]*”|《[^》]*》|\"[^\"]*\"")


def cn_to_number(text: str) -> float | None:
    """The value of a Chinese numeral ("二千八百五十九" → 2859, "一点五" → 1.5, "十二" → 12), or None
    when the characters do not form one ("五五", "千百")."""
    if not text:
        return None
    whole, _, frac = text.partition("点")
    scale = 1
    if frac and frac[-1] in LARGE:  # "一点五万"
        scale, frac = LARGE[frac[-1]], frac[:-1]
    if frac and any(ch not in DIGITS for ch in frac) or (scale > 1 and not frac):
        return None
    value = _integer(whole) if whole else None
    if value is None:
        return None
    if frac:
        value += float("0." + "".join(str(DIGITS[ch]) for ch in frac))
    return float(value) * scale


def _integer(text: str) -> int | None:
    total, section, digit = 0, 0, None
    last_small = 10_000
    for ch in text:
        if ch in DIGITS:
            if digit not in (None, 0) and DIGITS[ch] != 0:
                return None  # two digits in a row ("五五") is not a numeral here
            digit = DIGITS[ch]
        elif ch in SMALL:
            unit = SMALL[ch]
            if unit >= last_small:
                return None  # "十百": units must fall
            section += (1 if digit is None else digit) * unit
            digit, last_small = None, unit
        elif ch in LARGE:
            section += digit or 0
            if section == 0:
                return None
            total = (total + section) * LARGE[ch] if LARGE[ch] > 10_000 else total + section * LARGE[ch]
            section, digit, last_small = 0, None, 10_000
        else:
            return None
    return total + section + (digit or 0)


@lru_cache(maxsize=1)
def _pattern(units: tuple[str, ...]) -> re.Pattern[str]:
    alias = "|".join(re.escape(u) for u in units if not u.startswith("/"))
    return re.compile(
        rf"(?P<pct>百分之(?P<pnum>[{NUMERAL}点]+))"
        rf"|(?<![\d.])(?P<mix>\d+(?:\.\d+)?)(?P<mul>[千百])(?P<munit>{alias})"  # "8千元"
        rf"|(?<![\d.{NUMERAL}])(?P<num>[{NUMERAL}](?:[{NUMERAL}]|点(?=[{NUMERAL}]))*)(?P<unit>{alias})"
    )


def chinese_figures(folded: str, units: tuple[str, ...]) -> list[tuple[int, int, str, float, str]]:
    """(start, end, raw, value, unit as written) for each figure in Chinese numerals ("%" for 百分之…)."""
    hidden = [m.span() for m in QUOTED.finditer(folded)]
    idiom_after = words("cn_numeral_idiom_after")
    out = []
    for m in _pattern(units).finditer(folded):
        start, end = m.span()
        if any(s <= start < e for s, e in hidden):
            continue
        if m.group("pct"):
            value = cn_to_number(m.group("pnum"))
            unit = "%"
        elif m.group("mix"):
            value = float(m.group("mix")) * SMALL[m.group("mul")]
            unit = m.group("munit")
        else:
            if not any(ch in DIGITS for ch in m.group("num")) and not m.group("num").startswith("十"):
                continue  # "千元", "万元": a unit word, not a figure
            value = cn_to_number(m.group("num"))
            unit = m.group("unit")
            if any(folded.startswith(w, end) for w in idiom_after) or folded[start:end] in words("cn_numeral_idioms"):
                continue
            if any(folded.endswith(w, 0, start) for w in words("cn_numeral_idiom_before")):
                continue  # an ordinal ("第六次"), a manner ("分两次"), an approximation ("数十次"), a slogan ("跑一次")
        if value is None:
            continue
        out.append((start, end, m.group(0), value, unit))
    return out


__all__ = ["chinese_figures", "cn_to_number", "to_arabic"]


_RUN = re.compile(rf"百分之(?P<p>[{NUMERAL}点]+)|(?P<n>[{NUMERAL}](?:[{NUMERAL}]|点(?=[{NUMERAL}]))*)")


def to_arabic(text: str) -> str:
    """A short cell with its Chinese numerals written in Arabic ("百分之九十二" → "92%", "三十二处" → "32处"),
    for the cell reader; runs that are no numeral ("千", "万元"'s 万) are left as written."""
    def one(m: re.Match) -> str:
        run = m.group("p") or m.group("n")
        if m.group("n") and not any(ch in DIGITS for ch in run) and not run.startswith("十"):
            return m.group(0)
        value = cn_to_number(run)
        if value is None:
            return m.group(0)
        shown = f"{value:.10g}"
        return shown + "%" if m.group("p") else shown
    return _RUN.sub(one, text)
