"""A metamorphic suite: rewrite each corpus report's completions and see whether the rules notice.

Each rewrite takes one 完成情况 text (a Hunan 定量目标 row, a national form's 年度总体目标, or a
national 绩效指标 row's 实际完成值 cell) and returns a new text, or None when it does not apply.
Two families:

- **preserving** rewrites say the same thing in other words (Chinese numerals, thousands
  separators, 万元 ↔ 元, clause order, an unrelated sentence added, a total stated or left to the
  reader, synonyms): the row's rule verdict, its clauses' outcomes and the finding codes on the
  row must not change;
- **changing** rewrites alter the one figure a met clause rested on (moved to the wrong side of the
  target, a unit that no longer measures the same thing, the figure turned into a budget or a
  plan): that clause must no longer be met — for the wrong-side figure it must be `not_met`.

Every variant is the original Report with one row's completion replaced, reviewed by the ordinary
pipeline with the model off. Deterministic: the only randomness is `random.Random` seeded with the
variant's id. Pure functions apart from reading the corpus (`load_corpus`, cached per process).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from reviewer.model import IndicatorRow, Report, TargetRow
from reviewer.values import parse_value
from reviewer.yamlio import load_yaml

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SEED = 21

# ---------------------------------------------------------------- word lists


@lru_cache(maxsize=1)
def _data() -> dict:
    with (DATA_DIR / "metamorphic.yaml").open(encoding="utf-8") as fh:
        return load_yaml(fh) or {}


@lru_cache(maxsize=1)
def _phrases() -> dict:
    with (DATA_DIR / "stock_phrases.yaml").open(encoding="utf-8") as fh:
        return load_yaml(fh) or {}


@lru_cache(maxsize=1)
def unit_spellings() -> tuple[str, ...]:
    """Every unit spelling the narrative lexicon knows, longest first, plus 万-prefixed areas."""
    spellings = {s for alias in (_phrases().get("units") or {}).values() for s in alias}
    spellings |= set((_phrases().get("money_units") or {}))
    spellings |= {"万平方米", "平方米", "株", "卷", "千瓦时", "万千瓦时", "批次", "家次", "场次", "件次", "例次"}
    spellings -= {"/10万", "/十万"}
    return tuple(sorted(spellings, key=lambda u: (-len(u), u)))


@lru_cache(maxsize=1)
def canonical_unit() -> dict[str, str]:
    return {s: canon for canon, alias in (_phrases().get("units") or {}).items() for s in alias}


MONEY = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}

# ---------------------------------------------------------------- figures in a text


@dataclass(frozen=True)
class Figure:
    """A number with a unit as a completion writes it: "1,562.3万元" at [start, end)."""

    start: int
    end: int
    number: str  # as written, separators kept ("1,562.3")
    unit: str  # as written ("万元", "%", "人次")

    @property
    def value(self) -> Decimal:
        return Decimal(self.number.replace(",", ""))

    @property
    def text(self) -> str:
        return self.number + self.unit

    @property
    def in_base(self) -> Decimal:
        """The value in the unit figures compare in (万元 → 元, 万人 → 人)."""
        if self.unit in MONEY:
            return self.value * MONEY[self.unit]
        if self.unit.startswith("万") and len(self.unit) > 1:
            return self.value * 10000
        return self.value


@lru_cache(maxsize=1)
def _figure_re() -> re.Pattern[str]:
    units = "|".join(re.escape(u) for u in unit_spellings())
    return re.compile(
        r"(?<![\d.,A-Za-z])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<unit>%|(?:万|亿)?(?:" + units + r"))"
    )


def figures(text: str) -> list[Figure]:
    """The figures of `text` that carry a unit. Dates are left out: a year (2022年), a month's day
    (6月20日) and an hour of the clock are not quantities."""
    out = []
    for m in _figure_re().finditer(text):
        num, unit = m.group("num"), m.group("unit")
        after = text[m.end(): m.end() + 1]
        before = text[max(0, m.start() - 1): m.start()]
        if unit in ("日", "天") and before == "月":
            continue  # 8月25日
        if after == "月" or (unit == "年" and len(num) == 4):
            continue
        if unit == "个" and after == "月":
            continue
        out.append(Figure(m.start(), m.end(), num, unit))
    return out


def replace_figures(text: str, new: dict[Figure, str]) -> str:
    """`text` with each figure in `new` replaced by its string (figures do not overlap)."""
    out, at = [], 0
    for f in sorted(new, key=lambda f: f.start):
        out.append(text[at: f.start])
        out.append(new[f])
        at = f.end
    out.append(text[at:])
    return "".join(out)


def plain(value: Decimal) -> str:
    """A Decimal as a department writes it: no exponent, no trailing zeros ("8600", "0.0268")."""
    s = format(value, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s or "0"


# ---------------------------------------------------------------- Chinese numerals

_DIGITS = "零一二三四五六七八九"
_SMALL = ((1000, "千"), (100, "百"), (10, "十"))


def _below_10000(n: int) -> str:
    out: list[str] = []
    zero = False
    for size, name in _SMALL + ((1, ""),):
        d, n = divmod(n, size)
        if d:
            if zero:
                out.append("零")
            out.append(_DIGITS[d] + name)
            zero = False
        elif out:
            zero = True
    return "".join(out)


def chinese_integer(n: int) -> str:
    """826 → 八百二十六, 10 → 十, 105 → 一百零五, 20000 → 二万, 1010 → 一千零一十."""
    if n < 0:
        return "负" + chinese_integer(-n)
    if n == 0:
        return "零"
    groups = []
    for name in ("", "万", "亿", "万亿"):
        groups.append((n % 10000, name))
        n //= 10000
        if not n:
            break
    out, pending_zero = [], False
    for i, (g, name) in enumerate(reversed(groups)):
        if g == 0:
            pending_zero = bool(out)
            continue
        if out and (pending_zero or g < 1000):
            out.append("零")
        out.append(_below_10000(g) + name)
        pending_zero = False
    text = "".join(out)
    if text.startswith("一十"):
        text = text[1:]  # 十二, not 一十二
    return text


def chinese_number(number: str) -> str:
    """An Arabic number as written ("1,562.3", "0.86", "96") in Chinese numerals (一千五百六十二点三)."""
    plain_number = number.replace(",", "")
    whole, _, frac = plain_number.partition(".")
    text = chinese_integer(int(whole or "0"))
    if frac:
        text += "点" + "".join(_DIGITS[int(d)] for d in frac)
    return text


_VALUE = {c: i for i, c in enumerate(_DIGITS)} | {"〇": 0, "两": 2}
_UNIT_VALUE = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10**4, "亿": 10**8}


def parse_chinese_number(text: str) -> Decimal:
    """八百二十六 → 826, 十二 → 12, 一百零五 → 105, 二点四六 → 2.46 (the inverse of chinese_number)."""
    whole, _, frac = text.partition("点")
    total = section = digit = 0
    for ch in whole:
        if ch in _VALUE:
            digit = _VALUE[ch]
        elif ch in _UNIT_VALUE:
            section += (digit or 1) * _UNIT_VALUE[ch]
            digit = 0
        elif ch == "亿":
            total = (total + section + digit) * _BIG[ch]
            section = digit = 0
        elif ch == "万":
            total += (section + digit) * _BIG[ch]
            section = digit = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    value = Decimal(total + section + digit)
    if frac:
        value += Decimal("0." + "".join(str(_VALUE[c]) for c in frac))
    return value


_CHINESE_FIGURE = re.compile(r"(?P<num>[零一二两三四五六七八九十百千万亿]{2,}(?:点[零一二三四五六七八九]+)?)")

# ---------------------------------------------------------------- the rewrites


@dataclass(frozen=True)
class Context:
    """What a rewrite may know about the row: its target text, and for a changing rewrite the
    figure the rules took as evidence of one met clause (and that clause's comparator and value)."""

    target: str
    cell: bool  # a national 实际完成值 cell (one figure), not a sentence
    evidence: Figure | None = None
    comparator: str = ""
    wanted: float | None = None  # the clause's target value …
    unit: str = ""  # … in this unit


Rewrite = Callable[[str, Context, random.Random], "str | None"]


def _quantities(text: str) -> list[Figure]:
    return [f for f in figures(text) if f.unit not in ("年",)]


def arabic_to_chinese(text: str, ctx: Context, rng: random.Random) -> str | None:
    """Every figure in Chinese numerals; a percentage as 百分之…"""
    figs = _quantities(text)
    if not figs:
        return None
    new = {}
    for f in figs:
        words = chinese_number(f.number)
        new[f] = f"百分之{words}" if f.unit == "%" else words + f.unit
    return replace_figures(text, new)


def chinese_to_arabic(text: str, ctx: Context, rng: random.Random) -> str | None:
    """Chinese numerals followed by a unit in Arabic digits (十二个 → 12个, 百分之九十五 → 95%)."""
    units = "|".join(re.escape(u) for u in unit_spellings())
    pattern = re.compile(r"(?P<pct>百分之)?" + _CHINESE_FIGURE.pattern + r"(?P<unit>" + units + r")?")
    out, at, changed = [], 0, False
    for m in pattern.finditer(text):
        if not (m.group("pct") or m.group("unit")):
            continue
        try:
            value = parse_chinese_number(m.group("num"))
        except (ValueError, KeyError):
            continue
        out.append(text[at: m.start()])
        out.append(plain(value) + ("%" if m.group("pct") else "") + (m.group("unit") or ""))
        at, changed = m.end(), True
    if not changed:
        return None
    out.append(text[at:])
    return "".join(out)


def _grouped(number: str) -> str:
    whole, dot, frac = number.partition(".")
    return f"{int(whole):,}" + dot + frac


def thousands_added(text: str, ctx: Context, rng: random.Random) -> str | None:
    """1562.3万元 → 1,562.3万元 (every figure of four digits or more before the point)."""
    new = {f: _grouped(f.number) + f.unit for f in _quantities(text)
           if "," not in f.number and len(f.number.partition(".")[0]) >= 4}
    return replace_figures(text, new) if new else None


def thousands_removed(text: str, ctx: Context, rng: random.Random) -> str | None:
    """1,562.3万元 → 1562.3万元."""
    new = {f: f.number.replace(",", "") + f.unit for f in _quantities(text) if "," in f.number}
    return replace_figures(text, new) if new else None


def wan_to_yuan(text: str, ctx: Context, rng: random.Random) -> str | None:
    """0.86万元 → 8600元 (every 万元 figure)."""
    new = {f: plain(f.value * 10000) + "元" for f in _quantities(text) if f.unit == "万元"}
    return replace_figures(text, new) if new else None


def yuan_to_wan(text: str, ctx: Context, rng: random.Random) -> str | None:
    """1,165元 → 0.1165万元 (every 元 figure of 100 or more)."""
    new = {f: plain(f.value / 10000) + "万元" for f in _quantities(text) if f.unit == "元" and f.value >= 100}
    return replace_figures(text, new) if new else None


_SEGMENT = re.compile(r"[^；;。]+[；;。]?")
_NUMBERING = re.compile(r"^\s*(\d+)[.、．]\s*")


def _slot(part: str) -> tuple[str, str, str, str]:
    m = re.match(r"(\s*)(.*?)([；;。]?)(\s*)$", part, re.S)
    return m.group(1), m.group(2), m.group(3), m.group(4)


def clauses_swapped(text: str, ctx: Context, rng: random.Random) -> str | None:
    """The first two parts of the completion in the other order: at "；" when it has them, else at
    "。". Each slot keeps its own punctuation, and numbered items ("1.…2.…") are renumbered."""
    if ctx.cell:
        return None
    for marks in ("；;", "。"):
        parts = [p for p in re.findall("[^" + marks + "]+[" + marks + "]?", text) if p.strip()]
        if len(parts) < 2:
            continue
        (lead0, core0, end0, trail0), (lead1, core1, end1, trail1) = _slot(parts[0]), _slot(parts[1])
        n0, n1 = _NUMBERING.match(core0), _NUMBERING.match(core1)
        if bool(n0) != bool(n1):
            continue  # "1.…；…" : the items are numbered at another mark
        if n0 and n1:
            new0, new1 = n0.group(0) + core1[n1.end():], n1.group(0) + core0[n0.end():]
        else:
            new0, new1 = core1, core0
        if not (re.search(r"[\u4e00-\u9fff]", new0) and re.search(r"[\u4e00-\u9fff]", new1)):
            continue
        return lead0 + new0 + end0 + trail0 + lead1 + new1 + end1 + trail1 + "".join(parts[2:])
    return None


def _unanswered(text: str) -> bool:
    """A blank, a "nothing" mark or the form's instruction text: adding a sentence would answer it."""
    flat = re.sub(r"\s+", "", text)
    phrases = _phrases()
    return (not flat or flat in set(phrases.get("empty_marks") or ())
            or any(m in flat for m in phrases.get("template_markers") or ()))


def _measure(unit: str) -> str:
    """What a unit measures, whatever its scale or spelling: 万公里 and 千米 → 公里."""
    bare = unit[1:] if unit[:1] in "万亿" and len(unit) > 1 else unit
    return canonical_unit().get(bare, bare)


def unrelated_added(text: str, ctx: Context, rng: random.Random) -> str | None:
    """A sentence about something else, with a figure in a unit the target never uses."""
    if ctx.cell or _unanswered(text):
        return None
    used = {_measure(f.unit) for f in figures(ctx.target)}
    pool = [s for s in _data()["unrelated_sentences"] if not any(_measure(f.unit) in used for f in figures(s))]
    if not pool:
        return None
    sentence = rng.choice(pool)
    body = text.rstrip()
    if body[-1] not in "。；;.!！":
        body += "。"
    return body + sentence


_TOTAL_WORDS = ("合计", "共计", "总计", "累计")
_PART_BREAK = re.compile(r"[；;。]|其中|平均|每|均|比|较|占|为")


def total_left_out(text: str, ctx: Context, rng: random.Random) -> str | None:
    """"24次、113场，合计137场" → "24次、113场": a total removed where the parts before it, in the
    same sentence, add up to it (the reader can add them)."""
    if ctx.cell:
        return None
    figs = figures(text)
    for i, total in enumerate(figs):
        lead = text[max(0, total.start - 2): total.start]
        if lead not in _TOTAL_WORDS or total.unit in ("%",):
            continue
        cut = total.start - 2
        if cut > 0 and text[cut - 1] in "，,、":
            cut -= 1
        parts: list[Figure] = []
        for f in reversed(figs[:i]):
            if re.search(r"[；;。]", text[f.end: total.start]):
                break
            parts.insert(0, f)
            if sum(p.in_base for p in parts) == total.in_base and len(parts) >= 2:
                return text[:cut] + text[total.end:]
    return None


def total_stated(text: str, ctx: Context, rng: random.Random) -> str | None:
    """"集中供水工程32处、分散供水工程186处" → "…186处，合计218处": parts listed with "、" (same
    unit, a count or money, nothing between them but names) get their sum written out."""
    if ctx.cell:
        return None
    figs = [f for f in figures(text) if f.unit != "%"]
    runs: list[list[Figure]] = []
    for f in figs:
        if runs and runs[-1][-1].unit == f.unit:
            between = text[runs[-1][-1].end: f.start]
            if "、" in between and len(between) <= 16 and not _PART_BREAK.search(between) and "，" not in between:
                runs[-1].append(f)
                continue
        runs.append([f])
    runs = [r for r in runs if len(r) >= 2]
    if not runs:
        return None
    # the last part must end its phrase: "14个乡镇" is a classifier before a noun, not a count to add to
    runs = [r for r in runs if r[-1].end == len(text) or text[r[-1].end] in "，,；;。)）"]
    if not runs:
        return None
    run = rng.choice(runs)
    after = text[run[-1].end: run[-1].end + 3]
    if any(w in after for w in _TOTAL_WORDS):
        return None
    total = plain(sum(f.value for f in run))
    if any("," in f.number for f in run):
        total = _grouped(total)
    return text[: run[-1].end] + f"，合计{total}{run[-1].unit}" + text[run[-1].end:]


def synonym(text: str, ctx: Context, rng: random.Random) -> str | None:
    """One word exchanged for a synonym (metamorphic.yaml `synonyms`), or a unit for another spelling
    of it (stock_phrases.yaml `units`: 人/名, 公里/千米, 天/日)."""
    options: list[tuple[int, int, str]] = []
    for group in _data()["synonyms"]:
        for word in group:
            at = text.find(word)
            if at >= 0:
                options += [(at, at + len(word), other) for other in group if other != word]
    for f in _quantities(text):
        canon = canonical_unit().get(f.unit)
        spellings = (_phrases().get("units") or {}).get(canon) or []
        if f.unit in ("个工作日",):
            continue
        for other in spellings:
            if other != f.unit and not other.startswith("台"):
                start = f.start + len(f.number)
                options.append((start, f.end, other))
    if not options:
        return None
    start, end, other = rng.choice(sorted(options))
    return text[:start] + other + text[end:]


# -- changing rewrites: they need the figure a met clause rested on


def _same_figures(text: str, ev: Figure) -> list[Figure]:
    """Where the completion writes the evidence figure: a count or an amount repeated ("对10件实事…
    10件实事全部完成") is the same thing and changes everywhere; a percentage only where it was read
    (完成率100% and 及时率100% are two facts)."""
    if ev.unit == "%":
        return [ev]
    return [f for f in figures(text) if f.value == ev.value and f.unit == ev.unit]


def _digits(number: str) -> int:
    return len(number.partition(".")[2])


def factor(unit: str) -> Decimal:
    """How many base units one `unit` is: 万元 → 10000 (元), 万人 → 10000 (人), 亿元 → 10^8, 件 → 1."""
    if unit in MONEY:
        return MONEY[unit]
    if unit.startswith("万") and len(unit) > 1:
        return Decimal(10000)
    if unit.startswith("亿") and len(unit) > 1:
        return Decimal(100000000)
    return Decimal(1)


def wrong_side(text: str, ctx: Context, rng: random.Random) -> str | None:
    """The evidence figure moved to the wrong side of the target: 80% of a floor (or of an exact
    value), 125% of a ceiling (a ceiling of 0 becomes 1). Written in the figure's own unit, with the
    decimals it needs to stay on the wrong side."""
    ev = ctx.evidence
    if ev is None or ctx.wanted is None or ctx.comparator not in (">=", "<=", "="):
        return None
    wanted = Decimal(str(ctx.wanted)) * factor(ctx.unit)  # in base units
    ceiling = ctx.comparator == "<=" or (ctx.comparator == "=" and wanted == 0)
    if ceiling:
        moved = wanted * Decimal("1.25") if wanted else factor(ev.unit)
    elif wanted > 0:
        moved = wanted * Decimal("0.8")
    else:
        return None
    places = _digits(ev.number)
    for p in range(places, places + 6):
        number = round(moved / factor(ev.unit), p)
        base = number * factor(ev.unit)
        if (ceiling and base > wanted) or (not ceiling and base < wanted):
            break
    else:
        return None
    written = plain(number)
    if "," in ev.number:
        written = _grouped(written)
    return replace_figures(text, {f: written + f.unit for f in _same_figures(text, ev)})


def unit_mismatched(text: str, ctx: Context, rng: random.Random) -> str | None:
    """The evidence figure's unit replaced by one that measures something else (家 → 家次)."""
    ev = ctx.evidence
    if ev is None:
        return None
    mapping = _data()["mismatched_units"]
    other = mapping.get(ev.unit, _data()["default_mismatched_unit"])
    if other == ev.unit:
        return None
    return replace_figures(text, {f: f.number + other for f in _same_figures(text, ev)})


def budget_not_spending(text: str, ctx: Context, rng: random.Random) -> str | None:
    """A money figure turned into the budget: the qualifier before it (支出, 实际, 投入 …) becomes
    年初预算, or 预算 is put before it. The completion no longer says what was spent."""
    ev = ctx.evidence
    if ev is None or ev.unit not in MONEY:
        return None
    figs = _same_figures(text, ev)
    out = text
    for f in sorted(figs, key=lambda f: -f.start):  # from the end, so earlier offsets hold
        head = out[: f.start]
        if head.endswith("预算"):
            continue
        for word in sorted(_data()["actual_qualifiers"], key=len, reverse=True):
            if head.endswith(word):
                head = head[: -len(word)] + "年初预算"
                break
        else:
            head += "预算"
        out = head + out[f.start:]
    return out


@dataclass(frozen=True)
class Kind:
    name: str
    family: str  # preserving / changing
    rewrite: Rewrite
    caught: str = ""  # what "caught" means (changing rewrites)
    on_cells: bool = True  # applies to a national 实际完成值 cell


KINDS: tuple[Kind, ...] = (
    Kind("arabic_to_chinese", "preserving", arabic_to_chinese),
    Kind("chinese_to_arabic", "preserving", chinese_to_arabic),
    Kind("thousands_added", "preserving", thousands_added),
    Kind("thousands_removed", "preserving", thousands_removed),
    Kind("wan_to_yuan", "preserving", wan_to_yuan),
    Kind("yuan_to_wan", "preserving", yuan_to_wan),
    Kind("clauses_swapped", "preserving", clauses_swapped, on_cells=False),
    Kind("unrelated_added", "preserving", unrelated_added, on_cells=False),
    Kind("total_left_out", "preserving", total_left_out, on_cells=False),
    Kind("total_stated", "preserving", total_stated, on_cells=False),
    Kind("synonym", "preserving", synonym),
    Kind("wrong_side", "changing", wrong_side, caught="该条款判为未达到（not_met）"),
    Kind("unit_mismatched", "changing", unit_mismatched, caught="该条款不再判为达到（未达到、未报告或规则未能判断）"),
    Kind("budget_not_spending", "changing", budget_not_spending, caught="该条款不再判为达到（预算不是支出）"),
)
KIND = {k.name: k for k in KINDS}

# ---------------------------------------------------------------- variants and their review


@dataclass(frozen=True)
class Signature:
    """What must not move under a preserving rewrite: the row's rule verdict, its clauses' outcomes
    and the finding codes raised on the row."""

    verdict: str
    outcomes: tuple[str, ...]
    codes: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.verdict} [{', '.join(self.outcomes)}] {{{', '.join(self.codes)}}}"


@dataclass
class Outcome:
    id: str  # "<report stem>#<target index>:<kind>" (a changing rewrite adds ".c<clause>")
    kind: str
    family: str
    report: str
    target: int
    before: str
    after: str
    original: Signature
    variant: Signature
    ok: bool  # preserving: nothing moved; changing: caught
    clause: int | None = None
    clause_before: str = ""
    clause_after: str = ""
    elsewhere: bool = False  # changing: still met, on words the rewrite did not touch (counted as caught)

    @property
    def change(self) -> str:
        """The first place the rewrite changed, with a little context: "支出0.86万元 ⇒ 年初预算0.86万元"."""
        return first_change(self.before, self.after)

    @property
    def why(self) -> str:
        if self.family == "preserving":
            return f"{self.change}: {self.original.describe()} → {self.variant.describe()}"
        return f"{self.change}: 条款{self.clause} {self.clause_before} → {self.clause_after}"


def first_change(before: str, after: str, context: int = 4, most: int = 24) -> str:
    """Where two texts first differ, each side with `context` characters around it (cut at `most`)."""
    start, end_b, end_a = _differing(before, after)
    lo = max(0, start - context)

    def side(text: str, end: int) -> str:
        piece = text[lo: min(len(text), end + context)]
        piece = piece if len(piece) <= most else piece[: most - 1] + "…"
        return re.sub(r"\s+", " ", piece) or "（空）"

    return f"{side(before, end_b)} ⇒ {side(after, end_a)}"


@dataclass
class Suite:
    outcomes: list[Outcome] = field(default_factory=list)

    def of(self, kind: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == kind]

    @property
    def preserving(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.family == "preserving"]

    @property
    def changing(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.family == "changing"]

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def catch_rate(self) -> float:
        c = self.changing
        return sum(o.ok for o in c) / len(c) if c else 0.0


@lru_cache(maxsize=64)
def _load(path: str, stamp: float) -> Report:
    from reviewer.ingest import load_report

    return load_report(Path(path))


def load_corpus(folder: Path) -> list[Report]:
    """The corpus reports, parsed once per process."""
    paths = sorted(Path(folder).glob("*.docx"))
    return [_load(str(p), p.stat().st_mtime) for p in paths]


def _review(report: Report):
    from reviewer.pipeline import Options, review_report

    return review_report(report, Options(llm_enabled=False))


def _row_key(report: Report, t: TargetRow) -> tuple:
    if t.indicator is not None and t.indicator < len(report.indicators):
        loc = report.indicators[t.indicator].location
        return (loc.table, loc.row)
    return (t.location.table, t.location.row)


NOT_COMPARED = frozenset({"completion.copied", "completion.copied_across_reports"})


def signature(review, report: Report, index: int) -> Signature:
    target = next(t for t in report.targets if t.index == index)
    v = next((v for v in review.verdicts if v.by == "rules" and v.target_index == index), None)
    key = _row_key(report, target)
    # A copy is a textual identity with another field: rewriting one side (and not the other) ends
    # it whatever the meaning, so completion.copied is not compared.
    codes = sorted({f.code for f in review.findings
                    if f.code not in NOT_COMPARED
                    and ((f.location.table, f.location.row) == key or any((a.table, a.row) == key for a in f.also))})
    if v is None:
        return Signature("none", (), tuple(codes))
    return Signature(v.verdict, tuple(c.outcome for c in v.clauses), tuple(codes))


def with_completion(report: Report, target: TargetRow, text: str) -> Report:
    """The report with one row's completion replaced; for a 绩效指标 row its 实际完成值 cell too,
    read again as ingest reads it."""
    targets = [t if t.index != target.index else t.model_copy(
        update={"completion": t.completion.model_copy(update={"text": text})}) for t in report.targets]
    update: dict = {"targets": targets}
    if target.indicator is not None and target.indicator < len(report.indicators):
        rows: list[IndicatorRow] = []
        for row in report.indicators:
            if row.index == target.indicator:
                row = row.model_copy(update={
                    "actual": row.actual.model_copy(update={"text": text}), "actual_parsed": parse_value(text)})
            rows.append(row)
        update["indicators"] = rows
    return report.model_copy(update=update)


def _evidence(completion: str, clause) -> Figure | None:
    """The figure in the clause's evidence span that the rule read (its value, any scale)."""
    if clause.found_value is None:
        return None
    lo, hi = clause.evidence_span or (0, len(completion))
    found = Decimal(str(clause.found_value))
    inside = [f for f in figures(completion) if f.start >= lo and f.end <= hi]
    for f in inside:
        if f.value == found or f.in_base == found:
            return f
    return None


def _stem(report: Report) -> str:
    return Path(report.source).stem


def variants_of(report: Report, review, kinds: tuple[Kind, ...] = KINDS) -> Iterable[tuple[str, Kind, TargetRow, str, int | None]]:
    """(id, kind, row, rewritten text, clause index) for every rewrite that applies to a row."""
    verdicts = {v.target_index: v for v in review.verdicts if v.by == "rules"}
    for t in report.targets:
        text = t.completion.text
        if not text.strip():
            continue
        cell = t.indicator is not None
        base = f"{_stem(report)}#{t.index}"
        for kind in kinds:
            if cell and not kind.on_cells:
                continue
            if kind.family == "preserving":
                rng = random.Random(f"{SEED}:{base}:{kind.name}")
                new = kind.rewrite(text, Context(target=t.target.text, cell=cell), rng)
                if new is not None and new != text:
                    yield f"{base}:{kind.name}", kind, t, new, None
                continue
            v = verdicts.get(t.index)
            for ci, clause in enumerate(v.clauses if v else []):
                if clause.outcome != "met":
                    continue
                ev = _evidence(text, clause)
                if ev is None:
                    continue
                ctx = Context(target=t.target.text, cell=cell, evidence=ev, comparator=clause.comparator,
                              wanted=clause.value, unit=clause.unit)
                rng = random.Random(f"{SEED}:{base}:{kind.name}:{ci}")
                new = kind.rewrite(text, ctx, rng)
                if new is not None and new != text:
                    yield f"{base}:{kind.name}.c{ci}", kind, t, new, ci


def _caught(kind: Kind, before: Signature, after: Signature, ci: int) -> bool:
    if ci >= len(after.outcomes):
        return after.verdict != "evidenced"
    if kind.name == "wrong_side":
        return after.outcomes[ci] == "not_met"
    return after.outcomes[ci] != "met"


def _differing(before: str, after: str) -> tuple[int, int, int]:
    """(start, end in `before`, end in `after`) of the part where the two texts differ."""
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end_b, end_a = len(before), len(after)
    while end_b > start and end_a > start and before[end_b - 1] == after[end_a - 1]:
        end_b, end_a = end_b - 1, end_a - 1
    return start, end_b, end_a


def changed_region(before: str, after: str) -> tuple[int, int]:
    """Where `after` differs from `before`, as a span of `after`."""
    start, _, end_a = _differing(before, after)
    return start, max(end_a, start + 1)


def _clause_span(review, index: int, ci: int, outcome: str | None = None) -> tuple[int, int] | None:
    v = next((v for v in review.verdicts if v.by == "rules" and v.target_index == index), None)
    if v is None or ci >= len(v.clauses) or (outcome is not None and v.clauses[ci].outcome != outcome):
        return None
    return v.clauses[ci].evidence_span


def _overlap(span: tuple[int, int], region: tuple[int, int]) -> bool:
    return span[0] < region[1] and region[0] < span[1]


def on_other_evidence(original, variant, index: int, ci: int, region: tuple[int, int]) -> bool:
    """The rewrite changed the words the clause rested on, and the clause is still met on words it
    did not touch (a rate in words, the parts' sum, a derivation from other counts): the rule did not
    take the rewritten figure."""
    before = _clause_span(original, index, ci)
    after = _clause_span(variant, index, ci, "met")
    return before is not None and after is not None and _overlap(before, region) and not _overlap(after, region)


def run_suite(folder: Path, kinds: tuple[Kind, ...] = KINDS) -> Suite:
    """Every variant of every report in `folder`, reviewed and compared with its original."""
    suite = Suite()
    for report in load_corpus(folder):
        review = _review(report)
        for vid, kind, target, text, ci in variants_of(report, review, kinds):
            before = signature(review, report, target.index)
            variant = with_completion(report, target, text)
            reviewed = _review(variant)
            after = signature(reviewed, variant, target.index)
            elsewhere = False
            if kind.family == "preserving":
                ok = before == after
            else:
                ok = _caught(kind, before, after, ci)
                if not ok and ci is not None and target.indicator is None:
                    elsewhere = ok = on_other_evidence(review, reviewed, target.index, ci, changed_region(target.completion.text, text))
            suite.outcomes.append(Outcome(
                id=vid, kind=kind.name, family=kind.family, report=_stem(report), target=target.index,
                before=target.completion.text, after=text, original=before, variant=after, ok=ok, clause=ci,
                clause_before=before.outcomes[ci] if ci is not None and ci < len(before.outcomes) else "",
                clause_after=after.outcomes[ci] if ci is not None and ci < len(after.outcomes) else "",
                elsewhere=elsewhere,
            ))
    return suite


# ---------------------------------------------------------------- the known failures


KNOWN_FILE = Path(__file__).resolve().parents[2] / "tests" / "metamorphic-known-failures.txt"


def read_known(path: Path = KNOWN_FILE) -> dict[str, str]:
    """id → why, from lines "id  # why" (blank lines and lines starting with # are skipped)."""
    known: dict[str, str] = {}
    if not path.exists():
        return known
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        vid, _, why = line.partition(" ")  # an id holds "#" but no space
        known[vid] = why.strip().removeprefix("#").strip()
    return known


def summary(suite: Suite) -> str:
    """The figures: variants and failures per kind, changes on preserving rewrites, the catch rate."""
    lines = [f"metamorphic suite: {len(suite.outcomes)} variants "
             f"({len(suite.preserving)} preserving, {len(suite.changing)} changing), seed {SEED}"]
    lines.append(f"{'kind':22} {'family':10} {'variants':>8} {'failed':>7}")
    for kind in KINDS:
        got = suite.of(kind.name)
        lines.append(f"{kind.name:22} {kind.family:10} {len(got):8} {sum(not o.ok for o in got):7}")
    moved = [o for o in suite.preserving if not o.ok]
    lines.append(f"preserving rewrites that changed the row: {len(moved)} of {len(suite.preserving)}")
    caught = sum(o.ok for o in suite.changing)
    elsewhere = sum(o.elsewhere for o in suite.changing)
    lines.append(f"changing rewrites caught: {caught} of {len(suite.changing)} ({suite.catch_rate:.1%}; "
                 f"{elsewhere} of them still met on other words of the completion, the rewritten figure not taken)")
    return "\n".join(lines)


def render(suite: Suite, examples: int = 3) -> str:
    """The summary, then the failing variants by kind (`examples` each; -1: all) with before/after."""
    lines = [summary(suite)]
    lines.append("")
    for kind in KINDS:
        failed = [o for o in suite.of(kind.name) if not o.ok]
        if not failed:
            continue
        lines.append(f"== {kind.name} ({kind.family}): {len(failed)} failed"
                     + (f" — caught means {kind.caught}" if kind.caught else ""))
        for o in failed[: examples if examples >= 0 else None]:
            lines.append(f"  {o.id}  {o.why}")
            lines.append(f"    before: {_short(o.before)}")
            lines.append(f"    after:  {_short(o.after)}")
        if examples >= 0 and len(failed) > examples:
            lines.append(f"  … {len(failed) - examples} more (--all lists them)")
    return "\n".join(lines)


README_START, README_END = "<!-- metamorphic:start -->", "<!-- metamorphic:end -->"


def readme_block(readme: str, suite: Suite) -> str:
    """`readme` with the figures between the metamorphic markers replaced by this suite's summary."""
    head, start, rest = readme.partition(README_START)
    _, end, tail = rest.partition(README_END)
    if not start or not end:
        raise ValueError(f"README has no {README_START} … {README_END} block")
    return f"{head}{README_START}\n```text\n{summary(suite)}\n```\n{README_END}{tail}"


def _short(text: str, n: int = 110) -> str:
    text = re.sub(r"\s+", " ", text)
    return text if len(text) <= n else text[: n - 1] + "…"


# Why a kind fails today, as far as the failing variants show it; the rule writers' starting point.
KIND_WHY = {
    "arabic_to_chinese": "综述数字与报表的核对（三公经费）不读中文数字（八点六六万元）",
    "chinese_to_arabic": "中文数字改写为阿拉伯数字后判断改变",
    "thousands_added": "千位分隔符改变了读数",
    "thousands_removed": "去掉千位分隔符改变了读数",
    "wan_to_yuan": "万元换算为元后未按金额比较",
    "yuan_to_wan": "元换算为万元后未按金额比较",
    "clauses_swapped": "分句换序后取了另一句的数字（按位置而非主语绑定）",
    "unrelated_added": "加一句无关的数字（另一单位）改变了判断或提示",
    "total_left_out": "删去合计后未把分项相加",
    "total_stated": "写出分项合计后改取了合计数",
    "synonym": "同义词或单位的另一写法（人/名、公里/千米）未被识别",
    "wrong_side": "数字移到目标的另一侧仍判达到",
    "unit_mismatched": "单位已不是目标的单位（家次≠家，分≠%）仍判达到",
    "budget_not_spending": "数字改为预算数后仍当作支出数判达到",
}


def write_known(suite: Suite, path: Path = KNOWN_FILE) -> None:
    """The known-failures file: one line per failing variant, "id  # why", grouped by kind."""
    lines = [
        "# Metamorphic variants that fail today (scripts/metamorphic --write-known writes this file).",
        "# tests/test_metamorphic.py fails on a failure not listed here, and on a line whose variant",
        "# now passes: delete such lines as the rules improve. Format: <variant id>  # <why>.",
    ]
    for kind in KINDS:
        failed = [o for o in suite.of(kind.name) if not o.ok]
        if not failed:
            continue
        lines.append("")
        lines.append(f"# {kind.name} ({kind.family}, {len(failed)}): {KIND_WHY.get(kind.name, '')}")
        lines += [f"{o.id}  # {o.why}" for o in failed]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
