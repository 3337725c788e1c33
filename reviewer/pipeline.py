"""One review, start to finish: file → Report → findings and verdicts → Review.

No output files are written here; the CLI and the batch runner decide where results go.
Order: what ingest could not read, the deterministic checks (rubric), the narrative rules, then
the LLM judge, which sees the rules' clauses. The LLM layer is the only one that may be absent:
without an endpoint its verdicts say 未运行 and nothing is counted as passed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from reviewer import __version__
from reviewer.assessment import assess
from reviewer.checks import run_checks
from reviewer.conclusion import score_range
from reviewer.finding_ids import assign_ids
from reviewer.findings import Finding, sort_findings
from reviewer.indicator_rubric import IndicatorRubric, load_indicator_rubric
from reviewer.ingest import load_report
from reviewer.ingest.layouts import layout_named
from reviewer.model import Report
from reviewer.national_targets import narrative_rules
from reviewer.review import Review, TargetVerdict
from reviewer.rubric import Rubric, load_rubric


@dataclass
class Options:
    rubric_path: Path | None = None
    llm_enabled: bool = True
    model: str | None = None
    base_url: str | None = None
    redact: bool = True
    provider: str | None = None  # an LLM provider preset (reviewer.llm.config.PRESETS)
    # CLI values of the LLM settings (timeout, deadline, concurrency, max_tokens, temperature,
    # extra_body, modes); None = not given, so the environment or the config file decides.
    llm_settings: dict = field(default_factory=dict)
    # LLMConfig fields for scripts and tests (cache_path, concurrency, api_key …); plain values only,
    # since Options travels to batch worker processes.
    llm_overrides: dict = field(default_factory=dict)


def unread_findings(report: Report) -> list[Finding]:
    return [
        Finding(
            code=u.code,
            severity="info",
            message=f"未能读取“{u.part}”：{u.reason}。相关检查未进行，请人工核对。" if u.code == "input.unreadable"
            else f"{u.part}：{u.reason}。请对照原件核对。",
            location=u.location,
            source="ingest",
        )
        for u in report.unread
    ]


@lru_cache(maxsize=8)
def _cached_rubric(path: str | None, stamp: float) -> Rubric:
    return load_rubric(Path(path) if path else None)


def rubric_for(options: Options) -> Rubric:
    """The rubric, parsed once per process (a batch reviews hundreds of reports with one rubric)."""
    path = options.rubric_path
    try:
        stamp = os.stat(path).st_mtime if path else 0.0
    except OSError:
        stamp = -1.0  # load_rubric gives the one-line error
    return _cached_rubric(str(path) if path else None, stamp)


def indicator_rubric_for(report: Report) -> IndicatorRubric | None:
    """The rubric a national layout names in its description (None for the Hunan form, which
    `--rubric` / the default Hunan rubric scores)."""
    layout = layout_named(report.layout)
    if layout is None or layout.reader == "hunan-form" or not layout.rubric:
        return None
    return load_indicator_rubric(layout.rubric)


def _where(f: Finding) -> tuple:
    loc = f.location
    return (f.code, loc.table, loc.row, loc.col, loc.paragraph)


def merge_same_place(findings: list[Finding]) -> list[Finding]:
    """Two layers may raise the same code on the same cell (score.unsupported on 满意度: the rubric
    wants a survey, the narrative rules find the target unmeasurable). A reviewer should read one
    finding there, carrying both reasons. Findings of one layer stay apart: two clauses of one
    target are two findings, each with its own span."""
    kept: dict[tuple, Finding] = {}
    order: list[tuple] = []
    for f in findings:
        key = _where(f)
        first = kept.get(key)
        if first is not None and first.source != f.source and f.location.table is not None:
            if f.message not in first.message:
                kept[key] = first.model_copy(update={"message": f"{first.message}另：{f.message}"})
            continue
        if first is not None:
            key = key + (len(order),)
        kept[key] = f
        order.append(key)
    return [kept[k] for k in order]


def review_report(report: Report, options: Options, rubric: Rubric | None = None) -> Review:
    from reviewer.llm.config import LLMConfig

    rubric = rubric or rubric_for(options)
    findings = unread_findings(report)
    national = indicator_rubric_for(report)
    indicator_verdicts: list[TargetVerdict] = []
    check_findings, indicators = run_checks(report, rubric, national, indicator_verdicts)
    rescored = frozenset(i.row_index for i in indicators if i.recomputed is not None)
    rule_verdicts, narrative_findings = narrative_rules(report, national, rescored, indicator_verdicts)
    config = LLMConfig.from_env(
        model=options.model, base_url=options.base_url, enabled=options.llm_enabled, redact=options.redact,
        provider=options.provider, settings=options.llm_settings, **options.llm_overrides,
    )
    if config.usable:
        from reviewer.llm import judge_report  # the network layer loads only when the judge runs

        llm_verdicts, llm_findings, llm_run = judge_report(report, rule_verdicts, config)
    else:
        from reviewer.llm.skipped import not_run

        llm_verdicts, llm_findings, llm_run = not_run(report, config.not_usable_note or "", config)

    # every judgement of every row is weighed once, here; nothing below changes a status
    assessed = assess(report, findings + check_findings, indicators, rule_verdicts, narrative_findings,
                      llm_verdicts, llm_findings, rescored)
    findings = merge_same_place(assessed.findings)
    indicators = assessed.indicators
    return Review(
        report=report,
        findings=assign_ids(sort_findings(findings), report),
        indicators=indicators,
        score_range=score_range(report.score_view(), indicators, lambda s: g.name if (g := (national or rubric).grade_for(s)) else ""),
        verdicts=rule_verdicts + llm_verdicts,
        llm=llm_run,
        rubric=national.label if national is not None else rubric.label,
        tool_version=__version__,
    )


def review_file(path: Path, options: Options) -> Review:
    rubric = rubric_for(options)  # a broken rubric is reported before the report is read
    return review_report(load_report(path), options, rubric)
