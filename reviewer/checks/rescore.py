"""Re-scoring the 评分表 from the report's own figures, indicator by indicator.

Each row is matched to a rubric indicator by its 三级指标 (quotes, 《》 and line breaks ignored;
the 二级指标 tells apart same-named rows). A `computed` indicator with all its figures in the
report is re-scored and compared with the self-score; one missing a figure is unverifiable —
or, when the rubric says the department itself must measure it (满意度), full marks are
unsupported. Checklist and judgement indicators need evidence a person must read.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from reviewer.checks.arith import SCORE_EPS, decimals_of, fmt, half_step, q
from reviewer.checks.data import ReportData
from reviewer.narrative.text import halfwidth
from reviewer.findings import Finding
from reviewer.model import Report, ScoreRow
from reviewer.review import IndicatorResult
from reviewer.rubric import Band, Indicator, Rubric, evaluate, norm_name, strip_points


@dataclass
class Outcome:
    """What a computed indicator came to: a score range (fractions of a unit are ambiguous)."""

    low: float
    high: float
    working: str

    def admits(self, claimed: float, printed: str = "") -> bool:
        # "3.53" stands for 3.5294…: a claim printed with decimals is allowed its own rounding.
        slack = half_step(halfwidth(printed)) if decimals_of(halfwidth(printed)) else 0.0
        return self.low - SCORE_EPS - slack <= claimed <= self.high + SCORE_EPS + slack

    @property
    def shown(self) -> str:
        return fmt(self.high) if math.isclose(self.low, self.high, abs_tol=SCORE_EPS) else f"{fmt(self.low)}～{fmt(self.high)}"


@dataclass
class Missing:
    needs: list[str]
    note: str = ""


@dataclass
class Pending:
    """Rows whose evidence a person must read, gathered into one finding."""

    rows: list[tuple[ScoreRow, Indicator]] = field(default_factory=list)


# ---------------------------------------------------------------- matching


def match(rubric: Rubric, row: ScoreRow) -> Indicator | None:
    key = norm_name(row.level3)
    found = [i for i in rubric.indicators if key in i.keys]
    if not found and len(key) >= 4:
        # "在职人员控制率（%）", "资金结余情况": a rubric name inside the row's, or the reverse
        found = [i for i in rubric.indicators if any(k in key or key in k for k in i.keys if len(k) >= 4)]
    if len(found) > 1:
        level2 = strip_points(row.level2)
        found = [i for i in found if norm_name(i.level2) == level2] or found
    return found[0] if found else None


# ---------------------------------------------------------------- scoring rules


def _short(label: str) -> str:
    return re.split(r"[（(]", label, maxsplit=1)[0]


def _unit_words(ind: Indicator) -> str:
    return "个百分点" if ind.unit == "%" else ind.unit


def _one_unit(ind: Indicator) -> str:
    """The unit after 每/一: "百分点" for %, else the unit itself (每个, not 每 for a unit of 个)."""
    return "百分点" if ind.unit == "%" else ind.unit


def _substitute(formula: str, values: dict[str, float]) -> str:
    text = re.sub(r"(?<![\w.])[A-Za-z_]\w*", lambda m: fmt(values[m.group(0)], 4), formula)  # not the e of 1e3
    return text.replace("*", "×").replace("/", "÷").replace("-", "−")


def _deduct(ind: Indicator, points: float, value: float, shown: str) -> Outcome:
    rule = ind.deduct
    assert rule is not None
    over = value - rule.threshold if rule.full_if == "<=" else rule.threshold - value
    cond = f"{rule.full_if.replace('<=', '≤').replace('>=', '≥')}{fmt(rule.threshold)}{ind.unit}"
    if over <= 1e-9:
        return Outcome(points, points, f"{shown} {cond} → {fmt(points)}分")
    linear = max(0.0, points - rule.per_unit * over)
    rounded = max(0.0, points - rule.per_unit * math.ceil(over - 1e-9))
    words = "超过" if rule.full_if == "<=" else "低于"
    d = max(ind.decimals, 2)  # the excess as used in the arithmetic, not as the rate is displayed
    text = (
        f"{shown}，{words}{fmt(rule.threshold)}{ind.unit} {fmt(over, d)}{_unit_words(ind)}，"
        f"每{_one_unit(ind)}扣{fmt(rule.per_unit)}分 → {fmt(points)} − {fmt(rule.per_unit)}×{fmt(over, d)} = {fmt(linear)}分"
    )
    if not math.isclose(linear, rounded, abs_tol=SCORE_EPS):
        text += f"（不足一{_one_unit(ind)}按一{_one_unit(ind)}计为{fmt(rounded)}分）"
    return Outcome(rounded, linear, text)


def _band_bounds(band: Band, values: dict[str, float]) -> tuple[float | None, float | None]:
    lo = values[band.min_ref] if band.min_ref else band.min
    hi = values[band.max_ref] if band.max_ref else band.max
    return lo, hi


def _in_band(band: Band, lo: float | None, hi: float | None, value: float) -> bool:
    if lo is not None and (value < lo - 1e-9 or (not band.include_min and value <= lo + 1e-9)):
        return False
    if hi is not None and (value > hi + 1e-9 or (not band.include_max and value >= hi - 1e-9)):
        return False
    return True


def _band_words(ind: Indicator, band: Band, lo: float | None, hi: float | None) -> str:
    parts = []
    if lo is not None:
        parts.append(f"{'≥' if band.include_min else '>'}{fmt(lo, 4)}{ind.unit}")
    if hi is not None:
        ref = f"{_short(ind.inputs[band.max_ref].label)}" if band.max_ref else ""
        parts.append(f"{'≤' if band.include_max else '<'}{ref}{fmt(hi, 4)}{ind.unit}")
    cond = "且".join(parts)
    return f"{band.label}（{cond}）" if band.label and cond else (band.label or cond)


def _bands(ind: Indicator, points: float, value: float, shown: str, values: dict[str, float]) -> Outcome | None:
    scale = points / ind.points  # the 备注 lets departments re-weight: bands scale with the row's 分值
    for band in ind.bands or []:
        lo, hi = _band_bounds(band, values)
        if _in_band(band, lo, hi, value):
            score = band.score * scale
            return Outcome(score, score, f"{shown}，{_band_words(ind, band, lo, hi)} → {fmt(score)}分")
    return None


def recompute(ind: Indicator, points: float, data: ReportData) -> Outcome | Missing:
    values: dict[str, float] = {}
    given: list[str] = []
    needs: list[str] = []
    for name, spec in ind.inputs.items():
        hit = data.first(spec.source)
        if hit is None:
            needs.append(spec.label)
            continue
        values[name] = hit[1].value
        given.append(f"{_short(spec.label)}{hit[1].shown}")
    if needs:
        return Missing(needs)
    try:
        metric = evaluate(ind.tree, values)
    except ZeroDivisionError:
        return Missing([spec.label for spec in ind.inputs.values()], note="分母为0，无法计算")
    expr = _substitute(ind.formula or "", values)
    shown = f"{fmt(metric, ind.decimals)}{ind.unit}"
    head = f"{'，'.join(given)}；{expr} = {shown}" if expr != fmt(metric, 4) else "，".join(given)
    outcome = _deduct(ind, points, metric, shown) if ind.deduct else _bands(ind, points, metric, shown, values)
    if outcome is None:
        return Missing([], note=f"{shown}不在评分标准的任何区间内")
    outcome.working = f"{head}；{outcome.working}" if head else outcome.working
    return outcome


# ---------------------------------------------------------------- per row


def _result(row: ScoreRow, status: str, **kw) -> IndicatorResult:
    return IndicatorResult(
        row_index=row.index,
        indicator=row.level3,
        status=status,
        claimed=row.self_score.value if row.self_score.known else None,
        location=row.location,
        **kw,
    )


def _rescore_row(row: ScoreRow, ind: Indicator, data: ReportData, pending: Pending) -> tuple[list[Finding], IndicatorResult]:
    claimed = row.self_score.value if row.self_score.known else None
    points = row.points.value if row.points.known else ind.points
    if ind.kind == "checklist" and ind.evidence and claimed is not None and claimed <= points + SCORE_EPS:
        found = data.evidence(ind.evidence)
        if found is not None:
            cited = "；".join(f"“{words}”" for words, _ in found)
            return [], _result(row, "verified", working=f"报告写明{cited}，符合评分标准（{ind.criteria.rstrip('。')}）")
    if ind.kind != "computed":
        pending.rows.append((row, ind))
        return [], _result(row, "unverifiable", working=f"定性指标，须查阅佐证：{'；'.join(ind.needs)}", needs=list(ind.needs),
                           pending=True)
    outcome = recompute(ind, points, data)
    if isinstance(outcome, Missing):
        needs = outcome.needs
        full = claimed is not None and claimed >= points - SCORE_EPS
        if ind.missing_data == "unsupported" and full and not outcome.note:
            message = (
                f"评分表{q(row.level3)}自评满分{fmt(claimed)}分，但评分标准（{ind.criteria.rstrip('。')}）"
                f"须以{'、'.join(needs)}为依据，报告没有给出，满分缺乏依据。" + ind.note
            )
            finding = Finding(
                code="score.unsupported", severity="warning", message=message,
                location=row.self_score.location, expected="、".join(needs), found=claimed,
            )
            return [finding], _result(row, "doubtful", working="报告未给出" + "、".join(needs), needs=needs)
        if claimed is None:
            return [], _result(row, "unverifiable", working="自评得分未填写或无法读取", needs=needs)
        what = "、".join(needs) if needs else "复核所需数据"
        message = f"评分表{q(row.level3)}自评{fmt(claimed)}分，" + (
            f"{outcome.note}，无法复核。" if outcome.note else f"报告未提供{what}，无法复核。"
        )
        finding = Finding(
            code="score.unverifiable", severity="info", message=message,
            location=row.self_score.location, expected=what, found=claimed,
        )
        return [finding], _result(row, "unverifiable", working=outcome.note or f"缺少{what}", needs=needs)
    if claimed is None:
        return [], _result(row, "unverifiable", recomputed=outcome.high, working=outcome.working + "；自评得分未填写")
    if outcome.admits(claimed, row.self_score.raw):
        return [], _result(row, "verified", recomputed=claimed, working=outcome.working)
    caveat = "（该评分规则出处待核实，仅供参考。）" if ind.unverified else ""
    finding = Finding(
        code="score.recomputed_differs",
        severity="warning" if ind.unverified else "error",
        message=f"评分表{q(row.level3)}自评{fmt(claimed)}分，但按报告自身数据复核：{outcome.working}，应得{outcome.shown}分。{caveat}",
        location=row.self_score.location,
        expected=round(outcome.high, 2) if outcome.shown == fmt(outcome.high) else outcome.shown,
        found=claimed,
    )
    status = "doubtful" if ind.unverified else "wrong"
    return [finding], _result(row, status, recomputed=round(outcome.high, 2), working=outcome.working)


def pending_finding(report: Report, rows: list[ScoreRow]) -> list[Finding]:
    """One finding for the rows whose evidence a person must read (none when there are none)."""
    if not rows or report.score_table is None:
        return []
    items = "；".join(
        f"{row.level3}（自评{fmt(row.self_score.value) if row.self_score.known else '?'}/{fmt(row.points.value) if row.points.known else '?'}分）"
        for row in rows
        if row.self_score.known or not row.shared_with
    )
    return [
        Finding(
            code="score.unverifiable",
            severity="info",
            message=f"以下{len(rows)}项指标按定性标准评分，报告未附评分依据，无法复核：{items}。请部门提供相应佐证（制度文本、检查结论、考核结果等）。",
            location=report.score_table.location,
        )
    ]


PENDING_PREFIX = "项指标按定性标准评分"  # how the pending finding's message reads (pipeline rebuilds it)


def rescore(report: Report, rubric: Rubric, data: ReportData) -> tuple[list[Finding], list[IndicatorResult]]:
    table = report.score_table
    if table is None:
        return [], []
    findings: list[Finding] = []
    results: list[IndicatorResult] = []
    pending = Pending()
    carriers: dict[int, IndicatorResult] = {}  # first row of a merged 分值 group → its result
    by_index = {r.index: r for r in table.rows}
    for row in table.rows:
        group = [i for i in row.shared_with if i in by_index]
        carrier = next((i for i in group if by_index[i].points.known), None)
        if group and carrier is not None and carrier != row.index and carrier in carriers:
            lead = carriers[carrier]
            results.append(
                _result(row, lead.status, working=f"与{q(lead.indicator)}共用分值（合并单元格），见该行", needs=lead.needs)
            )
            continue
        ind = match(rubric, row)
        if ind is None:
            findings.append(
                Finding(
                    code="score.unverifiable",
                    severity="info",
                    message=f"评分表指标{q(row.level3)}不在评分标准（{rubric.label}）中，未复核。",
                    location=row.location,
                )
            )
            results.append(_result(row, "not_checked", working="评分标准中没有此指标"))
            continue
        row_findings, result = _rescore_row(row, ind, data, pending)
        findings += row_findings
        results.append(result)
        carriers[row.index] = result
    findings += pending_finding(report, [row for row, _ in pending.rows])
    return findings, results
