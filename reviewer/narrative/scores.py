"""score.unsupported: a 评分表 row at full marks whose 定量目标 rows do not evidence it.

Which target rows a score rests on is data (reviewer/data/score_evidence.yaml), so a layout with
other indicator names needs a new mapping, not new code.
"""

from __future__ import annotations

from reviewer.findings import Finding
from reviewer.model import Report, ScoreRow, TargetRow
from reviewer.narrative.evidence import fmt
from reviewer.narrative.text import squash
from reviewer.narrative.vocabulary import ScoreRule, vocabulary
from reviewer.review import TargetVerdict

SCORE_EPS = 1e-6


def _rule_for(row: ScoreRow) -> ScoreRule | None:
    for rule in vocabulary().score_rules:
        if all(squash(want) in squash(getattr(row, field)) for field, want in rule.score.items()):
            return rule
    return None


def _targets_for(rule: ScoreRule, targets: list[TargetRow]) -> list[TargetRow]:
    return [t for t in targets if all(squash(want) in squash(getattr(t, field)) for field, want in rule.targets.items())]


def _full_marks(group: list[ScoreRow]) -> tuple[float, float] | None:
    """(points, self-score) of a row or merged group when it claims full marks."""
    holder = next((r for r in group if r.points.known and r.self_score.known), None)
    if holder is None:
        return None
    points, claimed = holder.points.value or 0.0, holder.self_score.value or 0.0
    return (points, claimed) if points > 0 and claimed >= points - SCORE_EPS else None


def _weakness(verdict: TargetVerdict | None) -> str | None:
    if verdict is None:
        return None
    if "target.not_measurable" in verdict.flags:
        return "目标不可衡量"
    if verdict.verdict == "not_evidenced":
        return "完成情况未提供证据"
    if verdict.verdict == "partial":
        return "完成情况仅部分有据"
    return None


def _full_mark_groups(report: Report):
    """(rows, their rules, (points, self-score), targets they rest on) for each 评分表 row — or merged
    分值/自评得分 group, judged once on its first row — that claims full marks and has a rule."""
    rows = report.score_table.rows if report.score_table else []
    by_index = {r.index: r for r in rows}
    for row in rows:
        if row.shared_with and row.index != min(row.shared_with):
            continue
        group = [by_index[i] for i in sorted(row.shared_with) if i in by_index] or [row]
        rules = [(r, rule) for r in group if (rule := _rule_for(r)) is not None]
        marks = _full_marks(group)
        if not rules or marks is None:
            continue
        targets = list({t.index: t for _, rule in rules for t in _targets_for(rule, report.targets)}.values())
        yield group, rules, marks, targets


def unsupported_scores(report: Report, verdicts: list[TargetVerdict], rescored: frozenset[int] = frozenset(),
                       weak=None) -> list[Finding]:
    """One finding per cause: the score rows at full marks that rest on the same weak targets are
    named together in one finding (first row as its location, the others in `also`). `weak` says why
    a target's verdict does not carry full marks (None: it does); the row assessment passes its own."""
    weak = weak or _weakness
    if report.score_table is None or not report.targets:
        return []
    by_target = {v.target_index: v for v in verdicts}
    causes: dict[str, list[tuple[str, float, float, ScoreRow, list[TargetRow]]]] = {}
    for group, rules, marks, targets in _full_mark_groups(report):
        if any(r.index in rescored for r in group):
            continue
        names = "、".join(f"“{r.level3}”" for r, _ in rules)
        if not targets:
            problem = "报告没有与之对应的定量目标"
        else:
            weak_targets = [(t, w) for t in targets if (w := weak(by_target.get(t.index)))]
            if not weak_targets:
                continue
            problem = "其依据的定量目标中，" + "、".join(f"{t.kind}（{w}）" for t, w in weak_targets)
        holder = next(r for r in group if r.self_score.known)
        causes.setdefault(problem, []).append((names, *marks, holder, targets))
    findings: list[Finding] = []
    for problem, hits in causes.items():
        if len(hits) == 1:
            names, points, claimed, holder, targets = hits[0]
            which = f"评分表{names}自评满分{fmt(claimed)}分（分值{fmt(points)}分）"
        else:
            listed = "、".join(f"{names}（{fmt(claimed)}分）" for names, _, claimed, _, _ in hits)
            which = f"评分表{listed}均自评满分（合计{fmt(sum(h[2] for h in hits))}分）"
        kinds = list(dict.fromkeys(t.kind for h in hits for t in h[4]))
        findings.append(Finding(
            code="score.unsupported", severity="warning", source="rules",
            location=hits[0][3].self_score.location, also=[h[3].self_score.location for h in hits[1:]],
            message=f"{which}，但{problem}，满分缺乏依据。",
            expected="、".join(kinds) or None, found=sum(h[2] for h in hits),
        ))
    return findings


def target_supported_rows(report: Report, verdicts: list[TargetVerdict]) -> dict[int, str]:
    """评分表 rows (ScoreRow.index → working) whose full marks the 定量目标 they rest on carry: every
    one of those targets evidenced by the rules, none missed. A judgement row like this needs no
    further paper to be taken as verified; anything less stays for a person."""
    if report.score_table is None or not report.targets:
        return {}
    by_target = {v.target_index: v for v in verdicts}
    out: dict[int, str] = {}
    for group, _, _, targets in _full_mark_groups(report):
        judged = [by_target.get(t.index) for t in targets]
        if targets and all(v is not None and v.verdict == "evidenced" and not any(c.outcome == "not_met" for c in v.clauses) for v in judged):
            working = "依据的定量目标（" + "、".join(t.kind for t in targets) + "）均有完成数据且已达到，满分有据。"
            for r in group:
                out[r.index] = working
    return out
