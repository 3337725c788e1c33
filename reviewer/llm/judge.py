"""The LLM evidence judge: one question per 定量目标 row, answers checked against the report.

judge_report never raises for model or transport trouble: a row whose call fails is marked
"未完成: <reason>" and the rest of the review is kept. Nothing the model says counts as evidence
unless its quote is found in the 完成情况 text.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reviewer.findings import Finding
from reviewer.llm.cache import Cache, cache_key
from reviewer.llm.config import LLMConfig
from reviewer.llm.errors import Cancelled, EndpointStopped, LLMError
from reviewer.llm.prompts import as_data, prompt_version, render
from reviewer.llm.redact import Redactor
from reviewer.llm.schema import GRAMMAR_LIMITS, RowJudgement, schema_text
from reviewer.llm.skipped import not_run
from reviewer.llm.verify import QuoteVerifier, instruction_spans, quote_choices
from reviewer.model import Report, TargetRow
from reviewer.review import VERDICT_LABEL, Clause, LLMRun, TargetVerdict

if TYPE_CHECKING:
    from reviewer.llm.client import Answer

log = logging.getLogger("reviewer.llm")

# How a model's clause verdict is shown in review.Clause.outcome (which speaks the rules' words).
_OUTCOME = {"evidenced": "met", "partial": "approximate", "not_evidenced": "not_reported",
            "not_applicable": "qualitative", "not_checked": "not_checked"}
NOTE_EMPTY = "未调用模型：完成情况为空"
NOTE_INTERRUPTED = "已中断 (Ctrl-C)"
CLAIM_POLL = 0.25  # seconds between looks at an answer another review is fetching
GRACE = 2.0  # seconds past the deadline the caller waits for a request to notice it


@dataclass
class RowRequest:
    row: TargetRow
    clauses: list[Clause]  # the rules' clauses sent to the model, numbered 1…n (may be empty)
    system: str
    user: str
    key: str
    answer: Answer | None = None
    error: LLMError | None = None
    copies: list[RowRequest] = field(default_factory=list)  # identical rows of this report


@dataclass
class _Counts:
    cache_hits: int = 0
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


def _answer_from_cache(hit: tuple[str, str, int, int]) -> Answer | None:
    from reviewer.llm.client import Answer

    answer_json, mode, pt, ct = hit
    try:
        return Answer(RowJudgement.model_validate_json(answer_json), mode, pt, ct)
    except ValueError:
        return None  # a stale entry from an older schema: ask again


def _missing(req: RowRequest, red: Redactor) -> Callable[[RowJudgement], tuple[list[int], str]]:
    """The per-clause contract: every numbered clause sent must come back, matched by id."""
    def check(judgement: RowJudgement) -> tuple[list[int], str]:
        answered = {c.id for c in judgement.clauses}
        gaps = [i for i in range(1, len(req.clauses) + 1) if i not in answered]
        lines = [f"- 缺少第{i}条分句的判断（id {i}：{as_data(red.mask(req.clauses[i - 1].text))}）" for i in gaps]
        return gaps, "\n".join(lines + ["clauses 中每个编号都要有一项，id 与提问中的编号一致。"] if lines else [])
    return check


def run_with_deadline(tasks: list[Callable[[], None]], workers: int, deadline_at: float,
                      cancel: threading.Event) -> str:
    """Run tasks on daemon threads until all are done, the deadline passes or Ctrl-C.

    Returns "done", "deadline" or "interrupted"; raises the first exception a task raised (a bug:
    the tasks turn every expected failure into data). Threads, not a ThreadPoolExecutor: its workers
    are joined at interpreter exit, so a request stuck in a read would hold up Ctrl-C and the exit.
    """
    if not tasks:
        return "done"
    todo: queue.SimpleQueue = queue.SimpleQueue()
    for t in tasks:
        todo.put(t)
    left = [len(tasks)]
    lock = threading.Lock()
    finished = threading.Event()
    bugs: list[Exception] = []

    def worker() -> None:
        while not cancel.is_set():
            try:
                task = todo.get_nowait()
            except queue.Empty:
                return
            try:
                task()
            except Exception as exc:  # handed to the caller's thread, and no more tasks start
                bugs.append(exc)
                cancel.set()
                with lock:
                    finished.set()
            finally:
                with lock:
                    left[0] -= 1
                    if left[0] == 0:
                        finished.set()

    for _ in range(max(1, min(workers, len(tasks)))):
        threading.Thread(target=worker, daemon=True, name="reviewer-llm").start()
    try:
        while not finished.is_set():
            remaining = deadline_at + GRACE - time.monotonic()
            if remaining <= 0:
                cancel.set()
                return "deadline"
            finished.wait(min(remaining, 0.5))  # short waits: Ctrl-C is seen promptly
    except KeyboardInterrupt:
        cancel.set()
        return "interrupted"
    if bugs:
        raise bugs[0]
    return "done"


def _plan(report: Report, rules: dict[int, TargetVerdict], config: LLMConfig, red: Redactor, cache: Cache,
          version: str, system: str) -> tuple[list[RowRequest], list[TargetRow], dict[str, RowRequest], _Counts]:
    """One request per row with a completion; identical questions share the first one's request
    (`copies`), and answers already in the cache are filled in."""
    requests: list[RowRequest] = []
    skipped: list[TargetRow] = []
    counts = _Counts()
    by_key: dict[str, RowRequest] = {}
    # Answers given with pinned quotes are another question's answers.
    asked = version + ("+quote-choices" if config.quote_choices else "")
    for row in report.targets:
        if row.completion.blank:
            skipped.append(row)
            continue
        rule = rules.get(row.index)
        clauses = [c for c in rule.clauses if c.text.strip()] if rule else []
        user = _row_user_prompt(row, [c.text for c in clauses], red, None)
        key = cache_key(config.base_url, config.model, asked, [{"role": "system", "content": system}, {"role": "user", "content": user}])
        req = RowRequest(row, clauses, system, user, key)
        requests.append(req)
        if key in by_key:  # the same question twice in one report: asked once
            by_key[key].copies.append(req)
            continue
        by_key[key] = req
        hit = cache.get(key)
        if hit is not None:
            req.answer = _answer_from_cache(hit)
            if req.answer is not None:
                counts.cache_hits += 1
                counts.cached_modes.append(req.answer.mode)
    return requests, skipped, by_key, counts


def _results(report: Report, requests: list[RowRequest], rules: dict[int, TargetVerdict],
             red: Redactor) -> tuple[list[TargetVerdict], list[Finding], int]:
    """Every row's verdict and findings, in report order, and how many rows failed."""
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
        verdict, row_findings = assess(row, req.answer.judgement, rules.get(row.index), red, req.clauses)
        verdicts.append(verdict)
        findings.extend(row_findings)
    return verdicts, findings, failed


def judge_report(
    report: Report, rule_verdicts: list[TargetVerdict], config: LLMConfig
) -> tuple[list[TargetVerdict], list[Finding], LLMRun]:
    note = config.not_usable_note
    if note is not None:
        return not_run(report, note, config)

    # The openai SDK (a third of a --no-llm review's time) loads only when the judge really runs.
    from reviewer.llm.client import ChatClient, scrub

    version = prompt_version()
    cache = Cache(config.cache_path)
    red = Redactor.for_report(report, enabled=config.redact)
    rules = {v.target_index: v for v in rule_verdicts if v.by == "rules"}
    system = render("system.j2")
    schema = schema_text()

    requests, skipped, by_key, counts = _plan(report, rules, config, red, cache, version, system)

    deadline_at = time.monotonic() + config.deadline
    cancel = threading.Event()
    try:
        client = ChatClient(
            config,
            remembered_mode=cache.mode_for(config.base_url, config.model),
            on_mode=lambda m: cache.remember_mode(config.base_url, config.model, m),
            deadline_at=deadline_at, cancel=cancel,
        )
    except EndpointStopped as exc:  # the SDK refused the settings: every row 未完成, review kept
        log.warning("LLM client could not be created: %s", exc.reason)
        verdicts, _, run = not_run(report, f"未完成: {exc.reason}", config)
        return verdicts, [], run

    owner = uuid.uuid4().hex
    results_lock = threading.Lock()
    closed = [False]  # set once the caller stopped waiting: late answers are dropped

    def settle(req: RowRequest, answer: Answer | None, error: LLMError | None) -> bool:
        with results_lock:
            if closed[0]:
                return False  # abandoned (deadline, Ctrl-C): nobody reads it any more
            req.answer, req.error = answer, error
            return True

    def wait_for_other(req: RowRequest) -> Answer | None:
        """Another review is asking this exact question: wait for its answer (or its claim to lapse)."""
        while not cache.claim(req.key, owner, min(config.timeout * 2, max(1.0, client.remaining()))):
            if cancel.is_set() or client.remaining() <= 0:
                return None
            hit = cache.get(req.key)
            if hit is not None:
                return _answer_from_cache(hit)
            cancel.wait(CLAIM_POLL)
        hit = cache.get(req.key)  # answered between our first look and the claim
        return _answer_from_cache(hit) if hit is not None else None

    def choices_for(row: TargetRow) -> tuple[str, ...]:
        if not config.quote_choices:
            return ()
        return quote_choices(red.mask(row.completion.text)[:MAX_PROMPT_COMPLETION], GRAMMAR_LIMITS["quote"])

    def ask(req: RowRequest) -> None:
        def build(schema_in_prompt: bool) -> list[dict]:
            user = _row_user_prompt(req.row, [c.text for c in req.clauses], red, schema) if schema_in_prompt else req.user
            return [{"role": "system", "content": req.system}, {"role": "user", "content": user}]

        def build_reask(errors: str, schema_in_prompt: bool) -> str:
            return render("reask.j2", errors=errors, schema=schema if schema_in_prompt else None)

        try:
            client.check_open()  # a stopped endpoint or a passed deadline: not even a wait
            ready = wait_for_other(req)
            if ready is not None:
                with results_lock:
                    counts.cache_hits += 1
                    counts.cached_modes.append(ready.mode)
                settle(req, ready, None)
                return
            try:
                answer = client.judge(build, build_reask, _missing(req, red), choices_for(req.row))
                if req.clauses and len(answer.missing) == len(req.clauses):  # not one clause by its id
                    raise LLMError("模型没有按编号判断任何分句（重问一次后仍是如此）", attempts=2)
                # An incomplete answer is cached too: it already had its re-ask, and a second review
                # of the same text at temperature 0 would only buy the same gap again.
                cache.put(req.key, base_url=config.base_url, model=config.model, prompt_version=version,
                          mode=answer.mode, answer=answer.judgement.model_dump_json(),
                          prompt_tokens=answer.prompt_tokens or 0, completion_tokens=answer.completion_tokens or 0)
            finally:
                cache.release(req.key, owner)  # after the put: a waiting review finds the answer, not a gap
            settle(req, answer, None)
        except LLMError as exc:
            exc.reason = scrub(exc.reason, config.api_key)
            if not settle(req, None, exc):
                return
            if (isinstance(exc, EndpointStopped) and not exc.first) or isinstance(exc, Cancelled):
                log.info("LLM judge skipped target row %d: %s", req.row.index, exc.reason)
            elif not isinstance(exc, EndpointStopped):  # a stop was already said in one line
                log.warning("LLM judge failed on target row %d: %s", req.row.index, exc.reason)
        # Anything else is a bug of ours (foreign errors became LLMError in client.py): it is raised
        # by run_with_deadline, never dressed as a 未完成 row.

    todo = [r for r in by_key.values() if r.answer is None]
    if config.batch_plan:  # a provider batch job asks them (reviewer.llm.batch_jobs)
        todo = _divert(todo, config, cache, red, schema, choices_for)
    outcome = "done"
    try:
        # The first row alone settles the output mode; the rest then run side by side.
        if todo and client.mode is None:
            outcome = run_with_deadline([lambda r=todo[0]: ask(r)], 1, deadline_at, cancel)
            todo = todo[1:]
        if todo and outcome == "done":
            outcome = run_with_deadline([lambda r=r: ask(r) for r in todo], config.concurrency, deadline_at, cancel)
    finally:
        with results_lock:
            closed[0] = True
        cache.release(None, owner)  # calls still in flight are abandoned: others may ask
        client.close()
    if outcome == "interrupted":
        config.halts.stop(client.halt_key, NOTE_INTERRUPTED)
        log.warning("LLM 调用已中断：已完成的判断照常写出")
    stopped = {"deadline": f"超过每份报告的时限 ({config.deadline:g} 秒)", "interrupted": NOTE_INTERRUPTED}.get(outcome)
    for first in by_key.values():
        if first.answer is None and first.error is None and stopped:
            first.error = Cancelled(stopped)
        for copy in first.copies:
            copy.answer, copy.error = first.answer, first.error
    if stopped is None:  # the client itself may have met the deadline
        stopped = next((r.error.reason for r in by_key.values() if isinstance(r.error, Cancelled)), None)

    verdicts, findings, failed = _results(report, requests, rules, red)
    judged = len(requests) - failed
    stop_reason = config.halts.reason(client.halt_key)
    run = LLMRun(
        ran=judged > 0,
        note=_run_note(judged, failed, len(skipped), counts.cache_hits, stop_reason or stopped),
        model=config.model,
        base_url=config.base_url,
        mode=client.mode or (counts.cached_modes[0] if counts.cached_modes else ""),
        prompt_version=version,
        calls=client.calls,
        cache_hits=counts.cache_hits,
        prompt_tokens=client.prompt_tokens,
        completion_tokens=client.completion_tokens,
        usage_unknown=client.usage_unknown,
        interrupted=outcome == "interrupted",
    )
    return verdicts, findings, run


def _divert(todo: list[RowRequest], config: LLMConfig, cache: Cache, red: Redactor, schema: str,
            choices_for: Callable[[TargetRow], tuple[str, ...]]) -> list[RowRequest]:
    """With a batch plan: the questions a finished job left unanswered are asked live (returned);
    the others become request lines of the next job, or wait for the job that has them, and their
    rows read 未完成: QUEUED until a later run collects the answers."""
    from reviewer.llm.batch_jobs import QUEUED, batch_mode, plan_for, request_body, spool
    from reviewer.llm.client import MODES

    plan = plan_for(config)
    if plan is None:
        return todo
    mode = batch_mode(config, cache.mode_for(config.base_url, config.model))
    live, lines = [], []
    for req in todo:
        if req.key in plan.live:
            live.append(req)
            continue
        req.error = LLMError(QUEUED)
        if req.key not in plan.running:
            user = _row_user_prompt(req.row, [c.text for c in req.clauses], red, schema) if MODES[mode].schema_in_prompt else req.user
            messages = [{"role": "system", "content": req.system}, {"role": "user", "content": user}]
            lines.append({"request": {"custom_id": req.key, "method": "POST", "url": "/v1/chat/completions",
                                      "body": request_body(config, mode, messages, choices_for(req.row))},
                          "mode": mode, "clauses": len(req.clauses)})
    spool(plan, lines)
    return live


def _run_note(judged: int, failed: int, skipped: int, hits: int, stopped: str | None = None) -> str:
    parts = [f"已判断 {judged} 行"]
    if hits:
        parts.append(f"其中 {hits} 行来自缓存")
    if failed:
        parts.append(f"{failed} 行未完成")
    if skipped:
        parts.append(f"{skipped} 行完成情况为空未判断")
    if stopped:
        parts.append(f"调用已停止：{stopped}")
    return "，".join(parts)


def _aggregate(verdicts: list[str]) -> str:
    """Row verdict from clause verdicts; a clause the model left out ("not_checked") never passes."""
    applicable = [v for v in verdicts if v != "not_applicable"]
    if not applicable:
        return "not_applicable"
    if all(v == "not_checked" for v in applicable):
        return "not_checked"
    if all(v == "evidenced" for v in applicable):
        return "evidenced"
    if any(v in ("evidenced", "partial") for v in applicable):
        return "partial"
    return "not_evidenced"


def asked_figure(clause_text: str, rule_clause: Clause | None) -> Clause | None:
    """The rules' reading of a clause when it asks for a figure (a value with a unit), else None.
    Clauses the model split itself are read by the same clause parser."""
    if rule_clause is not None:
        return rule_clause if rule_clause.value is not None else None
    from reviewer.narrative.clauses import parse_clauses

    parsed = [c for c in parse_clauses(clause_text) if c.value is not None]
    return parsed[0] if len(parsed) == 1 else None


def _same_unit(a: str | None, b: str) -> bool:
    from reviewer.narrative.vocabulary import vocabulary

    if not b:
        return True  # the target names no unit: any figure will do
    money = vocabulary().money_units
    return a == b or (a in money and b in money)


def quote_has_figure(quote: str, asked: Clause) -> bool:
    """Whether a quote carries a number in the unit the clause asks for ("出刊11期" for "15期以上")."""
    from reviewer.narrative.figures import find_figures
    from reviewer.narrative.text import fold

    return any(f.value is not None and not f.change and _same_unit(f.unit, asked.unit)
               for f in find_figures(fold(quote)))


@dataclass
class _ClauseResult:
    clause: Clause
    verdict: str  # after the tool's checks
    rule: Clause | None  # the rules' clause it answers (per-clause contract), if any


def _judge_clause(cj, rule_clause: Clause | None, verifier: QuoteVerifier, target_locator: QuoteVerifier,
                  red: Redactor, bad: list, downgrades: list[str]) -> _ClauseResult:
    clause_text = rule_clause.text if rule_clause is not None else red.unmask(cj.clause)
    reason = red.unmask(cj.reason)
    checks = [verifier.check(red.unmask(q)) for q in cj.quotes]
    ok = [c for c in checks if c.verified]
    for c in checks:
        if not c.verified:
            bad.append((c.quote, c.problem, c.span))
    v = cj.verdict
    why = ""
    if v in ("evidenced", "partial") and not ok:
        new, why = "not_evidenced", "引文未能在原文中核实"
    elif v == "evidenced" and len(ok) < len(checks):
        new, why = "partial", "引文未能在原文中核实"
    else:
        new = v
    asked = asked_figure(clause_text, rule_clause)
    if new == "evidenced" and asked is not None and not any(quote_has_figure(c.text, asked) for c in ok):
        unit = f"以“{asked.unit}”计的" if asked.unit else ""
        new, why = "partial", f"引文中没有{unit}数字，不能证明目标要求的数量"
    note = f"模型：{VERDICT_LABEL[v]}。{reason}".strip()
    if new != v:
        downgrades.append(f"“{clause_text[:30]}”由“{VERDICT_LABEL[v]}”降为“{VERDICT_LABEL[new]}”（{why}）")
        note += f"（{why}，降为“{VERDICT_LABEL[new]}”）"
    located = rule_clause.span if rule_clause is not None else target_locator.check(clause_text).span
    return _ClauseResult(Clause(
        text=clause_text,
        span=located or (0, 0),
        outcome=_OUTCOME[new],  # type: ignore[arg-type]
        evidence=ok[0].text if ok else "",
        evidence_span=ok[0].span if ok else None,
        quotes=[c.text for c in ok],
        note=note,
    ), new, rule_clause)


def assess(
    row: TargetRow, judgement: RowJudgement, rule: TargetVerdict | None, red: Redactor,
    sent: list[Clause] | None = None,
) -> tuple[TargetVerdict, list[Finding]]:
    """Turn one validated answer into a TargetVerdict: match clauses by id, verify quotes, downgrade,
    compare with the rules clause by clause."""
    loc = row.completion.location
    completion = row.completion.text
    verifier = QuoteVerifier(completion)
    target_locator = QuoteVerifier(row.target.text)
    findings: list[Finding] = []
    results: list[_ClauseResult] = []
    bad: list[tuple[str, str, tuple[int, int] | None]] = []  # (quote, problem, span)
    downgrades: list[str] = []
    reasons: list[str] = []
    left_out: list[Clause] = []
    where = f"第{row.index + 1}个定量目标（{row.kind}）"

    if sent:
        by_id: dict[int, object] = {}
        for cj in judgement.clauses:
            by_id.setdefault(cj.id, cj)
        for i, rule_clause in enumerate(sent, start=1):
            cj = by_id.get(i)
            if cj is None:
                left_out.append(rule_clause)
                results.append(_ClauseResult(rule_clause.model_copy(update={
                    "outcome": "not_checked", "evidence": "", "evidence_span": None,
                    "note": "模型没有判断这一分句（重问一次后仍缺）"}), "not_checked", rule_clause))
                continue
            results.append(_judge_clause(cj, rule_clause, verifier, target_locator, red, bad, downgrades))
            if cj.reason:
                reasons.append(red.unmask(cj.reason))
    else:
        for cj in judgement.clauses:
            results.append(_judge_clause(cj, None, verifier, target_locator, red, bad, downgrades))
            if cj.reason:
                reasons.append(red.unmask(cj.reason))

    final = [r.verdict for r in results]
    verdict = _aggregate(final)
    verified_quotes: list[str] = []
    for r in results:
        if r.clause.evidence and r.clause.evidence not in verified_quotes and r.verdict != "not_checked":
            verified_quotes.append(r.clause.evidence)
    for q in [red.unmask(q) for cj in judgement.clauses for q in cj.quotes]:
        check = verifier.check(q)
        if check.verified and check.text not in verified_quotes:
            verified_quotes.append(check.text)

    flags: list[str] = []
    if bad:
        flags.append("llm.unverified_quote")
        listed = "；".join(f"“{q[:60]}”（{p}）" for q, p, _ in bad[:3])
        more = f"等{len(bad)}处" if len(bad) > 3 else ""
        span = bad[0][2]
        msg = f"{where}：模型引用的文字未能在完成情况中核实：{listed}{more}。"
        if downgrades:
            msg += "已将" + "，".join(downgrades) + "。"
        findings.append(Finding(code="llm.unverified_quote", severity="warning", source="llm", message=msg,
                                location=loc.with_span(*span) if span else loc, found=bad[0][0][:200]))

    if left_out:
        flags.append("llm.incomplete_answer")
        names = "、".join(f"“{c.text[:30]}”" for c in left_out[:4])
        findings.append(Finding(
            code="llm.incomplete_answer", severity="info", source="llm", location=loc,
            message=f"{where}：模型没有判断分句{names}（重问一次后仍缺），这些分句未判断，请人工核对。",
        ))

    injected = instruction_spans(completion)
    reason_text = "；".join(reasons)
    if injected:
        reason_text = "完成情况中含有要求评审如何判定的指令性文字，已作为数据忽略。" + reason_text
    if not bad and downgrades:  # downgrades for want of a figure are said in the reason
        reason_text = "已将" + "，".join(downgrades) + "。" + reason_text

    disagreeing = _disagreement_findings(results, row, rule, bool(sent), verdict, reason_text, verified_quotes)
    if disagreeing:
        flags.append("llm.disagrees_with_rules")
        findings.extend(disagreeing)

    if judgement.vague:
        flags.append("completion.vague")
        findings.append(Finding(code="completion.vague", severity="info", source="llm", location=loc,
                                message=f"{where}：模型认为完成情况多为套话，缺少数字、日期或具体成果。"))

    status_note = ""
    if verdict == "not_checked":  # every clause it judged was 不适用, the others it left out
        status_note = f"未完成: 模型没有判断其中{len(left_out)}个分句（重问一次后仍缺）"
    return TargetVerdict(
        target_index=row.index,
        by="llm",
        verdict=verdict,  # type: ignore[arg-type]
        clauses=[r.clause for r in results],
        flags=flags,
        reason=reason_text,
        quotes=verified_quotes,
        follow_up=red.unmask(judgement.follow_up),
        status_note=status_note or cut_note(row),
    ), findings


def _disagreement_findings(results: list[_ClauseResult], row: TargetRow, rule: TargetVerdict | None, by_clause: bool,
                           verdict: str, reason_text: str, verified_quotes: list[str]) -> list[Finding]:
    """One llm.disagrees_with_rules per clause the two judge differently (the rules' clauses were
    sent), else at most one for the row."""
    disagreements = _clause_disagreements(results, row, rule) if by_clause else []
    if not by_clause:
        row_level = _disagreement(verdict, rule)
        if row_level is not None:
            disagreements = [(row_level[0], row_level[1], f"{VERDICT_LABEL[verdict]}（{reason_text[:120] or '未说明理由'}", None)]
    where = f"第{row.index + 1}个定量目标（{row.kind}）"
    findings = []
    for severity, rule_side, model_side, clause in disagreements:
        if verified_quotes and clause is None:
            model_side += "；引文：" + "／".join(f"“{q[:40]}”" for q in verified_quotes[:2])
        model_side += "）"
        about = f"分句“{clause.text[:30]}”" if clause is not None else ""
        findings.append(Finding(
            code="llm.disagrees_with_rules", severity=severity, source="llm", location=row.completion.location,
            message=f"{where}{about}规则与模型的判断不一致，请人工核定。规则：{rule_side}；模型：{model_side}。",
            expected=rule_side, found=model_side,
        ))
    return findings


_RULE_SIDE = {"not_met": "未达到目标", "not_reported": "完成情况中没有这一分句要求的数字", "met": "已达到目标"}


def _clause_disagreements(results: list[_ClauseResult], row: TargetRow, rule: TargetVerdict | None):
    """(severity, rules' side, model's side (open), clause) for each clause the two judges read
    opposite ways: the model finds evidence where the rules found the target missed or unreported,
    or none where the rules found it met."""
    out = []
    if rule is None or rule.verdict == "not_checked":
        return out
    for r in results:
        rc = r.rule
        if rc is None:
            continue
        if r.verdict == "evidenced" and rc.outcome in ("not_met", "not_reported"):
            severity = "warning"
        elif r.verdict == "not_evidenced" and rc.outcome == "met":
            severity = "info"
        else:
            continue
        side = _RULE_SIDE[rc.outcome]
        if rc.evidence:
            side += f"（完成情况：“{rc.evidence[:40]}”）"
        if rc.note:
            side += f"，{rc.note[:60]}"
        model = f"{VERDICT_LABEL[r.verdict]}（{r.clause.note[:120]}"
        if r.clause.evidence:
            model += f"；引文：“{r.clause.evidence[:40]}”"
        out.append((severity, side, model, rc))
    return out


def _disagreement(llm_verdict: str, rule: TargetVerdict | None) -> tuple[str, str] | None:
    """(severity, the rules' side in words) when the two judges point opposite ways on a whole row
    (used when the model split the target itself, so clauses cannot be paired)."""
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
        side = VERDICT_LABEL["evidenced"] + (f"（{rule.reason[:80]}）" if rule.reason else "")
        return "info", side
    return None
