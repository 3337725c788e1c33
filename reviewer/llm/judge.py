"""The LLM evidence judge: one question per 定量目标 row, answers checked against the report.

judge_report never raises for model or transport trouble: a row whose call fails is marked
"未完成: <reason>" and the rest of the review is kept. Nothing the model says counts as evidence
unless its quote is found in the 完成情况 text.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reviewer.findings import Finding
from reviewer.llm.cache import Cache, cache_key
from reviewer.llm.config import LLMConfig
from reviewer.llm.errors import LLMError
from reviewer.llm.prompts import as_data, prompt_version, render
from reviewer.llm.redact import Redactor
from reviewer.llm.schema import VERDICT_LABEL, RowJudgement, schema_text
from reviewer.llm.skipped import not_run
from reviewer.llm.verify import QuoteVerifier, instruction_spans
from reviewer.model import Report, TargetRow
from reviewer.review import Clause, LLMRun, TargetVerdict

if TYPE_CHECKING:
    from reviewer.llm.client import Answer

log = logging.getLogger("reviewer.llm")

# How a model's clause verdict is shown in review.Clause.outcome (which speaks the rules' words).
_OUTCOME = {"evidenced": "met", "partial": "approximate", "not_evidenced": "not_reported", "not_applicable": "qualitative"}
NOTE_EMPTY = "未调用模型：完成情况为空"


@dataclass
class RowRequest:
    row: TargetRow
    clauses: list[str]
    system: str
    user: str
    key: str
    answer: Answer | None = None
    cached: bool = False
    error: LLMError | None = None


@dataclass
class _Counts:
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_modes: list[str] = field(default_factory=list)


# What one row may send. Real completions are a few hundred characters; a pasted-in document
# must not go out as one 1.7-million-character request. The cut is stated in the text sent and
# in the row's verdict (cut_note). Masking comes first, so a cut never splits a phone number into
# a part that no longer looks like one.
MAX_PROMPT_COMPLETION = 6_000
MAX_PROMPT_TARGET = 2_000
MAX_PROMPT_CLAUSES = 30
MAX_PROMPT_CLAUSE = 300


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"……（原文共{len(text)}字，只发送了前{limit}字）"


def cut_note(row: TargetRow) -> str:
    """The row's prompt cut in words, "" when nothing was cut."""
    cut = [f"{name}超过{limit}字，只发送了前{limit}字" for name, text, limit in
           (("完成情况", row.completion.text, MAX_PROMPT_COMPLETION), ("绩效目标", row.target.text, MAX_PROMPT_TARGET))
           if len(text) > limit]
    return "；".join(cut)


def _row_user_prompt(row: TargetRow, clauses: list[str], red: Redactor, schema: str | None) -> str:
    return render(
        "row.j2",
        clauses=[as_data(_cut(red.mask(c), MAX_PROMPT_CLAUSE)) for c in clauses[:MAX_PROMPT_CLAUSES]],
        category=as_data(_cut(red.mask(row.category), MAX_PROMPT_CLAUSE)),
        kind=as_data(_cut(red.mask(row.kind), MAX_PROMPT_CLAUSE)),
        target=as_data(_cut(red.mask(row.target.text), MAX_PROMPT_TARGET)),
        completion=as_data(_cut(red.mask(row.completion.text), MAX_PROMPT_COMPLETION)),
        schema=schema,
    )


def judge_report(
    report: Report, rule_verdicts: list[TargetVerdict], config: LLMConfig
) -> tuple[list[TargetVerdict], list[Finding], LLMRun]:
    note = config.not_usable_note
    if note is not None:
        return not_run(report, note, config)

    # The openai SDK (a third of a --no-llm review's time) loads only when the judge really runs.
    from reviewer.llm.client import Answer, ChatClient, scrub

    version = prompt_version()
    cache = Cache(config.cache_path)
    red = Redactor.for_report(report, enabled=config.redact)
    rules = {v.target_index: v for v in rule_verdicts if v.by == "rules"}
    system = render("system.j2")
    schema = schema_text()

    requests: list[RowRequest] = []
    skipped: list[TargetRow] = []
    counts = _Counts()
    for row in report.targets:
        if row.completion.blank:
            skipped.append(row)
            continue
        rule = rules.get(row.index)
        clauses = [c.text for c in rule.clauses if c.text.strip()] if rule else []
        user = _row_user_prompt(row, clauses, red, None)
        key = cache_key(config.base_url, config.model, version, [{"role": "system", "content": system}, {"role": "user", "content": user}])
        req = RowRequest(row, clauses, system, user, key)
        hit = cache.get(key)
        if hit is not None:
            answer_json, mode, pt, ct = hit
            try:
                req.answer = Answer(RowJudgement.model_validate_json(answer_json), answer_json, mode, pt, ct)
                req.cached = True
                counts.cache_hits += 1
                counts.cached_modes.append(mode)
            except ValueError:
                req.answer = None  # a stale entry from an older schema: ask again
        requests.append(req)

    try:
        client = ChatClient(
            config,
            remembered_mode=cache.mode_for(config.base_url, config.model),
            on_mode=lambda m: cache.remember_mode(config.base_url, config.model, m),
        )
    except Exception as exc:  # e.g. the SDK refusing the settings: every row 未完成, review kept
        reason = scrub(f"客户端无法创建: {type(exc).__name__}: {exc}"[:200], config.api_key)
        log.warning("LLM client could not be created: %s", reason)
        verdicts, _, run = not_run(report, f"未完成: {reason}", config)
        return verdicts, [], run

    def ask(req: RowRequest) -> None:
        def build(schema_in_prompt: bool) -> list[dict]:
            user = _row_user_prompt(req.row, req.clauses, red, schema) if schema_in_prompt else req.user
            return [{"role": "system", "content": req.system}, {"role": "user", "content": user}]

        def build_reask(errors: str, schema_in_prompt: bool) -> str:
            return render("reask.j2", errors=errors, schema=schema if schema_in_prompt else None)

        try:
            req.answer = client.judge(build, build_reask)
            cache.put(req.key, base_url=config.base_url, model=config.model, prompt_version=version,
                      mode=req.answer.mode, answer=req.answer.judgement.model_dump_json(),
                      prompt_tokens=req.answer.prompt_tokens, completion_tokens=req.answer.completion_tokens)
        except LLMError as exc:
            exc.reason = scrub(exc.reason, config.api_key)
            req.error = exc
            log.warning("LLM judge failed on target row %d: %s", req.row.index, exc.reason)
        except Exception as exc:  # a bug or an unforeseen SDK error: keep the review, mark the row
            req.error = LLMError(scrub(f"{type(exc).__name__}: {exc}"[:200], config.api_key))
            log.exception("unexpected error judging target row %d", req.row.index)

    todo = [r for r in requests if r.answer is None]
    try:
        # The first row alone settles the output mode; the rest then run side by side.
        if todo and client.mode is None:
            ask(todo[0])
            todo = todo[1:]
        if todo:
            with ThreadPoolExecutor(max_workers=max(1, config.concurrency)) as pool:
                list(pool.map(ask, todo))
    finally:
        client.close()

    verdicts: list[TargetVerdict] = []
    findings: list[Finding] = []
    by_index = {r.row.index: r for r in requests}
    failed = 0
    for row in report.targets:
        req = by_index.get(row.index)
        if req is None:
            verdicts.append(TargetVerdict(target_index=row.index, by="llm", verdict="not_checked",
                                          status_note=NOTE_EMPTY, flags=["llm.not_run"]))
            findings.append(Finding(code="llm.not_run", severity="info", source="llm", location=row.completion.location,
                                    message=f"第{row.index + 1}个定量目标（{row.kind}）完成情况为空，未请模型判断。"))
            continue
        if req.answer is None:
            failed += 1
            reason = req.error.reason if req.error else "未知原因"
            verdicts.append(TargetVerdict(target_index=row.index, by="llm", verdict="not_checked",
                                          status_note=f"未完成: {reason}", flags=["llm.failed"]))
            findings.append(Finding(code="llm.failed", severity="info", source="llm", location=row.completion.location,
                                    message=f"第{row.index + 1}个定量目标（{row.kind}）的模型判断未完成：{reason}。请人工核对。"))
            continue
        verdict, row_findings = assess(row, req.answer.judgement, rules.get(row.index), red)
        verdicts.append(verdict)
        findings.extend(row_findings)

    judged = len(requests) - failed
    run = LLMRun(
        ran=judged > 0,
        note=_run_note(judged, failed, len(skipped), counts.cache_hits),
        model=config.model,
        base_url=config.base_url,
        mode=client.mode or (counts.cached_modes[0] if counts.cached_modes else ""),
        prompt_version=version,
        calls=client.calls,
        cache_hits=counts.cache_hits,
        prompt_tokens=client.prompt_tokens,
        completion_tokens=client.completion_tokens,
    )
    return verdicts, findings, run


def _run_note(judged: int, failed: int, skipped: int, hits: int) -> str:
    parts = [f"已判断 {judged} 行"]
    if hits:
        parts.append(f"其中 {hits} 行来自缓存")
    if failed:
        parts.append(f"{failed} 行未完成")
    if skipped:
        parts.append(f"{skipped} 行完成情况为空未判断")
    return "，".join(parts)


def _aggregate(verdicts: list[str]) -> str:
    applicable = [v for v in verdicts if v != "not_applicable"]
    if not applicable:
        return "not_applicable"
    if all(v == "evidenced" for v in applicable):
        return "evidenced"
    if any(v in ("evidenced", "partial") for v in applicable):
        return "partial"
    return "not_evidenced"


def assess(
    row: TargetRow, judgement: RowJudgement, rule: TargetVerdict | None, red: Redactor
) -> tuple[TargetVerdict, list[Finding]]:
    """Turn one validated answer into a TargetVerdict: verify quotes, downgrade, compare with rules."""
    loc = row.completion.location
    completion = row.completion.text
    verifier = QuoteVerifier(completion)
    target_locator = QuoteVerifier(row.target.text)
    findings: list[Finding] = []
    clauses: list[Clause] = []
    final: list[str] = []
    verified_quotes: list[str] = []
    bad: list[tuple[str, str, tuple[int, int] | None]] = []  # (quote, problem, span)
    downgrades: list[str] = []
    reasons: list[str] = []

    for cj in judgement.clauses:
        clause_text = red.unmask(cj.clause)
        reason = red.unmask(cj.reason)
        checks = [verifier.check(red.unmask(q)) for q in cj.quotes]
        ok = [c for c in checks if c.verified]
        for c in checks:
            if not c.verified:
                bad.append((c.quote, c.problem, c.span))
        v = cj.verdict
        if v in ("evidenced", "partial") and not ok:
            new = "not_evidenced"
        elif v == "evidenced" and len(ok) < len(checks):
            new = "partial"
        else:
            new = v
        note = f"模型：{VERDICT_LABEL[v]}。{reason}".strip()
        if new != v:
            downgrades.append(f"“{clause_text[:30]}”由“{VERDICT_LABEL[v]}”降为“{VERDICT_LABEL[new]}”")
            note += f"（引文未能在原文中核实，降为“{VERDICT_LABEL[new]}”）"
        final.append(new)
        for c in ok:
            if c.text not in verified_quotes:
                verified_quotes.append(c.text)
        located = target_locator.check(clause_text).span
        clauses.append(Clause(
            text=clause_text,
            span=located or (0, 0),
            outcome=_OUTCOME[new],  # type: ignore[arg-type]
            evidence=ok[0].text if ok else "",
            evidence_span=ok[0].span if ok else None,
            note=note,
        ))
        if reason:
            reasons.append(reason)

    verdict = _aggregate(final)
    flags: list[str] = []
    if bad:
        flags.append("llm.unverified_quote")
        listed = "；".join(f"“{q[:60]}”（{p}）" for q, p, _ in bad[:3])
        more = f"等{len(bad)}处" if len(bad) > 3 else ""
        span = bad[0][2]
        msg = f"第{row.index + 1}个定量目标（{row.kind}）：模型引用的文字未能在完成情况中核实：{listed}{more}。"
        if downgrades:
            msg += "已将" + "，".join(downgrades) + "。"
        findings.append(Finding(code="llm.unverified_quote", severity="warning", source="llm", message=msg,
                                location=loc.with_span(*span) if span else loc, found=bad[0][0][:200]))

    injected = instruction_spans(completion)
    reason_text = "；".join(reasons)
    if injected:
        reason_text = "完成情况中含有要求评审如何判定的指令性文字，已作为数据忽略。" + reason_text

    disagreement = _disagreement(verdict, rule)
    if disagreement is not None:
        severity, rule_side = disagreement
        flags.append("llm.disagrees_with_rules")
        model_side = f"{VERDICT_LABEL[verdict]}（{reason_text[:120] or '未说明理由'}"
        if verified_quotes:
            model_side += "；引文：" + "／".join(f"“{q[:40]}”" for q in verified_quotes[:2])
        model_side += "）"
        findings.append(Finding(
            code="llm.disagrees_with_rules", severity=severity, source="llm", location=loc,
            message=f"第{row.index + 1}个定量目标（{row.kind}）规则与模型的判断不一致，请人工核定。"
                    f"规则：{rule_side}；模型：{model_side}。",
            expected=rule_side, found=model_side,
        ))

    if judgement.vague:
        flags.append("completion.vague")
        findings.append(Finding(code="completion.vague", severity="info", source="llm", location=loc,
                                message=f"第{row.index + 1}个定量目标（{row.kind}）：模型认为完成情况多为套话，缺少数字、日期或具体成果。"))

    return TargetVerdict(
        target_index=row.index,
        by="llm",
        verdict=verdict,  # type: ignore[arg-type]
        clauses=clauses,
        flags=flags,
        reason=reason_text,
        quotes=verified_quotes,
        follow_up=red.unmask(judgement.follow_up),
        status_note=cut_note(row),
    ), findings


def _disagreement(llm_verdict: str, rule: TargetVerdict | None) -> tuple[str, str] | None:
    """(severity, the rules' side in words) when the two judges point opposite ways."""
    if rule is None or rule.verdict == "not_checked":
        return None
    not_met = [c for c in rule.clauses if c.outcome == "not_met"]
    if llm_verdict == "evidenced" and (not_met or rule.verdict == "not_evidenced"):
        if not_met:
            c = not_met[0]
            side = f"“{c.text[:40]}”未达到目标"
            if c.evidence:
                side += f"（完成情况：“{c.evidence[:40]}”）"
            if c.note:
                side += f"，{c.note[:60]}"
        else:
            side = f"{VERDICT_LABEL[rule.verdict]}" + (f"（{rule.reason[:80]}）" if rule.reason else "")
        return "warning", side
    if llm_verdict == "not_evidenced" and rule.verdict == "evidenced":
        side = "有据" + (f"（{rule.reason[:80]}）" if rule.reason else "")
        return "info", side
    return None
