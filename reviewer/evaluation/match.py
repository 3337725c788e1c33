"""Scoring one review against its gold annotation: pure functions, no files.

Rules (corpus README, "Scoring a tool run"):
- an `expected` entry is hit when some finding has its code (or one of `also_accept`) and its
  `where` strings all occur in the finding's message or location label — or all strings of one
  `where_any` list do; whitespace is removed before comparing; `batch_only` entries count only
  when the reports were reviewed together;
- a `must_not` entry is violated by a finding with its code (`*` = any) and severity, if given,
  whose text matches the same way;
- a false alarm is a warning/error finding that matches no `expected` or `acceptable` entry.
"""

from __future__ import annotations

import re

from reviewer.evaluation.gold import ALWAYS_ACCEPTABLE, Gold, GoldEntry, GoldScore, GoldTarget
from reviewer.evaluation.result import FindingRef, ReportScore, ScoreCheck, TargetCheck
from reviewer.findings import Finding
from reviewer.numbers import compact
from reviewer.review import Review


def finding_text(f: Finding) -> str:
    """What a gold `where` is looked up in: the message and every location label of the finding."""
    labels = [f.location.label, *(loc.label for loc in getattr(f, "also", []) or [])]
    return compact(" ".join([f.message, *labels]))


def text_matches(entry: GoldEntry, text: str) -> bool:
    if all(compact(w) in text for w in entry.where):
        return True
    return any(all(compact(w) in text for w in alt) for alt in entry.where_any)


def entry_matches(entry: GoldEntry, f: Finding, *, text: str | None = None) -> bool:
    if entry.code != "*" and f.code not in entry.codes():
        return False
    if entry.severity and f.severity != entry.severity:
        return False
    return text_matches(entry, finding_text(f) if text is None else text)


def ref(f: Finding) -> FindingRef:
    return FindingRef(code=f.code, severity=f.severity, message=f.message, where=f.location.describe())


# --- targets ------------------------------------------------------------------------------------


def tool_target_verdict(review: Review, target_index: int, by: str) -> str | None:
    """The tool's verdict on one target row in the gold's vocabulary: a clause found below its
    target makes the row `not_met`; an abstention stays `not_checked`."""
    verdict = next((v for v in review.verdicts if v.target_index == target_index and v.by == by), None)
    if verdict is None:
        return None
    if by == "llm" and verdict.status_note and verdict.verdict == "not_checked":
        return None  # not run / failed: the LLM gave no verdict to compare
    if any(c.outcome == "not_met" for c in verdict.clauses):
        return "not_met"
    return verdict.verdict


def _pair_targets(review: Review, gold: list[GoldTarget]) -> list[tuple[GoldTarget, int | None]]:
    """Gold target → the report's target row: by the exact target text, else the first unused row
    of the same indicator."""
    rows = review.report.targets
    used: set[int] = set()
    pairs: list[tuple[GoldTarget, int | None]] = []
    for g in gold:
        want = compact(g.target)
        hit = next((r.index for r in rows if r.index not in used and want and compact(r.target.text) == want), None)
        if hit is None:
            hit = next((r.index for r in rows if r.index not in used and compact(r.kind) == compact(g.indicator)), None)
        if hit is not None:
            used.add(hit)
        pairs.append((g, hit))
    return pairs


def check_targets(review: Review, gold: list[GoldTarget]) -> list[TargetCheck]:
    out = []
    for g, index in _pair_targets(review, gold):
        rules = tool_target_verdict(review, index, "rules") if index is not None else None
        llm = tool_target_verdict(review, index, "llm") if index is not None else None
        out.append(TargetCheck(indicator=g.indicator, gold=g.verdict, rules=rules, llm=llm, found=index is not None))
    return out


# --- scores -------------------------------------------------------------------------------------

# The tool's indicator status → the gold statuses it agrees with. 存疑 (doubtful) is the tool saying
# "the report does not carry this score": gold calls that contradicted when a target was missed and
# unverifiable when the evidence is absent; it is never agreement with `verified`.
AGREES = {
    "verified": {"verified"},
    "unverifiable": {"unverifiable"},
    "wrong": {"contradicted"},
    "doubtful": {"contradicted", "unverifiable"},
    "not_checked": set(),
}


def _norm_indicator(name: str) -> str:
    return re.sub(r"[\s“”\"'‘’（）()]", "", name)


def check_scores(review: Review, gold: list[GoldScore]) -> list[ScoreCheck]:
    used: set[int] = set()
    out = []
    for g in gold:
        want = _norm_indicator(g.indicator)
        hit = None
        for k, ind in enumerate(review.indicators):
            name = _norm_indicator(ind.indicator)
            if k not in used and (name == want or (want and (want in name or name in want))):
                hit = k
                break
        if hit is None:
            out.append(ScoreCheck(indicator=g.indicator, gold=g.status, found=False))
            continue
        used.add(hit)
        ind = review.indicators[hit]
        agree = g.status in AGREES.get(ind.status, set())
        value_ok = None
        if g.status == "verified" and g.recomputed is not None:
            value_ok = ind.status == "verified" and _value_ok(g, ind.recomputed if ind.recomputed is not None else ind.claimed)
        out.append(ScoreCheck(
            indicator=g.indicator, gold=g.status, tool=ind.status, agree=agree, found=True,
            gold_value=g.recomputed, tool_value=ind.recomputed, value_ok=value_ok,
        ))
    return out


def _value_ok(g: GoldScore, value: float | None) -> bool:
    if value is None:
        return False
    low, high = g.range if g.range else (g.recomputed, g.recomputed)
    return low - 0.5 <= value <= high + 0.5 if g.range else abs(value - high) <= 0.05


# --- findings -----------------------------------------------------------------------------------


def score_review(name: str, review: Review, gold: Gold, *, batch: bool) -> ReportScore:
    findings = review.findings
    texts = [finding_text(f) for f in findings]
    expected = [e for e in gold.expected if batch or not e.batch_only]
    caught, missed = [], []
    for e in expected:
        if any(entry_matches(e, f, text=t) for f, t in zip(findings, texts)):
            caught.append(e)
        else:
            missed.append(e)
    violations = []  # one per must_not entry violated, with the findings that violate it
    for e in gold.must_not:
        hits = [f for f, t in zip(findings, texts) if entry_matches(e, f, text=t)]
        if hits:
            violations.append((e, hits))
    acceptable = [*gold.acceptable, *(GoldEntry(code=c) for c in ALWAYS_ACCEPTABLE)]
    false_alarms = []
    for f, t in zip(findings, texts):
        if f.severity == "info":
            continue
        if any(entry_matches(e, f, text=t) for e in (*gold.expected, *acceptable)):
            continue
        false_alarms.append(f)
    precision: dict[str, tuple[int, int]] = {}
    for f, t in zip(findings, texts):
        if f.code in ALWAYS_ACCEPTABLE:
            continue
        key = f"{f.code}@{f.confidence}"
        right = any(entry_matches(e, f, text=t) for e in (*gold.expected, *gold.acceptable))
        a, b = precision.get(key, (0, 0))
        precision[key] = (a + right, b + 1)
    clauses = [c for v in review.verdicts if v.by == "rules" for c in v.clauses if c.value is not None or c.comparator]
    return ReportScore(
        precision=precision, abstained=(sum(c.outcome == "abstain" for c in clauses), len(clauses)),
        file=name, layout=review.report.layout, gold_layout=gold.layout, kind=gold.kind, reviewed=True,
        expected=len(expected), caught=len(caught),
        caught_by_code=_count_codes(caught), expected_by_code=_count_codes(expected),
        missed=[e.model_dump(include={"code", "where", "where_any", "why"}) for e in missed],
        must_not_violated=[
            {"entry": e.model_dump(include={"code", "severity", "where", "why"}), "findings": [ref(f).model_dump() for f in hits]}
            for e, hits in violations
        ],
        false_alarms=[ref(f) for f in false_alarms],
        targets=check_targets(review, gold.targets),
        scores=check_scores(review, gold.scores),
        llm_ran=review.llm.ran,
    )


def _count_codes(entries: list[GoldEntry]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in entries:
        counts[e.code] = counts.get(e.code, 0) + 1
    return counts
