"""One 定量目标 row, judged by the rules: its clauses, what the completion shows of each, how the
completion answers, and the verdict that sums them up."""

from __future__ import annotations

from reviewer.findings import Finding
from reviewer.model import TargetRow
from reviewer.narrative.answers import CopyIndex, OtherField, copied, empty_or_template, restates_target, vague
from reviewer.narrative.clauses import is_measurable, parse_clauses
from reviewer.narrative.evidence import SYMBOL, fmt, match_evidence, measure_name
from reviewer.narrative.text import MAX_COMPLETION_CHARS, excerpt
from reviewer.narrative.vocabulary import vocabulary
from reviewer.review import OUTCOME_LABEL, Clause, TargetVerdict



def _clause_text(clause: Clause) -> str:
    return clause.text.strip().rstrip("。；，,;")


def _wanted(clause: Clause) -> str:
    if clause.value is None:
        return "、".join(w for w in clause.time_words if w not in vocabulary().time_words_vague)
    return f"{SYMBOL[clause.comparator]}{fmt(clause.value)}{clause.unit}"


def not_measurable(row: TargetRow, clauses: list[Clause]) -> Finding:
    vague_time = [w for c in clauses for w in c.time_words if w in vocabulary().time_words_vague]
    why = "没有数值、单位或完成时限"
    if vague_time:
        why += "（“" + "”“".join(dict.fromkeys(vague_time)) + "”不是时限）"
    text = row.target.text.strip()
    shown = excerpt(text, 60)
    return Finding(
        code="target.not_measurable", severity="warning", source="rules", location=row.target.location,
        message=f"{row.kind}：绩效目标“{shown}”{why}，无法据以核对完成情况。应细化量化（数量、质量、时效、成本），"
                f"或写成可判断的分级定性目标。",
        found=text,
    )


def clause_finding(row: TargetRow, clause: Clause) -> Finding | None:
    """The finding a judged clause gives, carrying the clause's confidence and working (the severity
    stays as it is: the combiner maps (code, confidence) to what the department sees)."""
    finding = _clause_finding(row, clause)
    if finding is None:
        return None
    return finding.model_copy(update={"confidence": clause.confidence, "working": clause.working})


def _clause_finding(row: TargetRow, clause: Clause) -> Finding | None:
    loc = row.completion.location
    if clause.evidence_span is not None:
        loc = loc.with_span(*clause.evidence_span)
    head = f"{row.kind}：目标要求“{_clause_text(clause)}”，"
    if clause.outcome == "not_met":
        ask = "" if clause.comparator == "=" else "请说明偏差原因。"
        return Finding(code="target.not_met", severity="warning", source="rules", location=loc,
                       message=head + clause.note + ask, expected=_wanted(clause),
                       found=clause.found_value if clause.found_value is not None else clause.evidence)
    if clause.outcome in ("not_reported", "approximate"):
        return Finding(code="target.not_evidenced", severity="warning", source="rules", location=loc,
                       message=head + clause.note, expected=_wanted(clause), found=clause.evidence or None)
    if clause.outcome == "met" and clause.exceeds_by is not None:
        # far over target is no fault of the report: a person may ask whether the target was set too low
        return Finding(code="target.far_exceeded", severity="info", source="rules", location=loc,
                       message=f"{row.kind}：目标为“{_clause_text(clause)}”，完成情况为“{clause.found_raw or fmt(clause.found_value or 0)}”，"
                               f"是目标的{clause.exceeds_by:g}倍，目标值可能偏低，供下年度设定目标时参考。",
                       expected=_wanted(clause), found=clause.found_value)
    return None


def _verdict(measurable: list[Clause], answer_flags: list[str]) -> str:
    # a restated answer cannot show its target was reached, even when it repeats the target's figures
    # ("检验率达到98%以上"): the figure is the target's, not a count of what was done (domain.md §4)
    if "completion.restates_target" in answer_flags:
        return "not_evidenced"
    if not measurable:
        # a stock-phrase answer cannot show a qualitative target was reached either
        return "not_evidenced" if "completion.vague" in answer_flags else "not_checked"
    # an abstained clause is neither evidence nor its absence: the verdict rests on the others
    judged = [c for c in measurable if c.outcome != "abstain"]
    if not judged:
        return "not_checked"
    met = sum(c.outcome == "met" for c in judged)
    if met == len(judged):
        return "evidenced"
    return "partial" if met else "not_evidenced"


CONFIDENCE_ORDER = ("high", "medium", "low")


def verdict_confidence(measurable: list[Clause]) -> str:
    """The weakest confidence among the clauses a verdict rests on; low when a clause abstained."""
    if any(c.outcome == "abstain" for c in measurable):
        return "low"
    return max((c.confidence for c in measurable), key=CONFIDENCE_ORDER.index, default="high")


def _reason(measurable: list[Clause], qualitative: int, flags: list[str]) -> str:
    parts = []
    if measurable:
        counts = {}
        for c in measurable:
            counts[OUTCOME_LABEL[c.outcome]] = counts.get(OUTCOME_LABEL[c.outcome], 0) + 1
        parts.append(f"可衡量分句{len(measurable)}个（" + "，".join(f"{k}{n}个" for k, n in counts.items()) + "）")
    else:
        parts.append("目标没有可衡量的分句")
    if qualitative and measurable:
        parts.append(f"定性分句{qualitative}个未由规则判断")
    labels = {
        "completion.empty": "完成情况为空", "completion.template": "完成情况仍是填写说明",
        "completion.vague": "完成情况多为套话", "completion.restates_target": "完成情况复述目标",
        "completion.copied": "完成情况抄自其他栏目",
    }
    parts += [labels[f] for f in flags if f in labels]
    return "；".join(parts) + "。"


def _follow_up(row: TargetRow, measurable: list[Clause]) -> str:
    if not measurable:
        return f"请将“{row.kind}”的绩效目标细化量化，并按目标逐项填写实际完成值及佐证材料。"
    missing = [c for c in measurable if c.outcome in ("not_reported", "approximate")]
    if not missing:
        return ""
    asks = "；".join(
        f"“{c.object or _clause_text(c)}”的{measure_name(c.unit) if c.value is not None else '完成日期'}" for c in missing
    )
    return f"请补充{asks}的实际完成数，并附佐证材料。"


def review_row(row: TargetRow, others: list[OtherField] | CopyIndex) -> tuple[TargetVerdict, list[Finding]]:
    clauses = parse_clauses(row.target.text)
    measurable_idx = [i for i, c in enumerate(clauses) if is_measurable(c)]
    findings: list[Finding] = []
    if not measurable_idx:
        findings.append(not_measurable(row, clauses))

    blank = empty_or_template(row)
    if blank is not None:
        findings.append(blank)
        for i in measurable_idx:
            clauses[i] = clauses[i].model_copy(update={"outcome": "not_reported", "note": "完成情况未填写。"})
        answer = [blank]
    else:
        clauses = match_evidence(clauses, row.completion.text)
        findings += [f for c in clauses if (f := clause_finding(row, c)) is not None]
        answer = [f for f in (vague(row), restates_target(row), copied(row, others)) if f is not None]
        findings += answer

    measurable = [clauses[i] for i in measurable_idx]
    flags = list(dict.fromkeys(f.code for f in findings))
    answer_flags = [f.code for f in answer]
    verdict = "not_evidenced" if blank is not None else _verdict(measurable, answer_flags)
    reason = _reason(measurable, len(clauses) - len(measurable), answer_flags)
    if len(row.completion.text) > MAX_COMPLETION_CHARS:
        reason += f"完成情况超过{MAX_COMPLETION_CHARS}字，规则只读了前{MAX_COMPLETION_CHARS}字。"
    return TargetVerdict(
        target_index=row.index,
        by="rules",
        verdict=verdict,  # type: ignore[arg-type]
        clauses=clauses,
        flags=flags,
        reason=reason,
        follow_up=_follow_up(row, measurable),
        confidence=verdict_confidence(measurable) if blank is None else "high",  # type: ignore[arg-type]
    ), findings
