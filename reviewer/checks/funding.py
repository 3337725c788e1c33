"""The funding block of a national 自评表 (项目资金 / 部门预算执行情况): each column's 年度资金总额
against its parts, the printed 执行率 against B/A, and the 执行率 row's 得分 against 执行率 × 分值.

Pure functions of (report, rubric); the rubric says how the 执行率 row scores."""

from __future__ import annotations

from reviewer.checks.arith import fmt, fmt_money, half_step, join_plus
from reviewer.findings import Finding
from reviewer.indicator_rubric import IndicatorRubric
from reviewer.model import FUNDING_COLUMNS, Funding, Location, Number, Report
from reviewer.review import IndicatorResult

FUNDING_ROW_INDEX = -1  # IndicatorResult.row_index of the 执行率 row (indicator rows count from 0)
HALF_CENT = 0.005  # 万元 printed to 0.01


def score_tolerance(score: Number, rubric: IndicatorRubric) -> float:
    """How far a printed 得分 may sit from the exact one: its own rounding when printed to one
    decimal (7.6 for 7.573), never the half-point an integer would allow (10 for 9.65 is wrong)."""
    return max(rubric.score_tolerance / 2, min(half_step(score.raw), 0.05)) + 1e-9


def _sums(funding: Funding) -> list[Finding]:
    total = funding.total
    parts = [r for r in funding.rows if not r.is_total]
    if total is None or len(parts) < 2:
        return []  # one "其中：…" row is a part, not a breakdown that must add up
    out = []
    for key, label in FUNDING_COLUMNS.items():
        stated = total.values.get(key)
        figures = [(r.name, r.values.get(key)) for r in parts]
        if stated is None or not stated.known or any(n is None or not n.known for _, n in figures):
            continue
        added = sum(n.value for _, n in figures)
        if abs(added - stated.value) <= HALF_CENT * (len(figures) + 1):
            continue
        working = join_plus(f"{name}{fmt_money(n.value)}" for name, n in figures)
        out.append(
            Finding(
                code="table.sum_mismatch",
                severity="error",
                message=(
                    f"{funding.title}“{label}”列：{total.name}填{fmt_money(stated.value)}{funding.unit}，"
                    f"但{working} = {fmt_money(added)}{funding.unit}，相差{fmt_money(stated.value - added)}{funding.unit}。"
                ),
                location=stated.location,
                expected=round(added, 2),
                found=stated.value,
            )
        )
    return out


def check_funding(report: Report, rubric: IndicatorRubric) -> tuple[list[Finding], list[IndicatorResult]]:
    funding = report.funding
    if funding is None:
        return [], []
    findings = _sums(funding)
    total = funding.total
    budget = total.values.get("budget") if total else None
    spent = total.values.get("spent") if total else None
    name = f"{funding.title} 预算执行率"
    location = funding.rate.location if funding.rate.location.table is not None else (total.location if total else funding.location)
    if not (budget and spent and budget.known and spent.known and budget.value > 0):
        if funding.score.known:
            return findings, [IndicatorResult(row_index=FUNDING_ROW_INDEX, indicator="预算执行率", status="unverifiable",
                                              claimed=funding.score.value, needs=["全年预算数", "全年执行数"], location=location)]
        return findings, []
    rate = spent.value / budget.value * 100
    rate_working = f"执行率 = 全年执行数{fmt_money(spent.value)} ÷ 全年预算数{fmt_money(budget.value)} = {fmt(rate)}%"
    if funding.rate.known and abs(funding.rate.value - rate) > max(0.01, half_step(funding.rate.raw)) + 1e-9:
        findings.append(
            Finding(
                code="score.recomputed_differs",
                severity="error",
                message=f"{name}：表中执行率填{fmt(funding.rate.value)}%，但{rate_working}。",
                location=funding.rate.location,
                expected=round(rate, 2),
                found=funding.rate.value,
            )
        )
    if rubric.funding.reason_below_rate is not None and rate < rubric.funding.reason_below_rate - 1e-9:
        reason = funding.reason
        if reason is None or reason.blank:
            findings.append(
                Finding(
                    code="target.shortfall_without_reason",
                    severity="warning",
                    message=f"{name}：{rate_working}，低于{fmt(rubric.funding.reason_below_rate)}%，但未说明原因。",
                    location=reason.location if reason is not None else location,
                    expected=rubric.funding.reason_below_rate,
                    found=round(rate, 2),
                )
            )
    if not funding.points.known:
        return findings, []  # the 银川 form scores 执行率 as an indicator row
    points = funding.points.value
    exact = min(rate / 100 * points, points)
    working = f"{rate_working}；得分 = {fmt(rate)}% × {fmt(points)}分 = {fmt(exact)}分" + ("（以分值为上限）" if rate > 100 else "")
    claimed = funding.score.value if funding.score.known else None
    if claimed is None:
        status = "unverifiable"
    elif abs(claimed - exact) <= score_tolerance(funding.score, rubric):
        status = "verified"
    else:
        status = "wrong"
        findings.append(
            Finding(
                code="score.recomputed_differs",
                severity="error" if claimed > points + 1e-9 or abs(claimed - exact) > 0.1 else "warning",
                message=f"{name}：自评得分{fmt(claimed)}分，但{working}。",
                location=funding.score.location,
                expected=round(exact, 2),
                found=claimed,
            )
        )
    result = IndicatorResult(
        row_index=FUNDING_ROW_INDEX, indicator="预算执行率", status=status, claimed=claimed,
        recomputed=round(exact, 2), working=working, location=funding.score.location if funding.score.location.table is not None else location,
    )
    return findings, [result]


__all__ = ["check_funding", "FUNDING_ROW_INDEX", "Location"]
