"""The 评分表's own arithmetic: scores within their points, points adding up to the printed
subtotals and to 100, self-scores adding up to the 总分 and the 综合得分, the 等次 matching the
score, and a reason for every deduction."""

from __future__ import annotations

import re

from reviewer.checks.arith import SCORE_EPS, fmt, q
from reviewer.findings import Finding
from reviewer.model import Report, ScoreRow, ScoreTable
from reviewer.rubric import Rubric, norm_name

_SUBTOTAL = re.compile(r"[(（]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]")


def _differs(a: float, b: float) -> bool:
    return abs(a - b) > SCORE_EPS


def _exceeds(table: ScoreTable) -> list[Finding]:
    out = []
    for row in table.rows:
        if not (row.points.known and row.self_score.known):
            continue
        if row.self_score.value > row.points.value + SCORE_EPS:
            out.append(
                Finding(
                    code="score.exceeds_max",
                    severity="error",
                    message=f"评分表{q(row.level3)}：自评得分{fmt(row.self_score.value)}分高于该项分值{fmt(row.points.value)}分。",
                    location=row.self_score.location,
                    expected=row.points.value,
                    found=row.self_score.value,
                )
            )
    return out


def _groups(rows: list[ScoreRow], key) -> list[tuple[str, list[ScoreRow]]]:
    """Consecutive rows with the same label (a merged 一级/二级指标 cell)."""
    out: list[tuple[str, list[ScoreRow]]] = []
    for row in rows:
        label = key(row)
        if out and out[-1][0] == label:
            out[-1][1].append(row)
        else:
            out.append((label, [row]))
    return out


def _subtotals(table: ScoreTable) -> list[Finding]:
    out = []
    levels = (("一级指标", lambda r: r.level1), ("二级指标", lambda r: (r.level1, r.level2)))
    for level_name, key in levels:
        for label, rows in _groups(table.rows, key):
            text = label if isinstance(label, str) else label[1]
            m = _SUBTOTAL.search(text)
            if not m:
                continue  # no "（15分）" printed: nothing stated to check against
            stated = float(m.group(1))
            # A merged 分值 cell is printed once, on its first row; the others are "missing".
            known = [r.points.value for r in rows if r.points.known]
            if not known:
                continue  # no 分值 could be read: an unreadable group, not one that adds up to 0
            total = sum(known)
            if not _differs(total, stated):
                continue
            working = " + ".join(fmt(r.points.value) for r in rows if r.points.known)
            out.append(
                Finding(
                    code="score.total_mismatch",
                    severity="error",
                    message=f"评分表{level_name}{q(text)}标明{fmt(stated)}分，但其下各项分值合计{working} = {fmt(total)}分。",
                    location=rows[0].location.model_copy(update={"label": f"评分表 {text}"}),
                    expected=total,
                    found=stated,
                )
            )
    return out


def _totals(report: Report, table: ScoreTable, rubric: Rubric) -> tuple[list[Finding], float | None]:
    """The 分值 against the 总分 row (or the rubric's total), the 自评得分 against both printed totals;
    also the re-summed score, which the grade must follow."""
    points = [r.points.value for r in table.rows if r.points.known]
    scores = [r.self_score.value for r in table.rows if r.self_score.known]
    score_sum = sum(scores) if scores else None
    out = _points_total(table, rubric, sum(points)) if points else []
    if score_sum is not None:
        out += _scores_total(report, table, score_sum)
    return out, score_sum


def _points_total(table: ScoreTable, rubric: Rubric, point_sum: float) -> list[Finding]:
    out: list[Finding] = []
    stated = table.total_points
    if stated.known and _differs(point_sum, stated.value):
        out.append(_total_mismatch(f"评分表总分行的分值填{fmt(stated.value)}分，但各项分值合计为{fmt(point_sum)}分。",
                                   stated.location, point_sum, stated.value))
    elif _differs(point_sum, rubric.total_points):
        out.append(_total_mismatch(f"评分表各项分值合计为{fmt(point_sum)}分，应为{fmt(rubric.total_points)}分。",
                                   stated.location if stated.known else table.location, rubric.total_points, point_sum))
    return out


def _total_mismatch(message: str, location, expected: float, found: float | None) -> Finding:
    return Finding(code="score.total_mismatch", severity="error", message=message, location=location,
                   expected=expected, found=found)


def _scores_total(report: Report, table: ScoreTable, score_sum: float) -> list[Finding]:
    out: list[Finding] = []
    for stated, where in ((table.total_self_score, "评分表总分行的自评得分"), (report.total_score, "绩效自评综合得分")):
        if stated.known and _differs(score_sum, stated.value):
            out.append(_total_mismatch(f"{where}填{fmt(stated.value)}分，但评分表各项自评得分合计为{fmt(score_sum)}分。",
                                       stated.location, score_sum, stated.value))
    return out


def _grade(report: Report, rubric: Rubric, score_sum: float | None) -> list[Finding]:
    if report.grade.blank:
        return []  # ingest reports an unreadable 评价等次
    # The grade must follow the re-summed 评分表; without one, the printed 综合得分.
    score = score_sum if score_sum is not None else (report.total_score.value if report.total_score.known else None)
    if score is None:
        return []
    basis = "评分表各项自评得分合计" if score_sum is not None else "绩效自评综合得分"
    expected = rubric.grade_for(score)
    claimed = rubric.grade_named(report.grade.text)
    if expected is None or claimed is expected:
        return []
    if claimed is None:
        return [
            Finding(
                code="score.grade_mismatch",
                severity="warning",
                message=f"评价等次填“{report.grade.text.strip()}”，不是规定的等次（优秀、良好、中、差）；按{basis}{fmt(score)}分应为“{expected.name}”。",
                location=report.grade.location,
                expected=expected.name,
                found=report.grade.text.strip(),
            )
        ]
    # Whether 90/80/60 belong to the upper band ("（含）") is unverified: on a boundary, only a warning.
    on_boundary = any(not _differs(score, g.min) for g in rubric.grades)
    return [
        Finding(
            code="score.grade_mismatch",
            severity="warning" if on_boundary else "error",
            message=(
                f"评价等次填“{report.grade.text.strip()}”，但{basis}为{fmt(score)}分，"
                f"按评分办法应为“{expected.name}”。" + ("（该分数恰在等次边界上，边界归属待核实。）" if on_boundary else "")
            ),
            location=report.grade.location,
            expected=expected.name,
            found=report.grade.text.strip(),
        )
    ]


def _deductions(table: ScoreTable) -> list[Finding]:
    out = []
    by_index = {r.index: r for r in table.rows}
    for row in table.rows:
        if not (row.points.known and row.self_score.known):
            continue
        if row.self_score.value >= row.points.value - SCORE_EPS:
            continue
        # A merged group's reason may sit on any of its rows.
        group = [by_index[i] for i in row.shared_with if i in by_index] or [row]
        if any(not r.reason.blank and norm_name(r.reason.text) not in ("无", "/", "-", "—") for r in group):
            continue
        lost = row.points.value - row.self_score.value
        out.append(
            Finding(
                code="score.deduction_without_reason",
                severity="warning",
                message=f"评分表{q(row.level3)}扣{fmt(lost)}分（分值{fmt(row.points.value)}分，自评{fmt(row.self_score.value)}分），但未填写扣分原因。",
                location=row.reason.location,
                expected=row.points.value,
                found=row.self_score.value,
            )
        )
    return out


def check_score_table(report: Report, rubric: Rubric) -> list[Finding]:
    table = report.score_table
    if table is None:
        return []
    findings = _exceeds(table) + _subtotals(table)
    totals, score_sum = _totals(report, table, rubric)
    findings += totals
    findings += _grade(report, rubric, score_sum)
    findings += _deductions(table)
    return findings
