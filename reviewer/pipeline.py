"""One review, start to finish: file → Report → findings and verdicts → Review.

No output files are written here; the CLI and the batch runner decide where results go.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reviewer import __version__
from reviewer.findings import Finding, sort_findings
from reviewer.ingest import load_report
from reviewer.model import Report
from reviewer.review import Review


@dataclass
class Options:
    rubric_path: Path | None = None
    llm_enabled: bool = True
    model: str | None = None
    base_url: str | None = None
    redact: bool = True


def unread_findings(report: Report) -> list[Finding]:
    return [
        Finding(
            code="input.unreadable",
            severity="info",
            message=f"未能读取“{u.part}”：{u.reason}。相关检查未进行，请人工核对。",
            location=u.location,
            source="ingest",
        )
        for u in report.unread
    ]


def review_report(report: Report, options: Options) -> Review:
    findings = unread_findings(report)
    return Review(report=report, findings=sort_findings(findings), tool_version=__version__)


def review_file(path: Path, options: Options) -> Review:
    return review_report(load_report(path), options)
