"""Header roles: which column of a 自评表 holds what, from one vocabulary (reviewer/data/header_roles.yaml).

A header cell is given a role (name, target, actual, points, score …) by its words, matched on
normalised text — exact, then prefix, then contains, a longer word before a shorter one. A header
row is found anywhere in a table by the roles it covers, a header split over two rows included
("指标值" over "年初" | "调整" reads "年初指标值" | "调整指标值"). Layout files only add words.

    roles = vocabulary().block("indicators", extra)      # role → words
    header = find_header(grid, roles, covers)            # Header | None
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from reviewer.ingest.docx_grid import Cell, Grid
from reviewer.numbers import squash
from reviewer.yamlio import load_yaml

ROLES_FILE = Path(__file__).resolve().parent.parent / "data" / "header_roles.yaml"

EXACT, PREFIX, CONTAINS = 3, 2, 1
MAX_HEADER_CHARS = 24  # a header cell is a label; a longer cell is prose or a value
MAX_LOOSE_CHARS = 16  # prefix / contains matches only on cells this short
# A header sits in a table's first rows; a 10,000-row table is not searched to its end for one.
MAX_HEADER_ROW = 200

_BRACKETS = re.compile(r"[(\[【][^()\[\]【】]{0,8}[)\]】]")
_NUMBERING = re.compile(r"^(?:\d{1,2}[.、．)]|[一二三四五六七八九十]{1,2}[、.．]|[(][一二三四五六七八九十\d]{1,2}[)]|指标\d{1,2}[:：])")


@lru_cache(maxsize=65_536)
def norm(text: str) -> str:
    """A label as compared with the vocabulary: squashed (no whitespace, NFKC), short bracketed notes
    and leading numbering dropped, no trailing colon ("1.项目年度目标完成情况" → "项目年度目标完成情况",
    "指标得分（分）" → "指标得分", "年度\\n指标值" → "年度指标值")."""
    s = squash(text)
    s = _NUMBERING.sub("", s)
    s = _BRACKETS.sub("", s)
    return s.rstrip(":：")


def strip_numbering(text: str) -> str:
    """A name as a form prints it, without the template's "指标1：" / "1." in front."""
    s = text.strip()
    m = _NUMBERING.match(squash(s))
    if not m:
        return s
    # drop as many characters of the original as the squashed prefix had non-space characters
    want, i = len(m.group(0)), 0
    while want and i < len(s):
        if not s[i].isspace():
            want -= 1
        i += 1
    return s[i:].strip()


@dataclass(frozen=True)
class Match:
    role: str
    rank: int  # EXACT / PREFIX / CONTAINS
    word: str


def classify(text: str, roles: dict[str, list[str]], loose: bool = True) -> Match | None:
    """The best role for one header cell's text, or None."""
    key = norm(text)
    if not key or len(key) > MAX_HEADER_CHARS:
        return None
    best: Match | None = None
    for role, words in roles.items():
        for word in words:
            w = norm(word)
            if not w:
                continue
            if key == w:
                rank = EXACT
            elif loose and len(key) <= MAX_LOOSE_CHARS and key.startswith(w):
                rank = PREFIX
            elif loose and len(key) <= MAX_LOOSE_CHARS and w in key:
                rank = CONTAINS
            else:
                continue
            if best is None or (rank, len(w)) > (best.rank, len(best.word)):
                best = Match(role, rank, w)
    return best


@dataclass
class Seen:
    """One header cell and the role it was given ("" = none)."""

    text: str
    col: int
    row: int
    role: str = ""
    rank: int = 0


@dataclass
class Header:
    grid: Grid
    first: int  # first header row
    last: int  # last header row (== first unless the header is split over two rows)
    cols: dict[str, int]  # role → grid column
    seen: list[Seen] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # role → the header text as printed

    def missing(self, wanted: list[str]) -> list[str]:
        return [r for r in wanted if r not in self.cols]


def assign(cells: list[tuple[int, int, str, object]], roles: dict[str, list[str]]) -> tuple[dict[str, int], list[Seen], dict[str, str]]:
    """Give roles to a row's header cells: (col, row, text, identity) → role → col, every cell seen,
    and role → printed label. Each role takes its best cell and each cell serves one role."""
    candidates = []
    seen: list[Seen] = []
    for col, row, text, ident in cells:
        s = Seen(text=re.sub(r"\s+", "", text), col=col, row=row)
        seen.append(s)
        key = norm(text)
        if not key or len(key) > MAX_HEADER_CHARS:
            continue
        for role, words in roles.items():
            m = classify(text, {role: words})
            if m:
                candidates.append((m.rank, len(m.word), -col, role, ident, s))
    candidates.sort(key=lambda c: (c[0], c[1], c[2]), reverse=True)
    cols: dict[str, int] = {}
    labels: dict[str, str] = {}
    used: set[int] = set()
    for rank, _, negcol, role, ident, s in candidates:
        if role in cols or id(ident) in used:
            continue
        cols[role] = -negcol
        labels[role] = s.text
        s.role, s.rank = role, rank
        used.add(id(ident))
    return cols, seen, labels


def row_cells(grid: Grid, r: int, skip: set[int] = frozenset()) -> list[tuple[int, int, str, Cell]]:
    return [(c, r, cell.text, cell) for c, cell in grid.distinct(r) if id(cell) not in skip]


def two_row_cells(grid: Grid, r: int, skip: set[int] = frozenset()) -> list[tuple[int, int, str, object]]:
    """The header cells of rows r and r+1 read as one: a cell spanning both is itself; a cell of
    row r+1 under a cell of row r is read with it ("年初" under "指标值" → "年初指标值")."""
    out: list[tuple[int, int, str, object]] = []
    done: set[int] = set()
    top_row, bottom_row = grid.rows[r], grid.rows[r + 1]
    for c in range(grid.ncols):
        top, bottom = top_row[c], bottom_row[c]
        if top is None or id(top) in skip:
            continue
        if bottom is top or bottom is None or not bottom.key:
            if id(top) not in done:
                done.add(id(top))
                out.append((c, r, top.text, top))
            continue
        if id(bottom) in done:
            continue
        done.add(id(bottom))
        done.add(id(top))
        joined = [bottom.text, bottom.key + top.key, top.key + bottom.key]
        out.append((c, r + 1, _best_text(joined), bottom))
    return out


_ANY_ROLE: dict[str, list[str]] = {}


def _best_text(texts: list[str]) -> str:
    """Of the readings of a split header cell, the one the vocabulary knows best."""
    roles = _ANY_ROLE or _all_roles()
    scored = [(classify(t, roles), -i, t) for i, t in enumerate(texts)]
    scored = [(m.rank if m else 0, len(m.word) if m else 0, i, t) for m, i, t in scored]
    return max(scored)[3]


def _all_roles() -> dict[str, list[str]]:
    v = vocabulary()
    for block in ("indicators", "funding", "goals"):
        for role, words in v.roles(block).items():
            _ANY_ROLE.setdefault(f"{block}.{role}", []).extend(words)
    return _ANY_ROLE


def _continues(grid: Grid, r: int, skip: set[int]) -> bool:
    """Row r's header goes on in row r+1: some header cell spans both rows and row r+1 has cells of
    its own (a header split over two rows, "指标值" over "年初" | "调整")."""
    top, bottom = grid.rows[r], grid.rows[r + 1]
    spans = any(t is not None and t is b and id(t) not in skip and t.key for t, b in zip(top, bottom))
    # a header cell over two or more columns with a cell of its own under each (a split column)
    under: dict[int, set[int]] = {}
    for t, b in zip(top, bottom):
        if t is not None and b is not None and b is not t and t.key and b.key and id(t) not in skip:
            under.setdefault(id(t), set()).add(id(b))
    return spans and any(len(bs) >= 2 for bs in under.values())


def find_header(
    grid: Grid, roles: dict[str, list[str]], covers, start: int = 0, stop: int | None = None,
    skip: set[int] = frozenset(), two_rows: bool = True,
) -> Header | None:
    """The first row (or pair of rows) of `grid` from `start` whose roles satisfy `covers(cols)`."""
    end = min(len(grid.rows), start + MAX_HEADER_ROW) if stop is None else min(stop, len(grid.rows))
    for r in range(start, end):
        cols, seen, labels = assign(row_cells(grid, r, skip), roles)
        if covers(cols):
            if two_rows and r + 1 < end and _continues(grid, r, skip):
                cols2, seen2, labels2 = assign(two_row_cells(grid, r, skip), roles)
                if covers(cols2) and len(cols2) >= len(cols):
                    return Header(grid, r, r + 1, cols2, seen2, labels2)
            return Header(grid, r, r, cols, seen, labels)
        if two_rows and len(cols) >= 2 and r + 1 < end:
            cols2, seen2, labels2 = assign(two_row_cells(grid, r, skip), roles)
            if covers(cols2):
                return Header(grid, r, r + 1, cols2, seen2, labels2)
    return None


def best_partial_header(grid: Grid, roles: dict[str, list[str]], start: int = 0) -> Header | None:
    """The row with the most roles, for saying what was seen when no header was found."""
    best: Header | None = None
    for r in range(start, min(len(grid.rows), start + MAX_HEADER_ROW)):
        cols, seen, labels = assign(row_cells(grid, r), roles)
        if len(cols) >= 2 and (best is None or len(cols) > len(best.cols)):
            best = Header(grid, r, r, cols, seen, labels)
    return best


# ---------------------------------------------------------------- the vocabulary file


@dataclass(frozen=True)
class Vocabulary:
    data: dict

    def roles(self, block: str, extra: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
        base = {k: list(v) for k, v in ((self.data.get(block) or {}).get("roles") or {}).items()}
        for role, words in (extra or {}).items():
            base[role] = list(words) + [w for w in base.get(role, []) if w not in words]
        return base

    def words(self, block: str, key: str) -> list[str]:
        return list((self.data.get(block) or {}).get(key) or [])

    def top(self, key: str) -> list[str] | dict:
        return self.data.get(key) or []

    def covers(self, block: str):
        spec = self.data.get(block) or {}
        required = spec.get("required") or []
        any_of = spec.get("required_any") or []

        def ok(cols: dict[str, int]) -> bool:
            return all(r in cols for r in required) and all(any(r in cols for r in group) for group in any_of)
        return ok

    def missing(self, block: str, cols: dict[str, int]) -> list[str]:
        spec = self.data.get(block) or {}
        out = [r for r in spec.get("required") or [] if r not in cols]
        for group in spec.get("required_any") or []:
            if not any(r in cols for r in group):
                out.append("/".join(group))
        return out


@lru_cache(maxsize=1)
def vocabulary(path: Path = ROLES_FILE) -> Vocabulary:
    with path.open(encoding="utf-8") as fh:
        return Vocabulary(load_yaml(fh) or {})


# What a user reads for each role in messages and in `review extract`.
ROLE_NAMES = {
    "level1": "一级指标", "level2": "二级指标", "level3": "指标名称", "target": "指标值",
    "initial_target": "年初指标值", "adjusted_target": "调整指标值", "actual": "完成值", "unit": "计量单位",
    "comparator": "指标性质", "points": "分值/权重", "coefficient": "得分系数", "score": "得分",
    "reason": "偏差原因", "core": "是否核心指标",
    "initial": "年初预算数", "budget": "全年预算数", "spent": "全年执行数", "rate": "执行率",
    "expected": "预期目标", "adjusted": "调整后目标", "name": "任务名称",
}


def role_name(role: str) -> str:
    return "/".join(ROLE_NAMES.get(r, r) for r in role.split("/"))
