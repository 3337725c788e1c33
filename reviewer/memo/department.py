"""What the department reads: the Review's findings grouped by cause, in official wording.

One cause is one problem (one question, one paragraph of the 反馈函), whatever number of findings
and cells it rests on: seven unmeasurable targets are one problem naming seven rows; a 评分表 row is
asked about under one cause only. The wording comes from templates/wording.yaml (domain data); this
module only fills it in. Findings about the tool or the model (`internal` in the wording file, and
the model's own info-level opinions) never reach the department: the internal memo lists them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from reviewer.errors import ConfigError
from reviewer.findings import SEVERITY_RANK, Finding, sort_findings
from reviewer.model import Location, ScoreRow, TargetRow
from reviewer.review import IndicatorResult, Review
from reviewer.yamlio import load_yaml

TEMPLATES = Path(__file__).parent / "templates"
WORDING_FILE = "wording.yaml"
MAX_COMMENT = 120
MAX_NAMED = 15  # items named in a problem's sentence; the rest are counted (and each has its comment)
CN_NUMBERS = "一二三四五六七八九十"


def cn_number(n: int) -> str:
    """1 → 一 … 10 → 十, 11 → 十一, 23 → 二十三 (enough for a list of problems)."""
    if n <= 10:
        return CN_NUMBERS[n - 1]
    tens, ones = divmod(n, 10)
    return (CN_NUMBERS[tens - 1] if tens > 1 else "") + "十" + (CN_NUMBERS[ones - 1] if ones else "")


def show(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:.4f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    return str(value)


# --- the wording file ---------------------------------------------------------------------------


def load_wording(folder: Path | None = None) -> dict:
    return _wording(str(folder or ""))


@lru_cache(maxsize=8)
def _wording(folder: str) -> dict:
    for base in (Path(folder) if folder else None, TEMPLATES):
        path = base / WORDING_FILE if base is not None else None
        if path is not None and path.is_file():
            try:
                data = load_yaml(path.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as exc:
                raise ConfigError(f"{path}: YAML 有误：{exc}") from exc
            if not isinstance(data, dict) or not isinstance(data.get("causes"), list):
                raise ConfigError(f"{path}: 应有 causes 列表（见随附的 {WORDING_FILE}）")
            return data
    raise ConfigError(f"找不到 {WORDING_FILE}")


def fill(pattern: str, where: str, **values) -> str:
    try:
        return pattern.format(**values)
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(f"{WORDING_FILE} 中 {where} 的措辞模板有误（可用占位符：{', '.join('{' + k + '}' for k in values)}）：{exc}") from exc


# --- the model ----------------------------------------------------------------------------------


@dataclass
class Item:
    """One thing a problem is about: a target row, a 评分表 row, a cell or a paragraph."""

    name: str
    location: Location  # where the Word comment goes
    detail: str = ""
    expected: str = ""
    found: str = ""
    points: float = 0.0  # points at stake on this item
    score_row: int | None = None  # ScoreRow.index
    target_row: int | None = None  # TargetRow.index
    comment: str = ""


@dataclass
class Problem:
    key: str
    title: str
    severity: str
    items: list[Item] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    statement: str = ""
    request: str = ""
    stake: float = 0.0
    number: int = 0

    @property
    def cn(self) -> str:
        return cn_number(self.number)


@dataclass
class DepartmentView:
    problems: list[Problem]
    internal: list[Finding]  # findings for the reviewer only (tool, model), most severe first
    wording: dict


def places(f: Finding) -> list[Location]:
    """Every place one finding names: its location and the further ones of the same cause."""
    return [f.location, *getattr(f, "also", [])]


def is_internal(f: Finding, wording: dict) -> bool:
    if f.audience == "reviewer" or f.code in set(wording.get("internal") or []):
        return True
    floor = wording.get("model_opinion_min_severity", "warning")
    return f.source == "llm" and SEVERITY_RANK[f.severity] < SEVERITY_RANK.get(floor, 1)


_CLAUSE = re.compile(r"目标要求“(.+?)”")
_POINTS = re.compile(r"[（(]\s*[\d.]+\s*分\s*[)）]\s*$")
_UNIT = re.compile(r"^[≥≤=<>]*\s*[-+]?[\d.,]+\s*")


class _Index:
    def __init__(self, review: Review):
        r = review.report
        self.targets: dict[tuple, TargetRow] = {(t.location.table, t.location.row): t for t in r.targets}
        view = r.score_view()  # the 评分表 of any layout
        rows = view.rows if view else []
        self.scores: dict[tuple, ScoreRow] = {(s.location.table, s.location.row): s for s in rows}
        self.score_by_index = {s.index: s for s in rows}
        self.results: dict[int, IndicatorResult] = {i.row_index: i for i in review.indicators}
        names = [s.level3 for s in rows]
        self.score_name = {
            s.index: (f"{s.level3}（{_POINTS.sub('', s.level2)}）" if names.count(s.level3) > 1 and s.level2 else s.level3)
            for s in rows
        }
        kinds = [t.kind for t in r.targets]
        self.target_name = {t.index: (f"{t.category}{t.kind}" if kinds.count(t.kind) > 1 else t.kind) for t in r.targets}

    def score_row(self, loc: Location) -> ScoreRow | None:
        row = self.scores.get((loc.table, loc.row))
        if row is not None and row.shared_with and row.index != min(row.shared_with):
            row = self.score_by_index.get(min(row.shared_with), row)  # a merged group is asked about once
        return row

    def result(self, row: ScoreRow) -> IndicatorResult | None:
        return self.results.get(row.index) or (self.results.get(min(row.shared_with)) if row.shared_with else None)

    def claimed(self, row: ScoreRow) -> float:
        res = self.result(row)
        value = res.claimed if res and res.claimed is not None else row.self_score.value
        return value or 0.0


def _first_number(text: str) -> float | None:
    m = re.search(r"[-+]?\d+(?:\.\d+)?", text.replace(",", ""))
    return float(m.group()) if m else None


def _score_item(idx: _Index, row: ScoreRow, f: Finding | None, key: str) -> Item:
    res = idx.result(row)
    needs = "、".join(res.needs) if res and res.needs else ""
    loc = row.self_score.location
    if f is not None and f.code == "score.deduction_without_reason":
        loc = row.reason.location
    claimed = idx.claimed(row)
    expected = show(f.expected) if f is not None else ""
    found = show(f.found) if f is not None else ""
    if key == "score_unsupported":
        # a doubtful row's recomputed figure is the claim it could not support: nothing is supported
        supported = res.recomputed if res and res.recomputed is not None and res.status != "doubtful" else 0.0
        stake = max(0.0, claimed - min(supported, claimed))
    elif key == "score_unverifiable":
        stake = claimed
    elif f is not None and f.expected is not None and f.found is not None:
        e, g = _first_number(expected), _first_number(found)
        stake = abs(g - e) if e is not None and g is not None else 0.0
    else:
        stake = 0.0
    return Item(name=idx.score_name[row.index], location=loc, detail=needs, expected=expected, found=found,
                points=stake, score_row=row.index)


def _target_item(idx: _Index, row: TargetRow, f: Finding, at: Location) -> Item:
    loc = at if at.col is not None else (row.target.location if f.code.startswith("target.not_measurable") else row.completion.location)
    expected, found = show(f.expected), show(f.found)
    detail = ""
    if f.code == "target.not_evidenced":
        m = _CLAUSE.search(f.message)
        detail = f"“{m.group(1)}”" if m else expected
    elif f.code == "target.not_met":
        unit = _UNIT.sub("", expected)
        if found and unit and not found.endswith(unit):
            found += unit
    elif f.code == "completion.copied":
        detail = "、".join(f"“{s}”" for s in expected.split("、") if s) or "其他栏目"
    # A span narrows the comment to the words it is about; without one, the whole cell.
    return Item(name=idx.target_name[row.index], location=loc, detail=detail, expected=expected, found=found,
                target_row=row.index)


def _other_item(f: Finding, at: Location) -> Item:
    detail = f.message.strip().rstrip("。")
    if detail.startswith("“") and "”：" in detail:  # “the sentence quoted”：what is wrong with it
        detail = detail.split("”：", 1)[1]
    return Item(name=at.label or at.describe(), location=at, detail=detail,
                expected=show(f.expected), found=show(f.found))


def build_view(review: Review, templates: Path | None = None) -> DepartmentView:
    wording = load_wording(templates)
    idx = _Index(review)
    causes = wording["causes"]
    by_code = {code: c for c in causes for code in c.get("codes", [])}
    order = {c["key"]: n for n, c in enumerate(causes)}
    other = {"key": "other", **(wording.get("other") or {})}
    problems: dict[str, Problem] = {}
    internal: list[Finding] = []
    for f in sort_findings(review.findings):
        if is_internal(f, wording):
            internal.append(f)
            continue
        cause = by_code.get(f.code, other)
        p = problems.setdefault(cause["key"], Problem(key=cause["key"], title=cause.get("title", ""), severity=f.severity))
        if SEVERITY_RANK[f.severity] > SEVERITY_RANK[p.severity]:
            p.severity = f.severity
        p.findings.append(f)

    # Items, cause by cause in the wording file's order: a 评分表 row is asked about once.
    claimed_rows: set[int] = set()
    for p in sorted(problems.values(), key=lambda p: order.get(p.key, len(order))):
        items: dict[tuple, Item] = {}
        for f, loc in ((f, loc) for f in p.findings for loc in places(f)):
            target = idx.targets.get((loc.table, loc.row))
            # a national indicator row is a target and a 评分表 row at once: the code says which it is about
            score = idx.score_row(loc)
            if target is not None and f.code.split(".")[0] in ("target", "completion"):
                item = _target_item(idx, target, f, loc)
                key = ("t", target.index)
                if key in items:  # a second clause of the same row
                    old = items[key]
                    if item.detail and item.detail not in old.detail:
                        old.detail = f"{old.detail}、{item.detail}" if old.detail else item.detail
                    continue
                items[key] = item
            elif score is not None:
                if score.index in claimed_rows and ("s", score.index) not in items:
                    continue
                items.setdefault(("s", score.index), _score_item(idx, score, f, p.key))
            elif f.code.startswith("score.") and loc.table is not None and loc.col is None:
                continue  # a finding listing several rows: its rows come from the statuses below
            else:
                # two checks finding the same wrong figure in one cell (a row sum and a column sum) are one item
                items.setdefault(("f", loc.table, loc.row, loc.col, loc.paragraph, show(f.expected), show(f.found)), _other_item(f, loc))
        if p.key == "score_unverifiable":
            for res in review.indicators:
                row = idx.score_by_index.get(res.row_index)
                if res.status != "unverifiable" or row is None or (row.shared_with and row.index != min(row.shared_with)):
                    continue
                if row.index not in claimed_rows and ("s", row.index) not in items:
                    items[("s", row.index)] = _score_item(idx, row, None, p.key)
        p.items = [items[k] for k in items if not (k[0] == "s" and k[1] in claimed_rows)]
        claimed_rows.update(k[1] for k in items if k[0] == "s")
    kept = [p for p in problems.values() if p.items]
    for p in problems.values():
        if not p.items:  # its findings only named rows asked about under another cause
            internal.extend(p.findings)

    _stakes(kept, review, idx)
    # Wrong facts first (they must be corrected whatever they weigh), then by points at stake.
    kept.sort(key=lambda p: (p.severity != "error", -p.stake, -SEVERITY_RANK[p.severity], order.get(p.key, len(order))))
    for n, p in enumerate(kept, 1):
        p.number = n
        _word(p, by_code.get(p.findings[0].code, other), wording)
    return DepartmentView(problems=kept, internal=sort_findings(internal), wording=wording)


def _stakes(problems: list[Problem], review: Review, idx: _Index) -> None:
    """Points at stake: on a 评分表 problem its rows' points; on a target problem the points of the
    score rows whose full marks the rules found unsupported because of those targets."""
    kinds_to_rows: dict[str, set[int]] = {}
    for f in review.findings:
        if f.code == "score.unsupported" and isinstance(f.expected, str):
            for loc in places(f):
                row = idx.score_row(loc)
                if row is not None:
                    for kind in f.expected.split("、"):
                        kinds_to_rows.setdefault(kind, set()).add(row.index)
    for p in problems:
        if any(i.score_row is not None for i in p.items):
            p.stake = round(sum(i.points for i in p.items), 2)
            continue
        rows: set[int] = set()
        for i in p.items:
            if i.target_row is not None:
                kind = review.report.targets[i.target_row].kind if i.target_row < len(review.report.targets) else ""
                rows |= kinds_to_rows.get(kind, set())
        p.stake = round(sum(idx.claimed(idx.score_by_index[r]) for r in rows), 2)


def _word(p: Problem, cause: dict, wording: dict) -> None:
    where = f"causes.{p.key}"
    item_pattern = wording.get("item", "“{name}”")
    # a name that holds quotes itself (“三公经费”控制率) gets single ones inside the item's double ones
    names = [fill(item_pattern, "item", name=i.name.replace("“", "‘").replace("”", "’")) for i in p.items[:MAX_NAMED]]
    what = "、".join(names) + ("…" if len(p.items) > MAX_NAMED else "")
    if len(p.items) > 1:
        what += fill(wording.get("items_more", ""), "items_more", n=len(p.items))
    detail_pattern = cause.get("detail_item", "{name}：{detail}")
    groups: dict[str, list[Item]] = {}
    for i in p.items:  # items asking the same thing are named together
        groups.setdefault(i.detail if p.key in ("score_unsupported", "score_unverifiable") else id(i), []).append(i)
    details = []
    for group in list(groups.values())[:MAX_NAMED]:
        first = group[0]
        name = "、".join(i.name for i in group)
        if not first.detail and detail_pattern.startswith("{name}：{detail}"):
            details.append(name)
        else:
            details.append(fill(detail_pattern, where + ".detail_item", name=name, detail=first.detail,
                                expected=first.expected, found=first.found))
    sources = list(dict.fromkeys(s for i in p.items for s in i.detail.split("、") if s)) if p.key == "completion_copied" else []
    more = "；…" if len(groups) > MAX_NAMED else ""
    values = dict(what=what, n=len(p.items), details="；".join(details) + more, points=show(float(p.stake)),
                  sources=(sources[0] if len(sources) == 1 else "、".join(sources[:2]) + ("等栏目" if len(sources) > 2 else "")) or "其他栏目")
    p.statement = fill(cause.get("statement", "{details}。"), where + ".statement", **values)
    p.request = fill(cause.get("request", ""), where + ".request", **values)
    for i in p.items:
        i.comment = _comment(cause.get("comment", "{detail}"), where, i)


def _comment(pattern: str, where: str, item: Item) -> str:
    text = fill(pattern, where + ".comment", name=item.name, detail=item.detail, expected=item.expected, found=item.found)
    if len(text) <= MAX_COMMENT:
        return text
    # Too long: shorten the item's own words (a detail, then a name), never the sentence around them.
    over = len(text) - MAX_COMMENT + 1
    detail = item.detail[: max(0, len(item.detail) - over)] + "…" if item.detail else ""
    text = fill(pattern, where + ".comment", name=item.name, detail=detail, expected=item.expected, found=item.found)
    return text if len(text) <= MAX_COMMENT else text[: MAX_COMMENT - 1] + "…"
