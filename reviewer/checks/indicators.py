"""The 绩效指标 rows of a national 自评表: each row's 得分 against its 分值 and against what its own
target and actual value give under the rubric's partial-credit rules; a shortfall or a deduction
with no reason; a blank or unfilled actual that still scores; a target asking a figure answered
in words (满意度 "满意"); then Σ得分 / Σ分值 against the 总分 row, the 一级指标 weights and the grade.

Pure functions of (report, rubric). Rows are compared on their parsed values
(IndicatorRow.target_parsed / actual_parsed), never on layout or column names.
"""

from __future__ import annotations

import datetime as dt
import re

from reviewer.checks.arith import fmt, q
from reviewer.checks.funding import FUNDING_ROW_INDEX, check_funding, score_tolerance
from reviewer.findings import Finding
from reviewer.indicator_rubric import IndicatorRubric
from reviewer.lexicon import lower_is_better, words
from reviewer.values import figure_in_unit, implied, meets, same_unit
from reviewer.model import IndicatorRow, ParsedValue, Report, TargetRow
from reviewer.narrative.answers import empty_or_template
from reviewer.narrative.evidence import FAR_OVER
from reviewer.review import Clause, IndicatorResult, TargetVerdict
from reviewer.rubric import norm_name, strip_points

NO_REASON = {"", "无", "/", "-", "—", "——", "／"}
SYMBOL = {">=": "≥", "<=": "≤", "=": "="}


def _shown(v: ParsedValue) -> str:
    if v.kind == "date" and v.value is not None:
        d = dt.date.fromordinal(int(v.value))
        return f"{d.year}年{d.month}月{d.day}日"
    return v.raw.strip()


def _has_reason(row: IndicatorRow) -> bool:
    return norm_name(row.reason.text) not in NO_REASON


def _partial(rule: str, found: float, wanted: float, points: float) -> float | None:
    if rule == "actual_over_target" and wanted > 0:
        return max(0.0, min(points, found / wanted * points))
    if rule == "target_over_actual" and found > 0:
        return max(0.0, min(points, wanted / found * points))
    return None


def direction(row: IndicatorRow, rubric: IndicatorRubric) -> str:
    """Which way a row's target points: its 指标性质 or the target's own ≥ / ≤ / = (both folded into
    `target_parsed` by the reader), else the name (…控制率, 结转结余率, 投诉, 事故 … are better kept
    down: reviewer/data/lexicon.yaml `lower_is_better`), else the rubric's reading of a bare target."""
    target = row.target_parsed
    if target.comparator:
        return target.comparator
    by_rubric = rubric.bare_target.comparator(target.value, row.level2)
    if by_rubric == ">=" and lower_is_better(row.name):
        return "<="
    return by_rubric


def _as_target(row: IndicatorRow) -> TargetRow:
    """The row as the narrative rules' target row, to reuse their blank / instruction-text test."""
    return TargetRow(index=row.index, category=row.level1, kind=row.name, target=row.target, completion=row.actual, location=row.location)


class _Row:
    """What one indicator row's check found: findings and the IndicatorResult."""

    def __init__(self, row: IndicatorRow):
        self.row = row
        self.findings: list[Finding] = []
        self.status = "unverifiable"
        self.recomputed: float | None = None
        self.working = ""
        self.needs: list[str] = []
        # what the row says of its target, for the rule verdict: evidenced / not_evidenced / not_checked
        self.verdict = "not_checked"
        self.clause: Clause | None = None

    def add(self, code: str, severity: str, message: str, location, expected=None, found=None) -> None:
        self.findings.append(Finding(code=code, severity=severity, message=message, location=location, expected=expected, found=found))

    def result(self) -> IndicatorResult:
        r = self.row
        return IndicatorResult(
            row_index=r.index, indicator=r.name, status=self.status,
            claimed=r.score.value if r.score.known else None,
            recomputed=round(self.recomputed, 2) if self.recomputed is not None else None,
            working=self.working, needs=self.needs, location=r.score.location,
        )


_FIRST_NUMBER = re.compile(r"\d")


def _a_bound_not_a_result(actual: str, target: str) -> bool:
    """The 实际完成值 gives a budget, plan or last year's figure (a word of the lexicon's
    not_actual_words right before its number) that the 指标值 does not itself name."""
    m = _FIRST_NUMBER.search(actual)
    if m is None:
        return False
    before = re.sub(r"[\s:：为是约]+$", "", actual[: m.start()])
    return any(before.endswith(w) and w not in target for w in words("not_actual_words"))


def _check_row(row: IndicatorRow, rubric: IndicatorRubric) -> _Row:
    out = _Row(row)
    name = q(row.name)
    points = row.points.value if row.points.known else None
    claimed = row.score.value if row.score.known else None
    tol = score_tolerance(row.score, rubric)
    if points is not None and claimed is not None and claimed > points + 1e-9:
        out.add("score.exceeds_max", "error", f"绩效指标{name}：得分{fmt(claimed)}分高于该项分值{fmt(points)}分。",
                row.score.location, expected=points, found=claimed)
        out.status, out.recomputed = "wrong", points
        out.working = f"得分不能超过分值{fmt(points)}分"

    if row.coefficient is not None and row.coefficient.known and points is not None:
        # 重庆: 得分 = 得分系数 × 指标权重
        expected = row.coefficient.value * points
        out.working = f"得分系数{fmt(row.coefficient.value)} × 指标权重{fmt(points)} = {fmt(expected)}分"
        if claimed is not None and abs(claimed - expected) > tol and out.status != "wrong":
            out.add("score.recomputed_differs", "error", f"绩效指标{name}：得分{fmt(claimed)}分，但{out.working}。",
                    row.score.location, expected=round(expected, 2), found=claimed)
            out.status, out.recomputed = "wrong", expected

    target, actual = row.target_parsed, row.actual_parsed
    if actual.known and _a_bound_not_a_result(row.actual.text, row.target.text):
        actual = actual.model_copy(update={"kind": "text", "value": None})  # "预算598万元" is not what was done
    if (not actual.known or actual.kind != target.kind) and (words := implied(row.actual.text, target)) is not None:
        actual = words  # "均按时拨付" for "100%", "未发生" for "0起", "11月25日" for a 2022 deadline
    unanswered = None if actual.known else empty_or_template(_as_target(row))
    if unanswered is not None:
        out.findings.append(unanswered.model_copy(update={"source": "checks"}))
        what = "空白" if unanswered.code == "completion.empty" else "仍是填写说明"
        if claimed:
            out.add("score.unsupported", "warning",
                    f"绩效指标{name}：实际完成值{what}，却自评{fmt(claimed)}分；没有完成值，得分无从核实。",
                    row.score.location, found=claimed)
            if out.status != "wrong":
                out.status = "doubtful"
        out.needs.append("实际完成值")
        out.verdict = "not_evidenced"
        return out

    if not target.known:
        # A qualitative target ("健全", "立项程序规范"): a person judges it from the evidence.
        if target.kind == "text" and norm_name(row.actual.text) == norm_name(row.target.text):
            out.add("completion.restates_target", "warning",
                    f"绩效指标{name}：实际完成值“{row.actual.text.strip()}”与指标值相同，只是复述目标，不能说明达成情况。",
                    row.actual.location, found=row.actual.text.strip())
            out.verdict = "not_evidenced"
        if out.status != "wrong":
            out.needs.append("可判断的完成情况（定性指标由人工核实）")
        return out

    comparator = direction(row, rubric)
    wanted = f"{SYMBOL[comparator]}{_shown(target)}" if target.comparator == "" else _shown(target)
    if not actual.known:
        # The target asks a figure; the answer is words ("满意", "较满意", "已完成").
        out.add("target.not_evidenced", "warning",
                f"绩效指标{name}：指标值为“{_shown(target)}”，实际完成值“{row.actual.text.strip()}”没有给出可比的数值。",
                row.actual.location, expected=wanted, found=row.actual.text.strip())
        if points is not None and claimed is not None and claimed >= points - tol:
            satisfaction = any(w in row.name + row.level2 for w in rubric.satisfaction_words)
            why = "没有调查样本和满意率" if satisfaction else "没有完成数值"
            out.add("score.unsupported", "warning", f"绩效指标{name}：{why}，却自评满分{fmt(claimed)}分。",
                    row.score.location, expected=wanted, found=claimed)
            if out.status != "wrong":
                out.status = "doubtful"
        out.needs.append(f"{row.name}的实际数值")
        out.verdict = "not_evidenced"
        out.clause = _clause(row, comparator, "not_reported", "实际完成值没有给出可比的数值。")
        return out
    if not same_unit(target, actual) and (other := figure_in_unit(row.actual.text, target)) is not None:
        actual = other  # "调查500人，满意率96%": the figure measured as the target is
    if not same_unit(target, actual):
        out.needs.append(f"与指标值单位一致的完成值（指标值“{_shown(target)}”，完成值“{_shown(actual)}”）")
        return out

    compare = f"指标值{wanted}，实际完成值{_shown(actual)}"
    if meets(comparator, actual.value, target.value):
        out.verdict, out.clause = "evidenced", _clause(row, comparator, "met", f"{compare}，已达到。")
        if comparator == ">=" and target.value > 0 and actual.value >= FAR_OVER * target.value:
            # no fault of the report: a person may ask whether the target was set too low
            times = round(actual.value / target.value, 1)
            out.clause.exceeds_by = times
            out.add("target.far_exceeded", "info",
                    f"绩效指标{name}：{compare}，是目标的{times:g}倍，指标值可能偏低，供下年度设定目标时参考。",
                    row.actual.location, expected=wanted, found=_shown(actual))
        if out.status == "wrong":
            return out
        if points is None or claimed is None:
            out.needs.append("分值和得分")
            return out
        out.recomputed = points
        out.working = f"{compare}，达到目标 → {fmt(points)}分"
        if claimed >= points - tol:
            out.status = "verified"
        elif not _has_reason(row):
            out.add("score.deduction_without_reason", "warning",
                    f"绩效指标{name}：{compare}，已达到目标，却扣{fmt(points - claimed)}分，且未说明原因。",
                    row.reason.location, expected=points, found=claimed)
            out.status = "doubtful"
        else:
            out.status = "verified"  # a deduction the department explains is its call
        return out

    # A shortfall.
    out.verdict, out.clause = "not_evidenced", _clause(row, comparator, "not_met", f"{compare}，未达到。")
    out.add("target.not_met", "warning", f"绩效指标{name}：{compare}，未达到目标。", row.actual.location,
            expected=wanted, found=_shown(actual))
    if not _has_reason(row):
        out.add("target.shortfall_without_reason", "warning",
                f"绩效指标{name}：{compare}，未达到目标，但偏差原因分析栏为空。",
                row.reason.location, expected=wanted, found=_shown(actual))
    if out.status == "wrong" or points is None or claimed is None:
        return out
    rule = rubric.partial_credit.get(comparator, "none")
    if actual.kind == "date":
        rule = "none"  # a late date has no proportional rule
    partial = _partial(rule, actual.value, target.value, points)
    if partial is None:
        out.working = f"{compare}，未达到目标；该类指标无按比例计分规则，由人工判断得分"
        if claimed >= points - tol:
            out.add("score.unsupported", "warning", f"绩效指标{name}：{compare}，未达到目标却得满分{fmt(claimed)}分。",
                    row.score.location, expected=wanted, found=claimed)
            out.status = "doubtful"
        return out
    formula = "完成值/指标值" if rule == "actual_over_target" else "指标值/完成值"
    out.recomputed = partial
    out.working = f"{compare}；得分 = {formula} × 分值 = {fmt(partial)}分"
    if abs(claimed - partial) <= tol:
        out.status = "verified"
        return out
    out.status = "wrong"
    out.add("score.recomputed_differs", "warning",
            f"绩效指标{name}：自评{fmt(claimed)}分，但{out.working}（未完成指标按比例计分）。",
            row.score.location, expected=round(partial, 2), found=claimed)
    return out


def _clause(row: IndicatorRow, comparator: str, outcome: str, note: str) -> Clause:
    t, a = row.target_parsed, row.actual_parsed
    return Clause(
        text=row.target.text, span=(0, len(row.target.text)), object=row.name, comparator=comparator,
        value=t.value if t.kind == "number" else None, unit=t.unit if t.kind == "number" else "",
        outcome=outcome, evidence=row.actual.text, evidence_span=(0, len(row.actual.text)) if row.actual.text else None,
        found_value=a.value if a.kind == "number" else None, note=note,
    )


def indicator_verdicts(report: Report, rubric: IndicatorRubric, checked_rows: dict[int, _Row] | None = None) -> list[TargetVerdict]:
    """The rule verdict on each indicator row (by its target row's index), from its parsed cells
    (`checked_rows`: IndicatorRow.index → the row as check_indicators already judged it)."""
    rows = {t.indicator: t.index for t in report.targets if t.indicator is not None}
    out = []
    for row in report.indicators:
        if row.index not in rows:
            continue
        checked = checked_rows[row.index] if checked_rows is not None else _check_row(row, rubric)
        out.append(TargetVerdict(
            target_index=rows[row.index], by="rules", verdict=checked.verdict,
            clauses=[checked.clause] if checked.clause else [],
            flags=sorted({f.code for f in checked.findings}),
            reason=checked.clause.note if checked.clause else ("定性指标，由人工判断" if checked.verdict == "not_checked" else ""),
        ))
    return out


# ---------------------------------------------------------------- totals and grade


_POINTS_IN_LABEL = re.compile(r"[(（]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]")


def _whole_adds_up(report: Report, rubric: IndicatorRubric) -> bool:
    """Every 分值 (the 执行率 row's too) is given and they add up to the rubric's total."""
    points = [r.points for r in report.indicators]
    if report.funding is not None and report.funding.points.known:
        points.append(report.funding.points)
    return bool(points) and all(p.known for p in points) and abs(sum(p.value for p in points) - rubric.total_points) <= 1e-6


def _weights(report: Report, rubric: IndicatorRubric) -> list[Finding]:
    out: list[Finding] = []
    # The rubric's weights are a default a department may adapt (财预〔2020〕10号 "原则上"): when the
    # form's own points add up to the total, a different split is the department's, not an error.
    adapted = _whole_adds_up(report, rubric)
    groups: dict[str, list[IndicatorRow]] = {}
    for row in report.indicators:
        groups.setdefault(row.level1, []).append(row)
    for label, rows in groups.items():
        if not label or any(not r.points.known for r in rows):
            continue
        total = sum(r.points.value for r in rows)
        printed = _POINTS_IN_LABEL.search(label)
        weight = float(printed.group(1)) if printed else rubric.weights.get(strip_points(label))
        if weight is None or abs(total - weight) <= 1e-6 or (adapted and not printed):
            continue
        # A printed "（30分）" is the form's own statement; the rubric's weights are a default a
        # department may adapt (财预〔2020〕10号 "原则上"), so a difference there is for a person to see.
        source = f"标明{fmt(weight)}分" if printed else f"评分规则默认为{fmt(weight)}分"
        out.append(Finding(
            code="score.total_mismatch", severity="error" if printed else "info",
            message=f"一级指标“{strip_points(label)}”{source}，但其下各项分值合计{fmt(total)}分。",
            location=rows[0].location.model_copy(update={"label": f"绩效指标 {strip_points(label)}"}),
            expected=weight, found=total,
        ))
    return out


def _totals(report: Report, rubric: IndicatorRubric) -> tuple[list[Finding], float | None]:
    out: list[Finding] = []
    rows = report.indicators
    funding = report.funding
    with_funding = funding is not None and funding.points.known
    points = [r.points for r in rows] + ([funding.points] if with_funding else [])
    scores = [r.score for r in rows] + ([funding.score] if with_funding else [])
    point_sum = sum(p.value for p in points) if points and all(p.known for p in points) else None
    score_sum = sum(s.value for s in scores) if scores and all(s.known for s in scores) else None
    parts = "执行率得分与各项指标得分" if with_funding else "各项指标得分"
    if point_sum is not None:
        stated = report.indicator_points
        if stated.known and abs(stated.value - point_sum) > 1e-6:
            out.append(Finding(code="score.total_mismatch", severity="error",
                               message=f"总分行的分值填{fmt(stated.value)}分，但各项分值合计为{fmt(point_sum)}分。",
                               location=stated.location, expected=point_sum, found=stated.value))
        elif abs(point_sum - rubric.total_points) > 1e-6:
            out.append(Finding(code="score.total_mismatch", severity="error",
                               message=f"总分：各项分值合计为{fmt(point_sum)}分，应为{fmt(rubric.total_points)}分。",
                               location=stated.location if stated.known else (rows[0].location if rows else funding.location),
                               expected=rubric.total_points, found=point_sum))
    if score_sum is not None:
        stated_totals = [(report.indicator_total, "总分行的得分")]
        if report.total_score.location != report.indicator_total.location:
            stated_totals.append((report.total_score, "自评结论中的得分"))
        for stated, where in stated_totals:
            if stated.known and abs(stated.value - score_sum) > 0.005 + 1e-9:
                out.append(Finding(code="score.total_mismatch", severity="error",
                                   message=f"{where}填{fmt(stated.value)}分，但{parts}合计为{fmt(score_sum)}分（总分不符）。",
                                   location=stated.location, expected=round(score_sum, 2), found=stated.value))
    return out, score_sum


def _grade(report: Report, rubric: IndicatorRubric, score_sum: float | None) -> list[Finding]:
    if report.grade.blank:
        return []
    score = score_sum if score_sum is not None else (report.total_score.value if report.total_score.known else None)
    if score is None:
        return []
    expected, claimed = rubric.grade_for(score), rubric.grade_named(report.grade.text)
    if expected is None or claimed is expected:
        return []
    on_boundary = any(abs(score - g.min) <= 1e-6 for g in rubric.grades)
    return [Finding(
        code="score.grade_mismatch", severity="warning" if on_boundary or claimed is None else "error",
        message=f"评价等级填“{report.grade.text.strip()}”，但各项得分合计为{fmt(score)}分，应为“{expected.name}”。",
        location=report.grade.location, expected=expected.name, found=report.grade.text.strip(),
    )]


def _form_texts(report: Report) -> list[Finding]:
    """The prose cells a national form asks for (评价结论, 存在问题, 改进措施, 项目实施内容及过程概述), read
    as sections: blank, or still the form's own instructions."""
    out = []
    for section in report.sections:
        if section.number or not section.paragraphs:
            continue
        text = section.paragraphs[0]
        found = empty_or_template(TargetRow(index=-1, category="", kind=section.heading, target=text.model_copy(update={"text": ""}),
                                            completion=text, location=section.location))
        if found is None:
            continue
        if found.code == "completion.empty":
            message = f"“{section.heading}”栏为空白，未填写。"
        else:
            message = f"“{section.heading}”栏仍是表格的填写说明（“{text.text.strip()[:40]}”），未填写实际内容。"
        out.append(found.model_copy(update={"message": message, "source": "checks"}))
    return out


def _no_self_score(report: Report) -> list[Finding]:
    """Not one 得分 filled (the 执行率 row's and every indicator's): the form was not self-scored."""
    rows = report.indicators
    if not rows or any(r.score.state != "missing" for r in rows):
        return []
    funding = report.funding
    if funding is not None and funding.score.state != "missing":
        return []
    if len(rows) < 2 and (funding is None or not funding.points.known):
        return []  # one blank 得分 is that row's matter, not a form left unscored
    parts = "预算执行率和各项指标" if funding is not None and funding.points.known else "各项指标"
    return [Finding(
        code="score.unverifiable", severity="warning", source="checks",
        message=f"{parts}的得分栏均为空白：表中没有自评得分，无从核对；请部门按评分规则填写自评得分。",
        location=rows[0].score.location, found="",
    )]


def check_indicators(report: Report, rubric: IndicatorRubric, verdicts: list[TargetVerdict] | None = None,
                     ) -> tuple[list[Finding], list[IndicatorResult]]:
    """Every check of a national form's funding block and indicator rows (`verdicts`, when given,
    receives each row's rule verdict from the same pass)."""
    findings, results = check_funding(report, rubric)
    findings += _form_texts(report)
    findings += _no_self_score(report)
    checked_rows: dict[int, _Row] = {}
    for row in report.indicators:
        checked = checked_rows[row.index] = _check_row(row, rubric)
        findings += checked.findings
        results.append(checked.result())
    if verdicts is not None:
        verdicts.extend(indicator_verdicts(report, rubric, checked_rows))
    findings += _weights(report, rubric)
    totals, score_sum = _totals(report, rubric)
    findings += totals
    findings += _grade(report, rubric, score_sum)
    return findings, results


__all__ = ["check_indicators", "indicator_verdicts", "FUNDING_ROW_INDEX"]
