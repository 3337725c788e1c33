"""What the judge reports when it does not run: one `not_checked` verdict per row with the reason.

Kept apart from judge.py so a review with the judge off (--no-llm, no endpoint) imports none of
the network layer (SDK, cache, prompts, answer schema).
"""

from __future__ import annotations

from reviewer.findings import Finding
from reviewer.llm.config import LLMConfig
from reviewer.model import Report
from reviewer.review import LLMRun, TargetVerdict


def not_run(report: Report, note: str, config: LLMConfig | None = None) -> tuple[list[TargetVerdict], list[Finding], LLMRun]:
    verdicts = [
        TargetVerdict(target_index=row.index, by="llm", verdict="not_checked", status_note=note)
        for row in report.targets
    ]
    run = LLMRun(ran=False, note=note, model=config.model if config else "", base_url=config.base_url if config else "")
    return verdicts, [], run
