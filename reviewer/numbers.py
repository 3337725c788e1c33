"""Reading figures as the forms write them: "594.97", "99分", "１２３", "1,234.5", "—", "无", "".

Pure functions; no I/O.
"""

from __future__ import annotations

import math
import re
import unicodedata

from reviewer.model import Location, Number

# What departments write when there is explicitly nothing (as opposed to a blank cell).
NONE_MARKS = {"无", "-", "—", "——", "–", "/", "／", "－", "\\", "空", "不适用", "N/A", "n/a"}

UNITS = ("万元", "元", "分", "%", "人", "个", "次", "件", "期", "篇", "份", "天", "小时", "年", "项")

_NUMBER = re.compile(
    r"^(?P<sign>[+-]?)(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)\s*(?P<unit>"
    + "|".join(re.escape(u) for u in UNITS)
    + r")?$"
)


def normalise(text: str) -> str:
    """NFKC folds full-width digits, letters and punctuation (１２３ → 123, ％ → %)."""
    return unicodedata.normalize("NFKC", text)


def squash(text: str) -> str:
    """Label form of a cell: no whitespace of any width, NFKC-folded."""
    return re.sub(r"\s+", "", normalise(text))


def compact(text: str) -> str:
    """Display form of a label: whitespace (incl. the full-width space) removed, punctuation kept."""
    return re.sub(r"\s+", "", text)


def parse_number(raw: str, location: Location | None = None, default_unit: str | None = None) -> Number:
    loc = location or Location()
    text = squash(raw)
    if not text:
        return Number(raw=raw, state="missing", location=loc)
    if text in NONE_MARKS:
        return Number(raw=raw, state="none", location=loc)
    m = _NUMBER.match(text)
    if not m:
        return Number(raw=raw, state="unparsed", location=loc)
    value = float(m.group("num").replace(",", ""))
    if not math.isfinite(value):  # 400 nines overflow to inf: JSON would say "value": null
        return Number(raw=raw, state="unparsed", location=loc)
    if m.group("sign") == "-":
        value = -value
    return Number(raw=raw, state="value", value=value, unit=m.group("unit") or default_unit, location=loc)
