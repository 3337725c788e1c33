"""The shared lexicon (reviewer/data/lexicon.yaml), loaded once per process.

Every reader that needs a word list asks here, so the Hunan narrative rules and the national-form
readers cannot drift apart on what a word means.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from reviewer.yamlio import load_yaml

LEXICON_FILE = Path(__file__).resolve().parent / "data" / "lexicon.yaml"


@lru_cache(maxsize=1)
def lexicon() -> dict:
    with LEXICON_FILE.open(encoding="utf-8") as fh:
        return load_yaml(fh) or {}


@lru_cache(maxsize=None)  # read inside per-figure loops: the sorted tuple is made once per list
def words(key: str) -> tuple[str, ...]:
    """One list of the lexicon, longest word first (so a longer word wins a match)."""
    return tuple(sorted(set(lexicon().get(key) or ()), key=lambda w: (-len(w), w)))


def lower_is_better(name: str) -> bool:
    """Whether what `name` counts is better kept down (costs, failures, control rates)."""
    return any(w in name for w in words("lower_is_better"))


def table(key: str) -> dict[str, tuple[str, ...]]:
    """A mapping of the lexicon (name → words), each list longest word first."""
    return {str(k): tuple(sorted(set(v or ()), key=lambda w: (-len(w), w))) for k, v in (lexicon().get(key) or {}).items()}


def alternation(items, negatable: bool = False) -> str:
    """A regex alternation of literal words, longest first; with `negatable`, a word that does not
    itself start with 不 does not match right after 不 ("不超过" is not "超过")."""
    ws = sorted(set(items), key=lambda w: (-len(w), w))
    parts = [re.escape(w) if (not negatable or w.startswith("不")) else rf"(?<!不){re.escape(w)}" for w in ws]
    return "(?:" + "|".join(parts) + ")" if parts else "(?!)"


@lru_cache(maxsize=None)
def pattern(key: str) -> re.Pattern[str]:
    """The words of one list as a compiled alternation."""
    return re.compile(alternation(words(key)))


@lru_cache(maxsize=1)
def per_unit_pattern() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in lexicon().get("per_unit_patterns") or ()) or "(?!)")


@lru_cache(maxsize=1)
def unit_equivalents() -> dict[str, frozenset[str]]:
    """unit → the units that count the same thing (itself excluded)."""
    out: dict[str, set[str]] = {}
    for group in lexicon().get("unit_equivalents") or ():
        for u in group:
            out.setdefault(str(u), set()).update(str(o) for o in group if o != u)
    return {u: frozenset(o) for u, o in out.items()}


def all_word(text: str) -> re.Match[str] | None:
    """The first word saying "all" (全部, 均…, 无一逾期), not negated (未全部) nor inside a word that is
    no "all" (均衡, 平均, 部分)."""
    blocked = [m.span() for m in pattern("not_all_words").finditer(text)]
    for m in pattern("all_words").finditer(text):
        if m.start() > 0 and text[m.start() - 1] in "未不没":
            continue
        if any(s < m.end() and m.start() < e for s, e in blocked):
            continue
        return m
    return None


def says_not_all(text: str) -> bool:
    """The text limits its "all" ("部分完成", "基本按时", "未全部到位")."""
    return pattern("limiting_words").search(text) is not None


@lru_cache(maxsize=1)
def qualifier_words() -> tuple[tuple[str, str], ...]:
    """(word, canonical qualifier), longest word first: "年初预算" before "预算"."""
    pairs = [(w, q) for q, ws in table("figure_qualifiers").items() for w in ws]
    return tuple(sorted(pairs, key=lambda p: (-len(p[0]), p[0])))


def qualifier_in(text: str) -> str:
    """The qualifier named last in `text` ("比上年1.00万元" → 上年), or ""."""
    best, best_end = "", -1
    for w, q in qualifier_words():
        end = text.rfind(w)
        if end >= 0 and end + len(w) > best_end:
            best, best_end = q, end + len(w)
    return best
