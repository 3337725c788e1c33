"""Stable finding ids: the same problem in a resubmitted report keeps its id, so a reviewer's
decision on it carries over.

An id is a hash of what the finding is about, never of its position in a list:

    code · anchor · evidence
    anchor    the 三级指标 of a 评分表 row, the 类别·指标 of a 定量目标 row, else the location's label
              (表/栏目 names), else its coordinates; plus the column, since one row has several cells
    evidence  the report text the finding cites (its character span), else the figure it found,
              normalised (NFKC, no whitespace), so re-typed spacing does not make a new finding

Row and paragraph numbers are left out where a name exists: a department that inserts a row above
keeps its ids. A finding with several locations is identified by its primary `location`.
"""

from __future__ import annotations

import hashlib
from functools import cached_property

from pydantic import BaseModel

from reviewer.findings import Finding
from reviewer.model import Location, Report, Text
from reviewer.numbers import squash

ID_LENGTH = 8  # hex digits; collisions within one report are resolved below


def _texts(node: object, out: dict[tuple, str]) -> dict[tuple, str]:
    """Every Text of the report by its cell/paragraph coordinates (to read a cited span back)."""
    if isinstance(node, Text):
        out.setdefault(_coords(node.location), node.text)
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            _texts(getattr(node, name), out)
    elif isinstance(node, (list, tuple)):
        for item in node:
            _texts(item, out)
    elif isinstance(node, dict):
        for item in node.values():
            _texts(item, out)
    return out


def _coords(loc: Location) -> tuple:
    return (loc.table, loc.row, loc.col, loc.paragraph)


class Anchors:
    """What a report's rows are called, looked up once per report."""

    def __init__(self, report: Report):
        self.rows: dict[tuple[int | None, int | None], str] = {}
        if report.score_table is not None:
            for r in report.score_table.rows:
                self.rows[(r.location.table, r.location.row)] = "评分:" + squash(r.level3)
        for t in report.targets:
            self.rows[(t.location.table, t.location.row)] = "目标:" + squash(f"{t.category}·{t.kind}")
        self.report = report

    @cached_property
    def texts(self) -> dict[tuple, str]:
        return _texts(self.report, {})  # walked only when a finding cites a span

    def anchor(self, loc: Location) -> str:
        named = self.rows.get((loc.table, loc.row)) if loc.table is not None else None
        if named:
            return f"{named}|c{loc.col}"
        if loc.label:
            return f"{squash(loc.label)}|c{loc.col}|p{loc.paragraph if loc.table is None else ''}"
        return "|".join(str(x) for x in _coords(loc))

    def evidence(self, f: Finding) -> str:
        loc = f.location
        if loc.span is not None:
            text = self.texts.get(_coords(loc))
            if text is not None:
                return squash(text[loc.span[0] : loc.span[1]])
        return squash(str(f.found)) if f.found is not None else ""


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:ID_LENGTH]


def assign_ids(findings: list[Finding], report: Report) -> list[Finding]:
    """Copies of `findings` with `id` set. Two findings with the same code, anchor and evidence are
    told apart by their message, then (only for exact twins) by a counter."""
    anchors = Anchors(report)
    base = [_digest(f.code, anchors.anchor(f.location), anchors.evidence(f)) for f in findings]
    counts: dict[str, int] = {}
    for b in base:
        counts[b] = counts.get(b, 0) + 1
    out: list[Finding] = []
    used: set[str] = set()
    # Exact twins take the next counter of their (base, message): each twin costs a hash or two,
    # not a walk past every earlier twin's id (which made n twins cost n² hashes).
    next_n: dict[tuple[str, str], int] = {}
    for f, b in zip(findings, base):
        message = squash(f.message)
        fid = b if counts[b] == 1 else _digest(b, message)
        if fid in used:
            key = (b, message)
            n = next_n.get(key, 2)
            fid = _digest(b, message, str(n))
            while fid in used:  # only a hash collision with another finding's id gets here
                n += 1
                fid = _digest(b, message, str(n))
            next_n[key] = n + 1
        used.add(fid)
        out.append(f.model_copy(update={"id": fid}))
    return out
