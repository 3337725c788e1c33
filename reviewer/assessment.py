"""The one place a row's evidence is weighed: rule judgements, the checks' arithmetic and, where it
ran, the model's checked evidence go in; clause outcomes, target verdicts, 评分表 statuses and the
findings a person reads come out.

What becomes of a judgement is data (reviewer/data/assessment.yaml): how each confidence is treated,
which codes may be softened, how a finding moves a 评分表 row's status, what counts as absent evidence.
Pure functions of their inputs; nothing after `assess` changes a status.

The model never overrules the rules by assertion: its verified quotes are read by the rules' own
evidence matcher (only the quoted words are visible to it). When the quoted figures meet the target,
the clause is met and the rule's negative reading is withdrawn (the reviewer is shown both); when they
do not settle it and both sides are confident, a person decides (llm.disagrees_with_rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from reviewer.findings import Finding
from reviewer.lexicon import words
from reviewer.model import Location, Report, TargetRow
from reviewer.narrative.clauses import is_measurable
from reviewer.narrative.evidence import judge_from_quotes
from reviewer.narrative.figures import find_figures
from reviewer.narrative.scores import target_supported_rows, unsupported_scores
from reviewer.narrative.text import fold
from reviewer.narrative.verdicts import clause_finding
from reviewer.review import OUTCOME_LABEL, Clause, IndicatorResult, TargetVerdict
from reviewer.yamlio import load_yaml

RULES_FILE = Path(__file__).resolve().parent / "data" / "assessment.yaml"
NEGATIVE = ("not_met", "not_reported", "approximate")
CLAUSE_CODES = ("target.not_met", "target.not_evidenced", "target.far_exceeded")
ANSWER_CODES = ("completion.empty", "completion.template", "completion.vague", "completion.restates_target", "completion.copied")
RANK = {"low": 0, "medium": 1, "high": 2}


@lru_cache(maxsize=1)
def rules() -> dict:
    with RULES_FILE.open(encoding="utf-8") as fh:
        return load_yaml(fh) or {}


def treatment(confidence: str) -> str:
    """keep / review / defer for a negative judgement of this confidence."""
    return (rules().get("by_confidence") or {}).get(confidence, "keep")


# ---------------------------------------------------------------- one target row


@dataclass
class RowAssessment:
    """What the assessment made of one 定量目标 / indicator row."""

    row: TargetRow
    rule: TargetVerdict | None
    model: TargetVerdict | None
    clauses: list[Clause] = field(default_factory=list)  # the final outcome of each rule clause
    findings: list[Finding] = field(default_factory=list)  # what the row says to people
    settled: list[int] = field(default_factory=list)  # clauses the model's quotes settled against the rules
    disputed: list[int] = field(default_factory=list)  # clauses both judged confidently and opposite

    @property
    def verdict(self) -> TargetVerdict | None:
        """The rules' verdict restated on the final clauses (what the 评分表 rows rest on)."""
        if self.rule is None:
            return None
        if not self.rule.clauses or self.rule.by != "rules":
            return self.rule
        measurable = [c for c in self.clauses if is_measurable(c)]
        if not measurable or any(f in self.rule.flags for f in ANSWER_CODES):
            return self.rule
        met = sum(c.outcome == "met" for c in measurable)
        negative = sum(c.outcome in NEGATIVE for c in measurable)
        if met == len(measurable):
            verdict = "evidenced"
        elif negative == 0 and met == 0:
            verdict = "not_checked"
        else:
            verdict = "partial" if met else "not_evidenced"
        weakest = min((c.confidence for c in measurable if c.outcome in NEGATIVE), key=RANK.get, default="high")
        return self.rule.model_copy(update={"verdict": verdict, "clauses": self.clauses, "confidence": weakest})


def _model_ran(model: TargetVerdict | None) -> bool:
    # not run, failed, cut or left out: the judge says not_checked
    return model is not None and model.verdict != "not_checked"


def _model_clause(model: TargetVerdict | None, i: int, clause: Clause) -> Clause | None:
    if not _model_ran(model):
        return None
    if i < len(model.clauses) and model.clauses[i].text == clause.text:
        return model.clauses[i]
    return next((c for c in model.clauses if c.text == clause.text), None)


def _settle_note(row: TargetRow, rule: Clause, read: Clause) -> Finding:
    loc = row.completion.location
    if read.evidence_span is not None:
        loc = loc.with_span(*read.evidence_span)
    return Finding(
        code="llm.settles_rules", severity="info", source="llm", location=loc,
        message=(f"{row.kind}：规则读取有误，按模型引文核定。分句“{rule.text.strip()[:40]}”规则读作"
                 f"“{OUTCOME_LABEL[rule.outcome]}”（{rule.note[:60] or rule.found_raw or '—'}）；"
                 f"模型引文“{read.evidence[:40]}”经规则复核为“{OUTCOME_LABEL[read.outcome]}”（{read.note[:60]}）。"),
        expected=rule.outcome, found=read.evidence[:200] or None,
    )


def _soften(f: Finding, how: str) -> Finding | None:
    """A graded finding of less than high confidence: a note for the reviewer (review) or nothing (defer)."""
    if how == "keep" or f.audience == "reviewer" or f.code not in (rules().get("graded_codes") or []):
        return f
    if how == "review":
        working = f"（规则依据：{f.working}）" if f.working else ""
        return f.model_copy(update={"severity": "info", "audience": "reviewer",
                                    "message": f"规则把握不足，请核实：{f.message}{working}"})
    return None


def assess_row(row: TargetRow, rule: TargetVerdict | None, model: TargetVerdict | None) -> RowAssessment:
    out = RowAssessment(row=row, rule=rule, model=model)
    if rule is None:
        return out
    if row.indicator is not None:
        # a national indicator row is a pair of cells the checks judged by arithmetic; nothing to weigh
        out.clauses = list(rule.clauses)
        return out
    # a blank or instruction-text answer is one finding (completion.empty / .template), not one per clause
    blank = any(f in rule.flags for f in ("completion.empty", "completion.template"))
    for i, clause in enumerate(rule.clauses):
        final = clause
        seen = _model_clause(model, i, clause)
        # what the model offered as evidence for this clause (a derivation may rest on several quotes)
        quotes = (seen.quotes or ([seen.evidence] if seen.evidence else [])) if seen is not None and seen.outcome in ("met", "approximate") else []
        if quotes and is_measurable(clause) and clause.outcome in (*NEGATIVE, "abstain"):
            read = judge_from_quotes(clause, quotes, row.completion.text)
            if read.outcome == "met":
                final = read.model_copy(update={"confidence": "high"})
                out.settled.append(i)
                out.findings.append(_settle_note(row, clause, read))
        if final is clause and clause.outcome in NEGATIVE and is_measurable(clause):
            how = treatment(clause.confidence)
            model_positive = seen is not None and seen.outcome == "met"
            if how == "keep" and model_positive:
                out.disputed.append(i)
            elif how == "defer":
                # without a model, or with one whose evidence the rules cannot read, nobody has judged it
                final = clause.model_copy(update={"outcome": "abstain", "note": f"规则把握不足，未判断（{clause.note}）"})
        out.clauses.append(final)
        if i in out.settled or final.outcome == "abstain" or blank:
            continue
        made = clause_finding(row, final)
        if made is not None:
            made = made.model_copy(update={"confidence": final.confidence, "working": final.working})
            softened = _soften(made, treatment(final.confidence))
            if softened is not None:
                out.findings.append(softened)
    return out


# ---------------------------------------------------------------- the model's findings on a row


def _model_findings(findings: list[Finding], assessed: dict[tuple, RowAssessment]) -> list[Finding]:
    """The model's findings, less its disagreements the assessment settled or that rest on a rule
    reading not confident enough to dispute (those are already a reviewer's note)."""
    out = []
    for f in findings:
        if f.code == "llm.disagrees_with_rules":
            a = assessed.get((f.location.table, f.location.row))
            if a is not None and not a.disputed:
                continue
        out.append(f)
    return out


# ---------------------------------------------------------------- 评分表 statuses


def _on(f: Finding) -> set[tuple]:
    return {(loc.table, loc.row) for loc in (f.location, *f.also)}


def apply_status_rules(indicators: list[IndicatorResult], findings: list[Finding], report: Report) -> list[IndicatorResult]:
    """Each row's status moved by the findings raised on it, per the table in assessment.yaml."""
    table = rules().get("score_status") or []
    rows = {r.index: r for r in (report.score_table.rows if report.score_table else [])}
    raised: dict[str, set[tuple]] = {}
    for f in findings:
        raised.setdefault(f.code, set()).update(_on(f))
    out = []
    for ind in indicators:
        row = rows.get(ind.row_index)
        places = {(ind.location.table, ind.location.row)}
        if row is not None:
            places.add((row.self_score.location.table, row.self_score.location.row))
        for entry in table:
            if ind.status in entry["from"] and raised.get(entry["code"], set()) & places:
                update: dict = {"status": entry["to"]}
                if entry.get("recompute") == "cap":
                    if row is None or not row.points.known:
                        continue
                    update["recomputed"] = row.points.value
                ind = ind.model_copy(update=update)
                break
        out.append(ind)
    return out


def _pending(f: Finding, report: Report) -> bool:
    """The one finding listing the qualitative rows still waiting for a person (rebuilt here)."""
    return f.code == "score.unverifiable" and report.score_table is not None and f.location == report.score_table.location


def supported_by_targets(indicators: list[IndicatorResult], verdicts: list[TargetVerdict], report: Report,
                         findings: list[Finding]) -> tuple[list[IndicatorResult], list[Finding]]:
    """A judgement row the rubric could not re-score is verified when every target it rests on is met
    (rows sharing its merged 分值 cell with it too)."""
    supported = target_supported_rows(report, verdicts)
    if not supported:
        return indicators, findings
    rows = {r.index: r for r in (report.score_table.rows if report.score_table else [])}

    def carried(ind: IndicatorResult) -> str | None:
        if ind.row_index in supported:
            return supported[ind.row_index]
        row = rows.get(ind.row_index)
        lead = next((i for i in (row.shared_with if row else []) if i in supported), None)
        return f"与“{rows[lead].level3}”共用分值（合并单元格），见该行" if lead is not None else None

    out = []
    for ind in indicators:
        working = carried(ind) if ind.status == "unverifiable" else None
        out.append(ind.model_copy(update={"status": "verified", "working": working}) if working else ind)
    return out, findings


def rebuild_pending(indicators: list[IndicatorResult], findings: list[Finding], report: Report,
                    qualitative: set[int]) -> list[Finding]:
    """The one list of qualitative rows still waiting for a person's reading, made once the statuses
    are final: a row verified by its targets or doubted by a finding has left it."""
    from reviewer.checks.rescore import pending_finding

    kept = [f for f in findings if not _pending(f, report)]
    if len(kept) == len(findings):
        return findings
    rows = {r.index: r for r in (report.score_table.rows if report.score_table else [])}
    still = [rows[i.row_index] for i in indicators
             if i.status == "unverifiable" and i.row_index in qualitative and i.row_index in rows]
    return kept + pending_finding(report, still)


# ---------------------------------------------------------------- the whole review


@dataclass
class Assessment:
    findings: list[Finding]
    indicators: list[IndicatorResult]
    rows: list[RowAssessment]
    verdicts: list[TargetVerdict]  # each row's verdict on its final clauses (what the 评分表 rests on)


def _checkable(row: TargetRow) -> bool:
    """A qualitative target that states a checkable standard (every item, a set rhythm) and is
    answered with figures: evidence a person can weigh, not an unmeasurable target."""
    target = fold(row.target.text)
    return any(w in target for w in words("checkable_standard")) and bool(find_figures(fold(row.completion.text)))


def assess(
    report: Report,
    check_findings: list[Finding],
    indicators: list[IndicatorResult],
    rule_verdicts: list[TargetVerdict],
    rule_findings: list[Finding],
    model_verdicts: list[TargetVerdict],
    model_findings: list[Finding],
    rescored: frozenset[int] = frozenset(),
) -> Assessment:
    rules_by_row = {v.target_index: v for v in rule_verdicts}
    model_by_row = {v.target_index: v for v in model_verdicts}
    rows = [assess_row(t, rules_by_row.get(t.index), model_by_row.get(t.index)) for t in report.targets]
    by_place = {(a.row.completion.location.table, a.row.completion.location.row): a for a in rows}

    # the rules' clause findings are rebuilt from the final clauses; score.unsupported from the final verdicts
    prose_rows = {(a.row.completion.location.table, a.row.completion.location.row)
                  for a in rows if a.rule is not None and a.row.indicator is None}
    kept_rules = [
        f for f in rule_findings
        if not (f.source == "rules" and f.code in CLAUSE_CODES and (f.location.table, f.location.row) in prose_rows)
        and not (f.source == "rules" and f.code == "score.unsupported")
    ]
    verdicts = [v for a in rows if (v := a.verdict) is not None]
    clause_findings = [f for a in rows for f in a.findings]
    specific = {t.index for t in report.targets if _checkable(t)}
    unsupported = unsupported_scores(report, verdicts, rescored, weak=lambda v: weakness(v, specific))
    findings = check_findings + kept_rules + clause_findings + unsupported
    findings += _model_findings(model_findings, by_place)
    findings = [s for f in findings if (s := _soften(f, treatment(f.confidence))) is not None]
    qualitative = {i.row_index for i in indicators if i.status == "unverifiable" and i.pending}
    indicators, findings = supported_by_targets(indicators, verdicts, report, findings)
    indicators = apply_status_rules(indicators, findings, report)
    findings = rebuild_pending(indicators, findings, report, qualitative)
    return Assessment(findings=findings, indicators=indicators, rows=rows, verdicts=verdicts)


def weakness(verdict: TargetVerdict | None, specific: set[int] = frozenset()) -> str | None:
    """Why a target does not carry full marks, or None: only absent evidence counts (assessment.yaml)."""
    if verdict is None:
        return None
    when = rules().get("unsupported_when") or {}
    flags = set(verdict.flags)
    answer = [f for f in when.get("answer_flags", []) if f in flags and f != "target.not_measurable"]
    if answer:
        return "完成情况未提供证据"
    if "target.not_measurable" in flags and "target.not_measurable" in when.get("answer_flags", []):
        # a qualitative target answered with figures and named outputs is evidenced, not unmeasurable
        return None if verdict.target_index in specific else "目标不可衡量"
    floor = RANK[when.get("min_confidence", "high")]
    absent = [c for c in verdict.clauses if is_measurable(c) and c.outcome in when.get("clause_outcomes", NEGATIVE)
              and RANK[c.confidence] >= floor]
    if not absent:
        return None
    return "完成情况未提供证据" if verdict.verdict == "not_evidenced" else "完成情况仅部分有据"


__all__ = ["assess", "assess_row", "RowAssessment", "Assessment", "weakness", "apply_status_rules"]
